using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>LBFGS against an independent float64 implementation of the documented algorithm, and its strong-Wolfe search.</summary>
public class LbfgsTests
{
    /// <summary>torch.optim.LBFGS's iteration without line search, in float64 (one Step: up to maxIter iterations).</summary>
    private sealed class Reference(Func<double[], (double F, double[] G)> f, double lr, int maxIter, int history)
    {
        private double[]? _d, _prevG;
        private double _t, _h = 1, _prevLoss;
        private readonly List<double[]> _y = new(), _s = new();
        private readonly List<double> _ro = new();
        private int _n;

        public void Step(double[] p)
        {
            var (loss, g) = f(p);
            if (g.Max(Math.Abs) <= 1e-7) return;
            for (int it = 1; it <= maxIter; it++)
            {
                _n++;
                if (_n == 1) _d = g.Select(v => -v).ToArray();
                else
                {
                    var y = g.Select((v, i) => v - _prevG![i]).ToArray();
                    var s = _d!.Select(v => v * _t).ToArray();
                    double ys = y.Zip(s, (a, b) => a * b).Sum();
                    if (ys > 1e-10)
                    {
                        if (_y.Count == history) { _y.RemoveAt(0); _s.RemoveAt(0); _ro.RemoveAt(0); }
                        _y.Add(y); _s.Add(s); _ro.Add(1 / ys);
                        _h = ys / y.Sum(v => v * v);
                    }
                    var q = g.Select(v => -v).ToArray();
                    var al = new double[_y.Count];
                    for (int i = _y.Count - 1; i >= 0; i--) { al[i] = _s[i].Zip(q, (a, b) => a * b).Sum() * _ro[i]; for (int k = 0; k < q.Length; k++) q[k] -= al[i] * _y[i][k]; }
                    var r = q.Select(v => v * _h).ToArray();
                    for (int i = 0; i < _y.Count; i++) { double be = _y[i].Zip(r, (a, b) => a * b).Sum() * _ro[i]; for (int k = 0; k < r.Length; k++) r[k] += (al[i] - be) * _s[i][k]; }
                    _d = r;
                }
                _prevG = g; _prevLoss = loss;
                _t = _n == 1 ? Math.Min(1, 1 / g.Sum(Math.Abs)) * lr : lr;
                if (g.Zip(_d!, (a, b) => a * b).Sum() > -1e-9) break;
                for (int k = 0; k < p.Length; k++) p[k] += _t * _d![k];
                if (it == maxIter) break;
                (loss, g) = f(p);
                if (g.Max(Math.Abs) <= 1e-7) break;
                if (_d!.Max(Math.Abs) * _t <= 1e-9) break;
                if (Math.Abs(loss - _prevLoss) < 1e-9) break;
            }
        }
    }

    /// <summary>Σ (A·w - b)² over an rows × cols A, and its gradient 2·Aᵀ(A·w - b).</summary>
    private static (double, double[]) LeastSquares(double[] w, float[] a, float[] b, int rows = 8, int cols = 3)
    {
        var g = new double[cols];
        double f = 0;
        for (int r = 0; r < rows; r++)
        {
            double e = -b[r];
            for (int c = 0; c < cols; c++) e += a[r * cols + c] * w[c];
            f += e * e;
            for (int c = 0; c < cols; c++) g[c] += 2 * e * a[r * cols + c];
        }
        return (f, g);
    }

    [Fact]
    public void Without_line_search_it_follows_the_documented_iteration()
    {
        using var d = Device.ManagedCpu();
        var model = new LeastSquares(d, seed: 2);
        using var loss = model.CompileLoss();
        var (a, b) = Problems.LeastSquares();
        FollowsReference(model.Parameters, () => loss.ForwardBackward(a, b), w => LeastSquares(w, a, b), 0.1, maxIter: 4, history: 3);
    }

    /// <summary>Three LBFGS steps without line search against the float64 reference, compared after each; returns the optimizer.</summary>
    private static Lbfgs FollowsReference(ModelState state, Func<float> forwardBackward, Func<double[], (double, double[])> f, double lr, int maxIter, int history)
    {
        var opt = new Lbfgs(state, new LbfgsOptions(lr) { MaxIter = maxIter, HistorySize = history });
        var reference = new Reference(f, lr, maxIter, history);
        var p = state.Get("w").Select(v => (double)v).ToArray();
        for (int step = 0; step < 3; step++)
        {
            opt.Step(() => { opt.ZeroGrad(); return forwardBackward(); });
            reference.Step(p);
            var actual = state.Get("w");
            for (int i = 0; i < p.Length; i++) Assert.True(Math.Abs(actual[i] - p[i]) < 1e-4 * (1 + Math.Abs(p[i])), $"step {step}, w[{i}]: {actual[i]} vs {p[i]}");
        }
        return opt;
    }

    [Fact]
    public void Without_line_search_on_21_parameters_it_follows_the_documented_iteration()
    {
        // 21 parameters: the flat loops' 8-lane parts and their tails, over a history that fills and rolls over
        using var d = Device.ManagedCpu();
        var model = new WideLeastSquares(d, seed: 4);
        using var loss = model.CompileLoss();
        var rng = new SeededRandom(11);
        var a = Enumerable.Range(0, 30 * 21).Select(_ => rng.Uniform(-1f, 1f)).ToArray();
        var b = Enumerable.Range(0, 30).Select(_ => rng.Uniform(-2f, 2f)).ToArray();
        var opt = FollowsReference(model.Parameters, () => loss.ForwardBackward(a, b), w => LeastSquares(w, a, b, 30, 21), 0.02, maxIter: 5, history: 3);
        // five iterations or more add four curvature pairs or more to a history of three: it filled and rolled over
        Assert.True(opt.Iterations >= 5 && opt.StateDict().OldDirs.Count == 3, $"{opt.Iterations} iterations, {opt.StateDict().OldDirs.Count} pairs kept");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(37)]
    public void The_flat_loops_match_their_scalar_definitions(int n)
    {
        var rng = new SeededRandom((ulong)n + 1);
        float[] Random() => Enumerable.Range(0, n).Select(_ => rng.Uniform(-3f, 3f)).ToArray();
        var (x, y) = (Random(), Random());
        const double scale = -0.3711234567;
        // a float scaled by a double: computed in double, rounded once, then added in float (bit for bit)
        var added = x.ToArray();
        Lbfgs.AddScaled(added, scale, y);
        var scaled = new float[n];
        Lbfgs.Scale(scaled, scale, y);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(x[i] + (float)(scale * y[i]), added[i]);
            Assert.Equal((float)(scale * y[i]), scaled[i]);
        }
        double dot = 0, max = 0, sumAbs = 0;
        for (int i = 0; i < n; i++) { dot += (double)x[i] * y[i]; max = Math.Max(max, Math.Abs(x[i])); sumAbs += Math.Abs((double)x[i]); }
        Assert.True(Math.Abs(Lbfgs.Dot(x, y) - dot) <= 1e-12 * (1 + Math.Abs(dot)), $"dot {Lbfgs.Dot(x, y)} vs {dot}");
        Assert.True(Math.Abs(Lbfgs.SumAbs(x) - sumAbs) <= 1e-12 * (1 + sumAbs), $"sum of |x| {Lbfgs.SumAbs(x)} vs {sumAbs}");
        Assert.Equal(max, Lbfgs.MaxAbs(x));
        if (n > 0)
        {
            x[n - 1] = float.NaN;   // a NaN anywhere, the tail included, makes the max NaN (as Math.Max carries it)
            Assert.True(double.IsNaN(Lbfgs.MaxAbs(x)));
        }
    }

    [Fact]
    public void With_strong_wolfe_it_solves_least_squares_and_reaches_a_himmelblau_minimum()
    {
        using var d = Device.ManagedCpu();
        var model = new LeastSquares(d, seed: 2);
        using var loss = model.CompileLoss();
        var (a, b) = Problems.LeastSquares();
        var opt = new Lbfgs(model.Parameters, new LbfgsOptions { LineSearch = LineSearch.StrongWolfe });
        for (int i = 0; i < 3; i++) opt.Step(() => { opt.ZeroGrad(); return loss.ForwardBackward(a, b); });
        var (_, g) = LeastSquares(model.Parameters.Get("w").Select(v => (double)v).ToArray(), a, b);
        Assert.True(g.Max(Math.Abs) < 1e-3, $"gradient at the end: {string.Join(", ", g)}");

        var h = new Himmelblau(d);
        h.Parameters.Set("x", [0f]);
        h.Parameters.Set("y", [0f]);
        using var hl = h.CompileLoss();
        var hopt = new Lbfgs(h.Parameters, new LbfgsOptions { LineSearch = LineSearch.StrongWolfe });
        for (int i = 0; i < 5; i++) hopt.Step(() => { hopt.ZeroGrad(); return hl.ForwardBackward(); });
        Assert.True(hl.Forward() < 1e-6, $"Himmelblau loss {hl.Forward()} at ({h.Parameters.Get("x")[0]}, {h.Parameters.Get("y")[0]})");
    }

    [Fact]
    public void The_line_search_returns_a_step_meeting_the_strong_wolfe_conditions()
    {
        // f(t) along d for f(x) = (x - 3)^4 + x² from x = 0, d = 1
        (double, float[]) Eval(double t) { double x = t; return (Math.Pow(x - 3, 4) + x * x, [(float)(4 * Math.Pow(x - 3, 3) + 2 * x)]); }
        var (f0, g0) = Eval(0);
        double gtd = g0[0];
        var (f, g, t, evals) = Lbfgs.StrongWolfe(Eval, 1, [1f], f0, g0, gtd);
        Assert.True(f <= f0 + 1e-4 * t * gtd, $"sufficient decrease: f {f} at t {t}");
        Assert.True(Math.Abs(g[0]) <= 0.9 * Math.Abs(gtd), $"curvature: g {g[0]} vs {gtd}");
        Assert.InRange(evals, 1, 25);
    }

    [Fact]
    public void Cubic_interpolation_finds_the_minimum_of_a_cubic()
    {
        // c(x) = x³ - 3x: minimum at x = 1
        double F(double x) => x * x * x - 3 * x;
        double G(double x) => 3 * x * x - 3;
        Assert.Equal(1.0, Lbfgs.CubicInterpolate(0, F(0), G(0), 2, F(2), G(2)), 9);
        Assert.Equal(1.5, Lbfgs.CubicInterpolate(0, F(0), G(0), 2, F(2), G(2), (1.5, 2)), 9);
    }
}

/// <summary>Least squares over 21 parameters: LBFGS's flat loops in 8-lane parts and tails.</summary>
[Model]
public partial class WideLeastSquares
{
    [Param(21)] Tensor w;

    [Loss] public Tensor Loss([Shape(30, 21)] Tensor a, [Shape(30)] Tensor b) => Losses.MseLoss(a.MatMul(w), b, Reduction.Sum);
}

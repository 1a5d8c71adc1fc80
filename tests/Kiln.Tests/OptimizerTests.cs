using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Every optimizer against an independent float64 implementation of torch.optim's documented algorithm, on
/// Himmelblau's function and a least-squares fit; parameter groups; state_dict round trips that resume bit-identically.
/// </summary>
public class OptimizerTests
{
    /// <summary>The float64 references: one documented algorithm each, written from PyTorch's docs, sharing nothing with the runtime.</summary>
    private static class Ref
    {
        public delegate void Update(double[] p, double[] g, int t, Dictionary<string, double[]> s, Dictionary<string, double> scalars);

        private static double[] S(Dictionary<string, double[]> s, string name, int n, double init = 0) =>
            s.TryGetValue(name, out var v) ? v : s[name] = Enumerable.Repeat(init, n).ToArray();

        public static Update Adam(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0, bool amsgrad = false, bool decoupled = false, bool maximize = false) => (p, g, t, s, _) =>
        {
            var m = S(s, "m", p.Length); var v = S(s, "v", p.Length); var vmax = S(s, "vmax", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double grad = maximize ? -g[i] : g[i];
                if (decoupled) p[i] *= 1 - lr * wd; else grad += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * grad;
                v[i] = b2 * v[i] + (1 - b2) * grad * grad;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                vmax[i] = Math.Max(vmax[i], v[i]);
                double vHat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        };

        public static Update Adagrad(double lr, double lrDecay = 0, double init = 0, double eps = 1e-10, double wd = 0) => (p, g, t, s, _) =>
        {
            var sum = S(s, "sum", p.Length, init);
            for (int i = 0; i < p.Length; i++)
            {
                double grad = g[i] + wd * p[i];
                sum[i] += grad * grad;
                p[i] -= lr / (1 + (t - 1) * lrDecay) * grad / (Math.Sqrt(sum[i]) + eps);
            }
        };

        public static Update RmsProp(double lr, double alpha = 0.99, double eps = 1e-8, double wd = 0, double momentum = 0, bool centered = false) => (p, g, t, s, _) =>
        {
            var v = S(s, "v", p.Length); var ga = S(s, "ga", p.Length); var buf = S(s, "buf", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double grad = g[i] + wd * p[i];
                v[i] = alpha * v[i] + (1 - alpha) * grad * grad;
                double denom = v[i];
                if (centered) { ga[i] = alpha * ga[i] + (1 - alpha) * grad; denom -= ga[i] * ga[i]; }
                denom = Math.Sqrt(denom) + eps;
                if (momentum > 0) { buf[i] = momentum * buf[i] + grad / denom; p[i] -= lr * buf[i]; }
                else p[i] -= lr * grad / denom;
            }
        };

        public static Update Adadelta(double lr, double rho = 0.9, double eps = 1e-6, double wd = 0) => (p, g, t, s, _) =>
        {
            var v = S(s, "v", p.Length); var u = S(s, "u", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double grad = g[i] + wd * p[i];
                v[i] = rho * v[i] + (1 - rho) * grad * grad;
                double dx = Math.Sqrt(u[i] + eps) / Math.Sqrt(v[i] + eps) * grad;
                u[i] = rho * u[i] + (1 - rho) * dx * dx;
                p[i] -= lr * dx;
            }
        };

        public static Update Adamax(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0) => (p, g, t, s, _) =>
        {
            var m = S(s, "m", p.Length); var u = S(s, "u", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double grad = g[i] + wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * grad;
                u[i] = Math.Max(b2 * u[i], Math.Abs(grad) + eps);
                p[i] -= lr / (1 - Math.Pow(b1, t)) * m[i] / u[i];
            }
        };

        // decoupled (PyTorch 2's decoupled_weight_decay): θ ← θ(1 - γλ) first, and the gradient keeps no λθ term
        public static Update NAdam(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0, double psi = 4e-3, bool decoupled = false) => (p, g, t, s, sc) =>
        {
            var m = S(s, "m", p.Length); var v = S(s, "v", p.Length);
            double mu = b1 * (1 - 0.5 * Math.Pow(0.96, t * psi)), muNext = b1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
            double product = (sc.TryGetValue("prod", out var pr) ? pr : 1) * mu;
            sc["prod"] = product;
            for (int i = 0; i < p.Length; i++)
            {
                if (decoupled) p[i] *= 1 - lr * wd;
                double grad = decoupled ? g[i] : g[i] + wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * grad;
                v[i] = b2 * v[i] + (1 - b2) * grad * grad;
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * ((1 - mu) / (1 - product) * grad + muNext / (1 - product * muNext) * m[i]) / (Math.Sqrt(vHat) + eps);
            }
        };

        public static Update RAdam(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0, bool decoupled = false) => (p, g, t, s, _) =>
        {
            var m = S(s, "m", p.Length); var v = S(s, "v", p.Length);
            double rhoInf = 2 / (1 - b2) - 1, rhoT = rhoInf - 2 * t * Math.Pow(b2, t) / (1 - Math.Pow(b2, t));
            for (int i = 0; i < p.Length; i++)
            {
                if (decoupled) p[i] *= 1 - lr * wd;
                double grad = decoupled ? g[i] : g[i] + wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * grad;
                v[i] = b2 * v[i] + (1 - b2) * grad * grad;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                if (rhoT > 5)
                {
                    double l = Math.Sqrt(1 - Math.Pow(b2, t)) / (Math.Sqrt(v[i]) + eps);
                    double r = Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
                    p[i] -= lr * mHat * l * r;
                }
                else p[i] -= lr * mHat;
            }
        };

        public static Update Asgd(double lr, double lambd = 1e-4, double alpha = 0.75, double t0 = 1e6, double wd = 0) => (p, g, t, s, sc) =>
        {
            var ax = S(s, "ax", p.Length);
            double eta = sc.TryGetValue("eta", out var e) ? e : lr, mu = sc.TryGetValue("mu", out var u) ? u : 1;
            for (int i = 0; i < p.Length; i++)
            {
                double grad = g[i] + wd * p[i];
                p[i] = p[i] * (1 - lambd * eta) - eta * grad;
                ax[i] = mu != 1 ? ax[i] + (p[i] - ax[i]) * mu : p[i];
            }
            sc["eta"] = lr / Math.Pow(1 + lambd * lr * t, alpha);
            sc["mu"] = 1 / Math.Max(1, t - t0);
        };

        public static Update Rprop(double lr, double etaMinus = 0.5, double etaPlus = 1.2, double min = 1e-6, double max = 50) => (p, g, t, s, _) =>
        {
            var prev = S(s, "prev", p.Length); var step = S(s, "step", p.Length, lr);
            for (int i = 0; i < p.Length; i++)
            {
                double grad = g[i], sign = grad * prev[i];
                if (sign > 0) step[i] = Math.Min(step[i] * etaPlus, max);
                else if (sign < 0) { step[i] = Math.Max(step[i] * etaMinus, min); grad = 0; }
                else step[i] = Math.Min(Math.Max(step[i], min), max);
                p[i] -= Math.Sign(grad) * step[i];
                prev[i] = grad;
            }
        };

        public static Update Sgd(double lr, double momentum = 0, double dampening = 0, double wd = 0, bool nesterov = false) => (p, g, t, s, _) =>
        {
            var b = S(s, "b", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double d = g[i] + wd * p[i];
                if (momentum != 0) { b[i] = t == 1 ? d : momentum * b[i] + (1 - dampening) * d; d = nesterov ? d + momentum * b[i] : b[i]; }
                p[i] -= lr * d;
            }
        };
    }

    private static readonly Dictionary<string, (Func<ModelState, object> Make, Ref.Update Reference)> Cases = new()
    {
        ["Sgd momentum nesterov"] = (s => new Sgd(s, 0.01f, momentum: 0.9f, nesterov: true), Ref.Sgd(0.01, momentum: 0.9, nesterov: true)),
        ["Adam"] = (s => new Adam(s, new AdamOptions(0.05)), Ref.Adam(0.05)),
        ["Adam amsgrad wd"] = (s => new Adam(s, new AdamOptions(0.05) { Amsgrad = true, WeightDecay = 0.01 }), Ref.Adam(0.05, amsgrad: true, wd: 0.01)),
        ["AdamW"] = (s => new AdamW(s, new AdamOptions(0.05) { WeightDecay = 0.1 }), Ref.Adam(0.05, wd: 0.1, decoupled: true)),
        ["Adagrad"] = (s => new Adagrad(s, new AdagradOptions(0.3) { LrDecay = 0.01, InitialAccumulatorValue = 0.1 }), Ref.Adagrad(0.3, 0.01, 0.1)),
        ["RmsProp"] = (s => new RmsProp(s, new RmsPropOptions(0.01)), Ref.RmsProp(0.01)),
        ["RmsProp centered momentum"] = (s => new RmsProp(s, new RmsPropOptions(0.005) { Centered = true, Momentum = 0.5, WeightDecay = 0.01 }), Ref.RmsProp(0.005, centered: true, momentum: 0.5, wd: 0.01)),
        ["Adadelta"] = (s => new Adadelta(s, new AdadeltaOptions(1.0)), Ref.Adadelta(1.0)),
        ["Adamax"] = (s => new Adamax(s, new AdamaxOptions(0.05)), Ref.Adamax(0.05)),
        ["NAdam"] = (s => new NAdam(s, new NAdamOptions(0.05)), Ref.NAdam(0.05)),
        ["RAdam"] = (s => new RAdam(s, new RAdamOptions(0.05)), Ref.RAdam(0.05)),
        ["RAdam wd"] = (s => new RAdam(s, new RAdamOptions(0.05) { WeightDecay = 0.1 }), Ref.RAdam(0.05, wd: 0.1)),
        ["RAdam decoupled wd"] = (s => new RAdam(s, new RAdamOptions(0.05) { WeightDecay = 0.1, DecoupledWeightDecay = true }), Ref.RAdam(0.05, wd: 0.1, decoupled: true)),
        ["NAdam decoupled wd"] = (s => new NAdam(s, new NAdamOptions(0.05) { WeightDecay = 0.1, DecoupledWeightDecay = true }), Ref.NAdam(0.05, wd: 0.1, decoupled: true)),
        ["Asgd"] = (s => new Asgd(s, new AsgdOptions(0.01) { T0 = 5, Lambd = 0.01 }), Ref.Asgd(0.01, lambd: 0.01, t0: 5)),
        ["Rprop"] = (s => new Rprop(s, new RpropOptions(0.01)), Ref.Rprop(0.01)),
    };

    public static TheoryData<string, string> Names()
    {
        var d = new TheoryData<string, string>();
        foreach (var name in Cases.Keys) { d.Add(name, "cpu"); }
        foreach (var name in new[] { "Adam amsgrad wd", "RmsProp centered momentum", "NAdam", "NAdam decoupled wd", "Rprop", "Asgd" }) d.Add(name, "ilgpu-cpu");
        return d;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Himmelblau_trajectory_matches_the_documented_rule(string name, string device)
    {
        using var d = Device.Create(device);
        var model = new Himmelblau(d);
        model.Parameters.Set("x", [-1.5f]);
        model.Parameters.Set("y", [1.0f]);
        using var loss = model.CompileLoss();
        var (make, reference) = Cases[name];
        dynamic opt = make(model.Parameters);
        double[] p = [-1.5, 1.0];
        var state = new Dictionary<string, double[]>();
        var scalars = new Dictionary<string, double>();
        for (int t = 1; t <= 30; t++)
        {
            opt.ZeroGrad();
            loss.ForwardBackward();
            opt.Step();
            double x = p[0], y = p[1];
            double a = x * x + y - 11, b = x + y * y - 7;
            reference(p, [4 * a * x + 2 * b, 2 * a + 4 * b * y], t, state, scalars);
        }
        float[] actual = [model.Parameters.Get("x")[0], model.Parameters.Get("y")[0]];
        for (int i = 0; i < 2; i++) Assert.True(Math.Abs(actual[i] - p[i]) < 1e-3 * (1 + Math.Abs(p[i])), $"{name} p[{i}]: {actual[i]} vs float64 {p[i]}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Least_squares_trajectory_matches_the_documented_rule(string name, string device)
    {
        using var d = Device.Create(device);
        var model = new LeastSquares(d, seed: 2);
        using var loss = model.CompileLoss();
        var (a, b) = Problems.LeastSquares();
        var (make, reference) = Cases[name];
        dynamic opt = make(model.Parameters);
        var p = model.Parameters.Get("w").Select(v => (double)v).ToArray();
        var state = new Dictionary<string, double[]>();
        var scalars = new Dictionary<string, double>();
        for (int t = 1; t <= 25; t++)
        {
            opt.ZeroGrad();
            loss.ForwardBackward(a, b);
            opt.Step();
            var g = new double[3];
            for (int r = 0; r < 8; r++)
            {
                double e = -b[r];
                for (int c = 0; c < 3; c++) e += a[r * 3 + c] * p[c];
                for (int c = 0; c < 3; c++) g[c] += 2 * e * a[r * 3 + c];
            }
            reference(p, g, t, state, scalars);
        }
        var actual = model.Parameters.Get("w");
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(actual[i] - p[i]) < 1e-4 * (1 + Math.Abs(p[i])), $"{name} w[{i}]: {actual[i]} vs float64 {p[i]}");
    }

    [Theory]
    [InlineData("Adam amsgrad wd")]
    [InlineData("RmsProp centered momentum")]
    [InlineData("NAdam")]
    [InlineData("Asgd")]
    [InlineData("Rprop")]
    [InlineData("Sgd momentum nesterov")]
    public void A_resumed_run_continues_bit_identically(string name)
    {
        using var d = Device.ManagedCpu();
        var (a, b) = Problems.LeastSquares();
        var make = Cases[name].Make;

        var first = new LeastSquares(d, seed: 2);
        using var loss1 = first.CompileLoss();
        dynamic opt1 = make(first.Parameters);
        void Train(dynamic opt, LeastSquares.LossPlan plan, int steps) { for (int i = 0; i < steps; i++) { opt.ZeroGrad(); plan.ForwardBackward(a, b); opt.Step(); } }
        Train(opt1, loss1, 6);
        OptimizerState saved = opt1.StateDict();
        var savedParams = first.Parameters.Get("w");
        Train(opt1, loss1, 6);

        var second = new LeastSquares(d, seed: 99);
        using var loss2 = second.CompileLoss();
        dynamic opt2 = make(second.Parameters);
        second.Parameters.Set("w", savedParams);
        opt2.LoadStateDict(saved);
        Train(opt2, loss2, 6);
        Assert.Equal(first.Parameters.Get("w"), second.Parameters.Get("w"));
    }

    public static TheoryData<string> AllNames()
    {
        var d = new TheoryData<string>();
        foreach (var name in Cases.Keys) d.Add(name);
        return d;
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void The_vector_update_path_matches_the_documented_rule(string name)
    {
        // 37 parameters: four 8-lane vectors and a scalar tail of 5, every rule's two forms
        using var d = Device.ManagedCpu();
        var model = new Wide37(d, seed: 6);
        using var loss = model.CompileLoss();
        var rng = new SeededRandom(8);
        var r = Enumerable.Range(0, 37).Select(_ => rng.Uniform(0.2f, 1.5f)).ToArray();
        var (make, reference) = Cases[name];
        dynamic opt = make(model.Parameters);
        var p = model.Parameters.Get("w").Select(v => (double)v).ToArray();
        var state = new Dictionary<string, double[]>();
        var scalars = new Dictionary<string, double>();
        for (int t = 1; t <= 20; t++)
        {
            opt.ZeroGrad();
            loss.ForwardBackward(r);
            opt.Step();
            reference(p, p.Select((w, i) => 2 * w * r[i]).ToArray(), t, state, scalars);
        }
        var actual = model.Parameters.Get("w");
        for (int i = 0; i < 37; i++) Assert.True(Math.Abs(actual[i] - p[i]) < 1e-4 * (1 + Math.Abs(p[i])), $"{name} w[{i}]: {actual[i]} vs float64 {p[i]}");
    }

    [Fact]
    public void Parameter_groups_have_their_own_learning_rates()
    {
        using var d = Device.ManagedCpu();
        var model = new Himmelblau(d);
        model.Parameters.Set("x", [1f]);
        model.Parameters.Set("y", [1f]);
        using var loss = model.CompileLoss();
        var opt = new Sgd(model.Parameters, new SgdOptions(0.01), ["x"]);
        opt.AddParamGroup(["y"], new SgdOptions(0.001));
        Assert.Throws<ArgumentException>(() => opt.AddParamGroup(["x"]));
        opt.ZeroGrad();
        loss.ForwardBackward();
        var g = new[] { model.Parameters.Grad("x")[0], model.Parameters.Grad("y")[0] };
        opt.Step();
        Assert.Equal(1f - 0.01f * g[0], model.Parameters.Get("x")[0], 6);
        Assert.Equal(1f - 0.001f * g[1], model.Parameters.Get("y")[0], 6);
        opt.ParamGroups[1].Lr = 0.1;
        Assert.Equal(0.1, opt.ParamGroups[1].Options.Lr);
    }

    [Fact]
    public void A_mismatched_state_dict_is_rejected_with_the_reason()
    {
        using var d = Device.ManagedCpu();
        var model = new Himmelblau(d);
        var adam = new Adam(model.Parameters);
        var other = new Adam(model.Parameters, names: ["x"]);
        Assert.Contains("names", Assert.Throws<ArgumentException>(() => other.LoadStateDict(adam.StateDict())).Message);
        var sgd = new Sgd(model.Parameters, 0.1f, momentum: 0.5f);
        Assert.Contains("buffers", Assert.Throws<ArgumentException>(() => sgd.LoadStateDict(adam.StateDict())).Message);
    }

    /// <summary>
    /// The first Adam step on a gradient of ones moves each weight by lr·m̂/(√v̂ + ε) = lr/(1 + ε) (m̂ = v̂ = 1), to float's
    /// precision, as PyTorch's does: its 1 - β₂ is a Python float rounded once, where 1 - 0.999f in float was 0.0010000467
    /// and moved each weight 2.3e-6 short.
    /// </summary>
    [Fact]
    public void Adams_first_step_on_unit_gradients_is_lr_to_float_precision()
    {
        using var d = Device.ManagedCpu();
        float[] start = [0.6614f, 0.2669f, 0.0617f, 0.6213f];
        foreach (var make in new Func<ModelState, IOptimizer>[] { s => new Adam(s, new AdamOptions(0.1)), s => new AdamW(s, new AdamOptions(0.1) { WeightDecay = 0 }), s => new RAdam(s, new RAdamOptions(0.1)) })
        {
            var m = new SumOfWeights(d);
            m.Parameters.Set("weight", start);
            using var step = m.CompileLoss();
            var opt = make(m.Parameters);
            opt.ZeroGrad();
            step.ForwardBackward();
            opt.Step();
            var w = m.Parameters.Get("weight");
            for (int i = 0; i < 4; i++) Assert.Equal(start[i] - 0.1 / (1 + 1e-8), w[i], 1.5e-7);
        }
    }
}

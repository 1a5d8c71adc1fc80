using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Kiln;

public enum LineSearch { None, StrongWolfe }

/// <summary>torch.optim.LBFGS's options. LBFGS has no weight decay or maximize: both must stay at their defaults.</summary>
public sealed record LbfgsOptions(double Lr = 1) : OptimizerOptions(Lr)
{
    public int MaxIter { get; init; } = 20;
    /// <summary>Default: MaxIter · 5/4, as PyTorch.</summary>
    public int? MaxEval { get; init; }
    public double ToleranceGrad { get; init; } = 1e-7;
    public double ToleranceChange { get; init; } = 1e-9;
    public int HistorySize { get; init; } = 100;
    public LineSearch LineSearch { get; init; }
}

/// <summary>LBFGS's state_dict: direction, step, curvature history and counters.</summary>
public sealed record LbfgsState(float[]? D, double T, IReadOnlyList<float[]> OldDirs, IReadOnlyList<float[]> OldSteps, IReadOnlyList<double> Ro,
    double HDiag, float[]? PrevFlatGrad, double PrevLoss, int NIter, int FuncEvals);

/// <summary>
/// torch.optim.LBFGS: each Step(closure) runs up to MaxIter iterations of limited-memory BFGS (two-loop recursion
/// over HistorySize curvature pairs), re-evaluating the loss and gradients through the closure, with a fixed step
/// (lr; min(1, 1/|g|₁)·lr on the very first iteration) or a strong-Wolfe line search. Works on the whole parameter
/// block (one group, as PyTorch requires). The closure must zero the gradients, run forward+backward and return the loss.
/// As an <see cref="IOptimizer"/> its one group's Lr is what schedulers change, and its state_dict holds the history
/// as block-sized buffers, so checkpoints save and resume it like any other optimizer.
/// </summary>
public sealed class Lbfgs : IOptimizer
{
    private readonly ModelState _state;
    private readonly ParamGroup<LbfgsOptions> _group;
    private readonly ParamGroup[] _groups;
    private float[]? _d, _prevFlatGrad;
    private double _t, _hDiag = 1, _prevLoss;
    private List<float[]> _oldDirs = new(), _oldSteps = new();
    private List<double> _ro = new();
    private int _nIter, _funcEvals;

    public Lbfgs(ModelState parameters, LbfgsOptions? options = null)
    {
        _state = parameters;
        options ??= new LbfgsOptions();
        Validate(options);
        _group = ParamGroup<LbfgsOptions>.Create(parameters, parameters.Layout.Select(p => p.Name), options, []);
        _groups = [_group];
    }

    private static void Validate(LbfgsOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Lr, "learning rate");
        if (o.MaxIter < 1 || o.HistorySize < 1 || o.MaxEval is < 1) throw new ArgumentOutOfRangeException("options", $"LBFGS needs max_iter, max_eval and history_size of at least 1 (got max_iter {o.MaxIter}, max_eval {o.MaxEval?.ToString() ?? "unset (max_iter · 5/4)"}, history_size {o.HistorySize}).");
        if (o.WeightDecay != 0 || o.Maximize) throw new ArgumentException("LBFGS has no weight_decay or maximize (as in PyTorch).", "options");
    }

    /// <summary>The options of LBFGS's single parameter group.</summary>
    public LbfgsOptions Options { get => _group.Options; set { Validate(value); _group.Options = value; } }

    public ModelState State => _state;
    /// <summary>One group over the whole block: PyTorch's LBFGS does not support per-parameter options.</summary>
    public IReadOnlyList<ParamGroup> Groups => _groups;
    Type IOptimizer.OptionsType => typeof(LbfgsOptions);

    /// <summary>LBFGS re-evaluates the loss during a step, so it always needs the closure.</summary>
    public void Step() => throw new InvalidOperationException("LBFGS re-evaluates the loss during a step: call Step(closure), as torch.optim.LBFGS requires.");
    public int FunctionEvaluations => _funcEvals;
    public int Iterations => _nIter;

    public void ZeroGrad() => _state.ZeroGrad();

    private float[] Params() => _state.Parameters.ToArray();
    private void SetParams(float[] p) => _state.Parameters.CopyFrom(p);
    private float[] Grad() => _state.Gradients.ToArray();

    private void AddToParams(double t, float[] d)
    {
        var p = Params();
        AddScaled(p, t, d);
        SetParams(p);
    }

    // ---- the flat loops, 8 lanes at a time: a float scaled by a double is computed in double and rounded, as its scalar form
    // (x + (float)(a·y) element by element, so the vector and scalar forms agree bit for bit); sums are taken in double ----

    /// <summary>Σ a[i]·b[i] in double (each product exact; the sum in four lanes, then across them).</summary>
    internal static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("The vectors differ in length.", nameof(b));
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b);
            var acc = Vector256<double>.Zero;
            for (; i + Vector256<float>.Count <= a.Length; i += Vector256<float>.Count)
            {
                var (al, ah) = Vector256.Widen(Vector256.LoadUnsafe(ref ra, (nuint)i));
                var (bl, bh) = Vector256.Widen(Vector256.LoadUnsafe(ref rb, (nuint)i));
                acc += al * bl + ah * bh;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    /// <summary>x[i] += (float)(scale · y[i]).</summary>
    internal static void AddScaled(Span<float> x, double scale, ReadOnlySpan<float> y) => Scaled(x, scale, y, add: true);

    /// <summary>x[i] = (float)(scale · y[i]).</summary>
    internal static void Scale(Span<float> x, double scale, ReadOnlySpan<float> y) => Scaled(x, scale, y, add: false);

    private static void Scaled(Span<float> x, double scale, ReadOnlySpan<float> y, bool add)
    {
        if (x.Length != y.Length) throw new ArgumentException("The vectors differ in length.", nameof(y));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float rx = ref MemoryMarshal.GetReference(x), ry = ref MemoryMarshal.GetReference(y);
            var s = Vector256.Create(scale);
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref ry, (nuint)i));
                var scaled = Vector256.Narrow(s * lo, s * hi);
                (add ? Vector256.LoadUnsafe(ref rx, (nuint)i) + scaled : scaled).StoreUnsafe(ref rx, (nuint)i);
            }
        }
        for (; i < x.Length; i++) x[i] = add ? x[i] + (float)(scale * y[i]) : (float)(scale * y[i]);
    }

    /// <summary>max |a[i]| (0 for none; NaN where any is NaN, as Math.Max carries it).</summary>
    internal static double MaxAbs(ReadOnlySpan<float> a) => a.IsEmpty ? 0 : Math.Abs((double)TensorPrimitives.MaxMagnitude(a));

    /// <summary>Σ |a[i]| in double.</summary>
    internal static double SumAbs(ReadOnlySpan<float> a)
    {
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float r = ref MemoryMarshal.GetReference(a);
            var acc = Vector256<double>.Zero;
            for (; i + Vector256<float>.Count <= a.Length; i += Vector256<float>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Abs(Vector256.LoadUnsafe(ref r, (nuint)i)));
                acc += lo + hi;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < a.Length; i++) sum += Math.Abs((double)a[i]);
        return sum;
    }

    private static float[] Negated(float[] a)
    {
        var result = new float[a.Length];
        TensorPrimitives.Negate(a, result);
        return result;
    }

    /// <summary>One optimizer step (up to MaxIter iterations); returns the loss of the first closure call.</summary>
    public float Step(Func<float> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        var o = Options;
        int maxEval = o.MaxEval ?? o.MaxIter * 5 / 4;
        float origLoss = closure();
        double loss = origLoss;
        int currentEvals = 1;
        _funcEvals++;
        var g = Grad();
        bool optCond = MaxAbs(g) <= o.ToleranceGrad;
        if (optCond) return origLoss;

        int nIter = 0;
        while (nIter < o.MaxIter)
        {
            nIter++;
            _nIter++;
            if (_nIter == 1)
            {
                _d = Negated(g);
                _oldDirs = new(); _oldSteps = new(); _ro = new();
                _hDiag = 1;
            }
            else
            {
                var y = new float[g.Length];
                var s = new float[g.Length];
                TensorPrimitives.Subtract(g, _prevFlatGrad!, y);
                Scale(s, _t, _d!);
                double ys = Dot(y, s);
                if (ys > 1e-10)
                {
                    if (_oldDirs.Count == o.HistorySize) { _oldDirs.RemoveAt(0); _oldSteps.RemoveAt(0); _ro.RemoveAt(0); }
                    _oldDirs.Add(y); _oldSteps.Add(s); _ro.Add(1 / ys);
                    _hDiag = ys / Dot(y, y);
                }
                // two-loop recursion: d = -H·g
                int count = _oldDirs.Count;
                var al = new double[count];
                var q = Negated(g);
                for (int i = count - 1; i >= 0; i--)
                {
                    al[i] = Dot(_oldSteps[i], q) * _ro[i];
                    AddScaled(q, -al[i], _oldDirs[i]);   // q[k] - (float)(al·y[k]), exactly: negation commutes with rounding
                }
                var r = new float[q.Length];
                Scale(r, _hDiag, q);
                for (int i = 0; i < count; i++)
                {
                    double be = Dot(_oldDirs[i], r) * _ro[i];
                    AddScaled(r, al[i] - be, _oldSteps[i]);
                }
                _d = r;
            }
            _prevFlatGrad = (float[])g.Clone();
            _prevLoss = loss;

            _t = _nIter == 1 ? Math.Min(1.0, 1.0 / SumAbs(g)) * o.Lr : o.Lr;
            double gtd = Dot(g, _d!);
            if (gtd > -o.ToleranceChange) break;

            int lsEvals = 0;
            if (o.LineSearch == LineSearch.StrongWolfe)
            {
                var x = Params();
                (double F, float[] G) Evaluate(double step)
                {
                    AddToParams(step, _d!);
                    double f = closure();
                    var grad = Grad();
                    SetParams(x);
                    return (f, grad);
                }
                (loss, g, _t, lsEvals) = StrongWolfe(Evaluate, _t, _d!, loss, g, gtd, toleranceChange: o.ToleranceChange);
                AddToParams(_t, _d!);
                optCond = MaxAbs(g) <= o.ToleranceGrad;
            }
            else
            {
                AddToParams(_t, _d!);
                if (nIter != o.MaxIter)
                {
                    loss = closure();
                    g = Grad();
                    optCond = MaxAbs(g) <= o.ToleranceGrad;
                    lsEvals = 1;
                }
            }
            currentEvals += lsEvals;
            _funcEvals += lsEvals;

            if (nIter == o.MaxIter) break;
            if (currentEvals >= maxEval) break;
            if (optCond) break;
            if (MaxAbs(_d!) * Math.Abs(_t) <= o.ToleranceChange) break;
            if (Math.Abs(loss - _prevLoss) < o.ToleranceChange) break;
        }
        return origLoss;
    }

    /// <summary>The minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds.</summary>
    internal static double CubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, (double Min, double Max)? bounds = null)
    {
        var (lo, hi) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1));
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square < 0) return (lo + hi) / 2;
        double d2 = Math.Sqrt(d2Square);
        double minPos = x1 <= x2
            ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
            : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
        return Math.Min(Math.Max(minPos, lo), hi);
    }

    /// <summary>PyTorch's strong-Wolfe line search: bracketing, then zoom by cubic interpolation.</summary>
    internal static (double F, float[] G, double T, int Evals) StrongWolfe(Func<double, (double F, float[] G)> evaluate, double t, float[] d, double f, float[] g, double gtd,
        double c1 = 1e-4, double c2 = 0.9, double toleranceChange = 1e-9, int maxLs = 25)
    {
        double dNorm = MaxAbs(d);
        var (fNew, gNew) = evaluate(t);
        int evals = 1;
        double gtdNew = Dot(gNew, d);
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        float[] gPrev = g;
        bool done = false;
        int lsIter = 0;
        double[] bracket = [], bracketF = [], bracketGtd = [];
        float[][] bracketG = [];
        while (lsIter < maxLs)
        {
            // in PyTorch's order: sufficient decrease fails → bracket; strong Wolfe holds → done; slope turned → bracket
            bool bracketIt = fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev);
            if (!bracketIt && Math.Abs(gtdNew) <= -c2 * gtd)
            {
                bracket = [t]; bracketF = [fNew]; bracketG = [gNew]; bracketGtd = [gtdNew];
                done = true;
                break;
            }
            if (bracketIt || gtdNew >= 0)
            {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew];
                break;
            }
            double minStep = t + 0.01 * (t - tPrev), maxStep = t * 10, tmp = t;
            t = CubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, (minStep, maxStep));
            tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew;
            (fNew, gNew) = evaluate(t);
            evals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs) { bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew]; bracketGtd = [gtd, gtdNew]; }

        bool insufficientProgress = false;
        int low = 0, high = 1;
        if (bracket.Length == 2) (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
            t = CubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
            double hiB = Math.Max(bracket[0], bracket[1]), loB = Math.Min(bracket[0], bracket[1]);
            double eps = 0.1 * (hiB - loB);
            if (Math.Min(hiB - t, t - loB) < eps)
            {
                if (insufficientProgress || t >= hiB || t <= loB)
                {
                    t = Math.Abs(t - hiB) < Math.Abs(t - loB) ? hiB - eps : loB + eps;
                    insufficientProgress = false;
                }
                else insufficientProgress = true;
            }
            else insufficientProgress = false;
            (fNew, gNew) = evaluate(t);
            evals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
            if (fNew > f + c1 * t * gtd || fNew >= bracketF[low])
            {
                bracket[high] = t; bracketF[high] = fNew; bracketG[high] = gNew; bracketGtd[high] = gtdNew;
                (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd) done = true;
                else if (gtdNew * (bracket[high] - bracket[low]) >= 0)
                {
                    bracket[high] = bracket[low]; bracketF[high] = bracketF[low]; bracketG[high] = bracketG[low]; bracketGtd[high] = bracketGtd[low];
                }
                bracket[low] = t; bracketF[low] = fNew; bracketG[low] = gNew; bracketGtd[low] = gtdNew;
            }
        }
        if (bracket.Length == 1) low = 0;
        return (bracketF[low], bracketG[low], bracket[low], evals);
    }

    public LbfgsState StateDict() => new(_d?.ToArray(), _t, _oldDirs.Select(a => a.ToArray()).ToList(), _oldSteps.Select(a => a.ToArray()).ToList(), _ro.ToList(),
        _hDiag, _prevFlatGrad?.ToArray(), _prevLoss, _nIter, _funcEvals);

    // The generic state_dict: direction, previous gradient, then the curvature pairs as block-sized buffers; the
    // scalars and ρ values in the group's scalars. Checkpoints store it like any optimizer's.
    OptimizerState IOptimizer.StateDict()
    {
        var s = StateDict();
        var scalars = new Dictionary<string, double>
        {
            ["t"] = s.T, ["h_diag"] = s.HDiag, ["prev_loss"] = s.PrevLoss, ["n_iter"] = s.NIter, ["func_evals"] = s.FuncEvals,
            ["has_d"] = s.D is null ? 0 : 1, ["has_prev_flat_grad"] = s.PrevFlatGrad is null ? 0 : 1, ["history"] = s.OldDirs.Count,
        };
        for (int i = 0; i < s.Ro.Count; i++) scalars["ro." + i] = s.Ro[i];
        var buffers = new List<float[]>();
        if (s.D is not null) buffers.Add(s.D);
        if (s.PrevFlatGrad is not null) buffers.Add(s.PrevFlatGrad);
        buffers.AddRange(s.OldDirs);
        buffers.AddRange(s.OldSteps);
        return new OptimizerState([(_group.Names, _group.Options, (long)s.NIter, scalars)], buffers);
    }

    void IOptimizer.LoadStateDict(OptimizerState state)
    {
        ParamGroup<LbfgsOptions>.CheckGroups(state, [_group], nameof(Lbfgs));
        var (_, options, _, scalars) = state.Groups[0];
        double Scalar(string key) => scalars.TryGetValue(key, out var v) ? v : throw new ArgumentException($"The LBFGS state has no '{key}'.", nameof(state));
        bool hasD = Scalar("has_d") != 0, hasPrev = Scalar("has_prev_flat_grad") != 0;
        int history = (int)Scalar("history"), expected = (hasD ? 1 : 0) + (hasPrev ? 1 : 0) + 2 * history;
        if (history < 0 || state.Buffers.Count != expected || state.Buffers.Any(b => b.Length != _state.Count))
            throw new ArgumentException($"The LBFGS state has {state.Buffers.Count} buffers; its scalars describe {expected} of {_state.Count} values.", nameof(state));
        var ro = Enumerable.Range(0, history).Select(i => Scalar("ro." + i)).ToList();
        Validate((LbfgsOptions)options);
        int k = 0;
        var d = hasD ? state.Buffers[k++] : null;
        var prev = hasPrev ? state.Buffers[k++] : null;
        var dirs = state.Buffers.Skip(k).Take(history).ToList();
        var steps = state.Buffers.Skip(k + history).Take(history).ToList();
        Options = (LbfgsOptions)options;
        LoadStateDict(new LbfgsState(d, Scalar("t"), dirs, steps, ro, Scalar("h_diag"), prev, Scalar("prev_loss"), (int)Scalar("n_iter"), (int)Scalar("func_evals")));
    }

    public void LoadStateDict(LbfgsState s)
    {
        if (s.D is not null && s.D.Length != _state.Count) throw new ArgumentException($"The state's direction has {s.D.Length} values; the model has {_state.Count} parameters.", nameof(s));
        (_d, _t, _hDiag, _prevFlatGrad, _prevLoss, _nIter, _funcEvals) = (s.D?.ToArray(), s.T, s.HDiag, s.PrevFlatGrad?.ToArray(), s.PrevLoss, s.NIter, s.FuncEvals);
        _oldDirs = s.OldDirs.Select(a => a.ToArray()).ToList();
        _oldSteps = s.OldSteps.Select(a => a.ToArray()).ToList();
        _ro = s.Ro.ToList();
    }
}

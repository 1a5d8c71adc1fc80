using System;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// Connectionist temporal classification, forward and backward in log space (α-β recursions over the target with a
/// blank between and around its labels), one sample per thread. Forward: loss_n = -log p(target_n | logProbs) (∞ when
/// no alignment fits, 0 then with zeroInfinity). Backward: g_n times the true derivative with respect to the
/// log-probability input, -exp(logsumexp_{s: l'_s = k}(α_t(s) + β_t(s)) - log p - logProbs[t, n, k]); 0 for t past the
/// sample's input length and for an infeasible sample. logProbs is (T, N, C); targets are padded (N, S) or, with
/// concatenated, one list whose n-th piece starts at the sum of the earlier lengths. Indices and lengths arrive as floats.
/// </summary>
public sealed class CtcOp
{
    private readonly int _t, _n, _c, _s, _blank;
    private readonly bool _concatenated, _zeroInfinity, _backward;
    private readonly float[] _alpha, _beta;
    private DeviceBuffer<float>? _work;

    public CtcOp(int time, int batch, int classes, int maxTarget, int blank, bool concatenated, bool zeroInfinity, bool backward)
    {
        (_t, _n, _c, _s, _blank, _concatenated, _zeroInfinity, _backward) = (time, batch, classes, maxTarget, blank, concatenated, zeroInfinity, backward);
        _alpha = new float[(long)batch * time * (2 * maxTarget + 1)];
        _beta = backward ? new float[_alpha.Length] : [];
    }

    public struct Args
    {
        public int T, N, C, S, Blank, Concatenated, ZeroInfinity, Backward;
        public int LpOff, TgOff, IlOff, TlOff, GOff, DstOff;
    }

    private Args Make(int lpOff, int tgOff, int ilOff, int tlOff, int gOff, int dstOff) => new()
    {
        T = _t, N = _n, C = _c, S = _s, Blank = _blank, Concatenated = _concatenated ? 1 : 0, ZeroInfinity = _zeroInfinity ? 1 : 0, Backward = _backward ? 1 : 0,
        LpOff = lpOff, TgOff = tgOff, IlOff = ilOff, TlOff = tlOff, GOff = gOff, DstOff = dstOff,
    };

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place lp, int lpOff, Place targets, int tgOff, Place inputLengths, int ilOff, Place targetLengths, int tlOff, Place g, int gOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(plan.Floats(lp), lpOff, plan.Floats(targets), tgOff, plan.Floats(inputLengths), ilOff, plan.Floats(targetLengths), tlOff, plan.Floats(g), gOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, plan.View(lp), lpOff, plan.View(targets), tgOff, plan.View(inputLengths), ilOff, plan.View(targetLengths), tlOff, plan.View(g), gOff, plan.View(dst), dstOff);
    }

    /// <summary>Forward: dst = the N losses (g unused). Backward: dst = dlogProbs (T, N, C) for upstream g (N).</summary>
    public void Run(float[] lp, int lpOff, float[] targets, int tgOff, float[] inputLengths, int ilOff, float[] targetLengths, int tlOff, float[] g, int gOff, float[] dst, int dstOff)
    {
        var a = Make(lpOff, tgOff, ilOff, tlOff, gOff, dstOff);
        for (int n = 0; n < _n; n++)
            Sample(n, new HostFloats(lp), new HostFloats(targets), new HostFloats(inputLengths), new HostFloats(targetLengths), new HostFloats(g), new HostFloats(dst),
                new HostFloats(_alpha), new HostFloats(_backward ? _beta : _alpha), a);
    }

    /// <summary>Float storage the recursion reads and writes: a host array, or a device view inside the ILGPU kernel.</summary>
    private interface IFloats
    {
        float this[int i] { get; set; }
    }

    private readonly struct HostFloats(float[] array) : IFloats
    {
        public float this[int i] { get => array[i]; set => array[i] = value; }
    }

    private readonly struct DeviceFloats(ArrayView<float> view) : IFloats
    {
        public float this[int i] { get => view[i]; set => view[i] = value; }
    }

    private static float LogAdd(float a, float b)
    {
        if (a == float.NegativeInfinity) return b;
        if (b == float.NegativeInfinity) return a;
        float m = a > b ? a : b;
        return m + MathF.Log(MathF.Exp(a - m) + MathF.Exp(b - m));
    }

    private static int Label<TF>(TF targets, int start, int s, Args a) where TF : struct, IFloats => s % 2 == 0 ? a.Blank : (int)targets[start + s / 2];

    private static void Sample<TF>(int n, TF lp, TF targets, TF inputLengths, TF targetLengths, TF g, TF dst, TF alpha, TF beta, Args a) where TF : struct, IFloats
    {
        int tn = (int)inputLengths[a.IlOff + n], len = (int)targetLengths[a.TlOff + n], width = 2 * len + 1, stride = 2 * a.S + 1;
        int start = a.TgOff + n * a.S;
        if (a.Concatenated != 0) { start = a.TgOff; for (int k = 0; k < n; k++) start += (int)targetLengths[a.TlOff + k]; }
        int ab = n * a.T * stride;   // this sample's α (and β) block: T rows of 2S + 1
        float ninf = float.NegativeInfinity;
        // α
        for (int t = 0; t < tn; t++)
            for (int s = 0; s < width; s++)
            {
                int l = Label(targets, start, s, a);
                float e = lp[a.LpOff + (t * a.N + n) * a.C + l], v;
                if (t == 0) v = s < 2 ? e : ninf;
                else
                {
                    v = alpha[ab + (t - 1) * stride + s];
                    if (s >= 1) v = LogAdd(v, alpha[ab + (t - 1) * stride + s - 1]);
                    if (s >= 2 && l != a.Blank && l != Label(targets, start, s - 2, a)) v = LogAdd(v, alpha[ab + (t - 1) * stride + s - 2]);
                    v = v == ninf ? ninf : v + e;
                }
                alpha[ab + t * stride + s] = v;
            }
        float ll = tn == 0 ? (len == 0 ? 0f : ninf) : alpha[ab + (tn - 1) * stride + width - 1];
        if (tn > 0 && width > 1) ll = LogAdd(ll, alpha[ab + (tn - 1) * stride + width - 2]);
        bool infeasible = ll == ninf;
        if (a.Backward == 0)
        {
            dst[a.DstOff + n] = infeasible ? (a.ZeroInfinity != 0 ? 0f : float.PositiveInfinity) : -ll;
            return;
        }
        // β, then the gradient row by row
        for (int t = tn - 1; t >= 0; t--)
            for (int s = width - 1; s >= 0; s--)
            {
                int l = Label(targets, start, s, a);
                float e = lp[a.LpOff + (t * a.N + n) * a.C + l], v;
                if (t == tn - 1) v = s >= width - 2 ? e : ninf;
                else
                {
                    v = beta[ab + (t + 1) * stride + s];
                    if (s + 1 < width) v = LogAdd(v, beta[ab + (t + 1) * stride + s + 1]);
                    // the skip s → s + 2 is the α recursion's s - 2 → s seen from the other end: it depends on the label at s + 2
                    if (s + 2 < width && Label(targets, start, s + 2, a) != a.Blank && Label(targets, start, s + 2, a) != l) v = LogAdd(v, beta[ab + (t + 1) * stride + s + 2]);
                    v = v == ninf ? ninf : v + e;
                }
                beta[ab + t * stride + s] = v;
            }
        float gn = g[a.GOff + n];
        for (int t = 0; t < a.T; t++)
            for (int k = 0; k < a.C; k++)
            {
                float grad = 0f;
                if (t < tn && !infeasible)
                {
                    float acc = ninf;
                    for (int s = 0; s < width; s++)
                        if (Label(targets, start, s, a) == k) acc = LogAdd(acc, alpha[ab + t * stride + s] + beta[ab + t * stride + s]);
                    if (acc != ninf) grad = -gn * MathF.Exp(acc - ll - lp[a.LpOff + (t * a.N + n) * a.C + k]);
                }
                dst[a.DstOff + (t * a.N + n) * a.C + k] = grad;
            }
    }

    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <param name="index">Thread index: one sample.</param>
    /// <param name="lp">Log-probabilities (T, N, C).</param>
    /// <param name="targets">Target labels.</param>
    /// <param name="inputLengths">Input lengths (N).</param>
    /// <param name="targetLengths">Target lengths (N).</param>
    /// <param name="g">Upstream gradient (N), backward only.</param>
    /// <param name="dst">Losses (N) or dlogProbs (T, N, C).</param>
    /// <param name="alpha">Workspace for α.</param>
    /// <param name="beta">Workspace for β.</param>
    /// <param name="a">Dims, options, offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> lp, ArrayView<float> targets, ArrayView<float> inputLengths, ArrayView<float> targetLengths,
        ArrayView<float> g, ArrayView<float> dst, ArrayView<float> alpha, ArrayView<float> beta, Args a, int stride)
    {
        for (int n = index; n < a.N; n += stride)
            Sample(n, new DeviceFloats(lp), new DeviceFloats(targets), new DeviceFloats(inputLengths), new DeviceFloats(targetLengths), new DeviceFloats(g),
                new DeviceFloats(dst), new DeviceFloats(alpha), new DeviceFloats(beta), a);
    }

    public void Run(Device device, ArrayView<float> lp, int lpOff, ArrayView<float> targets, int tgOff, ArrayView<float> inputLengths, int ilOff,
        ArrayView<float> targetLengths, int tlOff, ArrayView<float> g, int gOff, ArrayView<float> dst, int dstOff)
    {
        _work ??= device.Allocate<float>(2L * _alpha.Length);
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        int size = device.LaunchSize(_n);
        launch(size, lp, targets, inputLengths, targetLengths, g, dst, _work.View.SubView(0, _alpha.Length), _work.View.SubView(_alpha.Length, _alpha.Length), Make(lpOff, tgOff, ilOff, tlOff, gOff, dstOff), size);
    }
}

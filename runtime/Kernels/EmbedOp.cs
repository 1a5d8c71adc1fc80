using System;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// The gradient of a strided view (slice, Narrow, Select, an index): dst, a tensor of the viewed shape, is cleared
/// and g's elements are added where the view read them (base + Σ coordinate·stride). Up to 6 dims.
/// </summary>
public sealed class EmbedOp
{
    public const int MaxRank = 6;
    private readonly int _total, _count, _base;
    private readonly int[] _dims, _strides;
    private readonly bool _accumulate;

    /// <param name="total">Elements of dst (the viewed tensor), cleared first unless accumulating.</param>
    /// <param name="baseOffset">Where the view starts in dst.</param>
    /// <param name="dims">The view's dims (g's shape).</param>
    /// <param name="strides">The view's strides into dst, in elements.</param>
    /// <param name="accumulate">Add into dst (a parameter's gradient slot) instead of clearing it first.</param>
    public EmbedOp(int total, int baseOffset, int[] dims, int[] strides, bool accumulate = false)
    {
        _accumulate = accumulate;
        if (dims.Length > MaxRank) throw new ArgumentException($"A view of rank {dims.Length}: the embed kernel handles up to {MaxRank} dims.", nameof(dims));
        (_total, _base, _dims, _strides) = (total, baseOffset, dims, strides);
        _count = 1;
        foreach (var d in dims) _count *= d;
    }

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place g, int gOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(plan.Floats(g), gOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, plan.View(g), gOff, plan.View(dst), dstOff);
    }

    public void Run(float[] g, int gOff, float[] dst, int dstOff)
    {
        if (!_accumulate) Array.Clear(dst, dstOff, _total);
        for (int e = 0; e < _count; e++)
        {
            int rest = e, t = _base;
            for (int i = _dims.Length - 1; i >= 0; i--) { int c = rest % _dims[i]; rest /= _dims[i]; t += c * _strides[i]; }
            dst[dstOff + t] += g[gOff + e];
        }
    }

    public struct Args
    {
        public int Count, Rank, Base, GOff, DstOff, D0, D1, D2, D3, D4, D5, S0, S1, S2, S3, S4, S5;
    }

    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    private static int Dim(Args a, int i) => i switch { 0 => a.D0, 1 => a.D1, 2 => a.D2, 3 => a.D3, 4 => a.D4, _ => a.D5 };
    private static int Stride(Args a, int i) => i switch { 0 => a.S0, 1 => a.S1, 2 => a.S2, 3 => a.S3, 4 => a.S4, _ => a.S5 };

    /// <param name="index">Thread index: one element of g.</param>
    /// <param name="g">The view's gradient.</param>
    /// <param name="dst">The viewed tensor's gradient (cleared before).</param>
    /// <param name="a">Dims, strides and offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> g, ArrayView<float> dst, Args a, int stride)
    {
        for (int e = index; e < a.Count; e += stride)
        {
            int rest = e, t = a.Base;
            for (int i = a.Rank - 1; i >= 0; i--) { int d = Dim(a, i); int c = rest % d; rest /= d; t += c * Stride(a, i); }
            global::Kiln.Kernels.Atomics.Add(ref dst[a.DstOff + t], g[a.GOff + e]);
        }
    }

    public void Run(Device device, ArrayView<float> g, int gOff, ArrayView<float> dst, int dstOff)
    {
        if (!_accumulate) dst.SubView(dstOff, _total).MemSetToZero();
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        int D(int i) => i < _dims.Length ? _dims[i] : 1;
        int S(int i) => i < _strides.Length ? _strides[i] : 0;
        var args = new Args { Count = _count, Rank = _dims.Length, Base = _base, GOff = gOff, DstOff = dstOff,
            D0 = D(0), D1 = D(1), D2 = D(2), D3 = D(3), D4 = D(4), D5 = D(5), S0 = S(0), S1 = S(1), S2 = S(2), S3 = S(3), S4 = S(4), S5 = S(5) };
        int size = device.LaunchSize(_count);
        launch(size, g, dst, args, size);
    }
}

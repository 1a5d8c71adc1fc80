using System;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// The class-index gather behind NLL and CrossEntropy and its adjoint.
/// Pick: out[i] = x[i, t_i] (x of shape (n, c); or x[t_i] when x is a (c) weight vector), 0 where t_i is the ignore index.
/// Scatter (the backward of Pick): dx[i, j] = g[i] where j = t_i, else 0 (dx fully written).
/// Mask: out[i] = 1, or 0 where t_i is the ignore index (the unweighted denominator of a mean).
/// Targets are validated on the host before any kernel runs.
/// </summary>
public sealed class ClassOp
{
    private readonly int _n, _classes, _rowStride, _ignore;
    private readonly bool _scatter, _mask;

    public ClassOp(int n, int classes, ClassMode mode, int ignoreIndex)
    {
        (_n, _classes, _ignore) = (n, classes, ignoreIndex);
        _rowStride = mode == ClassMode.PickRows ? classes : 0;
        _scatter = mode == ClassMode.Scatter;
        _mask = mode == ClassMode.Mask;
    }

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place src, int srcOff, Place targets, int tOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(plan.Floats(src), srcOff, plan.IntArray, tOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, plan.View(src), srcOff, plan.IntView, tOff, plan.View(dst), dstOff);
    }

    /// <summary>Pick: src = x, dst = out (n). Scatter: src = g (n), dst = dx (n, c).</summary>
    public void Run(float[] src, int srcOff, int[] targets, int tOff, float[] dst, int dstOff)
    {
        for (int i = 0; i < _n; i++)
        {
            int t = targets[tOff + i];
            if (_scatter)
            {
                Array.Clear(dst, dstOff + i * _classes, _classes);
                if (t != _ignore) dst[dstOff + i * _classes + t] = src[srcOff + i];
            }
            else dst[dstOff + i] = t == _ignore ? 0f : _mask ? 1f : src[srcOff + i * _rowStride + t];
        }
    }

    public struct Args
    {
        public int N, Classes, RowStride, Ignore, Scatter, Mask, SrcOff, TOff, DstOff;
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <summary>Pick: one thread per row. Scatter: one thread per dx element.</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="src">x (pick) or g (scatter).</param>
    /// <param name="targets">Class indices.</param>
    /// <param name="dst">out (pick) or dx (scatter).</param>
    /// <param name="a">Dims and offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> src, ArrayView<int> targets, ArrayView<float> dst, Args a, int stride)
    {
        int total = a.Scatter != 0 ? a.N * a.Classes : a.N;
        for (int e = index; e < total; e += stride)
        {
            if (a.Scatter != 0)
            {
                int i = e / a.Classes, j = e - i * a.Classes, t = targets[a.TOff + i];
                dst[a.DstOff + e] = t == j && t != a.Ignore ? src[a.SrcOff + i] : 0f;
            }
            else
            {
                int t = targets[a.TOff + e];
                dst[a.DstOff + e] = t == a.Ignore ? 0f : a.Mask != 0 ? 1f : src[a.SrcOff + e * a.RowStride + t];
            }
        }
    }

    public void Run(Device device, ArrayView<float> src, int srcOff, ArrayView<int> targets, int tOff, ArrayView<float> dst, int dstOff)
    {
        var launch = device.Kernel(KernelMethod,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, Args, int>(Kernel));
        var args = new Args { N = _n, Classes = _classes, RowStride = _rowStride, Ignore = _ignore, Scatter = _scatter ? 1 : 0, Mask = _mask ? 1 : 0, SrcOff = srcOff, TOff = tOff, DstOff = dstOff };
        int size = device.LaunchSize(_scatter ? (long)_n * _classes : _n);
        launch(size, src, targets, dst, args, size);
    }
}

/// <summary>What a <see cref="ClassOp"/> computes.</summary>
public enum ClassMode { PickRows, PickVector, Mask, Scatter }

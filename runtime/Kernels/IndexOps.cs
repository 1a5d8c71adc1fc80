using System;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// argmax / argmin along one dim of a tensor seen as (outer, len, inner): the index of the first extreme element of
/// each row (NaN counts as the extreme, as PyTorch), written as a float (exact below 2^24).
/// </summary>
public sealed class ArgReduceOp(int outer, int len, int inner, bool max)
{
    private static bool Better(float v, float best, bool max) => float.IsNaN(best) ? false : float.IsNaN(v) || (max ? v > best : v < best);

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place x, int xOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(plan.Floats(x), xOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, plan.View(x), xOff, plan.View(dst), dstOff);
    }

    public void Run(float[] x, int xOff, float[] dst, int dstOff)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int first = o * len * inner + i, at = 0;
                float best = x[xOff + first];
                for (int k = 1; k < len; k++)
                {
                    float v = x[xOff + first + k * inner];
                    if (Better(v, best, max)) { best = v; at = k; }
                }
                dst[dstOff + o * inner + i] = at;
            }
    }

    public struct Args
    {
        public int Outer, Len, Inner, Max, XOff, DstOff;
    }

    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <param name="index">Thread index: one row.</param>
    /// <param name="x">Input.</param>
    /// <param name="dst">Indices, one per row.</param>
    /// <param name="a">Dims, direction, offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> x, ArrayView<float> dst, Args a, int stride)
    {
        for (int r = index; r < a.Outer * a.Inner; r += stride)
        {
            int o = r / a.Inner, i = r - o * a.Inner, first = o * a.Len * a.Inner + i, at = 0;
            float best = x[a.XOff + first];
            for (int k = 1; k < a.Len; k++)
            {
                float v = x[a.XOff + first + k * a.Inner];
                bool better = !float.IsNaN(best) && (float.IsNaN(v) || (a.Max != 0 ? v > best : v < best));
                if (better) { best = v; at = k; }
            }
            dst[a.DstOff + r] = at;
        }
    }

    public void Run(Device device, ArrayView<float> x, int xOff, ArrayView<float> dst, int dstOff)
    {
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        int size = device.LaunchSize((long)outer * inner);
        launch(size, x, dst, new Args { Outer = outer, Len = len, Inner = inner, Max = max ? 1 : 0, XOff = xOff, DstOff = dstOff }, size);
    }
}

/// <summary>
/// torch.gather / index_select along one dim, and their adjoint (scatter-add). x is (outer, len, inner), the result
/// (outer, n, inner); the index of element (o, j, i) is read at o·sOuter + j·sJ + i·sInner of the index tensor (gather:
/// the index has the result's shape; index_select: one index per j, strides 0 elsewhere). Indices are floats (exact).
/// Scatter-add writes g into a tensor of x's shape, cleared first unless it accumulates into a gradient slot.
/// </summary>
public sealed class GatherOp(int outer, int len, int inner, int n, int sOuter, int sJ, int sInner, bool scatter, bool accumulate = false)
{
    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place src, int srcOff, Place idx, int idxOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(plan.Floats(src), srcOff, plan.Floats(idx), idxOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, plan.View(src), srcOff, plan.View(idx), idxOff, plan.View(dst), dstOff);
    }

    public void Run(float[] src, int srcOff, float[] idx, int idxOff, float[] dst, int dstOff)
    {
        if (scatter && !accumulate) Array.Clear(dst, dstOff, outer * len * inner);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < inner; i++)
                {
                    int k = (int)idx[idxOff + o * sOuter + j * sJ + i * sInner];
                    int small = (o * n + j) * inner + i, large = (o * len + k) * inner + i;
                    if (scatter) dst[dstOff + large] += src[srcOff + small];
                    else dst[dstOff + small] = src[srcOff + large];
                }
    }

    public struct Args
    {
        public int Outer, Len, Inner, N, SOuter, SJ, SInner, Scatter, SrcOff, IdxOff, DstOff;
    }

    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <param name="index">Thread index: one element of the small (gathered) tensor.</param>
    /// <param name="src">x (gather) or g (scatter).</param>
    /// <param name="idx">Indices.</param>
    /// <param name="dst">The result (gather) or x's gradient (scatter).</param>
    /// <param name="a">Dims, index strides, mode, offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> src, ArrayView<float> idx, ArrayView<float> dst, Args a, int stride)
    {
        for (int e = index; e < a.Outer * a.N * a.Inner; e += stride)
        {
            int i = e % a.Inner, rest = e / a.Inner, j = rest % a.N, o = rest / a.N;
            int k = (int)idx[a.IdxOff + o * a.SOuter + j * a.SJ + i * a.SInner];
            int large = (o * a.Len + k) * a.Inner + i;
            if (a.Scatter != 0) global::Kiln.Kernels.Atomics.Add(ref dst[a.DstOff + large], src[a.SrcOff + e]);
            else dst[a.DstOff + e] = src[a.SrcOff + large];
        }
    }

    public void Run(Device device, ArrayView<float> src, int srcOff, ArrayView<float> idx, int idxOff, ArrayView<float> dst, int dstOff)
    {
        if (scatter && !accumulate) dst.SubView(dstOff, (long)outer * len * inner).MemSetToZero();
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        int size = device.LaunchSize((long)outer * n * inner);
        launch(size, src, idx, dst, new Args { Outer = outer, Len = len, Inner = inner, N = n, SOuter = sOuter, SJ = sJ, SInner = sInner, Scatter = scatter ? 1 : 0, SrcOff = srcOff, IdxOff = idxOff, DstOff = dstOff }, size);
    }
}

/// <summary>An IntTensor input (validated on the host) copied into the arena as floats, for the index kernels.</summary>
public sealed class IndicesOp(int count)
{
    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place targets, int tOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(plan.IntArray, tOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, plan.IntView, tOff, plan.View(dst), dstOff);
    }

    public void Run(int[] targets, int tOff, float[] dst, int dstOff)
    {
        for (int i = 0; i < count; i++) dst[dstOff + i] = targets[tOff + i];
    }

    private static readonly Action<Index1D, ArrayView<int>, ArrayView<float>, int, int, int, int> KernelMethod = Kernel;

    /// <param name="index">Thread index.</param>
    /// <param name="targets">The int input.</param>
    /// <param name="dst">Float copy.</param>
    /// <param name="tOff">Input offset.</param>
    /// <param name="dstOff">Output offset.</param>
    /// <param name="count">Elements.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<int> targets, ArrayView<float> dst, int tOff, int dstOff, int count, int stride)
    {
        for (int e = index; e < count; e += stride) dst[dstOff + e] = targets[tOff + e];
    }

    public void Run(Device device, ArrayView<int> targets, int tOff, ArrayView<float> dst, int dstOff)
    {
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>, int, int, int, int>(Kernel));
        int size = device.LaunchSize(count);
        launch(size, targets, dst, tOff, dstOff, count, size);
    }
}

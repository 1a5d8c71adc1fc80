using System;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// torch.cat: each input copied into its block of the output along one dim. Seen as (outer, size_i·inner) rows, input i
/// goes to column offset (Σ earlier sizes)·inner of every (outer, total·inner) output row. One call per input.
/// </summary>
public sealed class ConcatOp
{
    private readonly int _outer, _inner, _total;
    private readonly int[] _sizes, _starts;

    public ConcatOp(int outer, int inner, int[] sizes)
    {
        (_outer, _inner, _sizes) = (outer, inner, sizes);
        _starts = new int[sizes.Length];
        for (int i = 0; i < sizes.Length; i++) { _starts[i] = _total; _total += sizes[i]; }
    }

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, int input, Place src, int srcOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(input, plan.Floats(src), srcOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, input, plan.View(src), srcOff, plan.View(dst), dstOff);
    }

    public void Run(int input, float[] src, int srcOff, float[] dst, int dstOff)
    {
        int block = _sizes[input] * _inner;
        for (int o = 0; o < _outer; o++)
            Array.Copy(src, srcOff + o * block, dst, dstOff + (o * _total + _starts[input]) * _inner, block);
    }

    public struct Args
    {
        public int Outer, Block, RowLength, Start, SrcOff, DstOff;
    }

    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <param name="index">Thread index: one element of the input.</param>
    /// <param name="src">The input.</param>
    /// <param name="dst">The output.</param>
    /// <param name="a">Block sizes and offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> src, ArrayView<float> dst, Args a, int stride)
    {
        for (int e = index; e < a.Outer * a.Block; e += stride)
        {
            int o = e / a.Block, j = e - o * a.Block;
            dst[a.DstOff + o * a.RowLength + a.Start + j] = src[a.SrcOff + e];
        }
    }

    public void Run(Device device, int input, ArrayView<float> src, int srcOff, ArrayView<float> dst, int dstOff)
    {
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        var args = new Args { Outer = _outer, Block = _sizes[input] * _inner, RowLength = _total * _inner, Start = _starts[input] * _inner, SrcOff = srcOff, DstOff = dstOff };
        int size = device.LaunchSize((long)_outer * args.Block);
        launch(size, src, dst, args, size);
    }
}

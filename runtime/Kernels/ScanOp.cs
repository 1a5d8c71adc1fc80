using System;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// Cumulative sum along one dim of a tensor seen as (outer, len, inner), forward or from the end (the reverse scan is
/// the forward one's adjoint). Each row accumulates in double, as PyTorch's CPU cumsum does, so long rows keep float
/// accuracy. Managed: rows one after another; ILGPU: one thread per row.
/// </summary>
public sealed class ScanOp(int outer, int len, int inner, bool reverse)
{
    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place x, int xOff, Place y, int yOff)
    {
        if (plan.IsManaged) Run(plan.Floats(x), xOff, plan.Floats(y), yOff);
        else Run(plan.Device, plan.View(x), xOff, plan.View(y), yOff);
    }

    public void Run(float[] x, int xOff, float[] y, int yOff)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double acc = 0;
                int first = (o * len) * inner + i;
                for (int k = 0; k < len; k++)
                {
                    int t = first + (reverse ? len - 1 - k : k) * inner;
                    acc += x[xOff + t];
                    y[yOff + t] = (float)acc;
                }
            }
    }

    public struct Args
    {
        public int Outer, Len, Inner, Reverse, XOff, YOff;
    }

    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <param name="index">Thread index: one row.</param>
    /// <param name="x">Input.</param>
    /// <param name="y">Output.</param>
    /// <param name="a">Dims, direction and offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> x, ArrayView<float> y, Args a, int stride)
    {
        for (int r = index; r < a.Outer * a.Inner; r += stride)
        {
            int o = r / a.Inner, i = r - o * a.Inner, first = o * a.Len * a.Inner + i;
            double acc = 0;
            for (int k = 0; k < a.Len; k++)
            {
                int t = first + (a.Reverse != 0 ? a.Len - 1 - k : k) * a.Inner;
                acc += x[a.XOff + t];
                y[a.YOff + t] = (float)acc;
            }
        }
    }

    public void Run(Device device, ArrayView<float> x, int xOff, ArrayView<float> y, int yOff)
    {
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        int size = device.LaunchSize((long)outer * inner);
        launch(size, x, y, new Args { Outer = outer, Len = len, Inner = inner, Reverse = reverse ? 1 : 0, XOff = xOff, YOff = yOff }, size);
    }
}

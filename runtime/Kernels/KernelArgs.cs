using System.Runtime.InteropServices;

namespace Kiln.Kernels;

/// <summary>
/// The dims and arena offsets one generated elementwise or reduction kernel reads, in the order the kernel names them
/// (A0, A1, …). Passing them by position instead of as a plan's own Bound lets plans of one model share a kernel:
/// the generator emits each distinct kernel once per model, and each plan binds its own values.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct KernelArgs
{
    /// <summary>How many values a kernel can take this way (a kernel needing more keeps its plan's Bound).</summary>
    public const int Capacity = 16;

    public int A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15;
}

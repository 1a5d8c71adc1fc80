using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// Atomic float operations for reductions whose rows combine values from many threads, safe where a value is NaN. A
/// compare-exchange loop stops when the exchange saw the bits it expected: a loop that compares the floats (NaN ≠ NaN)
/// never stops once the target is NaN, as ILGPU's CPU accelerator's float add did (a Sum, Amax or MSE reaching a NaN hung
/// the ILGPU path; PyTorch returns NaN). On a GPU, Add is the hardware's atomic add.
/// </summary>
public static class Atomics
{
    /// <summary>target += value, atomically.</summary>
    public static void Add(ref float target, float value)
    {
        if (Accelerator.CurrentType != AcceleratorType.CPU) { Atomic.Add(ref target, value); return; }
        float current = target, assumed;
        do
        {
            assumed = current;
            current = Atomic.CompareExchange(ref target, assumed, assumed + value);
        }
        while (Interop.FloatAsInt(current) != Interop.FloatAsInt(assumed));
    }

    /// <summary>target = max(target, value), atomically; NaN wins, as torch.max's.</summary>
    public static void Max(ref float target, float value)
    {
        float current = target, assumed;
        do
        {
            assumed = current;
            if (float.IsNaN(assumed) || !(float.IsNaN(value) || value > assumed)) return;
            current = Atomic.CompareExchange(ref target, assumed, value);
        }
        while (Interop.FloatAsInt(current) != Interop.FloatAsInt(assumed));
    }

    /// <summary>target = min(target, value), atomically; NaN wins, as torch.min's.</summary>
    public static void Min(ref float target, float value)
    {
        float current = target, assumed;
        do
        {
            assumed = current;
            if (float.IsNaN(assumed) || !(float.IsNaN(value) || value < assumed)) return;
            current = Atomic.CompareExchange(ref target, assumed, value);
        }
        while (Interop.FloatAsInt(current) != Interop.FloatAsInt(assumed));
    }

    /// <summary>target *= value, atomically (it stops on NaN, which a product keeps anyway).</summary>
    public static void Multiply(ref float target, float value)
    {
        float current = target, assumed;
        do
        {
            assumed = current;
            current = Atomic.CompareExchange(ref target, assumed, assumed * value);
        }
        while (Interop.FloatAsInt(current) != Interop.FloatAsInt(assumed));
    }
}

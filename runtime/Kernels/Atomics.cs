using ILGPU;

namespace Kiln.Kernels;

/// <summary>Atomic operations ILGPU lacks, for reductions whose rows combine values from many threads.</summary>
public static class Atomics
{
    /// <summary>target *= value, atomically: a compare-exchange loop (it stops on NaN, which a product keeps anyway).</summary>
    public static void Multiply(ref float target, float value)
    {
        float current = target, assumed;
        do
        {
            assumed = current;
            current = Atomic.CompareExchange(ref target, assumed, assumed * value);
        }
        while (current != assumed && !float.IsNaN(current));   // a NaN never compares equal: stop there
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kiln.Kernels;

/// <summary>
/// Copies between the caller's memory and a managed buffer on all cores: one core's copy reaches about half of the
/// machine's bandwidth, so inputs and outputs of large plans (copied in and out on every Run) move twice as fast.
/// Small copies stay a plain span copy. Allocates nothing.
/// </summary>
internal static unsafe class HostCopy
{
    /// <summary>The index of the first element of a pinned array that sits on a 64-byte boundary (a cache line).</summary>
    public static int AlignmentShift(float[] pinned)
    {
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (int)((64 - address % 64) % 64 / sizeof(float));
    }

    /// <summary>Below this many bytes a single copy is faster than waking the workers.</summary>
    private const long Parallel = 1 << 20;

    private static readonly object Gate = new();
    private static byte* _source, _destination;
    private static readonly Action<long, long> Chunk = (start, end) => Buffer.MemoryCopy(_source + start, _destination + start, end - start, end - start);

    public static void Copy<T>(ReadOnlySpan<T> source, Span<T> destination) where T : unmanaged
    {
        long bytes = (long)source.Length * sizeof(T);
        if (bytes < Parallel || CpuWorkers.Count == 1 || destination.Length < source.Length) { source.CopyTo(destination); return; }
        fixed (T* s = source)
        fixed (T* d = destination)
            lock (Gate)
            {
                _source = (byte*)s;
                _destination = (byte*)d;
                try { CpuWorkers.For(bytes, Parallel / 2, Chunk); }
                finally { _source = _destination = null; }
            }
    }
}

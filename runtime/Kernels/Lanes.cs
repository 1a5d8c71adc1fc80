using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels;

/// <summary>
/// The loads and stores of a generated managed kernel's vector loop, which runs to the end of its row or chunk: with
/// <c>n</c> lanes left, n ≥ 8 is a whole Vector256 read and written in place, and the last, partial vector reads its
/// n elements (the other lanes 0), writes back only those, and a reduction keeps only those (the others become the
/// reduction's identity). So a kernel's body is written once, with no scalar copy for its tail. The 16-lane forms
/// (<see cref="Vec16"/>'s) are two such halves.
/// </summary>
public static class Lanes
{
    /// <summary>The 8 floats at <paramref name="index"/> of a span's data as one vector to read and write in place (an
    /// optimizer's state streams).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector256<float> At(ref float first, int index) => ref Unsafe.As<float, Vector256<float>>(ref Unsafe.Add(ref first, index));

    /// <summary>The 8 floats at <paramref name="c"/>, or the <paramref name="n"/> &lt; 8 there and zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float b, int c, int n) =>
        n >= 8 ? Vector256.LoadUnsafe(ref b, (nuint)c) : LoadPart(ref Unsafe.Add(ref b, c), n);

    /// <summary>Writes the 8 lanes at <paramref name="c"/>, or the first <paramref name="n"/> &lt; 8 only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, ref float b, int c, int n)
    {
        if (n >= 8) v.StoreUnsafe(ref b, (nuint)c);
        else StorePart(v, ref Unsafe.Add(ref b, c), n);
    }

    /// <summary><paramref name="v"/>, or, for a partial vector, its first <paramref name="n"/> lanes and <paramref name="identity"/> in the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Keep(Vector256<float> v, int n, Vector256<float> identity) =>
        n >= 8 ? v : Vector256.ConditionalSelect(Mask(n), v, identity);

    /// <summary>The 16 floats at <paramref name="c"/>, or the <paramref name="n"/> &lt; 16 there and zeros (two halves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(ref float b, int c, int n) =>
        n >= 16 ? Vector512.LoadUnsafe(ref b, (nuint)c)
        : n <= 8 ? Vector512.Create(Load(ref b, c, n), Vector256<float>.Zero)
        : Vector512.Create(Vector256.LoadUnsafe(ref b, (nuint)c), LoadPart(ref Unsafe.Add(ref b, c + 8), n - 8));

    /// <summary>Writes the 16 lanes at <paramref name="c"/>, or the first <paramref name="n"/> &lt; 16 only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store16(Vector512<float> v, ref float b, int c, int n)
    {
        if (n >= 16) { v.StoreUnsafe(ref b, (nuint)c); return; }
        Store(v.GetLower(), ref b, c, n);
        if (n > 8) StorePart(v.GetUpper(), ref Unsafe.Add(ref b, c + 8), n - 8);
    }

    /// <summary>Lanes [0, n) set (their sign bit: what AVX's masked moves read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask(int n) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(n)).AsSingle();

    // AVX's masked moves touch only the lanes asked for (no fault past the end of an array); elsewhere, through the stack
    private static unsafe Vector256<float> LoadPart(ref float p, int n)
    {
        if (Avx.IsSupported) fixed (float* q = &p) return Avx.MaskLoad(q, Mask(n));
        Span<float> lanes = stackalloc float[8];
        lanes.Clear();
        for (int i = 0; i < n; i++) lanes[i] = Unsafe.Add(ref p, i);
        return Vector256.Create<float>(lanes);
    }

    private static unsafe void StorePart(Vector256<float> v, ref float p, int n)
    {
        if (Avx.IsSupported) { fixed (float* q = &p) Avx.MaskStore(q, Mask(n), v); return; }
        for (int i = 0; i < n; i++) Unsafe.Add(ref p, i) = v.GetElement(i);
    }
}

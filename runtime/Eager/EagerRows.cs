using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels;

/// <summary>An elementwise row of one operand as EagerKernels renders it: scalar and Vector256 forms.</summary>
internal interface IUnaryRow
{
    /// <summary>Whether <see cref="Vector"/> exists (else the scalar loop runs throughout).</summary>
    bool Vectorized { get; }
    float Scalar(float x0);
    Vector256<float> Vector(Vector256<float> x0);
}

internal interface IBinaryRow
{
    bool Vectorized { get; }
    float Scalar(float x0, float x1);
    Vector256<float> Vector(Vector256<float> x0, Vector256<float> x1);
}

internal interface ITernaryRow
{
    bool Vectorized { get; }
    float Scalar(float x0, float x1, float x2);
    Vector256<float> Vector(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2);
}

/// <summary>
/// The span loops of the eager rows: Vector256 steps where the row has a vector form, the scalar form for the tail.
/// Generic over the row's struct, so each row's loop is compiled with its forms inlined. Operands are the output's
/// length (the caller broadcasts), or a number standing for every element.
/// </summary>
internal static class EagerRows
{
    private static int Width => Vector256<float>.Count;

    private static void Same(int operand, int output)
    {
        if (operand != output) throw new ArgumentException($"An operand has {operand} values; the output has {output}.");
    }

    public static void Run<T>(T row, ReadOnlySpan<float> x, Span<float> y) where T : struct, IUnaryRow
    {
        Same(x.Length, y.Length);
        int i = 0;
        if (row.Vectorized && Vector256.IsHardwareAccelerated)
        {
            ref float rx = ref MemoryMarshal.GetReference(x);
            ref float ry = ref MemoryMarshal.GetReference(y);
            for (; i <= y.Length - Width; i += Width) row.Vector(Vector256.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(x[i]);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(a.Length, y.Length);
        Same(b.Length, y.Length);
        int i = 0;
        if (row.Vectorized && Vector256.IsHardwareAccelerated)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float ry = ref MemoryMarshal.GetReference(y);
            for (; i <= y.Length - Width; i += Width)
                row.Vector(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a[i], b[i]);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, float b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(a.Length, y.Length);
        int i = 0;
        if (row.Vectorized && Vector256.IsHardwareAccelerated)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float ry = ref MemoryMarshal.GetReference(y);
            var vb = Vector256.Create(b);
            for (; i <= y.Length - Width; i += Width) row.Vector(Vector256.LoadUnsafe(ref ra, (nuint)i), vb).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a[i], b);
    }

    public static void Run<T>(T row, float a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(b.Length, y.Length);
        int i = 0;
        if (row.Vectorized && Vector256.IsHardwareAccelerated)
        {
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float ry = ref MemoryMarshal.GetReference(y);
            var va = Vector256.Create(a);
            for (; i <= y.Length - Width; i += Width) row.Vector(va, Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a, b[i]);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y) where T : struct, ITernaryRow
    {
        Same(a.Length, y.Length);
        Same(b.Length, y.Length);
        Same(c.Length, y.Length);
        int i = 0;
        if (row.Vectorized && Vector256.IsHardwareAccelerated)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float rc = ref MemoryMarshal.GetReference(c);
            ref float ry = ref MemoryMarshal.GetReference(y);
            for (; i <= y.Length - Width; i += Width)
                row.Vector(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i), Vector256.LoadUnsafe(ref rc, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a[i], b[i], c[i]);
    }
}

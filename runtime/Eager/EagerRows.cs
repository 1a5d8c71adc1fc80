using System;
using System.Runtime.InteropServices;

namespace Kiln.Kernels;

/// <summary>An elementwise row of one operand as EagerKernels renders it: scalar and vector forms (generic over the lanes).</summary>
internal interface IUnaryRow
{
    /// <summary>Whether <see cref="Vector"/> exists (else the scalar loop runs throughout).</summary>
    bool Vectorized { get; }
    float Scalar(float x0);
    S Vector<S>(S x0) where S : struct, IVector<S>;
}

internal interface IBinaryRow
{
    bool Vectorized { get; }
    float Scalar(float x0, float x1);
    S Vector<S>(S x0, S x1) where S : struct, IVector<S>;
}

internal interface ITernaryRow
{
    bool Vectorized { get; }
    float Scalar(float x0, float x1, float x2);
    S Vector<S>(S x0, S x1, S x2) where S : struct, IVector<S>;
}

/// <summary>
/// The span loops of the eager rows: steps of eight lanes (Vec8) where the row has a vector form, the scalar form for the tail.
/// Generic over the row's struct, so each row's loop is compiled with its forms inlined. Operands are the output's
/// length (the caller broadcasts), or a number standing for every element.
/// </summary>
internal static class EagerRows
{
    private static int Width => Vec8.Count;

    private static void Same(int operand, int output)
    {
        if (operand != output) throw new ArgumentException($"An operand has {operand} values; the output has {output}.");
    }

    public static void Run<T>(T row, ReadOnlySpan<float> x, Span<float> y) where T : struct, IUnaryRow
    {
        Same(x.Length, y.Length);
        int i = 0;
        if (row.Vectorized && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            ref float rx = ref MemoryMarshal.GetReference(x);
            ref float ry = ref MemoryMarshal.GetReference(y);
            for (; i <= y.Length - Width; i += Width) row.Vector<Vec8>(Vec8.Load(ref rx, i)).Store(ref ry, i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(x[i]);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(a.Length, y.Length);
        Same(b.Length, y.Length);
        int i = 0;
        if (row.Vectorized && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float ry = ref MemoryMarshal.GetReference(y);
            for (; i <= y.Length - Width; i += Width)
                row.Vector<Vec8>(Vec8.Load(ref ra, i), Vec8.Load(ref rb, i)).Store(ref ry, i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a[i], b[i]);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, float b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(a.Length, y.Length);
        int i = 0;
        if (row.Vectorized && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float ry = ref MemoryMarshal.GetReference(y);
            var vb = Vec8.Create(b);
            for (; i <= y.Length - Width; i += Width) row.Vector<Vec8>(Vec8.Load(ref ra, i), vb).Store(ref ry, i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a[i], b);
    }

    public static void Run<T>(T row, float a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(b.Length, y.Length);
        int i = 0;
        if (row.Vectorized && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float ry = ref MemoryMarshal.GetReference(y);
            var va = Vec8.Create(a);
            for (; i <= y.Length - Width; i += Width) row.Vector<Vec8>(va, Vec8.Load(ref rb, i)).Store(ref ry, i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a, b[i]);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y) where T : struct, ITernaryRow
    {
        Same(a.Length, y.Length);
        Same(b.Length, y.Length);
        Same(c.Length, y.Length);
        int i = 0;
        if (row.Vectorized && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            ref float rc = ref MemoryMarshal.GetReference(c);
            ref float ry = ref MemoryMarshal.GetReference(y);
            for (; i <= y.Length - Width; i += Width)
                row.Vector<Vec8>(Vec8.Load(ref ra, i), Vec8.Load(ref rb, i), Vec8.Load(ref rc, i)).Store(ref ry, i);
        }
        for (; i < y.Length; i++) y[i] = row.Scalar(a[i], b[i], c[i]);
    }
}

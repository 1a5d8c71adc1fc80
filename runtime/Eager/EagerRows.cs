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
/// The span loops of the eager rows: where the row has a vector form, vectors of sixteen lanes (Vec16) where Vector512
/// is accelerated and of eight (Vec8) elsewhere, the last one partial, so every element takes the same formulas; the
/// scalar form where the row has no vector form. Generic over the row's struct, so each row's loop is compiled with its
/// forms inlined. Operands are the output's length (the caller broadcasts), or a number standing for every element.
/// </summary>
internal static class EagerRows
{
    private static void Same(int operand, int output)
    {
        if (operand != output) throw new ArgumentException($"An operand has {operand} values; the output has {output}.");
    }

    private static bool Vectors(bool vectorized) => vectorized && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;

    public static void Run<T>(T row, ReadOnlySpan<float> x, Span<float> y) where T : struct, IUnaryRow
    {
        Same(x.Length, y.Length);
        if (!Vectors(row.Vectorized)) { for (int i = 0; i < y.Length; i++) y[i] = row.Scalar(x[i]); }
        else if (VectorWidths.Wide) Loop<T, Vec16>(row, x, y);
        else Loop<T, Vec8>(row, x, y);
    }

    private static void Loop<T, S>(T row, ReadOnlySpan<float> x, Span<float> y) where T : struct, IUnaryRow where S : struct, IVector<S>
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0, n = y.Length;
        for (; i + S.Count <= n; i += S.Count) row.Vector(S.Load(ref rx, i)).Store(ref ry, i);
        if (i < n) row.Vector(S.Load(ref rx, i, n - i)).Store(ref ry, i, n - i);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(a.Length, y.Length);
        Same(b.Length, y.Length);
        if (!Vectors(row.Vectorized)) { for (int i = 0; i < y.Length; i++) y[i] = row.Scalar(a[i], b[i]); }
        else if (VectorWidths.Wide) Loop<T, Vec16>(row, a, b, y);
        else Loop<T, Vec8>(row, a, b, y);
    }

    private static void Loop<T, S>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow where S : struct, IVector<S>
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0, n = y.Length;
        for (; i + S.Count <= n; i += S.Count) row.Vector(S.Load(ref ra, i), S.Load(ref rb, i)).Store(ref ry, i);
        if (i < n) row.Vector(S.Load(ref ra, i, n - i), S.Load(ref rb, i, n - i)).Store(ref ry, i, n - i);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, float b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(a.Length, y.Length);
        if (!Vectors(row.Vectorized)) { for (int i = 0; i < y.Length; i++) y[i] = row.Scalar(a[i], b); }
        else if (VectorWidths.Wide) Loop<T, Vec16>(row, a, b, y);
        else Loop<T, Vec8>(row, a, b, y);
    }

    private static void Loop<T, S>(T row, ReadOnlySpan<float> a, float b, Span<float> y) where T : struct, IBinaryRow where S : struct, IVector<S>
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float ry = ref MemoryMarshal.GetReference(y);
        var vb = S.Create(b);
        int i = 0, n = y.Length;
        for (; i + S.Count <= n; i += S.Count) row.Vector(S.Load(ref ra, i), vb).Store(ref ry, i);
        if (i < n) row.Vector(S.Load(ref ra, i, n - i), vb).Store(ref ry, i, n - i);
    }

    public static void Run<T>(T row, float a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow
    {
        Same(b.Length, y.Length);
        if (!Vectors(row.Vectorized)) { for (int i = 0; i < y.Length; i++) y[i] = row.Scalar(a, b[i]); }
        else if (VectorWidths.Wide) Loop<T, Vec16>(row, a, b, y);
        else Loop<T, Vec8>(row, a, b, y);
    }

    private static void Loop<T, S>(T row, float a, ReadOnlySpan<float> b, Span<float> y) where T : struct, IBinaryRow where S : struct, IVector<S>
    {
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float ry = ref MemoryMarshal.GetReference(y);
        var va = S.Create(a);
        int i = 0, n = y.Length;
        for (; i + S.Count <= n; i += S.Count) row.Vector(va, S.Load(ref rb, i)).Store(ref ry, i);
        if (i < n) row.Vector(va, S.Load(ref rb, i, n - i)).Store(ref ry, i, n - i);
    }

    public static void Run<T>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y) where T : struct, ITernaryRow
    {
        Same(a.Length, y.Length);
        Same(b.Length, y.Length);
        Same(c.Length, y.Length);
        if (!Vectors(row.Vectorized)) { for (int i = 0; i < y.Length; i++) y[i] = row.Scalar(a[i], b[i], c[i]); }
        else if (VectorWidths.Wide) Loop<T, Vec16>(row, a, b, c, y);
        else Loop<T, Vec8>(row, a, b, c, y);
    }

    private static void Loop<T, S>(T row, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y)
        where T : struct, ITernaryRow where S : struct, IVector<S>
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0, n = y.Length;
        for (; i + S.Count <= n; i += S.Count) row.Vector(S.Load(ref ra, i), S.Load(ref rb, i), S.Load(ref rc, i)).Store(ref ry, i);
        if (i < n) row.Vector(S.Load(ref ra, i, n - i), S.Load(ref rb, i, n - i), S.Load(ref rc, i, n - i)).Store(ref ry, i, n - i);
    }
}

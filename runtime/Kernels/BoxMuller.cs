using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels;

/// <summary>
/// The float64 vector operations Box–Muller's log and cosine take, at one width: <see cref="Doubles8"/> (Vector512, where
/// AVX-512 is there) and <see cref="Doubles4"/> (Vector256, AVX2 with FMA). The log and cosine are written once over them.
/// </summary>
internal interface IDoubles<V> where V : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }
    static abstract V Splat(double x);
    static abstract V Add(V a, V b);
    static abstract V Sub(V a, V b);
    static abstract V Mul(V a, V b);
    static abstract V Div(V a, V b);
    /// <summary>a·b + c, rounded once.</summary>
    static abstract V Fma(V a, V b, V c);
    static abstract V Sqrt(V x);
    /// <summary>Round to nearest, ties to even.</summary>
    static abstract V Round(V x);
    static abstract V Floor(V x);
    /// <summary>All ones in the lanes where a = b (a mask for <see cref="Select"/>).</summary>
    static abstract V Equal(V a, V b);
    static abstract V Greater(V a, V b);
    static abstract V Less(V a, V b);
    static abstract V And(V a, V b);
    static abstract V Select(V mask, V yes, V no);
    /// <summary>x = 2ᵏ·m with m in [1, 2), for a positive normal x.</summary>
    static abstract (V Mantissa, V Exponent) Split(V x);
    /// <summary>The top 24 bits of <paramref name="words"/>' lanes [Count·part, Count·(part + 1)) as multiples of 2^-24, plus <paramref name="offset"/>.</summary>
    static abstract V Uniforms(Vector256<uint> words, int part, double offset);
    /// <summary>even[0], odd[0], even[1], odd[1], … as two vectors.</summary>
    static abstract (V, V) Interleave(V even, V odd);
    /// <summary>The lanes of lo then hi, each rounded to float, stored at <paramref name="dst"/>.</summary>
    static abstract void StoreNarrow(V lo, V hi, ref float dst);
}

/// <summary>Eight float64 lanes: Vector512 (AVX-512's vgetmantpd/vgetexppd split x).</summary>
internal readonly struct Doubles8 : IDoubles<Vector512<double>>
{
    public static int Count => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Splat(double x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sub(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Mul(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Div(Vector512<double> a, Vector512<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sqrt(Vector512<double> x) => Vector512.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Round(Vector512<double> x) => Vector512.Round(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Floor(Vector512<double> x) => Vector512.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Equal(Vector512<double> a, Vector512<double> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Greater(Vector512<double> a, Vector512<double> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Less(Vector512<double> a, Vector512<double> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> And(Vector512<double> a, Vector512<double> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Select(Vector512<double> mask, Vector512<double> yes, Vector512<double> no) => Vector512.ConditionalSelect(mask, yes, no);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static (Vector512<double>, Vector512<double>) Split(Vector512<double> x) => (Avx512F.GetMantissa(x, 0), Avx512F.GetExponent(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Uniforms(Vector256<uint> words, int part, double offset) =>
        Avx512F.ConvertToVector512Double((words >> 8).AsInt32()) * (1.0 / (1 << 24)) + Vector512.Create(offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static (Vector512<double>, Vector512<double>) Interleave(Vector512<double> even, Vector512<double> odd) =>
        (Avx512F.PermuteVar8x64x2(even, Vector512.Create(0L, 8, 1, 9, 2, 10, 3, 11), odd),
         Avx512F.PermuteVar8x64x2(even, Vector512.Create(4L, 12, 5, 13, 6, 14, 7, 15), odd));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreNarrow(Vector512<double> lo, Vector512<double> hi, ref float dst) => Vector512.Narrow(lo, hi).StoreUnsafe(ref dst);
}

/// <summary>Four float64 lanes: Vector256 (AVX2 and FMA; x split by its bit fields).</summary>
internal readonly struct Doubles4 : IDoubles<Vector256<double>>
{
    public static int Count => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Splat(double x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sub(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Mul(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Div(Vector256<double> a, Vector256<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sqrt(Vector256<double> x) => Vector256.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Round(Vector256<double> x) => Vector256.Round(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Floor(Vector256<double> x) => Vector256.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Equal(Vector256<double> a, Vector256<double> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Greater(Vector256<double> a, Vector256<double> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Less(Vector256<double> a, Vector256<double> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> And(Vector256<double> a, Vector256<double> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Select(Vector256<double> mask, Vector256<double> yes, Vector256<double> no) => Vector256.ConditionalSelect(mask, yes, no);

    /// <summary>m from the fraction bits under 1.0's exponent; k from the exponent field, turned into a double by setting
    /// it as the low bits of 2^52's pattern and subtracting 2^52 and the bias (no int64 conversion on AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<double>, Vector256<double>) Split(Vector256<double> x)
    {
        var bits = x.AsUInt64();
        var m = ((bits & Vector256.Create(0x000FFFFFFFFFFFFFUL)) | Vector256.Create(0x3FF0000000000000UL)).AsDouble();
        var k = ((bits >> 52) | Vector256.Create(0x4330000000000000UL)).AsDouble() - Vector256.Create(4503599627370496.0 + 1023);
        return (m, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Uniforms(Vector256<uint> words, int part, double offset)
    {
        var top = (words >> 8).AsInt32();
        return Avx.ConvertToVector256Double(part == 0 ? top.GetLower() : top.GetUpper()) * (1.0 / (1 << 24)) + Vector256.Create(offset);
    }

    /// <summary>vunpcklpd/vunpckhpd pair lanes within each 128-bit half; vperm2f128 puts the halves in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<double>, Vector256<double>) Interleave(Vector256<double> even, Vector256<double> odd)
    {
        var low = Avx.UnpackLow(even, odd);    // e0 o0 e2 o2
        var high = Avx.UnpackHigh(even, odd);  // e1 o1 e3 o3
        return (Avx.Permute2x128(low, high, 0x20), Avx.Permute2x128(low, high, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreNarrow(Vector256<double> lo, Vector256<double> hi, ref float dst) => Vector256.Narrow(lo, hi).StoreUnsafe(ref dst);
}

/// <summary>
/// Box–Muller's float64 log and cosine as vectors (fdlibm's kernels, within an ulp of Math.Log and Math.Cos on the
/// arguments the normals give them), and sixteen normals from eight Philox blocks: what <see cref="RandomOp"/>'s managed
/// loop runs where AVX-512, or AVX2 and FMA, are there.
/// </summary>
internal static class BoxMuller
{
    /// <summary>
    /// Normals 2l and 2l + 1 (l = 0…7) of eight blocks, words w0…w3 of each: √(-2 ln u1)·cos(2π u2) with u1 from words 0
    /// and 2 (in (0, 1]) and u2 from words 1 and 3, stored as sixteen floats at <paramref name="dst"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sixteen<D, V>(Vector256<uint> w0, Vector256<uint> w1, Vector256<uint> w2, Vector256<uint> w3, ref float dst)
        where D : struct, IDoubles<V> where V : struct
    {
        for (int part = 0; part < 8 / D.Count; part++)
        {
            var (r0, r1) = D.Interleave(D.Uniforms(w0, part, 1.0 / (1 << 24)), D.Uniforms(w2, part, 1.0 / (1 << 24)));
            var (t0, t1) = D.Interleave(D.Uniforms(w1, part, 0), D.Uniforms(w3, part, 0));
            var lo = D.Mul(D.Sqrt(D.Mul(Log<D, V>(r0), D.Splat(-2.0))), Cos<D, V>(D.Mul(t0, D.Splat(2.0 * Math.PI))));
            var hi = D.Mul(D.Sqrt(D.Mul(Log<D, V>(r1), D.Splat(-2.0))), Cos<D, V>(D.Mul(t1, D.Splat(2.0 * Math.PI))));
            D.StoreNarrow(lo, hi, ref Unsafe.Add(ref dst, 2 * D.Count * part));
        }
    }

    /// <summary>
    /// cos x for 0 ≤ x ≤ 2π (Box–Muller's angles): x = q·π/2 + r with |r| ≤ π/4 (π/2 in three parts, as fdlibm near its
    /// multiples, so r stays accurate where cos x is near 0), then the quadrant's ±cos r or ±sin r from fdlibm's kernel
    /// polynomials: within an ulp of Math.Cos.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Cos<D, V>(V x) where D : struct, IDoubles<V> where V : struct
    {
        var q = D.Round(D.Mul(x, D.Splat(2 / Math.PI)));
        var r = D.Fma(q, D.Splat(-1.57079632673412561417e+00), x);
        r = D.Fma(q, D.Splat(-6.07710050630396597660e-11), r);
        r = D.Fma(q, D.Splat(-2.02226624879595063154e-21), r);
        var z = D.Mul(r, r);
        var sinTail = Poly<D, V>(z, -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
            2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10);
        var sin = D.Fma(D.Mul(r, z), sinTail, r);
        var cosTail = Poly<D, V>(z, 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
            -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11);
        // 1 - z/2 + z²·p(z), the 1 - z/2 split so its rounding error is added back
        var half = D.Mul(z, D.Splat(0.5));
        var w = D.Sub(D.Splat(1), half);
        var cos = D.Add(w, D.Add(D.Sub(D.Sub(D.Splat(1), w), half), D.Mul(D.Mul(z, z), cosTail)));
        // the quadrant q mod 4 (q is a whole number in [0, 4], so these are exact)
        var quadrant = D.Sub(q, D.Mul(D.Splat(4), D.Floor(D.Mul(q, D.Splat(0.25)))));
        var odd = D.Equal(D.Sub(quadrant, D.Mul(D.Splat(2), D.Floor(D.Mul(quadrant, D.Splat(0.5))))), D.Splat(1));
        var v = D.Select(odd, sin, cos);
        // cos(r + qπ/2) is cos r, -sin r, -cos r, sin r: negated in quadrants 1 and 2
        var negate = D.And(D.Greater(quadrant, D.Splat(0.5)), D.Less(quadrant, D.Splat(2.5)));
        return D.Select(negate, D.Mul(v, D.Splat(-1)), v);
    }

    /// <summary>
    /// log x for a positive normal x (Box–Muller's radius uniforms, in [2^-24, 1]): x = 2ᵏ·m with √½ &lt; m ≤ √2, log m =
    /// f - f²/2 + s·(f²/2 + R(s²)) with f = m - 1, s = f/(2 + f), and k·ln 2 in two parts: fdlibm's __ieee754_log, under an ulp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Log<D, V>(V x) where D : struct, IDoubles<V> where V : struct
    {
        var (m, k) = D.Split(x);   // m in [1, 2)
        var big = D.Greater(m, D.Splat(1.4142135623730951));
        m = D.Select(big, D.Mul(m, D.Splat(0.5)), m);
        k = D.Select(big, D.Add(k, D.Splat(1)), k);
        var f = D.Sub(m, D.Splat(1));
        var s = D.Div(f, D.Add(D.Splat(2.0), f));
        var z = D.Mul(s, s);
        var w = D.Mul(z, z);
        var even = D.Mul(w, Poly<D, V>(w, 3.999999999940941908e-01, 2.222219843214978396e-01, 1.531383769920937332e-01));
        var odd = D.Mul(z, Poly<D, V>(w, 6.666666666666735130e-01, 2.857142874366239149e-01, 1.818357216161805012e-01, 1.479819860511658591e-01));
        var halfSquare = D.Mul(D.Mul(D.Splat(0.5), f), f);
        var inner = D.Sub(halfSquare, D.Add(D.Mul(s, D.Add(halfSquare, D.Add(odd, even))), D.Mul(k, D.Splat(1.90821492927058770002e-10))));
        return D.Sub(D.Mul(k, D.Splat(6.93147180369123816490e-01)), D.Sub(inner, f));
    }

    /// <summary>c0 + z·(c1 + z·(c2 + …)), Horner's order (three, four or six coefficients).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Poly<D, V>(V z, double c0, double c1, double c2) where D : struct, IDoubles<V> where V : struct =>
        D.Fma(D.Fma(D.Splat(c2), z, D.Splat(c1)), z, D.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Poly<D, V>(V z, double c0, double c1, double c2, double c3) where D : struct, IDoubles<V> where V : struct =>
        D.Fma(Poly<D, V>(z, c1, c2, c3), z, D.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Poly<D, V>(V z, double c0, double c1, double c2, double c3, double c4, double c5) where D : struct, IDoubles<V> where V : struct =>
        D.Fma(D.Fma(Poly<D, V>(z, c2, c3, c4, c5), z, D.Splat(c1)), z, D.Splat(c0));
}

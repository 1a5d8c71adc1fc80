using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels;

/// <summary>
/// Scalar and vector forms of the activations generated kernels call. Scalar forms are plain static methods, so
/// ILGPU compiles them into device code; vector forms are generic over the lanes (<see cref="IVector{S}"/>: Vec8 or
/// Vec16), written once for both widths, with Vector256 entry points for the runtime's own kernels.
/// </summary>
public static class Simd
{
    /// <summary>σ(x): 1/(1 + e⁻ˣ), and eˣ/(1 + eˣ) for x &lt; 0, where e⁻ˣ would overflow below -88.72 and take σ's
    /// subnormal values (and Mish's and SiLU's gradients through them) to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x)
    {
        if (x >= 0f) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Sigmoid<Vec8>(x);

    /// <summary>σ(x) = ½/(½ + e⁻ˣ/2): the same float as 1/(1 + e⁻ˣ) wherever e⁻ˣ is normal (halving is exact), and between
    /// x = -89.4 and -88.72, where e⁻ˣ overflows and e⁻ˣ/2 (<see cref="IVector{S}.HalfExp"/>) does not, σ keeps its subnormal
    /// value (Mish's and SiLU's gradients through it keep their sign). Without AVX-512, <see cref="SigmoidPortable{S}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Sigmoid<S>(S x) where S : struct, IVector<S>
    {
        var half = S.Create(0.5f);
        return half / (half + S.HalfExp(-x));
    }

    /// <summary>
    /// σ(x) as ½/(½ + e⁻ˣ/2), where e⁻ˣ/2 = eʳ·2ⁿ⁻¹ is one exponent-field multiply (<see cref="IVector{S}.TimesPow2Once"/>)
    /// instead of eˣ's two, with -x clamped to [-87.3, 89.5] so n - 1 stays in [-127, 128]. Halving both sides is exact, so
    /// the result is the same float as 1/(1 + e⁻ˣ) wherever e⁻ˣ is a normal float; at n - 1 = -127 the exponent field gives
    /// 0 (and 1 + e⁻ˣ is 1 there anyway), at 128 +∞ (σ = 0, x below -89.07); between x = -89.07 and -88.72, where
    /// e⁻ˣ itself overflows, e⁻ˣ/2 does not, so σ keeps its subnormal value there. NaN passes the clamp (the second
    /// operand of vmaxps/vminps) and stays NaN. Eight-lane machines without AVX-512 run it: five integer operations fewer
    /// than eˣ's two-multiply scaling, about 15 % of the work of sigmoid(a·b + a) (measured on Zen 3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static S SigmoidPortable<S>(S x) where S : struct, IVector<S>
    {
        var half = S.Create(0.5f);
        return half / (half + HalfExpPortable(-x));
    }

    /// <summary>eˣ/2 as eʳ·2ⁿ⁻¹, x clamped to [-87.3, 89.5] (<see cref="SigmoidPortable{S}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static S HalfExpPortable<S>(S x) where S : struct, IVector<S>
    {
        var (n, e) = ExpReduce(S.MinNative(S.Create(89.5f), S.MaxNative(S.Create(-87.3f), x)));
        return S.TimesPow2Once(e, n - S.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x) => Tanh<Vec8>(x);

    /// <summary>
    /// tanh(x): below |x| = 0.625 the odd polynomial x + x³·P(x²), P of degree 4 fitted here for relative error (0.8 ulp
    /// measured; 1 - e^(-2|x|) would cancel near 0: tanh(1e-8) once came out 0); above, sign(x)·(1 - 2/(1 + e^(2|x|))),
    /// whose small quotient's rounding hardly shows next to the 1 (|x| clamped at 9.1, where tanh rounds to ±1), and which
    /// keeps tanh below 1 where it is (tanh(9) = 0.99999994, not 1). 1.33 ulp at most measured (2.3 with the expm1 form it
    /// replaced; PyTorch's 0.5), which matters through the gradient 1 - y² near ±1. ±0 keep their sign; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Tanh<S>(S x) where S : struct, IVector<S>
    {
        var z = x * x;
        var p = S.FusedMultiplyAdd(S.FusedMultiplyAdd(S.FusedMultiplyAdd(S.FusedMultiplyAdd(S.Create(-0.005718961f), z, S.Create(0.020653123f)),
            z, S.Create(-0.05374466f)), z, S.Create(0.13331513f)), z, S.Create(-0.33333287f));
        var small = S.FusedMultiplyAdd(p * z, x, x);
        var a = S.Abs(x);
        var e = S.Exp(S.MinNative(S.Create(9.1f), a) * S.Create(2f)); // NaN passes (vminps' second operand)
        // the sign of x on either (the polynomial's own sign already, but x·x³·P + x at -0 is +0)
        return S.IfLess(a, S.Create(0.625f), small, S.One - S.Create(2f) / (S.One + e)) | (x & S.Create(-0f));
    }

    /// <summary>torch.remainder: a − b·⌊a/b⌋, the sign of b, computed as PyTorch does (C's fmod, then b added where the
    /// signs differ), so it is exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Remainder(float a, float b)
    {
        float m = a % b;
        return m != 0f && (b < 0f) != (m < 0f) ? m + b : m;
    }

    /// <summary>log(1 + eˣ) = max(x, 0) + log(1 + e^-|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => MathF.Max(x, 0f) + Log1p(MathF.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Softplus(Vector256<float> x) => Softplus<Vec8>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Softplus<S>(S x) where S : struct, IVector<S> => S.Max(x, S.Zero) + Log1pUnit(S.Exp(-S.Abs(x)));

    /// <summary>softplus(x) - y·x, BCEWithLogits' element without pos_weight, as (max(x, 0) - y·x) + log(1 + e^-|x|): the
    /// large terms cancel first, so a confident right answer keeps its small loss (softplus(x) - y·x gave 0 for x ≥ 15,
    /// y = 1, where PyTorch's (1 - y)·x + max + log(…) keeps e^-x).</summary>
    public static float SoftplusMinus(float x, float y) => (MathF.Max(x, 0f) - y * x) + Log1p(MathF.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S SoftplusMinus<S>(S x, S y) where S : struct, IVector<S> => (S.Max(x, S.Zero) - y * x) + Log1pUnit(S.Exp(-S.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(float x) => x > 0f ? 1f : x < 0f ? -1f : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> x) => Sign<Vec8>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Sign<S>(S x) where S : struct, IVector<S> => S.IfGreater(x, S.Zero, S.One, S.IfLess(x, S.Zero, -S.One, S.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float x) => x > 0f ? 1f : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> x) => Step<Vec8>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Step<S>(S x) where S : struct, IVector<S> => S.IfGreater(x, S.Zero, S.One, S.Zero);

    /// <summary>The largest lane (NaN if any lane is NaN, as torch.amax): the end of a vectorised max row.</summary>
    public static float MaxAcross(Vector256<float> v) => MaxAcross<Vec8>(v);

    public static float MaxAcross<S>(S v) where S : struct, IVector<S>
    {
        float m = S.Lane(v, 0);
        for (int i = 1; i < S.Count; i++) m = MathF.Max(m, S.Lane(v, i));
        return m;
    }

    /// <summary>The smallest lane (NaN if any lane is NaN, as torch.amin).</summary>
    public static float MinAcross(Vector256<float> v) => MinAcross<Vec8>(v);

    public static float MinAcross<S>(S v) where S : struct, IVector<S>
    {
        float m = S.Lane(v, 0);
        for (int i = 1; i < S.Count; i++) m = MathF.Min(m, S.Lane(v, i));
        return m;
    }

    // ---- scalar math .NET's MathF lacks; double inside, so ILGPU compiles them and float results are exact to rounding ----

    /// <summary>erf(x): its Taylor series below 0.5, Numerical Recipes' Chebyshev-fitted erfc above (|error| &lt; 1.2e-7).</summary>
    public static float Erf(float x)
    {
        double z = Math.Abs((double)x);
        double r = z < 0.5 ? ErfSeries(z) : 1 - Erfc(z);
        return (float)(x < 0 || float.IsNegative(x) ? -r : r); // erf(-0) = -0
    }

    private static double ErfSeries(double z)
    {
        double z2 = z * z;
        return 1.1283791670955126 * z * (1 - z2 * (1.0 / 3 - z2 * (1.0 / 10 - z2 * (1.0 / 42 - z2 * (1.0 / 216 - z2 / 1320)))));
    }

    /// <summary>erfc(z) for z ≥ 0.5: Numerical Recipes' erfcc, fractional error below 1.2e-7, with no cancellation as erfc → 0.</summary>
    private static double Erfc(double z)
    {
        double t = 1 / (1 + 0.5 * z);
        return t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    }

    /// <summary>Φ(x) = (1 + erf(x/√2))/2, as erfc(|x|/√2)/2 below -0.7 (1 + erf would cancel: GELU of -6.19 came out -0, for
    /// -1.86e-9), in double.</summary>
    private static double Phi(float x)
    {
        double z = -(double)x * 0.70710678118654752;
        return z >= 0.5 ? 0.5 * Erfc(z) : z <= -0.5 ? 1 - 0.5 * Erfc(-z) : 0.5 * (1 - ErfSeries(z));
    }

    /// <summary>log(1 + x), exact for tiny x (Kahan's correction: log(u)·x/(u-1) with u = 1 + x); log1p(+∞) = +∞ (the
    /// correction would be ∞·∞/∞).</summary>
    public static float Log1p(float x)
    {
        double u = 1.0 + x;
        return u == 1.0 || float.IsPositiveInfinity(x) ? x : (float)(Math.Log(u) * x / (u - 1.0));
    }

    /// <summary>log(1 - p) as PyTorch's log1p(-p) (binary cross-entropy's second log): exact for small p, where 1 - p rounds.</summary>
    public static float LogOneMinus(float p) => Log1p(-p);

    /// <summary>log(1 - p): log1p's polynomial on -p while 1 - p ≥ 1/√2 (p ≤ 0.2929, the interval it is exact on), log(1 - p)
    /// above, where 1 - p is exact or nearly (Sterbenz) and the log of a number away from 1 does not cancel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S LogOneMinus<S>(S p) where S : struct, IVector<S> =>
        S.IfLess(p, S.Create(0.29289322f), Log1pUnit(-p), S.Log(S.One - p));

    /// <summary>eˣ - 1, exact for tiny x (Kahan's correction: (u-1)·x/log(u) with u = eˣ).</summary>
    public static float Expm1(float x)
    {
        if (Math.Abs(x) > 0.5f) return (float)(Math.Exp(x) - 1.0);
        double u = Math.Exp(x);
        return u == 1.0 ? x : (float)((u - 1.0) * x / Math.Log(u));
    }

    /// <summary>GELU, x·Φ(x) = x(1 + erf(x/√2))/2, in double (Φ through erfc where it is small).</summary>
    public static float Gelu(float x) => (float)(x * Phi(x));

    /// <summary>d GELU/dx = Φ(x) + x·φ(x).</summary>
    public static float GeluDerivative(float x) => (float)(Phi(x) + x * 0.3989422804014327 * Math.Exp(-0.5 * x * (double)x));

    /// <summary>GELU's tanh approximation: x(1 + tanh(√(2/π)(x + 0.044715x³)))/2.</summary>
    /// <remarks>(1 + tanh u)/2 is σ(2u) exactly, computed as such: 1 + tanh u cancelled where tanh u is near -1 (5 ulp at
    /// x = -1.45, and its gradient 69 ulp at -3.12).</remarks>
    public static float GeluTanh(float x) => x * Sigmoid(1.5957691216057308f * (x + 0.044715f * x * x * x));

    /// <summary>d/dx x·σ(2u) = σ(2u) + x·σ(2u)·σ(-2u)·2u′, u = √(2/π)(x + 0.044715x³): the same as PyTorch's
    /// (1 + t)/2 + x(1 - t²)u′/2 with t = tanh u, with 1 - σ taken as σ(-2u) so nothing cancels.</summary>
    public static float GeluTanhDerivative(float x)
    {
        float v = 1.5957691216057308f * (x + 0.044715f * x * x * x);
        float s = Sigmoid(v);
        return s + x * s * Sigmoid(-v) * 1.5957691216057308f * (1f + 3f * 0.044715f * x * x);
    }

    /// <summary>mish(x) = x·tanh(softplus(x)).</summary>
    public static float Mish(float x) => x * MathF.Tanh(Softplus(x));

    /// <summary>d mish/dx = tanh(sp) + x·(1 - tanh²(sp))·σ(x), sp = softplus(x).</summary>
    public static float MishDerivative(float x)
    {
        float t = MathF.Tanh(Softplus(x));
        return t + x * (1f - t * t) * Sigmoid(x);
    }

    /// <summary>log σ(x) = min(x, 0) - log(1 + e^-|x|), finite for any x.</summary>
    public static float LogSigmoid(float x) => MathF.Min(x, 0f) - Log1p(MathF.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LogSigmoid(Vector256<float> x) => LogSigmoid<Vec8>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S LogSigmoid<S>(S x) where S : struct, IVector<S> => S.Min(x, S.Zero) - Log1pUnit(S.Exp(-S.Abs(x)));

    /// <summary>
    /// log(1 + u) for u in [0, 1] (and NaN), the tail of softplus and log σ: 1 + u is in [1, 2], so no exponent or
    /// mantissa has to be taken apart. Below √2 - 1 the polynomial of <see cref="Log(Vector256{float})"/> runs on u itself
    /// (exact for tiny u, where log(1 + u) in float would round 1 + u to 1); above it log(1 + u) = ln 2 + log(1 + f)
    /// with f = (u - 1)/2 in (1/√2 - 1, 0]. About 1 ulp, and ~25 % fewer instructions than the general log.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Log1pUnit(Vector256<float> u) => Log1pUnit<Vec8>(u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static S Log1pUnit<S>(S u) where S : struct, IVector<S>
    {
        var split = S.Create(0.414213562373095049f);
        var f = S.IfGreater(u, split, S.FusedMultiplyAdd(u, S.Create(0.5f), S.Create(-0.5f)), u);
        var e = S.IfGreater(u, split, S.One, S.Zero);
        // below 2⁻²⁶ log(1 + f) is f to the last bit: the polynomial's terms would only go subnormal (slowly) on the way
        var g = S.IfGreaterOrEqual(S.Abs(f), S.Create(1.4901161e-8f), f, S.Zero);
        var z = g * g;
        var y = S.FusedMultiplyAdd(e, S.Create(-2.12194440e-4f), LogCubic(g, z));
        y = S.FusedMultiplyAdd(z, S.Create(-0.5f), y);
        return S.FusedMultiplyAdd(e, S.Create(0.693359375f), f + y);
    }

    // ---- eˣ and log x for eight lanes, in float arithmetic (.NET's Vector256.Exp/Log measured 6-10× slower here) ----

    /// <summary>
    /// eˣ to about 1 ulp, with subnormal results and overflow right; eˣ of -∞ is 0, of +∞ is +∞, of NaN is NaN. With
    /// AVX-512, a 16-entry table of 2^(j/16) and a cubic (<see cref="ExpSixteenths{S, V}"/>, 1.06 ulp at most, measured);
    /// elsewhere x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two for an exact reduction), Cephes' degree-6
    /// polynomial for eʳ in Estrin's order, and eʳ·2ⁿ as two exponent-field multiplies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x) => Avx512F.VL.IsSupported ? ExpAvx512(x) : ExpPortable(x);

    /// <summary>eˣ/2, finite up to x = 89.4 where eˣ overflows at 88.72: σ's denominator (<see cref="Sigmoid{S}(S)"/>).
    /// With AVX-512, <see cref="ExpAvx512"/>'s steps with x clamped to [-104, 104] and a scaling by 2^(n-1) (exact); else
    /// <see cref="HalfExpPortable{S}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HalfExp(Vector256<float> x)
    {
        if (!Avx512F.VL.IsSupported) return HalfExpPortable(new Vec8(x)).Value;
        var (m, n) = ExpParts(ExpClamp<Narrow256, Vector256<float>>(x, 104f));
        return Avx512F.VL.Scale(m, n - Vector256<float>.One);
    }

    /// <summary><see cref="HalfExp(Vector256{float})"/> for sixteen lanes (AVX-512 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> HalfExp(Vector512<float> x)
    {
        var (m, n) = ExpParts(ExpClamp<Wide512, Vector512<float>>(x, 104f));
        return Avx512F.Scale(m, n - Vector512<float>.One);
    }

    /// <summary>eˣ of either width, as generated kernels call it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Exp<S>(S x) where S : struct, IVector<S> => S.Exp(x);

    /// <summary>log x of either width, as generated kernels call it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Log<S>(S x) where S : struct, IVector<S> => S.Log(x);

    /// <summary>
    /// eˣ - 1 to float's relative precision near 0 as well (what ELU, SELU and CELU take, as PyTorch's expm1), in one
    /// pass of eˣ's reduction: x = n·ln 2 + r with |r| ≤ ln 2 / 2, eʳ - 1 as r + r²·p(r) (the polynomial of
    /// <see cref="ExpReduce{S}"/> without its 1), and eˣ - 1 = 2ⁿ·((eʳ - 1) + (1 - 2⁻ⁿ)). For n = 0 that is
    /// eʳ - 1 itself, exact relative to x near 0; otherwise |eˣ - 1| > 0.29 and the sum costs under two ulps (1.9 half-ulps measured). x is
    /// clamped to [-30, 89] first (below -17.4 the float result is -1 already), so 2⁻ⁿ stays finite; -∞ gives -1,
    /// +∞ gives +∞, NaN gives NaN and ±0 gives ±0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Expm1(Vector256<float> x) => Expm1<Vec8>(x, portable: false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Expm1<S>(S x) where S : struct, IVector<S> => Expm1(x, portable: false);

    /// <summary>The form of <see cref="Expm1(Vector256{float})"/> machines without AVX-512 run (tests check both here).</summary>
    internal static S Expm1Portable<S>(S x) where S : struct, IVector<S> => Expm1(x, portable: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static S Expm1<S>(S x, bool portable) where S : struct, IVector<S> =>
        S.IfEqual(x, S.Zero, x, Expm1Clamped(S.MinNative(S.Create(89f), S.MaxNative(S.Create(-30f), x)), portable)); // -0 stays -0

    /// <summary>
    /// eˣ - 1 where x &lt; 0, as <see cref="Expm1{S}(S)"/> computes it there (-∞ gives -1, NaN gives NaN), for a caller
    /// that takes another value wherever x ≥ 0 (ELU's x ≥ 0 ? x : α(eˣ - 1) with a finite α &gt; 0, which is x at ±0 as well): those
    /// lanes are left unclamped and unspecified, which saves Expm1's upper clamp and its select for ±0. And where x &lt; 0,
    /// n is in [-43, 0], so 2ⁿ and 2⁻ⁿ are each one exponent-field multiply without AVX-512 (<see cref="IVector{S}.TimesPow2Once"/>),
    /// not two: the same bits, ten instructions fewer in ELU's forward on an AVX2 machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static S Expm1BelowZero<S>(S x) where S : struct, IVector<S> => Expm1Clamped(S.MaxNative(S.Create(-30f), x), portable: false, once: true);

    /// <summary>The body of <see cref="Expm1{S}(S)"/> on x clamped below at -30 (and above at 89 where the caller keeps the
    /// positive lanes), without its select for ±0; <paramref name="once"/> where every lane that counts has n ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static S Expm1Clamped<S>(S xc, bool portable, bool once = false) where S : struct, IVector<S>
    {
        var n = S.Round(xc * S.Create(1.44269504088896341f));
        var r = S.FusedMultiplyAdd(n, S.Create(-0.693359375f), xc);
        r = S.FusedMultiplyAdd(n, S.Create(2.12194440e-4f), r);
        var r2 = r * r;
        var em = S.FusedMultiplyAdd(ExpTail(r, r2), r2, r);
        if (once) return S.TimesPow2Once(em + (S.One - S.TimesPow2Once(S.One, -n)), n);
        return S.TimesPow2(em + (S.One - S.TimesPow2(S.One, -n, portable)), n, portable);
    }

    /// <summary>p(r) of eʳ ≈ 1 + r + r²·p(r) for |r| ≤ ln 2 / 2: Cephes' degree-5 coefficients, in Estrin's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static S ExpTail<S>(S r, S r2) where S : struct, IVector<S>
    {
        var lo = S.FusedMultiplyAdd(S.Create(1.6666665459e-1f), r, S.Create(5.0000001201e-1f));
        var mid = S.FusedMultiplyAdd(S.Create(8.3334519073e-3f), r, S.Create(4.1665795894e-2f));
        var hi = S.FusedMultiplyAdd(S.Create(1.9875691500e-4f), r, S.Create(1.3981999507e-3f));
        return S.FusedMultiplyAdd(S.FusedMultiplyAdd(hi, r2, mid), r2, lo);
    }

    /// <summary>The portable form's reduction and polynomial (no AVX-512), from x clamped by <see cref="ExpClamp{S, V}"/>:
    /// n and eʳ with |r| ≤ ln 2 / 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (S N, S ExpR) ExpReduce<S>(S xc) where S : struct, IVector<S>
    {
        var n = S.Round(xc * S.Create(1.44269504088896341f));
        var r = S.FusedMultiplyAdd(n, S.Create(-0.693359375f), xc);
        r = S.FusedMultiplyAdd(n, S.Create(2.12194440e-4f), r);
        var r2 = r * r;
        return (n, S.FusedMultiplyAdd(ExpTail(r, r2), r2, r + S.One));
    }

    /// <summary>2^(j/16) for j = 0…15, each rounded to float: the table of the AVX-512 forms.</summary>
    private static Vector512<float> Exp2Sixteenths
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(1f, 1.0442737f, 1.0905077f, 1.1387886f, 1.1892071f, 1.2418578f, 1.2968396f, 1.3542556f,
        1.4142135f, 1.4768262f, 1.5422108f, 1.6104903f, 1.6817929f, 1.7562522f, 1.8340081f, 1.9152066f);
    }

    /// <summary>x clamped to [-104, 89], where eˣ is 0 and +∞ already (or to <paramref name="high"/>); NaN passes
    /// (vmaxps/vminps return their second operand when either is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V ExpClamp<S, V>(V x, float high = 89f) where S : struct, IVectorWidth<V> where V : struct =>
        S.MinNative(S.Splat(high), S.MaxNative(S.Splat(-104f), x));

    /// <summary>
    /// The AVX-512 reduction, for either width, from the clamped x and n = x·log₂e rounded to sixteenths (one
    /// vrndscaleps): r = x - n·ln 2 with |r| ≤ ln 2 / 32 (exact: n has at most 12 significant bits and ln 2's high part
    /// 9), and the table index, the low four bits of (n + 1.5·2¹⁹)'s bit pattern, which are 16·frac(n). The caller reads
    /// t = 2^frac(n) from the table, takes eʳ·t with <see cref="ExpTimes{S, V}"/> and scales by 2^floor(n) with one
    /// vscalefps (which floors its exponent operand): four multiplies fewer than the degree-6 polynomial.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (V R, V Index) ExpSixteenths<S, V>(V xc, V n) where S : struct, IVectorWidth<V> where V : struct
    {
        var r = S.Fma(n, S.Splat(-0.693359375f), xc);
        r = S.Fma(n, S.Splat(2.12194440e-4f), r);
        return (r, S.Add(n, S.Splat(786432f)));
    }

    /// <summary>t·eʳ as t + t·r·(1 + r/2 + r²/6): the rounding of the table entry and one more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V ExpTimes<S, V>(V r, V t) where S : struct, IVectorWidth<V> where V : struct
    {
        var q = S.Fma(S.Fma(S.Splat(1f / 6), r, S.Splat(0.5f)), r, S.Splat(1f));
        return S.Fma(S.Mul(t, q), r, t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpAvx512(Vector256<float> x)
    {
        var (m, n) = ExpParts(ExpClamp<Narrow256, Vector256<float>>(x));
        return Avx512F.VL.Scale(m, n);
    }

    /// <summary>eˣ as m·2^⌊n⌋ from the clamped x (AVX-512): n = x·log₂e in sixteenths, m = eʳ·2^frac(n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> M, Vector256<float> N) ExpParts(Vector256<float> xc)
    {
        var n = Avx512F.VL.RoundScale(xc * Vector256.Create(1.44269504088896341f), 0x40);
        var (r, index) = ExpSixteenths<Narrow256, Vector256<float>>(xc, n);
        var table = Exp2Sixteenths;
        var t = Avx512F.VL.PermuteVar8x32x2(table.GetLower(), index.AsInt32(), table.GetUpper());
        return (ExpTimes<Narrow256, Vector256<float>>(r, t), n);
    }

    /// <summary>2ⁿ applied in two halves, each a valid exponent field, so subnormal and overflowing results come out right.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpPortable(Vector256<float> x)
    {
        var (n, e) = ExpReduce<Vec8>(ExpClamp<Narrow256, Vector256<float>>(x));
        // n is NaN only for a NaN x, and then so is e
        return Vec8.TimesPow2(e, n, portable: true);
    }

    /// <summary><see cref="Exp(Vector256{float})"/> for sixteen lanes (only where Vector512 is hardware-accelerated, so AVX-512's vscalefps is there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var (m, n) = ExpParts(ExpClamp<Wide512, Vector512<float>>(x));
        return Avx512F.Scale(m, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> M, Vector512<float> N) ExpParts(Vector512<float> xc)
    {
        var n = Avx512F.RoundScale(xc * Vector512.Create(1.44269504088896341f), 0x40);
        var (r, index) = ExpSixteenths<Wide512, Vector512<float>>(xc, n);
        var t = Avx512F.PermuteVar16x32(Exp2Sixteenths, index.AsInt32());
        return (ExpTimes<Wide512, Vector512<float>>(r, t), n);
    }

    /// <summary>
    /// log x to about 1 ulp: x = 2ᵉ·m with m in [√½, √2), Cephes' polynomial for log(1 + f), f = m - 1, and e·ln 2 added
    /// in two parts. log 0 = -∞, log of a negative number or NaN is NaN, log +∞ = +∞, subnormals exact. With AVX-512 the
    /// exponent and mantissa are vgetexpps/vgetmantps (subnormals included); elsewhere bit fields, subnormals scaled first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x) => Avx512F.VL.IsSupported ? LogAvx512(x) : LogPortable(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> LogAvx512(Vector256<float> x)
    {
        // m in [½, 1) with x = m·2^(e+1)
        var m = Avx512F.VL.GetMantissa(x, 0b0010);
        var e = Avx512F.VL.GetExponent(x) + Vector256<float>.One;
        return LogFinish<Vec8>(x, m, e);
    }

    /// <summary><see cref="Log(Vector256{float})"/> for sixteen lanes (only where Vector512 is hardware-accelerated, so AVX-512 is there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> x) =>
        LogFinish<Vec16>(x, Avx512F.GetMantissa(x, 0b0010), Avx512F.GetExponent(x) + Vector512<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> LogPortable(Vector256<float> x)
    {
        var tiny = Vector256.LessThan(x, Vector256.Create(1.17549435e-38f));
        var xs = Vector256.ConditionalSelect(tiny, x * Vector256.Create(8388608f), x);   // 2²³
        var bits = xs.AsInt32();
        var e = Vector256.ConvertToSingle((bits >>> 23) - Vector256.Create(126)) - (tiny & Vector256.Create(23f));
        var m = ((bits & Vector256.Create(0x007fffff)) | Vector256.Create(0x3f000000)).AsSingle();   // [½, 1)
        return LogFinish<Vec8>(x, m, e);
    }

    /// <summary>log x from x = m·2ᵉ with m in [½, 1): moves m into [√½, √2), then the polynomial and the special values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static S LogFinish<S>(S x, S m, S e) where S : struct, IVector<S>
    {
        var low = S.Create(0.707106781186547524f);
        e -= S.IfLess(m, low, S.One, S.Zero);
        var f = m + S.IfLess(m, low, m, S.Zero) - S.One;
        var z = f * f;
        var y = S.FusedMultiplyAdd(e, S.Create(-2.12194440e-4f), LogCubic(f, z));
        y = S.FusedMultiplyAdd(z, S.Create(-0.5f), y);
        var result = S.FusedMultiplyAdd(e, S.Create(0.693359375f), f + y);
        result = S.IfEqual(x, S.Zero, S.Create(float.NegativeInfinity), result);
        result = S.IfEqual(x, S.Create(float.PositiveInfinity), x, result);
        // x < 0 and NaN: NaN
        return S.IfGreaterOrEqual(x, S.Zero, result, S.Create(float.NaN));
    }

    /// <summary>
    /// The f³ part of log(1 + f) for f in [√½ - 1, √2 - 1] (z = f²): Cephes' polynomial, f·z·P(f), evaluated in Estrin's order
    /// (four independent pairs, then two levels, instead of a chain of nine FMAs). log(1 + f) = f - z/2 + this.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static S LogCubic<S>(S f, S z) where S : struct, IVector<S>
    {
        var z2 = z * z;
        var p01 = S.FusedMultiplyAdd(S.Create(-2.4999993993e-1f), f, S.Create(3.3333331174e-1f));
        var p23 = S.FusedMultiplyAdd(S.Create(-1.6668057665e-1f), f, S.Create(2.0000714765e-1f));
        var p45 = S.FusedMultiplyAdd(S.Create(-1.2420140846e-1f), f, S.Create(1.4249322787e-1f));
        var p67 = S.FusedMultiplyAdd(S.Create(-1.1514610310e-1f), f, S.Create(1.1676998740e-1f));
        var q0 = S.FusedMultiplyAdd(p23, z, p01);
        var q1 = S.FusedMultiplyAdd(p67, z, p45);
        return S.FusedMultiplyAdd(S.FusedMultiplyAdd(S.Create(7.0376836292e-2f), z2, q1), z2, q0) * f * z;
    }

    /// <summary>1 where the condition holds, else 0, for masks in vector kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Mask(Vector256<float> condition) => condition & Vector256<float>.One;

    /// <summary>The product of the lanes: the end of a vectorised prod row.</summary>
    public static float ProductAcross(Vector256<float> v) => ProductAcross<Vec8>(v);

    public static float ProductAcross<S>(S v) where S : struct, IVector<S>
    {
        float p = S.Lane(v, 0);
        for (int i = 1; i < S.Count; i++) p *= S.Lane(v, i);
        return p;
    }
}

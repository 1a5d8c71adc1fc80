using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Kiln.Kernels;
using Xunit;

namespace Kiln.Tests;

/// <summary>The runtime's vector eˣ and log x (every generated exp/log/sigmoid/tanh/softplus kernel and the softmax rows use
/// them) against float64 Math.Exp/Math.Log: within 2 ulp over their whole range, subnormals and the IEEE special values.
/// Each at both widths generated kernels run: eight lanes (Vec8) and, where Vector512 is accelerated, sixteen (Vec16).</summary>
public class SimdMathTests
{
    /// <summary>Each form: eight lanes as this machine runs them (AVX-512 where it has it), the portable eight-lane one
    /// other machines run, and sixteen lanes where Vector512 is accelerated.</summary>
    public static TheoryData<string> Forms() => Vector512.IsHardwareAccelerated ? new() { "default", "portable", "wide" } : new() { "default", "portable" };

    /// <summary>The widths generated kernels run here.</summary>
    public static TheoryData<string> Widths() => Vector512.IsHardwareAccelerated ? new() { "default", "wide" } : new() { "default" };

    private static Func<float[], float[]> ExpOf(string form) => form switch
    {
        "portable" => x => Apply<Vec8>(v => Simd.ExpPortable(v), x),
        "wide" => x => Apply<Vec16>(Simd.Exp, x),
        _ => x => Apply<Vec8>(Simd.Exp, x),
    };
    private static Func<float[], float[]> LogOf(string form) => form switch
    {
        "portable" => x => Apply<Vec8>(v => Simd.LogPortable(v), x),
        "wide" => x => Apply<Vec16>(Simd.Log, x),
        _ => x => Apply<Vec8>(Simd.Log, x),
    };

    /// <summary>A generic vector function at the width a form names.</summary>
    private static float[] Apply(string form, Func<Vec8, Vec8> narrow, Func<Vec16, Vec16> wide, float[] x) =>
        form == "wide" ? Apply(wide, x) : Apply(narrow, x);

    private static float[] Apply<S>(Func<S, S> f, float[] x) where S : struct, IVector<S>
    {
        var padded = x.Concat(Enumerable.Repeat(0f, (S.Count - x.Length % S.Count) % S.Count)).ToArray();
        var y = new float[padded.Length];
        for (int i = 0; i < padded.Length; i += S.Count) f(S.Load(ref padded[0], i)).Store(ref y[0], i);
        return y[..x.Length];
    }

    /// <summary>Distance in units in the last place between a float result and the float64 truth.</summary>
    private static double Ulps(float got, double truth)
    {
        if (double.IsNaN(truth)) return float.IsNaN(got) ? 0 : double.PositiveInfinity;
        if (double.IsInfinity(truth) || (float)truth is var t && float.IsInfinity(t)) return got == (float)truth ? 0 : double.PositiveInfinity;
        double ulp = Math.Max(Math.Abs(MathF.BitIncrement((float)truth) - (float)truth), float.Epsilon);
        return Math.Abs(got - truth) / ulp;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Exp_is_within_two_ulp_from_underflow_to_overflow(string form)
    {
        var xs = new List<float>();
        for (double v = -106; v <= 90; v += 0.0137) xs.Add((float)v);
        xs.AddRange([0f, -0f, 1e-8f, -1e-8f, 88.72f, 88.73f, -87.33f, -103.9f, -104f, -150f, 200f, float.MaxValue, float.MinValue]);
        var x = xs.ToArray();
        var y = ExpOf(form)(x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Math.Exp(x[i])) <= 2, $"exp({x[i]:R}) = {y[i]:R}, float64 {Math.Exp(x[i]):R}");
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Exp_of_the_special_values_is_ieee(string form)
    {
        var y = ExpOf(form)([float.NegativeInfinity, float.PositiveInfinity, float.NaN, 0f]);
        Assert.Equal(0f, y[0]);
        Assert.Equal(float.PositiveInfinity, y[1]);
        Assert.True(float.IsNaN(y[2]));
        Assert.Equal(1f, y[3]);
    }

    /// <summary>
    /// eˣ - 1 (ELU, SELU, CELU and expm1's vector form) over its whole range against float64, in ulps of the result: near 0
    /// that is a relative bound far tighter than eˣ's (exp(x) - 1 in float is 6 % off at -1e-6), and the reference is
    /// the series there. -0 keeps its sign (PyTorch's expm1(-0.) is -0.), and past -17.4 the float result is -1.
    /// </summary>
    /// <summary>The forms of eˣ - 1: also sixteen lanes without AVX-512's vscalefps (two exponent-field multiplies).</summary>
    public static TheoryData<string> Expm1Forms()
    {
        var forms = Forms();
        if (Vector512.IsHardwareAccelerated) forms.Add("wide portable");
        return forms;
    }

    [Theory]
    [MemberData(nameof(Expm1Forms))]
    public void Expm1_is_within_two_ulp_from_minus_one_to_overflow(string form)
    {
        Func<float[], float[]> expm1 = form switch
        {
            "portable" => v => Apply<Vec8>(Simd.Expm1Portable, v),
            "wide" => v => Apply<Vec16>(Simd.Expm1, v),
            "wide portable" => v => Apply<Vec16>(Simd.Expm1Portable, v),
            _ => v => Apply<Vec8>(Simd.Expm1, v),
        };
        static double Truth(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;
        var xs = new List<float>();
        for (double v = -40; v <= 90; v += 0.00713) xs.Add((float)v);
        for (double e = -149; e < 0; e += 0.037) { xs.Add((float)Math.Pow(2, e)); xs.Add((float)-Math.Pow(2, e)); }
        xs.AddRange([0f, 0.3466f, -0.3466f, 0.3467f, -0.3467f, 88.72f, 88.73f, -17.4f, -30f, -31f, -1000f, 1000f, float.MaxValue, float.MinValue]);
        var x = xs.ToArray();
        var y = expm1(x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Truth(x[i])) <= 2, $"expm1({x[i]:R}) = {y[i]:R}, float64 {Truth(x[i]):R}");
        var special = expm1([float.NegativeInfinity, float.PositiveInfinity, float.NaN, -0f]);
        Assert.Equal(-1f, special[0]);
        Assert.Equal(float.PositiveInfinity, special[1]);
        Assert.True(float.IsNaN(special[2]));
        Assert.True(special[3] == 0 && float.IsNegative(special[3]), $"expm1(-0) = {special[3]:R}");
    }

    /// <summary>eˣ - 1 below zero as ELU's negative side takes it (no upper clamp, no ±0 select): the same two-ulp bound
    /// over x &lt; 0 at both widths, -∞ gives -1 and NaN stays NaN.</summary>
    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void Expm1_below_zero_is_within_two_ulp(int width)
    {
        if (width == 16 && !Vector512.IsHardwareAccelerated) return;
        Func<float[], float[]> expm1 = width == 16 ? v => Apply<Vec16>(Simd.Expm1BelowZero, v) : v => Apply<Vec8>(Simd.Expm1BelowZero, v);
        static double Truth(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;
        var xs = new List<float>();
        for (double v = -40; v < 0; v += 0.00313) xs.Add((float)v);
        for (double e = -149; e < 0; e += 0.037) xs.Add((float)-Math.Pow(2, e));
        xs.AddRange([-0.3466f, -0.3467f, -17.4f, -30f, -31f, -1000f, float.MinValue, -float.Epsilon]);
        var x = xs.ToArray();
        var y = expm1(x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Truth(x[i])) <= 2, $"expm1({x[i]:R}) = {y[i]:R}, float64 {Truth(x[i]):R}");
        var special = expm1([float.NegativeInfinity, float.NaN]);
        Assert.Equal(-1f, special[0]);
        Assert.True(float.IsNaN(special[1]));
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Log_is_within_two_ulp_from_the_smallest_subnormal_to_the_largest_float(string form)
    {
        var xs = new List<float>();
        for (double e = -149; e < 128; e += 0.0173) xs.Add((float)Math.Pow(2, e));
        for (double v = 0.5; v < 2; v += 0.0001) xs.Add((float)v);   // around 1, where log is smallest relative to its inputs
        xs.AddRange([float.Epsilon, 1.17549435e-38f, 1f, MathF.BitIncrement(1f), MathF.BitDecrement(1f), float.MaxValue]);
        var x = xs.Where(v => v > 0).ToArray();
        var y = LogOf(form)(x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Math.Log(x[i])) <= 2, $"log({x[i]:R}) = {y[i]:R}, float64 {Math.Log(x[i]):R}");
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Log_of_the_special_values_is_ieee(string form)
    {
        var y = LogOf(form)([0f, -0f, -1f, float.NegativeInfinity, float.PositiveInfinity, float.NaN, 1f]);
        Assert.Equal(float.NegativeInfinity, y[0]);
        Assert.Equal(float.NegativeInfinity, y[1]);
        Assert.True(float.IsNaN(y[2]));
        Assert.True(float.IsNaN(y[3]));
        Assert.Equal(float.PositiveInfinity, y[4]);
        Assert.True(float.IsNaN(y[5]));
        Assert.Equal(0f, y[6]);
    }

    /// <summary>log(1 + u) for u in [0, 1], softplus's and log σ's tail, against float64 log1p (u - u²/2 + u³/3 where 1 + u
    /// rounds in float64 too): within 2 ulp, tiny u included (where log(1 + u) in float would give 0).</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Log1p_of_the_unit_interval_is_within_two_ulp(string width)
    {
        var xs = new List<float>();
        for (double v = 0; v <= 1; v += 0.00003) xs.Add((float)v);
        for (double e = -149; e < 0; e += 0.37) xs.Add((float)Math.Pow(2, e));
        xs.AddRange([0f, 1f, 0.41421354f, 0.41421357f, 0.4142136f, MathF.BitDecrement(1f), float.Epsilon]);
        var x = xs.Where(v => v <= 1).ToArray();
        var y = Apply(width, Simd.Log1pUnit, Simd.Log1pUnit, x);
        static double Log1p(double u) => u < 1e-5 ? u - u * u / 2 + u * u * u / 3 : Math.Log(1 + u);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Log1p(x[i])) <= 2, $"log1p({x[i]:R}) = {y[i]:R}, float64 {Log1p(x[i]):R}");
        Assert.True(float.IsNaN(Apply(width, Simd.Log1pUnit, Simd.Log1pUnit, [float.NaN])[0]));
    }

    /// <summary>softplus(x) = log(1 + eˣ) and log σ(x) = -softplus(-x) from -100 to 100 against float64, within 3 ulp; their
    /// limits at ±∞; NaN stays NaN.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Softplus_and_log_sigmoid_are_within_three_ulp(string width)
    {
        var xs = new List<float>();
        for (double v = -100; v <= 100; v += 0.0071) xs.Add((float)v);
        xs.AddRange([0f, -0f, 1e-8f, -1e-8f, 20f, -20f, 88f, -88f, 103f, -103f]);
        var x = xs.ToArray();
        static double Softplus(double v) => Math.Max(v, 0) + (Math.Exp(-Math.Abs(v)) is var e && e < 1e-5 ? e - e * e / 2 : Math.Log(1 + e));
        var sp = Apply(width, Simd.Softplus, Simd.Softplus, x);
        var ls = Apply(width, Simd.LogSigmoid, Simd.LogSigmoid, x);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Ulps(sp[i], Softplus(x[i])) <= 3, $"softplus({x[i]:R}) = {sp[i]:R}, float64 {Softplus(x[i]):R}");
            Assert.True(Ulps(ls[i], -Softplus(-(double)x[i])) <= 3, $"logsigmoid({x[i]:R}) = {ls[i]:R}, float64 {-Softplus(-(double)x[i]):R}");
        }
        var special = Apply(width, Simd.Softplus, Simd.Softplus, [float.PositiveInfinity, float.NegativeInfinity, float.NaN]);
        Assert.Equal(float.PositiveInfinity, special[0]);
        Assert.Equal(0f, special[1]);
        Assert.True(float.IsNaN(special[2]));
    }

    /// <summary>σ(x) = 1/(1 + e⁻ˣ) against float64 from -89 to 100 within 3 ulp (eˣ's 2 and the division's rounding), subnormal results included (PyTorch's float
    /// formula is exact down to -88.72, where e⁻ˣ overflows); below -89.07 a value under σ(-89.07) or 0; the limits at ±∞,
    /// σ(±0) = ½, NaN stays NaN. Each form, the portable one (machines without AVX-512) too.</summary>
    [Theory]
    [MemberData(nameof(Forms))]
    public void Sigmoid_is_within_three_ulp_down_to_its_subnormal_results(string form)
    {
        Func<float[], float[]> sigmoid = form switch
        {
            "portable" => v => Apply<Vec8>(Simd.SigmoidPortable, v),
            "wide" => v => Apply<Vec16>(Simd.Sigmoid, v),
            _ => v => Apply<Vec8>(Simd.Sigmoid, v),
        };
        static double Truth(double v) => v < 0 ? Math.Exp(v) / (1 + Math.Exp(v)) : 1 / (1 + Math.Exp(-v));
        var xs = new List<float>();
        for (double v = -89; v <= 100; v += 0.0093) xs.Add((float)v);
        for (double v = -89; v <= -87; v += 0.0001) xs.Add((float)v);
        xs.AddRange([0f, -0f, 1e-8f, -1e-8f, 1e-30f, 16.6f, 17.4f, -87.33f, -88.37f, -88.72f, -89f]);
        var x = xs.ToArray();
        var y = sigmoid(x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Truth(x[i])) <= 3, $"sigmoid({x[i]:R}) = {y[i]:R}, float64 {Truth(x[i]):R}");
        var far = new List<float>();
        for (double v = -89.07; v >= -120; v -= 0.013) far.Add((float)v);
        var yFar = sigmoid([.. far]);
        for (int i = 0; i < far.Count; i++)
            Assert.True(yFar[i] >= 0f && yFar[i] <= 2.2e-39f && yFar[i] <= (float)Truth(-89.07) * 1.01f, $"sigmoid({far[i]:R}) = {yFar[i]:R}");
        var special = sigmoid([float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -0f]);
        Assert.Equal([1f, 0f], special[..2]);
        Assert.True(float.IsNaN(special[2]));
        Assert.Equal([0.5f, 0.5f], special[3..]);
    }

    /// <summary>tanh against float64 within 2 ulp from -20 to 20 and down to tiny arguments (where 1 - e^(-2|x|) would
    /// cancel: tanh(1e-8) came out 0, tanh(1e-3) 3e-5 off); tanh(9) below 1 (0.99999994, where 1 - 2/(1 + e^18) rounds); ±1
    /// beyond; tanh(±0) = ±0 and tanh(±∞) = ±1; NaN stays NaN.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void Tanh_is_within_three_ulp_near_zero_too(string width)
    {
        var xs = new List<float>();
        for (double v = -20; v <= 20; v += 0.0037) xs.Add((float)v);
        for (double v = 1e-30; v < 1; v *= 1.07) { xs.Add((float)v); xs.Add(-(float)v); }
        xs.AddRange([1e-8f, -1e-8f, 1e-3f, float.Epsilon, 0.625f, -0.625f, 0.62499994f, 9f, -9f, 10f, 50f, -50f, 1e30f]);
        var x = xs.ToArray();
        var y = Apply(width, Simd.Tanh, Simd.Tanh, x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Math.Tanh(x[i])) <= 2, $"tanh({x[i]:R}) = {y[i]:R}, float64 {Math.Tanh(x[i]):R}");
        var special = Apply(width, Simd.Tanh, Simd.Tanh, [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN]);
        Assert.True(special[0] == 0f && !float.IsNegative(special[0]), $"tanh(0) = {special[0]:R}");
        Assert.True(special[1] == 0f && float.IsNegative(special[1]), $"tanh(-0) = {special[1]:R}");
        Assert.Equal([1f, -1f], special[2..4]);
        Assert.True(float.IsNaN(special[4]));
    }

    /// <summary>The scalar softplus and log σ (what ILGPU devices run) against float64 within 3 ulp from -100 to 100: far
    /// from 0 they are e^-|x| or -e^-|x|, which 1 + e^-|x| in float would round away (softplus(-20) came out 0).</summary>
    [Fact]
    public void Scalar_softplus_and_log_sigmoid_keep_their_small_values()
    {
        static double Softplus(double v) => Math.Max(v, 0) + (Math.Exp(-Math.Abs(v)) is var e && e < 1e-5 ? e - e * e / 2 : Math.Log(1 + e));
        for (double v = -100; v <= 100; v += 0.0113)
        {
            float x = (float)v;
            Assert.True(Ulps(Simd.Softplus(x), Softplus(x)) <= 3, $"softplus({x:R}) = {Simd.Softplus(x):R}, float64 {Softplus(x):R}");
            Assert.True(Ulps(Simd.LogSigmoid(x), -Softplus(-(double)x)) <= 3, $"logsigmoid({x:R}) = {Simd.LogSigmoid(x):R}, float64 {-Softplus(-(double)x):R}");
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Kiln.Kernels;
using Xunit;

namespace Kiln.Tests;

/// <summary>The runtime's vector eˣ and log x (every generated exp/log/sigmoid/tanh/softplus kernel and the softmax rows use
/// them) against float64 Math.Exp/Math.Log: within 2 ulp over their whole range, subnormals and the IEEE special values.</summary>
public class SimdMathTests
{
    /// <summary>Each form: the one this machine runs (AVX-512 where it has it) and the portable one other machines run.</summary>
    public static TheoryData<string> Forms() => new() { "default", "portable" };

    /// <summary>The forms of eˣ: also the sixteen-lane one the row kernels use where Vector512 is accelerated (here, lanes 0-7 of it).</summary>
    public static TheoryData<string> ExpForms() => Vector512.IsHardwareAccelerated ? new() { "default", "portable", "wide" } : Forms();

    private static Func<Vector256<float>, Vector256<float>> ExpOf(string form) => form switch
    {
        "portable" => Simd.ExpPortable,
        "wide" => x => Simd.Exp(Vector512.Create(x, x)).GetLower(),
        _ => Simd.Exp,
    };
    private static Func<Vector256<float>, Vector256<float>> LogOf(string form) => form == "portable" ? Simd.LogPortable : Simd.Log;

    private static float[] Apply(Func<Vector256<float>, Vector256<float>> f, float[] x)
    {
        var padded = x.Concat(Enumerable.Repeat(0f, (8 - x.Length % 8) % 8)).ToArray();
        var y = new float[padded.Length];
        for (int i = 0; i < padded.Length; i += 8) f(Vector256.Create(padded.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
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
    [MemberData(nameof(ExpForms))]
    public void Exp_is_within_two_ulp_from_underflow_to_overflow(string form)
    {
        var xs = new List<float>();
        for (double v = -106; v <= 90; v += 0.0137) xs.Add((float)v);
        xs.AddRange([0f, -0f, 1e-8f, -1e-8f, 88.72f, 88.73f, -87.33f, -103.9f, -104f, -150f, 200f, float.MaxValue, float.MinValue]);
        var x = xs.ToArray();
        var y = Apply(ExpOf(form), x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Math.Exp(x[i])) <= 2, $"exp({x[i]:R}) = {y[i]:R}, float64 {Math.Exp(x[i]):R}");
    }

    [Theory]
    [MemberData(nameof(ExpForms))]
    public void Exp_of_the_special_values_is_ieee(string form)
    {
        var y = Apply(ExpOf(form), [float.NegativeInfinity, float.PositiveInfinity, float.NaN, 0f]);
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
    [Theory]
    [MemberData(nameof(Forms))]
    public void Expm1_is_within_two_ulp_from_minus_one_to_overflow(string form)
    {
        static double Truth(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;
        var xs = new List<float>();
        for (double v = -40; v <= 90; v += 0.00713) xs.Add((float)v);
        for (double e = -149; e < 0; e += 0.037) { xs.Add((float)Math.Pow(2, e)); xs.Add((float)-Math.Pow(2, e)); }
        xs.AddRange([0f, 0.3466f, -0.3466f, 0.3467f, -0.3467f, 88.72f, 88.73f, -17.4f, -30f, -31f, -1000f, 1000f, float.MaxValue, float.MinValue]);
        var x = xs.ToArray();
        var y = Apply(form == "portable" ? Simd.Expm1Portable : Simd.Expm1, x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Truth(x[i])) <= 2, $"expm1({x[i]:R}) = {y[i]:R}, float64 {Truth(x[i]):R}");
        var special = Apply(form == "portable" ? Simd.Expm1Portable : Simd.Expm1, [float.NegativeInfinity, float.PositiveInfinity, float.NaN, -0f]);
        Assert.Equal(-1f, special[0]);
        Assert.Equal(float.PositiveInfinity, special[1]);
        Assert.True(float.IsNaN(special[2]));
        Assert.True(special[3] == 0 && float.IsNegative(special[3]), $"expm1(-0) = {special[3]:R}");
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
        var y = Apply(LogOf(form), x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Math.Log(x[i])) <= 2, $"log({x[i]:R}) = {y[i]:R}, float64 {Math.Log(x[i]):R}");
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Log_of_the_special_values_is_ieee(string form)
    {
        var y = Apply(LogOf(form), [0f, -0f, -1f, float.NegativeInfinity, float.PositiveInfinity, float.NaN, 1f]);
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
    [Fact]
    public void Log1p_of_the_unit_interval_is_within_two_ulp()
    {
        var xs = new List<float>();
        for (double v = 0; v <= 1; v += 0.00003) xs.Add((float)v);
        for (double e = -149; e < 0; e += 0.37) xs.Add((float)Math.Pow(2, e));
        xs.AddRange([0f, 1f, 0.41421354f, 0.41421357f, 0.4142136f, MathF.BitDecrement(1f), float.Epsilon]);
        var x = xs.Where(v => v <= 1).ToArray();
        var y = Apply(Simd.Log1pUnit, x);
        static double Log1p(double u) => u < 1e-5 ? u - u * u / 2 + u * u * u / 3 : Math.Log(1 + u);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Log1p(x[i])) <= 2, $"log1p({x[i]:R}) = {y[i]:R}, float64 {Log1p(x[i]):R}");
        Assert.True(float.IsNaN(Apply(Simd.Log1pUnit, [float.NaN])[0]));
    }

    /// <summary>softplus(x) = log(1 + eˣ) and log σ(x) = -softplus(-x) from -100 to 100 against float64, within 3 ulp; their
    /// limits at ±∞; NaN stays NaN.</summary>
    [Fact]
    public void Softplus_and_log_sigmoid_are_within_three_ulp()
    {
        var xs = new List<float>();
        for (double v = -100; v <= 100; v += 0.0071) xs.Add((float)v);
        xs.AddRange([0f, -0f, 1e-8f, -1e-8f, 20f, -20f, 88f, -88f, 103f, -103f]);
        var x = xs.ToArray();
        static double Softplus(double v) => Math.Max(v, 0) + (Math.Exp(-Math.Abs(v)) is var e && e < 1e-5 ? e - e * e / 2 : Math.Log(1 + e));
        var sp = Apply(Simd.Softplus, x);
        var ls = Apply(Simd.LogSigmoid, x);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Ulps(sp[i], Softplus(x[i])) <= 3, $"softplus({x[i]:R}) = {sp[i]:R}, float64 {Softplus(x[i]):R}");
            Assert.True(Ulps(ls[i], -Softplus(-(double)x[i])) <= 3, $"logsigmoid({x[i]:R}) = {ls[i]:R}, float64 {-Softplus(-(double)x[i]):R}");
        }
        var special = Apply(Simd.Softplus, [float.PositiveInfinity, float.NegativeInfinity, float.NaN]);
        Assert.Equal(float.PositiveInfinity, special[0]);
        Assert.Equal(0f, special[1]);
        Assert.True(float.IsNaN(special[2]));
    }
}

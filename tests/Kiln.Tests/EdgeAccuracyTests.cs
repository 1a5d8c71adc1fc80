using System;
using System.Linq;
using Kiln.Kernels;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Values where a direct float formula cancels, overflows or loses a sign, against float64 written from PyTorch's
/// definitions (and the values libtorch 2.10 gives, where PyTorch specializes): binary cross-entropy's log(1 - p) as
/// log1p(-p); hardsigmoid as (x + 3)/6; log1p(+∞); erf(-0); σ's subnormal values in the scalar form ILGPU runs, and
/// mish's gradient through them; eager pow's specializations (√-0 = -0). Each was wrong before (an accuracy audit).
/// </summary>
public class EdgeAccuracyTests
{
    private static double Ulps(float got, double truth)
    {
        if (double.IsNaN(truth)) return float.IsNaN(got) ? 0 : double.PositiveInfinity;
        if ((float)truth is var t && float.IsInfinity(t)) return got == t ? 0 : double.PositiveInfinity;
        double ulp = Math.Max(Math.Abs(MathF.BitIncrement(t) - t), float.Epsilon);
        return Math.Abs(got - truth) / ulp;
    }

    private static double Log1p(double x) => Math.Abs(x) < 1e-4 ? x - x * x / 2 + x * x * x / 3 : Math.Log(1 + x);

    public static TheoryData<string> Devices() => new() { "managed", "ilgpu-cpu" };

    private static Device Open(string kind) => kind == "managed" ? Device.ManagedCpu() : Device.IlgpuCpu();

    /// <summary>BCE(p, 0) = -log(1 - p) = -log1p(-p): 1e-8 gave -0, 1e-6 was 1.3 % off. Plans on both devices and eager.</summary>
    [Theory]
    [MemberData(nameof(Devices))]
    public void Bce_of_small_probabilities_keeps_log1p_precision(string device)
    {
        float[] p = [1e-8f, 1e-6f, 1e-3f, 0.01f, 0.2f, 0.29f, 0.3f, 0.5f, 0.9f, 0.999f];
        var y = new float[p.Length];
        using var dev = Open(device);
        var plan = new EdgeAccuracy(dev).CompileBce(p.Length).Run(p, y);
        var eager = Losses.BinaryCrossEntropy(Tensor.From(p), Tensor.From(y), reduction: Reduction.None).ToArray();
        for (int i = 0; i < p.Length; i++)
        {
            double truth = -Log1p(-(double)p[i]);
            Assert.True(Ulps(plan[i], truth) <= 3, $"plan BCE({p[i]:R}, 0) = {plan[i]:R}, float64 {truth:R}");
            Assert.True(Ulps(eager[i], truth) <= 3, $"eager BCE({p[i]:R}, 0) = {eager[i]:R}, float64 {truth:R}");
        }
    }

    /// <summary>hardsigmoid(x) = clamp((x + 3)/6, 0, 1): x/6 + 1/2 left 2.8e6 ulp near -3.</summary>
    [Theory]
    [MemberData(nameof(Devices))]
    public void Hardsigmoid_near_minus_three_is_exact_to_rounding(string device)
    {
        float[] x = [-2.9999998f, -2.9999995f, -2.99f, -2.82f, -1f, 0f, 2.5f, 3f, 4f];
        using var dev = Open(device);
        var plan = new EdgeAccuracy(dev).CompileHardSigmoid(x.Length).Run(x);
        var eager = Ops.Hardsigmoid(Tensor.From(x)).ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            double truth = Math.Clamp(((double)x[i] + 3) / 6, 0, 1);
            Assert.True(Ulps(plan[i], truth) <= 1, $"plan hardsigmoid({x[i]:R}) = {plan[i]:R}, float64 {truth:R}");
            Assert.True(Ulps(eager[i], truth) <= 1, $"eager hardsigmoid({x[i]:R}) = {eager[i]:R}, float64 {truth:R}");
        }
    }

    /// <summary>mish'(x) = tanh(sp) + x·sech²(sp)·σ(x), sp = softplus(x): about e^x·(1 + x) for very negative x, negative
    /// below -1; with σ(x) flushed to 0 past -88.72 it came out positive (+2.1e-39 for -1.87e-37 at x = -89.05). SiLU's
    /// gradient there too. Against float64 of the definitions; plans on both devices.</summary>
    [Theory]
    [MemberData(nameof(Devices))]
    public void Mish_and_silu_gradients_keep_their_sign_where_sigmoid_is_subnormal(string device)
    {
        float[] x = [-89.05f, -88.9f, -88f, -80f, -20f, -2f];
        using var dev = Open(device);
        var m = new EdgeAccuracy(dev);
        var mish = m.CompileMishSum(x.Length);
        mish.ForwardBackward(x);
        var gm = mish.InputGrad("x");
        var silu = m.CompileSiluSum(x.Length);
        silu.ForwardBackward(x);
        var gs = silu.InputGrad("x");
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i], s = Math.Exp(v) / (1 + Math.Exp(v)), sp = Log1p(Math.Exp(v)), t = Math.Tanh(sp);
            double mishGrad = t + v * (1 - t * t) * s, siluGrad = s * (1 + v * (1 - s));
            Assert.True(Math.Sign(gm[i]) == Math.Sign(mishGrad) && Math.Abs(gm[i] - mishGrad) <= 1e-5 * Math.Abs(mishGrad) + 1e-44,
                $"mish'({v:R}) = {gm[i]:R}, float64 {mishGrad:R}");
            Assert.True(Math.Sign(gs[i]) == Math.Sign(siluGrad) && Math.Abs(gs[i] - siluGrad) <= 1e-5 * Math.Abs(siluGrad) + 1e-44,
                $"silu'({v:R}) = {gs[i]:R}, float64 {siluGrad:R}");
        }
    }

    /// <summary>The scalar σ (ILGPU's form) keeps its subnormal values down to -103 and is exact to rounding elsewhere.</summary>
    [Fact]
    public void Scalar_sigmoid_keeps_its_subnormal_values()
    {
        for (double v = -103; v <= 30; v += 0.0173)
        {
            float x = (float)v;
            double truth = x < 0 ? Math.Exp(x) / (1 + Math.Exp(x)) : 1 / (1 + Math.Exp(-(double)x));
            Assert.True(Ulps(Simd.Sigmoid(x), truth) <= 2, $"sigmoid({x:R}) = {Simd.Sigmoid(x):R}, float64 {truth:R}");
        }
        Assert.Equal([0f, 1f, 0.5f, 0.5f], new[] { float.NegativeInfinity, float.PositiveInfinity, 0f, -0f }.Select(Simd.Sigmoid));
        Assert.True(float.IsNaN(Simd.Sigmoid(float.NaN)));
    }

    /// <summary>log1p(+∞) = +∞ (the correction made it ∞·∞/∞ = NaN), and softplus with a threshold above 88.7 through it;
    /// erf(-0) = -0.</summary>
    [Fact]
    public void Log1p_of_infinity_and_erf_of_negative_zero()
    {
        Assert.Equal(float.PositiveInfinity, Simd.Log1p(float.PositiveInfinity));
        Assert.Equal(float.PositiveInfinity, Tensor.From([float.PositiveInfinity]).Log1p().ToArray()[0]);
        Assert.Equal(-1f, Simd.Log1p(-1f) is var l && float.IsNegativeInfinity(l) ? -1f : l);
        // softplus(x; β, threshold) = log(1 + e^(βx))/β where βx ≤ threshold: e^(0.5·200) overflows float, so PyTorch's
        // float formula gives +∞ there, as Kiln now does (NaN before)
        Assert.Equal(float.PositiveInfinity, Ops.Softplus(Tensor.From([200f]), beta: 0.5f, threshold: 100f).ToArray()[0]);
        Assert.True(float.IsNegative(Simd.Erf(-0f)) && Simd.Erf(-0f) == 0f);
        Assert.True(!float.IsNegative(Simd.Erf(0f)));
        Assert.True(float.IsNegative(Tensor.From([-0f]).Erf().ToArray()[0]));
    }

    /// <summary>Eager pow with the exponents PyTorch specializes (as the plans' constant-power rewrite): √-0 = -0,
    /// (-∞)^½ = NaN, (-0)^-½ = -∞, x⁰ = 1 for NaN too; MathF.Pow gave +0, +∞, +∞.</summary>
    [Fact]
    public void Eager_pow_follows_pytorch_specializations()
    {
        var x = Tensor.From([-0f, float.NegativeInfinity, 4f, float.NaN]);
        var half = x.Pow(0.5f).ToArray();
        Assert.True(half[0] == 0f && float.IsNegative(half[0]), $"(-0)^0.5 = {half[0]:R}");
        Assert.True(float.IsNaN(half[1]));
        Assert.Equal(2f, half[2]);
        Assert.Equal(float.NegativeInfinity, x.Pow(-0.5f).ToArray()[0]);
        Assert.Equal([1f, 1f, 1f, 1f], x.Pow(0f).ToArray());
        Assert.Equal([0f, float.PositiveInfinity, 64f], Tensor.From([0f, float.NegativeInfinity, 4f]).Pow(3f).Abs().ToArray());
        Assert.Equal(256f, Tensor.From([4f]).Pow(4f).ToArray()[0]);
        Assert.Equal(0.25f, Tensor.From([4f]).Pow(-1f).ToArray()[0]);
        Assert.Equal(8f, Tensor.From([4f]).Pow(1.5f).ToArray()[0]);
    }

    /// <summary>erfc(z) for z ≥ 2 by its continued fraction, e^(-z²)/√π · 1/(z + ½/(z + 1/(z + 3/2/(z + …)))), bottom-up.</summary>
    private static double ErfcTail(double z)
    {
        double k = 0;
        for (int n = 80; n >= 1; n--) k = n / 2.0 / (z + k);
        return Math.Exp(-z * z) / Math.Sqrt(Math.PI) / (z + k);
    }

    /// <summary>GELU(x) = x·Φ(x) and its gradient Φ(x) + x·φ(x) in the far left tail, where Φ(x) = erfc(-x/√2)/2 is tiny:
    /// 1 + erf(x/√2) cancelled (GELU(-6.19) was -0 for -1.86e-9; PyTorch's float formula does the same). Within 4 ulp
    /// down to x = -12, against the continued fraction of erfc; the scalar form ILGPU and the managed plans both run.</summary>
    [Fact]
    public void Gelu_keeps_its_small_values_in_the_left_tail()
    {
        for (double v = -12; v <= -3; v += 0.0107)
        {
            float x = (float)v;
            double phi = 0.5 * ErfcTail(-x / Math.Sqrt(2)), density = Math.Exp(-0.5 * x * (double)x) / Math.Sqrt(2 * Math.PI);
            double gelu = x * phi, grad = phi + x * density;
            Assert.True(Ulps(Simd.Gelu(x), gelu) <= 4, $"gelu({x:R}) = {Simd.Gelu(x):R}, float64 {gelu:R}");
            Assert.True(Math.Abs(Simd.GeluDerivative(x) - grad) <= 1e-6 * Math.Abs(x * density), $"gelu'({x:R}) = {Simd.GeluDerivative(x):R}, float64 {grad:R}");
        }
        Assert.True(float.IsNegative(Simd.Gelu(-0f)) || Simd.Gelu(-0f) == 0f);
        Assert.Equal(0.5f, Simd.GeluDerivative(0f), 6);
    }

    /// <summary>GELU's tanh form x(1 + tanh u)/2, u = √(2/π)(x + 0.044715x³), and its gradient (1 + t)/2 + x(1 - t²)u′/2,
    /// against float64 over [-6, 6] within 4 ulp, more only as far as float's rounding of u itself moves σ(2u) on the left
    /// (1 + tanh u cancelled near -1: 5 ulp at -1.45; its gradient 69 ulp at -3.12). Both are written as σ(2u) now.</summary>
    [Fact]
    public void Gelu_tanh_and_its_gradient_do_not_cancel()
    {
        for (double v = -6; v <= 6; v += 0.0031)
        {
            float x = (float)v;
            double k = Math.Sqrt(2 / Math.PI), u = k * (x + 0.044715 * x * (double)x * x), du = k * (1 + 3 * 0.044715 * x * (double)x);
            double s = 1 / (1 + Math.Exp(-2 * u)), sm = 1 / (1 + Math.Exp(2 * u));   // (1 + tanh u)/2 and (1 - tanh u)/2
            double value = x * s, grad = s + x * s * sm * 2 * du;
            // 2u itself is rounded in float (a few 6e-8 of it): σ(2u) far left moves by |2u| times that, relatively
            double conditioning = 1 + Math.Abs(2 * u) * sm * 3;
            Assert.True(Ulps(Simd.GeluTanh(x), value) <= 4 * conditioning, $"gelu_tanh({x:R}) = {Simd.GeluTanh(x):R}, float64 {value:R}");
            Assert.True(Ulps(Simd.GeluTanhDerivative(x), grad) <= 8 * conditioning || Math.Abs(Simd.GeluTanhDerivative(x) - grad) <= 1e-7 * conditioning * Math.Abs(x * s * sm * 2 * du),
                $"gelu_tanh'({x:R}) = {Simd.GeluTanhDerivative(x):R}, float64 {grad:R}");
        }
    }
}

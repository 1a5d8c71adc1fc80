using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Gradients with respect to inputs marked [RequiresGrad] (issue 8), as torch.autograd.grad: against seed 003's program
/// (d mse(x @ w, y) / d w has shape [64, 1], checked against the closed form 2/N · xᵀ(xw − y) in float64), against
/// central differences of the test-owned float64 reference, on both backends; written afresh each run, not accumulated.
/// </summary>
public class InputGradTests
{
    private static float[] Rand(SeededRandom rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextFloat()).ToArray();

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Seed_003_autograd_grad_of_mse_with_respect_to_w(string deviceName)
    {
        using var device = Device.Create(deviceName);
        var m = new InputGrads(device);
        var rng = new SeededRandom(3);
        float[] x = Rand(rng, 100 * 64), w = Rand(rng, 64), y = Rand(rng, 100);   // torch.rand(100,64), (64,1), (100,1)
        var plan = m.CompileRegression();
        plan.ForwardBackward(x, w, y);
        float[] grad = plan.InputGrad("w");
        Assert.Equal(64, grad.Length);                                       // grads[0].shape == torch.Size([64, 1])
        // F.mse_loss(x@w, y) = Σ(xw − y)² / 100, so d/dw = 2/100 · xᵀ(xw − y)
        var residual = Enumerable.Range(0, 100).Select(i => Enumerable.Range(0, 64).Sum(k => (double)x[i * 64 + k] * w[k]) - y[i]).ToArray();
        for (int k = 0; k < 64; k++)
        {
            double expected = 2.0 / 100 * Enumerable.Range(0, 100).Sum(i => x[i * 64 + k] * residual[i]);
            Assert.True(Math.Abs(expected - grad[k]) <= 2e-6 * Math.Abs(expected), $"w[{k}]: {grad[k]} vs {expected}");
        }
        // returned, not accumulated: a second run gives the same gradient, and the parameters' gradients are still added to
        plan.ForwardBackward(x, w, y);
        Assert.All(plan.InputGrad("w").Zip(grad), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-6 * Math.Abs(p.Second)));
    }

    [Fact]
    public void Input_gradients_match_central_differences_of_the_float64_reference()
    {
        using var device = Device.ManagedCpu();
        var m = new InputGrads(device, seed: 4);
        var plan = m.CompileMixed();
        var rng = new SeededRandom(9);
        float[] x = Rand(rng, 6).Select(v => v * 2 - 1).ToArray(), unused = Rand(rng, 6);
        const float pw = 1.3f;
        plan.ForwardBackward(x, unused, pw);
        var parameters = new Dictionary<string, RefTensor> { ["a"] = new RefTensor([3], m.Parameters.Get("a").Select(v => (double)v).ToArray()) };
        double Loss(double[] xs, double[] us, double p) => ReferenceCases.Evaluate("InputGrads", "Mixed", new Dictionary<string, RefTensor>
        {
            ["x"] = new RefTensor([2, 3], xs), ["unused"] = new RefTensor([2, 3], us), ["pw"] = RefTensor.Scalar(p),
        }, parameters).Data[0];
        double[] xd = x.Select(v => (double)v).ToArray(), ud = unused.Select(v => (double)v).ToArray();
        const double h = 1e-6;
        double[] Numeric(double[] at, Func<double[], double> f) => at.Select((_, i) =>
        {
            var up = (double[])at.Clone(); up[i] += h;
            var down = (double[])at.Clone(); down[i] -= h;
            return (f(up) - f(down)) / (2 * h);
        }).ToArray();
        var dx = Numeric(xd, v => Loss(v, ud, pw));
        Assert.All(plan.InputGrad("x").Zip(dx), p => Assert.Equal(p.Second, p.First, 4));
        // detached: no gradient reaches 'unused' (zeros of its shape, as autograd.grad with allow_unused gives None → 0)
        Assert.All(plan.InputGrad("unused"), v => Assert.Equal(0f, v));
        double dp = (Loss(xd, ud, pw + h) - Loss(xd, ud, pw - h)) / (2 * h);
        Assert.Equal(dp, plan.InputGrad("pw")[0], 4);
    }

    [Fact]
    public void Reading_an_input_gradient_needs_a_backward_run_and_a_marked_input()
    {
        using var device = Device.ManagedCpu();
        var m = new InputGrads(device);
        var plan = m.CompileMixed();
        var x = new float[6];
        Assert.Contains("call ForwardBackward first", Assert.Throws<InvalidOperationException>(() => plan.InputGrad("x")).Message);
        plan.Forward(x, x, 1f);
        Assert.Contains("call ForwardBackward first", Assert.Throws<InvalidOperationException>(() => plan.InputGrad("x")).Message);
        plan.ForwardBackward(x, x, 1f);
        Assert.Contains("mark the input [RequiresGrad]", Assert.Throws<ArgumentException>(() => plan.InputGrad("b")).Message);
        // a parameter's gradient is in the model's block: the message says where, not to mark it [RequiresGrad]
        Assert.Contains("'a' is a parameter: its gradient is in the model's block, model.Parameters.Grad(\"a\")", Assert.Throws<ArgumentException>(() => plan.InputGrad("a")).Message);
        Assert.Contains("has 6 values", Assert.Throws<ArgumentException>(() => plan.InputGrad("x", new float[5])).Message);
        Assert.Contains("The gradient of 'x' has 6 values; the destination holds 5", Assert.Throws<ArgumentException>(() => plan.InputGrad("x", new float[5])).Message);
        var into = new float[6];
        plan.InputGrad("x", into);
        long before = GC.GetAllocatedBytesForCurrentThread();
        plan.InputGrad("x", into);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);   // no message made on the way
    }

    [Theory]
    [InlineData("[Forward] public Tensor F([RequiresGrad, Shape(3)] Tensor [|x|]) => x * w;", "forward plan has no backward")]
    [InlineData("[Loss] public Tensor L([Shape(3)] Tensor x, [RequiresGrad, Shape(3)] IntTensor [|t|]) => (x * w).Sum();", "indices")]
    public void RequiresGrad_where_no_gradient_exists_is_KLN0007(string marked, string reason) =>
        MarkedSource.SingleAt("using Kiln; using static Kiln.Ops;\n[Model] public partial class M { [Param(3)] Tensor w; " + marked + " }", "KLN0007", reason);
}

using System;
using System.Linq;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// clip_grad_norm_ and clip_grad_value_ against a float64 reference written from PyTorch's documentation: the total norm
/// is the norm_type-norm of the parameters' gradient norms (the largest magnitude for inf), each gradient is multiplied
/// by min(1, max_norm / (total + 1e-6)); clip_grad_value_ clamps to [-clip_value, clip_value]. Both paths.
/// </summary>
public class GradientClippingTests
{
    private static readonly ParameterInfo[] Layout =
    [
        new("fc.weight", [2, 3], 0, 3, Init.Default),
        new("fc.bias", [2], 6, 3, Init.Default),
        new("out.weight", [1, 2], 8, 2, Init.Default),
    ];

    private static readonly float[] Grads = [0.5f, -1.25f, 2f, 0.75f, -3f, 0.125f, 1.5f, -0.5f, 4f, -2.5f];

    private static ModelState State(Device device)
    {
        var state = new ModelState(device, Layout, seed: 1);
        state.Gradients.CopyFrom(Grads);
        return state;
    }

    /// <summary>The reference: per-parameter p-norms, their p-norm, and the clipped gradients, in double.</summary>
    private static (double Total, double[] Clipped) Reference(double maxNorm, double p, string[] names)
    {
        double Norm(double[] v) => double.IsPositiveInfinity(p) ? v.Max(Math.Abs) : Math.Pow(v.Sum(x => Math.Pow(Math.Abs(x), p)), 1 / p);
        var chosen = Layout.Where(l => names.Contains(l.Name)).ToArray();
        double total = Norm(chosen.Select(l => Norm(Grads.Skip(l.Offset).Take(l.Count).Select(x => (double)x).ToArray())).ToArray());
        double coefficient = Math.Min(maxNorm / (total + 1e-6), 1);
        var clipped = Grads.Select((g, i) => chosen.Any(l => i >= l.Offset && i < l.Offset + l.Count) ? g * coefficient : g).ToArray();
        return (total, clipped);
    }

    [Theory]
    [InlineData("managed", 1.0, 2.0)]
    [InlineData("managed", 3.0, 1.0)]
    [InlineData("managed", 2.0, double.PositiveInfinity)]
    [InlineData("managed", 1.5, 3.0)]
    [InlineData("managed", 100.0, 2.0)]   // under the limit: unchanged (times 1)
    [InlineData("ilgpu", 1.0, 2.0)]
    [InlineData("ilgpu", 2.0, double.PositiveInfinity)]
    public void Clip_grad_norm_scales_every_gradient_by_the_total_norm(string path, double maxNorm, double normType)
    {
        using var device = path == "managed" ? Device.ManagedCpu() : Device.IlgpuCpu();
        using var state = State(device);
        float total = state.ClipGradNorm(maxNorm, normType);
        var (expectedTotal, expected) = Reference(maxNorm, normType, Layout.Select(l => l.Name).ToArray());
        Assert.Equal(expectedTotal, total, 1e-5 * expectedTotal);
        var clipped = Layout.SelectMany(l => state.Grad(l.Name)).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], clipped[i], 1e-6 * Math.Max(1, Math.Abs(expected[i])));
        if (maxNorm >= 100) Assert.Equal(Grads, clipped);
    }

    [Fact]
    public void Clip_grad_norm_of_some_parameters_leaves_the_others()
    {
        using var device = Device.ManagedCpu();
        using var state = State(device);
        string[] names = ["fc.weight", "out.weight"];
        float total = state.ClipGradNorm(1.0, names: names);
        var (expectedTotal, expected) = Reference(1.0, 2.0, names);
        Assert.Equal(expectedTotal, total, 1e-5 * expectedTotal);
        Assert.Equal(Grads[6..8], state.Grad("fc.bias"));
        Assert.Equal(expected[8], state.Grad("out.weight")[0], 1e-6);
    }

    [Fact]
    public void A_non_finite_total_norm_throws_when_asked_and_bad_norm_types_are_refused()
    {
        using var device = Device.ManagedCpu();
        using var state = State(device);
        state.Gradients.CopyFrom([float.NaN], 3);
        var e = Assert.Throws<InvalidOperationException>(() => state.ClipGradNorm(1.0, errorIfNonfinite: true));
        Assert.Contains("non-finite", e.Message);
        // nothing scaled: the check comes first
        Assert.True(float.IsNaN(state.Grad("fc.weight")[3]));
        Assert.Equal(Grads[0], state.Grad("fc.weight")[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.ClipGradNorm(1.0, normType: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => state.ClipGradNorm(1.0, normType: double.NegativeInfinity));
        Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => state.ClipGradNorm(1.0, names: ["fc.wieght"]));
    }

    [Theory]
    [InlineData("managed")]
    [InlineData("ilgpu")]
    public void Clip_grad_value_clamps_each_gradient(string path)
    {
        using var device = path == "managed" ? Device.ManagedCpu() : Device.IlgpuCpu();
        using var state = State(device);
        state.ClipGradValue(1.0);
        Assert.Equal(Grads.Select(g => Math.Clamp(g, -1f, 1f)), Layout.SelectMany(l => state.Grad(l.Name)));
        using var other = State(device);
        other.ClipGradValue(0.5, names: ["fc.bias"]);
        Assert.Equal(Grads[..6], other.Grad("fc.weight"));
        Assert.Equal([0.5f, -0.5f], other.Grad("fc.bias"));
    }
}

using System;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>torch.optim.SGD's documented rule, checked against the published step and an independent float64 implementation.</summary>
public class SgdTests
{
    public static TheoryData<string> Devices() => new() { "cpu", "ilgpu-cpu" };

    [Theory]
    [MemberData(nameof(Devices))]
    public void Published_step_of_seed_004(string device)
    {
        using var d = Device.Create(device);
        var m = new SumOfWeights(d);
        m.Parameters.Set("weight", [0.6614f, 0.2669f, 0.0617f, 0.6213f]);
        using var step = m.CompileLoss();
        var opt = new Sgd(m.Parameters, lr: 0.1f);
        opt.ZeroGrad();
        step.ForwardBackward();
        Assert.All(m.Parameters.Grad("weight"), g => Assert.Equal(1f, g));
        opt.Step();
        float[] expected = [0.5614f, 0.1669f, -0.0383f, 0.5213f];
        var actual = m.Parameters.Get("weight");
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    /// <summary>The documented update, in float64: g += wd·p; b = g (first) or μb + (1-τ)g; g = g + μb (nesterov) or b; p -= lr·g.</summary>
    private static double[] Reference(double[] p, double[] r, int steps, double lr, double mu, double damp, double wd, bool nesterov, bool maximize)
    {
        p = (double[])p.Clone();
        var buf = new double[p.Length];
        for (int s = 0; s < steps; s++)
            for (int i = 0; i < p.Length; i++)
            {
                double g = 2 * p[i] * r[i];
                if (maximize) g = -g;
                g += wd * p[i];
                if (mu != 0)
                {
                    buf[i] = s == 0 ? g : mu * buf[i] + (1 - damp) * g;
                    g = nesterov ? g + mu * buf[i] : buf[i];
                }
                p[i] -= lr * g;
            }
        return p;
    }

    [Theory]
    [InlineData("cpu", 0.1f, 0f, 0f, 0f, false, false)]
    [InlineData("cpu", 0.05f, 0.9f, 0f, 0f, false, false)]
    [InlineData("cpu", 0.05f, 0.9f, 0.3f, 0.01f, false, false)]
    [InlineData("cpu", 0.05f, 0.8f, 0f, 0.1f, true, false)]
    [InlineData("cpu", 0.02f, 0.5f, 0f, 0f, false, true)]
    [InlineData("ilgpu-cpu", 0.05f, 0.9f, 0.3f, 0.01f, false, false)]
    [InlineData("ilgpu-cpu", 0.05f, 0.8f, 0f, 0.1f, true, false)]
    public void Trajectory_matches_the_documented_rule(string device, float lr, float momentum, float dampening, float weightDecay, bool nesterov, bool maximize)
    {
        using var d = Device.Create(device);
        var m = new Quadratic(d, seed: 4);
        using var step = m.CompileLoss();
        var rng = new SeededRandom(9);
        var r = Enumerable.Range(0, 6).Select(_ => rng.Uniform(0.2f, 1.5f)).ToArray();
        var p0 = m.Parameters.Get("w").Select(x => (double)x).ToArray();
        var opt = new Sgd(m.Parameters, lr, momentum, dampening, weightDecay, nesterov, maximize);
        for (int s = 0; s < 8; s++)
        {
            opt.ZeroGrad();
            step.ForwardBackward(r);
            opt.Step();
        }
        var expected = Reference(p0, r.Select(x => (double)x).ToArray(), 8, lr, momentum, dampening, weightDecay, nesterov, maximize);
        var actual = m.Parameters.Get("w");
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5 * (1 + Math.Abs(expected[i])), $"w[{i}]: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Invalid_hyper_parameters_are_rejected_as_pytorch_does()
    {
        using var d = Device.ManagedCpu();
        var m = new SumOfWeights(d);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(m.Parameters, lr: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(m.Parameters, lr: 0.1f, momentum: -0.5f));
        Assert.Throws<ArgumentException>(() => new Sgd(m.Parameters, lr: 0.1f, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd(m.Parameters, lr: 0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true));
    }
}

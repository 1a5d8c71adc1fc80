extern alias demos;
using System;
using System.Linq;
using Xunit;
using Demos = demos::Samples.Optimizers.Demos;

namespace Kiln.Tests;

/// <summary>Seed 004's optimizer demos against their closed forms.</summary>
public class OptimizerDemoTests
{
    [Theory]
    [InlineData(0.01f)]
    [InlineData(0.05f)]
    [InlineData(0.1f)]
    [InlineData(0.2f)]
    [InlineData(0.3f)]
    public void Gradient_descent_on_4x2_follows_x_t_equals_2_times_1_minus_8lr_to_the_t(float lr)
    {
        using var d = Device.ManagedCpu();
        var xs = Demos.GradientDescent(d, lr, 20);
        for (int t = 1; t <= 20; t++)
        {
            double expected = 2 * Math.Pow(1 - 8.0 * lr, t);
            Assert.True(Math.Abs(xs[t - 1] - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"lr {lr}, step {t}: {xs[t - 1]} vs {expected}");
        }
        Assert.Equal(lr > 0.25f, Math.Abs(xs[^1]) > 2);
    }

    [Fact]
    public void Momentum_follows_the_heavy_ball_recurrence()
    {
        using var d = Device.ManagedCpu();
        var xs = Demos.GradientDescent(d, 0.01f, 40, momentum: 0.9f);
        double x = 2, v = 0;
        for (int t = 0; t < 40; t++)
        {
            double g = 8 * x;
            v = t == 0 ? g : 0.9 * v + g;
            x -= 0.01 * v;
            Assert.True(Math.Abs(xs[t] - x) < 1e-5, $"step {t + 1}: {xs[t]} vs {x}");
        }
    }

    [Fact]
    public void Ewa_weights_are_one_minus_beta_times_beta_to_the_t()
    {
        var w = Demos.EwaWeights(0.9, 200);
        Assert.Equal(0.1, w[0], 12);
        Assert.Equal(0.1 * Math.Pow(0.9, 10), w[10], 12);
        Assert.Equal(1.0, w.Sum(), 6);
    }

    [Fact]
    public void Every_optimizer_finds_a_minimum_of_himmelblau()
    {
        using var d = Device.ManagedCpu();
        (double X, double Y)[] minima = [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)];
        foreach (var r in Demos.Race(d))
        {
            Assert.True(r.Loss < 1e-4, $"{r.Optimizer}: loss {r.Loss}");
            Assert.Contains(minima, m => Math.Abs(m.X - r.X) < 1e-2 && Math.Abs(m.Y - r.Y) < 1e-2);
        }
    }
}

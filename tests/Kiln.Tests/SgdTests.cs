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

    /// <summary>Himmelblau's gradient in float64: f = (x² + y - 11)² + (x + y² - 7)².</summary>
    private static (double Gx, double Gy) HimmelblauGrad(double x, double y) =>
        (4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7));

    /// <summary>
    /// OneCycleLR cycles the momentum of an SGD created without any (its default, as PyTorch's): the buffer is made then,
    /// and each step is b = μb + g (b = g first), p -= lr·b with the step's lr and μ (read from the group, whose schedule
    /// SchedulerTests checks). It used to apply the momentum term with no buffer kept: (1 + μ)·g, silently.
    /// </summary>
    [Fact]
    public void OneCycle_on_an_sgd_made_without_momentum_keeps_a_momentum_buffer()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        m.Parameters.Set("x", [1.5f]);
        m.Parameters.Set("y", [-0.5f]);
        using var step = m.CompileLoss();
        var opt = new Sgd(m.Parameters, new SgdOptions(0.001));
        var schedule = new OneCycleLR(opt, maxLr: 0.01, totalSteps: 10);
        double x = 1.5, y = -0.5, bx = 0, by = 0;
        for (int k = 0; k < 8; k++)
        {
            double lr = opt.ParamGroups[0].Options.Lr, mu = opt.ParamGroups[0].Options.Momentum;
            Assert.True(mu > 0.8);
            var (gx, gy) = HimmelblauGrad(x, y);
            (bx, by) = k == 0 ? (gx, gy) : (mu * bx + gx, mu * by + gy);
            (x, y) = (x - lr * bx, y - lr * by);
            opt.ZeroGrad();
            step.ForwardBackward();
            opt.Step();
            schedule.Step();
            Assert.Equal(x, m.Parameters.Get("x")[0], 3e-4 * Math.Max(1, Math.Abs(x)));
            Assert.Equal(y, m.Parameters.Get("y")[0], 3e-4 * Math.Max(1, Math.Abs(y)));
        }
    }

    /// <summary>A group with momentum may join an SGD made without (PyTorch allows it): its buffer starts at its gradient.</summary>
    [Fact]
    public void A_momentum_group_joins_an_sgd_made_without()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        m.Parameters.Set("x", [1.5f]);
        m.Parameters.Set("y", [-0.5f]);
        using var step = m.CompileLoss();
        var opt = new Sgd(m.Parameters, new SgdOptions(0.002), ["x"]);
        opt.AddParamGroup(["y"], new SgdOptions(0.001) { Momentum = 0.9 });
        double x = 1.5, y = -0.5, by = 0;
        for (int k = 0; k < 6; k++)
        {
            var (gx, gy) = HimmelblauGrad(x, y);
            by = k == 0 ? gy : 0.9 * by + gy;
            (x, y) = (x - 0.002 * gx, y - 0.001 * by);
            opt.ZeroGrad();
            step.ForwardBackward();
            opt.Step();
            Assert.Equal(x, m.Parameters.Get("x")[0], 3e-4);
            Assert.Equal(y, m.Parameters.Get("y")[0], 3e-4);
        }
        // its state, with the buffer that was made, loads into an SGD made the same way (which has not made it yet) and
        // the two continue bit for bit
        var saved = opt.StateDict();
        Assert.Single(saved.Buffers);
        var m2 = new Himmelblau(d);
        m2.Parameters.Set("x", m.Parameters.Get("x"));
        m2.Parameters.Set("y", m.Parameters.Get("y"));
        using var step2 = m2.CompileLoss();
        var resumed = new Sgd(m2.Parameters, new SgdOptions(0.002), ["x"]);
        resumed.AddParamGroup(["y"], new SgdOptions(0.001) { Momentum = 0.9 });
        resumed.LoadStateDict(saved);
        for (int k = 0; k < 3; k++)
        {
            opt.ZeroGrad(); step.ForwardBackward(); opt.Step();
            resumed.ZeroGrad(); step2.ForwardBackward(); resumed.Step();
        }
        Assert.Equal(m.Parameters.Get("y"), m2.Parameters.Get("y"));
        Assert.Equal(m.Parameters.Get("x"), m2.Parameters.Get("x"));
    }

    /// <summary>
    /// A state saved before SGD made its momentum buffer (no buffer in it) loads into an SGD with momentum, whose buffer then
    /// starts again at the next gradient (PyTorch's momentum_buffer of None); a load that fails leaves the optimizer as it was.
    /// </summary>
    [Fact]
    public void A_state_without_the_momentum_buffer_loads_into_an_sgd_with_momentum()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        m.Parameters.Set("x", [1.5f]);
        m.Parameters.Set("y", [-0.5f]);
        using var step = m.CompileLoss();
        var plain = new Sgd(m.Parameters, new SgdOptions(0.002));
        plain.ZeroGrad(); step.ForwardBackward(); plain.Step();
        var saved = plain.StateDict();
        Assert.Empty(saved.Buffers);

        var momentum = new Sgd(m.Parameters, new SgdOptions(0.002) { Momentum = 0.9 });
        momentum.ZeroGrad(); step.ForwardBackward(); momentum.Step();   // its buffer is made and used
        var g0 = saved.Groups[0];
        var bad = saved with { Groups = [(g0.Names, ((SgdOptions)g0.Options) with { Lr = -1 }, g0.Step, g0.Scalars)] };   // fails its checks late
        Assert.ThrowsAny<ArgumentException>(() => momentum.LoadStateDict(bad));
        Assert.Single(momentum.StateDict().Buffers);   // unchanged by the failed load
        momentum.LoadStateDict(saved);
        Assert.Empty(momentum.StateDict().Buffers);
        momentum.ParamGroups[0].Options = momentum.ParamGroups[0].Options with { Momentum = 0.9 };
        double x = m.Parameters.Get("x")[0], y = m.Parameters.Get("y")[0];
        var (gx, gy) = HimmelblauGrad(x, y);
        momentum.ZeroGrad(); step.ForwardBackward(); momentum.Step();
        Assert.Equal(x - 0.002 * gx, m.Parameters.Get("x")[0], 3e-5);   // b = g: the buffer starts again
        Assert.Equal(y - 0.002 * gy, m.Parameters.Get("y")[0], 3e-5);
    }

    /// <summary>A group that gains momentum after stepping without starts its buffer at that step's gradient, as
    /// PyTorch's momentum_buffer does when it is first made (b = g, then b = μb + g).</summary>
    [Fact]
    public void Momentum_gained_later_starts_the_buffer_at_that_steps_gradient()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        m.Parameters.Set("x", [1.5f]);
        m.Parameters.Set("y", [-0.5f]);
        using var step = m.CompileLoss();
        var opt = new Sgd(m.Parameters, new SgdOptions(0.002) { Dampening = 0.5 });
        double x = 1.5, y = -0.5, bx = 0, by = 0;
        for (int k = 0; k < 6; k++)
        {
            if (k == 2) opt.ParamGroups[0].Options = opt.ParamGroups[0].Options with { Momentum = 0.9 };
            var (gx, gy) = HimmelblauGrad(x, y);
            if (k < 2) (x, y) = (x - 0.002 * gx, y - 0.002 * gy);
            else
            {
                // the buffer's first value is the gradient itself (no dampening on it), then μb + (1 - τ)g
                (bx, by) = k == 2 ? (gx, gy) : (0.9 * bx + 0.5 * gx, 0.9 * by + 0.5 * gy);
                (x, y) = (x - 0.002 * bx, y - 0.002 * by);
            }
            opt.ZeroGrad();
            step.ForwardBackward();
            opt.Step();
            Assert.Equal(x, m.Parameters.Get("x")[0], 3e-4);
            Assert.Equal(y, m.Parameters.Get("y")[0], 3e-4);
        }
    }
}

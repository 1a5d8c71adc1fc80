using System;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Issue 8's "done means": seed 000's GAN step (MomentGan) and seed 003's GHM loss (GhmClassifier) written as model
/// methods, checked against float64 transcriptions of the seeds' Python code: the noise drawn in the graph, the detached
/// fake batch, the moments joined with Cat, the frozen discriminator, and the momentum-averaged bin counts in a buffer.
/// </summary>
public class SeedStepTests
{
    // ---- float64 transcriptions of the seeds' code ----

    /// <summary>nn.Linear: x Wᵀ + b, row by row.</summary>
    private static double[][] Linear(double[][] x, float[] weight, float[] bias)
    {
        int outs = bias.Length, ins = weight.Length / outs;
        return x.Select(row => Enumerable.Range(0, outs).Select(o => bias[o] + Enumerable.Range(0, ins).Sum(i => weight[o * ins + i] * row[i])).ToArray()).ToArray();
    }

    private static double[][] Elu(double[][] x) => x.Select(r => r.Select(v => v > 0 ? v : Math.Exp(v) - 1).ToArray()).ToArray();

    private static double[][] Mlp(ModelState s, string prefix, double[][] x, bool sigmoid)
    {
        double[][] Layer(string name, double[][] h) => Linear(h, s.Get($"{prefix}.{name}.weight"), s.Get($"{prefix}.{name}.bias"));
        var y = Layer("map3", Elu(Layer("map2", Elu(Layer("map1", x)))));
        return sigmoid ? y.Select(r => r.Select(v => 1 / (1 + Math.Exp(-v))).ToArray()).ToArray() : y;
    }

    /// <summary>The seed's get_moments: mean, std, skew, excess kurtosis (population moments).</summary>
    private static double[] Moments(double[] d)
    {
        double mean = d.Average();
        var diffs = d.Select(v => v - mean).ToArray();
        double std = Math.Sqrt(diffs.Average(v => v * v));
        var z = diffs.Select(v => v / std).ToArray();
        return [mean, std, z.Average(v => v * v * v), z.Average(v => v * v * v * v) - 3.0];
    }

    /// <summary>nn.BCELoss on one probability, each log clamped at -100.</summary>
    private static double Bce(double p, double target) => -(target * Math.Max(Math.Log(p), -100) + (1 - target) * Math.Max(Math.Log(1 - p), -100));

    private const int N = 50;

    private static float[] Real()
    {
        var rng = new SeededRandom(17);
        return Enumerable.Range(0, N).Select(_ => 4f + 1.25f * rng.Normal()).ToArray();   // N(4, 1.25²), as the seed's data
    }

    [Fact]
    public void The_discriminator_step_trains_D_on_real_and_on_a_detached_fake_batch()
    {
        using var device = Device.ManagedCpu();
        var gan = new MomentGan(device, seed: 21);
        var real = Real();
        var plan = gan.CompileDiscriminatorStep(N);
        float loss = plan.ForwardBackward(real);

        // the fake batch: G of the noise the run drew (draw site 0, the model's first ticket)
        var noise = ReferenceOps.Randn(new RefDraw(21, 0), 0, N, 1).Data;
        var fake = Mlp(gan.Parameters, "g", noise.Select(v => new[] { v }).ToArray(), sigmoid: false).Select(r => r[0]).ToArray();
        var fakeOut = plan.Output("Fake");
        for (int i = 0; i < N; i++) Assert.Equal(fake[i], fakeOut[i], 4);

        double dReal = Mlp(gan.Parameters, "d", [Moments(real.Select(v => (double)v).ToArray())], sigmoid: true)[0][0];
        double dFake = Mlp(gan.Parameters, "d", [Moments(fake)], sigmoid: true)[0][0];
        Assert.Equal(Bce(dReal, 1) + Bce(dFake, 0), loss, 4);

        // only D learns from this step: the fake batch is detached, so G has no gradient
        Assert.Contains(gan.Parameters.Grad("d.map1.weight"), g => g != 0);
        foreach (var p in gan.Parameters.Layout.Where(p => p.Name.StartsWith("g.", StringComparison.Ordinal)))
            Assert.All(gan.Parameters.Grad(p.Name), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void The_generator_step_trains_G_through_a_frozen_D()
    {
        using var device = Device.ManagedCpu();
        var gan = new MomentGan(device, seed: 21);
        var real = Real();
        gan.CompileDiscriminatorStep(N).ForwardBackward(real);
        var dGrads = gan.Parameters.Layout.Where(p => p.Name.StartsWith("d.", StringComparison.Ordinal)).ToDictionary(p => p.Name, p => gan.Parameters.Grad(p.Name));

        float loss = gan.CompileGeneratorStep(N).ForwardBackward(real);
        // the second run of the model draws with the next ticket
        var noise = ReferenceOps.Randn(new RefDraw(21, 1), 0, N, 1).Data;
        var fake = Mlp(gan.Parameters, "g", noise.Select(v => new[] { v }).ToArray(), sigmoid: false).Select(r => r[0]).ToArray();
        Assert.Equal(Bce(Mlp(gan.Parameters, "d", [Moments(fake)], sigmoid: true)[0][0], 1), loss, 4);

        // D's gradients are exactly those its own step left; G's are new
        foreach (var (name, before) in dGrads) Assert.Equal(before, gan.Parameters.Grad(name));
        Assert.Contains(gan.Parameters.Grad("g.map1.weight"), g => g != 0);
    }

    [Fact]
    public void The_ghm_loss_matches_the_seed_and_keeps_its_bin_counts_in_a_buffer()
    {
        using var device = Device.ManagedCpu();
        var model = new GhmClassifier(device, seed: 4);
        const int n = 40, bins = 10;
        const double momentum = 0.75;
        var plan = model.CompileLoss(n);
        var w = model.Parameters.Get("w").Select(v => (double)v).ToArray();
        double b = model.Parameters.Get("b")[0];
        var accSum = new double[bins];
        for (int step = 0; step < 3; step++)
        {
            var rng = new SeededRandom((ulong)(100 + step));
            var x = Enumerable.Range(0, n * 3).Select(_ => rng.Uniform(-2, 2)).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => rng.NextFloat() < 0.3f ? 1f : 0f).ToArray();

            // the seed's GHMLoss.forward with momentum > 0, in float64
            var pred = Enumerable.Range(0, n).Select(i => 1 / (1 + Math.Exp(-(b + w[0] * x[3 * i] + w[1] * x[3 * i + 1] + w[2] * x[3 * i + 2])))).ToArray();
            var g = pred.Select((p, i) => Math.Abs(p - y[i])).ToArray();
            var edges = Enumerable.Range(0, bins + 1).Select(i => (double)i / bins).ToArray();
            edges[bins] += 1e-6;
            var weights = new double[n];
            int nonEmpty = 0;
            for (int i = 0; i < bins; i++)
            {
                var inds = g.Select(v => v >= edges[i] && v < edges[i + 1]).ToArray();
                int num = inds.Count(v => v);
                if (num == 0) continue;
                accSum[i] = momentum * accSum[i] + (1 - momentum) * num;
                for (int k = 0; k < n; k++) if (inds[k]) weights[k] = n / accSum[i];
                nonEmpty++;
            }
            for (int k = 0; k < n; k++) weights[k] /= nonEmpty;
            double expected = Enumerable.Range(0, n).Average(k => weights[k] * Bce(pred[k], y[k]));

            model.Parameters.ZeroGrad();
            float loss = plan.ForwardBackward(x, y);
            Assert.Equal(expected, loss, 4);
            Assert.All(model.Parameters.Buffer("accSum").Zip(accSum), p => Assert.Equal(p.Second, p.First, 4));
            // the weights are constants to autograd (a detached prediction): d loss / d w = mean(weight·(p − y)·x)
            var grad = model.Parameters.Grad("w");
            for (int j = 0; j < 3; j++)
                Assert.Equal(Enumerable.Range(0, n).Average(k => weights[k] * (pred[k] - y[k]) * x[3 * k + j]), grad[j], 4);
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kiln;

namespace Samples.Gan;

/// <summary>What training left: the last moments of real and generated data, every epoch's losses, and a generated batch.</summary>
public sealed record GanResult(double[] RealMoments, double[] FakeMoments, IReadOnlyList<double> DLosses, IReadOnlyList<double> GLosses, float[] Generated, float[] Real);

public static class GanTraining
{
    public const float DataMean = 4f, DataStd = 1.25f;

    /// <summary>The seed's get_distribution_sampler: a function of n drawing n samples of N(mu, sigma²).</summary>
    public static Func<int, float[]> GetDistributionSampler(float mu, float sigma, int seed)
    {
        var rng = new SeededRandom((ulong)seed);
        return n =>
        {
            var samples = new float[n];
            for (int i = 0; i < n; i++) samples[i] = mu + sigma * rng.Normal();
            return samples;
        };
    }

    /// <summary>
    /// The seed's loop: per epoch, <paramref name="dSteps"/> updates of D (real batch, detached fake batch) and
    /// <paramref name="gSteps"/> of G through D. Each optimizer (Adam, beta1 0.5 as GANs commonly use) holds its own
    /// submodule's parameters; both rates follow a cosine from <paramref name="lr"/> to zero over the run.
    /// </summary>
    public static GanResult Train(Device device, int epochs, int seed = 1, int dSteps = 1, int gSteps = 1, float lr = 1e-3f,
        int printEvery = 500, Action<string>? log = null, SummaryWriter? board = null, TextWriter? progress = null)
    {
        var gan = new Gan(device, seed);
        using var dStep = gan.CompileDiscriminatorStep();
        using var gStep = gan.CompileGeneratorStep();
        using var generate = gan.CompileGenerate();
        var dOptimizer = new Adam(gan.Parameters, new AdamOptions(lr) { Beta1 = 0.5 }, gan.Parameters.Under("d"));
        var gOptimizer = new Adam(gan.Parameters, new AdamOptions(lr) { Beta1 = 0.5 }, gan.Parameters.Under("g"));
        // both rates anneal to zero over the run, so the game settles instead of circling at the end
        var dSchedule = new CosineAnnealingLR(dOptimizer, epochs);
        var gSchedule = new CosineAnnealingLR(gOptimizer, epochs);
        var sampler = GetDistributionSampler(DataMean, DataStd, seed);
        var dLosses = new List<double>(epochs);
        var gLosses = new List<double>(epochs);
        var realMoments = new float[4];
        var fakeMoments = new float[4];
        float dLoss = 0, gLoss = 0;
        var bar = progress is null ? null : Progress.Range(epochs, "GAN", progress);
        foreach (var epoch in (IEnumerable<int>?)bar ?? Enumerable.Range(0, epochs))
        {
            for (int k = 0; k < dSteps; k++)
            {
                dOptimizer.ZeroGrad();
                dLoss = dStep.ForwardBackward(sampler(Gan.Batch));
                dOptimizer.Step();
            }
            for (int k = 0; k < gSteps; k++)
            {
                gOptimizer.ZeroGrad();
                gLoss = gStep.ForwardBackward();
                gOptimizer.Step();
            }
            dSchedule.Step();
            gSchedule.Step();
            dLosses.Add(dLoss);
            gLosses.Add(gLoss);
            bar?.Report("D", dLoss);
            board?.AddScalar("loss/discriminator", dLoss, epoch);
            board?.AddScalar("loss/generator", gLoss, epoch);
            if (epoch % printEvery == 0 || epoch == epochs - 1)
            {
                dStep.Output("realMoments", realMoments);
                gStep.Output("fakeMoments", fakeMoments);
                log?.Invoke($"epoch {epoch,5}  D {dLoss:F4}  G {gLoss:F4}  real {Show(realMoments)}  fake {Show(fakeMoments)}");
            }
        }
        dStep.Output("realMoments", realMoments);
        gStep.Output("fakeMoments", fakeMoments);
        var generated = generate.Run();
        return new GanResult(Moments(sampler(Gan.Batch * 4)), Moments(generated), dLosses, gLosses, generated, sampler(Gan.Batch));
    }

    private static string Show(float[] m) => $"[{string.Join(", ", m.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}]";

    /// <summary>Mean, std, skew and excess kurtosis in float64, as the seed's get_moments computes them.</summary>
    public static double[] Moments(float[] data)
    {
        double mean = data.Average(v => (double)v);
        var diffs = data.Select(v => v - mean).ToArray();
        double std = Math.Sqrt(diffs.Average(v => v * v));
        return [mean, std, diffs.Average(v => Math.Pow(v / std, 3)), diffs.Average(v => Math.Pow(v / std, 4)) - 3];
    }

    /// <summary>The sample's own check: the generated mean and std within 10% of the data's, skew and excess kurtosis within ±0.5 of 0.</summary>
    public static bool Matches(double[] fake) =>
        Math.Abs(fake[0] - DataMean) <= 0.1 * DataMean && Math.Abs(fake[1] - DataStd) <= 0.1 * DataStd && Math.Abs(fake[2]) <= 0.5 && Math.Abs(fake[3]) <= 0.5;
}

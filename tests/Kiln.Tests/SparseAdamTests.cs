using System;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

public class SparseAdamTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Only_touched_rows_move_and_their_moments_follow_the_documented_rule(string device)
    {
        using var d = Device.Create(device);
        var model = new Table(d, seed: 3);
        using var loss = model.CompileLoss();
        var opt = new SparseAdam(model.Parameters, new AdamOptions(0.05));
        var p = model.Parameters.Get("e").Select(x => (double)x).ToArray();
        var initial = p.ToArray();
        var m = new double[24]; var v = new double[24];
        var rng = new SeededRandom(4);
        for (int t = 1; t <= 12; t++)
        {
            // a different pair of rows is touched each step
            var r = new float[24];
            foreach (int row in new[] { t % 6, (t * 5 + 1) % 6 })
                for (int c = 0; c < 4; c++) r[row * 4 + c] = rng.Uniform(0.5f, 1.5f);
            opt.ZeroGrad();
            loss.ForwardBackward(r);
            opt.Step();
            double stepSize = 0.05 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
            for (int row = 0; row < 6; row++)
            {
                if (Enumerable.Range(0, 4).All(c => r[row * 4 + c] == 0)) continue;
                for (int c = 0; c < 4; c++)
                {
                    int i = row * 4 + c;
                    double g = 2 * p[i] * r[i];
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    v[i] = 0.999 * v[i] + 0.001 * g * g;
                    p[i] -= stepSize * m[i] / (Math.Sqrt(v[i]) + 1e-8);
                }
            }
        }
        var actual = model.Parameters.Get("e");
        for (int i = 0; i < 24; i++) Assert.True(Math.Abs(actual[i] - p[i]) < 1e-4 * (1 + Math.Abs(p[i])), $"e[{i}]: {actual[i]} vs float64 {p[i]}");
        Assert.Contains(Enumerable.Range(0, 24), i => p[i] != initial[i]);
    }

    [Fact]
    public void Weight_decay_and_amsgrad_are_rejected_as_in_pytorch()
    {
        using var d = Device.ManagedCpu();
        var model = new Table(d);
        Assert.Throws<ArgumentException>(() => new SparseAdam(model.Parameters, new AdamOptions { WeightDecay = 0.1 }));
        Assert.Throws<ArgumentException>(() => new SparseAdam(model.Parameters, new AdamOptions { Amsgrad = true }));
    }
}

using System;
using System.Linq;
using Kiln.Kernels;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// The softmax row kernels on their own, at both vector widths and along strided rows, against float64 arithmetic from
/// PyTorch's definitions: softmax(x)ᵢ = e^(xᵢ - max) / Σ e^(xⱼ - max), log_softmax = x - max - log Σ e^(x - max); their
/// backward passes from the float64 softmax; and CrossEntropy's fused backward dxᵢⱼ = vᵢ([j = tᵢ] - softmaxᵢⱼ).
/// </summary>
[Collection(nameof(VectorWidth))]
public class RowKernelTests
{
    public static TheoryData<int, int, bool> Shapes()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (int len in new[] { 1, 7, 10, 16, 17, 24, 33, 40, 1000 })
            foreach (int inner in new[] { 1, 3 })
                foreach (bool narrow in new[] { false, true })
                    data.Add(len, inner, narrow);
        return data;
    }

    private static double[] Softmax(float[] x, int o, int len, int inner, int i)
    {
        var row = Enumerable.Range(0, len).Select(t => (double)x[(o * len + t) * inner + i]).ToArray();
        double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
        return row.Select(v => Math.Exp(v - max) / sum).ToArray();
    }

    private static void Check(float got, double expected, string what) =>
        Assert.True(Math.Abs(got - expected) <= 2e-6 + 2e-6 * Math.Abs(expected), $"{what}: {got} vs float64 {expected}");

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Softmax_rows_forward_and_backward_match_float64(int len, int inner, bool narrow)
    {
        const int outer = 3;
        var rng = new SeededRandom((ulong)(len * 10 + inner));
        int count = outer * len * inner;
        var x = Enumerable.Range(0, count).Select(_ => rng.Uniform(-8, 8)).ToArray();
        var dy = Enumerable.Range(0, count).Select(_ => rng.Uniform(-1, 1)).ToArray();
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = narrow || was;
        try
        {
            foreach (bool log in new[] { false, true })
            {
                var y = new float[count + 2];
                new SoftmaxOp(outer, len, inner, log, backward: false).Run(x, 0, x, 0, y, 2);
                var dx = new float[count];
                new SoftmaxOp(outer, len, inner, log, backward: true).Run(y, 2, dy, 0, dx, 0);
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                    {
                        var p = Softmax(x, o, len, inner, i);
                        int At(int t) => (o * len + t) * inner + i;
                        double dot = Enumerable.Range(0, len).Sum(t => log ? dy[At(t)] : dy[At(t)] * p[t]);
                        for (int t = 0; t < len; t++)
                        {
                            Check(y[2 + At(t)], log ? Math.Log(p[t]) : p[t], $"{(log ? "log_softmax" : "softmax")} [{o}, {t}, {i}]");
                            Check(dx[At(t)], log ? dy[At(t)] - p[t] * dot : p[t] * (dy[At(t)] - dot), $"backward [{o}, {t}, {i}]");
                        }
                    }
            }
        }
        finally { VectorWidths.ForceVector256 = was; }
    }

    /// <summary>Rows of a million (one 0 and the rest -0.1, so each exponential rounds): softmax, log-softmax and their
    /// backward's Σ (dy 1 at the second element, 0.1 elsewhere) stay near float's precision against float64, along memory
    /// and strided. One float accumulator per lane over the row drifted with its length (6e-4 along memory, 1.4 % strided).</summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void Softmax_of_a_million_long_row_keeps_float_precision(int inner, bool narrow)
    {
        const int len = 1 << 20;
        var x = new float[len * inner];
        Array.Fill(x, -0.1f);
        var dy = new float[len * inner];
        Array.Fill(dy, 0.1f);
        for (int i = 0; i < inner; i++) { x[i] = 0f; dy[inner + i] = 1f; }
        double d = 0.1f, e = Math.Exp((double)-0.1f), sum = 1 + (len - 1) * e;
        double p0 = 1 / sum, p1 = e / sum;
        double dot = d * p0 + p1 + d * (len - 2) * p1, total = d * (len - 1) + 1; // Σ dy·p (softmax), Σ dy (log-softmax)
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = narrow || was;
        try
        {
            foreach (bool log in new[] { false, true })
            {
                var y = new float[len * inner];
                new SoftmaxOp(1, len, inner, log, backward: false).Run(x, 0, x, 0, y, 0);
                var dx = new float[len * inner];
                new SoftmaxOp(1, len, inner, log, backward: true).Run(y, 0, dy, 0, dx, 0);
                string what = log ? "log_softmax" : "softmax";
                for (int i = 0; i < inner; i++)
                {
                    double want0 = log ? Math.Log(p0) : p0, want1 = log ? Math.Log(p1) : p1;
                    Assert.True(Math.Abs(y[i] - want0) <= 1e-6 * Math.Abs(want0), $"{what}[0] = {y[i]:R}, float64 {want0:R}");
                    Assert.True(Math.Abs(y[inner + i] - want1) <= 1e-6 * Math.Abs(want1), $"{what}[1] = {y[inner + i]:R}, float64 {want1:R}");
                    double g1 = log ? 1 - p1 * total : p1 * (1 - dot);
                    Assert.True(Math.Abs(dx[inner + i] - g1) <= 1e-5 * Math.Abs(g1), $"{what} backward[1] = {dx[inner + i]:R}, float64 {g1:R}");
                }
            }
        }
        finally { VectorWidths.ForceVector256 = was; }
    }

    [Theory]
    [InlineData(17, false)]
    [InlineData(33, true)]
    [InlineData(1000, false)]
    public void Softmax_rows_run_in_place_give_the_same_values(int len, bool narrow)
    {
        const int rows = 3;
        var rng = new SeededRandom((ulong)len);
        var x = Enumerable.Range(0, rows * len).Select(_ => rng.Uniform(-8, 8)).ToArray();
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = narrow || was;
        try
        {
            foreach (bool log in new[] { false, true })
            {
                var y = new float[rows * len];
                new SoftmaxOp(rows, len, 1, log, backward: false).Run(x, 0, x, 0, y, 0);
                var inPlace = (float[])x.Clone();
                new SoftmaxOp(rows, len, 1, log, backward: false).Run(inPlace, 0, inPlace, 0, inPlace, 0);
                Assert.Equal(y, inPlace);
            }
        }
        finally { VectorWidths.ForceVector256 = was; }
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(33, false)]
    [InlineData(1000, true)]
    public void A_NaN_anywhere_in_a_row_makes_the_whole_row_NaN_and_no_other(int len, bool narrow)
    {
        const int rows = 3;
        var x = Enumerable.Range(0, rows * len).Select(i => (float)Math.Sin(i)).ToArray();
        x[len + len - 1] = float.NaN;   // the last element of the middle row: the tail
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = narrow || was;
        try
        {
            foreach (bool log in new[] { false, true })
            {
                var y = new float[rows * len];
                new SoftmaxOp(rows, len, 1, log, backward: false).Run(x, 0, x, 0, y, 0);
                for (int i = 0; i < rows * len; i++)
                    Assert.True(float.IsNaN(y[i]) == (i / len == 1), $"{(log ? "log_softmax" : "softmax")}[{i}] = {y[i]}");
            }
        }
        finally { VectorWidths.ForceVector256 = was; }
    }

    [Fact]
    public void Picked_log_probabilities_come_off_the_softmax_or_from_the_logits_where_it_underflows()
    {
        const int classes = 5, ignore = -100;
        float[] x = [0, 1, 2, 3, 4, 80, -80, 0, 1, 2, 90, -20, 0, 0, 5, 0.5f, -0.5f, 2, 40, -40];
        int[] targets = [2, 1, ignore, 1];
        var p = new float[x.Length];
        new SoftmaxOp(4, classes, 1, log: false, backward: false).Run(x, 0, x, 0, p, 0);
        var picked = new float[5];
        new PickLogSoftmaxOp(4, classes, ignore).Run(x, 0, targets, 0, p, 0, picked, 1);
        Assert.Equal(0f, picked[0]);
        for (int r = 0; r < 4; r++)
        {
            double expected = targets[r] == ignore ? 0 : Math.Log(Softmax(x, r, classes, 1, 0)[targets[r]]);
            if (r == 1) Assert.True(expected < -150);   // e^-160: below float's range, taken from the logits
            Check(picked[1 + r], expected, $"log p[{r}, {targets[r]}]");
        }
    }

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(33, false, false)]
    [InlineData(1000, false, false)]
    [InlineData(33, true, false)]
    [InlineData(1000, true, false)]
    [InlineData(1, false, true)]
    [InlineData(10, false, true)]
    [InlineData(10, false, false)]
    [InlineData(33, false, true)]
    [InlineData(1000, true, true)]
    public void CrossEntropy_backward_through_softmax_rows_matches_float64(int classes, bool narrow, bool probabilities)
    {
        const int rows = 5, ignore = -100;
        var rng = new SeededRandom((ulong)classes);
        var x = Enumerable.Range(0, rows * classes).Select(_ => rng.Uniform(-6, 6)).ToArray();
        var v = Enumerable.Range(0, rows).Select(_ => rng.Uniform(-1, 1)).ToArray();
        var targets = Enumerable.Range(0, rows).Select(i => i == 2 ? ignore : rng.NextInt(classes)).ToArray();
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = narrow || was;
        try
        {
            var rowsIn = new float[rows * classes];
            new SoftmaxOp(rows, classes, 1, log: !probabilities, backward: false).Run(x, 0, x, 0, rowsIn, 0);
            var dx = Enumerable.Repeat(float.NaN, rows * classes + 1).ToArray();   // every element must be written
            new PickedLogSoftmaxGradOp(rows, classes, ignore, probabilities).Run(rowsIn, 0, v, 0, targets, 0, dx, 1);
            for (int r = 0; r < rows; r++)
            {
                var p = Softmax(x, r, classes, 1, 0);
                for (int j = 0; j < classes; j++)
                {
                    double expected = targets[r] == ignore ? 0 : v[r] * ((j == targets[r] ? 1 : 0) - p[j]);
                    Check(dx[1 + r * classes + j], expected, $"dx[{r}, {j}]");
                }
            }
        }
        finally { VectorWidths.ForceVector256 = was; }
    }
}

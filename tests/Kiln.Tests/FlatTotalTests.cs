using System;
using Kiln.Kernels;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// A flat kernel struct reading a bias row (a Row operand, read at c &amp; (cols - 1)) needs every vector to start at a
/// multiple of its lanes. A total over 2 × 32,768 elements or more is split across the CPU workers; the split must fall
/// on multiples of 16 as a map's does. It fell anywhere: with 4,097 rows of 16 the second chunk started at 32,776 (8 mod
/// 16) and read the second half of the bias row and the floats after it. Expected values are float64 sums of the definition.
/// The split needs two or more CPU workers, as this project's machines have (CpuWorkers.Count is the processor count).
/// </summary>
[Collection(nameof(VectorWidth))]
public class FlatTotalTests
{
    [Theory]
    [InlineData(16, 4097, false)]   // 65,552 elements: the second chunk started at 8 mod 16 (wrong at 16 lanes)
    [InlineData(8, 8193, false)]    // 65,544 elements, rows of 8 (8 lanes only): it started at 4 mod 8
    [InlineData(16, 4097, true)]    // rows of 16 at eight lanes (right on either split; the values at that width)
    public void A_total_over_a_bias_row_splits_at_vector_boundaries(int cols, int rows, bool eightLanes)
    {
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = eightLanes;
        try
        {
            Assert.True(CpuWorkers.Count > 1, "the split across workers needs two or more cores");
            using var device = Device.ManagedCpu();
            var m = new BiasedTotals(device, seed: 5);
            var rng = new SeededRandom(17);
            var x = new float[rows * cols];
            for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-1f, 1f);
            var bias = m.Parameters.Get(cols == 16 ? "b" : "c");
            double expected = 0;
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) { double v = (double)x[i * cols + j] + bias[j]; expected += v * v; }
            float actual = cols == 16 ? m.CompileSixteen(rows).Run(x)[0] : m.CompileEight(rows).Run(x)[0];
            Assert.True(Math.Abs(actual - expected) <= 1e-4 * expected, $"{actual} vs {expected}");
        }
        finally { VectorWidths.ForceVector256 = was; }
    }

    /// <summary>
    /// A total over 2^20 elements keeps float's precision as PyTorch's cascade sum does (a few units of 1e-7 relative):
    /// the mean of a million 0.1s, an MSE of a million equal differences, and row sums of a million. One float accumulator
    /// per lane over a 32,768-element chunk drifted to about 1e-4 (each lane added 4,096 equal values). Expected values are
    /// float64 sums of the inputs; random inputs too (a looser bound: their float64 sum is what PyTorch approximates).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Totals_over_a_million_values_stay_within_float_precision(bool eightLanes)
    {
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = eightLanes;
        try
        {
            const int n = 1 << 20;
            using var device = Device.ManagedCpu();
            var m = new LongTotals(device);
            var tenths = new float[n];
            Array.Fill(tenths, 0.1f);
            float mean = m.CompileMean(n).Run(tenths)[0];
            Assert.True(Math.Abs(mean - (double)0.1f) <= 4e-7 * 0.1, $"mean of 2^20 × 0.1f = {mean:R}");
            var zeros = new float[n];
            float mse = m.CompileMse(n).Run(tenths, zeros)[0];
            double sq = (double)0.1f * 0.1f;
            Assert.True(Math.Abs(mse - sq) <= 4e-7 * sq, $"MSE of 2^20 differences of 0.1f = {mse:R}, float64 {sq:R}");
            var rows = new float[2 * n];
            Array.Fill(rows, 0.1f, 0, n);
            Array.Fill(rows, 3f, n, n);
            var sums = m.CompileRowSums(n).Run(rows);
            Assert.True(Math.Abs(sums[0] - n * (double)0.1f) <= 4e-7 * n * 0.1, $"row sum of 2^20 × 0.1f = {sums[0]:R}");
            Assert.Equal(3f * n, sums[1]);

            var rng = new SeededRandom(3);
            var x = new float[n];
            double expected = 0, magnitude = 0;
            for (int i = 0; i < n; i++) { x[i] = rng.Uniform(0f, 1f); expected += x[i]; magnitude += Math.Abs(x[i]); }
            float randomMean = m.CompileMean(n).Run(x)[0];
            Assert.True(Math.Abs(randomMean - expected / n) <= 4e-7 * magnitude / n, $"mean of 2^20 uniforms = {randomMean:R}, float64 {expected / n:R}");
        }
        finally { VectorWidths.ForceVector256 = was; }
    }

    /// <summary>On an ILGPU device (the CPU emulator here) a total added every element into its output atomically: a million
    /// float additions into one float (the mean of 2^20 × 0.1f came out about 1 % off, and a GPU would serialise a million
    /// atomics on one address). Each thread now adds its elements in double and its sum once.</summary>
    [Fact]
    public void Device_totals_add_each_thread_s_elements_first()
    {
        const int n = 1 << 20;
        using var device = Device.IlgpuCpu();
        var m = new LongTotals(device);
        var tenths = new float[n];
        Array.Fill(tenths, 0.1f);
        float mean = m.CompileMean(n).Run(tenths)[0];
        Assert.True(Math.Abs(mean - (double)0.1f) <= 1e-5 * 0.1, $"mean of 2^20 × 0.1f on {device} = {mean:R}");
        float mse = m.CompileMse(n).Run(tenths, new float[n])[0];
        Assert.True(Math.Abs(mse - (double)0.1f * 0.1f) <= 1e-5 * 0.01, $"MSE on {device} = {mse:R}");
        // a generated (not struct) kernel's total: log1p has no vector form
        float logs = m.CompileLog1pSum(n).Run(tenths)[0];
        double expected = n * Math.Log(1 + (double)0.1f);
        Assert.True(Math.Abs(logs - expected) <= 1e-5 * expected, $"Σ log1p(0.1f) on {device} = {logs:R}, float64 {expected:R}");
    }
}

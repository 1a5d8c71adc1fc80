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
}

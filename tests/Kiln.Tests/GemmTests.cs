using System;
using System.Linq;
using Kiln.Kernels;
using Xunit;

namespace Kiln.Tests;

/// <summary>The GEMM library kernel on its own: every transpose combination, accumulate or not, odd sizes and tails (the
/// micro-kernel's tiles (8 or 6 rows × 2 vectors) and what is left over, one output column, inner dims past one 256-wide slice,
/// products big enough to split over both cores and into several row and column blocks), on the managed path with
/// each vector width and on the ILGPU CPU accelerator, against a float64 triple loop.</summary>
[Collection(nameof(VectorWidth))]
public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool, bool> Cases()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 19, 5), (16, 16, 500), (500, 1, 16), (9, 33, 3), (4, 16, 1), (13, 8, 21),
                     (1, 40, 7), (37, 70, 300), (300, 550, 9), (10, 600, 260), (46, 1, 7), (500, 19, 1), (37, 40, 1), (9, 1024, 3), (11, 64, 20),
                     (500, 16, 16), (5, 16, 9), (20, 48, 5), (1, 16, 500), (1, 37, 50), (1, 24, 16), (16, 1, 24), (9, 24, 7),
                     (40, 2048, 37), (200, 128, 50), (256, 256, 784),
                     // more blocks than cores, taken as each core finishes one: the MLP's weight gradient, rows in three blocks
                     (256, 784, 256), (1000, 40, 9) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(m, n, k, ta, tb, (m + n + k + (ta ? 1 : 0)) % 2 == 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gemm_matches_a_float64_triple_loop(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        Check(m, n, k, transA, transB, accumulate, ilgpu: m * n * k < 1 << 18);
    }

    /// <summary>The Vector256 micro-kernel, which machines without Vector512 run, on the same cases (managed path only).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void The_Vector256_kernel_matches_too(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = true;
        try { Check(m, n, k, transA, transB, accumulate, ilgpu: false); }
        finally { VectorWidths.ForceVector256 = was; }
    }

    private static void Check(int m, int n, int k, bool transA, bool transB, bool accumulate, bool ilgpu)
    {
        var rng = new SeededRandom((ulong)(m * 131 + n * 17 + k));
        float[] Fill(int count) => Enumerable.Range(0, count).Select(_ => rng.Uniform(-1, 1)).ToArray();
        const int aOff = 3, bOff = 5, cOff = 2;   // operands inside larger buffers, as plans hold them
        var a = Fill(aOff + m * k);
        var b = Fill(bOff + k * n);
        var c0 = Fill(cOff + m * n);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c0[cOff + i * n + j] : 0;
                for (int p = 0; p < k; p++)
                    s += (double)a[aOff + (transA ? p * m + i : i * k + p)] * b[bOff + (transB ? j * k + p : p * n + j)];
                expected[i * n + j] = s;
            }

        var op = new GemmOp(m, n, k, transA, transB, accumulate);
        var managed = (float[])c0.Clone();
        op.Run(a, aOff, b, bOff, (float[])c0.Clone(), cOff);   // a second run must not see the first's packed panels or blocks
        op.Run(a, aOff, b, bOff, managed, cOff);
        double tolerance = 1e-5 * (k + 1);
        for (int e = 0; e < m * n; e++)
            Assert.True(Math.Abs(managed[cOff + e] - expected[e]) <= tolerance, $"managed C[{e / n}, {e % n}] = {managed[cOff + e]}, expected {expected[e]}");
        Assert.Equal(c0[..cOff], managed[..cOff]);   // nothing before C is touched
        if (!ilgpu) return;
        using var device = Device.IlgpuCpu();
        using var ba = device.Allocate<float>(a.Length);
        using var bb = device.Allocate<float>(b.Length);
        using var bc = device.Allocate<float>(c0.Length);
        ba.CopyFrom(a); bb.CopyFrom(b); bc.CopyFrom(c0);
        op.Run(device, ba.View, aOff, bb.View, bOff, bc.View, cOff);
        var onDevice = bc.ToArray();
        for (int e = 0; e < m * n; e++)
            Assert.True(Math.Abs(onDevice[cOff + e] - expected[e]) <= tolerance, $"ILGPU C[{e / n}, {e % n}] = {onDevice[cOff + e]}, expected {expected[e]}");
    }
}

/// <summary>Tests that switch <see cref="VectorWidths.ForceVector256"/> run alone: generated kernels, the GEMM and the row
/// kernels read it on every call.</summary>
[CollectionDefinition(nameof(VectorWidth), DisableParallelization = true)]
public sealed class VectorWidth;

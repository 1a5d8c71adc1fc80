using System;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;
using static Kiln.Ops;

namespace Kiln.Tests;

/// <summary>
/// Trial 25 (a PyTorch user's tensor semantics, eager against plans): values plans gave differently from eager tensors
/// and PyTorch, each against float64 written from PyTorch's definitions: torch.var divides by max(0, N - correction)
/// (inf, or NaN for a constant slice); torch.linalg.vector_norm takes a negative p as (Σ|x|ᵖ)^(1/p); squeeze, cumsum
/// and transpose take dim 0 or -1 of a 0-d tensor and give it back.
/// </summary>
public class TensorSemanticsTests
{
    public static TheoryData<string> Devices() => new() { "managed", "ilgpu-cpu" };

    private static Device Open(string kind) => kind == "managed" ? Device.ManagedCpu() : Device.IlgpuCpu();

    /// <summary>Σ(x - mean)² / max(0, N - correction) of each row (or column), in float64.</summary>
    private static double Var(double[] v, int correction)
    {
        double mean = v.Average();
        double squares = v.Sum(a => (a - mean) * (a - mean));
        return squares / Math.Max(0, v.Length - correction);
    }

    private static double Norm(double[] v, double p) => Math.Pow(v.Sum(a => Math.Pow(Math.Abs(a), p)), 1 / p);

    [Theory]
    [MemberData(nameof(Devices))]
    public void A_correction_of_N_or_more_gives_inf_and_NaN_only_for_a_constant_slice(string device)
    {
        // the last dim's plan scaled each (x - mean)² by 1/0 inside the sum: the middle element's 0·∞ made the row NaN
        float[] x = [1, 2, 3, 7, 7, 7];
        using var dev = Open(device);
        var m = new Trial25Semantics(dev);
        double[] row0 = [1, 2, 3], row1 = [7, 7, 7];
        Assert.Equal([(float)Var(row0, 3), (float)Var(row1, 3)], m.CompileVarRows().Run(x));
        Assert.Equal([(float)Math.Sqrt(Var(row0, 5)), (float)Math.Sqrt(Var(row1, 5))], m.CompileStdRows().Run(x));
        Assert.True(float.IsPositiveInfinity(m.CompileVarRows().Run(x)[0]) && float.IsNaN(m.CompileVarRows().Run(x)[1]));
        // over a named dim the count is known when the plan is compiled: N = 2 with correction 2, and N = 3 (finite)
        float[] cols = [1, 2, 3, 1, 5, 6];
        Assert.Equal([(float)Var([1, 1], 2), (float)Var([2, 5], 2), (float)Var([3, 6], 2)], m.CompileVarNamed(n: 2).Run(cols));
        float[] three = [1, 2, 3, 1, 5, 6, 2, 2, 0];
        var finite = m.CompileVarNamed(n: 3).Run(three);
        double[] truth = [Var([1, 1, 2], 2), Var([2, 5, 2], 2), Var([3, 6, 0], 2)];
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(finite[i] - truth[i]) <= 1e-6 * truth[i], $"column {i}: {finite[i]} against {truth[i]}");
        // eager tensors agree (they did already)
        Assert.Equal(m.CompileVarRows().Run(x), Tensor.From(x).Reshape(2, 3).Var(1, correction: 3).ToArray());
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void A_norm_of_negative_p_is_the_power_mean_torch_gives(string device)
    {
        // it was KLN0018 in a model ("PyTorch's vector norm takes p > 0"), while eager tensors and PyTorch compute it
        float[] x = [1, -2, 4, 0.5f, 0, -0.25f], y = [1, -2, 4, 0.5f, 3, -0.25f];
        using var dev = Open(device);
        var got = new Trial25Semantics(dev).CompileNormRows().Run(x, y);
        double[] truth = [Norm([1, -2, 4], -1), Norm([0.5, 0, -0.25], -1), Norm([1, -2, 4], -2.5), Norm([0.5, 3, -0.25], -2.5)];
        Assert.Equal(0f, got[1]);   // a zero makes Σ|x|⁻¹ infinite and the norm 0, as torch
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(got[i] - truth[i]) <= 4e-7 * Math.Abs(truth[i]), $"norm {i}: {got[i]} against {truth[i]}");
        Assert.Equal(got.Take(2), Tensor.From(x).Reshape(2, 3).Norm(-1f, 1).ToArray(), new ToleranceComparer(4e-7));
    }

    [Fact]
    public void A_norm_of_negative_p_has_its_gradient()
    {
        // d/dw (Σ|w|ᵖ)^(1/p) = (Σ|w|ᵖ)^(1/p - 1)·|w|^(p - 1)·sign(w), p = -1.5
        using var dev = Device.ManagedCpu();
        var m = new Trial25Semantics(dev);
        double[] w = [0.5, -2, 3];
        m.Parameters.Set("w", w.Select(v => (float)v).ToArray());
        using var plan = m.CompileNegativeNorm();
        float loss = plan.ForwardBackward();
        double p = -1.5, total = w.Sum(a => Math.Pow(Math.Abs(a), p));
        Assert.True(Math.Abs(loss - Math.Pow(total, 1 / p)) <= 4e-7 * Math.Pow(total, 1 / p), $"loss {loss}");
        var grad = m.Parameters.Gradient("w").ToArray();
        for (int i = 0; i < 3; i++)
        {
            double truth = Math.Pow(total, 1 / p - 1) * Math.Pow(Math.Abs(w[i]), p - 1) * Math.Sign(w[i]);
            Assert.True(Math.Abs(grad[i] - truth) <= 1e-6 * Math.Abs(truth) + 1e-9, $"grad {i}: {grad[i]} against {truth}");
        }
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void Squeeze_cumsum_and_transpose_of_a_0d_tensor_give_it_back(string device)
    {
        using var dev = Open(device);
        var got = new Trial25Semantics(dev).CompileScalarDims().Run([1f, 2f, 4f]);
        Assert.Equal([7f, 7f, 7f, 7f], got);
    }

    /// <summary>Eager ops along a dim of a 0-d tensor: squeeze, cumsum and transpose give it back, as PyTorch; the ops that
    /// need a dim say so in PyTorch's words. Transpose, narrow, select, split and size(0) threw .NET's bare "Index was
    /// outside the bounds of the array".</summary>
    [Fact]
    public void Eager_ops_along_a_dim_of_a_0d_tensor_serve_it_or_say_why()
    {
        var s = Tensor.From(3f);
        foreach (var kept in new[] { s.Squeeze(0), s.Squeeze(-1), s.CumSum(0), s.Transpose(0, -1) })
        {
            Assert.Equal(0, kept.Dim());
            Assert.Equal(3f, kept.Item());
        }
        void Says(Action op, string message) => Assert.Contains(message, Assert.ThrowsAny<Exception>(op).Message);
        Says(() => s.Narrow(0, 0, 1), "narrow() cannot be applied to a 0-dim tensor");
        Says(() => s.Select(0, 0), "select() cannot be applied to a 0-dim tensor");
        Says(() => _ = s[0], "too many indices for tensor of dimension 0");
        Says(() => s.Split(1, 0), "split expects at least a 1-dimensional tensor");
        Says(() => s.Split([1], 0), "split expects at least a 1-dimensional tensor");
        Says(() => s.Chunk(1, 0), "chunk expects at least a 1-dimensional tensor");
        Says(() => s.Size(0), "dimension specified as 0 but tensor has no dimensions");
        Says(() => s.Transpose(0, 1), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    }

    /// <summary>Max, min and their indices over a dim of size 0: PyTorch's IndexError, naming the dim (it said "specify
    /// the reduction dim", which the caller had).</summary>
    [Fact]
    public void A_max_over_an_empty_dim_names_that_dim()
    {
        var e = Ones(2, 3)[.., 1..1];
        Assert.Equal("max(): Expected reduction dim 1 to have non-zero size.", Assert.Throws<IndexOutOfRangeException>(() => e.Amax(1)).Message);
        Assert.Equal("min(): Expected reduction dim 1 to have non-zero size.", Assert.Throws<IndexOutOfRangeException>(() => e.Amin(-1)).Message);
        Assert.Equal("argmax(): Expected reduction dim 1 to have non-zero size.", Assert.Throws<IndexOutOfRangeException>(() => e.ArgMax(1)).Message);
        Assert.Equal([0], e.Amax(0).Shape.ToArray());   // a dim of size 2 reduced: nothing left, nothing to refuse
    }

    private sealed class ToleranceComparer(double relative) : System.Collections.Generic.IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= relative * Math.Max(Math.Abs(a), Math.Abs(b));
        public int GetHashCode(float v) => 0;
    }
}

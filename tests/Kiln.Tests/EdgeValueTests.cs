using System;
using System.Linq;
using System.Threading.Tasks;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Edge values a new user's trial found wrong, each against PyTorch's documented result: NaN propagates through sums,
/// max/min and MSE (the ILGPU path hung: a compare-exchange loop that compared floats never stopped once the target was
/// NaN); torch.var divides by max(0, N - correction) (a plan gave a negative variance); BCE of Sigmoid(z) is the same
/// eagerly as in a plan.
/// </summary>
public class EdgeValueTests
{
    public static TheoryData<string> Devices() => new() { "cpu", "ilgpu-cpu" };

    /// <summary>Runs <paramref name="run"/> with a time limit: a hang is a failure, not a stuck test run.</summary>
    private static T Within<T>(Func<T> run)
    {
        var task = Task.Run(run);
        Assert.True(task.Wait(TimeSpan.FromSeconds(60)), "the run did not return (a reduction that never stops on NaN)");
        return task.Result;
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void NaN_reaching_a_reduction_comes_out_as_NaN(string device)
    {
        using var d = Device.Create(device);
        var m = new NanEdges(d);
        float[] rows = [1, float.NaN, 3, -2, -5, -1];
        // row 0 holds the NaN, row 1 does not: torch.sum/amax/amin give NaN there and the plain value here
        var sums = Within(() => m.CompileRowSums().Run(rows));
        Assert.True(float.IsNaN(sums[0]));
        Assert.Equal(-8f, sums[1]);
        var max = Within(() => m.CompileRowMax().Run(rows));
        Assert.True(float.IsNaN(max[0]));
        Assert.Equal(-1f, max[1]);
        var min = Within(() => m.CompileRowMin().Run(rows));
        Assert.True(float.IsNaN(min[0]));
        Assert.Equal(-5f, min[1]);
        Assert.True(float.IsNaN(Within(() => m.CompileTotal().Run(rows))[0]));
        Assert.True(float.IsNaN(Within(() => m.CompileAllMax().Run(rows))[0]));
        Assert.True(float.IsNaN(Within(() => m.CompileMse().Run(rows))[0]));
        // a NaN made inside the graph: log of a negative
        Assert.True(float.IsNaN(Within(() => m.CompileLogSum().Run([1f, -1f, 2f, 3f, 4f, 5f]))[0]));
        Assert.Equal(MathF.Log(120f), Within(() => m.CompileLogSum().Run([1f, 1f, 2f, 3f, 4f, 5f]))[0], 1e-5f);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void A_variance_whose_correction_reaches_the_count_is_inf_as_torch_var(string device)
    {
        using var d = Device.Create(device);
        var m = new NanEdges(d);
        // rows 0..3, 4..7, 8..11: Σ(x - mean)² = 5 each, divided by max(0, 4 - 5) = 0
        var v = m.CompileVarPast().Run(Enumerable.Range(0, 12).Select(i => (float)i).ToArray());
        Assert.All(v, x => Assert.True(float.IsPositiveInfinity(x), $"{x}"));
        // a named dim: N = 2 rows, correction 3; a constant column gives 0/0 = NaN
        var named = m.CompileVarNamed(n: 2).Run([1f, 2f, 3f, 5f, 7f, 3f]);
        Assert.True(float.IsPositiveInfinity(named[0]) && float.IsPositiveInfinity(named[1]), string.Join(", ", named));
        Assert.True(float.IsNaN(named[2]));
    }

    [Fact]
    public void BCE_of_a_saturated_sigmoid_is_the_same_eagerly_as_in_a_plan()
    {
        using var d = Device.ManagedCpu();
        var m = new NanEdges(d);
        // softplus(z) - y·z: exact where σ(z) rounds to 1 (the clamped logs would give 100); log(1 + e^20) = 20 in float
        float[] z = [20f, -50f], y = [0f, 1f];
        var plan = m.CompileBceOfSigmoid().Run(z, y);
        Assert.Equal([20f, 50f], plan);
        var eager = m.BceOfSigmoid(Tensor.From(z), Tensor.From(y)).ToArray();
        Assert.Equal(plan, eager);
        // a probability that did not come from Sigmoid is torch's clamped form
        Assert.Equal(100f, Losses.BinaryCrossEntropy(Tensor.From([1f]), Tensor.From([0f]), reduction: Reduction.None).ToArray()[0]);
    }
}

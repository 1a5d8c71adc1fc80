using System;
using System.Linq;
using Xunit;
using static Kiln.Ops;

namespace Kiln.Tests;

/// <summary>
/// A square layer: its output has its input's shape, so a caller can pass one array as both. 40 features: more than
/// one GEMM column panel, so a product writing its output into its input would read overwritten values.
/// </summary>
[Model]
public partial class SquareLayer
{
    [Param(40, 40)] Tensor w;
    [Param(40)] Tensor b;

    [Forward] public Tensor Forward([Shape("N", 40)] Tensor x) => Linear(x, w, b);
    [Forward] public Tensor Product([Shape("N", 40)] Tensor x) => MatMul(x, w.T);
    [Forward] public Tensor RowSums([Shape("N", 40)] Tensor x) => Linear(x, w, b).Sum(1);
    [Forward] public Tensor Scaled([Shape("N", 40)] Tensor x, float scale) => Linear(x, w, b) * scale;
    [Loss] public Tensor Loss([Shape("N", 40)] Tensor x, [Shape("N", 40)] Tensor y) => Losses.MseLoss(Forward(x), y);
}

/// <summary>
/// Plans read the caller's arrays in place on the managed path (issue 13: zero-copy inputs): the array overloads bind
/// float inputs and a forward plan's output to the caller's arrays, the span overloads copy. Every expected value is
/// the layer's definition in float64 (x·Wᵀ + b), or the same plan's span overload.
/// </summary>
public class ZeroCopyTests
{
    private const int N = 5, F = 40;

    private static float[] Values(int count, int seed)
    {
        var rng = new SeededRandom((ulong)seed);
        return Enumerable.Range(0, count).Select(_ => rng.Uniform(-1, 1)).ToArray();
    }

    /// <summary>x·Wᵀ + b in float64 from the layer's parameters (without b for Product).</summary>
    private static double[] Reference(SquareLayer layer, float[] x, double scale = 1, bool bias = true)
    {
        var w = layer.Parameters.Get("w");
        var b = bias ? layer.Parameters.Get("b") : new float[F];
        var y = new double[N * F];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < F; j++)
            {
                double s = b[j];
                for (int p = 0; p < F; p++) s += (double)x[i * F + p] * w[j * F + p];
                y[i * F + j] = s * scale;
            }
        return y;
    }

    private static void Close(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Array_and_span_overloads_agree(string device)
    {
        using var d = Device.Create(device);
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        var x = Values(N * F, 1);
        var fromArrays = new float[N * F];
        plan.Run(x, fromArrays);
        Close(Reference(layer, x), fromArrays);
        var fromSpans = new float[N * F];
        plan.Run(x.AsSpan(), fromSpans.AsSpan());
        Assert.Equal(fromArrays, fromSpans);
        Assert.Equal(fromArrays, plan.Run(x));
        using var scaled = layer.CompileScaled(N);
        var y = new float[N * F];
        scaled.Run(x, 2.5f, y);
        Close(Reference(layer, x, 2.5), y);
    }

    [Fact]
    public void The_managed_path_reads_and_writes_the_callers_arrays_in_place()
    {
        // Replay reruns the kernels on the last call's memory: with the arrays bound, it sees a change to x and
        // writes the output array again; nothing was copied in or out
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        var x = Values(N * F, 1);
        var y = new float[N * F];
        plan.Run(x, y);
        x[0] += 1;
        Array.Clear(y);
        plan.Replay();
        Close(Reference(layer, x), y);
    }

    [Fact]
    public void A_collection_expression_beside_an_output_array_is_not_an_ambiguous_call()
    {
        // a collection expression converts to a span or to an array: beside an array (the output here, an input of the
        // loss) the span and array overloads would tie (CS0121, found by a new user); this file does not compile then
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        var x = Values(N * F, 1);
        var y = new float[N * F];
        plan.Run([.. x], y);
        Close(Reference(layer, x), y);
        using var loss = layer.CompileLoss(N);
        Assert.Equal(loss.Forward(x, y), loss.Forward([.. x], y));
    }

    [Fact]
    public void Span_inputs_are_copied_so_the_caller_may_reuse_them()
    {
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        var x = Values(N * F, 1);
        var y = new float[N * F];
        plan.Run(x, y); // binds x and y
        var x2 = Values(N * F, 2);
        var y2 = new float[N * F];
        plan.Run(x2.AsSpan(), y2.AsSpan()); // copies: the earlier arrays are no longer read or written
        var before = (float[])y.Clone();
        x2[0] += 1;
        plan.Replay();
        Assert.Equal(before, y);
        Close(Reference(layer, Values(N * F, 2)), y2);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void An_output_array_that_is_the_input_is_not_written_while_it_is_read(string device)
    {
        // the GEMM reads each x row once per column panel: writing y into x during the product would corrupt it
        using var d = Device.Create(device);
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileProduct(N);
        var x = Values(N * F, 1);
        var expected = Reference(layer, x, bias: false);
        plan.Run(x, x);
        Close(expected, x);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Loss_plans_take_arrays_and_agree_with_spans(string device)
    {
        using var d = Device.Create(device);
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileLoss(N);
        var x = Values(N * F, 1);
        var target = Values(N * F, 4);
        layer.Parameters.ZeroGrad();
        float fromArrays = plan.ForwardBackward(x, target);
        var gradArrays = layer.Parameters.Grad("w");
        layer.Parameters.ZeroGrad();
        float fromSpans = plan.ForwardBackward(x.AsSpan(), target.AsSpan());
        // the same inputs either way (ILGPU's reductions add in any order, so to the last bit only on the managed path)
        Assert.Equal(fromSpans, fromArrays, 1e-6f);
        Assert.Equal(layer.Parameters.Grad("w"), gradArrays, (a, b) => Math.Abs(a - b) <= 1e-6f);
        var prediction = Reference(layer, x);
        double mse = prediction.Select((p, i) => (p - target[i]) * (p - target[i])).Average();
        Assert.True(Math.Abs(mse - fromArrays) <= 1e-5 * Math.Max(1, mse), $"{fromArrays} vs {mse}");
        Assert.Equal(fromArrays, plan.Forward(x, target), 1e-6f);
    }

    [Fact]
    public void Staged_inputs_after_a_bound_call_are_what_the_run_reads()
    {
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        plan.Run(Values(N * F, 1), new float[N * F]);
        var x = Values(N * F, 5);
        x.CopyTo(plan.StagedInput("x"));
        var y = new float[N * F];
        plan.RunStaged(y);
        Close(Reference(layer, x), y);
    }

    [Fact]
    public void A_replay_before_any_input_runs_on_zeros()
    {
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        plan.Replay();
        var y = new float[N * F];
        plan.RunStaged(y);
        Close(Reference(layer, new float[N * F]), y);
    }

    [Fact]
    public void A_staged_run_reads_the_staged_memory_after_an_array_call()
    {
        // the staged span was handed out before the array call bound x: the staged run still reads it
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        var staged = plan.StagedInput("x");
        var xb = Values(N * F, 5);
        xb.CopyTo(staged);
        plan.Run(Values(N * F, 1), new float[N * F]);
        xb.CopyTo(staged);
        var y = new float[N * F];
        plan.RunStaged(y);
        Close(Reference(layer, xb), y);
    }

    [Fact]
    public void A_failed_array_call_leaves_no_binding_behind()
    {
        // the array overload offered x, then the call failed on the output's length: a later span call copies x
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileForward(N);
        var x = Values(N * F, 1);
        var error = Assert.Throws<ArgumentException>(() => plan.Run(x, new float[1]));
        Assert.Contains("Output 'output' must have shape [N, 40]", error.Message);
        Assert.Contains("[N, 40] = [5, 40] (200 values)", error.Message);   // the bound dims, as an input's message has them
        var y = new float[N * F];
        plan.Run(x.AsSpan(), y.AsSpan());
        Assert.Equal(x, plan.StagedInput("x").ToArray()); // the span call copied x into the plan's own memory
        Close(Reference(layer, x), y);
        Assert.Throws<ArgumentNullException>(() => plan.Run(null!, y));
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => plan.Run(null!, y)).ParamName);
        Assert.Throws<ArgumentNullException>(() => plan.Call(null!));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_call_that_fails_on_a_later_input_places_none_of_its_inputs(bool arrays)
    {
        // the second input's length is wrong: the first must not have been copied or bound before the check threw, so
        // a Replay still runs on the last good call's inputs
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileLoss(N);
        float[] x = Values(N * F, 1), y = Values(N * F, 2), other = Values(N * F, 4);
        layer.Parameters.ZeroGrad();
        plan.ForwardBackward(x.AsSpan(), y.AsSpan());
        var good = layer.Parameters.Grad("w");
        var error = Assert.Throws<ArgumentException>(() => arrays ? plan.ForwardBackward(other, new float[N * F - 1]) : plan.ForwardBackward(other.AsSpan(), new float[N * F - 1]));
        Assert.Equal("y", error.ParamName);
        Assert.Contains("[N, 40] = [5, 40]", error.Message);
        other.AsSpan().Clear(); // what a binding left behind would read
        layer.Parameters.ZeroGrad();
        plan.Replay(backward: true);
        Assert.Equal(good, layer.Parameters.Grad("w"));
    }

    [Fact]
    public void A_reduced_output_is_written_in_place_too()
    {
        // Sum(1) keeps its dim and squeezes it: the squeezed view is the stored tensor, element for element
        using var d = Device.ManagedCpu();
        var layer = new SquareLayer(d, 3);
        using var plan = layer.CompileRowSums(N);
        var x = Values(N * F, 1);
        var sums = new float[N];
        plan.Run(x, sums);
        var rows = Reference(layer, x);
        var expected = Enumerable.Range(0, N).Select(i => rows.Skip(i * F).Take(F).Sum()).ToArray();
        Close(expected, sums);
        Array.Fill(sums, 3f);
        plan.Replay();
        Close(expected, sums);
    }
}

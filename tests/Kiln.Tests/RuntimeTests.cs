using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>Autograd semantics, parameter init and storage, and the errors a wrong input raises at run time.</summary>
public class RuntimeTests
{
    private static float[] Random(int n, int seed)
    {
        var rng = new SeededRandom((ulong)seed);
        return Enumerable.Range(0, n).Select(_ => rng.Uniform(-1, 1)).ToArray();
    }

    [Fact]
    public void Backward_accumulates_until_zero_grad_as_in_seed_000()
    {
        using var device = Device.ManagedCpu();
        var m = new Quadratic(device, seed: 3);
        using var step = m.CompileLoss();
        float[] r1 = Random(6, 1), r2 = Random(6, 2);
        step.ForwardBackward(r1);
        var g1 = m.Parameters.Grad("w");
        m.Parameters.ZeroGrad();
        step.ForwardBackward(r2);
        var g2 = m.Parameters.Grad("w");
        m.Parameters.ZeroGrad();
        step.ForwardBackward(r1);
        step.ForwardBackward(r2);
        var both = m.Parameters.Grad("w");
        for (int i = 0; i < 6; i++) Assert.Equal(g1[i] + g2[i], both[i], 6);
        m.Parameters.ZeroGrad();
        Assert.All(m.Parameters.Grad("w"), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Forward_only_leaves_gradients_alone()
    {
        using var device = Device.ManagedCpu();
        var m = new Quadratic(device, seed: 3);
        using var step = m.CompileLoss();
        float[] r = Random(6, 1);
        float loss = step.Forward(r);
        var w = m.Parameters.Get("w");
        Assert.Equal(w.Select((x, i) => (double)x * x * r[i]).Sum(), loss, 5);
        Assert.All(m.Parameters.Grad("w"), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Linear_20_30_on_a_128_batch_gives_128_by_30_as_x_wT_plus_b()
    {
        using var device = Device.ManagedCpu();
        var m = new Wide(device, seed: 5);
        using var predict = m.CompilePredict(n: 128);
        Assert.Equal(128 * 30, predict.OutputLength);
        var x = Random(128 * 20, 9);
        var y = predict.Run(x);
        var w = m.Parameters.Get("fc.weight");
        var b = m.Parameters.Get("fc.bias");
        for (int i = 0; i < 128; i += 17)
            for (int o = 0; o < 30; o++)
            {
                double expected = b[o] + Enumerable.Range(0, 20).Sum(k => (double)x[i * 20 + k] * w[o * 20 + k]);
                Assert.True(Math.Abs(expected - y[i * 30 + o]) < 1e-5, $"y[{i},{o}] = {y[i * 30 + o]}, expected {expected}");
            }
    }

    [Fact]
    public void Linear_init_is_uniform_within_one_over_sqrt_fan_in_and_seeded()
    {
        using var device = Device.ManagedCpu();
        var a = new Wide(device, seed: 11);
        var b = new Wide(device, seed: 11);
        var c = new Wide(device, seed: 12);
        double bound = 1 / Math.Sqrt(20);
        var w = a.Parameters.Get("fc.weight");
        var bias = a.Parameters.Get("fc.bias");
        Assert.Equal(600, w.Length);
        Assert.All(w.Concat(bias), v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.9 * bound && w.Min() < -0.9 * bound, "weights do not span the bound");
        Assert.InRange(w.Average(), -0.1 * bound, 0.1 * bound);
        Assert.Equal(w, b.Parameters.Get("fc.weight"));
        Assert.NotEqual(w, c.Parameters.Get("fc.weight"));
    }

    [Fact]
    public void Parameters_are_readable_and_writable_by_name()
    {
        using var device = Device.ManagedCpu();
        var m = new SumOfWeights(device);
        m.Parameters.Set("weight", [1f, 2f, 3f, 4f]);
        Assert.Equal([1f, 2f, 3f, 4f], m.Parameters.Get("weight"));
        var e = Assert.Throws<ArgumentException>(() => m.Parameters.Set("weight", [1f]));
        Assert.Contains("[2, 2]", e.Message);
        Assert.Contains("weight", Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => m.Parameters.Get("bias")).Message);
    }

    [Fact]
    public void A_wrong_input_length_names_the_input_and_its_shape()
    {
        using var device = Device.ManagedCpu();
        var m = new Wide(device);
        using var step = m.CompileLoss(n: 4);
        var e = Assert.Throws<ArgumentException>(() => step.ForwardBackward(new float[79], new int[4]));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("[N, 20]", e.Message);
        Assert.Contains("80", e.Message);
        Assert.Contains("79", e.Message);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => step.ForwardBackward(new float[80], new int[3])).ParamName);
    }

    /// <summary>A new user's loop over a DataLoader with a plan for batches of 32: the short last batch (24 rows) failed
    /// with the lengths only; whole rows of another batch size now say so, and what to do.</summary>
    [Fact]
    public void Whole_rows_of_another_batch_size_say_what_the_plan_is_compiled_for()
    {
        using var device = Device.ManagedCpu();
        using var step = new Wide(device).CompileLoss(n: 4);
        var e = Assert.Throws<ArgumentException>(() => step.ForwardBackward(new float[60], new int[3]));
        Assert.Contains("[N, 20] = [4, 20] (80 values) but has 60 values: 3 rows, where the plan is compiled for N = 4", e.Message);
        Assert.Contains("dropLast", e.Message);
        // a length that is not whole rows gets no such guess
        Assert.DoesNotContain("rows", Assert.Throws<ArgumentException>(() => step.ForwardBackward(new float[79], new int[4])).Message);
        // one row is "1 row" (it said "1 rows")
        Assert.Contains("but has 20 values: 1 row, where", Assert.Throws<ArgumentException>(() => step.ForwardBackward(new float[20], new int[1])).Message);
        // printed, a plan says what it runs (it printed its class name)
        Assert.StartsWith("LossPlan(x [4, 20], t [4] ints) → [] on Managed CPU", step.ToString());
        // Call names the named dim as the span entry points do (it said only [4, 20])
        var call = Assert.Throws<ArgumentException>(() => step.Call(Ops.Zeros(3, 20), IntTensor.From([0, 1, 2])));
        Assert.Contains("must have shape [N, 20] = [4, 20] but has [3, 20]", call.Message);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(-1)]
    public void An_out_of_range_class_index_is_rejected_before_anything_runs(int bad)
    {
        using var device = Device.ManagedCpu();
        var m = new Wide(device);
        using var step = m.CompileLoss(n: 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => step.ForwardBackward(new float[80], [0, 1, bad, 2]));
        Assert.Equal("t", e.ParamName);
        Assert.Contains($"'t'[2] = {bad}", e.Message);
        Assert.Contains("[0, 30)", e.Message);
        Assert.All(m.Parameters.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void The_ignore_index_is_a_valid_target_and_drops_its_row()
    {
        // CrossEntropy's mean divides by the targets not ignored: [3, -100] over two rows is row 0's loss alone,
        // with row 0's gradient alone (PyTorch's ignore_index semantics)
        using var device = Device.ManagedCpu();
        var m = new Wide(device);
        var x = Random(40, 1);
        using var step = m.CompileLoss(n: 2);
        using var single = m.CompileLoss(n: 1);
        m.Parameters.ZeroGrad();
        float loss = step.ForwardBackward(x, [3, -100]);
        var grads = m.Parameters.Gradients.ToArray();
        m.Parameters.ZeroGrad();
        float alone = single.ForwardBackward(x.AsSpan(0, 20), [3]);
        // equal to float rounding, not bit for bit: one row's products sum in another order than two rows' (a GEMV, not
        // the micro-kernel), so a comparison of values rounded to 6 places could fall either side of a rounding boundary
        Assert.True(Math.Abs(alone - loss) <= 1e-6 * (1 + Math.Abs(loss)), $"loss {loss}, row 0 alone {alone}");
        var aloneGrads = m.Parameters.Gradients.ToArray();
        for (int i = 0; i < grads.Length; i++)
            Assert.True(Math.Abs(aloneGrads[i] - grads[i]) <= 1e-6 * (1 + Math.Abs(grads[i])), $"grad[{i}] {grads[i]}, row 0 alone {aloneGrads[i]}");
    }

    [Fact]
    public void A_forward_without_inputs_runs_on_the_parameters_alone()
    {
        using var device = Device.ManagedCpu();
        var m = new NoInputs(device);
        m.Parameters.Set("a", [-1f, 0f, 2f]);
        using var plan = m.CompileV();
        var y = plan.Run();
        for (int i = 0; i < 3; i++) Assert.Equal(1 / (1 + Math.Exp(-new[] { -1.0, 0, 2 }[i])), y[i], 6);
        var into = new float[3];
        plan.Run(into);
        Assert.Equal(y, into);
    }

    [Fact]
    public void An_index_out_of_range_is_an_exception_naming_the_input()
    {
        using var device = Device.ManagedCpu();
        var m = new IndexOps(device);
        using var plan = m.CompileEmbeddingLookup();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => plan.ForwardBackward([0, 1, 6, 2, 3], [0, 1], new float[20]));
        Assert.Equal("ids", e.ParamName);
        Assert.Contains("'ids'[2] = 6", e.Message);
        Assert.Contains("[0, 6)", e.Message);
        Assert.All(m.Parameters.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void A_non_positive_dim_is_rejected()
    {
        using var device = Device.ManagedCpu();
        var m = new Wide(device);
        Assert.Equal("N", Assert.Throws<ArgumentOutOfRangeException>(() => m.CompileLoss(n: 0)).ParamName);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => m.CompileLoss(n: -1)); // named before the arena is sized from it
        Assert.Equal("N", negative.ParamName);
        Assert.Contains("must be positive", negative.Message);
    }

    [Fact]
    public void Zero_d_softmax_one_d_linear_weight_and_char_operands_mean_what_PyTorch_and_CSharp_say()
    {
        using var device = Device.ManagedCpu();
        var m = new Corners(device);
        m.Parameters.Set("w", [0.5f, -2f, 3f]);
        // torch.softmax(torch.tensor(x), 0) == 1 and log_softmax == 0 for any 0-d x
        Assert.Equal(1f, m.CompileScalarSoftmax().Run([7.25f])[0], 6);
        // F.linear(x, w) with w of shape (3,): x @ w, one value per row
        Assert.Equal(new[] { 1 * 0.5f - 2 * 2f + 3 * 3f, -1 * 0.5f }, m.CompileVectorLinear(n: 2).Run([1, 2, 3, -1, 0, 0]));
        // C#: x * 'a' multiplies by the char's code, 97
        Assert.Equal(new[] { 97f, -194f, 48.5f }, m.CompileCharScale().Run([1, -2, 0.5f]));
    }

    [Fact]
    public void An_arena_beyond_int_offsets_is_a_named_error_on_every_device()
    {
        using var device = Device.ManagedCpu();
        var m = new Wide(device);
        // Wide's prediction plan holds at least the input (20 floats per row) and output (30): 50 · 2^31 - 1 floats
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => m.CompilePredict(n: int.MaxValue));
        Assert.Contains("a plan addresses at most", error.Message);
        // the same on an ILGPU device: int offsets would overflow there too, so nothing is allocated
        using var emulator = Device.Create("ilgpu-cpu");
        var onIlgpu = new Wide(emulator);
        Assert.Contains("a plan addresses at most", Assert.Throws<ArgumentOutOfRangeException>(() => onIlgpu.CompilePredict(n: int.MaxValue)).Message);
        // the bound keeps a grid-stride step clear of int overflow: index < MaxElements and step <= MaxLaunch sum below 2^31
        Assert.True((long)Plan.MaxElements + Device.MaxLaunch <= int.MaxValue);
        // Wide's prediction at n = 2^31/50 needs 50n = 2,147,483,600 floats: within int, past MaxElements, so refused
        Assert.Contains($"a plan addresses at most {Plan.MaxElements:N0}", Assert.Throws<ArgumentOutOfRangeException>(() => m.CompilePredict(n: int.MaxValue / 50)).Message);
        Assert.True(emulator.LaunchSize(long.MaxValue) <= Device.MaxLaunch);
        // a buffer beyond a .NET array on the managed path is named too
        Assert.Contains("exceeds the managed path's limit", Assert.Throws<ArgumentOutOfRangeException>(() => device.Allocate<float>(1L << 32)).Message);
    }

    [Fact]
    public void Zero_grad_clears_exactly_the_optimizers_parameters_on_every_core()
    {
        using var device = Device.ManagedCpu();
        var m = new LargeGradient(device, 3);
        using var loss = m.CompileLoss();
        loss.ForwardBackward();
        var small = m.Parameters.Gradient("small").ToArray();
        Assert.All(small, v => Assert.NotEqual(0f, v));
        Assert.All(m.Parameters.Gradient("large").ToArray(), v => Assert.NotEqual(0f, v));
        // an optimizer of "large" only (120,000 floats from offset 100: three chunks of CpuWorkers, on up to three cores)
        // leaves "small" alone
        new Sgd(m.Parameters, new SgdOptions(0.1), ["large"]).ZeroGrad();
        Assert.All(m.Parameters.Gradient("large").ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(small, m.Parameters.Gradient("small").ToArray());
        m.Parameters.ZeroGrad();
        Assert.All(m.Parameters.Gradient("small").ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Parameters.ClearGradients(50, m.Parameters.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Parameters.ClearGradients(0, -1));
    }

    [Fact]
    public unsafe void Staggered_buffers_start_a_KiB_apart_and_every_copy_honours_the_start()
    {
        using var device = Device.ManagedCpu();
        // an optimizer's state streams: the data of stream k starts (k + 1) KiB into its array, so where the GC starts
        // their arrays at one offset (as it does large ones) two streams of one update at one index share no L1 set
        var streams = Enumerable.Range(0, 3).Select(k => device.AllocateStaggered<float>(1000, k)).ToArray();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal((k + 1) * 256, streams[k].HostOffset);
            Assert.Equal(1000 + (k + 1) * 256, streams[k].Host!.Length);
            fixed (float* array = streams[k].Host, data = streams[k].HostSpan) Assert.Equal((k + 1) * 1024L, (byte*)data - (byte*)array);
        }
        var values = Enumerable.Range(1, 1000).Select(i => (float)i).ToArray();
        var s = streams[1];
        s.CopyFrom(values);
        Assert.Equal(values, s.HostSpan.ToArray());
        Assert.Equal(values, s.ToArray());
        Assert.All(s.Host!.Take(s.HostOffset), v => Assert.Equal(0f, v));
        // device-to-device copies between buffers with different starts, by element
        streams[2].CopyFrom(s, from: 10, to: 20, count: 5);
        Assert.Equal(new float[] { 11, 12, 13, 14, 15 }, streams[2].ToArray()[20..25]);
        var part = new float[3];
        streams[2].CopyTo(part, offset: 21);
        Assert.Equal(new float[] { 12, 13, 14 }, part);
        // Clear zeroes exactly the buffer's elements
        s.Host![s.HostOffset - 1] = 7f;
        s.Clear();
        Assert.All(s.HostSpan.ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(7f, s.Host[s.HostOffset - 1]);
        // a plain buffer starts at its array's first element
        Assert.Equal(0, device.Allocate<float>(10).HostOffset);
        // a fourth stream (4 KiB) would fall in the unstaggered blocks' sets again
        Assert.Throws<ArgumentOutOfRangeException>(() => device.AllocateStaggered<float>(10, 3));
        // on ILGPU devices there is no array and nothing to stagger
        using var emulator = Device.Create("ilgpu-cpu");
        var gpu = emulator.AllocateStaggered<float>(100, 2);
        Assert.Equal(0, gpu.HostOffset);
        Assert.True(gpu.HostSpan.IsEmpty);
        gpu.CopyFrom(values.AsSpan(0, 100));
        Assert.Equal(values[..100], gpu.ToArray());
    }

    [Fact]
    public void Devices_are_chosen_by_name_and_unknown_names_are_errors()
    {
        using (var cpu = Device.Create("cpu")) Assert.Equal(DeviceKind.ManagedCpu, cpu.Kind);
        using (var emu = Device.Create("ilgpu-cpu")) Assert.Equal(DeviceKind.IlgpuCpu, emu.Kind);
        Assert.Contains("tpu", Assert.Throws<ArgumentException>(() => Device.Create("tpu")).Message);
    }

    [Theory]
    [InlineData("cuda", DeviceKind.Cuda)]
    [InlineData("opencl", DeviceKind.OpenCL)]
    public void A_gpu_backend_opens_exactly_when_the_probe_finds_it(string name, DeviceKind kind)
    {
        // the probe and Create must agree: where the probe finds the backend it opens as that kind; where it does not
        // (no GPU, or PoCL without OpenCL 2.0's generic address space) Create says why with NotSupportedException
        var probe = Assert.Single(Device.Probe(), p => p.Kind == kind);
        if (probe.Available)
        {
            using var d = Device.Create(name);
            Assert.Equal(kind, d.Kind);
        }
        else
        {
            var e = Assert.Throws<NotSupportedException>(() => Device.Create(name));
            Assert.Contains(kind == DeviceKind.Cuda ? "CUDA" : "OpenCL", e.Message);
            Assert.False(string.IsNullOrWhiteSpace(probe.Detail));
        }
    }
}

public class DisposalTests
{
    public static TheoryData<string> Devices() => new() { "cpu", "ilgpu-cpu" };

    [Theory]
    [MemberData(nameof(Devices))]
    public void A_disposed_plan_throws_ObjectDisposedException_on_every_path(string device)
    {
        using var d = Device.Create(device);
        var m = new Kiln.Tests.Models.Wide(d);
        var step = m.CompileLoss(n: 2);
        step.Dispose();
        Assert.Throws<ObjectDisposedException>(() => step.ForwardBackward(new float[40], [1, 2]));
        Assert.Throws<ObjectDisposedException>(() => step.Forward(new float[40], [1, 2]));
        Assert.Throws<ObjectDisposedException>(() => step.Replay());
        Assert.Throws<ObjectDisposedException>(() => step.ForwardBackwardStaged());
        step.Dispose();   // twice is fine
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void A_plan_whose_device_was_disposed_throws_instead_of_touching_freed_memory(string device)
    {
        var d = Device.Create(device);
        var m = new Kiln.Tests.Models.NoInputs(d);
        var plan = m.CompileV();
        d.Dispose();
        Assert.Throws<ObjectDisposedException>(() => plan.Run());
        Assert.Throws<ObjectDisposedException>(() => m.Parameters.Get("a"));
    }

    /// <summary>
    /// The members every plan has from the runtime: Replay() repeats a loss plan's forward and backward (gradients add up
    /// again) and a forward plan's forward; OutputLength is a forward plan's output (a tuple's first); a loss plan has no
    /// output array and runs staged inputs with ForwardBackwardStaged, and a tuple's plan takes a destination per output.
    /// </summary>
    [Fact]
    public void Replay_output_length_and_staged_runs_follow_the_kind_of_plan()
    {
        using var d = Device.ManagedCpu();
        var m = new Kiln.Tests.Models.ManyOutputs(d);
        using var train = m.CompileTrain();
        using var both = m.CompileBoth();
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        m.Parameters.ZeroGrad();
        train.ForwardBackward(x, [0, 2]);
        var once = m.Parameters.Grad("w");
        Assert.Contains(once, g => g != 0);
        train.Replay();
        var twice = m.Parameters.Grad("w");
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], twice[i], 1e-5f);
        train.Replay(backward: false);
        Assert.Equal(twice, m.Parameters.Grad("w"));

        Assert.Equal(6, both.OutputLength);
        var (logits, _) = both.Run(x);
        both.Replay();
        Assert.Contains("loss plan", Assert.Throws<NotSupportedException>(() => train.OutputLength).Message);
        Assert.Contains("ForwardBackwardStaged", Assert.Throws<NotSupportedException>(() => train.RunStaged(new float[1])).Message);
        Assert.Contains("destination for each output", Assert.Throws<NotSupportedException>(() => both.RunStaged(new float[6])).Message);
        x.CopyTo(both.StagedInput("x"));
        var (staged, probs) = (new float[6], new float[6]);
        both.RunStaged(staged, probs);
        Assert.Equal(logits, staged);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public void A_plan_in_use_rejects_a_second_caller_on_every_entry_point(string device)
    {
        using var d = Device.Create(device);
        var m = new Kiln.Tests.Models.Wide(d);
        var step = m.CompileLoss(n: 2);
        var predict = m.CompilePredict(n: 2);
        var running = typeof(Plan).GetField("_running", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        running.SetValue(step, 1); // as if another thread were inside a call
        running.SetValue(predict, 1);
        Assert.Contains("single-threaded", Assert.Throws<InvalidOperationException>(() => step.ForwardBackward(new float[40], [1, 2])).Message);
        Assert.Throws<InvalidOperationException>(() => step.Forward(new float[40], [1, 2]));
        Assert.Throws<InvalidOperationException>(() => step.ForwardBackwardStaged());
        Assert.Throws<InvalidOperationException>(() => step.Replay());
        Assert.Throws<InvalidOperationException>(() => predict.Run(new float[40]));
        Assert.Throws<InvalidOperationException>(() => predict.RunStaged(new float[60]));
        running.SetValue(step, 0);
        step.Forward(new float[40], [1, 2]); // released: runs again, and a finished call releases it
        step.Forward(new float[40], [1, 2]);
    }

    [Fact]
    public void Two_threads_on_one_plan_never_get_each_others_outputs()
    {
        using var d = Device.ManagedCpu();
        var m = new Kiln.Tests.Models.Wide(d, seed: 3);
        using var plan = m.CompilePredict(n: 64);
        var rng = new SeededRandom(9);
        var inputs = new[] { new float[64 * 20], new float[64 * 20] };
        foreach (var x in inputs) for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-1, 1);
        var expected = inputs.Select(x => plan.Run(x)).ToArray();
        int wrong = 0, rejected = 0;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            for (int k = 0; k < 2000; k++)
            {
                try { if (!plan.Run(inputs[t]).AsSpan().SequenceEqual(expected[t])) Interlocked.Increment(ref wrong); }
                catch (InvalidOperationException) { Interlocked.Increment(ref rejected); }
            }
        });
        Assert.Equal(0, wrong); // each call either completes with its own result or is refused by name
    }
}

/// <summary>Enough gradient for several cores to clear a part (three of CpuWorkers' 32K-float chunks), after a small one.</summary>
[Model]
public partial class LargeGradient
{
    [Param(100)] Tensor small;
    [Param(300, 400)] Tensor large;
    [Loss] public Tensor Loss() => (small * small).Sum() + (large * large).Sum();
}

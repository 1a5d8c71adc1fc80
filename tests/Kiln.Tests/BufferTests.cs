using System;
using System.IO;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// [Buffer] fields (issue 8), as PyTorch's register_buffer: read by a method, assigned a new value that training-mode
/// runs write back (BatchNorm's running statistics, written out here in float64), left alone by eval-mode runs and by
/// optimizers, saved and loaded by checkpoints beside the parameters, the same on the managed and ILGPU paths.
/// Interpreter consistency and gradients run with every test model (RunningStats in Models/TrainingModels.cs).
/// </summary>
public class BufferTests() : TempFolder("kiln-buffer-")
{
    private const int N = 4;

    private static float[] Batch(int k)
    {
        var rng = new SeededRandom((ulong)(31 + k));
        return Enumerable.Range(0, N * 3).Select(_ => rng.Uniform(-2, 3)).ToArray();
    }

    /// <summary>Column j of an N × 3 batch: its mean and its unbiased variance (torch.var's default correction 1).</summary>
    private static (double Mean, double Var) Column(float[] x, int j)
    {
        var col = Enumerable.Range(0, N).Select(i => (double)x[i * 3 + j]).ToArray();
        double m = col.Average();
        return (m, col.Sum(v => (v - m) * (v - m)) / (N - 1));
    }

    [Fact]
    public void Training_runs_update_the_running_statistics_as_BatchNorm_does()
    {
        using var device = Device.ManagedCpu();
        var m = new RunningStats(device, seed: 3);
        Assert.Equal([0f, 0f, 0f], m.Parameters.Buffer("runningMean"));
        Assert.Equal([1f, 1f, 1f], m.Parameters.Buffer("runningVar"));   // Init.Ones
        var plan = m.CompileNormalized(N);
        double[] mean = [0, 0, 0], variance = [1, 1, 1], last = [0, 0, 0];
        for (int k = 0; k < 5; k++)
        {
            var x = Batch(k);
            plan.ForwardBackward(x);
            for (int j = 0; j < 3; j++)
            {
                var (bm, bv) = Column(x, j);
                mean[j] = 0.9 * mean[j] + 0.1 * bm;   // running = (1 - momentum)·running + momentum·batch, momentum 0.1
                variance[j] = 0.9 * variance[j] + 0.1 * bv;
                last[j] = bm;
            }
        }
        Assert.All(m.Parameters.Buffer("runningMean").Zip(mean), p => Assert.Equal(p.Second, p.First, 5));
        Assert.All(m.Parameters.Buffer("runningVar").Zip(variance), p => Assert.Equal(p.Second, p.First, 5));
        Assert.Equal([5f], m.Parameters.Buffer("steps"));
        Assert.All(m.Parameters.Buffer("tracker.last").Zip(last), p => Assert.Equal(p.Second, p.First, 5));   // a submodule's buffer by its path
        // buffers are not parameters: no gradient slot, no optimizer sees them
        Assert.DoesNotContain(m.Parameters.Layout, p => p.Name is "runningMean" or "runningVar" or "steps" or "tracker.last");
        Assert.Equal(3, m.Parameters.Count);
    }

    [Fact]
    public void Buffer_copies_allocate_nothing_per_step()
    {
        using var device = Device.ManagedCpu();
        var m = new RunningStats(device, seed: 3);
        var plan = m.CompileNormalized(N);
        var x = Batch(0);
        for (int k = 0; k < 50; k++) plan.ForwardBackward(x);   // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 200; k++) plan.ForwardBackward(x);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"{allocated} bytes for 200 steps that read and write four buffers");
    }

    [Fact]
    public void A_forward_plan_reads_the_current_buffers()
    {
        using var device = Device.ManagedCpu();
        var m = new RunningStats(device, seed: 3);
        m.Parameters.SetBuffer("runningMean", [1f, -1f, 0.5f]);
        m.Parameters.SetBuffer("runningVar", [4f, 0.25f, 1f]);
        var w = m.Parameters.Get("w");
        var x = Batch(0);
        var y = m.CompileNormalize(N).Run(x);
        float[] rm = [1f, -1f, 0.5f], rv = [4f, 0.25f, 1f];
        for (int i = 0; i < N * 3; i++)
            Assert.Equal((x[i] - rm[i % 3]) / Math.Sqrt(rv[i % 3] + 1e-5) * w[i % 3], y[i], 5);
    }

    [Fact]
    public void A_read_after_an_assignment_sees_the_new_value_and_eval_runs_keep_the_old()
    {
        using var device = Device.ManagedCpu();
        var m = new RunningStats(device, seed: 3);
        var count = m.CompileCount();
        Assert.Equal([2f], count.Run());
        Assert.Equal([4f], count.Run());
        m.Parameters.Eval();
        Assert.Equal([6f], count.Run());   // computed from the buffer…
        Assert.Equal([6f], count.Run());   // …but not written back in eval mode
        Assert.Equal([2f], m.Parameters.Buffer("steps"));
        m.Parameters.Train();
        Assert.Equal([6f], count.Run());
        Assert.Equal([3f], m.Parameters.Buffer("steps"));
    }

    /// <summary>
    /// A method called eagerly (m.Normalized(x), as model(x) in PyTorch) that assigns its buffers updates them as a
    /// training run does: the block, the plans' next runs and checkpoints see the new values, and the fields view the
    /// block again afterwards, so an eager read follows the plans. In eval mode an eager call keeps nothing, as an eval run.
    /// </summary>
    [Fact]
    public void An_eager_call_that_assigns_buffers_updates_them_as_a_training_run()
    {
        using var device = Device.ManagedCpu();
        var m = new RunningStats(device, seed: 3);
        var plan = m.CompileNormalized(N);
        double[] mean = [0, 0, 0], variance = [1, 1, 1], last = [0, 0, 0];
        double steps = 0;
        void Expect(float[] x)
        {
            for (int j = 0; j < 3; j++)
            {
                var (bm, bv) = Column(x, j);
                mean[j] = 0.9 * mean[j] + 0.1 * bm;
                variance[j] = 0.9 * variance[j] + 0.1 * bv;
                last[j] = bm;
            }
            steps++;
        }
        void Check()
        {
            Assert.All(m.Parameters.Buffer("runningMean").Zip(mean), p => Assert.Equal(p.Second, p.First, 5));
            Assert.All(m.Parameters.Buffer("runningVar").Zip(variance), p => Assert.Equal(p.Second, p.First, 5));
            Assert.Equal([(float)steps], m.Parameters.Buffer("steps"));
            Assert.All(m.Parameters.Buffer("tracker.last").Zip(last), p => Assert.Equal(p.Second, p.First, 5));   // a submodule's field
        }
        plan.ForwardBackward(Batch(0));
        Expect(Batch(0));
        m.Normalized(Tensor.From(Batch(1), N, 3));
        Expect(Batch(1));
        Check();   // Buffer() takes in what the eager call assigned
        plan.ForwardBackward(Batch(2));
        Expect(Batch(2));
        m.Normalized(Tensor.From(Batch(3), N, 3));
        Expect(Batch(3));
        plan.ForwardBackward(Batch(4));   // the run reads the eager update, then adds its own
        Expect(Batch(4));
        Check();
        // the fields view the block again: the eager forward reads the plans' buffers
        var x = Batch(5);
        Assert.Equal(m.CompileNormalize(N).Run(x), m.Normalize(Tensor.From(x, N, 3)).ToArray());

        // a checkpoint saves an eager update; loading one replaces it
        m.Normalized(Tensor.From(Batch(6), N, 3));
        Expect(Batch(6));
        var path = File("eager.safetensors");
        Checkpoint.Save(path, m.Parameters);
        Assert.All(Checkpoint.Read(path).Tensors["runningMean"].Data.Zip(mean), p => Assert.Equal(p.Second, p.First, 5));
        m.Normalized(Tensor.From(Batch(7), N, 3));
        Checkpoint.Load(path, m.Parameters);
        Check();
        plan.ForwardBackward(Batch(8));
        Expect(Batch(8));
        Check();

        m.Parameters.Eval();
        m.Normalized(Tensor.From(Batch(9), N, 3));
        Check();   // an eval-mode call computes with the buffers but keeps nothing
        m.Parameters.Train();
        plan.ForwardBackward(Batch(10));
        Expect(Batch(10));
        Check();

        // the mode an assignment was made in decides, not the mode when the block is next read: a training-mode call
        // is kept across a switch to eval, an eval-mode call is dropped across a switch to training
        m.Normalized(Tensor.From(Batch(11), N, 3));
        Expect(Batch(11));
        m.Parameters.Eval();
        Check();
        m.Normalized(Tensor.From(Batch(12), N, 3));
        m.Parameters.Train();
        plan.ForwardBackward(Batch(13));
        Expect(Batch(13));
        Check();
    }

    [Fact]
    public void Optimizers_leave_buffers_alone()
    {
        using var device = Device.ManagedCpu();
        var m = new RunningStats(device, seed: 3);
        var plan = m.CompileNormalized(N);
        var optimizer = new AdamW(m.Parameters, new AdamOptions(0.1) { WeightDecay = 0.5 });
        plan.ForwardBackward(Batch(0));
        var before = m.Parameters.Buffers.ToArray();
        var w = m.Parameters.Get("w");
        optimizer.Step();
        Assert.NotEqual(w, m.Parameters.Get("w"));
        Assert.Equal(before, m.Parameters.Buffers.ToArray());
    }

    [Fact]
    public void Checkpoints_save_and_load_buffers_beside_the_parameters()
    {
        using var device = Device.ManagedCpu();
        var a = new RunningStats(device, seed: 3);
        var plan = a.CompileNormalized(N);
        for (int k = 0; k < 3; k++) plan.ForwardBackward(Batch(k));
        var path = File("stats.safetensors");
        Checkpoint.Save(path, a.Parameters);
        var contents = Checkpoint.Read(path);
        Assert.Equal(a.Parameters.Buffer("runningMean"), contents.Tensors["runningMean"].Data);   // under its path, as a state_dict
        Assert.Equal([3], contents.Tensors["tracker.last"].Shape);

        var b = new RunningStats(device, seed: 8);
        Checkpoint.Load(path, b.Parameters);
        Assert.Equal(a.Parameters.Buffers.ToArray(), b.Parameters.Buffers.ToArray());
        Assert.Equal(a.Parameters.Get("w"), b.Parameters.Get("w"));

        // a file without a buffer the model declares is named, and nothing is changed
        var wide = File("params-only.safetensors");
        Checkpoint.Save(wide, new Creation(device, 1).Parameters);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(wide, b.Parameters));
        Assert.Contains("is missing", e.Message);
    }

    [Fact]
    public void Managed_and_ilgpu_keep_the_same_buffers()
    {
        using var managed = Device.ManagedCpu();
        using var ilgpu = Device.IlgpuCpu();
        var a = new RunningStats(managed, seed: 3);
        var b = new RunningStats(ilgpu, seed: 3);
        var pa = a.CompileNormalized(N);
        var pb = b.CompileNormalized(N);
        for (int k = 0; k < 3; k++)
        {
            pa.ForwardBackward(Batch(k));
            pb.ForwardBackward(Batch(k));
        }
        Assert.All(a.Parameters.Buffers.ToArray().Zip(b.Parameters.Buffers.ToArray()), p => Assert.Equal(p.First, p.Second, 5));
        Assert.Equal(a.CompileCount().Run(), b.CompileCount().Run());
    }

    private const string Usings = "using Kiln; using static Kiln.Ops;\n";

    [Theory]
    [InlineData("[Param(3)] Tensor w; [Loss] public Tensor L([Shape(3)] Tensor x) { [|w = x * 2f|]; return (w * x).Sum(); }", "KLN0001", "a method assigns only [Buffer] fields")]
    [InlineData("[Param(3)] Tensor w; [Buffer(3)] Tensor b; [Loss] public Tensor L([Shape(2, 3)] Tensor x) { [|b = x|]; return (w * x).Sum(); }", "KLN0018", "a buffer keeps its shape")]
    [InlineData("[Param(3)] Tensor w; [Buffer(3)] Tensor b; [Loss] public Tensor L([Shape(3)] Tensor x) { Tensor y; [|(b, y) = (x, x);|] return (w * b).Sum(); }", "KLN0001", "An assignment to '(b, y)'")]
    [InlineData("[Buffer(3)] float [|b|]; [Forward] public Tensor F([Shape(3)] Tensor x) => x;", "KLN0007", "must be of type Kiln.Tensor")]
    [InlineData("[Param(3)] [Buffer(3)] Tensor [|b|]; [Forward] public Tensor F([Shape(3)] Tensor x) => x * b;", "KLN0007", "both [Param] and [Buffer]")]
    [InlineData("[Buffer(3)] Tensor b; public int [|BufferLayout|]; [Forward] public Tensor F([Shape(3)] Tensor x) => x * b;", "KLN0017", "buffer layout")]
    public void Buffer_mistakes_are_diagnostics_at_their_span(string members, string id, string reason) =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { " + members + " }", id, reason);
}

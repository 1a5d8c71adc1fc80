using System;
using System.Linq;
using Xunit;
using static Kiln.Ops;

namespace Kiln.Tests;

/// <summary>
/// Issue 13's "no slow start": a plan's first training step allocates nothing, as its thousandth does. What a step needs
/// (the GEMM's packed panels, the optimizer's state, zero_grad's chunk) is allocated when the plan and the optimizer are
/// made. A first model of the same class runs once before, so the JIT's own first calls are not counted. The count is
/// the test thread's (other tests run in parallel): the worker threads run only delegates made before the step.
/// </summary>
public class FirstStepTests
{
    public static TheoryData<string> Names() => new() { "Sgd", "SgdMomentum", "Adam", "AdamW", "Adagrad", "RmsProp", "Adadelta", "Adamax", "NAdam", "RAdam", "Asgd", "Rprop", "SparseAdam" };

    private static IOptimizer Make(string name, ModelState s) => name switch
    {
        "Sgd" => new Sgd(s, 0.01f),
        "SgdMomentum" => new Sgd(s, 0.01f, momentum: 0.9f),
        "Adam" => new Adam(s),
        "AdamW" => new AdamW(s),
        "Adagrad" => new Adagrad(s),
        "RmsProp" => new RmsProp(s, new RmsPropOptions { Centered = true, Momentum = 0.5 }),
        "Adadelta" => new Adadelta(s),
        "Adamax" => new Adamax(s),
        "NAdam" => new NAdam(s),
        "RAdam" => new RAdam(s),
        "Asgd" => new Asgd(s),
        "Rprop" => new Rprop(s),
        _ => new SparseAdam(s),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void The_first_training_step_allocates_nothing(string name)
    {
        using var d = Device.ManagedCpu();
        var rng = new SeededRandom(7);
        var x = Enumerable.Range(0, 48 * 40).Select(_ => rng.Uniform(-1f, 1f)).ToArray();
        var labels = Enumerable.Range(0, 48).Select(i => i % 10).ToArray();
        float Step(IOptimizer opt, FirstStepMlp.LossPlan plan) { opt.ZeroGrad(); float loss = plan.ForwardBackward(x, labels); opt.Step(); return loss; }

        var warm = new FirstStepMlp(d, seed: 1);
        using (var warmPlan = warm.CompileLoss(n: 48)) Step(Make(name, warm.Parameters), warmPlan);

        var model = new FirstStepMlp(d, seed: 2);
        using var plan = model.CompileLoss(n: 48);
        var optimizer = Make(name, model.Parameters);
        long before = GC.GetAllocatedBytesForCurrentThread();
        float first = Step(optimizer, plan);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{name}: the first step allocated {allocated} bytes");
        Assert.True(float.IsFinite(first) && first > 0, $"loss {first}");
        Assert.NotEqual(model.Parameters.Get("w1"), new FirstStepMlp(d, seed: 2).Parameters.Get("w1"));   // the step moved the weights
    }

    [Fact]
    public void An_embedding_s_first_step_allocates_nothing()
    {
        // a lookup marks the rows it read (SparseAdam's sparse gradient): the marks are made when the plan is compiled
        using var d = Device.ManagedCpu();
        int[] ids = [4, 1, 1, 0];
        float[] r = [1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        var warm = new Tests.Models.EmbeddingTable(d, seed: 1);
        using (var p = warm.CompileLoss()) { var o = new SparseAdam(warm.Parameters); o.ZeroGrad(); p.ForwardBackward(ids, r); o.Step(); }

        var model = new Tests.Models.EmbeddingTable(d, seed: 2);
        using var plan = model.CompileLoss();
        var opt = new SparseAdam(model.Parameters, new AdamOptions(0.1));
        var before = model.Parameters.Get("table");
        long start = GC.GetAllocatedBytesForCurrentThread();
        opt.ZeroGrad();
        plan.ForwardBackward(ids, r);
        opt.Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        Assert.True(allocated == 0, $"the first step allocated {allocated} bytes");
        var after = model.Parameters.Get("table");
        Assert.NotEqual(before.AsSpan(12, 3).ToArray(), after.AsSpan(12, 3).ToArray());   // row 4 was looked up and moved
        Assert.Equal(before.AsSpan(15, 3).ToArray(), after.AsSpan(15, 3).ToArray());      // row 5 was not
    }

    [Fact]
    public void A_first_run_from_spans_and_a_first_staged_step_allocate_nothing()
    {
        // span inputs are copied into the plan's own arrays for its bound slots, and staged inputs are written there:
        // those arrays are allocated with the plan, so neither first call allocates
        using var d = Device.ManagedCpu();
        var rng = new SeededRandom(8);
        var x = Enumerable.Range(0, 48 * 40).Select(_ => rng.Uniform(-1f, 1f)).ToArray();
        var labels = Enumerable.Range(0, 48).Select(i => i % 10).ToArray();
        var output = new float[48 * 10];
        var warm = new FirstStepMlp(d, seed: 1);
        using (var f = warm.CompileForward(n: 48)) f.Run(new ReadOnlySpan<float>(x), new Span<float>(output));
        using (var l = warm.CompileLoss(n: 48)) { x.CopyTo(l.StagedInput("x")); labels.CopyTo(l.StagedTargets("y")); l.ForwardBackwardStaged(); }

        var model = new FirstStepMlp(d, seed: 2);
        using var forward = model.CompileForward(n: 48);
        using var loss = model.CompileLoss(n: 48);
        long before = GC.GetAllocatedBytesForCurrentThread();
        forward.Run(new ReadOnlySpan<float>(x), new Span<float>(output));
        x.CopyTo(loss.StagedInput("x"));
        labels.CopyTo(loss.StagedTargets("y"));
        float staged = loss.ForwardBackwardStaged();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"the first span run and staged step allocated {allocated} bytes");
        // the same values as the array overloads, which read the caller's arrays in place
        Assert.Equal(forward.Run(x), output);
        Assert.Equal(loss.Forward(x, labels), staged);
    }
}

/// <summary>An MLP 40-64-10 with CrossEntropy: its GEMMs pack panels (a transposed weight, 64 columns), its loss runs the row kernels.</summary>
[Model]
public partial class FirstStepMlp
{
    [Param(64, 40)] Tensor w1;
    [Param(64)] Tensor b1;
    [Param(10, 64)] Tensor w2;
    [Param(10)] Tensor b2;

    [Forward] public Tensor Forward([Shape("N", 40)] Tensor x) => Linear(Relu(Linear(x, w1, b1)), w2, b2);

    [Loss] public Tensor Loss([Shape("N", 40)] Tensor x, [Shape("N")] IntTensor y) => Losses.CrossEntropy(Forward(x), y);
}

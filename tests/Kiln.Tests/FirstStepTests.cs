using System;
using System.Linq;
using Xunit;
using static Kiln.Ops;

namespace Kiln.Tests;

/// <summary>
/// Issue 13's "no slow start": a plan's first training step allocates nothing, as its thousandth does. What a step needs
/// (the GEMM's packed panels, the optimizer's state, zero_grad's chunk) is allocated when the plan and the optimizer are
/// made. A first model of the same class runs once before, so the JIT's own first calls are not counted.
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
}

/// <summary>An MLP 40-64-10 with CrossEntropy: its GEMMs pack panels (a transposed weight, 64 columns), its loss runs the row kernels.</summary>
[Model]
public partial class FirstStepMlp
{
    [Param(64, 40)] Tensor w1;
    [Param(64)] Tensor b1;
    [Param(10, 64)] Tensor w2;
    [Param(10)] Tensor b2;

    [Loss] public Tensor Loss([Shape("N", 40)] Tensor x, [Shape("N")] IntTensor y) => Losses.CrossEntropy(Linear(Relu(Linear(x, w1, b1)), w2, b2), y);
}

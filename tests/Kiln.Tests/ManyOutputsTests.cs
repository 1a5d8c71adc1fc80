using System;
using System.Globalization;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;
using static Kiln.Tests.Support.ReferenceOps;

namespace Kiln.Tests;

/// <summary>
/// Several outputs (issue 8): a [Forward] returning a tuple gives each output (a tuple of arrays, or spans); a [Loss]
/// returning (loss, a, ...) differentiates the first and keeps the others readable after ForwardBackward, with no second
/// forward pass. Expected values from the float64 references (ReferenceOps), on both backends.
/// </summary>
public class ManyOutputsTests
{
    private static readonly float[] X = [0.5f, -1f, 2f, 0.25f, 1.5f, 0f, -0.75f, 1f];
    private static readonly int[] Targets = [2, 0];

    private static RefTensor Ref(float[] values, params int[] shape) => new(shape, values.Select(v => (double)v).ToArray());

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void A_forward_returns_each_output(string deviceName)
    {
        using var device = Device.Create(deviceName);
        var m = new ManyOutputs(device, seed: 4);
        var logits = MatMul(Ref(X, 2, 4), T(Ref(m.Parameters.Get("w"), 3, 4)));
        var plan = m.CompileBoth();
        var (l, p) = plan.Run(X);
        Assert.All(l.Zip(logits.Data), q => Assert.Equal(q.Second, q.First, 5));
        Assert.All(p.Zip(Softmax(logits, 1).Data), q => Assert.Equal(q.Second, q.First, 5));
        // the span form and Output(name) give the same
        var (ls, ps) = (new float[6], new float[6]);
        plan.Run(X, ls, ps);
        Assert.Equal(l, ls);
        Assert.Equal(p, plan.Output("probs"));
        Assert.Contains("'probs' must have shape [2, 3]", Assert.Throws<ArgumentException>(() => plan.Run(X, new float[6], new float[5])).Message);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void A_loss_keeps_its_other_outputs_for_after_the_backward_pass(string deviceName)
    {
        using var device = Device.Create(deviceName);
        var m = new ManyOutputs(device, seed: 4);
        var logits = MatMul(Ref(X, 2, 4), T(Ref(m.Parameters.Get("w"), 3, 4)));
        var plan = m.CompileTrain();
        Assert.Contains("run the plan first", Assert.Throws<InvalidOperationException>(() => plan.Output("logits")).Message);
        float loss = plan.ForwardBackward(X, Targets);
        Assert.Equal(CrossEntropy(logits, Targets).Data[0], loss, 5);
        Assert.All(plan.Output("logits").Zip(logits.Data), q => Assert.Equal(q.Second, q.First, 5));
        Assert.All(plan.Output("perSample").Zip(CrossEntropy(logits, Targets, reduction: Reduction.None).Data), q => Assert.Equal(q.Second, q.First, 5));
        // the gradient is the loss's alone: d mean-CE / d w = (softmax − onehot)ᵀ x / 2
        var probs = Softmax(logits, 1).Data;
        var grad = m.Parameters.Grad("w");
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 4; k++)
                Assert.Equal(Enumerable.Range(0, 2).Sum(n => (probs[n * 3 + c] - (Targets[n] == c ? 1 : 0)) * X[n * 4 + k]) / 2, grad[c * 4 + k], 5);
        Assert.Contains("it has loss, logits, perSample", Assert.Throws<ArgumentException>(() => plan.Output("probs")).Message);
        Assert.Equal(["loss", "logits", "perSample"], plan.OutputNames);
        Assert.Empty(plan.InputGradNames);
        // read into the caller's span in a training step, an output allocates nothing on the managed path (its messages
        // are made only when thrown); ILGPU's copy to the host allocates its own
        var into = new float[6];
        plan.Output("logits", into);
        long before = GC.GetAllocatedBytesForCurrentThread();
        plan.Output("logits", into);
        if (device.IsManaged) Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains("Output 'logits' has 6 values; the destination holds 5", Assert.Throws<ArgumentException>(() => plan.Output("logits", new float[5])).Message);
    }

    [Fact]
    public void Outputs_named_alike_or_not_starting_with_a_letter_are_KLN0007()
    {
        var result = GeneratorHarness.Run("using Kiln; using static Kiln.Ops;\n[Model] public partial class M { [Param(3)] Tensor w; [Forward] public (Tensor _a, Tensor b) F([Shape(3)] Tensor x) => (x * w, x); }");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("KLN0007", d.Id);
        Assert.Contains("distinct names", d.GetMessage(CultureInfo.InvariantCulture));
    }
}

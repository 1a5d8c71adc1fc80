extern alias gen;
using System;
using System.Linq;
using System.Runtime.CompilerServices;
using gen::Kiln.Generator.Ops;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Calling a model's method directly runs it eagerly, op by op, on the model's current parameter values (issue 11):
/// every test model method's eager result agrees with its compiled plan on the same inputs and parameters.
/// </summary>
public class EagerModelTests
{
    public static TheoryData<string, string> Methods() => Reference.MethodData();

    [Theory]
    [MemberData(nameof(Methods))]
    public void Eager_call_agrees_with_the_compiled_plan(string model, string method)
    {
        using var device = Device.ManagedCpu();
        using var c = OpCase.Create(model, method, device);
        // random draws come from the model's generator in a plan and from RandomGenerator.Default eagerly: other values,
        // so those methods are held to the plan's shape and to finite values only
        bool random = c.Graph.Builder.Nodes.Any(n => n.Op is gen::Kiln.Generator.Ops.RandomOp);
        var info = c.Instance.GetType().GetMethod(method)!;
        var args = info.GetParameters().Select(p =>
        {
            int i = c.Graph.Inputs.FindIndex(n => n.Attrs.Name == p.Name);
            if (i < 0) return p.HasDefaultValue ? p.DefaultValue : null;
            var shape = c.Graph.Inputs[i].Shape.Dims.Select(d => (int)d.Evaluate(c.Dims)).ToArray();
            return c.Inputs[i] switch
            {
                int[] k => IntTensor.From(k, shape),
                float[] f when p.ParameterType == typeof(float) => f[0],
                float[] f => (object)Tensor.From(f, shape),
                _ => throw new InvalidOperationException(),
            };
        }).ToArray();
        // the eager call updates the buffers it assigns, as a training run does: the plan starts from the same values
        var buffers = c.State.BufferLayout.Select(b => (b.Name, Start: c.State.Buffer(b.Name))).ToList();
        object? result;
        try { result = info.Invoke(c.Instance, args); }
        catch (System.Reflection.TargetInvocationException e) { throw e.InnerException!; }
        foreach (var (name, start) in buffers) c.State.SetBuffer(name, start);
        var eager = result switch
        {
            Tensor t => t,
            ITuple tuple => (Tensor)tuple[0]!,
            _ => throw new InvalidOperationException($"{method} returned {result?.GetType().Name}"),
        };
        var compiled = c.Plan.Invoke(c.Inputs);
        var values = eager.ToArray();
        Assert.Equal(compiled.Length, values.Length);
        if (random)
        {
            Assert.All(values, v => Assert.True(float.IsFinite(v), $"{model}.{method}: {v}"));
            return;
        }
        for (int i = 0; i < values.Length; i++)
            Assert.True(OpGradientTests.Close(values[i], compiled[i], 1e-4), $"{model}.{method}[{i}]: eager {values[i]}, plan {compiled[i]}");
    }

    [Fact]
    public void Parameters_are_named_tensors_that_follow_training_and_submodules_bind_to_their_parents_block()
    {
        using var device = Device.ManagedCpu();
        var model = new EagerOuter(device);
        model.Parameters.Set("inner.w", [1f, 2f, 3f]);
        model.Parameters.Set("b", [0.5f, 0.25f, -1f]);
        var w = model.Parameters["inner.w"];
        Assert.Equal("tensor([1., 2., 3.])", w.ToString());
        Assert.Equal("torch.Size([3])", w.Shape.ToString());
        // the view follows the block: a later Set (an optimizer step) shows through the same tensor
        model.Parameters.Set("inner.w", [2f, 2f, 2f]);
        Assert.Equal("tensor([2., 2., 2.])", w.ToString());
        Assert.Equal(["b", "inner.w"], model.Parameters.Named().Select(p => p.Name));

        // calling the method runs it eagerly through the submodule, on the current values; the plan agrees
        var x = Tensor.From(1f, -1f, 4f);
        var eager = model.Run(x);
        Assert.Equal(new[] { 2.5f, -1.75f, 7f }, eager.ToArray());
        using var plan = model.CompileRun();
        Assert.Equal(eager.ToArray(), plan.Run(x.AsSpan()));   // its values, unchecked: a tensor's shape is checked by Call
        // plans take and return tensors, their shapes checked against the plan's
        Assert.Equal("tensor([ 2.5000, -1.7500,  7.0000])", plan.Call(x).ToString());
        var wrong = Assert.Throws<ArgumentException>(() => plan.Call(Tensor.From(1f, 2f)));
        Assert.Contains("Input 'x' must have shape [3] but has [2]", wrong.Message);
        Assert.Throws<ArgumentException>(() => plan.Call(x, x));
        using var loss = model.CompileSquare();
        Assert.Equal(0, loss.CallBackward(x).Dim());
        model.Parameters.ZeroGrad();
        loss.ForwardBackward(x.AsSpan());
        Assert.Equal(model.Parameters.Grad("inner.w"), model.Parameters.Gradient("inner.w").ToArray());
        Assert.Equal(((model.Run(x) * model.Run(x)).Sum()).Item(), model.Square(x).Item(), 4);

        // on an ILGPU device the views read the block from the device at each use, so they follow it too
        using (var ilgpu = Device.IlgpuCpu())
        {
            var onDevice = new EagerOuter(ilgpu);
            onDevice.Parameters.Set("inner.w", [1f, 2f, 3f]);
            onDevice.Parameters.Set("b", [0.5f, 0.25f, -1f]);
            var view = onDevice.Parameters["inner.w"];
            Assert.Equal("tensor([1., 2., 3.])", view.ToString());
            Assert.Equal(new[] { 1.5f, -1.75f, 11f }, onDevice.Run(x).ToArray());
            onDevice.Parameters.Set("inner.w", [2f, 2f, 2f]);
            Assert.Equal("tensor([2., 2., 2.])", view.ToString());
            Assert.Equal(new[] { 2f, -2f }, view[..2].ToArray().Zip(new[] { 1f, -1f }, (a, b) => a * b));
        }

        // the submodule's instance shares the parent's block: compiling it alone is refused with the reason
        var inner = (EagerInner)typeof(EagerOuter).GetField("inner", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(model)!;
        Assert.Equal(new[] { 2f, -2f, 8f }, inner.Scale(x).ToArray());
        var error = Assert.Throws<InvalidOperationException>(() => inner.CompileScale());
        Assert.Contains("compile the plans of the model that owns them", error.Message);
    }
}

[Model]
public partial class EagerInner
{
    [Param(3)] Tensor w;

    [Forward]
    public Tensor Scale([Shape(3)] Tensor x) => x * w;
}

[Model]
public partial class EagerOuter
{
    [Module] EagerInner inner;
    [Param(3)] Tensor b;

    [Forward]
    public Tensor Run([Shape(3)] Tensor x) => inner.Scale(x) + b;

    [Loss]
    public Tensor Square([Shape(3)] Tensor x) => (Run(x) * Run(x)).Sum();
}

extern alias gen;
using System;
using System.Collections.Generic;
using System.Linq;
using gen::Kiln.Generator.Differentiate;
using gen::Kiln.Generator.Ir;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Every op and loss of the language, through generated code: forward values against the float64 interpreter,
/// gradients against central finite differences of that interpreter (float64), and the autodiff graph itself,
/// evaluated in float64, against the same differences.
/// </summary>
public class OpGradientTests
{
    public static TheoryData<string, string> LossMethods()
    {
        var data = new TheoryData<string, string>();
        foreach (var (model, method, isLoss) in Reference.Methods()) if (isLoss) data.Add(model, method);
        return data;
    }

    public static TheoryData<string, string> ForwardMethods()
    {
        var data = new TheoryData<string, string>();
        foreach (var (model, method, isLoss) in Reference.Methods()) if (!isLoss) data.Add(model, method);
        return data;
    }

    [Theory]
    [MemberData(nameof(LossMethods))]
    public void Loss_and_gradients_match_float64_reference_and_finite_differences(string model, string method)
    {
        using var device = Device.ManagedCpu();
        using var c = OpCase.Create(model, method, device);
        float loss = c.Plan.Invoke(c.Inputs, backward: true)[0];
        var parameters = c.ParamValues();
        double expected = c.Reference(parameters)[0];
        Assert.True(Close(loss, expected, 1e-4), $"loss {loss} vs float64 reference {expected}");

        c.HoldDetached(parameters);
        var fd = FiniteDifferences(c, parameters);
        foreach (var p in c.Layout)
        {
            var grad = c.State.Grad(p.Path);
            // a parameter the plan freezes ([Loss(Frozen = …)]) gets no gradient at all
            bool frozen = c.Graph.Method.Frozen.Any(f => p.Path == f || p.Path.StartsWith(f + ".", StringComparison.Ordinal));
            if (frozen || !fd.TryGetValue(p.Path, out var numeric)) { Assert.All(grad, g => Assert.Equal(0f, g)); continue; }
            for (int i = 0; i < grad.Length; i++)
                Assert.True(Close(grad[i], numeric[i], 1e-3), $"d loss / d {p.Path}[{i}]: generated {grad[i]} vs finite difference {numeric[i]}");
        }

        // the backward graph on its own, in float64: exact to the differences' precision
        var grads = Autodiff.Gradients(c.Graph.Builder, c.Graph.Output, [], out _, c.Graph.Method.Frozen);
        var values = Interpreter.Evaluate(grads.Select(g => g.Grad), c.InputValues(), parameters, c.Dims, c.Held, c.FirstDraw);
        foreach (var (path, _, gradNode) in grads)
            for (int i = 0; i < values[gradNode].Length; i++)
                Assert.True(Close(values[gradNode][i], fd[path][i], 1e-6), $"autodiff graph d/d {path}[{i}]: {values[gradNode][i]} vs {fd[path][i]}");
    }

    [Theory]
    [MemberData(nameof(ForwardMethods))]
    public void Forward_outputs_match_float64_reference(string model, string method)
    {
        using var device = Device.ManagedCpu();
        using var c = OpCase.Create(model, method, device);
        var output = c.Plan.Invoke(c.Inputs);
        var expected = c.Reference(c.ParamValues());
        Assert.Equal(expected.Length, output.Length);
        for (int i = 0; i < output.Length; i++) Assert.True(Close(output[i], expected[i], 1e-4), $"output[{i}] {output[i]} vs {expected[i]}");
    }

    [Fact]
    public void Every_test_model_method_is_covered()
    {
        Assert.True(LossMethods().Count() >= 50, "the op/loss table shrank");
        Assert.NotEmpty(ForwardMethods());
    }

    /// <summary>Central differences of the float64 interpreter with respect to every parameter element.</summary>
    internal static Dictionary<string, double[]> FiniteDifferences(OpCase c, Dictionary<string, double[]> parameters, double h = 1e-5)
    {
        var result = new Dictionary<string, double[]>();
        foreach (var p in c.Layout)
        {
            var values = parameters[p.Path];
            var grad = new double[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + h;
                double plus = c.Reference(parameters)[0];
                values[i] = saved - h;
                double minus = c.Reference(parameters)[0];
                values[i] = saved;
                grad[i] = (plus - minus) / (2 * h);
            }
            result[p.Path] = grad;
        }
        return result;
    }

    /// <summary>Within the tolerance, relative past 1; an infinity or NaN only where the expected value is the same one.</summary>
    internal static bool Close(double actual, double expected, double tolerance) =>
        double.IsInfinity(expected) || double.IsNaN(expected) ? actual.Equals(expected)
        : Math.Abs(actual - expected) <= tolerance * (1 + Math.Abs(expected)) && !double.IsNaN(actual);
}

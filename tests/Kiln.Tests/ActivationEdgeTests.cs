using System;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Activations where numerics and PyTorch's choices bite: at ±100 (finite, no overflow), at 0 and at every kink
/// (±1, ±3, 6, the threshold), values and gradients against the float64 reference and PyTorch's derivative rules
/// (ReferenceOps.Derivative), on both backends. Finite differences cannot check a kink; the documented rule can.
/// </summary>
public class ActivationEdgeTests
{
    private static readonly float[] Points = [-100f, -6f, -3f, -1f, -1e-3f, 0f, 1e-3f, 0.3f, 1f, 3f, 6f, 100f];

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var device in new[] { "cpu", "ilgpu-cpu" })
            foreach (var op in new[] { "LeakyRelu", "Elu", "Selu", "Celu", "Gelu", "GeluTanh", "Silu", "Mish", "Softplus", "Softsign", "LogSigmoid",
                         "Hardtanh", "Relu6", "Hardsigmoid", "Hardswish", "Threshold", "Clamp", "Sigmoid", "Tanh", "Relu" })
                data.Add(device, op, op + "At");
        return data;
    }

    private static double Value(string op, double x)
    {
        var t = new RefTensor([1], [x]);
        return op switch
        {
            "GeluTanh" => ReferenceOps.Gelu(t, "tanh").Data[0],
            "Threshold" => ReferenceOps.Threshold(t, 0.3f, -2f).Data[0],
            "Clamp" => ReferenceOps.Clamp(t, -1, 1).Data[0],
            _ => ((RefTensor)typeof(ReferenceOps).GetMethods().First(m => m.Name == op && m.GetParameters().Length >= 1 && m.GetParameters()[0].ParameterType == typeof(RefTensor))
                .Invoke(null, [t, .. Enumerable.Repeat(Type.Missing, typeof(ReferenceOps).GetMethods().First(m => m.Name == op && m.GetParameters()[0].ParameterType == typeof(RefTensor)).GetParameters().Length - 1)])!).Data[0],
        };
    }

    private static double Derivative(string op, double x) => op switch
    {
        "Threshold" => ReferenceOps.Derivative("Threshold", x, [0.3f, -2]),   // the float threshold the model uses
        "Clamp" => ReferenceOps.Derivative("Clamp", x, [-1, 1]),
        "Sigmoid" => Math.Exp(-Math.Abs(x)) / ((1 + Math.Exp(-Math.Abs(x))) * (1 + Math.Exp(-Math.Abs(x)))),
        "Tanh" => 1 - Math.Tanh(x) * Math.Tanh(x),
        "Relu" => x > 0 ? 1 : 0,
        _ => ReferenceOps.Derivative(op, x, []),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_at_the_edges_are_PyTorchs(string device, string op, string method)
    {
        using var d = Device.Create(device);
        var m = new ActivationEdges(d);
        m.Parameters.Set("x", Points);
        var plan = (Plan)typeof(ActivationEdges).GetMethod("Compile" + method)!.Invoke(m, [])!;
        using (plan)
        {
            m.Parameters.ZeroGrad();
            float loss = plan.Invoke([], backward: true)[0];
            var grad = m.Parameters.Grad("x");
            double expected = Points.Sum(p => Value(op, p));
            Assert.True(float.IsFinite(loss) && Math.Abs(loss - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"{op}: Σ f = {loss}, reference {expected}");
            for (int i = 0; i < Points.Length; i++)
            {
                double want = Derivative(op, Points[i]);
                Assert.True(float.IsFinite(grad[i]) && Math.Abs(grad[i] - want) <= 1e-5 * (1 + Math.Abs(want)), $"{op}'({Points[i]}) = {grad[i]}, PyTorch's rule gives {want}");
            }
        }
    }
    /// <summary>
    /// ELU's gradient on its exponential side is α·eˣ to float's relative precision, as PyTorch's elu backward computes it
    /// from the input: the output form y + α (PyTorch's in-place elu_) cancels to α·6e-8 absolute, 44 % off at x = -17.
    /// </summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Elu_gradient_keeps_its_relative_precision_far_below_zero(string device)
    {
        float[] points = [-20f, -17f, -12f, -10f, -8f, -6f, -4.5f, -3f, -2f, -1f, -0.5f, -0.1f];
        using var d = Device.Create(device);
        var m = new ActivationEdges(d);
        m.Parameters.Set("x", points);
        using var plan = (Plan)typeof(ActivationEdges).GetMethod("CompileEluAt")!.Invoke(m, [])!;
        m.Parameters.ZeroGrad();
        plan.Invoke([], backward: true);
        var grad = m.Parameters.Grad("x");
        for (int i = 0; i < points.Length; i++)
            Assert.True(Math.Abs(grad[i] - Math.Exp(points[i])) <= 1e-5 * Math.Exp(points[i]), $"Elu'({points[i]}) = {grad[i]:R}, e^x = {Math.Exp(points[i]):R}");
    }
}

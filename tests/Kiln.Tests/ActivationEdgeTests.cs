using System;
using System.Collections.Generic;
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
    /// ELU, SELU, CELU and expm1 just below zero, element by element, to float's relative precision on both paths (PyTorch
    /// takes expm1 there): eˣ - 1 in float cancels to 6e-8 absolute, 6 % off at x = -1e-6. The reference is float64
    /// expm1 from the definitions (SELU's α and scale are PyTorch's constants).
    /// </summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void The_expm1_family_keeps_its_relative_precision_near_zero(string device)
    {
        // 12 points: the managed form runs one whole vector and a partial one
        float[] points = [-1e-7f, -1e-6f, -3e-5f, -1e-4f, -2e-3f, -0.01f, -0.1f, -0.3f, -0.49f, -0.51f, -0.7f, -2f];
        const double seluAlpha = 1.6732632423543772848170429916717, seluScale = 1.0507009873554804934193349852946;
        using var d = Device.Create(device);
        var m = new ActivationEdges(d);
        m.Parameters.Set("x", points);
        foreach (var (method, reference) in new (string, Func<double, double>)[]
        {
            ("EluOf", x => Expm1(x)),
            ("SeluOf", x => seluScale * seluAlpha * Expm1(x)),
            ("CeluOf", x => 2 * Expm1(x / 2)),
            ("Expm1Of", x => Expm1(x)),
        })
        {
            using var plan = (Plan)typeof(ActivationEdges).GetMethod("Compile" + method)!.Invoke(m, [])!;
            var y = plan.Invoke([]);
            for (int i = 0; i < points.Length; i++)
            {
                double want = reference(points[i]);
                Assert.True(Math.Abs(y[i] - want) <= 3e-7 * Math.Abs(want), $"{method}({points[i]:R}) = {y[i]:R}, reference {want:R}");
            }
        }
    }

    /// <summary>
    /// ELU (α = 1, 2, -0.5, ∞), SELU and CELU (α = 1, 0.5, 2) at the special values and a sweep, on both paths: the sign of
    /// zero is PyTorch's (the negative side α·expm1(x/α) at x = -0: -0 for α &gt; 0, +0 for α &lt; 0; a tiny x whose x/α
    /// rounds to -0 keeps its sign), ±∞ and NaN as the definitions give them, other values to float's relative precision.
    /// The points fill two whole vectors and a partial one at sixteen lanes; the managed form's negative side skips
    /// expm1's ±0 select and upper clamp where α is finite, positive (and at most 1 for CELU), which these points test.
    /// The reference is float64 from the definitions.
    /// </summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void The_exponential_units_keep_the_sign_of_zero_infinities_and_nan(string device)
    {
        var points = new List<float> { -0f, 0f, float.NaN, float.NegativeInfinity, float.PositiveInfinity, -1e-30f, 1e-30f, -float.Epsilon, float.Epsilon,
            -2 * float.Epsilon, -88f, 88f, -1f, 1f, -31f, -17.4f, -1e-7f, 3f, -3f, -0.3466f };
        for (int i = 0; points.Count < 40; i++) points.Add(-6f + 0.61f * i);
        const double seluAlpha = 1.6732632423543772848170429916717, seluScale = 1.0507009873554804934193349852946;
        using var d = Device.Create(device);
        var m = new ExponentialUnits(d);
        m.Parameters.Set("x", points.ToArray());
        // expm1 keeping the sign of zero
        static double E(double x) => x == 0 ? x : Expm1(x);
        foreach (var (method, reference) in new (string, Func<double, double>)[]
        {
            ("Elu", x => x > 0 ? x : E(x)),
            ("EluTwo", x => x > 0 ? x : 2 * E(x)),
            ("EluNegative", x => x > 0 ? x : -0.5 * E(x)),
            ("EluInfinite", x => x > 0 ? x : double.PositiveInfinity * E(x)),   // NaN at ±0, as ∞·0
            ("Selu", x => x > 0 ? seluScale * x : seluScale * seluAlpha * E(x)),
            ("Celu", x => x > 0 ? x : E(x)),
            ("CeluHalf", x => x > 0 ? x : 0.5 * E(x / 0.5)),
            ("CeluTwo", x => x > 0 ? x : 2 * E((double)(float)(x / 2))),   // x/α rounded to float, as a float kernel computes it
        })
        {
            using var plan = (Plan)typeof(ExponentialUnits).GetMethod("Compile" + method)!.Invoke(m, [])!;
            var y = plan.Invoke([]);
            for (int i = 0; i < points.Count; i++)
            {
                double want = reference(points[i]);
                string says = $"{method}({points[i]:R}) = {y[i]:R}, reference {want:R}";
                if (double.IsNaN(want)) Assert.True(float.IsNaN(y[i]), says);
                else if (double.IsInfinity(want)) Assert.True(y[i] == want, says);
                // zero and the subnormals: the sign and within two of the smallest steps
                else if (Math.Abs(want) < 1e-37) Assert.True(Math.Abs(y[i] - want) <= 2 * float.Epsilon && double.IsNegative(y[i]) == double.IsNegative(want), says);
                else Assert.True(Math.Abs(y[i] - want) <= 3e-7 * Math.Abs(want), says);
            }
        }
    }

    /// <summary>A where on ≠ (its vector select tests equality with the branches swapped): x where x ≠ y, else 2y;
    /// NaN differs from everything, itself included, and -0 equals +0.</summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void A_where_on_not_equal_takes_the_first_branch_where_the_values_differ(string device)
    {
        var x = Enumerable.Range(0, 40).Select(i => (float)(i % 7) - 3).ToArray();
        var y = Enumerable.Range(0, 40).Select(i => (float)(i % 5) - 2).ToArray();
        (x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3]) = (float.NaN, float.NaN, -0f, 0f, float.NaN, 1f, 2f, float.PositiveInfinity);
        using var d = Device.Create(device);
        var m = new ExponentialUnits(d);
        m.Parameters.Set("x", x);
        m.Parameters.Set("y", y);
        using var plan = m.CompileWhereDifferent();
        var got = plan.Run();
        for (int i = 0; i < 40; i++)
        {
            float want = x[i] != y[i] ? x[i] : 2 * y[i];
            Assert.True(got[i].Equals(want) && double.IsNegative(got[i]) == double.IsNegative(want), $"where({x[i]} != {y[i]}) = {got[i]:R}, expected {want:R}");
        }
    }

    /// <summary>eˣ - 1 in float64 without cancellation: the series below 1e-5, else Math.Exp's (whose error is far below float's).</summary>
    private static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    [Fact]
    public void A_plan_without_inputs_takes_none()
    {
        using var d = Device.ManagedCpu();
        var m = new ActivationEdges(d);
        using var forward = m.CompileEluOf();
        using var loss = m.CompileEluAt();
        Assert.Contains("Expected 0 inputs but got 1", Assert.Throws<ArgumentException>(() => forward.Invoke([new float[12]])).Message);
        Assert.Contains("Expected 0 inputs but got 1", Assert.Throws<ArgumentException>(() => loss.Invoke([new float[12]], backward: true)).Message);
        Assert.Throws<ArgumentNullException>(() => forward.Invoke(null!));
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

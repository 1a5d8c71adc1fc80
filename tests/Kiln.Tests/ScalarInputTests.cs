using System;
using System.Globalization;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Run-time scalar inputs (issue 8): a float parameter of a [Loss] or [Forward] method is an input of the plan, passed
/// by value and set per call without recompiling. Values and gradients against float64 references and finite differences
/// run with every test model (Scalars in Models/OpModels.cs); here: one plan, several values, each as PyTorch computes it.
/// </summary>
public class ScalarInputTests
{
    [Fact]
    public void One_plan_takes_a_new_scalar_on_every_call()
    {
        using var device = Device.ManagedCpu();
        var m = new Scalars(device, seed: 5);
        var plan = m.CompileWeighted();
        var r = new[] { 0.5f, -1f, 2f, 0.25f, 0f, -0.75f };
        double[] a = m.Parameters.Get("a").Select(v => (double)v).ToArray();
        double dot = a.Zip(r, (x, y) => x * y).Sum();                       // (a * r).sum()
        double mse = a.Zip(r, (x, y) => (x - y) * (x - y)).Average();      // F.mse_loss(a, r)
        foreach (float w in new[] { 0f, 1f, 0.3f, -2f })
            Assert.Equal(dot * w + mse * (1 - w), plan.Forward(r, w), 4);
        // the gradient follows the weight given to this call: d/da = w·r + (1 - w)·2(a - r)/6
        m.Parameters.ZeroGrad();
        plan.ForwardBackward(r, 0.25f);
        var expected = a.Select((x, i) => 0.25 * r[i] + 0.75 * 2 * (x - r[i]) / 6).ToArray();
        Assert.All(m.Parameters.Grad("a").Zip(expected), p => Assert.Equal(p.Second, p.First, 5));
    }

    [Fact]
    public void A_forward_plan_takes_it_too()
    {
        using var device = Device.ManagedCpu();
        var m = new Scalars(device, seed: 2);
        var plan = m.CompileTempered();
        var x = new[] { 1f, 2f, 3f, -1f, 0f, 1f };
        float[] hot = plan.Run(x, 0.5f), cold = plan.Run(x, 50f);
        // a high temperature flattens each row of the softmax toward 1/3
        Assert.All(cold, p => Assert.Equal(1 / 3.0, p, 1));
        Assert.True(hot.Max() > cold.Max());
        Assert.Equal(2f, hot.Sum(), 4);
    }

    [Fact]
    public void A_declared_default_is_the_plans_default_too()
    {
        using var device = Device.ManagedCpu();
        var plan = new Scalars(device, seed: 2).CompileTempered();   // Tempered(x, float w = 1f)
        var x = new[] { 1f, 2f, 3f, -1f, 0f, 1f };
        Assert.Equal(plan.Run(x, 1f), plan.Run(x));
        Assert.NotEqual(plan.Run(x, 3f), plan.Run(x));
    }

    /// <summary>
    /// Call, as model(x): an input left out takes the method's default (it was "takes 2 inputs but was given 1"), and
    /// a number of another type is taken as the float (model(x, 2) in PyTorch; it was "must be a float, not Int32").
    /// Expected values from the softmax's definition, in float64.
    /// </summary>
    [Fact]
    public void Call_takes_the_declared_default_and_any_number_for_a_float()
    {
        using var device = Device.ManagedCpu();
        var m = new Scalars(device, seed: 2);
        var plan = m.CompileTempered();   // Tempered(x, float w = 1f) => Softmax(x * a / w, 1)
        var x = new[] { 1f, 2f, 3f, -1f, 0f, 1f };
        var a = m.Parameters.Parameters.ToArray();
        double[] Expected(double w) => Enumerable.Range(0, 2).SelectMany(r =>
        {
            var z = Enumerable.Range(0, 3).Select(j => (double)x[3 * r + j] * a[3 * r + j] / w).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            return z.Select(v => Math.Exp(v - max) / sum);
        }).ToArray();
        var input = Tensor.From(x, [2, 3]);
        foreach (var (got, w) in new[] { (plan.Call(input), 1.0), (plan.Call(input, 2), 2.0), (plan.Call(input, 0.5), 0.5), (plan.Call(input, 3L), 3.0) })
        {
            Assert.Equal([2, 3], got.Shape.ToArray());
            var e = Expected(w);
            var values = got.ToArray();
            for (int i = 0; i < 6; i++) Assert.Equal(e[i], values[i], 5);
        }
        Assert.Contains("must be a float", Assert.Throws<ArgumentException>(() => plan.Call(input, "2")).Message);
        // a loss whose float has no default still needs it
        Assert.Contains("takes 2 inputs", Assert.Throws<ArgumentException>(() => m.CompileWeighted().Call(input)).Message);
    }

    [Theory]
    [InlineData("[Loss] public Tensor L([Shape(3)] Tensor x, float k) => Losses.HuberLoss(x * w, x, delta: k);", "known at build time")]
    [InlineData("[Loss] public Tensor L([Shape(3)] Tensor x, int k) => (x * w).Sum() * k;", "a float (a run-time scalar input)")]
    public void A_run_time_scalar_where_the_build_needs_a_number_is_a_diagnostic(string method, string reason)
    {
        var result = GeneratorHarness.Run("using Kiln; using static Kiln.Ops;\n[Model] public partial class M { [Param(3)] Tensor w; " + method + " }");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.StartsWith("KLN", d.Id);
        Assert.Contains(reason, d.GetMessage(CultureInfo.InvariantCulture));
    }
}

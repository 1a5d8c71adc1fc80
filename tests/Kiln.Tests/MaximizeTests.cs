using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>maximize = True on L takes the same steps as minimizing -L, for every optimizer that has the flag (LBFGS has none, as in PyTorch).</summary>
public class MaximizeTests
{
    public static TheoryData<string> Names() => new() { "Sgd", "Adam", "AdamW", "Adagrad", "RmsProp", "Adadelta", "Adamax", "NAdam", "RAdam", "Asgd", "Rprop", "SparseAdam" };

    private static Action Make(string name, ModelState s, bool maximize) => name switch
    {
        "Sgd" => new Sgd(s, 0.01f, momentum: 0.5f, weightDecay: 0.01f, maximize: maximize).Step,
        "Adam" => new Adam(s, new AdamOptions(0.01) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "AdamW" => new AdamW(s, new AdamOptions(0.01) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "Adagrad" => new Adagrad(s, new AdagradOptions(0.1) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "RmsProp" => new RmsProp(s, new RmsPropOptions(0.01) { Centered = true, WeightDecay = 0.01, Maximize = maximize }).Step,
        "Adadelta" => new Adadelta(s, new AdadeltaOptions(1) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "Adamax" => new Adamax(s, new AdamaxOptions(0.01) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "NAdam" => new NAdam(s, new NAdamOptions(0.01) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "RAdam" => new RAdam(s, new RAdamOptions(0.01) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "Asgd" => new Asgd(s, new AsgdOptions(0.01) { WeightDecay = 0.01, Maximize = maximize }).Step,
        "Rprop" => new Rprop(s, new RpropOptions(0.01) { Maximize = maximize }).Step,
        _ => new SparseAdam(s, new AdamOptions(0.01) { Maximize = maximize }).Step,
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Maximizing_L_equals_minimizing_minus_L(string name)
    {
        using var d = Device.ManagedCpu();
        var rng = new SeededRandom(3);
        var r = Enumerable.Range(0, 6).Select(_ => rng.Uniform(0.2f, 1.5f)).ToArray();
        var up = new Quadratic(d, seed: 5);
        var down = new NegQuadratic(d, seed: 5);
        using var upLoss = up.CompileLoss();
        using var downLoss = down.CompileLoss();
        var stepUp = Make(name, up.Parameters, maximize: true);
        var stepDown = Make(name, down.Parameters, maximize: false);
        Assert.Equal(up.Parameters.Get("w"), down.Parameters.Get("w"));
        for (int t = 0; t < 10; t++)
        {
            up.Parameters.ZeroGrad(); upLoss.ForwardBackward(r); stepUp();
            down.Parameters.ZeroGrad(); downLoss.ForwardBackward(r); stepDown();
        }
        var a = up.Parameters.Get("w");
        var b = down.Parameters.Get("w");
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6 * (1 + Math.Abs(b[i])), $"w[{i}]: {a[i]} vs {b[i]}");
        Assert.NotEqual(Quadratic_initial(), a);
    }

    private static float[] Quadratic_initial()
    {
        using var d = Device.ManagedCpu();
        return new Quadratic(d, seed: 5).Parameters.Get("w");
    }
}

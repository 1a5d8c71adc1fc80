using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>Learning-rate sequences against the closed forms in PyTorch's documentation.</summary>
public class SchedulerTests
{
    private static (Sgd Opt, Device Device) Optimizer(double lr = 0.05, double momentum = 0)
    {
        var device = Device.ManagedCpu();
        return (new Sgd(new SumOfWeights(device).Parameters, new SgdOptions(lr) { Momentum = momentum }), device);
    }

    /// <summary>The rate at epochs 0..n-1 (epoch 0 is set by the constructor).</summary>
    private static double[] Run(Sgd opt, Action step, int n)
    {
        var lrs = new List<double> { opt.ParamGroups[0].Lr };
        for (int e = 1; e < n; e++) { step(); lrs.Add(opt.ParamGroups[0].Lr); }
        return lrs.ToArray();
    }

    private static void Same(Func<int, double> closedForm, double[] actual)
    {
        for (int e = 0; e < actual.Length; e++)
            Assert.True(Math.Abs(closedForm(e) - actual[e]) < 1e-12 + 1e-9 * Math.Abs(closedForm(e)), $"epoch {e}: {actual[e]} vs {closedForm(e)}");
    }

    // the examples in PyTorch's documentation of each scheduler, and closed forms computed here in float64

    [Fact]
    public void ConstantLR_the_documented_example()
    {
        // ConstantLR(factor=0.5, total_iters=4) on lr 0.05: 0.025 for epochs 0-3, then 0.05
        var (o, d) = Optimizer(); using var _ = d;
        var s = new ConstantLR(o, factor: 0.5, totalIters: 4);
        Same(e => e < 4 ? 0.025 : 0.05, Run(o, s.Step, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantLR(o, factor: 1.5));
    }

    [Fact]
    public void PolynomialLR_the_documented_example()
    {
        // PolynomialLR(total_iters=4, power=1.0) on lr 0.001: 0.001, 0.00075, 0.0005, 0.00025, then 0
        var (o, d) = Optimizer(0.001); using var _ = d;
        var s = new PolynomialLR(o, totalIters: 4, power: 1.0);
        Same(e => new[] { 0.001, 0.00075, 0.0005, 0.00025, 0, 0, 0 }[e], Run(o, s.Step, 7));
        var (o2, d2) = Optimizer(0.1); using var __ = d2;
        var square = new PolynomialLR(o2, totalIters: 6, power: 2.0);
        Same(e => 0.1 * Math.Pow(1 - Math.Min(e, 6) / 6.0, 2), Run(o2, square.Step, 9));
    }

    [Fact]
    public void MultiplicativeLR_multiplies_the_current_rate()
    {
        var (o, d) = Optimizer(); using var _ = d;
        var s = new MultiplicativeLR(o, e => 0.95);
        Same(e => 0.05 * Math.Pow(0.95, e), Run(o, s.Step, 10));
    }

    [Fact]
    public void SequentialLR_the_documented_example_and_warmup_then_cosine()
    {
        // lr = 1: ConstantLR(factor=0.1, total_iters=2) then ExponentialLR(gamma=0.9) at milestone 2. The docs' comment
        // lists 0.1, 0.1, 0.9, 0.81; the code (SequentialLR.step) restarts the second scheduler with step(0), whose
        // closed form is base·γ⁰ = 1 at the milestone, and PyTorch gives 0.1, 0.1, 1, 0.9, 0.81
        var (o, d) = Optimizer(1.0); using var _ = d;
        var s = new SequentialLR(o, [new ConstantLR(o, factor: 0.1, totalIters: 2), new ExponentialLR(o, 0.9)], milestones: [2]);
        Same(e => new[] { 0.1, 0.1, 1, 0.9, 0.81, 0.729 }[e], Run(o, s.Step, 6));
        // the usual recipe: linear warmup over 5 epochs, then cosine over 10
        var (w, d2) = Optimizer(0.05); using var __ = d2;
        var warm = new SequentialLR(w, [new LinearLR(w, startFactor: 0.1, totalIters: 5), new CosineAnnealingLR(w, tMax: 10)], milestones: [5]);
        Same(e => e < 5 ? 0.05 * (0.1 + 0.9 * e / 5) : 0.05 * (1 + Math.Cos(Math.PI * (e - 5) / 10)) / 2, Run(w, warm.Step, 16));
        Assert.Throws<ArgumentException>(() => new SequentialLR(w, [new StepLR(w, 2)], milestones: [3]));
    }

    [Fact]
    public void SequentialLR_resumes_from_its_state()
    {
        SequentialLR Make(Sgd o) => new(o, [new LinearLR(o, startFactor: 0.25, totalIters: 3), new StepLR(o, 2, 0.5)], milestones: [3]);
        var (o, d) = Optimizer(); using var _ = d;
        var straight = Make(o);
        var expected = Run(o, straight.Step, 12);
        var (a, d2) = Optimizer(); using var __ = d2;
        var first = Make(a);
        for (int e = 1; e <= 6; e++) first.Step();
        var json = System.Text.Json.JsonSerializer.Serialize(first.StateDict());
        var (b, d3) = Optimizer(); using var ___ = d3;
        var resumed = Make(b);
        resumed.LoadStateDict(System.Text.Json.JsonSerializer.Deserialize<SchedulerState>(json)!);
        b.ParamGroups[0].Lr = a.ParamGroups[0].Lr;   // the optimizer's own state carries its rate (Checkpoint.Save)
        var rest = new List<double>();
        for (int e = 7; e < 12; e++) { resumed.Step(); rest.Add(b.ParamGroups[0].Lr); }
        Same(e => expected[e + 7], rest.ToArray());
    }

    [Fact]
    public void Every_scheduler_on_an_optimizer_takes_the_initial_rate_as_its_base()
    {
        // PyTorch's initial_lr: a second scheduler's base is not the rate the first one set at its epoch 0
        var (o, d) = Optimizer(); using var _ = d;
        var warm = new LinearLR(o, startFactor: 0.1, totalIters: 5);
        var cosine = new CosineAnnealingLR(o, tMax: 10);
        Assert.Equal([0.05], warm.BaseLrs);
        Assert.Equal([0.05], cosine.BaseLrs);
    }

    [Theory]
    [InlineData(CyclicMode.Triangular)]
    [InlineData(CyclicMode.Triangular2)]
    [InlineData(CyclicMode.ExpRange)]
    public void CyclicLR_follows_Smith_s_triangle(CyclicMode mode)
    {
        // Smith's "Cyclical learning rates" (the formulas PyTorch's docs point to): cycle = ⌊1 + t/2s⌋, x = |t/s - 2·cycle + 1|,
        // lr = base + (max - base)·max(0, 1 - x)·scale, momentum = max_m - (max_m - base_m)·max(0, 1 - x)·scale, with
        // scale 1, 1/2^(cycle-1) or γ^t
        var (o, d) = Optimizer(0.5, momentum: 0.9); using var _ = d;
        const double lo = 0.001, hi = 0.006, gamma = 0.97;
        const int s = 4;
        var sched = new CyclicLR(o, lo, hi, stepSizeUp: s, mode: mode, gamma: gamma, baseMomentum: 0.8, maxMomentum: 0.95);
        double Scale(int t, double cycle) => mode switch { CyclicMode.Triangular => 1, CyclicMode.Triangular2 => 1 / Math.Pow(2, cycle - 1), _ => Math.Pow(gamma, t) };
        for (int t = 0; t < 21; t++)
        {
            double cycle = Math.Floor(1 + t / (2.0 * s)), x = Math.Abs((double)t / s - 2 * cycle + 1), h = Math.Max(0, 1 - x) * Scale(t, cycle);
            Same(_ => lo + (hi - lo) * h, [o.ParamGroups[0].Lr]);
            Same(_ => 0.95 - (0.95 - 0.8) * h, [o.ParamGroups[0].Options.Momentum]);
            sched.Step();
        }
    }

    [Fact]
    public void StepLR() { var (o, d) = Optimizer(); using var _ = d; var s = new StepLR(o, 3, 0.1); Same(e => 0.05 * Math.Pow(0.1, e / 3), Run(o, s.Step, 12)); }

    [Fact]
    public void MultiStepLR() { var (o, d) = Optimizer(); using var _ = d; var s = new MultiStepLR(o, [2, 5], 0.1); Same(e => 0.05 * Math.Pow(0.1, (e >= 2 ? 1 : 0) + (e >= 5 ? 1 : 0)), Run(o, s.Step, 9)); }

    [Fact]
    public void ExponentialLR() { var (o, d) = Optimizer(); using var _ = d; var s = new ExponentialLR(o, 0.9); Same(e => 0.05 * Math.Pow(0.9, e), Run(o, s.Step, 15)); }

    [Fact]
    public void CosineAnnealingLR_including_past_T_max()
    {
        var (o, d) = Optimizer(); using var _ = d;
        var s = new CosineAnnealingLR(o, tMax: 10, etaMin: 0.001);
        Same(e => 0.001 + (0.05 - 0.001) * (1 + Math.Cos(Math.PI * e / 10)) / 2, Run(o, s.Step, 31));
    }

    [Fact]
    public void CosineAnnealingWarmRestarts_with_growing_periods()
    {
        var (o, d) = Optimizer(); using var _ = d;
        var s = new CosineAnnealingWarmRestarts(o, t0: 3, tMult: 2, etaMin: 0.001);
        double Closed(int e)
        {
            int ti = 3, tcur = e;
            while (tcur >= ti) { tcur -= ti; ti *= 2; }
            return 0.001 + (0.05 - 0.001) * (1 + Math.Cos(Math.PI * tcur / ti)) / 2;
        }
        Same(Closed, Run(o, s.Step, 25));
    }

    [Fact]
    public void LinearLR() { var (o, d) = Optimizer(); using var _ = d; var s = new LinearLR(o, 0.5, 1.0, 4); Same(e => 0.05 * (0.5 + 0.5 * Math.Min(e, 4) / 4.0), Run(o, s.Step, 8)); }

    [Fact]
    public void LambdaLR() { var (o, d) = Optimizer(); using var _ = d; var s = new LambdaLR(o, e => Math.Pow(0.95, e)); Same(e => 0.05 * Math.Pow(0.95, e), Run(o, s.Step, 10)); }

    [Fact]
    public void OneCycleLR_rate_and_momentum()
    {
        var (o, d) = Optimizer(momentum: 0.9); using var _ = d;
        var s = new OneCycleLR(o, maxLr: 0.1, totalSteps: 20);
        double Cos(double a, double b, double pct) => b + (a - b) / 2 * (Math.Cos(Math.PI * pct) + 1);
        double initial = 0.1 / 25, min = initial / 1e4;
        // phases end at pct_start·total - 1 = 5 and total - 1 = 19
        Same(e => e <= 5 ? Cos(initial, 0.1, e / 5.0) : Cos(0.1, min, (e - 5) / 14.0), Run(o, s.Step, 20));
        Assert.Equal(Cos(0.85, 0.95, 14 / 14.0), o.ParamGroups[0].Options.Momentum, 12);
        Assert.Throws<ArgumentException>(() => new OneCycleLR(new Adagrad(o.State), 0.1, 10));
    }

    [Fact]
    public void Chained_schedulers_compose()
    {
        var (o, d) = Optimizer(); using var _ = d;
        var chain = new ChainedScheduler(new ExponentialLR(o, 0.9), new StepLR(o, 3, 0.5));
        Same(e => 0.05 * Math.Pow(0.9, e) * Math.Pow(0.5, e / 3), Run(o, chain.Step, 12));
    }

    [Fact]
    public void ReduceLROnPlateau_waits_patience_then_reduces_and_cools_down()
    {
        var (o, d) = Optimizer(0.1); using var _ = d;
        var s = new ReduceLROnPlateau(o, factor: 0.5, patience: 2);
        double[] metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85];
        double[] expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025];
        for (int i = 0; i < metrics.Length; i++) { s.Step(metrics[i]); Assert.Equal(expected[i], o.ParamGroups[0].Lr, 12); }

        var (o2, d2) = Optimizer(0.1); using var __ = d2;
        var c = new ReduceLROnPlateau(o2, mode: PlateauMode.Max, factor: 0.5, patience: 0, cooldown: 2, minLr: 0.03);
        foreach (var m in new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 1.0 }) c.Step(m);
        // epoch 2 reduces (0.05); two cooldown epochs; epoch 5 reduces to the floor 0.03
        Assert.Equal(0.03, o2.ParamGroups[0].Lr, 12);
    }

    [Fact]
    public void A_restored_scheduler_continues_the_sequence()
    {
        var (a, d1) = Optimizer(); using var _ = d1;
        var s = new CosineAnnealingWarmRestarts(a, 3, 2);
        for (int i = 0; i < 4; i++) s.Step();
        var state = s.StateDict();
        var lr = a.ParamGroups[0].Lr;
        var expected = Run(a, s.Step, 6);

        var (b, d2) = Optimizer(); using var __ = d2;
        var t = new CosineAnnealingWarmRestarts(b, 3, 2);
        t.LoadStateDict(state);
        b.ParamGroups[0].Lr = lr;
        Assert.Equal(expected, Run(b, t.Step, 6));
    }

    /// <summary>
    /// A group added to the optimizer after the scheduler: PyTorch's multiplicative forms schedule it too, the forms over
    /// base rates leave it at its own rate (cosine read past its base rates at its restart step and threw; plateau and
    /// one-cycle read past their per-group arrays).
    /// </summary>
    [Fact]
    public void A_group_added_after_the_scheduler_is_scheduled_as_PyTorch_does()
    {
        using var d = Device.ManagedCpu();
        var model = new Himmelblau(d);
        Sgd Make() { var o = new Sgd(model.Parameters, new SgdOptions(0.05), ["x"]); return o; }
        var step = Make(); var stepLr = new StepLR(step, 2, 0.5); step.AddParamGroup(["y"], new SgdOptions(0.2));
        var cosine = Make(); var cosineLr = new CosineAnnealingLR(cosine, 2); cosine.AddParamGroup(["y"], new SgdOptions(0.2));
        var lambda = Make(); var lambdaLr = new LambdaLR(lambda, e => 1.0 / (e + 1)); lambda.AddParamGroup(["y"], new SgdOptions(0.2));
        var plateau = Make(); var plateauLr = new ReduceLROnPlateau(plateau, patience: 0, minLr: 0.01); plateau.AddParamGroup(["y"], new SgdOptions(0.2));
        for (int e = 1; e <= 6; e++) { stepLr.Step(); cosineLr.Step(); lambdaLr.Step(); plateauLr.Step(1.0); }
        Assert.Equal(0.05 * 0.125, stepLr.LastLr[0], 12);   // epochs 2, 4, 6 halve both
        Assert.Equal(0.2 * 0.125, stepLr.LastLr[1], 12);
        // PyTorch's recursive cosine multiplies every group: epoch 2's factor (1 + cos π)/(1 + cos π/2) = 0 takes the
        // added group to 0, where the restart step (3), which reads base rates, leaves it
        Assert.Equal(0.0, cosineLr.LastLr[1], 12);
        Assert.Equal(0.2, lambdaLr.LastLr[1]);
        Assert.Equal(0.05 / 7, lambdaLr.LastLr[0], 12);
        Assert.Equal([0.01, 0.01], plateauLr.LastLr);   // cut by 10 at each of 5 bad epochs, down to min_lr, both groups
        // a state saved before the group was added loads into a scheduler made over both groups, as PyTorch's does
        var oneGroup = new StepLR(Make(), 2, 0.5).StateDict();
        var resumed = new StepLR(step, 2, 0.5);
        resumed.LoadStateDict(oneGroup);
        Assert.Single(resumed.StateDict().BaseLrs);
    }

    /// <summary>A scheduler's state written to disk as JSON (training.md's way: Checkpoint holds the optimizer, not the
    /// scheduler) reads back into a scheduler that goes on exactly as the one that wrote it.</summary>
    [Fact]
    public void A_scheduler_state_round_trips_through_json()
    {
        var (o, d) = Optimizer(); using var _ = d;
        var plateau = new ReduceLROnPlateau(o, patience: 1);
        foreach (var loss in new[] { 1.0, 0.9, 0.95, 0.97 }) plateau.Step(loss);
        // a fresh plateau's best is +∞: JSON writes it by name
        var fresh = System.Text.Json.JsonSerializer.Deserialize<SchedulerState>(System.Text.Json.JsonSerializer.Serialize(new ReduceLROnPlateau(o).StateDict()))!;
        Assert.Equal(double.PositiveInfinity, fresh.Values["best"]);
        var json = System.Text.Json.JsonSerializer.Serialize(plateau.StateDict());
        var restored = new ReduceLROnPlateau(o, patience: 1);
        restored.LoadStateDict(System.Text.Json.JsonSerializer.Deserialize<SchedulerState>(json)!);
        Assert.Equal(plateau.StateDict().Values, restored.StateDict().Values);
        Assert.Equal(plateau.StateDict().LastEpoch, restored.StateDict().LastEpoch);
        Assert.Contains("saved by a ReduceLROnPlateau", Assert.Throws<ArgumentException>(() => new StepLR(o, 2).LoadStateDict(System.Text.Json.JsonSerializer.Deserialize<SchedulerState>(json)!)).Message);
    }

    /// <summary>A state loads only into the kind of scheduler that saved it; bad arguments say what is expected.</summary>
    [Fact]
    public void A_state_of_another_scheduler_is_refused_and_bad_arguments_say_what_they_need()
    {
        var (o, d) = Optimizer(); using var _ = d;
        var plateau = new ReduceLROnPlateau(o).StateDict();
        Assert.Contains("saved by a ReduceLROnPlateau; this scheduler is a StepLR", Assert.Throws<ArgumentException>(() => new StepLR(o, 2).LoadStateDict(plateau)).Message);
        Assert.Contains("saved by a StepLR", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(o).LoadStateDict(new StepLR(o, 2).StateDict())).Message);
        Assert.Contains("Expected positive integer T_0, but got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingWarmRestarts(o, 0)).Message);
        // T_max = 0 failed at the first step with a DivideByZeroException (a new user's trial)
        Assert.Contains("T_max must be a positive number of epochs", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(o, 0)).Message);
        Assert.Contains("StepLR's step_size must be a positive", Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(o, 0)).Message);
        Assert.Contains("total_steps", Assert.Throws<ArgumentOutOfRangeException>(() => new OneCycleLR(o, 0.1, 0)).Message);
        Assert.Contains("step_size", Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(o, 0)).Message);
    }
}

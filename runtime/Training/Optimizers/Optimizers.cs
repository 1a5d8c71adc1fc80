using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln;

// torch.optim's optimizers over a model's parameter block. Defaults are PyTorch's signatures. Each takes the
// model's ModelState, options (a record: `new AdamOptions(1e-3) { Amsgrad = true }`), and optionally the names of the
// parameters of its first group (default: all); AddParamGroup adds more groups with their own options.

public sealed record SgdOptions(double Lr) : OptimizerOptions(Lr)
{
    /// <summary>What OneCycleLR cycles: Momentum.</summary>
    protected internal override double? CycledMomentum => Momentum;
    protected internal override OptimizerOptions WithCycledMomentum(double value) => this with { Momentum = value };
    public double Momentum { get; init; }
    public double Dampening { get; init; }
    public bool Nesterov { get; init; }
}

/// <summary>torch.optim.SGD: v = μv + (1-τ)g (v = g on the first step); nesterov g + μv; p -= lr·v.</summary>
public sealed class Sgd : Optimizer<SgdOptions, SgdRule>
{
    public Sgd(ModelState parameters, SgdOptions options, IEnumerable<string>? names = null) : base(parameters, options, options.Momentum != 0 ? 1 : 0, names) { }

    /// <summary>As torch.optim.SGD(params, lr, momentum, …): the settings as arguments, over <paramref name="names"/> (a
    /// submodule's, <c>Parameters.Under("head")</c>) or every parameter.</summary>
    public Sgd(ModelState parameters, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false, bool maximize = false,
        IEnumerable<string>? names = null)
        : this(parameters, new SgdOptions(Decimal(lr)) { Momentum = Decimal(momentum), Dampening = Decimal(dampening), WeightDecay = Decimal(weightDecay), Nesterov = nesterov, Maximize = maximize }, names) { }

    /// <summary>A float argument as the double its digits say (0.05f is 0.05, not 0.05000000074505806), as Python's float
    /// of the same literal: the options print and save what the user wrote, and the rule's float is the same.</summary>
    private static double Decimal(float value) => double.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    protected override void Validate(SgdOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Momentum, "momentum value");
        OptimizerChecks.AtLeastZero(o.Dampening, "dampening value");
        if (o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", "nesterov");
    }

    // The momentum buffer is made when a group first steps with momentum (a group added with it, or OneCycleLR cycling
    // the momentum of an SGD created without), as PyTorch makes momentum_buffer; a group's buffer starts at its gradient
    // on its first step with momentum (Scalars["momentum_unset"] marks a group that has only stepped without).
    protected override int LazyStateBuffers => 1;

    protected override void BeforeStep()
    {
        if (StateBufferCount > 0 || !ParamGroups.Any(g => g.Options.Momentum != 0)) return;
        GrowStateBuffers(1);
        // made now, after the groups' first steps (a plain SGD, or a state saved before any step with momentum): each
        // group's buffer starts at its gradient
        foreach (var g in ParamGroups) foreach (var st in g.States.Distinct()) st.Scalars["momentum_unset"] = 1;
    }

    protected override SgdRule Rule(ParamGroup<SgdOptions> g)
    {
        bool first = g.Step == 1 || g.Scalars.ContainsKey("momentum_unset");
        if (g.Options.Momentum != 0) g.Scalars.Remove("momentum_unset");
        else if (g.Step == 1) g.Scalars["momentum_unset"] = 1;
        return new((float)g.Lr, (float)g.Options.Momentum, g.Options.Dampening, (float)g.Options.WeightDecay, g.Options.Nesterov, g.Options.Maximize ? -1f : 1f, first);
    }
}

public record AdamOptions(double Lr = 1e-3) : OptimizerOptions(Lr)
{
    /// <summary>What OneCycleLR cycles: Beta1.</summary>
    protected internal override double? CycledMomentum => Beta1;
    protected internal override OptimizerOptions WithCycledMomentum(double value) => this with { Beta1 = value };
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    public bool Amsgrad { get; init; }
}

/// <summary>torch.optim.Adam (amsgrad optional): bias-corrected first and second moments.</summary>
public class Adam : Optimizer<AdamOptions, AdamRule>
{
    public Adam(ModelState parameters, AdamOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new AdamOptions(), 3, names) { }

    protected virtual bool Decoupled => false;

    protected override void Validate(AdamOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Eps, "epsilon value");
        OptimizerChecks.Betas(o.Beta1, o.Beta2);
    }

    protected override AdamRule Rule(ParamGroup<AdamOptions> g)
    {
        var o = g.Options;
        double bc1 = 1 - Math.Pow(o.Beta1, g.Step), bc2 = 1 - Math.Pow(o.Beta2, g.Step);
        return new AdamRule((float)(o.Lr / bc1), o.Beta1, o.Beta2, (float)o.Eps,
            Decoupled ? 0f : (float)o.WeightDecay, Decoupled ? (float)(1 - o.Lr * o.WeightDecay) : 1f,
            (float)Math.Sqrt(bc2), o.Amsgrad, o.Maximize ? -1f : 1f);
    }
}

/// <summary>torch.optim.AdamW: decoupled weight decay p ← p(1 - lr·wd) before the Adam step; wd defaults to 0.01.</summary>
public sealed class AdamW : Adam
{
    public AdamW(ModelState parameters, AdamOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new AdamOptions { WeightDecay = 1e-2 }, names) { }

    protected override bool Decoupled => true;
}

public sealed record AdagradOptions(double Lr = 1e-2) : OptimizerOptions(Lr)
{
    public double LrDecay { get; init; }
    public double InitialAccumulatorValue { get; init; }
    public double Eps { get; init; } = 1e-10;
}

/// <summary>torch.optim.Adagrad: Σg² accumulates; clr = lr / (1 + (t-1)·lr_decay).</summary>
public sealed class Adagrad : Optimizer<AdagradOptions, AdagradRule>
{
    protected override void Validate(AdagradOptions o)
    {
        OptimizerChecks.AtLeastZero(o.LrDecay, "lr_decay value");
        OptimizerChecks.AtLeastZero(o.InitialAccumulatorValue, "initial_accumulator_value value");
        OptimizerChecks.AtLeastZero(o.Eps, "epsilon value");
    }

    public Adagrad(ModelState parameters, AdagradOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new AdagradOptions(), 1, names) { }

    protected override void Initialize(ParamGroup<AdagradOptions> g) => Fill(g, 0, (float)g.Options.InitialAccumulatorValue);

    protected override AdagradRule Rule(ParamGroup<AdagradOptions> g) =>
        new((float)(g.Lr / (1 + (g.Step - 1) * g.Options.LrDecay)), (float)g.Options.Eps, (float)g.Options.WeightDecay, g.Options.Maximize ? -1f : 1f);
}

public sealed record RmsPropOptions(double Lr = 1e-2) : OptimizerOptions(Lr)
{
    /// <summary>What OneCycleLR cycles: Momentum.</summary>
    protected internal override double? CycledMomentum => Momentum;
    protected internal override OptimizerOptions WithCycledMomentum(double value) => this with { Momentum = value };
    public double Alpha { get; init; } = 0.99;
    public double Eps { get; init; } = 1e-8;
    public double Momentum { get; init; }
    public bool Centered { get; init; }
}

/// <summary>torch.optim.RMSprop (centered, momentum).</summary>
public sealed class RmsProp : Optimizer<RmsPropOptions, RmsPropRule>
{
    protected override void Validate(RmsPropOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Eps, "epsilon value");
        OptimizerChecks.AtLeastZero(o.Momentum, "momentum value");
        OptimizerChecks.AtLeastZero(o.Alpha, "alpha value");
    }

    public RmsProp(ModelState parameters, RmsPropOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new RmsPropOptions(), 3, names) { }

    protected override RmsPropRule Rule(ParamGroup<RmsPropOptions> g) =>
        new((float)g.Lr, g.Options.Alpha, (float)g.Options.Eps, (float)g.Options.WeightDecay, (float)g.Options.Momentum, g.Options.Centered, g.Options.Maximize ? -1f : 1f);
}

public sealed record AdadeltaOptions(double Lr = 1.0) : OptimizerOptions(Lr)
{
    public double Rho { get; init; } = 0.9;
    public double Eps { get; init; } = 1e-6;
}

/// <summary>torch.optim.Adadelta.</summary>
public sealed class Adadelta : Optimizer<AdadeltaOptions, AdadeltaRule>
{
    protected override void Validate(AdadeltaOptions o)
    {
        OptimizerChecks.InUnitInterval(o.Rho, "rho value");
        OptimizerChecks.AtLeastZero(o.Eps, "epsilon value");
    }

    public Adadelta(ModelState parameters, AdadeltaOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new AdadeltaOptions(), 2, names) { }

    protected override AdadeltaRule Rule(ParamGroup<AdadeltaOptions> g) =>
        new((float)g.Lr, g.Options.Rho, (float)g.Options.Eps, (float)g.Options.WeightDecay, g.Options.Maximize ? -1f : 1f);
}

public sealed record AdamaxOptions(double Lr = 2e-3) : OptimizerOptions(Lr)
{
    /// <summary>What OneCycleLR cycles: Beta1.</summary>
    protected internal override double? CycledMomentum => Beta1;
    protected internal override OptimizerOptions WithCycledMomentum(double value) => this with { Beta1 = value };
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
}

/// <summary>torch.optim.Adamax: infinity-norm second moment u = max(β₂u, |g| + eps).</summary>
public sealed class Adamax : Optimizer<AdamaxOptions, AdamaxRule>
{
    protected override void Validate(AdamaxOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Eps, "epsilon value");
        OptimizerChecks.Betas(o.Beta1, o.Beta2);
    }

    public Adamax(ModelState parameters, AdamaxOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new AdamaxOptions(), 2, names) { }

    protected override AdamaxRule Rule(ParamGroup<AdamaxOptions> g) =>
        new((float)(g.Lr / (1 - Math.Pow(g.Options.Beta1, g.Step))), g.Options.Beta1, g.Options.Beta2, (float)g.Options.Eps, (float)g.Options.WeightDecay, g.Options.Maximize ? -1f : 1f);
}

public sealed record NAdamOptions(double Lr = 2e-3) : OptimizerOptions(Lr)
{
    /// <summary>What OneCycleLR cycles: Beta1.</summary>
    protected internal override double? CycledMomentum => Beta1;
    protected internal override OptimizerOptions WithCycledMomentum(double value) => this with { Beta1 = value };
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    public double MomentumDecay { get; init; } = 4e-3;
    /// <summary>decoupled_weight_decay: p *= 1 - lr·wd before the step (AdamW's form) instead of wd·p in the gradient.</summary>
    public bool DecoupledWeightDecay { get; init; }
}

/// <summary>torch.optim.NAdam: μ_t = β₁(1 - ½·0.96^(tψ)), Nesterov-style step with the running product of μ.</summary>
public sealed class NAdam : Optimizer<NAdamOptions, NAdamRule>
{
    protected override void Validate(NAdamOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Eps, "epsilon value");
        OptimizerChecks.Betas(o.Beta1, o.Beta2);
        OptimizerChecks.AtLeastZero(o.MomentumDecay, "momentum_decay value");
    }

    public NAdam(ModelState parameters, NAdamOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new NAdamOptions(), 2, names) { }

    protected override NAdamRule Rule(ParamGroup<NAdamOptions> g)
    {
        var o = g.Options;
        double mu = o.Beta1 * (1 - 0.5 * Math.Pow(0.96, g.Step * o.MomentumDecay));
        double muNext = o.Beta1 * (1 - 0.5 * Math.Pow(0.96, (g.Step + 1) * o.MomentumDecay));
        double product = (g.Scalars.TryGetValue("mu_product", out var p) ? p : 1.0) * mu;
        g.Scalars["mu_product"] = product;
        return new NAdamRule((float)(o.Lr * (1 - mu) / (1 - product)), (float)(o.Lr * muNext / (1 - product * muNext)),
            o.Beta1, o.Beta2, (float)(1 - Math.Pow(o.Beta2, g.Step)), (float)o.Eps, o.DecoupledWeightDecay ? 0f : (float)o.WeightDecay, o.Maximize ? -1f : 1f,
            o.DecoupledWeightDecay ? (float)(1 - o.Lr * o.WeightDecay) : 1f);
    }
}

public sealed record RAdamOptions(double Lr = 1e-3) : OptimizerOptions(Lr)
{
    /// <summary>What OneCycleLR cycles: Beta1.</summary>
    protected internal override double? CycledMomentum => Beta1;
    protected internal override OptimizerOptions WithCycledMomentum(double value) => this with { Beta1 = value };
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    /// <summary>decoupled_weight_decay: p *= 1 - lr·wd before the step (AdamW's form) instead of wd·p in the gradient.</summary>
    public bool DecoupledWeightDecay { get; init; }
}

/// <summary>torch.optim.RAdam: the variance rectification term switches on when ρ_t &gt; 5.</summary>
public sealed class RAdam : Optimizer<RAdamOptions, RAdamRule>
{
    protected override void Validate(RAdamOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Eps, "epsilon value");
        OptimizerChecks.Betas(o.Beta1, o.Beta2);
    }

    public RAdam(ModelState parameters, RAdamOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new RAdamOptions(), 2, names) { }

    protected override RAdamRule Rule(ParamGroup<RAdamOptions> g)
    {
        var o = g.Options;
        double bc1 = 1 - Math.Pow(o.Beta1, g.Step), bc2 = 1 - Math.Pow(o.Beta2, g.Step);
        double rhoInf = 2 / (1 - o.Beta2) - 1;
        double rhoT = rhoInf - 2 * g.Step * Math.Pow(o.Beta2, g.Step) / bc2;
        double rect = rhoT > 5 ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        return new RAdamRule((float)o.Lr, o.Beta1, o.Beta2, (float)bc1, (float)Math.Sqrt(bc2), (float)rect, rhoT > 5, (float)o.Eps,
            o.DecoupledWeightDecay ? 0f : (float)o.WeightDecay, o.Maximize ? -1f : 1f, o.DecoupledWeightDecay ? (float)(1 - o.Lr * o.WeightDecay) : 1f);
    }
}

public sealed record AsgdOptions(double Lr = 1e-2) : OptimizerOptions(Lr)
{
    public double Lambd { get; init; } = 1e-4;
    public double Alpha { get; init; } = 0.75;
    public double T0 { get; init; } = 1e6;
}

/// <summary>torch.optim.ASGD: p ← p(1 - λη) - ηg; the average ax follows once t &gt; t0; η and μ decay per step.</summary>
public sealed class Asgd : Optimizer<AsgdOptions, AsgdRule>
{
    public Asgd(ModelState parameters, AsgdOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new AsgdOptions(), 1, names) { }

    /// <summary>The averaged parameters (ASGD's "ax"), by name.</summary>
    public float[] Average(string name)
    {
        var p = State.Info(name);
        var all = StateDict().Buffers[0];
        return all.AsSpan(p.Offset, p.Count).ToArray();
    }

    protected override void Initialize(ParamGroup<AsgdOptions> g)
    {
        g.Scalars["eta"] = g.Lr;
        g.Scalars["mu"] = 1.0;
    }

    protected override AsgdRule Rule(ParamGroup<AsgdOptions> g) =>
        new((float)g.Scalars["eta"], (float)g.Options.Lambd, (float)g.Scalars["mu"], (float)g.Options.WeightDecay, g.Options.Maximize ? -1f : 1f);

    protected override void AfterStep(ParamGroup<AsgdOptions> g)
    {
        var o = g.Options;
        g.Scalars["eta"] = o.Lr / Math.Pow(1 + o.Lambd * o.Lr * g.Step, o.Alpha);
        g.Scalars["mu"] = 1 / Math.Max(1, g.Step - o.T0);
    }
}

public sealed record RpropOptions(double Lr = 1e-2) : OptimizerOptions(Lr)
{
    public double EtaMinus { get; init; } = 0.5;
    public double EtaPlus { get; init; } = 1.2;
    public double StepSizeMin { get; init; } = 1e-6;
    public double StepSizeMax { get; init; } = 50;
}

/// <summary>torch.optim.Rprop: per-element step sizes grow by η₊ while the gradient keeps its sign and shrink by η₋ when it flips. (No weight decay, as in PyTorch.)</summary>
public sealed class Rprop : Optimizer<RpropOptions, RpropRule>
{
    public Rprop(ModelState parameters, RpropOptions? options = null, IEnumerable<string>? names = null) : base(parameters, options ?? new RpropOptions(), 2, names) { }

    protected override void Validate(RpropOptions o)
    {
        if (o.WeightDecay != 0) throw new ArgumentException("Rprop has no weight_decay (as in PyTorch).", "weightDecay");
        if (!(0 < o.EtaMinus && o.EtaMinus < 1 && 1 < o.EtaPlus)) throw new ArgumentOutOfRangeException("etas", $"Invalid eta values: {o.EtaMinus}, {o.EtaPlus}");
        if (!(o.StepSizeMin >= 0 && o.StepSizeMin <= o.StepSizeMax)) throw new ArgumentOutOfRangeException("stepSizes", $"Invalid step sizes: ({o.StepSizeMin}, {o.StepSizeMax})");
    }

    protected override void Initialize(ParamGroup<RpropOptions> g) => Fill(g, 1, (float)g.Lr);

    protected override RpropRule Rule(ParamGroup<RpropOptions> g) =>
        new((float)g.Options.EtaMinus, (float)g.Options.EtaPlus, (float)g.Options.StepSizeMin, (float)g.Options.StepSizeMax, g.Options.Maximize ? -1f : 1f);
}

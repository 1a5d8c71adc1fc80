using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln;

/// <summary>A scheduler's state_dict: its epoch counter, base learning rates and internal counters, the kind of
/// scheduler that saved it (a state loads only into the same kind), and for a chained or sequential one its schedulers' states.</summary>
/// <remarks>Values may be ±∞ (a plateau's best before its first metric): JSON writes them as "Infinity" strings.</remarks>
public sealed record SchedulerState(int LastEpoch, IReadOnlyList<double> BaseLrs,
    [property: System.Text.Json.Serialization.JsonNumberHandling(System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals)] IReadOnlyDictionary<string, double> Values,
    string? Scheduler = null, IReadOnlyList<SchedulerState>? Children = null)
{
    internal void CheckKind(object into)
    {
        if (Scheduler is { } kind && kind != into.GetType().Name)
            throw new ArgumentException($"The state was saved by a {kind}; this scheduler is a {into.GetType().Name}.", "state");
    }

    /// <summary>Loads a chained or sequential scheduler's <paramref name="schedulers"/> from <see cref="Children"/>, one each.</summary>
    internal void LoadChildren(object into, IReadOnlyList<LRScheduler> schedulers)
    {
        CheckKind(into);
        if (Children is not { } children || children.Count != schedulers.Count)
            throw new ArgumentException($"The state holds {Children?.Count ?? 0} schedulers' states; this {into.GetType().Name} has {schedulers.Count}.", "state");
        for (int i = 0; i < schedulers.Count; i++) schedulers[i].LoadStateDict(children[i]);
    }
}

/// <summary>What every scheduler has: its state_dict and load_state_dict (a checkpoint holds one with the model and optimizer).</summary>
public interface IScheduler
{
    SchedulerState StateDict();
    void LoadStateDict(SchedulerState state);
}

/// <summary>
/// torch.optim.lr_scheduler: constructing one sets the epoch-0 learning rate; each Step() advances one epoch.
/// The chainable schedulers update the current rate multiplicatively (PyTorch's recursive forms), so several
/// can drive one optimizer (see <see cref="ChainedScheduler"/>); alone they equal the closed forms of the docs.
/// </summary>
public abstract class LRScheduler : IScheduler
{
    protected LRScheduler(IOptimizer optimizer)
    {
        Optimizer = optimizer;
        // PyTorch's initial_lr: the rate a group had when the first scheduler attached is every scheduler's base, so a
        // second scheduler on the same optimizer (chained, sequential) does not take the first one's epoch-0 rate as its base
        BaseLrs = optimizer.Groups.Select(g => g.InitialLr ??= g.Lr).ToArray();
    }

    public IOptimizer Optimizer { get; }
    public double[] BaseLrs { get; private set; }
    public int LastEpoch { get; internal set; } = -1;

    /// <summary>The learning rates last set (get_last_lr()).</summary>
    public double[] LastLr => Optimizer.Groups.Select(g => g.Lr).ToArray();

    /// <summary>Called once at the end of construction: sets epoch 0's rates.</summary>
    protected void Initialize() => Step();

    public virtual void Step()
    {
        LastEpoch++;
        var groups = Optimizer.Groups;
        int count = FollowsAddedGroups ? groups.Count : Math.Min(groups.Count, BaseLrs.Length);
        for (int i = 0; i < count; i++) groups[i].Lr = NextLr(i, groups[i].Lr);
    }

    /// <summary>
    /// Whether a group added to the optimizer after the scheduler was made is scheduled too, as PyTorch's forms do: those
    /// that multiply each group's current rate (StepLR, ExponentialLR, LinearLR, cosine's recursive form) take every group;
    /// those that read each group's base rate (zip over base_lrs: warm restarts, lambda) leave a later group at its own
    /// rate, and so does one-cycle, whose PyTorch form raises (they read past their base rates and threw).
    /// </summary>
    protected virtual bool FollowsAddedGroups => true;

    /// <summary>The rate of group i for epoch LastEpoch, given its current rate.</summary>
    protected abstract double NextLr(int group, double current);

    /// <summary>
    /// The rate of group i at epoch 0 of a restart (SequentialLR's step(0) at a milestone): PyTorch's closed form where the
    /// scheduler has one (the base rate, times the start factor of LinearLR or ConstantLR), else null, and the recursive
    /// form's epoch 0 is taken from the current rate.
    /// </summary>
    protected virtual double? RestartLr(int group) => null;

    /// <summary>Epoch 0 again (SequentialLR at the milestone where this scheduler takes over).</summary>
    internal virtual void Restart()
    {
        LastEpoch = 0;
        var groups = Optimizer.Groups;
        int count = FollowsAddedGroups ? groups.Count : Math.Min(groups.Count, BaseLrs.Length);
        for (int i = 0; i < count; i++) groups[i].Lr = (i < BaseLrs.Length ? RestartLr(i) : null) ?? NextLr(i, groups[i].Lr);
    }

    protected virtual void Save(Dictionary<string, double> values) { }
    protected virtual void Restore(IReadOnlyDictionary<string, double> values) { }

    public virtual SchedulerState StateDict()
    {
        var values = new Dictionary<string, double>();
        Save(values);
        return new SchedulerState(LastEpoch, BaseLrs.ToArray(), values, GetType().Name);
    }

    public virtual void LoadStateDict(SchedulerState state)
    {
        state.CheckKind(this);
        // fewer base rates than groups: the state was saved before groups were added, which it then leaves as it did
        if (state.BaseLrs.Count > Optimizer.Groups.Count)
            throw new ArgumentException($"The state has {state.BaseLrs.Count} base rates; the optimizer has {Optimizer.Groups.Count} groups.", nameof(state));
        LastEpoch = state.LastEpoch;
        BaseLrs = state.BaseLrs.ToArray();
        Restore(state.Values);
    }
}

/// <summary>lr = base·γ^⌊epoch / stepSize⌋.</summary>
public sealed class StepLR : LRScheduler
{
    private readonly int _stepSize;
    private readonly double _gamma;
    public StepLR(IOptimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer) { _stepSize = stepSize > 0 ? stepSize : throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "StepLR's step_size must be a positive number of epochs."); _gamma = gamma; Initialize(); }
    protected override double NextLr(int g, double lr) => LastEpoch == 0 || LastEpoch % _stepSize != 0 ? lr : lr * _gamma;
    protected override double? RestartLr(int g) => BaseLrs[g];
}

/// <summary>lr = base·γ^(milestones passed).</summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly int[] _milestones;
    private readonly double _gamma;
    public MultiStepLR(IOptimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer) { _milestones = milestones.OrderBy(m => m).ToArray(); _gamma = gamma; Initialize(); }
    protected override double NextLr(int g, double lr) => lr * Math.Pow(_gamma, _milestones.Count(m => m == LastEpoch));
    protected override double? RestartLr(int g) => BaseLrs[g] * Math.Pow(_gamma, _milestones.Count(m => m <= 0));
}

/// <summary>lr = base·γ^epoch.</summary>
public sealed class ExponentialLR : LRScheduler
{
    private readonly double _gamma;
    public ExponentialLR(IOptimizer optimizer, double gamma) : base(optimizer) { _gamma = gamma; Initialize(); }
    protected override double NextLr(int g, double lr) => LastEpoch == 0 ? lr : lr * _gamma;
    protected override double? RestartLr(int g) => BaseLrs[g];
}

/// <summary>lr = η_min + (base - η_min)(1 + cos(π·epoch/T_max))/2, in PyTorch's recursive form.</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly int _tMax;
    private readonly double _etaMin;
    public CosineAnnealingLR(IOptimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        // PyTorch takes T_max = 0 and fails at its first step (a modulo by zero): refused here, where the mistake is
        _tMax = tMax > 0 ? tMax : throw new ArgumentOutOfRangeException(nameof(tMax), tMax, "CosineAnnealingLR's T_max must be a positive number of epochs.");
        _etaMin = etaMin;
        Initialize();
    }

    protected override double NextLr(int g, double lr)
    {
        int e = LastEpoch;
        if (e == 0) return lr;
        // the restart step reads the base rate: a group added after the scheduler keeps its rate there, as PyTorch's zip
        if ((e - 1 - _tMax) % (2 * _tMax) == 0) return g < BaseLrs.Length ? lr + (BaseLrs[g] - _etaMin) * (1 - Math.Cos(Math.PI / _tMax)) / 2 : lr;
        return (1 + Math.Cos(Math.PI * e / _tMax)) / (1 + Math.Cos(Math.PI * (e - 1) / _tMax)) * (lr - _etaMin) + _etaMin;
    }

    protected override double? RestartLr(int g) => BaseLrs[g];
}

/// <summary>SGDR: cosine from base to η_min over T_i epochs, restarting; T_i grows by T_mult after each restart.</summary>
public sealed class CosineAnnealingWarmRestarts : LRScheduler
{
    private readonly int _t0, _tMult;
    private readonly double _etaMin;
    private double _tCur = -1, _tI;

    public CosineAnnealingWarmRestarts(IOptimizer optimizer, int t0, int tMult = 1, double etaMin = 0) : base(optimizer)
    {
        if (t0 <= 0) throw new ArgumentOutOfRangeException(nameof(t0), t0, $"Expected positive integer T_0, but got {t0}");
        if (tMult < 1) throw new ArgumentOutOfRangeException(nameof(tMult), tMult, $"Expected integer T_mult >= 1, but got {tMult}");
        (_t0, _tMult, _etaMin, _tI) = (t0, tMult, etaMin, t0);
        Initialize();
    }

    public override void Step()
    {
        _tCur++;
        if (_tCur >= _tI) { _tCur -= _tI; _tI *= _tMult; }
        base.Step();
    }

    protected override double NextLr(int g, double lr) => _etaMin + (BaseLrs[g] - _etaMin) * (1 + Math.Cos(Math.PI * _tCur / _tI)) / 2;
    protected override bool FollowsAddedGroups => false;

    internal override void Restart()
    {
        // PyTorch's step(0): T_cur = 0 within the first period
        (_tCur, _tI) = (0, _t0);
        base.Restart();
    }

    protected override void Save(Dictionary<string, double> v) { v["T_cur"] = _tCur; v["T_i"] = _tI; }
    protected override void Restore(IReadOnlyDictionary<string, double> v) { _tCur = v["T_cur"]; _tI = v["T_i"]; }
}

/// <summary>The factor goes linearly from startFactor to endFactor over totalIters epochs.</summary>
public sealed class LinearLR : LRScheduler
{
    private readonly double _start, _end;
    private readonly int _total;

    public LinearLR(IOptimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        if (startFactor is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(startFactor), "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        if (endFactor is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(endFactor), "Ending multiplicative factor expected to be between 0 and 1.");
        (_start, _end, _total) = (startFactor, endFactor, totalIters);
        Initialize();
    }

    protected override double NextLr(int g, double lr)
    {
        if (LastEpoch == 0) return lr * _start;
        if (LastEpoch > _total) return lr;
        return lr * (1 + (_end - _start) / (_total * _start + (LastEpoch - 1) * (_end - _start)));
    }

    protected override double? RestartLr(int g) => BaseLrs[g] * _start;
}

/// <summary>lr = base·λ(epoch).</summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double> _lambda;
    public LambdaLR(IOptimizer optimizer, Func<int, double> lrLambda) : base(optimizer) { _lambda = lrLambda; Initialize(); }
    protected override double NextLr(int g, double lr) => BaseLrs[g] * _lambda(LastEpoch);
    protected override bool FollowsAddedGroups => false;
}

public enum AnnealStrategy { Cos, Linear }

/// <summary>
/// The 1cycle policy: from maxLr/divFactor up to maxLr over pctStart of totalSteps, then down to
/// initial/finalDivFactor (three phases when threePhase); momentum (or Adam's beta1) cycles inversely when cycleMomentum.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly (double End, string Lr0, string Lr1, string M0, string M1)[] _phases;
    private readonly double[] _initial, _max, _min;
    private readonly bool _cycleMomentum;
    private readonly double _baseMomentum, _maxMomentum;
    private readonly AnnealStrategy _anneal;
    private readonly int _total;

    protected override bool FollowsAddedGroups => false;

    public OneCycleLR(IOptimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false)
        : base(optimizer)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"Expected positive integer total_steps, but got {totalSteps}");
        if (pctStart is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, $"Expected float between 0 and 1 pct_start, but got {pctStart}");
        _total = totalSteps;
        _anneal = annealStrategy;
        _phases = threePhase
            ? [(pctStart * totalSteps - 1, "initial", "max", "max_m", "base_m"), (2 * pctStart * totalSteps - 2, "max", "initial", "base_m", "max_m"), (totalSteps - 1, "initial", "min", "max_m", "max_m")]
            : [(pctStart * totalSteps - 1, "initial", "max", "max_m", "base_m"), (totalSteps - 1, "max", "min", "base_m", "max_m")];
        int n = optimizer.Groups.Count;
        _initial = Enumerable.Repeat(maxLr / divFactor, n).ToArray();
        _max = Enumerable.Repeat(maxLr, n).ToArray();
        _min = _initial.Select(i => i / finalDivFactor).ToArray();
        (_cycleMomentum, _baseMomentum, _maxMomentum) = (cycleMomentum, baseMomentum, maxMomentum);
        if (cycleMomentum)
        {
            if (optimizer.Groups.Any(g => g.Momentum is null)) throw new ArgumentException("optimizer must support momentum or beta1 with `cycle_momentum` option enabled", nameof(optimizer));
            foreach (var g in optimizer.Groups) g.Momentum = maxMomentum;
        }
        foreach (var g in optimizer.Groups) g.Lr = maxLr / divFactor;
        Initialize();
    }

    private double Anneal(double start, double end, double pct) => _anneal == AnnealStrategy.Cos
        ? end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;

    private double Value(string name, int g) => name switch { "initial" => _initial[g], "max" => _max[g], "min" => _min[g], "max_m" => _maxMomentum, _ => _baseMomentum };

    protected override double NextLr(int g, double lr)
    {
        int step = LastEpoch;
        if (step > _total) throw new InvalidOperationException($"Tried to step {step} times; OneCycleLR was built for {_total} total steps.");
        double start = 0;
        for (int i = 0; i < _phases.Length; i++)
        {
            var phase = _phases[i];
            if (step <= phase.End || i == _phases.Length - 1)
            {
                double pct = (step - start) / (phase.End - start);
                if (_cycleMomentum) Optimizer.Groups[g].Momentum = Anneal(Value(phase.M0, g), Value(phase.M1, g), pct);
                return Anneal(Value(phase.Lr0, g), Value(phase.Lr1, g), pct);
            }
            start = phase.End;
        }
        return lr;
    }
}

/// <summary>lr = base·factor until epoch totalIters, then base (ConstantLR: a warmup at a fixed fraction).</summary>
public sealed class ConstantLR : LRScheduler
{
    private readonly double _factor;
    private readonly int _total;

    public ConstantLR(IOptimizer optimizer, double factor = 1.0 / 3, int totalIters = 5) : base(optimizer)
    {
        if (factor is < 0 or > 1 || double.IsNaN(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "Constant multiplicative factor expected to be between 0 and 1.");
        (_factor, _total) = (factor, totalIters);
        Initialize();
    }

    protected override double NextLr(int g, double lr) => LastEpoch == 0 ? lr * _factor : LastEpoch != _total ? lr : lr / _factor;
    protected override double? RestartLr(int g) => BaseLrs[g] * (_total > 0 ? _factor : 1);
}

/// <summary>lr = base·(1 - min(epoch, totalIters)/totalIters)^power (PolynomialLR), in PyTorch's recursive form.</summary>
public sealed class PolynomialLR : LRScheduler
{
    private readonly int _total;
    private readonly double _power;

    public PolynomialLR(IOptimizer optimizer, int totalIters = 5, double power = 1.0) : base(optimizer)
    {
        (_total, _power) = (totalIters, power);
        Initialize();
    }

    protected override double NextLr(int g, double lr)
    {
        if (LastEpoch == 0 || LastEpoch > _total) return lr;
        return lr * Math.Pow((1.0 - (double)LastEpoch / _total) / (1.0 - (double)(LastEpoch - 1) / _total), _power);
    }

    protected override double? RestartLr(int g) => BaseLrs[g];
}

/// <summary>lr = lr·λ(epoch) each epoch after the first (MultiplicativeLR: the factor applies to the current rate).</summary>
public sealed class MultiplicativeLR : LRScheduler
{
    private readonly Func<int, double> _lambda;
    public MultiplicativeLR(IOptimizer optimizer, Func<int, double> lrLambda) : base(optimizer) { _lambda = lrLambda ?? throw new ArgumentNullException(nameof(lrLambda)); Initialize(); }
    protected override double NextLr(int g, double lr) => LastEpoch > 0 ? lr * _lambda(LastEpoch) : lr;
    protected override bool FollowsAddedGroups => false;
}

/// <summary>
/// Hands the epochs to one scheduler after another (SequentialLR: warmup, then cosine): scheduler i runs from milestone
/// i - 1 (restarted at its epoch 0 there, by its closed form where PyTorch's has one) until milestone i. Constructing it
/// sets the groups back to their initial rates and gives the first scheduler epoch 0.
/// </summary>
public sealed class SequentialLR : IScheduler
{
    private readonly LRScheduler[] _schedulers;
    private readonly int[] _milestones;

    public SequentialLR(IOptimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (schedulers is null || schedulers.Count < 1) throw new ArgumentException("SequentialLR expects at least one scheduler.", nameof(schedulers));
        for (int i = 0; i < schedulers.Count; i++)
            if (!ReferenceEquals(schedulers[i].Optimizer, optimizer))
                throw new ArgumentException($"SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler {schedulers[i].GetType().Name} at index {i} with a different optimizer.", nameof(schedulers));
        if (milestones is null || milestones.Count != schedulers.Count - 1)
            throw new ArgumentException($"Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {schedulers.Count} and the number of milestones to be equal to {milestones?.Count ?? 0}.", nameof(milestones));
        _schedulers = [.. schedulers];
        _milestones = [.. milestones];
        Optimizer = optimizer;
        // each scheduler took its epoch 0 when it was made: undo those, and give the first its epoch 0 from the initial rates
        foreach (var g in optimizer.Groups) g.Lr = g.InitialLr ?? g.Lr;
        foreach (var s in _schedulers) s.LastEpoch--;
        _schedulers[0].Step();
    }

    public IOptimizer Optimizer { get; }
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;
    public IReadOnlyList<int> Milestones => _milestones;
    public int LastEpoch { get; private set; }
    public double[] LastLr => Optimizer.Groups.Select(g => g.Lr).ToArray();

    public void Step()
    {
        LastEpoch++;
        int index = _milestones.Count(m => m <= LastEpoch);   // bisect_right
        if (index > 0 && _milestones[index - 1] == LastEpoch) _schedulers[index].Restart();
        else _schedulers[index].Step();
    }

    /// <summary>Its epoch and each scheduler's state (in <see cref="SchedulerState.Children"/>).</summary>
    public SchedulerState StateDict() => new(LastEpoch, [.. LastLr], new Dictionary<string, double>(), nameof(SequentialLR), [.. _schedulers.Select(s => s.StateDict())]);

    public void LoadStateDict(SchedulerState state)
    {
        state.LoadChildren(this, _schedulers);
        LastEpoch = state.LastEpoch;
    }
}

public enum CyclicMode { Triangular, Triangular2, ExpRange }
public enum ScaleMode { Cycle, Iterations }

/// <summary>
/// CyclicLR: the rate goes from baseLr up to maxLr over stepSizeUp iterations and back over stepSizeDown, cycle after
/// cycle, the swing scaled by mode (triangular: constant; triangular2: halved each cycle; exp_range: γ^iteration) or by
/// a scale function of the cycle or the iteration; momentum (or Adam's beta1) swings the other way when cycleMomentum.
/// Step() once per batch. Constructing it sets each group's rate to baseLr, as PyTorch's does.
/// </summary>
public sealed class CyclicLR : LRScheduler
{
    private readonly double _baseLr, _maxLr, _total, _ratio, _gamma, _baseMomentum, _maxMomentum;
    private readonly Func<double, double> _scale;
    private readonly ScaleMode _scaleMode;
    private readonly bool _cycleMomentum;

    public CyclicLR(IOptimizer optimizer, double baseLr, double maxLr, int stepSizeUp = 2000, int? stepSizeDown = null, CyclicMode mode = CyclicMode.Triangular,
        double gamma = 1.0, Func<double, double>? scaleFn = null, ScaleMode scaleMode = ScaleMode.Cycle, bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9)
        : base(AtRate(optimizer, baseLr))
    {
        if (stepSizeUp <= 0 || stepSizeDown is <= 0) throw new ArgumentOutOfRangeException(nameof(stepSizeUp), "CyclicLR's step sizes must be positive numbers of iterations.");
        double up = stepSizeUp, down = stepSizeDown ?? stepSizeUp;
        (_baseLr, _maxLr, _total, _ratio, _gamma) = (baseLr, maxLr, up + down, up / (up + down), gamma);
        if (scaleFn is not null) (_scale, _scaleMode) = (scaleFn, scaleMode);
        else (_scale, _scaleMode) = mode switch
        {
            CyclicMode.Triangular => ((Func<double, double>)(_ => 1.0), ScaleMode.Cycle),
            CyclicMode.Triangular2 => (x => 1 / Math.Pow(2, x - 1), ScaleMode.Cycle),
            _ => (x => Math.Pow(_gamma, x), ScaleMode.Iterations),
        };
        (_cycleMomentum, _baseMomentum, _maxMomentum) = (cycleMomentum, baseMomentum, maxMomentum);
        if (cycleMomentum)
        {
            if (optimizer.Groups.Any(g => g.Momentum is null)) throw new ArgumentException("optimizer must support momentum or beta1 with `cycle_momentum` option enabled", nameof(optimizer));
            foreach (var g in optimizer.Groups) g.Momentum = maxMomentum;
        }
        Initialize();
    }

    /// <summary>PyTorch sets the groups' rates to base_lr before the scheduler attaches (so its initial_lr is base_lr).</summary>
    private static IOptimizer AtRate(IOptimizer optimizer, double rate)
    {
        foreach (var g in optimizer.Groups) g.Lr = rate;
        return optimizer;
    }

    protected override bool FollowsAddedGroups => false;

    protected override double NextLr(int g, double lr)
    {
        double cycle = Math.Floor(1 + LastEpoch / _total);
        double x = 1 + LastEpoch / _total - cycle;
        double factor = x <= _ratio ? x / _ratio : (x - 1) / (_ratio - 1);
        double scale = _scale(_scaleMode == ScaleMode.Cycle ? cycle : LastEpoch);
        if (_cycleMomentum) Optimizer.Groups[g].Momentum = _maxMomentum - (_maxMomentum - _baseMomentum) * factor * scale;
        return _baseLr + (_maxLr - _baseLr) * factor * scale;
    }
}

/// <summary>Steps several schedulers together each epoch: their multiplicative updates compose.</summary>
public sealed class ChainedScheduler(params LRScheduler[] schedulers) : IScheduler
{
    public IReadOnlyList<LRScheduler> Schedulers { get; } = schedulers;
    public void Step() { foreach (var s in Schedulers) s.Step(); }
    public double[] LastLr => Schedulers[^1].LastLr;

    /// <summary>Each scheduler's state (in <see cref="SchedulerState.Children"/>).</summary>
    public SchedulerState StateDict() => new(Schedulers[^1].LastEpoch, LastLr, new Dictionary<string, double>(), nameof(ChainedScheduler), [.. Schedulers.Select(s => s.StateDict())]);

    public void LoadStateDict(SchedulerState state) => state.LoadChildren(this, Schedulers);
}

public enum PlateauMode { Min, Max }
public enum ThresholdMode { Rel, Abs }

/// <summary>Multiplies the rate by factor when the metric has not improved for more than patience epochs (then waits cooldown epochs).</summary>
public sealed class ReduceLROnPlateau : IScheduler
{
    private readonly IOptimizer _optimizer;
    private readonly PlateauMode _mode;
    private readonly ThresholdMode _thresholdMode;
    private readonly double _factor, _threshold, _eps;
    /// <summary>One min_lr for every group, those added to the optimizer later included (PyTorch's scalar min_lr).</summary>
    private readonly double _minLr;
    private readonly int _patience, _cooldown;

    public ReduceLROnPlateau(IOptimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLr = 0, double eps = 1e-8)
    {
        if (factor >= 1.0) throw new ArgumentOutOfRangeException(nameof(factor), "Factor should be < 1.0.");
        (_optimizer, _mode, _factor, _patience, _threshold, _thresholdMode, _cooldown, _eps) = (optimizer, mode, factor, patience, threshold, thresholdMode, cooldown, eps);
        _minLr = minLr;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    public double Best { get; private set; }
    public int NumBadEpochs { get; private set; }
    public int CooldownCounter { get; private set; }
    public int LastEpoch { get; private set; }
    public double[] LastLr => _optimizer.Groups.Select(g => g.Lr).ToArray();

    private bool Better(double a) => (_mode, _thresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => a < Best * (1 - _threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => a < Best - _threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => a > Best * (_threshold + 1),
        _ => a > Best + _threshold,
    };

    public void Step(double metric)
    {
        LastEpoch++;
        if (Better(metric)) { Best = metric; NumBadEpochs = 0; }
        else NumBadEpochs++;
        if (CooldownCounter > 0) { CooldownCounter--; NumBadEpochs = 0; }
        if (NumBadEpochs > _patience)
        {
            for (int i = 0; i < _optimizer.Groups.Count; i++)
            {
                var g = _optimizer.Groups[i];
                double next = Math.Max(g.Lr * _factor, _minLr);
                if (g.Lr - next > _eps) g.Lr = next;
            }
            CooldownCounter = _cooldown;
            NumBadEpochs = 0;
        }
    }

    public SchedulerState StateDict() => new(LastEpoch, LastLr, new Dictionary<string, double> { ["best"] = Best, ["num_bad_epochs"] = NumBadEpochs, ["cooldown_counter"] = CooldownCounter }, nameof(ReduceLROnPlateau));

    public void LoadStateDict(SchedulerState state)
    {
        state.CheckKind(this);
        if (!state.Values.ContainsKey("best") || !state.Values.ContainsKey("num_bad_epochs") || !state.Values.ContainsKey("cooldown_counter"))
            throw new ArgumentException("The state has no best, num_bad_epochs and cooldown_counter: it is not a ReduceLROnPlateau's.", nameof(state));
        LastEpoch = state.LastEpoch;
        Best = state.Values["best"];
        NumBadEpochs = (int)state.Values["num_bad_epochs"];
        CooldownCounter = (int)state.Values["cooldown_counter"];
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ILGPU;
using ILGPU.Runtime;
using Kiln.Kernels;

namespace Kiln;

/// <summary>
/// One element's update: parameter, gradient and up to three state values, read once and written once; and the same
/// arithmetic, in the same order, on 8 elements at once (the managed path's bulk; ILGPU kernels and tails use the scalar
/// form). Both are called on the struct itself (a constrained call), so no rule is boxed.
/// </summary>
public interface IUpdateRule
{
    void Update(ref float p, float g, ref float s0, ref float s1, ref float s2);

    void Update(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> s0, ref Vector256<float> s1, ref Vector256<float> s2);
}

/// <summary>Hyper-parameters every optimizer has (torch.optim's group dict, typed).</summary>
public abstract record OptimizerOptions(double Lr)
{
    public double WeightDecay { get; init; }
    public bool Maximize { get; init; }

    /// <summary>The momentum-like coefficient OneCycleLR cycles (momentum, or Adam-style beta1), or null when there is none.</summary>
    protected internal virtual double? CycledMomentum => null;

    /// <summary>These options with <see cref="CycledMomentum"/> replaced.</summary>
    protected internal virtual OptimizerOptions WithCycledMomentum(double value) =>
        throw new InvalidOperationException($"{GetType().Name} has no momentum or beta1 to cycle.");
}

/// <summary>PyTorch's hyper-parameter checks, written so that NaN fails them as it does there (`if not 0.0 &lt;= lr`).</summary>
internal static class OptimizerChecks
{
    // PyTorch's message ("Invalid learning rate: -1"), naming the options property that holds the value ("Lr")
    public static void AtLeastZero(double v, string what, [CallerArgumentExpression(nameof(v))] string? property = null)
    {
        if (!(v >= 0)) throw new ArgumentOutOfRangeException(Property(property), $"Invalid {what}: {v}");
    }

    public static void Betas(double beta1, double beta2)
    {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException("betas", $"Invalid beta parameters: ({beta1}, {beta2})");
    }

    public static void InUnitInterval(double v, string what, [CallerArgumentExpression(nameof(v))] string? property = null)
    {
        if (!(v >= 0 && v <= 1)) throw new ArgumentOutOfRangeException(Property(property), $"Invalid {what}: {v}");
    }

    /// <summary>The property an argument expression reads ("o.Eps" → "Eps").</summary>
    private static string? Property(string? expression) => expression?[(expression.LastIndexOf('.') + 1)..];
}

/// <summary>
/// A parameter's step count and the scalars some optimizers keep with it (ASGD's eta and mu, NAdam's mu_product, SGD's
/// unset momentum): PyTorch's per-parameter state['step'] and friends. The parameters of a group share one while they
/// have stepped together; one that went without a gradient at a step (skipped, as PyTorch skips grad None) gets its own.
/// </summary>
public sealed class StepState
{
    public long Step { get; internal set; }
    public Dictionary<string, double> Scalars { get; } = new(4);   // sized once: a first step that adds its scalars allocates nothing
    /// <summary>The optimizer step that last visited it (each state is stepped once per step however many parameters share it).</summary>
    internal long Visit = -1;

    /// <summary>A state at <paramref name="step"/> with a copy of <paramref name="scalars"/>.</summary>
    internal static StepState Of(long step, IReadOnlyDictionary<string, double> scalars)
    {
        var s = new StepState { Step = step };
        foreach (var (k, v) in scalars) s.Scalars[k] = v;
        return s;
    }

    internal StepState Clone() => Of(Step, Scalars);

    internal bool SameAs(StepState other) => Step == other.Step && Scalars.Count == other.Scalars.Count
        && Scalars.All(kv => other.Scalars.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value));
}

/// <summary>A parameter group: named parameters of the block with their own hyper-parameters and step counts.</summary>
public abstract class ParamGroup
{
    internal ParamGroup(IReadOnlyList<string> names, (int Offset, int Count)[] ranges, (int Index, int Offset, int Count)[] parameters)
    {
        Names = names;
        Ranges = ranges;
        Parameters = parameters;
        var shared = new StepState();
        States = Array.ConvertAll(parameters, _ => shared);
        Current = shared;
    }

    public IReadOnlyList<string> Names { get; }
    /// <summary>
    /// Steps taken (PyTorch's per-parameter "step"): the count of the parameters an optimizer step is updating while it
    /// runs, and otherwise of those that have taken the most steps. Equal for every parameter of the group unless some
    /// went without a gradient at a step (<see cref="StepOf"/> says each one's).
    /// </summary>
    public long Step => Current.Step;
    /// <summary>The scalar state kept with <see cref="Step"/> (ASGD's eta and mu, NAdam's mu_product).</summary>
    public Dictionary<string, double> Scalars => Current.Scalars;
    /// <summary>Each parameter's state, in the order of <see cref="Parameters"/>; parameters that stepped together share one.</summary>
    internal StepState[] States { get; private set; }
    /// <summary>The state an optimizer step is updating now (the rule reads its step and scalars), else the most advanced.</summary>
    internal StepState Current { get; set; }
    /// <summary>Whether every parameter shares one state (the common case: one pass over the merged ranges).</summary>
    internal bool Uniform
    {
        get
        {
            foreach (var s in States) if (!ReferenceEquals(s, States[0])) return false;   // a loop: a step allocates nothing
            return true;
        }
    }

    /// <summary>The state of the parameters that have taken the most steps.</summary>
    internal StepState MostAdvanced
    {
        get
        {
            var most = States[0];
            foreach (var s in States) if (s.Step > most.Step) most = s;
            return most;
        }
    }

    /// <summary>The steps taken by parameter <paramref name="name"/> of this group.</summary>
    public long StepOf(string name)
    {
        // Names, Parameters and States are in the same order
        for (int i = 0; i < Names.Count; i++) if (Names[i] == name) return States[i].Step;
        throw new ArgumentException($"Parameter '{name}' is not in this group ({string.Join(", ", Names)}).", nameof(name));
    }

    /// <summary>Every parameter at <paramref name="state"/> (a state_dict of one shared state).</summary>
    internal void SetAll(StepState state) { States = Array.ConvertAll(Parameters, _ => state); Current = state; }

    /// <summary>Each parameter's own state (a state_dict that holds one per parameter); equal ones are shared again.</summary>
    internal void SetEach(IReadOnlyList<StepState> states)
    {
        var distinct = new List<StepState>();
        States = states.Select(s => distinct.FirstOrDefault(d => d.SameAs(s)) ?? Add(distinct, s)).ToArray();
        Current = MostAdvanced;
        static StepState Add(List<StepState> list, StepState s) { list.Add(s); return s; }
    }

    internal (int Offset, int Count)[] Ranges { get; }
    /// <summary>Each parameter: its index in the model's layout and its place in the block.</summary>
    internal (int Index, int Offset, int Count)[] Parameters { get; }
    /// <summary>The learning rate (what LR schedulers change).</summary>
    public abstract double Lr { get; set; }
    /// <summary>The rate the group had when the first LR scheduler attached (PyTorch's initial_lr): every scheduler's base rate.</summary>
    public double? InitialLr { get; set; }
    /// <summary>Momentum, or Adam-style beta1 (what OneCycleLR cycles); null when the optimizer has neither.</summary>
    public abstract double? Momentum { get; set; }
}

public sealed class ParamGroup<TOptions> : ParamGroup where TOptions : OptimizerOptions
{
    internal ParamGroup(IReadOnlyList<string> names, (int, int)[] ranges, (int, int, int)[] parameters, TOptions options) : base(names, ranges, parameters) => Options = options;

    public TOptions Options { get; set; }
    public override double Lr { get => Options.Lr; set => Options = Options with { Lr = value }; }

    public override double? Momentum
    {
        get => Options.CycledMomentum;
        set => Options = (TOptions)Options.WithCycledMomentum(value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>A group over <paramref name="names"/> of <paramref name="state"/>, which must not already be in <paramref name="existing"/>.</summary>
    internal static ParamGroup<TOptions> Create(ModelState state, IEnumerable<string> names, TOptions options, IEnumerable<ParamGroup> existing)
    {
        var list = names.ToList();
        if (list.Count == 0) throw new ArgumentException("A parameter group needs at least one parameter.", nameof(names));
        foreach (var n in list)
        {
            _ = state.Info(n);
            if (existing.Any(g => g.Names.Contains(n))) throw new ArgumentException($"Parameter '{n}' appears in more than one parameter group.", nameof(names));
            // PyTorch warns and would step it twice; a duplicate is always a mistake
            if (list.Count(x => x == n) > 1) throw new ArgumentException($"Parameter '{n}' appears twice in one parameter group.", nameof(names));
        }
        // adjacent parameters of the block merge into one range: one fused pass each
        var merged = new List<(int Offset, int Count)>();
        foreach (var p in list.Select(n => state.Info(n)).OrderBy(p => p.Offset))
        {
            if (merged.Count > 0 && merged[^1].Offset + merged[^1].Count == p.Offset) merged[^1] = (merged[^1].Offset, merged[^1].Count + p.Count);
            else merged.Add((p.Offset, p.Count));
        }
        var parameters = list.Select(n => (state.IndexOf(n), state.Info(n).Offset, state.Info(n).Count)).ToArray();
        return new ParamGroup<TOptions>(list, merged.ToArray(), parameters, options);
    }

    /// <summary>Checks that a state_dict's groups name this optimizer's parameters, group by group, with options of its type.</summary>
    internal static void CheckGroups(OptimizerState state, IReadOnlyList<ParamGroup<TOptions>> groups, string optimizer)
    {
        if (state.Groups.Count != groups.Count) throw new ArgumentException($"The state has {state.Groups.Count} parameter groups; this {optimizer} has {groups.Count}.", nameof(state));
        for (int i = 0; i < groups.Count; i++)
        {
            var (names, options, _, _) = state.Groups[i];
            if (!names.SequenceEqual(groups[i].Names)) throw new ArgumentException($"Parameter group {i} names [{string.Join(", ", names)}], not [{string.Join(", ", groups[i].Names)}].", nameof(state));
            if (options is not TOptions) throw new ArgumentException($"Parameter group {i} holds {options.GetType().Name}, not {typeof(TOptions).Name}.", nameof(state));
        }
    }
}

/// <summary>
/// The one contract of every optimizer (torch.optim.Optimizer): what schedulers and checkpoints need, and the two
/// forms of step. Every optimizer implements it, LBFGS and SparseAdam included.
/// </summary>
public interface IOptimizer
{
    ModelState State { get; }
    IReadOnlyList<ParamGroup> Groups { get; }
    Type OptionsType { get; }
    OptimizerState StateDict();
    void LoadStateDict(OptimizerState state);
    void ZeroGrad();
    /// <summary>One update from the gradients already accumulated.</summary>
    void Step();
    /// <summary>
    /// step(closure): the closure zeroes the gradients, runs forward and backward and returns the loss. First-order
    /// optimizers call it once and then step; LBFGS calls it as often as its iterations need. Returns the first loss.
    /// </summary>
    float Step(Func<float> closure);
}

/// <summary>
/// An optimizer's state_dict: group hyper-parameters, step counts, scalars, and its state buffers. Where the parameters
/// of a group have taken different numbers of steps (some went without a gradient), <see cref="ParameterStates"/> holds
/// each parameter's step and scalars, group by group, in the group's order; else it is null and each group's are the
/// group's <c>Step</c> and <c>Scalars</c>.
/// </summary>
public sealed record OptimizerState(
    IReadOnlyList<(IReadOnlyList<string> Names, OptimizerOptions Options, long Step, IReadOnlyDictionary<string, double> Scalars)> Groups,
    IReadOnlyList<float[]> Buffers,
    IReadOnlyList<IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Scalars)>>? ParameterStates = null)
{
    internal void CheckParameterStates(IReadOnlyList<ParamGroup> groups)
    {
        if (ParameterStates is null) return;
        if (ParameterStates.Count != groups.Count) throw new ArgumentException($"The state holds parameter states for {ParameterStates.Count} groups; the optimizer has {groups.Count}.", "state");
        for (int i = 0; i < groups.Count; i++)
        {
            if (ParameterStates[i].Count != groups[i].Names.Count)
                throw new ArgumentException($"Parameter group {i} has {groups[i].Names.Count} parameters; the state holds {ParameterStates[i].Count} parameter states.", "state");
            foreach (var (step, _) in ParameterStates[i])
                if (step < 0) throw new ArgumentOutOfRangeException("state", $"Invalid step count: {step}");
        }
    }

    /// <summary>Sets group <paramref name="index"/>'s step counts and scalars from this state.</summary>
    internal void RestoreSteps(ParamGroup group, int index, long step, IReadOnlyDictionary<string, double> scalars)
    {
        if (ParameterStates is null) group.SetAll(StepState.Of(step, scalars));
        else group.SetEach(ParameterStates[index].Select(p => StepState.Of(p.Step, p.Scalars)).ToList());
    }
}

/// <summary>
/// The torch.optim machinery over a model's parameter block: parameter groups, zero_grad, step, state_dict and
/// load_state_dict. State tensors live in whole-block buffers with the parameters' layout, so a step is one fused
/// pass per group range (parameters, gradients and state read once, written once) on every backend.
/// </summary>
public abstract class Optimizer<TOptions, TRule> : IOptimizer where TOptions : OptimizerOptions where TRule : struct, IUpdateRule
{
    private readonly List<ParamGroup<TOptions>> _groups = new();
    private DeviceBuffer<float>[] _buffers;
    private readonly Action<long, long> _chunk;
    private TRule _rule;
    private int _start;

    protected Optimizer(ModelState parameters, TOptions defaults, int stateBuffers, IEnumerable<string>? names)
    {
        State = parameters;
        Defaults = defaults;
        _buffers = Enumerable.Range(0, stateBuffers).Select(i => parameters.Device.AllocateStaggered<float>(parameters.Count, i)).ToArray();
        foreach (var b in _buffers) b.Clear();
        _chunk = Chunk;
        AddParamGroup(names ?? parameters.Layout.Select(p => p.Name), defaults);
    }

    public ModelState State { get; }
    public TOptions Defaults { get; }
    public IReadOnlyList<ParamGroup<TOptions>> ParamGroups => _groups;
    IReadOnlyList<ParamGroup> IOptimizer.Groups => _groups;
    Type IOptimizer.OptionsType => typeof(TOptions);

    /// <summary>Adds parameters (by name) with their own hyper-parameters; a parameter may belong to one group only.</summary>
    public ParamGroup<TOptions> AddParamGroup(IEnumerable<string> names, TOptions? options = null)
    {
        var group = ParamGroup<TOptions>.Create(State, names, options ?? Defaults, _groups);
        ValidateOptions(group.Options);
        _groups.Add(group);
        return group;
    }

    /// <summary>Checks hyper-parameters as PyTorch's constructor does (NaN fails every check, as PyTorch's `not 0.0 &lt;= x`).</summary>
    protected virtual void Validate(TOptions options) { }

    private void ValidateOptions(TOptions o)
    {
        OptimizerChecks.AtLeastZero(o.Lr, "learning rate");
        OptimizerChecks.AtLeastZero(o.WeightDecay, "weight_decay value");
        Validate(o);
    }

    /// <summary>Clears the gradients of this optimizer's parameters.</summary>
    public void ZeroGrad()
    {
        foreach (var g in _groups)
            foreach (var (offset, count) in g.Ranges) State.ClearGradients(offset, count);
    }

    private long _steps;

    /// <summary>
    /// One update of every group: each parameter with a gradient advances its step count and is updated, in one fused pass
    /// over the group's ranges where its parameters share their state (the common case).
    /// </summary>
    public void Step()
    {
        BeforeStep();
        long visit = _steps++;
        foreach (var group in _groups)
        {
            // a parameter without a gradient (a plan went backward without reaching it: Frozen, Detach) is skipped, as
            // PyTorch skips grad None, and its step count stays (a group with none takes no step)
            int without = 0;
            foreach (var p in group.Parameters) if (State.HasNoGradient(p.Index)) without++;
            if (without == group.Parameters.Length) continue;
            if (without == 0 && group.Uniform)
            {
                StepState(group, group.States[0], all: true);
                continue;
            }
            // parameters that step now and share a state with one that does not get a state of their own (their counts
            // part ways); each state is then stepped once, over the parameters that hold it
            var states = group.States;
            for (int i = 0; i < states.Length; i++)
            {
                var st = states[i];
                if (st.Visit == visit || State.HasNoGradient(group.Parameters[i].Index)) continue;
                bool split = false;
                for (int j = 0; j < states.Length; j++) split |= ReferenceEquals(states[j], st) && State.HasNoGradient(group.Parameters[j].Index);
                if (split)
                {
                    var own = st.Clone();
                    for (int j = i; j < states.Length; j++) if (ReferenceEquals(states[j], st) && !State.HasNoGradient(group.Parameters[j].Index)) states[j] = own;
                    st = own;
                }
                st.Visit = visit;
                StepState(group, st, all: false);
            }
            group.Current = group.MostAdvanced;
        }
    }

    /// <summary>Steps one state: its count advances, then the rule runs over the parameters holding it (all: the group's merged ranges).</summary>
    private void StepState(ParamGroup<TOptions> group, StepState st, bool all)
    {
        group.Current = st;
        if (st.Step == 0) Initialize(group);
        st.Step++;
        _rule = Rule(group);
        if (all) foreach (var (offset, count) in group.Ranges) Run(offset, count);
        else
            for (int i = 0; i < group.Parameters.Length; i++)
                if (ReferenceEquals(group.States[i], st)) Run(group.Parameters[i].Offset, group.Parameters[i].Count);
        AfterStep(group);
    }

    /// <inheritdoc/>
    public float Step(Func<float> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        float loss = closure();
        Step();
        return loss;
    }

    /// <summary>The rule for this step of the group (scalars such as bias corrections computed once, here, in double).</summary>
    protected abstract TRule Rule(ParamGroup<TOptions> group);

    /// <summary>Before each step's pass over the groups (SGD allocates its momentum buffer once a group has momentum).</summary>
    protected virtual void BeforeStep() { }

    /// <summary>How many state buffers this optimizer may make after construction (<see cref="GrowStateBuffers"/>), so a
    /// saved state holding them loads into one that has not made them yet.</summary>
    protected virtual int LazyStateBuffers => 0;

    /// <summary>The state buffers (each the parameter block's size) this optimizer holds.</summary>
    protected int StateBufferCount => _buffers.Length;

    /// <summary>Adds zeroed state buffers up to <paramref name="count"/> (state that only some settings need, made when first needed).</summary>
    protected void GrowStateBuffers(int count)
    {
        if (count <= _buffers.Length) return;
        var grown = new DeviceBuffer<float>[count];
        _buffers.CopyTo(grown, 0);
        for (int i = _buffers.Length; i < count; i++) { grown[i] = State.Device.AllocateStaggered<float>(State.Count, i); grown[i].Clear(); }
        _buffers = grown;
    }

    /// <summary>Lazy state init on the first step of the group's parameters being stepped (e.g. Adagrad's initial
    /// accumulator, Rprop's step sizes): <see cref="Fill"/> writes theirs.</summary>
    protected virtual void Initialize(ParamGroup<TOptions> group) { }

    /// <summary>Per-group scalar bookkeeping after a step (ASGD's eta/mu, NAdam's mu product).</summary>
    protected virtual void AfterStep(ParamGroup<TOptions> group) { }

    /// <summary>Fills one state buffer over the parameters of the group being stepped (those holding its current state).</summary>
    protected void Fill(ParamGroup<TOptions> group, int buffer, float value)
    {
        // in place, on their first step (PyTorch's lazy state): nothing is allocated
        var b = _buffers[buffer];
        for (int i = 0; i < group.Parameters.Length; i++)
        {
            if (!ReferenceEquals(group.States[i], group.Current)) continue;
            var (_, offset, count) = group.Parameters[i];
            if (b.Host is not null) b.HostSpan.Slice(offset, count).Fill(value);
            else Kernels.Fill.Run(State.Device, b.View.SubView(offset, count), value);
        }
        if (b.Host is null) State.Device.Synchronize();
    }

    private void Run(int offset, int count)
    {
        var device = State.Device;
        if (device.IsManaged)
        {
            _start = offset;
            CpuWorkers.For(count, 1 << 15, _chunk);
            return;
        }
        var launch = device.Kernel(KernelMethod,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TRule, int, int, int>(Kernel));
        int size = device.LaunchSize(count);
        launch(size, State.Parameters.View, State.Gradients.View, Buffer(0).View, Buffer(1).View, Buffer(2).View, _rule, offset, count, size);
        device.Synchronize();
    }

    // unused state slots alias the first buffer (or the gradients): rules never write a slot they do not own
    private DeviceBuffer<float> Buffer(int i) => i < _buffers.Length ? _buffers[i] : _buffers.Length > 0 ? _buffers[0] : State.Gradients;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Chunk(long from, long to)
    {
        int start = _start + (int)from, length = (int)(to - from);
        var p = State.Parameters.HostSpan.Slice(start, length);
        var g = State.Gradients.HostSpan.Slice(start, length);
        var s0 = Buffer(0).HostSpan.Slice(start, length);
        var s1 = Buffer(1).HostSpan.Slice(start, length);
        var s2 = Buffer(2).HostSpan.Slice(start, length);
        var rule = _rule;
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // large arrays share their misalignment (the runtime places their data at the same offset in a fresh region):
            // a scalar prologue up to p's 32-byte boundary then aligns every stream's vector loads, none straddling two lines
            int head = SharedHead(p, g, s0, s1, s2);
            for (; j < head; j++) rule.Update(ref p[j], g[j], ref s0[j], ref s1[j], ref s2[j]);
            // the spans are all `length` long: the vector loop reads them through refs, without a bounds check per stream
            ref float rp = ref MemoryMarshal.GetReference(p), rg = ref MemoryMarshal.GetReference(g);
            ref float r0 = ref MemoryMarshal.GetReference(s0), r1 = ref MemoryMarshal.GetReference(s1), r2 = ref MemoryMarshal.GetReference(s2);
            for (; j + Vector256<float>.Count <= length; j += Vector256<float>.Count)
                rule.Update(ref Lanes.At(ref rp, j), Vector256.LoadUnsafe(ref rg, (nuint)j), ref Lanes.At(ref r0, j), ref Lanes.At(ref r1, j), ref Lanes.At(ref r2, j));
        }
        for (; j < length; j++) rule.Update(ref p[j], g[j], ref s0[j], ref s1[j], ref s2[j]);
    }

    /// <summary>Elements before <paramref name="p"/>'s next 32-byte boundary when every span is as misaligned as p; else 0.</summary>
    private static unsafe int SharedHead(Span<float> p, Span<float> g, Span<float> s0, Span<float> s1, Span<float> s2)
    {
        fixed (float* a = p, b = g, c = s0, d = s1, e = s2)
        {
            long off = (long)a & 31;
            if (off % sizeof(float) != 0 || ((long)b & 31) != off || ((long)c & 31) != off || ((long)d & 31) != off || ((long)e & 31) != off) return 0;
            return Math.Min(p.Length, (int)((32 - off) & 31) / sizeof(float));
        }
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TRule, int, int, int> KernelMethod = Kernel;

    /// <summary>The fused update: one thread per element of a group range (grid-stride).</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="p">Parameter block.</param>
    /// <param name="g">Gradient block.</param>
    /// <param name="s0">First state buffer.</param>
    /// <param name="s1">Second state buffer.</param>
    /// <param name="s2">Third state buffer.</param>
    /// <param name="rule">The update rule with this step's scalars.</param>
    /// <param name="start">First element of the range.</param>
    /// <param name="count">Elements in the range.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> s0, ArrayView<float> s1, ArrayView<float> s2, TRule rule, int start, int count, int stride)
    {
        for (int k = index; k < count; k += stride)
        {
            int j = start + k;
            rule.Update(ref p[j], g[j], ref s0[j], ref s1[j], ref s2[j]);
        }
    }

    /// <summary>state_dict: hyper-parameters, steps, scalars (each parameter's, where they differ) and a copy of every state buffer.</summary>
    public OptimizerState StateDict() => new(
        _groups.Select(g => ((IReadOnlyList<string>)g.Names.ToList(), (OptimizerOptions)g.Options, g.Step, (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(g.Scalars))).ToList(),
        _buffers.Select(b => b.ToArray()).ToList(),
        _groups.All(g => g.Uniform) ? null
            : _groups.Select(g => (IReadOnlyList<(long, IReadOnlyDictionary<string, double>)>)g.States.Select(s => (s.Step, (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(s.Scalars))).ToList()).ToList());

    /// <summary>load_state_dict: groups must name the same parameters in the same order; buffers must match in count and size.</summary>
    public void LoadStateDict(OptimizerState state)
    {
        if (state.Groups.Count != _groups.Count) throw new ArgumentException($"The state has {state.Groups.Count} parameter groups; this optimizer has {_groups.Count}.", nameof(state));
        // state made when first needed (SGD's momentum buffer) may be in the saved state and not here yet, or here and not
        // in the saved state: this optimizer takes the saved count then (applied below, once everything is checked)
        int count = state.Buffers.Count <= LazyStateBuffers && _buffers.Length <= LazyStateBuffers ? state.Buffers.Count : _buffers.Length;
        if (state.Buffers.Count != count || state.Buffers.Any(b => b.Length != State.Count))
            throw new ArgumentException($"The state's buffers do not match this optimizer ({_buffers.Length} buffers of {State.Count} values).", nameof(state));
        ParamGroup<TOptions>.CheckGroups(state, _groups, GetType().Name);
        foreach (var (_, options, step, _) in state.Groups)
        {
            ValidateOptions((TOptions)options);
            if (step < 0) throw new ArgumentOutOfRangeException(nameof(state), $"Invalid step count: {step}");
        }
        state.CheckParameterStates(_groups);
        // validated: now apply
        if (count > _buffers.Length) GrowStateBuffers(count);
        else if (count < _buffers.Length)
        {
            for (int b = count; b < _buffers.Length; b++) _buffers[b].Dispose();
            _buffers = _buffers[..count];
        }
        for (int i = 0; i < _groups.Count; i++)
        {
            var (_, options, step, scalars) = state.Groups[i];
            _groups[i].Options = (TOptions)options;
            state.RestoreSteps(_groups[i], i, step, scalars);
        }
        for (int b = 0; b < _buffers.Length; b++) _buffers[b].CopyFrom(state.Buffers[b]);
    }
}

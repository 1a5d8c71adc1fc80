using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln;

/// <summary>
/// Base of every generated plan: the device, the model's parameter/gradient blocks, and one work arena sized
/// by the build-time memory plan (inputs, activations and backward temporaries; allocated once). Generated
/// subclasses bind the symbolic dims, check inputs, and launch their kernels in order.
/// </summary>
public abstract class Plan : IDisposable
{
    /// <param name="state">The model's parameter and gradient blocks.</param>
    /// <param name="layout">The model's parameter layout (the block's own: a submodule's is refused).</param>
    /// <param name="workFloats">The work arena's floats.</param>
    /// <param name="targetInts">The target buffer's ints.</param>
    /// <param name="boundFloats">The arena's last floats, where the bound slots (float inputs, a forward plan's output) live on
    /// ILGPU devices: the managed path reads and writes them in the caller's arrays (or the plan's own) and allocates the
    /// arena without them.</param>
    /// <param name="dims">The dims a plan is compiled for, by name (checked positive before anything is sized from them).</param>
    /// <param name="needs">What the method needs of them that only their values tell: a size (a named dim, or a product
    /// of them) that must be at least so much, and why (an index into it).</param>
    protected Plan(ModelState state, IReadOnlyList<ParameterInfo> layout, long workFloats, long targetInts, long boundFloats = 0,
        (string Name, int Value)[]? dims = null, (long Size, long AtLeast, string What)[]? needs = null)
    {
        // a plan compiled for given dims has its sizes computed from them: a dim that is not positive is named first
        foreach (var (name, value) in dims ?? []) CheckDim(name, value);
        // an index into a named dim past its end would read another tensor's memory: refused here, with the dims
        foreach (var (size, atLeast, what) in needs ?? [])
            if (size < atLeast)
                throw new ArgumentOutOfRangeException(nameof(dims), size,
                    $"{what} is out of range for the dims this plan is compiled for ({string.Join(", ", (dims ?? []).Select(d => $"{d.Name} = {d.Value}"))}): it needs a size of at least {atLeast}, and it is {size}.");
        // a submodule's instance (bound to its parent's block for eager calls) shares the block but not its layout
        if (!ReferenceEquals(layout, state.Layout))
            throw new InvalidOperationException("This model's parameters live in another model's block (it is a submodule bound for eager calls): compile the plans of the model that owns them.");
        // generated plans address the arena with int offsets, on every device, and step grid-stride loops by up to
        // Device.MaxLaunch: MaxElements keeps every index and every step below int.MaxValue
        if (workFloats > MaxElements || targetInts > MaxElements)
            throw new ArgumentOutOfRangeException(nameof(workFloats), Math.Max(workFloats, targetInts),
                $"The plan needs {Math.Max(workFloats, targetInts):N0} elements of working memory; a plan addresses at most {MaxElements:N0}: use smaller dims (batch size).");
        State = state;
        _device = state.Device;
        Work = Device.AllocatePinned<float>(state.Device.IsManaged ? workFloats - boundFloats : workFloats);
        Targets = Device.Allocate<int>(targetInts);
        _shift = Work.Host is { } host ? Kernels.HostCopy.AlignmentShift(host) : 0;
        _managed = _device.IsManaged;
        if (_managed) Kernels.CpuWorkers.EnsureStarted();   // the worker threads start with a managed plan, not in its first step
        (_p, _g, _w, _t) = (state.Parameters.Host ?? [], state.Gradients.Host ?? [], Work.Host ?? [], Targets.Host ?? []);
    }

    private readonly bool _managed;

    /// <summary>Whether the plan runs on the managed path (its launch sequence picks each library kernel's form by it).</summary>
    protected bool Managed => _managed;

    /// <summary>The managed path's arrays (empty on ILGPU devices): parameters, gradients, work arena, class targets.</summary>
    protected readonly float[] _p, _g, _w;
    /// <inheritdoc cref="_p"/>
    protected readonly int[] _t;

    // ---- library kernels: the launch sequence names an operand's place once, the plan gives each path its memory ----

    /// <summary>The work arena, as a library kernel's operand.</summary>
    protected static Kernels.Place Arena => Kernels.Place.Work;
    /// <summary>The parameter block, as a library kernel's operand.</summary>
    protected static Kernels.Place Params => Kernels.Place.Parameters;
    /// <summary>The gradient block, as a library kernel's operand.</summary>
    protected static Kernels.Place Grads => Kernels.Place.Gradients;
    /// <summary>The int target buffer (class indices), as a library kernel's operand.</summary>
    protected static Kernels.Place Ints => Kernels.Place.Targets;
    /// <summary>Bound slot <paramref name="index"/>, as a library kernel's operand.</summary>
    protected static Kernels.Place Slot(int index) => Kernels.Place.Slot(index);

    /// <summary>Whether library kernels take the managed path's arrays (else the device's views).</summary>
    internal bool IsManaged => _managed;

    /// <summary>The managed path's float array at a place.</summary>
    internal float[] Floats(Kernels.Place place) => place.Of switch
    {
        Kernels.Place.Kind.Work => _w,
        Kernels.Place.Kind.Parameters => _p,
        Kernels.Place.Kind.Gradients => _g,
        Kernels.Place.Kind.Slot => X[place.Index],
        _ => throw new ArgumentException("Class indices are ints.", nameof(place)),
    };

    /// <summary>The device's float view at a place (a bound slot lives in the work arena there).</summary>
    internal ArrayView<float> View(Kernels.Place place) => place.Of switch
    {
        Kernels.Place.Kind.Parameters => State.Parameters.View,
        Kernels.Place.Kind.Gradients => State.Gradients.View,
        Kernels.Place.Kind.Targets => throw new ArgumentException("Class indices are ints.", nameof(place)),
        _ => Work.View,
    };

    /// <summary>The int target buffer on the plan's path.</summary>
    internal int[] IntArray => _t;
    internal ArrayView<int> IntView => Targets.View;

    internal float[] P => _p;
    internal float[] G => _g;
    internal float[] W => _w;
    internal ArrayView<float> WorkView => Work.View;

    /// <summary>The first element of the arena on a 64-byte boundary (the managed arena is pinned; device memory is aligned).</summary>
    private readonly int _shift;

    /// <summary>
    /// A work slot's start moved up to the next 64-byte boundary: the memory plan leaves <c>MemoryPlan.Pad</c> floats after
    /// every slot for it, so vector loads of every stored tensor start on a cache line and none straddles two.
    /// </summary>
    protected int Align(long offset) => (int)(offset + ((_shift - offset) & 15));

    /// <summary>
    /// The most elements a plan's arena (or a model's parameter block) holds: int.MaxValue less the largest grid-stride
    /// step (<see cref="Device.MaxLaunch"/>), so an int index plus a step never wraps. The generator checks parameter
    /// blocks against the same number (KLN0007).
    /// </summary>
    public const int MaxElements = int.MaxValue - Device.MaxLaunch;

    private readonly Device _device;
    private bool _disposed;

    /// <summary>
    /// The device the plan runs on. Every entry point of a generated plan reads it before anything runs, so a disposed plan,
    /// or a plan whose device was disposed, fails here with ObjectDisposedException instead of touching freed memory.
    /// </summary>
    public Device Device
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _device.ThrowIfDisposed();
            return _device;
        }
    }
    public ModelState State { get; }
    /// <summary>The activation arena.</summary>
    protected DeviceBuffer<float> Work { get; }
    /// <summary>Class-index inputs.</summary>
    protected DeviceBuffer<int> Targets { get; }

    /// <summary>Where each input lives: name, offset in the arena (or target buffer), element count, int or float.</summary>
    protected IReadOnlyList<(string Name, long Offset, long Count, bool IsInt)> InputSlots => _inputSlots;

    private (string Name, long Offset, long Count, bool IsInt)[] _inputSlots = [];
    private int[][] _shapes = [];
    /// <summary>The inputs' shapes as the method declares them ("[N, 20]"), where a dim is named; null otherwise.</summary>
    private string[]? _declared;
    private (string Name, long Offset, long Count)[] _outputSlots = [], _inputGradSlots = [];
    private (long Offset, long Read, long Written, long Count)[] _bufferSlots = [];

    /// <summary>
    /// The generated constructor's description of the plan, once its offsets are bound: where each input lives, the
    /// shapes of the inputs and the (first) output, and where present a forward plan's single output (<paramref name="output"/>:
    /// its parameter name, bound slot or -1, arena offset, length and declared shape, which <see cref="Finish"/> reads), the
    /// named outputs of a tuple, the [Buffer] fields the method touches, the gradients of its [RequiresGrad] inputs, the
    /// inputs' shapes as declared where a dim is named, whether it is a [Loss] method's plan (<see cref="Replay()"/> then
    /// goes backward, and it has no output array), and the lengths of its bound slots (<paramref name="bound"/>, -1 where a
    /// slot lives in the arena; see <see cref="BindSlots"/>).
    /// </summary>
    protected void Describe((string Name, long Offset, long Count, bool IsInt)[] inputs, int[][] shapes,
        (string Name, int Slot, long Offset, long Count, string Shape)? output = null,
        (string Name, long Offset, long Count)[]? outputs = null, (long Offset, long Read, long Written, long Count)[]? buffers = null,
        (string Name, long Offset, long Count)[]? inputGrads = null, string[]? declared = null, bool loss = false, long[]? bound = null,
        float?[]? defaults = null, string[]? grads = null)
    {
        (_inputSlots, _shapes, _declared, _loss, _defaults) = (inputs, shapes, declared, loss, defaults);
        _gradParams = grads is null ? [] : Array.ConvertAll(grads, State.IndexOf);
        (_outputSlots, _bufferSlots, _inputGradSlots) = (outputs ?? [], buffers ?? [], inputGrads ?? []);
        if (output is { } single) _output = single;
        if (bound is not null) BindSlots(bound);
    }

    private Dictionary<string, object>? _staging;
    /// <summary>The parameters a backward run of this plan gives a gradient (indices into the model's layout).</summary>
    private int[] _gradParams = [];
    /// <summary>The defaults the method declares for its trailing float inputs (null: none), which <see cref="Call"/> takes
    /// where they are left out, as the generated entry points do.</summary>
    private float?[]? _defaults;

    private int SlotIndex(string name)
    {
        var slots = InputSlots;
        for (int i = 0; i < slots.Count; i++) if (slots[i].Name == name) return i; // indexed: no enumerator per batch
        return -1;
    }

    /// <summary>The shape input <paramref name="name"/> was compiled for.</summary>
    internal int[] InputShape(string name)
    {
        _ = Slot(name);   // an unknown name is reported as everywhere else
        return (int[])_shapes[SlotIndex(name)].Clone();
    }

    private (string Name, long Offset, long Count, bool IsInt) Slot(string name)
    {
        int index = SlotIndex(name);
        if (index < 0) throw new ArgumentException($"The plan has no input '{name}'. Inputs: {string.Join(", ", Array.ConvertAll([.. InputSlots], s => s.Name))}.", nameof(name));
        return InputSlots[index];
    }

    /// <summary>
    /// The memory the next staged run reads float input <paramref name="name"/> from: on the managed path the plan's
    /// own array for it (written in place, nothing is copied; the slot reads it from then on), on ILGPU devices page-locked host memory that the run
    /// uploads by DMA. Fill it, then call ForwardBackwardStaged (or RunStaged).
    /// </summary>
    public Span<float> StagedInput(string name)
    {
        var slot = Slot(name);
        if (slot.IsInt) throw new ArgumentException($"Input '{name}' holds class indices: use StagedTargets.", nameof(name));
        int index = SlotIndex(name);
        if (IsBound(index)) return X[index] = Own(index);
        return Work.Host is { } host ? host.AsSpan((int)slot.Offset, (int)slot.Count) : Staging<float>(slot).Span;
    }

    /// <summary>Whether input <paramref name="name"/> holds class indices (ints) rather than floats; an unknown name throws, listing the inputs.</summary>
    internal bool HoldsIndices(string name) => Slot(name).IsInt;

    /// <summary>The same for an int (class index) input.</summary>
    public Span<int> StagedTargets(string name)
    {
        var slot = Slot(name);
        if (!slot.IsInt) throw new ArgumentException($"Input '{name}' is a float tensor: use StagedInput.", nameof(name));
        return Targets.Host is { } host ? host.AsSpan((int)slot.Offset, (int)slot.Count) : Staging<int>(slot).Span;
    }

    private PageLockedArray1D<T> Staging<T>((string Name, long Offset, long Count, bool IsInt) slot) where T : unmanaged
    {
        _staging ??= new();
        if (!_staging.TryGetValue(slot.Name, out var array)) _staging[slot.Name] = array = Device.Accelerator!.AllocatePageLocked1D<T>(Math.Max(1, slot.Count));
        return (PageLockedArray1D<T>)array;
    }

    /// <summary>Moves staged inputs to the device (ILGPU) and checks staged targets; the generated staged runs call this.</summary>
    protected void UploadStaged()
    {
        // managed path: a staged run reads what StagedInput handed out, the plan's own arrays, whatever an array call bound since
        for (int i = 0; i < _bindable.Length && i < InputSlots.Count; i++)
            if (_bindable[i] >= 0) X[i] = Own(i);
        if (Device.IsManaged || _staging is null) return;
        foreach (var slot in InputSlots)
        {
            if (!_staging.TryGetValue(slot.Name, out var array)) continue;
            if (slot.IsInt) Targets.CopyFrom(((PageLockedArray1D<int>)array).Span.Slice(0, (int)slot.Count), slot.Offset);
            else Work.CopyFrom(((PageLockedArray1D<float>)array).Span.Slice(0, (int)slot.Count), slot.Offset);
        }
    }

    /// <summary>What the plan runs, as its inputs and output with the shapes it is compiled for, and where:
    /// <c>LossPlan(x [32, 8], y [32] ints) → [] on Managed CPU (…)</c>.</summary>
    public override string ToString()
    {
        static string Shape(int[] s) => "[" + string.Join(", ", s) + "]";
        var slots = InputSlots;
        if (_shapes.Length != slots.Count + 1) return GetType().Name;
        var inputs = new string[slots.Count];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = $"{slots[i].Name} {Shape(_shapes[i])}{(slots[i].IsInt ? " ints" : "")}";
        return $"{GetType().Name}({string.Join(", ", inputs)}) → {Shape(_shapes[^1])} on {Device.Name}";
    }

    /// <summary>The shapes of the inputs in declaration order, then of the (first) output, for the bound dims.</summary>
    protected int[][] Shapes => _shapes;

    /// <summary>
    /// Runs the plan on tensors, as calling the model's method: each input's shape is checked against the plan's
    /// (a float for a scalar input), and the (first) output comes back as a tensor of its shape: a loss plan's is the
    /// 0-d loss. Copies in and out; the array overloads of the generated entry points read and write the caller's
    /// arrays in place (managed path).
    /// </summary>
    public Tensor Call(params object[] inputs) => CallCore(inputs, backward: false);

    /// <summary>As <see cref="Call"/>, running backward too (loss plans): the gradients accumulate into the model's.</summary>
    public Tensor CallBackward(params object[] inputs) => CallCore(inputs, backward: true);

    private Tensor CallCore(object[] inputs, bool backward)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var slots = InputSlots;
        var shapes = Shapes;
        if (shapes.Length != slots.Count + 1) throw new NotSupportedException($"{GetType().Name} does not describe its shapes (a plan generated before Call existed): rebuild the model's project.");
        // trailing inputs left out take the method's defaults (model(x) for forward(self, x, t=1.0))
        if (inputs.Length < slots.Count && _defaults is { } defaults && defaults.Length == slots.Count && defaults[inputs.Length] is not null)
            inputs = [.. inputs, .. Array.ConvertAll(defaults[inputs.Length..], d => (object)d!.Value)];
        if (inputs.Length != slots.Count)
            throw new ArgumentException($"The plan takes {slots.Count} inputs ({string.Join(", ", Array.ConvertAll([.. slots], s => s.Name))}) but was given {inputs.Length}.", nameof(inputs));
        var arrays = new Array[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var (name, _, _, isInt) = slots[i];
            var expected = shapes[i];
            int[] actual;
            (arrays[i], actual) = inputs[i] switch
            {
                Tensor t when !isInt => ((Array)t.ToArray(), t.Shape.ToArray()),
                IntTensor k when isInt => (k.ToArray(), k.Shape.ToArray()),
                float f when !isInt && expected.Length == 0 => (new[] { f }, []),
                // a number of another type for a float, as PyTorch takes model(x, 2)
                double or int or long or short or byte or decimal when !isInt && expected.Length == 0 => (new[] { Convert.ToSingle(inputs[i], System.Globalization.CultureInfo.InvariantCulture) }, []),
                var other => throw new ArgumentException(
                    $"Input '{name}' must be {(isInt ? "an IntTensor of class indices" : expected.Length == 0 ? "a float or a 0-d Tensor" : "a Tensor")}, not {other?.GetType().Name ?? "null"}.", name),
            };
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                // a named dim is named, as the span entry points do: [N, 4] = [32, 4]
                string shape = $"[{string.Join(", ", expected)}]";
                if (_declared?[i] is { } declared && declared != shape) shape = $"{declared} = {shape}";
                throw new ArgumentException($"Input '{name}' must have shape {shape} but has [{string.Join(", ", actual)}].", name);
            }
        }
        var result = Invoke(arrays, backward);
        return Tensor.From(result, shapes[^1]);
    }

    /// <summary>Forward and backward on the inputs written through <see cref="StagedInput"/>/<see cref="StagedTargets"/> (nothing
    /// copied on the managed path); returns the loss. Loss plans only.</summary>
    public virtual float ForwardBackwardStaged() => throw new NotSupportedException("Only the plans of [Loss] methods run backward.");

    /// <summary>Bytes of the work arena and target buffer for the bound dims, and on the managed path of the plan's own arrays for its bound slots.</summary>
    public long WorkBytes => Work.Length * sizeof(float) + Targets.Length * sizeof(int) + OwnFloats * sizeof(float);

    private long OwnFloats { get { long n = 0; foreach (var a in _own) n += a?.LongLength ?? 0; return n; } }

    /// <summary>
    /// The untyped entry point, for tools and tests: inputs in declaration order (float[] or int[] per input).
    /// A loss plan returns [loss] (running backward too when asked); a forward plan returns its output.
    /// </summary>
    public abstract float[] Invoke(Array[] inputs, bool backward = false);

    /// <summary>Checks that <see cref="Invoke"/> was given the plan's number of inputs (a plan without inputs takes none).</summary>
    protected static void Arity(Array[] inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != count) throw new ArgumentException($"Expected {count} inputs but got {inputs.Length}.", nameof(inputs));
    }

    protected static T[] Arg<T>(Array[] inputs, int index, string name, int count)
    {
        Arity(inputs, count);
        return inputs[index] as T[] ?? throw new ArgumentException($"Input '{name}' must be a {typeof(T).Name}[] but is {inputs[index]?.GetType().Name ?? "null"}.", name);
    }

    protected static void CheckInput(string input, int actual, long expected, string shape, string hint = "")
    {
        if (actual != expected)
            throw new ArgumentException($"Input '{input}' must have shape {shape} ({expected} values) but has {actual} values{hint}.", input);
    }

    /// <summary>The destination of an output: its length must be the output's.</summary>
    protected static void CheckOutput(string output, int actual, long expected, string shape)
    {
        if (actual != expected)
            throw new ArgumentException($"Output '{output}' must have shape {shape} ({expected} values) but its destination holds {actual}.", output);
    }

    protected static void CheckTargets(string input, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if ((uint)t >= (uint)classes && t != ignoreIndex)
                throw new ArgumentOutOfRangeException(input, t, $"Target '{input}'[{i}] = {t} is out of bounds: class indices must be in [0, {classes})"
                    + (ignoreIndex == int.MinValue ? "." : $" or equal ignore_index {ignoreIndex}.")); // int.MinValue: a loss without ignore_index
        }
    }

    /// <summary>Lengths (CTC's input and target lengths): each in [0, <paramref name="max"/>], the size of the dim it measures.</summary>
    protected internal static void CheckLengthValues(string input, ReadOnlySpan<int> lengths, int max)
    {
        for (int i = 0; i < lengths.Length; i++)
            if ((uint)lengths[i] > (uint)max)
                throw new ArgumentOutOfRangeException(input, lengths[i], $"Length '{input}'[{i}] = {lengths[i]} is out of range: lengths must be in [0, {max}], the size of the dim they measure.");
    }

    /// <summary>Concatenated CTC targets: one length per sample, adding up to the targets' count (PyTorch checks it too).</summary>
    protected internal static void CheckLengthTotal(string input, ReadOnlySpan<int> lengths, string targets, int count)
    {
        long total = 0;
        foreach (int l in lengths) total += l;
        if (total != count)
            throw new ArgumentException($"'{input}' add up to {total}, but '{targets}' holds {count} targets: concatenated targets are the samples' targets one after another, so their lengths must add up to its length.", input);
    }

    /// <summary>Indices for Gather/IndexSelect: each in [0, size) of the dim they index.</summary>
    protected static void CheckIndices(string input, ReadOnlySpan<int> indices, int size)
    {
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)size)
                throw new ArgumentOutOfRangeException(input, indices[i], $"Index '{input}'[{i}] = {indices[i]} is out of bounds for a dim of size {size}: indices must be in [0, {size}).");
    }

    /// <summary>Returns a symbolic dim's value after checking it is positive (generated constructors call it before sizing the arena).</summary>
    protected static int CheckDim(string name, int value)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"Dimension '{name}' must be positive.");
        return value;
    }

    /// <summary>Runs a loss plan's kernels (backward too when asked) and returns the loss, read from <paramref name="offset"/>.</summary>
    protected float ExecuteLoss(bool backward, long offset)
    {
        Execute(backward);
        return ReadScalar(offset);
    }

    /// <summary>Reads one float of the work arena (the loss) back to the host.</summary>
    protected float ReadScalar(long offset)
    {
        if (Work.Host is { } host) return host[offset];
        Span<float> one = stackalloc float[1];
        Work.CopyTo(one, offset);
        return one[0];
    }

    private int _running;

    /// <summary>
    /// Claims the plan for one call (generated entry points wrap their whole body in it: inputs in, kernels, output out).
    /// A plan is single-threaded, as its arena holds one call's inputs and activations: a call that starts while another
    /// thread's call holds the plan throws instead of mixing the two. Plans of different models may run at once; several
    /// plans of one model share its gradient block, so training with them concurrently is the caller's to serialize.
    /// </summary>
    protected Claim Enter()
    {
        _ = Device; // disposed plan or device: ObjectDisposedException before anything else
        if (Interlocked.Exchange(ref _running, 1) != 0)
            throw new InvalidOperationException($"{GetType().Name} is in use by another thread: a plan is single-threaded; compile one plan per thread.");
        return new Claim(this);
    }

    /// <summary>Releases the plan at the end of a call.</summary>
    protected readonly struct Claim(Plan plan) : IDisposable
    {
        public void Dispose()
        {
            // an array the call did not bind (its checks failed) is not bound by a later call either
            Array.Clear(plan._offered);
            Volatile.Write(ref plan._running, 0);
        }
    }

    // ---- bound slots: the managed path reads float inputs (and writes a forward plan's output) where the caller keeps them ----

    /// <summary>
    /// On the managed path, the array each bound slot is in, by slot (the inputs in declaration order, then the output):
    /// the caller's own array when an array overload passed one (nothing copied), else the plan's own array that span
    /// inputs are copied into. Kernels read a bound slot from offset 0 of its array. Slots that are not bound (int
    /// and scalar inputs, every slot on ILGPU devices) live in the arena and have no entry.
    /// </summary>
    protected internal float[][] X = [];
    private long[] _bindable = [];
    private float[]?[] _own = [], _offered = [];

    /// <summary>The generated constructor's list of slot lengths (-1: in the arena), given to <see cref="Describe"/>; managed path only.</summary>
    private void BindSlots(long[] counts)
    {
        if (!Device.IsManaged) return;
        _bindable = counts;
        X = new float[counts.Length][];
        _own = new float[counts.Length][];
        _offered = new float[counts.Length][];
        // the plan's own array for each slot, for span inputs and staged runs: allocated here, not in a first step
        for (int i = 0; i < counts.Length; i++)
            if (counts[i] >= 0) Array.Clear(_own[i] = GC.AllocateArray<float>((int)counts[i], pinned: true));   // written once: its pages are mapped now
    }

    private bool IsBound(int slot) => slot >= 0 && slot < _bindable.Length && _bindable[slot] >= 0;

    private float[] Own(int slot) => _own[slot]!;

    private static bool Same(float[] array, ReadOnlySpan<float> span) =>
        array.Length == span.Length && Unsafe.AreSame(ref MemoryMarshal.GetArrayDataReference(array), ref MemoryMarshal.GetReference(span));

    /// <summary>An array overload's argument, offered before it calls its span overload: the slot binds it when the span given there is this array.</summary>
    protected void Offer(int slot, float[] array, [CallerArgumentExpression(nameof(array))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(array, name);
        if (IsBound(slot)) _offered[slot] = array;
    }

    /// <summary>Places float input <paramref name="slot"/>: binds the offered array it is, else copies it (into the plan's own array, or the arena at <paramref name="offset"/>).</summary>
    protected void Put(int slot, ReadOnlySpan<float> values, long offset)
    {
        if (!IsBound(slot)) { Work.CopyFrom(values, offset); return; }
        var offered = _offered[slot];
        _offered[slot] = null;
        if (offered is not null && Same(offered, values)) { X[slot] = offered; return; }
        var own = Own(slot);
        Kernels.HostCopy.Copy(values, own);
        X[slot] = own;
    }

    /// <summary>
    /// Checks every input's length against its shape, in declaration order (a scalar input passes 1), before the generated
    /// Load places any of them: a call that fails here has bound and copied nothing.
    /// </summary>
    protected void CheckLengths(ReadOnlySpan<int> lengths)
    {
        for (int i = 0; i < lengths.Length; i++)
            if (lengths[i] != _inputSlots[i].Count)
            {
                string shape = "[" + string.Join(", ", _shapes[i]) + "]";
                string declared = _declared is { } named ? named[i] : shape;
                CheckInput(_inputSlots[i].Name, lengths[i], _inputSlots[i].Count, declared != shape ? $"{declared} = {shape}" : shape, RowsHint(i, lengths[i]));
            }
    }

    /// <summary>
    /// Where an input's first dim is a named one (a batch) and the values given are whole rows of another count of them:
    /// that count and what to do (the plan is compiled for one size; a DataLoader's short last batch is the usual case).
    /// </summary>
    private string RowsHint(int input, int actual)
    {
        var dims = _shapes[input];
        string? first = _declared?[input].TrimStart('[').Split(',', ']')[0].Trim();
        if (dims.Length == 0 || dims[0] <= 0 || first is null || first.Length == 0 || !char.IsLetter(first[0])) return "";
        long row = _inputSlots[input].Count / dims[0];
        if (row <= 0 || actual % row != 0 || actual == 0) return "";
        long rows = actual / row;
        return $": {rows} {(rows == 1 ? "row" : "rows")}, where the plan is compiled for {first} = {dims[0]} (compile another for {first} = {rows}; a DataLoader's short last batch: pass its plan as lastPlan to Into, or dropLast: true)";
    }

    private (string Name, int Slot, long Offset, long Count, string Shape) _output;
    /// <summary>Whether this is a [Loss] method's plan (its run returns the loss and can go backward).</summary>
    private bool _loss;

    /// <summary>Elements of a forward plan's output (of its first output, for a tuple).</summary>
    public int OutputLength => _output.Name is not null ? (int)_output.Count
        : !_loss && _outputSlots.Length > 0 ? (int)_outputSlots[0].Count
        : throw new NotSupportedException("A loss plan returns its loss, not an output array.");

    /// <summary>Runs the kernels again on the inputs of the last call (benchmarks, repeated evaluation): a loss plan's
    /// forward and backward, a forward plan's forward.</summary>
    public void Replay() => Replay(_loss);

    /// <summary>Runs the kernels again on the inputs of the last call, going backward too when asked (loss plans).</summary>
    public void Replay(bool backward) { using (Enter()) Execute(backward); }

    /// <summary>The forward pass on the inputs written through <see cref="StagedInput"/>/<see cref="StagedTargets"/>, writing
    /// the output (a forward plan with one output; a tuple's plan has a RunStaged with a destination per output).</summary>
    public void RunStaged(Span<float> output)
    {
        if (_output.Name is null)
            throw new NotSupportedException(_loss ? "A loss plan runs staged inputs with ForwardBackwardStaged." : "This plan returns a tuple: give RunStaged a destination for each output.");
        using (Enter(output)) { PrepareStaged(); Finish(output); }
    }

    /// <summary>Before a staged run: checks what the generated plan checks of staged class indices, then places the staged inputs.</summary>
    protected virtual void PrepareStaged() => UploadStaged();

    /// <summary>Claims the plan for a forward run with one output and checks the output's destination, before any input is placed.</summary>
    protected Claim Enter(Span<float> output)
    {
        var claim = Enter();
        if (output.Length != _output.Count)
        {
            claim.Dispose(); // releases the plan and drops what an array overload offered
            // the declared shape with its bound dims where a dim is named, as an input's message says it: "[N] = [3]"
            string bound = _shapes.Length > 0 ? "[" + string.Join(", ", _shapes[^1]) + "]" : _output.Shape;
            CheckOutput(_output.Name, output.Length, _output.Count, bound == _output.Shape ? bound : $"{_output.Shape} = {bound}");
        }
        return claim;
    }

    /// <summary>
    /// The end of a forward run with one output, after its inputs are placed: runs the kernels and leaves the output in
    /// <paramref name="output"/> (written there in place when it is the offered array).
    /// </summary>
    protected void Finish(Span<float> output)
    {
        var (_, slot, offset, _, _) = _output;
        if (slot >= 0) PutOutput(slot, output);
        Execute(backward: false);
        if (slot >= 0) TakeOutput(slot, output, offset);
        else Work.CopyTo(output, offset);
    }

    /// <summary>Before the run: the output slot writes into the offered array it is (unless an input of this call is that array), else into the plan's own.</summary>
    protected void PutOutput(int slot, Span<float> output)
    {
        if (!IsBound(slot)) return;
        var offered = _offered[slot];
        _offered[slot] = null;
        bool usable = offered is not null && Same(offered, output);
        for (int i = 0; i < slot && usable; i++) usable = !ReferenceEquals(X[i], offered);
        X[slot] = usable ? offered! : Own(slot);
    }

    /// <summary>After the run: copies the output unless it was written in place (from the arena at <paramref name="offset"/> where the slot is not bound).</summary>
    protected void TakeOutput(int slot, Span<float> output, long offset)
    {
        if (!IsBound(slot)) { Work.CopyTo(output, offset); return; }
        if (!Same(X[slot], output)) Kernels.HostCopy.Copy<float>(X[slot], output);
    }

    /// <summary>Runs the generated launch sequence on the plan's path.</summary>
    protected void Execute(bool backward)
    {
        // a run before any input was given (Replay, a staged run that staged nothing) reads the plan's own arrays
        for (int i = 0; i < _bindable.Length; i++)
            if (_bindable[i] >= 0 && X[i] is null) X[i] = Own(i);
        _gradientsCurrent = _outputsCurrent = false;
        _drew = false;
        // indexed loops over the array: no enumerator per run
        var buffers = _bufferSlots;
        if (buffers.Length > 0) State.AdoptBufferFields();
        for (int i = 0; i < buffers.Length; i++)
            if (buffers[i].Read >= 0) Work.CopyFrom(State.Buffers, buffers[i].Offset, buffers[i].Read, buffers[i].Count);
        RunKernels(backward);
        if (!_managed) _device.Synchronize();
        // which parameters now hold a gradient: the optimizers skip the others (PyTorch's grad None)
        if (backward && _loss) State.MarkGradients(_gradParams);
        // a buffer's new value is kept by training-mode runs only (as BatchNorm's running statistics)
        if (State.Training)
            for (int i = 0; i < buffers.Length; i++)
                if (buffers[i].Written >= 0) State.Buffers.CopyFrom(Work, buffers[i].Written, buffers[i].Offset, buffers[i].Count);
        _gradientsCurrent = backward;
        _outputsCurrent = true;
    }

    /// <summary>
    /// The [Buffer] fields the method reads or assigns: the buffer's offset in the model's buffer block, where the run
    /// reads it in the arena (-1: not read) and where its new value is (-1: not assigned), and its length.
    /// </summary>
    protected IReadOnlyList<(long Offset, long Read, long Written, long Count)> BufferSlots => _bufferSlots;

    private bool _gradientsCurrent, _outputsCurrent;

    private bool _drew;
    private Kernels.RandomDraw _draw;

    /// <summary>
    /// The seed, ticket and mode the random ops of this run draw with: the first call of a run takes the model's next
    /// ticket, later ones (other draw sites of the same run) share it. Runs without random ops take none, and neither
    /// does a dropout site (<paramref name="followsMode"/>) in eval mode, whose mask is all ones: as PyTorch's
    /// nn.Dropout in eval, it draws nothing, so a validation pass leaves the draws of the training runs after it as
    /// they would have been without it.
    /// </summary>
    protected Kernels.RandomDraw Draw(bool followsMode = false)
    {
        if (followsMode && !State.Training && !_drew) return new Kernels.RandomDraw(State.Random.Seed, 0, Training: false);
        if (!_drew) (_draw, _drew) = (new Kernels.RandomDraw(State.Random.Seed, State.Random.Take(), State.Training), true);
        return _draw;
    }

    /// <summary>The names <see cref="Output(string)"/> takes: the elements of the method's returned tuple (none for a single tensor).</summary>
    public IReadOnlyList<string> OutputNames => Array.ConvertAll([.. OutputSlots], s => s.Name);

    /// <summary>The inputs marked [RequiresGrad], whose gradients <see cref="InputGrad(string)"/> reads.</summary>
    public IReadOnlyList<string> InputGradNames => Array.ConvertAll([.. InputGradSlots], s => s.Name);

    /// <summary>The outputs of a method returning a tuple, by name (generated plans of such methods override it).</summary>
    protected IReadOnlyList<(string Name, long Offset, long Count)> OutputSlots => _outputSlots;

    /// <summary>
    /// An output of the last run by its name in the method's returned tuple (<c>(Tensor loss, Tensor logits)</c>): the
    /// logits for accuracy after ForwardBackward, with no second forward pass. The values are row-major.
    /// </summary>
    public float[] Output(string name) => Read(OutputSlot(name), Output);

    /// <summary>Writes the output <paramref name="name"/> of the last run into <paramref name="destination"/> (exactly its length).</summary>
    public void Output(string name, Span<float> destination) => CopyOut(OutputSlot(name), destination, _outputsCurrent, gradient: false);

    private (string Name, long Offset, long Count) OutputSlot(string name) =>
        Find(OutputSlots, name) ?? throw Missing(OutputSlots, name, $"The plan has no output '{name}'", "return a tuple naming it");

    /// <summary>The [RequiresGrad] inputs' gradients in the work arena: name, offset, count (generated plans of such losses override it).</summary>
    protected IReadOnlyList<(string Name, long Offset, long Count)> InputGradSlots => _inputGradSlots;

    /// <summary>
    /// d loss / d input for an input marked [RequiresGrad], from the last ForwardBackward, as torch.autograd.grad returns it
    /// (written afresh by each ForwardBackward, never accumulated). The shape is the input's; the values are row-major.
    /// </summary>
    public float[] InputGrad(string name) => Read(GradSlot(name), InputGrad);

    /// <summary>Writes d loss / d <paramref name="name"/> into <paramref name="destination"/> (exactly the input's length).</summary>
    public void InputGrad(string name, Span<float> destination) => CopyOut(GradSlot(name), destination, _gradientsCurrent, gradient: true);

    private (string Name, long Offset, long Count) GradSlot(string name) =>
        Find(InputGradSlots, name) ?? throw Missing(InputGradSlots, name, $"The plan has no gradient for '{name}'", IsParameter(name)
            // a parameter's name (a new user asked for w's this way) is answered with where its gradient is
            ? $"'{name}' is a parameter: its gradient is in the model's block, model.Parameters.Grad(\"{name}\")"
            : "mark the input [RequiresGrad]");

    private bool IsParameter(string name)
    {
        foreach (var p in State.Layout) if (p.Name == name) return true;
        return false;
    }

    private delegate void ReadInto(string name, Span<float> destination);

    private static float[] Read((string Name, long Offset, long Count) slot, ReadInto read)
    {
        var result = new float[slot.Count];
        read(slot.Name, result);
        return result;
    }

    /// <summary>Copies a slot of the arena to the caller, after checking the length and that the last run wrote it (the
    /// messages are made only when thrown: a step reading an output or a gradient allocates nothing).</summary>
    private void CopyOut((string Name, long Offset, long Count) slot, Span<float> destination, bool written, bool gradient)
    {
        if (destination.Length != slot.Count)
            throw new ArgumentException($"{(gradient ? $"The gradient of '{slot.Name}'" : $"Output '{slot.Name}'")} has {slot.Count} values; the destination holds {destination.Length}.", nameof(destination));
        using (Enter())
        {
            if (!written)
                throw new InvalidOperationException(gradient ? $"No gradient of '{slot.Name}' to read: call ForwardBackward first (Forward computes no gradients)."
                    : $"No output '{slot.Name}' to read: run the plan first.");
            Work.CopyTo(destination, slot.Offset);
        }
    }

    private static (string Name, long Offset, long Count)? Find(IReadOnlyList<(string Name, long Offset, long Count)> slots, string name)
    {
        for (int i = 0; i < slots.Count; i++)   // by index: a foreach over the interface would box its enumerator
            if (slots[i].Name == name) return slots[i];
        return null;
    }

    private static ArgumentException Missing(IReadOnlyList<(string Name, long Offset, long Count)> slots, string name, string missing, string remedy)
    {
        var names = slots.Count == 0 ? "it has none" : "it has " + string.Join(", ", Array.ConvertAll([.. slots], s => s.Name));
        return new ArgumentException($"{missing} ({names}): {remedy}.", nameof(name));
    }

    /// <summary>The generated launch sequence (both paths: fused kernels pick theirs, library kernels by <see cref="Managed"/>).</summary>
    protected abstract void RunKernels(bool backward);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_staging is not null) foreach (var a in _staging.Values) ((IDisposable)a).Dispose();
        Work.Dispose();
        Targets.Dispose();
    }
}

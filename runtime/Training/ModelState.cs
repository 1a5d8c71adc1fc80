using System;
using System.Collections.Generic;
using System.Linq;
using ILGPU.Runtime;
using Kiln.Kernels;

namespace Kiln;

/// <summary>One parameter of a model's layout: its slice of the parameter (and gradient) block.</summary>
/// <param name="Name">Dotted path, e.g. "fc1.weight".</param>
/// <param name="Shape">Dims.</param>
/// <param name="Offset">First element in the block.</param>
/// <param name="FanIn">Fan-in used by the default init.</param>
/// <param name="Init">How it is initialised.</param>
public sealed record ParameterInfo(string Name, int[] Shape, int Offset, int FanIn, Init Init)
{
    public int Count => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// A model's parameters in one contiguous block and its gradients in another of the same layout (as llm.c):
/// zero-grad is one clear, an optimizer step one pass. Backward accumulates into <see cref="Gradients"/>.
/// </summary>
public sealed class ModelState : IDisposable
{
    private readonly Dictionary<string, ParameterInfo> _byName;

    public ModelState(Device device, IReadOnlyList<ParameterInfo> layout, int seed) : this(device, layout, seed, []) { }

    /// <param name="device">Where the blocks live.</param>
    /// <param name="layout">The parameters.</param>
    /// <param name="seed">Seeds the parameters' init and the random generator.</param>
    /// <param name="buffers">The [Buffer] fields: non-trainable state in a block of its own.</param>
    public ModelState(Device device, IReadOnlyList<ParameterInfo> layout, int seed, IReadOnlyList<ParameterInfo> buffers)
    {
        _clearChunk = ClearChunk;
        Device = device;
        Layout = layout;
        BufferLayout = buffers;
        _byName = layout.ToDictionary(p => p.Name);
        _indexOf = layout.Select((p, i) => (p.Name, i)).ToDictionary(t => t.Name, t => t.i);
        (_gradRun, _clearRun) = (new long[layout.Count], new long[layout.Count]);
        _buffersByName = buffers.ToDictionary(p => p.Name);
        Count = layout.Count == 0 ? 0 : layout.Max(p => p.Offset + p.Count);
        Parameters = device.Allocate<float>(Count);
        Gradients = device.Allocate<float>(Count);
        Buffers = device.Allocate<float>(buffers.Count == 0 ? 0 : buffers.Max(p => p.Offset + p.Count));
        Random = new RandomState((ulong)seed);
        Initialize(seed);
        ResetBuffers();
    }

    private readonly Dictionary<string, ParameterInfo> _buffersByName;

    /// <summary>The [Buffer] fields (dotted paths, as the parameters'), in their block.</summary>
    public IReadOnlyList<ParameterInfo> BufferLayout { get; }

    /// <summary>Non-trainable state: read by the methods, written back by training-mode runs, never touched by optimizers.</summary>
    public DeviceBuffer<float> Buffers { get; }

    /// <summary>Sets every buffer to its starting value (zeros, or ones with Init.Ones).</summary>
    public void ResetBuffers()
    {
        AdoptBufferFields();
        var host = new float[Buffers.Length];
        foreach (var b in BufferLayout)
            if (b.Init == Init.Ones) host.AsSpan(b.Offset, b.Count).Fill(1f);
        Buffers.CopyFrom(host);
    }

    private ParameterInfo BufferInfo(string name) => _buffersByName.TryGetValue(name, out var b) ? b
        : throw new KeyNotFoundException($"The model has no buffer '{name}'. Buffers: {(_buffersByName.Count == 0 ? "none" : string.Join(", ", _buffersByName.Keys))}.");

    /// <summary>A copy of one buffer's values (row-major).</summary>
    public float[] Buffer(string name)
    {
        AdoptBufferFields();
        var b = BufferInfo(name);
        var result = new float[b.Count];
        Buffers.CopyTo(result, b.Offset);
        return result;
    }

    public void SetBuffer(string name, ReadOnlySpan<float> values)
    {
        var b = BufferInfo(name);
        if (values.Length != b.Count)
            throw new ArgumentException($"Buffer '{name}' has shape [{string.Join(", ", b.Shape)}] ({b.Count} values) but {values.Length} were given.", nameof(values));
        AdoptBufferFields();
        Buffers.CopyFrom(values, b.Offset);
    }

    // A [Buffer] field views the block (BufferTensor). A method called eagerly that assigns the field
    // (running = 0.9f * running + …) leaves it holding a tensor of its own: the model instances register here how to
    // hand such values back, and every reader and writer of the block (a plan's run, Buffer, SetBuffer, ResetBuffers,
    // checkpoints) first takes them in, so the block, the plans and the fields agree.
    private readonly Dictionary<string, Tensor> _bufferViews = new();
    private readonly Dictionary<Tensor, string> _viewNames = new(ReferenceEqualityComparer.Instance);
    private Action? _bufferFields;

    /// <summary>
    /// Called by a model's generated constructor: <paramref name="adopt"/> hands each [Buffer] field that an eager call
    /// assigned back to the block through <see cref="AdoptBuffer"/>.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public void TrackBufferFields(Action adopt) => _bufferFields += adopt;

    /// <summary>
    /// [Buffer] field <paramref name="prefix"/> + <paramref name="name"/> after eager calls: when a call assigned the
    /// field a new tensor, that value is written into the block in training mode (as a plan's run in training mode keeps
    /// it; in eval mode it is dropped, as there), and the field views the block again. Generated code calls this for each
    /// buffer field; a field that still views its buffer costs a lookup, no allocation.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public Tensor AdoptBuffer(string prefix, string name, Tensor? field)
    {
        if (field is not null && _viewNames.TryGetValue(field, out var viewed) && viewed.Length == prefix.Length + name.Length
            && viewed.StartsWith(prefix, StringComparison.Ordinal) && viewed.EndsWith(name, StringComparison.Ordinal))
            return field;
        string path = prefix + name;
        var view = BufferTensor(path);
        if (field is null || ReferenceEquals(field, view)) return view;
        var b = BufferInfo(path);
        if (Training)
        {
            var values = field.ToArray();
            if (values.Length != b.Count)
                throw new InvalidOperationException($"Buffer '{path}' has shape [{string.Join(", ", b.Shape)}] ({b.Count} values), but a method called eagerly assigned it a tensor of shape [{string.Join(", ", field.Layout.Shape)}].");
            Buffers.CopyFrom(values, b.Offset);
        }
        return view;
    }

    /// <summary>Takes in the [Buffer] fields that eager calls assigned (<see cref="AdoptBuffer"/>).</summary>
    internal void AdoptBufferFields() => _bufferFields?.Invoke();

    /// <summary>The generator of the random ops in the model's methods (Rand, Randn, Dropout …), seeded with the model's seed.</summary>
    public RandomState Random { get; }

    /// <summary>
    /// Training mode (the default, as a new nn.Module): Dropout drops. In eval mode it passes its input unchanged.
    /// Every plan of the model reads it at each run.
    /// </summary>
    public bool Training
    {
        get => _training;
        set
        {
            // a buffer an eager call assigned is kept or dropped by the mode it was assigned in
            AdoptBufferFields();
            _training = value;
        }
    }

    private bool _training = true;

    /// <summary>Training mode on (or off with false), as nn.Module.train(mode).</summary>
    public void Train(bool mode = true) => Training = mode;

    /// <summary>Eval mode, as nn.Module.eval(): Dropout is the identity.</summary>
    public void Eval() => Training = false;

    /// <summary>
    /// Dropout in a model's method called eagerly, as its plans run it: <see cref="Ops.Dropout"/> in training mode, the
    /// input itself in eval mode (PyTorch's nn.Dropout). The generated part of a model that calls Dropout routes its
    /// calls here; the op outside a model (on tensors of one's own) drops always, as F.dropout's default.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public Tensor Dropout(Tensor input, float p)
    {
        RandomGenerator.CheckDropout(p);
        return Training ? RandomGenerator.Default.Dropout(input, p) : input;
    }

    public Device Device { get; }
    public IReadOnlyList<ParameterInfo> Layout { get; }
    /// <summary>Total number of parameters.</summary>
    public long Count { get; }
    public DeviceBuffer<float> Parameters { get; }
    public DeviceBuffer<float> Gradients { get; }

    /// <summary>Re-draws every parameter as PyTorch's nn.Linear does, U(-1/√fan_in, 1/√fan_in) (or as its Init says: zeros,
    /// ones, N(0, 1) as nn.Embedding), with a seeded generator.</summary>
    public void Initialize(int seed)
    {
        var rng = new SeededRandom((ulong)seed);
        var host = new float[Count];
        foreach (var p in Layout)
        {
            var slice = host.AsSpan(p.Offset, p.Count);
            switch (p.Init)
            {
                case Init.Zeros: slice.Clear(); break;
                case Init.Ones: slice.Fill(1f); break;
                case Init.Normal: for (int i = 0; i < slice.Length; i++) slice[i] = rng.Normal(); break;
                default:
                    float bound = p.FanIn > 0 ? 1f / MathF.Sqrt(p.FanIn) : 0f;
                    for (int i = 0; i < slice.Length; i++) slice[i] = rng.Uniform(-bound, bound);
                    break;
            }
        }
        Parameters.CopyFrom(host);
        Gradients.Clear();
    }

    /// <summary>Where parameter <paramref name="name"/> is in the block, with its shape.</summary>
    public ParameterInfo Info(string name) => _byName.TryGetValue(name, out var p) ? p
        : throw new KeyNotFoundException($"The model has no parameter '{name}'. Parameters: {string.Join(", ", _byName.Keys)}.");

    /// <summary>
    /// A parameter as a tensor, as model.linear1.weight in PyTorch: a view of its current values (on the managed CPU
    /// device the block itself, so it follows the optimizer's steps; on a GPU a copy read when the tensor is used).
    /// </summary>
    public Tensor this[string name] => Tensor(name);

    /// <summary>The same as the indexer: parameter <paramref name="name"/> as a tensor viewing its values.</summary>
    public Tensor Tensor(string name) => View(Parameters, Info(name));

    /// <summary>A parameter's accumulated gradient as a tensor (param.grad), a view as <see cref="Tensor(string)"/>.</summary>
    public Tensor Gradient(string name) => View(Gradients, Info(name));

    /// <summary>A [Buffer] as a tensor viewing its values (the same tensor at every call).</summary>
    public Tensor BufferTensor(string name)
    {
        if (!_bufferViews.TryGetValue(name, out var view))
        {
            _bufferViews[name] = view = View(Buffers, BufferInfo(name));
            _viewNames[view] = name;
        }
        return view;
    }

    /// <summary>Every parameter by name, as named_parameters().</summary>
    public IEnumerable<(string Name, Tensor Value)> Named() => Layout.Select(p => (p.Name, View(Parameters, p)));

    private static Tensor View(DeviceBuffer<float> block, ParameterInfo p)
    {
        var layout = new Layout(p.Offset, (int[])p.Shape.Clone(), Kiln.Layout.RowMajor(p.Shape));
        if (block.Host is { } host) return new Tensor(host, layout);
        return new Tensor(() =>
        {
            var copy = new float[block.Length];
            block.CopyTo(copy);
            return copy;
        }, layout);
    }

    /// <summary>
    /// The names of a submodule's parameters (<c>Under("g")</c>: "g.map1.weight", …), for an optimizer over that part of
    /// the model, as <c>optim.Adam(model.G.parameters())</c>. A parameter's own name gives that parameter (<c>Under("emb")</c>
    /// for a <c>[Param]</c> embedding table, as <c>model.emb.parameters()</c> of an nn.Embedding).
    /// </summary>
    public IReadOnlyList<string> Under(string submodule)
    {
        ArgumentNullException.ThrowIfNull(submodule);
        var names = Layout.Where(p => p.Name == submodule || p.Name.StartsWith(submodule + ".", StringComparison.Ordinal)).Select(p => p.Name).ToList();
        if (names.Count == 0)
            throw new KeyNotFoundException($"The model has no submodule or parameter '{submodule}'. Parameters: {string.Join(", ", _byName.Keys)}.");
        return names;
    }

    /// <summary>A copy of one parameter's values (row-major).</summary>
    public float[] Get(string name)
    {
        var p = Info(name);
        var result = new float[p.Count];
        Parameters.CopyTo(result, p.Offset);
        return result;
    }

    /// <summary>A copy of one parameter's accumulated gradient.</summary>
    public float[] Grad(string name)
    {
        var p = Info(name);
        var result = new float[p.Count];
        Gradients.CopyTo(result, p.Offset);
        return result;
    }

    public void Set(string name, ReadOnlySpan<float> values)
    {
        var p = Info(name);
        if (values.Length != p.Count)
            throw new ArgumentException($"Parameter '{name}' has shape [{string.Join(", ", p.Shape)}] ({p.Count} values) but {values.Length} were given.", nameof(values));
        Parameters.CopyFrom(values, p.Offset);
    }

    /// <summary>Clears every gradient (PyTorch's zero_grad).</summary>
    public void ZeroGrad() => ClearGradients(0, Count);

    /// <summary>
    /// Clears the gradients [<paramref name="offset"/>, + <paramref name="count"/>) and their row marks. On the managed
    /// path every core clears a part, in the chunks an optimizer's step takes the same range in, rather than one core
    /// pulling every line into its cache: where the host puts the VM's cores on two L3s, each line the other core then
    /// takes costs ~300 ns (one core clearing an MLP's 800 KB took 80 µs of a 1.5 ms step there).
    /// </summary>
    public void ClearGradients(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Clearing gradients [{offset}, {offset + count}) overruns a block of {Count}.");
        if (Gradients.Host is null) Gradients.View.SubView(offset, count).MemSetToZero();
        else
            lock (_clearGate)   // two optimizers of one model may clear from two threads
            {
                _clearStart = (int)offset;
                CpuWorkers.For(count, 1 << 15, _clearChunk);
            }
        ClearRowMarks(offset, count);
        for (int i = 0; i < Layout.Count; i++)
            if (Layout[i].Offset >= offset && Layout[i].Offset + Layout[i].Count <= offset + count) _clearRun[i] = _backwardRuns;
    }

    // ---- which parameters hold a gradient (PyTorch's grad is not None) ----

    private readonly Dictionary<string, int> _indexOf;
    private long _backwardRuns;
    /// <summary>Per parameter: the backward run that last gave it a gradient, and <see cref="_backwardRuns"/> when its
    /// gradient was last cleared (0 and 0 until then).</summary>
    private readonly long[] _gradRun, _clearRun;

    /// <summary>The index of parameter <paramref name="name"/> in <see cref="Layout"/>.</summary>
    internal int IndexOf(string name) => _indexOf.TryGetValue(name, out int i) ? i : throw new KeyNotFoundException($"The model has no parameter '{name}'. Parameters: {string.Join(", ", _byName.Keys)}.");

    /// <summary>Records a plan's backward run, which gives the parameters at <paramref name="parameters"/> (indices into
    /// <see cref="Layout"/>) a gradient: its others (Frozen, or reached only through Detach) get none.</summary>
    internal void MarkGradients(int[] parameters)
    {
        _backwardRuns++;
        foreach (int i in parameters) _gradRun[i] = _backwardRuns;
    }

    /// <summary>
    /// Whether parameter <paramref name="index"/> has no gradient, PyTorch's <c>p.grad is None</c>: a plan went backward
    /// since its gradient was last cleared and none of those runs reached it (Frozen there, behind Detach, or not used).
    /// Optimizers skip such a parameter, as PyTorch's do: no momentum, moments or weight decay move it. Gradients written
    /// without a plan's backward pass since the last clear count as present.
    /// </summary>
    public bool HasNoGradient(int index) => _backwardRuns > _clearRun[index] && _gradRun[index] <= _clearRun[index];

    private readonly object _clearGate = new();
    private int _clearStart;
    /// <summary>One chunk of <see cref="ClearGradients"/>, made with the state (the first zero_grad allocates nothing).</summary>
    private readonly Action<long, long> _clearChunk;
    private void ClearChunk(long from, long to) => Array.Clear(Gradients.Host!, _clearStart + (int)from, (int)(to - from));

    // ---- rows read by index: what SparseAdam updates (PyTorch's sparse gradient of an embedding) ----

    private readonly Dictionary<int, bool[]> _rowMarks = new();
    private readonly HashSet<int> _marked = new();

    /// <summary>
    /// Records that a backward pass read these rows (along the first dim) of a parameter by index, as an embedding
    /// lookup does: their gradient is part of a sparse gradient even where it happens to be 0. Generated plans call this
    /// for IndexSelect on a parameter; SparseAdam updates exactly the marked rows. Cleared with the gradients.
    /// </summary>
    public void MarkRows(string parameter, ReadOnlySpan<int> rows)
    {
        var p = Info(parameter);
        int count = p.Shape.Length == 0 ? 1 : p.Shape[0];
        var marks = TrackRows(p);
        foreach (var r in rows)
        {
            if ((uint)r >= (uint)count) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} of parameter '{parameter}', which has {count} rows.");
            marks[r] = true;
        }
        _marked.Add(p.Offset);
    }

    /// <summary>
    /// Makes the marks of a parameter that backward passes read by index (a generated plan's constructor calls this for its
    /// embeddings), so that marking its rows in a training step allocates nothing, the first step included.
    /// </summary>
    public void TrackRows(string parameter) => TrackRows(Info(parameter));

    private bool[] TrackRows(ParameterInfo p)
    {
        if (_rowMarks.TryGetValue(p.Offset, out var marks)) return marks;
        _rowMarks[p.Offset] = marks = new bool[p.Shape.Length == 0 ? 1 : p.Shape[0]];
        _marked.EnsureCapacity(_rowMarks.Count);   // the set of marked parameters never grows in a step
        return marks;
    }

    /// <summary>The rows marked since the last clear of the parameter at <paramref name="offset"/>, or null when none were.</summary>
    internal bool[]? MarkedRows(int offset) => _marked.Contains(offset) ? _rowMarks[offset] : null;

    /// <summary>Forgets the marks of parameters starting in [offset, offset + count) (an optimizer's zero_grad of its ranges).</summary>
    internal void ClearRowMarks(long offset, long count)
    {
        if (_marked.Count == 0) return;
        foreach (var (start, marks) in _rowMarks)
            if (start >= offset && start < offset + count && _marked.Remove(start)) Array.Clear(marks);
    }

    public void Dispose()
    {
        Parameters.Dispose();
        Gradients.Dispose();
        Buffers.Dispose();
    }
}

/// <summary>
/// A model's random generator, as torch.Generator: a seed and the number of runs that have drawn from it. Each plan run
/// that draws takes the next ticket, and every value it draws is a function of (seed, ticket, draw site, element)
/// (<see cref="Kernels.RandomOp"/>), so the same seed gives the same numbers on every device, and restoring
/// (seed, offset) from a checkpoint continues a run bit for bit.
/// </summary>
public sealed class RandomState(ulong seed)
{
    public ulong Seed { get; private set; } = seed;

    /// <summary>How many runs have drawn: the ticket of the next one.</summary>
    public ulong Offset { get; set; }

    /// <summary>Reseeds and starts again from the first ticket (torch.manual_seed).</summary>
    public void ManualSeed(ulong seed) => (Seed, Offset) = (seed, 0);

    /// <summary>Restores a saved state.</summary>
    public void Restore(ulong seed, ulong offset) => (Seed, Offset) = (seed, offset);

    /// <summary>The ticket of a run that draws.</summary>
    internal ulong Take() => Offset++;

    public override string ToString() => $"RandomState(seed: {Seed}, offset: {Offset})";
}

/// <summary>A small seeded generator (SplitMix64): reproducible parameter init and shuffling.</summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed ^ 0x9E3779B97F4A7C15UL;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    public float Uniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>Standard normal (Box–Muller).</summary>
    public float Normal()
    {
        double u1 = 1.0 - (NextUInt64() >> 11) * (1.0 / (1UL << 53)), u2 = (NextUInt64() >> 11) * (1.0 / (1UL << 53));
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    public int NextInt(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);
}

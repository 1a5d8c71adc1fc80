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
/// torch.optim.SparseAdam for embedding-style parameters: only the rows a step's gradient touched update their moments
/// and values. The touched rows are the ones a backward pass read by index (IndexSelect on the parameter marks them:
/// nn.Embedding(sparse=True)'s sparse gradient), or, for a parameter no lookup read, the rows with a non-zero gradient;
/// untouched rows keep theirs, undecayed. p -= lr·√(1-β₂ᵗ)/(1-β₁ᵗ) · m/(√v + eps). One pass per parameter, one
/// thread (or loop iteration) per row, on every backend. No weight decay, as in PyTorch.
/// </summary>
public sealed class SparseAdam : IOptimizer
{
    private readonly ModelState _state;
    private readonly DeviceBuffer<float> _m, _v;
    private readonly List<ParamGroup<AdamOptions>> _groups = new();
    private readonly Dictionary<ParamGroup, (int Offset, int Rows, int RowLength)[]> _rows = new();
    private readonly Action<long, long> _chunk;
    private Args _args;
    private bool[]? _marks;
    private DeviceBuffer<int>? _deviceMarks;
    private int[]? _hostMarks;

    public SparseAdam(ModelState parameters, AdamOptions? options = null, IEnumerable<string>? names = null)
    {
        _state = parameters;
        _m = parameters.Device.AllocateStaggered<float>(parameters.Count, 0);
        _v = parameters.Device.AllocateStaggered<float>(parameters.Count, 1);
        _m.Clear(); _v.Clear();
        _chunk = Chunk;
        AddParamGroup(names ?? parameters.Layout.Select(p => p.Name), options ?? new AdamOptions());
    }

    public ModelState State => _state;
    public IReadOnlyList<ParamGroup<AdamOptions>> ParamGroups => _groups;
    IReadOnlyList<ParamGroup> IOptimizer.Groups => _groups;
    Type IOptimizer.OptionsType => typeof(AdamOptions);

    /// <summary>Adds parameters with their own options; a parameter belongs to one group only.</summary>
    public ParamGroup<AdamOptions> AddParamGroup(IEnumerable<string> names, AdamOptions options)
    {
        Validate(options);
        var group = ParamGroup<AdamOptions>.Create(_state, names, options, _groups);
        _groups.Add(group);
        _rows[group] = group.Names.Select(n => _state.Info(n))
            .Select(p => (p.Offset, p.Shape.Length == 0 ? 1 : p.Shape[0], p.Shape.Length <= 1 ? 1 : p.Count / p.Shape[0])).ToArray();
        return group;
    }

    private static void Validate(AdamOptions options)
    {
        OptimizerChecks.AtLeastZero(options.Lr, "learning rate");
        OptimizerChecks.AtLeastZero(options.Eps, "epsilon value");
        OptimizerChecks.Betas(options.Beta1, options.Beta2);
        if (options.WeightDecay != 0) throw new ArgumentException("SparseAdam has no weight_decay (as in PyTorch).", nameof(options));
        if (options.Amsgrad) throw new ArgumentException("SparseAdam has no amsgrad (as in PyTorch).", nameof(options));
    }

    public void ZeroGrad()
    {
        foreach (var group in _groups)
            foreach (var (offset, count) in group.Ranges) _state.ClearGradients(offset, count);
    }

    /// <inheritdoc/>
    public float Step(Func<float> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        float loss = closure();
        Step();
        return loss;
    }

    public struct Args
    {
        public int Offset, RowLength, Rows, HasMarks;
        // 1 - β computed in double, then rounded (as PyTorch's Python float): 1 - 0.999f in float would be 0.0010000467
        public float StepSize, OneMinusBeta1, OneMinusBeta2, Eps, Sign;
    }

    public void Step()
    {
        foreach (var group in _groups) Step(group);
    }

    private void Step(ParamGroup<AdamOptions> group)
    {
        long step = ++group.Current.Step;   // its parameters step together (touched rows, else none changes)
        var o = group.Options;
        double bc1 = 1 - Math.Pow(o.Beta1, step), bc2 = 1 - Math.Pow(o.Beta2, step);
        // each parameter as rows along its first dim: (offset, rows, row length)
        foreach (var (offset, rows, length) in _rows[group])
        {
            // rows read by index in the backward passes (an embedding) are exactly the touched ones; else non-zero gradient rows
            _marks = _state.MarkedRows(offset);
            _args = new Args
            {
                Offset = offset, Rows = rows, RowLength = length, StepSize = (float)(o.Lr * Math.Sqrt(bc2) / bc1),
                OneMinusBeta1 = (float)(1 - o.Beta1), OneMinusBeta2 = (float)(1 - o.Beta2), Eps = (float)o.Eps, Sign = o.Maximize ? -1f : 1f, HasMarks = _marks is null ? 0 : 1,
            };
            var device = _state.Device;
            if (device.IsManaged) { CpuWorkers.For(rows, Math.Max(1, 8192 / length), _chunk); continue; }
            var launch = device.Kernel(KernelMethod,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, Args, int>(Kernel));
            if (_deviceMarks is null || _deviceMarks.Length < rows) { _deviceMarks?.Dispose(); _deviceMarks = device.Allocate<int>(rows); _hostMarks = new int[rows]; }
            if (_marks is not null) { for (int r = 0; r < rows; r++) _hostMarks![r] = _marks[r] ? 1 : 0; _deviceMarks.CopyFrom(_hostMarks.AsSpan(0, rows)); }
            int size = device.LaunchSize(rows);
            launch(size, _state.Parameters.View, _state.Gradients.View, _m.View, _v.View, _deviceMarks.View, _args, size);
            device.Synchronize();
        }
    }

    /// <summary>state_dict: each group's options and step count, and both moment buffers.</summary>
    public OptimizerState StateDict() => new(
        _groups.Select(g => ((IReadOnlyList<string>)g.Names.ToList(), (OptimizerOptions)g.Options, g.Step, (IReadOnlyDictionary<string, double>)new Dictionary<string, double>())).ToList(),
        [_m.ToArray(), _v.ToArray()]);

    public void LoadStateDict(OptimizerState state)
    {
        ParamGroup<AdamOptions>.CheckGroups(state, _groups, nameof(SparseAdam));
        if (state.Buffers.Count != 2 || state.Buffers.Any(b => b.Length != _state.Count))
            throw new ArgumentException($"The state does not match this SparseAdam (two buffers of {_state.Count} values).", nameof(state));
        foreach (var g in state.Groups)
        {
            Validate((AdamOptions)g.Options);
            if (g.Step < 0) throw new ArgumentOutOfRangeException(nameof(state), $"Invalid step count: {g.Step}");
        }
        for (int i = 0; i < _groups.Count; i++)
        {
            _groups[i].Options = (AdamOptions)state.Groups[i].Options;
            _groups[i].SetAll(new StepState { Step = state.Groups[i].Step });
        }
        _m.CopyFrom(state.Buffers[0]);
        _v.CopyFrom(state.Buffers[1]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Chunk(long from, long to)
    {
        Span<float> p = _state.Parameters.HostSpan, g = _state.Gradients.HostSpan, m = _m.HostSpan, v = _v.HostSpan;
        for (long r = from; r < to; r++) UpdateRow(p, g, m, v, _marks, (int)r, _args);
    }

    private static void UpdateRow(Span<float> p, Span<float> g, Span<float> m, Span<float> v, bool[]? marks, int row, in Args a)
    {
        int start = a.Offset + row * a.RowLength, length = a.RowLength;
        bool touched = marks is not null ? marks[row] : NonZero(g.Slice(start, length));
        if (!touched) return;
        // the spans are sliced to the row once: the loops below read them without a bounds check per element
        Span<float> pr = p.Slice(start, length), gr = g.Slice(start, length), mr = m.Slice(start, length), vr = v.Slice(start, length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float rp = ref MemoryMarshal.GetReference(pr), rg = ref MemoryMarshal.GetReference(gr);
            ref float rm = ref MemoryMarshal.GetReference(mr), rv = ref MemoryMarshal.GetReference(vr);
            for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
                Update(ref Lanes.At(ref rp, i), Vector256.LoadUnsafe(ref rg, (nuint)i), ref Lanes.At(ref rm, i), ref Lanes.At(ref rv, i), a);
        }
        for (; i < length; i++) Update(ref pr[i], gr[i], ref mr[i], ref vr[i], a);
    }

    /// <summary>Whether any value is not zero (NaN counts, -0 does not: as <c>g != 0f</c> element by element).</summary>
    private static bool NonZero(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float r = ref MemoryMarshal.GetReference(values);
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
                if (!Vector256.EqualsAll(Vector256.LoadUnsafe(ref r, (nuint)i), Vector256<float>.Zero)) return true;
        }
        for (; i < values.Length; i++) if (values[i] != 0f) return true;
        return false;
    }

    /// <summary>One element of a touched row (shared by the managed loop and the ILGPU kernel).</summary>
    private static void Update(ref float p, float g, ref float m, ref float v, in Args a)
    {
        float grad = a.Sign * g;
        m += a.OneMinusBeta1 * (grad - m);
        v += a.OneMinusBeta2 * (grad * grad - v);
        p -= a.StepSize * m / (MathF.Sqrt(v) + a.Eps);
    }

    /// <summary>The same arithmetic, in the same order, on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v, in Args a)
    {
        Vector256<float> grad = Vector256.Create(a.Sign) * g, mv = m, vv = v;
        mv += Vector256.Create(a.OneMinusBeta1) * (grad - mv);
        vv += Vector256.Create(a.OneMinusBeta2) * (grad * grad - vv);
        p -= Vector256.Create(a.StepSize) * mv / (Vector256.Sqrt(vv) + Vector256.Create(a.Eps));
        m = mv; v = vv;
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, Args, int> KernelMethod = Kernel;

    /// <summary>One thread per row: skip untouched rows, else update the row's moments and values.</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="p">Parameter block.</param>
    /// <param name="g">Gradient block.</param>
    /// <param name="m">First moments.</param>
    /// <param name="v">Second moments.</param>
    /// <param name="marks">Rows read by index (used when a.HasMarks).</param>
    /// <param name="a">The parameter's rows and this step's scalars.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, ArrayView<int> marks, Args a, int stride)
    {
        for (int row = index; row < a.Rows; row += stride)
        {
            int start = a.Offset + row * a.RowLength, end = start + a.RowLength;
            bool touched = a.HasMarks != 0 && marks[row] != 0;
            if (a.HasMarks == 0) for (int i = start; i < end; i++) if (g[i] != 0f) touched = true;
            if (!touched) continue;
            for (int i = start; i < end; i++) Update(ref p[i], g[i], ref m[i], ref v[i], a);
        }
    }
}

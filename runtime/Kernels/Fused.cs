using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>The arrays a generated kernel's managed form reads and writes: the parameter, gradient and work blocks, its output's array, and the bound slots it reads (x0, x1, …).</summary>
public sealed class KernelArrays
{
    public float[] P = [], G = [], W = [], Y = [];
    public float[][] X = [];
    /// <summary>A flat kernel struct's operands (<see cref="FlatLoops"/>): operand i's array, and where each is read.</summary>
    public float[][] In = [];
    public Operands Ops;
}

/// <summary>The managed form of a generated elementwise kernel (or a reduction into rows or columns): elements (or columns) [start, end) of its domain.</summary>
public delegate void CpuKernel<TArgs>(KernelArrays a, TArgs d, int start, int end);

/// <summary>The managed form of a generated reduction to one value: returns the partial result of elements [start, end).</summary>
public delegate double CpuTotal<TArgs>(KernelArrays a, TArgs d, int start, int end);

/// <summary>How a fused kernel is launched: its domain, how the managed path splits it, and how its output starts.</summary>
public readonly struct Launch
{
    internal enum Kind { Map, Total, Rows, Columns, Serial, RowMap }

    internal Kind How { get; init; }
    /// <summary>Elements of the kernel's domain.</summary>
    internal long Count { get; init; }
    /// <summary>Row length (Rows: the managed path gives each worker whole rows).</summary>
    internal long Cols { get; init; }
    /// <summary>A reduction adding into its output (a gradient) rather than overwriting it: the output is not reset first.</summary>
    internal bool Accumulate { get; init; }
    /// <summary>The reduction's starting value (0 for sums, -∞ for max).</summary>
    internal float Identity { get; init; }
    /// <summary>How two partial totals combine when they do not add (max, min, prod).</summary>
    internal Func<double, double, double>? Combine { get; init; }

    internal bool Reduces => How is not (Kind.Map or Kind.RowMap);

    /// <summary>An elementwise kernel over <paramref name="count"/> elements, split across the CPU workers (adding into its
    /// output, a gradient, where <paramref name="accumulate"/>: a flat kernel struct's ILGPU loop reads this; its managed
    /// loop adds by its store type, AddInto).</summary>
    public static Launch Map(long count, bool accumulate = false) => new() { How = Kind.Map, Count = count, Accumulate = accumulate };

    /// <summary>A reduction of every element to one value: per-worker partials, combined in order (added unless <paramref name="combine"/> is given).</summary>
    public static Launch Total(long count, bool accumulate = false, float identity = 0, Func<double, double, double>? combine = null) =>
        new() { How = Kind.Total, Count = count, Accumulate = accumulate, Identity = identity, Combine = combine };

    /// <summary>A sum of every element of a [count / cols, cols] domain, whole rows per worker: a kernel struct of the Rows
    /// loops (<see cref="FlatLoops"/>' TotalByRows) that reads an operand per row.</summary>
    public static Launch TotalByRows(long count, long cols, bool accumulate = false) =>
        new() { How = Kind.Total, Count = count, Cols = cols, Accumulate = accumulate };

    /// <summary>An elementwise kernel over whole rows of <paramref name="cols"/> per worker: a kernel struct that reads an
    /// operand per row or per column (<see cref="FlatLoops"/>' Rows loops).</summary>
    public static Launch RowMap(long count, long cols, bool accumulate = false) => new() { How = Kind.RowMap, Count = count, Cols = cols, Accumulate = accumulate };

    /// <summary>A reduction along the last dim: whole rows of <paramref name="cols"/> per worker.</summary>
    public static Launch Rows(long count, long cols, bool accumulate = false, float identity = 0) =>
        new() { How = Kind.Rows, Count = count, Cols = cols, Accumulate = accumulate, Identity = identity };

    /// <summary>A reduction over the rows of a [count / cols, cols] domain (a bias gradient): the managed form totals columns [start, end), split across workers.</summary>
    public static Launch Columns(long count, long cols, bool accumulate = false, float identity = 0) =>
        new() { How = Kind.Columns, Count = count, Cols = cols, Accumulate = accumulate, Identity = identity };

    /// <summary>Any other reduction: one pass over the domain on one thread.</summary>
    public static Launch Serial(long count, bool accumulate = false, float identity = 0) =>
        new() { How = Kind.Serial, Count = count, Accumulate = accumulate, Identity = identity };
}

/// <summary>Where a fused kernel writes: a block of the plan and an offset in it, or a bound slot (managed path: the slot's array at offset 0).</summary>
public readonly record struct Output(Region Region, int Slot, int Offset, int Count)
{
    public static Output Work(int offset, int count) => new(Region.Work, -1, offset, count);
    public static Output Parameters(int offset, int count) => new(Region.Parameters, -1, offset, count);
    public static Output Gradients(int offset, int count) => new(Region.Gradients, -1, offset, count);
    /// <summary>A forward plan's output kept in the caller's array on the managed path (in the work arena at <paramref name="offset"/> on ILGPU devices).</summary>
    public static Output Bound(int slot, int offset, int count) => new(Region.Work, slot, offset, count);
}

/// <summary>The blocks a plan's kernels address.</summary>
public enum Region { Work, Parameters, Gradients }

/// <summary>
/// One fused elementwise or reduction kernel of a generated plan, as the plan runs it on either path: on the managed path
/// its managed form over chunks of the domain on the CPU workers, on an ILGPU device its grid-stride kernel (loaded
/// once per device). A reduction's output is reset to its identity first unless it accumulates. The plan's constructor
/// builds one per launch site with the site's dims and offsets; its launch sequence calls <see cref="Run"/>.
/// </summary>
public sealed class Fused<TArgs> where TArgs : unmanaged
{
    private readonly Plan _plan;
    private readonly TArgs _args;
    private readonly Launch _launch;
    private readonly Output _output;
    private readonly int[] _slots;
    // a vector form comes at 16 and 8 lanes: the run takes the 8-lane one (the second) where 16 do not run
    private readonly CpuKernel<TArgs>? _wide, _narrow;
    private readonly CpuTotal<TArgs>? _wideTotal, _narrowTotal;
    private CpuKernel<TArgs>? _cpu;
    private CpuTotal<TArgs>? _total;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, int>? _ilgpu;
    // a flat kernel struct's: its loop in FlatLoopsGpu, its operands, and the bound slots among them (operand, slot)
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, Operands, int>? _ilgpuRunner;
    private readonly (int Operand, int Slot)[] _boundOperands = [];
    private readonly KernelArrays _arrays = new();
    private readonly Action<long, long> _chunk, _vectors, _rows;
    private readonly Func<long, long, double> _partial, _rowsPartial;

    private Fused(Plan plan, TArgs args, Launch launch, Output output, int[] slots)
    {
        (_plan, _args, _launch, _output, _slots) = (plan, args, launch, output, slots);
        // the blocks never move; the bound slots' arrays are read at each run (a call may bind the caller's)
        (_arrays.P, _arrays.G, _arrays.W) = (plan.P, plan.G, plan.W);
        _arrays.Y = output.Region switch { Region.Parameters => plan.P, Region.Gradients => plan.G, _ => plan.W };
        _arrays.X = new float[slots.Length][];
        _chunk = (s, e) => _cpu!(_arrays, _args, (int)s, (int)e);
        _vectors = (s, e) => _cpu!(_arrays, _args, (int)(s * 16), (int)Math.Min(e * 16, _launch.Count));
        _rows = (r0, r1) => _cpu!(_arrays, _args, (int)(r0 * _launch.Cols), (int)(r1 * _launch.Cols));
        _partial = (s, e) => _total!(_arrays, _args, (int)(s * 16), (int)Math.Min(e * 16, _launch.Count));
        _rowsPartial = (r0, r1) => _total!(_arrays, _args, (int)(r0 * _launch.Cols), (int)(r1 * _launch.Cols));
    }

    private Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, int> ilgpu, TArgs args, Launch launch, Output output, int[] slots)
        : this(plan, args, launch, output, slots)
    {
        if (!plan.Device.IsManaged)
            _ilgpu = plan.Device.Kernel(ilgpu, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, int>(ilgpu));
    }

    /// <summary>A flat kernel struct run by the shared loops: <paramref name="ilgpu"/> its FlatLoopsGpu loop, the
    /// managed forms its FlatLoops loop at 16 and 8 lanes, <paramref name="inputs"/> its operands in order.</summary>
    private Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, Operands, int> ilgpu, In[] inputs, TArgs args, Launch launch, Output output)
        : this(plan, args, launch, output, [])
    {
        ref var o = ref _arrays.Ops;
        _arrays.In = new float[inputs.Length][];
        var bound = new System.Collections.Generic.List<(int, int)>();
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            o.Set(i, (int)x.Region, x.Offset, x.Mask);
            // the rows loops' steps: per row and per column of the [count / cols, cols] domain
            long cols = launch.Cols;
            o.Steps(i, x.Along switch { Along.Dense => (int)cols, Along.Col => 1, _ => 0 }, x.Along is Along.Dense or Along.Row ? 1 : 0);
            // a bound slot's array is the caller's, read at each run; a block never moves
            if (x.Slot >= 0 && plan.Device.IsManaged) bound.Add((i, x.Slot));
            else _arrays.In[i] = x.Region switch { Region.Parameters => plan.P, Region.Gradients => plan.G, _ => plan.W };
        }
        _boundOperands = bound.ToArray();
        (o.ROut, o.Out, o.Count, o.Accumulate, o.Cols) = ((int)output.Region, output.Offset, (int)launch.Count, launch.Accumulate ? 1 : 0, (int)Math.Max(1, launch.Cols));
        if (!plan.Device.IsManaged)
            _ilgpuRunner = plan.Device.Kernel(ilgpu, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, Operands, int>(ilgpu));
    }

    /// <summary>A flat kernel struct that maps its domain (<see cref="FlatLoops"/>, <see cref="FlatLoopsGpu"/>), at 16 and 8 lanes.</summary>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, Operands, int> ilgpu, CpuKernel<TArgs> wide, CpuKernel<TArgs> narrow, In[] inputs, TArgs args, Launch launch, Output output)
        : this(plan, ilgpu, inputs, args, launch, output) => (_cpu, _wide, _narrow) = (wide, wide, narrow);

    /// <summary>A flat kernel struct that maps its domain at 8 lanes only.</summary>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, Operands, int> ilgpu, CpuKernel<TArgs> cpu, In[] inputs, TArgs args, Launch launch, Output output)
        : this(plan, ilgpu, inputs, args, launch, output) => _cpu = _wide = cpu;

    /// <summary>A flat kernel struct that sums its domain, at 16 and 8 lanes.</summary>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, Operands, int> ilgpu, CpuTotal<TArgs> wide, CpuTotal<TArgs> narrow, In[] inputs, TArgs args, Launch launch, Output output)
        : this(plan, ilgpu, inputs, args, launch, output) => (_total, _wideTotal, _narrowTotal) = (wide, wide, narrow);

    /// <summary>A flat kernel struct that sums its domain at 8 lanes only.</summary>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, Operands, int> ilgpu, CpuTotal<TArgs> cpu, In[] inputs, TArgs args, Launch launch, Output output)
        : this(plan, ilgpu, inputs, args, launch, output) => _total = _wideTotal = cpu;

    /// <summary>A kernel whose managed form writes its output element by element (or row by row).</summary>
    /// <param name="plan">The plan that runs it.</param>
    /// <param name="ilgpu">Its ILGPU form.</param>
    /// <param name="cpu">Its managed form.</param>
    /// <param name="args">The dims and offsets it reads.</param>
    /// <param name="launch">Its domain and, for a reduction, how its output starts.</param>
    /// <param name="output">Where it writes.</param>
    /// <param name="slots">The bound slots its managed form reads as x0, x1, … (the plan's inputs kept in the caller's arrays).</param>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, int> ilgpu, CpuKernel<TArgs> cpu, TArgs args, Launch launch, Output output, params int[] slots)
        : this(plan, ilgpu, args, launch, output, slots) => _cpu = _wide = cpu;

    /// <summary>A kernel whose managed form is a vector form, at 16 lanes (<paramref name="wide"/>) and 8 (<paramref name="narrow"/>).</summary>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, int> ilgpu, CpuKernel<TArgs> wide, CpuKernel<TArgs> narrow, TArgs args, Launch launch, Output output, params int[] slots)
        : this(plan, ilgpu, args, launch, output, slots) => (_cpu, _wide, _narrow) = (wide, wide, narrow);

    /// <summary>A reduction to one value whose managed form returns partial results.</summary>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, int> ilgpu, CpuTotal<TArgs> cpu, TArgs args, Launch launch, Output output, params int[] slots)
        : this(plan, ilgpu, args, launch, output, slots) => _total = _wideTotal = cpu;

    /// <summary>A reduction to one value whose managed form is a vector form, at 16 lanes and 8.</summary>
    public Fused(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TArgs, int> ilgpu, CpuTotal<TArgs> wide, CpuTotal<TArgs> narrow, TArgs args, Launch launch, Output output, params int[] slots)
        : this(plan, ilgpu, args, launch, output, slots) => (_total, _wideTotal, _narrowTotal) = (wide, wide, narrow);

    /// <summary>Runs the kernel on the plan's path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run()
    {
        if (_ilgpu is null && _ilgpuRunner is null) RunManaged(); else RunIlgpu();
    }

    /// <summary>Elements per worker chunk on the managed path: below this a kernel runs on one thread.</summary>
    private const long Grain = 32768;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunManaged()
    {
        var a = _arrays;
        // the width is read at each run (a test may switch it between runs); a form at one width runs at it
        bool wide = VectorWidths.Wide;
        if (_narrow is not null) _cpu = wide ? _wide : _narrow;
        if (_narrowTotal is not null) _total = wide ? _wideTotal : _narrowTotal;
        if (_slots.Length > 0 || _output.Slot >= 0 || _boundOperands.Length > 0)
        {
            var x = _plan.X;
            for (int i = 0; i < _slots.Length; i++) a.X[i] = x[_slots[i]];
            foreach (var (operand, slot) in _boundOperands) a.In[operand] = x[slot];
            if (_output.Slot >= 0) a.Y = x[_output.Slot];
        }
        ref readonly var l = ref _launch;
        if (l.How is Launch.Kind.Rows or Launch.Kind.Serial && !l.Accumulate) Array.Fill(a.Y, l.Identity, _output.Offset, _output.Count);
        // a domain too small to split runs on this thread without going through the workers
        bool small = l.Count < 2 * Grain;
        switch (l.How)
        {
            // a map's or a total's chunks start at multiples of 16: a generated flat kernel's vectors stay inside rows 16k
            // long (8k at 8 lanes), which a bias row broadcast down the rows needs (read at c & (cols - 1))
            case Launch.Kind.Map:
                if (small) _cpu!(a, _args, 0, (int)l.Count); else CpuWorkers.For((l.Count + 15) / 16, Grain / 16, _vectors);
                break;
            case Launch.Kind.Rows or Launch.Kind.RowMap: CpuWorkers.For(l.Count / l.Cols, Math.Max(1, Grain / l.Cols), _rows); break;
            // each column's total is written whole: nothing to reset
            case Launch.Kind.Columns: CpuWorkers.For(l.Cols, Math.Max(1, Grain / (l.Count / l.Cols)), _chunk); break;
            case Launch.Kind.Serial: _cpu!(a, _args, 0, (int)l.Count); break;
            default:
                float total = (float)(small ? _total!(a, _args, 0, (int)l.Count)
                    : l.Cols > 0 ? CpuWorkers.Sum(l.Count / l.Cols, Math.Max(1, Grain / l.Cols), _rowsPartial)
                    : l.Combine is null ? CpuWorkers.Sum((l.Count + 15) / 16, Grain / 16, _partial)
                    : CpuWorkers.Reduce((l.Count + 15) / 16, Grain / 16, _partial, l.Identity, l.Combine));
                if (l.Accumulate) a.Y[_output.Offset] += total; else a.Y[_output.Offset] = total;
                break;
        }
    }

    private void RunIlgpu()
    {
        var device = _plan.Device;
        var work = _plan.WorkView;
        if (_launch.Reduces && !_launch.Accumulate)
        {
            var view = (_output.Region switch { Region.Parameters => _plan.State.Parameters.View, Region.Gradients => _plan.State.Gradients.View, _ => work }).SubView(_output.Offset, _output.Count);
            if (_launch.Identity == 0) view.MemSetToZero(); else Fill.Run(device, view, _launch.Identity);
        }
        int size = device.LaunchSize(_launch.Count);
        if (_ilgpuRunner is not null) _ilgpuRunner(size, _plan.State.Parameters.View, _plan.State.Gradients.View, work, _args, _arrays.Ops, size);
        else _ilgpu!(size, _plan.State.Parameters.View, _plan.State.Gradients.View, work, _args, size);
    }
}

/// <summary>
/// The launches of flat kernel structs (<see cref="FlatLoops"/>, <see cref="FlatLoopsGpu"/>): a generated kernel is only
/// its value at one element (<c>Apply</c>); its plan names the loop here, with the store (<see cref="Assign"/> or
/// <see cref="AddInto"/>) and each operand's reach (<see cref="Dense"/>, <see cref="One"/>, <see cref="Row"/>,
/// <see cref="Col"/>) as type arguments, and these pick the loop's ILGPU form and its managed form at 16 and 8 lanes
/// (their <c>wide</c> argument false: 8 only, a domain or a row shorter than 16).
/// </summary>
public static class Fused
{
    public static Fused<KernelArgs> Map1<K, T, R0>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel1 where T : IStore where R0 : IReach =>
        Make(plan, FlatLoopsGpu.Map1<K>, wide ? FlatLoops.Map1<Vec16, K, T, R0> : null, FlatLoops.Map1<Vec8, K, T, R0>, inputs, args, launch, output);

    public static Fused<KernelArgs> Map2<K, T, R0, R1>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel2 where T : IStore where R0 : IReach where R1 : IReach =>
        Make(plan, FlatLoopsGpu.Map2<K>, wide ? FlatLoops.Map2<Vec16, K, T, R0, R1> : null, FlatLoops.Map2<Vec8, K, T, R0, R1>, inputs, args, launch, output);

    public static Fused<KernelArgs> Map3<K, T, R0, R1, R2>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel3 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach =>
        Make(plan, FlatLoopsGpu.Map3<K>, wide ? FlatLoops.Map3<Vec16, K, T, R0, R1, R2> : null, FlatLoops.Map3<Vec8, K, T, R0, R1, R2>, inputs, args, launch, output);

    public static Fused<KernelArgs> Map4<K, T, R0, R1, R2, R3>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel4 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach =>
        Make(plan, FlatLoopsGpu.Map4<K>, wide ? FlatLoops.Map4<Vec16, K, T, R0, R1, R2, R3> : null, FlatLoops.Map4<Vec8, K, T, R0, R1, R2, R3>, inputs, args, launch, output);

    public static Fused<KernelArgs> Total1<K, R0>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel1 where R0 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.Total1<K>, wide ? FlatLoops.Total1<Vec16, K, R0> : null, FlatLoops.Total1<Vec8, K, R0>, inputs, args, launch, output);

    public static Fused<KernelArgs> Total2<K, R0, R1>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel2 where R0 : IReach where R1 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.Total2<K>, wide ? FlatLoops.Total2<Vec16, K, R0, R1> : null, FlatLoops.Total2<Vec8, K, R0, R1>, inputs, args, launch, output);

    public static Fused<KernelArgs> Total3<K, R0, R1, R2>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel3 where R0 : IReach where R1 : IReach where R2 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.Total3<K>, wide ? FlatLoops.Total3<Vec16, K, R0, R1, R2> : null, FlatLoops.Total3<Vec8, K, R0, R1, R2>, inputs, args, launch, output);

    public static Fused<KernelArgs> Total4<K, R0, R1, R2, R3>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel4 where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.Total4<K>, wide ? FlatLoops.Total4<Vec16, K, R0, R1, R2, R3> : null, FlatLoops.Total4<Vec8, K, R0, R1, R2, R3>, inputs, args, launch, output);

    public static Fused<KernelArgs> Rows1<K, T, R0>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel1 where T : IStore where R0 : IReach =>
        Make(plan, FlatLoopsGpu.Rows1<K>, wide ? FlatLoops.Rows1<Vec16, K, T, R0> : null, FlatLoops.Rows1<Vec8, K, T, R0>, inputs, args, launch, output);

    public static Fused<KernelArgs> Rows2<K, T, R0, R1>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel2 where T : IStore where R0 : IReach where R1 : IReach =>
        Make(plan, FlatLoopsGpu.Rows2<K>, wide ? FlatLoops.Rows2<Vec16, K, T, R0, R1> : null, FlatLoops.Rows2<Vec8, K, T, R0, R1>, inputs, args, launch, output);

    public static Fused<KernelArgs> Rows3<K, T, R0, R1, R2>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel3 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach =>
        Make(plan, FlatLoopsGpu.Rows3<K>, wide ? FlatLoops.Rows3<Vec16, K, T, R0, R1, R2> : null, FlatLoops.Rows3<Vec8, K, T, R0, R1, R2>, inputs, args, launch, output);

    public static Fused<KernelArgs> Rows4<K, T, R0, R1, R2, R3>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel4 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach =>
        Make(plan, FlatLoopsGpu.Rows4<K>, wide ? FlatLoops.Rows4<Vec16, K, T, R0, R1, R2, R3> : null, FlatLoops.Rows4<Vec8, K, T, R0, R1, R2, R3>, inputs, args, launch, output);

    public static Fused<KernelArgs> RowTotals1<K, R0>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel1 where R0 : IReach =>
        Make(plan, FlatLoopsGpu.RowTotals1<K>, wide ? FlatLoops.RowTotals1<Vec16, K, R0> : null, FlatLoops.RowTotals1<Vec8, K, R0>, inputs, args, launch, output);

    public static Fused<KernelArgs> RowTotals2<K, R0, R1>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel2 where R0 : IReach where R1 : IReach =>
        Make(plan, FlatLoopsGpu.RowTotals2<K>, wide ? FlatLoops.RowTotals2<Vec16, K, R0, R1> : null, FlatLoops.RowTotals2<Vec8, K, R0, R1>, inputs, args, launch, output);

    public static Fused<KernelArgs> RowTotals3<K, R0, R1, R2>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel3 where R0 : IReach where R1 : IReach where R2 : IReach =>
        Make(plan, FlatLoopsGpu.RowTotals3<K>, wide ? FlatLoops.RowTotals3<Vec16, K, R0, R1, R2> : null, FlatLoops.RowTotals3<Vec8, K, R0, R1, R2>, inputs, args, launch, output);

    public static Fused<KernelArgs> RowTotals4<K, R0, R1, R2, R3>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel4 where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach =>
        Make(plan, FlatLoopsGpu.RowTotals4<K>, wide ? FlatLoops.RowTotals4<Vec16, K, R0, R1, R2, R3> : null, FlatLoops.RowTotals4<Vec8, K, R0, R1, R2, R3>, inputs, args, launch, output);

    public static Fused<KernelArgs> TotalByRows1<K, R0>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel1 where R0 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.TotalByRows1<K>, wide ? FlatLoops.TotalByRows1<Vec16, K, R0> : null, FlatLoops.TotalByRows1<Vec8, K, R0>, inputs, args, launch, output);

    public static Fused<KernelArgs> TotalByRows2<K, R0, R1>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel2 where R0 : IReach where R1 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.TotalByRows2<K>, wide ? FlatLoops.TotalByRows2<Vec16, K, R0, R1> : null, FlatLoops.TotalByRows2<Vec8, K, R0, R1>, inputs, args, launch, output);

    public static Fused<KernelArgs> TotalByRows3<K, R0, R1, R2>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel3 where R0 : IReach where R1 : IReach where R2 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.TotalByRows3<K>, wide ? FlatLoops.TotalByRows3<Vec16, K, R0, R1, R2> : null, FlatLoops.TotalByRows3<Vec8, K, R0, R1, R2>, inputs, args, launch, output);

    public static Fused<KernelArgs> TotalByRows4<K, R0, R1, R2, R3>(Plan plan, In[] inputs, KernelArgs args, Launch launch, Output output, bool wide = true) where K : struct, IKernel4 where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach =>
        MakeTotal(plan, FlatLoopsGpu.TotalByRows4<K>, wide ? FlatLoops.TotalByRows4<Vec16, K, R0, R1, R2, R3> : null, FlatLoops.TotalByRows4<Vec8, K, R0, R1, R2, R3>, inputs, args, launch, output);

    private static Fused<KernelArgs> Make(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, KernelArgs, Operands, int> ilgpu,
        CpuKernel<KernelArgs>? wide, CpuKernel<KernelArgs> narrow, In[] inputs, KernelArgs args, Launch launch, Output output) =>
        wide is null ? new(plan, ilgpu, narrow, inputs, args, launch, output) : new(plan, ilgpu, wide, narrow, inputs, args, launch, output);

    private static Fused<KernelArgs> MakeTotal(Plan plan, Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, KernelArgs, Operands, int> ilgpu,
        CpuTotal<KernelArgs>? wide, CpuTotal<KernelArgs> narrow, In[] inputs, KernelArgs args, Launch launch, Output output) =>
        wide is null ? new(plan, ilgpu, narrow, inputs, args, launch, output) : new(plan, ilgpu, wide, narrow, inputs, args, launch, output);
}

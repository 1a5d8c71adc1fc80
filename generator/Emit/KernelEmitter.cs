using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Fuse;
using Kiln.Generator.Ir;
using Kiln.Generator.Ops;
using Kiln.Generator.Plan;

namespace Kiln.Generator.Emit;

/// <summary>
/// Emits one fused elementwise or reduction kernel twice from the same IR: as an ILGPU kernel (grid-stride
/// loop, one element per iteration) and as a managed loop over row segments, vectorised where every operand
/// is contiguous or broadcast along the last dim and every op has a vector form (to the segment's end, its last
/// vector partial), scalar otherwise. The vector loop is written once, generic over the lane type S
/// (<c>IVector&lt;S&gt;</c>), and runs as 16 lanes (Vec16) where Vector512 is accelerated and the kernel's rows allow, as
/// 8 (Vec8) elsewhere.
/// </summary>
/// <paramref name="slot"/>: the bound slot a node is stored in (-1: a region): on the managed path a kernel reads it from an array of its own.
internal sealed class KernelEmitter(MemoryPlan memory, IReadOnlyList<ParamLayout> layout, System.Func<Node, int> slot)
{
    /// <summary>
    /// Whether the kernel being emitted takes <c>KernelArgs</c> (it may be shared): then the offset of a parameter or
    /// gradient it reads or writes is an argument too, <c>d.__{offset}</c>, so two layers that differ only in where their
    /// parameters live are one kernel. A kernel keeping its plan's <c>Bound</c> has them as literals.
    /// </summary>
    private bool _blockOffsetsAsArgs;

    /// <summary>Where a node lives, as the kernel being emitted addresses it.</summary>
    private Placement Where(Node n)
    {
        var place = memory.Of(n, layout);
        if (!_blockOffsetsAsArgs || place.Region is not (Region.Param or Region.Grad)) return place;
        var start = System.Text.RegularExpressions.Regex.Match(place.Offset, @"^\d+");
        return start.Success ? place with { Offset = "d.__" + start.Value + place.Offset.Substring(start.Length) } : place;
    }

    /// <summary>The bound slots a kernel's managed form reads, in the order of its array parameters (x0, x1, …).</summary>
    public List<int> BoundOf(Kernel k) => k.Leaves.Select(slot).Where(s => s >= 0).Distinct().ToList();

    /// <summary>The managed form's array holding a leaf: a bound slot's (x0, x1, …), else its region's.</summary>
    private string LeafArray(Kernel k, Node n, Region region) => slot(n) is var s && s >= 0 ? "x" + BoundOf(k).IndexOf(s) : Array(region);

    /// <summary>Where the managed form finds one of its arrays in its <c>KernelArrays</c> (y: its output's, whatever block or bound slot that is).</summary>
    private static string Source(string array) => array switch { "p" => "a.P", "g" => "a.G", "w" => "a.W", "y" => "a.Y", _ => $"a.X[{array.Substring(1)}]" };

    /// <summary>How a reduction runs on the managed path.</summary>
    /// <remarks>Columns: a [rows, cols] domain summed over its rows (a bias gradient): each column's total is kept in a
    /// register over the rows, and the columns are split across workers.</remarks>
    public enum ReduceMode { None, All, Rows, Columns, Serial }

    public static ReduceMode ModeOf(Kernel k)
    {
        if (k.Kind != KernelKind.Reduce) return ReduceMode.None;
        var domain = k.Root.Inputs[0].Shape;
        var axes = k.Root.Attrs.Axes;
        var live = LiveAxes(domain);
        if (live.All(i => axes.Contains(i))) return ReduceMode.All;
        if (live.Count > 1 && axes.Contains(live[live.Count - 1]) && live.Take(live.Count - 1).All(i => !axes.Contains(i))) return ReduceMode.Rows;
        if (live.Count == 2 && axes.Contains(live[0]) && !axes.Contains(live[1])) return ReduceMode.Columns;
        return ReduceMode.Serial;
    }

    /// <summary>The domain's axes that are not of size 1: the only ones that need an index.</summary>
    public static List<int> LiveAxes(Shape domain) => Enumerable.Range(0, domain.Rank).Where(i => !domain[i].IsOne).ToList();

    /// <summary>The innermost live dim: the row length of the managed loops.</summary>
    public static Size Cols(Shape domain) => LiveAxes(domain) is { Count: > 0 } live ? domain[live[live.Count - 1]] : Size.Of(1);

    /// <summary>The reduction row of a reduce kernel.</summary>
    public static ReduceOp Reduction(Kernel k) => (ReduceOp)k.Root.Op;

    public static Shape Domain(Kernel k) => k.Kind == KernelKind.Reduce ? k.Root.Inputs[0].Shape : k.Root.Shape;

    private static string Array(Region r) => r switch { Region.Param => "p", Region.Grad => "g", _ => "w" };

    /// <summary>Strides of a stored tensor over the kernel's domain (0 on broadcast dims).</summary>
    private Size[] DomainStrides(Node leaf, Shape domain)
    {
        var place = Where(leaf);
        var result = new Size[domain.Rank];
        int shift = domain.Rank - leaf.Shape.Rank;
        for (int i = 0; i < domain.Rank; i++)
        {
            int j = i - shift;
            result[i] = j < 0 || (leaf.Shape[j].IsOne && !domain[i].IsOne) ? Size.Of(0) : place.Strides[j];
        }
        return result;
    }

    private Size[] OutputStrides(Kernel k, Shape domain)
    {
        var strides = Where(k.Root).Strides;
        if (k.Kind != KernelKind.Reduce) return strides;
        return strides.Select((s, i) => k.Root.Attrs.Axes.Contains(i) ? Size.Of(0) : s).ToArray();
    }

    private static string Sum(IEnumerable<string> terms)
    {
        var list = terms.Where(t => t != "0").ToList();
        return list.Count == 0 ? "0" : string.Join(" + ", list);
    }

    private static string Mul(string index, Size stride) =>
        stride.Coefficient == 0 ? "0" : stride.IsOne ? index : $"{index} * {stride.Emit("d.")}";

    /// <summary>How an operand of a flat kernel is read at flat index c.</summary>
    private enum Reach { Dense, One, Column }

    /// <summary>
    /// The operands' reach when an elementwise kernel can run its domain as one flat row, else null: its output covers
    /// the domain densely in row-major order and each operand does too (read at c), is one value, or is one row
    /// broadcast down the rows (a bias: read at c % cols, the rows a constant length). The managed form then runs
    /// [start, end) straight, with no per-row bookkeeping (a [500, 16] activation was two vectors per row). Vectors take
    /// a bias only where rows are a multiple of 8 long, so a vector starting at a multiple of its lanes, as the runtime's
    /// Map chunks do (multiples of 16), stays in its row; sixteen lanes need rows a multiple of 16, <see cref="Wide"/>.
    /// </summary>
    private Dictionary<Node, Reach>? FlatReach(Kernel k)
    {
        // asked by the description, the vector check and both forms: decided once per kernel
        if (_reach.TryGetValue(k, out var known)) return known;
        return _reach[k] = FindReach(k);
    }

    private readonly Dictionary<Kernel, Dictionary<Node, Reach>?> _reach = new();

    private Dictionary<Node, Reach>? FindReach(Kernel k)
    {
        if (k.Kind == KernelKind.Reduce) return null;
        var domain = Domain(k);
        var live = LiveAxes(domain);
        if (live.Count < 2) return null;
        var dense = new Size[domain.Rank];
        var stride = Size.Of(1);
        for (int i = domain.Rank - 1; i >= 0; i--) { dense[i] = stride; stride = stride * domain[i]; }
        // a bias row: vectors take it where rows are a multiple of 8 long; shorter rows, or a body without vector forms,
        // run the flat scalar loop (other rows keep the row-cut loop, which runs each row in vectors and a partial one)
        bool columns = Cols(domain) is { IsConstant: true } cols && (cols.Coefficient % 8 == 0 || cols.Coefficient < 8 || !HasVectorForms(k));
        Reach? Of(Size[] st) =>
            live.All(i => st[i] == dense[i]) ? Reach.Dense
            : live.All(i => st[i].Coefficient == 0) ? Reach.One
            : columns && live.Take(live.Count - 1).All(i => st[i].Coefficient == 0) && st[live[live.Count - 1]].IsOne ? Reach.Column
            : null;
        if (Of(OutputStrides(k, domain)) != Reach.Dense) return null;
        var reach = new Dictionary<Node, Reach>();
        foreach (var leaf in k.Leaves)
        {
            if (Of(DomainStrides(leaf, domain)) is not { } r) return null;
            reach[leaf] = r;
        }
        return reach;
    }

    private bool Flat(Kernel k) => FlatReach(k) is not null;

    public bool Vectorizable(Kernel k)
    {
        var domain = Domain(k);
        var live = LiveAxes(domain);
        if (live.Count == 0) return false;
        // rows known to be shorter than a vector would never enter the vector loop: it is not emitted
        if (!Flat(k) && Cols(domain) is { IsConstant: true } cols && cols.Coefficient < 8) return false;
        // a bias read at the column takes vectors only where rows are a multiple of the lanes (a vector stays in its row)
        if (FlatReach(k) is { } reach && reach.ContainsValue(Reach.Column) && Cols(domain).Coefficient % 8 != 0) return false;
        foreach (var leaf in k.Leaves)
        {
            var last = DomainStrides(leaf, domain)[live[live.Count - 1]];
            if (!(last.Coefficient == 0 || last.IsOne)) return false;
        }
        return HasVectorForms(k);
    }

    /// <summary>Whether every op of the kernel's body has a vector form.</summary>
    private static bool HasVectorForms(Kernel k) =>
        k.Body.All(n => n.Op == Leaves.Const || n.Op.Vector(n.Inputs.Select(_ => "x").ToArray(), n.Attrs) is not null);

    /// <summary>The lanes a kernel's managed form runs: 16 where the machine has them (8 elsewhere), 8 only, or 0 (a
    /// scalar loop). A flat kernel struct takes 16 unless a row it reads is not a multiple of 16 long or its whole
    /// domain is a constant shorter than 16.</summary>
    public int Lanes(Kernel k)
    {
        if (StructOperands(k) is { } operands)
        {
            // rows shorter than 16 run as one partial vector each: 8 lanes do it with less
            if (RowLoops(k)) return Cols(Domain(k)) is { IsConstant: true } rowLength && rowLength.Coefficient < 16 ? 8 : 16;
            if (operands.Any(o => o.Reach == "Row")) return operands[0].Cols % 16 == 0 ? 16 : 8;
            var count = Domain(k).Count;
            return count.IsConstant && count.Coefficient < 16 ? 8 : 16;
        }
        return Wide(k) ? 16 : Vectorizable(k) ? 8 : 0;
    }

    /// <summary>
    /// Whether a vectorised kernel may also run 16 lanes at a time: a bias read at the column needs rows a multiple of
    /// 16 long (the runtime's Map chunks start at multiples of 16), and rows known to be shorter than 16 would run
    /// wholly as partial vectors, so they keep 8.
    /// </summary>
    public bool Wide(Kernel k)
    {
        if (!Vectorizable(k)) return false;
        var cols = Cols(Domain(k));
        if (FlatReach(k) is { } reach)
            return !reach.Values.Contains(Reach.Column) || cols.Coefficient % 16 == 0;
        return !(cols.IsConstant && cols.Coefficient < 16);
    }

    private static string ConstScalar(Node n) => n.Attrs.Divisor.IsOne
        ? OpDef.Float(n.Attrs.Value)
        : n.Attrs.DivisorOffset == 0
            ? $"(float)({n.Attrs.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} / (double)({n.Attrs.Divisor.Emit("d.")}))"
            : $"(float)({n.Attrs.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} / Math.Max(0, (double)({n.Attrs.Divisor.Emit("d.")}) - {n.Attrs.DivisorOffset.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}))";

    /// <summary>Statements computing the kernel's value into v{root} from the loaded leaves l{id}.</summary>
    private static IEnumerable<string> Body(Kernel k, bool vector)
    {
        var masks = vector ? Masks(k) : [];
        string[] Args(Node n) => n.Inputs.Select(i => k.Leaves.Contains(i) ? "l" + i.Id : "v" + i.Id).ToArray();
        foreach (var n in k.Body)
        {
            if (n.Op == Leaves.Const)
            {
                yield return vector ? $"var v{n.Id} = S.Create({ConstScalar(n)});" : $"float v{n.Id} = {ConstScalar(n)};";
                continue;
            }
            var args = Args(n);
            if (k.Leaves.Contains(n)) continue;
            if (!vector) { yield return $"float v{n.Id} = {n.Op.Scalar(args, n.Attrs)};"; continue; }
            if (masks.Contains(n)) continue; // each select on it tests it itself
            string value = n.Inputs.Length > 0 && masks.Contains(n.Inputs[0]) ? n.Inputs[0].Op.VectorIf(Args(n.Inputs[0]), args[1], args[2])!
                : n.Op.Vector(args, n.Attrs)!;
            yield return $"var v{n.Id} = {value};";
        }
    }

    /// <summary>
    /// The comparisons of <paramref name="k"/>'s body that are never a 0/1 float in its vector form: each is read only as the
    /// condition of selects, and each select tests it itself (where(x &lt; 1, a, b) is S.IfLess(x, 1, a, b): one compare
    /// and one blend).
    /// </summary>
    private static HashSet<Node> Masks(Kernel k)
    {
        var masks = new HashSet<Node>();
        foreach (var n in k.Body)
        {
            if (n == k.Root || k.Leaves.Contains(n) || n.Op.VectorIf(["a", "b"], "y", "n") is null || (k.Kind == KernelKind.Reduce && k.Root.Inputs.Contains(n))) continue;
            var users = k.Body.Where(u => u.Inputs.Contains(n)).ToList();
            if (users.Count > 0 && users.All(u => u.Op.Selects && u.Inputs[0] == n && !u.Inputs.Skip(1).Contains(n)))
                masks.Add(n);
        }
        return masks;
    }

    /// <summary>What differs between two layers' copies of a kernel before the library normalises it: numbers and the
    /// plan's dim and offset fields (d.N, d.T12).</summary>
    private static readonly System.Text.RegularExpressions.Regex Numbering = new(@"\bd\.\w+|\d+", System.Text.RegularExpressions.RegexOptions.Compiled);
    private static readonly System.Text.RegularExpressions.Regex Definition = new(@"^(?:float|var) ([lv]\d+) = (.*);$", System.Text.RegularExpressions.RegexOptions.Compiled);

    /// <summary>
    /// Folds each value used once (a load, a constant, an op's result) into the statement using it, where the result stays
    /// short: the body reads as the expression it computes, and only values used twice keep a name. Values are pure, so
    /// the order they are computed in does not matter.
    /// </summary>
    private static List<string> Fold(IEnumerable<string> statements)
    {
        var lines = statements.ToList();
        for (int i = 0; i < lines.Count; i++)
        {
            var m = Definition.Match(lines[i]);
            if (!m.Success) continue;
            var use = new System.Text.RegularExpressions.Regex($@"\b{m.Groups[1].Value}\b");
            var users = Enumerable.Range(i + 1, lines.Count - i - 1).Where(j => use.IsMatch(lines[j])).ToList();
            string value = Primary(m.Groups[2].Value) ? m.Groups[2].Value : $"({m.Groups[2].Value})";
            // the length is judged with every number and dim field one character long: value ids, offsets and dims
            // differ between layers before the kernel library normalises them, and a kernel must fold the same way wherever it sits
            if (users.Count != 1 || use.Matches(lines[users[0]]).Count != 1 || Numbering.Replace(value, "0").Length > 80) continue;
            lines[users[0]] = use.Replace(lines[users[0]], value.Replace("$", "$$"));
            lines.RemoveAt(i--);
        }
        return lines;
    }

    /// <summary>Whether an expression can stand as an operand without parentheses: a name, a literal, a call or an element, or one parenthesised whole.</summary>
    private static bool Primary(string e)
    {
        if (System.Text.RegularExpressions.Regex.IsMatch(e, @"^[\w.]+$")) return true;
        int open = e.IndexOfAny(new[] { '(', '[' });
        if (open < 0 || (open > 0 && !System.Text.RegularExpressions.Regex.IsMatch(e.Substring(0, open), @"^[\w.<>]+$"))) return false;
        // the bracket opened first closes at the end
        int depth = 0;
        for (int i = open; i < e.Length; i++)
        {
            if (e[i] is '(' or '[') depth++;
            else if (e[i] is ')' or ']' && --depth == 0) return i == e.Length - 1;
        }
        return false;
    }

    private static string ResultVar(Kernel k) => "v" + (k.Kind == KernelKind.Reduce ? k.Root.Inputs[0] : k.Root).Id;

    /// <summary>The result of a reduce kernel whose operand is itself a stored leaf (no body).</summary>
    private static string ResultOf(Kernel k) => k.Body.Count == 0 ? "l" + (k.Kind == KernelKind.Reduce ? k.Root.Inputs[0] : k.Root.Inputs[0]).Id : ResultVar(k);

    public void EmitIlgpu(SourceWriter w, Kernel k, string name, string argType)
    {
        _blockOffsetsAsArgs = argType == "KernelArgs";
        var domain = Domain(k);
        w.Open($"public static void {name}(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, {argType} d, int stride)");
        var live = LiveAxes(domain);
        // one element (every dim 1): the first thread computes it
        bool single = live.Count == 0;
        // a flat kernel indexes its operands by e itself (no coordinates): e, e % cols for a bias, nothing for one value;
        // so does a kernel with one live axis (its coordinate is e)
        var reach = FlatReach(k);
        var lines = new List<string>();
        if (reach is null && live.Count > 1)
        {
            var coords = new SourceWriter();
            EmitCoords(coords, domain, "e", live, "int");
            lines.AddRange(coords.ToString().TrimEnd('\n').Split('\n'));
        }
        string FlatIndex(Reach r) => r switch { Reach.Dense => "e", Reach.Column => $"e % {Cols(domain).Coefficient}", _ => "0" };
        string At(int axis) => live.Count == 1 ? "e" : Coord(live, axis);
        foreach (var leaf in k.Leaves)
        {
            var place = Where(leaf);
            var strides = DomainStrides(leaf, domain);
            string idx = Sum(new[] { place.Offset }.Concat(reach is not null ? [FlatIndex(reach[leaf])] : live.Select(i => Mul(At(i), strides[i]))));
            lines.Add($"float l{leaf.Id} = {Array(place.Region)}[{idx}];");
        }
        lines.AddRange(Body(k, vector: false));
        var outPlace = Where(k.Root);
        var outStrides = OutputStrides(k, domain);
        string o = Sum(new[] { outPlace.Offset }.Concat(reach is not null ? ["e"] : live.Select(i => Mul(At(i), outStrides[i]))));
        string arr = Array(outPlace.Region);
        // a sum into one value: each thread adds its elements in double and its sum once (a float atomic per element
        // drifted by a percent over a million and serialises a GPU on one address), as the flat kernel structs' totals
        bool oneSum = k.Kind == KernelKind.Reduce && !single && Reduction(k).Additive && k.Root.Shape.Dims.All(d => d.IsOne);
        if (oneSum) lines.Add($"acc += {ResultOf(k)};");
        else if (k.Kind == KernelKind.Reduce) lines.Add(Reduction(k).Atomic($"{arr}[{o}]", ResultOf(k)));
        else if (k.Accumulates) lines.Add($"{arr}[{o}] += {ResultOf(k)};");
        else lines.Add($"{arr}[{o}] = {ResultOf(k)};");
        lines = Fold(lines);
        if (single && lines.Count == 1) w.Line($"if (index == 0) {lines[0]}");
        else if (single)
        {
            w.Line("if (index != 0) return;");
            foreach (var line in lines) w.Line(line);
        }
        else
        {
            // a shared kernel takes its element count as an argument (d.__count): kernels that differ only in size are one
            string count = _blockOffsetsAsArgs ? "d." + KernelLibrary.CountField : domain.Count.Emit("d.");
            string loop = $"for (int e = index; e < {count}; e += stride)";
            if (oneSum) w.Line("double acc = 0;");
            if (lines.Count == 1) w.Line(loop).Line("    " + lines[0]);
            else
            {
                w.Open(loop);
                foreach (var line in lines) w.Line(line);
                w.Close();
            }
            if (oneSum) w.Line($"if (index < {count}) Atomics.Add(ref {arr}[{o}], (float)acc);");
        }
        w.Close();
    }

    /// <summary>The statements of a kernel over one element (every dim 1), folded: straight-line, whatever chunk it is given.</summary>
    private List<string> SingleLines(Kernel k, ReduceMode mode)
    {
        var lines = k.Leaves.Select(leaf => Where(leaf) is var place ? $"float l{leaf.Id} = {Source(LeafArray(k, leaf, place.Region))}[{place.Offset}];" : "").Concat(Body(k, vector: false)).ToList();
        string v = ResultOf(k), o = $"a.Y[{Where(k.Root).Offset}]";
        if (mode == ReduceMode.All)
        {
            lines.Add($"float acc = {Reduction(k).IdentityLiteral};");
            lines.Add(Reduction(k).Accumulate("acc", v));
            lines.Add("return acc;");
        }
        else lines.Add(k.Accumulates ? $"{o} += {v};" : $"{o} = {v};");
        return Fold(lines);
    }

    /// <summary>
    /// The managed form of a column total (<see cref="ReduceMode.Columns"/>) over columns [start, end): for each column (a
    /// vector of them at a time) the rows are combined in a register, in row order, and the total stored once (added
    /// to the output when the kernel accumulates into a gradient).
    /// </summary>
    private void EmitColumns(SourceWriter w, Kernel k, Shape domain, List<int> live, bool vector)
    {
        int rowAxis = live[0], colAxis = live[1];
        var r = Reduction(k);
        w.Line($"int rows = (int)({domain[rowAxis].Emit("d.")});");
        EmitArrayStarts(w, k, output: false);
        w.Line($"ref float o = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a.Y), {Where(k.Root).Offset});");
        string row = Coord(live, rowAxis);
        void Rows(bool vectors, bool partial = false)
        {
            w.Open($"for (int {row} = 0; {row} < rows; {row}++)");
            foreach (var leaf in k.Leaves)
            {
                var place = Where(leaf);
                var strides = DomainStrides(leaf, domain);
                string at = Sum(new[] { place.Offset, Mul(row, strides[rowAxis]) });
                string arr = LeafArray(k, leaf, place.Region) + "r";
                var last = strides[colAxis];
                w.Line(vectors
                    ? last.Coefficient == 0 ? $"var l{leaf.Id} = S.Create(Unsafe.Add(ref {arr}, {at}));" : $"var l{leaf.Id} = S.Load(ref Unsafe.Add(ref {arr}, {at}), c{(partial ? ", stop - c" : "")});"
                    : $"float l{leaf.Id} = Unsafe.Add(ref {arr}, {Sum(new[] { at, Mul("c", last) })});");
            }
            foreach (var s in Body(k, vectors)) w.Line(s);
            w.Line(vectors ? r.VectorAccumulate("vacc", ResultOf(k)) : r.Accumulate("acc", ResultOf(k)));
            w.Close();
        }
        if (vector)
        {
            // S.Count columns at a time, then one partial vector (its loads read only the columns left, its store writes
            // only those): every column takes the same vector formulas, whatever the width or the split across workers
            w.Open("for (; c + S.Count <= stop; c += S.Count)");
            w.Line($"S vacc = {r.VectorIdentity};");
            Rows(vectors: true);
            w.Line(k.Accumulates ? "(S.Load(ref o, c) + vacc).Store(ref o, c);" : "vacc.Store(ref o, c);");
            w.Close();
            w.Open("if (c < stop)");
            w.Line($"S vacc = {r.VectorIdentity};");
            Rows(vectors: true, partial: true);
            w.Line(k.Accumulates ? "(S.Load(ref o, c, stop - c) + vacc).Store(ref o, c, stop - c);" : "vacc.Store(ref o, c, stop - c);");
            w.Close();
            return;
        }
        w.Open("for (; c < stop; c++)");
        w.Line($"float acc = {r.IdentityLiteral};");
        Rows(vectors: false);
        w.Line(k.Accumulates ? "Unsafe.Add(ref o, c) += acc;" : "Unsafe.Add(ref o, c) = acc;");
        w.Close();
    }

    /// <summary>
    /// The coordinate of a live axis, named by its place among the live axes (i0, i1, …): kernels that differ only in
    /// size-1 dims ([1, 500] and [500, 1]) are the same code, emitted once.
    /// </summary>
    private static string Coord(List<int> live, int axis) => "i" + live.IndexOf(axis);

    /// <summary>A reference {array}r to the start of each array the kernel reads (and of its output's array, y).</summary>
    private void EmitArrayStarts(SourceWriter w, Kernel k, bool output)
    {
        var arrays = k.Leaves.Select(leaf => LeafArray(k, leaf, Where(leaf).Region));
        foreach (var array in (output ? arrays.Append("y") : arrays).Distinct())
            w.Line($"ref float {array}r = ref MemoryMarshal.GetArrayDataReference({Source(array)});");
    }

    /// <summary>Splits a flat index into coordinates i0, i1, … for the given axes, a prefix of the live axes (row-major).</summary>
    private static void EmitCoords(SourceWriter w, Shape domain, string flat, IReadOnlyList<int> axes, string type)
    {
        if (axes.Count == 0) return;
        if (axes.Count == 1) { w.Line($"int i0 = {(type == "int" ? flat : $"(int){flat}")};"); return; }
        w.Line($"{(type == "int" ? "int" : "long")} rest = {flat};");
        for (int j = axes.Count - 1; j > 0; j--)
        {
            string dim = domain[axes[j]].Emit("d.");
            w.Line($"int i{j} = (int)(rest % ({dim})); rest /= {dim};");
        }
        w.Line("int i0 = (int)rest;");
    }

    /// <summary>
    /// Each operand's reach when the kernel is a flat kernel struct, else null. Such a kernel is only its value at one
    /// element, over floats and over vectors (<see cref="EmitStruct"/>); the runtime's shared loops (FlatLoops,
    /// FlatLoopsGpu) run it over its domain. It is a vectorised map, or a sum of all its elements, of one to four
    /// operands, each read whole (Dense: covering the domain in row-major order), as one value (One), or as a row of a
    /// power-of-two length broadcast down the rows (Row: read at c &amp; (cols - 1)); a map writes its whole domain.
    /// </summary>
    public IReadOnlyList<(Node Leaf, string Reach, long Cols)>? StructOperands(Kernel k)
    {
        if (_structs.TryGetValue(k, out var known)) return known;
        return _structs[k] = FindStructOperands(k);
    }

    private readonly Dictionary<Kernel, IReadOnlyList<(Node, string, long)>?> _structs = new();

    private IReadOnlyList<(Node Leaf, string Reach, long Cols)>? FindStructOperands(Kernel k)
    {
        if (k.Leaves.Count is 0 or > 4 || !HasVectorForms(k)) return null;
        var mode = ModeOf(k);
        if (!(mode is ReduceMode.None or ReduceMode.Rows || mode == ReduceMode.All && Reduction(k).Additive)) return null;
        var domain = Domain(k);
        var live = LiveAxes(domain);
        // one element: each operand is one value, read as a one-element partial vector (as any domain shorter than a vector)
        if (live.Count == 0) return mode == ReduceMode.Rows ? null : k.Leaves.Select(leaf => (leaf, "Dense", 0L)).ToList();
        // the dims its body reads are KernelArgs (a kernel reading more keeps its plan's Bound: not a struct)
        var dims = new HashSet<string>(Body(k, vector: false).SelectMany(line => System.Text.RegularExpressions.Regex.Matches(line, @"\bd\.@?(\w+)").Cast<System.Text.RegularExpressions.Match>().Select(m => m.Groups[1].Value)));
        if (dims.Count > 16) return null;
        var dense = new Size[domain.Rank];
        var stride = Size.Of(1);
        for (int i = domain.Rank - 1; i >= 0; i--) { dense[i] = stride; stride = stride * domain[i]; }
        long cols = Cols(domain) is { IsConstant: true } c ? c.Coefficient : 0;
        // a row read at c & (cols - 1) by vectors that start at multiples of their lanes: a power of two, 8 lanes or more
        bool rows = cols >= 8 && (cols & (cols - 1)) == 0;
        int last = live[live.Count - 1];
        var leading = live.Take(live.Count - 1).ToList();
        // the steps of one value per row: row-major over the leading live axes
        var perRow = new Size[domain.Rank];
        stride = Size.Of(1);
        for (int i = leading.Count - 1; i >= 0; i--) { perRow[leading[i]] = stride; stride = stride * domain[leading[i]]; }
        string? Of(Size[] st, bool rowLoops) =>
            live.All(i => st[i] == dense[i]) ? "Dense"
            : live.All(i => st[i].Coefficient == 0) ? "One"
            : (rows || rowLoops) && leading.All(i => st[i].Coefficient == 0) && st[last].IsOne ? "Row"
            : rowLoops && leading.Count > 0 && st[last].Coefficient == 0 && leading.All(i => st[i] == perRow[i]) ? "Col"
            : null;
        List<(Node, string, long)>? Operands(bool rowLoops)
        {
            var result = new List<(Node, string, long)>();
            foreach (var leaf in k.Leaves)
            {
                if (Of(DomainStrides(leaf, domain), rowLoops) is not { } reach) return null;
                result.Add((leaf, reach, cols));
            }
            return result;
        }
        // the flat loops: a map or a total, the operands whole, one value, or a power-of-two row
        if ((mode == ReduceMode.None && Of(OutputStrides(k, domain), false) == "Dense" || mode == ReduceMode.All) && Operands(false) is { } flat)
            return flat;
        // the Rows loops, rows of any length: a map, a sum of each row or of all of them, whose operands may also be one
        // value per row
        if (leading.Count == 0 || !(mode == ReduceMode.None || mode is ReduceMode.Rows or ReduceMode.All && Reduction(k).Additive)) return null;
        if (mode != ReduceMode.All && Of(OutputStrides(k, domain), true) != (mode == ReduceMode.None ? "Dense" : "Col")) return null;
        if (Operands(true) is not { } byRows) return null;
        _rowLoops.Add(k);
        return byRows;
    }

    private readonly HashSet<Kernel> _rowLoops = new();

    /// <summary>Whether a kernel struct runs in the runtime's Rows loops (whole rows of any length, an operand per row or
    /// per column, or a sum per row) rather than its flat loops.</summary>
    public bool RowLoops(Kernel k) => StructOperands(k) is not null && _rowLoops.Contains(k);

    /// <summary>
    /// A flat kernel struct (<see cref="StructOperands"/>): <c>Apply</c> over floats (its ILGPU form, which
    /// FlatLoopsGpu's loop runs) and over vectors (its managed form, FlatLoops's): only its value at one element. Which
    /// loop runs it (a map or a total, each operand's reach) is its plan's, so two plans that loop over the same
    /// expression differently share it.
    /// </summary>
    public void EmitStruct(SourceWriter w, Kernel k, string name)
    {
        _blockOffsetsAsArgs = true;
        var operands = StructOperands(k)!;
        int n = operands.Count;
        w.Open($"public struct {name} : IKernel{n}");
        const string inline = "[MethodImpl(MethodImplOptions.AggressiveInlining)] ";
        void Method(string signature, List<string> lines)
        {
            // one expression, or a few short statements, on the signature's line; else a block
            if (lines.Count == 1) w.Line($"{signature} => {lines[0].Substring("return ".Length)}");
            else if (lines.Sum(l => l.Length) <= 150) w.Line($"{signature} {{ {string.Join(" ", lines)} }}");
            else
            {
                w.Open(signature);
                foreach (var line in lines) w.Line(line);
                w.Close();
            }
        }
        string Parameters(string type) => string.Join(", ", k.Leaves.Select(leaf => $"{type} l{leaf.Id}"));
        Method($"{inline}public float Apply({Parameters("float")}, KernelArgs d)", Fold(Body(k, vector: false).Append($"return {ResultOf(k)};")));
        Method($"{inline}public S Apply<S>({Parameters("S")}, KernelArgs d) where S : struct, IVector<S>", Fold(Body(k, vector: true).Append($"return {ResultOf(k)};")));
        w.Close();
    }

    /// <summary>The managed form(s) a plan passes for a kernel's method: a vector form at 16 and 8 lanes (8 alone where
    /// 16 cannot run it, <see cref="Wide"/>), for the runtime to pick by the machine's width; else the one method.</summary>
    public string ManagedForms(Kernel k, string method) => Lanes(k) switch
    {
        0 => method,
        16 => $"{method}<global::Kiln.Kernels.Vec16>, {method}<global::Kiln.Kernels.Vec8>",
        _ => $"{method}<global::Kiln.Kernels.Vec8>",
    };

    public void EmitManaged(SourceWriter w, Kernel k, string name, string argType)
    {
        _blockOffsetsAsArgs = argType == "KernelArgs";
        var domain = Domain(k);
        var mode = ModeOf(k);
        var live = LiveAxes(domain);
        var reach = FlatReach(k);
        bool flat = reach is not null;
        var rowAxes = flat ? new List<int>() : live.Take(System.Math.Max(0, live.Count - 1)).ToList();
        int lastAxis = live.Count > 0 ? live[live.Count - 1] : -1;
        bool vector = Vectorizable(k);
        // one element: straight-line statements, whatever chunk it is given (folded once, for either form of method)
        var single = live.Count == 0 && (k.Kind != KernelKind.Reduce || mode == ReduceMode.All) ? SingleLines(k, mode) : null;
        // elements [c, stop) of the domain when the form runs them as one segment (or columns); else [start, end), cut at row ends
        bool segment = mode == ReduceMode.Columns || rowAxes.Count == 0;
        string ret = mode == ReduceMode.All ? "double" : "void", parameters = $"(KernelArrays a, {argType} d, {(segment ? "int c, int stop" : "int start, int end")})";
        // optimised from the first call: a training loop's first steps run at full speed, not as tier-0 code
        const string optimized = "[MethodImpl(MethodImplOptions.AggressiveOptimization)] ";
        // the vector form is generic over its lanes: the plan passes it at both widths (ManagedForms), the runtime picks one
        if (vector) w.Open($"{optimized}public static {ret} {name}<S>{parameters} where S : struct, IVector<S>");
        else if (single is { Count: 1 } && k.Kind != KernelKind.Reduce)
        {
            // one statement (the store): the method is that expression
            w.Line($"{optimized}public static {ret} {name}{parameters} => {single[0]}");
            return;
        }
        else w.Open($"{optimized}public static {ret} {name}{parameters}");
        if (single is not null)
        {
            foreach (var line in single) w.Line(line);
            w.Close();
            return;
        }
        if (mode == ReduceMode.Columns)
        {
            EmitColumns(w, k, domain, live, vector);
            w.Close();
            return;
        }
        // a domain of one row (at most one live axis) is one segment; otherwise [start, end) is cut at row ends, and each
        // row's references start from a reference to the start of each array the kernel reads or writes
        bool oneRow = rowAxes.Count == 0;
        string Start(string array) => oneRow ? $"MemoryMarshal.GetArrayDataReference({Source(array)})" : array + "r";
        if (!oneRow)
        {
            EmitArrayStarts(w, k, output: true);
            if (mode == ReduceMode.All) w.Line($"double total = {Reduction(k).IdentityLiteral};");
            w.Line($"long cols = {Cols(domain).Emit("d.")};");
            w.Open("for (long e = start; e < end;)");
            w.Line("long row = e / cols;");
            w.Line("int c = (int)(e - row * cols);");
            w.Line("int stop = (int)Math.Min(cols, c + (end - e));");
            w.Line("e += stop - c;");
            EmitCoords(w, domain, "row", rowAxes, "long");
        }
        // a flat kernel's index into an operand: c, or the column for a row broadcast down the rows
        // (c is never negative: a power-of-two row length is a mask, not the signed % the JIT must keep for a negative c)
        string At(Node leaf) => reach is null || reach[leaf] != Reach.Column ? "c"
            : Cols(domain).Coefficient is var cols && (cols & (cols - 1)) == 0 ? $"c & {cols - 1}" : $"c % {cols}";
        var lasts = new Dictionary<Node, Size>();
        var one = new Dictionary<Node, string>();
        foreach (var leaf in k.Leaves)
        {
            var place = Where(leaf);
            var strides = DomainStrides(leaf, domain);
            lasts[leaf] = lastAxis < 0 ? Size.Of(0) : flat ? Size.Of(reach![leaf] == Reach.One ? 0 : 1) : strides[lastAxis];
            string idx = Sum(new[] { place.Offset }.Concat(rowAxes.Select(i => Mul(Coord(live, i), strides[i]))));
            // one value read where it is used (the same for the whole segment); a row or column through a reference
            if (oneRow && lasts[leaf].Coefficient == 0) one[leaf] = $"{Source(LeafArray(k, leaf, place.Region))}[{idx}]";
            else w.Line($"ref float b{leaf.Id} = ref Unsafe.Add(ref {Start(LeafArray(k, leaf, place.Region))}, {idx});");
        }
        string One(Node leaf) => one.TryGetValue(leaf, out var value) ? value : "b" + leaf.Id;
        var outPlace = Where(k.Root);
        var outStrides = OutputStrides(k, domain);
        string outRow = Sum(new[] { outPlace.Offset }.Concat(rowAxes.Select(i => Mul(Coord(live, i), outStrides[i]))));
        // a total over everything returns its value (the runtime combines the chunks' totals): no output reference
        if (mode != ReduceMode.All) w.Line($"ref float o = ref Unsafe.Add(ref {Start("y")}, {outRow});");
        bool lastReduced = k.Kind == KernelKind.Reduce && (lastAxis < 0 || outStrides[lastAxis].Coefficient == 0);
        SourceWriter? body = null;
        if (k.Kind == KernelKind.Reduce && lastReduced) w.Line($"float acc = {Reduction(k).IdentityLiteral};");
        if (vector)
        {
            // the body is written once, as a local function of the leaves' vectors: whole vectors run it in the loop
            // (inlined), and the last, partial vector of a segment (fewer than S.Count elements left) masked
            var r = k.Kind == KernelKind.Reduce ? Reduction(k) : null;
            string Call(bool tail) => "Body(" + string.Join(", ", k.Leaves.Select(leaf =>
                lasts[leaf].Coefficient == 0 ? $"S.Create({One(leaf)})"
                : At(leaf) is "c" ? (tail ? $"S.Load(ref b{leaf.Id}, c, stop - c)" : $"S.Load(ref b{leaf.Id}, c)")
                // a bias row read at the column: a vector never crosses its row's end (rows are a multiple of the lanes)
                : $"S.Load(ref b{leaf.Id}, {At(leaf)})")) + ")";
            string whole = Call(tail: false), part = Call(tail: true);
            // a do-while, not a for: with the lane count a type's member, the JIT hoists the body's constants out of this form
            string Loop(string statement) => $"if (c <= stop - S.Count) do {statement} while ((c += S.Count) <= stop - S.Count);";
            const string last = "if (c < stop) ", at = "ref o, c", rest = "ref o, c, stop - c";
            if (r is not null && lastReduced)
            {
                // the lanes are combined before the tail: the accumulator stays in a register through the loop
                w.Line($"S vacc = {r.VectorIdentity};");
                w.Line(Loop(r.VectorAccumulate("vacc", whole)));
                w.Line(r.Accumulate("acc", r.AcrossLanes("vacc")));
                w.Line(last + r.Accumulate("acc", r.AcrossLanes($"S.Keep({part}, stop - c, {r.VectorIdentity})")));
            }
            else if (r is not null)
            {
                w.Line(Loop($"{r.VectorCombine($"S.Load({at})", whole)}.Store({at});"));
                w.Line($"{last}{r.VectorCombine($"S.Load({rest})", part)}.Store({rest});");
            }
            else if (k.Accumulates)
            {
                w.Line(Loop($"(S.Load({at}) + {whole}).Store({at});"));
                w.Line($"{last}(S.Load({rest}) + {part}).Store({rest});");
            }
            else
            {
                w.Line(Loop($"{whole}.Store({at});"));
                w.Line($"{last}{part}.Store({rest});");
            }
            var lines = Fold(Body(k, vector: true).Append($"return {ResultOf(k)};"));
            body = new SourceWriter();
            // static unless a constant reads a dim (1/N of a mean): then it reads the kernel's d
            string signature = $"[MethodImpl(MethodImplOptions.AggressiveInlining)] {(lines.Any(l => l.Contains("d.")) ? "" : "static ")}S Body({string.Join(", ", k.Leaves.Select(leaf => $"S l{leaf.Id}"))})";
            if (lines.Count == 1) body.Line($"{signature} => {lines[0].Substring("return ".Length)}");
            else
            {
                body.Open(signature);
                foreach (var line in lines) body.Line(line);
                body.Close();
            }
        }
        else
        {
            var lines = k.Leaves.Select(leaf => lasts[leaf].Coefficient == 0 ? $"float l{leaf.Id} = {One(leaf)};"
                : $"float l{leaf.Id} = Unsafe.Add(ref b{leaf.Id}, {(flat ? At(leaf) : Mul("c", lasts[leaf]))});").Concat(Body(k, vector: false)).ToList();
            string sv = ResultOf(k);
            if (k.Kind == KernelKind.Reduce && lastReduced) lines.Add(Reduction(k).Accumulate("acc", sv));
            else if (k.Kind == KernelKind.Reduce) lines.Add(Reduction(k).Accumulate("Unsafe.Add(ref o, c)", sv));
            else if (k.Accumulates) lines.Add($"Unsafe.Add(ref o, c) += {sv};");
            else lines.Add($"Unsafe.Add(ref o, c) = {sv};");
            lines = Fold(lines);
            if (lines.Count == 1) w.Line("for (; c < stop; c++)").Line("    " + lines[0]);
            else
            {
                w.Open("for (; c < stop; c++)");
                foreach (var line in lines) w.Line(line);
                w.Close();
            }
        }
        if (oneRow)
        {
            if (mode == ReduceMode.All) w.Line("return acc;");
            else if (k.Kind == KernelKind.Reduce && lastReduced) w.Line(Reduction(k).Accumulate("o", "acc"));
        }
        else
        {
            if (k.Kind == KernelKind.Reduce && lastReduced)
                w.Line(Reduction(k).Accumulate(mode == ReduceMode.All ? "total" : "o", "acc"));
            w.Close();
            if (mode == ReduceMode.All) w.Line("return total;");
        }
        if (body is not null)
        {
            w.Line();
            w.Raw(body.ToString());
        }
        w.Close();
    }
}

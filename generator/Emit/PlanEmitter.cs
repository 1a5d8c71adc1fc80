using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Fuse;
using Kiln.Generator.Ir;
using Kiln.Generator.Ops;
using Kiln.Generator.Plan;

namespace Kiln.Generator.Emit;

/// <summary>Everything emission needs about one compiled method.</summary>
/// <paramref name="InputGrads"/>: each [RequiresGrad] input's name and the node holding d loss / d input.
internal sealed record CompiledMethod(MethodGraph Graph, Fusion Fusion, MemoryPlan Memory, Node Output, bool IsLoss, IReadOnlyList<(string Input, Node Grad)> InputGrads,
    IReadOnlyList<BufferUse> Buffers);

/// <summary>A [Buffer] a method touches: its offset in the buffer block, the leaf reading it (or null), the node holding its new value (or null).</summary>
internal sealed record BufferUse(string Path, int Offset, Node? Read, Node? Written);

/// <summary>
/// Emits the host plan of one method: the Bound struct (dims and offsets), the constructor that binds dims,
/// allocates once and loads kernels, input checks, and the launch sequence for both paths.
/// </summary>
internal sealed class PlanEmitter(CompiledMethod m, IReadOnlyList<ParamLayout> layout, string modelType, KernelLibrary library)
{
    private Dictionary<Kernel, KernelLibrary.Entry>? _entries;

    /// <summary>Each fused kernel of this plan as registered in the model's library (its method, and what to pass).</summary>
    private Dictionary<Kernel, KernelLibrary.Entry> Entries => _entries ??= m.Fusion.Kernels.Where(k => k.Kind != KernelKind.Library)
        .ToDictionary(k => k, k => library.Register((name, argType) => RenderKernel(k, name, argType), $"{modelType}.{ClassName}.Bound", Views(k)));

    /// <summary>The Bound fields of the stored tensors that <paramref name="k"/>'s view operands read, each with one such view.</summary>
    private Dictionary<string, int> Views(Kernel k)
    {
        var views = new Dictionary<string, int>();
        foreach (var leaf in k.Leaves)
            if (Memory.Storage(leaf) is var storage && storage != leaf && !views.ContainsKey(MemoryPlan.FieldName(storage)))
                views[MemoryPlan.FieldName(storage)] = leaf.Id;
        return views;
    }

    /// <summary>The values a kernel takes: its KernelArgs (the Bound fields it reads, by position), or the plan's Bound when it is not shared.</summary>
    private string ArgsOf(Kernel k) => Entries[k].Args switch
    {
        null => "_d",
        { Count: 0 } => "default",
        var args => $"new() {{ {string.Join(", ", args.Select((f, i) => $"A{i} = {(f == KernelLibrary.CountField ? Count(KernelEmitter.Domain(k)) : KernelLibrary.BlockOffset(f) ?? "_d." + f)}"))} }}",
    };
    private string ArgTypeOf(Kernel k) => Entries[k].Args is null ? "Bound" : "global::Kiln.Kernels.KernelArgs";

    /// <summary>How a fused kernel is launched: its domain and, for a reduction, how its output starts.</summary>
    private string LaunchOf(Kernel k)
    {
        string total = Dim(KernelEmitter.Domain(k).Count);
        var mode = KernelEmitter.ModeOf(k);
        if (mode == KernelEmitter.ReduceMode.None)
            return Emitter.RowLoops(k) ? $"{Lib("Launch")}.RowMap({total}, {Dim(KernelEmitter.Cols(KernelEmitter.Domain(k)))}{(k.Accumulates ? ", accumulate: true" : "")})"
                : $"{Lib("Launch")}.Map({total}{(k.Accumulates ? ", accumulate: true" : "")})";
        var r = KernelEmitter.Reduction(k);
        string options = (k.Accumulates ? ", accumulate: true" : "") + (r.Identity != 0 ? $", identity: {OpDef.Float(r.Identity)}" : "")
            + (mode == KernelEmitter.ReduceMode.All && !r.Additive ? $", combine: {Kernels}.{Entries[k].Name}Combine" : "");
        return mode switch
        {
            KernelEmitter.ReduceMode.All when Emitter.RowLoops(k) => $"{Lib("Launch")}.TotalByRows({total}, {Dim(KernelEmitter.Cols(KernelEmitter.Domain(k)))}{(k.Accumulates ? ", accumulate: true" : "")})",
            KernelEmitter.ReduceMode.All => $"{Lib("Launch")}.Total({total}{options})",
            KernelEmitter.ReduceMode.Rows => $"{Lib("Launch")}.Rows({total}, {Dim(KernelEmitter.Cols(KernelEmitter.Domain(k)))}{options})",
            KernelEmitter.ReduceMode.Columns => $"{Lib("Launch")}.Columns({total}, {Dim(KernelEmitter.Cols(KernelEmitter.Domain(k)))}{options})",
            _ => $"{Lib("Launch")}.Serial({total}{options})",
        };
    }

    /// <summary>One operand of a flat kernel struct: where it lives (a block, or a bound slot) and how it is read.</summary>
    private string In((Node Leaf, string Reach, long Cols) operand)
    {
        var leaf = operand.Leaf;
        string at = SlotOf(leaf) is var slot && slot >= 0 ? $"Bound({slot}, {Off(leaf)})"
            : $"{Reg(leaf) switch { Region.Param => "Params", Region.Grad => "Grads", _ => "Work" }}({Off(leaf)})";
        return $"{Lib("In")}.{at}{operand.Reach switch { "One" => ".One", "Row" => operand.Cols > 0 ? $".Row({operand.Cols})" : ".Row()", "Col" => ".Col", _ => "" }}";
    }

    /// <summary>Where a fused kernel writes: its block and offset, or the bound output slot.</summary>
    private string OutputOf(Kernel k)
    {
        var root = k.Root;
        string place = $"{Off(root)}, {Count(root)}";
        if (SlotOf(root) is var slot && slot >= 0) return $"{Lib("Output")}.Bound({slot}, {place})";
        return $"{Lib("Output")}.{Reg(root) switch { Region.Param => "Parameters", Region.Grad => "Gradients", _ => "Work" }}({place})";
    }

    private KernelEmitter? _emitter;
    /// <summary>The kernels' emitter, which asks this plan which slots are bound.</summary>
    private KernelEmitter Emitter => _emitter ??= new(m.Memory, layout, SlotOf);

    /// <summary>The slots bound on the managed path (the memory plan's: float tensor inputs, then a forward plan's one output).</summary>
    private IReadOnlyDictionary<Node, int> Bound => Memory.Bound;

    /// <summary>The bound slot holding a node's memory (a view's base's), or -1.</summary>
    private int SlotOf(Node n) => Bound.TryGetValue(Memory.Storage(n), out int slot) ? slot : -1;

    /// <summary>The output's slot when it is bound, else -1.</summary>
    private int OutputSlot => !m.IsLoss && Outputs.Count == 1 && Bound.Count > 0 && SlotOf(m.Output) == m.Graph.Inputs.Count ? m.Graph.Inputs.Count : -1;

    /// <summary>The array holding a node on a path: a bound slot's on the managed path, else its region's.</summary>
    private string PlaceOf(Node n) => SlotOf(n) is var slot && slot >= 0 ? $"Slot({slot})" : Place(Reg(n));
    private MemoryPlan Memory => m.Memory;

    public string ClassName => m.Graph.Method.Name + "Plan";


    // Types the plan names, qualified: the plan is nested in the user's class, where any member or type the user
    // declares (a field named Math, a class named Span) would otherwise capture the short name.
    private const string Span = "global::System.Span", ReadOnlySpan = "global::System.ReadOnlySpan";

    /// <summary>The prefix of plan members in methods whose parameters carry the user's input names (an input may be named Work or _d).</summary>
    private const string Self = "this.";

    /// <summary>
    /// The attribute of the overloads on arrays: a collection expression converts to a span or an array, so a call passing
    /// one beside an array (<c>Run([1f, 2f], output)</c>) would be ambiguous (CS0121) between the span and array overloads;
    /// it takes the array overload, which binds the arrays in place.
    /// </summary>
    private const string FirstChoice = "[global::System.Runtime.CompilerServices.OverloadResolutionPriority(1)] ";

    /// <summary>The prefix of the base class's static input checks.</summary>
    private const string Checks = "global::Kiln.Plan.";

    /// <summary>A block as a library kernel's operand (the plan's names for the runtime's <c>Place</c>s).</summary>
    private static string Place(Region r) => r switch { Region.Param => "Params", Region.Grad => "Grads", Region.Targets => "Ints", _ => "Arena" };

    private string Off(Node n) => Memory.Of(n, layout).Offset.Replace("d.", "_d.");
    private string SelfOff(Node n) => Memory.Of(n, layout).Offset.Replace("d.", Self + "_d.");
    private Region Reg(Node n) => Memory.Of(n, layout).Region;
    private static string Dim(Size s) => s.Emit("_d.");

    /// <summary>A shape as an int[] expression over the bound dims.</summary>
    private static string ShapeArray(Shape shape) => "[" + string.Join(", ", shape.Dims.Select(d => Dim(d) is var e && e.Contains("(long)") ? $"(int)({e})" : e)) + "]";
    private static string SelfDim(Size s) => s.Emit(Self + "_d.");

    private IEnumerable<(Node Input, string Classes, int Ignore)> TargetChecks() =>
        m.Fusion.Kernels.Where(k => PickOp.PicksClasses(k.Root) && Unviewed(k.Root.Inputs[1]).Op == Leaves.Input)
            .Select(k => (Unviewed(k.Root.Inputs[1]), Dim(k.Root.Inputs[0].Shape[k.Root.Inputs[0].Shape.Rank - 1]), k.Root.Attrs.Ignore))
            .Distinct();

    /// <summary>The tensor under reshapes (K-dim targets are flattened views of the input).</summary>
    private static Node Unviewed(Node n) => ViewOp.IsReshape(n) ? Unviewed(n.Inputs[0]) : n;

    /// <summary>IntTensor inputs used as indices, with the size of the dim they index and their kind (GraphBuilder.Indices).</summary>
    private IEnumerable<(Node Input, long Size, int Kind)> IndexChecks() =>
        m.Fusion.Kernels.Where(k => k.Root.Op == IndicesOp.Instance && k.Root.Attrs.Value > 0)
            .Select(k => (k.Root.Inputs[0], (long)k.Root.Attrs.Value, k.Root.Attrs.Ignore))
            .Distinct();

    /// <summary>The host check of an index input: in [0, size), or also -1 for padded target lists (MultilabelMarginLoss), or
    /// a length in [0, size - 1] (CTC's input and target lengths).</summary>
    private static string IndexCheck(string name, string values, long size, int kind) => kind switch
    {
        -1 => $"{Checks}CheckTargets(\"{name}\", {values}, {size}, -1);",
        -2 => $"{Checks}CheckLengthValues(\"{name}\", {values}, {size - 1});",
        _ => $"{Checks}CheckIndices(\"{name}\", {values}, {size});",
    };

    /// <summary>Concatenated CTC targets: the target-lengths input, which must add up to the targets' count, and the targets' name.</summary>
    private IEnumerable<(Node Lengths, long Count, string Targets)> LengthTotals() =>
        m.Fusion.Kernels.Select(k => k.Root).Where(n => n.Op == CtcOp.Loss && n.Attrs.Args[1] != 0 && Unviewed(n.Inputs[3]).Op == IndicesOp.Instance)
            .Select(n => (Unviewed(n.Inputs[3]).Inputs[0], n.Inputs[1].Shape[0].Coefficient, Unviewed(n.Inputs[1]) is var t && t.Op == IndicesOp.Instance ? t.Inputs[0].Attrs.Name : "targets"))
            .Distinct();

    private static string LengthTotal(string name, string values, long count, string targets) =>
        $"{Checks}CheckLengthTotal(\"{name}\", {values}, \"{targets}\", {count});";

    /// <summary>Embedding lookups (IndexSelect along dim 0 of a parameter by an IntTensor input) whose gradient the plan
    /// computes (its scatter-add runs): their rows are marked for SparseAdam. A Frozen table's, or a lookup behind Detach,
    /// has none, and is not marked (SparseAdam moved such rows by their moments: PyTorch leaves them, grad None).</summary>
    private IEnumerable<(string Path, Node Input)> Embeddings() =>
        m.Graph.Builder.Nodes.Where(n => n.Op == GatherOp.Gather && n.Attrs.Value == 1 && n.Attrs.Dim == 0 && n.Inputs[0].Op == Leaves.Param
                && Unviewed(n.Inputs[1]).Op == IndicesOp.Instance && m.Fusion.Kernels.Any(k => k.Root == n)
                && m.Fusion.Kernels.Any(k => k.GradPath == n.Inputs[0].Attrs.Name && Reaches(k.Root, s => s.Op == GatherOp.ScatterAdd && s.Inputs[1] == n.Inputs[1])))
            .Select(n => (n.Inputs[0].Attrs.Name, Unviewed(n.Inputs[1]).Inputs[0])).Distinct();   // ids.Reshape(-1): the same rows

    /// <summary>Whether <paramref name="from"/> is, or is computed from, a node that <paramref name="holds"/>.</summary>
    private static bool Reaches(Node from, System.Func<Node, bool> holds)
    {
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>();
        stack.Push(from);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (holds(n)) return true;
            foreach (var input in n.Inputs) stack.Push(input);
        }
        return false;
    }

    public void Emit(SourceWriter w)
    {
        var g = m.Graph;
        var symbols = g.Symbols;
        string ctorArgs = string.Join(", ", symbols.Select(s => "int " + Lower(s)));
        var fwd = m.Fusion.Kernels.Count(k => k.Forward);
        string outputs = Outputs.Count > 1 ? "(" + string.Join(", ", Outputs.Select(o => $"{o.Name} {o.Node.Shape}")) + ")" : m.Output.Shape.ToString();
        // what the plan runs and the memory it holds, in one line (Bound's fields, Tn: where tensor tn lives, are the steps' comments' ids)
        int steps = m.Fusion.Kernels.Count;
        string targets = Memory.TargetInts.IsConstant && Memory.TargetInts.Evaluate(new Dictionary<string, int>()) == 0 ? "" : $", {Memory.TargetInts} target ints";
        string boundFloats = Bound.Count > 0 ? $" ({Memory.BoundFloats} in bound slots, not allocated on the managed path)" : "";
        w.Line($"/// <summary>Plan of {g.Method.Name}({string.Join(", ", g.Inputs.Select(i => $"{i.Attrs.Name} {i.Shape}"))}) → {outputs}: {steps} step{(steps == 1 ? "" : "s")}, {fwd} forward; work arena {Memory.WorkFloats} floats{boundFloats}{targets}; {Memory.Slots} activation slot{(Memory.Slots == 1 ? "" : "s")}, {Memory.Reused} reused.</summary>");
        w.Open($"public sealed class {ClassName} : global::Kiln.Plan");
        // the dims, then the offsets, a dozen to a line
        var fields = symbols.Select(Identifier.Escape).Concat(Memory.Fields.Select(f => f.Field)).DefaultIfEmpty("Unused").ToList();
        if (fields.Count <= 12) w.Line($"public struct Bound {{ public int {string.Join(", ", fields)}; }} // the dims, and Tn: where tensor tn lives in its block");
        else
        {
            w.Open("public struct Bound // the dims, and Tn: where tensor tn lives in its block");
            for (int i = 0; i < fields.Count; i += 12) w.Line($"public int {string.Join(", ", fields.Skip(i).Take(12))};");
            w.Close();
        }
        w.Line("private readonly Bound _d;");
        foreach (var group in m.Fusion.Kernels.Where(k => k.Kind == KernelKind.Library).GroupBy(k => ((LibraryOp)k.Root.Op).RuntimeType))
            w.Line($"private readonly {group.Key} {string.Join(", ", group.Select(k => "_l" + k.Index))};");
        // the fused kernels, one declaration per argument type (shared kernels take KernelArgs, the others the plan's Bound)
        foreach (var group in m.Fusion.Kernels.Where(k => k.Kind != KernelKind.Library).GroupBy(ArgTypeOf))
            w.Line($"private readonly global::Kiln.Kernels.Fused<{group.Key}> {string.Join(", ", group.Select(k => "_f" + k.Index))};");
        w.Line();
        // the arena's and the target buffer's sizes for the given dims; the base checks the dims before it sizes anything
        string sizes = $"{Memory.WorkFloats.Emit("").ReplaceSymbols(symbols)}, {Memory.TargetInts.Emit("").ReplaceSymbols(symbols)}";
        // the bound slots' floats, at the arena's end: the managed path does not allocate them (it reads the caller's arrays)
        if (Bound.Count > 0) sizes += $", boundFloats: {Memory.BoundFloats.Emit("").ReplaceSymbols(symbols)}";
        if (symbols.Count > 0) sizes += $", dims: [{string.Join(", ", symbols.Select(s => $"(\"{s}\", {Lower(s)})"))}]";
        // what only the dims' values can tell (an index into a named dim), checked before anything is sized
        if (m.Graph.Builder.Requirements.Count > 0)
            sizes += $", needs: [{string.Join(", ", m.Graph.Builder.Requirements.Select(r => $"({r.Dim.Emit("").ReplaceSymbols(symbols)}, {r.AtLeast}, \"{r.What}\")"))}]";
        // a dim parameter starts with a lower-case letter, so it cannot meet a plan member (upper-case or '_' first)
        w.Open($"internal {ClassName}({modelType} model{(symbols.Count == 0 ? "" : ", " + ctorArgs)}) : base(model.Parameters, Layout, {sizes})");
        // the dims, then the offsets (a bound slot's is 0 on the managed path, where it has an array of its own), a few to a line
        var boundFields = new HashSet<string>(Bound.Keys.Select(MemoryPlan.FieldName));
        var binds = symbols.Select(s => $"_d.{Identifier.Escape(s)} = {Lower(s)};").Concat(Memory.Fields.Select(f =>
        {
            string place = f.Aligned ? $"Align({f.Offset.Emit("_d.")})" : f.Offset.Emit("_d.");
            return boundFields.Contains(f.Field) ? $"_d.{f.Field} = Device.IsManaged ? 0 : {place};" : $"_d.{f.Field} = {place};";
        })).ToList();
        for (int i = 0; i < binds.Count; i += 4) w.Line(string.Join(" ", binds.Skip(i).Take(4)));
        w.Line(Description());
        // an embedding's row marks (SparseAdam's sparse gradient) are made now, not in a first step
        if (m.IsLoss) foreach (var path in Embeddings().Select(e => e.Path).Distinct()) w.Line($"State.TrackRows(\"{path}\");");
        foreach (var k in m.Fusion.Kernels)
        {
            if (k.Kind == KernelKind.Library) w.Line($"_l{k.Index} = {((LibraryOp)k.Root.Op).Construct(Library(k))};");
            else
            {
                string name = $"{Kernels}.{Entries[k].Name}";
                if (Emitter.StructOperands(k) is { } operands)
                {
                    // a flat kernel struct: the runtime's loop that runs it (a map or a total; adding into its output or not;
                    // each operand's reach as a type), its operands in order; 16 lanes and 8 unless a vector of 16 overruns it
                    var mode = KernelEmitter.ModeOf(k);
                    string loop = mode switch { KernelEmitter.ReduceMode.All => Emitter.RowLoops(k) ? "TotalByRows" : "Total", KernelEmitter.ReduceMode.Rows => "RowTotals", _ => Emitter.RowLoops(k) ? "Rows" : "Map" };
                    var types = new List<string> { name };
                    if (mode == KernelEmitter.ReduceMode.None) types.Add(Lib(k.Accumulates ? "AddInto" : "Assign"));
                    types.AddRange(operands.Select(o => Lib(o.Reach)));
                    string lanes = Emitter.Lanes(k) == 16 ? "" : ", wide: false";
                    w.Line($"_f{k.Index} = {Lib("Fused")}.{loop}{operands.Count}<{string.Join(", ", types)}>(this, [{string.Join(", ", operands.Select(In))}], {ArgsOf(k)}, {LaunchOf(k)}, {OutputOf(k)}{lanes});");
                    continue;
                }
                // the bound slots its managed form reads as a.X[0], a.X[1], …
                string slots = Emitter.BoundOf(k) is { Count: > 0 } bound ? $", slots: [{string.Join(", ", bound)}]" : "";
                w.Line($"_f{k.Index} = new(this, {name}, {Emitter.ManagedForms(k, name + "Cpu")}, {ArgsOf(k)}, {LaunchOf(k)}, {OutputOf(k)}{slots});");
            }
        }
        w.Close();
        w.Line();
        EmitEntryPoints(w);
        EmitRun(w);
        w.Close();
    }

    /// <summary>
    /// The constructor's call describing the plan to its base class: where each input lives and the shapes (inputs, then the
    /// first output), and where present a tuple's named outputs, the [Buffer] fields read or written, the input gradients.
    /// </summary>
    private string Description()
    {
        var g = m.Graph;
        string inputs = string.Join(", ", g.Inputs.Select(i => $"(\"{i.Attrs.Name}\", {Off(i)}, {Dim(i.Shape.Count)}, {(i.Attrs.IsInt ? "true" : "false")})"));
        string shapes = string.Join(", ", g.Inputs.Select(i => ShapeArray(i.Shape)).Append(ShapeArray(m.Output.Shape)));
        string more = "";
        // a forward plan's single output: its parameter name, bound slot (-1: in the arena), offset, length and shape
        if (!m.IsLoss && Outputs.Count == 1)
            more += $", output: (\"{Fresh("output", g.Inputs)}\", {OutputSlot}, {Off(m.Output)}, {Count(m.Output)}, \"{m.Output.Shape}\")";
        if (Outputs.Count > 1)
            more += $", outputs: [{string.Join(", ", Outputs.Select(o => $"(\"{o.Name}\", {Off(o.Node)}, {Dim(o.Node.Shape.Count)})"))}]";
        string Slot(Node? n) => n is null ? "-1" : Off(n);
        if (m.Buffers.Count > 0)
            more += $", buffers: [{string.Join(", ", m.Buffers.Select(x => $"({x.Offset}, {Slot(x.Read)}, {Slot(x.Written)}, {Dim((x.Read ?? x.Written)!.Shape.Count)})"))}]";
        if (m.InputGrads.Count > 0)
            more += $", inputGrads: [{string.Join(", ", m.InputGrads.Select(x => $"(\"{x.Input}\", {Off(x.Grad)}, {Dim(x.Grad.Shape.Count)})"))}]";
        // the shapes as declared, for the messages of a wrong length, where a dim is named
        if (g.Inputs.Any(i => i.Shape.Dims.Any(d => !d.IsConstant)))
            more += $", declared: [{string.Join(", ", g.Inputs.Select(i => $"\"{i.Shape}\""))}]";
        if (m.IsLoss) more += ", loss: true";
        // the parameters its backward pass gives a gradient (the others, Frozen or behind Detach, get none: PyTorch's grad None)
        if (m.IsLoss && m.Fusion.Kernels.Select(k => k.GradPath).OfType<string>().Distinct().ToList() is { Count: > 0 } grads)
            more += $", grads: [{string.Join(", ", grads.Select(p => $"\"{p}\""))}]";
        // the defaults Call takes for the inputs left out
        if (TrailingDefaults() is var defaults && defaults.Any(d => d is not null))
            more += $", defaults: [{string.Join(", ", defaults.Select(d => d is { } v ? OpDef.Float(v) : "null"))}]";
        // the bound slots' lengths (the inputs in order, then a forward plan's output; -1: in the arena)
        if (Bound.Count > 0)
        {
            var counts = Enumerable.Repeat("-1", Bound.Values.Max() + 1).ToArray();
            foreach (var pair in Bound) counts[pair.Value] = Dim(pair.Key.Shape.Count);
            more += $", bound: [{string.Join(", ", counts)}]";
        }
        return $"Describe([{inputs}], [{shapes}]{more});";
    }

    /// <summary>A library step as its comment shows it: an input or parameter it reads by its name (x, linear2.weight),
    /// any other value by its id.</summary>
    private static string Step(Node n) =>
        $"t{n.Id} = {n.Op.Name}({string.Join(", ", n.Inputs.Select(i => i.Op == Leaves.Input || i.Op == Leaves.Param ? i.Attrs.Name : "t" + i.Id))}{n.Attrs.Describe()}) {n.Shape}";

    /// <summary>Per input, the default its method declares where it is one of a trailing run of float inputs with defaults
    /// (as C# allows them), else null.</summary>
    private List<double?> TrailingDefaults()
    {
        var defaults = m.Graph.Inputs.Select(i => IsScalar(i) ? m.Graph.Method.Inputs.FirstOrDefault(s => s.Name == i.Attrs.Name)?.Default : null).ToList();
        int first = defaults.Count;
        while (first > 0 && defaults[first - 1] is not null) first--;
        for (int k = 0; k < first; k++) defaults[k] = null;
        return defaults;
    }

    /// <summary>The qualified name of the model's kernels class, as the plan calls it.</summary>
    private string Kernels => library.Qualified;

    /// <summary>One fused kernel in its ILGPU and managed forms (and the combiner of a non-additive total), as this plan
    /// names its nodes and dims; the model's <see cref="KernelLibrary"/> normalises and shares it.</summary>
    private string RenderKernel(Kernel k, string name, string argType)
    {
        var w = new SourceWriter();
        // a flat kernel struct's Apply reads as the expression it computes: its header says what it runs over; any
        // other kernel lists its nodes, which its index arithmetic and KernelArgs comment refer to
        if (Emitter.StructOperands(k) is not null)
        {
            Emitter.EmitStruct(w, k, name);
            return w.ToString();
        }
        w.Line($"// {name}: {Describe(k, shared: true)}");
        foreach (var n in k.Body.Where(n => n.Op != Leaves.Const)) w.Line("//   " + n);
        if (k.Kind == KernelKind.Reduce) w.Line("//   " + k.Root);
        Emitter.EmitIlgpu(w, k, name, argType);
        Emitter.EmitManaged(w, k, name + "Cpu", argType);
        if (KernelEmitter.ModeOf(k) == KernelEmitter.ReduceMode.All && !KernelEmitter.Reduction(k).Additive)
        {
            w.Line();
            w.Line($"public static double {name}Combine(double a, double b) => {KernelEmitter.Reduction(k).Combine("a", "b")};");
        }
        return w.ToString();
    }

    private static string Lower(string s) => Identifier.DimParameter(s);

    /// <summary>The method's outputs with their names: one ("output") or the elements of its returned tuple.</summary>
    private IReadOnlyList<(string Name, Node Node)> Outputs => m.Graph.Method.Outputs.Count == 0
        ? [("output", m.Output)]
        : m.Graph.Method.Outputs.Zip(m.Fusion.MoreOutputs.Prepend(m.Output), (n, o) => (n, o)).ToList();

    /// <summary>A parameter name that no input has (an output named like an input gets '_' appended).</summary>
    private static string Fresh(string name, IReadOnlyList<Node> inputs)
    {
        while (inputs.Any(i => Identifier.Escape(i.Attrs.Name) == name)) name += "_";
        return name;
    }

    /// <summary>A float parameter of the method: a run-time scalar input, passed by value (a 0-d input in the graph).</summary>
    private bool IsScalar(Node input) => m.Graph.Method.Inputs.Any(i => i.Name == input.Attrs.Name && i.IsScalar);

    /// <param name="shared">For the kernel's own header: plans and layers may share the kernel, so a gradient it adds into
    /// is named where it is called, not there.</param>
    /// <param name="named">Whether the output is named by its node (where a listing of nodes follows).</param>
    private string Describe(Kernel k, bool shared = false, bool named = true)
    {
        string what = k.Kind == KernelKind.Reduce ? $"{k.Root.Op.Name.ToLowerInvariant()} over axes {string.Join(",", k.Root.Attrs.Axes)} of {KernelEmitter.Domain(k)}" : $"elementwise over {k.Root.Shape}";
        string target = k.GradPath is { } p ? shared ? ", added into a parameter's gradient" : $", added into grad of '{p}'" : named ? $", writes t{k.Root.Id}" : "";
        string lanes = KernelEmitter.Domain(k).Count.IsOne ? "one element" : Emitter.Lanes(k) switch { 16 => "16 or 8 lanes", 8 => "8 lanes", _ => "scalar loop" };
        return $"{what}{target} ({lanes})";
    }

    private void EmitEntryPoints(SourceWriter w)
    {
        var g = m.Graph;
        var parameters = string.Join(", ", g.Inputs.Select(i => IsScalar(i) ? $"float {Identifier.Escape(i.Attrs.Name)}" : $"{ReadOnlySpan}<{(i.Attrs.IsInt ? "int" : "float")}> {Identifier.Escape(i.Attrs.Name)}"));
        // every input's length is checked before any is placed (a failed call binds and copies nothing), then the class
        // indices' values, then each input is placed: a bound slot (the arena on ILGPU devices; -1: the arena), the
        // target buffer, or a scalar's one float
        var load = new List<string>();
        var tensors = g.Inputs.Where(i => !IsScalar(i)).ToList();
        if (tensors.Count > 0)
            load.Add($"{Self}CheckLengths([{string.Join(", ", g.Inputs.Select(i => IsScalar(i) ? "1" : Identifier.Escape(i.Attrs.Name) + ".Length"))}]);");
        foreach (var (input, classes, ignore) in TargetChecks())
            load.Add($"{Checks}CheckTargets(\"{input.Attrs.Name}\", {Identifier.Escape(input.Attrs.Name)}, {classes.Replace("_d.", Self + "_d.")}, {ignore});");
        foreach (var (input, size, kind) in IndexChecks())
            load.Add(IndexCheck(input.Attrs.Name, Identifier.Escape(input.Attrs.Name), size, kind));
        foreach (var (lengths, count, targets) in LengthTotals())
            load.Add(LengthTotal(lengths.Attrs.Name, Identifier.Escape(lengths.Attrs.Name), count, targets));
        foreach (var i in g.Inputs)
        {
            string name = Identifier.Escape(i.Attrs.Name);
            load.Add(IsScalar(i) ? $"{Self}Work.CopyFrom(new {ReadOnlySpan}<float>(in {name}), {SelfOff(i)});"
                : i.Attrs.IsInt ? $"{Self}Targets.CopyFrom({name}, {SelfOff(i)});"
                : $"{Self}Put({(Bound.TryGetValue(i, out int slot) ? slot : -1)}, {name}, {SelfOff(i)});");
        }
        // where nothing follows the inputs (not the span overloads), a trailing run of float inputs keeps the defaults the method declares
        var defaults = TrailingDefaults();
        var withDefaults = string.Join(", ", g.Inputs.Select((i, k) => IsScalar(i)
            ? $"float {Identifier.Escape(i.Attrs.Name)}{(defaults[k] is { } d ? " = " + OpDef.Float(d) : "")}"
            : $"{ReadOnlySpan}<{(i.Attrs.IsInt ? "int" : "float")}> {Identifier.Escape(i.Attrs.Name)}"));
        // the output's parameter name, unless an input already has it
        string output = Fresh("output", g.Inputs);
        var names = string.Join(", ", g.Inputs.Select(i => Identifier.Escape(i.Attrs.Name)));
        // the call that places the inputs (a plan without inputs has no Load)
        string loadCall = g.Inputs.Count == 0 ? "" : $"{Self}Load({names}); ";
        // the array overloads: each bound input's array is offered to its slot, then the span overload runs (and binds it)
        bool arrays = g.Inputs.Any(Bound.ContainsKey) || OutputSlot >= 0;
        var arrayParameters = string.Join(", ", g.Inputs.Select(i => Bound.ContainsKey(i) ? $"float[] {Identifier.Escape(i.Attrs.Name)}" : IsScalar(i) ? $"float {Identifier.Escape(i.Attrs.Name)}" : $"{ReadOnlySpan}<int> {Identifier.Escape(i.Attrs.Name)}"));
        var offers = string.Concat(g.Inputs.Where(Bound.ContainsKey).Select(i => $"{Self}Offer({Bound[i]}, {Identifier.Escape(i.Attrs.Name)}); "));
        var spanNames = string.Join(", ", g.Inputs.Select(i => Bound.ContainsKey(i) ? $"new {ReadOnlySpan}<float>({Identifier.Escape(i.Attrs.Name)})" : Identifier.Escape(i.Attrs.Name)));
        if (m.IsLoss)
        {
            // with embeddings both entry points run one method; the flag's name is one no input has
            string backward = Fresh("backward", g.Inputs);
            string call = names.Length == 0 ? "" : ", " + names;
            if (!Embeddings().Any())
            {
                // each entry point places its inputs, runs, and reads the loss back (ExecuteLoss)
                w.Line("/// <summary>Runs forward and backward; returns the loss and adds the gradients into the model's gradient block (as loss.backward()).</summary>");
                w.Line($"public float ForwardBackward({withDefaults}) {{ using ({Self}Enter()) {{ {loadCall}return {Self}ExecuteLoss(true, {SelfOff(m.Output)}); }} }}");
                w.Line("/// <summary>Runs the forward pass only and returns the loss; gradients are untouched.</summary>");
                w.Line($"public float Forward({withDefaults}) {{ using ({Self}Enter()) {{ {loadCall}return {Self}ExecuteLoss(false, {SelfOff(m.Output)}); }} }}");
            }
            else
            {
                w.Line("/// <summary>Runs forward and backward; returns the loss and adds the gradients into the model's gradient block (as loss.backward()).</summary>");
                w.Line($"public float ForwardBackward({withDefaults}) => {Self}RunLoss(true{call});");
                w.Line("/// <summary>Runs the forward pass only and returns the loss; gradients are untouched.</summary>");
                w.Line($"public float Forward({withDefaults}) => {Self}RunLoss(false{call});");
                w.Line();
                w.Open($"private float RunLoss(bool {backward}{(parameters.Length == 0 ? "" : ", " + parameters)})");
                w.Open($"using ({Self}Enter())");
                if (loadCall.Length > 0) w.Line(loadCall.TrimEnd());
                // an embedding's looked-up rows are marked for SparseAdam when the run goes backward
                w.Open($"if ({backward})");
                foreach (var (path, input) in Embeddings()) w.Line($"{Self}State.MarkRows(\"{path}\", {Identifier.Escape(input.Attrs.Name)});");
                w.Close();
                w.Line($"return {Self}ExecuteLoss({backward}, {SelfOff(m.Output)});");
                w.Close();
                w.Close();
            }
            if (arrays)
            {
                w.Line("/// <summary>ForwardBackward and Forward reading float inputs from the caller's arrays in place (copied only on ILGPU devices).</summary>");
                w.Line($"{FirstChoice}public float ForwardBackward({arrayParameters}) {{ {offers}return {Self}ForwardBackward({spanNames}); }}");
                w.Line($"{FirstChoice}public float Forward({arrayParameters}) {{ {offers}return {Self}Forward({spanNames}); }}");
            }
        }
        else if (Outputs.Count == 1)
        {
            w.Line("/// <summary>Runs the forward pass and writes the output (or returns it in a new array; the overload on arrays reads and writes the caller's arrays in place where it can, on the managed path, and Replay does again).</summary>");
            w.Line($"public void Run({(parameters.Length == 0 ? "" : parameters + ", ")}{Span}<float> {output}) {{ using ({Self}Enter({output})) {{ {string.Concat(load.Select(l => l + " "))}{Self}Finish({output}); }} }}");
            w.Line($"public float[] Run({withDefaults}) {{ var {output} = new float[{Self}OutputLength]; {Self}Run({(names.Length == 0 ? "" : names + ", ")}{output}); return {output}; }}");
            if (arrays)
            {
                string offerOutput = OutputSlot >= 0 ? $"{Self}Offer({OutputSlot}, {output}); " : "";
                w.Line($"{FirstChoice}public void Run({(arrayParameters.Length == 0 ? "" : arrayParameters + ", ")}float[] {output}) {{ {offers}{offerOutput}{Self}Run({(spanNames.Length == 0 ? "" : spanNames + ", ")}new {Span}<float>({output})); }}");
            }
        }
        else
        {
            // a tuple of outputs: each is written to its own span, or returned in a tuple of arrays named as the method's
            var outs = Outputs.Select(o => (o.Name, o.Node, Param: Fresh(Identifier.Escape(o.Name), g.Inputs))).ToList();
            w.Line($"/// <summary>Runs the forward pass and writes each output: {string.Join(", ", outs.Select(o => $"{o.Name} {o.Node.Shape}"))}.</summary>");
            // each output's destination is checked before the plan is claimed; the outputs are copied out after the run
            string checks = string.Concat(outs.Select(o => $"{Checks}CheckOutput(\"{o.Name}\", {o.Param}.Length, {SelfDim(o.Node.Shape.Count)}, \"{o.Node.Shape}\"); "));
            string copies = string.Concat(outs.Select(o => $"{Self}Work.CopyTo({o.Param}, {SelfOff(o.Node)}); "));
            w.Line($"public void Run({(parameters.Length == 0 ? "" : parameters + ", ")}{string.Join(", ", outs.Select(o => $"{Span}<float> {o.Param}"))}) {{ {checks}using ({Self}Enter()) {{ {loadCall}{Self}Execute(backward: false); {copies}}} }}");
            w.Line("/// <summary>Runs the forward pass and returns each output in a new array.</summary>");
            string allocations = string.Concat(outs.Select(o => $"var {o.Param} = new float[{SelfDim(o.Node.Shape.Count)}]; "));
            string run = $"{Self}Run({(names.Length == 0 ? "" : names + ", ")}{string.Join(", ", outs.Select(o => o.Param))});";
            w.Line($"public ({string.Join(", ", outs.Select(o => $"float[] {Identifier.Escape(o.Name)}"))}) Run({withDefaults}) {{ {allocations}{run} return ({string.Join(", ", outs.Select(o => o.Param))}); }}");
        }
        // a staged run checks its staged class indices (if any), then uploads (ILGPU) or binds (managed) the staged inputs
        var stagedChecks = new List<string>();
        foreach (var i in g.Inputs.Where(i => i.Attrs.IsInt))
        {
            foreach (var (input, classes, ignore) in TargetChecks().Where(t => t.Input == i))
                stagedChecks.Add($"CheckTargets(\"{input.Attrs.Name}\", StagedTargets(\"{input.Attrs.Name}\"), {classes}, {ignore});");
            foreach (var (input, size, kind) in IndexChecks().Where(t => t.Input == i))
                stagedChecks.Add(IndexCheck(input.Attrs.Name, $"StagedTargets(\"{input.Attrs.Name}\")", size, kind));
            foreach (var (lengths, count, targets) in LengthTotals().Where(t => t.Lengths == i))
                stagedChecks.Add(LengthTotal(lengths.Attrs.Name, $"StagedTargets(\"{lengths.Attrs.Name}\")", count, targets));
        }
        if (stagedChecks.Count > 0) w.Line($"protected override void PrepareStaged() {{ {string.Join(" ", stagedChecks)} UploadStaged(); }}");
        if (m.IsLoss)
        {
            w.Line($"public override float ForwardBackwardStaged() {{ using (Enter()) {{ PrepareStaged(); {string.Concat(Embeddings().Select(e => $"State.MarkRows(\"{e.Path}\", StagedTargets(\"{e.Input.Attrs.Name}\")); "))}return ExecuteLoss(true, {Off(m.Output)}); }} }}");
        }
        else if (Outputs.Count > 1)
        {
            w.Line("/// <summary>The forward pass on staged inputs, writing each output.</summary>");
            w.Line($"public void RunStaged({string.Join(", ", Outputs.Select(o => $"{Span}<float> {Identifier.Escape(o.Name)}"))}) {{ {string.Concat(Outputs.Select(o => $"CheckOutput(\"{o.Name}\", {Identifier.Escape(o.Name)}.Length, {Dim(o.Node.Shape.Count)}, \"{o.Node.Shape}\"); "))}using (Enter()) {{ PrepareStaged(); Execute(backward: false); {string.Concat(Outputs.Select(o => $"Work.CopyTo({Identifier.Escape(o.Name)}, {Off(o.Node)}); "))}}} }}");
        }
        var args = string.Join(", ", g.Inputs.Select((i, idx) => $"Arg<{(i.Attrs.IsInt ? "int" : "float")}>(inputs, {idx}, \"{i.Attrs.Name}\", {g.Inputs.Count}){(IsScalar(i) ? "[0]" : "")}"));
        string invoke = m.IsLoss ? $"[backward ? ForwardBackward({args}) : Forward({args})]" : $"Run({args}){(Outputs.Count > 1 ? ".Item1" : "")}";
        // each input's Arg checks the count; a plan without inputs checks that it was given none
        w.Line(g.Inputs.Count > 0
            ? $"public override float[] Invoke(global::System.Array[] inputs, bool backward = false) => {invoke};"
            : $"public override float[] Invoke(global::System.Array[] inputs, bool backward = false) {{ Arity(inputs, 0); return {invoke}; }}");
        // a forward plan with one output places its inputs in its one span entry point; the others share a Load
        if ((m.IsLoss || Outputs.Count > 1) && g.Inputs.Count > 0) w.Line($"private void Load({parameters}) {{ {string.Join(" ", load)} }}".Replace("{  }", "{ }"));
    }

    /// <summary>The launch sequence: one call per step, which runs the step on the plan's path.</summary>
    private void EmitRun(SourceWriter w)
    {
        const string signature = "protected override void RunKernels(bool backward)";
        // one fused step: the method is its call
        if (m.Fusion.Kernels.Count == 1 && m.Fusion.Kernels[0] is var only && only.Kind != KernelKind.Library && only.Forward)
        {
            w.Line($"{signature} => _f{only.Index}.Run(); // S{only.Index}: {Describe(only)}, kernel {Entries[only].Name}");
            return;
        }
        w.Line();
        w.Open(signature);
        bool inBackward = false;
        foreach (var k in m.Fusion.Kernels)
        {
            if (!k.Forward && !inBackward) { w.Line("if (!backward) return;"); inBackward = true; }
            // each step's call, with what it computes in a comment at its end
            string what = $" // S{k.Index}: {(k.Kind == KernelKind.Library ? Step(k.Root) + (k.GradPath is { } path ? $", added into grad of '{path}'" : "") : $"{Describe(k)}, kernel {Entries[k].Name}")}";
            if (k.Kind != KernelKind.Library) { w.Line($"_f{k.Index}.Run();{what}"); continue; }
            // one call for both paths: the runtime kernel picks the plan's arrays or views
            var call = new SourceWriter();
            ((LibraryOp)k.Root.Op).Call(Library(k), call);
            // a call in parts (a Cat's, one per input) runs a few parts to a line
            string[] lines = Lines(call);
            for (int i = 0; i < lines.Length; i += 4) w.Line(string.Join(" ", lines.Skip(i).Take(4)) + (i == 0 ? what : ""));
        }
        w.Close();
    }

    /// <summary>A rendered snippet's lines, indentation relative to its first line kept.</summary>
    private static string[] Lines(SourceWriter w) => w.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    private string Count(Node n) => Dim(n.Shape.Count);
    /// <summary>A domain's element count as an int argument.</summary>
    private static string Count(Shape domain) => Dim(domain.Count) is var e && e.Contains("(long)") ? $"(int)({e})" : e;

    private static string Lib(string name) => "global::Kiln.Kernels." + name;

    private LibraryEmit Library(Kernel k) => new(k, Off, PlaceOf, Dim);
}

internal static class EmitExtensions
{
    /// <summary>Turns a polynomial emitted with an empty prefix into one over the plan's lower-case arguments.</summary>
    public static string ReplaceSymbols(this string expression, IReadOnlyList<string> symbols)
    {
        var result = expression;
        foreach (var s in symbols.OrderByDescending(s => s.Length))
            result = System.Text.RegularExpressions.Regex.Replace(result, $@"@?\b{s}\b", "(long)" + Identifier.DimParameter(s));
        return result;
    }
}

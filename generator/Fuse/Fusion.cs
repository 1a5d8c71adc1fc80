using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Ir;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Fuse;

internal enum KernelKind { Elementwise, Reduce, Library }

/// <summary>One launch: a fused elementwise chain, a reduction with its fused producer chain, or a library kernel.</summary>
internal sealed class Kernel(int index, KernelKind kind, Node root)
{
    public int Index { get; } = index;
    public KernelKind Kind { get; } = kind;
    /// <summary>The node this kernel writes.</summary>
    public Node Root { get; } = root;
    /// <summary>Elementwise nodes computed in registers, inputs before users (for a reduction: its operand chain).</summary>
    public List<Node> Body { get; } = new();
    /// <summary>Materialized tensors read (library kernels: their operands, in order).</summary>
    public List<Node> Leaves { get; } = new();
    /// <summary>When set, the kernel adds its result into this parameter's gradient slot.</summary>
    public string? GradPath { get; set; }
    /// <summary>Part of the forward pass (runs in Forward as well as ForwardBackward).</summary>
    public bool Forward { get; set; }
    public bool Accumulates => GradPath is not null;
}

/// <summary>
/// Stage 6 (Fuse): decides which nodes are materialized and groups the rest into kernels. An elementwise node
/// stays in registers when it has one consumer that is elementwise or a reduction; everything else (graph outputs,
/// shared values, operands of library kernels and views) is written once. Library operands that are strided views
/// are first copied to contiguous memory. Gradients accumulate straight into the gradient block when their
/// producing kernel can add (elementwise, reduction, GEMM), else through one small copy kernel.
/// </summary>
internal sealed class Fusion
{
    private readonly GraphBuilder _builder;
    private readonly Dictionary<Node, List<Node>> _consumers = new();
    private readonly HashSet<Node> _outputs = new();
    private readonly Dictionary<Node, Node> _substitute = new();

    private Fusion(GraphBuilder builder) => _builder = builder;

    public List<Kernel> Kernels { get; } = new();
    public int ForwardKernels { get; private set; }

    /// <summary>The node holding the method's result (a contiguous copy when the result was a leaf or strided view).</summary>
    public Node Output { get; private set; } = null!;

    /// <summary>Library and view operands replaced by a contiguous copy.</summary>
    public IReadOnlyDictionary<Node, Node> Substitutions => _substitute;

    /// <summary>Further outputs of the backward pass kept in memory to the end of a run (the gradients of [RequiresGrad] inputs), in the order given.</summary>
    public List<Node> Extras { get; } = new();

    /// <summary>The forward pass's outputs after the first (a method returning a tuple), stored and kept to the end of a run.</summary>
    public List<Node> MoreOutputs { get; } = new();

    /// <summary>The values a run leaves in [Buffer] fields (in the order given), stored and kept to the end of a run, when the plan copies them back.</summary>
    public List<Node> Updates { get; } = new();

    public static Fusion Run(GraphBuilder builder, Node output, IReadOnlyList<(string Path, Node Grad)> grads, IReadOnlyList<Node>? extras = null, IReadOnlyList<Node>? moreOutputs = null, IReadOnlyList<Node>? updates = null)
    {
        var f = new Fusion(builder);
        f.Build(output, grads, extras ?? [], moreOutputs ?? [], updates ?? []);
        return f;
    }

    
    private static bool IsContiguous(Node n) =>
        n.Op != ViewOp.Instance || (ViewOp.IsReshape(n) && IsContiguous(n.Inputs[0]));

    private void Build(Node output, IReadOnlyList<(string Path, Node Grad)> grads, IReadOnlyList<Node> extras, IReadOnlyList<Node> moreOutputs, IReadOnlyList<Node> updates)
    {
        // Legalize: library operands, reshape inputs and graph outputs must be contiguous; a view that is not becomes a copy.
        var gradRoots = grads.Select(g => g.Grad).ToList();
        var all = Graph.TopologicalOrder(new[] { output }.Concat(moreOutputs).Concat(updates).Concat(gradRoots).Concat(extras));
        foreach (var n in all)
        {
            if (!NeedsContiguous(n)) continue;
            foreach (var input in n.Inputs)
            {
                // a constant has no memory: a library kernel reading one gets it written out (Pick's mask reads none)
                bool unstored = input.Op == Leaves.Const && n.Op.Kind == OpKind.Library && n.Op != PickOp.Instance;
                if ((!IsContiguous(input) || unstored) && !_substitute.ContainsKey(input)) _substitute[input] = _builder.MaterializeCopy(input);
            }
        }
        Node Out(Node n) => n.Op.Kind == OpKind.Leaf || !IsContiguous(n) ? _builder.MaterializeCopy(n) : n;
        output = Out(output);
        Output = output;
        // an extra output is its own stored tensor (a copy where it is a leaf, a constant or a strided view)
        foreach (var e in extras) Extras.Add(Out(e));
        // each output its own tensor: two outputs that are one node (return (h, h)) get a copy each
        foreach (var o in moreOutputs) MoreOutputs.Add(o == output || MoreOutputs.Contains(o) ? _builder.MaterializeCopy(o) : Out(o));

        // a buffer's new value is its own stored tensor too (the run copies it back)
        foreach (var u in updates) Updates.Add(Out(u));

        var forwardOrder = Roots(new[] { output }.Concat(MoreOutputs).Concat(Updates));
        var fullOrder = Roots(new[] { output }.Concat(MoreOutputs).Concat(Updates).Concat(gradRoots).Concat(Extras));
        foreach (var n in fullOrder)
            foreach (var input in Inputs(n))
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = new List<Node>();
                if (!list.Contains(n)) list.Add(n);
            }
        _outputs.Add(output);
        foreach (var e in Extras.Concat(MoreOutputs).Concat(Updates)) _outputs.Add(e);

        // gradient targets: the node whose kernel adds into the parameter's gradient slot
        var gradTargets = new Dictionary<Node, string>();
        var gradCopies = new List<(string Path, Node Node)>();
        // how many parameters' gradients each node is (with the tensors those reshape): a node that is the gradient of two
        // parameters, or of one and part of another's, stays a tensor of its own. Added into one gradient slot in place,
        // it would leave the other reading that slot's running total (the old gradient plus this one).
        _gradientOf.Clear();
        foreach (var (_, grad) in grads)
            for (var n = grad; ; n = n.Inputs[0])
            {
                _gradientOf[n] = _gradientOf.TryGetValue(n, out int uses) ? uses + 1 : 1;
                if (!ViewOp.IsReshape(n)) break;
            }
        foreach (var (path, grad) in grads)
        {
            // a parameter used more than once (a layer applied twice, an unrolled recurrence) gets the sum of its uses'
            // gradients: where every part is a GEMM or a sum, each adds into the slot itself, nothing stored and added up
            if (GradientParts(grad) is { } parts && parts.All(p => !gradTargets.ContainsKey(p)))
            {
                foreach (var p in parts) gradTargets[p] = path;
                continue;
            }
            // walk down reshapes whose only reader is the view above: the kernel below can write the slot directly
            var target = grad;
            bool sole = Consumers(grad) == 0 && _gradientOf[grad] == 1;
            while (ViewOp.IsReshape(target) && Consumers(target.Inputs[0]) == 1 && !_outputs.Contains(target.Inputs[0]) && _gradientOf[target.Inputs[0]] == 1)
                target = target.Inputs[0];
            bool canAdd = target.Op.Kind is OpKind.Elementwise || target.Op is ReduceOp { Additive: true } || target.Op is LibraryOp { CanAccumulate: true };
            if (canAdd && sole && (target == grad ? Consumers(target) == 0 : Consumers(target) == 1) && !_outputs.Contains(target) && !gradTargets.ContainsKey(target)) gradTargets[target] = path;
            else gradCopies.Add((path, _gradientOf[grad] > 1 ? _builder.MaterializeCopy(grad, "for " + path) : _builder.MaterializeCopy(grad)));
        }
        foreach (var t in gradTargets.Keys) _outputs.Add(t);
        foreach (var (_, copy) in gradCopies) _outputs.Add(copy);

        var forwardSet = new HashSet<Node>(forwardOrder);
        var order = Roots(new[] { output }.Concat(MoreOutputs).Concat(Updates).Concat(Extras).Concat(gradTargets.Keys).Concat(gradCopies.Select(c => c.Node)));
        // forward kernels first, so Forward() runs a prefix of the schedule
        order = order.Where(forwardSet.Contains).Concat(order.Where(n => !forwardSet.Contains(n))).ToList();
        foreach (var n in order)
        {
            if (!IsKernelRoot(n)) continue;
            var kind = n.Op.Kind == OpKind.Library ? KernelKind.Library : n.Op.Kind == OpKind.Reduce ? KernelKind.Reduce : KernelKind.Elementwise;
            var kernel = new Kernel(Kernels.Count, kind, n) { Forward = forwardSet.Contains(n) };
            if (gradTargets.TryGetValue(n, out var path)) kernel.GradPath = path;
            foreach (var (p, c) in gradCopies) if (c == n) kernel.GradPath = p;
            if (kind == KernelKind.Library) kernel.Leaves.AddRange(Inputs(n));
            else Collect(kind == KernelKind.Reduce ? n.Inputs[0] : n, kernel, isRoot: kind == KernelKind.Elementwise);
            Kernels.Add(kernel);
            if (kernel.Forward) ForwardKernels = Kernels.Count;
        }
    }

    /// <summary>
    /// A node's operands as it reads them: a library kernel or a reshape reads the contiguous copy of a strided view (or
    /// of a constant, for a library kernel); elementwise kernels read the view in place (a copy itself reads the original).
    /// </summary>
    public IEnumerable<Node> Inputs(Node n) => n.Inputs.Select(i => NeedsContiguous(n) && _substitute.TryGetValue(i, out var s) && s != n ? s : i);

    private static bool NeedsContiguous(Node n) => n.Op.Kind == OpKind.Library || ViewOp.IsReshape(n);

    private List<Node> Roots(IEnumerable<Node> roots)
    {
        var order = new List<Node>();
        var seen = new HashSet<Node>();
        void Visit(Node n)
        {
            if (!seen.Add(n)) return;
            foreach (var i in Inputs(n)) Visit(i);
            order.Add(n);
        }
        foreach (var r in roots) Visit(r);
        return order;
    }

    private int Consumers(Node n) => _consumers.TryGetValue(n, out var c) ? c.Count : 0;

    /// <summary>For each node that is a parameter's gradient (or a tensor one reshapes), how many parameters' it is.</summary>
    private readonly Dictionary<Node, int> _gradientOf = new();

    /// <summary>
    /// The parts of a gradient that is a sum (a tree of same-shape Adds read by nothing else) when every part is a kernel
    /// that can add into its output and is read only by that sum (through reshapes at most): GEMMs, additive reductions.
    /// Null otherwise, or when one part appears twice (the existing single target serves those).
    /// </summary>
    private List<Node>? GradientParts(Node grad)
    {
        if (grad.Op != Arithmetic.Add || Consumers(grad) != 0 || _outputs.Contains(grad) || _gradientOf[grad] != 1) return null;
        var parts = new List<Node>();
        // every node below the root is read by the sum alone: not an output, not another parameter's gradient
        bool Private(Node n) => Consumers(n) == 1 && !_outputs.Contains(n) && !_gradientOf.ContainsKey(n);
        bool Walk(Node n, bool root)
        {
            if ((root || Private(n)) && n.Op == Arithmetic.Add && n.Inputs.All(i => i.Shape.Equals(n.Shape)))
                return Walk(n.Inputs[0], false) && Walk(n.Inputs[1], false);
            if (root || !Private(n)) return false;
            var t = n;
            while (ViewOp.IsReshape(t) && Private(t.Inputs[0])) t = t.Inputs[0];
            if (!(t.Op is LibraryOp { CanAccumulate: true } || t.Op is ReduceOp { Additive: true })) return false;
            parts.Add(t);
            return true;
        }
        return Walk(grad, root: true) && parts.Count > 1 && parts.Distinct().Count() == parts.Count ? parts : null;
    }

    /// <summary>Whether a node is written to memory (and so is a kernel's output, a leaf in storage, or neither).</summary>
    public bool IsMaterialized(Node n)
    {
        switch (n.Op.Kind)
        {
            case OpKind.Leaf: return n.Op != Leaves.Const;
            case OpKind.View: return false;
            case OpKind.Library:
            case OpKind.Reduce: return true;
        }
        if (_outputs.Contains(n) || _substitute.ContainsValue(n)) return true;
        if (!_consumers.TryGetValue(n, out var consumers)) return true;
        if (consumers.Any(c => c.Op.Kind is OpKind.Library or OpKind.View)) return true;
        // constants and broadcasts of stored data cost nothing to recompute: every reader inlines them
        if (IsConstantExpression(n)) return false;
        // so do short chains of one-instruction ops (+ - · |x| comparisons, copies) of stored operands: reading the operands
        // again beats writing and re-reading the result
        if (IsRecomputable(n)) return false;
        return consumers.Count != 1;
    }

    /// <summary>A one-instruction op whose operands are stored, constant, or themselves such ops, at most three levels deep.</summary>
    private bool IsRecomputable(Node n, int depth = 0) =>
        Arithmetic.OneInstruction.Contains(n.Op) && depth < 3
        && Inputs(n).All(i => i.Op.Kind is OpKind.Leaf or OpKind.View
            || (i.Op.Kind != OpKind.Elementwise && IsMaterialized(i))
            || (i.Op.Kind == OpKind.Elementwise && (IsConstantExpression(i) || IsRecomputable(i, depth + 1))));

    /// <summary>
    /// A small expression of constants: free for each reader to recompute. Past a few levels it is stored instead, so a
    /// long chain no rewrite folds (symbolic 1/N factors) is computed once, not once per reader and level.
    /// </summary>
    private bool IsConstantExpression(Node n, int depth = 0) =>
        n.Op == Leaves.Const || (depth < 8 && n.Op.Kind == OpKind.Elementwise && Inputs(n).All(i => IsConstantExpression(i, depth + 1)));

    private bool IsKernelRoot(Node n) => n.Op.Kind is not (OpKind.Leaf or OpKind.View) && IsMaterialized(n);

    private void Collect(Node n, Kernel kernel, bool isRoot)
    {
        if (!isRoot && (IsMaterialized(n) || n.Op.Kind == OpKind.View))
        {
            if (!kernel.Leaves.Contains(n)) kernel.Leaves.Add(n);
            return;
        }
        if (n.Op == Leaves.Const) { if (!kernel.Body.Contains(n)) kernel.Body.Add(n); return; }
        foreach (var input in Inputs(n)) Collect(input, kernel, isRoot: false);
        if (!kernel.Body.Contains(n)) kernel.Body.Add(n);
    }
}

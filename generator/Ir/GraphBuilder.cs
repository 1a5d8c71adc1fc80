using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Model;
using Kiln.Generator.Ops;
using Kiln.Generator.Optimize;
using Microsoft.CodeAnalysis;

namespace Kiln.Generator.Ir;

/// <summary>A shape error found while building: becomes a diagnostic at the expression being lowered.</summary>
internal sealed class ShapeException(DiagnosticDescriptor descriptor, params string[] args) : Exception(string.Format(descriptor.MessageFormat.ToString(), args))
{
    public DiagnosticDescriptor Descriptor { get; } = descriptor;
    public string[] Args { get; } = args;
}

/// <summary>
/// Builds graph nodes with shape inference (stage Check: PyTorch broadcasting, matmul and dim rules), and, as
/// each node is made, stage Optimize's local passes: hash-consing (CSE) and the named rewrites of
/// <see cref="Rewrites.InOrder"/> (constant folding, identities, transposes folded into MatMul flags).
/// </summary>
internal sealed class GraphBuilder
{
    private readonly Dictionary<(OpDef, string, NodeAttrs, Shape), Node> _unique = new();
    private readonly List<Node> _nodes = new();

    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>How often each rewrite fired in this builder (tests show that none is dead).</summary>
    public Dictionary<string, int> Fired { get; } = new();

    /// <summary>
    /// What the method needs of its named dims that only their values can tell (an index into "N" must be below N):
    /// checked when a plan is compiled for given dims, since indexing past the end would read another tensor's memory.
    /// </summary>
    public List<(Size Dim, long AtLeast, string What)> Requirements { get; } = new();

    /// <summary>Records that <paramref name="dim"/> must be at least <paramref name="atLeast"/> (the strongest need of a dim is kept, once).</summary>
    public void Require(Size dim, long atLeast, string what)
    {
        if (Requirements.Any(r => r.Dim == dim && r.AtLeast >= atLeast)) return;
        Requirements.RemoveAll(r => r.Dim == dim);
        Requirements.Add((dim, atLeast, what));
    }

    private Node Make(OpDef op, Node[] inputs, Shape shape, NodeAttrs? attrs = null, bool rewrite = true)
    {
        attrs ??= NodeAttrs.None;
        var key = (op, string.Join(",", inputs.Select(i => i.Id)), attrs, shape);
        if (_unique.TryGetValue(key, out var existing)) return existing;
        if (rewrite && inputs.Length > 0)
            foreach (var rule in Rewrites.InOrder)
                if (rule.Apply(this, op, inputs, shape, attrs) is { } replaced)
                {
                    Fired[rule.Name] = Fired.TryGetValue(rule.Name, out var n) ? n + 1 : 1;
                    return replaced;
                }
        // a tensor no plan can hold made by an op (an outer product of two long vectors): reported at the user's line, where
        // its counts and offsets would otherwise reach the generated code as longs past int (which does not compile) or
        // wrapped; leaves (inputs, parameters, draws, constants) are checked where they are declared
        long elements = 1;
        foreach (var d in shape.Dims)
            elements = Math.Max(d.Coefficient, 1) > (1L << 40) / elements ? 1L << 40 : elements * Math.Max(d.Coefficient, 1);
        if (inputs.Length > 0 && elements > Check.Lowerer.MaxElements)
            throw new ShapeException(Descriptors.InvalidArgument, $"{op.Name} makes a tensor of {shape}, {(elements >= 1L << 40 ? "over 2^40" : elements.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} elements: a plan holds at most {Check.Lowerer.MaxElements:N0} in one tensor");
        var node = new Node(_nodes.Count, op, inputs, shape, attrs);
        _nodes.Add(node);
        _unique[key] = node;
        return node;
    }

    // ---- leaves ----

    public Node Input(string name, Shape shape, bool isInt) => Make(Leaves.Input, [], shape, new NodeAttrs { Name = name, IsInt = isInt });
    public Node Param(string path, Shape shape) => Make(Leaves.Param, [], shape, new NodeAttrs { Name = path });
    public Node Buffer(string path, Shape shape) => Make(Leaves.Buffer, [], shape, new NodeAttrs { Name = path });
    public Node Const(double value) => Make(Leaves.Const, [], Shape.Scalar, new NodeAttrs { Value = value });
    /// <summary>value / divisor, with a symbolic divisor (1/N for means).</summary>
    public Node Const(double value, Size divisor) => Const(value, divisor, 0);

    /// <summary>value / max(0, divisor - offset): a variance's 1/(N - correction) with a symbolic N (torch.var divides by
    /// max(0, N - correction): a correction of N or more gives inf, or NaN for a constant slice, never a negative).</summary>
    public Node Const(double value, Size divisor, double offset) => divisor.IsConstant
        ? Const(value / Math.Max(0, divisor.Coefficient - offset))
        : Make(Leaves.Const, [], Shape.Scalar, new NodeAttrs { Value = value, Divisor = divisor, DivisorOffset = offset });

    public static bool IsConst(Node n, out double value)
    {
        value = n.Attrs.Value;
        return n.Op == Leaves.Const && n.Attrs.Divisor.IsOne;
    }

    private int _draws;

    /// <summary>A random draw site (<see cref="RandomOp"/>): a new node on every call, never merged, numbered in order (its stream).</summary>
    public Node Random(RandomOp.Kind kind, Shape shape, double p) =>
        Make(RandomOp.Instance, [], shape, new NodeAttrs { Args = new[] { (double)(int)kind, p, _draws++ }.ToEquatable() });

    // ---- elementwise ----

    public Node Add(Node a, Node b) => Binary(Arithmetic.Add, a, b);
    public Node Sub(Node a, Node b) => Binary(Arithmetic.Sub, a, b);
    public Node Mul(Node a, Node b) => Binary(Arithmetic.Mul, a, b);
    public Node Div(Node a, Node b) => Binary(Arithmetic.Div, a, b);
    public Node Neg(Node a) => Make(Arithmetic.Neg, [a], a.Shape);
    public Node Pow(Node a, Node b) => Binary(Arithmetic.Pow, a, b);

    public Node Unary(OpDef op, Node a) => Make(op, [a], a.Shape);
    /// <summary>A unary row with parameters (attrs.Args).</summary>
    public Node Unary(OpDef op, Node a, NodeAttrs attrs) => Make(op, [a], a.Shape, attrs);
    public Node ClampMin(Node a, double min) => Make(Ops.Unary.ClampMin, [a], a.Shape, new NodeAttrs { Args = new[] { min }.ToEquatable() });

    /// <summary>torch.where: the three operands broadcast together.</summary>
    public Node Where(Node condition, Node x, Node y) =>
        Make(Arithmetic.Where, [condition, x, y], Broadcast("Where", Broadcast("Where", condition.Shape, x.Shape), y.Shape));

    /// <summary>An elementwise op of two operands, broadcast as PyTorch.</summary>
    public Node Binary(OpDef op, Node a, Node b) => Make(op, [a, b], Broadcast(op.Name, a.Shape, b.Shape));

    /// <summary>PyTorch broadcasting: align right; equal dims stay, a dim of 1 stretches.</summary>
    public static Shape Broadcast(string op, Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new Size[rank];
        for (int i = 0; i < rank; i++)
        {
            int ia = a.Rank - rank + i, ib = b.Rank - rank + i;
            var da = ia >= 0 ? a[ia] : Size.Of(1);
            var db = ib >= 0 ? b[ib] : Size.Of(1);
            if (da == db || db.IsOne) dims[i] = da;
            else if (da.IsOne) dims[i] = db;
            else throw new ShapeException(Descriptors.BroadcastMismatch, op, a.ToString(), b.ToString(), (i - rank).ToString(), da.ToString(), db.ToString());
        }
        return new Shape(dims);
    }

    /// <summary>Broadcasts a to shape (a Copy kernel when it has to materialize).</summary>
    public Node Expand(Node a, Shape shape)
    {
        if (a.Shape.Equals(shape)) return a;
        var check = Broadcast("Expand", a.Shape, shape);
        if (!check.Equals(shape)) throw new ShapeException(Descriptors.BroadcastMismatch, "Expand", a.Shape.ToString(), shape.ToString(), "0", "", "");
        return Make(Ops.Unary.Copy, [a], shape);
    }

    /// <summary>
    /// A copy of a node to fresh contiguous memory (fusion inserts these; never folded away). Copies of one node are one
    /// node unless they are made for different purposes (each parameter sharing a gradient gets its own).
    /// </summary>
    public Node MaterializeCopy(Node a, string? purpose = null) =>
        Make(Ops.Unary.Copy, [a], a.Shape, new NodeAttrs { Name = purpose is null ? Materialize : Materialize + " " + purpose }, rewrite: false);

    /// <summary>The name of the copies <see cref="MaterializeCopy"/> makes (followed by their purpose, if any).</summary>
    public const string Materialize = "materialize";

    // ---- reductions and views ----

    /// <summary>Sum over axes; keepDim false drops them with a reshape (a view).</summary>
    public Node Sum(Node a, IReadOnlyList<int> axes, bool keepDim) => Reduce(Reductions.Sum, a, axes, keepDim);

    /// <summary>A reduction row over axes; keepDim false drops them with a reshape (a view). Size-1 axes need no pass.</summary>
    public Node Reduce(ReduceOp op, Node a, IReadOnlyList<int> axes, bool keepDim)
    {
        var sorted = axes.Distinct().OrderBy(x => x).ToArray();
        if (sorted.Length == 0) return a;
        var kept = a.Shape.Dims.Select((d, i) => sorted.Contains(i) ? Size.Of(1) : d).ToArray();
        var sum = sorted.All(ax => a.Shape[ax].IsOne)
            ? a
            : Make(op, [a], new Shape(kept), new NodeAttrs { Axes = sorted.ToEquatable() });
        return keepDim ? sum : Reshape(sum, new Shape(a.Shape.Dims.Where((_, i) => !sorted.Contains(i))));
    }

    /// <summary>
    /// Brings a gradient to an operand's shape: sums over the dims the operand was broadcast along, and expands
    /// dims where the gradient itself is smaller (a product of broadcast factors can be, e.g. const·const).
    /// </summary>
    public Node SumTo(Node g, Shape target)
    {
        if (g.Shape.Equals(target)) return g;
        var full = Broadcast("SumTo", g.Shape, target);
        if (full.Equals(target)) return Expand(g, target);
        g = Expand(g, full);
        int lead = g.Shape.Rank - target.Rank;
        var axes = new List<int>();
        for (int i = 0; i < g.Shape.Rank; i++)
            if (i < lead || (target[i - lead].IsOne && !g.Shape[i].IsOne)) axes.Add(i);
        var summed = Sum(g, axes, keepDim: true);
        return Reshape(summed, target);
    }

    public Node Reshape(Node a, Shape shape)
    {
        if (a.Shape.Equals(shape)) return a;
        if (a.Shape.Count != shape.Count)
            throw new ShapeException(Descriptors.ReshapeMismatch, a.Shape.ToString(), a.Shape.Count.ToString(), shape.ToString());
        return Make(ViewOp.Instance, [a], shape);
    }

    public Node Permute(Node a, IReadOnlyList<int> order)
    {
        if (order.Select((o, i) => o == i).All(x => x)) return a;
        return Make(ViewOp.Instance, [a], new Shape(order.Select(o => a.Shape[o])), new NodeAttrs { Axes = order.ToEquatable() });
    }

    /// <summary>A strided view (see <see cref="ViewOp"/>): slices, Narrow, Select and indexing, no copy.</summary>
    public Node Strided(Node a, NodeAttrs view, Shape shape)
    {
        bool identity = view.Starts.All(s => s == 0) && view.Steps.All(s => s == 1) && view.Axes.Select((x, i) => x == i).All(x => x) && view.Axes.Count == a.Shape.Rank && shape.Equals(a.Shape);
        if (identity) return a;
        return Make(ViewOp.Instance, [a], shape, new NodeAttrs { Axes = view.Axes, Starts = view.Starts, Steps = view.Steps });
    }

    /// <summary>The adjoint of strided view <paramref name="view"/>: g placed where the view read, zero elsewhere.</summary>
    public Node Embed(Node g, Node view) =>
        Make(EmbedOp.Instance, [g], view.Inputs[0].Shape, new NodeAttrs { Axes = view.Attrs.Axes, Starts = view.Attrs.Starts, Steps = view.Attrs.Steps });

    public Node Transpose(Node a, int d0, int d1)
    {
        var order = Enumerable.Range(0, a.Shape.Rank).ToArray();
        (order[d0], order[d1]) = (order[d1], order[d0]);
        return Permute(a, order);
    }

    // ---- library ops ----

    /// <summary>op(a)·op(b) on rank ≥ 2 operands, batch dims broadcast. A transposed view becomes a flag (a rewrite).</summary>
    public Node MatMul(Node a, Node b, bool transA, bool transB)
    {
        Size m = transA ? a.Shape[a.Shape.Rank - 1] : a.Shape[a.Shape.Rank - 2];
        Size ka = transA ? a.Shape[a.Shape.Rank - 2] : a.Shape[a.Shape.Rank - 1];
        Size kb = transB ? b.Shape[b.Shape.Rank - 1] : b.Shape[b.Shape.Rank - 2];
        Size n = transB ? b.Shape[b.Shape.Rank - 2] : b.Shape[b.Shape.Rank - 1];
        if (ka != kb) throw new ShapeException(Descriptors.MatMulMismatch, ka.ToString(), kb.ToString(), a.Shape.ToString(), b.Shape.ToString());
        var batch = Broadcast("MatMul", new Shape(a.Shape.Dims.Take(a.Shape.Rank - 2)), new Shape(b.Shape.Dims.Take(b.Shape.Rank - 2)));
        return Make(MatMulOp.Instance, [a, b], new Shape(batch.Dims.Concat([m, n])), new NodeAttrs { TransA = transA, TransB = transB });
    }

    public Node Softmax(Node a, int dim, bool log) =>
        Make(log ? SoftmaxOp.LogSoftmax : SoftmaxOp.Softmax, [a], a.Shape, new NodeAttrs { Dim = dim });

    /// <summary>The backward of softmax rows; a log-softmax whose gradient is a class scatter (CrossEntropy's) is one fused pass.</summary>
    public Node SoftmaxGrad(Node y, Node g, int dim, bool log) =>
        log && g.Op == ScatterOp.Instance && dim == 1 && y.Shape.Rank == 2
            ? Make(PickedLogSoftmaxGradOp.Log, [y, g.Inputs[0], g.Inputs[1]], y.Shape, new NodeAttrs { Ignore = g.Attrs.Ignore })
            : Make(log ? SoftmaxGradOp.LogSoftmax : SoftmaxGradOp.Softmax, [y, g], y.Shape, new NodeAttrs { Dim = dim });

    /// <summary>torch.cat along dim: every other dim must agree; the sizes along dim must be fixed numbers.</summary>
    public Node Cat(IReadOnlyList<Node> xs, int dim)
    {
        var first = xs[0].Shape;
        foreach (var x in xs)
        {
            // torch.cat does not broadcast: every dim but the one joined along must match (the message said "broadcast")
            if (x.Shape.Rank != first.Rank)
                throw new ShapeException(Descriptors.InvalidArgument, $"Cat of tensors of shapes {first} and {x.Shape} (torch.cat joins tensors of one rank: {first.Rank} vs {x.Shape.Rank})");
            for (int d = 0; d < first.Rank; d++)
                if (d != dim && x.Shape[d] != first[d])
                    throw new ShapeException(Descriptors.InvalidArgument, $"Cat of tensors of shapes {first} and {x.Shape} along dim {dim} (every other dim must match: dim {d} is {first[d]} vs {x.Shape[d]})");
        }
        if (xs.Count == 1) return xs[0];
        var dims = first.Dims.ToArray();
        dims[dim] = Size.Of(xs.Sum(x => x.Shape[dim].Coefficient));
        return Make(CatOp.Instance, xs.ToArray(), new Shape(dims), new NodeAttrs { Dim = dim });
    }

    /// <summary>argmax/argmin along dim, keeping it as size 1: float indices.</summary>
    public Node ArgReduce(Node x, int dim, bool max) =>
        Make(max ? ArgReduceOp.ArgMax : ArgReduceOp.ArgMin, [x], new Shape(x.Shape.Dims.Select((d, i) => i == dim ? Size.Of(1) : d)), new NodeAttrs { Dim = dim });

    /// <summary>gather (index of the result's shape) or index_select (a 1-D index along dim).</summary>
    public Node Gather(Node x, Node index, int dim, bool select)
    {
        var shape = select ? new Shape(x.Shape.Dims.Select((d, i) => i == dim ? index.Shape[0] : d)) : index.Shape;
        return Make(GatherOp.Gather, [x, index], shape, new NodeAttrs { Dim = dim, Value = select ? 1 : 0 });
    }

    /// <summary>The adjoint of Gather: g added at the gathered positions of a zero tensor of <paramref name="shape"/>.</summary>
    public Node ScatterAdd(Node g, Node index, int dim, bool select, Shape shape) =>
        Make(GatherOp.ScatterAdd, [g, index], shape, new NodeAttrs { Dim = dim, Value = select ? 1 : 0 });

    /// <summary>The IntTensor input that <paramref name="n"/> is, or is a view of (ids.Reshape(-1)); else null.</summary>
    public static Node? IntInput(Node n) => n.Op == ViewOp.Instance ? IntInput(n.Inputs[0]) : n.Op == Leaves.Input && n.Attrs.IsInt ? n : null;

    /// <summary>
    /// An IntTensor input, or a view of one, as float indices: the input is converted (its values checked against
    /// <paramref name="bound"/> on the host, 0 for none) and the same views taken of the floats. Any other node is
    /// returned as it is. (A view of an int input read as floats read the target buffer's ints as the arena's floats: a
    /// new user's embedding over ids.Reshape(-1) compiled and failed at every run.)
    /// </summary>
    public Node AsIndices(Node n, long bound, bool padding = false, bool lengths = false) =>
        n.Op == Leaves.Input && n.Attrs.IsInt ? Indices(n, bound, padding, lengths)
        : n.Op == ViewOp.Instance && IntInput(n) is not null ? Make(ViewOp.Instance, [AsIndices(n.Inputs[0], bound, padding, lengths)], n.Shape, n.Attrs)
        : n;

    /// <summary>An IntTensor input as float indices for the index kernels; <paramref name="bound"/> is checked on the host (as
    /// indices, padded target lists that may hold -1 (Ignore -1), or lengths of at most bound - 1 (Ignore -2: CTC's)).</summary>
    public Node Indices(Node input, long bound, bool padding = false, bool lengths = false) => input.Op == IndicesOp.Instance ? input
        : Make(IndicesOp.Instance, [input], input.Shape, new NodeAttrs { Value = bound, Ignore = padding ? -1 : lengths ? -2 : -100 });

    /// <summary>CTC losses (N) of logProbs (T, N, C) against targets and lengths (float indices); args = [blank, concatenated, zeroInfinity, S].</summary>
    public Node Ctc(Node logProbs, Node targets, Node inputLengths, Node targetLengths, double[] args) =>
        Make(CtcOp.Loss, [logProbs, targets, inputLengths, targetLengths], new Shape([logProbs.Shape[1]]), new NodeAttrs { Args = args.ToEquatable() });

    /// <summary>The CTC gradient with respect to logProbs for upstream g (N).</summary>
    public Node CtcGrad(Node ctc, Node g) =>
        Make(CtcOp.Grad, [.. ctc.Inputs, Expand(g, ctc.Shape)], ctc.Inputs[0].Shape, ctc.Attrs);

    /// <summary>Cumulative sum along dim (from the end when reverse).</summary>
    public Node CumSum(Node a, int dim, bool reverse) =>
        Make(CumSumOp.Instance, [a], a.Shape, new NodeAttrs { Dim = dim, Reverse = reverse });

    public Node Pick(Node x, Node targets, int ignore) =>
        Make(PickOp.Instance, [x, targets], targets.Shape, new NodeAttrs { Ignore = ignore });

    /// <summary>log_softmax(x)[i, t_i] from logits x (N, C) and their softmax p (kept for the backward).</summary>
    public Node PickLogSoftmax(Node x, Node targets, Node p, int ignore) =>
        Make(PickLogSoftmaxOp.Instance, [x, targets, p], targets.Shape, new NodeAttrs { Ignore = ignore });

    /// <summary>The gradient of <see cref="PickLogSoftmax"/> with respect to its logits: (onehot - p)·g per row.</summary>
    public Node PickedSoftmaxGrad(Node p, Node g, Node targets, int ignore) =>
        Make(PickedLogSoftmaxGradOp.Probabilities, [p, g, targets], p.Shape, new NodeAttrs { Ignore = ignore });

    public Node Scatter(Node g, Node targets, Shape shape, int ignore) =>
        Make(ScatterOp.Instance, [g, targets], shape, new NodeAttrs { Ignore = ignore });

    /// <summary>Normalizes a possibly negative dim, or throws KLN0004.</summary>
    public static int NormalizeDim(string op, int dim, int rank)
    {
        int d = dim < 0 ? dim + Math.Max(rank, 1) : dim; // a 0-d tensor takes dim 0 or -1, as PyTorch
        if (d < 0 || d >= Math.Max(rank, 1)) throw new ShapeException(Descriptors.DimOutOfRange, op, dim.ToString(), rank.ToString());
        return d;
    }
}

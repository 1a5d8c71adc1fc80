using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Ir;
using Kiln.Generator.Model;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Optimize;

/// <summary>A named local rewrite: given a node about to be made, the node to use instead, or null.</summary>
internal sealed record Rewrite(string Name, string Why, Func<GraphBuilder, OpDef, Node[], Shape, NodeAttrs, Node?> Apply);

/// <summary>
/// Stage 5 (Optimize), as named passes in the order they run:
/// <list type="number">
/// <item><b>cse</b>: hash-consing in <see cref="GraphBuilder"/>: a node equal to one already built is that node.</item>
/// <item><b>rewrites</b>: <see cref="InOrder"/>, tried on every node as it is made, first match wins. Because the
/// builder applies them, the forward graph, the backward graph and the losses' decompositions are simplified alike.</item>
/// <item><b>dead-code</b>: nothing is scheduled that the outputs do not reach (<see cref="Graph.TopologicalOrder"/>
/// and Fuse walk from the outputs).</item>
/// </list>
/// Rewrites that need the whole graph (sigmoid followed by BCE becoming the logits form) are decided where the loss
/// is lowered (<see cref="LossOps"/>). <c>GraphValidatorTests</c> runs <see cref="GraphValidator"/> after every stage.
/// </summary>
internal static class Rewrites
{
    public static readonly Rewrite[] InOrder =
    [
        new("add-zero", "0 + x = x + 0 = x - 0 = x (when x already has the result's shape)", (b, op, x, s, _) =>
            op == Arithmetic.Add && IsConst(x[0], 0) && Same(x[1], s) ? x[1]
            : (op == Arithmetic.Add || op == Arithmetic.Sub) && IsConst(x[1], 0) && Same(x[0], s) ? x[0]
            : null),
        new("mul-one", "1·x = x·1 = x/1 = x", (b, op, x, s, _) =>
            op == Arithmetic.Mul && IsConst(x[0], 1) && Same(x[1], s) ? x[1]
            : (op == Arithmetic.Mul || op == Arithmetic.Div) && IsConst(x[1], 1) && Same(x[0], s) ? x[0]
            : null),
        new("mul-broadcast-one", "a broadcast 1 times x is x broadcast (the loss gradient's seed, 1, carried down to a mean's 1/N)", (b, op, x, s, _) =>
            op == Arithmetic.Mul && BroadcastConst(x[0], out var one) && one == 1 ? b.Expand(x[1], s)
            : op == Arithmetic.Mul && BroadcastConst(x[1], out one) && one == 1 ? b.Expand(x[0], s)
            : null),
        new("broadcast-of-broadcast", "a broadcast of a broadcast reads the original once", (b, op, x, s, attrs) =>
            op == Unary.Copy && !Materialized(attrs) && x[0].Op == Unary.Copy && !Materialized(x[0].Attrs) ? b.Expand(x[0].Inputs[0], s) : null),
        new("mul-minus-one", "-1·x = -x", (b, op, x, s, _) =>
            op == Arithmetic.Mul && IsConst(x[0], -1) && Same(x[1], s) ? b.Neg(x[1]) : null),
        new("zero-minus", "0 - x = -x", (b, op, x, s, _) =>
            op == Arithmetic.Sub && IsConst(x[0], 0) && Same(x[1], s) ? b.Neg(x[1]) : null),
        new("double-negation", "-(-x) = x", (b, op, x, s, _) =>
            op == Arithmetic.Neg && x[0].Op == Arithmetic.Neg ? x[0].Inputs[0] : null),
        new("constant-power", "x⁰ = 1, x¹ = x, x² = x·x, x³ = x·x·x, x⁴ = (x·x)², x^½ = √x, x^-½ = 1/√x, x⁻¹ = 1/x: PyTorch's own specializations of pow (x⁴ within an ulp of it), vectorizable where Pow is not, with gradients that keep PyTorch's values at 0 (x⁻² stays Pow: as 1/(x·x) its gradient at 0 would be NaN, not -∞)", (b, op, x, s, _) =>
            op != Arithmetic.Pow || x[1].Shape.Rank != 0 || !GraphBuilder.IsConst(x[1], out var e) ? null
            : e == 0 ? (s.Rank == 0 ? b.Const(1) : b.Expand(b.Const(1), s))
            : e == 1 ? x[0]
            : e == 2 ? b.Mul(x[0], x[0])
            : e == 3 ? b.Mul(b.Mul(x[0], x[0]), x[0])
            : e == 4 ? b.Mul(b.Mul(x[0], x[0]), b.Mul(x[0], x[0]))
            : e == 0.5 ? b.Unary(Unary.Sqrt, x[0])
            : e == -0.5 ? b.Unary(Unary.Rsqrt, x[0])
            : e == -1 ? b.Div(b.Const(1), x[0])
            : null),
        new("fold-constants", "an elementwise op of 0-d constants is a constant, computed in float64 at build time", (b, op, x, s, attrs) =>
            op.Kind == OpKind.Elementwise && s.Rank == 0 && x.All(i => i.Shape.Rank == 0 && GraphBuilder.IsConst(i, out _))
                ? b.Const(op.Eval(x.Select(i => i.Attrs.Value).ToArray(), attrs))
                : null),
        new("fold-broadcast-constants", "an elementwise op of constants broadcast to a shape is one constant broadcast to it (a backward chain of scalings, 0.999 · 0.999 · …, folds to one number instead of being recomputed by every reader)", (b, op, x, s, attrs) =>
            op.Kind == OpKind.Elementwise && op != Unary.Copy && s.Rank > 0 && x.All(i => BroadcastConst(i, out _))
                ? b.Expand(b.Const(op.Eval(x.Select(i => { BroadcastConst(i, out var v); return v; }).ToArray(), attrs)), s)
                : null),
        new("reshape-of-reshape", "a reshape of a reshape reads the original", (b, op, x, s, attrs) =>
            IsReshape(op, attrs) && IsReshape(x[0].Op, x[0].Attrs) ? b.Reshape(x[0].Inputs[0], s) : null),
        new("reshape-of-constant", "a constant has no memory to view: 0-d stays itself, anything else is a broadcast", (b, op, x, s, attrs) =>
            IsReshape(op, attrs) && x[0].Op == Leaves.Const ? (s.Rank == 0 ? x[0] : b.Expand(x[0], s)) : null),
        new("view-of-view", "a strided view of a strided or permuted view is one strided view of the original: one index computation", (b, op, x, s, attrs) =>
            op == ViewOp.Instance && attrs.Starts.Count > 0 && (ViewOp.IsStrided(x[0]) || ViewOp.IsPermutation(x[0]))
                ? b.Strided(x[0].Inputs[0], ViewOp.Compose(ViewOp.AsStrided(x[0]), attrs), s)
                : null),
        new("unit-dims-of-view", "adding or dropping size-1 dims of a strided or permuted view stays a view (no copy), as unsqueeze/squeeze in PyTorch", (b, op, x, s, attrs) =>
            IsReshape(op, attrs) && (ViewOp.IsStrided(x[0]) || ViewOp.IsPermutation(x[0])) && UnitDims(x[0].Shape, s) is { } map
                ? b.Strided(x[0].Inputs[0], Remap(ViewOp.AsStrided(x[0]), map), s)
                : null),
        new("transpose-into-matmul", "a transpose of the last two dims feeding MatMul becomes its transA/transB flag: no copy", (b, op, x, s, attrs) =>
            op != MatMulOp.Instance ? null
            : IsLastTwoSwap(x[0]) ? b.MatMul(x[0].Inputs[0], x[1], !attrs.TransA, attrs.TransB)
            : IsLastTwoSwap(x[1]) ? b.MatMul(x[0], x[1].Inputs[0], attrs.TransA, !attrs.TransB)
            : null),
    ];

    /// <summary>For each dim of <paramref name="to"/>, the dim of <paramref name="from"/> it is (-1: a new size-1 dim), when the two differ only by size-1 dims.</summary>
    private static int[]? UnitDims(Shape from, Shape to)
    {
        var map = new int[to.Rank];
        int i = 0;
        for (int j = 0; j < to.Rank; j++)
        {
            while (i < from.Rank && from[i].IsOne && !to[j].IsOne) i++;
            if (i < from.Rank && from[i] == to[j]) map[j] = i++;
            else if (to[j].IsOne) map[j] = -1;
            else return null;
        }
        while (i < from.Rank) if (!from[i++].IsOne) return null;
        return map;
    }

    /// <summary>A view's attrs with its output dims re-listed by <paramref name="map"/> (dropped size-1 dims stay selected at their start).</summary>
    private static NodeAttrs Remap(NodeAttrs view, int[] map) => view with
    {
        Axes = map.Select(m => m < 0 ? -1 : view.Axes[m]).ToEquatable(),
        Steps = map.Select(m => m < 0 ? 1L : view.Steps[m]).ToEquatable(),
    };

    private static bool IsConst(Node n, double value) => GraphBuilder.IsConst(n, out var v) && v == value;

    /// <summary>A 0-d constant, or one broadcast to a shape (Expand's copy, not a materialized one).</summary>
    private static bool BroadcastConst(Node n, out double value) =>
        GraphBuilder.IsConst(n, out value)
        || (n.Op == Unary.Copy && !(n.Attrs.Name?.StartsWith(GraphBuilder.Materialize, StringComparison.Ordinal) ?? false) && n.Inputs[0].Shape.Rank == 0 && GraphBuilder.IsConst(n.Inputs[0], out value));

    private static bool Same(Node n, Shape s) => n.Shape.Equals(s);

    /// <summary>A copy fusion made to materialize a value (never folded away), not a broadcast.</summary>
    private static bool Materialized(NodeAttrs attrs) => attrs.Name?.StartsWith(GraphBuilder.Materialize, StringComparison.Ordinal) ?? false;

    private static bool IsReshape(OpDef op, NodeAttrs attrs) => op == ViewOp.Instance && ViewOp.IsReshape(attrs);

    /// <summary>A permutation that only swaps the last two dims.</summary>
    private static bool IsLastTwoSwap(Node n) =>
        ViewOp.IsPermutation(n) && n.Attrs.Axes.Count >= 2
        && n.Attrs.Axes.Take(n.Attrs.Axes.Count - 2).Select((o, i) => o == i).All(x => x)
        && n.Attrs.Axes[n.Attrs.Axes.Count - 1] == n.Attrs.Axes.Count - 2;
}

using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Fuse;
using Kiln.Generator.Ops;
using Kiln.Generator.Plan;

namespace Kiln.Generator.Ir;

/// <summary>
/// The invariants every stage must keep, checked independently of the code that builds them (house habit 5).
/// <see cref="Compiler.CompileMethod"/> runs it between stages when asked (the tests ask for every model); a
/// violation is an <see cref="InvalidOperationException"/> naming the stage, the node and the rule broken.
/// </summary>
internal static class GraphValidator
{
    /// <summary>Shapes follow each op's rule, inputs are built before their users, leaves are leaves.</summary>
    public static void Graph(string stage, IEnumerable<Node> roots)
    {
        foreach (var n in Ir.Graph.TopologicalOrder(roots))
        {
            if (NodeError(n) is { } error) throw new InvalidOperationException($"After {stage}: {n}: {error}");
        }
    }

    private static string? NodeError(Node n)
    {
        if (n.Inputs.Any(i => i.Id >= n.Id)) return "an input was built after its user";
        switch (n.Op.Kind)
        {
            case OpKind.Leaf:
                if (n.Inputs.Length > 0) return "a leaf with inputs";
                if (n.Op == Leaves.Const) return n.Shape.Rank == 0 ? null : "a constant that is not 0-d";
                return n.Attrs.Name.Length == 0 ? "an input or parameter without a name" : null;
            case OpKind.Elementwise:
                if (n.Op == Unary.Copy)
                    return n.Inputs.Length == 1 && Broadcasts(n.Inputs[0].Shape, n.Shape) ? null : $"a copy of {n.Inputs[0].Shape} cannot fill {n.Shape}";
                return n.Inputs.All(i => Broadcasts(i.Shape, n.Shape)) && Enumerable.Range(1, n.Shape.Rank).All(k => n.Shape[n.Shape.Rank - k].IsOne
                        || n.Inputs.Any(i => i.Shape.Rank >= k && i.Shape[i.Shape.Rank - k] == n.Shape[n.Shape.Rank - k]))
                    ? null : $"operands {string.Join(", ", n.Inputs.Select(i => i.Shape))} do not broadcast to {n.Shape}";
            case OpKind.Reduce:
            {
                var input = n.Inputs[0].Shape;
                var axes = n.Attrs.Axes.ToArray();
                if (axes.Length == 0 || axes.Any(a => a < 0 || a >= input.Rank) || axes.Distinct().Count() != axes.Length || !axes.SequenceEqual(axes.OrderBy(a => a)))
                    return $"axes [{string.Join(",", axes)}] are not sorted distinct dims of {input}";
                var kept = new Shape(input.Dims.Select((d, i) => axes.Contains(i) ? Size.Of(1) : d));
                return kept.Equals(n.Shape) ? null : $"a reduction of {input} over [{string.Join(",", axes)}] is {kept}, not {n.Shape}";
            }
            case OpKind.View:
            {
                var input = n.Inputs[0].Shape;
                if (ViewOp.IsReshape(n)) return input.Count == n.Shape.Count ? null : $"a reshape of {input} to {n.Shape} changes the count";
                if (ViewOp.IsStrided(n))
                    return n.Attrs.Starts.Count == input.Rank && n.Attrs.Axes.Count == n.Shape.Rank && n.Attrs.Steps.Count == n.Shape.Rank
                        && n.Attrs.Axes.All(a => a >= -1 && a < input.Rank) && n.Attrs.Steps.All(s => s > 0)
                        ? null : $"a strided view whose mapping does not fit {input} to {n.Shape}";
                var order = n.Attrs.Axes.ToArray();
                if (order.Length != input.Rank || order.OrderBy(a => a).Where((a, i) => a != i).Any()) return $"[{string.Join(",", order)}] is not a permutation of {input}";
                return n.Shape.Equals(new Shape(order.Select(o => input[o]))) ? null : $"a permutation of {input} cannot be {n.Shape}";
            }
            case OpKind.Library:
                return ((LibraryOp)n.Op).ShapeError(n.Inputs, n.Attrs, n.Shape);
        }
        return "an op of unknown kind";
    }

    /// <summary>Whether <paramref name="from"/> broadcasts to exactly <paramref name="to"/>.</summary>
    private static bool Broadcasts(Shape from, Shape to)
    {
        if (from.Rank > to.Rank) return false;
        for (int i = 1; i <= from.Rank; i++)
        {
            Size f = from[from.Rank - i], t = to[to.Rank - i];
            if (f != t && !f.IsOne) return false;
        }
        return true;
    }

    /// <summary>
    /// Every kernel reads only what is stored before it runs (inputs, parameters, earlier kernels' results, views of
    /// those), its body is elementwise, library operands are contiguous, each node is written by one kernel, and the
    /// forward kernels come first.
    /// </summary>
    public static void Fused(Fusion fusion)
    {
        var written = new HashSet<Node>();
        bool backward = false;
        foreach (var k in fusion.Kernels)
        {
            string Where() => $"After Fuse: kernel K{k.Index} ({k.Root})";
            if (!written.Add(k.Root)) throw new InvalidOperationException($"{Where()}: its node is written by an earlier kernel too");
            if (k.Forward && backward) throw new InvalidOperationException($"{Where()}: a forward kernel after a backward one");
            backward |= !k.Forward;
            foreach (var leaf in k.Leaves)
                if (!Stored(leaf, written, fusion)) throw new InvalidOperationException($"{Where()}: reads {leaf}, which no earlier kernel stores");
            if (k.Body.Any(n => n.Op.Kind != OpKind.Elementwise && n.Op != Leaves.Const))
                throw new InvalidOperationException($"{Where()}: a non-elementwise node in its register body");
            if (k.Kind == KernelKind.Library && k.Leaves.Any(l => l.Op == ViewOp.Instance && !ViewOp.IsReshape(l)))
                throw new InvalidOperationException($"{Where()}: a library kernel reads a strided view");
            if (k.Accumulates && !(k.Root.Op.Kind == OpKind.Elementwise || k.Root.Op is ReduceOp { Additive: true } || k.Root.Op is LibraryOp { CanAccumulate: true }))
                throw new InvalidOperationException($"{Where()}: adds into a gradient slot but cannot accumulate");
        }
        if (!Stored(fusion.Output, written, fusion)) throw new InvalidOperationException($"After Fuse: the output {fusion.Output} is not stored");
    }

    private static bool Stored(Node n, HashSet<Node> written, Fusion fusion) =>
        n.Op == Leaves.Input || n.Op == Leaves.Param || n.Op == Leaves.Buffer || n.Op == Leaves.Const || written.Contains(n)
        || (n.Op == ViewOp.Instance && Stored(fusion.Inputs(n).First(), written, fusion));

    /// <summary>Every node a kernel reads or writes has a place in the parameter block, gradient block, arena or targets.</summary>
    public static void Planned(MemoryPlan memory, Fusion fusion, IReadOnlyList<ParamLayout> layout)
    {
        foreach (var k in fusion.Kernels)
            foreach (var n in k.Leaves.Where(l => l.Op != Leaves.Const).Append(k.Root))
            {
                Placement place;
                try { place = memory.Of(n, layout); }
                catch (Exception e) { throw new InvalidOperationException($"After Plan: {n} (kernel K{k.Index}) has no place: {e.Message}"); }
                if (place.Strides.Length != n.Shape.Rank) throw new InvalidOperationException($"After Plan: {n} has {place.Strides.Length} strides for rank {n.Shape.Rank}");
                if (k.GradPath is { } path && n == k.Root && place.Region != Region.Grad)
                    throw new InvalidOperationException($"After Plan: K{k.Index} adds into the gradient of '{path}' but writes {place.Region}");
            }
        // every slot fits its arena: a bound slot the ILGPU arena's last floats, any other the managed arena (without them),
        // at two bindings of the dims
        var symbols = memory.Stored.SelectMany(s => s.Node.Shape.Dims).SelectMany(d => d.Symbols).Distinct().ToList();
        foreach (int value in new[] { 1, 1000 })
        {
            var dims = symbols.ToDictionary(x => x, _ => value);
            long all = memory.WorkFloats.Evaluate(dims), managed = all - memory.BoundFloats.Evaluate(dims);
            foreach (var (n, offset) in memory.Stored)
            {
                long start = offset.Evaluate(dims), end = start + n.Shape.Count.Evaluate(dims) + MemoryPlan.Pad;
                bool bound = memory.Bound.ContainsKey(n);
                if (bound ? start < managed || end > all : end > managed)
                    throw new InvalidOperationException($"After Plan: {n}'s slot [{start}, {end}) is outside the {(bound ? "bound slots" : "managed arena")} (arena {all}, managed {managed}) at {string.Join(", ", dims.Select(d => $"{d.Key} = {d.Value}"))}");
            }
        }
    }
}

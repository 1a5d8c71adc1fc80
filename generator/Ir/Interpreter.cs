using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Ir;

/// <summary>
/// A float64 interpreter of the graph: the oracle every stage must agree with. It shares with the kernels only the
/// ops' own float64 forms (an elementwise row's <c>eval</c>, a reduction row's combine, a library op's
/// <see cref="LibraryOp.Evaluate"/>); broadcasting, views and the walk are written out here, plainly, element by
/// element. Because those forms sit in the same rows as the emitted code, agreement with the interpreter proves
/// consistency, not meaning: the tests' own float64 references (tests/Kiln.Tests/Support/ReferenceOps.cs) do that.
/// </summary>
internal static class Interpreter
{
    /// <param name="draw">The seed, ticket and mode of the run whose random draws to reproduce (graphs with random ops).</param>
    /// <param name="held">Nodes whose values are given rather than computed: finite differences hold a detached value
    /// at what it was before the perturbation, as autograd does.</param>
    public static Dictionary<Node, double[]> Evaluate(
        IEnumerable<Node> roots,
        IReadOnlyDictionary<string, double[]> inputs,
        IReadOnlyDictionary<string, double[]> parameters,
        IReadOnlyDictionary<string, int> dims,
        IReadOnlyDictionary<Node, double[]>? held = null,
        Draw? draw = null)
    {
        var values = new Dictionary<Node, double[]>();
        foreach (var n in Graph.TopologicalOrder(roots))
            values[n] = held is not null && held.TryGetValue(n, out var fixedValue) ? fixedValue
                : n.Op == RandomOp.Instance ? RandomOp.Evaluate(n, Count(Dims(n.Shape, dims)), draw ?? throw new ArgumentException("the graph draws random values: pass the run's seed and ticket", nameof(draw)))
                : Eval(n, values, inputs, parameters, dims);
        return values;
    }

    private static int[] Dims(Shape s, IReadOnlyDictionary<string, int> dims) => s.Dims.Select(d => (int)d.Evaluate(dims)).ToArray();
    /// <summary>Where a strided view's element at <paramref name="coords"/> lives in its contiguous input.</summary>
    internal static int ViewIndex(NodeAttrs view, int[] coords, int[] inputStrides)
    {
        int index = 0;
        for (int k = 0; k < view.Starts.Count; k++) index += (int)view.Starts[k] * inputStrides[k];
        for (int i = 0; i < coords.Length; i++)
            if (view.Axes[i] >= 0) index += coords[i] * (int)view.Steps[i] * inputStrides[view.Axes[i]];
        return index;
    }

    internal static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    internal static int[] Strides(int[] shape)
    {
        var st = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
        return st;
    }

    internal static int[] Coords(int flat, int[] shape)
    {
        var c = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--) { c[i] = flat % shape[i]; flat /= shape[i]; }
        return c;
    }

    /// <summary>Index into a tensor of shape <paramref name="from"/> broadcast to coordinates of a larger shape.</summary>
    internal static int Broadcast(int[] coords, int[] from)
    {
        int shift = coords.Length - from.Length, idx = 0, stride = 1;
        for (int i = from.Length - 1; i >= 0; i--)
        {
            int c = from[i] == 1 ? 0 : coords[i + shift];
            idx += c * stride;
            stride *= from[i];
        }
        return idx;
    }

    private static double[] Eval(Node n, Dictionary<Node, double[]> v, IReadOnlyDictionary<string, double[]> inputs, IReadOnlyDictionary<string, double[]> parameters, IReadOnlyDictionary<string, int> dims)
    {
        var shape = Dims(n.Shape, dims);
        int count = Count(shape);
        double[] In(int i) => v[n.Inputs[i]];
        int[] InShape(int i) => Dims(n.Inputs[i].Shape, dims);
        var result = new double[count];
        switch (n.Op.Kind)
        {
            case OpKind.Leaf:
                if (n.Op == Leaves.Const) return [n.Attrs.Value / Math.Max(0, n.Attrs.Divisor.Evaluate(dims) - n.Attrs.DivisorOffset)];
                var source = n.Op == Leaves.Input ? inputs[n.Attrs.Name] : parameters[n.Attrs.Name]; // parameters and buffers by path
                if (source.Length != count) throw new ArgumentException($"{n.Attrs.Name}: {source.Length} values for {count} elements");
                return source;
            case OpKind.Elementwise:
                for (int e = 0; e < count; e++)
                {
                    var c = Coords(e, shape);
                    var args = n.Inputs.Select((input, i) => In(i)[Broadcast(c, InShape(i))]).ToArray();
                    result[e] = n.Op.Eval(args, n.Attrs);
                }
                return result;
            case OpKind.Reduce:
            {
                var inShape = InShape(0);
                var x = In(0);
                var op = (ReduceOp)n.Op;
                for (int e = 0; e < count; e++) result[e] = op.Identity;
                for (int e = 0; e < x.Length; e++)
                {
                    var c = Coords(e, inShape);
                    foreach (var a in n.Attrs.Axes) c[a] = 0;
                    int o = 0;
                    for (int i = 0; i < c.Length; i++) o = o * shape[i] + c[i];
                    result[o] = op.Eval(result[o], x[e]);
                }
                return result;
            }
            case OpKind.View:
            {
                var x = In(0);
                if (ViewOp.IsReshape(n)) return (double[])x.Clone();
                if (ViewOp.IsStrided(n))
                {
                    var inputStrides = Strides(InShape(0));
                    for (int e = 0; e < count; e++) result[e] = x[ViewIndex(n.Attrs, Coords(e, shape), inputStrides)];
                    return result;
                }
                var inStrides = Strides(InShape(0));
                for (int e = 0; e < count; e++)
                {
                    var c = Coords(e, shape);
                    int idx = 0;
                    for (int i = 0; i < c.Length; i++) idx += c[i] * inStrides[n.Attrs.Axes[i]];
                    result[e] = x[idx];
                }
                return result;
            }
        }
        if (n.Op is LibraryOp library)
            return library.Evaluate(n, n.Inputs.Select((_, i) => In(i)).ToArray(), n.Inputs.Select((_, i) => InShape(i)).ToArray(), shape);
        throw new NotSupportedException("The interpreter has no rule for " + n.Op.Name);
    }
}

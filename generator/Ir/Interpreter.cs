using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Ir;

/// <summary>
/// A float64 interpreter of the graph: the oracle every stage must agree with. It shares nothing with the
/// kernels but the ops' float64 <see cref="OpDef.Eval"/>: broadcasting, reductions, views, matmul, softmax rows
/// and the class gather are written out here independently, plainly, element by element.
/// </summary>
internal static class Interpreter
{
    public static Dictionary<Node, double[]> Evaluate(
        IEnumerable<Node> roots,
        IReadOnlyDictionary<string, double[]> inputs,
        IReadOnlyDictionary<string, double[]> parameters,
        IReadOnlyDictionary<string, int> dims)
    {
        var values = new Dictionary<Node, double[]>();
        foreach (var n in Graph.TopologicalOrder(roots))
            values[n] = Eval(n, values, inputs, parameters, dims);
        return values;
    }

    private static int[] Dims(Shape s, IReadOnlyDictionary<string, int> dims) => s.Dims.Select(d => (int)d.Evaluate(dims)).ToArray();
    private static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    private static int[] Strides(int[] shape)
    {
        var st = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
        return st;
    }

    private static int[] Coords(int flat, int[] shape)
    {
        var c = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--) { c[i] = flat % shape[i]; flat /= shape[i]; }
        return c;
    }

    /// <summary>Index into a tensor of shape <paramref name="from"/> broadcast to coordinates of a larger shape.</summary>
    private static int Broadcast(int[] coords, int[] from)
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
                if (n.Op == Leaves.Const) return [n.Attrs.Value / n.Attrs.Divisor.Evaluate(dims)];
                var source = n.Op == Leaves.Input ? inputs[n.Attrs.Name] : parameters[n.Attrs.Name];
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
                for (int e = 0; e < x.Length; e++)
                {
                    var c = Coords(e, inShape);
                    foreach (var a in n.Attrs.Axes) c[a] = 0;
                    int o = 0;
                    for (int i = 0; i < c.Length; i++) o = o * shape[i] + c[i];
                    result[o] += x[e];
                }
                return result;
            }
            case OpKind.View:
            {
                var x = In(0);
                if (n.Attrs.Axes.Count == 0) return (double[])x.Clone();
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
        switch (n.Op)
        {
            case MatMulOp:
            {
                int[] a = InShape(0), b = InShape(1);
                int ra = a.Length, rb = b.Length, r = shape.Length;
                int m = shape[r - 2], cols = shape[r - 1], k = n.Attrs.TransA ? a[ra - 2] : a[ra - 1];
                var batch = shape.Take(r - 2).ToArray();
                int[] aBatch = a.Take(ra - 2).ToArray(), bBatch = b.Take(rb - 2).ToArray();
                for (int bi = 0; bi < Count(batch); bi++)
                {
                    var bc = Coords(bi, batch);
                    int aOff = Broadcast(bc, aBatch) * a[ra - 2] * a[ra - 1];
                    int bOff = Broadcast(bc, bBatch) * b[rb - 2] * b[rb - 1];
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < cols; j++)
                        {
                            double s = 0;
                            for (int p = 0; p < k; p++)
                            {
                                double av = n.Attrs.TransA ? In(0)[aOff + p * m + i] : In(0)[aOff + i * k + p];
                                double bv = n.Attrs.TransB ? In(1)[bOff + j * k + p] : In(1)[bOff + p * cols + j];
                                s += av * bv;
                            }
                            result[(bi * m + i) * cols + j] = s;
                        }
                }
                return result;
            }
            case SoftmaxOp or SoftmaxGradOp:
            {
                int dim = n.Attrs.Dim;
                int outer = shape.Take(dim).Aggregate(1, (x, y) => x * y), len = shape[dim], inner = shape.Skip(dim + 1).Aggregate(1, (x, y) => x * y);
                bool log = n.Op is SoftmaxOp s1 ? s1.IsLog : ((SoftmaxGradOp)n.Op).IsLog;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                    {
                        int Idx(int t) => (o * len + t) * inner + i;
                        if (n.Op is SoftmaxOp)
                        {
                            double max = Enumerable.Range(0, len).Max(t => In(0)[Idx(t)]);
                            double sum = Enumerable.Range(0, len).Sum(t => Math.Exp(In(0)[Idx(t)] - max));
                            for (int t = 0; t < len; t++)
                                result[Idx(t)] = log ? In(0)[Idx(t)] - max - Math.Log(sum) : Math.Exp(In(0)[Idx(t)] - max) / sum;
                        }
                        else
                        {
                            double[] y = In(0), g = In(1);
                            double dot = Enumerable.Range(0, len).Sum(t => log ? g[Idx(t)] : g[Idx(t)] * y[Idx(t)]);
                            for (int t = 0; t < len; t++)
                                result[Idx(t)] = log ? g[Idx(t)] - Math.Exp(y[Idx(t)]) * dot : y[Idx(t)] * (g[Idx(t)] - dot);
                        }
                    }
                return result;
            }
            case PickOp:
            {
                var x = In(0);
                var xs = InShape(0);
                var t = In(1);
                for (int i = 0; i < count; i++)
                {
                    int c = (int)t[i];
                    result[i] = c == n.Attrs.Ignore ? 0 : xs.Length == 0 ? 1 : xs.Length == 1 ? x[c] : x[i * xs[1] + c];
                }
                return result;
            }
            case ScatterOp:
            {
                var t = In(1);
                int classes = shape[1];
                for (int i = 0; i < shape[0]; i++)
                    if ((int)t[i] != n.Attrs.Ignore) result[i * classes + (int)t[i]] = In(0)[i];
                return result;
            }
        }
        throw new NotSupportedException("The interpreter has no rule for " + n.Op.Name);
    }
}

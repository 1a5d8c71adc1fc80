using System;
using System.Linq;
using Kiln.Generator.Emit;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>Softmax or log-softmax over Dim, as rows (the runtime's SoftmaxOp: max, sum of exps, normalize).</summary>
internal sealed class SoftmaxOp(bool log) : LibraryOp
{
    public static readonly SoftmaxOp Softmax = new(false);
    public static readonly SoftmaxOp LogSoftmax = new(true);
    public bool IsLog => log;
    public override string Name => log ? "LogSoftmax" : "Softmax";

    // ∂p_i/∂a_j = p_i(δij - p_j): dx = y(g - Σ g·y); for log-softmax dx = g - exp(y)·Σ g
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [b.SoftmaxGrad(node, grad, node.Attrs.Dim, log)];

    public override string RuntimeType => Kiln("SoftmaxOp");
    public override string Construct(LibraryEmit e) => Rows.Construct(e, RuntimeType, log, backward: false);

    public override void Call(LibraryEmit e, SourceWriter w)
    {
        var x = e.Kernel.Leaves[0];
        w.Line($"{e.Field}.Run({e.DeviceArg}{e.Array(x)}, {e.Off(x)}, {e.Array(x)}, {e.Off(x)}, {e.Array(e.Node)}, {e.Off(e.Node)});");
    }

    public override string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape) => Rows.ShapeError(x, attrs, shape);

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape) =>
        Rows.Evaluate(n.Attrs.Dim, shape, (x, len, at, result) =>
        {
            double max = Enumerable.Range(0, len).Max(t => x[0][at(t)]);
            double sum = Enumerable.Range(0, len).Sum(t => Math.Exp(x[0][at(t)] - max));
            for (int t = 0; t < len; t++)
                result[at(t)] = log ? x[0][at(t)] - max - Math.Log(sum) : Math.Exp(x[0][at(t)] - max) / sum;
        }, inputs);
}

/// <summary>The backward row kernel of softmax/log-softmax: inputs (y, dy).</summary>
internal sealed class SoftmaxGradOp(bool log) : LibraryOp
{
    public static readonly SoftmaxGradOp Softmax = new(false);
    public static readonly SoftmaxGradOp LogSoftmax = new(true);
    public bool IsLog => log;
    public override string Name => log ? "LogSoftmaxGrad" : "SoftmaxGrad";
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [null, null];

    public override string RuntimeType => Kiln("SoftmaxOp");
    public override string Construct(LibraryEmit e) => Rows.Construct(e, RuntimeType, log, backward: true);

    public override void Call(LibraryEmit e, SourceWriter w)
    {
        Node y = e.Kernel.Leaves[0], dy = e.Kernel.Leaves[1];
        w.Line($"{e.Field}.Run({e.DeviceArg}{e.Array(y)}, {e.Off(y)}, {e.Array(dy)}, {e.Off(dy)}, {e.Array(e.Node)}, {e.Off(e.Node)});");
    }

    public override string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape) =>
        !x[1].Shape.Equals(shape) ? $"gradient {x[1].Shape} differs from {shape}" : Rows.ShapeError(x, attrs, shape);

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape) =>
        Rows.Evaluate(n.Attrs.Dim, shape, (x, len, at, result) =>
        {
            double[] y = x[0], g = x[1];
            double dot = Enumerable.Range(0, len).Sum(t => log ? g[at(t)] : g[at(t)] * y[at(t)]);
            for (int t = 0; t < len; t++)
                result[at(t)] = log ? g[at(t)] - Math.Exp(y[at(t)]) * dot : y[at(t)] * (g[at(t)] - dot);
        }, inputs);
}

/// <summary>
/// The backward of softmax rows whose gradient is a class-index scatter (CrossEntropy with class targets): inputs
/// (rows, v, targets), dx[i, j] = [j = t_i]·v_i - p[i, j]·v_i, and 0 for an ignored row, where the rows are
/// log-probabilities (p = exp y: NLL over a log_softmax) or, for <see cref="PickLogSoftmaxOp"/>, the softmax p itself.
/// One pass over the rows, instead of clearing a one-hot matrix, filling it and reading it back.
/// </summary>
internal sealed class PickedLogSoftmaxGradOp(bool probabilities) : LibraryOp
{
    public static readonly PickedLogSoftmaxGradOp Log = new(false);
    public static readonly PickedLogSoftmaxGradOp Probabilities = new(true);
    public override string Name => probabilities ? "PickedSoftmaxGrad" : "PickedLogSoftmaxGrad";
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [null, null, null];

    public override string RuntimeType => Kiln("PickedLogSoftmaxGradOp");
    public override string Construct(LibraryEmit e) =>
        $"new {RuntimeType}({e.Dim(e.Node.Shape[0])}, {e.Dim(e.Node.Shape[1])}, {e.Node.Attrs.Ignore}{(probabilities ? ", probabilities: true" : "")})";

    public override void Call(LibraryEmit e, SourceWriter w)
    {
        Node y = e.Kernel.Leaves[0], v = e.Kernel.Leaves[1], t = e.Kernel.Leaves[2];
        w.Line($"{e.Field}.Run({e.DeviceArg}{e.Array(y)}, {e.Off(y)}, {e.Array(v)}, {e.Off(v)}, {e.Targets}, {e.Off(t)}, {e.Array(e.Node)}, {e.Off(e.Node)});");
    }

    public override string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape) =>
        shape.Rank != 2 || !x[0].Shape.Equals(shape) || !x[1].Shape.Equals(x[2].Shape) || x[1].Shape.Rank != 1 || x[1].Shape[0] != shape[0]
            ? $"result {shape} must be (targets, classes) for rows {x[0].Shape}, gradient {x[1].Shape} and targets {x[2].Shape}" : null;

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape)
    {
        double[] y = inputs[0], v = inputs[1], t = inputs[2];
        int rows = shape[0], classes = shape[1];
        var result = new double[rows * classes];
        for (int i = 0; i < rows; i++)
        {
            int target = (int)t[i];
            if (target == n.Attrs.Ignore) continue;
            for (int j = 0; j < classes; j++)
            {
                double p = probabilities ? y[i * classes + j] : Math.Exp(y[i * classes + j]);
                result[i * classes + j] = (j == target ? v[i] : 0) - p * v[i];
            }
        }
        return result;
    }
}

/// <summary>
/// CrossEntropy's picked log-probabilities from logits (N, C): inputs (x, targets, p) where p = softmax(x) over the
/// classes, out[i] = log_softmax(x)[i, t_i], 0 for an ignored row. The forward keeps p for the backward
/// (<see cref="PickedLogSoftmaxGradOp.Probabilities"/>: no exp there) and reads log p[i, t_i] off it; the runtime
/// recomputes a row from x where p[i, t_i] is too small for float to hold its digits.
/// </summary>
internal sealed class PickLogSoftmaxOp : LibraryOp
{
    public static readonly PickLogSoftmaxOp Instance = new();
    public override string Name => "PickLogSoftmax";

    // the gradient with respect to x through p too (p gets none): dx = (onehot - p)·g
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) =>
        [b.PickedSoftmaxGrad(node.Inputs[2], grad, node.Inputs[1], node.Attrs.Ignore), null, null];

    public override string RuntimeType => Kiln("PickLogSoftmaxOp");
    public override string Construct(LibraryEmit e) =>
        $"new {RuntimeType}({e.Dim(e.Node.Shape[0])}, {e.Dim(e.Node.Inputs[0].Shape[1])}, {e.Node.Attrs.Ignore})";

    public override void Call(LibraryEmit e, SourceWriter w)
    {
        Node x = e.Kernel.Leaves[0], t = e.Kernel.Leaves[1], p = e.Kernel.Leaves[2];
        w.Line($"{e.Field}.Run({e.DeviceArg}{e.Array(x)}, {e.Off(x)}, {e.Targets}, {e.Off(t)}, {e.Array(p)}, {e.Off(p)}, {e.Array(e.Node)}, {e.Off(e.Node)});");
    }

    public override string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape) =>
        x[0].Shape.Rank != 2 || !x[2].Shape.Equals(x[0].Shape) || shape.Rank != 1 || !x[1].Shape.Equals(shape) || shape[0] != x[0].Shape[0]
            ? $"result {shape} must be the targets' {x[1].Shape}, one per row of logits {x[0].Shape} and their softmax {x[2].Shape}" : null;

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape)
    {
        double[] x = inputs[0], t = inputs[1];
        int classes = inputShapes[0][1];
        var result = new double[shape[0]];
        for (int i = 0; i < shape[0]; i++)
        {
            int target = (int)t[i];
            if (target == n.Attrs.Ignore) continue;
            var row = x.Skip(i * classes).Take(classes).ToArray();
            double max = row.Max();
            result[i] = row[target] - max - Math.Log(row.Sum(v => Math.Exp(v - max)));
        }
        return result;
    }
}

/// <summary>What the softmax ops share: a tensor seen as (outer, len, inner) rows along one dim.</summary>
internal static class Rows
{
    public static string Construct(LibraryEmit e, string type, bool log, bool backward)
    {
        var s = e.Node.Shape;
        int dim = e.Node.Attrs.Dim;
        string outer = e.Dim(s.Dims.Take(dim).Aggregate(Size.Of(1), (a, b) => a * b));
        string inner = e.Dim(s.Dims.Skip(dim + 1).Aggregate(Size.Of(1), (a, b) => a * b));
        return $"new {type}({outer}, {e.Dim(s[dim])}, {inner}, log: {(log ? "true" : "false")}, backward: {(backward ? "true" : "false")})";
    }

    public static string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape) =>
        !x[0].Shape.Equals(shape) ? $"result {shape} differs from operand {x[0].Shape}"
        : attrs.Dim < 0 || attrs.Dim >= shape.Rank ? $"dim {attrs.Dim} out of range" : null;

    /// <summary>Runs <paramref name="row"/> once per row; it reads and writes through the row's index map.</summary>
    public static double[] Evaluate(int dim, int[] shape, Action<double[][], int, Func<int, int>, double[]> row, double[][] inputs)
    {
        int outer = shape.Take(dim).Aggregate(1, (x, y) => x * y), len = shape[dim], inner = shape.Skip(dim + 1).Aggregate(1, (x, y) => x * y);
        var result = new double[outer * len * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int oo = o, ii = i;
                row(inputs, len, t => (oo * len + t) * inner + ii, result);
            }
        return result;
    }
}

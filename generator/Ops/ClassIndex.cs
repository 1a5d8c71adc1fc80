using Kiln.Generator.Emit;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>
/// out[i] = x[i, t_i] (or x[t_i] for a class-weight vector, or 1 for a constant: the count of a mean), 0 where t_i
/// is the ignore index. The gather behind NLL and CrossEntropy, run by the runtime's ClassOp.
/// </summary>
internal sealed class PickOp : LibraryOp
{
    public static readonly PickOp Instance = new();
    public override string Name => "Pick";
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) =>
        [node.Inputs[0].Shape.Rank == 2 ? b.Scatter(grad, node.Inputs[1], node.Inputs[0].Shape, node.Attrs.Ignore) : null, null];

    public override string RuntimeType => Kiln("ClassOp");

    public override string Construct(LibraryEmit e)
    {
        var n = e.Node;
        var x = n.Inputs[0];
        string mode = x.Shape.Rank switch { 2 => "PickRows", 1 => "PickVector", _ => "Mask" };
        string classes = x.Shape.Rank == 0 ? "0" : e.Dim(x.Shape[x.Shape.Rank - 1]);
        return $"new {RuntimeType}({e.Dim(n.Shape[0])}, {classes}, {Kiln("ClassMode")}.{mode}, {n.Attrs.Ignore})";
    }

    public override void Call(LibraryEmit e, SourceWriter w) => ClassCall(e, w);

    public override string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape) =>
        !x[1].Shape.Equals(shape) || shape.Rank != 1 ? $"result {shape} must be the targets' shape {x[1].Shape}"
        : x[0].Shape.Rank == 2 && x[0].Shape[0] != shape[0] ? $"{x[0].Shape} has not one row per target" : null;

    /// <summary>Whether <paramref name="n"/> picks one class per target out of its first operand's last dim (targets its
    /// second operand): what the plan's host check of the targets' range covers.</summary>
    internal static bool PicksClasses(Node n) => (n.Op == Instance || n.Op == PickLogSoftmaxOp.Instance) && n.Inputs[0].Shape.Rank > 0;

    /// <summary>(source, targets) → out; a mask reads no source (its constant operand is not stored).</summary>
    internal static void ClassCall(LibraryEmit e, SourceWriter w)
    {
        var leaves = e.Kernel.Leaves;
        var src = leaves[0].Op == Leaves.Const ? null : leaves[0];
        string srcArr = src is null ? e.Work : e.Array(src);
        string srcOff = src is null ? "0" : e.Off(src);
        w.Line($"{e.Field}.Run({e.DeviceArg}{srcArr}, {srcOff}, {e.Targets}, {e.Off(leaves[1])}, {e.Array(e.Node)}, {e.Off(e.Node)});");
    }

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape)
    {
        double[] x = inputs[0], t = inputs[1];
        var xs = inputShapes[0];
        var result = new double[Interpreter.Count(shape)];
        for (int i = 0; i < result.Length; i++)
        {
            int c = (int)t[i];
            result[i] = c == n.Attrs.Ignore ? 0 : xs.Length == 0 ? 1 : xs.Length == 1 ? x[c] : x[i * xs[1] + c];
        }
        return result;
    }
}

/// <summary>dx[i, j] = g[i] where j = t_i (not ignored), else 0: the adjoint of Pick.</summary>
internal sealed class ScatterOp : LibraryOp
{
    public static readonly ScatterOp Instance = new();
    public override string Name => "Scatter";
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [null, null];

    public override string RuntimeType => Kiln("ClassOp");

    public override string Construct(LibraryEmit e) =>
        $"new {RuntimeType}({e.Dim(e.Node.Shape[0])}, {e.Dim(e.Node.Shape[1])}, {Kiln("ClassMode")}.Scatter, {e.Node.Attrs.Ignore})";

    public override void Call(LibraryEmit e, SourceWriter w) => PickOp.ClassCall(e, w);

    public override string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape) =>
        shape.Rank != 2 || x[1].Shape.Rank != 1 || shape[0] != x[1].Shape[0] || !x[0].Shape.Equals(x[1].Shape)
            ? $"result {shape} must be (targets, classes) for gradient {x[0].Shape} and targets {x[1].Shape}" : null;

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape)
    {
        double[] g = inputs[0], t = inputs[1];
        var result = new double[shape[0] * shape[1]];
        for (int i = 0; i < shape[0]; i++)
            if ((int)t[i] != n.Attrs.Ignore) result[i * shape[1] + (int)t[i]] = g[i];
        return result;
    }
}

using System.Linq;
using Kiln.Generator.Emit;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>
/// C = op(A)·op(B) over the last two dims, batch dims broadcast (torch.matmul). Transposes are flags, so
/// x·Wᵀ and both backward products read the stored matrices directly. Runs as the runtime's GemmOp, which can add
/// into its output (beta = 1), so a weight gradient lands straight in the gradient block.
/// </summary>
internal sealed class MatMulOp : LibraryOp
{
    public static readonly MatMulOp Instance = new();
    public override string Name => "MatMul";

    public override Node?[] Backward(GraphBuilder b, Node node, Node g)
    {
        Node a = node.Inputs[0], m = node.Inputs[1];
        bool ta = node.Attrs.TransA, tb = node.Attrs.TransB;
        // C = A B: dA = g Bᵀ, dB = Aᵀ g; the transposed cases follow from (XY)ᵀ = YᵀXᵀ.
        Node da = (ta, tb) switch
        {
            (false, false) => b.MatMul(g, m, false, true),
            (false, true) => b.MatMul(g, m, false, false),
            (true, false) => b.MatMul(m, g, false, true),
            _ => b.MatMul(m, g, true, true),
        };
        Node db = (ta, tb) switch
        {
            (false, false) => b.MatMul(a, g, true, false),
            (false, true) => b.MatMul(g, a, true, false),
            (true, false) => b.MatMul(a, g, false, false),
            _ => b.MatMul(g, a, true, true),
        };
        return [b.SumTo(da, a.Shape), b.SumTo(db, m.Shape)];
    }

    public override string RuntimeType => Kiln("GemmOp");
    public override bool CanAccumulate => true;

    public override string Construct(LibraryEmit e)
    {
        var n = e.Node;
        var a = n.Inputs[0];
        string mm = e.Dim(n.Shape[n.Shape.Rank - 2]), nn = e.Dim(n.Shape[n.Shape.Rank - 1]);
        string kk = e.Dim(n.Attrs.TransA ? a.Shape[a.Shape.Rank - 2] : a.Shape[a.Shape.Rank - 1]);
        return $"new {RuntimeType}({mm}, {nn}, {kk}, transA: {Bool(n.Attrs.TransA)}, transB: {Bool(n.Attrs.TransB)}, accumulate: {Bool(e.Kernel.Accumulates)}, managed: Managed)";
    }

    public override void Call(LibraryEmit e, SourceWriter w)
    {
        var n = e.Node;
        Node a = e.Kernel.Leaves[0], b = e.Kernel.Leaves[1];
        int batchRank = n.Shape.Rank - 2;
        // batch dims: loop over output batch coordinates; broadcast operands have batch stride 0
        string Stride(Node x, int i)
        {
            int j = i - (batchRank - (x.Shape.Rank - 2));
            if (j < 0 || (x.Shape[j].IsOne && !n.Shape[i].IsOne)) return "0";
            return e.Dim(x.Shape.ContiguousStrides()[j]);
        }
        string Offs(Node x) => e.Off(x) + string.Concat(Enumerable.Range(0, batchRank).Select(i => Stride(x, i) == "0" ? "" : $" + b{i} * ({Stride(x, i)})"));
        for (int i = 0; i < batchRank; i++) w.Open($"for (int b{i} = 0; b{i} < {e.Dim(n.Shape[i])}; b{i}++)");
        w.Line($"{e.Field}.Run({e.DeviceArg}{e.Array(a)}, {Offs(a)}, {e.Array(b)}, {Offs(b)}, {e.Array(n)}, {Offs(n)});");
        for (int i = 0; i < batchRank; i++) w.Close();
    }

    public override string? ShapeError(Node[] x, NodeAttrs attrs, Shape shape)
    {
        Shape a = x[0].Shape, b = x[1].Shape;
        if (a.Rank < 2 || b.Rank < 2 || shape.Rank < 2) return "operands and result must have rank ≥ 2";
        Size m = attrs.TransA ? a[a.Rank - 1] : a[a.Rank - 2], ka = attrs.TransA ? a[a.Rank - 2] : a[a.Rank - 1];
        Size kb = attrs.TransB ? b[b.Rank - 1] : b[b.Rank - 2], n = attrs.TransB ? b[b.Rank - 2] : b[b.Rank - 1];
        if (ka != kb) return $"inner dims {ka} and {kb} differ";
        return shape[shape.Rank - 2] == m && shape[shape.Rank - 1] == n ? null : $"result {shape} is not [..., {m}, {n}]";
    }

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape)
    {
        int[] a = inputShapes[0], b = inputShapes[1];
        int ra = a.Length, rb = b.Length, r = shape.Length;
        int m = shape[r - 2], cols = shape[r - 1], k = n.Attrs.TransA ? a[ra - 2] : a[ra - 1];
        var batch = shape.Take(r - 2).ToArray();
        int[] aBatch = a.Take(ra - 2).ToArray(), bBatch = b.Take(rb - 2).ToArray();
        var result = new double[Interpreter.Count(shape)];
        for (int bi = 0; bi < Interpreter.Count(batch); bi++)
        {
            var bc = Interpreter.Coords(bi, batch);
            int aOff = Interpreter.Broadcast(bc, aBatch) * a[ra - 2] * a[ra - 1];
            int bOff = Interpreter.Broadcast(bc, bBatch) * b[rb - 2] * b[rb - 1];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < cols; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double av = n.Attrs.TransA ? inputs[0][aOff + p * m + i] : inputs[0][aOff + i * k + p];
                        double bv = n.Attrs.TransB ? inputs[1][bOff + j * k + p] : inputs[1][bOff + p * cols + j];
                        s += av * bv;
                    }
                    result[(bi * m + i) * cols + j] = s;
                }
        }
        return result;
    }
}

using System.Linq;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>Sum over axes (keepdim shape; dropping dims is a view). Fused with its elementwise producer.</summary>
internal sealed class SumOp : OpDef
{
    public static readonly SumOp Instance = new();
    public override string Name => "Sum";
    public override OpKind Kind => OpKind.Reduce;
    // the gradient of a sum is the incoming gradient broadcast back over the summed axes
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [b.Expand(grad, node.Inputs[0].Shape)];
}

/// <summary>A reshape (Axes empty) or a permutation (Axes = the order) of the same memory.</summary>
internal sealed class ViewOp : OpDef
{
    public static readonly ViewOp Instance = new();
    public override string Name => "View";
    public override OpKind Kind => OpKind.View;

    public override Node?[] Backward(GraphBuilder b, Node node, Node grad)
    {
        if (node.Attrs.Axes.Count == 0) return [b.Reshape(grad, node.Inputs[0].Shape)];
        var inverse = new int[node.Attrs.Axes.Count];
        for (int i = 0; i < inverse.Length; i++) inverse[node.Attrs.Axes[i]] = i;
        return [b.Permute(grad, inverse)];
    }
}

/// <summary>
/// C = op(A)·op(B) over the last two dims, batch dims broadcast (torch.matmul). Transposes are flags, so
/// x·Wᵀ and both backward products read the stored matrices directly.
/// </summary>
internal sealed class MatMulOp : OpDef
{
    public static readonly MatMulOp Instance = new();
    public override string Name => "MatMul";
    public override OpKind Kind => OpKind.Library;

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
}

/// <summary>Softmax or log-softmax over Dim, as rows (a library kernel: max, sum of exps, normalize).</summary>
internal sealed class SoftmaxOp(bool log) : OpDef
{
    public static readonly SoftmaxOp Softmax = new(false);
    public static readonly SoftmaxOp LogSoftmax = new(true);
    public bool IsLog => log;
    public override string Name => log ? "LogSoftmax" : "Softmax";
    public override OpKind Kind => OpKind.Library;
    // ∂p_i/∂a_j = p_i(δij - p_j): dx = y(g - Σ g·y); for log-softmax dx = g - exp(y)·Σ g
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [b.SoftmaxGrad(node, grad, node.Attrs.Dim, log)];
}

/// <summary>The backward row kernel of softmax/log-softmax: inputs (y, dy).</summary>
internal sealed class SoftmaxGradOp(bool log) : OpDef
{
    public static readonly SoftmaxGradOp Softmax = new(false);
    public static readonly SoftmaxGradOp LogSoftmax = new(true);
    public bool IsLog => log;
    public override string Name => log ? "LogSoftmaxGrad" : "SoftmaxGrad";
    public override OpKind Kind => OpKind.Library;
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [null, null];
}

/// <summary>out[i] = x[i, t_i] (or x[t_i] for a class-weight vector), 0 where t_i is the ignore index.</summary>
internal sealed class PickOp : OpDef
{
    public static readonly PickOp Instance = new();
    public override string Name => "Pick";
    public override OpKind Kind => OpKind.Library;
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) =>
        [node.Inputs[0].Shape.Rank == 2 ? b.Scatter(grad, node.Inputs[1], node.Inputs[0].Shape, node.Attrs.Ignore) : null, null];
}

/// <summary>dx[i, j] = g[i] where j = t_i (not ignored), else 0: the adjoint of Pick.</summary>
internal sealed class ScatterOp : OpDef
{
    public static readonly ScatterOp Instance = new();
    public override string Name => "Scatter";
    public override OpKind Kind => OpKind.Library;
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [null, null];
}

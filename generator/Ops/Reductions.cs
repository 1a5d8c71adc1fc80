using System;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>
/// A reduction over axes as one row: its identity, how a value is combined into an accumulator in every form the
/// kernels need (scalar, vector of S, across the lanes of a vector, an ILGPU atomic, float64 for the interpreter), and
/// its vector-Jacobian rule. Both emitters, the plan's initialisation and the interpreter read only these, so Max,
/// Min, Prod or LogSumExp are one row each. Reductions are fused with their elementwise producer chain.
/// </summary>
internal sealed class ReduceOp(
    string name,
    double identity,
    Func<string, string, string> combine,
    Func<string, string, string> vectorCombine,
    Func<string, string> acrossLanes,
    Func<string, string, string> atomic,
    Func<double, double, double> eval,
    Func<GraphBuilder, Node, Node, Node?[]> backward,
    bool additive = false) : OpDef
{
    public override string Name => name;
    public override OpKind Kind => OpKind.Reduce;

    /// <summary>The value an empty reduction has; outputs start from it.</summary>
    public double Identity => identity;

    /// <summary>The identity as a C# float literal ("0" for a sum, so cleared memory is already right).</summary>
    public string IdentityLiteral => identity == 0 ? "0" : Float(identity);

    /// <summary>Scalar combine of two float (or double) expressions.</summary>
    public string Combine(string acc, string x) => combine(acc, x);

    /// <summary>Combine of two vector (S) expressions.</summary>
    public string VectorCombine(string acc, string x) => vectorCombine(acc, x);

    /// <summary>The scalar reduction of the lanes of one vector (S) expression.</summary>
    public string AcrossLanes(string v) => acrossLanes(v);

    /// <summary>The statement accumulating <paramref name="x"/> into <paramref name="target"/>; an additive row reads as <c>+=</c>.</summary>
    public string Accumulate(string target, string x) => additive ? $"{target} += {x};" : $"{target} = {combine(target, x)};";

    /// <summary>The statement accumulating a vector <paramref name="x"/> into the vector <paramref name="target"/>.</summary>
    public string VectorAccumulate(string target, string x) => additive ? $"{target} += {x};" : $"{target} = {vectorCombine(target, x)};";

    /// <summary>The identity as a vector (S) expression.</summary>
    public string VectorIdentity => identity == 0 ? "S.Zero" : Vec(Float(identity));

    /// <summary>The ILGPU statement combining <paramref name="x"/> into a shared output element.</summary>
    public string Atomic(string target, string x) => atomic(target, x);

    /// <summary>Float64 combine, for the interpreter.</summary>
    public double Eval(double acc, double x) => eval(acc, x);

    /// <summary>Whether combining is adding: such a reduction may add straight into a gradient slot.</summary>
    public bool Additive => additive;

    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => backward(b, node, grad);
}

internal static class Reductions
{
    public static readonly ReduceOp Sum = new("Sum",
        identity: 0,
        combine: (a, x) => $"{a} + {x}",
        vectorCombine: (a, x) => $"({a} + {x})",
        acrossLanes: v => $"S.Sum({v})",
        atomic: (t, x) => $"Atomics.Add(ref {t}, {x});",
        eval: (a, x) => a + x,
        // the gradient of a sum is the incoming gradient broadcast back over the summed axes
        backward: (b, n, g) => [b.Expand(g, n.Inputs[0].Shape)],
        additive: true);

    /// <summary>torch.amax: the largest element; the gradient is shared evenly among the elements equal to it.</summary>
    public static readonly ReduceOp Amax = new("Amax",
        identity: double.NegativeInfinity,
        combine: (a, x) => $"Math.Max({a}, {x})",
        vectorCombine: (a, x) => $"S.Max({a}, {x})",
        acrossLanes: v => $"global::Kiln.Kernels.Simd.MaxAcross({v})",
        atomic: (t, x) => $"Atomics.Max(ref {t}, {x});",
        eval: Math.Max,
        backward: EvenlyAmongTies);

    /// <summary>torch.amin: the smallest element; the gradient is shared evenly among the elements equal to it.</summary>
    public static readonly ReduceOp Amin = new("Amin",
        identity: double.PositiveInfinity,
        combine: (a, x) => $"Math.Min({a}, {x})",
        vectorCombine: (a, x) => $"S.Min({a}, {x})",
        acrossLanes: v => $"global::Kiln.Kernels.Simd.MinAcross({v})",
        atomic: (t, x) => $"Atomics.Min(ref {t}, {x});",
        eval: Math.Min,
        backward: EvenlyAmongTies);

    /// <summary>
    /// torch.prod. Its gradient is the product of the other elements: g·y/x where the reduced slice has no zero; at
    /// the one zero of a slice, g times the product of the rest; 0 everywhere else (PyTorch's rule, exact with zeros).
    /// ILGPU has no atomic multiply: a compare-exchange loop in the runtime does it.
    /// </summary>
    public static readonly ReduceOp Prod = new("Prod",
        identity: 1,
        combine: (a, x) => $"{a} * {x}",
        vectorCombine: (a, x) => $"({a} * {x})",
        acrossLanes: v => $"global::Kiln.Kernels.Simd.ProductAcross({v})",
        atomic: (t, x) => $"Atomics.Multiply(ref {t}, {x});",
        eval: (a, x) => a * x,
        backward: (b, n, g) =>
        {
            var x = n.Inputs[0];
            var isZero = b.Binary(Arithmetic.Eq, x, b.Const(0));
            var zeros = b.Sum(isZero, n.Attrs.Axes, keepDim: true);
            var others = b.Reduce(Prod!, b.Where(isZero, b.Const(1), x), n.Attrs.Axes, keepDim: true);
            var atTheZero = b.Where(b.Binary(Arithmetic.LogicalAnd, isZero, b.Binary(Arithmetic.Eq, zeros, b.Const(1))), b.Mul(g, others), b.Const(0));
            return [b.Where(b.Binary(Arithmetic.Eq, zeros, b.Const(0)), b.Div(b.Mul(g, n), x), atTheZero)];
        });

    // PyTorch's amax/amin rule: dx = g·[x = y] / #{x = y} over the reduced axes (ties split the gradient)
    private static Node?[] EvenlyAmongTies(GraphBuilder b, Node n, Node g)
    {
        var x = n.Inputs[0];
        var selected = b.Binary(Arithmetic.Eq, x, n);
        return [b.Div(b.Mul(g, selected), b.Sum(selected, n.Attrs.Axes, keepDim: true))];
    }
}

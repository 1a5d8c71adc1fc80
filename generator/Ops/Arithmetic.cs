using System;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>Binary arithmetic with PyTorch broadcasting. Gradients reaching a broadcast input are summed back to its shape.</summary>
internal static class Arithmetic
{
    public static readonly OpDef Add = new ElementwiseOp("Add",
        scalar: (a, _) => $"({a[0]} + {a[1]})",
        vector: (a, _) => $"({a[0]} + {a[1]})",
        eval: (a, _) => a[0] + a[1],
        backward: (b, n, g) => [b.SumTo(g, n.Inputs[0].Shape), b.SumTo(g, n.Inputs[1].Shape)]);

    public static readonly OpDef Sub = new ElementwiseOp("Sub",
        scalar: (a, _) => $"({a[0]} - {a[1]})",
        vector: (a, _) => $"({a[0]} - {a[1]})",
        eval: (a, _) => a[0] - a[1],
        backward: (b, n, g) => [b.SumTo(g, n.Inputs[0].Shape), b.SumTo(b.Neg(g), n.Inputs[1].Shape)]);

    public static readonly OpDef Mul = new ElementwiseOp("Mul",
        scalar: (a, _) => $"({a[0]} * {a[1]})",
        vector: (a, _) => $"({a[0]} * {a[1]})",
        eval: (a, _) => a[0] * a[1],
        backward: (b, n, g) => [b.SumTo(b.Mul(g, n.Inputs[1]), n.Inputs[0].Shape), b.SumTo(b.Mul(g, n.Inputs[0]), n.Inputs[1].Shape)]);

    // d(a/b)/db = -a/b² = -y/b
    public static readonly OpDef Div = new ElementwiseOp("Div",
        scalar: (a, _) => $"({a[0]} / {a[1]})",
        vector: (a, _) => $"({a[0]} / {a[1]})",
        eval: (a, _) => a[0] / a[1],
        backward: (b, n, g) => [b.SumTo(b.Div(g, n.Inputs[1]), n.Inputs[0].Shape), b.SumTo(b.Neg(b.Div(b.Mul(g, n), n.Inputs[1])), n.Inputs[1].Shape)]);

    public static readonly OpDef Neg = new ElementwiseOp("Neg",
        scalar: (a, _) => $"(-{a[0]})",
        vector: (a, _) => $"(-{a[0]})",
        eval: (a, _) => -a[0],
        backward: (b, n, g) => [b.Neg(g)]);

    // d(a^b)/da = b·a^(b-1); d(a^b)/db = a^b·ln a
    public static readonly OpDef Pow = new ElementwiseOp("Pow",
        scalar: (a, _) => $"MathF.Pow({a[0]}, {a[1]})",
        vector: (_, _) => null,
        eval: (a, _) => Math.Pow(a[0], a[1]),
        backward: (b, n, g) =>
        [
            b.SumTo(b.Mul(g, b.Mul(n.Inputs[1], b.Pow(n.Inputs[0], b.Sub(n.Inputs[1], b.Const(1))))), n.Inputs[0].Shape),
            n.Inputs[1].Op == Leaves.Const ? null : b.SumTo(b.Mul(g, b.Mul(n, b.Unary(Unary.Log, n.Inputs[0]))), n.Inputs[1].Shape),
        ]);

    // torch.remainder (Python's %, the sign of b) and torch.fmod (C's fmod, the sign of a), exact (scalar forms: a vector
    // a − b·⌊a/b⌋ rounds where fmod does not). d/da = 1; d/db = −⌊a/b⌋ (remainder), −trunc(a/b) (fmod), as derivatives.yaml
    public static readonly OpDef Remainder = new ElementwiseOp("Remainder",
        scalar: (a, _) => $"global::Kiln.Kernels.Simd.Remainder({a[0]}, {a[1]})",
        vector: (_, _) => null,
        eval: (a, _) => RemainderOf(a[0], a[1]),
        backward: (b, n, g) =>
        [
            b.SumTo(g, n.Inputs[0].Shape),
            n.Inputs[1].Op == Leaves.Const ? null : b.SumTo(b.Neg(b.Mul(g, b.Unary(Unary.Floor, b.Div(n.Inputs[0], n.Inputs[1])))), n.Inputs[1].Shape),
        ]);

    public static readonly OpDef Fmod = new ElementwiseOp("Fmod",
        scalar: (a, _) => $"({a[0]} % {a[1]})",
        vector: (_, _) => null,
        eval: (a, _) => a[0] % a[1],
        backward: (b, n, g) =>
        [
            b.SumTo(g, n.Inputs[0].Shape),
            n.Inputs[1].Op == Leaves.Const ? null : b.SumTo(b.Neg(b.Mul(g, Trunc(b, b.Div(n.Inputs[0], n.Inputs[1])))), n.Inputs[1].Shape),
        ]);

    private static double RemainderOf(double x, double y)
    {
        double m = x % y;
        return m != 0 && (y < 0) != (m < 0) ? m + y : m;
    }

    /// <summary>trunc(x) = sign(x)·⌊|x|⌋.</summary>
    private static Node Trunc(GraphBuilder b, Node x) => b.Mul(b.Unary(Unary.Sign, x), b.Unary(Unary.Floor, b.Unary(Unary.Abs, x)));

    // Comparisons: 1 where the relation holds, else 0 (a mask; float 0/1 in the graph). No gradient flows through them.
    public static readonly OpDef Eq = Comparison("Eq", "==", "IfEqual", false, (x, y) => x == y);
    public static readonly OpDef Ne = Comparison("Ne", "!=", "IfEqual", true, (x, y) => x != y);
    public static readonly OpDef Gt = Comparison("Gt", ">", "IfGreater", false, (x, y) => x > y);
    public static readonly OpDef Ge = Comparison("Ge", ">=", "IfGreaterOrEqual", false, (x, y) => x >= y);
    public static readonly OpDef Lt = Comparison("Lt", "<", "IfLess", false, (x, y) => x < y);
    public static readonly OpDef Le = Comparison("Le", "<=", "IfLessOrEqual", false, (x, y) => x <= y);

    /// <summary>A comparison: its vector form is the IVector member <paramref name="member"/> (IfGreater…) choosing 1 or 0;
    /// ≠ is IfEqual with the branches swapped. A select on it tests it itself (<see cref="OpDef.VectorIf"/>).</summary>
    private static OpDef Comparison(string name, string op, string member, bool swap, Func<double, double, bool> holds)
    {
        string If(string[] a, string yes, string no) => swap ? $"S.{member}({a[0]}, {a[1]}, {no}, {yes})" : $"S.{member}({a[0]}, {a[1]}, {yes}, {no})";
        return new ElementwiseOp(name,
            scalar: (a, _) => $"({a[0]} {op} {a[1]} ? 1f : 0f)",
            vector: (a, _) => If(a, "S.One", "S.Zero"),
            eval: (a, _) => holds(a[0], a[1]) ? 1 : 0,
            backward: (_, _, _) => [null, null],
            condition: If);
    }

    // Logical ops on masks, as torch.logical_*: any nonzero value is true. No gradient.
    public static readonly OpDef LogicalAnd = new ElementwiseOp("LogicalAnd",
        scalar: (a, _) => $"({a[0]} != 0f && {a[1]} != 0f ? 1f : 0f)",
        vector: (a, _) => $"S.IfEqual({a[0]}, S.Zero, S.Zero, S.IfEqual({a[1]}, S.Zero, S.Zero, S.One))",
        eval: (a, _) => a[0] != 0 && a[1] != 0 ? 1 : 0,
        backward: (_, _, _) => [null, null]);

    public static readonly OpDef LogicalOr = new ElementwiseOp("LogicalOr",
        scalar: (a, _) => $"({a[0]} != 0f || {a[1]} != 0f ? 1f : 0f)",
        vector: (a, _) => $"S.IfEqual({a[0]}, S.Zero, S.IfEqual({a[1]}, S.Zero, S.Zero, S.One), S.One)",
        eval: (a, _) => a[0] != 0 || a[1] != 0 ? 1 : 0,
        backward: (_, _, _) => [null, null]);

    public static readonly OpDef LogicalXor = new ElementwiseOp("LogicalXor",
        scalar: (a, _) => $"(({a[0]} != 0f) != ({a[1]} != 0f) ? 1f : 0f)",
        vector: (a, _) => $"S.IfEqual({a[0]}, S.Zero, S.IfEqual({a[1]}, S.Zero, S.Zero, S.One), S.IfEqual({a[1]}, S.Zero, S.One, S.Zero))",
        eval: (a, _) => (a[0] != 0) != (a[1] != 0) ? 1 : 0,
        backward: (_, _, _) => [null, null]);

    public static readonly OpDef LogicalNot = new ElementwiseOp("LogicalNot",
        scalar: (a, _) => $"({a[0]} == 0f ? 1f : 0f)",
        vector: (a, _) => $"S.IfEqual({a[0]}, S.Zero, S.One, S.Zero)",
        eval: (a, _) => a[0] == 0 ? 1 : 0,
        backward: (_, _, _) => [null]);

    /// <summary>torch.where(condition, x, y): x where the condition is nonzero, else y; the gradient goes to the chosen side only.</summary>
    public static readonly OpDef Where = new ElementwiseOp("Where",
        scalar: (a, _) => $"({a[0]} != 0f ? {a[1]} : {a[2]})",
        vector: (a, _) => $"S.IfEqual({a[0]}, S.Zero, {a[2]}, {a[1]})",
        eval: (a, _) => a[0] != 0 ? a[1] : a[2],
        backward: (b, n, g) =>
        [
            null,
            b.SumTo(b.Where(n.Inputs[0], g, b.Const(0)), n.Inputs[1].Shape),
            b.SumTo(b.Where(n.Inputs[0], b.Const(0), g), n.Inputs[2].Shape),
        ],
        selects: true);

    /// <summary>Ops of one instruction or so: fusion recomputes short chains of them from stored operands instead of storing their result.
    /// Made at first use, when every row exists: as a field initializer it ran before Maximum's and Minimum's and held null
    /// in their place, so chains of them were stored, never recomputed.</summary>
    public static System.Collections.Generic.HashSet<OpDef> OneInstruction => _oneInstruction ??= [Unary.Copy, Add, Sub, Mul, Neg, Eq, Ne, Gt, Ge, Lt, Le, LogicalAnd, LogicalOr, LogicalXor, LogicalNot, Where, Maximum, Minimum,
        Unary.Abs, Unary.Sign, Unary.Step, Unary.Relu, Unary.ClampMin, Unary.ClampMax, Unary.Clamp, Unary.Square];
    private static System.Collections.Generic.HashSet<OpDef>? _oneInstruction;

    // torch.maximum/minimum: the gradient goes to the larger (smaller) input, split evenly at a tie (PyTorch's rule)
    public static readonly OpDef Maximum = new ElementwiseOp("Maximum",
        scalar: (a, _) => $"MathF.Max({a[0]}, {a[1]})",
        vector: (a, _) => $"S.Max({a[0]}, {a[1]})",
        eval: (a, _) => Math.Max(a[0], a[1]),
        backward: (b, n, g) => Selected(b, n, g, Gt));

    public static readonly OpDef Minimum = new ElementwiseOp("Minimum",
        scalar: (a, _) => $"MathF.Min({a[0]}, {a[1]})",
        vector: (a, _) => $"S.Min({a[0]}, {a[1]})",
        eval: (a, _) => Math.Min(a[0], a[1]),
        backward: (b, n, g) => Selected(b, n, g, Lt));

    private static Node?[] Selected(GraphBuilder b, Node n, Node g, OpDef wins)
    {
        Node x = n.Inputs[0], y = n.Inputs[1];
        var tie = b.Mul(b.Const(0.5), b.Binary(Eq, x, y));
        return
        [
            b.SumTo(b.Mul(g, b.Add(b.Binary(wins, x, y), tie)), x.Shape),
            b.SumTo(b.Mul(g, b.Add(b.Binary(wins, y, x), tie)), y.Shape),
        ];
    }
}

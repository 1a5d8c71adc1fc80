using System;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>Unary elementwise ops. Vector forms compose the runtime's Simd helpers (its float Exp and Log among them).</summary>
internal static class Unary
{
    private const string Simd = "global::Kiln.Kernels.Simd.";

    public static readonly OpDef Exp = new ElementwiseOp("Exp", language: "Exp",
        scalar: (a, _) => $"MathF.Exp({a[0]})",
        vector: (a, _) => $"{Simd}Exp({a[0]})",
        eval: (a, _) => Math.Exp(a[0]),
        backward: (b, n, g) => [b.Mul(g, n)]);

    public static readonly OpDef Log = new ElementwiseOp("Log", language: "Log",
        scalar: (a, _) => $"MathF.Log({a[0]})",
        vector: (a, _) => $"{Simd}Log({a[0]})",
        eval: (a, _) => Math.Log(a[0]),
        backward: (b, n, g) => [b.Div(g, n.Inputs[0])]);

    public static readonly OpDef Sqrt = new ElementwiseOp("Sqrt", language: "Sqrt",
        scalar: (a, _) => $"MathF.Sqrt({a[0]})",
        vector: (a, _) => $"S.Sqrt({a[0]})",
        eval: (a, _) => Math.Sqrt(a[0]),
        backward: (b, n, g) => [b.Div(b.Mul(g, b.Const(0.5)), n)]);

    /// <summary>√x whose gradient is 0 where √x = 0 instead of ∞·0: Std's and the 2-norm's last step, as PyTorch masks them.</summary>
    public static readonly OpDef SafeSqrt = new ElementwiseOp("SafeSqrt",
        scalar: (a, _) => $"MathF.Sqrt({a[0]})",
        vector: (a, _) => $"S.Sqrt({a[0]})",
        eval: (a, _) => Math.Sqrt(a[0]),
        backward: (b, n, g) => [b.Where(b.Binary(Arithmetic.Eq, n, b.Const(0)), b.Const(0), b.Div(b.Mul(g, b.Const(0.5)), n))]);

    public static readonly OpDef Abs = new ElementwiseOp("Abs", language: "Abs",
        scalar: (a, _) => $"MathF.Abs({a[0]})",
        vector: (a, _) => $"S.Abs({a[0]})",
        eval: (a, _) => Math.Abs(a[0]),
        backward: (b, n, g) => [b.Mul(g, b.Unary(Sign!, n.Inputs[0]))]);

    /// <summary>sign(x): -1, 0 or 1 (also the gradient of |x|, 0 at 0 as in PyTorch); its own gradient is 0.</summary>
    public static readonly OpDef Sign = new ElementwiseOp("Sign", language: "Sign",
        scalar: (a, _) => $"{Simd}Sign({a[0]})",
        vector: (a, _) => $"{Simd}Sign({a[0]})",
        eval: (a, _) => Math.Sign(a[0]),
        backward: (_, _, _) => [null]);

    /// <summary>1 where x &gt; 0 else 0 (the gradient of relu).</summary>
    public static readonly OpDef Step = new ElementwiseOp("Step",
        scalar: (a, _) => $"{Simd}Step({a[0]})",
        vector: (a, _) => $"{Simd}Step({a[0]})",
        eval: (a, _) => a[0] > 0 ? 1 : 0,
        backward: (_, _, _) => [null]);

    // σ' = σ(1-σ)
    public static readonly OpDef Sigmoid = new ElementwiseOp("Sigmoid", language: "Sigmoid",
        scalar: (a, _) => $"{Simd}Sigmoid({a[0]})",
        vector: (a, _) => $"{Simd}Sigmoid({a[0]})",
        eval: (a, _) => 1 / (1 + Math.Exp(-a[0])),
        backward: (b, n, g) => [b.Mul(g, b.Mul(n, b.Sub(b.Const(1), n)))]);

    // tanh' = 1 - tanh²
    public static readonly OpDef Tanh = new ElementwiseOp("Tanh", language: "Tanh",
        scalar: (a, _) => $"MathF.Tanh({a[0]})",
        vector: (a, _) => $"{Simd}Tanh({a[0]})",
        eval: (a, _) => Math.Tanh(a[0]),
        backward: (b, n, g) => [b.Mul(g, b.Sub(b.Const(1), b.Mul(n, n)))]);

    public static readonly OpDef Relu = new ElementwiseOp("Relu", language: "Relu",
        scalar: (a, _) => $"MathF.Max({a[0]}, 0f)",
        vector: (a, _) => $"S.Max({a[0]}, S.Zero)",
        eval: (a, _) => Math.Max(a[0], 0),
        backward: (b, n, g) => [b.Mul(g, b.Unary(Step, n.Inputs[0]))]);

    /// <summary>max(x, min): torch.clamp_min; the gradient passes where x ≥ min (PyTorch's mask). BCE clamps its logs with it.</summary>
    public static readonly OpDef ClampMin = new ElementwiseOp("ClampMin", language: "ClampMin", parameters: [("min", double.NegativeInfinity)],
        scalar: (a, t) => $"MathF.Max({a[0]}, {OpDef.Arg(t, 0)})",
        vector: (a, t) => $"S.Max({a[0]}, {OpDef.VecArg(t, 0)})",
        eval: (a, t) => Math.Max(a[0], t.Args[0]),
        backward: (b, n, g) => [b.Mul(g, b.Binary(Arithmetic.Ge, n.Inputs[0], b.Const(n.Attrs.Args[0])))]);

    /// <summary>min(x, max): torch.clamp_max; the gradient passes where x ≤ max.</summary>
    public static readonly OpDef ClampMax = new ElementwiseOp("ClampMax", language: "ClampMax", parameters: [("max", double.PositiveInfinity)],
        scalar: (a, t) => $"MathF.Min({a[0]}, {OpDef.Arg(t, 0)})",
        vector: (a, t) => $"S.Min({a[0]}, {OpDef.VecArg(t, 0)})",
        eval: (a, t) => Math.Min(a[0], t.Args[0]),
        backward: (b, n, g) => [b.Mul(g, b.Binary(Arithmetic.Le, n.Inputs[0], b.Const(n.Attrs.Args[0])))]);

    /// <summary>min(max(x, min), max): torch.clamp (max wins when min &gt; max, as documented); the gradient passes where min ≤ x ≤ max.</summary>
    public static readonly OpDef Clamp = new ElementwiseOp("Clamp", language: "Clamp", parameters: [("min", double.NegativeInfinity), ("max", double.PositiveInfinity)],
        scalar: (a, t) => $"MathF.Min(MathF.Max({a[0]}, {OpDef.Arg(t, 0)}), {OpDef.Arg(t, 1)})",
        vector: (a, t) => $"S.Min(S.Max({a[0]}, {OpDef.VecArg(t, 0)}), {OpDef.VecArg(t, 1)})",
        eval: (a, t) => Math.Min(Math.Max(a[0], t.Args[0]), t.Args[1]),
        backward: (b, n, g) =>
        [
            b.Mul(g, b.Mul(b.Binary(Arithmetic.Ge, n.Inputs[0], b.Const(n.Attrs.Args[0])), b.Binary(Arithmetic.Le, n.Inputs[0], b.Const(n.Attrs.Args[1])))),
        ]);

    // Rounding: piecewise constant, so no gradient (PyTorch's is zero). Round is half to even, as torch.round.
    public static readonly OpDef Floor = new ElementwiseOp("Floor", language: "Floor",
        scalar: (a, _) => $"MathF.Floor({a[0]})",
        vector: (a, _) => $"S.Floor({a[0]})",
        eval: (a, _) => Math.Floor(a[0]),
        backward: (_, _, _) => [null]);

    public static readonly OpDef Ceil = new ElementwiseOp("Ceil", language: "Ceil",
        scalar: (a, _) => $"MathF.Ceiling({a[0]})",
        vector: (a, _) => $"S.Ceiling({a[0]})",
        eval: (a, _) => Math.Ceiling(a[0]),
        backward: (_, _, _) => [null]);

    public static readonly OpDef Round = new ElementwiseOp("Round", language: "Round",
        scalar: (a, _) => $"MathF.Round({a[0]})",
        vector: (a, _) => $"S.Round({a[0]})",
        eval: (a, _) => Math.Round(a[0], MidpointRounding.ToEven),
        backward: (_, _, _) => [null]);

    // 1/x: d = -1/x² = -y²
    public static readonly OpDef Reciprocal = new ElementwiseOp("Reciprocal", language: "Reciprocal",
        scalar: (a, _) => $"(1f / {a[0]})",
        vector: (a, _) => $"(S.One / {a[0]})",
        eval: (a, _) => 1 / a[0],
        backward: (b, n, g) => [b.Neg(b.Mul(g, b.Mul(n, n)))]);

    // 1/√x: d = -x^(-3/2)/2 = -y³/2
    public static readonly OpDef Rsqrt = new ElementwiseOp("Rsqrt", language: "Rsqrt",
        scalar: (a, _) => $"(1f / MathF.Sqrt({a[0]}))",
        vector: (a, _) => $"(S.One / S.Sqrt({a[0]}))",
        eval: (a, _) => 1 / Math.Sqrt(a[0]),
        backward: (b, n, g) => [b.Mul(g, b.Mul(b.Const(-0.5), b.Mul(n, b.Mul(n, n))))]);

    public static readonly OpDef Square = new ElementwiseOp("Square", language: "Square",
        scalar: (a, _) => $"({a[0]} * {a[0]})",
        vector: (a, _) => $"({a[0]} * {a[0]})",
        eval: (a, _) => a[0] * a[0],
        backward: (b, n, g) => [b.Mul(g, b.Mul(b.Const(2), n.Inputs[0]))]);

    // log(1 + x), exact near 0: d = 1/(1 + x)
    public static readonly OpDef Log1p = new ElementwiseOp("Log1p", language: "Log1p",
        scalar: (a, _) => $"{Simd}Log1p({a[0]})",
        vector: (_, _) => null,
        eval: (a, _) => Log1pDouble(a[0]),
        backward: (b, n, g) => [b.Div(g, b.Add(b.Const(1), n.Inputs[0]))]);

    // eˣ - 1, exact near 0: d = eˣ = y + 1
    public static readonly OpDef Expm1 = new ElementwiseOp("Expm1", language: "Expm1",
        scalar: (a, _) => $"{Simd}Expm1({a[0]})",
        vector: (a, _) => $"{Simd}Expm1({a[0]})",
        eval: (a, _) => Expm1Double(a[0]),
        backward: (b, n, g) => [b.Mul(g, b.Add(n, b.Const(1)))]);

    public static readonly OpDef Log2 = new ElementwiseOp("Log2", language: "Log2",
        scalar: (a, _) => $"MathF.Log2({a[0]})",
        vector: (a, _) => $"S.Log2({a[0]})",
        eval: (a, _) => Math.Log(a[0]) / Math.Log(2),
        backward: (b, n, g) => [b.Div(g, b.Mul(n.Inputs[0], b.Const(Math.Log(2))))]);

    public static readonly OpDef Log10 = new ElementwiseOp("Log10", language: "Log10",
        scalar: (a, _) => $"MathF.Log10({a[0]})",
        vector: (a, _) => $"({Simd}Log({a[0]}) * S.Create(0.4342944819f))",
        eval: (a, _) => Math.Log10(a[0]),
        backward: (b, n, g) => [b.Div(g, b.Mul(n.Inputs[0], b.Const(Math.Log(10))))]);

    public static readonly OpDef Sin = new ElementwiseOp("Sin", language: "Sin",
        scalar: (a, _) => $"MathF.Sin({a[0]})",
        vector: (a, _) => $"S.Sin({a[0]})",
        eval: (a, _) => Math.Sin(a[0]),
        backward: (b, n, g) => [b.Mul(g, b.Unary(Cos!, n.Inputs[0]))]);

    public static readonly OpDef Cos = new ElementwiseOp("Cos", language: "Cos",
        scalar: (a, _) => $"MathF.Cos({a[0]})",
        vector: (a, _) => $"S.Cos({a[0]})",
        eval: (a, _) => Math.Cos(a[0]),
        backward: (b, n, g) => [b.Neg(b.Mul(g, b.Unary(Sin, n.Inputs[0])))]);

    // erf' = 2/√π · e^(-x²)
    public static readonly OpDef Erf = new ElementwiseOp("Erf", language: "Erf",
        scalar: (a, _) => $"{Simd}Erf({a[0]})",
        vector: (_, _) => null,
        eval: (a, _) => ErfDouble(a[0]),
        backward: (b, n, g) => [b.Mul(g, b.Mul(b.Const(2 / Math.Sqrt(Math.PI)), b.Unary(Exp, b.Neg(b.Mul(n.Inputs[0], n.Inputs[0])))))]);

    // Kahan's corrections: exact to rounding near 0, where log(1 + x) and eˣ - 1 cancel
    internal static double Log1pDouble(double x) { double u = 1 + x; return u == 1 ? x : Math.Log(u) * x / (u - 1); }
    internal static double Expm1Double(double x) { if (Math.Abs(x) > 0.5) return Math.Exp(x) - 1; double u = Math.Exp(x); return u == 1 ? x : (u - 1) * x / Math.Log(u); }

    /// <summary>erf in float64 for constant folding and the interpreter: series below 3, continued fraction above.</summary>
    internal static double ErfDouble(double x)
    {
        double z = Math.Abs(x);
        if (z >= 6) return Math.Sign(x);
        double r;
        if (z < 3)
        {
            double term = z, sum = z, z2 = z * z;
            for (int k = 1; k < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); k++) { term *= -z2 / k; sum += term / (2 * k + 1); }
            r = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(z) = e^(-z²)/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...)))) (Lentz-free: evaluated from the tail)
            double f = z;
            for (int k = 60; k >= 1; k--) f = z + k / 2.0 / f;
            r = 1 - Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    /// <summary>
    /// x.detach(): the value passes unchanged and no gradient flows back (PyTorch's detach / no_grad region). Autodiff
    /// treats it as a leaf, so the backward work behind it is never built.
    /// </summary>
    public static readonly OpDef Detach = new ElementwiseOp("Detach", language: "Detach",
        scalar: (a, _) => a[0],
        vector: (a, _) => a[0],
        eval: (a, _) => a[0],
        backward: (_, _, _) => [null]);

    /// <summary>Identity to the node's shape: materializes a view, or expands (broadcasts) to a larger shape.</summary>
    public static readonly OpDef Copy = new ElementwiseOp("Copy",
        scalar: (a, _) => a[0],
        vector: (a, _) => a[0],
        eval: (a, _) => a[0],
        backward: (b, n, g) => [b.SumTo(g, n.Inputs[0].Shape)]);
}

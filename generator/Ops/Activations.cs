using System;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>
/// Activations as torch.nn.functional defines them (values, defaults, and autograd's choice at each kink). Each row
/// carries its derivative f′ as forms of its own (a companion row), so backward is g·f′(x) in one fused pass.
/// Vector forms compose IVector&lt;S&gt; members and Simd's vector math where those have the pieces; the others run the scalar loop.
/// </summary>
internal static class Activations
{
    private const string Simd = "global::Kiln.Kernels.Simd.";
    private const string Zero = "S.Zero", One = "S.One";

    private static string P(NodeAttrs t, int i) => OpDef.Arg(t, i);
    private static string V(NodeAttrs t, int i) => OpDef.VecArg(t, i);
    /// <summary>yes where x &gt; y, else no: one IVector member, so the compare feeds a masked blend (a mask passed between
    /// members would be turned into a vector and back).</summary>
    private static string IfGreater(string x, string y, string yes, string no) => $"S.IfGreater({x}, {y}, {yes}, {no})";

    /// <summary>
    /// An exponential unit's x ≥ 0 ? <paramref name="positive"/> : <paramref name="negative"/>, where the negative side is
    /// c·expm1(x/α) with a finite c &gt; 0 and 0 &lt; α ≤ 1, and so ±0 at x = ±0, the positive side's value there too:
    /// testing x ≥ 0 rather than x &gt; 0 lets the negative side take Simd.Expm1BelowZero, which skips expm1's upper clamp
    /// and its select for ±0 (its argument is never ±0 there).
    /// </summary>
    private static string NegativeSide(string x, string positive, string negative) => $"S.IfGreaterOrEqual({x}, {Zero}, {positive}, {negative})";

    /// <summary>c·e, or e itself for c = 1 (exact; the JIT does not fold a vector multiply by 1).</summary>
    private static string Scaled(double c, string vc, string e) => c == 1 ? e : $"{vc} * {e}";

    /// <summary>x/α, or x itself for α = 1 (exact).</summary>
    private static string Over(NodeAttrs t, string x, string alpha) => t.Args[0] == 1 ? x : $"{x} / {alpha}";

    /// <summary>A row whose backward is g·f′(x), f′ given by <paramref name="derivative"/> and its vector and float64 forms.</summary>
    private static ElementwiseOp Activation(string name,
        Func<string[], NodeAttrs, string> scalar, Func<string[], NodeAttrs, string?> vector, Func<double[], NodeAttrs, double> eval,
        Func<string[], NodeAttrs, string> derivative, Func<string[], NodeAttrs, string?> derivativeVector, Func<double[], NodeAttrs, double> derivativeEval,
        (string, double)[]? parameters = null, string? language = "")
    {
        var df = new ElementwiseOp(name + "Derivative", scalar: derivative, vector: derivativeVector, eval: derivativeEval, backward: (_, _, _) => [null]);
        return new ElementwiseOp(name, language: language == "" ? name : language, parameters: parameters,
            scalar: scalar, vector: vector, eval: eval,
            backward: (b, n, g) => [b.Mul(g, b.Unary(df, n.Inputs[0], n.Attrs))]);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    private const double SeluAlpha = 1.6732632423543772848170429916717, SeluScale = 1.0507009873554804934193349852946;

    // leaky_relu: x if x > 0 else slope·x; at 0 the gradient is the slope (PyTorch: x > 0 ? g : g·slope)
    public static readonly OpDef LeakyRelu = Activation("LeakyRelu", parameters: [("negativeSlope", 0.01)],
        scalar: (a, t) => $"({a[0]} > 0f ? {a[0]} : {P(t, 0)} * {a[0]})",
        vector: (a, t) => IfGreater(a[0], Zero, a[0], $"{a[0]} * {V(t, 0)}"),
        eval: (a, t) => a[0] > 0 ? a[0] : t.Args[0] * a[0],
        derivative: (a, t) => $"({a[0]} > 0f ? 1f : {P(t, 0)})",
        derivativeVector: (a, t) => IfGreater(a[0], Zero, One, V(t, 0)),
        derivativeEval: (a, t) => a[0] > 0 ? 1 : t.Args[0]);

    // elu: x if x > 0 else α(eˣ - 1); gradient α·eˣ for x ≤ 0
    public static readonly OpDef Elu = Activation("Elu", parameters: [("alpha", 1.0)],
        scalar: (a, t) => $"({a[0]} > 0f ? {a[0]} : {Scaled(t.Args[0], P(t, 0), $"{Simd}Expm1({a[0]})")})",
        vector: (a, t) => (float)t.Args[0] > 0 && !float.IsPositiveInfinity((float)t.Args[0])
            ? NegativeSide(a[0], a[0], Scaled(t.Args[0], V(t, 0), $"{Simd}Expm1BelowZero({a[0]})"))
            : IfGreater(a[0], Zero, a[0], $"{V(t, 0)} * {Simd}Expm1({a[0]})"),
        eval: (a, t) => a[0] > 0 ? a[0] : t.Args[0] * Unary.Expm1Double(a[0]),
        derivative: (a, t) => $"({a[0]} > 0f ? 1f : {Scaled(t.Args[0], P(t, 0), $"MathF.Exp({a[0]})")})",
        derivativeVector: (a, t) => IfGreater(a[0], Zero, One, Scaled(t.Args[0], V(t, 0), $"{Simd}Exp({a[0]})")),
        derivativeEval: (a, t) => a[0] > 0 ? 1 : t.Args[0] * Math.Exp(a[0]));

    // selu: scale·elu(x, α) with PyTorch's fixed α and scale
    public static readonly OpDef Selu = Activation("Selu",
        scalar: (a, _) => $"({a[0]} > 0f ? {OpDef.Float(SeluScale)} * {a[0]} : {OpDef.Float(SeluScale * SeluAlpha)} * {Simd}Expm1({a[0]}))",
        vector: (a, _) => NegativeSide(a[0], $"{a[0]} * {OpDef.Vec(OpDef.Float(SeluScale))}", $"{OpDef.Vec(OpDef.Float(SeluScale * SeluAlpha))} * {Simd}Expm1BelowZero({a[0]})"),
        eval: (a, _) => a[0] > 0 ? SeluScale * a[0] : SeluScale * SeluAlpha * Unary.Expm1Double(a[0]),
        derivative: (a, _) => $"({a[0]} > 0f ? {OpDef.Float(SeluScale)} : {OpDef.Float(SeluScale * SeluAlpha)} * MathF.Exp({a[0]}))",
        derivativeVector: (a, _) => IfGreater(a[0], Zero, OpDef.Vec(OpDef.Float(SeluScale)), $"{OpDef.Vec(OpDef.Float(SeluScale * SeluAlpha))} * {Simd}Exp({a[0]})"),
        derivativeEval: (a, _) => a[0] > 0 ? SeluScale : SeluScale * SeluAlpha * Math.Exp(a[0]));

    // celu: max(0, x) + min(0, α(e^(x/α) - 1)); gradient e^(x/α) for x ≤ 0
    public static readonly OpDef Celu = Activation("Celu", parameters: [("alpha", 1.0)],
        scalar: (a, t) => $"({a[0]} > 0f ? {a[0]} : {Scaled(t.Args[0], P(t, 0), $"{Simd}Expm1({Over(t, a[0], P(t, 0))})")})",
        // 0 < α ≤ 1: x/α is negative wherever x is (for α > 1 a tiny x would round to -0, whose expm1 is -0 only with
        // Expm1's ±0 select)
        vector: (a, t) => (float)t.Args[0] > 0 && t.Args[0] <= 1
            ? NegativeSide(a[0], a[0], Scaled(t.Args[0], V(t, 0), $"{Simd}Expm1BelowZero({Over(t, a[0], V(t, 0))})"))
            : IfGreater(a[0], Zero, a[0], $"{V(t, 0)} * {Simd}Expm1({a[0]} / {V(t, 0)})"),
        eval: (a, t) => a[0] > 0 ? a[0] : t.Args[0] * Unary.Expm1Double(a[0] / t.Args[0]),
        derivative: (a, t) => $"({a[0]} > 0f ? 1f : MathF.Exp({Over(t, a[0], P(t, 0))}))",
        derivativeVector: (a, t) => IfGreater(a[0], Zero, One, $"{Simd}Exp({Over(t, a[0], V(t, 0))})"),
        derivativeEval: (a, t) => a[0] > 0 ? 1 : Math.Exp(a[0] / t.Args[0]));

    // gelu (approximate = "none"): x·Φ(x), gradient Φ(x) + x·φ(x); Ops.Gelu picks this or GeluTanh (Lowerings.Gelu)
    public static readonly OpDef Gelu = Activation("Gelu", language: null,
        scalar: (a, _) => $"{Simd}Gelu({a[0]})",
        vector: (_, _) => null,
        eval: (a, _) => 0.5 * a[0] * (1 + Unary.ErfDouble(a[0] / Math.Sqrt(2))),
        derivative: (a, _) => $"{Simd}GeluDerivative({a[0]})",
        derivativeVector: (_, _) => null,
        derivativeEval: (a, _) => 0.5 * (1 + Unary.ErfDouble(a[0] / Math.Sqrt(2))) + a[0] * Math.Exp(-0.5 * a[0] * a[0]) / Math.Sqrt(2 * Math.PI));

    // gelu (approximate = "tanh"): x(1 + tanh(√(2/π)(x + 0.044715x³)))/2
    public static readonly OpDef GeluTanh = Activation("GeluTanh", language: null,
        scalar: (a, _) => $"{Simd}GeluTanh({a[0]})",
        vector: (_, _) => null,
        eval: (a, _) => 0.5 * a[0] * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (a[0] + 0.044715 * a[0] * a[0] * a[0]))),
        derivative: (a, _) => $"{Simd}GeluTanhDerivative({a[0]})",
        derivativeVector: (_, _) => null,
        derivativeEval: (a, _) =>
        {
            double x = a[0], k = Math.Sqrt(2 / Math.PI), th = Math.Tanh(k * (x + 0.044715 * x * x * x));
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * k * (1 + 3 * 0.044715 * x * x);
        });

    // silu: x·σ(x), gradient σ(x)(1 + x(1 - σ(x)))
    public static readonly OpDef Silu = Activation("Silu",
        scalar: (a, _) => $"({a[0]} * {Simd}Sigmoid({a[0]}))",
        vector: (a, _) => $"({a[0]} * {Simd}Sigmoid({a[0]}))",
        eval: (a, _) => a[0] * Sigmoid(a[0]),
        derivative: (a, _) => $"({Simd}Sigmoid({a[0]}) * (1f + {a[0]} * (1f - {Simd}Sigmoid({a[0]}))))",
        derivativeVector: (a, _) => $"({Simd}Sigmoid({a[0]}) * ({One} + {a[0]} * ({One} - {Simd}Sigmoid({a[0]}))))",
        derivativeEval: (a, _) => Sigmoid(a[0]) * (1 + a[0] * (1 - Sigmoid(a[0]))));

    // mish: x·tanh(softplus(x))
    public static readonly OpDef Mish = Activation("Mish",
        scalar: (a, _) => $"{Simd}Mish({a[0]})",
        vector: (_, _) => null,
        eval: (a, _) => a[0] * Math.Tanh(SoftplusDouble(a[0])),
        derivative: (a, _) => $"{Simd}MishDerivative({a[0]})",
        derivativeVector: (_, _) => null,
        derivativeEval: (a, _) => { double t = Math.Tanh(SoftplusDouble(a[0])); return t + a[0] * (1 - t * t) * Sigmoid(a[0]); });

    private static double SoftplusDouble(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    /// <summary>
    /// softplus(x; β, threshold) = log(1 + e^(βx))/β, and x where βx &gt; threshold (PyTorch). With β = 1 and the default
    /// threshold 20 the stable form max(x, 0) + log(1 + e^-|x|) is used: in float32 it equals the thresholded form, and
    /// its gradient is σ(x) exactly. BCE's logits form uses that (its nodes carry no Args).
    /// </summary>
    public static readonly OpDef Softplus = new ElementwiseOp("Softplus", language: "Softplus", parameters: [("beta", 1.0), ("threshold", 20.0)],
        scalar: (a, t) => IsPlain(t) ? $"{Simd}Softplus({a[0]})" : $"({P(t, 0)} * {a[0]} > {P(t, 1)} ? {a[0]} : {Simd}Log1p(MathF.Exp({P(t, 0)} * {a[0]})) / {P(t, 0)})",
        vector: (a, t) => IsPlain(t) ? $"{Simd}Softplus({a[0]})" : null,
        eval: (a, t) => IsPlain(t) ? SoftplusDouble(a[0]) : t.Args[0] * a[0] > t.Args[1] ? a[0] : Unary.Log1pDouble(Math.Exp(t.Args[0] * a[0])) / t.Args[0],
        backward: (b, n, g) => IsPlain(n.Attrs)
            ? [b.Mul(g, b.Unary(Unary.Sigmoid, n.Inputs[0]))]
            : [b.Mul(g, b.Unary(SoftplusDerivative!, n.Inputs[0], n.Attrs))]);

    private static bool IsPlain(NodeAttrs t) => t.Args.Count == 0 || (t.Args[0] == 1 && t.Args[1] >= 20);

    // d softplus/dx = σ(βx), 1 past the threshold
    private static readonly OpDef SoftplusDerivative = new ElementwiseOp("SoftplusDerivative",
        scalar: (a, t) => $"({P(t, 0)} * {a[0]} > {P(t, 1)} ? 1f : {Simd}Sigmoid({P(t, 0)} * {a[0]}))",
        vector: (_, _) => null,
        eval: (a, t) => t.Args[0] * a[0] > t.Args[1] ? 1 : Sigmoid(t.Args[0] * a[0]),
        backward: (_, _, _) => [null]);

    // softsign: x/(1 + |x|), gradient 1/(1 + |x|)²
    public static readonly OpDef Softsign = Activation("Softsign",
        scalar: (a, _) => $"({a[0]} / (1f + MathF.Abs({a[0]})))",
        vector: (a, _) => $"({a[0]} / ({One} + S.Abs({a[0]})))",
        eval: (a, _) => a[0] / (1 + Math.Abs(a[0])),
        derivative: (a, _) => $"(1f / ((1f + MathF.Abs({a[0]})) * (1f + MathF.Abs({a[0]}))))",
        derivativeVector: (a, _) => $"({One} / (({One} + S.Abs({a[0]})) * ({One} + S.Abs({a[0]}))))",
        derivativeEval: (a, _) => 1 / ((1 + Math.Abs(a[0])) * (1 + Math.Abs(a[0]))));

    // log σ(x) = min(x, 0) - log(1 + e^-|x|), gradient σ(-x)
    public static readonly OpDef LogSigmoid = Activation("LogSigmoid",
        scalar: (a, _) => $"{Simd}LogSigmoid({a[0]})",
        vector: (a, _) => $"{Simd}LogSigmoid({a[0]})",
        eval: (a, _) => Math.Min(a[0], 0) - Math.Log(1 + Math.Exp(-Math.Abs(a[0]))),
        derivative: (a, _) => $"{Simd}Sigmoid(-{a[0]})",
        derivativeVector: (a, _) => $"{Simd}Sigmoid(-{a[0]})",
        derivativeEval: (a, _) => Sigmoid(-a[0]));

    // hardtanh: clamp(x, min, max); the gradient is 1 strictly inside (PyTorch: 0 where x ≤ min or x ≥ max)
    public static readonly OpDef Hardtanh = Activation("Hardtanh", parameters: [("minVal", -1.0), ("maxVal", 1.0)],
        scalar: (a, t) => $"MathF.Min(MathF.Max({a[0]}, {P(t, 0)}), {P(t, 1)})",
        vector: (a, t) => $"S.Min(S.Max({a[0]}, {V(t, 0)}), {V(t, 1)})",
        eval: (a, t) => Math.Min(Math.Max(a[0], t.Args[0]), t.Args[1]),
        derivative: (a, t) => $"({a[0]} > {P(t, 0)} && {a[0]} < {P(t, 1)} ? 1f : 0f)",
        derivativeVector: (a, t) => IfGreater(a[0], V(t, 0), $"S.IfLess({a[0]}, {V(t, 1)}, {One}, {Zero})", Zero),
        derivativeEval: (a, t) => a[0] > t.Args[0] && a[0] < t.Args[1] ? 1 : 0);

    // relu6 = hardtanh(x, 0, 6), with its strict-interior gradient
    public static readonly OpDef Relu6 = Activation("Relu6",
        scalar: (a, _) => $"MathF.Min(MathF.Max({a[0]}, 0f), 6f)",
        vector: (a, _) => $"S.Min(S.Max({a[0]}, {Zero}), S.Create(6f))",
        eval: (a, _) => Math.Min(Math.Max(a[0], 0), 6),
        derivative: (a, _) => $"({a[0]} > 0f && {a[0]} < 6f ? 1f : 0f)",
        derivativeVector: (a, _) => IfGreater(a[0], Zero, $"S.IfLess({a[0]}, S.Create(6f), {One}, {Zero})", Zero),
        derivativeEval: (a, _) => a[0] > 0 && a[0] < 6 ? 1 : 0);

    // hardsigmoid: clamp((x + 3)/6, 0, 1) as PyTorch computes it (x/6 + 1/2 cancels near -3), gradient 1/6 strictly inside (-3, 3)
    public static readonly OpDef Hardsigmoid = Activation("Hardsigmoid",
        scalar: (a, _) => $"MathF.Min(MathF.Max(({a[0]} + 3f) / 6f, 0f), 1f)",
        vector: (a, _) => $"S.Min(S.Max(({a[0]} + S.Create(3f)) / S.Create(6f), {Zero}), {One})",
        eval: (a, _) => Math.Min(Math.Max((a[0] + 3) / 6, 0), 1),
        derivative: (a, _) => $"({a[0]} > -3f && {a[0]} < 3f ? 1f / 6f : 0f)",
        derivativeVector: (a, _) => IfGreater(a[0], "S.Create(-3f)", $"S.IfLess({a[0]}, S.Create(3f), S.Create(1f / 6f), {Zero})", Zero),
        derivativeEval: (a, _) => a[0] > -3 && a[0] < 3 ? 1.0 / 6 : 0);

    // hardswish: x·relu6(x + 3)/6; gradient 0 for x ≤ -3, x/3 + 1/2 inside, 1 for x ≥ 3 (PyTorch since 2.8, which made
    // the kinks follow the documented shape; before, ±3 took the inner formula)
    public static readonly OpDef Hardswish = Activation("Hardswish",
        scalar: (a, _) => $"({a[0]} * MathF.Min(MathF.Max({a[0]} + 3f, 0f), 6f) / 6f)",
        vector: (a, _) => $"({a[0]} * S.Min(S.Max({a[0]} + S.Create(3f), {Zero}), S.Create(6f)) / S.Create(6f))",
        eval: (a, _) => a[0] * Math.Min(Math.Max(a[0] + 3, 0), 6) / 6,
        derivative: (a, _) => $"({a[0]} <= -3f ? 0f : {a[0]} >= 3f ? 1f : {a[0]} / 3f + 0.5f)",
        derivativeVector: (_, _) => null,
        derivativeEval: (a, _) => a[0] <= -3 ? 0 : a[0] >= 3 ? 1 : a[0] / 3 + 0.5);

    // threshold: x where x > threshold, else value; the gradient passes where x > threshold
    public static readonly OpDef Threshold = Activation("Threshold", parameters: [("threshold", 0.0), ("value", 0.0)],
        scalar: (a, t) => $"({a[0]} > {P(t, 0)} ? {a[0]} : {P(t, 1)})",
        vector: (a, t) => IfGreater(a[0], V(t, 0), a[0], V(t, 1)),
        eval: (a, t) => a[0] > t.Args[0] ? a[0] : t.Args[1],
        derivative: (a, t) => $"({a[0]} > {P(t, 0)} ? 1f : 0f)",
        derivativeVector: (a, t) => IfGreater(a[0], V(t, 0), One, Zero),
        derivativeEval: (a, t) => a[0] > t.Args[0] ? 1 : 0);
}

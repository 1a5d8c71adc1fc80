using System;

namespace Kiln.Tests.Support;

/// <summary>
/// Float64 reference for PyTorch's elementwise math, activations, comparisons and masks, and the derivatives autograd
/// uses for them. Written from the torch / torch.nn.functional documentation and autograd's derivative formulas
/// (tools/autograd/derivatives.yaml and the ATen backward kernels it names), not from Kiln's implementation.
/// </summary>
internal static partial class ReferenceOps
{
    // ---------------------------------------------------------------- constants

    /// <summary>torch.nn.functional.selu's alpha, as documented.</summary>
    private const double EwSeluAlpha = 1.6732632423543772848170429916717;

    /// <summary>torch.nn.functional.selu's scale, as documented.</summary>
    private const double EwSeluScale = 1.0507009873554804934193349852946;

    private const double EwSqrtPi = 1.7724538509055160272981674833411;
    private const double EwTwoOverSqrtPi = 1.1283791670955125738961589031215;
    private const double EwSqrtHalf = 0.70710678118654752440084436210485;
    private const double EwOneOverSqrtTwoPi = 0.39894228040143267793994605993438;
    private const double EwSqrtTwoOverPi = 0.79788456080286535587989211986876;
    private const double EwGeluKappa = 0.044715;
    private const double EwLn2 = 0.69314718055994530941723212145818;
    private const double EwLn10 = 2.3025850929940456840179914546844;

    // ---------------------------------------------------------------- elementwise math

    /// <summary>torch.clamp(x, min, max): min(max(x, min), max); NaN propagates; min &gt; max gives max everywhere.</summary>
    public static RefTensor Clamp(RefTensor x, double min, double max) => EwMap(x, v => EwClamp(v, min, max));

    /// <summary>torch.clamp_min(x, min) = torch.clamp(x, min=min).</summary>
    public static RefTensor ClampMin(RefTensor x, double min) => EwMap(x, v => double.IsNaN(v) ? v : Math.Max(v, min));

    /// <summary>torch.clamp_max(x, max) = torch.clamp(x, max=max).</summary>
    public static RefTensor ClampMax(RefTensor x, double max) => EwMap(x, v => double.IsNaN(v) ? v : Math.Min(v, max));

    /// <summary>torch.minimum(a, b), broadcasting; a NaN in either input gives NaN.</summary>
    public static RefTensor Minimum(RefTensor a, RefTensor b) =>
        EwZip(a, b, (u, v) => double.IsNaN(u) || double.IsNaN(v) ? double.NaN : (u <= v ? u : v));

    /// <summary>torch.maximum(a, b), broadcasting; a NaN in either input gives NaN.</summary>
    public static RefTensor Maximum(RefTensor a, RefTensor b) =>
        EwZip(a, b, (u, v) => double.IsNaN(u) || double.IsNaN(v) ? double.NaN : (u >= v ? u : v));

    /// <summary>torch.remainder(a, b), Python's %: a − ⌊a/b⌋·b (a.div(b, rounding_mode="floor") * b, the docs' identity),
    /// so the result has the sign of b and |result| &lt; |b|; broadcasting.</summary>
    public static RefTensor Remainder(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u - Math.Floor(u / v) * v);

    /// <summary>torch.remainder with a scalar divisor.</summary>
    public static RefTensor Remainder(RefTensor a, double other) => EwMap(a, u => u - Math.Floor(u / other) * other);

    /// <summary>torch.fmod(a, b), C's fmod: a − trunc(a/b)·b, the sign of the dividend a; broadcasting.</summary>
    public static RefTensor Fmod(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u - Math.Truncate(u / v) * v);

    /// <summary>torch.fmod with a scalar divisor.</summary>
    public static RefTensor Fmod(RefTensor a, double other) => EwMap(a, u => u - Math.Truncate(u / other) * other);

    /// <summary>torch.sign: -1, 0 or 1 (ATen computes (0 &lt; x) - (x &lt; 0), so sign(NaN) = 0).</summary>
    public static RefTensor Sign(RefTensor x) => EwMap(x, EwSign);

    /// <summary>torch.floor.</summary>
    public static RefTensor Floor(RefTensor x) => EwMap(x, Math.Floor);

    /// <summary>torch.ceil.</summary>
    public static RefTensor Ceil(RefTensor x) => EwMap(x, Math.Ceiling);

    /// <summary>torch.round (decimals = 0): rounds half to even, so 0.5 → 0, 1.5 → 2, 2.5 → 2.</summary>
    public static RefTensor Round(RefTensor x) => EwMap(x, v => Math.Round(v, MidpointRounding.ToEven));

    /// <summary>torch.reciprocal: 1 / x.</summary>
    public static RefTensor Reciprocal(RefTensor x) => EwMap(x, v => 1.0 / v);

    /// <summary>torch.rsqrt: 1 / sqrt(x).</summary>
    public static RefTensor Rsqrt(RefTensor x) => EwMap(x, v => 1.0 / Math.Sqrt(v));

    /// <summary>torch.square: x * x.</summary>
    public static RefTensor Square(RefTensor x) => EwMap(x, v => v * v);

    /// <summary>torch.log1p: log(1 + x), accurate for tiny x.</summary>
    public static RefTensor Log1p(RefTensor x) => EwMap(x, EwLog1p);

    /// <summary>torch.expm1: exp(x) - 1, accurate for tiny x.</summary>
    public static RefTensor Expm1(RefTensor x) => EwMap(x, EwExpm1);

    /// <summary>torch.log2.</summary>
    public static RefTensor Log2(RefTensor x) => EwMap(x, Math.Log2);

    /// <summary>torch.log10.</summary>
    public static RefTensor Log10(RefTensor x) => EwMap(x, Math.Log10);

    /// <summary>torch.sin.</summary>
    public static RefTensor Sin(RefTensor x) => EwMap(x, Math.Sin);

    /// <summary>torch.cos.</summary>
    public static RefTensor Cos(RefTensor x) => EwMap(x, Math.Cos);

    /// <summary>torch.erf, to (nearly) full double accuracy.</summary>
    public static RefTensor Erf(RefTensor x) => EwMap(x, EwErf);

    // ---------------------------------------------------------------- activations

    /// <summary>F.leaky_relu: x if x &gt; 0 else negativeSlope * x.</summary>
    public static RefTensor LeakyRelu(RefTensor x, double negativeSlope = 0.01) =>
        EwMap(x, v => v > 0 ? v : v * negativeSlope);

    /// <summary>F.elu: x if x &gt; 0 else alpha * (exp(x) - 1).</summary>
    public static RefTensor Elu(RefTensor x, double alpha = 1) =>
        EwMap(x, v => v > 0 ? v : EwExpm1(v) * alpha);

    /// <summary>F.selu: scale * (x if x &gt; 0 else alpha * (exp(x) - 1)), PyTorch's alpha and scale.</summary>
    public static RefTensor Selu(RefTensor x) =>
        EwMap(x, v => v > 0 ? v * EwSeluScale : EwExpm1(v) * (EwSeluAlpha * EwSeluScale));

    /// <summary>F.celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).</summary>
    public static RefTensor Celu(RefTensor x, double alpha = 1) =>
        EwMap(x, v => v > 0 ? v : EwExpm1(v / alpha) * alpha);

    /// <summary>
    /// F.gelu. approximate "none": x * Φ(x) with Φ(x) = (1 + erf(x / √2)) / 2; "tanh":
    /// 0.5 * x * (1 + tanh(√(2/π) * (x + 0.044715 * x³))).
    /// </summary>
    public static RefTensor Gelu(RefTensor x, string approximate = "none")
    {
        ArgumentNullException.ThrowIfNull(approximate);
        return approximate switch
        {
            "none" => EwMap(x, EwGelu),
            "tanh" => EwMap(x, EwGeluTanh),
            _ => throw new ArgumentException($"gelu approximate must be \"none\" or \"tanh\", not \"{approximate}\"", nameof(approximate)),
        };
    }

    /// <summary>F.silu: x * sigmoid(x).</summary>
    public static RefTensor Silu(RefTensor x) => EwMap(x, v => v * EwSigmoid(v));

    /// <summary>F.mish: x * tanh(softplus(x)).</summary>
    public static RefTensor Mish(RefTensor x) => EwMap(x, v => v * Math.Tanh(EwSoftplusUnit(v)));

    /// <summary>F.softplus: log(1 + exp(beta * x)) / beta, reverting to x where beta * x &gt; threshold.</summary>
    public static RefTensor Softplus(RefTensor x, double beta = 1, double threshold = 20) =>
        EwMap(x, v => EwSoftplus(v, beta, threshold));

    /// <summary>F.softsign: x / (1 + |x|).</summary>
    public static RefTensor Softsign(RefTensor x) => EwMap(x, v => v / (1.0 + Math.Abs(v)));

    /// <summary>F.logsigmoid: log(1 / (1 + exp(-x))) = min(x, 0) - log1p(exp(-|x|)).</summary>
    public static RefTensor LogSigmoid(RefTensor x) => EwMap(x, EwLogSigmoid);

    /// <summary>F.hardtanh: clamp(x, minVal, maxVal).</summary>
    public static RefTensor Hardtanh(RefTensor x, double minVal = -1, double maxVal = 1) =>
        EwMap(x, v => EwClamp(v, minVal, maxVal));

    /// <summary>F.hardsigmoid: 0 if x ≤ -3, 1 if x ≥ 3, else x / 6 + 1 / 2 (computed as min(max(x + 3, 0), 6) / 6).</summary>
    public static RefTensor Hardsigmoid(RefTensor x) => EwMap(x, v => EwClamp(v + 3.0, 0.0, 6.0) / 6.0);

    /// <summary>F.hardswish: 0 if x ≤ -3, x if x ≥ 3, else x * (x + 3) / 6.</summary>
    public static RefTensor Hardswish(RefTensor x) => EwMap(x, v => v * EwClamp(v + 3.0, 0.0, 6.0) / 6.0);

    /// <summary>F.relu6: min(max(0, x), 6), i.e. hardtanh(x, 0, 6).</summary>
    public static RefTensor Relu6(RefTensor x) => EwMap(x, v => EwClamp(v, 0.0, 6.0));

    /// <summary>
    /// F.threshold: x if x &gt; threshold else value. ATen writes it as (x ≤ threshold ? value : x), which differs
    /// from the documented form only for NaN: a NaN input stays NaN.
    /// </summary>
    public static RefTensor Threshold(RefTensor x, double threshold, double value) =>
        EwMap(x, v => v <= threshold ? value : v);

    // ---------------------------------------------------------------- comparisons and masks

    /// <summary>torch.gt as 0/1, broadcasting.</summary>
    public static RefTensor Gt(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u > v ? 1.0 : 0.0);

    /// <summary>torch.ge as 0/1, broadcasting.</summary>
    public static RefTensor Ge(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u >= v ? 1.0 : 0.0);

    /// <summary>torch.lt as 0/1, broadcasting.</summary>
    public static RefTensor Lt(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u < v ? 1.0 : 0.0);

    /// <summary>torch.le as 0/1, broadcasting.</summary>
    public static RefTensor Le(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u <= v ? 1.0 : 0.0);

    /// <summary>torch.eq as 0/1, broadcasting (NaN equals nothing).</summary>
    public static RefTensor Eq(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u == v ? 1.0 : 0.0);

    /// <summary>torch.ne as 0/1, broadcasting (NaN differs from everything).</summary>
    public static RefTensor Ne(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u != v ? 1.0 : 0.0);

    /// <summary>torch.gt against a scalar, as 0/1.</summary>
    public static RefTensor Gt(RefTensor a, double b) => EwMap(a, u => u > b ? 1.0 : 0.0);

    /// <summary>torch.ge against a scalar, as 0/1.</summary>
    public static RefTensor Ge(RefTensor a, double b) => EwMap(a, u => u >= b ? 1.0 : 0.0);

    /// <summary>torch.lt against a scalar, as 0/1.</summary>
    public static RefTensor Lt(RefTensor a, double b) => EwMap(a, u => u < b ? 1.0 : 0.0);

    /// <summary>torch.le against a scalar, as 0/1.</summary>
    public static RefTensor Le(RefTensor a, double b) => EwMap(a, u => u <= b ? 1.0 : 0.0);

    /// <summary>torch.eq against a scalar, as 0/1.</summary>
    public static RefTensor Eq(RefTensor a, double b) => EwMap(a, u => u == b ? 1.0 : 0.0);

    /// <summary>torch.ne against a scalar, as 0/1.</summary>
    public static RefTensor Ne(RefTensor a, double b) => EwMap(a, u => u != b ? 1.0 : 0.0);

    /// <summary>torch.where(mask, a, b): a where mask is nonzero (NaN counts as true, as bool(NaN) does), else b; all three broadcast.</summary>
    public static RefTensor Where(RefTensor mask, RefTensor a, RefTensor b) =>
        EwZip3(mask, a, b, (m, u, v) => m != 0 ? u : v);

    /// <summary>Tensor.masked_fill(mask, value): value where mask is nonzero; x and mask broadcast together.</summary>
    public static RefTensor MaskedFill(RefTensor x, RefTensor mask, double value) =>
        EwZip(x, mask, (u, m) => m != 0 ? value : u);

    /// <summary>torch.logical_and as 0/1 (nonzero, NaN included, is true), broadcasting.</summary>
    public static RefTensor LogicalAnd(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u != 0 && v != 0 ? 1.0 : 0.0);

    /// <summary>torch.logical_or as 0/1 (nonzero, NaN included, is true), broadcasting.</summary>
    public static RefTensor LogicalOr(RefTensor a, RefTensor b) => EwZip(a, b, (u, v) => u != 0 || v != 0 ? 1.0 : 0.0);

    /// <summary>torch.logical_not as 0/1.</summary>
    public static RefTensor LogicalNot(RefTensor a) => EwMap(a, u => u != 0 ? 0.0 : 1.0);

    // ---------------------------------------------------------------- derivatives

    /// <summary>
    /// d op(x) / dx as PyTorch's autograd computes it (derivatives.yaml and the backward kernels it calls), including
    /// its choice at each kink. <paramref name="op"/> is a method name above (case, '_' and '-' ignored), plus
    /// "GeluTanh" for Gelu(x, "tanh"); <paramref name="args"/> are the op's numeric parameters in declared order
    /// (missing trailing ones take the op's defaults).
    /// </summary>
    public static double Derivative(string op, double x, double[] args)
    {
        ArgumentNullException.ThrowIfNull(op);
        args ??= Array.Empty<double>();
        string key = op.Replace("_", "").Replace("-", "").ToLowerInvariant();
        switch (key)
        {
            case "clamp":
            {
                EwArgCount(op, args, 2);
                double min = EwArg(op, args, 0), max = EwArg(op, args, 1);
                // clamp_backward: where(self >= min & self <= max, grad, 0), so 1 at either bound (0 everywhere when min > max).
                return x >= min && x <= max ? 1.0 : 0.0;
            }
            case "clampmin":
            {
                EwArgCount(op, args, 1);
                // clamp_min: where(self >= min, grad, 0), so 1 at the bound.
                return x >= EwArg(op, args, 0) ? 1.0 : 0.0;
            }
            case "clampmax":
            {
                EwArgCount(op, args, 1);
                // clamp_max: where(self <= max, grad, 0), so 1 at the bound.
                return x <= EwArg(op, args, 0) ? 1.0 : 0.0;
            }
            case "sign":
            case "floor":
            case "ceil":
            case "round":
                EwArgCount(op, args, 0);
                // sign/floor/ceil/round: zeros_like(grad), also at the jumps.
                return 0.0;
            case "reciprocal":
            {
                EwArgCount(op, args, 0);
                double r = 1.0 / x;
                return -(r * r); // -grad * result²
            }
            case "rsqrt":
            {
                EwArgCount(op, args, 0);
                double r = 1.0 / Math.Sqrt(x);
                return -0.5 * (r * r * r); // -0.5 * grad * result³
            }
            case "square":
                EwArgCount(op, args, 0);
                return 2.0 * x; // pow(x, 2) backward: 2 * x
            case "log1p":
                EwArgCount(op, args, 0);
                return 1.0 / (x + 1.0); // log1p_backward: grad / (self + 1)
            case "expm1":
                EwArgCount(op, args, 0);
                return Math.Exp(x); // grad * (result + 1)
            case "log2":
                EwArgCount(op, args, 0);
                return 1.0 / (x * EwLn2); // grad / (self * ln 2)
            case "log10":
                EwArgCount(op, args, 0);
                return 1.0 / (x * EwLn10); // grad / (self * ln 10)
            case "sin":
                EwArgCount(op, args, 0);
                return Math.Cos(x);
            case "cos":
                EwArgCount(op, args, 0);
                return -Math.Sin(x);
            case "erf":
                EwArgCount(op, args, 0);
                return EwTwoOverSqrtPi * Math.Exp(-(x * x)); // 2 / sqrt(pi) * exp(-self²) * grad
            case "leakyrelu":
            {
                EwArgCount(op, args, 1);
                double slope = EwArg(op, args, 0, 0.01);
                // leaky_relu_backward: self > 0 ? grad : grad * negative_slope, so negativeSlope at 0.
                return x > 0 ? 1.0 : slope;
            }
            case "elu":
            {
                EwArgCount(op, args, 1);
                double alpha = EwArg(op, args, 0, 1.0);
                // elu_backward (is_result = false): self <= 0 ? grad * alpha * exp(self) : grad, so alpha at 0.
                return x <= 0 ? alpha * Math.Exp(x) : 1.0;
            }
            case "selu":
                EwArgCount(op, args, 0);
                // selu = elu(x, alpha, scale): self <= 0 ? grad * alpha * scale * exp(self) : grad * scale, so alpha * scale at 0.
                return x <= 0 ? EwSeluAlpha * EwSeluScale * Math.Exp(x) : EwSeluScale;
            case "celu":
            {
                EwArgCount(op, args, 1);
                double alpha = EwArg(op, args, 0, 1.0);
                // celu = elu_backward(grad, alpha, 1, 1/alpha): self <= 0 ? grad * exp(self / alpha) : grad, so 1 at 0.
                return x <= 0 ? Math.Exp(x / alpha) : 1.0;
            }
            case "gelu":
            {
                EwArgCount(op, args, 0);
                // gelu_backward ("none"): cdf + x * pdf, smooth everywhere.
                double cdf = EwStandardNormalCdf(x);
                double pdf = EwOneOverSqrtTwoPi * Math.Exp(-0.5 * x * x);
                return cdf + x * pdf;
            }
            case "gelutanh":
            {
                EwArgCount(op, args, 0);
                // gelu_backward ("tanh"): 0.5 * (1 + t) + 0.5 * x * (1 - t²) * √(2/π) * (1 + 3 * 0.044715 * x²).
                double x2 = x * x;
                double t = Math.Tanh(EwSqrtTwoOverPi * (x + EwGeluKappa * x2 * x));
                double left = 0.5 * (1.0 + t);
                double right = 0.5 * x * (1.0 - t * t) * EwSqrtTwoOverPi * (1.0 + 3.0 * EwGeluKappa * x2);
                return left + right;
            }
            case "silu":
            {
                EwArgCount(op, args, 0);
                double s = EwSigmoid(x);
                return s * (1.0 + x * (1.0 - s)); // silu_backward
            }
            case "mish":
            {
                EwArgCount(op, args, 0);
                double s = EwSigmoid(x);
                double t = Math.Tanh(EwSoftplusUnit(x));
                return t + x * s * (1.0 - t * t); // mish_backward
            }
            case "softplus":
            {
                EwArgCount(op, args, 2);
                double beta = EwArg(op, args, 0, 1.0), threshold = EwArg(op, args, 1, 20.0);
                double z = x * beta;
                // softplus_backward: beta * x > threshold ? grad : grad * sigmoid(beta * x), so sigmoid at beta * x == threshold.
                return z > threshold ? 1.0 : EwSigmoid(z);
            }
            case "softsign":
            {
                EwArgCount(op, args, 0);
                // softsign is x / (1 + |x|) in Python; autograd through it gives 1 / (1 + |x|)², 1 at 0 (abs' = sgn(0) = 0).
                double d = 1.0 + Math.Abs(x);
                return 1.0 / (d * d);
            }
            case "logsigmoid":
                EwArgCount(op, args, 0);
                return EwSigmoid(-x); // log_sigmoid_backward: 1 - sigmoid(x), smooth everywhere
            case "hardtanh":
            {
                EwArgCount(op, args, 2);
                double minVal = EwArg(op, args, 0, -1.0), maxVal = EwArg(op, args, 1, 1.0);
                // hardtanh_backward: (self <= min_val || self >= max_val) ? 0 : grad, so 0 at either bound.
                return x <= minVal || x >= maxVal ? 0.0 : 1.0;
            }
            case "hardsigmoid":
                EwArgCount(op, args, 0);
                // hardsigmoid_backward: (self > -3 && self < 3) ? grad / 6 : 0, so 0 at ±3.
                return x > -3.0 && x < 3.0 ? 1.0 / 6.0 : 0.0;
            case "hardswish":
                EwArgCount(op, args, 0);
                // hardswish_backward since pytorch#148049 (2.8+, "as documented"): self <= -3 ? 0 : self < 3 ? self/3 + 0.5 : grad,
                // so 0 at -3 and 1 at 3 (older releases gave -0.5 and 1.5 there).
                if (x <= -3.0) return 0.0;
                if (x < 3.0) return x / 3.0 + 0.5;
                return 1.0;
            case "relu6":
                EwArgCount(op, args, 0);
                // relu6 is hardtanh(x, 0, 6): hardtanh_backward gives 0 at 0 and at 6.
                return x <= 0.0 || x >= 6.0 ? 0.0 : 1.0;
            case "threshold":
            {
                EwArgCount(op, args, 2);
                double threshold = EwArg(op, args, 0); // args[1] (value) does not enter the derivative
                // threshold_backward: self <= threshold ? 0 : grad, so 0 at the threshold.
                return x <= threshold ? 0.0 : 1.0;
            }
            default:
                throw new ArgumentException($"no reference derivative for op \"{op}\"", nameof(op));
        }
    }

    /// <summary>
    /// Partial derivatives of torch.maximum (<paramref name="maximum"/> true) or torch.minimum at (a, b), as
    /// derivatives.yaml writes them: where(a == b, grad / 2, grad) masked to 0 for the losing input, so a tie splits
    /// the gradient evenly (0.5, 0.5).
    /// </summary>
    public static (double Da, double Db) MinMaxDerivative(bool maximum, double a, double b)
    {
        if (a == b) return (0.5, 0.5);
        if (maximum)
        {
            // maximum: self: masked_fill_(self < other, 0); other: masked_fill_(self > other, 0).
            return (a < b ? 0.0 : 1.0, a > b ? 0.0 : 1.0);
        }
        // minimum: self: masked_fill_(self > other, 0); other: masked_fill_(self < other, 0).
        return (a > b ? 0.0 : 1.0, a < b ? 0.0 : 1.0);
    }

    // ---------------------------------------------------------------- scalar kernels

    private static double EwClamp(double v, double min, double max) =>
        double.IsNaN(v) ? v : Math.Min(Math.Max(v, min), max);

    private static double EwSign(double v) => v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0;

    private static double EwSigmoid(double v)
    {
        if (v >= 0) return 1.0 / (1.0 + Math.Exp(-v));
        double e = Math.Exp(v);
        return e / (1.0 + e);
    }

    /// <summary>log(1 + exp(z)) without overflow or cancellation.</summary>
    private static double EwSoftplusUnit(double z) => Math.Max(z, 0.0) + EwLog1p(Math.Exp(-Math.Abs(z)));

    private static double EwSoftplus(double v, double beta, double threshold)
    {
        double z = v * beta;
        return z > threshold ? v : EwSoftplusUnit(z) / beta;
    }

    private static double EwLogSigmoid(double v) => Math.Min(v, 0.0) - EwLog1p(Math.Exp(-Math.Abs(v)));

    private static double EwGelu(double v) => v * EwStandardNormalCdf(v);

    private static double EwGeluTanh(double v) =>
        0.5 * v * (1.0 + Math.Tanh(EwSqrtTwoOverPi * (v + EwGeluKappa * v * v * v)));

    /// <summary>Φ(x) = (1 + erf(x / √2)) / 2, through erfc for negative x so the left tail keeps its relative accuracy.</summary>
    private static double EwStandardNormalCdf(double v) => 0.5 * EwErfc(-v * EwSqrtHalf);

    private static double EwLog1p(double v)
    {
        if (double.IsNaN(v) || double.IsPositiveInfinity(v)) return v;
        if (Math.Abs(v) < 1e-4)
        {
            // v - v²/2 + v³/3 - v⁴/4 + v⁵/5; the next term is below 1e-20 relative.
            return v * (1.0 - v * (1.0 / 2 - v * (1.0 / 3 - v * (1.0 / 4 - v / 5))));
        }
        double u = 1.0 + v;
        if (u == 0.0) return double.NegativeInfinity;
        if (u < 0.0) return double.NaN;
        // Goldberg's trick: log(u) * v / (u - 1) cancels the rounding error made forming u = 1 + v.
        return Math.Log(u) * (v / (u - 1.0));
    }

    private static double EwExpm1(double v)
    {
        if (double.IsNaN(v)) return v;
        if (Math.Abs(v) < 1e-5)
        {
            // v + v²/2 + v³/6 + v⁴/24; the next term is below 1e-21 relative.
            return v * (1.0 + v * (1.0 / 2 + v * (1.0 / 6 + v / 24)));
        }
        if (v > 700.0) return Math.Exp(v);
        if (v < -40.0) return -1.0; // exp(-40) < 2^-57: -1 is the correctly rounded result
        double u = Math.Exp(v);
        // Kahan's trick: (u - 1) * v / log(u) cancels the rounding error of exp.
        return (u - 1.0) * (v / Math.Log(u));
    }

    /// <summary>erf: a Taylor series below 1.5 (summed smallest term first), 1 - erfc above.</summary>
    private static double EwErf(double v)
    {
        if (double.IsNaN(v)) return v;
        double a = Math.Abs(v);
        if (a < 1.5) return EwErfSeries(v);
        if (a >= 6.0) return v > 0 ? 1.0 : -1.0; // erfc(6) ≈ 2e-17 < half an ulp of 1
        double r = 1.0 - EwErfcContinuedFraction(a);
        return v > 0 ? r : -r;
    }

    /// <summary>erfc = 1 - erf, by the continued fraction for x ≥ 1.5 so the right tail keeps its relative accuracy.</summary>
    private static double EwErfc(double v)
    {
        if (double.IsNaN(v)) return v;
        if (v < 1.5) return 1.0 - EwErf(v);
        if (v >= 28.0) return 0.0; // erfc(28) underflows double
        return EwErfcContinuedFraction(v);
    }

    /// <summary>erf(x) = 2/√π · x · Σ (-x²)ⁿ / (n! (2n + 1)), for |x| &lt; 1.5.</summary>
    private static double EwErfSeries(double v)
    {
        double x2 = v * v;
        var terms = new double[96];
        int count = 0;
        double power = 1.0; // (-x²)ⁿ / n!
        for (int n = 0; n < terms.Length; n++)
        {
            double term = power / (2 * n + 1);
            terms[count++] = term;
            if (Math.Abs(term) < 1e-17) break; // the sum is at least 0.5 for |x| < 1.5
            power *= -x2 / (n + 1);
        }
        double sum = 0.0;
        for (int i = count - 1; i >= 0; i--) sum += terms[i];
        return EwTwoOverSqrtPi * v * sum;
    }

    /// <summary>
    /// erfc(x) = exp(-x²)/√π · 1 / (x + (1/2) / (x + (2/2) / (x + (3/2) / (x + ...)))), for 1.5 ≤ x &lt; 28,
    /// evaluated by the modified Lentz method.
    /// </summary>
    private static double EwErfcContinuedFraction(double v)
    {
        double f = v, c = v, d = 0.0;
        for (int n = 1; n < 10000; n++)
        {
            double a = 0.5 * n;
            d = 1.0 / (v + a * d);
            c = v + a / c;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) break;
        }
        return EwExpMinusSquare(v) / (EwSqrtPi * f);
    }

    /// <summary>exp(-x²) with x² split as hi² + (x - hi)(x + hi), hi = x rounded to 1/16, so hi² is exact.</summary>
    private static double EwExpMinusSquare(double v)
    {
        double hi = Math.Floor(v * 16.0 + 0.5) / 16.0;
        double lo = v - hi;
        return Math.Exp(-(hi * hi)) * Math.Exp(-(lo * (v + hi)));
    }

    // ---------------------------------------------------------------- argument helpers

    private static void EwArgCount(string op, double[] args, int most)
    {
        if (args.Length > most)
            throw new ArgumentException($"op \"{op}\" takes at most {most} numeric argument(s), got {args.Length}", nameof(args));
    }

    private static double EwArg(string op, double[] args, int index) =>
        index < args.Length ? args[index] : throw new ArgumentException($"op \"{op}\" needs argument {index}", nameof(args));

    private static double EwArg(string op, double[] args, int index, double fallback) =>
        index < args.Length ? args[index] : fallback;

    // ---------------------------------------------------------------- broadcasting

    private static int EwCount(int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape [{string.Join(", ", shape)}]");
            n *= d;
        }
        return checked((int)n);
    }

    private static void EwCheck(RefTensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (EwCount(t.Shape) != t.Data.Length)
            throw new ArgumentException($"{name}: shape [{string.Join(", ", t.Shape)}] does not hold {t.Data.Length} elements", name);
    }

    /// <summary>PyTorch's broadcast: shapes aligned from the right; a dimension of 1 stretches; otherwise sizes must match.</summary>
    private static int[] EwBroadcastShape(params int[][] shapes)
    {
        int rank = 0;
        foreach (int[] s in shapes) rank = Math.Max(rank, s.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int size = 1;
            foreach (int[] s in shapes)
            {
                int j = i - (rank - s.Length);
                if (j < 0) continue;
                int d = s[j];
                if (d == 1) continue;
                if (size == 1) size = d;
                else if (size != d)
                    throw new ArgumentException(
                        $"shapes {string.Join(" and ", Array.ConvertAll(shapes, t => "[" + string.Join(", ", t) + "]"))} do not broadcast (dimension {i})");
            }
            result[i] = size;
        }
        return result;
    }

    /// <summary>For each flat index of <paramref name="outShape"/>, the flat index of the broadcast source element.</summary>
    private static int[] EwSourceIndex(int[] shape, int[] outShape)
    {
        int rank = outShape.Length, lead = rank - shape.Length;
        var strides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= lead; d--)
        {
            int size = shape[d - lead];
            strides[d] = size == 1 ? 0 : stride;
            stride *= size;
        }
        int total = EwCount(outShape);
        var index = new int[total];
        var counter = new int[rank];
        int offset = 0;
        for (int i = 0; i < total; i++)
        {
            index[i] = offset;
            for (int d = rank - 1; d >= 0; d--)
            {
                counter[d]++;
                offset += strides[d];
                if (counter[d] < outShape[d]) break;
                offset -= strides[d] * outShape[d];
                counter[d] = 0;
            }
        }
        return index;
    }

    private static RefTensor EwMap(RefTensor x, Func<double, double> f)
    {
        EwCheck(x, nameof(x));
        var data = new double[x.Data.Length];
        for (int i = 0; i < data.Length; i++) data[i] = f(x.Data[i]);
        return new RefTensor((int[])x.Shape.Clone(), data);
    }

    private static RefTensor EwZip(RefTensor a, RefTensor b, Func<double, double, double> f)
    {
        EwCheck(a, nameof(a));
        EwCheck(b, nameof(b));
        int[] shape = EwBroadcastShape(a.Shape, b.Shape);
        int[] ia = EwSourceIndex(a.Shape, shape), ib = EwSourceIndex(b.Shape, shape);
        var data = new double[ia.Length];
        for (int i = 0; i < data.Length; i++) data[i] = f(a.Data[ia[i]], b.Data[ib[i]]);
        return new RefTensor(shape, data);
    }

    private static RefTensor EwZip3(RefTensor a, RefTensor b, RefTensor c, Func<double, double, double, double> f)
    {
        EwCheck(a, nameof(a));
        EwCheck(b, nameof(b));
        EwCheck(c, nameof(c));
        int[] shape = EwBroadcastShape(a.Shape, b.Shape, c.Shape);
        int[] ia = EwSourceIndex(a.Shape, shape), ib = EwSourceIndex(b.Shape, shape), ic = EwSourceIndex(c.Shape, shape);
        var data = new double[ia.Length];
        for (int i = 0; i < data.Length; i++) data[i] = f(a.Data[ia[i]], b.Data[ib[i]], c.Data[ic[i]]);
        return new RefTensor(shape, data);
    }
}

using Kiln;
using Kiln.Nn;
using static Kiln.Ops;

namespace Kiln.Tests.Models;

// Each model exercises ops through a scalar loss Σ(op(...) · r), with r a random input, so every element of the
// op's output carries a distinct upstream gradient. Operands are parameters, so gradients reach them.

[Model]
public partial class Arithmetic
{
    [Param(3, 4)] Tensor a;
    [Param(4)] Tensor b;
    [Param(3, 1)] Tensor c;
    [Param(2, 3, 4)] Tensor d;

    [Loss] public Tensor AddBroadcast([Shape(3, 4)] Tensor r) => ((a + b) * r).Sum();
    [Loss] public Tensor SubBroadcast([Shape(3, 4)] Tensor r) => ((a - c) * r).Sum();
    [Loss] public Tensor MulBroadcast3d([Shape(2, 3, 4)] Tensor r) => (d * c * r).Sum();
    [Loss] public Tensor Div([Shape(3, 4)] Tensor r) => (a / (b * b + 0.5f) * r).Sum();
    [Loss] public Tensor Scalars([Shape(3, 4)] Tensor r) => (((3f - a * 2f + 1.5f) / 4f - (2f / (a * a + 1f))) * r).Sum();
    [Loss] public Tensor Negate([Shape(3, 4)] Tensor r) => (-a * r).Sum();
    [Loss] public Tensor PowScalar([Shape(3, 4)] Tensor r) => ((a * a + 0.5f).Pow(1.5f) * r).Sum();
    [Loss] public Tensor PowSquare([Shape(3, 4)] Tensor r) => (Pow(a, 2f) * r).Sum();
    [Loss] public Tensor PowTensor([Shape(3, 4)] Tensor r) => (Pow(a * a + 0.5f, b) * r).Sum();
    /// <summary>The constant exponents pow is specialized for (0, 3, 4, -½: products and roots, as PyTorch's kernels) and -2 (kept as pow), against pow itself.</summary>
    [Loss] public Tensor PowSpecialized([Shape(3, 4)] Tensor r) { var p = a * a + 0.5f; return ((Pow(a, 3f) + Pow(a, 4f) + Pow(p, -0.5f) + Pow(p, -2f) + Pow(a, 0f)) * r).Sum(); }
    [Loss] public Tensor SharedUse([Shape(3, 4)] Tensor r) { var s = Sigmoid(a); return (s * s * r + s).Sum(); }
    /// <summary>One fused kernel reading more dims and offsets than KernelArgs holds: it keeps its plan's Bound.</summary>
    [Loss] public Tensor ManyOperands([Shape(3, 4)] Tensor r0, [Shape(3, 4)] Tensor r1, [Shape(3, 4)] Tensor r2, [Shape(3, 4)] Tensor r3, [Shape(3, 4)] Tensor r4, [Shape(3, 4)] Tensor r5, [Shape(3, 4)] Tensor r6, [Shape(3, 4)] Tensor r7, [Shape(3, 4)] Tensor r8, [Shape(3, 4)] Tensor r9, [Shape(3, 4)] Tensor r10, [Shape(3, 4)] Tensor r11, [Shape(3, 4)] Tensor r12, [Shape(3, 4)] Tensor r13, [Shape(3, 4)] Tensor r14, [Shape(3, 4)] Tensor r15, [Shape(3, 4)] Tensor r16, [Shape(3, 4)] Tensor r17) => (a * (r0 + r1 + r2 + r3 + r4 + r5 + r6 + r7 + r8 + r9 + r10 + r11 + r12 + r13 + r14 + r15 + r16 + r17)).Sum();
}

[Model]
public partial class Unaries
{
    [Param(4, 5)] Tensor a;

    [Loss] public Tensor ExpLoss([Shape(4, 5)] Tensor r) => (Exp(a) * r).Sum();
    [Loss] public Tensor LogLoss([Shape(4, 5)] Tensor r) => (Log(a * a + 0.1f) * r).Sum();
    [Loss] public Tensor SqrtLoss([Shape(4, 5)] Tensor r) => (Sqrt(a * a + 0.1f) * r).Sum();
    [Loss] public Tensor AbsLoss([Shape(4, 5)] Tensor r) => (Abs(a) * r).Sum();
    [Loss] public Tensor SigmoidLoss([Shape(4, 5)] Tensor r) => (Sigmoid(a * 3f) * r).Sum();
    [Loss] public Tensor TanhLoss([Shape(4, 5)] Tensor r) => (a.Tanh() * r).Sum();
    [Loss] public Tensor ReluLoss([Shape(4, 5)] Tensor r) => (Relu(a) * r).Sum();
    [Loss] public Tensor SoftplusLoss([Shape(4, 5)] Tensor r) => (Softplus(a * 4f) * r).Sum();
    [Loss] public Tensor SoftplusMethod([Shape(4, 5)] Tensor r) => ((a * 4f).Softplus() * r).Sum();
}

[Model]
public partial class MatMuls
{
    [Param(3, 4)] Tensor a;
    [Param(2, 3, 4)] Tensor b;
    [Param(4, 5)] Tensor m;
    [Param(2, 1, 3, 4)] Tensor c;
    [Param(3, 4, 2)] Tensor e;
    [Param(3)] Tensor v;
    [Param(4)] Tensor u;

    [Loss] public Tensor Plain([Shape("N", 3)] Tensor x, [Shape("N", 4)] Tensor r) => (x.MatMul(a) * r).Sum();
    [Loss] public Tensor Batched([Shape(2, 3, 5)] Tensor r) => (b.MatMul(m) * r).Sum();
    [Loss] public Tensor BroadcastBatch([Shape(2, 3, 3, 2)] Tensor r) => (c.MatMul(e) * r).Sum();
    [Loss] public Tensor VectorLeft([Shape(4)] Tensor r) => (v.MatMul(a) * r).Sum();
    [Loss] public Tensor VectorRight([Shape(3)] Tensor r) => (a.MatMul(u) * r).Sum();
    [Loss] public Tensor Transposed([Shape(4, 4)] Tensor r) => (a.T.MatMul(a) * r).Sum();
    [Loss] public Tensor LinearOp([Shape("N", 4)] Tensor x, [Shape("N", 3)] Tensor r) => (Linear(x, a, v) * r).Sum();
}

[Model]
public partial class Reductions
{
    [Param(3, 5)] Tensor a;
    [Param(2, 3, 4)] Tensor d;

    [Loss] public Tensor SumAll() => (a * a).Sum();
    [Loss] public Tensor SumDim([Shape(3)] Tensor r) => (a.Sum(1) * r).Sum();
    [Loss] public Tensor SumKeepDim([Shape(3, 5)] Tensor r) => (a.Sum(0, keepDim: true) * r).Sum();
    [Loss] public Tensor SumMiddle([Shape(2, 4)] Tensor r) => (Exp(d).Sum(1) * r).Sum();
    [Loss] public Tensor MeanAll() => Mean(Tanh(a));
    [Loss] public Tensor MeanLast([Shape(2, 3)] Tensor r) => (d.Mean(-1) * r).Sum();
    [Loss] public Tensor SoftmaxRows([Shape(3, 5)] Tensor r) => (Softmax(a, 1) * r).Sum();
    [Loss] public Tensor LogSoftmaxCols([Shape(3, 5)] Tensor r) => (LogSoftmax(a, 0) * r).Sum();
    [Loss] public Tensor SoftmaxMiddle([Shape(2, 3, 4)] Tensor r) => (d.Softmax(1) * r).Sum();
    [Loss] public Tensor AmaxRows([Shape(3)] Tensor r) => (a.Amax(1) * r).Sum();
    [Loss] public Tensor AminColsKeepDim([Shape(1, 5)] Tensor r) => (Amin(a, 0, keepDim: true) * r).Sum();
    [Loss] public Tensor AmaxAll() => Amax(Exp(d));
    [Loss] public Tensor AminAll() => d.Amin();
    [Loss] public Tensor AmaxMiddle([Shape(2, 4)] Tensor r) => (d.Amax(-2) * r).Sum();
}

/// <summary>
/// Totals over the rows of a [rows, cols] domain (a bias gradient's shape): 37 columns are four vectors and a tail; the
/// forward methods' 219 columns of 300 rows are split across the CPU workers.
/// </summary>
[Model]
public partial class ColumnTotals
{
    [Param(20, 37)] Tensor a;
    [Param(37)] Tensor b;
    [Param(37, 5)] Tensor w;

    [Loss] public Tensor SumRows([Shape(37)] Tensor r) => ((Tanh(a) * b).Sum(0) * r).Sum();
    [Loss] public Tensor MaxRows([Shape(1, 37)] Tensor r) => (Amax(a * b, 0, keepDim: true) * r).Sum();
    [Loss] public Tensor BiasGradient([Shape(20, 5)] Tensor x, [Shape(20, 37)] Tensor r) => (Linear(x, w, b) * r).Sum();
    [Forward] public Tensor Totals([Shape(300, 219)] Tensor x) => (x * x).Sum(0);
    [Forward] public Tensor Maxima([Shape(300, 219)] Tensor x) => x.Amax(0);
}

/// <summary>
/// Elementwise kernels whose managed form runs the domain as one flat row: dense operands and a constant, a bias
/// broadcast down rows 24 long over more elements than one worker chunk (3,001 × 24 > 65,536: the chunks must start at
/// multiples of 8 for the bias's vectors to stay in their rows), rows 5 long (vectors across rows), and rows 12 long
/// (not a multiple of 8: a bias there keeps the per-row form).
/// </summary>
[Model]
public partial class FlatKernels
{
    [Param(24)] Tensor b;
    [Param(12)] Tensor c;

    [Forward] public Tensor Biased([Shape(3001, 24)] Tensor x) => Elu(x + b) * 2f;
    [Forward] public Tensor Narrow([Shape(301, 5)] Tensor x, [Shape(301, 5)] Tensor y) => Tanh(x) * y + 1f;
    [Forward] public Tensor Twelve([Shape(41, 12)] Tensor x) => Sigmoid(x - c);
    [Loss] public Tensor BiasGradient([Shape(37, 24)] Tensor x, [Shape(37, 24)] Tensor r) => (Elu(x + b) * r).Sum();
}

/// <summary>
/// Parameters used more than once: a layer applied to two inputs, and a weight reused over three unrolled steps. Each
/// use's GEMM (and the bias's sum) adds its part of the gradient into the parameter's slot.
/// </summary>
[Model]
public partial class SharedWeights
{
    [Param(5, 4)] Tensor w;
    [Param(5)] Tensor b;
    [Param(4, 4)] Tensor u;

    [Loss] public Tensor Twice([Shape(3, 4)] Tensor x, [Shape(3, 4)] Tensor z, [Shape(3, 5)] Tensor r) => ((Linear(x, w, b) + Tanh(Linear(z, w, b))) * r).Sum();

    [Loss] public Tensor Unrolled([Shape(3, 4)] Tensor x, [Shape(3, 4)] Tensor r)
    {
        var h = x;
        for (int t = 0; t < 3; t++) h = Tanh(MatMul(h, u));
        return (h * r).Sum();
    }

    [Module(4, 5)] Linear p;
    [Module(4, 5)] Linear q;
    [Param(5)] Tensor c;

    /// <summary>q.bias's gradient (Σ of the first tanh's gradient) is also one part of p.bias's.</summary>
    [Loss] public Tensor Nested([Shape(3, 4)] Tensor x, [Shape(3, 4)] Tensor z, [Shape(3, 5)] Tensor r) => ((Tanh(p.Forward(x) + q.Forward(z)) + Tanh(p.Forward(z))) * r).Sum();

    /// <summary>Two biases on one pre-activation: b and c have the same gradient.</summary>
    [Loss] public Tensor TwoBiases([Shape(3, 4)] Tensor x, [Shape(3, 5)] Tensor r) => (Tanh(Linear(x, w, b) + c) * r).Sum();
}

[Model]
public partial class Views
{
    [Param(2, 3, 4)] Tensor d;
    [Param(3, 4)] Tensor a;
    [Param(3)] Tensor v;

    [Loss] public Tensor TransposeLoss([Shape(4, 3, 2)] Tensor r) => (d.Transpose(0, 2) * r).Sum();
    [Loss] public Tensor TLoss([Shape(4, 3)] Tensor r) => (Exp(a).T * r).Sum();
    [Loss] public Tensor ReshapeLoss([Shape(4, 3)] Tensor r) => (Sigmoid(a).Reshape(4, -1) * r).Sum();
    [Loss] public Tensor UnsqueezeLoss([Shape(3, 4)] Tensor r) => ((a + v.Unsqueeze(1)) * r).Sum();
    [Loss] public Tensor SqueezeLoss([Shape(3)] Tensor r) => (a.Sum(1, keepDim: true).Squeeze(1) * r).Sum();
    [Loss] public Tensor TransposeThenReshape([Shape(12)] Tensor r) => (a.T.Reshape(12) * r).Sum();
}

[Model]
public partial class LossModels
{
    [Param(4, 3)] Tensor a;
    [Param(4, 1)] Tensor z;

    [Loss] public Tensor MseMean([Shape(4, 3)] Tensor y) => Losses.MseLoss(a, y);
    [Loss] public Tensor MseSum([Shape(4, 3)] Tensor y) => Losses.MseLoss(a, y, Reduction.Sum);
    [Loss] public Tensor MseNone([Shape(4, 3)] Tensor y, [Shape(4, 3)] Tensor r) => (Losses.MseLoss(a, y, Reduction.None) * r).Sum();
    [Loss] public Tensor L1Mean([Shape(4, 3)] Tensor y) => Losses.L1Loss(a, y);
    [Loss] public Tensor L1None([Shape(4, 3)] Tensor y, [Shape(4, 3)] Tensor r) => (Losses.L1Loss(a, y, Reduction.None) * r).Sum();
    [Loss] public Tensor BceSigmoid([Shape(4, 3)] Tensor y) => Losses.BinaryCrossEntropy(Sigmoid(a), y);
    [Loss] public Tensor BceProbabilities([Shape(4, 3)] Tensor y) => Losses.BinaryCrossEntropy(Sigmoid(a) * 0.9f + 0.05f, y, reduction: Reduction.Sum);
    [Loss] public Tensor BceWeighted([Shape(4, 3)] Tensor y, [Shape(3)] Tensor w) => Losses.BinaryCrossEntropy(Sigmoid(a), y, w);
    [Loss] public Tensor BceLogits([Shape(4, 3)] Tensor y) => Losses.BinaryCrossEntropyWithLogits(a, y);
    [Loss] public Tensor BceLogitsWeighted([Shape(4, 3)] Tensor y, [Shape(3)] Tensor w, [Shape(3)] Tensor pw) => Losses.BinaryCrossEntropyWithLogits(a, y, w, pw, Reduction.Sum);
    [Loss] public Tensor BceLogitsNone([Shape(4, 1)] Tensor y, [Shape(4, 1)] Tensor r) => (Losses.BinaryCrossEntropyWithLogits(z, y, reduction: Reduction.None) * r).Sum();
    [Loss] public Tensor CrossEntropyMean([Shape(4)] IntTensor t) => Losses.CrossEntropy(a, t);
    [Loss] public Tensor CrossEntropyWeighted([Shape(4)] IntTensor t, [Shape(3)] Tensor w) => Losses.CrossEntropy(a, t, w);
    [Loss] public Tensor CrossEntropyIgnore([Shape(4)] IntTensor t) => Losses.CrossEntropy(a, t, ignoreIndex: 1);
    [Loss] public Tensor CrossEntropyNone([Shape(4)] IntTensor t, [Shape(4)] Tensor r) => (Losses.CrossEntropy(a, t, reduction: Reduction.None) * r).Sum();
    [Loss] public Tensor NllSum([Shape(4)] IntTensor t) => Losses.NllLoss(LogSoftmax(a, 1), t, reduction: Reduction.Sum);
    [Loss] public Tensor NllWeightedMean([Shape(4)] IntTensor t, [Shape(3)] Tensor w) => Losses.NllLoss(LogSoftmax(a, 1), t, w);
}

/// <summary>Submodules, calls between methods and a symbolic batch, as a user writes them.</summary>
[Model]
public partial class TwoLayer
{
    [Module(5, 4)] Linear hidden;
    [Module(4, 3)] Linear output;

    public Tensor Features(Tensor x) => Tanh(hidden.Forward(x));

    [Forward] public Tensor Logits([Shape("N", 5)] Tensor x) => output.Forward(Features(x));

    [Loss] public Tensor Loss([Shape("N", 5)] Tensor x, [Shape("N")] IntTensor t) => Losses.CrossEntropy(Logits(x), t);
}

/// <summary>Amax/Amin on chosen values with ties: PyTorch shares the gradient evenly among the tied elements.</summary>
[Model]
public partial class Ties
{
    [Param(2, 3)] Tensor a;

    [Loss] public Tensor RowMax() => a.Amax(1).Sum();
    [Loss] public Tensor AllMin() => a.Amin();
}

/// <summary>The other spelling (instance or static) of ops the models above write one way: every public method is compiled somewhere.</summary>
[Model]
public partial class MethodForms
{
    [Param(3, 4)] Tensor a;
    [Param(4, 2)] Tensor m;

    [Loss] public Tensor ExpMethod([Shape(3, 4)] Tensor r) => (a.Exp() * r).Sum();
    [Loss] public Tensor LogMethod([Shape(3, 4)] Tensor r) => ((a * a + 0.1f).Log() * r).Sum();
    [Loss] public Tensor SqrtMethod([Shape(3, 4)] Tensor r) => ((a * a + 0.1f).Sqrt() * r).Sum();
    [Loss] public Tensor AbsMethod([Shape(3, 4)] Tensor r) => (a.Abs() * r).Sum();
    [Loss] public Tensor SigmoidMethod([Shape(3, 4)] Tensor r) => (a.Sigmoid() * r).Sum();
    [Loss] public Tensor ReluMethod([Shape(3, 4)] Tensor r) => (a.Relu() * r).Sum();
    [Loss] public Tensor LogSoftmaxMethod([Shape(3, 4)] Tensor r) => (a.LogSoftmax(-1) * r).Sum();
    [Loss] public Tensor SumStatic([Shape(4)] Tensor r) => Sum(Sum(a, 0) * r);
    [Loss] public Tensor MeanStaticKeepDim([Shape(3, 1)] Tensor r) => (Mean(a, 1, keepDim: true) * r).Sum();
    [Loss] public Tensor MatMulStatic([Shape(3, 2)] Tensor r) => (MatMul(a, m) * r).Sum();
    [Loss] public Tensor LinearNoBias([Shape(3, 2)] Tensor r) => (Linear(a, m.T) * r).Sum();
}

/// <summary>torch's elementwise math, static and method spellings; domains kept where each op is defined.</summary>
[Model]
public partial class ElementwiseMath
{
    [Param(4, 5)] Tensor a;
    [Param(5)] Tensor b;

    [Loss] public Tensor ClampLoss([Shape(4, 5)] Tensor r) => (Clamp(a * 4f, -0.5f, 0.8f) * r).Sum();
    [Loss] public Tensor ClampMethod([Shape(4, 5)] Tensor r) => ((a * 4f).Clamp(-1f, 0.3f) * r).Sum();
    [Loss] public Tensor ClampMinLoss([Shape(4, 5)] Tensor r) => (ClampMin(a * 4f, -0.2f) * r).Sum();
    [Loss] public Tensor ClampMinMethod([Shape(4, 5)] Tensor r) => ((a * 4f).ClampMin(0.1f) * r).Sum();
    [Loss] public Tensor ClampMaxLoss([Shape(4, 5)] Tensor r) => (ClampMax(a * 4f, 0.2f) * r).Sum();
    [Loss] public Tensor ClampMaxMethod([Shape(4, 5)] Tensor r) => ((a * 4f).ClampMax(-0.1f) * r).Sum();
    [Loss] public Tensor MaximumBroadcast([Shape(4, 5)] Tensor r) => (Maximum(a, b) * r).Sum();
    [Loss] public Tensor MinimumMethod([Shape(4, 5)] Tensor r) => (a.Minimum(b) * r).Sum();
    [Loss] public Tensor MinMaxOtherSpellings([Shape(4, 5)] Tensor r) => ((a.Maximum(b) + Minimum(a * 2f, b)) * r).Sum();
    /// <summary>torch.remainder (Python's %) and torch.fmod, tensor and scalar divisors of both signs, broadcast.</summary>
    [Loss] public Tensor RemainderFmod([Shape(4, 5)] Tensor r)
    {
        var y = a % (b + 2.5f) + Remainder(a * 3f, -0.7f) + a.Remainder(b - 2.5f) + Fmod(a * 3f, 0.7f) + a.Fmod(b - 2.5f);
        y %= 1.3f;
        return (y * r).Sum();
    }
    [Loss] public Tensor SignLoss([Shape(4, 5)] Tensor r) => ((Sign(a) + a) * r).Sum();
    [Loss] public Tensor SignMethod([Shape(4, 5)] Tensor r) => ((a.Sign() + a) * r).Sum();
    [Loss] public Tensor FloorCeilRound([Shape(4, 5)] Tensor r) => ((Floor(a * 5f) + Ceil(a * 5f) + Round(a * 5f) + a) * r).Sum();
    [Loss] public Tensor FloorCeilRoundMethods([Shape(4, 5)] Tensor r) => (((a * 5f).Floor() + (a * 5f).Ceil() + (a * 5f).Round() + a) * r).Sum();
    [Loss] public Tensor ReciprocalRsqrt([Shape(4, 5)] Tensor r) => ((Reciprocal(a * a + 0.5f) + Rsqrt(a * a + 0.1f)) * r).Sum();
    [Loss] public Tensor ReciprocalRsqrtMethods([Shape(4, 5)] Tensor r) => (((a * a + 0.5f).Reciprocal() + (a * a + 0.1f).Rsqrt()) * r).Sum();
    [Loss] public Tensor SquareLoss([Shape(4, 5)] Tensor r) => ((Square(a) + a.Square() * 2f) * r).Sum();
    [Loss] public Tensor Log1pExpm1([Shape(4, 5)] Tensor r) => ((Log1p(a * 1e-3f) * 1000f + Expm1(a) + (a * a).Log1p() + a.Expm1()) * r).Sum();
    [Loss] public Tensor Log2Log10([Shape(4, 5)] Tensor r) => ((Log2(a * a + 0.1f) + Log10(a * a + 0.1f) + (a * a + 0.2f).Log2() + (a * a + 0.2f).Log10()) * r).Sum();
    [Loss] public Tensor SinCos([Shape(4, 5)] Tensor r) => ((Sin(a * 3f) + Cos(a * 3f) + (a * 2f).Sin() * (a * 2f).Cos()) * r).Sum();
    [Loss] public Tensor ErfLoss([Shape(4, 5)] Tensor r) => ((Erf(a * 3f) + (a * 0.5f).Erf()) * r).Sum();
}

/// <summary>torch.nn.functional's activations, with non-default arguments where they have them; inputs span their kinks.</summary>
[Model]
public partial class ActivationModels
{
    [Param(4, 5)] Tensor a;

    [Loss] public Tensor LeakyReluLoss([Shape(4, 5)] Tensor r) => (LeakyRelu(a * 4f) * r).Sum();
    [Loss] public Tensor LeakyReluSlope([Shape(4, 5)] Tensor r) => (LeakyRelu(a * 4f, negativeSlope: 0.2f) * r).Sum();
    [Loss] public Tensor EluLoss([Shape(4, 5)] Tensor r) => ((Elu(a * 4f) + Elu(a * 4f, alpha: 0.5f) + Elu(a * 4f, alpha: -0.5f)) * r).Sum();
    [Loss] public Tensor SeluLoss([Shape(4, 5)] Tensor r) => (Selu(a * 4f) * r).Sum();
    [Loss] public Tensor CeluLoss([Shape(4, 5)] Tensor r) => ((Celu(a * 4f) + Celu(a * 4f, 2f)) * r).Sum();
    [Loss] public Tensor GeluLoss([Shape(4, 5)] Tensor r) => (Gelu(a * 4f) * r).Sum();
    [Loss] public Tensor GeluTanhLoss([Shape(4, 5)] Tensor r) => (Gelu(a * 4f, approximate: "tanh") * r).Sum();
    [Loss] public Tensor SiluLoss([Shape(4, 5)] Tensor r) => (Silu(a * 4f) * r).Sum();
    [Loss] public Tensor MishLoss([Shape(4, 5)] Tensor r) => (Mish(a * 4f) * r).Sum();
    [Loss] public Tensor SoftplusBetaThreshold([Shape(4, 5)] Tensor r) => ((Softplus(a * 4f, beta: 2f, threshold: 1.5f) + (a * 4f).Softplus(0.5f)) * r).Sum();
    [Loss] public Tensor SoftsignLoss([Shape(4, 5)] Tensor r) => (Softsign(a * 4f) * r).Sum();
    [Loss] public Tensor LogSigmoidLoss([Shape(4, 5)] Tensor r) => (LogSigmoid(a * 4f) * r).Sum();
    [Loss] public Tensor HardtanhLoss([Shape(4, 5)] Tensor r) => ((Hardtanh(a * 4f) + Hardtanh(a * 4f, -0.5f, 1.5f)) * r).Sum();
    [Loss] public Tensor HardsigmoidLoss([Shape(4, 5)] Tensor r) => (Hardsigmoid(a * 8f) * r).Sum();
    [Loss] public Tensor HardswishLoss([Shape(4, 5)] Tensor r) => (Hardswish(a * 8f) * r).Sum();
    [Loss] public Tensor Relu6Loss([Shape(4, 5)] Tensor r) => (Relu6(a * 16f) * r).Sum();
    [Loss] public Tensor ThresholdLoss([Shape(4, 5)] Tensor r) => (Threshold(a * 4f, 0.3f, -2f) * r).Sum();
}

/// <summary>Comparisons as masks, Where, MaskedFill, logical ops and masks in arithmetic (torch's bool tensors).</summary>
[Model]
public partial class Masks
{
    [Param(4, 5)] Tensor a;
    [Param(5)] Tensor b;

    [Loss] public Tensor WhereLoss([Shape(4, 5)] Tensor r) => (Where(a > b, a * 2f, Exp(a)) * r).Sum();
    [Loss] public Tensor WhereScalars([Shape(4, 5)] Tensor r) => ((Where(a >= 0f, a, 0.5f) + Where(a < 0.1f, -1f, a * a)) * r).Sum();
    [Loss] public Tensor ComparisonOperators([Shape(4, 5)] Tensor r) => (((a > 0f) * a + (a <= b) * 2f + (a == b) * b + (a != 0.3f) * a + (0.1f < a) * a + (a >= b) * a) * r).Sum();
    [Loss] public Tensor ComparisonMethods([Shape(4, 5)] Tensor r) => ((a.Gt(b) * a + a.Ge(0f) * a + a.Lt(b).Float() + a.Le(0.2f) * a + a.Eq(b) * a + a.Ne(b) * a + a.Gt(0.1f) * a + a.Lt(0f) * a + a.Ge(b) * a + a.Le(b) * a + a.Eq(0f) * a + a.Ne(0f) * a) * r).Sum();
    [Loss] public Tensor LogicalOperators([Shape(4, 5)] Tensor r) => ((((a > 0f) & (a < 0.3f)) * a + ((a > 0.2f) | (a < -0.2f)) * a + ((a > 0f) ^ (b > 0f)) * a + (!(a > 0f)) * a) * r).Sum();
    [Loss] public Tensor LogicalMethods([Shape(4, 5)] Tensor r) => ((LogicalAnd(a > 0f, b > 0f) * a + LogicalOr(a > 0.2f, b < 0f) * a + LogicalXor(a > 0f, b > 0f) * a + LogicalNot(a > b) * a
        + (a > 0f).LogicalAnd(b > 0f) * a + (a > 0f).LogicalOr(b > 0f) * a + (a > 0f).LogicalXor(b > 0f) * a + (a > 0f).LogicalNot() * a) * r).Sum();
    [Loss] public Tensor MaskedFillLoss([Shape(4, 5)] Tensor r) => (a.MaskedFill(a < 0f, 0.25f) * r).Sum();
    [Loss] public Tensor MaskedMean() => (a * (a > 0f)).Sum() / (a > 0f).Sum();
    [Loss] public Tensor CountsByDim([Shape(5)] Tensor r) => ((a > 0f).Sum(0) * r).Sum() + (a * a).Sum() + (1f - (a > 0f)).Sum() * 0.5f;
}

/// <summary>Reductions over several dims, and the statistics built on them (seed 000's moments use Mean and Std).</summary>
[Model]
public partial class MoreReductions
{
    [Param(2, 3, 4)] Tensor d;
    [Param(3, 5)] Tensor a;

    [Loss] public Tensor SumDims([Shape(3)] Tensor r) => (d.Sum([0, 2]) * r).Sum();
    [Loss] public Tensor MeanDimsKeep([Shape(2, 1, 1)] Tensor r) => (Mean(Exp(d), [-1, 1], keepDim: true) * r).Sum();
    [Loss] public Tensor AmaxDims([Shape(3)] Tensor r) => (d.Amax([0, 2]) * r).Sum() + Amin(d, [1, 2]).Sum();
    [Loss] public Tensor ProdAll() => (a + 1.5f).Prod();
    [Loss] public Tensor ProdRows([Shape(3)] Tensor r) => ((a * 2f).Prod(1) * r).Sum() + Prod(a, 0, keepDim: true).Sum();
    [Loss] public Tensor MaxMin() => d.Max() - Min(d) + Max(a) * a.Min();
    [Loss] public Tensor VarAll() => d.Var() + Var(a, correction: 0);
    [Loss] public Tensor VarDim([Shape(3)] Tensor r) => (a.Var(1) * r).Sum() + (Var(d, [0, 2], correction: 0, keepDim: true) * 2f).Sum();
    [Loss] public Tensor StdDim([Shape(5)] Tensor r) => (a.Std(0) * r).Sum() + Std(d) + d.Std([1], keepDim: true).Sum() + Std(a, 1, correction: 0).Sum();
    [Loss] public Tensor Norms([Shape(3)] Tensor r) => ((a.Norm(2f, 1) + Norm(a, 1f, 1) + a.Norm(float.PositiveInfinity, 1) + a.Norm(float.NegativeInfinity, 1) + a.Norm(3f, 1)) * r).Sum() + d.Norm() + Norm(d, 0.5f) + Norm(d, 2f, [0, 2], keepDim: true).Sum();
    [Loss] public Tensor LogSumExpLoss([Shape(3)] Tensor r) => ((a * 4f).LogSumExp(1) * r).Sum() + LogSumExp(d, [0, 1]).Sum() + d.LogSumExp(-1, keepDim: true).Sum();
    [Loss] public Tensor CumSumLoss([Shape(3, 5)] Tensor r) => (a.CumSum(1) * r).Sum() + (CumSum(d, 0) * d).Sum();
}

/// <summary>Statistics with known answers: a zero vector's norm and a constant row's std have gradient 0 (PyTorch masks them).</summary>
[Model]
public partial class ZeroStatistics
{
    [Param(4)] Tensor v;

    [Loss] public Tensor NormOfV() => v.Norm();
    [Loss] public Tensor StdOfV() => v.Std();
    [Loss] public Tensor ProdOfV() => v.Prod();
}

/// <summary>Indexing and views as seed 002 writes them (a[:2], a[:2, 1:], a[:2, -1:], steps, ellipsis), with gradients scattered back.</summary>
[Model]
public partial class Indexing
{
    [Param(4, 3, 5)] Tensor d;
    [Param(6, 4)] Tensor a;

    [Loss] public Tensor FirstTwo([Shape(2, 3, 5)] Tensor r) => (d[..2] * r).Sum();
    [Loss] public Tensor TwoRanges([Shape(2, 2, 5)] Tensor r) => (d[..2, 1..] * r).Sum();
    [Loss] public Tensor FromTheEnd([Shape(2, 1, 5)] Tensor r) => (Exp(d[..2, ^1..]) * r).Sum();
    [Loss] public Tensor IntDropsDim([Shape(3, 5)] Tensor r) => (d[1] * r).Sum() + (a[.., 0] * a[.., 3]).Sum() + d[^1, 2, ^2];
    [Loss] public Tensor EllipsisIndex([Shape(4, 3)] Tensor r) => (d[Ellipsis, 4] * r).Sum() + d[0, Ellipsis].Sum();
    [Loss] public Tensor SliceWithStep([Shape(3, 4)] Tensor r) => (a.Slice(0, 0, 6, 2) * r).Sum() + a.Slice(1, start: -2).Sum() * 2f + a.Slice(0, 1, step: 3).Sum();
    [Loss] public Tensor NarrowSelect([Shape(2, 5)] Tensor r) => (d.Select(1, 1).Narrow(0, 1, 2) * r).Sum() + d.Narrow(2, -2, 2).Sum();
    [Loss] public Tensor OverlappingReadsSum() => (a[..4] * a[2..]).Sum() + a[1..3, 1..3].Sum() * 3f;
    [Loss] public Tensor SliceIntoMatMul([Shape(2, 2)] Tensor r) => (a[..2, 1..3].MatMul(a[2..4, ..2]) * r).Sum();
    [Loss] public Tensor PermuteExpand([Shape(5, 4, 3)] Tensor r) => (d.Permute(2, 0, 1) * r).Sum() + (a[0].Expand(3, 4) * a[..3]).Sum();
    [Loss] public Tensor RepeatTiles([Shape(2, 12, 4)] Tensor r) => (a.Repeat(2, 2, 1) * r).Sum();
    [Loss] public Tensor FlattenViewContiguous([Shape(4, 15)] Tensor r) => (d.Flatten(1) * r).Sum() + (d.Transpose(0, 2).Contiguous().View(5, -1).Sum(1) * d[0, 0]).Sum() + d.Flatten().Sum();
    [Loss] public Tensor SqueezeAll([Shape(5)] Tensor r) => (d[..1, 2..3].Squeeze() * r).Sum() + d.Unsqueeze(-1).Squeeze(-1).Transpose(-1, -2).Sum();
}

/// <summary>Joining and splitting: torch.cat, torch.stack, split and chunk (seed 000 concatenates its four moments).</summary>
[Model]
public partial class Joins
{
    [Param(3, 4)] Tensor a;
    [Param(3, 2)] Tensor b;
    [Param(4)] Tensor v;

    [Loss] public Tensor CatColumns([Shape(3, 10)] Tensor r) => (Cat([a, b, a], 1) * r).Sum();
    [Loss] public Tensor CatRows([Shape(7, 4)] Tensor r) => (Cat([a, Exp(v).Unsqueeze(0), a], dim: 0) * r).Sum();
    [Loss] public Tensor CatScalars([Shape(4)] Tensor r) => (Cat([a.Mean().Unsqueeze(0), a.Std().Unsqueeze(0), b.Sum().Unsqueeze(0), v.Amax().Unsqueeze(0)]) * r).Sum();
    [Loss] public Tensor StackNew([Shape(3, 2, 4)] Tensor r) => (Stack([a, a * 2f], 1) * r).Sum() + Stack([v, v]).Sum();
    [Loss] public Tensor SplitSizes([Shape(3, 1)] Tensor r) => (a.Split(3, 1)[1] * r).Sum() + (a.Split(3, 1)[0] * a.Split(3, 1)[0]).Sum();
    [Loss] public Tensor SplitList([Shape(2, 4)] Tensor r) => (a.Split([1, 2], 0)[1] * r).Sum() + a.Split([1, 2])[0].Sum() * 3f;
    [Loss] public Tensor ChunkParts([Shape(3, 2)] Tensor r) { var parts = a.Chunk(2, 1); return (parts[0] * parts[1] * r).Sum(); }
}

/// <summary>Indices: argmax/argmin, max/min along a dim with their indices, gather, index_select (an embedding), accuracy.</summary>
[Model]
public partial class IndexOps
{
    [Param(3, 5)] Tensor a;
    [Param(6, 4)] Tensor table;

    [Loss] public Tensor MaxValuesByDim([Shape(3)] Tensor r) => (a.Max(1).Values * r).Sum() + a.Min(0, keepDim: true).Values.Sum();
    [Loss] public Tensor MaxDeconstructed([Shape(5)] Tensor r) { var (values, indices) = a.Max(0); return (values * r).Sum() + (indices.Float() * values).Sum(); }
    [Loss] public Tensor ArgMaxAsNumbers([Shape(3)] Tensor r) => (a.ArgMax(1).Float() * a.Sum(1) * r).Sum() + a.ArgMin().Float() * a.Sum() + (a.ArgMin(0, keepDim: true).Float() * a).Sum();
    [Loss] public Tensor GatherRows([Shape(3, 2)] IntTensor index, [Shape(3, 2)] Tensor r) => (a.Gather(1, index) * r).Sum() + Gather(Exp(a), 1, index).Sum();
    [Loss] public Tensor EmbeddingLookup([Shape(5)] IntTensor ids, [Shape(2)] IntTensor cols, [Shape(5, 4)] Tensor r) => (table.IndexSelect(0, ids) * r).Sum() + (IndexSelect(table, 1, cols) * 2f).Sum();
    [Loss] public Tensor Accuracy([Shape(3)] IntTensor t) => (a.ArgMax(1) == t).Float().Mean() + Losses.CrossEntropy(a, t);
}

/// <summary>Every other loss of seed 004 with its options, on parameters so gradients reach them.</summary>
[Model]
public partial class MoreLosses
{
    [Param(4, 3)] Tensor a;
    [Param(4, 3)] Tensor b;
    [Param(2, 3, 4)] Tensor k;

    [Loss] public Tensor SmoothL1([Shape(4, 3)] Tensor y) => Losses.SmoothL1Loss(a * 3f, y) + Losses.SmoothL1Loss(a, y, Reduction.Sum, beta: 0.3f) + Losses.SmoothL1Loss(a, y, beta: 0f);
    [Loss] public Tensor Huber([Shape(4, 3)] Tensor y) => Losses.HuberLoss(a * 3f, y) + Losses.HuberLoss(a, y, Reduction.Sum, delta: 0.4f);
    [Loss] public Tensor PoissonNll([Shape(4, 3)] Tensor y) => Losses.PoissonNllLoss(a, y * 3f) + Losses.PoissonNllLoss(a * a + 0.5f, y * 3f, logInput: false, full: true, reduction: Reduction.Sum);
    [Loss] public Tensor KlDivergence([Shape(4, 3)] Tensor y) => Losses.KlDiv(LogSoftmax(a, 1), Softmax(y * 3f, 1), Reduction.BatchMean) + Losses.KlDiv(LogSoftmax(a, 1), LogSoftmax(b, 1), Reduction.Sum, logTarget: true);
    [Loss] public Tensor MarginRanking([Shape(4, 3)] Tensor y) => Losses.MarginRankingLoss(a, b, Sign(y - 0.5f), margin: 0.2f);
    [Loss] public Tensor HingeEmbedding([Shape(4, 3)] Tensor y) => Losses.HingeEmbeddingLoss(a * 2f, Sign(y - 0.5f), margin: 0.5f);
    [Loss] public Tensor SoftMargin([Shape(4, 3)] Tensor y) => Losses.SoftMarginLoss(a * 4f, Sign(y - 0.5f));
    [Loss] public Tensor MultilabelSoftMargin([Shape(4, 3)] Tensor y, [Shape(3)] Tensor w) => Losses.MultilabelSoftMarginLoss(a * 3f, y) + Losses.MultilabelSoftMarginLoss(a, y, w, Reduction.Sum);
    [Loss] public Tensor MultiMargin([Shape(4)] IntTensor t, [Shape(3)] Tensor w) => Losses.MultiMarginLoss(a * 2f, t) + Losses.MultiMarginLoss(a, t, p: 2, margin: 0.5f, weight: w, reduction: Reduction.Sum);
    [Loss] public Tensor MultilabelMargin([Shape(4, 3)] IntTensor t) => Losses.MultilabelMarginLoss(a * 2f, t);
    [Loss] public Tensor TripletMargin() => Losses.TripletMarginLoss(a, b, a * 0.5f - b, margin: 0.5f) + Losses.TripletMarginLoss(a, b * 2f, b, p: 1f, swap: true, reduction: Reduction.Sum);
    [Loss] public Tensor CosineEmbedding([Shape(4)] Tensor y) => Losses.CosineEmbeddingLoss(a, b, Sign(y - 0.5f), margin: 0.1f);
    [Loss] public Tensor CrossEntropySmoothed([Shape(4)] IntTensor t, [Shape(3)] Tensor w) => Losses.CrossEntropy(a, t, labelSmoothing: 0.2f) + Losses.CrossEntropy(a, t, w, reduction: Reduction.Sum, labelSmoothing: 0.1f);
    [Loss] public Tensor CrossEntropySmoothedIgnore([Shape(4)] IntTensor t, [Shape(3)] Tensor w) => Losses.CrossEntropy(a, t, w, ignoreIndex: 1, labelSmoothing: 0.3f);
    [Loss] public Tensor CrossEntropyProbabilities([Shape(4, 3)] Tensor y, [Shape(3)] Tensor w) => Losses.CrossEntropy(a, Softmax(y * 2f, 1)) + Losses.CrossEntropy(a, Softmax(y, 1), w, Reduction.Sum, labelSmoothing: 0.25f);
    [Loss] public Tensor CrossEntropyKDim([Shape(2, 4)] IntTensor t, [Shape(3)] Tensor w) => Losses.CrossEntropy(k, t) + Losses.CrossEntropy(k, t, w, reduction: Reduction.Sum);
    [Loss] public Tensor NllKDim([Shape(2, 4)] IntTensor t, [Shape(2, 4)] Tensor r) => (Losses.NllLoss(LogSoftmax(k, 1), t, reduction: Reduction.None) * r).Sum();
    [Loss] public Tensor BceAtTheEdges([Shape(4, 3)] Tensor y) => Losses.BinaryCrossEntropy(Sigmoid(a) * 0.9f + 0.05f, y);
}

/// <summary>CTC on log_softmax of parameters, with random (and sometimes infeasible: zeroInfinity) lengths.</summary>
[Model]
public partial class CtcModel
{
    [Param(4, 2, 3)] Tensor logits;

    [Loss] public Tensor Loss([Shape(2, 2)] IntTensor targets, [Shape(2)] IntTensor inputLengths, [Shape(2)] IntTensor targetLengths)
        => Losses.CtcLoss(LogSoftmax(logits, 2), targets, inputLengths, targetLengths, reduction: Reduction.Sum, zeroInfinity: true);
}

/// <summary>The new losses again on other shapes (a wider batch, more classes, a K-dim CE with two extra dims).</summary>
[Model]
public partial class LossShapes
{
    [Param(3, 5)] Tensor a;
    [Param(3, 5)] Tensor b;
    [Param(2, 4, 2, 3)] Tensor k;

    [Loss] public Tensor Regression([Shape(3, 5)] Tensor y) => Losses.SmoothL1Loss(a * 2f, y, beta: 0.5f) + Losses.HuberLoss(a * 2f, y, delta: 2f) + Losses.PoissonNllLoss(a, y, reduction: Reduction.Sum);
    [Loss] public Tensor Divergence([Shape(3, 5)] Tensor y) => Losses.KlDiv(LogSoftmax(a, 1), Softmax(y, 1)) + Losses.SoftMarginLoss(a, Sign(y - 0.5f), Reduction.Sum);
    [Loss] public Tensor Margins([Shape(3)] IntTensor t, [Shape(3, 5)] IntTensor labels, [Shape(3)] Tensor y) => Losses.MultiMarginLoss(a, t, margin: 2f) + Losses.MultilabelMarginLoss(a, labels, Reduction.Sum)
        + Losses.CosineEmbeddingLoss(a, b, Sign(y - 0.5f), reduction: Reduction.Sum) + Losses.TripletMarginLoss(a, b, a - b, p: 3f);
    [Loss] public Tensor CrossEntropyKDim([Shape(2, 2, 3)] IntTensor t) => Losses.CrossEntropy(k, t, labelSmoothing: 0.15f) + Losses.NllLoss(LogSoftmax(k, 1), t, reduction: Reduction.Sum);
}

/// <summary>detach: values pass, gradients stop (seed 003's GHM weights use a detached prediction).</summary>
[Model]
public partial class Detaching
{
    [Param(3, 4)] Tensor a;
    [Param(4)] Tensor b;

    [Loss] public Tensor ThroughOneBranch([Shape(3, 4)] Tensor r) => ((Sigmoid(a) * Tanh(a).Detach() + b) * r).Sum();
    [Loss] public Tensor StaticSpelling([Shape(3, 4)] Tensor r) => (Exp(a) * Detach(a * b) * r).Sum() + Detach(b).Sum();
}

/// <summary>Creation ops made in the graph from build-time numbers: zeros, ones, full, the *Like forms, arange, linspace, logspace, eye.</summary>
[Model]
public partial class Creation
{
    [Param(2, 3)] Tensor a;

    [Loss] public Tensor Filled([Shape(2, 3)] Tensor r) => ((a + Zeros(2, 3) + Ones(3) * 2f + Full([2, 1], 0.5f)) * r).Sum();
    [Loss] public Tensor Like([Shape(2, 3)] Tensor r) => ((a * OnesLike(a) + ZerosLike(r) + FullLike(a, -1.5f)) * r).Sum();
    [Loss] public Tensor Ranges([Shape(2, 3)] Tensor r) => ((a * Arange(3f) + Arange(1f, 2.5f, 0.5f) + a * Linspace(-1f, 2f, 3)) * r).Sum()
        + (Logspace(0.1f, 1f, 5) * 0.25f).Sum() + Logspace(2f, 2f, 1, 2f).Sum() + (a.Sum(0) * Arange(4f, 1f, -1f)).Sum();
    [Loss] public Tensor Identity([Shape(3, 3)] Tensor r) => (a.MatMul(Eye(3)).MatMul(r) + Eye(2, 3) * a).Sum();
    [Forward] public Tensor Made() => Eye(2, 3) * 3f + Arange(3f) + Zeros(2, 3) + Linspace(0f, 1f, 3);
}

/// <summary>Random draws in the graph (the first run of a model seeded 7 draws with ticket 0): samplers, dropout, a permutation.</summary>
[Model]
public partial class Randomness
{
    [Param(2, 3)] Tensor a;

    [Loss] public Tensor Dropped([Shape(2, 3)] Tensor r) => (Dropout(a * r, 0.4f) * r).Sum() + (Dropout(a, 0f) * r).Sum();
    [Loss] public Tensor Noisy([Shape(2, 3)] Tensor r) =>
        ((a + Randn(2, 3) * 0.1f) * r).Sum() + (a * Rand(3)).Sum() + (Normal(a, OnesLike(a) * 0.5f) * r).Sum() + (a * RandnLike(r) * RandLike(a)).Sum();
    [Loss] public Tensor Sampled([Shape(2, 3)] Tensor p) =>
        (a * Bernoulli(p)).Sum() + (a * Randint(-2, 5, 2, 3)).Sum() + (a.Sum(0) * Randperm(3)).Sum() + (Normal(0.5f, 2f, 3) * a).Sum();
    [Forward] public Tensor Drawn() => Rand(2, 3) + Randn(2, 3) * 10f + Randperm(3) + Randint(0, 100, 3);
}

/// <summary>What ControlFlow.Apply does to its tensor (an enum argument of a helper, chosen by a switch).</summary>
public enum Squash { None, Tanh, Sigmoid, Halved }

/// <summary>Build-time control flow: loops unrolled, branches chosen, helpers with int/float/bool arguments, const and static readonly constants.</summary>
[Model]
public partial class ControlFlow
{
    const int Layers = 3;
    static readonly float Scale = 0.5f;

    [Param(3, 3)] Tensor w;
    [Param(3)] Tensor b;

    /// <summary>k layers (each adding its number times b), squashed when gate is set.</summary>
    public Tensor Block(Tensor h, int k, bool gate = false)
    {
        for (int i = 0; i < k; i++) h = Tanh(h.MatMul(w) + b * (i + 1));
        return gate ? Sigmoid(h) : h;
    }

    [Loss] public Tensor Unrolled([Shape(2, 3)] Tensor x)
    {
        var h = x;
        for (int i = 0; i < Layers; i++)
        {
            if (i % 2 == 0) h = Tanh(h.MatMul(w) + b);
            else h = Sigmoid(h.MatMul(w)) * Scale;
        }
        var total = h.Sum();
        for (int j = 4; j > 0; j -= 2) total += (h * j).Mean();
        return total;
    }

    [Loss] public Tensor WrittenOut([Shape(2, 3)] Tensor x)
    {
        var h1 = Tanh(x.MatMul(w) + b);
        var h2 = Sigmoid(h1.MatMul(w)) * 0.5f;
        var h3 = Tanh(h2.MatMul(w) + b);
        return h3.Sum() + (h3 * 4f).Mean() + (h3 * 2f).Mean();
    }

    /// <summary>A switch on an enum argument: one section returns, the others fall out to the return below.</summary>
    public Tensor Apply(Tensor h, Squash how = Squash.Sigmoid)
    {
        switch (how)
        {
            case Squash.Tanh:
                return Tanh(h);
            case Squash.Sigmoid:
            case Squash.Halved:
                h = Sigmoid(h) * (how == Squash.Halved ? 0.5f : 1f);
                break;
            default:
                h = h * 2f;
                break;
        }
        return h;
    }

    [Loss] public Tensor Switched([Shape(2, 3)] Tensor x) =>
        (Apply(x * b, Squash.Tanh) + Apply(x) + Apply(x * b, Squash.Halved) + Apply(b, Squash.None)).Sum()
        + (Layers switch { 1 => x, 3 => x * b * 3f, _ => x * 0f }).Sum();

    /// <summary>An array of tensors filled in a loop (a Python list appended to), one element updated, and an array literal.</summary>
    [Loss] public Tensor Collected([Shape(2, 3)] Tensor x)
    {
        var rows = new Tensor[Layers];
        for (int i = 0; i < Layers; i++) rows[i] = x * b * (i + 1);
        rows[1] += x;
        Tensor[] pair = [rows[0], rows[2]];
        return Stack(rows).Sum() + Cat(pair, 1).Mean();
    }

    [Loss] public Tensor Swaps([Shape(2, 3)] Tensor x)
    {
        // a local declared first and assigned in a branch; a tuple assignment swaps two locals
        Tensor lo;
        var hi = x * b;
        if (Layers > 1) lo = x - b; else lo = x;
        (hi, lo) = (lo, hi);
        return (hi * 2f + lo).Sum();
    }

    [Loss] public Tensor Columns([Shape(2, 3)] Tensor x)
    {
        // a loop variable indexes with [], and k++ counts
        var t = x[.., 0] * 0f;
        int k = 1;
        for (int j = 0; j < 3; j++) { t += x[.., j] * b[j] * k; k++; }
        return t.Sum();
    }

    [Loss] public Tensor Helpers([Shape(2, 3)] Tensor x)
    {
        var total = Block(x, 2).Sum() + Block(x, Layers - 2, gate: true).Mean();
        for (int i = 5 / 2; i <= 3; ++i)   // int division: i runs 2, 3
            if (!(i == 3 && Layers < 2)) total += (x * i).Sum();
        return Layers > 2 ? total : total * 0f;
    }
}

/// <summary>Run-time scalar inputs: an entry method's float parameter is a plan input set per call, without recompiling.</summary>
[Model]
public partial class Scalars
{
    [Param(2, 3)] Tensor a;

    [Loss] public Tensor Weighted([Shape(2, 3)] Tensor r, float w) => (a * r).Sum() * w + Losses.MseLoss(a, r) * (1f - w);
    [Forward] public Tensor Tempered([Shape(2, 3)] Tensor x, float w = 1f) => Softmax(x * a / w, 1);
    [Loss] public Tensor Passed([Shape(2, 3)] Tensor x, float w) => Tempered(x, w).Sum() + (Tempered(x, 2f) * x).Mean();

    /// <summary>A helper's float parameter takes the caller's run-time float too.</summary>
    public Tensor Scale(Tensor h, float alpha) => h * alpha;
    [Loss] public Tensor ThroughHelper([Shape(2, 3)] Tensor r, float w) => Scale(a * r, w).Sum();
}

/// <summary>Gradients with respect to inputs ([RequiresGrad]), as torch.autograd.grad: seed 003's d mse(x @ w, y) / d w.</summary>
[Model]
public partial class InputGrads
{
    [Param(3)] Tensor a;

    [Loss] public Tensor Regression([Shape(100, 64)] Tensor x, [RequiresGrad, Shape(64, 1)] Tensor w, [Shape(100, 1)] Tensor y) => Losses.MseLoss(x.MatMul(w), y) + a.Sum() * 0f;
    [Loss] public Tensor Mixed([RequiresGrad, Shape(2, 3)] Tensor x, [RequiresGrad, Shape(2, 3)] Tensor unused, [RequiresGrad] float pw) => (Tanh(x * a) * pw).Sum() + unused.Detach().Sum() + (x * x).Mean();
}

/// <summary>Several outputs of one pass: a [Forward] returning (logits, probs), a [Loss] returning (loss, logits, perSample).</summary>
[Model]
public partial class ManyOutputs
{
    [Param(3, 4)] Tensor w;

    [Forward] public (Tensor logits, Tensor probs) Both([Shape(2, 4)] Tensor x)
    {
        var logits = x.MatMul(w.T);
        return (logits, Softmax(logits, 1));
    }

    [Loss] public (Tensor loss, Tensor logits, Tensor perSample) Train([Shape(2, 4)] Tensor x, [Shape(2)] IntTensor t)
    {
        var (logits, _) = Both(x);
        return (Losses.CrossEntropy(logits, t), logits, Losses.CrossEntropy(logits, t, reduction: Reduction.None));
    }
}

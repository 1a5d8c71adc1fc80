using Kiln;
using static Kiln.Ops;

namespace Kiln.Tests.Models;

/// <summary>Corners that were once internal generator errors: a 0-d softmax, F.linear with a 1-D weight, a char operand.</summary>
[Model]
public partial class Corners
{
    [Param(3)] Tensor w;

    [Forward] public Tensor ScalarSoftmax([Shape] Tensor s) => Softmax(s, 0) + LogSoftmax(s, -1);
    [Forward] public Tensor VectorLinear([Shape("N", 3)] Tensor x) => Linear(x, w);
    [Forward] public Tensor CharScale([Shape(3)] Tensor x) => x * 'a';
}

/// <summary>A new user's edge cases: NaN reaching reductions (the ILGPU path hung), a variance whose correction is the
/// slice's length or more, BCE of a saturated sigmoid.</summary>
[Model]
public partial class NanEdges
{
    [Forward] public Tensor RowSums([Shape(2, 3)] Tensor a) => a.Sum(1);
    [Forward] public Tensor Total([Shape(6)] Tensor a) => a.Sum();
    [Forward] public Tensor RowMax([Shape(2, 3)] Tensor a) => a.Amax(1);
    [Forward] public Tensor RowMin([Shape(2, 3)] Tensor a) => a.Amin(1);
    [Forward] public Tensor AllMax([Shape(6)] Tensor a) => a.Max();
    [Forward] public Tensor Mse([Shape(6)] Tensor a) => Losses.MseLoss(a, a * 0f);
    [Forward] public Tensor LogSum([Shape(6)] Tensor a) => Log(a).Sum();
    [Forward] public Tensor VarPast([Shape(3, 4)] Tensor a) => a.Var(1, correction: 5);
    [Forward] public Tensor VarNamed([Shape("N", 3)] Tensor x) => x.Var(0, correction: 3);
    [Forward] public Tensor BceOfSigmoid([Shape(2)] Tensor z, [Shape(2)] Tensor y) => Losses.BinaryCrossEntropy(Sigmoid(z), y, reduction: Reduction.None);
}

/// <summary>Elementwise values where a formula cancels or overflows (EdgeAccuracyTests): BCE of probabilities near 0,
/// hardsigmoid near -3, mish's gradient where σ(x) is subnormal.</summary>
[Model]
public partial class EdgeAccuracy
{
    [Forward] public Tensor Bce([Shape("N")] Tensor p, [Shape("N")] Tensor y) => Losses.BinaryCrossEntropy(p, y, reduction: Reduction.None);
    [Forward] public Tensor HardSigmoid([Shape("N")] Tensor x) => Hardsigmoid(x);
    [Loss] public Tensor MishSum([RequiresGrad, Shape("N")] Tensor x) => Mish(x).Sum();
    [Loss] public Tensor SiluSum([RequiresGrad, Shape("N")] Tensor x) => Silu(x).Sum();
}

/// <summary>Losses whose hinge sits exactly at 0 (LossArgumentTests): PyTorch's clamp_min passes the gradient there.</summary>
[Model]
public partial class MarginHinges
{
    [Loss] public Tensor Ranking([RequiresGrad, Shape(4)] Tensor a, [RequiresGrad, Shape(4)] Tensor b, [Shape(4)] Tensor y) => Losses.MarginRankingLoss(a, b, y);
    [Loss] public Tensor Cosine([RequiresGrad, Shape(3, 2)] Tensor a, [Shape(3, 2)] Tensor b, [Shape(3)] Tensor y) => Losses.CosineEmbeddingLoss(a, b, y);
    [Loss] public Tensor Triplet([RequiresGrad, Shape(1, 2)] Tensor a, [Shape(1, 2)] Tensor p, [Shape(1, 2)] Tensor n) => Losses.TripletMarginLoss(a, p, n, margin: 1f);
}

/// <summary>A loss of one element, [1] (PyTorch's backward() takes it: its numel is 1), as seed 001 writes l.backward().</summary>
[Model]
public partial class OneElementLoss
{
    [Param(3)] Tensor w;
    [Loss] public Tensor Loss([Shape(3)] Tensor x) => (x * w).Sum().Unsqueeze(0);
}

/// <summary>Losses at the inputs a second accuracy audit found wrong (LossArgumentTests): label smoothing with a named
/// class dim, MultiMargin with a huge target logit, SmoothL1 with a subnormal β, Hinge at its margin.</summary>
[Model]
public partial class LossEdges
{
    [Forward] public Tensor SmoothedNamed([Shape("N", "C")] Tensor x, [Shape("N")] IntTensor t) => Losses.CrossEntropy(x, t, reduction: Reduction.None, labelSmoothing: 0.1f);
    [Forward] public Tensor SmoothedFixed([Shape("N", 4)] Tensor x, [Shape("N")] IntTensor t) => Losses.CrossEntropy(x, t, reduction: Reduction.None, labelSmoothing: 0.1f);
    [Forward] public Tensor SmoothedProbabilities([Shape("N", "C")] Tensor x, [Shape("N", "C")] Tensor p) => Losses.CrossEntropy(x, p, reduction: Reduction.None, labelSmoothing: 0.1f);
    [Forward] public Tensor MultiMarginOne([Shape(1, 4)] Tensor x, [Shape(1)] IntTensor t) => Losses.MultiMarginLoss(x, t, reduction: Reduction.None);
    [Forward] public Tensor MultiMarginTwo([Shape(1, 4)] Tensor x, [Shape(1)] IntTensor t) => Losses.MultiMarginLoss(x, t, p: 2, reduction: Reduction.None);
    [Forward] public Tensor SmoothL1Tiny([Shape(3)] Tensor x, [Shape(3)] Tensor y) => Losses.SmoothL1Loss(x, y, Reduction.None, beta: 1e-40f);
    [Loss] public Tensor Hinge([RequiresGrad, Shape(2)] Tensor x, [Shape(2)] Tensor y) => Losses.HingeEmbeddingLoss(x, y);
    [Forward] public Tensor LogitsNone([Shape(8)] Tensor x, [Shape(8)] Tensor y) => Losses.BinaryCrossEntropyWithLogits(x, y, reduction: Reduction.None);
    [Loss] public Tensor LogitsSum([RequiresGrad, Shape(8)] Tensor x, [Shape(8)] Tensor y) => Losses.BinaryCrossEntropyWithLogits(x, y, reduction: Reduction.Sum);
}

/// <summary>Trial 25's plan-only differences (TensorSemanticsTests): a variance whose correction reaches N, a norm of
/// negative p, dims of a 0-d tensor.</summary>
[Model]
public partial class Trial25Semantics
{
    [Param(3)] Tensor w;

    [Forward] public Tensor VarRows([Shape(2, 3)] Tensor x) => x.Var(1, correction: 3);
    [Forward] public Tensor StdRows([Shape(2, 3)] Tensor x) => x.Std(1, correction: 5);
    [Forward] public Tensor VarNamed([Shape("N", 3)] Tensor x) => x.Var(0, correction: 2);
    [Forward] public Tensor NormRows([Shape(2, 3)] Tensor x, [Shape(2, 3)] Tensor y) => Stack([x.Norm(-1f, 1), y.Norm(-2.5f, 1)], 0);
    [Forward] public Tensor ScalarDims([Shape(3)] Tensor x) { var s = x.Sum(); return Stack([s.Squeeze(0), s.CumSum(0), s.Transpose(0, -1), s.Squeeze(-1)], 0); }
    [Loss] public Tensor NegativeNorm() => w.Norm(-1.5f);
}

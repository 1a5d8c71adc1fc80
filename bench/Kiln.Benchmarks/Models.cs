using Kiln;
using static Kiln.Ops;

namespace Kiln.Benchmarks;

/// <summary>The fused elementwise benchmark of PERFORMANCE.md: sigmoid(a·b + a) over 2^24 floats, one kernel.</summary>
[Model]
public partial class FusedElementwise
{
    [Forward] public Tensor Run([Shape("N")] Tensor a, [Shape("N")] Tensor b) => Sigmoid(a * b + a);
}

/// <summary>Ten million parameters and a trivial loss: the optimizer benchmark's block.</summary>
[Model]
public partial class TenMillion
{
    [Param(10_000_000)] Tensor w;

    [Loss] public Tensor Loss() => (w * w).Sum();
}

/// <summary>The same ten million parameters as 100,000 rows of 100 (an embedding table's shape): SparseAdam's block, every row touched.</summary>
[Model]
public partial class TenMillionRows
{
    [Param(100_000, 100)] Tensor w;

    [Loss] public Tensor Loss() => (w * w).Sum();
}

/// <summary>PERFORMANCE.md's first real model: an MLP 784-256-10 with ReLU and CrossEntropy (MNIST's shapes).</summary>
[Model]
public partial class Mlp784
{
    [Param(256, 784)] Tensor w1;
    [Param(256)] Tensor b1;
    [Param(10, 256)] Tensor w2;
    [Param(10)] Tensor b2;

    [Forward] public Tensor Forward([Shape("N", 784)] Tensor x) => Linear(Relu(Linear(x, w1, b1)), w2, b2);
    [Loss] public Tensor Loss([Shape("N", 784)] Tensor x, [Shape("N")] IntTensor y) => Losses.CrossEntropy(Forward(x), y);
}

/// <summary>The losses of PERFORMANCE.md on their own, forward and backward: each takes its input's gradient.</summary>
[Model]
public partial class LossRows
{
    [Loss] public Tensor CrossEntropy([Shape("N", "C"), RequiresGrad] Tensor x, [Shape("N")] IntTensor y) => Losses.CrossEntropy(x, y);
    [Loss] public Tensor Mse([Shape("N"), RequiresGrad] Tensor x, [Shape("N")] Tensor y) => Losses.MseLoss(x, y);
    [Loss] public Tensor BceWithLogits([Shape("N"), RequiresGrad] Tensor x, [Shape("N")] Tensor y) => Losses.BinaryCrossEntropyWithLogits(x, y);
    [Loss] public Tensor SmoothL1([Shape("N"), RequiresGrad] Tensor x, [Shape("N")] Tensor y) => Losses.SmoothL1Loss(x, y);
}

/// <summary>matmul on its own at PERFORMANCE.md's sizes.</summary>
[Model]
public partial class MatMuls
{
    [Forward] public Tensor Product([Shape("M", "K")] Tensor a, [Shape("K", "N")] Tensor b) => a.MatMul(b);
}

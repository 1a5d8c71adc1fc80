using System;
using Kiln.Kernels;

namespace Kiln;

/// <summary>
/// Functional ops of the Kiln language (<c>using static Kiln.Ops;</c>), as <c>torch</c> / <c>torch.nn.functional</c>.
/// Inside model methods they are compiled; outside them they compute on tensor values (random ones draw from
/// <see cref="RandomGenerator.Default"/>).
/// </summary>
public static class Ops
{
    /// <summary>torch.manual_seed: reseeds the generator of eager random ops (Rand, Randn, … outside model methods).</summary>
    [EagerOnly] public static void ManualSeed(ulong seed) => RandomGenerator.Default.ManualSeed(seed);

    /// <summary>torch.allclose: |a − b| ≤ atol + rtol·|b| everywhere (broadcast), NaNs equal only with equalNan.</summary>
    [EagerOnly]
    public static bool AllClose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false)
    {
        var shape = Layout.Broadcast(a.Layout.Shape, b.Layout.Shape);
        var x = a.Expand(shape).ToArray();
        var y = b.Expand(shape).ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i]) || float.IsNaN(y[i])) { if (!(equalNan && float.IsNaN(x[i]) && float.IsNaN(y[i]))) return false; continue; }
            if (x[i] == y[i]) continue;   // equal infinities
            if (!(Math.Abs((double)x[i] - y[i]) <= atol + rtol * Math.Abs((double)y[i]))) return false;
        }
        return true;
    }

    /// <summary>torch.empty(*size): a tensor whose values are not to be read before they are written (here they are zeros).</summary>
    [EagerOnly] public static Tensor Empty(params int[] size) => EagerCreation.Full(size, 0f);

    /// <summary>PyTorch's <c>...</c> in an index: <c>a[Ellipsis, 0]</c>.</summary>
    public static TensorIndex Ellipsis => TensorIndex.Ellipsis;

    public static Tensor Exp(Tensor x) => x.Exp();
    public static Tensor Log(Tensor x) => x.Log();
    public static Tensor Sqrt(Tensor x) => x.Sqrt();
    public static Tensor Abs(Tensor x) => x.Abs();
    public static Tensor Pow(Tensor x, float exponent) => x.Pow(exponent);
    public static Tensor Pow(Tensor x, Tensor exponent) => x.Pow(exponent);
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();
    public static Tensor Tanh(Tensor x) => x.Tanh();
    public static Tensor Relu(Tensor x) => x.Relu();
    /// <summary>F.softplus: log(1 + exp(beta·x))/beta, and x where beta·x &gt; threshold; computed stably.</summary>
    public static Tensor Softplus(Tensor x, float beta = 1f, float threshold = 20f) => x.Softplus(beta, threshold);

    // ---- elementwise math (torch.*) ----
    /// <summary>torch.clamp: min(max(x, min), max); the gradient passes where min ≤ x ≤ max.</summary>
    public static Tensor Clamp(Tensor x, float min, float max) => x.Clamp(min, max);
    public static Tensor ClampMin(Tensor x, float min) => x.ClampMin(min);
    public static Tensor ClampMax(Tensor x, float max) => x.ClampMax(max);
    /// <summary>torch.minimum / maximum of two tensors (broadcast); at a tie the gradient is split evenly.</summary>
    public static Tensor Minimum(Tensor x, Tensor other) => x.Minimum(other);
    public static Tensor Maximum(Tensor x, Tensor other) => x.Maximum(other);
    /// <summary><c>torch.remainder</c>, Python's <c>%</c>: x − other·⌊x/other⌋, with the sign of <paramref name="other"/>.</summary>
    public static Tensor Remainder(Tensor x, Tensor other) => x.Remainder(other);
    public static Tensor Remainder(Tensor x, float other) => x.Remainder(other);
    /// <summary><c>torch.fmod</c>, C's fmod: x − other·trunc(x/other), with the sign of <paramref name="x"/>.</summary>
    public static Tensor Fmod(Tensor x, Tensor other) => x.Fmod(other);
    public static Tensor Fmod(Tensor x, float other) => x.Fmod(other);
    public static Tensor Sign(Tensor x) => x.Sign();
    public static Tensor Floor(Tensor x) => x.Floor();
    public static Tensor Ceil(Tensor x) => x.Ceil();
    /// <summary>torch.round: half to even.</summary>
    public static Tensor Round(Tensor x) => x.Round();
    public static Tensor Reciprocal(Tensor x) => x.Reciprocal();
    public static Tensor Rsqrt(Tensor x) => x.Rsqrt();
    public static Tensor Square(Tensor x) => x.Square();
    /// <summary>log(1 + x), exact for small x.</summary>
    public static Tensor Log1p(Tensor x) => x.Log1p();
    /// <summary>exp(x) - 1, exact for small x.</summary>
    public static Tensor Expm1(Tensor x) => x.Expm1();
    public static Tensor Log2(Tensor x) => x.Log2();
    public static Tensor Log10(Tensor x) => x.Log10();
    public static Tensor Sin(Tensor x) => x.Sin();
    public static Tensor Cos(Tensor x) => x.Cos();
    public static Tensor Erf(Tensor x) => x.Erf();

    // ---- creation (build-time shapes and values; the values are made on the device, no host array) ----
    /// <summary>torch.zeros(*size).</summary>
    public static Tensor Zeros(params int[] size) => EagerCreation.Full(size, 0f);
    /// <summary>torch.ones(*size): targets of ones for a GAN's discriminator need no input.</summary>
    public static Tensor Ones(params int[] size) => EagerCreation.Full(size, 1f);
    /// <summary>torch.full(size, fill_value).</summary>
    public static Tensor Full(int[] size, float fillValue) => EagerCreation.Full(size, fillValue);
    /// <summary>torch.zeros_like(input): zeros of the input's shape (named dims included).</summary>
    public static Tensor ZerosLike(Tensor input) => EagerCreation.Full(input.Layout.Shape, 0f);
    /// <summary>torch.ones_like(input).</summary>
    public static Tensor OnesLike(Tensor input) => EagerCreation.Full(input.Layout.Shape, 1f);
    /// <summary>torch.full_like(input, fill_value).</summary>
    public static Tensor FullLike(Tensor input, float fillValue) => EagerCreation.Full(input.Layout.Shape, fillValue);
    /// <summary>torch.arange(end): 0, 1, …, below end.</summary>
    public static Tensor Arange(float end) => EagerCreation.Arange(0f, end, 1f);
    /// <summary>torch.arange(start, end, step): start + i·step for i below ⌈(end − start) / step⌉.</summary>
    public static Tensor Arange(float start, float end, float step = 1f) => EagerCreation.Arange(start, end, step);
    /// <summary>torch.linspace(start, end, steps): steps evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(float start, float end, int steps) => EagerCreation.Linspace(start, end, steps);
    /// <summary>torch.logspace(start, end, steps, base): base raised to linspace(start, end, steps).</summary>
    public static Tensor Logspace(float start, float end, int steps, float @base = 10f) => EagerCreation.Logspace(start, end, steps, @base);
    /// <summary>torch.eye(n, m): ones on the main diagonal of an n × m matrix (m = n when left out).</summary>
    public static Tensor Eye(int n, int m = -1) => EagerCreation.Eye(n, m);

    // ---- randomness (drawn in the graph from the model's generator, fresh values each run; model.Parameters.Random seeds it) ----
    /// <summary>torch.rand(*size): uniform on [0, 1).</summary>
    public static Tensor Rand(params int[] size) => RandomGenerator.Default.Rand(size);
    /// <summary>torch.randn(*size): standard normal.</summary>
    public static Tensor Randn(params int[] size) => RandomGenerator.Default.Randn(size);
    /// <summary>torch.rand_like(input): uniform on [0, 1) in the input's shape (named dims included).</summary>
    public static Tensor RandLike(Tensor input) => RandomGenerator.Default.Rand(input.Layout.Shape);
    /// <summary>torch.randn_like(input): standard normal in the input's shape.</summary>
    public static Tensor RandnLike(Tensor input) => RandomGenerator.Default.Randn(input.Layout.Shape);
    /// <summary>torch.randint(low, high, size): integers uniform on [low, high), held as floats.</summary>
    public static Tensor Randint(int low, int high, params int[] size) => RandomGenerator.Default.Randint(low, high, size);
    /// <summary>torch.normal(mean, std): one draw per element of mean and std broadcast together.</summary>
    public static Tensor Normal(Tensor mean, Tensor std) => RandomGenerator.Default.Normal(mean, std);
    /// <summary>torch.normal(mean, std, size) with numbers.</summary>
    public static Tensor Normal(float mean, float std, params int[] size) => RandomGenerator.Default.Normal(mean, std, size);
    /// <summary>torch.bernoulli(input): 1 with probability input[i], else 0.</summary>
    public static Tensor Bernoulli(Tensor input) => RandomGenerator.Default.Bernoulli(input);
    /// <summary>torch.randperm(n): 0 … n-1 in a random order, held as floats.</summary>
    public static Tensor Randperm(int n) => RandomGenerator.Default.Randperm(n);
    /// <summary>
    /// <c>F.dropout(input, p, training)</c>: zeroes each element with probability p and scales the rest by 1/(1 − p), the
    /// identity where <paramref name="training"/> is false. Written out, it drops whatever the model's mode (F.dropout's
    /// default, training = true), in a direct call and in a plan alike; by its short name in a model method
    /// (<c>Dropout(x, p)</c>, with <c>using static Kiln.Ops</c>) it is nn.Dropout, following
    /// <c>model.Parameters.Train()</c>/<c>Eval()</c>.
    /// </summary>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability has to be between 0 and 1");
        return training ? RandomGenerator.Default.Dropout(input, p) : input;
    }

    // ---- joining ----
    /// <summary>torch.cat: the tensors joined along dim (other dims must agree); <c>Cat([a, b], 1)</c>.</summary>
    public static Tensor Cat(Tensor[] tensors, int dim = 0) => EagerCreation.Cat(tensors, dim);
    /// <summary>torch.stack: the (equal-shaped) tensors as slices of a new dim.</summary>
    public static Tensor Stack(Tensor[] tensors, int dim = 0) => EagerCreation.Stack(tensors, dim);

    // ---- indices ----
    /// <summary>torch.gather(x, dim, index).</summary>
    public static Tensor Gather(Tensor x, int dim, IntTensor index) => x.Gather(dim, index);
    /// <summary>torch.index_select(x, dim, index); on a [Param] with dim 0 it is an embedding lookup whose gradient is a scatter-add.</summary>
    public static Tensor IndexSelect(Tensor x, int dim, IntTensor index) => x.IndexSelect(dim, index);

    /// <summary>x.detach(): the same values, with no gradient flowing back through them.</summary>
    public static Tensor Detach(Tensor x) => x.Detach();

    // ---- masks ----
    /// <summary>torch.where(condition, x, y): x where the condition holds, y elsewhere (broadcast); the gradient goes to the chosen side.</summary>
    public static Tensor Where(BoolTensor condition, Tensor x, Tensor y) => Eager.Where(condition.Mask, x, y);
    public static Tensor Where(BoolTensor condition, Tensor x, float y) => Eager.Where(condition.Mask, x, Tensor.From(y));
    public static Tensor Where(BoolTensor condition, float x, Tensor y) => Eager.Where(condition.Mask, Tensor.From(x), y);
    /// <summary>torch.where(condition, 1.0, -1.0): both sides numbers, the result of the condition's shape.</summary>
    public static Tensor Where(BoolTensor condition, float x, float y) => Eager.Where(condition.Mask, Tensor.From(x), Tensor.From(y));
    public static BoolTensor LogicalAnd(BoolTensor x, BoolTensor other) => x & other;
    public static BoolTensor LogicalOr(BoolTensor x, BoolTensor other) => x | other;
    public static BoolTensor LogicalXor(BoolTensor x, BoolTensor other) => x ^ other;
    public static BoolTensor LogicalNot(BoolTensor x) => !x;

    // ---- activations (torch.nn.functional), PyTorch's defaults ----
    public static Tensor LeakyRelu(Tensor x, float negativeSlope = 0.01f) => Eager.Map(x, new EagerKernels.LeakyRelu(negativeSlope));
    public static Tensor Elu(Tensor x, float alpha = 1f) => Eager.Map(x, new EagerKernels.Elu(alpha));
    public static Tensor Selu(Tensor x) => Eager.Map(x, new EagerKernels.Selu());
    public static Tensor Celu(Tensor x, float alpha = 1f) => Eager.Map(x, new EagerKernels.Celu(alpha));
    /// <summary>F.gelu: approximate "none" is x·Φ(x) with the exact erf; "tanh" is the tanh approximation.</summary>
    public static Tensor Gelu(Tensor x, string approximate = "none") => approximate switch { "none" => Eager.Map(x, new EagerKernels.Gelu()), "tanh" => Eager.Map(x, new EagerKernels.GeluTanh()), _ => throw new ArgumentException($"approximate argument must be either none or tanh, not '{approximate}'", nameof(approximate)) };
    public static Tensor Silu(Tensor x) => Eager.Map(x, new EagerKernels.Silu());
    public static Tensor Mish(Tensor x) => Eager.Map(x, new EagerKernels.Mish());
    public static Tensor Softsign(Tensor x) => Eager.Map(x, new EagerKernels.Softsign());
    public static Tensor LogSigmoid(Tensor x) => Eager.Map(x, new EagerKernels.LogSigmoid());
    public static Tensor Hardtanh(Tensor x, float minVal = -1f, float maxVal = 1f) => Eager.Map(x, new EagerKernels.Hardtanh(minVal, maxVal));
    public static Tensor Hardsigmoid(Tensor x) => Eager.Map(x, new EagerKernels.Hardsigmoid());
    public static Tensor Hardswish(Tensor x) => Eager.Map(x, new EagerKernels.Hardswish());
    public static Tensor Relu6(Tensor x) => Eager.Map(x, new EagerKernels.Relu6());
    /// <summary>F.threshold: x where x &gt; threshold, else value.</summary>
    public static Tensor Threshold(Tensor x, float threshold, float value) => Eager.Map(x, new EagerKernels.Threshold(threshold, value));
    public static Tensor Softmax(Tensor x, int dim) => x.Softmax(dim);
    public static Tensor LogSoftmax(Tensor x, int dim) => x.LogSoftmax(dim);
    public static Tensor MatMul(Tensor a, Tensor b) => a.MatMul(b);
    public static Tensor Sum(Tensor x) => x.Sum();
    public static Tensor Sum(Tensor x, int dim, bool keepDim = false) => x.Sum(dim, keepDim);
    public static Tensor Mean(Tensor x) => x.Mean();
    public static Tensor Mean(Tensor x, int dim, bool keepDim = false) => x.Mean(dim, keepDim);
    public static Tensor Sum(Tensor x, int[] dim, bool keepDim = false) => x.Sum(dim, keepDim);
    public static Tensor Mean(Tensor x, int[] dim, bool keepDim = false) => x.Mean(dim, keepDim);
    public static Tensor Prod(Tensor x) => x.Prod();
    public static Tensor Prod(Tensor x, int dim, bool keepDim = false) => x.Prod(dim, keepDim);
    /// <summary>torch.max(x) / torch.min(x): the largest / smallest element.</summary>
    public static Tensor Max(Tensor x) => x.Max();
    public static Tensor Min(Tensor x) => x.Min();
    public static Tensor Var(Tensor x, int[]? dim = null, int correction = 1, bool keepDim = false) => x.Var(dim, correction, keepDim);
    public static Tensor Var(Tensor x, int dim, int correction = 1, bool keepDim = false) => x.Var(dim, correction, keepDim);
    public static Tensor Std(Tensor x, int[]? dim = null, int correction = 1, bool keepDim = false) => x.Std(dim, correction, keepDim);
    public static Tensor Std(Tensor x, int dim, int correction = 1, bool keepDim = false) => x.Std(dim, correction, keepDim);
    public static Tensor Norm(Tensor x, float p = 2f) => x.Norm(p);
    public static Tensor Norm(Tensor x, float p, int dim, bool keepDim = false) => x.Norm(p, dim, keepDim);
    public static Tensor Norm(Tensor x, float p, int[] dim, bool keepDim = false) => x.Norm(p, dim, keepDim);
    public static Tensor LogSumExp(Tensor x, int dim, bool keepDim = false) => x.LogSumExp(dim, keepDim);
    public static Tensor LogSumExp(Tensor x, int[] dim, bool keepDim = false) => x.LogSumExp(dim, keepDim);
    public static Tensor CumSum(Tensor x, int dim) => x.CumSum(dim);
    public static Tensor Amax(Tensor x, int[] dim, bool keepDim = false) => x.Amax(dim, keepDim);
    public static Tensor Amin(Tensor x, int[] dim, bool keepDim = false) => x.Amin(dim, keepDim);
    /// <summary>torch.amax: the largest element (of all, or along a dim); ties share the gradient evenly.</summary>
    public static Tensor Amax(Tensor x) => x.Amax();
    public static Tensor Amax(Tensor x, int dim, bool keepDim = false) => x.Amax(dim, keepDim);
    /// <summary>torch.amin: the smallest element (of all, or along a dim); ties share the gradient evenly.</summary>
    public static Tensor Amin(Tensor x) => x.Amin();
    public static Tensor Amin(Tensor x, int dim, bool keepDim = false) => x.Amin(dim, keepDim);
    /// <summary>
    /// <c>F.embedding(input, weight)</c>, nn.Embedding's forward: the rows of <paramref name="weight"/> (num_embeddings,
    /// embedding_dim) at the ids of <paramref name="input"/>, any shape, as input.shape + (embedding_dim,). Its gradient adds
    /// into the rows looked up (a row looked up twice gets both); SparseAdam updates only those rows.
    /// </summary>
    public static Tensor Embedding(IntTensor input, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Dim() != 2) throw new ArgumentException($"embedding(): weight must be 2-D (num_embeddings, embedding_dim), but got {weight.Shape}.", nameof(weight));
        foreach (int id in input.ToArray())
            if ((uint)id >= (uint)weight.Size(0)) throw new IndexOutOfRangeException($"embedding(): index {id} is out of range for a table of {weight.Size(0)} rows (ids must be in [0, {weight.Size(0)})).");
        return weight.IndexSelect(0, input.Reshape(-1)).Reshape([.. input.Shape, weight.Size(1)]);
    }

    /// <summary><c>F.linear</c>: x @ weightᵀ + bias, weight stored (out, in) as PyTorch does.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor bias) => x.MatMul(weight.T) + bias;
    /// <summary><c>F.linear</c> without bias.</summary>
    public static Tensor Linear(Tensor x, Tensor weight) => x.MatMul(weight.T);
}

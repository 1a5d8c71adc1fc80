namespace Kiln;

/// <summary>Functional ops of the Kiln language (<c>using static Kiln.Ops;</c>), as <c>torch</c> / <c>torch.nn.functional</c>.</summary>
public static class Ops
{
    /// <summary>PyTorch's <c>...</c> in an index: <c>a[Ellipsis, 0]</c>.</summary>
    public static TensorIndex Ellipsis => TensorIndex.Ellipsis;

    public static Tensor Exp(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Log(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Sqrt(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Abs(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Pow(Tensor x, float exponent) => throw Tensor.Symbolic();
    public static Tensor Pow(Tensor x, Tensor exponent) => throw Tensor.Symbolic();
    public static Tensor Sigmoid(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Tanh(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Relu(Tensor x) => throw Tensor.Symbolic();
    /// <summary>F.softplus: log(1 + exp(beta·x))/beta, and x where beta·x &gt; threshold; computed stably.</summary>
    public static Tensor Softplus(Tensor x, float beta = 1f, float threshold = 20f) => throw Tensor.Symbolic();

    // ---- elementwise math (torch.*) ----
    /// <summary>torch.clamp: min(max(x, min), max); the gradient passes where min ≤ x ≤ max.</summary>
    public static Tensor Clamp(Tensor x, float min, float max) => throw Tensor.Symbolic();
    public static Tensor ClampMin(Tensor x, float min) => throw Tensor.Symbolic();
    public static Tensor ClampMax(Tensor x, float max) => throw Tensor.Symbolic();
    /// <summary>torch.minimum / maximum of two tensors (broadcast); at a tie the gradient is split evenly.</summary>
    public static Tensor Minimum(Tensor x, Tensor other) => throw Tensor.Symbolic();
    public static Tensor Maximum(Tensor x, Tensor other) => throw Tensor.Symbolic();
    public static Tensor Sign(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Floor(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Ceil(Tensor x) => throw Tensor.Symbolic();
    /// <summary>torch.round: half to even.</summary>
    public static Tensor Round(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Reciprocal(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Rsqrt(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Square(Tensor x) => throw Tensor.Symbolic();
    /// <summary>log(1 + x), exact for small x.</summary>
    public static Tensor Log1p(Tensor x) => throw Tensor.Symbolic();
    /// <summary>exp(x) - 1, exact for small x.</summary>
    public static Tensor Expm1(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Log2(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Log10(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Sin(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Cos(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Erf(Tensor x) => throw Tensor.Symbolic();

    // ---- creation (build-time shapes and values; the values are made on the device, no host array) ----
    /// <summary>torch.zeros(*size).</summary>
    public static Tensor Zeros(params int[] size) => throw Tensor.Symbolic();
    /// <summary>torch.ones(*size): targets of ones for a GAN's discriminator need no input.</summary>
    public static Tensor Ones(params int[] size) => throw Tensor.Symbolic();
    /// <summary>torch.full(size, fill_value).</summary>
    public static Tensor Full(int[] size, float fillValue) => throw Tensor.Symbolic();
    /// <summary>torch.zeros_like(input): zeros of the input's shape (named dims included).</summary>
    public static Tensor ZerosLike(Tensor input) => throw Tensor.Symbolic();
    /// <summary>torch.ones_like(input).</summary>
    public static Tensor OnesLike(Tensor input) => throw Tensor.Symbolic();
    /// <summary>torch.full_like(input, fill_value).</summary>
    public static Tensor FullLike(Tensor input, float fillValue) => throw Tensor.Symbolic();
    /// <summary>torch.arange(end): 0, 1, …, below end.</summary>
    public static Tensor Arange(float end) => throw Tensor.Symbolic();
    /// <summary>torch.arange(start, end, step): start + i·step for i below ⌈(end − start) / step⌉.</summary>
    public static Tensor Arange(float start, float end, float step = 1f) => throw Tensor.Symbolic();
    /// <summary>torch.linspace(start, end, steps): steps evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(float start, float end, int steps) => throw Tensor.Symbolic();
    /// <summary>torch.logspace(start, end, steps, base): base raised to linspace(start, end, steps).</summary>
    public static Tensor Logspace(float start, float end, int steps, float @base = 10f) => throw Tensor.Symbolic();
    /// <summary>torch.eye(n, m): ones on the main diagonal of an n × m matrix (m = n when left out).</summary>
    public static Tensor Eye(int n, int m = -1) => throw Tensor.Symbolic();

    // ---- randomness (drawn in the graph from the model's generator, fresh values each run; model.Parameters.Random seeds it) ----
    /// <summary>torch.rand(*size): uniform on [0, 1).</summary>
    public static Tensor Rand(params int[] size) => throw Tensor.Symbolic();
    /// <summary>torch.randn(*size): standard normal.</summary>
    public static Tensor Randn(params int[] size) => throw Tensor.Symbolic();
    /// <summary>torch.rand_like(input): uniform on [0, 1) in the input's shape (named dims included).</summary>
    public static Tensor RandLike(Tensor input) => throw Tensor.Symbolic();
    /// <summary>torch.randn_like(input): standard normal in the input's shape.</summary>
    public static Tensor RandnLike(Tensor input) => throw Tensor.Symbolic();
    /// <summary>torch.randint(low, high, size): integers uniform on [low, high), held as floats.</summary>
    public static Tensor Randint(int low, int high, params int[] size) => throw Tensor.Symbolic();
    /// <summary>torch.normal(mean, std): one draw per element of mean and std broadcast together.</summary>
    public static Tensor Normal(Tensor mean, Tensor std) => throw Tensor.Symbolic();
    /// <summary>torch.normal(mean, std, size) with numbers.</summary>
    public static Tensor Normal(float mean, float std, params int[] size) => throw Tensor.Symbolic();
    /// <summary>torch.bernoulli(input): 1 with probability input[i], else 0.</summary>
    public static Tensor Bernoulli(Tensor input) => throw Tensor.Symbolic();
    /// <summary>torch.randperm(n): 0 … n-1 in a random order, held as floats.</summary>
    public static Tensor Randperm(int n) => throw Tensor.Symbolic();
    /// <summary>nn.Dropout(p) / F.dropout: in training mode zeroes each element with probability p and scales the rest by 1/(1 − p); in eval mode (model.Parameters.Eval()) the identity.</summary>
    public static Tensor Dropout(Tensor input, float p = 0.5f) => throw Tensor.Symbolic();

    // ---- joining ----
    /// <summary>torch.cat: the tensors joined along dim (other dims must agree); <c>Cat([a, b], 1)</c>.</summary>
    public static Tensor Cat(Tensor[] tensors, int dim = 0) => throw Tensor.Symbolic();
    /// <summary>torch.stack: the (equal-shaped) tensors as slices of a new dim.</summary>
    public static Tensor Stack(Tensor[] tensors, int dim = 0) => throw Tensor.Symbolic();

    // ---- indices ----
    /// <summary>torch.gather(x, dim, index).</summary>
    public static Tensor Gather(Tensor x, int dim, IntTensor index) => throw Tensor.Symbolic();
    /// <summary>torch.index_select(x, dim, index); on a [Param] with dim 0 it is an embedding lookup whose gradient is a scatter-add.</summary>
    public static Tensor IndexSelect(Tensor x, int dim, IntTensor index) => throw Tensor.Symbolic();

    /// <summary>x.detach(): the same values, with no gradient flowing back through them.</summary>
    public static Tensor Detach(Tensor x) => throw Tensor.Symbolic();

    // ---- masks ----
    /// <summary>torch.where(condition, x, y): x where the condition holds, y elsewhere (broadcast); the gradient goes to the chosen side.</summary>
    public static Tensor Where(BoolTensor condition, Tensor x, Tensor y) => throw Tensor.Symbolic();
    public static Tensor Where(BoolTensor condition, Tensor x, float y) => throw Tensor.Symbolic();
    public static Tensor Where(BoolTensor condition, float x, Tensor y) => throw Tensor.Symbolic();
    public static BoolTensor LogicalAnd(BoolTensor x, BoolTensor other) => throw Tensor.Symbolic();
    public static BoolTensor LogicalOr(BoolTensor x, BoolTensor other) => throw Tensor.Symbolic();
    public static BoolTensor LogicalXor(BoolTensor x, BoolTensor other) => throw Tensor.Symbolic();
    public static BoolTensor LogicalNot(BoolTensor x) => throw Tensor.Symbolic();

    // ---- activations (torch.nn.functional), PyTorch's defaults ----
    public static Tensor LeakyRelu(Tensor x, float negativeSlope = 0.01f) => throw Tensor.Symbolic();
    public static Tensor Elu(Tensor x, float alpha = 1f) => throw Tensor.Symbolic();
    public static Tensor Selu(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Celu(Tensor x, float alpha = 1f) => throw Tensor.Symbolic();
    /// <summary>F.gelu: approximate "none" is x·Φ(x) with the exact erf; "tanh" is the tanh approximation.</summary>
    public static Tensor Gelu(Tensor x, string approximate = "none") => throw Tensor.Symbolic();
    public static Tensor Silu(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Mish(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Softsign(Tensor x) => throw Tensor.Symbolic();
    public static Tensor LogSigmoid(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Hardtanh(Tensor x, float minVal = -1f, float maxVal = 1f) => throw Tensor.Symbolic();
    public static Tensor Hardsigmoid(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Hardswish(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Relu6(Tensor x) => throw Tensor.Symbolic();
    /// <summary>F.threshold: x where x &gt; threshold, else value.</summary>
    public static Tensor Threshold(Tensor x, float threshold, float value) => throw Tensor.Symbolic();
    public static Tensor Softmax(Tensor x, int dim) => throw Tensor.Symbolic();
    public static Tensor LogSoftmax(Tensor x, int dim) => throw Tensor.Symbolic();
    public static Tensor MatMul(Tensor a, Tensor b) => throw Tensor.Symbolic();
    public static Tensor Sum(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Sum(Tensor x, int dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Mean(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Mean(Tensor x, int dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Sum(Tensor x, int[] dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Mean(Tensor x, int[] dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Prod(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Prod(Tensor x, int dim, bool keepDim = false) => throw Tensor.Symbolic();
    /// <summary>torch.max(x) / torch.min(x): the largest / smallest element.</summary>
    public static Tensor Max(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Min(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Var(Tensor x, int[]? dim = null, int correction = 1, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Var(Tensor x, int dim, int correction = 1, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Std(Tensor x, int[]? dim = null, int correction = 1, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Std(Tensor x, int dim, int correction = 1, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Norm(Tensor x, float p = 2f) => throw Tensor.Symbolic();
    public static Tensor Norm(Tensor x, float p, int dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Norm(Tensor x, float p, int[] dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor LogSumExp(Tensor x, int dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor LogSumExp(Tensor x, int[] dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor CumSum(Tensor x, int dim) => throw Tensor.Symbolic();
    public static Tensor Amax(Tensor x, int[] dim, bool keepDim = false) => throw Tensor.Symbolic();
    public static Tensor Amin(Tensor x, int[] dim, bool keepDim = false) => throw Tensor.Symbolic();
    /// <summary>torch.amax: the largest element (of all, or along <paramref name="dim"/>); ties share the gradient evenly.</summary>
    public static Tensor Amax(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Amax(Tensor x, int dim, bool keepDim = false) => throw Tensor.Symbolic();
    /// <summary>torch.amin: the smallest element (of all, or along <paramref name="dim"/>); ties share the gradient evenly.</summary>
    public static Tensor Amin(Tensor x) => throw Tensor.Symbolic();
    public static Tensor Amin(Tensor x, int dim, bool keepDim = false) => throw Tensor.Symbolic();
    /// <summary><c>F.linear</c>: x @ weightᵀ + bias, weight stored (out, in) as PyTorch does.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor bias) => throw Tensor.Symbolic();
    /// <summary><c>F.linear</c> without bias.</summary>
    public static Tensor Linear(Tensor x, Tensor weight) => throw Tensor.Symbolic();
}

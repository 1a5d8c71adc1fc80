using System;

namespace Kiln;

/// <summary>How a loss reduces its per-element values, as PyTorch's <c>reduction=</c>.</summary>
public enum Reduction { None, Sum, Mean, /** <summary>KlDiv only: the sum divided by the batch size, as PyTorch's "batchmean".</summary> */ BatchMean }

/// <summary>
/// A symbolic float32 tensor of the Kiln language. Inside [Model] methods every operation on it is read by
/// the Kiln generator at build time and compiled into kernels; it never runs eagerly.
/// </summary>
public sealed class Tensor
{
    private Tensor() { }

    /// <summary>The value generated constructors give [Param] fields: a symbol, never data.</summary>
    public static Tensor Unbound { get; } = new();

    internal static Exception Symbolic() => new InvalidOperationException(
        "Kiln tensors are symbolic: this operation is compiled by the Kiln source generator inside [Forward] and [Loss] " +
        "methods of a [Model] class and cannot run eagerly. Call the generated Compile<Method>(...) plan instead.");

    public static Tensor operator +(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator +(Tensor a, float b) => throw Symbolic();
    public static Tensor operator +(float a, Tensor b) => throw Symbolic();
    public static Tensor operator -(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator -(Tensor a, float b) => throw Symbolic();
    public static Tensor operator -(float a, Tensor b) => throw Symbolic();
    public static Tensor operator *(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator *(Tensor a, float b) => throw Symbolic();
    public static Tensor operator *(float a, Tensor b) => throw Symbolic();
    public static Tensor operator /(Tensor a, Tensor b) => throw Symbolic();
    public static Tensor operator /(Tensor a, float b) => throw Symbolic();
    public static Tensor operator /(float a, Tensor b) => throw Symbolic();
    public static Tensor operator -(Tensor a) => throw Symbolic();

    // Comparisons give a mask, as PyTorch's give a bool tensor
    public static BoolTensor operator >(Tensor a, Tensor b) => throw Symbolic();
    public static BoolTensor operator >(Tensor a, float b) => throw Symbolic();
    public static BoolTensor operator >(float a, Tensor b) => throw Symbolic();
    public static BoolTensor operator <(Tensor a, Tensor b) => throw Symbolic();
    public static BoolTensor operator <(Tensor a, float b) => throw Symbolic();
    public static BoolTensor operator <(float a, Tensor b) => throw Symbolic();
    public static BoolTensor operator >=(Tensor a, Tensor b) => throw Symbolic();
    public static BoolTensor operator >=(Tensor a, float b) => throw Symbolic();
    public static BoolTensor operator >=(float a, Tensor b) => throw Symbolic();
    public static BoolTensor operator <=(Tensor a, Tensor b) => throw Symbolic();
    public static BoolTensor operator <=(Tensor a, float b) => throw Symbolic();
    public static BoolTensor operator <=(float a, Tensor b) => throw Symbolic();
    public static BoolTensor operator ==(Tensor a, Tensor b) => throw Symbolic();
    public static BoolTensor operator ==(Tensor a, float b) => throw Symbolic();
    public static BoolTensor operator !=(Tensor a, Tensor b) => throw Symbolic();
    public static BoolTensor operator !=(Tensor a, float b) => throw Symbolic();

    /// <summary>Tensors are symbols: identity is reference identity (== on tensors is the elementwise comparison).</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public BoolTensor Gt(Tensor other) => throw Symbolic();
    public BoolTensor Gt(float other) => throw Symbolic();
    public BoolTensor Ge(Tensor other) => throw Symbolic();
    public BoolTensor Ge(float other) => throw Symbolic();
    public BoolTensor Lt(Tensor other) => throw Symbolic();
    public BoolTensor Lt(float other) => throw Symbolic();
    public BoolTensor Le(Tensor other) => throw Symbolic();
    public BoolTensor Le(float other) => throw Symbolic();
    public BoolTensor Eq(Tensor other) => throw Symbolic();
    public BoolTensor Eq(float other) => throw Symbolic();
    public BoolTensor Ne(Tensor other) => throw Symbolic();
    public BoolTensor Ne(float other) => throw Symbolic();
    /// <summary>x.masked_fill(mask, value): value where the mask is true, x elsewhere.</summary>
    public Tensor MaskedFill(BoolTensor mask, float value) => throw Symbolic();
    /// <summary>x.masked_select(mask) has a data-dependent length, which a static plan cannot hold: a build error
    /// (KLN0015) that shows the Where and masked-sum forms to use instead.</summary>
    public Tensor MaskedSelect(BoolTensor mask) => throw Symbolic();

    /// <summary>Matrix product with PyTorch's <c>torch.matmul</c> rules (1-D, 2-D, batched with broadcast batch dims).</summary>
    public Tensor MatMul(Tensor other) => throw Symbolic();
    /// <summary>Sum of all elements (a 0-d tensor).</summary>
    public Tensor Sum() => throw Symbolic();
    /// <summary>Sum over <paramref name="dim"/> (negative counts from the end).</summary>
    public Tensor Sum(int dim, bool keepDim = false) => throw Symbolic();
    public Tensor Mean() => throw Symbolic();
    public Tensor Mean(int dim, bool keepDim = false) => throw Symbolic();
    /// <summary>Sum over several dims at once (<c>x.Sum([0, 2])</c>).</summary>
    public Tensor Sum(int[] dim, bool keepDim = false) => throw Symbolic();
    public Tensor Mean(int[] dim, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.prod; its gradient is exact with zeros (the product of the other elements).</summary>
    public Tensor Prod() => throw Symbolic();
    public Tensor Prod(int dim, bool keepDim = false) => throw Symbolic();
    /// <summary>x.max(): the largest element (for values along a dim use Amax).</summary>
    public Tensor Max() => throw Symbolic();
    public Tensor Min() => throw Symbolic();
    /// <summary>torch.var: Σ(x - mean)²/(N - correction) over dim (all when null); correction 1 is Bessel's, as PyTorch.</summary>
    public Tensor Var(int[]? dim = null, int correction = 1, bool keepDim = false) => throw Symbolic();
    public Tensor Var(int dim, int correction = 1, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.std = √var; its gradient is 0 where the std is 0.</summary>
    public Tensor Std(int[]? dim = null, int correction = 1, bool keepDim = false) => throw Symbolic();
    public Tensor Std(int dim, int correction = 1, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.linalg.vector_norm: p = 2, 1, ∞ (float.PositiveInfinity), -∞, 0 (count of nonzeros) or any p &gt; 0.</summary>
    public Tensor Norm(float p = 2f) => throw Symbolic();
    public Tensor Norm(float p, int dim, bool keepDim = false) => throw Symbolic();
    public Tensor Norm(float p, int[] dim, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.logsumexp: log Σ exp(x) over dim, computed without overflow.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => throw Symbolic();
    public Tensor LogSumExp(int[] dim, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.cumsum along dim.</summary>
    public Tensor CumSum(int dim) => throw Symbolic();
    public Tensor Amax(int[] dim, bool keepDim = false) => throw Symbolic();
    public Tensor Amin(int[] dim, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.amax: the largest element; ties share the gradient evenly.</summary>
    public Tensor Amax() => throw Symbolic();
    public Tensor Amax(int dim, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.amin: the smallest element; ties share the gradient evenly.</summary>
    public Tensor Amin() => throw Symbolic();
    public Tensor Amin(int dim, bool keepDim = false) => throw Symbolic();
    /// <summary>log(1 + exp(beta·x))/beta, and x where beta·x &gt; threshold; computed stably.</summary>
    public Tensor Softplus(float beta = 1f, float threshold = 20f) => throw Symbolic();
    public Tensor Clamp(float min, float max) => throw Symbolic();
    public Tensor ClampMin(float min) => throw Symbolic();
    public Tensor ClampMax(float max) => throw Symbolic();
    public Tensor Minimum(Tensor other) => throw Symbolic();
    public Tensor Maximum(Tensor other) => throw Symbolic();
    public Tensor Sign() => throw Symbolic();
    public Tensor Floor() => throw Symbolic();
    public Tensor Ceil() => throw Symbolic();
    public Tensor Round() => throw Symbolic();
    public Tensor Reciprocal() => throw Symbolic();
    public Tensor Rsqrt() => throw Symbolic();
    public Tensor Square() => throw Symbolic();
    public Tensor Log1p() => throw Symbolic();
    public Tensor Expm1() => throw Symbolic();
    public Tensor Log2() => throw Symbolic();
    public Tensor Log10() => throw Symbolic();
    public Tensor Sin() => throw Symbolic();
    public Tensor Cos() => throw Symbolic();
    public Tensor Erf() => throw Symbolic();
    public Tensor Pow(float exponent) => throw Symbolic();
    public Tensor Pow(Tensor exponent) => throw Symbolic();
    public Tensor Exp() => throw Symbolic();
    public Tensor Log() => throw Symbolic();
    public Tensor Sqrt() => throw Symbolic();
    public Tensor Abs() => throw Symbolic();
    public Tensor Sigmoid() => throw Symbolic();
    public Tensor Tanh() => throw Symbolic();
    public Tensor Relu() => throw Symbolic();
    public Tensor Softmax(int dim) => throw Symbolic();
    public Tensor LogSoftmax(int dim) => throw Symbolic();
    /// <summary>
    /// PyTorch's indexing as C# allows it: <c>a[0]</c> selects (the dim is dropped), <c>a[..2, 1..]</c> slices (a[:2, 1:]),
    /// <c>a[.., ^1..]</c> counts from the end (a[:, -1:]), <c>a[Ellipsis, 0]</c> is a[..., 0]. Steps: <see cref="Slice"/>.
    /// Every index is a view, no copy; its gradient lands where it read.
    /// </summary>
    [System.Runtime.CompilerServices.IndexerName("Index")]
    public Tensor this[params TensorIndex[] indices] => throw Symbolic();
    /// <summary>x[..., start:end:step, ...] along dim (negative start/end count from the end; both clamp, as Python).</summary>
    public Tensor Slice(int dim, int? start = null, int? end = null, int step = 1) => throw Symbolic();
    /// <summary>torch.narrow: length elements from start along dim (a view).</summary>
    public Tensor Narrow(int dim, int start, int length) => throw Symbolic();
    /// <summary>torch.select: index along dim, which is dropped (a view).</summary>
    public Tensor Select(int dim, int index) => throw Symbolic();
    /// <summary>Reorders the dims (a view).</summary>
    public Tensor Permute(params int[] dims) => throw Symbolic();
    /// <summary>Stretches size-1 dims to sizes (-1 keeps a dim; new dims may lead): a broadcast, no copy.</summary>
    public Tensor Expand(params int[] sizes) => throw Symbolic();
    /// <summary>Tiles the tensor repeats times along each dim (a copy, as torch's repeat).</summary>
    public Tensor Repeat(params int[] repeats) => throw Symbolic();
    /// <summary>Merges dims startDim..endDim into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1) => throw Symbolic();
    /// <summary>x.view(shape): as Reshape.</summary>
    public Tensor View(params int[] shape) => throw Symbolic();
    /// <summary>x.contiguous(): the plan copies to contiguous memory itself wherever an op needs it.</summary>
    public Tensor Contiguous() => throw Symbolic();
    /// <summary>torch.split: pieces of splitSize along dim (the last one smaller), each a view.</summary>
    public Tensor[] Split(int splitSize, int dim = 0) => throw Symbolic();
    /// <summary>torch.split with the pieces' sizes.</summary>
    public Tensor[] Split(int[] splitSizes, int dim = 0) => throw Symbolic();
    /// <summary>torch.chunk: chunks pieces of ceil(size/chunks) along dim (the last smaller, possibly fewer), each a view.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0) => throw Symbolic();
    /// <summary>torch.argmax of the flattened tensor (a 0-d index); ties give the first, as PyTorch.</summary>
    public IntTensor ArgMax() => throw Symbolic();
    /// <summary>torch.argmax along dim.</summary>
    public IntTensor ArgMax(int dim, bool keepDim = false) => throw Symbolic();
    public IntTensor ArgMin() => throw Symbolic();
    public IntTensor ArgMin(int dim, bool keepDim = false) => throw Symbolic();
    /// <summary>x.max(dim): the largest values and their indices; the gradient goes to the selected element.</summary>
    public (Tensor Values, IntTensor Indices) Max(int dim, bool keepDim = false) => throw Symbolic();
    public (Tensor Values, IntTensor Indices) Min(int dim, bool keepDim = false) => throw Symbolic();
    /// <summary>torch.gather along dim: index has the result's shape (equal to x's outside dim).</summary>
    public Tensor Gather(int dim, IntTensor index) => throw Symbolic();
    /// <summary>torch.index_select: the slices at a 1-D index along dim; on a [Param] with dim 0, an embedding lookup.</summary>
    public Tensor IndexSelect(int dim, IntTensor index) => throw Symbolic();
    /// <summary>x.detach(): the same values, with no gradient flowing back through them (a GAN's fake batch for D).</summary>
    public Tensor Detach() => throw Symbolic();
    /// <summary>Drops every dim of size 1.</summary>
    public Tensor Squeeze() => throw Symbolic();
    /// <summary>A view with a new shape of the same element count; one dim may be -1.</summary>
    public Tensor Reshape(params int[] shape) => throw Symbolic();
    public Tensor Unsqueeze(int dim) => throw Symbolic();
    public Tensor Squeeze(int dim) => throw Symbolic();
    /// <summary>Swaps two dims (a view).</summary>
    public Tensor Transpose(int dim0, int dim1) => throw Symbolic();
    /// <summary>Transpose of a 2-D tensor (a view).</summary>
    public Tensor T => throw Symbolic();
}

/// <summary>One index of <see cref="Tensor"/>'s indexer: an int (selects), an Index (^1 counts from the end), a Range, or Ellipsis.</summary>
public readonly struct TensorIndex
{
    private TensorIndex(int kind) => Kind = kind;
    internal int Kind { get; }
    /// <summary>PyTorch's <c>...</c>: as many whole dims as the other indices leave.</summary>
    public static TensorIndex Ellipsis => new(3);
    public static implicit operator TensorIndex(int index) => new(0);
    public static implicit operator TensorIndex(Index index) => new(1);
    public static implicit operator TensorIndex(Range range) => new(2);
}

/// <summary>
/// A symbolic boolean tensor (a mask), as PyTorch's comparisons return. In arithmetic it counts as 0 and 1, as
/// PyTorch promotes bool: <c>(x * mask).Sum() / mask.Sum()</c> is a masked mean.
/// </summary>
public sealed class BoolTensor
{
    private BoolTensor() { }

    public static BoolTensor operator &(BoolTensor a, BoolTensor b) => throw Tensor.Symbolic();
    public static BoolTensor operator |(BoolTensor a, BoolTensor b) => throw Tensor.Symbolic();
    public static BoolTensor operator ^(BoolTensor a, BoolTensor b) => throw Tensor.Symbolic();
    public static BoolTensor operator !(BoolTensor a) => throw Tensor.Symbolic();

    /// <summary>
    /// Only so that C# compiles <c>if (x > 0)</c> and <c>x > 0 ? a : b</c> in a model method: a plan is fixed at build
    /// time, so the generator rejects a branch on a tensor's values (KLN0001) and shows the per-element form, Where(mask, a, b).
    /// </summary>
    public static bool operator true(BoolTensor a) => throw Tensor.Symbolic();
    /// <summary>The pair of <see cref="op_True"/>: C# requires both.</summary>
    public static bool operator false(BoolTensor a) => throw Tensor.Symbolic();
    public static Tensor operator *(BoolTensor a, Tensor b) => throw Tensor.Symbolic();
    public static Tensor operator *(Tensor a, BoolTensor b) => throw Tensor.Symbolic();
    public static Tensor operator *(BoolTensor a, float b) => throw Tensor.Symbolic();
    public static Tensor operator *(float a, BoolTensor b) => throw Tensor.Symbolic();
    public static Tensor operator +(BoolTensor a, Tensor b) => throw Tensor.Symbolic();
    public static Tensor operator +(Tensor a, BoolTensor b) => throw Tensor.Symbolic();
    public static Tensor operator -(Tensor a, BoolTensor b) => throw Tensor.Symbolic();
    public static Tensor operator -(float a, BoolTensor b) => throw Tensor.Symbolic();

    /// <summary>The count of true elements (a 0-d tensor).</summary>
    public Tensor Sum() => throw Tensor.Symbolic();
    /// <summary>Counts along <paramref name="dim"/>.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => throw Tensor.Symbolic();
    /// <summary>mask.float(): 1 where true, 0 where false.</summary>
    public Tensor Float() => throw Tensor.Symbolic();
    public BoolTensor LogicalAnd(BoolTensor other) => throw Tensor.Symbolic();
    public BoolTensor LogicalOr(BoolTensor other) => throw Tensor.Symbolic();
    public BoolTensor LogicalXor(BoolTensor other) => throw Tensor.Symbolic();
    public BoolTensor LogicalNot() => throw Tensor.Symbolic();
}

/// <summary>A symbolic int32 tensor: class indices for CrossEntropy and NLL targets, indices for Gather and IndexSelect, ArgMax's result.</summary>
public sealed class IntTensor
{
    private IntTensor() { }

    public static BoolTensor operator ==(IntTensor a, IntTensor b) => throw Tensor.Symbolic();
    public static BoolTensor operator !=(IntTensor a, IntTensor b) => throw Tensor.Symbolic();
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
    /// <summary>indices.float(): the values as floats.</summary>
    public Tensor Float() => throw Tensor.Symbolic();
}

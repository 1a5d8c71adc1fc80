using System;
using Kiln.Kernels;

namespace Kiln;

/// <summary>How a loss reduces its per-element values, as PyTorch's <c>reduction=</c>.</summary>
public enum Reduction { None, Sum, Mean, /** <summary>KlDiv only: the sum divided by the batch size, as PyTorch's "batchmean".</summary> */ BatchMean }

/// <summary>
/// A float32 tensor of the Kiln language. Inside [Model] methods every operation on it is read by the Kiln generator at
/// build time and compiled into fused kernels. Outside them it is a value, as a PyTorch tensor: made by <see cref="Ops"/>'s
/// creation functions or <see cref="From(float[])"/>, viewed, combined and printed eagerly (runtime/Eager). Tensors are
/// immutable values: views share storage, every op returns a new tensor, and there is no eager autograd (gradients
/// come from compiled plans).
/// </summary>
public sealed partial class Tensor
{
    /// <summary>The storage (null: a symbol, or storage read through <see cref="_source"/>).</summary>
    private readonly float[]? _data;
    /// <summary>Where storage that lives elsewhere (a parameter block on a GPU) is read from, each time it is used.</summary>
    private readonly Func<float[]>? _source;
    internal readonly Layout Layout;

    private Tensor() => Layout = Layout.Contiguous([]);

    internal Tensor(float[] data, Layout layout) => (_data, Layout) = (data, layout);

    internal Tensor(Func<float[]> source, Layout layout) => (_source, Layout) = (source, layout);

    /// <summary>A contiguous tensor over <paramref name="data"/> (not copied).</summary>
    internal Tensor(float[] data, int[] shape) : this(data, Layout.Contiguous(shape)) { }

    /// <summary>The value generated constructors give [Param] fields: a symbol, never data.</summary>
    public static Tensor Unbound { get; } = new();

    /// <summary>The elements' storage; a symbol has none.</summary>
    internal float[] Storage => _data ?? _source?.Invoke() ?? throw Symbolic();

    internal Tensor View(Layout layout) => _source is not null ? new(_source, layout) : new(Storage, layout);

    internal static Exception Symbolic() => new InvalidOperationException(
        "This tensor is a symbol (a [Param] of a [Model] outside a compiled plan): it has no values. Inside [Forward] and [Loss] " +
        "methods operations are compiled by the Kiln source generator; call the generated Compile<Method>(...) plan, or read " +
        "values with model.Parameters.Get(name).");

    public static Tensor operator +(Tensor a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Add());
    public static Tensor operator +(Tensor a, float b) => Eager.Zip(a, b, new EagerKernels.Add());
    public static Tensor operator +(float a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Add());
    public static Tensor operator -(Tensor a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Sub());
    public static Tensor operator -(Tensor a, float b) => Eager.Zip(a, b, new EagerKernels.Sub());
    public static Tensor operator -(float a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Sub());
    public static Tensor operator *(Tensor a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Mul());
    public static Tensor operator *(Tensor a, float b) => Eager.Zip(a, b, new EagerKernels.Mul());
    public static Tensor operator *(float a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Mul());
    public static Tensor operator /(Tensor a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Div());
    /// <summary><c>a % b</c>: torch.remainder, as Python's % on tensors (the sign of b).</summary>
    public static Tensor operator %(Tensor a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Remainder());
    public static Tensor operator %(Tensor a, float b) => Eager.Zip(a, b, new EagerKernels.Remainder());
    public static Tensor operator %(float a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Remainder());
    public static Tensor operator /(Tensor a, float b) => Eager.Zip(a, b, new EagerKernels.Div());
    public static Tensor operator /(float a, Tensor b) => Eager.Zip(a, b, new EagerKernels.Div());
    public static Tensor operator -(Tensor a) => Eager.Map(a, new EagerKernels.Neg());

    // Comparisons give a mask, as PyTorch's give a bool tensor
    public static BoolTensor operator >(Tensor a, Tensor b) => Compare(a, b, new EagerKernels.Gt());
    public static BoolTensor operator >(Tensor a, float b) => Compare(a, b, new EagerKernels.Gt());
    public static BoolTensor operator >(float a, Tensor b) => Compare(a, b, new EagerKernels.Gt());
    public static BoolTensor operator <(Tensor a, Tensor b) => Compare(a, b, new EagerKernels.Lt());
    public static BoolTensor operator <(Tensor a, float b) => Compare(a, b, new EagerKernels.Lt());
    public static BoolTensor operator <(float a, Tensor b) => Compare(a, b, new EagerKernels.Lt());
    public static BoolTensor operator >=(Tensor a, Tensor b) => Compare(a, b, new EagerKernels.Ge());
    public static BoolTensor operator >=(Tensor a, float b) => Compare(a, b, new EagerKernels.Ge());
    public static BoolTensor operator >=(float a, Tensor b) => Compare(a, b, new EagerKernels.Ge());
    public static BoolTensor operator <=(Tensor a, Tensor b) => Compare(a, b, new EagerKernels.Le());
    public static BoolTensor operator <=(Tensor a, float b) => Compare(a, b, new EagerKernels.Le());
    public static BoolTensor operator <=(float a, Tensor b) => Compare(a, b, new EagerKernels.Le());
    public static BoolTensor operator ==(Tensor a, Tensor b) => Compare(a, b, new EagerKernels.Eq());
    public static BoolTensor operator ==(Tensor a, float b) => Compare(a, b, new EagerKernels.Eq());
    public static BoolTensor operator !=(Tensor a, Tensor b) => Compare(a, b, new EagerKernels.Ne());
    public static BoolTensor operator !=(Tensor a, float b) => Compare(a, b, new EagerKernels.Ne());

    /// <summary>Identity is reference identity (== on tensors is the elementwise comparison).</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public BoolTensor Gt(Tensor other) => Compare(this, other, new EagerKernels.Gt());
    public BoolTensor Gt(float other) => Compare(this, other, new EagerKernels.Gt());
    public BoolTensor Ge(Tensor other) => Compare(this, other, new EagerKernels.Ge());
    public BoolTensor Ge(float other) => Compare(this, other, new EagerKernels.Ge());
    public BoolTensor Lt(Tensor other) => Compare(this, other, new EagerKernels.Lt());
    public BoolTensor Lt(float other) => Compare(this, other, new EagerKernels.Lt());
    public BoolTensor Le(Tensor other) => Compare(this, other, new EagerKernels.Le());
    public BoolTensor Le(float other) => Compare(this, other, new EagerKernels.Le());
    public BoolTensor Eq(Tensor other) => Compare(this, other, new EagerKernels.Eq());
    public BoolTensor Eq(float other) => Compare(this, other, new EagerKernels.Eq());
    public BoolTensor Ne(Tensor other) => Compare(this, other, new EagerKernels.Ne());
    public BoolTensor Ne(float other) => Compare(this, other, new EagerKernels.Ne());
    /// <summary>x.masked_fill(mask, value): value where the mask is true, x elsewhere.</summary>
    public Tensor MaskedFill(BoolTensor mask, float value) => Ops.Where(mask, value, this);
    /// <summary>x.masked_select(mask) has a data-dependent length, which a static plan cannot hold: a build error
    /// (KLN0015) that shows the Where and masked-sum forms to use instead.</summary>
    public Tensor MaskedSelect(BoolTensor mask) => Eager.MaskedSelect(this, mask);

    /// <summary>Matrix product with PyTorch's <c>torch.matmul</c> rules (1-D, 2-D, batched with broadcast batch dims).</summary>
    public Tensor MatMul(Tensor other) => Eager.MatMul(this, other);
    /// <summary>Sum of all elements (a 0-d tensor).</summary>
    public Tensor Sum() => Eager.Reduce(this, null, false, Eager.Sum);
    /// <summary>Sum over <paramref name="dim"/> (negative counts from the end).</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, Eager.Sum);
    public Tensor Mean() => Eager.Reduce(this, null, false, Eager.Mean);
    public Tensor Mean(int dim, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, Eager.Mean);
    /// <summary>Sum over several dims at once (<c>x.Sum([0, 2])</c>).</summary>
    public Tensor Sum(int[] dim, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, Eager.Sum);
    public Tensor Mean(int[] dim, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, Eager.Mean);
    /// <summary>torch.prod; its gradient is exact with zeros (the product of the other elements).</summary>
    public Tensor Prod() => Eager.Reduce(this, null, false, Eager.Prod);
    public Tensor Prod(int dim, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, Eager.Prod);
    /// <summary>x.max(): the largest element (for values along a dim use Amax).</summary>
    public Tensor Max() => Eager.Reduce(this, null, false, Eager.Max);
    public Tensor Min() => Eager.Reduce(this, null, false, Eager.Min);
    /// <summary>torch.var: Σ(x - mean)²/(N - correction) over dim (all when null); correction 1 is Bessel's, as PyTorch.</summary>
    public Tensor Var(int[]? dim = null, int correction = 1, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, row => Eager.Var(row, correction));
    public Tensor Var(int dim, int correction = 1, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, row => Eager.Var(row, correction));
    /// <summary>torch.std = √var; its gradient is 0 where the std is 0.</summary>
    public Tensor Std(int[]? dim = null, int correction = 1, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, row => MathF.Sqrt(Eager.Var(row, correction)));
    public Tensor Std(int dim, int correction = 1, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, row => MathF.Sqrt(Eager.Var(row, correction)));
    /// <summary>torch.linalg.vector_norm: p = 2, 1, ∞ (float.PositiveInfinity), -∞, 0 (count of nonzeros) or any p &gt; 0.</summary>
    public Tensor Norm(float p = 2f) => Eager.Reduce(this, null, false, row => Eager.Norm(row, p));
    public Tensor Norm(float p, int dim, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, row => Eager.Norm(row, p));
    public Tensor Norm(float p, int[] dim, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, row => Eager.Norm(row, p));
    /// <summary>torch.logsumexp: log Σ exp(x) over dim, computed without overflow.</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, Eager.LogSumExp);
    public Tensor LogSumExp(int[] dim, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, Eager.LogSumExp);
    /// <summary>torch.cumsum along dim.</summary>
    public Tensor CumSum(int dim) => Eager.CumSum(this, dim);
    public Tensor Amax(int[] dim, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, Eager.Max);
    public Tensor Amin(int[] dim, bool keepDim = false) => Eager.Reduce(this, dim, keepDim, Eager.Min);
    /// <summary>torch.amax: the largest element; ties share the gradient evenly.</summary>
    public Tensor Amax() => Eager.Reduce(this, null, false, Eager.Max);
    public Tensor Amax(int dim, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, Eager.Max);
    /// <summary>torch.amin: the smallest element; ties share the gradient evenly.</summary>
    public Tensor Amin() => Eager.Reduce(this, null, false, Eager.Min);
    public Tensor Amin(int dim, bool keepDim = false) => Eager.Reduce(this, [dim], keepDim, Eager.Min);
    /// <summary>log(1 + exp(beta·x))/beta, and x where beta·x &gt; threshold; computed stably.</summary>
    public Tensor Softplus(float beta = 1f, float threshold = 20f) => Eager.Map(this, new EagerKernels.Softplus(beta, threshold));
    public Tensor Clamp(float min, float max) => Eager.Map(this, new EagerKernels.Clamp(min, max));
    public Tensor ClampMin(float min) => Eager.Map(this, new EagerKernels.ClampMin(min));
    public Tensor ClampMax(float max) => Eager.Map(this, new EagerKernels.ClampMax(max));
    public Tensor Minimum(Tensor other) => Eager.Zip(this, other, new EagerKernels.Minimum());
    public Tensor Maximum(Tensor other) => Eager.Zip(this, other, new EagerKernels.Maximum());
    public Tensor Sign() => Eager.Map(this, new EagerKernels.Sign());
    public Tensor Floor() => Eager.Map(this, new EagerKernels.Floor());
    public Tensor Ceil() => Eager.Map(this, new EagerKernels.Ceil());
    public Tensor Round() => Eager.Map(this, new EagerKernels.Round());
    public Tensor Reciprocal() => Eager.Map(this, new EagerKernels.Reciprocal());
    public Tensor Rsqrt() => Eager.Map(this, new EagerKernels.Rsqrt());
    public Tensor Square() => Eager.Map(this, new EagerKernels.Square());
    public Tensor Log1p() => Eager.Map(this, new EagerKernels.Log1p());
    public Tensor Expm1() => Eager.Map(this, new EagerKernels.Expm1());
    public Tensor Log2() => Eager.Map(this, new EagerKernels.Log2());
    public Tensor Log10() => Eager.Map(this, new EagerKernels.Log10());
    public Tensor Sin() => Eager.Map(this, new EagerKernels.Sin());
    public Tensor Cos() => Eager.Map(this, new EagerKernels.Cos());
    public Tensor Erf() => Eager.Map(this, new EagerKernels.Erf());
    /// <summary><c>torch.pow</c> with a number: PyTorch's own specializations for the exponents 0, 1, 2, 3, 4, ½, -½ and -1 (the
    /// plans' constant-power rewrite: √-0 is -0 where pow gives +0, (-∞)^½ is NaN), <c>MathF.Pow</c> otherwise.</summary>
    public Tensor Pow(float exponent) => exponent switch
    {
        0f => Ones(Layout),
        1f => Clone(),
        2f => this * this,
        3f => this * this * this,
        4f => (this * this).Square(),
        0.5f => Sqrt(),
        -0.5f => Rsqrt(),
        -1f => Reciprocal(),
        _ => Eager.Zip(this, exponent, new EagerKernels.Pow()),
    };

    private static Tensor Ones(Layout layout)
    {
        var one = new float[layout.Numel];
        Array.Fill(one, 1f);
        return new Tensor(one, (int[])layout.Shape.Clone());
    }
    /// <summary><c>torch.remainder</c> (and <c>%</c>): the sign of <paramref name="other"/>, as Python's.</summary>
    public Tensor Remainder(Tensor other) => Eager.Zip(this, other, new EagerKernels.Remainder());
    public Tensor Remainder(float other) => Eager.Zip(this, other, new EagerKernels.Remainder());
    /// <summary><c>torch.fmod</c>: the sign of this tensor, as C's fmod.</summary>
    public Tensor Fmod(Tensor other) => Eager.Zip(this, other, new EagerKernels.Fmod());
    public Tensor Fmod(float other) => Eager.Zip(this, other, new EagerKernels.Fmod());
    public Tensor Pow(Tensor exponent) => Eager.Zip(this, exponent, new EagerKernels.Pow());
    public Tensor Exp() => Eager.Map(this, new EagerKernels.Exp());
    public Tensor Log() => Eager.Map(this, new EagerKernels.Log());
    public Tensor Sqrt() => Eager.Map(this, new EagerKernels.Sqrt());
    public Tensor Abs() => Eager.Map(this, new EagerKernels.Abs());
    public Tensor Sigmoid()
    {
        var s = Eager.Map(this, new EagerKernels.Sigmoid());
        s.SigmoidInput = this;
        return s;
    }
    public Tensor Tanh() => Eager.Map(this, new EagerKernels.Tanh());
    public Tensor Relu() => Eager.Map(this, new EagerKernels.Relu());
    public Tensor Softmax(int dim) => Eager.Softmax(this, dim, log: false);
    public Tensor LogSoftmax(int dim) => Eager.Softmax(this, dim, log: true);
    /// <summary>
    /// PyTorch's indexing as C# allows it: <c>a[0]</c> selects (the dim is dropped), <c>a[..2, 1..]</c> slices (a[:2, 1:]),
    /// <c>a[.., ^1..]</c> counts from the end (a[:, -1:]), <c>a[Ellipsis, 0]</c> is a[..., 0]. Steps: <see cref="Slice"/>.
    /// Every index is a view, no copy; its gradient lands where it read.
    /// </summary>
    [System.Runtime.CompilerServices.IndexerName("Index")]
    public Tensor this[params TensorIndex[] indices] => View(Layout.Index(indices));
    /// <summary>x[..., start:end:step, ...] along dim (negative start/end count from the end; both clamp, as Python).</summary>
    public Tensor Slice(int dim, int? start = null, int? end = null, int step = 1) => View(Layout.Slice(dim, start, end, step));
    /// <summary>torch.narrow: length elements from start along dim (a view).</summary>
    public Tensor Narrow(int dim, int start, int length) => Eager.Narrow(this, dim, start, length);
    /// <summary>torch.select: index along dim, which is dropped (a view).</summary>
    public Tensor Select(int dim, int index) => View(Layout.Select(Layout.RealDim(dim, Layout.Rank, "select"), index));
    /// <summary>Reorders the dims (a view).</summary>
    public Tensor Permute(params int[] dims) => View(Layout.Permute(dims));
    /// <summary>Stretches size-1 dims to sizes (-1 keeps a dim; new dims may lead): a broadcast, no copy.</summary>
    public Tensor Expand(params int[] sizes) => View(Layout.Expand(sizes));
    /// <summary>Tiles the tensor repeats times along each dim (a copy, as torch's repeat).</summary>
    public Tensor Repeat(params int[] repeats) => Eager.Repeat(this, repeats);
    /// <summary>Merges dims startDim..endDim into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1) => Reshape(Eager.Flattened(Layout.Shape, startDim, endDim));
    /// <summary>x.view(shape): as Reshape.</summary>
    public Tensor View(params int[] shape) => Eager.View(this, shape);
    /// <summary>x.contiguous(): the plan copies to contiguous memory itself wherever an op needs it.</summary>
    public Tensor Contiguous() => Layout.IsContiguous ? this : new(ToArray(), Layout.Shape);
    /// <summary>torch.split: pieces of splitSize along dim (the last one smaller), each a view.</summary>
    public Tensor[] Split(int splitSize, int dim = 0) => Eager.Split(this, splitSize, dim);
    /// <summary>torch.split with the pieces' sizes.</summary>
    public Tensor[] Split(int[] splitSizes, int dim = 0) => Eager.Split(this, splitSizes, dim);
    /// <summary>torch.chunk: chunks pieces of ceil(size/chunks) along dim (the last smaller, possibly fewer), each a view.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0) => Eager.Chunk(this, chunks, dim);
    /// <summary>torch.argmax of the flattened tensor (a 0-d index); ties give the first, as PyTorch.</summary>
    public IntTensor ArgMax() => Eager.Arg(this, null, false, max: true);
    /// <summary>torch.argmax along dim.</summary>
    public IntTensor ArgMax(int dim, bool keepDim = false) => Eager.Arg(this, dim, keepDim, max: true);
    public IntTensor ArgMin() => Eager.Arg(this, null, false, max: false);
    public IntTensor ArgMin(int dim, bool keepDim = false) => Eager.Arg(this, dim, keepDim, max: false);
    /// <summary>x.max(dim): the largest values and their indices; the gradient goes to the selected element.</summary>
    public (Tensor Values, IntTensor Indices) Max(int dim, bool keepDim = false) => (Amax(dim, keepDim), ArgMax(dim, keepDim));
    public (Tensor Values, IntTensor Indices) Min(int dim, bool keepDim = false) => (Amin(dim, keepDim), ArgMin(dim, keepDim));
    /// <summary>torch.gather along dim: index has the result's shape (equal to x's outside dim).</summary>
    public Tensor Gather(int dim, IntTensor index) => Eager.Gather(this, dim, index);
    /// <summary>torch.index_select: the slices at a 1-D index along dim; on a [Param] with dim 0, an embedding lookup.</summary>
    public Tensor IndexSelect(int dim, IntTensor index) => Eager.IndexSelect(this, dim, index);
    /// <summary>x.detach(): the same values, with no gradient flowing back through them (a GAN's fake batch for D).</summary>
    public Tensor Detach() => View(Layout);
    /// <summary>Drops every dim of size 1.</summary>
    public Tensor Squeeze() => View(Layout.Squeeze(null));
    /// <summary>A view with a new shape of the same element count; one dim may be -1.</summary>
    public Tensor Reshape(params int[] shape) => Eager.Reshape(this, shape);
    public Tensor Unsqueeze(int dim) => View(Layout.Unsqueeze(dim));
    public Tensor Squeeze(int dim) => View(Layout.Squeeze(dim));
    /// <summary>Swaps two dims (a view).</summary>
    public Tensor Transpose(int dim0, int dim1) => View(Layout.Transpose(dim0, dim1));
    /// <summary>Transpose of a 2-D tensor (a view).</summary>
    public Tensor T => View(Layout.Transpose2D());
}

/// <summary>One index of <see cref="Tensor"/>'s indexer: an int (selects), an Index (^1 counts from the end), a Range, or Ellipsis.</summary>
public readonly struct TensorIndex
{
    private TensorIndex(int kind, int value = 0, Index index = default, Range range = default) => (Kind, Value, At, Span) = (kind, value, index, range);
    /// <summary>0: int, 1: Index, 2: Range, 3: Ellipsis.</summary>
    internal int Kind { get; }
    internal int Value { get; }
    internal Index At { get; }
    internal Range Span { get; }
    /// <summary>PyTorch's <c>...</c>: as many whole dims as the other indices leave.</summary>
    public static TensorIndex Ellipsis => new(3);
    public static implicit operator TensorIndex(int index) => new(0, value: index);
    public static implicit operator TensorIndex(Index index) => new(1, index: index);
    public static implicit operator TensorIndex(Range range) => new(2, range: range);
}

/// <summary>
/// A boolean tensor (a mask), as PyTorch's comparisons return. In arithmetic it counts as 0 and 1, as
/// PyTorch promotes bool: <c>(x * mask).Sum() / mask.Sum()</c> is a masked mean. Outside model methods it is a value
/// held as a float tensor of 0 and 1 (the compiled graph's representation too), printed as True and False.
/// </summary>
public sealed partial class BoolTensor
{
    private BoolTensor() => Mask = Tensor.Unbound;

    internal BoolTensor(Tensor mask) => Mask = mask;

    /// <summary>The values as 0 and 1.</summary>
    internal Tensor Mask { get; }

    public static BoolTensor operator &(BoolTensor a, BoolTensor b) => new(Eager.Zip(a.Mask, b.Mask, new EagerKernels.LogicalAnd()));
    public static BoolTensor operator |(BoolTensor a, BoolTensor b) => new(Eager.Zip(a.Mask, b.Mask, new EagerKernels.LogicalOr()));
    public static BoolTensor operator ^(BoolTensor a, BoolTensor b) => new(Eager.Zip(a.Mask, b.Mask, new EagerKernels.LogicalXor()));
    public static BoolTensor operator !(BoolTensor a) => new(Eager.Map(a.Mask, new EagerKernels.LogicalNot()));

    /// <summary>
    /// Only so that C# compiles <c>if (x > 0)</c> and <c>x > 0 ? a : b</c> in a model method: a plan is fixed at build
    /// time, so the generator rejects a branch on a tensor's values (KLN0001) and shows the per-element form, Where(mask, a, b).
    /// </summary>
    public static bool operator true(BoolTensor a) => a.Truth();
    /// <summary>The pair of <see cref="op_True"/>: C# requires both.</summary>
    public static bool operator false(BoolTensor a) => !a.Truth();
    public static Tensor operator *(BoolTensor a, Tensor b) => a.Mask * b;
    public static Tensor operator *(Tensor a, BoolTensor b) => a * b.Mask;
    public static Tensor operator *(BoolTensor a, float b) => a.Mask * b;
    public static Tensor operator *(float a, BoolTensor b) => a * b.Mask;
    public static Tensor operator +(BoolTensor a, Tensor b) => a.Mask + b;
    public static Tensor operator +(Tensor a, BoolTensor b) => a + b.Mask;
    public static Tensor operator -(Tensor a, BoolTensor b) => a - b.Mask;
    public static Tensor operator -(float a, BoolTensor b) => a - b.Mask;

    /// <summary>The count of true elements (a 0-d tensor).</summary>
    public Tensor Sum() => Mask.Sum();
    /// <summary>Counts along <paramref name="dim"/>.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Mask.Sum(dim, keepDim);
    /// <summary>mask.float(): 1 where true, 0 where false.</summary>
    public Tensor Float() => Mask;
    public BoolTensor LogicalAnd(BoolTensor other) => this & other;
    public BoolTensor LogicalOr(BoolTensor other) => this | other;
    public BoolTensor LogicalXor(BoolTensor other) => this ^ other;
    public BoolTensor LogicalNot() => !this;
}

/// <summary>
/// An int32 tensor: class indices for CrossEntropy and NLL targets, indices for Gather and IndexSelect, ArgMax's result.
/// Outside model methods it is a value (printed as PyTorch prints int64 tensors, without a dtype).
/// </summary>
public sealed partial class IntTensor
{
    private readonly int[]? _data;
    internal readonly Layout Layout;

    private IntTensor() => Layout = Layout.Contiguous([]);

    internal IntTensor(int[] data, Layout layout) => (_data, Layout) = (data, layout);

    internal IntTensor(int[] data, int[] shape) : this(data, Layout.Contiguous(shape)) { }

    internal int[] Storage => _data ?? throw Tensor.Symbolic();

    public static BoolTensor operator ==(IntTensor a, IntTensor b) => new(Eager.Zip(a.Float(), b.Float(), new EagerKernels.Eq()));
    public static BoolTensor operator !=(IntTensor a, IntTensor b) => new(Eager.Zip(a.Float(), b.Float(), new EagerKernels.Ne()));
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
    /// <summary>indices.float(): the values as floats.</summary>
    public Tensor Float() => Eager.ToFloat(this);
}

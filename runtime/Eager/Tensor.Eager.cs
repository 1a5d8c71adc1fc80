using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using Kiln.Kernels;

namespace Kiln;

/// <summary>
/// Marks a member that exists on tensor values only (outside model methods): shapes, element access, conversion,
/// printing. Inside a model method shapes are static and these are not ops of the language.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Constructor)]
public sealed class EagerOnlyAttribute : Attribute;

/// <summary>A tensor's shape, as torch.Size (named apart from System.Drawing.Size): a list of ints that prints as <c>torch.Size([4, 3, 28, 28])</c>.</summary>
public readonly struct TensorShape : IReadOnlyList<int>, IEquatable<TensorShape>
{
    private readonly int[] _dims;
    public TensorShape(params int[] dims) => _dims = (int[])dims.Clone();
    /// <summary>The size of dim <paramref name="index"/> (negative counts from the end).</summary>
    public int this[int index] => (_dims ?? [])[Layout.Dim(index, Count)];
    public int Count => _dims?.Length ?? 0;
    /// <summary>The product of the sizes: the element count.</summary>
    public int Numel() => Layout.Count(_dims ?? []);
    public int[] ToArray() => (int[])(_dims ?? []).Clone();
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(_dims ?? [])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public bool Equals(TensorShape other) => (_dims ?? []).AsSpan().SequenceEqual(other._dims ?? []);
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);
    public override int GetHashCode() { var h = new HashCode(); foreach (int d in _dims ?? []) h.Add(d); return h.ToHashCode(); }
    public static bool operator ==(TensorShape a, TensorShape b) => a.Equals(b);
    public static bool operator !=(TensorShape a, TensorShape b) => !a.Equals(b);
    public override string ToString() => $"torch.Size([{string.Join(", ", _dims ?? [])}])";
}

public sealed partial class Tensor
{
    /// <summary>For a tensor <see cref="Sigmoid"/> made, its input: BinaryCrossEntropy of it takes the logits form, as a
    /// plan does (a method called eagerly computes what its plan computes).</summary>
    internal Tensor? SigmoidInput;

    /// <summary>x.shape: the sizes of the dims.</summary>
    [EagerOnly] public TensorShape Shape => new(Layout.Shape);
    /// <summary>x.size(): as <see cref="Shape"/>.</summary>
    [EagerOnly] public TensorShape Size() => Shape;
    /// <summary>x.size(dim) (negative counts from the end).</summary>
    [EagerOnly] public int Size(int dim) => Layout.Rank == 0
        ? throw new IndexOutOfRangeException($"dimension specified as {dim} but tensor has no dimensions")
        : Layout.Shape[Layout.Dim(dim, Layout.Rank)];
    /// <summary>x.numel(): the element count.</summary>
    [EagerOnly] public int Numel() => Layout.Numel;
    /// <summary>x.dim(): the number of dims.</summary>
    [EagerOnly] public int Dim() => Layout.Rank;

    /// <summary>x.item(): the value of a one-element tensor.</summary>
    [EagerOnly]
    public float Item() => Layout.Numel == 1 ? Storage[Layout.Offset]
        : throw new InvalidOperationException($"a Tensor with {Layout.Numel} elements cannot be converted to Scalar");

    /// <summary>The elements, row-major, as a new array (x.flatten().tolist()).</summary>
    [EagerOnly]
    public float[] ToArray()
    {
        var values = new float[Layout.Numel];
        Layout.Gather(Storage, values);
        return values;
    }

    /// <summary>The elements, row-major, without a copy where the tensor is contiguous (a plan's span inputs take this).</summary>
    [EagerOnly] public ReadOnlySpan<float> AsSpan() => Eager.Dense(this);

    /// <summary>
    /// The elements as a System.Numerics.Tensors span over the same storage (no copy; a broadcast dim has stride 0), for
    /// the Tensor/TensorPrimitives APIs of .NET. A 0-d tensor is a span of one element.
    /// </summary>
    [EagerOnly]
    public ReadOnlyTensorSpan<float> AsTensorSpan()
    {
        var lengths = Layout.Rank == 0 ? [(nint)1] : Array.ConvertAll(Layout.Shape, d => (nint)d);
        // a dim of size 1 gets stride 0 (the same addresses): .NET's check counts a stride past the last element
        var strides = new nint[lengths.Length];
        for (int i = 0; i < Layout.Rank; i++) strides[i] = Layout.Shape[i] == 1 ? 0 : Layout.Strides[i];
        long extent = 1;   // the storage the layout reaches past its offset
        for (int i = 0; i < Layout.Rank; i++) extent += (long)(Layout.Shape[i] - 1) * Layout.Strides[i];
        if (Layout.Numel == 0) extent = 0;
        return new ReadOnlyTensorSpan<float>(Storage.AsSpan(Layout.Offset, (int)extent), lengths, strides);
    }

    /// <summary>A copy of a System.Numerics.Tensors span as a tensor of its lengths.</summary>
    [EagerOnly]
    public static Tensor From(in ReadOnlyTensorSpan<float> values)
    {
        var shape = new int[values.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = checked((int)values.Lengths[i]);
        var data = new float[Layout.Count(shape)];
        values.FlattenTo(data);
        return new(data, shape);
    }

    /// <summary>torch.tensor(values): a 1-D tensor of a copy of the values. It takes a collection expression,
    /// <c>Tensor.From([1f, 2f, 3f])</c>, before the span overload would (a span converts better, and has no shape): it and
    /// <c>From(float)</c> come first.</summary>
    [EagerOnly, System.Runtime.CompilerServices.OverloadResolutionPriority(1)] public static Tensor From(params float[] values) => new((float[])values.Clone(), [values.Length]);
    /// <summary>x.clone(): a contiguous copy.</summary>
    [EagerOnly] public Tensor Clone() => new(ToArray(), (int[])Layout.Shape.Clone());

    /// <summary>x.long(): the values as class indices (an IntTensor), truncated toward zero as PyTorch's float-to-integer
    /// conversion; <c>Randint(0, 9, [100]).Long()</c> is CrossEntropy's target. NaN, ±∞ and values beyond int's range
    /// throw, naming the first (PyTorch leaves them undefined).</summary>
    [EagerOnly] public IntTensor Long()
    {
        var values = ToArray();
        var ints = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!(v > -2147483649f && v < 2147483648f))
                throw new ArgumentException($"Long(): element {i} is {v}, which is no int (NaN, infinite, or beyond ±2^31)");
            ints[i] = (int)v;
        }
        return new IntTensor(ints, (int[])Layout.Shape.Clone());
    }

    /// <summary>A 0-d tensor: torch.tensor(3.5).</summary>
    [EagerOnly, System.Runtime.CompilerServices.OverloadResolutionPriority(1)] public static Tensor From(float value) => new([value], []);
    /// <summary>torch.tensor of nested lists, from a C# rectangular array.</summary>
    [EagerOnly] public static Tensor From(float[,] values) => FromArray(values);
    [EagerOnly] public static Tensor From(float[,,] values) => FromArray(values);
    [EagerOnly] public static Tensor From(float[,,,] values) => FromArray(values);
    /// <summary>The values (row-major, copied) as a tensor of <paramref name="shape"/> (none: 0-d, one value).</summary>
    [EagerOnly]
    public static Tensor From(ReadOnlySpan<float> values, params int[] shape)
    {
        int n = Layout.Count(shape);
        if (values.Length != n) throw new ArgumentException($"shape '[{string.Join(", ", shape)}]' is invalid for input of size {values.Length}", nameof(shape));
        return new(values.ToArray(), (int[])shape.Clone());
    }

    private static Tensor FromArray(Array values)
    {
        var shape = new int[values.Rank];
        for (int d = 0; d < shape.Length; d++) shape[d] = values.GetLength(d);
        var data = new float[values.Length];
        int i = 0;
        foreach (float v in values) data[i++] = v;
        return new(data, shape);
    }

    private static BoolTensor Compare<T>(Tensor a, Tensor b, T row) where T : struct, IBinaryRow => new(Eager.Zip(a, b, row));
    private static BoolTensor Compare<T>(Tensor a, float b, T row) where T : struct, IBinaryRow => new(Eager.Zip(a, b, row));
    private static BoolTensor Compare<T>(float a, Tensor b, T row) where T : struct, IBinaryRow => new(Eager.Zip(a, b, row));

    /// <summary>As PyTorch prints it: <c>tensor([[0.6614, 0.2669], [0.0617, 0.6213]])</c>, summarised past 1,000 elements.</summary>
    public override string ToString() => _data is null && _source is null ? "Tensor(symbol)" : TensorFormat.Format(Layout, Storage);
}

public sealed partial class BoolTensor
{
    [EagerOnly] public TensorShape Shape => Mask.Shape;
    [EagerOnly] public int Numel() => Mask.Numel();
    [EagerOnly] public int Dim() => Mask.Dim();
    [EagerOnly] public bool Item() => Mask.Item() != 0f;
    [EagerOnly] public bool[] ToArray() => Array.ConvertAll(Mask.ToArray(), v => v != 0f);
    /// <summary>bool(mask) in Python: a one-element mask's value; more elements are ambiguous, as PyTorch says.</summary>
    private bool Truth() => Mask.Numel() == 1 ? Mask.Item() != 0f
        : throw new InvalidOperationException($"Boolean value of Tensor with more than one value is ambiguous ({Mask.Numel()} values): use All() or Any().");
    /// <summary>mask.all(): whether every element is true (a 0-d mask).</summary>
    [EagerOnly] public BoolTensor All() => new(Tensor.From(Mask.ToArray().All(v => v != 0f) ? 1f : 0f));
    /// <summary>mask.any(): whether some element is true (a 0-d mask).</summary>
    [EagerOnly] public BoolTensor Any() => new(Tensor.From(Mask.ToArray().Any(v => v != 0f) ? 1f : 0f));
    /// <summary>torch.tensor([True, False]).</summary>
    [EagerOnly] public static BoolTensor From(params bool[] values) => new(new Tensor(Array.ConvertAll(values, v => v ? 1f : 0f), [values.Length]));
    /// <summary>A 0-d mask: torch.tensor(True) (as Tensor.From(3.5f) and IntTensor.From(7) are 0-d; it was a [1]).</summary>
    [EagerOnly, System.Runtime.CompilerServices.OverloadResolutionPriority(1)] public static BoolTensor From(bool value) => new(Tensor.From(value ? 1f : 0f));
    /// <summary>torch.tensor of nested lists of booleans (a 2-D mask).</summary>
    [EagerOnly] public static BoolTensor From(bool[,] values) => new(new Tensor(values.Cast<bool>().Select(v => v ? 1f : 0f).ToArray(), [values.GetLength(0), values.GetLength(1)]));
    /// <summary>Basic indexing, as a float tensor's (<c>m[0]</c>, <c>m[.., ^1]</c>): a view of the same values.</summary>
    [EagerOnly, System.Runtime.CompilerServices.IndexerName("Index")] public BoolTensor this[params TensorIndex[] indices] => new(Mask[indices]);
    public override string ToString() => ReferenceEquals(Mask, Tensor.Unbound) ? "BoolTensor(symbol)" : TensorFormat.FormatBool(Mask.Layout, Mask.Storage);
}

public sealed partial class IntTensor
{
    [EagerOnly] public TensorShape Shape => new(Layout.Shape);
    [EagerOnly] public int Numel() => Layout.Numel;
    [EagerOnly] public int Dim() => Layout.Rank;
    [EagerOnly]
    public int Item() => Layout.Numel == 1 ? Storage[Layout.Offset]
        : throw new InvalidOperationException($"a Tensor with {Layout.Numel} elements cannot be converted to Scalar");
    [EagerOnly]
    public int[] ToArray()
    {
        var values = new int[Layout.Numel];
        Layout.Gather(Storage, values);
        return values;
    }
    /// <summary>Basic indexing, as a float tensor's (<c>labels[..8]</c>, <c>t[0, ^1]</c>): a view of the same integers.</summary>
    [EagerOnly, System.Runtime.CompilerServices.IndexerName("Index")] public IntTensor this[params TensorIndex[] indices] => new(Storage, Layout.Index(indices));
    /// <summary>torch.tensor([1, 2, 3]) of integers (class labels, indices).</summary>
    [EagerOnly, System.Runtime.CompilerServices.OverloadResolutionPriority(1)] public static IntTensor From(params int[] values) => new((int[])values.Clone(), [values.Length]);
    /// <summary>A 0-d integer tensor: torch.tensor(7).</summary>
    [EagerOnly, System.Runtime.CompilerServices.OverloadResolutionPriority(1)] public static IntTensor From(int value) => new([value], []);
    /// <summary>torch.tensor of nested lists of integers (a 2-D index for Gather).</summary>
    [EagerOnly] public static IntTensor From(int[,] values) => new(values.Cast<int>().ToArray(), [values.GetLength(0), values.GetLength(1)]);
    /// <summary>The same integers under a new shape (one dim may be -1): a view when contiguous, else a copy.</summary>
    [EagerOnly]
    public IntTensor Reshape(params int[] shape)
    {
        var target = Layout.Infer(shape, Layout.Numel);
        return Layout.Reshape(target) is { } view ? new(Storage, view) : new(ToArray(), target);
    }
    /// <summary>The values (row-major, copied) as a tensor of <paramref name="shape"/> (none: 0-d, one value).</summary>
    [EagerOnly] public static IntTensor From(ReadOnlySpan<int> values, params int[] shape)
    {
        if (values.Length != Layout.Count(shape)) throw new ArgumentException($"shape '[{string.Join(", ", shape)}]' is invalid for input of size {values.Length}", nameof(shape));
        return new(values.ToArray(), (int[])shape.Clone());
    }
    public override string ToString() => _data is null ? "IntTensor(symbol)" : TensorFormat.FormatInt(Layout, Storage);
}

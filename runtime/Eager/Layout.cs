using System;
using System.Collections.Generic;

namespace Kiln;

/// <summary>
/// Where an eager tensor's elements are in its storage: an offset, the sizes, and the stride of every dim (in elements).
/// Views (indexing, slices, permutes, expands) are new layouts over the same storage, as PyTorch's; copies read a layout
/// in row-major order (<see cref="Gather{T}"/>).
/// </summary>
internal readonly record struct Layout(int Offset, int[] Shape, int[] Strides)
{
    public static Layout Contiguous(int[] shape) => new(0, shape, RowMajor(shape));

    public int Rank => Shape.Length;
    public int Numel => Count(Shape);

    public static int Count(IReadOnlyList<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        if (n > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(shape), $"A tensor of shape ({string.Join(", ", shape)}) has {n:N0} elements; an eager tensor holds at most {Array.MaxLength:N0}.");
        return (int)n;
    }

    public static int[] RowMajor(int[] shape)
    {
        var strides = new int[shape.Length];
        for (int d = shape.Length - 1, s = 1; d >= 0; s *= Math.Max(shape[d], 1), d--) strides[d] = s;
        return strides;
    }

    /// <summary>Whether the elements are the storage's [Offset, Offset + Numel) in row-major order.</summary>
    public bool IsContiguous
    {
        get
        {
            for (int d = Shape.Length - 1, s = 1; d >= 0; s *= Shape[d], d--)
                if (Shape[d] != 1 && Strides[d] != s) return false;
            return true;
        }
    }

    /// <summary>A dim counted from the end when negative, checked against the rank (PyTorch's message).</summary>
    public static int Dim(int dim, int rank)
    {
        int r = Math.Max(rank, 1);
        if (dim < -r || dim >= r) throw new IndexOutOfRangeException($"Dimension out of range (expected to be in range of [{-r}, {r - 1}], but got {dim})");
        return dim < 0 ? dim + r : dim;
    }

    /// <summary>A dim of a tensor that must have one (narrow, select): PyTorch's message for a 0-d tensor, whose
    /// dim 0 <see cref="Dim"/> lets through for the ops that serve it (reductions, squeeze, transpose), and an index into
    /// its empty shape was .NET's bare "Index was outside the bounds of the array".</summary>
    public static int RealDim(int dim, int rank, string op) =>
        rank == 0 ? throw new IndexOutOfRangeException($"{op}() cannot be applied to a 0-dim tensor.") : Dim(dim, rank);

    /// <summary>The view of element <paramref name="index"/> along <paramref name="dim"/>, that dim dropped (x.select).</summary>
    /// <param name="dim">The dim to select from.</param>
    /// <param name="index">The element along it (negative counts from the end).</param>
    /// <param name="label">The dim as the user counts it, for the message (an index's position in the original tensor).</param>
    public Layout Select(int dim, int index, int? label = null)
    {
        dim = Dim(dim, Rank);
        int size = Shape[dim];
        if (index < -size || index >= size) throw new IndexOutOfRangeException($"index {index} is out of bounds for dimension {label ?? dim} with size {size}");
        if (index < 0) index += size;
        return new(Offset + index * Strides[dim], Without(Shape, dim), Without(Strides, dim));
    }

    /// <summary>x[..., start:end:step, ...]: start and end clamp as Python's (negative count from the end).</summary>
    public Layout Slice(int dim, int? start, int? end, int step)
    {
        dim = Dim(dim, Rank);
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), step, "slice step must be positive");
        int size = Shape[dim];
        int Clamp(int? v, int fallback) => v is not { } x ? fallback : Math.Clamp(x < 0 ? x + size : x, 0, size);
        int s = Clamp(start, 0), e = Math.Max(Clamp(end, size), s);
        var shape = (int[])Shape.Clone();
        var strides = (int[])Strides.Clone();
        shape[dim] = (e - s + step - 1) / step;
        strides[dim] *= step;
        return new(Offset + s * Strides[dim], shape, strides);
    }

    public Layout Permute(int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {Rank} is not equal to len(dims) = {dims.Length}", nameof(dims));
        var seen = new bool[Rank];
        var shape = new int[Rank];
        var strides = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = Dim(dims[i], Rank);
            if (seen[d]) throw new ArgumentException("permute(): duplicate dims are not allowed.", nameof(dims));
            seen[d] = true;
            (shape[i], strides[i]) = (Shape[d], Strides[d]);
        }
        return new(Offset, shape, strides);
    }

    /// <summary>Size-1 dims stretched to <paramref name="sizes"/> with stride 0 (-1 keeps a dim; new dims lead).</summary>
    public Layout Expand(int[] sizes)
    {
        if (sizes.Length < Rank)
            throw new ArgumentException($"expand: the number of sizes provided ({sizes.Length}) must be greater or equal to the number of dimensions in the tensor ({Rank})", nameof(sizes));
        var shape = new int[sizes.Length];
        var strides = new int[sizes.Length];
        int lead = sizes.Length - Rank;
        for (int i = 0; i < sizes.Length; i++)
        {
            int own = i >= lead ? Shape[i - lead] : 1, target = sizes[i];
            if (target == -1)
            {
                if (i < lead) throw new ArgumentException($"expand: -1 is not allowed in a leading, non-existing dimension {i}", nameof(sizes));
                target = own;
            }
            if (target < 0)
                throw new ArgumentException($"expand: size {target} of dim {i} is negative (only -1, which keeps the dim's size, may be). Target sizes: [{string.Join(", ", sizes)}]", nameof(sizes));
            if (own != target && own != 1)
                throw new ArgumentException($"The expanded size of the tensor ({target}) must match the existing size ({own}) at non-singleton dimension {i}.  Target sizes: [{string.Join(", ", sizes)}].  Tensor sizes: [{string.Join(", ", Shape)}]", nameof(sizes));
            shape[i] = target;
            strides[i] = i < lead || own != target ? 0 : Strides[i - lead];
        }
        return new(Offset, shape, strides);
    }

    public Layout Unsqueeze(int dim)
    {
        dim = Dim(dim, Rank + 1);
        var shape = new List<int>(Shape);
        var strides = new List<int>(Strides);
        shape.Insert(dim, 1);
        strides.Insert(dim, dim < Rank ? Shape[dim] * Strides[dim] : 1);
        return new(Offset, [.. shape], [.. strides]);
    }

    /// <summary>Drops <paramref name="dim"/> if its size is 1 (else the same layout), or every size-1 dim when null.</summary>
    public Layout Squeeze(int? dim)
    {
        if (dim is { } one)
        {
            int d = Dim(one, Rank);
            return Rank == 0 || Shape[d] != 1 ? this : new(Offset, Without(Shape, d), Without(Strides, d));
        }
        var shape = new List<int>();
        var strides = new List<int>();
        for (int d = 0; d < Rank; d++)
            if (Shape[d] != 1) { shape.Add(Shape[d]); strides.Add(Strides[d]); }
        return new(Offset, [.. shape], [.. strides]);
    }

    public Layout Transpose(int dim0, int dim1)
    {
        // a 0-d tensor takes dims 0 and -1 and stays as it is (PyTorch)
        if (Rank == 0) { Dim(dim0, 0); Dim(dim1, 0); return this; }
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++) dims[i] = i;
        (dims[Dim(dim0, Rank)], dims[Dim(dim1, Rank)]) = (Dim(dim1, Rank), Dim(dim0, Rank));
        return Permute(dims);
    }

    /// <summary>x.T: a 2-D tensor transposed; 0-D and 1-D tensors as they are.</summary>
    public Layout Transpose2D() => Rank < 2 ? this : Rank == 2 ? Transpose(0, 1)
        : throw new InvalidOperationException($"T applies to tensors of at most 2 dims; this one has {Rank}: use Permute or Transpose(dim0, dim1).");

    /// <summary>PyTorch's basic indexing: ints select (the dim goes), ranges slice, Ellipsis stands for the dims the others leave.</summary>
    public Layout Index(TensorIndex[] indices)
    {
        int ellipses = 0, consumed = 0;
        foreach (var i in indices) if (i.Kind == 3) ellipses++; else consumed++;
        if (ellipses > 1) throw new IndexOutOfRangeException("an index can only have a single ellipsis ('...')");
        if (consumed > Rank) throw new IndexOutOfRangeException($"too many indices for tensor of dimension {Rank}");
        var layout = this;
        int dim = 0, original = 0;   // the dim in the result so far, and in this tensor (for messages)
        foreach (var i in indices)
        {
            switch (i.Kind)
            {
                case 0: layout = layout.Select(dim, i.Value, original++); break;
                case 1: layout = layout.Select(dim, Python(i.At, layout.Shape[dim]), original++); break;
                case 2:
                    original++;
                    int size = layout.Shape[dim];
                    layout = layout.Slice(dim, Python(i.Span.Start, size), Python(i.Span.End, size), 1);
                    dim++;
                    break;
                default: dim += Rank - consumed; original += Rank - consumed; break;
            }
        }
        return layout;
    }

    /// <summary>
    /// A C# index as Python's: ^k is -k, which Select bounds-checks and Slice clamps as Python does (x[^7..] of 5 is all
    /// of it, x[^7] an IndexError); ^0 is the size itself (one past the end: an error to select, the end of a slice).
    /// Taking size - k here instead would make ^7 of 5 the -2 that Python reads as 3.
    /// </summary>
    private static int Python(Index index, int size) => !index.IsFromEnd ? index.Value : index.Value == 0 ? size : -index.Value;

    /// <summary>Resolves one -1 in a requested shape against the element count (PyTorch's messages).</summary>
    public static int[] Infer(int[] shape, int numel)
    {
        var result = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException("only one dimension can be inferred", nameof(shape));
                infer = i;
            }
            else if (result[i] < 0) throw new ArgumentException($"invalid shape dimension {result[i]}", nameof(shape));
            else known *= result[i];
        }
        if (infer >= 0 && known != 0 && numel % known == 0) result[infer] = (int)(numel / known);
        else if (infer >= 0 || known != numel)
            throw new ArgumentException($"shape '[{string.Join(", ", shape)}]' is invalid for input of size {numel}", nameof(shape));
        return result;
    }

    /// <summary>The same elements under a new shape without copying, when the strides allow it (contiguous), else null.</summary>
    public Layout? Reshape(int[] shape) => IsContiguous ? new Layout(Offset, shape, RowMajor(shape)) : null;

    private static int[] Without(int[] values, int index)
    {
        var result = new int[values.Length - 1];
        for (int i = 0, j = 0; i < values.Length; i++) if (i != index) result[j++] = values[i];
        return result;
    }

    /// <summary>Copies the elements this layout addresses in <paramref name="source"/>, row-major, into <paramref name="destination"/>.</summary>
    public void Gather<T>(T[] source, Span<T> destination)
    {
        int n = Numel;
        if (n == 0) return;
        if (IsContiguous) { source.AsSpan(Offset, n).CopyTo(destination); return; }
        int rank = Rank, inner = Shape[rank - 1], innerStride = Strides[rank - 1];
        var index = new int[rank];
        int at = Offset;
        for (int o = 0; o < n; o += inner)
        {
            var row = destination.Slice(o, inner);
            if (innerStride == 1) source.AsSpan(at, inner).CopyTo(row);
            else if (innerStride == 0) row.Fill(source[at]);
            else for (int i = 0, p = at; i < inner; i++, p += innerStride) row[i] = source[p];
            NextRow(index, ref at);
        }
    }

    /// <summary>The start of the next row: the index over every dim but the last incremented, as an odometer.</summary>
    private void NextRow(int[] index, ref int at)
    {
        for (int d = Rank - 2; d >= 0; d--)
        {
            at += Strides[d];
            if (++index[d] < Shape[d]) return;
            at -= Strides[d] * Shape[d];
            index[d] = 0;
        }
    }

    /// <summary>Writes <paramref name="values"/> (row-major) into the elements this layout addresses.</summary>
    public void Scatter<T>(ReadOnlySpan<T> values, T[] destination)
    {
        int n = Numel;
        if (n == 0) return;
        if (Rank == 0) { destination[Offset] = values[0]; return; }
        int rank = Rank, inner = Shape[rank - 1], innerStride = Strides[rank - 1];
        var index = new int[rank];
        int at = Offset;
        for (int o = 0; o < n; o += inner)
        {
            var row = values.Slice(o, inner);
            if (innerStride == 1) row.CopyTo(destination.AsSpan(at, inner));
            else for (int i = 0, p = at; i < inner; i++, p += innerStride) destination[p] = row[i];
            NextRow(index, ref at);
        }
    }

    /// <summary>PyTorch's broadcast of two shapes (trailing dims aligned; 1 stretches), with its message on a mismatch.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int x = i - (rank - a.Length) is var ia && ia >= 0 ? a[ia] : 1;
            int y = i - (rank - b.Length) is var ib && ib >= 0 ? b[ib] : 1;
            if (x != y && x != 1 && y != 1)
                throw new ArgumentException($"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {i}");
            shape[i] = x == 1 ? y : x;
        }
        return shape;
    }
}

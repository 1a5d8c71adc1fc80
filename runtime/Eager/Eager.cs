using System;
using System.Runtime.Intrinsics;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using Kiln.Kernels;

namespace Kiln;

/// <summary>
/// The eager side of the language: how tensor values are combined outside model methods. Elementwise ops run the
/// span loops of their generated rows (<see cref="EagerKernels"/>, one definition per op), after PyTorch's broadcasting;
/// reductions run TensorPrimitives over rows; MatMul and Softmax run the plans' own GEMM and row kernels.
/// </summary>
internal static class Eager
{
    public delegate float RowReduce(ReadOnlySpan<float> row);

    /// <summary>The elements in row-major order: the storage itself when contiguous, else a copy.</summary>
    public static ReadOnlySpan<float> Dense(Tensor x)
    {
        var l = x.Layout;
        if (l.IsContiguous) return x.Storage.AsSpan(l.Offset, l.Numel);
        var copy = new float[l.Numel];
        l.Gather(x.Storage, copy);
        return copy;
    }

    /// <summary>The elements of <paramref name="x"/> broadcast to <paramref name="shape"/>, row-major.</summary>
    private static ReadOnlySpan<float> Dense(Tensor x, int[] shape) =>
        x.Layout.Shape.AsSpan().SequenceEqual(shape) ? Dense(x) : Dense(x.View(x.Layout.Expand(shape)));

    public static Tensor Map<T>(Tensor x, T row) where T : struct, IUnaryRow
    {
        var y = new float[x.Layout.Numel];
        EagerRows.Run(row, Dense(x), y);
        return new Tensor(y, x.Layout.Shape);
    }

    public static Tensor Zip<T>(Tensor a, Tensor b, T row) where T : struct, IBinaryRow
    {
        var shape = Layout.Broadcast(a.Layout.Shape, b.Layout.Shape);
        var y = new float[Layout.Count(shape)];
        // a one-element operand runs as a number; otherwise both are broadcast to the output's shape
        if (b.Layout.Numel == 1 && a.Layout.Shape.Length == shape.Length && a.Layout.Numel == y.Length) EagerRows.Run(row, Dense(a), b.Item(), y);
        else if (a.Layout.Numel == 1 && b.Layout.Shape.Length == shape.Length && b.Layout.Numel == y.Length) EagerRows.Run(row, a.Item(), Dense(b), y);
        else EagerRows.Run(row, Dense(a, shape), Dense(b, shape), y);
        return new Tensor(y, shape);
    }

    public static Tensor Zip<T>(Tensor a, float b, T row) where T : struct, IBinaryRow
    {
        var y = new float[a.Layout.Numel];
        EagerRows.Run(row, Dense(a), b, y);
        return new Tensor(y, a.Layout.Shape);
    }

    public static Tensor Zip<T>(float a, Tensor b, T row) where T : struct, IBinaryRow
    {
        var y = new float[b.Layout.Numel];
        EagerRows.Run(row, a, Dense(b), y);
        return new Tensor(y, b.Layout.Shape);
    }

    /// <summary>torch.where: the three broadcast together.</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        var shape = Layout.Broadcast(Layout.Broadcast(condition.Layout.Shape, x.Layout.Shape), y.Layout.Shape);
        var result = new float[Layout.Count(shape)];
        EagerRows.Run(new EagerKernels.Where(), Dense(condition, shape), Dense(x, shape), Dense(y, shape), result);
        return new Tensor(result, shape);
    }

    // ---- reductions ----

    /// <summary>The dims to reduce, sorted and distinct (all when null or empty, as PyTorch's dim=None).</summary>
    private static bool[] Reduced(int rank, int[]? dims)
    {
        var reduced = new bool[rank];
        if (dims is null || dims.Length == 0) { Array.Fill(reduced, true); return reduced; }
        foreach (int d in dims)
        {
            int k = Layout.Dim(d, rank);
            if (rank == 0) continue;
            if (reduced[k]) throw new ArgumentException($"dim {k} appears multiple times in the list of dims", nameof(dims));
            reduced[k] = true;
        }
        return reduced;
    }

    /// <summary>The elements as rows, one per kept position (reduced dims last), and the result's shape.</summary>
    private static (float[] Data, int Offset, int Length, int[] Shape) Rows(Tensor x, int[]? dims, bool keepDim)
    {
        int rank = x.Layout.Rank;
        var reduced = Reduced(rank, dims);
        var order = new List<int>();
        var shape = new List<int>();
        int length = 1;
        for (int d = 0; d < rank; d++)
            if (!reduced[d]) { order.Add(d); shape.Add(x.Layout.Shape[d]); }
            else if (keepDim) shape.Add(1);
        for (int d = 0; d < rank; d++)
            if (reduced[d]) { order.Add(d); length *= x.Layout.Shape[d]; }
        var rows = x.Layout.Permute([.. order]);
        if (rows.IsContiguous) return (x.Storage, rows.Offset, length, [.. shape]);
        var copy = new float[rows.Numel];
        rows.Gather(x.Storage, copy);
        return (copy, 0, length, [.. shape]);
    }

    public static Tensor Reduce(Tensor x, int[]? dims, bool keepDim, RowReduce reduce)
    {
        var (data, offset, length, shape) = Rows(x, dims, keepDim);
        if (length == 0 && dims is not null && (reduce == Max || reduce == Min)) throw EmptyDim(reduce == Max ? "max" : "min", x, dims);
        var y = new float[Layout.Count(shape)];
        for (int r = 0; r < y.Length; r++) y[r] = reduce(data.AsSpan(offset + r * length, length));
        return new Tensor(y, shape);
    }

    /// <summary>PyTorch's error (an IndexError) for a max, min or arg over a dim of size 0 (the dim was given: there is nothing to pick).</summary>
    private static IndexOutOfRangeException EmptyDim(string op, Tensor x, int[] dims)
    {
        int rank = x.Layout.Rank;
        int dim = dims.Select(d => d < 0 ? d + Math.Max(rank, 1) : d).FirstOrDefault(d => d < rank && x.Layout.Shape[d] == 0);
        return new IndexOutOfRangeException($"{op}(): Expected reduction dim {dim} to have non-zero size.");
    }

    public static float Sum(ReadOnlySpan<float> row) => (float)Total(row, Terms.Values);
    public static float Mean(ReadOnlySpan<float> row) => row.Length == 0 ? float.NaN : (float)(Total(row, Terms.Values) / row.Length);

    private enum Terms { Values, Magnitudes, Squares }

    /// <summary>
    /// Σ of a row's values, magnitudes or squares in float64 lanes (each float widened, then added), so only the final
    /// rounding to float remains, as with PyTorch's cascade sum. One float vector sum over the whole row let each lane add
    /// ~10⁶ values for 10⁷ elements: Σ of 10⁷ × 0.1 came out 1,010,791.75, and its mean 0.1011; float sums of blocks still
    /// erred by the same rounding in every block (999,999.69).
    /// </summary>
    private static double Total(ReadOnlySpan<float> row, Terms terms)
    {
        var lo = Vector256<double>.Zero;
        var hi = Vector256<double>.Zero;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<float>.Count <= row.Length; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(row.Slice(i, Vector256<float>.Count));
                if (terms == Terms.Magnitudes) v = Vector256.Abs(v);
                var (a, b) = Vector256.Widen(v);
                if (terms == Terms.Squares) { a *= a; b *= b; }
                lo += a;
                hi += b;
            }
        double total = Vector256.Sum(lo + hi);
        for (; i < row.Length; i++)
        {
            double v = row[i];
            total += terms switch { Terms.Magnitudes => Math.Abs(v), Terms.Squares => v * v, _ => v };
        }
        return total;
    }
    public static float Prod(ReadOnlySpan<float> row) => row.Length == 0 ? 1f : TensorPrimitives.Product(row);

    public static float Max(ReadOnlySpan<float> row) => row.Length == 0
        ? throw new ArgumentException("max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        : TensorPrimitives.Max(row);

    public static float Min(ReadOnlySpan<float> row) => row.Length == 0
        ? throw new ArgumentException("min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        : TensorPrimitives.Min(row);

    /// <summary>Σ(x - mean)²/(N - correction), two passes in float64.</summary>
    public static float Var(ReadOnlySpan<float> row, int correction)
    {
        double mean = 0;
        foreach (float v in row) mean += v;
        mean /= row.Length;
        double squares = 0;
        foreach (float v in row) squares += (v - mean) * (v - mean);
        return (float)(squares / Math.Max(0, row.Length - correction));
    }

    /// <summary>torch.linalg.vector_norm of a row.</summary>
    public static float Norm(ReadOnlySpan<float> row, float p)
    {
        if (p == 2f) return (float)Math.Sqrt(Total(row, Terms.Squares));
        if (p == 1f) return (float)Total(row, Terms.Magnitudes);
        if (row.Length == 0) return p < 0 ? float.PositiveInfinity : 0f;
        if (float.IsPositiveInfinity(p)) return MathF.Abs(TensorPrimitives.MaxMagnitude(row));
        if (float.IsNegativeInfinity(p)) return MathF.Abs(TensorPrimitives.MinMagnitude(row));
        double sum = 0;
        if (p == 0f) { foreach (float v in row) sum += v != 0 ? 1 : 0; return (float)sum; }
        foreach (float v in row) sum += Math.Pow(Math.Abs(v), p);
        return (float)Math.Pow(sum, 1.0 / p);
    }

    /// <summary>log Σ exp(x): the max taken out first, so nothing overflows.</summary>
    public static float LogSumExp(ReadOnlySpan<float> row)
    {
        if (row.Length == 0) return float.NegativeInfinity;
        float max = TensorPrimitives.Max(row);
        if (float.IsInfinity(max)) return max;
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        return max + (float)Math.Log(sum);
    }

    /// <summary>ArgMax / ArgMin of all elements (dim null) or along a dim; ties give the first index, as PyTorch.</summary>
    public static IntTensor Arg(Tensor x, int? dim, bool keepDim, bool max)
    {
        var (data, offset, length, shape) = Rows(x, dim is { } d ? [d] : null, dim is not null && keepDim);
        if (length == 0 && dim is { } given) throw EmptyDim(max ? "argmax" : "argmin", x, [given]);
        if (length == 0) throw new ArgumentException($"{(max ? "argmax" : "argmin")}(): Expected reduction dim to be specified for input.numel() == 0.");
        var y = new int[Layout.Count(shape)];
        for (int r = 0; r < y.Length; r++)
        {
            var row = data.AsSpan(offset + r * length, length);
            int best = 0;
            for (int i = 1; i < row.Length && !float.IsNaN(row[best]); i++)
                if (float.IsNaN(row[i]) || (max ? row[i] > row[best] : row[i] < row[best])) best = i;
            y[r] = best;
        }
        return new IntTensor(y, shape);
    }

    // ---- rows along a dim ----

    /// <summary>The dim moved last, as contiguous rows, and the permutation that puts it back.</summary>
    private static (float[] Rows, int Length, int[] Back, Layout Moved) Along(Tensor x, int dim)
    {
        int rank = x.Layout.Rank, d = Layout.Dim(dim, rank);
        if (rank == 0) return (Dense(x).ToArray(), 1, [], x.Layout);
        var order = new int[rank];
        var back = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) if (i != d) order[j++] = i;
        order[rank - 1] = d;
        for (int i = 0; i < rank; i++) back[order[i]] = i;
        var moved = x.Layout.Permute(order);
        var rows = new float[moved.Numel];
        moved.Gather(x.Storage, rows);
        return (rows, x.Layout.Shape[d], back, Layout.Contiguous(moved.Shape));
    }

    private static Tensor Back(float[] rows, Layout moved, int[] back) => new Tensor(rows, moved).View(moved.Permute(back)).Contiguous();

    public static Tensor CumSum(Tensor x, int dim)
    {
        var (rows, length, back, moved) = Along(x, dim);
        for (int r = 0; r + length <= rows.Length && length > 0; r += length)
            for (int i = 1; i < length; i++) rows[r + i] += rows[r + i - 1];
        return Back(rows, moved, back);
    }

    /// <summary>Softmax / log-softmax along a dim by the plans' row kernel (SoftmaxOp).</summary>
    public static Tensor Softmax(Tensor x, int dim, bool log)
    {
        int rank = x.Layout.Rank, d = Layout.Dim(dim, rank);
        var shape = x.Layout.Shape;
        int outer = 1, inner = 1, length = rank == 0 ? 1 : shape[d];
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < rank; i++) inner *= shape[i];
        var input = Dense(x).ToArray();
        var y = new float[input.Length];
        if (y.Length > 0) new SoftmaxOp(outer, length, inner, log, backward: false).Run(input, 0, input, 0, y, 0);
        return new Tensor(y, shape);
    }

    // ---- products ----

    /// <summary>torch.matmul: 1-D·1-D is a dot product, a 1-D operand gains (and loses) a dim, batch dims broadcast.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        int ra = a.Layout.Rank, rb = b.Layout.Rank;
        if (ra == 0 || rb == 0) throw new ArgumentException($"both arguments to matmul need to be at least 1D, but they are {ra}D and {rb}D");
        var sa = ra == 1 ? new[] { 1, a.Layout.Shape[0] } : a.Layout.Shape;
        var sb = rb == 1 ? new[] { b.Layout.Shape[0], 1 } : b.Layout.Shape;
        int m = sa[^2], k = sa[^1], n = sb[^1];
        if (sb[^2] != k)
            throw new ArgumentException(ra == 1 || rb == 1
                ? $"matmul: shapes [{string.Join(", ", a.Layout.Shape)}] and [{string.Join(", ", b.Layout.Shape)}] cannot be multiplied ({k} and {sb[^2]} elements along the inner dim)"
                : $"mat1 and mat2 shapes cannot be multiplied ({Layout.Count(sa[..^1])}x{k} and {sb[^2]}x{n})");
        var batch = Layout.Broadcast(sa[..^2], sb[..^2]);
        var left = Dense(a.View(new Layout(a.Layout.Offset, sa, Strides(a.Layout, ra == 1, first: true))), [.. batch, m, k]).ToArray();
        var right = Dense(b.View(new Layout(b.Layout.Offset, sb, Strides(b.Layout, rb == 1, first: false))), [.. batch, k, n]).ToArray();
        int count = Layout.Count(batch);
        var c = new float[count * m * n];
        if (c.Length > 0)
        {
            var gemm = new GemmOp(m, n, k, transA: false, transB: false, accumulate: false);
            for (int i = 0; i < count; i++) gemm.Run(left, i * m * k, right, i * k * n, c, i * m * n);
        }
        var shape = new List<int>(batch);
        if (ra > 1) shape.Add(m);
        if (rb > 1) shape.Add(n);
        return new Tensor(c, [.. shape]);
    }

    /// <summary>A 1-D operand's strides as a row (left) or a column (right).</summary>
    private static int[] Strides(Layout l, bool vector, bool first) =>
        !vector ? l.Strides : first ? [0, l.Strides[0]] : [l.Strides[0], 0];

    // ---- views and copies ----

    public static Tensor Narrow(Tensor x, int dim, int start, int length)
    {
        int d = Layout.RealDim(dim, x.Layout.Rank, "narrow"), size = x.Layout.Shape[d];
        // PyTorch's messages: the start as given when it is out of range, the wrapped one when the length overruns
        if (start < -size || start > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"start out of range (expected to be in range of [{-size}, {size}], but got {start})");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), "narrow(): length must be non-negative.");
        if (start < 0) start += size;
        if (start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"start ({start}) + length ({length}) exceeds dimension size ({size}).");
        return x.View(x.Layout.Slice(d, start, start + length, 1));
    }

    public static Tensor View(Tensor x, int[] shape)
    {
        var target = Layout.Infer(shape, x.Layout.Numel);
        return x.Layout.Reshape(target) is { } view ? x.View(view)
            : throw new InvalidOperationException("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .Reshape(...) instead.");
    }

    public static Tensor Reshape(Tensor x, int[] shape)
    {
        var target = Layout.Infer(shape, x.Layout.Numel);
        return x.Layout.Reshape(target) is { } view ? x.View(view) : new Tensor(Dense(x).ToArray(), target);
    }

    public static int[] Flattened(int[] shape, int startDim, int endDim)
    {
        if (shape.Length == 0) return [1];
        int s = Layout.Dim(startDim, shape.Length), e = Layout.Dim(endDim, shape.Length);
        if (s > e) throw new ArgumentException("flatten() has invalid args: start_dim cannot come after end_dim");
        var result = new List<int>(shape[..s]) { Layout.Count(shape[s..(e + 1)]) };
        result.AddRange(shape[(e + 1)..]);
        return [.. result];
    }

    /// <summary>torch's repeat: each dim tiled (extra repeats add leading dims), a copy.</summary>
    public static Tensor Repeat(Tensor x, int[] repeats)
    {
        if (repeats.Length < x.Layout.Rank)
            throw new ArgumentException("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor", nameof(repeats));
        var layout = x.Layout;
        while (layout.Rank < repeats.Length) layout = layout.Unsqueeze(0);
        // (s0, s1, …) viewed as (1, s0, 1, s1, …), expanded to (r0, s0, r1, s1, …), then merged pairwise
        var shape = new int[2 * repeats.Length];
        var strides = new int[2 * repeats.Length];
        var result = new int[repeats.Length];
        for (int i = 0; i < repeats.Length; i++)
        {
            if (repeats[i] < 0) throw new ArgumentException($"Trying to create tensor with negative dimension {repeats[i]}: [{string.Join(", ", repeats)}]", nameof(repeats));
            (shape[2 * i], strides[2 * i]) = (repeats[i], 0);
            (shape[2 * i + 1], strides[2 * i + 1]) = (layout.Shape[i], layout.Strides[i]);
            result[i] = repeats[i] * layout.Shape[i];
        }
        var tiled = new Layout(layout.Offset, shape, strides);
        var data = new float[tiled.Numel];
        tiled.Gather(x.Storage, data);
        return new Tensor(data, result);
    }

    public static Tensor[] Split(Tensor x, int splitSize, int dim)
    {
        if (x.Layout.Rank == 0) throw new ArgumentException("split expects at least a 1-dimensional tensor", nameof(x));
        int d = Layout.Dim(dim, x.Layout.Rank), size = x.Layout.Shape[d];
        if (splitSize <= 0) throw new ArgumentOutOfRangeException(nameof(splitSize), splitSize, "split expects split_size be positive");
        var pieces = new List<Tensor>();
        for (int s = 0; s < size || (size == 0 && pieces.Count == 0); s += splitSize)
            pieces.Add(Narrow(x, d, s, Math.Min(splitSize, size - s)));
        return [.. pieces];
    }

    public static Tensor[] Split(Tensor x, int[] sizes, int dim)
    {
        if (x.Layout.Rank == 0) throw new ArgumentException("split expects at least a 1-dimensional tensor", nameof(x));
        int d = Layout.Dim(dim, x.Layout.Rank), size = x.Layout.Shape[d], total = 0;
        foreach (int s in sizes) total += s;
        if (total != size) throw new ArgumentException($"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension {d}), but got split_sizes=[{string.Join(", ", sizes)}]", nameof(sizes));
        var pieces = new Tensor[sizes.Length];
        for (int i = 0, start = 0; i < sizes.Length; start += sizes[i], i++) pieces[i] = Narrow(x, d, start, sizes[i]);
        return pieces;
    }

    public static Tensor[] Chunk(Tensor x, int chunks, int dim)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunk expects `chunks` to be greater than 0");
        if (x.Layout.Rank == 0) throw new ArgumentException("chunk expects at least a 1-dimensional tensor", nameof(x));
        int size = x.Layout.Shape[Layout.Dim(dim, x.Layout.Rank)];
        return Split(x, Math.Max(1, (size + chunks - 1) / chunks), dim);
    }

    public static Tensor Gather(Tensor x, int dim, IntTensor index)
    {
        int rank = x.Layout.Rank, d = Layout.Dim(dim, rank);
        if (index.Layout.Rank != rank) throw new ArgumentException("Index tensor must have the same number of dimensions as input tensor", nameof(index));
        var shape = index.Layout.Shape;
        for (int i = 0; i < rank; i++)
            if (i != d && shape[i] > x.Layout.Shape[i])
                throw new ArgumentException($"Size does not match at dimension {i} expected index [{string.Join(", ", shape)}] to be smaller than self [{string.Join(", ", x.Layout.Shape)}] apart from dimension {d}", nameof(index));
        var indices = index.ToArray();
        var y = new float[indices.Length];
        var data = x.Storage;
        var position = new int[rank];
        for (int e = 0; e < y.Length; e++)
        {
            int at = x.Layout.Offset;
            for (int i = 0; i < rank; i++)
            {
                int p = position[i];
                if (i == d)
                {
                    p = indices[e];
                    if (p < -x.Layout.Shape[d] || p >= x.Layout.Shape[d]) throw new IndexOutOfRangeException($"index {p} is out of bounds for dimension {d} with size {x.Layout.Shape[d]}");
                    if (p < 0) p += x.Layout.Shape[d];
                }
                at += p * x.Layout.Strides[i];
            }
            y[e] = data[at];
            for (int i = rank - 1; i >= 0 && ++position[i] == shape[i]; i--) position[i] = 0;
        }
        return new Tensor(y, shape);
    }

    public static Tensor IndexSelect(Tensor x, int dim, IntTensor index)
    {
        if (index.Layout.Rank > 1) throw new ArgumentException("index_select(): Index is supposed to be a vector", nameof(index));
        int rank = Math.Max(x.Layout.Rank, 1), d = Layout.Dim(dim, rank);
        var source = x.Layout.Rank == 0 ? x.Layout.Unsqueeze(0) : x.Layout;
        var indices = index.ToArray();
        var shape = (int[])source.Shape.Clone();
        shape[d] = indices.Length;
        var y = new float[Layout.Count(shape)];
        var output = Layout.Contiguous(shape);
        var slice = new float[Layout.Count(shape) / Math.Max(1, indices.Length)];
        for (int j = 0; j < indices.Length; j++)
        {
            if ((uint)indices[j] >= (uint)source.Shape[d])
                throw new IndexOutOfRangeException($"index_select(): index {indices[j]} is out of range for dimension {d} with size {source.Shape[d]}");
            var from = source.Select(d, indices[j]);
            from.Gather(x.Storage, slice);
            output.Select(d, j).Scatter<float>(slice, y);
        }
        return new Tensor(y, x.Layout.Rank == 0 ? [] : shape);
    }

    /// <summary>x.masked_select(mask): the elements where the (broadcast) mask is true, as a 1-D tensor.</summary>
    public static Tensor MaskedSelect(Tensor x, BoolTensor mask)
    {
        var shape = Layout.Broadcast(x.Layout.Shape, mask.Mask.Layout.Shape);
        var values = Dense(x, shape);
        var keep = Dense(mask.Mask, shape);
        var selected = new List<float>();
        for (int i = 0; i < values.Length; i++) if (keep[i] != 0) selected.Add(values[i]);
        return new Tensor([.. selected], [selected.Count]);
    }

    public static Tensor ToFloat(IntTensor x)
    {
        var values = x.ToArray();
        var y = new float[values.Length];
        for (int i = 0; i < y.Length; i++) y[i] = values[i];
        return new Tensor(y, x.Layout.Shape);
    }
}

using System;
using System.Linq;

namespace Kiln.Tests.Support;

/// <summary>
/// Float64 reference for PyTorch's index-producing and index-consuming ops: argmax / argmin (flattened and along a dim),
/// max(dim) / min(dim) with their indices, gather and index_select. Written from the torch documentation, not from
/// Kiln's implementation. Indices travel as doubles holding integers, as IntTensor inputs arrive in the references.
/// Private names are prefixed Ix.
/// </summary>
/// <remarks>
/// Documented: ties give the first index ("If there are multiple maximal values then the indices of the first maximal
/// value are returned", likewise for minimal values); argmax / argmin are the second value of torch.max / torch.min;
/// keepdim leaves the reduced dim as size 1, otherwise it is squeezed; gather's output has the index's shape, with
/// index.size(d) ≤ input.size(d) for d ≠ dim and no broadcasting; index_select takes a 1-D index and the dim-th size
/// of its result is the index's length. Not documented, chosen here: a NaN counts as larger (and smaller) than every
/// number, the first NaN wins, so values agree with Amax / Amin (which propagate NaN); indices must lie in
/// [0, size) — negative indices are rejected rather than wrapped.
/// </remarks>
internal static partial class ReferenceOps
{
    // ---------------------------------------------------------------- helpers

    // Whether v beats the current best: strictly larger (smaller) only, so the first of equal values stays; NaN beats all.
    private static bool IxBeats(double v, double best, bool largest) =>
        !double.IsNaN(best) && (double.IsNaN(v) || (largest ? v > best : v < best));

    // The position of the first extreme element of line (the first NaN if any).
    private static int IxPick(double[] line, bool largest, string what)
    {
        if (line.Length == 0) throw new ArgumentException($"{what} of an empty dimension is undefined");
        int best = 0;
        for (int k = 1; k < line.Length; k++)
            if (IxBeats(line[k], line[best], largest)) best = k;
        return best;
    }

    // torch.max / torch.min along one dim: the extreme value of each line along dim and its position in the line.
    private static (RefTensor Values, RefTensor Indices) IxReduce(RefTensor x, int dim, bool keepDim, bool largest, string what)
    {
        int d = WrapDim(dim, x.Rank);
        if (x.Rank == 0)
        {
            IxPick(x.Data, largest, what);
            return (RefTensor.Scalar(x.Data[0]), RefTensor.Scalar(0));
        }

        int outer = Product(x.Shape.Take(d)), n = x.Shape[d], inner = Product(x.Shape.Skip(d + 1));
        if (n == 0) throw new ArgumentException($"{what} along dim {dim} of size 0 is undefined");
        var values = new double[outer * inner];
        var indices = new double[outer * inner];
        var line = new double[n];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                for (int k = 0; k < n; k++) line[k] = x.Data[(o * n + k) * inner + i];
                int best = IxPick(line, largest, what);
                values[o * inner + i] = line[best];
                indices[o * inner + i] = best;
            }

        var shape = keepDim ? x.Shape.Select((s, k) => k == d ? 1 : s).ToArray() : x.Shape.Where((_, k) => k != d).ToArray();
        return (new RefTensor(shape, values), new RefTensor(shape, indices));
    }

    // An index held as a double: it must be an integer in [0, size).
    private static int IxIndex(double v, int size, int dim, string what)
    {
        if (double.IsNaN(v) || v != Math.Floor(v)) throw new ArgumentException($"{what}: index {v} is not an integer");
        if (v < 0 || v >= size) throw new ArgumentException($"{what}: index {v} is out of bounds for dimension {dim} with size {size}");
        return (int)v;
    }

    private static string IxShape(RefTensor t) => RefTensor.ShapeText(t.Shape);

    // ---------------------------------------------------------------- argmax / argmin

    /// <summary>torch.argmax(input): the index of the largest element of the flattened tensor, 0-d; ties give the first.</summary>
    public static RefTensor ArgMax(RefTensor x) => RefTensor.Scalar(IxPick(x.Data, largest: true, "argmax"));

    /// <summary>torch.argmax(input, dim, keepdim): the index along dim of each line's largest element; ties give the first.</summary>
    public static RefTensor ArgMax(RefTensor x, int dim, bool keepDim = false) => IxReduce(x, dim, keepDim, largest: true, "argmax").Indices;

    /// <summary>torch.argmin(input): the index of the smallest element of the flattened tensor, 0-d; ties give the first.</summary>
    public static RefTensor ArgMin(RefTensor x) => RefTensor.Scalar(IxPick(x.Data, largest: false, "argmin"));

    /// <summary>torch.argmin(input, dim, keepdim): the index along dim of each line's smallest element; ties give the first.</summary>
    public static RefTensor ArgMin(RefTensor x, int dim, bool keepDim = false) => IxReduce(x, dim, keepDim, largest: false, "argmin").Indices;

    // ---------------------------------------------------------------- max / min along a dim

    /// <summary>torch.max(input, dim, keepdim): (values, indices), the largest element of each line along dim and its index (the first of ties).</summary>
    public static (RefTensor Values, RefTensor Indices) MaxWithIndices(RefTensor x, int dim, bool keepDim = false) =>
        IxReduce(x, dim, keepDim, largest: true, "max");

    /// <summary>torch.min(input, dim, keepdim): (values, indices), the smallest element of each line along dim and its index (the first of ties).</summary>
    public static (RefTensor Values, RefTensor Indices) MinWithIndices(RefTensor x, int dim, bool keepDim = false) =>
        IxReduce(x, dim, keepDim, largest: false, "min");

    /// <summary>Tensor.Max(dim, keepDim), Kiln's spelling of torch.max(input, dim, keepdim): see <see cref="MaxWithIndices"/>.</summary>
    public static (RefTensor Values, RefTensor Indices) Max(RefTensor x, int dim, bool keepDim = false) => MaxWithIndices(x, dim, keepDim);

    /// <summary>Tensor.Min(dim, keepDim), Kiln's spelling of torch.min(input, dim, keepdim): see <see cref="MinWithIndices"/>.</summary>
    public static (RefTensor Values, RefTensor Indices) Min(RefTensor x, int dim, bool keepDim = false) => MinWithIndices(x, dim, keepDim);

    // ---------------------------------------------------------------- gather / index_select

    /// <summary>
    /// torch.gather(input, dim, index): out[c] = input[c with c[dim] replaced by index[c]], the result of index's shape.
    /// input and index have the same rank, index.size(d) ≤ input.size(d) for every d ≠ dim, and nothing broadcasts.
    /// </summary>
    public static RefTensor Gather(RefTensor x, int dim, RefTensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int d = WrapDim(dim, x.Rank);
        if (index.Rank != x.Rank)
            throw new ArgumentException($"gather: index {IxShape(index)} must have the input's rank {x.Rank} (input {IxShape(x)})");
        if (x.Rank == 0) return RefTensor.Scalar(x.Data[IxIndex(index.Data[0], 1, dim, "gather")]);

        for (int k = 0; k < x.Rank; k++)
            if (k != d && index.Shape[k] > x.Shape[k])
                throw new ArgumentException($"gather: index {IxShape(index)} is larger than input {IxShape(x)} in dim {k} (only dim {dim} may differ freely)");

        var strides = Strides(x.Shape);
        var data = new double[index.Count];
        for (int i = 0; i < data.Length; i++)
        {
            var coord = Unravel(i, index.Shape);
            coord[d] = IxIndex(index.Data[i], x.Shape[d], dim, "gather");
            int src = 0;
            for (int k = 0; k < x.Rank; k++) src += coord[k] * strides[k];
            data[i] = x.Data[src];
        }
        return new RefTensor(index.Shape, data);
    }

    /// <summary>
    /// torch.nn.functional.embedding(input, weight): for a 2-D weight (num_embeddings, embedding_dim) and an index tensor of
    /// any shape, out[i₁, …, iₖ, c] = weight[input[i₁, …, iₖ], c]; the result's shape is input.shape + (embedding_dim,).
    /// An id outside [0, num_embeddings) is an error ("index out of range in self").
    /// </summary>
    public static RefTensor Embedding(RefTensor input, RefTensor weight)
    {
        if (weight.Rank != 2) throw new ArgumentException($"embedding: weight must be 2-D, got {IxShape(weight)}");
        int num = weight.Shape[0], dim = weight.Shape[1];
        var data = new double[input.Count * dim];
        for (int i = 0; i < input.Count; i++)
        {
            double id = input.Data[i];
            if (id != Math.Floor(id) || id < 0 || id >= num) throw new IndexOutOfRangeException($"embedding: index {id} out of range in self ({num} rows)");
            for (int c = 0; c < dim; c++) data[i * dim + c] = weight.Data[(int)id * dim + c];
        }
        return new RefTensor([.. input.Shape, dim], data);
    }

    /// <summary>
    /// torch.index_select(input, dim, index): the slices of input at the entries of the 1-D index along dim, in the index's
    /// order (repeats allowed); the result has input's rank, the index's length in dim and input's sizes elsewhere.
    /// </summary>
    public static RefTensor IndexSelect(RefTensor x, int dim, RefTensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Rank != 1) throw new ArgumentException($"index_select: the index must be 1-D, got {IxShape(index)}");
        if (x.Rank == 0) throw new ArgumentException("index_select: the reference takes an input of at least one dim, got a 0-d tensor");
        int d = WrapDim(dim, x.Rank);
        var picks = index.Data.Select(v => IxIndex(v, x.Shape[d], dim, "index_select")).ToArray();

        int outer = Product(x.Shape.Take(d)), n = x.Shape[d], inner = Product(x.Shape.Skip(d + 1)), m = picks.Length;
        var data = new double[outer * m * inner];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                for (int i = 0; i < inner; i++)
                    data[(o * m + j) * inner + i] = x.Data[(o * n + picks[j]) * inner + i];

        var shape = (int[])x.Shape.Clone();
        shape[d] = m;
        return new RefTensor(shape, data);
    }
}

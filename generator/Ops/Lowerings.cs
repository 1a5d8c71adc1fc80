using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Ir;
using Kiln.Generator.Model;

namespace Kiln.Generator.Ops;

/// <summary>
/// Language ops that are not a single elementwise row: each public method is the lowering of the language name it
/// is called (<c>Ops.Softmax</c>, <c>Tensor.Reshape</c>, ...), found by <see cref="Registry"/>. Arguments are read
/// by their PyTorch names through <see cref="Call"/>; shape rules live in <see cref="GraphBuilder"/>.
/// </summary>
internal static partial class Lowerings
{
    public static Node Pow(Call c) => c.B.Pow(c.X(), c.TensorOrNumber("exponent", 1));

    public static Node Softmax(Call c) => Rows(c, log: false);
    public static Node LogSoftmax(Call c) => Rows(c, log: true);

    private static Node Rows(Call c, bool log)
    {
        var x = c.X();
        int dim = GraphBuilder.NormalizeDim(c.Name, c.Int("dim", -1), x.Shape.Rank);
        if (x.Shape.Rank > 0) return c.B.Softmax(x, dim, log);
        // a 0-d tensor is one row of one element (softmax 1, log-softmax 0), as PyTorch
        return c.B.Reshape(c.B.Softmax(c.B.Reshape(x, new Shape([Size.Of(1)])), 0, log), Shape.Scalar);
    }

    public static Node Sum(Call c) => Reduce(c, Reductions.Sum);
    public static Node Amax(Call c) => Reduce(c, Reductions.Amax);
    public static Node Amin(Call c) => Reduce(c, Reductions.Amin);
    public static Node Prod(Call c) => Reduce(c, Reductions.Prod);
    /// <summary>x.max() / x.min() of all elements: amax / amin.</summary>
    public static Node Max(Call c) => Reduce(c, Reductions.Amax);
    public static Node Min(Call c) => Reduce(c, Reductions.Amin);

    /// <summary>A mean is a sum whose 1/count rides inside the reduction's pass.</summary>
    public static Node Mean(Call c) => Reduce(c, Reductions.Sum, mean: true);

    /// <summary>A reduction row over all dims, or over "dim" (one or several), keeping them when keepDim.</summary>
    private static Node Reduce(Call c, ReduceOp op, bool mean = false)
    {
        var x = c.X();
        var axes = Axes(c, x);
        if (mean) x = c.B.Mul(x, c.B.Const(1, Count(x, axes)));
        return c.B.Reduce(op, x, axes, c.Bool("keepDim"));
    }

    /// <summary>The reduced dims: "dim" (an int or several), normalized; all dims when absent.</summary>
    private static int[] Axes(Call c, Node x)
    {
        if (!c.Has("dim")) return Enumerable.Range(0, x.Shape.Rank).ToArray();
        var dims = c.Ints("dim").Select(d => GraphBuilder.NormalizeDim(c.Name, d, x.Shape.Rank)).ToArray();
        if (dims.Distinct().Count() != dims.Length) throw c.Invalid($"{c.Name} over dims [{string.Join(", ", c.Ints("dim"))}], where a dim appears more than once");
        // a 0-d tensor reduced over dim 0 (or -1) is itself, as in PyTorch: there is no axis to reduce
        return x.Shape.Rank == 0 ? [] : dims;
    }

    private static Size Count(Node x, int[] axes) => axes.Aggregate(Size.Of(1), (s, a) => s * x.Shape[a]);

    /// <summary>torch.var (<see cref="Variance"/>).</summary>
    public static Node Var(Call c) => Variance(c);

    /// <summary>torch.std = √var; its gradient is 0 where std is 0 (PyTorch masks it).</summary>
    public static Node Std(Call c) => c.B.Unary(Unary.SafeSqrt, Variance(c));

    /// <summary>
    /// Σ(x - mean)² / max(0, N - correction), over x less each slice's first element (var is shift-invariant; that element is
    /// detached, the gradient through it being 0): a constant slice is then 0 exactly, as PyTorch's Welford pass gives
    /// (Σx·(1/N) was 7.0000005 for three 7s, so its variance came out 1e-13, and inf, not NaN, at a correction of N), and
    /// data far from 0 loses less to cancellation.
    /// </summary>
    private static Node Variance(Call c)
    {
        var x = c.X();
        var axes = Axes(c, x);
        if (axes.Length > 0)
        {
            var first = c.B.Strided(x, new NodeAttrs { Axes = Enumerable.Range(0, x.Shape.Rank).ToEquatable(), Starts = new long[x.Shape.Rank].ToEquatable(), Steps = Enumerable.Repeat(1L, x.Shape.Rank).ToEquatable() },
                new Shape(x.Shape.Dims.Select((d, i) => axes.Contains(i) ? Size.Of(1) : d)));
            x = c.B.Sub(x, c.B.Unary(Unary.Detach, first));
        }
        var mean = c.B.Sum(c.B.Mul(x, c.B.Const(1, Count(x, axes))), axes, keepDim: true);
        var d = c.B.Sub(x, mean);
        int correction = c.Int("correction", 1);
        var count = Count(x, axes);
        var scale = c.B.Const(1, count, correction);
        // the scale rides inside the pass where it is finite; 1/0 (a correction of N or more) goes after the sum, so a
        // slice gives Σd²·∞ = inf as PyTorch's Σd²/0 (inside, a d of 0 made 0·∞ = NaN of the whole sum), and NaN only
        // where every d is 0; a symbolic N may reach that at run time, so it goes after the sum too
        return count.IsConstant && count.Coefficient > correction
            ? c.B.Sum(c.B.Mul(c.B.Mul(d, d), scale), axes, c.Bool("keepDim"))
            : c.B.Mul(c.B.Sum(c.B.Mul(d, d), axes, c.Bool("keepDim")), scale);
    }

    /// <summary>torch.linalg.vector_norm: p = 2 (default), 1, ∞, -∞, 0 (the count of nonzeros), or any other p, negative too:
    /// (Σ|x|ᵖ)^(1/p).</summary>
    public static Node Norm(Call c)
    {
        var x = c.X();
        var axes = Axes(c, x);
        bool keep = c.Bool("keepDim");
        double p = c.Number("p", 2);
        var abs = c.B.Unary(Unary.Abs, x);
        return p switch
        {
            2 => c.B.Unary(Unary.SafeSqrt, c.B.Sum(c.B.Mul(x, x), axes, keep)),
            1 => c.B.Sum(abs, axes, keep),
            double.PositiveInfinity => c.B.Reduce(Reductions.Amax, abs, axes, keep),
            double.NegativeInfinity => c.B.Reduce(Reductions.Amin, abs, axes, keep),
            0 => c.B.Sum(c.B.Binary(Arithmetic.Ne, x, c.B.Const(0)), axes, keep),
            > 0 or < 0 => c.B.Pow(c.B.Sum(c.B.Pow(abs, c.B.Const(p)), axes, keep), c.B.Const(1 / p)),
            _ => throw c.Invalid($"Norm with p = {p} (a number or ±inf)"),
        };
    }

    /// <summary>torch.logsumexp: m + log Σ e^(x - m) with m the max (0 where the max is ±∞, as PyTorch), so it never overflows.</summary>
    public static Node LogSumExp(Call c)
    {
        var x = c.X();
        var axes = Axes(c, x);
        var m = c.B.Reduce(Reductions.Amax, x, axes, keepDim: true);
        m = c.B.Where(c.B.Binary(Arithmetic.Eq, c.B.Unary(Unary.Abs, m), c.B.Const(double.PositiveInfinity)), c.B.Const(0), m);
        var y = c.B.Add(m, c.B.Unary(Unary.Log, c.B.Sum(c.B.Unary(Unary.Exp, c.B.Sub(x, m)), axes, keepDim: true)));
        return c.Bool("keepDim") ? y : c.B.Reshape(y, new Shape(x.Shape.Dims.Where((_, i) => !axes.Contains(i))));
    }

    /// <summary>torch.cumsum along dim.</summary>
    public static Node CumSum(Call c)
    {
        var x = c.X();
        if (x.Shape.Rank == 0) return Scalar(c, x, "dim");
        return c.B.CumSum(x, c.Dim("dim", 0, x.Shape.Rank), reverse: false);
    }

    public static Node MatMul(Call c) => MatMul(c.B, c.X(), c.Required("other", "b"));

    /// <summary>F.linear: x·weightᵀ + bias, weight stored (out, in).</summary>
    public static Node Linear(Call c)
    {
        var w = c.Required("weight");
        if (w.Shape.Rank > 2) throw c.Invalid($"Linear with a weight of rank {w.Shape.Rank} (F.linear takes a 1-D or 2-D weight)");
        var y = MatMul(c.B, c.X(), w.Shape.Rank == 2 ? c.B.Transpose(w, 0, 1) : w); // x·wᵀ; a 1-D weight is its own transpose
        return c.Optional("bias") is { } bias ? c.B.Add(y, bias) : y;
    }

    /// <summary>torch.matmul: 1-D operands are promoted with a 1 and the 1 removed afterwards.</summary>
    private static Node MatMul(GraphBuilder b, Node x, Node y)
    {
        if (x.Shape.Rank == 0 || y.Shape.Rank == 0) throw new ShapeException(Descriptors.DimOutOfRange, "MatMul", "-1", "0");
        bool vx = x.Shape.Rank == 1, vy = y.Shape.Rank == 1;
        var a = vx ? b.Reshape(x, new Shape([Size.Of(1), x.Shape[0]])) : x;
        var m = vy ? b.Reshape(y, new Shape([y.Shape[0], Size.Of(1)])) : y;
        Node r;
        try { r = b.MatMul(a, m, false, false); }
        catch (ShapeException e) when (e.Descriptor == Descriptors.MatMulMismatch)
        {
            // the shapes the user wrote, not the promoted [1, k] and [k, 1]
            throw new ShapeException(Descriptors.MatMulMismatch, e.Args[0], e.Args[1], x.Shape.ToString(), y.Shape.ToString());
        }
        catch (ShapeException e) when (e.Descriptor == Descriptors.BroadcastMismatch)
        {
            // batch dims that do not broadcast: the whole shapes too, not only the batch parts
            throw new ShapeException(Descriptors.BroadcastMismatch, $"MatMul of shapes {x.Shape} and {y.Shape}, batch dims", e.Args[1], e.Args[2], e.Args[3], e.Args[4], e.Args[5]);
        }
        if (!vx && !vy) return r;
        var dims = r.Shape.Dims.ToList();
        if (vy) dims.RemoveAt(dims.Count - 1);
        if (vx) dims.RemoveAt(dims.Count - (vy ? 1 : 2));
        return b.Reshape(r, new Shape(dims));
    }

    /// <summary>A view with a new shape of the same count; one dim may be -1 (inferred).</summary>
    public static Node Reshape(Call c)
    {
        var x = c.X();
        var dims = c.Ints("shape");
        if (dims.Count(d => d == -1) > 1) throw c.Invalid($"Reshape to [{string.Join(", ", dims)}], with more than one -1 (only one dimension can be inferred, as torch's)");
        int infer = dims.IndexOf(-1);
        var known = dims.Where(d => d != -1).Aggregate(Size.Of(1), (s, d) => s * Size.Of(d));
        var result = dims.Select(d => Size.Of(d)).ToArray();
        if (infer >= 0)
        {
            var rest = Size.Divide(x.Shape.Count, known);
            if (rest is null) throw new ShapeException(Descriptors.ReshapeMismatch, x.Shape.ToString(), x.Shape.Count.ToString(), "[" + string.Join(", ", dims) + "]");
            result[infer] = rest.Value;
        }
        return c.B.Reshape(x, new Shape(result));
    }

    public static Node Unsqueeze(Call c)
    {
        var x = c.X();
        var dims = x.Shape.Dims.ToList();
        dims.Insert(c.Dim("dim", 0, x.Shape.Rank + 1), Size.Of(1));
        return c.B.Reshape(x, new Shape(dims));
    }

    /// <summary>Drops dim if it has size 1 (every size-1 dim when none is given); otherwise the tensor is unchanged, as PyTorch.</summary>
    public static Node Squeeze(Call c)
    {
        var x = c.X();
        if (!c.Has("dim")) return c.B.Reshape(x, new Shape(x.Shape.Dims.Where(d => !d.IsOne)));
        if (x.Shape.Rank == 0) return Scalar(c, x, "dim");
        int d = c.Dim("dim", 0, x.Shape.Rank);
        return x.Shape[d].IsOne ? c.B.Reshape(x, new Shape(x.Shape.Dims.Where((_, i) => i != d))) : x;
    }

    public static Node Transpose(Call c)
    {
        var x = c.X();
        if (x.Shape.Rank == 0) { Scalar(c, x, "dim0"); return Scalar(c, x, "dim1"); }
        return c.B.Transpose(x, c.Dim("dim0", 0, x.Shape.Rank), c.Dim("dim1", 1, x.Shape.Rank));
    }

    /// <summary>A 0-d tensor under an op along a dim that keeps it as it is (squeeze, cumsum, transpose): the dim must be 0
    /// or -1, as PyTorch wraps a scalar's dim (KLN0004 otherwise), and the result is the tensor itself.</summary>
    private static Node Scalar(Call c, Node x, string dim)
    {
        GraphBuilder.NormalizeDim(c.Name, c.Int(dim, 0), 0);
        return x;
    }

    /// <summary>The <c>x.T</c> property: a 2-D transpose.</summary>
    public static Node T(Call c)
    {
        var x = c.X();
        // PyTorch's x.T on other ranks reverses every dim with a deprecation warning (an error in a later release)
        if (x.Shape.Rank != 2) throw c.Invalid($"x.T of a tensor of rank {x.Shape.Rank} (.T transposes a 2-D tensor; for other ranks PyTorch deprecates it: use Permute, or Transpose(-2, -1))");
        return c.B.Transpose(x, 0, 1);
    }

    /// <summary>F.gelu: approximate "none" (erf) or "tanh".</summary>
    public static Node Gelu(Call c) => c.String("approximate", "none") switch
    {
        "none" => c.B.Unary(Activations.Gelu, c.X()),
        "tanh" => c.B.Unary(Activations.GeluTanh, c.X()),
        var other => throw c.Invalid($"Gelu's approximate = \"{other}\" (PyTorch accepts \"none\" and \"tanh\")"),
    };

    // Comparisons as methods (x.Gt(y), x.Ge(0.5f)); the operators go through Registry.Operators
    public static Node Gt(Call c) => c.B.Binary(Arithmetic.Gt, c.X(), c.TensorOrNumber("other", 0));
    public static Node Ge(Call c) => c.B.Binary(Arithmetic.Ge, c.X(), c.TensorOrNumber("other", 0));
    public static Node Lt(Call c) => c.B.Binary(Arithmetic.Lt, c.X(), c.TensorOrNumber("other", 0));
    public static Node Le(Call c) => c.B.Binary(Arithmetic.Le, c.X(), c.TensorOrNumber("other", 0));
    public static Node Eq(Call c) => c.B.Binary(Arithmetic.Eq, c.X(), c.TensorOrNumber("other", 0));
    public static Node Ne(Call c) => c.B.Binary(Arithmetic.Ne, c.X(), c.TensorOrNumber("other", 0));
    public static Node LogicalAnd(Call c) => c.B.Binary(Arithmetic.LogicalAnd, c.X(), c.Required("other"));
    public static Node LogicalOr(Call c) => c.B.Binary(Arithmetic.LogicalOr, c.X(), c.Required("other"));
    public static Node LogicalXor(Call c) => c.B.Binary(Arithmetic.LogicalXor, c.X(), c.Required("other"));
    public static Node LogicalNot(Call c) => c.B.Unary(Arithmetic.LogicalNot, c.X());

    /// <summary>torch.where(condition, x, y); x and y may be numbers.</summary>
    public static Node Where(Call c) => c.B.Where(c.Required("condition"), c.TensorOrNumber("x", 0), c.TensorOrNumber("y", 0));

    /// <summary>x.masked_fill(mask, value) = where(mask, value, x).</summary>
    public static Node MaskedFill(Call c) => c.B.Where(c.Required("mask"), c.B.Const(c.Number("value", 0)), c.X());

    /// <summary>mask.float() / indices.float(): masks already are 0/1 floats in the graph; an IntTensor input (or a reshape of
    /// one) is converted.</summary>
    public static Node Float(Call c) => c.B.AsIndices(c.X(), 0);

    /// <summary>masked_select's length is the mask's count, known only at run time: a static plan cannot hold it.</summary>
    public static Node MaskedSelect(Call c) => throw c.Report(Diagnostics.Descriptors.DataDependentShape, "MaskedSelect",
        "write Where(mask, x, 0f) to keep the shape, or (x * mask).Sum() / mask.Sum() for the mean of the selected elements");

    public static Node Maximum(Call c) => c.B.Binary(Arithmetic.Maximum, c.X(), c.Required("other"));
    public static Node Minimum(Call c) => c.B.Binary(Arithmetic.Minimum, c.X(), c.Required("other"));
    public static Node Remainder(Call c) => c.B.Binary(Arithmetic.Remainder, c.X(), c.TensorOrNumber("other", 1));
    public static Node Fmod(Call c) => c.B.Binary(Arithmetic.Fmod, c.X(), c.TensorOrNumber("other", 1));

    // ---- indexing and views ----

    /// <summary>The indexer x[i, a..b, ^1, Ellipsis].</summary>
    public static Node Index(Call c) => Slicing.Index(c, c.X(), c.Values("indices"));

    public static Node Slice(Call c)
    {
        var x = c.X();
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        return Slicing.Slice(c, x, dim, c.OptionalInt("start"), c.OptionalInt("end"), c.Int("step", 1));
    }

    public static Node Narrow(Call c)
    {
        var x = c.X();
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        long start = c.Int("start", 0), length = c.Int("length", 1);
        // torch.narrow's checks (a slice clamps to the dim; a narrow past its end is an error, as it is eagerly)
        if (length < 0) throw c.Invalid($"Narrow: length must be non-negative (got {length})");
        if (x.Shape[dim] is { IsConstant: true } size)
        {
            if (start < -size.Coefficient || start > size.Coefficient)
                throw new ShapeException(Diagnostics.Descriptors.IndexOutOfRange, c.Name, $"start {start}", dim.ToString(), size.ToString());
            if (start < 0) start += size.Coefficient;
            if (start + length > size.Coefficient)
                throw new ShapeException(Diagnostics.Descriptors.IndexOutOfRange, c.Name, $"start {start} + length {length}", dim.ToString(), size.ToString());
        }
        return Slicing.Slice(c, x, dim, start, start + length, 1);
    }

    public static Node Select(Call c)
    {
        var x = c.X();
        return Slicing.Select(c, x, c.Dim("dim", 0, x.Shape.Rank), c.Int("index", 0));
    }

    public static Node Permute(Call c)
    {
        var x = c.X();
        var order = c.Ints("dims").Select(d => GraphBuilder.NormalizeDim(c.Name, d, x.Shape.Rank)).ToArray();
        if (order.Length != x.Shape.Rank || order.Distinct().Count() != order.Length)
            throw c.Invalid($"Permute([{string.Join(", ", c.Ints("dims"))}]) of a rank-{x.Shape.Rank} tensor (each dim exactly once)");
        return c.B.Permute(x, order);
    }

    /// <summary>x.expand(sizes): size-1 dims stretch (stride 0, no copy), -1 keeps a dim, new dims may lead.</summary>
    public static Node Expand(Call c)
    {
        var x = c.X();
        var sizes = c.Ints("sizes");
        if (sizes.Count < x.Shape.Rank) throw c.Invalid($"Expand to {sizes.Count} dims of a rank-{x.Shape.Rank} tensor");
        int lead = sizes.Count - x.Shape.Rank;
        // -1 keeps a dim's size; any other negative size is an error in torch.expand, and 0 would be an empty tensor
        // (a plan holds none, as Repeat(0) is refused): both were accepted (a [1, 32, 1, -4] plan of -128 elements)
        if (sizes.Contains(0)) throw c.Invalid("Expand to a size of 0 (a plan holds no empty tensors)");
        if (sizes.FirstOrDefault(s => s < -1) is var bad && bad < -1) throw c.Invalid($"Expand to a size of {bad} (only -1, which keeps the dim's size, may be negative)");
        var dims = sizes.Select((s, i) => s == -1 ? (i < lead ? throw c.Invalid("Expand with -1 for a new leading dim") : x.Shape[i - lead]) : Size.Of(s)).ToArray();
        return c.B.Expand(x, new Shape(dims));
    }

    /// <summary>x.repeat(repeats): tiles (a copy): viewed as (1, d0, 1, d1, ...), broadcast to (r0, d0, r1, d1, ...), reshaped.</summary>
    public static Node Repeat(Call c)
    {
        var x = c.X();
        var repeats = c.Ints("repeats");
        if (repeats.Count < x.Shape.Rank) throw c.Invalid($"Repeat with {repeats.Count} counts for a rank-{x.Shape.Rank} tensor");
        if (repeats.Any(r => r < 1)) throw c.Invalid("Repeat counts must be at least 1");
        int lead = repeats.Count - x.Shape.Rank;
        var dims = Enumerable.Range(0, repeats.Count).Select(i => i < lead ? Size.Of(1) : x.Shape[i - lead]).ToArray();
        var spread = new Shape(dims.SelectMany(d => new[] { Size.Of(1), d }));
        var tiled = new Shape(dims.SelectMany((d, i) => new[] { Size.Of(repeats[i]), d }));
        var copy = c.B.Expand(c.B.Reshape(x, spread), tiled);
        return c.B.Reshape(copy, new Shape(dims.Select((d, i) => Size.Of(repeats[i]) * d)));
    }

    /// <summary>x.flatten(startDim, endDim): the dims in between become one (a view when x is contiguous).</summary>
    public static Node Flatten(Call c)
    {
        var x = c.X();
        if (x.Shape.Rank == 0) return c.B.Reshape(x, new Shape([Size.Of(1)]));
        int from = c.Dim("startDim", 0, x.Shape.Rank), to = c.Dim("endDim", -1, x.Shape.Rank);
        if (from > to) throw c.Invalid($"Flatten with startDim {from} after endDim {to}");
        var dims = x.Shape.Dims.Take(from)
            .Append(x.Shape.Dims.Skip(from).Take(to - from + 1).Aggregate(Size.Of(1), (a, b) => a * b))
            .Concat(x.Shape.Dims.Skip(to + 1));
        return c.B.Reshape(x, new Shape(dims));
    }

    /// <summary>x.view(shape): Reshape (the plan copies only where the memory is not contiguous).</summary>
    public static Node View(Call c) => Reshape(c);

    /// <summary>x.contiguous(): the graph decides where memory must be contiguous and copies there itself.</summary>
    public static Node Contiguous(Call c) => c.X();

    // ---- joining and splitting ----

    /// <summary>torch.cat(tensors, dim): sizes along dim must be fixed numbers (a named dim's length is unknown at build time).</summary>
    public static Node Cat(Call c)
    {
        var xs = c.Tensors("tensors");
        if (xs.Count == 0) throw c.Invalid("Cat of no tensors");
        int dim = c.Dim("dim", 0, xs[0].Shape.Rank);
        if (xs.Any(x => x.Shape.Rank > dim && !x.Shape[dim].IsConstant))
            throw c.Fail($"Cat along the named dim '{xs.First(x => !x.Shape[dim].IsConstant).Shape[dim]}' (concatenate along a dim of fixed size)");
        return c.B.Cat(xs, dim);
    }

    /// <summary>torch.stack(tensors, dim): a new dim of size count, each tensor one slice of it.</summary>
    public static Node Stack(Call c)
    {
        var xs = c.Tensors("tensors");
        if (xs.Count == 0) throw c.Invalid("Stack of no tensors");
        int dim = c.Dim("dim", 0, xs[0].Shape.Rank + 1);
        if (xs.FirstOrDefault(x => !x.Shape.Equals(xs[0].Shape)) is { } other)
        {
            // torch.stack does not broadcast: name the first dim where the shapes differ (or their ranks)
            var (a, b) = (xs[0].Shape, other.Shape);
            int at = -1;
            for (int i = 0; i < System.Math.Min(a.Rank, b.Rank) && at < 0; i++) if (!a[i].Equals(b[i])) at = i;
            throw c.Invalid($"Stack of tensors of shapes {a} and {b} (torch.stack takes tensors of one shape: "
                + (at >= 0 ? $"dim {at} is {a[at]} vs {b[at]})" : $"rank {a.Rank} vs {b.Rank})"));
        }
        return c.B.Cat(xs.Select(x => { var d = x.Shape.Dims.ToList(); d.Insert(dim, Size.Of(1)); return c.B.Reshape(x, new Shape(d)); }).ToList(), dim);
    }

    /// <summary>torch.split: pieces of splitSize along dim (the last smaller), or of the listed sizes; each a view.</summary>
    public static Node[] Split(Call c)
    {
        var x = c.X();
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        if (!x.Shape[dim].IsConstant) throw c.Fail($"Split of the named dim '{x.Shape[dim]}'");
        long n = x.Shape[dim].Coefficient;
        int size = c.Int("splitSize", 1);
        if (!c.Has("splitSizes") && size <= 0) throw c.Invalid($"Split into pieces of size {size}");
        var sizes = c.Ints("splitSizes") is { Count: > 0 } list ? list.Select(v => (long)v).ToList() : Pieces(c, n, size);
        if (sizes.Sum() != n || sizes.Any(s => s <= 0)) throw c.Invalid($"Split sizes [{string.Join(", ", sizes)}] of a dim of size {n}");
        return Pieces(c, x, dim, sizes);
    }

    /// <summary>torch.chunk: ceil(size/chunks) per piece, the last smaller (so possibly fewer pieces), as documented.</summary>
    public static Node[] Chunk(Call c)
    {
        var x = c.X();
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        if (!x.Shape[dim].IsConstant) throw c.Fail($"Chunk of the named dim '{x.Shape[dim]}'");
        long n = x.Shape[dim].Coefficient, chunks = c.Int("chunks", 1);
        if (chunks < 1) throw c.Invalid($"Chunk into {chunks} pieces");
        return Pieces(c, x, dim, Pieces(c, n, (n + chunks - 1) / chunks));
    }

    /// <summary>The most pieces one Split or Chunk may make: each is a node of the graph.</summary>
    private const long MaxPieces = 10_000;

    private static System.Collections.Generic.List<long> Pieces(Call c, long n, long size)
    {
        if ((n + size - 1) / size > MaxPieces) throw c.Fail(System.FormattableString.Invariant($"{c.Name} into {(n + size - 1) / size:N0} pieces (at most {MaxPieces:N0})"));
        var sizes = new System.Collections.Generic.List<long>();
        for (long at = 0; at < n; at += size) sizes.Add(System.Math.Min(size, n - at));
        return sizes;
    }

    private static Node[] Pieces(Call c, Node x, int dim, System.Collections.Generic.List<long> sizes)
    {
        long start = 0;
        var parts = new Node[sizes.Count];
        for (int i = 0; i < sizes.Count; i++) { parts[i] = Slicing.Slice(c, x, dim, start, start + sizes[i], 1); start += sizes[i]; }
        return parts;
    }

    // ---- indices ----

    public static Node ArgMax(Call c) => ArgReduce(c, max: true);
    public static Node ArgMin(Call c) => ArgReduce(c, max: false);

    /// <summary>torch.argmax: the first largest element's index along dim; of the flattened tensor when no dim is given.</summary>
    private static Node ArgReduce(Call c, bool max)
    {
        var x = c.X();
        if (!c.Has("dim"))
        {
            var flat = c.B.Reshape(x, new Shape([x.Shape.Count]));
            return c.B.Reshape(c.B.ArgReduce(flat, 0, max), Shape.Scalar);
        }
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        var kept = c.B.ArgReduce(x, dim, max);
        return c.Bool("keepDim") ? kept : c.B.Reshape(kept, Drop(x.Shape, dim));
    }

    private static Shape Drop(Shape s, int dim) => new(s.Dims.Where((_, i) => i != dim));

    /// <summary>x.max(dim) → (values, indices): the values are x gathered at the argmax, so the gradient goes to that element only.</summary>
    [ManyOf("Max")]
    public static Node[] MaxWithIndices(Call c) => ExtremeWithIndices(c, max: true);

    [ManyOf("Min")]
    public static Node[] MinWithIndices(Call c) => ExtremeWithIndices(c, max: false);

    private static Node[] ExtremeWithIndices(Call c, bool max)
    {
        var x = c.X();
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        var index = c.B.ArgReduce(x, dim, max);
        var values = c.B.Gather(x, index, dim, select: false);
        return c.Bool("keepDim") ? [values, index] : [c.B.Reshape(values, Drop(x.Shape, dim)), c.B.Reshape(index, Drop(x.Shape, dim))];
    }

    /// <summary>torch.gather(x, dim, index): out[..j..] = x[..index[..j..]..] along dim; index has the result's shape.</summary>
    public static Node Gather(Call c)
    {
        var x = c.X();
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        var index = IndexOperand(c, x, dim);
        // an index is not a loss's target (KLN0006 called it one): the rule is torch.gather's
        if (index.Shape.Rank != x.Shape.Rank)
            throw c.Invalid($"Gather with an index of shape {index.Shape} for an input of shape {x.Shape} (torch.gather's index has the input's rank, {x.Shape.Rank})");
        for (int d = 0; d < x.Shape.Rank; d++)
            if (d != dim && index.Shape[d] != x.Shape[d])
                throw c.Invalid($"Gather with an index of shape {index.Shape} for an input of shape {x.Shape} along dim {dim} (outside dim {dim} the index's dims are the input's: dim {d} is {index.Shape[d]} vs {x.Shape[d]})");
        return c.B.Gather(x, index, dim, select: false);
    }

    /// <summary>torch.index_select(x, dim, index): the slices of x at a 1-D index along dim (an embedding lookup on a [Param]).</summary>
    public static Node IndexSelect(Call c)
    {
        var x = c.X();
        int dim = c.Dim("dim", 0, x.Shape.Rank);
        var index = IndexOperand(c, x, dim);
        if (index.Shape.Rank != 1) throw new ShapeException(Diagnostics.Descriptors.TargetShape, "IndexSelect index (must be 1-D)", x.Shape.ToString(), index.Shape.ToString());
        return c.B.Gather(x, index, dim, select: true);
    }

    /// <summary>F.embedding(input, weight): weight's rows at ids of any shape, as input.shape + [embedding_dim] (IndexSelect
    /// along dim 0 of the flattened ids, reshaped back).</summary>
    public static Node Embedding(Call c)
    {
        var ids = c.Required("input");
        var weight = c.Required("weight");
        if (weight.Shape.Rank != 2) throw new ShapeException(Diagnostics.Descriptors.TargetShape, "Embedding weight (must be 2-D: num_embeddings, embedding_dim)", ids.Shape.ToString(), weight.Shape.ToString());
        if (GraphBuilder.IntInput(ids) is null) throw c.Fail("Embedding of ids that are not an IntTensor input (or a view of one)");
        if (!weight.Shape[0].IsConstant) throw c.Fail($"An embedding table of the named size '{weight.Shape[0]}'");
        var flat = ids.Shape.Rank == 1 ? ids : c.B.Reshape(ids, new Shape([ids.Shape.Count]));
        var rows = c.B.Gather(weight, c.B.AsIndices(flat, weight.Shape[0].Coefficient), 0, select: true);
        return ids.Shape.Rank == 1 ? rows : c.B.Reshape(rows, new Shape(ids.Shape.Dims.Append(weight.Shape[1])));
    }

    /// <summary>The index argument as float indices: an IntTensor input, or a view of one, is converted (and checked on the
    /// host against the dim's size).</summary>
    private static Node IndexOperand(Call c, Node x, int dim)
    {
        var index = c.Required("index");
        if (GraphBuilder.IntInput(index) is not null)
        {
            if (!x.Shape[dim].IsConstant) throw c.Fail($"An index into the named dim '{x.Shape[dim]}'");
            return c.B.AsIndices(index, x.Shape[dim].Coefficient);
        }
        return index;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>
/// Creation ops (torch.zeros, ones, full, *_like, arange, linspace, logspace, eye): tensors made in the graph from
/// build-time numbers, so a model needs no host array for them. They compose existing rows: a constant expanded to
/// the shape, and for ranges the running count of ones (CumSum), exact in float up to 2^24.
/// </summary>
internal static partial class Lowerings
{
    /// <summary>The longest range: float32 counts every integer exactly only up to 2^24.</summary>
    private const int MaxRange = 1 << 24;

    public static Node Zeros(Call c) => Filled(c, c.Ints("size"), 0);
    public static Node Ones(Call c) => Filled(c, c.Ints("size"), 1);
    public static Node Full(Call c) => Filled(c, c.Ints("size"), c.Number("fillValue", 0));

    public static Node ZerosLike(Call c) => c.B.Expand(c.B.Const(0), c.X().Shape);
    public static Node OnesLike(Call c) => c.B.Expand(c.B.Const(1), c.X().Shape);
    public static Node FullLike(Call c) => c.B.Expand(c.B.Const(c.Number("fillValue", 0)), c.X().Shape);

    private static Node Filled(Call c, List<int> size, double value)
    {
        if (size.Any(s => s <= 0)) throw c.Fail($"{c.Name} of size [{string.Join(", ", size)}] (every size must be positive)");
        if (size.Aggregate(1L, (a, s) => Math.Min(a * s, 1L << 40)) > Lowerer.MaxElements) throw c.Fail($"{c.Name} of size [{string.Join(", ", size)}], more elements than a plan holds");
        return c.B.Expand(c.B.Const(value), new Shape(size.Select(s => Size.Of(s))));
    }

    public static Node Arange(Call c)
    {
        double start = c.Number("start", 0), end = c.Number("end", 0), step = c.Number("step", 1);
        double count = Math.Ceiling((end - start) / step);
        if (step == 0 || double.IsNaN(count) || count < 1)
            throw c.Fail(FormattableString.Invariant($"Arange({start}, {end}, {step}), which is empty (a tensor here has at least one element)"));
        return Range(c, count, start, step);
    }

    public static Node Linspace(Call c)
    {
        double start = c.Number("start", 0), end = c.Number("end", 0);
        int steps = c.Int("steps", 0);
        if (steps < 1) throw c.Fail($"Linspace with {steps} steps (at least one)");
        return Range(c, steps, start, steps == 1 ? 0 : (end - start) / (steps - 1));
    }

    public static Node Logspace(Call c)
    {
        int steps = c.Int("steps", 0);
        if (steps < 1) throw c.Fail($"Logspace with {steps} steps (at least one)");
        double start = c.Number("start", 0), end = c.Number("end", 0);
        var exponents = Range(c, steps, start, steps == 1 ? 0 : (end - start) / (steps - 1));
        return c.B.Pow(c.B.Const(c.Number("base", 10)), exponents);
    }

    public static Node Eye(Call c)
    {
        int n = c.Int("n", 0), m = c.Int("m", -1);
        if (m == -1) m = n;
        if (n <= 0 || m <= 0) throw c.Fail($"Eye({n}, {m}) (both sizes must be positive)");
        var rows = c.B.Reshape(Range(c, n, 0, 1), new Shape([Size.Of(n), Size.Of(1)]));
        return c.B.Binary(Arithmetic.Eq, rows, Range(c, m, 0, 1));
    }

    /// <summary>start + step·i for i in [0, count): the running count of ones less one, scaled and shifted.</summary>
    private static Node Range(Call c, double count, double start, double step)
    {
        if (count > MaxRange) throw c.Fail(FormattableString.Invariant($"{c.Name} of {count:0} values (float32 counts exactly only up to {MaxRange:N0})"));
        var shape = new Shape([Size.Of((int)count)]);
        var index = c.B.Sub(c.B.CumSum(c.B.Expand(c.B.Const(1), shape), 0, reverse: false), c.B.Const(1));
        if (step != 1) index = c.B.Mul(index, c.B.Const(step));
        return start == 0 ? index : c.B.Add(index, c.B.Const(start));
    }
}

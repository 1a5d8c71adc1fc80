using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Ir;
using Kiln.Generator.Model;

namespace Kiln.Generator.Ops;

/// <summary>
/// Indexing and the view ops of the language (PyTorch's semantics): every one is a view (no copy) except Repeat.
/// Slices clamp to the dim as Python's do; negative starts, ends and indices count from the end. A named dim ("N")
/// can be kept whole or indexed from the front only: its length is unknown until the plan binds it.
/// </summary>
internal static class Slicing
{
    /// <summary>x[start:end:step] along dim.</summary>
    public static Node Slice(Call c, Node x, int dim, long? start, long? end, long step)
    {
        if (step <= 0) throw c.Invalid($"A slice step of {step} (PyTorch's steps are positive)");
        var size = x.Shape[dim];
        if (!size.IsConstant)
        {
            if ((start ?? 0) == 0 && end is null or long.MaxValue && step == 1) return x;
            throw c.Fail($"A slice of the named dim '{size}' (its length is bound only when the plan is compiled; slice a dim of fixed size, or keep it whole)");
        }
        long n = size.Coefficient;
        long from = Clamp(start ?? 0, n), to = Clamp(end ?? n, n);
        long length = to > from ? (to - from + step - 1) / step : 0;
        if (length == 0) throw c.Fail($"An empty slice [{start}:{end}] of a dim of size {n}");
        var starts = new long[x.Shape.Rank];
        var steps = Enumerable.Repeat(1L, x.Shape.Rank).ToArray();
        starts[dim] = from;
        steps[dim] = step;
        var dims = x.Shape.Dims.ToArray();
        dims[dim] = Size.Of(length);
        return c.B.Strided(x, new NodeAttrs { Axes = Enumerable.Range(0, x.Shape.Rank).ToEquatable(), Starts = starts.ToEquatable(), Steps = steps.ToEquatable() }, new Shape(dims));
    }

    private static long Clamp(long i, long n) => i < 0 ? System.Math.Max(0, i + n) : System.Math.Min(i, n);

    /// <summary>x.select(dim, index): the dim is dropped.</summary>
    public static Node Select(Call c, Node x, int dim, long index)
    {
        var size = x.Shape[dim];
        long written = index;   // as the user wrote it, for the message
        if (index < 0)
        {
            if (!size.IsConstant) throw c.Fail($"A negative index into the named dim '{size}' (its length is bound only when the plan is compiled)");
            index += size.Coefficient;
        }
        if (index < 0 || (size.IsConstant && index >= size.Coefficient))
            throw new ShapeException(Diagnostics.Descriptors.IndexOutOfRange, c.Name, written.ToString(), dim.ToString(), size.ToString());
        // a named dim's length is known when the plan is compiled: it must hold the index then; an index no plan can hold
        // (its element offset past the most a plan holds) is reported now (x[2147483647] of [N, 3] wrote an offset of
        // 6,442,450,941 into the generated code, which did not compile)
        if (!size.IsConstant && (index + 1) * x.Shape.Dims.Skip(dim + 1).Aggregate(1L, (a, d) => a * (d.IsConstant ? d.Coefficient : 1)) > Check.Lowerer.MaxElements)
            throw new ShapeException(Diagnostics.Descriptors.IndexOutOfRange, c.Name, written.ToString(), dim.ToString(), $"{size} (a plan holds at most {Check.Lowerer.MaxElements:N0} elements)");
        if (!size.IsConstant && index > 0) c.B.Require(size, index + 1, $"{c.Name}: index {index} of dim {dim} (of size {size})");
        var starts = new long[x.Shape.Rank];
        starts[dim] = index;
        var axes = Enumerable.Range(0, x.Shape.Rank).Where(i => i != dim).ToArray();
        return c.B.Strided(x, new NodeAttrs { Axes = axes.ToEquatable(), Starts = starts.ToEquatable(), Steps = axes.Select(_ => 1L).ToEquatable() },
            new Shape(axes.Select(i => x.Shape[i])));
    }

    /// <summary>
    /// x[i, j.., ^1.., ...]: ints select (dropping the dim), ranges slice, one ellipsis stands for the dims not named;
    /// the indices arrive as the parser's constants ("range:1:^1", "ellipsis") and numbers.
    /// </summary>
    public static Node Index(Call c, Node x, IReadOnlyList<Value> indices)
    {
        int ellipses = indices.Count(v => v.Constant == "ellipsis");
        if (ellipses > 1) throw c.Invalid("An index with more than one ellipsis");
        int named = indices.Count - ellipses;
        if (named > x.Shape.Rank) throw new ShapeException(Diagnostics.Descriptors.DimOutOfRange, "Index", named.ToString(), x.Shape.Rank.ToString());
        // walk from the last index so earlier dims keep their numbers as later ones are dropped
        var expanded = new List<Value?>();
        foreach (var v in indices)
        {
            if (v.Constant == "ellipsis") expanded.AddRange(Enumerable.Repeat<Value?>(null, x.Shape.Rank - named));
            else expanded.Add(v);
        }
        for (int dim = expanded.Count - 1; dim >= 0; dim--)
        {
            var v = expanded[dim];
            if (v is null) continue;
            if (v.Number is { } i) x = Select(c, x, dim, (long)i);
            else if (v.Constant is { } text && text.StartsWith("index:^", System.StringComparison.Ordinal))
            {
                // ^k is Python's -k; ^0 is one past the end (C#'s meaning), which no element is
                long k = long.Parse(text.Substring(7));
                if (k == 0)
                    throw x.Shape[dim].IsConstant
                        ? new ShapeException(Diagnostics.Descriptors.IndexOutOfRange, c.Name, x.Shape[dim].ToString(), dim.ToString(), x.Shape[dim].ToString())
                        : c.Fail($"The index ^0, one past the end of dim '{x.Shape[dim]}'");
                x = Select(c, x, dim, -k);
            }
            else if (v.Constant is { } range && range.StartsWith("range:", System.StringComparison.Ordinal))
            {
                var parts = range.Split(':');
                x = Slice(c, x, dim, Bound(parts[1]), Bound(parts[2]), 1);
            }
            else throw c.Fail("An index that is not an int, a range or Ellipsis");
        }
        return x;
    }

    /// <summary>A range's bound: ^k is Python's -k, and ^0 the end of the dim (C#'s meaning; Slice clamps it to the size).</summary>
    private static long? Bound(string s) => s.Length == 0 ? null : s == "^0" ? long.MaxValue : s[0] == '^' ? -long.Parse(s.Substring(1)) : long.Parse(s);
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Kiln;

/// <summary>
/// Tensors printed as PyTorch prints them (torch/_tensor_str.py with its default print options: precision 4, threshold
/// 1000, edgeitems 3, linewidth 80): one width for every element; integers-valued floats as <c>1.</c>; scientific
/// notation when the nonzero magnitudes span more than 1000× or pass 1e8 (or, for non-integers, go below 1e-4);
/// past 1,000 elements only the first and last 3 of each dim, with <c>...</c> between.
/// </summary>
internal static class TensorFormat
{
    private const int Precision = 4, Threshold = 1000, EdgeItems = 3, LineWidth = 80;
    private const string Prefix = "tensor(";

    public static string Format(Layout layout, float[] data)
    {
        var (format, width) = FloatFormatter(Positions(layout).Select(p => data[p]).ToList());
        return Render(layout, p => format(data[p]), width);
    }

    public static string FormatBool(Layout layout, float[] data) => Padded(layout, p => data[p] != 0 ? "True" : "False");

    public static string FormatInt(Layout layout, int[] data) => Padded(layout, p => data[p].ToString(CultureInfo.InvariantCulture));

    /// <summary>Non-float elements: their text padded to the widest one printed.</summary>
    private static string Padded(Layout layout, Func<int, string> text)
    {
        int width = Positions(layout).Select(p => text(p).Length).DefaultIfEmpty(1).Max();
        return Render(layout, p => text(p).PadLeft(width), width);
    }

    /// <summary>The format of each element and the width PyTorch counts per element when it wraps lines.</summary>
    private static (Func<float, string> Format, int Width) FloatFormatter(List<float> values)
    {
        var finite = values.Where(v => float.IsFinite(v) && v != 0).ToList();
        if (finite.Count == 0)
            // no nonzero finite value (zeros, nan, inf): integer mode at PyTorch's initial width of 1
            return (v => Fixed(v, 0) + (float.IsFinite(v) ? "." : ""), 1);
        double min = finite.Min(v => Math.Abs((double)v)), max = finite.Max(v => Math.Abs((double)v));
        bool intMode = finite.All(v => v == MathF.Ceiling(v));
        bool sci = intMode ? max / min > 1000.0 || max > 1.0e8 : max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
        int width;
        if (sci) width = finite.Max(v => Scientific(v).Length);
        else if (intMode) width = finite.Max(v => Fixed(v, 0).Length + 1);
        else width = finite.Max(v => Fixed(v, Precision).Length);
        width = Math.Max(width, 1);
        return (v =>
        {
            string s = sci ? Scientific(v) : intMode ? Fixed(v, 0) + (float.IsFinite(v) ? "." : "") : Fixed(v, Precision);
            return s.PadLeft(width);
        }, width);
    }

    /// <summary>Python's <c>f"{v:.{digits}f}"</c> of the float's exact value.</summary>
    private static string Fixed(float v, int digits) =>
        float.IsNaN(v) ? "nan" : float.IsPositiveInfinity(v) ? "inf" : float.IsNegativeInfinity(v) ? "-inf"
        : ((double)v).ToString("F" + digits, CultureInfo.InvariantCulture);

    /// <summary>Python's <c>f"{v:.4e}"</c>: a mantissa of 4 decimals and an exponent of at least two digits.</summary>
    private static string Scientific(float v)
    {
        if (!float.IsFinite(v)) return Fixed(v, 0);
        string s = ((double)v).ToString("E" + Precision, CultureInfo.InvariantCulture); // 1.2346E+003
        int e = s.IndexOf('E');
        int exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return s[..e] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>Where the printed elements are in storage: all of them, or when summarising only the edges of each dim.</summary>
    private static List<int> Positions(Layout layout)
    {
        bool summarize = layout.Numel > Threshold;
        var positions = new List<int>();
        void Walk(Layout l)
        {
            if (l.Rank == 0) { positions.Add(l.Offset); return; }
            foreach (int i in Indices(l.Shape[0], summarize)) Walk(l.Select(0, i));
        }
        if (layout.Numel > 0) Walk(layout);
        return positions;
    }

    /// <summary>The positions printed along a dim of <paramref name="size"/>: the edges when summarising a long dim (-1 marks the gap).</summary>
    private static IEnumerable<int> Indices(int size, bool summarize)
    {
        if (!summarize || size <= 2 * EdgeItems) return Enumerable.Range(0, size);
        return Enumerable.Range(0, EdgeItems).Concat(Enumerable.Range(size - EdgeItems, EdgeItems));
    }

    /// <summary>The text of a tensor whose element at storage position p prints as format(p).</summary>
    private static string Render(Layout layout, Func<int, string> format, int width)
    {
        if (layout.Numel == 0) return layout.Rank == 1 ? "tensor([])" : $"tensor([], size=({string.Join(", ", layout.Shape)}))";
        return Prefix + Body(layout, format, width, Prefix.Length, layout.Numel > Threshold) + ")";
    }

    private static string Body(Layout l, Func<int, string> format, int width, int indent, bool summarize)
    {
        if (l.Rank == 0) return format(l.Offset);
        int size = l.Shape[0];
        bool gap = summarize && size > 2 * EdgeItems;
        if (l.Rank == 1)
        {
            var items = new List<string>();
            for (int i = 0; i < size; i++)
            {
                if (gap && i == EdgeItems) { items.Add(" ..."); i = size - EdgeItems; }
                items.Add(format(l.Offset + i * l.Strides[0]));
            }
            int perLine = Math.Max(1, (LineWidth - indent) / (width + 2));
            var lines = items.Chunk(perLine).Select(line => string.Join(", ", line));
            return "[" + string.Join(",\n" + new string(' ', indent + 1), lines) + "]";
        }
        var slices = new List<string>();
        for (int i = 0; i < size; i++)
        {
            if (gap && i == EdgeItems) { slices.Add("..."); i = size - EdgeItems; }
            slices.Add(Body(l.Select(0, i), format, width, indent + 1, summarize));
        }
        var separator = new StringBuilder(",").Append('\n', l.Rank - 1).Append(' ', indent + 1).ToString();
        return "[" + string.Join(separator, slices) + "]";
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln;

/// <summary>
/// Plots through ScottPlot: training curves, line and scatter plots, histograms. Each helper draws one picture and
/// writes it to <c>path</c> in the format its extension names (.png, .jpg, .bmp, .webp, .svg); sizes are in pixels.
/// </summary>
public static class Plots
{
    /// <summary>Training curves: each named series (loss, accuracy, ...) against its index, counted from 1 (epochs or steps).
    /// A NaN or infinite value (a run that diverged) breaks its line there, as matplotlib does, and the axes fit the finite ones.</summary>
    public static void Curves(string path, IReadOnlyDictionary<string, IReadOnlyList<double>> series, string title = "Training", string xLabel = "epoch", string yLabel = "", int width = 800, int height = 500)
    {
        if (series.Count == 0 || series.Values.Any(s => s.Count == 0)) throw new ArgumentException("Every series needs at least one value.", nameof(series));
        CheckPath(path);
        var plot = new ScottPlot.Plot();
        var points = new List<(double X, double Y)>();
        foreach (var (name, values) in series)
        {
            var x = Enumerable.Range(1, values.Count).Select(i => (double)i).ToArray();
            AddLine(plot, name, x, values.ToArray(), markers: true);
            points.AddRange(x.Zip(values));
        }
        // epochs and steps are whole numbers: no tick at 1.5 (ScottPlot's automatic ticks halve the step on a short run)
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        Save(plot, path, title, xLabel, yLabel, width, height, legend: series.Count > 1, EmptiestCorner(points));
    }

    /// <summary>
    /// Where the legend covers the fewest points, as matplotlib's loc="best": the corner whose quarter of the data's box
    /// holds the fewest finite points (ties to upper right, upper left, lower left, lower right, matplotlib's order). A
    /// falling loss curve ends in the lower right, where a fixed legend hid its last points.
    /// </summary>
    internal static ScottPlot.Alignment EmptiestCorner(IEnumerable<(double X, double Y)> points)
    {
        var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (finite.Count == 0) return ScottPlot.Alignment.UpperRight;
        double x0 = finite.Min(p => p.X), x1 = finite.Max(p => p.X), y0 = finite.Min(p => p.Y), y1 = finite.Max(p => p.Y);
        double Fx(double x) => x1 > x0 ? (x - x0) / (x1 - x0) : 0.5;
        double Fy(double y) => y1 > y0 ? (y - y0) / (y1 - y0) : 0.5;
        (ScottPlot.Alignment Corner, Func<double, double, bool> Holds)[] corners =
        [
            (ScottPlot.Alignment.UpperRight, (x, y) => x >= 0.5 && y >= 0.5),
            (ScottPlot.Alignment.UpperLeft, (x, y) => x <= 0.5 && y >= 0.5),
            (ScottPlot.Alignment.LowerLeft, (x, y) => x <= 0.5 && y <= 0.5),
            (ScottPlot.Alignment.LowerRight, (x, y) => x >= 0.5 && y <= 0.5),
        ];
        return corners.MinBy(c => finite.Count(p => c.Holds(Fx(p.X), Fy(p.Y)))).Corner;
    }

    /// <summary>Lines of y against shared x values, one per named series (seed 001's MSE against w, seed 003's activation curves).
    /// A point with a NaN or infinite coordinate breaks its line.</summary>
    public static void Lines(string path, IReadOnlyList<double> x, IReadOnlyDictionary<string, IReadOnlyList<double>> ys, string title = "", string xLabel = "x", string yLabel = "y", int width = 800, int height = 500)
    {
        if (ys.Values.Any(y => y.Count != x.Count)) throw new ArgumentException($"Every series needs one value per x ({x.Count}).", nameof(ys));
        CheckPath(path);
        var plot = new ScottPlot.Plot();
        foreach (var (name, y) in ys) AddLine(plot, name, x.ToArray(), y.ToArray(), markers: false);
        Save(plot, path, title, xLabel, yLabel, width, height, legend: ys.Count > 1, EmptiestCorner(ys.Values.SelectMany(y => x.Zip(y))));
    }

    /// <summary>One named series as lines through its finite points: each run of finite points its own line, in one colour
    /// under one legend entry (ScottPlot would draw none of a line holding a NaN and scale the axes to it).</summary>
    private static void AddLine(ScottPlot.Plot plot, string name, double[] x, double[] y, bool markers)
    {
        ScottPlot.Color? color = null;
        for (int i = 0; i < x.Length;)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i])) { i++; continue; }
            int start = i;
            while (i < x.Length && double.IsFinite(x[i]) && double.IsFinite(y[i])) i++;
            var run = plot.Add.Scatter(x[start..i], y[start..i]);
            if (color is { } c) run.Color = c; else { color = run.Color; run.LegendText = name; }
            if (!markers) run.MarkerSize = 0;
        }
    }

    /// <summary>Points (x, y).</summary>
    public static void Scatter(string path, IReadOnlyList<double> x, IReadOnlyList<double> y, string title = "", string xLabel = "x", string yLabel = "y", int width = 800, int height = 500)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} x values for {y.Count} y values.", nameof(y));
        CheckPath(path);
        var plot = new ScottPlot.Plot();
        var finite = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();   // NaN and ±∞ are not drawn
        plot.Add.ScatterPoints(finite.Select(i => x[i]).ToArray(), finite.Select(i => y[i]).ToArray());
        Save(plot, path, title, xLabel, yLabel, width, height, legend: false);
    }

    /// <summary>Histograms of named samples over common bins (a GAN's real against generated data). NaN and infinite values
    /// are left out (numpy's histogram cannot place them either); samples of one value get bins around it, as numpy's.</summary>
    public static void Histograms(string path, IReadOnlyDictionary<string, IReadOnlyList<double>> samples, int bins = 40, string title = "", string xLabel = "value", int width = 800, int height = 500)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "A histogram needs at least one bin.");
        CheckPath(path);
        // the legend above the bins' tails, which start at 0 now (in the lower right it covered them)
        Save(HistogramPlot(samples, bins), path, title, xLabel, "count", width, height, legend: samples.Count > 1, ScottPlot.Alignment.UpperRight);
    }

    /// <summary>The histograms' plot, before its labels and legend.</summary>
    internal static ScottPlot.Plot HistogramPlot(IReadOnlyDictionary<string, IReadOnlyList<double>> samples, int bins)
    {
        var all = samples.Values.SelectMany(s => s).Where(double.IsFinite).ToArray();
        if (all.Length == 0) throw new ArgumentException("No finite values to count.", nameof(samples));
        double lo = all.Min(), hi = all.Max();
        if (hi == lo) (lo, hi) = (lo - 0.5, hi + 0.5);
        double step = (hi - lo) / bins;
        var plot = new ScottPlot.Plot();
        double most = 0;
        foreach (var (name, values) in samples)
        {
            var counts = new double[bins];
            foreach (var v in values)
                if (double.IsFinite(v)) counts[Math.Clamp((int)((v - lo) / step), 0, bins - 1)]++;
            var (xs, ys) = Outline(lo, step, counts);
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = name;
            line.ConnectStyle = ScottPlot.ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            most = Math.Max(most, counts.Max());
        }
        // counts start at 0 (ScottPlot's autoscale put a margin below it, down to -5)
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, Math.Max(1, most) * 1.05);
        return plot;
    }

    /// <summary>A histogram's outline as matplotlib's step histogram draws it: up from 0 at the first edge, each count
    /// across its bin [lo + i·step, lo + (i + 1)·step], down to 0 at the last edge (points joined by horizontal steps).</summary>
    internal static (double[] X, double[] Y) Outline(double lo, double step, double[] counts)
    {
        int bins = counts.Length;
        var x = new double[bins + 3];
        var y = new double[bins + 3];
        x[0] = lo;
        for (int i = 0; i <= bins; i++) (x[i + 1], y[i + 1]) = (lo + i * step, counts[Math.Min(i, bins - 1)]);
        x[bins + 2] = lo + bins * step;
        return (x, y);
    }

    private static readonly string[] Formats = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".svg"];

    /// <summary>The picture is written in the format its extension names; another extension is an error before any drawing.</summary>
    private static void CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (!Formats.Contains(extension))
            throw new ArgumentException($"'{path}': a plot is written as {string.Join(", ", Formats)} (by its extension); '{extension}' is none of them.", nameof(path));
    }

    private static void Save(ScottPlot.Plot plot, string path, string title, string xLabel, string yLabel, int width, int height, bool legend,
        ScottPlot.Alignment? legendAt = null)
    {
        if (title.Length > 0) plot.Title(title);
        plot.XLabel(xLabel);
        if (yLabel.Length > 0) plot.YLabel(yLabel);
        if (legend && legendAt is { } at) plot.ShowLegend(at);
        else if (legend) plot.ShowLegend();
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) System.IO.Directory.CreateDirectory(folder);
        plot.Save(path, width, height);
    }
}

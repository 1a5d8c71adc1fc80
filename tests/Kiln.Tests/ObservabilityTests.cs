using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>TensorBoard event files (decoded by an independent reader), PNG plots, progress lines and visible device choice.</summary>
public class ObservabilityTests
{
    private static string TempDir() => Path.Combine(Path.GetTempPath(), "kiln-tb-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void The_legend_goes_where_the_curves_are_not()
    {
        // matplotlib's loc="best", as a new user expected: a falling loss ends in the lower right, where the legend hid it
        (double, double)[] Points(params double[] y) => y.Select((v, i) => ((double)i + 1, v)).ToArray();
        Assert.Equal(ScottPlot.Alignment.UpperRight, Plots.EmptiestCorner(Points(1, .5, .3, .25, .2)));
        Assert.Equal(ScottPlot.Alignment.LowerRight, Plots.EmptiestCorner(Points(.1, .4, .7, .8, .9)));   // a rising accuracy: lower right
        Assert.Equal(ScottPlot.Alignment.UpperRight, Plots.EmptiestCorner(Points(double.NaN)));
    }

    [Fact]
    public void Scalars_and_histograms_decode_with_their_tags_steps_values_and_checksums()
    {
        var dir = TempDir();
        try
        {
            string file;
            using (var writer = new SummaryWriter(dir))
            {
                file = writer.FilePath;
                for (int step = 0; step < 5; step++) writer.AddScalar("loss/train", 1.0 / (step + 1), step, wallTime: 1000 + step);
                writer.AddHistogram("weights", [0.5f, -1.25f, 3f, 3f, 0f, 1e-3f], globalStep: 7, wallTime: 2000);
            }
            var events = EventFileReader.Read(file);   // verifies every record's two masked CRC-32Cs
            Assert.Equal("brain.Event:2", events[0].FileVersion);
            var scalars = events.Where(e => e.Values.Any(v => v.Tag == "loss/train")).ToList();
            Assert.Equal([0L, 1, 2, 3, 4], scalars.Select(e => e.Step));
            Assert.Equal([1000.0, 1001, 1002, 1003, 1004], scalars.Select(e => e.WallTime));
            for (int i = 0; i < 5; i++) Assert.Equal((float)(1.0 / (i + 1)), scalars[i].Values.Single().SimpleValue);
            var histogram = Assert.Single(events, e => e.Values.Any(v => v.Tag == "weights"));
            Assert.Equal(7, histogram.Step);
            var h = histogram.Values.Single().Histogram!;
            Assert.Equal(-1.25, h.Min);
            Assert.Equal(3, h.Max);
            Assert.Equal(6, h.Num);
            Assert.Equal(0.5 - 1.25 + 3 + 3 + 0 + (double)1e-3f, h.Sum, 9);
            Assert.Equal(0.25 + 1.5625 + 9 + 9 + 0 + (double)1e-3f * 1e-3f, h.SumSquares, 9);
            Assert.Equal(6, h.Buckets.Sum());
            Assert.Equal(h.Buckets.Length, h.BucketLimits.Length);
            Assert.True(h.BucketLimits.Zip(h.BucketLimits.Skip(1)).All(p => p.First < p.Second), "bucket limits increase");
            // each value lies in its bucket: [previous limit, limit), as numpy's histogram counts (PyTorch's make_histogram)
            foreach (var v in new[] { 0.5, -1.25, 3.0, 0.0 })
            {
                int i = Array.FindIndex(h.BucketLimits, l => v < l);
                Assert.True(i > 0 && h.Buckets[i] > 0 && v >= h.BucketLimits[i - 1], $"{v} is not counted in its bucket");
            }
            Assert.Equal(0, h.Buckets[0]);   // the empty bucket PyTorch keeps left of the first one holding values
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_histogram_of_one_value_is_PyTorch_s_two_buckets()
    {
        // torch.utils.tensorboard's add_histogram (bins="tensorflow"): numpy's histogram over the edges ±1e-12·1.1^k and 0,
        // trimmed to the buckets holding values plus the empty one left of them: one value v gives limits [e_k, e_k+1]
        // with counts [0, 1], where e_k ≤ v < e_k+1
        var edges = new List<double>();
        for (double e = 1e-12; e < 1e20; e *= 1.1) edges.Add(e);
        var all = edges.Select(e => -e).Reverse().Append(0).Concat(edges).ToList();
        var dir = TempDir();
        try
        {
            string file;
            using (var writer = new SummaryWriter(dir)) { file = writer.FilePath; writer.AddHistogram("one", [0.5]); writer.AddHistogram("edge", [all[300]]); }
            foreach (var (tag, v) in new[] { ("one", 0.5), ("edge", all[300]) })
            {
                var h = EventFileReader.Read(file).Single(e => e.Values.Any(x => x.Tag == tag)).Values.Single().Histogram!;
                int k = all.FindLastIndex(e => e <= v);
                Assert.Equal([all[k], all[k + 1]], h.BucketLimits);
                Assert.Equal([0.0, 1.0], h.Buckets);
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_terminating_signal_flushes_open_writers_and_leaves_them_open()
    {
        // SIGTERM ends a .NET process without ProcessExit: a new user's killed run kept only the file's first record (its
        // handler, FlushOpen, was checked by hand with kill -TERM; here it runs directly)
        var dir = TempDir();
        try
        {
            using var writer = new SummaryWriter(dir, flushSecs: 3600);
            writer.AddScalar("loss", 0.5, 1);
            var copy = Path.Combine(dir, "copy");
            File.Copy(writer.FilePath, copy);
            Assert.DoesNotContain(EventFileReader.Read(copy), e => e.Values.Any(v => v.Tag == "loss"));   // buffered until a flush
            SummaryWriter.FlushOpen();
            File.Copy(writer.FilePath, copy, overwrite: true);
            Assert.Equal(0.5f, Assert.Single(EventFileReader.Read(copy), e => e.Values.Any(v => v.Tag == "loss")).Values.Single().SimpleValue);
            writer.AddScalar("loss", 0.25, 2);   // still open: a program that handles the signal itself goes on writing
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Add_scalars_writes_one_run_per_key_under_the_main_tag()
    {
        var dir = TempDir();
        try
        {
            using (var writer = new SummaryWriter(dir))
                for (int step = 0; step < 3; step++)
                    writer.AddScalars("loss", new Dictionary<string, double> { ["train"] = step, ["test"] = 10 + step }, step);
            foreach (var (key, offset) in new[] { ("train", 0), ("test", 10) })
            {
                var file = Assert.Single(Directory.GetFiles(Path.Combine(dir, "loss_" + key), "events.out.tfevents.*"));
                var values = EventFileReader.Read(file).Where(e => e.Values.Count > 0).ToList();
                Assert.All(values, e => Assert.Equal("loss", e.Values.Single().Tag));
                Assert.Equal([offset, offset + 1f, offset + 2f], values.Select(e => e.Values.Single().SimpleValue!.Value));
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_closed_writer_refuses_more_records()
    {
        var dir = TempDir();
        try
        {
            var writer = new SummaryWriter(dir);
            writer.Close();
            Assert.Throws<ObjectDisposedException>(() => writer.AddScalar("x", 1));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, b.Take(8).ToArray());
        return ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19], (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23]);
    }

    [Fact]
    public void Each_plot_helper_writes_a_png_of_the_asked_size()
    {
        var dir = TempDir();
        try
        {
            var loss = new List<double> { 1.0, 0.6, 0.4, 0.3 };
            Plots.Curves(Path.Combine(dir, "curves.png"), new Dictionary<string, IReadOnlyList<double>> { ["loss"] = loss, ["accuracy"] = [0.5, 0.6, 0.7, 0.75] }, width: 400, height: 300);
            var w = Enumerable.Range(0, 41).Select(i => i * 0.1).ToList();
            Plots.Lines(Path.Combine(dir, "mse.png"), w, new Dictionary<string, IReadOnlyList<double>> { ["MSE"] = w.Select(v => (v - 2) * (v - 2) * 14 / 3).ToList() }, "MSE against w", "w", "MSE", 320, 240);
            Plots.Scatter(Path.Combine(dir, "scatter.png"), [1, 2, 3], [2, 4, 6], width: 200, height: 100);
            Plots.Histograms(Path.Combine(dir, "hist.png"), new Dictionary<string, IReadOnlyList<double>> { ["real"] = [1, 2, 2, 3], ["fake"] = [2, 3, 3, 4] }, bins: 4, width: 300, height: 200);
            Assert.Equal((400, 300), PngSize(Path.Combine(dir, "curves.png")));
            Assert.Equal((320, 240), PngSize(Path.Combine(dir, "mse.png")));
            Assert.Equal((200, 100), PngSize(Path.Combine(dir, "scatter.png")));
            Assert.Equal((300, 200), PngSize(Path.Combine(dir, "hist.png")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Progress_on_a_terminal_redraws_one_line_with_rate_time_left_and_reported_values()
    {
        var output = new StringWriter();
        var elapsed = TimeSpan.Zero;
        var bar = Progress.WithClock(Enumerable.Range(0, 10).ToList(), "epoch 1", output, interactive: true, clock: () => elapsed);
        foreach (var i in bar)
        {
            elapsed += TimeSpan.FromMilliseconds(250);   // 4 items a second
            bar.Report("loss", 1.0 / (i + 1));
        }
        var text = output.ToString();
        Assert.Contains("\r", text);
        Assert.Contains("epoch 1", text);
        Assert.Contains("10/10", text);
        Assert.Contains("4.0 it/s", text);
        Assert.Contains("00:01 left", text);   // after 6 of 10 at 4/s
        Assert.Contains("loss=0.1", text);
        Assert.EndsWith(Environment.NewLine, text);
    }

    [Fact]
    public void Progress_into_a_log_writes_one_summary_line()
    {
        var output = new StringWriter();
        var bar = Progress.Over(Enumerable.Range(0, 25).ToList(), "epoch 3", output: output, interactive: false);
        foreach (var _ in bar) bar.Report("loss", 0.5);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.DoesNotContain("\r", line);
        Assert.StartsWith("epoch 3  25/25", line);
        Assert.Contains("loss=0.5", line);
    }

    /// <summary>tqdm closes its bar however the loop ends: early stopping (break) and an exception still leave the last
    /// line, once, ending its line; a tiny reported value keeps its digits.</summary>
    [Fact]
    public void Progress_writes_its_last_line_after_a_break_or_an_exception_once()
    {
        var log = new StringWriter();
        var bar = Progress.Over(Enumerable.Range(0, 100).ToList(), "early", output: log, interactive: false);
        foreach (var i in bar)
        {
            bar.Report("loss", 1e-9);
            if (i == 4) break;
        }
        var line = Assert.Single(log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("early  4/100", line);
        Assert.Contains("loss=1E-09", line);

        var terminal = new StringWriter();
        var elapsed = TimeSpan.Zero;
        var failing = Progress.WithClock(Enumerable.Range(0, 10).ToList(), "crash", terminal, interactive: true, clock: () => elapsed += TimeSpan.FromSeconds(1));
        Assert.Throws<InvalidOperationException>(() => { foreach (var i in failing) if (i == 2) throw new InvalidOperationException("diverged"); });
        Assert.EndsWith(Environment.NewLine, terminal.ToString());   // the next output starts on its own line

        var done = new StringWriter();
        foreach (var _ in Progress.WithClock(Enumerable.Range(0, 3).ToList(), "three", done, interactive: true, clock: () => elapsed += TimeSpan.FromSeconds(1))) { }
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(done.ToString(), "3/3"));   // the final frame, drawn once
    }

    [Fact]
    public void Plots_skip_values_they_cannot_draw_and_write_the_format_their_extension_names()
    {
        var dir = TempDir();
        try
        {
            // a diverged run: the curve breaks at NaN and ∞ and the picture is still written
            Plots.Curves(Path.Combine(dir, "loss.png"), new Dictionary<string, IReadOnlyList<double>> { ["loss"] = [1, .5, .3, double.NaN, .2, double.PositiveInfinity, .1] });
            Assert.Equal((800, 500), PngSize(Path.Combine(dir, "loss.png")));
            Plots.Histograms(Path.Combine(dir, "h.png"), new Dictionary<string, IReadOnlyList<double>> { ["x"] = [1, 2, double.NaN, 3] });
            Plots.Histograms(Path.Combine(dir, "one.png"), new Dictionary<string, IReadOnlyList<double>> { ["x"] = [2, 2, 2] });   // bins around the one value
            // counts start at 0: the autoscaled axis went below it (a new user saw the histogram's axis reach -5)
            var limits = Plots.HistogramPlot(new Dictionary<string, IReadOnlyList<double>> { ["x"] = [1, 2, 2, 3, 3, 3] }, bins: 3).Axes.GetLimits();
            Assert.Equal(0, limits.Bottom);
            Assert.InRange(limits.Top, 3, 3.5);
            // each bin drawn across its edges, the data's range on the axis (they were drawn from centre to centre, the
            // last bin a bare vertical line): [0, 1) holds 2, [1, 2] holds 4
            var (x, y) = Plots.Outline(0, 1, [2, 4]);
            Assert.Equal([0.0, 0, 1, 2, 2], x);
            Assert.Equal([0.0, 2, 4, 4, 0], y);
            var edges = Plots.HistogramPlot(new Dictionary<string, IReadOnlyList<double>> { ["a"] = [0, 0, 1, 1, 1, 2] }, bins: 2).Axes.GetLimits();
            Assert.True(edges.Left <= 0 && edges.Right >= 2, $"x axis {edges.Left}..{edges.Right} should cover the data's 0..2");
            Assert.Throws<ArgumentException>(() => Plots.Histograms(Path.Combine(dir, "nan.png"), new Dictionary<string, IReadOnlyList<double>> { ["x"] = [double.NaN] }));
            Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Histograms(Path.Combine(dir, "zero.png"), new Dictionary<string, IReadOnlyList<double>> { ["x"] = [1, 2] }, bins: 0));
            Plots.Scatter(Path.Combine(dir, "points.jpg"), [1, 2, double.NaN], [1, 4, 9]);
            var jpeg = File.ReadAllBytes(Path.Combine(dir, "points.jpg"));
            Assert.Equal([0xFF, 0xD8], jpeg[..2]);   // a JPEG, as its name says
            Assert.Contains(".txt", Assert.Throws<ArgumentException>(() => Plots.Scatter(Path.Combine(dir, "points.txt"), [1], [1])).Message);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_writer_is_a_readable_event_file_from_the_start_and_takes_tensors_and_names_its_arguments()
    {
        var dir = TempDir();
        try
        {
            using var writer = new SummaryWriter(dir);
            Assert.True(new FileInfo(writer.FilePath).Length > 0);   // the version record is on disk before any flush
            Assert.Equal("tag", Assert.Throws<ArgumentNullException>(() => writer.AddScalar(null!, 1)).ParamName);
            writer.AddHistogram("w", Tensor.From(1f, 2f, 3f));
            writer.AddHistogram("d", (ReadOnlySpan<double>)[0.5, 1.5]);
            // the exit handler on a thread that crashed inside a write (holding the writer's lock) leaves the file alone
            var gate = typeof(SummaryWriter).GetField("_gate", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(writer)!;
            var onExit = typeof(SummaryWriter).GetMethod("OnExit", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
            lock (gate) onExit.Invoke(writer, [null, EventArgs.Empty]);
            writer.AddScalar("still open", 1);   // not disposed
            onExit.Invoke(writer, [null, EventArgs.Empty]);
            Assert.Throws<ObjectDisposedException>(() => writer.AddScalar("closed", 1));   // on a clean exit it closes
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_data_loader_gives_the_bar_its_length()
    {
        var data = new TensorDataset(new float[40], 4, new float[10], 1);
        var output = new StringWriter();
        foreach (var _ in Progress.Over(new DataLoader(data, 3), output: output, interactive: false)) { }
        Assert.Contains("4/4", output.ToString());
    }

    [Fact]
    public void Best_says_what_it_picked_and_why_it_skipped_the_others()
    {
        var explain = new StringWriter();
        using var d = Device.Choose(null, explain);
        var lines = explain.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("picked", lines[^1]);
        Assert.Contains(d.Name, lines[^1]);
        var probe = Device.Probe();
        if (!probe.Single(p => p.Kind == DeviceKind.Cuda).Available) Assert.Contains(lines, l => l.StartsWith("skipped cuda: ") && l.Contains("CUDA"));
    }

    [Fact]
    public void A_forced_device_that_is_missing_says_so_and_lists_what_is_here()
    {
        if (Device.Probe().Single(p => p.Kind == DeviceKind.Cuda).Available) return;   // only meaningful where CUDA is absent
        var e = Assert.Throws<NotSupportedException>(() => Device.Choose("cuda", null));
        Assert.Contains("KILN_DEVICE=cuda", e.Message);
        Assert.Contains("No CUDA device", e.Message);
        Assert.Contains("Devices available here: cpu, ilgpu-cpu", e.Message);
        var unknown = Assert.Throws<NotSupportedException>(() => Device.Choose("tpu", null)).Message;
        Assert.Contains("KILN_DEVICE=tpu: Unknown device 'tpu'", unknown);
        Assert.DoesNotContain("(Parameter", unknown);   // .NET's suffix of the inner message landed mid-sentence
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Kiln;

/// <summary>
/// Progress for long loops, as tqdm gives PyTorch users: wrap a DataLoader, a range or any sequence, and an interactive
/// terminal shows the count, a bar, iterations per second, the time left and the latest values you report
/// (<see cref="Report"/>), redrawn at most ten times a second on one line. When the output is redirected (a log, CI) it
/// stays quiet and writes one summary line when the loop ends, so logs do not fill with redraws. The last line is written
/// however the loop ends: after its last item, a <c>break</c>, or an exception. Reported values show four significant
/// digits (1e-09 stays 1E-09).
/// </summary>
public sealed class Progress<T> : IEnumerable<T>
{
    private readonly IEnumerable<T> _items;
    private readonly string _description;
    private readonly int? _total;
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly Func<TimeSpan> _clock;
    private readonly SortedDictionary<string, double> _postfix = new(StringComparer.Ordinal);
    private TimeSpan? _lastDraw;

    internal Progress(IEnumerable<T> items, string description, int? total, TextWriter output, bool interactive, Func<TimeSpan> clock)
    {
        (_items, _description, _output, _interactive, _clock) = (items, description, output, interactive, clock);
        _total = total ?? (items is ICollection<T> c ? c.Count : items is IReadOnlyCollection<T> r ? r.Count : null);
    }

    /// <summary>Items done so far.</summary>
    public int Count { get; private set; }

    /// <summary>Shows <paramref name="value"/> beside the bar (tqdm's set_postfix), e.g. the latest loss.</summary>
    public void Report(string name, double value) => _postfix[name] = value;

    public IEnumerator<T> GetEnumerator()
    {
        var start = _clock();
        Count = 0;
        // the last line is drawn however the loop ends (tqdm closes its bar too): at the end, a break (early stopping)
        // or an exception in the loop's body, each of which disposes this enumerator
        try
        {
            foreach (var item in _items)
            {
                yield return item;
                Count++;
                if (_interactive && Count != _total)
                {
                    var now = _clock();
                    if (_lastDraw is not { } last || now - last >= TimeSpan.FromMilliseconds(100)) { Draw(now - start, final: false); _lastDraw = now; }
                }
            }
        }
        finally { Draw(_clock() - start, final: true); }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The status line: "desc 37/100 [=======>   ] 12.3 it/s, 00:05 left, loss=0.1234".</summary>
    internal string Line(TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        double rate = elapsed.TotalSeconds > 0 ? Count / elapsed.TotalSeconds : 0;
        var parts = new List<string>();
        if (_description.Length > 0) parts.Add(_description);
        if (_total is { } total && total > 0)
        {
            int filled = (int)Math.Round(20.0 * Math.Min(Count, total) / total);
            parts.Add($"{Count}/{total} [{new string('=', filled)}{(filled < 20 ? ">" : "")}{new string(' ', Math.Max(0, 19 - filled))}]");
        }
        else parts.Add(Count.ToString(inv));
        parts.Add(rate.ToString(rate >= 100 ? "F0" : "F1", inv) + " it/s");
        if (_total is { } t && rate > 0 && Count < t) parts.Add(Clock(TimeSpan.FromSeconds((t - Count) / rate)) + " left");
        else parts.Add(Clock(elapsed));
        if (_postfix.Count > 0) parts.Add(string.Join(", ", _postfix.Select(kv => $"{kv.Key}={kv.Value.ToString("G4", inv)}")));
        return string.Join("  ", parts);
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);

    private void Draw(TimeSpan elapsed, bool final)
    {
        if (_interactive) _output.Write("\r" + Line(elapsed).PadRight(79) + (final ? Environment.NewLine : ""));
        else if (final) _output.WriteLine(Line(elapsed));
        _output.Flush();
    }
}

/// <summary>Makes <see cref="Progress{T}"/> bars.</summary>
public static class Progress
{
    /// <summary>
    /// Wraps <paramref name="items"/> in a progress bar on <paramref name="output"/> (the console by default), drawn live
    /// when the output is a terminal (or <paramref name="interactive"/> says so) and summarised in one line otherwise.
    /// </summary>
    public static Progress<T> Over<T>(IEnumerable<T> items, string description = "", int? total = null, TextWriter? output = null, bool? interactive = null)
    {
        var watch = Stopwatch.StartNew();
        return new Progress<T>(items, description, total, output ?? Console.Out, interactive ?? (output is null && !Console.IsOutputRedirected), () => watch.Elapsed);
    }

    /// <summary>A bar over 0 .. count - 1 (tqdm's trange).</summary>
    public static Progress<int> Range(int count, string description = "", TextWriter? output = null, bool? interactive = null) =>
        Over(Enumerable.Range(0, count), description, count, output, interactive);

    internal static Progress<T> WithClock<T>(IEnumerable<T> items, string description, TextWriter output, bool interactive, Func<TimeSpan> clock) =>
        new(items, description, null, output, interactive, clock);
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace Kiln;

/// <summary>
/// torch.utils.tensorboard.SummaryWriter: scalars, groups of scalars and histograms written as TensorBoard event files
/// (TFRecords: length, masked CRC-32C of the length, an Event protobuf, its masked CRC-32C), readable by
/// <c>tensorboard --logdir runs</c>. No Python is needed to write them. Records are buffered and flushed every
/// <c>flushSecs</c>, on <see cref="Flush"/> and on <see cref="Dispose"/>, and when the process exits (or dies of an
/// unhandled exception) with the writer still open, and on SIGTERM, SIGINT and SIGHUP (kill, Ctrl+C, a closed terminal, a
/// job scheduler's stop), which end a .NET process without its exit handlers.
/// </summary>
public sealed class SummaryWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly TimeSpan _flushEvery;
    private readonly Dictionary<string, SummaryWriter> _groups = new();
    private DateTime _lastFlush = DateTime.UtcNow;
    private bool _disposed;

    /// <param name="logDir">The run's folder; by default runs/&lt;date&gt;_&lt;time&gt;_&lt;host&gt;&lt;comment&gt; as PyTorch names it.</param>
    /// <param name="comment">Appended to the default folder name.</param>
    /// <param name="flushSecs">How often buffered records reach the disk.</param>
    public SummaryWriter(string? logDir = null, string comment = "", int flushSecs = 120)
    {
        LogDir = logDir ?? Path.Combine("runs", $"{DateTime.Now:MMMdd_HH-mm-ss}_{Environment.MachineName}{comment}");
        Directory.CreateDirectory(LogDir);
        _flushEvery = TimeSpan.FromSeconds(Math.Max(0, flushSecs));
        var now = DateTimeOffset.UtcNow;
        FilePath = Path.Combine(LogDir, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..8]}");
        _file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        // the first event names the file format, as TensorFlow's writers do
        var first = new Proto();
        first.Double(1, WallTime(null));
        first.String(3, "brain.Event:2");
        WriteRecord(first.ToArray());
        FlushLocked();   // a file TensorBoard recognises from the start
        // a writer never disposed still reaches the disk when the process ends, or dies of an unhandled exception (as
        // PyTorch's writer flushes at exit)
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        AppDomain.CurrentDomain.UnhandledException += OnExit;
        WatchSignals();
        lock (Open) Open.Add(this);
    }

    /// <summary>The writers not yet disposed: what a terminating signal flushes.</summary>
    private static readonly HashSet<SummaryWriter> Open = new();
    private static PosixSignalRegistration[]? _signals;

    /// <summary>
    /// SIGTERM (kill, timeout, docker stop), SIGINT (Ctrl+C) and SIGHUP end a .NET process without raising ProcessExit, so
    /// a writer's buffered records were lost (a new user's killed run kept only the file's first record). Each flushes
    /// every open writer first; the signal then does what it would have (ends the process, or whatever a handler of the
    /// program's own decides: a writer is only flushed, never closed, so a run that goes on can keep writing).
    /// </summary>
    private static void WatchSignals()
    {
        lock (Open)
        {
            if (_signals is not null) return;
            try { _signals = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, _ => FlushOpen()))]; }
            catch (Exception e) when (e is PlatformNotSupportedException or IOException) { _signals = []; }   // no signals here (a browser, a mobile OS)
        }
    }

    /// <summary>Flushes every open writer (what a terminating signal runs).</summary>
    internal static void FlushOpen()
    {
        SummaryWriter[] open;
        lock (Open) open = [.. Open];
        foreach (var w in open)
            try { w.Flush(); } catch (Exception) { /* closed meanwhile, or the disk is gone: the process is ending */ }
    }

    private void OnExit(object? sender, EventArgs e)
    {
        try { Dispose(); } catch (Exception) { /* the process is ending: nothing to report to */ }
    }

    public string LogDir { get; }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>A scalar under <paramref name="tag"/> at <paramref name="globalStep"/> (add_scalar).</summary>
    public void AddScalar(string tag, double scalarValue, long globalStep = 0, double? wallTime = null)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var value = new Proto();
        value.String(1, tag);
        value.Float(2, (float)scalarValue);
        WriteSummary(value, globalStep, wallTime);
    }

    /// <summary>
    /// Several scalars in one chart (add_scalars): as PyTorch, each goes to a run of its own, logDir/mainTag_key, under the
    /// tag mainTag, so TensorBoard draws them as lines of one plot.
    /// </summary>
    public void AddScalars(string mainTag, IReadOnlyDictionary<string, double> tagScalarDict, long globalStep = 0, double? wallTime = null)
    {
        ArgumentNullException.ThrowIfNull(mainTag);
        ArgumentNullException.ThrowIfNull(tagScalarDict);
        foreach (var (key, v) in tagScalarDict)
        {
            SummaryWriter group;
            lock (_gate)
            {
                ThrowIfDisposed();
                string folder = Path.Combine(LogDir, (mainTag + "_" + key).Replace('/', '_'));
                if (!_groups.TryGetValue(folder, out group!)) _groups[folder] = group = new SummaryWriter(folder, flushSecs: (int)_flushEvery.TotalSeconds);
            }
            group.AddScalar(mainTag, v, globalStep, wallTime);
        }
    }

    /// <summary>A histogram of <paramref name="values"/> (add_histogram) over TensorFlow's default bucket edges.</summary>
    public void AddHistogram(string tag, ReadOnlySpan<float> values, long globalStep = 0, double? wallTime = null)
    {
        var wide = new double[values.Length];
        for (int i = 0; i < values.Length; i++) wide[i] = values[i];
        AddHistogram(tag, (ReadOnlySpan<double>)wide, globalStep, wallTime);
    }

    /// <summary>A histogram of a tensor's values (add_histogram of a weight or its gradient: model.Parameters["fc.weight"]).</summary>
    public void AddHistogram(string tag, Tensor values, long globalStep = 0, double? wallTime = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        AddHistogram(tag, (ReadOnlySpan<float>)values.ToArray(), globalStep, wallTime);
    }

    /// <summary>A histogram of <paramref name="values"/> (add_histogram) over TensorFlow's default bucket edges.</summary>
    public void AddHistogram(string tag, ReadOnlySpan<double> values, long globalStep = 0, double? wallTime = null)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (values.Length == 0) throw new ArgumentException("A histogram needs at least one value.", nameof(values));
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, sumSquares = 0;
        var counts = new double[Edges.Length];
        foreach (var v in values)
        {
            if (double.IsNaN(v)) throw new ArgumentException("A histogram of values with NaN.", nameof(values));
            min = Math.Min(min, v); max = Math.Max(max, v); sum += v; sumSquares += v * v;
            counts[Bucket(v)]++;
        }
        // keep the buckets from the first to the last one holding values, as PyTorch trims the empty ends, and the empty
        // bucket left of the first (PyTorch's make_histogram keeps it: its limit is the first bucket's left edge)
        int first = Math.Max(0, Array.FindIndex(counts, c => c > 0) - 1), last = Array.FindLastIndex(counts, c => c > 0);
        var histogram = new Proto();
        histogram.Double(1, min);
        histogram.Double(2, max);
        histogram.Double(3, values.Length);
        histogram.Double(4, sum);
        histogram.Double(5, sumSquares);
        histogram.PackedDoubles(6, Edges.AsSpan(first, last - first + 1));
        histogram.PackedDoubles(7, counts.AsSpan(first, last - first + 1));
        var value = new Proto();
        value.String(1, tag);
        value.Message(5, histogram);
        WriteSummary(value, globalStep, wallTime);
    }

    /// <summary>TensorFlow's default histogram edges: ±1e-12·1.1ᵏ up to 1e20, and 0; bucket i holds values in [edge[i-1], edge[i]),
    /// as numpy's histogram (PyTorch's add_histogram) and TensorFlow's count them.</summary>
    private static readonly double[] Edges = DefaultEdges();

    private static double[] DefaultEdges()
    {
        var positive = new List<double>();
        for (double v = 1e-12; v < 1e20; v *= 1.1) positive.Add(v);
        var edges = new List<double>();
        for (int i = positive.Count - 1; i >= 0; i--) edges.Add(-positive[i]);
        edges.Add(0);
        edges.AddRange(positive);
        edges.Add(double.MaxValue);   // the last bucket takes everything beyond 1e20
        return edges.ToArray();
    }

    /// <summary>The bucket whose limit is the first edge above <paramref name="v"/> (a value on an edge counts in the bucket it starts).</summary>
    private static int Bucket(double v)
    {
        int i = Array.BinarySearch(Edges, v);
        return Math.Min(i >= 0 ? i + 1 : ~i, Edges.Length - 1);
    }

    private void WriteSummary(Proto value, long step, double? wallTime)
    {
        var summary = new Proto();
        summary.Message(1, value);
        var e = new Proto();
        e.Double(1, WallTime(wallTime));
        e.Int64(2, step);
        e.Message(5, summary);
        WriteRecord(e.ToArray());
    }

    private static double WallTime(double? given) => given ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void WriteRecord(byte[] data)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            Span<byte> header = stackalloc byte[12];
            BitConverter.TryWriteBytes(header, (ulong)data.Length);
            BitConverter.TryWriteBytes(header[8..], MaskedCrc(header[..8]));
            _file.Write(header);
            _file.Write(data);
            Span<byte> footer = stackalloc byte[4];
            BitConverter.TryWriteBytes(footer, MaskedCrc(data));
            _file.Write(footer);
            if (DateTime.UtcNow - _lastFlush >= _flushEvery) FlushLocked();
        }
    }

    /// <summary>Writes buffered records to the disk (this writer's and its add_scalars runs').</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            FlushLocked();
        }
        foreach (var g in _groups.Values) g.Flush();
    }

    private void FlushLocked()
    {
        _file.Flush(flushToDisk: true);
        _lastFlush = DateTime.UtcNow;
    }

    /// <summary>Flushes and closes the event file (PyTorch's close).</summary>
    public void Close() => Dispose();

    public void Dispose()
    {
        // an exception thrown by this thread inside a write (this writer's or an add_scalars run's) reaches the exit
        // handler with the lock its own: a half-written record is not flushed then
        if (System.Threading.Monitor.IsEntered(_gate)) return;
        lock (_gate)
        {
            if (_disposed) return;
            AppDomain.CurrentDomain.ProcessExit -= OnExit;
            AppDomain.CurrentDomain.UnhandledException -= OnExit;
            lock (Open) Open.Remove(this);
            foreach (var g in _groups.Values) g.Dispose();
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            _disposed = true;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    // ---- TFRecord checksums: CRC-32C (Castagnoli), masked as TensorFlow does ----

    private static readonly uint[] CrcTable = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
    }

    /// <summary>The few protobuf wire-format writes the Event, Summary and HistogramProto messages need.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        private void Varint(ulong v)
        {
            while (v >= 0x80) { _bytes.WriteByte((byte)(v | 0x80)); v >>= 7; }
            _bytes.WriteByte((byte)v);
        }

        private void Tag(int field, int wireType) => Varint((ulong)(field << 3 | wireType));

        public void Double(int field, double v) { Tag(field, 1); Span<byte> b = stackalloc byte[8]; BitConverter.TryWriteBytes(b, v); _bytes.Write(b); }
        public void Float(int field, float v) { Tag(field, 5); Span<byte> b = stackalloc byte[4]; BitConverter.TryWriteBytes(b, v); _bytes.Write(b); }
        public void Int64(int field, long v) { Tag(field, 0); Varint((ulong)v); }
        public void String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));
        public void Message(int field, Proto m) => Bytes(field, m.ToArray());

        public void PackedDoubles(int field, ReadOnlySpan<double> values)
        {
            Tag(field, 2);
            Varint((ulong)values.Length * 8);
            Span<byte> b = stackalloc byte[8];
            foreach (var v in values) { BitConverter.TryWriteBytes(b, v); _bytes.Write(b); }
        }

        private void Bytes(int field, byte[] data) { Tag(field, 2); Varint((ulong)data.Length); _bytes.Write(data); }

        public byte[] ToArray() => _bytes.ToArray();
    }
}

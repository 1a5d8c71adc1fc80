using System;
using System.Threading;

namespace Kiln.Kernels;

/// <summary>
/// A fixed pool of worker threads for the managed kernels. Unlike Parallel.For it allocates nothing per call,
/// so a steady-state training step stays allocation-free. One job runs at a time; a call from inside a job
/// runs inline.
/// </summary>
public static class CpuWorkers
{
    public static readonly int Count = Math.Max(1, Environment.ProcessorCount);

    private static readonly object Gate = new();
    private static readonly ManualResetEventSlim[] Start = new ManualResetEventSlim[Count];
    private static readonly double[] Partials = new double[Count];
    [ThreadStatic] private static bool _inJob;
    [ThreadStatic] private static int _worker;
    private static Action<long, long>? _body;
    private static Func<long, long, double>? _sumBody;
    private static long _total;
    private static int _chunks;
    private static int _remaining;
    private static Exception? _failure;

    static CpuWorkers()
    {
        for (int w = 1; w < Count; w++)
        {
            Start[w] = new ManualResetEventSlim(false, spinCount: 2000);
            int id = w;
            new Thread(() => WorkerLoop(id)) { IsBackground = true, Name = $"kiln-cpu-{w}" }.Start();
        }
    }

    /// <summary>The pool's index of the thread running this (0 for any thread outside the pool, which runs a job's first
    /// chunk): a kernel's per-thread scratch is indexed by it, so the chunks of one job never share one.</summary>
    internal static int Worker => _worker;

    /// <summary>Starts the worker threads (the first use of the pool does otherwise): a managed plan calls it when it is compiled.</summary>
    public static void EnsureStarted() { }

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, total) in chunks of at least <paramref name="grain"/>.</summary>
    public static void For(long total, long grain, Action<long, long> body)
    {
        int chunks = ChunkCount(total, grain);
        if (chunks <= 1) { if (total > 0) body(0, total); return; }
        lock (Gate)
        {
            _body = body; _sumBody = null;
            Run(total, chunks);
        }
    }

    /// <summary>Sums <paramref name="body"/>(start, end) over chunks of [0, total), combined in chunk order (deterministic for a given core count).</summary>
    public static double Sum(long total, long grain, Func<long, long, double> body)
    {
        int chunks = ChunkCount(total, grain);
        if (chunks <= 1) return total > 0 ? body(0, total) : 0;
        lock (Gate)
        {
            _body = null; _sumBody = body;
            Run(total, chunks);
            double s = 0;
            for (int c = 0; c < chunks; c++) s += Partials[c];
            return s;
        }
    }

    /// <summary>
    /// Reduces <paramref name="body"/>(start, end) over chunks of [0, total), the partials combined in chunk order
    /// with <paramref name="combine"/> from <paramref name="identity"/> (a non-additive reduction: max, min, prod).
    /// </summary>
    public static double Reduce(long total, long grain, Func<long, long, double> body, double identity, Func<double, double, double> combine)
    {
        int chunks = ChunkCount(total, grain);
        if (chunks <= 1) return total > 0 ? body(0, total) : identity;
        lock (Gate)
        {
            _body = null; _sumBody = body;
            Run(total, chunks);
            double r = identity;
            for (int c = 0; c < chunks; c++) r = combine(r, Partials[c]);
            return r;
        }
    }

    private static int ChunkCount(long total, long grain) =>
        _inJob ? 1 : (int)Math.Min(Count, Math.Max(1, total / Math.Max(1, grain)));

    private static void Run(long total, int chunks)
    {
        _total = total; _chunks = chunks; _failure = null;
        Volatile.Write(ref _remaining, chunks - 1);
        for (int w = 1; w < chunks; w++) Start[w].Set();
        RunChunk(0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _remaining) > 0) spin.SpinOnce(-1);
        _body = null; _sumBody = null;
        if (_failure is { } e) throw new AggregateException("A managed kernel failed on a worker thread.", e);
    }

    private static void RunChunk(int c)
    {
        long start = _total * c / _chunks, end = _total * (c + 1) / _chunks;
        _inJob = true;
        try
        {
            if (_sumBody is { } sum) Partials[c] = sum(start, end);
            else _body!(start, end);
        }
        catch (Exception e) { _failure = e; }
        finally { _inJob = false; }
    }

    private static void WorkerLoop(int id)
    {
        _worker = id;
        while (true)
        {
            Start[id].Wait();
            Start[id].Reset();
            RunChunk(id);
            Interlocked.Decrement(ref _remaining);
        }
    }
}

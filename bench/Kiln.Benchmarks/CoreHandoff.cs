using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Kiln.Kernels;

namespace Kiln.Benchmarks;

/// <summary>
/// How far apart this VM's two cores are, and what it costs the MLP 784 step. The host places the VM's two vCPUs on
/// cores that share an L3 (a cache line handed from one to the other and back in ~70-110 ns) or on two CCDs (~330 ns),
/// and moves them every few seconds. A step that hands data between its cores (the GEMMs read what the other core
/// packed or the optimizer wrote) pays for the second placement; a benchmark process can land in either.
/// </summary>
/// <remarks>Stopwatch figures from one process, sampled in turn, after the BenchmarkDotNet run: a diagnosis of the
/// table's MLP row, not a row of it.</remarks>
public static class CoreHandoff
{
    private static readonly long[] Flag = new long[32];   // the flag alone on its cache line (index 16)

    /// <summary>
    /// Nanoseconds for one round trip of a cache line between CpuWorkers' two threads (the kernels' threads): the median
    /// of batches of 200 trips, so a pause of either thread does not move it. NaN on one core, or inside a job.
    /// </summary>
    public static double RoundTripNs(int batches = 100, int trips = 200)
    {
        if (CpuWorkers.Count < 2) return double.NaN;
        var perBatch = new double[batches];
        bool split = false;
        Volatile.Write(ref Flag[16], 0);
        CpuWorkers.For(2, 1, (start, end) =>
        {
            if (end - start != 1) return;   // both halves on one thread (inside a job): nobody would answer
            long n = (long)batches * trips;
            if (start == 0)
            {
                split = true;
                for (int b = 0; b < batches; b++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    for (long i = (long)b * trips; i < (long)(b + 1) * trips; i++) { Volatile.Write(ref Flag[16], 2 * i + 1); while (Volatile.Read(ref Flag[16]) != 2 * i + 2) { } }
                    perBatch[b] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / trips;
                }
            }
            else
                for (long i = 0; i < n; i++) { while (Volatile.Read(ref Flag[16]) != 2 * i + 1) { } Volatile.Write(ref Flag[16], 2 * i + 2); }
        });
        if (!split) return double.NaN;
        Array.Sort(perBatch);
        return perBatch[batches / 2];
    }

    /// <summary>
    /// Samples (round trip, best MLP 784 step of five batches, round trip) in turn over ~20 s, keeps the samples whose two
    /// round trips agree on the placement (the host may move the vCPUs between them), and prints the step's median for
    /// each placement.
    /// </summary>
    public static void Report(int samples = 40)
    {
        Console.WriteLine();
        if (CpuWorkers.Count < 2) { Console.WriteLine("Core-to-core round trip: one core, nothing handed over."); return; }
        var steps = new TrainingSteps();
        steps.Setup();
        for (int i = 0; i < 300; i++) steps.Mlp_784_256_10_Batch256Step();
        var pairs = new System.Collections.Generic.List<(double RoundTrip, double Step)>();
        int moved = 0;
        for (int s = 0; s < samples; s++)
        {
            double before = RoundTripNs(), best = double.MaxValue;
            for (int batch = 0; batch < 5; batch++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < 20; i++) steps.Mlp_784_256_10_Batch256Step();
                best = Math.Min(best, watch.Elapsed.TotalMicroseconds / 20);
            }
            double after = RoundTripNs();
            if (before < Far != after < Far) moved++;
            else pairs.Add(((before + after) / 2, best));
            Thread.Sleep(400);   // the host moves the vCPUs every few seconds: spread the samples over ~20 s
        }
        steps.Cleanup();
        static double Median(double[] v) { Array.Sort(v); return v.Length == 0 ? double.NaN : v[v.Length / 2]; }
        // libtorch's step: measured on this machine by scripts/peer.sh where it has run here, else PERFORMANCE.md's (Zen 4)
        double peerUs = PeerFigures.ForThisMachine() is { } peer && peer.Nanoseconds.TryGetValue(nameof(TrainingSteps.Mlp_784_256_10_Batch256Step), out var ns) ? ns / 1e3 : 1850;
        Console.WriteLine($"Core-to-core round trip and the MLP 784 step, sampled in turn in one process ({samples} samples, {moved} dropped " +
            $"because the cores moved during one; stopwatch; libtorch {peerUs / 1e3:F2} ms{(peerUs == 1850 ? ", PERFORMANCE.md's" : " here")}):");
        Console.WriteLine("| cores | samples | round trip (median) | MLP 784 step (median of bests) | vs libtorch |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (name, group) in new[] { ($"sharing an L3 (< {Far} ns)", pairs.Where(p => p.RoundTrip < Far).ToArray()),
                                              ($"on two L3s (≥ {Far} ns)", pairs.Where(p => p.RoundTrip >= Far).ToArray()) })
        {
            if (group.Length == 0) { Console.WriteLine($"| {name} | 0 | | | |"); continue; }
            double step = Median(group.Select(p => p.Step).ToArray());
            Console.WriteLine($"| {name} | {group.Length} | {Median(group.Select(p => p.RoundTrip).ToArray()):F0} ns | {step:F0} µs | {peerUs / step:F2}× |");
        }
    }

    /// <summary>Round trips at or above this (ns) are taken as two L3s (measured: ~70-110 ns on one, ~310-360 on two).</summary>
    private const double Far = 200;
}

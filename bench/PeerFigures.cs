using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Kiln.Benchmarks;

/// <summary>
/// libtorch's medians on this machine, as bench/Kiln.Peer measured them (scripts/peer.sh), keyed by the name of the
/// Kiln benchmark that does the same work. The benchmark program divides by them when they were measured on a machine of
/// this description; otherwise it falls back to PERFORMANCE.md's figures and says they come from another CPU.
/// </summary>
public sealed record PeerFigures(string Machine, DateTime MeasuredUtc, string Library, Dictionary<string, double> Nanoseconds)
{
    /// <summary>Where the peer writes its figures and the benchmark program reads them (relative to the repository root, where both run).</summary>
    public const string FileName = "BenchmarkDotNet.Artifacts/libtorch-peer.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The CPU as /proc/cpuinfo names it (vendor model name, family and model numbers, whether AVX-512 is there) and the core count:
    /// VMs of one kind differ in these, and a ratio is only meaningful between figures taken on the same.</summary>
    public static string ThisMachine()
    {
        string name = "unknown CPU", family = "?", model = "?";
        bool avx512 = false;
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var parts = line.Split(':', 2);
                if (parts.Length < 2) continue;
                string key = parts[0].Trim(), value = parts[1].Trim();
                if (key == "model name") name = value;
                else if (key == "cpu family") family = value;
                else if (key == "model") model = value;
                else if (key == "flags") { avx512 = value.Split(' ').Contains("avx512f"); break; }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{name}, family {family} model {model}, {(avx512 ? "AVX-512" : "no AVX-512")}, {Environment.ProcessorCount} cores";
    }

    /// <summary>The figures in <see cref="FileName"/> where they were measured on this machine's kind of CPU, else null.</summary>
    public static PeerFigures? ForThisMachine()
    {
        if (!File.Exists(FileName)) return null;
        try
        {
            var figures = JsonSerializer.Deserialize<PeerFigures>(File.ReadAllText(FileName));
            return figures is not null && figures.Machine == ThisMachine() ? figures : null;
        }
        catch (JsonException) { return null; }
    }

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FileName)!);
        File.WriteAllText(FileName, JsonSerializer.Serialize(this, Options));
    }
}

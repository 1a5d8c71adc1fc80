using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Kiln.Benchmarks;
using Kiln.Kernels;

// dotnet run -c Release --project bench/Kiln.Benchmarks            (all; prints the summary table below)
// dotnet run -c Release --project bench/Kiln.Benchmarks -- --quick (fewer iterations)
// dotnet run -c Release --project bench/Kiln.Benchmarks -- handoff (only the core-to-core sampling at the end, ~25 s)
if (args.Contains("handoff")) { CoreHandoff.Report(); return; }
bool quick = args.Contains("--quick");
var job = quick ? Job.ShortRun : Job.Default.WithWarmupCount(4).WithIterationCount(12);
var config = DefaultConfig.Instance.AddJob(job.WithId(quick ? "quick" : "default")).WithOptions(ConfigOptions.DisableOptimizationsValidator);
// further arguments name benchmark classes to run alone (`-- TrainingSteps`); the table then shows only their rows
Type[] all = [typeof(Elementwise), typeof(Compute), typeof(LossSteps), typeof(TrainingSteps), typeof(OptimizerSteps)];
var chosen = all.Where(t => args.Contains(t.Name)).ToArray();
var summaries = BenchmarkRunner.Run(chosen.Length > 0 ? chosen : all, config);

double Median(string method) => summaries.SelectMany(s => s.Reports)
    .Where(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method && r.ResultStatistics is not null)
    .Select(r => r.ResultStatistics!.Median).FirstOrDefault();
long Allocated(string method) => summaries.SelectMany(s => s.Reports)
    .Where(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)
    .Select(r => r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? -1).FirstOrDefault();

// a row only for a benchmark this run measured
void Row(string method, Func<string> line) { if (Median(method) > 0) Console.WriteLine(line()); }
string Ms(string method) => Median(method) >= 1e6 ? $"{Median(method) / 1e6:F2} ms" : $"{Median(method) / 1e3:F2} µs";
// libtorch 2.10's medians: measured on this CPU by scripts/peer.sh where it has run here, else PERFORMANCE.md's (a Zen 4
// VM with AVX-512, 2026-11-23: those ratios compare machines as well as libraries), in ns
var peer = PeerFigures.ForThisMachine();
string Peer(string method, double? performanceMdNs, string label = "")
{
    if (peer is null) return performanceMdNs is { } md ? $"libtorch (PERFORMANCE.md) {label}: **{md / Median(method):F2}×**" : "";
    if (!peer.Nanoseconds.TryGetValue(method, out double ns)) return "";
    string time = ns >= 1e6 ? $"{ns / 1e6:F2} ms" : $"{ns / 1e3:F1} µs";
    return $"libtorch here {time}: **{ns / Median(method):F2}×**";
}
double gbps(string m) => 12.0 * Elementwise.N / Median(m); // bytes per ns = GB/s
double triad = gbps(nameof(Elementwise.TriadBaseline)), fused = gbps(nameof(Elementwise.FusedSigmoidKernel)), run = gbps(nameof(Elementwise.FusedSigmoidRun));
double peak = Compute.PeakFlops / Median(nameof(Compute.FmaPeakBaseline));   // flops per ns = GFLOP/s
double Gflops(string m, double flops) => flops / Median(m);
Console.WriteLine();
Console.WriteLine(peer is null
    ? $"Peer: PERFORMANCE.md's libtorch figures from a Zen 4 VM ({PeerFigures.FileName} has none for {PeerFigures.ThisMachine()}; scripts/peer.sh measures them)"
    : $"Peer: {peer.Library} measured on this machine ({peer.Machine}) at {peer.MeasuredUtc:yyyy-MM-dd HH:mm} UTC by scripts/peer.sh");
Console.WriteLine("| benchmark | median | throughput | vs ceiling / peer | allocated per op |");
Console.WriteLine("|---|---|---|---|---|");
void Line(string method, string name, string throughput, string versus) =>
    Row(method, () => $"| {name} | {Ms(method)} | {throughput} | {versus} | {Allocated(method)} B |");
Line(nameof(Elementwise.TriadBaseline), "STREAM triad a = b + 3c, 2^24 floats", $"{triad:F1} GB/s", "ceiling (this run)");
Line(nameof(Compute.FmaPeakBaseline), $"FMA peak, {CpuWorkers.Count} cores, {Compute.Lanes * 32}-bit vectors", $"{peak:F0} GFLOP/s", "ceiling (this run)");
Line(nameof(Elementwise.FusedSigmoidKernel), "generated sigmoid(a*b+a), 2^24 floats, `Replay`", $"{fused:F1} GB/s", $"{fused / triad:P0} of triad; {Peer(nameof(Elementwise.FusedSigmoidKernel), 9.5e6, "preallocated 9.5 ms")}");
Line(nameof(Elementwise.FusedSigmoidRun), "same through `Run(a, b, output)` from the caller's arrays", $"{run:F1} GB/s", $"{Median(nameof(Elementwise.FusedSigmoidRun)) / Median(nameof(Elementwise.FusedSigmoidKernel)):F2}× Replay's time; {Peer(nameof(Elementwise.FusedSigmoidRun), 50e6, "as written 50 ms")}");
Line(nameof(Compute.MatMul1024), "matmul 1024³", $"{Gflops(nameof(Compute.MatMul1024), 2.0 * 1024 * 1024 * 1024):F0} GFLOP/s", $"{Gflops(nameof(Compute.MatMul1024), 2.0 * 1024 * 1024 * 1024) / peak:P0} of FMA peak; {Peer(nameof(Compute.MatMul1024), 11.7e6, "11.7 ms")}");
Line(nameof(Compute.MatMul256x784x256), "matmul 256×784×256", $"{Gflops(nameof(Compute.MatMul256x784x256), 2.0 * 256 * 784 * 256):F0} GFLOP/s", $"{Gflops(nameof(Compute.MatMul256x784x256), 2.0 * 256 * 784 * 256) / peak:P0} of FMA peak; {Peer(nameof(Compute.MatMul256x784x256), 0.55e6, "0.55 ms")}");
Line(nameof(LossSteps.CrossEntropy1024x1000), "CrossEntropy fwd+bwd 1024×1000", $"{8.0 * LossSteps.Rows * LossSteps.Classes / Median(nameof(LossSteps.CrossEntropy1024x1000)):F1} GB/s (x read, dx written)", Peer(nameof(LossSteps.CrossEntropy1024x1000), 0.52e6, "0.52 ms"));
Line(nameof(LossSteps.Mse), "MSE fwd+bwd 2^20", $"{12.0 * LossSteps.Elements / Median(nameof(LossSteps.Mse)):F1} GB/s (x, y read, dx written)", Peer(nameof(LossSteps.Mse), 0.22e6, "0.22 ms"));
Line(nameof(LossSteps.BceWithLogits), "BCEWithLogits fwd+bwd 2^20", $"{12.0 * LossSteps.Elements / Median(nameof(LossSteps.BceWithLogits)):F1} GB/s", Peer(nameof(LossSteps.BceWithLogits), 1.16e6, "1.16 ms"));
Line(nameof(LossSteps.SmoothL1), "SmoothL1 fwd+bwd 2^20", $"{12.0 * LossSteps.Elements / Median(nameof(LossSteps.SmoothL1)):F1} GB/s", Peer(nameof(LossSteps.SmoothL1), 0.23e6, "0.23 ms"));
Line(nameof(TrainingSteps.LinearRegressionStep), "linear regression step (N=3)", "", "");
Line(nameof(TrainingSteps.Mlp_8_6_4_1_Batch32Step), "MLP 8-6-4-1 step (N=32, BCE, SGD)", "", Peer(nameof(TrainingSteps.Mlp_8_6_4_1_Batch32Step), 0.128e6, "0.128 ms"));
Line(nameof(TrainingSteps.Mlp_784_256_10_Batch256Step), "MLP 784-256-10 step (N=256, ReLU, CrossEntropy, SGD momentum)", $"{Gflops(nameof(TrainingSteps.Mlp_784_256_10_Batch256Step), 2.0 * 256 * (2 * 784 * 256 + 3 * 256 * 10)):F0} GFLOP/s", Peer(nameof(TrainingSteps.Mlp_784_256_10_Batch256Step), 1.85e6, "1.85 ms"));
Line(nameof(TrainingSteps.GanStep), "1-D GAN step (D on 500 real + 500 fake, then G; Adam)", "", Peer(nameof(TrainingSteps.GanStep), 0.73e6, "0.73 ms"));
void Optimizer(string method, string name, int bytes, double? performanceMdNs = null)
{
    double rate = (double)bytes * OptimizerSteps.Count / Median(method);
    string versus = Peer(method, performanceMdNs, $"{performanceMdNs / 1e6:F0} ms");
    Line(method, $"{name} step, 10M parameters", $"{rate:F1} GB/s ({bytes} B/param)", (triad > 0 ? $"{rate / triad:P0} of triad" : "(run with Elementwise for the triad)") + (versus.Length > 0 ? "; " + versus : ""));
}
Optimizer(nameof(OptimizerSteps.AdamStep), "Adam", 28, 35e6);
Optimizer(nameof(OptimizerSteps.AdamWStep), "AdamW", 28);
Optimizer(nameof(OptimizerSteps.SgdMomentumStep), "SGD momentum", 20);
Optimizer(nameof(OptimizerSteps.RmsPropStep), "RMSprop", 20);
Optimizer(nameof(OptimizerSteps.AdagradStep), "Adagrad", 20);
Optimizer(nameof(OptimizerSteps.AdadeltaStep), "Adadelta", 28);
Optimizer(nameof(OptimizerSteps.AdamaxStep), "Adamax", 28);
Optimizer(nameof(OptimizerSteps.NAdamStep), "NAdam", 28);
Optimizer(nameof(OptimizerSteps.RAdamStep), "RAdam", 28);
Optimizer(nameof(OptimizerSteps.AsgdStep), "ASGD", 16);
Optimizer(nameof(OptimizerSteps.RpropStep), "Rprop", 28);
Optimizer(nameof(OptimizerSteps.SparseAdamStep), "SparseAdam (100,000 rows of 100, all touched)", 28);
// the MLP row's two modes: which cores the host gave this VM decides how much a hand-off between them costs
if (chosen.Length == 0 || chosen.Contains(typeof(TrainingSteps))) CoreHandoff.Report();

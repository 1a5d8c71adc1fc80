using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Kiln.Benchmarks;

// dotnet run -c Release --project bench/Kiln.Benchmarks            (all; prints the summary table below)
// dotnet run -c Release --project bench/Kiln.Benchmarks -- --quick (fewer iterations)
bool quick = args.Contains("--quick");
var job = quick ? Job.ShortRun : Job.Default.WithWarmupCount(4).WithIterationCount(12);
var config = DefaultConfig.Instance.AddJob(job.WithId(quick ? "quick" : "default")).WithOptions(ConfigOptions.DisableOptimizationsValidator);
// further arguments name benchmark classes to run alone (`-- TrainingSteps`); the table then shows only their rows
Type[] all = [typeof(Elementwise), typeof(TrainingSteps), typeof(OptimizerSteps)];
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
double gbps(string m) => 12.0 * Elementwise.N / Median(m); // bytes per ns = GB/s
double triad = gbps(nameof(Elementwise.TriadBaseline)), fused = gbps(nameof(Elementwise.FusedSigmoidKernel));
Console.WriteLine();
Console.WriteLine("| benchmark | median | throughput | vs ceiling / peer | allocated per op |");
Console.WriteLine("|---|---|---|---|---|");
Row(nameof(Elementwise.TriadBaseline), () => $"| STREAM triad a = b + 3c, 2^24 floats | {Median(nameof(Elementwise.TriadBaseline)) / 1e6:F2} ms | {triad:F1} GB/s | ceiling (this run) | {Allocated(nameof(Elementwise.TriadBaseline))} B |");
Row(nameof(Elementwise.FusedSigmoidKernel), () => $"| generated sigmoid(a*b+a), 2^24 floats | {Median(nameof(Elementwise.FusedSigmoidKernel)) / 1e6:F2} ms | {fused:F1} GB/s | {fused / triad:P0} of triad; libtorch 53-69 ms | {Allocated(nameof(Elementwise.FusedSigmoidKernel))} B |");
Row(nameof(TrainingSteps.LinearRegressionStep), () => $"| linear regression step (N=3) | {Median(nameof(TrainingSteps.LinearRegressionStep)) / 1e3:F2} µs | | | {Allocated(nameof(TrainingSteps.LinearRegressionStep))} B |");
Row(nameof(TrainingSteps.Mlp_8_6_4_1_Batch32Step), () => $"| MLP 8-6-4-1 step (N=32, BCE, SGD) | {Median(nameof(TrainingSteps.Mlp_8_6_4_1_Batch32Step)) / 1e3:F2} µs | | libtorch 160-190 µs: {170e3 / Median(nameof(TrainingSteps.Mlp_8_6_4_1_Batch32Step)):F0}x | {Allocated(nameof(TrainingSteps.Mlp_8_6_4_1_Batch32Step))} B |");
Row(nameof(TrainingSteps.GanStep), () => $"| 1-D GAN step (D on 500 real + 500 fake, then G; Adam) | {Median(nameof(TrainingSteps.GanStep)) / 1e3:F2} µs | | libtorch 0.73 ms: {0.73e6 / Median(nameof(TrainingSteps.GanStep)):F1}x | {Allocated(nameof(TrainingSteps.GanStep))} B |");
double adam = 28.0 * OptimizerSteps.Count / Median(nameof(OptimizerSteps.AdamStep)), adamW = 28.0 * OptimizerSteps.Count / Median(nameof(OptimizerSteps.AdamWStep));
Row(nameof(OptimizerSteps.AdamStep), () => $"| Adam step, 10M parameters | {Median(nameof(OptimizerSteps.AdamStep)) / 1e6:F2} ms | {adam:F1} GB/s (28 B/param) | {adam / triad:P0} of triad; libtorch 39-47 ms: {43e6 / Median(nameof(OptimizerSteps.AdamStep)):F1}x | {Allocated(nameof(OptimizerSteps.AdamStep))} B |");
Row(nameof(OptimizerSteps.AdamWStep), () => $"| AdamW step, 10M parameters | {Median(nameof(OptimizerSteps.AdamWStep)) / 1e6:F2} ms | {adamW:F1} GB/s (28 B/param) | {adamW / triad:P0} of triad | {Allocated(nameof(OptimizerSteps.AdamWStep))} B |");
double sgd = 20.0 * OptimizerSteps.Count / Median(nameof(OptimizerSteps.SgdMomentumStep)), rms = 20.0 * OptimizerSteps.Count / Median(nameof(OptimizerSteps.RmsPropStep));
Row(nameof(OptimizerSteps.SgdMomentumStep), () => $"| SGD momentum step, 10M parameters | {Median(nameof(OptimizerSteps.SgdMomentumStep)) / 1e6:F2} ms | {sgd:F1} GB/s (20 B/param) | {sgd / triad:P0} of triad | {Allocated(nameof(OptimizerSteps.SgdMomentumStep))} B |");
Row(nameof(OptimizerSteps.RmsPropStep), () => $"| RMSprop step, 10M parameters | {Median(nameof(OptimizerSteps.RmsPropStep)) / 1e6:F2} ms | {rms:F1} GB/s (20 B/param) | {rms / triad:P0} of triad | {Allocated(nameof(OptimizerSteps.RmsPropStep))} B |");

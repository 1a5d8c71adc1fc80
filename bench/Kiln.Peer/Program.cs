using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Kiln.Benchmarks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

// libtorch's side of the benchmark table: each workload of bench/Kiln.Benchmarks written as a TorchSharp user writes it
// (a dispose scope per step), on two intra-op threads, timed call by call. Rounds go through every workload in turn, so
// a slow phase of the VM touches all of them; a workload's figure is the median of its rounds' medians.
//
//   scripts/peer.sh [rounds]      (builds this, makes libtorch load on this machine, writes BenchmarkDotNet.Artifacts/libtorch-peer.json)
int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
torch.set_num_threads(Environment.ProcessorCount);
torch.manual_seed(1);

var workloads = new List<(string Name, string Label, Action Step)>();
void Add(string name, string label, Action step) => workloads.Add((name, label, step));
Tensor Uniform(float lo, float hi, params long[] shape) => torch.rand(shape) * (hi - lo) + lo;

// sigmoid(a*b + a) over 2^24 floats: as written (fresh tensors each call), and into a preallocated output in place
const int N = 1 << 24;
var a = Uniform(-1, 1, N); var b = Uniform(-1, 1, N); var y = torch.empty(N);
Add("FusedSigmoidRun", "sigmoid(a*b+a) 2^24, as written", () => { using var _ = torch.NewDisposeScope(); torch.sigmoid(a * b + a); });
Add("FusedSigmoidKernel", "sigmoid(a*b+a) 2^24, preallocated (in place)", () => y.copy_(a).mul_(b).add_(a).sigmoid_());

// matmuls
var m1 = Uniform(-1, 1, 1024, 1024); var m2 = Uniform(-1, 1, 1024, 1024);
var x784 = Uniform(-1, 1, 256, 784); var w784 = Uniform(-1, 1, 784, 256);
Add("MatMul1024", "matmul 1024³", () => { using var _ = torch.NewDisposeScope(); torch.mm(m1, m2); });
Add("MatMul256x784x256", "matmul 256×784×256", () => { using var _ = torch.NewDisposeScope(); torch.mm(x784, w784); });

// losses, forward and backward: the gradient of the mean loss with respect to its input
Action LossStep(Tensor x, Func<Tensor, Tensor> loss) => () =>
{
    using var _ = torch.NewDisposeScope();
    torch.autograd.grad([loss(x)], [x]);
};
var logits = Uniform(-3, 3, 1024, 1000).requires_grad_(); var labels = torch.randint(0, 1000, [1024], dtype: int64);
Add("CrossEntropy1024x1000", "CrossEntropy fwd+bwd 1024×1000", LossStep(logits, x => F.cross_entropy(x, labels)));
const int E = 1 << 20;
var mseX = Uniform(-1, 1, E).requires_grad_(); var mseY = Uniform(-1, 1, E);
Add("Mse", "MSE fwd+bwd 2^20", LossStep(mseX, x => F.mse_loss(x, mseY)));
var bceX = Uniform(-3, 3, E).requires_grad_(); var bceY = Uniform(0, 1, E);
Add("BceWithLogits", "BCEWithLogits fwd+bwd 2^20", LossStep(bceX, x => F.binary_cross_entropy_with_logits(x, bceY)));
var slX = Uniform(-2, 2, E).requires_grad_(); var slY = Uniform(-2, 2, E);
Add("SmoothL1", "SmoothL1 fwd+bwd 2^20", LossStep(slX, x => F.smooth_l1_loss(x, slY)));

// training steps: zero_grad, forward, backward, step
var l1 = nn.Linear(8, 6); var l2 = nn.Linear(6, 4); var l3 = nn.Linear(4, 1);
var small = l1.parameters().Concat(l2.parameters()).Concat(l3.parameters()).ToList();
var smallOpt = torch.optim.SGD(small, 0.5);
var smallX = Uniform(-1, 1, 32, 8); var smallY = (torch.rand(32, 1) < 0.5).to(float32);
Add("Mlp_8_6_4_1_Batch32Step", "MLP 8-6-4-1 step (N=32, sigmoid, BCE, SGD)", () =>
{
    using var _ = torch.NewDisposeScope();
    smallOpt.zero_grad();
    var p = torch.sigmoid(l3.forward(torch.sigmoid(l2.forward(torch.sigmoid(l1.forward(smallX))))));
    F.binary_cross_entropy(p, smallY).backward();
    smallOpt.step();
});

var fc1 = nn.Linear(784, 256); var fc2 = nn.Linear(256, 10);
var mnistOpt = torch.optim.SGD(fc1.parameters().Concat(fc2.parameters()), 1e-4, momentum: 0.9);
var images = torch.rand(256, 784); var digits = torch.randint(0, 10, [256], dtype: int64);
Add("Mlp_784_256_10_Batch256Step", "MLP 784-256-10 step (N=256, ReLU, CrossEntropy, SGD momentum)", () =>
{
    using var _ = torch.NewDisposeScope();
    mnistOpt.zero_grad();
    F.cross_entropy(fc2.forward(F.relu(fc1.forward(images))), digits).backward();
    mnistOpt.step();
});

// seed 000's GAN: G maps noise to samples, D judges a batch by its first four moments
var g1 = nn.Linear(1, 16); var g2 = nn.Linear(16, 16); var g3 = nn.Linear(16, 1);
var d1 = nn.Linear(4, 16); var d2 = nn.Linear(16, 16); var d3 = nn.Linear(16, 1);
Tensor G(Tensor z) => g3.forward(F.elu(g2.forward(F.elu(g1.forward(z), 1.0)), 1.0));
Tensor D(Tensor m) => torch.sigmoid(d3.forward(F.elu(d2.forward(F.elu(d1.forward(m), 1.0)), 1.0)));
Tensor Moments(Tensor data)
{
    var mean = data.mean(); var diffs = data - mean;
    var std = diffs.pow(2).mean().pow(0.5); var z = diffs / std;
    var skews = z.pow(3).mean(); var kurtoses = z.pow(4).mean() - 3;
    return torch.cat([mean.reshape(1), std.reshape(1), skews.reshape(1), kurtoses.reshape(1)]).reshape(1, 4);
}
var dOpt = torch.optim.Adam(d1.parameters().Concat(d2.parameters()).Concat(d3.parameters()), 1e-3, beta1: 0.5);
var gOpt = torch.optim.Adam(g1.parameters().Concat(g2.parameters()).Concat(g3.parameters()), 1e-3, beta1: 0.5);
var real = torch.randn(1, 500) * 1.25 + 4; var ones = torch.ones(1, 1); var zeros = torch.zeros(1, 1);
Add("GanStep", "1-D GAN step (D on 500 real + 500 fake, then G; Adam)", () =>
{
    using var _ = torch.NewDisposeScope();
    dOpt.zero_grad();
    var fake = G(torch.randn(500, 1)).detach();
    (F.binary_cross_entropy(D(Moments(real)), ones) + F.binary_cross_entropy(D(Moments(fake)), zeros)).backward();
    dOpt.step();
    gOpt.zero_grad();
    F.binary_cross_entropy(D(Moments(G(torch.randn(500, 1)))), ones).backward();
    gOpt.step();
});

// optimizer steps over 10M parameters with a gradient in place
(Parameter, Tensor) TenMillion()
{
    var p = new Parameter(Uniform(-1, 1, 10_000_000));
    p.grad = Uniform(-1, 1, 10_000_000);
    return (p, p.grad);
}
var (adamP, _) = TenMillion(); var adam = torch.optim.Adam([adamP], 1e-3);
Add("AdamStep", "Adam step, 10M parameters", () => adam.step());
var (adamWP, _) = TenMillion(); var adamW = torch.optim.AdamW([adamWP], 1e-3);
Add("AdamWStep", "AdamW step, 10M parameters", () => adamW.step());
var (sgdP, _) = TenMillion(); var sgd = torch.optim.SGD([sgdP], 1e-3, momentum: 0.9);
Add("SgdMomentumStep", "SGD momentum step, 10M parameters", () => sgd.step());

var perRound = workloads.ToDictionary(w => w.Name, _ => new List<double>());
foreach (var w in workloads) Measure(w.Step, 0.3);   // warm-up: first calls, allocator pools, thread start
for (int r = 0; r < rounds; r++)
    foreach (var w in workloads) perRound[w.Name].Add(Measure(w.Step, 0.6));

var figures = new PeerFigures(PeerFigures.ThisMachine(), DateTime.UtcNow, "libtorch 2.10 (TorchSharp 0.107)",
    perRound.ToDictionary(p => p.Key, p => Median(p.Value)));
figures.Save();
Console.WriteLine($"libtorch 2.10 (TorchSharp 0.107), {torch.get_num_threads()} threads, {figures.Machine}; {rounds} rounds");
Console.WriteLine("| workload | median | rounds' medians |");
Console.WriteLine("|---|---|---|");
foreach (var w in workloads)
    Console.WriteLine($"| {w.Label} | {Time(figures.Nanoseconds[w.Name])} | {string.Join(" / ", perRound[w.Name].Select(Time))} |");
Console.WriteLine($"wrote {PeerFigures.FileName}");

// the median of the call times over at least `seconds` (and at least 5 calls), in ns
static double Measure(Action step, double seconds)
{
    var times = new List<double>();
    var total = Stopwatch.StartNew();
    while (total.Elapsed.TotalSeconds < seconds || times.Count < 5)
    {
        long t0 = Stopwatch.GetTimestamp();
        step();
        times.Add(Stopwatch.GetElapsedTime(t0).TotalNanoseconds);
    }
    return Median(times);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string Time(double ns) => ns >= 1e6 ? $"{ns / 1e6:F2} ms" : $"{ns / 1e3:F1} µs";

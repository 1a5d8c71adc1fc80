using System;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Kiln.Kernels;
using Samples.Diabetes;
using Samples.Gan;
using Samples.LinearRegression;

namespace Kiln.Benchmarks;

/// <summary>Memory-bound work on 2^24 floats: the machine's triad ceiling and a generated fused kernel, measured side by side.</summary>
[MemoryDiagnoser]
public class Elementwise
{
    public const int N = 1 << 24;
    private float[] _a = [], _b = [], _c = [];
    private Device _device = null!;
    private FusedElementwise.RunPlan _plan = null!;
    private Action<long, long> _triad = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom(1);
        _a = new float[N]; _b = new float[N]; _c = new float[N];
        for (int i = 0; i < N; i++) { _b[i] = rng.Uniform(-1, 1); _c[i] = rng.Uniform(-1, 1); }
        _triad = Triad;
        _device = Device.ManagedCpu();
        _plan = new FusedElementwise(_device).CompileRun(n: N);
        _plan.Run(_b, _c, _a); // loads the inputs once; Replay re-runs the kernel on them
    }

    private void Triad(long start, long end)
    {
        var s = Vector256.Create(3f);
        int i = (int)start;
        for (; i + 8 <= end; i += 8)
            (Vector256.Create((ReadOnlySpan<float>)_b.AsSpan(i)) + s * Vector256.Create((ReadOnlySpan<float>)_c.AsSpan(i))).CopyTo(_a.AsSpan(i));
        for (; i < end; i++) _a[i] = _b[i] + 3f * _c[i];
    }

    /// <summary>STREAM triad a = b + s·c on both cores: 12 bytes per element.</summary>
    [Benchmark(Baseline = true)]
    public void TriadBaseline() => CpuWorkers.For(N, 1 << 16, _triad);

    /// <summary>The generated kernel for sigmoid(a·b + a): reads a and b, writes the output: 12 bytes per element.</summary>
    [Benchmark]
    public void FusedSigmoidKernel() => _plan.Replay();

    /// <summary>The same plan through <c>Run(a, b, output)</c> from the caller's arrays, as a user calls it.</summary>
    [Benchmark]
    public void FusedSigmoidRun() => _plan.Run(_b, _c, _a);

    [GlobalCleanup]
    public void Cleanup() { _plan.Dispose(); _device.Dispose(); }
}

/// <summary>The two samples' training steps (zero_grad, forward + backward, SGD step) at their sample sizes.</summary>
[MemoryDiagnoser]
public class TrainingSteps
{
    private Device _device = null!;
    private LinearModel.LossPlan _linear = null!;
    private Sgd _linearOpt = null!;
    private DiabetesClassifier.LossPlan _mlp = null!;
    private Sgd _mlpOpt = null!;
    private float[] _x = [], _y = [], _real = [];
    private Gan.DiscriminatorStepPlan _dStep = null!;
    private Gan.GeneratorStepPlan _gStep = null!;
    private Adam _dOpt = null!, _gOpt = null!;
    private Mlp784.LossPlan _mnist = null!;
    private Sgd _mnistOpt = null!;
    private float[] _images = [];
    private int[] _labels = [];

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.ManagedCpu();
        var mnist = new Mlp784(_device, 1);
        _mnist = mnist.CompileLoss(n: 256);
        // a small rate: thousands of steps on one batch of random labels must not memorise it, or the softmax of the
        // other classes underflows and the backward GEMMs run on subnormal floats (x86 microcode assists, ~1.7× slower)
        _mnistOpt = new Sgd(mnist.Parameters, 1e-4f, momentum: 0.9f);
        var pixels = new SeededRandom(3);
        _images = new float[256 * 784];
        for (int i = 0; i < _images.Length; i++) _images[i] = pixels.NextFloat();
        _labels = new int[256];
        for (int i = 0; i < _labels.Length; i++) _labels[i] = (int)(pixels.NextFloat() * 10) % 10;
        var gan = new Gan(_device, 1);
        _dStep = gan.CompileDiscriminatorStep();
        _gStep = gan.CompileGeneratorStep();
        _dOpt = new Adam(gan.Parameters, new AdamOptions(1e-3) { Beta1 = 0.5 }, gan.Parameters.Under("d"));
        _gOpt = new Adam(gan.Parameters, new AdamOptions(1e-3) { Beta1 = 0.5 }, gan.Parameters.Under("g"));
        _real = GanTraining.GetDistributionSampler(GanTraining.DataMean, GanTraining.DataStd, 1)(Gan.Batch);
        var linear = new LinearModel(_device, 1);
        _linear = linear.CompileLoss(n: 3);
        _linearOpt = new Sgd(linear.Parameters, 0.01f);
        var mlp = new DiabetesClassifier(_device, 1);
        _mlp = mlp.CompileLoss(n: 32);
        _mlpOpt = new Sgd(mlp.Parameters, 0.5f);
        var rng = new SeededRandom(2);
        _x = new float[32 * 8]; _y = new float[32];
        for (int i = 0; i < _x.Length; i++) _x[i] = rng.Uniform(-1, 1);
        for (int i = 0; i < _y.Length; i++) _y[i] = rng.NextFloat() < 0.5f ? 0 : 1;
    }

    [Benchmark]
    public float LinearRegressionStep()
    {
        _linearOpt.ZeroGrad();
        float loss = _linear.ForwardBackward(LinearRegressionTraining.X, LinearRegressionTraining.Y);
        _linearOpt.Step();
        return loss;
    }

    [Benchmark]
    public float Mlp_8_6_4_1_Batch32Step()
    {
        _mlpOpt.ZeroGrad();
        float loss = _mlp.ForwardBackward(_x, _y);
        _mlpOpt.Step();
        return loss;
    }

    /// <summary>Seed 000's GAN step as samples/Gan runs it: one D update (real batch of 500, a detached fake batch drawn in the graph), one G update through the frozen D.</summary>
    [Benchmark]
    public float GanStep()
    {
        _dOpt.ZeroGrad();
        float d = _dStep.ForwardBackward(_real);
        _dOpt.Step();
        _gOpt.ZeroGrad();
        float g = _gStep.ForwardBackward();
        _gOpt.Step();
        return d + g;
    }

    /// <summary>PERFORMANCE.md's MLP 784-256-10 (ReLU, CrossEntropy) at batch 256 with SGD momentum: a PyTorch user's first real model.</summary>
    [Benchmark]
    public float Mlp_784_256_10_Batch256Step()
    {
        _mnistOpt.ZeroGrad();
        float loss = _mnist.ForwardBackward(_images, _labels);
        _mnistOpt.Step();
        return loss;
    }

    [GlobalCleanup]
    public void Cleanup() { _linear.Dispose(); _mlp.Dispose(); _dStep.Dispose(); _gStep.Dispose(); _mnist.Dispose(); _device.Dispose(); }
}

/// <summary>One optimizer step over 10 million parameters: Adam / AdamW read p, g, m, v and write p, m, v (28 bytes per parameter); SGD with momentum and RMSprop move 20.</summary>
[MemoryDiagnoser]
public class OptimizerSteps
{
    public const int Count = 10_000_000;
    private Device _device = null!;
    private Adam _adam = null!;
    private AdamW _adamW = null!;
    private Sgd _sgd = null!;
    private RmsProp _rmsProp = null!;
    private Adagrad _adagrad = null!;
    private Adadelta _adadelta = null!;
    private Adamax _adamax = null!;
    private NAdam _nAdam = null!;
    private RAdam _rAdam = null!;
    private Asgd _asgd = null!;
    private Rprop _rprop = null!;
    private SparseAdam _sparseAdam = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.ManagedCpu();
        int seed = 0;
        // each optimizer steps a model of its own, whose gradient block holds one backward pass's gradients
        T Over<T>(Func<ModelState, T> make)
        {
            var model = new TenMillion(_device, ++seed);
            using (var step = model.CompileLoss()) step.ForwardBackward();
            return make(model.Parameters);
        }
        _adam = Over(p => new Adam(p, new AdamOptions(1e-3)));
        _adamW = Over(p => new AdamW(p));
        _sgd = Over(p => new Sgd(p, 1e-3f, momentum: 0.9f));
        _rmsProp = Over(p => new RmsProp(p, new RmsPropOptions(1e-3)));
        _adagrad = Over(p => new Adagrad(p));
        _adadelta = Over(p => new Adadelta(p));
        _adamax = Over(p => new Adamax(p));
        _nAdam = Over(p => new NAdam(p));
        _rAdam = Over(p => new RAdam(p));
        _asgd = Over(p => new Asgd(p));
        _rprop = Over(p => new Rprop(p));
        var rows = new TenMillionRows(_device, ++seed);
        using (var step = rows.CompileLoss()) step.ForwardBackward();
        _sparseAdam = new SparseAdam(rows.Parameters);
    }

    /// <summary>SGD with momentum: reads p, g, buf and writes p, buf (20 bytes per parameter).</summary>
    [Benchmark]
    public void SgdMomentumStep() => _sgd.Step();

    /// <summary>RMSprop: reads p, g, square average and writes p, square average (20 bytes per parameter).</summary>
    [Benchmark]
    public void RmsPropStep() => _rmsProp.Step();

    /// <summary>Adam: reads p, g, m, v and writes p, m, v (28 bytes per parameter); AdamW the same.</summary>
    [Benchmark]
    public void AdamStep() => _adam.Step();

    [Benchmark]
    public void AdamWStep() => _adamW.Step();

    /// <summary>Adagrad: reads p, g, sum and writes p, sum (20 bytes per parameter).</summary>
    [Benchmark]
    public void AdagradStep() => _adagrad.Step();

    /// <summary>Adadelta: reads p, g, square average, accumulated delta and writes p and both (28 bytes per parameter).</summary>
    [Benchmark]
    public void AdadeltaStep() => _adadelta.Step();

    /// <summary>Adamax, NAdam, RAdam: read p, g and two moments, write p and both (28 bytes per parameter).</summary>
    [Benchmark]
    public void AdamaxStep() => _adamax.Step();

    [Benchmark]
    public void NAdamStep() => _nAdam.Step();

    [Benchmark]
    public void RAdamStep() => _rAdam.Step();

    /// <summary>ASGD before t0 (the default 1e6 steps): reads p, g and writes p and the average ax = p (16 bytes per parameter).</summary>
    [Benchmark]
    public void AsgdStep() => _asgd.Step();

    /// <summary>Rprop: reads p, g, the previous gradient, the step sizes and writes p and both (28 bytes per parameter).</summary>
    [Benchmark]
    public void RpropStep() => _rprop.Step();

    /// <summary>SparseAdam with every row of a 100,000 × 100 table touched (non-zero gradients): Adam's 28 bytes per parameter,
    /// the gradient row read once more (from cache) to find it touched.</summary>
    [Benchmark]
    public void SparseAdamStep() => _sparseAdam.Step();

    [GlobalCleanup]
    public void Cleanup() => _device.Dispose();
}

/// <summary>Compute-bound work: the machine's FMA peak and the GEMM at PERFORMANCE.md's sizes, measured side by side.</summary>
[MemoryDiagnoser]
public class Compute
{
    /// <summary>Iterations per chunk of the peak loop, each 24 vector FMAs (24 independent chains with Vector512, 12 chains of
    /// two with Vector256).</summary>
    public const long PeakIterations = 4_000_000;
    public static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
    /// <summary>Floating-point operations of one <see cref="FmaPeakBaseline"/> call (2 per FMA lane).</summary>
    public static double PeakFlops => 2.0 * CpuWorkers.Count * PeakIterations * 24 * Lanes;

    private Device _device = null!;
    private MatMuls.ProductPlan _large = null!, _mnistShape = null!;
    private Action<long, long> _peak = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.ManagedCpu();
        var model = new MatMuls(_device, 1);
        _large = model.CompileProduct(m: 1024, k: 1024, n: 1024);
        _mnistShape = model.CompileProduct(m: 256, k: 784, n: 256);
        var rng = new SeededRandom(4);
        float[] Fill(int count) { var v = new float[count]; for (int i = 0; i < count; i++) v[i] = rng.Uniform(-1, 1); return v; }
        _large.Run(Fill(1024 * 1024), Fill(1024 * 1024));
        _mnistShape.Run(Fill(256 * 784), Fill(784 * 256));
        _peak = Vector512.IsHardwareAccelerated ? Peak512 : Peak256;
    }

    /// <summary>FMA peak: 24 FMAs per iteration on independent chains, no memory traffic; every core runs one chunk.</summary>
    [Benchmark(Baseline = true)]
    public void FmaPeakBaseline() => CpuWorkers.For(CpuWorkers.Count * PeakIterations, PeakIterations, _peak);

    /// <summary>matmul 1024×1024×1024 (2.1 GFLOP).</summary>
    [Benchmark]
    public void MatMul1024() => _large.Replay();

    /// <summary>matmul 256×784×256: the first layer of the MLP 784-256-10 at batch 256.</summary>
    [Benchmark]
    public void MatMul256x784x256() => _mnistShape.Replay();

    private static void Peak512(long start, long end)
    {
        var x = Vector512.Create(0.999999f); var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        Vector512<float> b0 = x, b1 = x, b2 = x, b3 = x, b4 = x, b5 = x, b6 = x, b7 = x, b8 = x, b9 = x, b10 = x, b11 = x;
        for (long i = start; i < end; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y); a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y); a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y); a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            b0 = Vector512.FusedMultiplyAdd(b0, x, y); b1 = Vector512.FusedMultiplyAdd(b1, x, y); b2 = Vector512.FusedMultiplyAdd(b2, x, y); b3 = Vector512.FusedMultiplyAdd(b3, x, y);
            b4 = Vector512.FusedMultiplyAdd(b4, x, y); b5 = Vector512.FusedMultiplyAdd(b5, x, y); b6 = Vector512.FusedMultiplyAdd(b6, x, y); b7 = Vector512.FusedMultiplyAdd(b7, x, y);
            b8 = Vector512.FusedMultiplyAdd(b8, x, y); b9 = Vector512.FusedMultiplyAdd(b9, x, y); b10 = Vector512.FusedMultiplyAdd(b10, x, y); b11 = Vector512.FusedMultiplyAdd(b11, x, y);
        }
        Sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11).GetElement(0);
    }

    /// <summary>
    /// The same 24 FMAs per iteration as <see cref="Peak512"/>, as twelve chains of two: AVX2 has 16 vector registers, so 24
    /// accumulators plus x and y spilled to the stack and the "peak" read 93 GFLOP/s on a Zen 3 whose GEMM ran 106.
    /// Twelve chains still cover the FMA latency (4 cycles) on two pipes.
    /// </summary>
    private static void Peak256(long start, long end)
    {
        var x = Vector256.Create(0.999999f); var y = Vector256.Create(1e-7f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = start; i < end; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y); a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y); a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y); a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y); a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y); a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y); a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }
        Sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).GetElement(0);
    }

    /// <summary>Keeps the peak loops' results alive.</summary>
    public static float Sink;

    [GlobalCleanup]
    public void Cleanup() { _large.Dispose(); _mnistShape.Dispose(); _device.Dispose(); }
}

/// <summary>Losses forward and backward (the input's gradient), at PERFORMANCE.md's sizes, through Replay (inputs in place).</summary>
[MemoryDiagnoser]
public class LossSteps
{
    public const int Elements = 1 << 20, Rows = 1024, Classes = 1000;
    private Device _device = null!;
    private LossRows.CrossEntropyPlan _crossEntropy = null!;
    private LossRows.MsePlan _mse = null!;
    private LossRows.BceWithLogitsPlan _bce = null!;
    private LossRows.SmoothL1Plan _smoothL1 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.ManagedCpu();
        var model = new LossRows(_device, 1);
        var rng = new SeededRandom(5);
        float[] Fill(int count, float lo, float hi) { var v = new float[count]; for (int i = 0; i < count; i++) v[i] = rng.Uniform(lo, hi); return v; }
        _crossEntropy = model.CompileCrossEntropy(n: Rows, c: Classes);
        var labels = new int[Rows];
        for (int i = 0; i < Rows; i++) labels[i] = (int)(rng.NextFloat() * Classes) % Classes;
        _crossEntropy.ForwardBackward(Fill(Rows * Classes, -3, 3), labels);
        _mse = model.CompileMse(n: Elements);
        _mse.ForwardBackward(Fill(Elements, -1, 1), Fill(Elements, -1, 1));
        _bce = model.CompileBceWithLogits(n: Elements);
        _bce.ForwardBackward(Fill(Elements, -3, 3), Fill(Elements, 0, 1));
        _smoothL1 = model.CompileSmoothL1(n: Elements);
        _smoothL1.ForwardBackward(Fill(Elements, -2, 2), Fill(Elements, -2, 2));
    }

    [Benchmark]
    public void CrossEntropy1024x1000() => _crossEntropy.Replay();

    [Benchmark]
    public void Mse() => _mse.Replay();

    [Benchmark]
    public void BceWithLogits() => _bce.Replay();

    [Benchmark]
    public void SmoothL1() => _smoothL1.Replay();

    [GlobalCleanup]
    public void Cleanup() { _crossEntropy.Dispose(); _mse.Dispose(); _bce.Dispose(); _smoothL1.Dispose(); _device.Dispose(); }
}

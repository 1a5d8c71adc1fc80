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

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.ManagedCpu();
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

    [GlobalCleanup]
    public void Cleanup() { _linear.Dispose(); _mlp.Dispose(); _dStep.Dispose(); _gStep.Dispose(); _device.Dispose(); }
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

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.ManagedCpu();
        var a = new TenMillion(_device, 1);
        using (var step = a.CompileLoss()) step.ForwardBackward();
        _adam = new Adam(a.Parameters, new AdamOptions(1e-3));
        var b = new TenMillion(_device, 2);
        using (var step = b.CompileLoss()) step.ForwardBackward();
        _adamW = new AdamW(b.Parameters);
        var c = new TenMillion(_device, 3);
        using (var step = c.CompileLoss()) step.ForwardBackward();
        _sgd = new Sgd(c.Parameters, 1e-3f, momentum: 0.9f);
        var r = new TenMillion(_device, 4);
        using (var step = r.CompileLoss()) step.ForwardBackward();
        _rmsProp = new RmsProp(r.Parameters, new RmsPropOptions(1e-3));
    }

    /// <summary>SGD with momentum: reads p, g, buf and writes p, buf (20 bytes per parameter).</summary>
    [Benchmark]
    public void SgdMomentumStep() => _sgd.Step();

    /// <summary>RMSprop: reads p, g, square average and writes p, square average (20 bytes per parameter).</summary>
    [Benchmark]
    public void RmsPropStep() => _rmsProp.Step();

    [Benchmark]
    public void AdamStep() => _adam.Step();

    [Benchmark]
    public void AdamWStep() => _adamW.Step();

    [GlobalCleanup]
    public void Cleanup() => _device.Dispose();
}

using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ILGPU;
using ILGPU.Runtime;
using Kiln.Kernels;

namespace Kiln;

/// <summary>
/// torch.optim.SGD, exactly: g = ∇ + wd·p; with momentum b = g on the first step, else b = μb + (1-τ)g;
/// g = g + μb (nesterov) or b; p = p - lr·g (or + when maximizing). One fused pass over the parameter block.
/// </summary>
public sealed class Sgd
{
    private readonly ModelState _state;
    private readonly DeviceBuffer<float>? _momentum;
    private readonly Action<long, long> _chunk;
    private bool _started;

    public Sgd(ModelState parameters, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false, bool maximize = false)
    {
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), $"Invalid learning rate: {lr}");
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), $"Invalid momentum value: {momentum}");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Invalid weight_decay value: {weightDecay}");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(nesterov));
        _state = parameters;
        (LearningRate, Momentum, Dampening, WeightDecay, Nesterov, Maximize) = (lr, momentum, dampening, weightDecay, nesterov, maximize);
        if (momentum != 0) _momentum = parameters.Device.Allocate<float>(parameters.Count);
        _chunk = Chunk;
    }

    public float LearningRate { get; set; }
    public float Momentum { get; }
    public float Dampening { get; }
    public float WeightDecay { get; }
    public bool Nesterov { get; }
    public bool Maximize { get; }

    public void ZeroGrad() => _state.ZeroGrad();

    public void Step()
    {
        var device = _state.Device;
        if (device.IsManaged) CpuWorkers.For(_state.Count, 1 << 16, _chunk);
        else
        {
            var launch = device.Kernel((Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int>)Kernel,
                acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
            int size = device.LaunchSize(_state.Count);
            var momentum = _momentum?.View ?? _state.Gradients.View;
            launch(size, _state.Parameters.View, _state.Gradients.View, momentum, CurrentArgs(), size);
        }
        _started = true;
    }

    private Args CurrentArgs() => new()
    {
        Count = (int)_state.Count, Lr = LearningRate, Mu = Momentum, Damp = Dampening, Wd = WeightDecay,
        Nesterov = Nesterov ? 1 : 0, Sign = Maximize ? -1f : 1f, First = _started ? 0 : 1, HasMomentum = Momentum != 0 ? 1 : 0,
    };

    private void Chunk(long start, long end)
    {
        var p = _state.Parameters.Host!.AsSpan((int)start, (int)(end - start));
        var g = _state.Gradients.Host!.AsSpan((int)start, (int)(end - start));
        var b = _momentum is null ? default : _momentum.Host!.AsSpan((int)start, (int)(end - start));
        var a = CurrentArgs();
        int i = 0;
        if (a.HasMomentum == 0)
        {
            var vlr = Vector256.Create(a.Lr * a.Sign); var vwd = Vector256.Create(a.Wd);
            for (; i + 8 <= p.Length; i += 8)
            {
                var pv = Vector256.Create((ReadOnlySpan<float>)p.Slice(i)); var gv = Vector256.Create((ReadOnlySpan<float>)g.Slice(i));
                (pv - vlr * (gv + vwd * pv)).CopyTo(p.Slice(i));
            }
        }
        if (a.HasMomentum == 0)
        {
            float unused = 0;
            for (; i < p.Length; i++) p[i] = Update(p[i], g[i], ref unused, a);
        }
        else
        {
            for (; i < p.Length; i++) p[i] = Update(p[i], g[i], ref b[i], a);
        }
    }

    /// <summary>The scalar rule of the managed path (the ILGPU kernel below spells out the same rule).</summary>
    private static float Update(float p, float grad, ref float buf, in Args a)
    {
        float d = grad + a.Wd * p;
        if (a.HasMomentum != 0)
        {
            buf = a.First != 0 ? d : a.Mu * buf + (1f - a.Damp) * d;
            d = a.Nesterov != 0 ? d + a.Mu * buf : buf;
        }
        return p - a.Sign * a.Lr * d;
    }

    public struct Args
    {
        public int Count, Nesterov, First, HasMomentum;
        public float Lr, Mu, Damp, Wd, Sign;
    }

    /// <summary>One fused grid-stride pass: parameters, gradients and momentum read once, written once.</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="p">Parameter block.</param>
    /// <param name="g">Gradient block.</param>
    /// <param name="b">Momentum buffer (unused without momentum).</param>
    /// <param name="a">Hyper-parameters.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> b, Args a, int stride)
    {
        for (int i = index; i < a.Count; i += stride)
        {
            float d = g[i] + a.Wd * p[i];
            if (a.HasMomentum != 0)
            {
                float buf = a.First != 0 ? d : a.Mu * b[i] + (1f - a.Damp) * d;
                b[i] = buf;
                d = a.Nesterov != 0 ? d + a.Mu * buf : buf;
            }
            p[i] = p[i] - a.Sign * a.Lr * d;
        }
    }
}

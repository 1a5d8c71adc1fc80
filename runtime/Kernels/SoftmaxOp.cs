using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// Softmax or log-softmax over one dim, seen as rows: a tensor of shape (outer, len, inner) has outer·inner
/// rows of len elements, stride inner. Forward: y = softmax(x) or x - max - log Σ exp(x - max) (stable).
/// Backward (from y and dy): softmax dx = y·(dy - Σ dy·y); log-softmax dx = dy - exp(y)·Σ dy.
/// </summary>
public sealed class SoftmaxOp
{
    private readonly int _outer, _len, _inner;
    private readonly bool _log, _backward;
    private readonly Action<long, long> _rows;
    private float[] _x = [], _dy = [], _y = [];
    private int _xOff, _dyOff, _yOff;

    /// <param name="backward">When true, Run's inputs are (y, dy) and it writes dx.</param>
    public SoftmaxOp(int outer, int len, int inner, bool log, bool backward)
    {
        (_outer, _len, _inner, _log, _backward) = (outer, len, inner, log, backward);
        _rows = Rows;
    }

    /// <summary>Forward: (x) → y. Backward: (y, dy) → dx written to <paramref name="output"/>.</summary>
    public void Run(float[] x, int xOff, float[] dy, int dyOff, float[] output, int outOff)
    {
        (_x, _xOff, _dy, _dyOff, _y, _yOff) = (x, xOff, dy, dyOff, output, outOff);
        CpuWorkers.For((long)_outer * _inner, Math.Max(1, 16384 / Math.Max(1, _len)), _rows);
        _x = _dy = _y = [];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rows(long r0, long r1)
    {
        for (long r = r0; r < r1; r++)
        {
            int o = (int)(r / _inner), i = (int)(r % _inner);
            int baseIdx = o * _len * _inner + i;
            Row(_x.AsSpan(), _xOff + baseIdx, _dy.AsSpan(), _dyOff + baseIdx, _y.AsSpan(), _yOff + baseIdx, _len, _inner, _log, _backward);
        }
    }

    private static void Row(Span<float> x, int xb, Span<float> dy, int db, Span<float> y, int yb, int len, int st, bool log, bool backward)
    {
        if (!backward)
        {
            float max = float.NegativeInfinity;
            for (int t = 0; t < len; t++) max = MathF.Max(max, x[xb + t * st]);
            float sum = 0;
            for (int t = 0; t < len; t++) sum += MathF.Exp(x[xb + t * st] - max);
            if (log)
            {
                float lse = max + MathF.Log(sum);
                for (int t = 0; t < len; t++) y[yb + t * st] = x[xb + t * st] - lse;
            }
            else
            {
                float inv = 1f / sum;
                for (int t = 0; t < len; t++) y[yb + t * st] = MathF.Exp(x[xb + t * st] - max) * inv;
            }
        }
        else
        {
            // here x holds the forward output y, dy the incoming gradient, y receives dx
            float dot = 0;
            if (log) for (int t = 0; t < len; t++) dot += dy[db + t * st];
            else for (int t = 0; t < len; t++) dot += dy[db + t * st] * x[xb + t * st];
            if (log) for (int t = 0; t < len; t++) y[yb + t * st] = dy[db + t * st] - MathF.Exp(x[xb + t * st]) * dot;
            else for (int t = 0; t < len; t++) y[yb + t * st] = x[xb + t * st] * (dy[db + t * st] - dot);
        }
    }

    // ---- ILGPU ----

    public struct Args
    {
        public int Outer, Len, Inner, XOff, DyOff, OutOff, Log, Backward;
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <summary>One thread per row (grid-stride).</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="x">Forward input (or forward output y when backward).</param>
    /// <param name="dy">Incoming gradient (backward only).</param>
    /// <param name="output">y, or dx when backward.</param>
    /// <param name="a">Dims and offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> output, Args a, int stride)
    {
        int rows = a.Outer * a.Inner;
        for (int r = index; r < rows; r += stride)
        {
            int o = r / a.Inner, i = r - o * a.Inner;
            int b = o * a.Len * a.Inner + i, st = a.Inner;
            if (a.Backward == 0)
            {
                float max = float.NegativeInfinity;
                for (int t = 0; t < a.Len; t++) max = MathF.Max(max, x[a.XOff + b + t * st]);
                float sum = 0;
                for (int t = 0; t < a.Len; t++) sum += MathF.Exp(x[a.XOff + b + t * st] - max);
                float lse = max + MathF.Log(sum);
                for (int t = 0; t < a.Len; t++)
                {
                    float v = x[a.XOff + b + t * st] - lse;
                    output[a.OutOff + b + t * st] = a.Log != 0 ? v : MathF.Exp(v);
                }
            }
            else
            {
                float dot = 0;
                for (int t = 0; t < a.Len; t++) dot += a.Log != 0 ? dy[a.DyOff + b + t * st] : dy[a.DyOff + b + t * st] * x[a.XOff + b + t * st];
                for (int t = 0; t < a.Len; t++)
                {
                    float yv = x[a.XOff + b + t * st], g = dy[a.DyOff + b + t * st];
                    output[a.OutOff + b + t * st] = a.Log != 0 ? g - MathF.Exp(yv) * dot : yv * (g - dot);
                }
            }
        }
    }

    public void Run(Device device, ArrayView<float> x, int xOff, ArrayView<float> dy, int dyOff, ArrayView<float> output, int outOff)
    {
        var launch = device.Kernel(KernelMethod,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        var args = new Args { Outer = _outer, Len = _len, Inner = _inner, XOff = xOff, DyOff = dyOff, OutOff = outOff, Log = _log ? 1 : 0, Backward = _backward ? 1 : 0 };
        int size = device.LaunchSize((long)_outer * _inner);
        launch(size, x, dy, output, args, size);
    }
}

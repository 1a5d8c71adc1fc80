using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
            if (_inner == 1)
            {
                var y = _y.AsSpan(_yOff + baseIdx, _len);
                if (_backward) ContiguousBackward(_x.AsSpan(_xOff + baseIdx, _len), _dy.AsSpan(_dyOff + baseIdx, _len), y, _log);
                else ContiguousForward(_x.AsSpan(_xOff + baseIdx, _len), y, _log);
            }
            else Row(_x.AsSpan(), _xOff + baseIdx, _dy.AsSpan(), _dyOff + baseIdx, _y.AsSpan(), _yOff + baseIdx, _len, _inner, _log, _backward);
        }
    }

    /// <summary>A row along memory (softmax over the last dim): max, Σ exp(x - max) and the output, eight lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ContiguousForward(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        int len = x.Length, t = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        var vmax = Vector256.Create(float.NegativeInfinity);
        for (; t + 8 <= len; t += 8) vmax = Vector256.Max(vmax, Vector256.LoadUnsafe(ref xr, (nuint)t));
        float max = len >= 8 ? HorizontalMax(vmax) : float.NegativeInfinity;
        for (; t < len; t++) max = MathF.Max(max, Unsafe.Add(ref xr, t));
        var m = Vector256.Create(max);
        var vsum = Vector256<float>.Zero;
        t = 0;
        // softmax keeps exp(x - max) in y and scales it after; log-softmax needs only the sum
        for (; t + 8 <= len; t += 8)
        {
            var e = Simd.Exp(Vector256.LoadUnsafe(ref xr, (nuint)t) - m);
            vsum += e;
            if (!log) e.StoreUnsafe(ref yr, (nuint)t);
        }
        float sum = Vector256.Sum(vsum);
        for (; t < len; t++)
        {
            float e = MathF.Exp(Unsafe.Add(ref xr, t) - max);
            sum += e;
            if (!log) Unsafe.Add(ref yr, t) = e;
        }
        t = 0;
        if (log)
        {
            float lse = max + MathF.Log(sum);
            var vlse = Vector256.Create(lse);
            for (; t + 8 <= len; t += 8) (Vector256.LoadUnsafe(ref xr, (nuint)t) - vlse).StoreUnsafe(ref yr, (nuint)t);
            for (; t < len; t++) Unsafe.Add(ref yr, t) = Unsafe.Add(ref xr, t) - lse;
        }
        else
        {
            float inv = 1f / sum;
            var vinv = Vector256.Create(inv);
            for (; t + 8 <= len; t += 8) (Vector256.LoadUnsafe(ref yr, (nuint)t) * vinv).StoreUnsafe(ref yr, (nuint)t);
            for (; t < len; t++) Unsafe.Add(ref yr, t) *= inv;
        }
    }

    /// <summary>The backward of a row along memory: softmax dx = y·(dy - Σ dy·y); log-softmax dx = dy - exp(y)·Σ dy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ContiguousBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool log)
    {
        int len = y.Length, t = 0;
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        var vdot = Vector256<float>.Zero;
        for (; t + 8 <= len; t += 8)
        {
            var g = Vector256.LoadUnsafe(ref gr, (nuint)t);
            vdot = log ? vdot + g : Vector256.FusedMultiplyAdd(g, Vector256.LoadUnsafe(ref yr, (nuint)t), vdot);
        }
        float dot = Vector256.Sum(vdot);
        for (; t < len; t++) dot += log ? Unsafe.Add(ref gr, t) : Unsafe.Add(ref gr, t) * Unsafe.Add(ref yr, t);
        var d = Vector256.Create(dot);
        t = 0;
        for (; t + 8 <= len; t += 8)
        {
            var yv = Vector256.LoadUnsafe(ref yr, (nuint)t);
            var g = Vector256.LoadUnsafe(ref gr, (nuint)t);
            (log ? g - Simd.Exp(yv) * d : yv * (g - d)).StoreUnsafe(ref dr, (nuint)t);
        }
        for (; t < len; t++)
        {
            float yv = Unsafe.Add(ref yr, t), g = Unsafe.Add(ref gr, t);
            Unsafe.Add(ref dr, t) = log ? g - MathF.Exp(yv) * dot : yv * (g - dot);
        }
    }

    private static float HorizontalMax(Vector256<float> v)
    {
        var h = Vector128.Max(v.GetLower(), v.GetUpper());
        h = Vector128.Max(h, Vector128.Shuffle(h, Vector128.Create(2, 3, 0, 1)));
        h = Vector128.Max(h, Vector128.Shuffle(h, Vector128.Create(1, 0, 3, 2)));
        return h.ToScalar();
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

/// <summary>
/// CrossEntropy's backward through log-softmax rows in one pass: from the log-probabilities y (rows × classes), the
/// gradient v of each row's picked entry and the class targets, dx[i, j] = [j = t_i]·v_i - exp(y[i, j])·v_i, and 0
/// for a row whose target is the ignore index. It replaces a one-hot scatter and a log-softmax backward.
/// </summary>
public sealed class PickedLogSoftmaxGradOp
{
    private readonly int _rows, _classes, _ignore;
    private readonly Action<long, long> _body;
    private float[] _y = [], _v = [], _dx = [];
    private int[] _t = [];
    private int _yOff, _vOff, _tOff, _dxOff;

    public PickedLogSoftmaxGradOp(int rows, int classes, int ignoreIndex)
    {
        (_rows, _classes, _ignore) = (rows, classes, ignoreIndex);
        _body = Rows;
    }

    public void Run(float[] y, int yOff, float[] v, int vOff, int[] targets, int tOff, float[] dx, int dxOff)
    {
        (_y, _yOff, _v, _vOff, _t, _tOff, _dx, _dxOff) = (y, yOff, v, vOff, targets, tOff, dx, dxOff);
        CpuWorkers.For(_rows, Math.Max(1, 16384 / Math.Max(1, _classes)), _body);
        _y = _v = _dx = [];
        _t = [];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rows(long r0, long r1)
    {
        int c = _classes;
        for (int i = (int)r0; i < r1; i++)
        {
            var dx = _dx.AsSpan(_dxOff + i * c, c);
            int t = _t[_tOff + i];
            if (t == _ignore) { dx.Clear(); continue; }
            float g = _v[_vOff + i];
            ref float yr = ref _y[_yOff + i * c];
            ref float dr = ref MemoryMarshal.GetReference(dx);
            var vg = Vector256.Create(g);
            int j = 0;
            for (; j + 8 <= c; j += 8) (-Simd.Exp(Vector256.LoadUnsafe(ref yr, (nuint)j)) * vg).StoreUnsafe(ref dr, (nuint)j);
            for (; j < c; j++) Unsafe.Add(ref dr, j) = -MathF.Exp(Unsafe.Add(ref yr, j)) * g;
            dx[t] += g;
        }
    }

    public struct Args
    {
        public int Rows, Classes, Ignore, YOff, VOff, TOff, DxOff;
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <summary>One thread per dx element (grid-stride).</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="y">Log-probabilities.</param>
    /// <param name="v">Gradient of each row's picked entry.</param>
    /// <param name="targets">Class indices.</param>
    /// <param name="dx">The input's gradient.</param>
    /// <param name="a">Dims and offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> y, ArrayView<float> v, ArrayView<int> targets, ArrayView<float> dx, Args a, int stride)
    {
        int total = a.Rows * a.Classes;
        for (int e = index; e < total; e += stride)
        {
            int i = e / a.Classes, j = e - i * a.Classes, t = targets[a.TOff + i];
            float g = t == a.Ignore ? 0f : v[a.VOff + i];
            dx[a.DxOff + e] = (j == t ? g : 0f) - MathF.Exp(y[a.YOff + e]) * g;
        }
    }

    public void Run(Device device, ArrayView<float> y, int yOff, ArrayView<float> v, int vOff, ArrayView<int> targets, int tOff, ArrayView<float> dx, int dxOff)
    {
        var launch = device.Kernel(KernelMethod,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, Args, int>(Kernel));
        var args = new Args { Rows = _rows, Classes = _classes, Ignore = _ignore, YOff = yOff, VOff = vOff, TOff = tOff, DxOff = dxOff };
        int size = device.LaunchSize((long)_rows * _classes);
        launch(size, y, v, targets, dx, args, size);
    }
}

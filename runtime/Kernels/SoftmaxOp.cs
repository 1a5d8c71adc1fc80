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
    /// <summary>Vectors a row sum adds in one float accumulator before its lanes go into a double (as the plans' totals, <see cref="FlatLoops"/>).</summary>
    private const int Block = 32;

    private readonly int _outer, _len, _inner;
    private readonly bool _log, _backward;
    private readonly Action<long, long> _rows;
    private float[] _x = [], _dy = [], _y = [];
    private int _xOff, _dyOff, _yOff;

    /// <param name="outer">Rows before the softmax dim (the product of the dims before it).</param>
    /// <param name="len">Length of the softmax dim.</param>
    /// <param name="inner">Elements after it (the product of the dims after it): 1 when it is the last dim.</param>
    /// <param name="log">LogSoftmax rather than Softmax.</param>
    /// <param name="backward">When true, Run's inputs are (y, dy) and it writes dx.</param>
    public SoftmaxOp(int outer, int len, int inner, bool log, bool backward)
    {
        (_outer, _len, _inner, _log, _backward) = (outer, len, inner, log, backward);
        _rows = Rows;
    }

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place x, int xOff, Place dy, int dyOff, Place output, int outOff)
    {
        if (plan.IsManaged) Run(plan.Floats(x), xOff, plan.Floats(dy), dyOff, plan.Floats(output), outOff);
        else Run(plan.Device, plan.View(x), xOff, plan.View(dy), dyOff, plan.View(output), outOff);
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

    /// <summary>A row along memory (softmax over the last dim): max, Σ exp(x - max) and the output, a vector at a time.</summary>
    private static void ContiguousForward(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        // a row shorter than sixteen runs eight lanes (the MLP's ten classes: vectors and a tail, not ten scalar exps)
        if (VectorWidths.Wide && x.Length >= Vector512<float>.Count) ContiguousForward<Wide512, Vector512<float>>(x, y, log);
        else ContiguousForward<Narrow256, Vector256<float>>(x, y, log);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ContiguousForward<S, V>(ReadOnlySpan<float> x, Span<float> y, bool log) where S : struct, IVectorWidth<V> where V : struct
    {
        int len = x.Length, w = S.Count, t = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        float max = float.NegativeInfinity, sum = 0;
        if (len >= w)
        {
            // the row max with two chains of vmaxps (a NaN may be dropped here; it still reaches every output through
            // the sum below); a row not a multiple of the width ends with one overlapping vector
            var m0 = S.Load(ref xr, 0);
            var m1 = m0;
            for (t = w; t + 2 * w <= len; t += 2 * w)
            {
                m0 = S.MaxNative(m0, S.Load(ref xr, t));
                m1 = S.MaxNative(m1, S.Load(ref xr, t + w));
            }
            if (t + w <= len) m0 = S.MaxNative(m0, S.Load(ref xr, t));
            m1 = S.MaxNative(m1, S.Load(ref xr, len - w));
            max = S.MaxAcross(S.MaxNative(m0, m1));
            // Σ exp(x - max); softmax keeps exp(x - max) in y and scales it after, log-softmax needs only the sum. The
            // tail is the last full vector with the lanes already counted masked out of the sum.
            var m = S.Splat(max);
            double total = 0;
            // the tail is read before the loop writes y: run in place, the loop would have overwritten its first lanes
            var tail = S.Load(ref xr, len - w);
            for (t = 0; t + w <= len;)
            {
                // Block vectors to a float accumulator, its lanes then into a double: a row of 50,257 (a vocabulary) kept near
                // float's precision, not 6,000 additions into each lane
                var vsum = S.Splat(0f);
                for (int stop = Math.Min(len, t + Block * w); t + w <= stop; t += w)
                {
                    var e = S.Exp(S.Sub(S.Load(ref xr, t), m));
                    vsum = S.Add(vsum, e);
                    if (!log) S.Store(e, ref yr, t);
                }
                total += S.Sum(vsum);
            }
            if (t < len)
            {
                var e = S.Exp(S.Sub(tail, m));
                total += S.Sum(S.KeepFrom(e, t - (len - w)));
                if (!log) S.Store(e, ref yr, len - w);
            }
            sum = (float)total;
        }
        else
        {
            for (t = 0; t < len; t++) max = MathF.Max(max, Unsafe.Add(ref xr, t));
            for (t = 0; t < len; t++)
            {
                float e = MathF.Exp(Unsafe.Add(ref xr, t) - max);
                sum += e;
                if (!log) Unsafe.Add(ref yr, t) = e;
            }
        }
        if (log)
        {
            // (x - max) - log Σ, as PyTorch: x - (max + log Σ) rounds the sum at max's magnitude (7,200 ulp at logits of 1e4)
            float logSum = MathF.Log(sum);
            var vm = S.Splat(max);
            var vlog = S.Splat(logSum);
            for (t = 0; t + w <= len; t += w) S.Store(S.Sub(S.Sub(S.Load(ref xr, t), vm), vlog), ref yr, t);
            for (; t < len; t++) Unsafe.Add(ref yr, t) = Unsafe.Add(ref xr, t) - max - logSum;
        }
        else
        {
            float inv = 1f / sum;
            var vinv = S.Splat(inv);
            for (t = 0; t + w <= len; t += w) S.Store(S.Mul(S.Load(ref yr, t), vinv), ref yr, t);
            for (; t < len; t++) Unsafe.Add(ref yr, t) *= inv;
        }
    }

    /// <summary>The backward of a row along memory: softmax dx = y·(dy - Σ dy·y); log-softmax dx = dy - exp(y)·Σ dy.</summary>
    private static void ContiguousBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool log)
    {
        if (VectorWidths.Wide && y.Length >= Vector512<float>.Count) ContiguousBackward<Wide512, Vector512<float>>(y, dy, dx, log);
        else ContiguousBackward<Narrow256, Vector256<float>>(y, dy, dx, log);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ContiguousBackward<S, V>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool log) where S : struct, IVectorWidth<V> where V : struct
    {
        int len = y.Length, w = S.Count, t = 0;
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        double total = 0;
        while (t + w <= len)
        {
            var vdot = S.Splat(0f);
            for (int stop = Math.Min(len, t + Block * w); t + w <= stop; t += w)
            {
                var g = S.Load(ref gr, t);
                vdot = log ? S.Add(vdot, g) : S.Fma(g, S.Load(ref yr, t), vdot);
            }
            total += S.Sum(vdot);
        }
        for (; t < len; t++) total += log ? Unsafe.Add(ref gr, t) : Unsafe.Add(ref gr, t) * Unsafe.Add(ref yr, t);
        float dot = (float)total;
        var d = S.Splat(dot);
        for (t = 0; t + w <= len; t += w)
        {
            var yv = S.Load(ref yr, t);
            var g = S.Load(ref gr, t);
            S.Store(log ? S.Sub(g, S.Mul(S.Exp(yv), d)) : S.Mul(yv, S.Sub(g, d)), ref dr, t);
        }
        for (; t < len; t++)
        {
            float yv = Unsafe.Add(ref yr, t), g = Unsafe.Add(ref gr, t);
            Unsafe.Add(ref dr, t) = log ? g - MathF.Exp(yv) * dot : yv * (g - dot);
        }
    }

    private static void Row(Span<float> x, int xb, Span<float> dy, int db, Span<float> y, int yb, int len, int st, bool log, bool backward)
    {
        if (!backward)
        {
            float max = float.NegativeInfinity;
            for (int t = 0; t < len; t++) max = MathF.Max(max, x[xb + t * st]);
            double total = 0; // a strided row one element at a time: the sum in double, as the contiguous rows' blocks
            for (int t = 0; t < len; t++) total += MathF.Exp(x[xb + t * st] - max);
            float sum = (float)total;
            if (log)
            {
                float logSum = MathF.Log(sum);
                for (int t = 0; t < len; t++) y[yb + t * st] = x[xb + t * st] - max - logSum;
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
            double total = 0;
            if (log) for (int t = 0; t < len; t++) total += dy[db + t * st];
            else for (int t = 0; t < len; t++) total += dy[db + t * st] * x[xb + t * st];
            float dot = (float)total;
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
                double sum = 0;
                for (int t = 0; t < a.Len; t++) sum += MathF.Exp(x[a.XOff + b + t * st] - max);
                float logSum = MathF.Log((float)sum);
                for (int t = 0; t < a.Len; t++)
                {
                    float v = x[a.XOff + b + t * st] - max - logSum;
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
/// CrossEntropy's backward through softmax rows in one pass: from the rows (rows × classes), the gradient v of each
/// row's picked log-probability and the class targets, dx[i, j] = [j = t_i]·v_i - p[i, j]·v_i, and 0 for a row whose
/// target is the ignore index. The rows are log-probabilities y (p = exp y: NLL over a log_softmax) or, with
/// <c>probabilities</c>, the softmax p itself, kept by CrossEntropy's forward so that the backward takes no exp.
/// It replaces a one-hot scatter and a softmax backward.
/// </summary>
public sealed class PickedLogSoftmaxGradOp
{
    private readonly int _rows, _classes, _ignore;
    private readonly bool _probabilities;
    private readonly Action<long, long> _body;
    private float[] _y = [], _v = [], _dx = [];
    private int[] _t = [];
    private int _yOff, _vOff, _tOff, _dxOff;

    public PickedLogSoftmaxGradOp(int rows, int classes, int ignoreIndex, bool probabilities = false)
    {
        (_rows, _classes, _ignore, _probabilities) = (rows, classes, ignoreIndex, probabilities);
        _body = Rows;
    }

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place y, int yOff, Place v, int vOff, Place targets, int tOff, Place dx, int dxOff)
    {
        if (plan.IsManaged) Run(plan.Floats(y), yOff, plan.Floats(v), vOff, plan.IntArray, tOff, plan.Floats(dx), dxOff);
        else Run(plan.Device, plan.View(y), yOff, plan.View(v), vOff, plan.IntView, tOff, plan.View(dx), dxOff);
    }

    public void Run(float[] y, int yOff, float[] v, int vOff, int[] targets, int tOff, float[] dx, int dxOff)
    {
        (_y, _yOff, _v, _vOff, _t, _tOff, _dx, _dxOff) = (y, yOff, v, vOff, targets, tOff, dx, dxOff);
        CpuWorkers.For(_rows, Math.Max(1, 16384 / Math.Max(1, _classes)), _body);
        _y = _v = _dx = [];
        _t = [];
    }

    private void Rows(long r0, long r1)
    {
        if (VectorWidths.Wide && _classes >= Vector512<float>.Count) Rows<Wide512, Vector512<float>>(r0, r1);
        else Rows<Narrow256, Vector256<float>>(r0, r1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rows<S, V>(long r0, long r1) where S : struct, IVectorWidth<V> where V : struct
    {
        int c = _classes, w = S.Count;
        bool exp = !_probabilities;
        for (int i = (int)r0; i < r1; i++)
        {
            var dx = _dx.AsSpan(_dxOff + i * c, c);
            int t = _t[_tOff + i];
            if (t == _ignore) { dx.Clear(); continue; }
            float g = _v[_vOff + i];
            ref float yr = ref _y[_yOff + i * c];
            ref float dr = ref MemoryMarshal.GetReference(dx);
            var minusG = S.Splat(-g);
            int j = 0;
            if (exp) for (; j + w <= c; j += w) S.Store(S.Mul(S.Exp(S.Load(ref yr, j)), minusG), ref dr, j);
            else for (; j + w <= c; j += w) S.Store(S.Mul(S.Load(ref yr, j), minusG), ref dr, j);
            // the tail as one overlapping vector (the same values rewritten), when the row holds one
            if (j < c && c >= w)
            {
                var p = S.Load(ref yr, c - w);
                S.Store(S.Mul(exp ? S.Exp(p) : p, minusG), ref dr, c - w);
                j = c;
            }
            for (; j < c; j++) Unsafe.Add(ref dr, j) = -(exp ? MathF.Exp(Unsafe.Add(ref yr, j)) : Unsafe.Add(ref yr, j)) * g;
            dx[t] += g;
        }
    }

    public struct Args
    {
        public int Rows, Classes, Ignore, Probabilities, YOff, VOff, TOff, DxOff;
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <summary>One thread per dx element (grid-stride).</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="y">Log-probabilities, or probabilities.</param>
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
            float p = a.Probabilities != 0 ? y[a.YOff + e] : MathF.Exp(y[a.YOff + e]);
            dx[a.DxOff + e] = (j == t ? g : 0f) - p * g;
        }
    }

    public void Run(Device device, ArrayView<float> y, int yOff, ArrayView<float> v, int vOff, ArrayView<int> targets, int tOff, ArrayView<float> dx, int dxOff)
    {
        var launch = device.Kernel(KernelMethod,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, Args, int>(Kernel));
        var args = new Args { Rows = _rows, Classes = _classes, Ignore = _ignore, Probabilities = _probabilities ? 1 : 0, YOff = yOff, VOff = vOff, TOff = tOff, DxOff = dxOff };
        int size = device.LaunchSize((long)_rows * _classes);
        launch(size, y, v, targets, dx, args, size);
    }
}

/// <summary>
/// CrossEntropy's picked log-probabilities from the softmax its forward keeps: out[i] = log p[i, t_i], or 0 where t_i
/// is the ignore index. Where p[i, t_i] is below 1e-30 (a confidently wrong row; below it float loses digits and 0
/// would give -∞) the row's log-sum-exp is computed from the logits instead: out[i] = x[i, t_i] - log Σ_j exp x[i, j],
/// as log_softmax gives it.
/// </summary>
public sealed class PickLogSoftmaxOp
{
    private readonly int _rows, _classes, _ignore;

    public PickLogSoftmaxOp(int rows, int classes, int ignoreIndex) => (_rows, _classes, _ignore) = (rows, classes, ignoreIndex);

    /// <summary>Below this a picked probability is recomputed from the logits.</summary>
    public const float Tiny = 1e-30f;

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place x, int xOff, Place targets, int tOff, Place p, int pOff, Place dst, int dstOff)
    {
        if (plan.IsManaged) Run(plan.Floats(x), xOff, plan.IntArray, tOff, plan.Floats(p), pOff, plan.Floats(dst), dstOff);
        else Run(plan.Device, plan.View(x), xOff, plan.IntView, tOff, plan.View(p), pOff, plan.View(dst), dstOff);
    }

    public void Run(float[] x, int xOff, int[] targets, int tOff, float[] p, int pOff, float[] dst, int dstOff)
    {
        for (int i = 0; i < _rows; i++)
        {
            int t = targets[tOff + i];
            if (t == _ignore) { dst[dstOff + i] = 0f; continue; }
            float pt = p[pOff + i * _classes + t];
            dst[dstOff + i] = pt >= Tiny ? MathF.Log(pt) : FromLogits(x.AsSpan(xOff + i * _classes, _classes), t);
        }
    }

    /// <summary>x[t] - max - log Σ exp(x - max) over one row.</summary>
    private static float FromLogits(ReadOnlySpan<float> x, int t)
    {
        float max = float.NegativeInfinity, sum = 0;
        foreach (float v in x) max = MathF.Max(max, v);
        foreach (float v in x) sum += MathF.Exp(v - max);
        return x[t] - max - MathF.Log(sum);
    }

    public struct Args
    {
        public int Rows, Classes, Ignore, XOff, TOff, POff, DstOff;
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <summary>One thread per row (grid-stride).</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="x">The logits.</param>
    /// <param name="targets">Class indices.</param>
    /// <param name="p">The softmax of the logits.</param>
    /// <param name="dst">The picked log-probabilities.</param>
    /// <param name="a">Dims and offsets.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> x, ArrayView<int> targets, ArrayView<float> p, ArrayView<float> dst, Args a, int stride)
    {
        for (int i = index; i < a.Rows; i += stride)
        {
            int t = targets[a.TOff + i];
            if (t == a.Ignore) { dst[a.DstOff + i] = 0f; continue; }
            float pt = p[a.POff + i * a.Classes + t];
            if (pt >= Tiny) { dst[a.DstOff + i] = MathF.Log(pt); continue; }
            int b = a.XOff + i * a.Classes;
            float max = float.NegativeInfinity, sum = 0;
            for (int j = 0; j < a.Classes; j++) max = MathF.Max(max, x[b + j]);
            for (int j = 0; j < a.Classes; j++) sum += MathF.Exp(x[b + j] - max);
            dst[a.DstOff + i] = x[b + t] - max - MathF.Log(sum);
        }
    }

    public void Run(Device device, ArrayView<float> x, int xOff, ArrayView<int> targets, int tOff, ArrayView<float> p, int pOff, ArrayView<float> dst, int dstOff)
    {
        var launch = device.Kernel(KernelMethod,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        var args = new Args { Rows = _rows, Classes = _classes, Ignore = _ignore, XOff = xOff, TOff = tOff, POff = pOff, DstOff = dstOff };
        int size = device.LaunchSize(_rows);
        launch(size, x, targets, p, dst, args, size);
    }
}

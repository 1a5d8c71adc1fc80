using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// C (m×n) = op(A)·op(B) (+ C when accumulating), row-major; op is an optional transpose. One instance per
/// plan node, dims bound once: running it allocates nothing. Managed path: a transposed B is packed (pooled
/// scratch), a transposed A read in place with its strides, then a 4×16 register-blocked FMA micro-kernel runs
/// over row blocks on all cores.
/// ILGPU path: one thread per output element (grid-stride).
/// </summary>
public sealed class GemmOp
{
    private readonly int _m, _n, _k;
    private readonly bool _transA, _transB, _accumulate;
    private readonly Action<long, long> _rows;
    private float[] _a = [], _b = [], _c = [];
    private int _aOff, _bOff, _cOff;

    public GemmOp(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        (_m, _n, _k, _transA, _transB, _accumulate) = (m, n, k, transA, transB, accumulate);
        _rows = Rows;
    }

    public void Run(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff)
    {
        // a transposed A is read in place (element (i, p) at i + p·m); a transposed B is packed, as the micro-kernel
        // loads 16 consecutive columns of a row of B
        float[]? packB = null;
        if (_transB) { packB = ArrayPool<float>.Shared.Rent(_k * _n); Transpose(b, bOff, _n, _k, packB); b = packB; bOff = 0; }
        if (!_accumulate) Array.Clear(c, cOff, _m * _n);
        (_a, _aOff, _b, _bOff, _c, _cOff) = (a, aOff, b, bOff, c, cOff);
        long flops = 2L * _m * _n * _k;
        CpuWorkers.For((_m + 3) / 4, flops > 1 << 20 ? 1 : long.MaxValue, _rows);
        if (packB is not null) ArrayPool<float>.Shared.Return(packB);
        _a = _b = _c = [];
    }

    /// <summary>Strides of A's rows and columns as stored: (k, 1), or (1, m) when transposed.</summary>
    private (int Row, int Col) AStrides => _transA ? (1, _m) : (_k, 1);

    /// <summary>dst (cols×rows) = src (rows×cols)ᵀ, in 16×16 tiles so reads and writes both stay within a few cache lines.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(float[] src, int off, int rows, int cols, float[] dst)
    {
        const int tile = 16;
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(src), off);
        ref float d = ref MemoryMarshal.GetArrayDataReference(dst);
        for (int r0 = 0; r0 < rows; r0 += tile)
        {
            int r1 = Math.Min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile)
            {
                int c1 = Math.Min(cols, c0 + tile);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++)
                        Unsafe.Add(ref d, c * rows + r) = Unsafe.Add(ref s, r * cols + c);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rows(long block0, long block1)
    {
        int i0 = (int)block0 * 4, i1 = Math.Min(_m, (int)block1 * 4);
        int i = i0;
        for (; i + 4 <= i1; i += 4) Block4(i);
        for (; i < i1; i++) Block1(i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block4(int i)
    {
        int n = _n, k = _k;
        var (aRow, aCol) = AStrides;
        ref float a0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_a), _aOff + i * aRow);
        ref float a1 = ref Unsafe.Add(ref a0, aRow);
        ref float a2 = ref Unsafe.Add(ref a1, aRow);
        ref float a3 = ref Unsafe.Add(ref a2, aRow);
        ref float b = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_b), _bOff);
        ref float c0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_c), _cOff + i * n);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        int j = 0;
        for (; j + 16 <= n; j += 16)
        {
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
            for (int p = 0; p < k; p++)
            {
                ref float bRow = ref Unsafe.Add(ref b, p * n + j);
                var b0 = Vector256.LoadUnsafe(ref bRow);
                var b1 = Vector256.LoadUnsafe(ref bRow, 8);
                int ap = p * aCol;
                var x = Vector256.Create(Unsafe.Add(ref a0, ap)); s00 = Vector256.FusedMultiplyAdd(x, b0, s00); s01 = Vector256.FusedMultiplyAdd(x, b1, s01);
                x = Vector256.Create(Unsafe.Add(ref a1, ap)); s10 = Vector256.FusedMultiplyAdd(x, b0, s10); s11 = Vector256.FusedMultiplyAdd(x, b1, s11);
                x = Vector256.Create(Unsafe.Add(ref a2, ap)); s20 = Vector256.FusedMultiplyAdd(x, b0, s20); s21 = Vector256.FusedMultiplyAdd(x, b1, s21);
                x = Vector256.Create(Unsafe.Add(ref a3, ap)); s30 = Vector256.FusedMultiplyAdd(x, b0, s30); s31 = Vector256.FusedMultiplyAdd(x, b1, s31);
            }
            AddStore(ref c0, j, s00, s01); AddStore(ref c1, j, s10, s11); AddStore(ref c2, j, s20, s21); AddStore(ref c3, j, s30, s31);
        }
        for (; j < n; j++)
        {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int p = 0; p < k; p++)
            {
                float bv = Unsafe.Add(ref b, p * n + j);
                int ap = p * aCol;
                s0 += Unsafe.Add(ref a0, ap) * bv; s1 += Unsafe.Add(ref a1, ap) * bv; s2 += Unsafe.Add(ref a2, ap) * bv; s3 += Unsafe.Add(ref a3, ap) * bv;
            }
            Unsafe.Add(ref c0, j) += s0; Unsafe.Add(ref c1, j) += s1; Unsafe.Add(ref c2, j) += s2; Unsafe.Add(ref c3, j) += s3;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block1(int i)
    {
        int n = _n, k = _k;
        var (aRow, aCol) = AStrides;
        ref float a = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_a), _aOff + i * aRow);
        ref float b = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_b), _bOff);
        ref float c = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_c), _cOff + i * n);
        int j = 0;
        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> s = default;
            for (int p = 0; p < k; p++) s = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, p * aCol)), Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * n + j)), s);
            (s + Vector256.LoadUnsafe(ref c, (nuint)j)).StoreUnsafe(ref c, (nuint)j);
        }
        for (; j < n; j++)
        {
            float s = 0;
            for (int p = 0; p < k; p++) s += Unsafe.Add(ref a, p * aCol) * Unsafe.Add(ref b, p * n + j);
            Unsafe.Add(ref c, j) += s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddStore(ref float c, int j, Vector256<float> lo, Vector256<float> hi)
    {
        (lo + Vector256.LoadUnsafe(ref c, (nuint)j)).StoreUnsafe(ref c, (nuint)j);
        (hi + Vector256.LoadUnsafe(ref c, (nuint)(j + 8))).StoreUnsafe(ref c, (nuint)(j + 8));
    }

    // ---- ILGPU ----

    /// <summary>Strides and offsets of one GEMM launch (element units).</summary>
    public struct Args
    {
        public int M, N, K, AOff, ARow, ACol, BOff, BRow, BCol, COff, Accumulate;
    }

    /// <summary>The kernel as a delegate, made once: the key of the device's launcher cache.</summary>
    private static readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <summary>One thread per C element, grid-stride: C[i,j] (+)= Σ_p A[i,p]·B[p,j] with strided operands.</summary>
    /// <param name="index">The thread index.</param>
    /// <param name="a">Buffer holding A.</param>
    /// <param name="b">Buffer holding B.</param>
    /// <param name="c">Buffer holding C.</param>
    /// <param name="g">Dims, offsets and strides.</param>
    /// <param name="stride">Launch size (grid-stride step).</param>
    public static void Kernel(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, Args g, int stride)
    {
        int total = g.M * g.N;
        for (int t = index; t < total; t += stride)
        {
            int i = t / g.N, j = t - i * g.N;
            float s = 0;
            for (int p = 0; p < g.K; p++) s += a[g.AOff + i * g.ARow + p * g.ACol] * b[g.BOff + p * g.BRow + j * g.BCol];
            int o = g.COff + t;
            c[o] = g.Accumulate != 0 ? c[o] + s : s;
        }
    }

    public void Run(Device device, ArrayView<float> a, int aOff, ArrayView<float> b, int bOff, ArrayView<float> c, int cOff)
    {
        var launch = device.Kernel(KernelMethod,
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Args, int>(Kernel));
        var g = new Args
        {
            M = _m, N = _n, K = _k, AOff = aOff, BOff = bOff, COff = cOff, Accumulate = _accumulate ? 1 : 0,
            ARow = _transA ? 1 : _k, ACol = _transA ? _m : 1,
            BRow = _transB ? 1 : _n, BCol = _transB ? _k : 1,
        };
        int size = device.LaunchSize((long)_m * _n);
        launch(size, a, b, c, g, size);
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>
/// C (m×n) = op(A)·op(B) (+ C when accumulating), row-major; op is an optional transpose. One instance per
/// plan node, dims bound once: running it allocates nothing.
/// Managed path, after BLIS: B is read in panels two vectors wide, in place where it is untransposed and narrow (only a
/// last, partial panel is packed, zero-padded), else packed (a transposed B, or rows 1 KB or more apart, whose panel rows
/// would each be a new page: packing costs less than those misses there); A is read in place with its strides, but for
/// a transposed A, packed into row tiles per block and slice on a plan's managed path; a register-blocked FMA
/// micro-kernel two vectors wide (8 rows with Vector512, 6 with Vector256) runs over blocks of rows × columns on all
/// cores, the inner dimension cut into cache-sized slices. The first slice writes C, so nothing is cleared first.
/// ILGPU path: one thread per output element (grid-stride).
/// </summary>
public sealed class GemmOp
{
    /// <summary>
    /// Rows of the micro-kernel's tile at <paramref name="lanes"/> floats per vector: as many as keep its accumulators (rows ×
    /// 2 vectors), B's two vectors and A's broadcast in registers. Eight with Vector512 (16 + 3 of AVX-512's 32); six with
    /// Vector256 (12 + 3 of AVX2's 16: eight rows spilled three accumulators to the stack on every step of the inner loop;
    /// 1024³ on a Zen 3 without AVX-512 went from 74 to 106-112 GFLOP/s, its FMA peak being ~196). Keyed to the width, not the
    /// register file, so forcing Vector256 on an AVX-512 machine runs (and tests) the six-row form too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TileRows(int lanes) => lanes == 16 ? 8 : 6;
    /// <summary>Longest slice of the inner dimension per pass: a row tile's A slice (rows × Kc floats), or a packed panel's
    /// (Kc × Nr, where it fits), stays in L1.</summary>
    private const int Kc = 256;
    /// <summary>Rows per block (a task), rounded down to a multiple of the tile's rows (126 with six): the block's C (Mc × Nc
    /// floats) stays in L2 across the slices. (A packed B of few rows' worth of A takes all its rows as one block.)</summary>
    private const int Mc = 128;
    /// <summary>Columns per block (a multiple of every Nr): a B block slice (Kc × Nc floats) stays in L2.</summary>
    private const int Nc = 512;

    /// <summary>Whether this product runs the Vector512 kernel: where the hardware has it and C has 16 columns or more (a
    /// panel's last 16 or fewer run <see cref="Micro1{S, V}"/>, one vector wide).</summary>
    private bool Wide => VectorWidths.Wide && _n >= Vector512<float>.Count;

    private readonly int _m, _n, _k;
    private readonly bool _transA, _transB, _accumulate;
    private readonly Action<long, long> _tasks, _pack, _taken;
    /// <summary>Blocks of this run, and the next one not yet taken (<see cref="Taken"/>).</summary>
    private int _blocks, _next;
    private float[] _packed = [];
    /// <summary>Where the panels start in <see cref="_packed"/>: the first 64-byte boundary, so no vector load of a panel
    /// straddles two cache lines (the array is pinned, so the boundary stays put).</summary>
    private int _packOff;
    /// <summary>
    /// A transposed A's row tiles, packed per block and slice (each tile kc × rows, the rows of one p together), one
    /// region per pool thread (<see cref="CpuWorkers.Worker"/>): A's columns in place are m floats apart, and where m is
    /// a multiple of 256 (1 KB) a tile's kc lines fall into a few L1 sets and were read from L2 (a weight gradient,
    /// dHᵀ·x with 256 hidden units, ran at half the speed of the forward product).
    /// </summary>
    private float[] _packedA = [];
    private int _packedAStride;
    private float[] _a = [], _b = [], _c = [];
    private int _aOff, _bOff, _cOff;
    // per run: B's layout as the micro-kernel reads it, and the block grid
    private int _nr, _mr, _mc, _nc, _colBlocks;
    /// <summary>Panels [0, this) are read from B in place (rows n apart); the rest from <see cref="_packed"/> (rows Nr apart).</summary>
    private int _inPlace;

    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="transA">Whether A is stored transposed (k × m).</param>
    /// <param name="transB">Whether B is stored transposed (n × k).</param>
    /// <param name="accumulate">Whether the product is added into C (a gradient) rather than written.</param>
    /// <param name="managed">Whether it runs on the managed path (a plan passes its own): the buffer its packed panels need
    /// is then allocated here, when the plan is compiled, so that no step allocates, the first included.</param>
    public GemmOp(int m, int n, int k, bool transA, bool transB, bool accumulate, bool managed = false)
    {
        (_m, _n, _k, _transA, _transB, _accumulate) = (m, n, k, transA, transB, accumulate);
        _tasks = Tasks;
        _taken = Taken;
        _pack = Pack;
        if (managed && !(_m == 0 || _n <= 1 || _k <= 1 || _m == 1))
        {
            EnsurePacked(Layout().Packed);
            if (_transA)
            {
                // a block has at most min(m, 2·Mc) rows rounded up to a tile (see Run), a slice at most Kc; 8 floats of slack
                // for the vector copy of a tile's last row group
                _packedAStride = (Math.Min(_m, 2 * Mc) + 8) * Kc + 8;
                _packedA = GC.AllocateUninitializedArray<float>(CpuWorkers.Count * _packedAStride);
                Array.Clear(_packedA);
            }
        }
    }

    /// <summary>The panel width (two vectors) and the panels: all of them, and those read from B in place.</summary>
    private (int Nr, int Panels, int InPlace, int Packed) Layout()
    {
        int nr = Wide ? 2 * Vector512<float>.Count : 2 * Vector256<float>.Count;
        int panels = (_n + nr - 1) / nr;
        // a narrow untransposed B is read in place but for a last, partial panel (zero-padded in the pack) unless that
        // panel is one vector wide (Micro1 reads just that vector of each row). A transposed B is packed, and so is one whose
        // rows are 1 KB or more apart: in place, each step along k of a panel is a new line on a new page (a multiple of
        // 4 KB apart, the same L1 sets), and each row block walks all of it again; packing costs one pass. On a Zen 3
        // (Vector256) packing these took 1000³ from 113 to 153-163 GFLOP/s, 256 × 784 × 256 from 99-140 to 161-164.
        int inPlace = _transB || _n >= 256 ? 0 : _n % nr == nr / 2 ? panels : _n / nr;
        return (nr, panels, inPlace, (panels - inPlace) * _k * nr);
    }

    /// <summary>Grows the pack buffer to hold <paramref name="floats"/> panel floats from a 64-byte boundary.</summary>
    private void EnsurePacked(int floats)
    {
        if (floats == 0 || _packed.Length >= floats + 16) return;
        _packed = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        Array.Clear(_packed);   // written once: its pages are mapped now, not in the first run
        _packOff = HostCopy.AlignmentShift(_packed);
    }

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place a, int aOff, Place b, int bOff, Place c, int cOff)
    {
        if (plan.IsManaged) Run(plan.Floats(a), aOff, plan.Floats(b), bOff, plan.Floats(c), cOff);
        else Run(plan.Device, plan.View(a), aOff, plan.View(b), bOff, plan.View(c), cOff);
    }

    public void Run(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff)
    {
        if (_m == 0 || _n == 0) return;
        if (_k == 0) { if (!_accumulate) Array.Clear(c, cOff, _m * _n); return; }
        (_a, _aOff, _b, _bOff, _c, _cOff) = (a, aOff, b, bOff, c, cOff);
        if (_n == 1) { Gemv(); return; }
        if (_m == 1) { Gevm(); return; }
        if (_k == 1) { Outer(); return; }
        (_nr, int panels, _inPlace, int packed) = Layout();
        long flops = 2L * _m * _n * _k;
        bool parallel = flops > 1 << 20 && CpuWorkers.Count > 1;
        if (_inPlace < panels)
        {
            EnsurePacked(packed);   // allocated when the plan was compiled, unless the vector width changed since
            CpuWorkers.For(panels - _inPlace, parallel ? 1 : long.MaxValue, _pack);
        }

        // blocks: a packed B's columns split as the cores packed them (below); else rows split first, and when there are
        // too few row blocks to keep every core busy, columns too
        _mr = TileRows(_nr / 2);
        _mc = Math.Min(Mc / _mr * _mr, RoundUp(_m, _mr));
        _nc = Math.Min(Nc, panels * _nr);
        int rowBlocks = (_m + _mc - 1) / _mc;
        int cores = CpuWorkers.Count;
        if (parallel && _inPlace == 0 && panels % cores == 0 && _m <= 2 * Mc && panels / cores * _nr <= Nc)
        {
            // a packed B of few rows' worth of A (a layer's weight, transposed): each core takes the columns whose panels it
            // packed, and all rows, so no core reads a panel from the other's cache (where the host puts the VM's cores on
            // two L3s, each line handed over costs ~300 ns, and a row split handed over half the panels)
            (_mc, _nc) = (RoundUp(_m, _mr), panels / cores * _nr);
            rowBlocks = 1;
        }
        else if (parallel && rowBlocks < cores)
        {
            _mc = RoundUp((_m + cores - 1) / cores, _mr);
            rowBlocks = (_m + _mc - 1) / _mc;
            if (rowBlocks < cores) _nc = Math.Min(_nc, RoundUp((_n + cores - 1) / cores, _nr));
        }
        else
        {
            // blocks of even size: 256 rows were 126 + 126 + 4 (a last block of partial tiles), 784 columns 512 + 272
            _mc = RoundUp((_m + rowBlocks - 1) / rowBlocks, _mr);
            rowBlocks = (_m + _mc - 1) / _mc;
            int colBlocks = (_n + _nc - 1) / _nc;
            _nc = RoundUp((_n + colBlocks - 1) / colBlocks, _nr);
        }
        _colBlocks = (_n + _nc - 1) / _nc;
        _blocks = rowBlocks * _colBlocks;
        if (parallel && _blocks > cores)
        {
            // more blocks than cores: each core takes the next block when it finishes one (the workers' even split of the
            // block list gave one core 81 % of the work of 256 × 256 · 256 × 784, the MLP's weight gradient, and 55 % at
            // 1024³); which core computes a block does not change its values
            _next = 0;
            CpuWorkers.For(cores, 1, _taken);
        }
        else CpuWorkers.For(_blocks, parallel ? 1 : long.MaxValue, _tasks);
        _a = _b = _c = [];
    }

    /// <summary>
    /// One output column (a layer with one output, its input gradient): c = A·b. Rows of an untransposed A are dot
    /// products along memory; a transposed A is summed as scaled rows (c += b[p]·A[p, :]), also along memory.
    /// </summary>
    private void Gemv()
    {
        // a transposed B of one column is the same k values as an untransposed one
        Gemv(ref AStart, _transA, ref BStart, ref CStart, _m, _k, _accumulate);
        _a = _b = _c = [];
    }

    /// <summary>
    /// One output row (a batch of one; a weight gradient from one output): c = aᵀ·B, which is Bᵀ·a, the column form with
    /// B's storage as the matrix: an untransposed B ([k, n], rows n apart) is summed as scaled rows, a transposed one
    /// ([n, k]) as dot products. (The micro-kernel would compute a tile of rows to keep one.)
    /// </summary>
    private void Gevm()
    {
        Gemv(ref BStart, !_transB, ref AStart, ref CStart, _n, _k, _accumulate);
        _a = _b = _c = [];
    }

    /// <summary>c (+)= M·v for an m × k matrix stored row-major (rows k apart), or, when <paramref name="columns"/>, stored
    /// as its transpose (k rows m apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv(ref float a, bool columns, ref float b, ref float c, int m, int k, bool add)
    {
        if (!columns)
        {
            int i = 0;
            // eight rows at a time when k is a multiple of 8: eight accumulators, summed across lanes together
            if (k % 8 == 0 && Avx.IsSupported)
                for (; i + 8 <= m; i += 8)
                {
                    ref float r0 = ref Unsafe.Add(ref a, i * k);
                    Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                    for (int p = 0; p < k; p += 8)
                    {
                        var bv = Vector256.LoadUnsafe(ref b, (nuint)p);
                        ref float rp = ref Unsafe.Add(ref r0, p);
                        s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp), bv, s0);
                        s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)k), bv, s1);
                        s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)(2 * k)), bv, s2);
                        s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)(3 * k)), bv, s3);
                        s4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)(4 * k)), bv, s4);
                        s5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)(5 * k)), bv, s5);
                        s6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)(6 * k)), bv, s6);
                        s7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rp, (nuint)(7 * k)), bv, s7);
                    }
                    var sums = SumEach(s0, s1, s2, s3, s4, s5, s6, s7);
                    (add ? Vector256.LoadUnsafe(ref c, (nuint)i) + sums : sums).StoreUnsafe(ref c, (nuint)i);
                }
            for (; i < m; i++)
            {
                ref float row = ref Unsafe.Add(ref a, i * k);
                var acc = Vector256<float>.Zero;
                int p = 0;
                for (; p + 8 <= k; p += 8) acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)p), Vector256.LoadUnsafe(ref b, (nuint)p), acc);
                float s = Vector256.Sum(acc);
                for (; p < k; p++) s += Unsafe.Add(ref row, p) * Unsafe.Add(ref b, p);
                Unsafe.Add(ref c, i) = add ? Unsafe.Add(ref c, i) + s : s;
            }
        }
        else
        {
            // c's elements stay in registers over all k rows, 32 (then 8) at a time: no store and reload of c per row
            int i = 0;
            for (; i + 32 <= m; i += 32)
            {
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
                if (add) (c0, c1, c2, c3) = (Vector256.LoadUnsafe(ref c, (nuint)i), Vector256.LoadUnsafe(ref c, (nuint)(i + 8)), Vector256.LoadUnsafe(ref c, (nuint)(i + 16)), Vector256.LoadUnsafe(ref c, (nuint)(i + 24)));
                ref float col = ref Unsafe.Add(ref a, i);
                for (int p = 0; p < k; p++)
                {
                    ref float row = ref Unsafe.Add(ref col, p * m);
                    var bv = Vector256.Create(Unsafe.Add(ref b, p));
                    c0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row), bv, c0);
                    c1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, 8), bv, c1);
                    c2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, 16), bv, c2);
                    c3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, 24), bv, c3);
                }
                c0.StoreUnsafe(ref c, (nuint)i); c1.StoreUnsafe(ref c, (nuint)(i + 8)); c2.StoreUnsafe(ref c, (nuint)(i + 16)); c3.StoreUnsafe(ref c, (nuint)(i + 24));
            }
            for (; i + 8 <= m; i += 8)
            {
                // four rows of A at a time into four accumulators: four chains of FMAs, not one k long
                Vector256<float> c0 = add ? Vector256.LoadUnsafe(ref c, (nuint)i) : default, c1 = default, c2 = default, c3 = default;
                ref float col = ref Unsafe.Add(ref a, i);
                int p = 0;
                for (; p + 4 <= k; p += 4)
                {
                    ref float row = ref Unsafe.Add(ref col, p * m);
                    c0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row), Vector256.Create(Unsafe.Add(ref b, p)), c0);
                    c1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)m), Vector256.Create(Unsafe.Add(ref b, p + 1)), c1);
                    c2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)(2 * m)), Vector256.Create(Unsafe.Add(ref b, p + 2)), c2);
                    c3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)(3 * m)), Vector256.Create(Unsafe.Add(ref b, p + 3)), c3);
                }
                for (; p < k; p++) c0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref col, p * m)), Vector256.Create(Unsafe.Add(ref b, p)), c0);
                ((c0 + c1) + (c2 + c3)).StoreUnsafe(ref c, (nuint)i);
            }
            for (; i < m; i++)
            {
                float s = add ? Unsafe.Add(ref c, i) : 0;
                for (int p = 0; p < k; p++) s += Unsafe.Add(ref a, p * m + i) * Unsafe.Add(ref b, p);
                Unsafe.Add(ref c, i) = s;
            }
        }
    }

    /// <summary>The lane sums of eight vectors, as one vector (three rounds of pairwise horizontal adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SumEach(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3,
        Vector256<float> s4, Vector256<float> s5, Vector256<float> s6, Vector256<float> s7)
    {
        // per 128-bit half: [s0 s1 s2 s3] sums of that half's four lanes, then the two halves added
        var u0 = Avx.HorizontalAdd(Avx.HorizontalAdd(s0, s1), Avx.HorizontalAdd(s2, s3));
        var u1 = Avx.HorizontalAdd(Avx.HorizontalAdd(s4, s5), Avx.HorizontalAdd(s6, s7));
        return Avx.Permute2x128(u0, u1, 0x20) + Avx.Permute2x128(u0, u1, 0x31);
    }

    /// <summary>
    /// An inner dimension of one (a layer with one input feature): c = a·bᵀ, an outer product, one row of C per element of
    /// a. With k = 1 a transposed operand is the same values, contiguous. Each product is an FMA onto +0, then added (as the
    /// micro-kernel's sum of one term is), so the bits are the micro-kernel's, the sign of a zero product included.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Outer()
    {
        int m = _m, n = _n;
        ref float a = ref AStart, b = ref BStart, c = ref CStart;
        bool add = _accumulate;
        if (n == 16 && VectorWidths.Wide)
        {
            // a row of C is one vector: B's stays in a register
            var bw = Vector512.LoadUnsafe(ref b);
            for (int i = 0; i < m; i++)
            {
                var p = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, i)), bw, Vector512<float>.Zero);
                ref float row = ref Unsafe.Add(ref c, (nint)i * 16);
                (add ? Vector512.LoadUnsafe(ref row) + p : p).StoreUnsafe(ref row);
            }
            _a = _b = _c = [];
            return;
        }
        if (n == 16)
        {
            // the same with eight lanes: B's row is two vectors, both kept in registers (the GAN's first layer: 500 × 16)
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 8);
            for (int i = 0; i < m; i++)
            {
                var ai = Vector256.Create(Unsafe.Add(ref a, i));
                var p0 = Vector256.FusedMultiplyAdd(ai, b0, Vector256<float>.Zero);
                var p1 = Vector256.FusedMultiplyAdd(ai, b1, Vector256<float>.Zero);
                ref float row = ref Unsafe.Add(ref c, (nint)i * 16);
                (add ? Vector256.LoadUnsafe(ref row) + p0 : p0).StoreUnsafe(ref row);
                (add ? Vector256.LoadUnsafe(ref row, 8) + p1 : p1).StoreUnsafe(ref row, 8);
            }
            _a = _b = _c = [];
            return;
        }
        for (int i = 0; i < m; i++)
        {
            float ai = Unsafe.Add(ref a, i);
            ref float row = ref Unsafe.Add(ref c, (nint)i * n);
            int j = 0;
            if (VectorWidths.Wide)
            {
                var aw = Vector512.Create(ai);
                for (; j + 16 <= n; j += 16)
                {
                    var p = Vector512.FusedMultiplyAdd(aw, Vector512.LoadUnsafe(ref b, (nuint)j), Vector512<float>.Zero);
                    (add ? Vector512.LoadUnsafe(ref row, (nuint)j) + p : p).StoreUnsafe(ref row, (nuint)j);
                }
            }
            var av = Vector256.Create(ai);
            for (; j + 8 <= n; j += 8)
            {
                var p = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref b, (nuint)j), Vector256<float>.Zero);
                (add ? Vector256.LoadUnsafe(ref row, (nuint)j) + p : p).StoreUnsafe(ref row, (nuint)j);
            }
            for (; j < n; j++)
            {
                float p = MathF.FusedMultiplyAdd(ai, Unsafe.Add(ref b, j), 0f);
                Unsafe.Add(ref row, j) = add ? Unsafe.Add(ref row, j) + p : p;
            }
        }
        _a = _b = _c = [];
    }

    /// <summary>The first element of each operand of the current run.</summary>
    private ref float AStart => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_a), _aOff);
    private ref float BStart => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_b), _bOff);
    private ref float CStart => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_c), _cOff);

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>Packs the packed panels [start, end) (panel <see cref="_inPlace"/> + i of B is packed panel i): each holds, for
    /// each p, Nr consecutive columns of row p (zeros past n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pack(long start, long end)
    {
        int n = _n, k = _k, nr = _nr;
        ref float src = ref BStart, packed = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packed), _packOff);
        for (int q = (int)start; q < end; q++)
            if ((_inPlace + q + 1) * nr > n) _packed.AsSpan(_packOff + q * k * nr, k * nr).Clear();
        if (!_transB)
        {
            // sixteen rows of B at a time across the panels, so each row is read along memory (panel by panel, all k rows,
            // read one row per 4 KB page at n = 1024, out of reach of the prefetcher, and took 2.7 times as long)
            for (int p0 = 0; p0 < k; p0 += 16)
            {
                int p1 = Math.Min(k, p0 + 16);
                for (int q = (int)start; q < end; q++)
                {
                    int j0 = (_inPlace + q) * nr, cols = Math.Min(nr, n - j0), c8 = cols & ~7;
                    ref float dst = ref Unsafe.Add(ref packed, q * k * nr);
                    for (int p = p0; p < p1; p++)
                    {
                        // row p's 16 or 32 columns: a few vector moves inline (a Memmove call per row cost more than the copy)
                        ref float from = ref Unsafe.Add(ref src, (nint)p * n + j0);
                        ref float to = ref Unsafe.Add(ref dst, p * nr);
                        for (int l = 0; l < c8; l += 8) Vector256.LoadUnsafe(ref from, (nuint)l).StoreUnsafe(ref to, (nuint)l);
                        for (int l = c8; l < cols; l++) Unsafe.Add(ref to, l) = Unsafe.Add(ref from, l);
                    }
                }
            }
            return;
        }
        for (int q = (int)start; q < end; q++)
        {
            // stored B is n×k: column j of op(B) is row j. Eight rows at a time are read along p in 8×8 tiles, transposed in
            // registers (AVX); the rows and p's past a multiple of eight element by element
            int j0 = (_inPlace + q) * nr, cols = Math.Min(nr, n - j0);
            ref float dst = ref Unsafe.Add(ref packed, q * k * nr);
            int l8 = Avx.IsSupported ? cols & ~7 : 0, p8 = k & ~7;
            for (int l = 0; l < l8; l += 8)
            {
                ref float rows = ref Unsafe.Add(ref src, (nint)(j0 + l) * k);
                for (int p = 0; p < p8; p += 8)
                    Transpose8(ref Unsafe.Add(ref rows, p), k, ref Unsafe.Add(ref dst, p * nr + l), nr);
                for (int p = p8; p < k; p++)
                    for (int i = 0; i < 8; i++) Unsafe.Add(ref dst, p * nr + l + i) = Unsafe.Add(ref rows, (nint)i * k + p);
            }
            for (int l = l8; l < cols; l++)
            {
                ref float row = ref Unsafe.Add(ref src, (nint)(j0 + l) * k);
                for (int p = 0; p < k; p++) Unsafe.Add(ref dst, p * nr + l) = Unsafe.Add(ref row, p);
            }
        }
    }

    /// <summary>Writes the transpose of the 8×8 tile at <paramref name="src"/> (rows <paramref name="ld"/> apart) to <paramref name="dst"/> (rows <paramref name="ldd"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(ref float src, int ld, ref float dst, int ldd)
    {
        var r0 = Vector256.LoadUnsafe(ref src); var r1 = Vector256.LoadUnsafe(ref src, (nuint)ld);
        var r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * ld)); var r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * ld));
        var r4 = Vector256.LoadUnsafe(ref src, (nuint)(4 * ld)); var r5 = Vector256.LoadUnsafe(ref src, (nuint)(5 * ld));
        var r6 = Vector256.LoadUnsafe(ref src, (nuint)(6 * ld)); var r7 = Vector256.LoadUnsafe(ref src, (nuint)(7 * ld));
        // pairs of rows interleaved, then pairs of pairs, then the 128-bit halves: column j of the tile in t_j
        Vector256<float> a0 = Avx.UnpackLow(r0, r1), a1 = Avx.UnpackHigh(r0, r1), a2 = Avx.UnpackLow(r2, r3), a3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> a4 = Avx.UnpackLow(r4, r5), a5 = Avx.UnpackHigh(r4, r5), a6 = Avx.UnpackLow(r6, r7), a7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> b0 = Avx.Shuffle(a0, a2, 0x44), b1 = Avx.Shuffle(a0, a2, 0xEE), b2 = Avx.Shuffle(a1, a3, 0x44), b3 = Avx.Shuffle(a1, a3, 0xEE);
        Vector256<float> b4 = Avx.Shuffle(a4, a6, 0x44), b5 = Avx.Shuffle(a4, a6, 0xEE), b6 = Avx.Shuffle(a5, a7, 0x44), b7 = Avx.Shuffle(a5, a7, 0xEE);
        Avx.Permute2x128(b0, b4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(b1, b5, 0x20).StoreUnsafe(ref dst, (nuint)ldd);
        Avx.Permute2x128(b2, b6, 0x20).StoreUnsafe(ref dst, (nuint)(2 * ldd));
        Avx.Permute2x128(b3, b7, 0x20).StoreUnsafe(ref dst, (nuint)(3 * ldd));
        Avx.Permute2x128(b0, b4, 0x31).StoreUnsafe(ref dst, (nuint)(4 * ldd));
        Avx.Permute2x128(b1, b5, 0x31).StoreUnsafe(ref dst, (nuint)(5 * ldd));
        Avx.Permute2x128(b2, b6, 0x31).StoreUnsafe(ref dst, (nuint)(6 * ldd));
        Avx.Permute2x128(b3, b7, 0x31).StoreUnsafe(ref dst, (nuint)(7 * ldd));
    }

    /// <summary>One core's share of the blocks when there are more than cores: the next block not yet taken, until none is left.</summary>
    private void Taken(long start, long end)
    {
        for (int t; (t = Interlocked.Increment(ref _next) - 1) < _blocks;) Tasks(t, t + 1);
    }

    /// <summary>Runs blocks [start, end) of the row-block × column-block grid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tasks(long start, long end)
    {
        for (long t = start; t < end; t++)
        {
            int i0 = (int)(t / _colBlocks) * _mc, j0 = (int)(t % _colBlocks) * _nc;
            // the width this run's panels were laid out for (not Wide again: the split of in-place and packed panels follows it)
            if (_nr == 2 * Vector512<float>.Count) Block<Wide512, Vector512<float>>(i0, Math.Min(_m, i0 + _mc), j0, Math.Min(_n, j0 + _nc));
            else Block<Narrow256, Vector256<float>>(i0, Math.Min(_m, i0 + _mc), j0, Math.Min(_n, j0 + _nc));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block<S, V>(int i0, int i1, int j0, int j1) where S : struct, IVectorWidth<V> where V : struct
    {
        int nr = 2 * S.Count, mr = TileRows(S.Count), m = _m, k = _k;
        nint aRow = _transA ? 1 : k, aCol = _transA ? m : 1;
        ref float a = ref AStart, b = ref BStart, c = ref CStart;
        bool packA = _packedA.Length > 0;
        ref float packed = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packedA), (nint)CpuWorkers.Worker * _packedAStride);
        // slices of equal length (784 = 4 × 196, not 3 × 256 + 16: a short last slice pays the C loads and stores for little work)
        int slice = (k + (k + Kc - 1) / Kc - 1) / ((k + Kc - 1) / Kc);
        // the loop order: panel first where every panel is packed (contiguous) and a slice of one fits L1 beside A's
        bool panelFirst = _inPlace == 0 && slice * nr * sizeof(float) <= 28 * 1024;
        for (int p0 = 0; p0 < k; p0 += slice)
        {
            int kc = Math.Min(slice, k - p0);
            bool overwrite = p0 == 0 && !_accumulate;
            if (packA) PackA(ref Unsafe.Add(ref a, (nint)p0 * m), m, i0, i1, kc, mr, ref packed);
            if (panelFirst)
            {
                // a packed panel's slice fits L1: it meets every row tile of the block from there (2-12 % faster for the
                // MLP's transposed W1, kc = 196)
                for (int j = j0; j < j1; j += nr)
                    for (int i = i0; i < i1; i += mr) Tile<S, V>(ref a, aRow, aCol, ref packed, packA, i0, ref b, ref c, i, i1, j, j1, p0, kc, overwrite);
            }
            else
            {
                // else a row tile's A slice (mr × kc) stays in L1 while it meets each panel of the block's B slice (kc × Nc,
                // in L2): 1-3 % faster at 1024³ (a 32 KB panel slice) and 6 % at an in-place 256 × 784 × 256 B
                for (int i = i0; i < i1; i += mr)
                    for (int j = j0; j < j1; j += nr) Tile<S, V>(ref a, aRow, aCol, ref packed, packA, i0, ref b, ref c, i, i1, j, j1, p0, kc, overwrite);
            }
        }
    }

    /// <summary>The C tile at rows [i, i + <see cref="TileRows"/>) and the panel at column j, for the inner slice [p0, p0 + kc);
    /// A read in place, or from the block's packed tiles (rows from <paramref name="i0"/>) where <paramref name="packA"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Tile<S, V>(ref float a, nint aRow, nint aCol, ref float packed, bool packA, int i0, ref float b, ref float c,
        int i, int i1, int j, int j1, int p0, int kc, bool overwrite) where S : struct, IVectorWidth<V> where V : struct
    {
        int nr = 2 * S.Count, n = _n;
        bool inPlace = j / nr < _inPlace;
        nint ldb = inPlace ? n : nr;
        ref float bPanel = ref inPlace ? ref Unsafe.Add(ref b, j + (nint)p0 * n)
            : ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packed), _packOff + (nint)(j / nr - _inPlace) * _k * nr + (nint)p0 * nr);
        int cols = Math.Min(nr, j1 - j), rows = Math.Min(TileRows(S.Count), i1 - i);
        ref float ai = ref packA ? ref Unsafe.Add(ref packed, (nint)(i - i0) * kc) : ref Unsafe.Add(ref a, i * aRow + p0 * aCol);
        if (packA) (aRow, aCol) = (1, TileRows(S.Count));
        ref float ci = ref Unsafe.Add(ref c, (nint)i * n + j);
        // a panel's last columns that fill one vector (n = 16 at sixteen lanes): half the FMAs; a tile C does not fill goes
        // through a stack tile
        if (rows < TileRows(S.Count) || (cols != S.Count && cols != nr)) PartialTile<S, V>(ref ai, aRow, aCol, rows, ref bPanel, ldb, kc, ref ci, n, cols, overwrite);
        else if (cols == S.Count) Micro1<S, V>(ref ai, aRow, aCol, rows, ref bPanel, ldb, kc, ref ci, n, overwrite);
        else Micro<S, V>(ref ai, aRow, aCol, rows, ref bPanel, ldb, kc, ref ci, n, overwrite);
    }

    /// <summary>
    /// Packs rows [i0, i1) of a transposed A's slice (<paramref name="at"/>: its first row p0, rows m floats apart) as
    /// tiles of <paramref name="mr"/> rows: tile t holds, for each p, the mr values of A's rows i0 + t·mr … (a partial last
    /// tile its rows only), at (t·kc + p)·mr, so the micro-kernel reads it with strides 1 and mr.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(ref float at, int m, int i0, int i1, int kc, int mr, ref float packed)
    {
        for (int i = i0; i < i1; i += mr)
        {
            int rows = Math.Min(mr, i1 - i);
            ref float to = ref Unsafe.Add(ref packed, (nint)(i - i0) * kc);
            ref float from = ref Unsafe.Add(ref at, i);
            if (rows == mr && i + 8 <= m)
                // eight floats a row (a six-row tile's copy overlaps the next row's, rewritten next; the region has slack)
                for (int p = 0; p < kc; p++)
                    Vector256.LoadUnsafe(ref Unsafe.Add(ref from, (nint)p * m)).StoreUnsafe(ref Unsafe.Add(ref to, (nint)p * mr));
            else
                for (int p = 0; p < kc; p++)
                    for (int r = 0; r < rows; r++) Unsafe.Add(ref to, (nint)p * mr + r) = Unsafe.Add(ref from, (nint)p * m + r);
        }
    }

    /// <summary>
    /// A tile whose rows or columns C does not fill: the micro-kernel writes the whole tile to a stack tile, whose
    /// <paramref name="rows"/> × <paramref name="cols"/> corner is then written or added into C. Kept out of the micro-kernels,
    /// so their loops end in straight-line stores (with a stack tile and its copy loops after them, the JIT's register
    /// allocator, without profile data as under TieredPGO=0 or TieredCompilation=0, spilled all twelve accumulators on
    /// every step: 500 × 16 · 16 × 16 ran at a third of the speed).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PartialTile<S, V>(ref float a, nint aRow, nint aCol, int rows, ref float b, nint ldb, int kc,
        ref float c, nint ldc, int cols, bool overwrite) where S : struct, IVectorWidth<V> where V : struct
    {
        Span<float> tile = stackalloc float[8 * 2 * 16];
        ref float t = ref MemoryMarshal.GetReference(tile);
        nint tw = 2 * S.Count;
        if (cols <= S.Count) Micro1<S, V>(ref a, aRow, aCol, rows, ref b, ldb, kc, ref t, tw, true);
        else Micro<S, V>(ref a, aRow, aCol, rows, ref b, ldb, kc, ref t, tw, true);
        for (int r = 0; r < rows; r++)
        {
            ref float cr = ref Unsafe.Add(ref c, r * ldc);
            ref float tr = ref Unsafe.Add(ref t, r * tw);
            int l = 0;
            for (; l + S.Count <= cols; l += S.Count)
                S.Store(overwrite ? S.Load(ref tr, l) : S.Add(S.Load(ref tr, l), S.Load(ref cr, l)), ref cr, l);
            for (; l < cols; l++) Unsafe.Add(ref cr, l) = overwrite ? Unsafe.Add(ref tr, l) : Unsafe.Add(ref cr, l) + Unsafe.Add(ref tr, l);
        }
    }

    /// <summary>
    /// C tile (<see cref="TileRows"/> × 2 vectors, rows <paramref name="ldc"/> apart) (+)= A rows (kc values each, strides
    /// aRow/aCol) · B panel slice (kc rows of 2 vectors, stride ldb). Rows past <paramref name="rows"/> repeat the last
    /// row (a partial tile is stored to <see cref="PartialTile{S, V}"/>'s stack tile). Rows 6 and 7 exist only at sixteen
    /// lanes (a constant per width, so the JIT drops them, and their registers, from the Vector256 kernel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro<S, V>(ref float a, nint aRow, nint aCol, int rows, ref float b, nint ldb, int kc,
        ref float c, nint ldc, bool overwrite) where S : struct, IVectorWidth<V> where V : struct
    {
        nint w = S.Count;
        bool eight = TileRows(S.Count) == 8;
        nint r1 = Math.Min(1, rows - 1) * aRow, r2 = Math.Min(2, rows - 1) * aRow, r3 = Math.Min(3, rows - 1) * aRow;
        nint r4 = Math.Min(4, rows - 1) * aRow, r5 = Math.Min(5, rows - 1) * aRow;
        nint r6 = eight ? Math.Min(6, rows - 1) * aRow : 0, r7 = eight ? Math.Min(7, rows - 1) * aRow : 0;
        V c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        V c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            V b0 = S.Load(ref b, 0), b1 = S.Load(ref b, w);
            V x = S.Splat(a); c00 = S.Fma(x, b0, c00); c01 = S.Fma(x, b1, c01);
            x = S.Splat(Unsafe.Add(ref a, r1)); c10 = S.Fma(x, b0, c10); c11 = S.Fma(x, b1, c11);
            x = S.Splat(Unsafe.Add(ref a, r2)); c20 = S.Fma(x, b0, c20); c21 = S.Fma(x, b1, c21);
            x = S.Splat(Unsafe.Add(ref a, r3)); c30 = S.Fma(x, b0, c30); c31 = S.Fma(x, b1, c31);
            x = S.Splat(Unsafe.Add(ref a, r4)); c40 = S.Fma(x, b0, c40); c41 = S.Fma(x, b1, c41);
            x = S.Splat(Unsafe.Add(ref a, r5)); c50 = S.Fma(x, b0, c50); c51 = S.Fma(x, b1, c51);
            if (eight)
            {
                x = S.Splat(Unsafe.Add(ref a, r6)); c60 = S.Fma(x, b0, c60); c61 = S.Fma(x, b1, c61);
                x = S.Splat(Unsafe.Add(ref a, r7)); c70 = S.Fma(x, b0, c70); c71 = S.Fma(x, b1, c71);
            }
            a = ref Unsafe.Add(ref a, aCol);
            b = ref Unsafe.Add(ref b, ldb);
        }
        Store<S, V>(ref c, w, c00, c01, overwrite); Store<S, V>(ref Unsafe.Add(ref c, ldc), w, c10, c11, overwrite);
        Store<S, V>(ref Unsafe.Add(ref c, 2 * ldc), w, c20, c21, overwrite); Store<S, V>(ref Unsafe.Add(ref c, 3 * ldc), w, c30, c31, overwrite);
        Store<S, V>(ref Unsafe.Add(ref c, 4 * ldc), w, c40, c41, overwrite); Store<S, V>(ref Unsafe.Add(ref c, 5 * ldc), w, c50, c51, overwrite);
        if (eight)
        {
            Store<S, V>(ref Unsafe.Add(ref c, 6 * ldc), w, c60, c61, overwrite);
            Store<S, V>(ref Unsafe.Add(ref c, 7 * ldc), w, c70, c71, overwrite);
        }
    }

    /// <summary><see cref="Micro{S, V}"/> for a panel whose columns fit one vector: C tile (<see cref="TileRows"/> × 1 vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro1<S, V>(ref float a, nint aRow, nint aCol, int rows, ref float b, nint ldb, int kc,
        ref float c, nint ldc, bool overwrite) where S : struct, IVectorWidth<V> where V : struct
    {
        bool eight = TileRows(S.Count) == 8;
        nint r1 = Math.Min(1, rows - 1) * aRow, r2 = Math.Min(2, rows - 1) * aRow, r3 = Math.Min(3, rows - 1) * aRow;
        nint r4 = Math.Min(4, rows - 1) * aRow, r5 = Math.Min(5, rows - 1) * aRow;
        nint r6 = eight ? Math.Min(6, rows - 1) * aRow : 0, r7 = eight ? Math.Min(7, rows - 1) * aRow : 0;
        V c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            V b0 = S.Load(ref b, 0);
            c0 = S.Fma(S.Splat(a), b0, c0);
            c1 = S.Fma(S.Splat(Unsafe.Add(ref a, r1)), b0, c1);
            c2 = S.Fma(S.Splat(Unsafe.Add(ref a, r2)), b0, c2);
            c3 = S.Fma(S.Splat(Unsafe.Add(ref a, r3)), b0, c3);
            c4 = S.Fma(S.Splat(Unsafe.Add(ref a, r4)), b0, c4);
            c5 = S.Fma(S.Splat(Unsafe.Add(ref a, r5)), b0, c5);
            if (eight)
            {
                c6 = S.Fma(S.Splat(Unsafe.Add(ref a, r6)), b0, c6);
                c7 = S.Fma(S.Splat(Unsafe.Add(ref a, r7)), b0, c7);
            }
            a = ref Unsafe.Add(ref a, aCol);
            b = ref Unsafe.Add(ref b, ldb);
        }
        Store1<S, V>(ref c, c0, overwrite); Store1<S, V>(ref Unsafe.Add(ref c, ldc), c1, overwrite);
        Store1<S, V>(ref Unsafe.Add(ref c, 2 * ldc), c2, overwrite); Store1<S, V>(ref Unsafe.Add(ref c, 3 * ldc), c3, overwrite);
        Store1<S, V>(ref Unsafe.Add(ref c, 4 * ldc), c4, overwrite); Store1<S, V>(ref Unsafe.Add(ref c, 5 * ldc), c5, overwrite);
        if (eight) { Store1<S, V>(ref Unsafe.Add(ref c, 6 * ldc), c6, overwrite); Store1<S, V>(ref Unsafe.Add(ref c, 7 * ldc), c7, overwrite); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store1<S, V>(ref float c, V v, bool overwrite) where S : struct, IVectorWidth<V> where V : struct =>
        S.Store(overwrite ? v : S.Add(v, S.Load(ref c, 0)), ref c, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<S, V>(ref float c, nint w, V lo, V hi, bool overwrite) where S : struct, IVectorWidth<V> where V : struct
    {
        if (!overwrite) { lo = S.Add(lo, S.Load(ref c, 0)); hi = S.Add(hi, S.Load(ref c, w)); }
        S.Store(lo, ref c, 0);
        S.Store(hi, ref c, w);
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

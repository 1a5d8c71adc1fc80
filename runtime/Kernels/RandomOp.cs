using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln.Kernels;

/// <summary>One Philox 4x32-10 block: four 32-bit words.</summary>
public struct Philox4
{
    public uint X0, X1, X2, X3;
}

/// <summary>
/// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the generator of PyTorch's
/// CUDA backend and of JAX): a 128-bit counter and a 64-bit key give 128 random bits, so any element of any draw is
/// computed on its own, in any order, on any device, with the same bits.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>The block for counter (c0, c1, c2, c3) under key (k0, k1): ten rounds, the key bumped by the Weyl constants between them.</summary>
    public static Philox4 Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0) { k0 += W0; k1 += W1; }
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1;
            c3 = (uint)p0;
            c0 = n0;
            c2 = n2;
        }
        return new Philox4 { X0 = c0, X1 = c1, X2 = c2, X3 = c3 };
    }

    /// <summary>Blocks a Blocks8 call computes.</summary>
    public const int Lanes = 8;

    /// <summary>
    /// The eight blocks of counters (first + lane, c1, c2, c3) under one key, word by word into <paramref name="x0"/> …
    /// <paramref name="x3"/> (eight each): the same rounds as <see cref="Block"/> on eight lanes where AVX2 has the
    /// 32×32→64-bit products, else block by block.
    /// </summary>
    public static void Blocks8(uint first, uint c1, uint c2, uint c3, uint k0, uint k1, Span<uint> x0, Span<uint> x1, Span<uint> x2, Span<uint> x3)
    {
        if (!Avx2.IsSupported)
        {
            for (int l = 0; l < Lanes; l++)
            {
                var b = Block(first + (uint)l, c1, c2, c3, k0, k1);
                (x0[l], x1[l], x2[l], x3[l]) = (b.X0, b.X1, b.X2, b.X3);
            }
            return;
        }
        Blocks8(first, c1, c2, c3, k0, k1, out var v0, out var v1, out var v2, out var v3);
        v0.CopyTo(x0);
        v1.CopyTo(x1);
        v2.CopyTo(x2);
        v3.CopyTo(x3);
    }

    /// <summary><see cref="Blocks8(uint, uint, uint, uint, uint, uint, Span{uint}, Span{uint}, Span{uint}, Span{uint})"/>
    /// as four vectors of words (AVX2 only: callers check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Blocks8(uint first, uint c1, uint c2, uint c3, uint k0, uint k1,
        out Vector256<uint> v0, out Vector256<uint> v1, out Vector256<uint> v2, out Vector256<uint> v3)
    {
        v0 = Vector256.Create(first) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        v1 = Vector256.Create(c1); v2 = Vector256.Create(c2); v3 = Vector256.Create(c3);
        Vector256<uint> m0 = Vector256.Create(M0), m1 = Vector256.Create(M1);
        for (int round = 0; round < 10; round++)
        {
            if (round > 0) { k0 += W0; k1 += W1; }
            var (hi0, lo0) = MulWide(m0, v0);
            var (hi1, lo1) = MulWide(m1, v2);
            var n0 = hi1 ^ v1 ^ Vector256.Create(k0);
            var n2 = hi0 ^ v3 ^ Vector256.Create(k1);
            v1 = lo1;
            v3 = lo0;
            v0 = n0;
            v2 = n2;
        }
    }

    /// <summary>High and low 32 bits of m·x, lane by lane (vpmuludq multiplies the even lanes; the odd ones are shifted down to them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Hi, Vector256<uint> Lo) MulWide(Vector256<uint> m, Vector256<uint> x)
    {
        var even = Avx2.Multiply(m, x);
        var odd = Avx2.Multiply(m, Avx2.ShiftRightLogical(x.AsUInt64(), 32).AsUInt32());
        var hi = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b10101010);
        return (hi, m * x);
    }

    /// <summary>Word <paramref name="word"/> (0 to 3) of a block.</summary>
    public static uint Word(Philox4 b, int word) => word == 0 ? b.X0 : word == 1 ? b.X1 : word == 2 ? b.X2 : b.X3;

    /// <summary>The top 24 bits of a word as a float in [0, 1): every value a multiple of 2^-24, exact in float.</summary>
    public static float Uniform(uint word) => (word >> 8) * (1f / (1 << 24));
}

/// <summary>What one plan run draws with: the model's seed, the run's ticket and whether the model is in training mode.</summary>
public readonly record struct RandomDraw(ulong Seed, ulong Ticket, bool Training);

/// <summary>
/// Fills a tensor with random values in the graph (Rand, Randn, Dropout's mask, Randperm). Element i of draw site
/// <c>stream</c> in the run holding <c>ticket</c> reads Philox block (counter: block index, ticket low, ticket high,
/// stream; key: seed low, seed high): uniform values take word i mod 4 of block i/4, normal values a pair of words of
/// block i/2 (Box–Muller), so the managed loop and the ILGPU kernel give the same bits.
/// </summary>
public sealed class RandomOp
{
    /// <summary>What is drawn.</summary>
    public enum Kind
    {
        /// <summary>U[0, 1).</summary>
        Uniform,
        /// <summary>N(0, 1).</summary>
        Normal,
        /// <summary>Dropout's mask in training: 1/(1 - p) with probability 1 - p, else 0; all ones in eval mode.</summary>
        DropoutMask,
        /// <summary>A random permutation of 0 … n-1: the indices sorted by a random 32-bit key each (ties by index).</summary>
        Permutation,
    }

    private readonly long _count;
    private readonly Kind _kind;
    private readonly float _p;
    private readonly uint _stream;
    private uint[] _keys = [];
    private int[] _order = [];

    public RandomOp(long count, Kind kind, float p, int stream) => (_count, _kind, _p, _stream) = (count, kind, p, (uint)stream);

    /// <summary>The value of element <paramref name="i"/> (the definition both paths follow).</summary>
    private static float Value(long i, Args a)
    {
        if (a.Kind == (int)Kind.DropoutMask && a.Training == 0) return 1f;
        if (a.Kind == (int)Kind.Normal)
        {
            var pair = Philox.Block((uint)(i >> 1), a.T0, a.T1, a.Stream, a.K0, a.K1);
            return (i & 1) == 0 ? Gaussian(pair.X0, pair.X1) : Gaussian(pair.X2, pair.X3);
        }
        var block = Philox.Block((uint)(i >> 2), a.T0, a.T1, a.Stream, a.K0, a.K1);
        return FromWord(Philox.Word(block, (int)(i & 3)), a);
    }

    /// <summary>A uniform value, or dropout's mask value, from one word.</summary>
    private static float FromWord(uint word, Args a)
    {
        float u = Philox.Uniform(word);
        return a.Kind == (int)Kind.DropoutMask ? (u >= a.P ? a.Scale : 0f) : u;
    }

    /// <summary>Box–Muller from two words: √(-2 ln u1)·cos(2π u2), u1 in (0, 1] so the log is finite.</summary>
    private static float Gaussian(uint w1, uint w2) => (float)(Math.Sqrt(-2.0 * Math.Log(Uniform1(w1))) * Math.Cos(2.0 * Math.PI * Uniform2(w2)));

    /// <summary>Box–Muller's radius uniform, in (0, 1].</summary>
    private static double Uniform1(uint word) => (word >> 8) * (1.0 / (1 << 24)) + 1.0 / (1 << 24);

    /// <summary>Box–Muller's angle uniform, in [0, 1).</summary>
    private static double Uniform2(uint word) => (word >> 8) * (1.0 / (1 << 24));

    /// <summary>The permutation's sort key of index <paramref name="i"/>.</summary>
    private static uint Key(long i, Args a) => Philox.Block((uint)i, a.T0, a.T1, a.Stream, a.K0, a.K1).X0;

    private Args Make(int outOff, RandomDraw draw) => new()
    {
        Count = _count, OutOff = outOff, Kind = (int)_kind, P = _p, Scale = _p >= 1 ? 0f : 1f / (1f - _p),
        Training = draw.Training ? 1 : 0, Stream = _stream,
        T0 = (uint)draw.Ticket, T1 = (uint)(draw.Ticket >> 32), K0 = (uint)draw.Seed, K1 = (uint)(draw.Seed >> 32),
    };

    /// <summary>Runs on the plan's path (its launch sequence's one call for both): arrays on the managed path, views on a device.</summary>
    public void Run(Plan plan, Place output, int outOff, RandomDraw draw)
    {
        if (plan.IsManaged) Run(plan.Floats(output), outOff, draw);
        else Run(plan.Device, plan.View(output), outOff, draw);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(float[] output, int outOff, RandomDraw draw)
    {
        var a = Make(outOff, draw);
        if (_kind == Kind.Permutation)
        {
            int n = (int)_count;
            if (_keys.Length != n) (_keys, _order) = (new uint[n], new int[n]);
            for (int i = 0; i < n; i++) (_keys[i], _order[i]) = (Key(i, a), i);
            Array.Sort(_keys, _order); // keys are distinct but for chance; Array.Sort is unstable, so ties are settled below
            for (int s = 0; s + 1 < n; s++)
                if (_keys[s] == _keys[s + 1])
                {
                    int e = s + 1;
                    while (e + 1 < n && _keys[e + 1] == _keys[s]) e++;
                    Array.Sort(_order, s, e - s + 1);
                    s = e;
                }
            for (int i = 0; i < n; i++) output[outOff + i] = _order[i];
            return;
        }
        var span = output.AsSpan(outOff, (int)_count);
        if (_kind == Kind.DropoutMask && !draw.Training) { span.Fill(1f); return; }
        if (_kind == Kind.Normal) { Normals(span, a); return; }
        // eight blocks at a time: the same words Value reads, each block computed once
        Span<uint> words = stackalloc uint[4 * Philox.Lanes];
        for (int b0 = 0; 4L * b0 < _count; b0 += Philox.Lanes)
        {
            Philox.Blocks8((uint)b0, a.T0, a.T1, a.Stream, a.K0, a.K1, words[..8], words[8..16], words[16..24], words[24..]);
            for (int l = 0; l < Philox.Lanes; l++)
                for (int word = 0, i = 4 * (b0 + l); word < 4 && i < span.Length; word++, i++)
                    span[i] = FromWord(words[8 * word + l], a);
        }
    }

    /// <summary>
    /// Normal values as <see cref="Gaussian"/> computes them, sixteen at a time where AVX-512, or AVX2 and FMA, are there
    /// (<see cref="BoxMuller"/>): the uniforms are exact in float64, the square root and multiplies IEEE, and the log and
    /// cosine float64 polynomials (fdlibm's kernels) within an ulp of Math's, so the normals round to the same floats as the
    /// ILGPU path's but for about one in 10^8 (none of 2M in a check). Forcing Vector256 (tests, KILN_VECTOR256) runs the
    /// eight-lane form on an AVX-512 machine too. The element-by-element tail, and machines without either, run Gaussian itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Normals(Span<float> output, Args a)
    {
        int n = output.Length;
        Span<uint> words = stackalloc uint[4 * Philox.Lanes];
        int b0 = 0;
        ref float o = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output);
        // sixteen elements from eight blocks: element 2(b0 + l) from words 0 and 1 of block b0 + l, element 2(b0 + l) + 1
        // from words 2 and 3
        bool wide = Avx512F.IsSupported && !VectorWidths.ForceVector256, narrow = Avx2.IsSupported && Fma.IsSupported;
        if (wide || narrow)
            for (; 2 * b0 + 16 <= n; b0 += Philox.Lanes)
            {
                Philox.Blocks8((uint)b0, a.T0, a.T1, a.Stream, a.K0, a.K1, out var w0, out var w1, out var w2, out var w3);
                if (wide) BoxMuller.Sixteen<Doubles8, Vector512<double>>(w0, w1, w2, w3, ref Unsafe.Add(ref o, 2 * b0));
                else BoxMuller.Sixteen<Doubles4, Vector256<double>>(w0, w1, w2, w3, ref Unsafe.Add(ref o, 2 * b0));
            }
        for (; 2 * b0 < n; b0 += Philox.Lanes)
        {
            Philox.Blocks8((uint)b0, a.T0, a.T1, a.Stream, a.K0, a.K1, words[..8], words[8..16], words[16..24], words[24..]);
            for (int l = 0, i = 2 * b0; l < Philox.Lanes && i < n; l++, i += 2)
            {
                output[i] = Gaussian(words[l], words[8 + l]);
                if (i + 1 < n) output[i + 1] = Gaussian(words[16 + l], words[24 + l]);
            }
        }
    }

    // ---- ILGPU ----

    public struct Args
    {
        public long Count;
        public int OutOff, Kind, Training;
        public float P, Scale;
        public uint Stream, T0, T1, K0, K1;
    }

    private static readonly Action<Index1D, ArrayView<float>, Args, int> KernelMethod = Kernel;

    /// <summary>One element per iteration (grid-stride); a permutation places index i at its key's rank.</summary>
    /// <param name="index">Thread index.</param>
    /// <param name="output">The arena.</param>
    /// <param name="a">What to draw and where.</param>
    /// <param name="stride">Launch size.</param>
    public static void Kernel(Index1D index, ArrayView<float> output, Args a, int stride)
    {
        for (long i = index; i < a.Count; i += stride)
        {
            if (a.Kind != (int)Kind.Permutation)
            {
                output[a.OutOff + i] = Value(i, a);
                continue;
            }
            uint key = Key(i, a);
            long rank = 0;
            for (long j = 0; j < a.Count; j++)
            {
                uint other = Key(j, a);
                if (other < key || (other == key && j < i)) rank++;
            }
            output[a.OutOff + rank] = i;
        }
    }

    public void Run(Device device, ArrayView<float> output, int outOff, RandomDraw draw)
    {
        var launch = device.Kernel(KernelMethod, acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, Args, int>(Kernel));
        int size = device.LaunchSize(_count);
        launch(size, output, Make(outOff, draw), size);
    }
}

using System;
using System.Linq;

namespace Kiln.Tests.Support;

/// <summary>
/// One run's draw: the generator's seed k, the run's ticket t, and whether the model is in training mode (only
/// Dropout reads it). A draw site's stream number is passed to each op beside it.
/// </summary>
internal readonly record struct RefDraw(ulong Seed, ulong Ticket, bool Training = true);

/// <summary>
/// Float64 reference for the random ops (torch.rand, randn, rand_like, randn_like, randint, normal, bernoulli,
/// randperm and nn.Dropout), bit-exact to the scheme of docs/ops.md "Randomness": Philox 4x32-10 (Salmon, Moraes,
/// Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11) keyed by the seed, counted by (block, ticket,
/// stream). Element i (row-major) of draw site s reads block Philox(counter = (b, t mod 2^32, t div 2^32, s),
/// key = (k mod 2^32, k div 2^32)). Philox is written here from the paper / Random123's definition and checked against
/// Random123's published known answers (<see cref="PhiloxKnownAnswers"/>), not taken from Kiln's kernel. Also holds the
/// Kolmogorov–Smirnov statistic for the statistical tests. Private names are prefixed Rn.
/// </summary>
internal static partial class ReferenceOps
{
    // ---------------------------------------------------------------- Philox 4x32-10

    private const uint RnM0 = 0xD2511F53, RnM1 = 0xCD9E8D57; // round multipliers (counter words 0 and 2)
    private const uint RnW0 = 0x9E3779B9, RnW1 = 0xBB67AE85; // Weyl key increments: golden ratio, √3 − 1
    private const int RnRounds = 10;
    private const double RnTwoToMinus24 = 1.0 / 16777216.0;

    /// <summary>
    /// Philox 4x32-10 of a 4-word counter under a 2-word key. Round r (0-based) uses the key bumped r times by the Weyl
    /// constants, taken here in closed form, (k0 + r·W0, k1 + r·W1) mod 2^32, rather than incrementally; each round
    /// takes the full 64-bit products M0·x0 and M1·x2 and gives
    /// (hi(M1·x2) ⊕ x1 ⊕ k0, lo(M1·x2), hi(M0·x0) ⊕ x3 ⊕ k1, lo(M0·x0)).
    /// </summary>
    public static uint[] PhiloxBlock(uint[] counter4, uint[] key2)
    {
        ArgumentNullException.ThrowIfNull(counter4);
        ArgumentNullException.ThrowIfNull(key2);
        if (counter4.Length != 4) throw new ArgumentException($"a Philox 4x32 counter has 4 words, got {counter4.Length}");
        if (key2.Length != 2) throw new ArgumentException($"a Philox 4x32 key has 2 words, got {key2.Length}");
        ulong x0 = counter4[0], x1 = counter4[1], x2 = counter4[2], x3 = counter4[3];
        for (ulong r = 0; r < RnRounds; r++)
        {
            ulong k0 = (key2[0] + r * RnW0) & 0xFFFF_FFFFUL;
            ulong k1 = (key2[1] + r * RnW1) & 0xFFFF_FFFFUL;
            ulong p0 = RnM0 * x0, p1 = RnM1 * x2; // < 2^64: both factors are below 2^32
            (x0, x1, x2, x3) = ((p1 >> 32) ^ x1 ^ k0, p1 & 0xFFFF_FFFFUL, (p0 >> 32) ^ x3 ^ k1, p0 & 0xFFFF_FFFFUL);
        }
        return [(uint)x0, (uint)x1, (uint)x2, (uint)x3];
    }

    /// <summary>
    /// Random123's known answers for philox4x32 with 10 rounds, the three "philox4x32 10" lines of its kat_vectors
    /// (github.com/DEShawResearch/random123, tests/kat_vectors; columns CTR[4] KEY[2] EXPECTED[4]): all zeros, all ones,
    /// and the hex digits of π.
    /// </summary>
    public static (uint[] Counter, uint[] Key, uint[] Expected)[] PhiloxKnownAnswers() =>
    [
        ([0x00000000, 0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
        ([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
        ([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]),
    ];

    // ---------------------------------------------------------------- draws

    // Block b of draw site `stream` in the run d: counter (b, t mod 2^32, t div 2^32, s), key (k mod 2^32, k div 2^32).
    private static uint[] RnBlock(RefDraw d, int stream, int b) =>
        PhiloxBlock([(uint)b, (uint)d.Ticket, (uint)(d.Ticket >> 32), (uint)stream], [(uint)d.Seed, (uint)(d.Seed >> 32)]);

    private static void RnCheckStream(int stream)
    {
        if (stream < 0) throw new ArgumentException($"a draw site's stream number is non-negative, got {stream}");
    }

    // The top 24 bits of a word as a fraction: (w >> 8)·2^-24, exact in float32.
    private static double RnFraction(uint w) => (w >> 8) * RnTwoToMinus24;

    // Element i = (w_{⌊i/4⌋})[i mod 4] >> 8 · 2^-24, in [0, 1).
    private static double[] RnUniform(RefDraw d, int stream, int count)
    {
        RnCheckStream(stream);
        var u = new double[count];
        for (int b = 0; 4 * b < count; b++)
        {
            uint[] block = RnBlock(d, stream, b);
            for (int w = 0; w < 4 && 4 * b + w < count; w++) u[4 * b + w] = RnFraction(block[w]);
        }
        return u;
    }

    // Box–Muller: block ⌊i/2⌋, words (0, 1) for even i and (2, 3) for odd i; u1 in (0, 1], so ln u1 is finite;
    // √(−2 ln u1)·cos(2π u2) in float64, then rounded to float32.
    private static double[] RnNormal(RefDraw d, int stream, int count)
    {
        RnCheckStream(stream);
        var n = new double[count];
        for (int i = 0; i < count; i++)
        {
            uint[] block = RnBlock(d, stream, i / 2);
            uint wa = block[i % 2 == 0 ? 0 : 2], wb = block[i % 2 == 0 ? 1 : 3];
            double u1 = ((wa >> 8) + 1) * RnTwoToMinus24, u2 = RnFraction(wb);
            n[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }
        return n;
    }

    // ---------------------------------------------------------------- ops

    /// <summary>torch.rand(*size): uniform on [0, 1), the 24-bit value (w >> 8)·2^-24 of each element's word.</summary>
    public static RefTensor Rand(RefDraw d, int stream, params int[] size) => new(size, RnUniform(d, stream, CrCount(size)));

    /// <summary>torch.randn(*size): standard normal, by Box–Muller, rounded to float32.</summary>
    public static RefTensor Randn(RefDraw d, int stream, params int[] size) => new(size, RnNormal(d, stream, CrCount(size)));

    /// <summary>torch.rand_like(input): torch.rand(input.size()); input's values are not read.</summary>
    public static RefTensor RandLike(RefDraw d, int stream, RefTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Rand(d, stream, input.Shape);
    }

    /// <summary>torch.randn_like(input): torch.randn(input.size()); input's values are not read.</summary>
    public static RefTensor RandnLike(RefDraw d, int stream, RefTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Randn(d, stream, input.Shape);
    }

    /// <summary>
    /// torch.randint(low, high, size): integers uniform on [low, high), as floats. Element i is ⌊low + u·(high − low)⌋
    /// evaluated in float32 exactly as <c>MathF.Floor(u * (float)(high - low)) + low</c> with u the uniform draw; for
    /// high − low ≤ 2^24 (Kiln's documented limit, checked) the float32 product of the largest u rounds below
    /// high − low, so every value is below high.
    /// </summary>
    public static RefTensor Randint(RefDraw d, int stream, int low, int high, params int[] size)
    {
        if (high <= low) throw new ArgumentException($"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}");
        long range = (long)high - low;
        if (range > 1 << 24) throw new ArgumentException($"randint's range high - low = {range} exceeds 2^24 (docs/ops.md)");
        double[] u = RnUniform(d, stream, CrCount(size));
        var data = u.Select(v => (double)(MathF.Floor((float)v * (float)range) + low)).ToArray();
        return new RefTensor(size, data);
    }

    /// <summary>
    /// torch.normal(mean, std) (tensors): out = mean + std·n over the broadcast shape of mean and std, n the standard
    /// normal draw at each element of that shape; every std must be ≥ 0.
    /// </summary>
    public static RefTensor Normal(RefDraw d, int stream, RefTensor mean, RefTensor std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (std.Data.Any(s => s < 0)) throw new ArgumentException("normal expects all elements of std >= 0.0");
        int[] shape = BroadcastShape(mean.Shape, std.Shape);
        double[] n = RnNormal(d, stream, CrCount(shape));
        var data = new double[n.Length];
        for (int i = 0; i < data.Length; i++)
        {
            int[] coord = Unravel(i, shape);
            data[i] = mean.Data[SourceOffset(coord, mean.Shape)] + std.Data[SourceOffset(coord, std.Shape)] * n[i];
        }
        return new RefTensor(shape, data);
    }

    /// <summary>torch.normal(mean, std, size) (numbers): out = mean + std·n of the given size; std must be ≥ 0.</summary>
    public static RefTensor Normal(RefDraw d, int stream, double mean, double std, params int[] size)
    {
        if (std < 0) throw new ArgumentException($"normal expects std >= 0.0, but found std {std}");
        return new RefTensor(size, RnNormal(d, stream, CrCount(size)).Select(n => mean + std * n).ToArray());
    }

    /// <summary>
    /// torch.bernoulli(p): out_i = 1 with probability p_i, else 0; here 1 where u_i &lt; p_i for the uniform draw of p's
    /// shape (both taken as float32, as Kiln's tensors hold them). Every p must lie in [0, 1].
    /// </summary>
    public static RefTensor Bernoulli(RefDraw d, int stream, RefTensor p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Data.Any(v => !(v >= 0 && v <= 1))) throw new ArgumentException("bernoulli expects all elements of p to be in [0, 1]");
        double[] u = RnUniform(d, stream, p.Count);
        return new RefTensor(p.Shape, u.Select((v, i) => (float)v < (float)p.Data[i] ? 1.0 : 0.0).ToArray());
    }

    /// <summary>
    /// torch.randperm(n): a random permutation of 0 … n − 1, as floats. Element i gets the key word 0 of block i, and
    /// the result lists the indices ordered by (key, index).
    /// </summary>
    public static RefTensor Randperm(RefDraw d, int stream, int n)
    {
        if (n < 0) throw new ArgumentException($"n must be non-negative, got {n}");
        RnCheckStream(stream);
        var keys = new uint[n];
        for (int i = 0; i < n; i++) keys[i] = RnBlock(d, stream, i)[0];
        var order = Enumerable.Range(0, n).OrderBy(i => keys[i]).ThenBy(i => i);
        return new RefTensor([n], order.Select(i => (double)i).ToArray());
    }

    /// <summary>
    /// nn.Dropout(p) / F.dropout: in training, out = input·mask with mask_i = 1/(1 − p) where u_i ≥ p, else 0 (u the
    /// uniform draw of input's shape; p, u and 1/(1 − p) in float32, as <c>1f / (1f - (float)p)</c>); p = 1 zeroes
    /// everything. In eval mode, or for p = 0, out = input and nothing is drawn. p must lie in [0, 1].
    /// </summary>
    public static RefTensor Dropout(RefDraw d, int stream, RefTensor input, double p = 0.5)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {p}");
        if (p == 0 || !d.Training) return new RefTensor(input.Shape, input.Data);
        float pf = (float)p, scale = 1f / (1f - pf);
        double[] u = RnUniform(d, stream, input.Count);
        var data = new double[u.Length];
        for (int i = 0; i < data.Length; i++)
        {
            double mask = p == 1 ? 0.0 : (float)u[i] >= pf ? scale : 0.0;
            data[i] = input.Data[i] * mask; // an infinite input under a zero mask is NaN, as x·0
        }
        return new RefTensor(input.Shape, data);
    }

    // ---------------------------------------------------------------- statistics

    /// <summary>
    /// The Kolmogorov–Smirnov statistic Dₙ = sup_x |Fₙ(x) − F(x)| of a sample against a continuous CDF F, Fₙ the
    /// sample's empirical CDF. Over the sorted sample x₍₁₎ ≤ … ≤ x₍ₙ₎ the supremum is attained at a jump:
    /// Dₙ = max_i max(i/n − F(x₍ᵢ₎), F(x₍ᵢ₎) − (i − 1)/n), which ties do not change.
    /// </summary>
    public static double KolmogorovSmirnov(double[] sample, Func<double, double> cdf)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(cdf);
        if (sample.Length == 0) throw new ArgumentException("the Kolmogorov–Smirnov statistic needs a non-empty sample");
        if (sample.Any(v => double.IsNaN(v))) throw new ArgumentException("the sample holds NaN");
        double[] sorted = sample.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        double dn = 0;
        for (int i = 0; i < n; i++)
        {
            double f = cdf(sorted[i]);
            dn = Math.Max(dn, Math.Max((i + 1.0) / n - f, f - (double)i / n));
        }
        return dn;
    }

    /// <summary>
    /// The standard normal CDF Φ(x) = ½·erfc(−x/√2), through the reference's erfc (Taylor series for erf below 1.5,
    /// the continued fraction for erfc above; ReferenceOps.Elementwise.cs), accurate to near double precision.
    /// </summary>
    public static double NormalCdf(double x) => EwStandardNormalCdf(x);
}

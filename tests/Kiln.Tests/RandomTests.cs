using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Randomness in the graph (issue 8): Philox 4x32-10 against its published known answers, every plan's draws bit for
/// bit against the test-owned reference of the documented counter layout (ReferenceOps.Random.cs), each sampler's
/// distribution (mean, variance, a Kolmogorov–Smirnov bound) at a fixed seed, fresh draws per run, the same bits on the
/// managed and ILGPU paths, train/eval modes and the generator's state in checkpoints. Gradients through dropout and
/// the samplers run with every test model (Randomness in Models/OpModels.cs).
/// </summary>
public class RandomTests() : TempFolder("kiln-random-")
{
    private const int Seed = 11;

    [Fact]
    public void Philox_matches_the_published_known_answers()
    {
        foreach (var (counter, key, expected) in ReferenceOps.PhiloxKnownAnswers())
        {
            var b = Kernels.Philox.Block(counter[0], counter[1], counter[2], counter[3], key[0], key[1]);
            Assert.Equal(expected, new[] { b.X0, b.X1, b.X2, b.X3 });
            Assert.Equal(expected, ReferenceOps.PhiloxBlock(counter, key));
        }
    }

    [Fact]
    public void Philox_matches_the_reference_on_many_counters()
    {
        var rng = new SeededRandom(5);
        for (int i = 0; i < 200; i++)
        {
            uint[] c = [(uint)rng.NextUInt64(), (uint)rng.NextUInt64(), (uint)rng.NextUInt64(), (uint)rng.NextUInt64()], k = [(uint)rng.NextUInt64(), (uint)rng.NextUInt64()];
            var b = Kernels.Philox.Block(c[0], c[1], c[2], c[3], k[0], k[1]);
            Assert.Equal(ReferenceOps.PhiloxBlock(c, k), new[] { b.X0, b.X1, b.X2, b.X3 });
        }
    }

    [Fact]
    public void Eight_lane_philox_matches_the_reference_block_by_block()
    {
        // the vector form computes eight consecutive counters at once (first + lane), across the 2^32 wrap too
        var rng = new SeededRandom(6);
        uint[] x0 = new uint[8], x1 = new uint[8], x2 = new uint[8], x3 = new uint[8];
        for (int i = 0; i < 100; i++)
        {
            uint first = i == 0 ? uint.MaxValue - 3 : (uint)rng.NextUInt64();
            uint[] c = [(uint)rng.NextUInt64(), (uint)rng.NextUInt64(), (uint)rng.NextUInt64()], k = [(uint)rng.NextUInt64(), (uint)rng.NextUInt64()];
            Kernels.Philox.Blocks8(first, c[0], c[1], c[2], k[0], k[1], x0, x1, x2, x3);
            for (int l = 0; l < 8; l++)
                Assert.Equal(ReferenceOps.PhiloxBlock([unchecked(first + (uint)l), c[0], c[1], c[2]], k), new[] { x0[l], x1[l], x2[l], x3[l] });
        }
    }

    private static double[] D(float[] v) => v.Select(x => (double)x).ToArray();

    [Fact]
    public void Every_plan_draws_the_reference_values_of_its_seed_and_ticket()
    {
        using var device = Device.ManagedCpu();
        var m = new Sampling(device, Seed);
        var first = new RefDraw(Seed, 0);
        Assert.Equal(ReferenceOps.Rand(first, 0, 20000).Data, D(m.CompileUniform().Run()));
        // every run takes the model's next ticket, whichever plan runs
        Assert.Equal(ReferenceOps.Randn(first with { Ticket = 1 }, 0, 20000).Data, D(m.CompileGaussian().Run()));
        Assert.Equal(ReferenceOps.Normal(first with { Ticket = 2 }, 0, 3, 2, 20000).Data, D(m.CompileScaled().Run()), new Tolerance(1e-6));
        Assert.Equal(ReferenceOps.Randint(first with { Ticket = 3 }, 0, -3, 7, 20000).Data, D(m.CompileInts().Run()));
        Assert.Equal(ReferenceOps.Randperm(first with { Ticket = 4 }, 0, 1000).Data, D(m.CompilePerm().Run()));
        var p = new[] { 0.1f, 0.5f, 0.9f, 0f, 1f };
        Assert.Equal(ReferenceOps.Bernoulli(first with { Ticket = 5 }, 0, new RefTensor([5], D(p))).Data, D(m.CompileCoins(5).Run(p)));
        var x = new[] { 1f, -2f, 3f, 4f, 5f, 6f, 7f };
        Assert.Equal(ReferenceOps.Dropout(first with { Ticket = 6 }, 0, new RefTensor([7], D(x)), 0.25).Data, D(m.CompileDropped(7).Run(x)), new Tolerance(1e-6));   // x·mask rounded to float
        // two draw sites of one run: streams 0 and 1 of the same ticket
        var two = m.CompileTwo().Run();
        Assert.Equal(ReferenceOps.Rand(first with { Ticket = 7 }, 0, 5).Data, D(two[..5]));
        Assert.Equal(ReferenceOps.Rand(first with { Ticket = 7 }, 1, 5).Data, D(two[5..]));
        // an odd count: the managed path's sixteen-at-a-time normals and its element-by-element tail
        Assert.Equal(ReferenceOps.Randn(first with { Ticket = 8 }, 0, 20003).Data, D(m.CompileOddGaussian().Run()));
        Assert.Equal(9UL, m.Parameters.Random.Offset);
    }

    /// <summary>
    /// The managed path's float64 log and cosine for Box–Muller (sixteen normals at a time where AVX-512 or AVX2 is there)
    /// against Math.Log and Math.Cos over every 16th uniform the generator can draw, and at log 1 and the cosine's zeros
    /// (angles 1/4 and 3/4 of a turn): each within an ulp, at each width this machine runs.
    /// </summary>
    [Fact]
    public void The_vector_log_and_cosine_of_the_normals_are_within_an_ulp_of_Maths()
    {
        static double Ulps(double got, double truth) => Math.Abs(got - truth) / Math.Abs(Math.BitIncrement(Math.Abs(truth)) - Math.Abs(truth));
        void Check(double[] u, Func<double[], (double[] Log, double[] Cos)> vector)
        {
            var radius = u.Select(x => x + 1.0 / (1 << 24)).ToArray();
            var angle = u.Select(x => x * (2.0 * Math.PI)).ToArray();
            var (log, cos) = vector(u);
            for (int i = 0; i < u.Length; i++)
            {
                double l = Math.Log(radius[i]), c = Math.Cos(angle[i]);
                if (!(l == 0 ? log[i] == 0 && !double.IsNegative(log[i]) : Ulps(log[i], l) <= 1)) Assert.Fail($"log({radius[i]:R}) = {log[i]:R}, Math.Log {l:R}");
                if (!(Ulps(cos[i], c) <= 1)) Assert.Fail($"cos({angle[i]:R}) = {cos[i]:R}, Math.Cos {c:R}");
            }
        }
        var widths = new List<Func<double[], (double[], double[])>>();
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            widths.Add(u =>
            {
                var v = System.Runtime.Intrinsics.Vector512.Create(u);
                return (Vectors(Kiln.Kernels.BoxMuller.Log<Kiln.Kernels.Doubles8, System.Runtime.Intrinsics.Vector512<double>>(v + System.Runtime.Intrinsics.Vector512.Create(1.0 / (1 << 24)))),
                        Vectors(Kiln.Kernels.BoxMuller.Cos<Kiln.Kernels.Doubles8, System.Runtime.Intrinsics.Vector512<double>>(v * (2.0 * Math.PI))));
            });
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
            widths.Add(u =>
            {
                var (log, cos) = (new double[8], new double[8]);
                for (int h = 0; h < 8; h += 4)
                {
                    var v = System.Runtime.Intrinsics.Vector256.Create(u.AsSpan(h, 4));
                    Vectors(Kiln.Kernels.BoxMuller.Log<Kiln.Kernels.Doubles4, System.Runtime.Intrinsics.Vector256<double>>(v + System.Runtime.Intrinsics.Vector256.Create(1.0 / (1 << 24)))).CopyTo(log, h);
                    Vectors(Kiln.Kernels.BoxMuller.Cos<Kiln.Kernels.Doubles4, System.Runtime.Intrinsics.Vector256<double>>(v * (2.0 * Math.PI))).CopyTo(cos, h);
                }
                return (log, cos);
            });
        // none on a machine without AVX2 (or an Arm one): its normals are Gaussian's own, Math.Log and Math.Cos
        foreach (var vector in widths)
        {
            for (int k = 0; k < 1 << 24; k += 16 * 8)
                Check([k / 16777216.0, (k + 16) / 16777216.0, (k + 32) / 16777216.0, (k + 48) / 16777216.0, (k + 64) / 16777216.0, (k + 80) / 16777216.0, (k + 96) / 16777216.0, (k + 112) / 16777216.0], vector);
            // the largest uniform (its radius is 1, log 0) and the quarter turns, where the cosine is near 0
            Check(new double[] { (1 << 24) - 1.0, 1 << 22, 3 << 22, (1 << 22) - 1, (1 << 22) + 1, (3 << 22) - 1, (3 << 22) + 1, 1 << 23 }.Select(x => x / (1 << 24)).ToArray(), vector);
        }
    }

    private static double[] Vectors(System.Runtime.Intrinsics.Vector512<double> v) { var a = new double[8]; System.Runtime.Intrinsics.Vector512.CopyTo(v, a); return a; }
    private static double[] Vectors(System.Runtime.Intrinsics.Vector256<double> v) { var a = new double[4]; System.Runtime.Intrinsics.Vector256.CopyTo(v, a); return a; }

    private sealed class Tolerance(double eps) : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps * Math.Max(1, Math.Abs(b));
        public int GetHashCode(double v) => 0;
    }

    [Fact]
    public void Each_run_draws_afresh_and_a_seed_replays_them()
    {
        using var device = Device.ManagedCpu();
        var m = new Sampling(device, Seed);
        var plan = m.CompileUniform();
        float[] a = plan.Run(), b = plan.Run();
        Assert.NotEqual(a, b);
        m.Parameters.Random.ManualSeed(Seed);
        Assert.Equal(a, plan.Run());
        Assert.Equal(b, plan.Run());
        // another model with the same seed draws the same; another seed does not
        Assert.Equal(a, new Sampling(device, Seed).CompileUniform().Run());
        Assert.NotEqual(a, new Sampling(device, Seed + 1).CompileUniform().Run());
        // a run that draws nothing takes no ticket
        var fixedPlan = new Creation(device, Seed).CompileMade();
        var before = m.Parameters.Random.Offset;
        fixedPlan.Run();
        Assert.Equal(before, m.Parameters.Random.Offset);
    }

    [Fact]
    public void Managed_and_ilgpu_draw_the_same_bits()
    {
        using var managed = Device.ManagedCpu();
        using var ilgpu = Device.IlgpuCpu();
        var a = new Sampling(managed, Seed);
        var b = new Sampling(ilgpu, Seed);
        Assert.Equal(a.CompileUniform().Run(), b.CompileUniform().Run());
        Assert.Equal(a.CompileGaussian().Run(), b.CompileGaussian().Run());
        Assert.Equal(a.CompileInts().Run(), b.CompileInts().Run());
        Assert.Equal(a.CompilePerm().Run(), b.CompilePerm().Run());
        var x = Enumerable.Range(1, 300).Select(i => (float)i).ToArray();
        Assert.Equal(a.CompileDropped(300).Run(x), b.CompileDropped(300).Run(x));
        Assert.Equal(a.CompileTwo().Run(), b.CompileTwo().Run());
    }

    // Kolmogorov–Smirnov: at the 0.1% level the statistic of n draws stays below 1.95/√n
    private static void FollowsCdf(float[] sample, Func<double, double> cdf, string what)
    {
        double d = ReferenceOps.KolmogorovSmirnov(D(sample), cdf), bound = 1.95 / Math.Sqrt(sample.Length);
        Assert.True(d < bound, $"{what}: KS statistic {d:F5} ≥ {bound:F5}");
    }

    private static void Moments(float[] sample, double mean, double variance, string what)
    {
        int n = sample.Length;
        double m = sample.Average(x => (double)x), v = sample.Sum(x => (x - m) * (x - m)) / (n - 1);
        // 5 standard errors: the mean's is √(var/n); the variance's about var·√(2/n) for these light-tailed laws
        Assert.True(Math.Abs(m - mean) < 5 * Math.Sqrt(variance / n), $"{what}: mean {m} vs {mean}");
        Assert.True(Math.Abs(v - variance) < 5 * variance * Math.Sqrt(2.0 / n) + 1e-12, $"{what}: variance {v} vs {variance}");
    }

    [Fact]
    public void Every_sampler_follows_its_distribution()
    {
        using var device = Device.ManagedCpu();
        var m = new Sampling(device, Seed);
        var u = m.CompileUniform().Run();
        Assert.All(u, x => Assert.InRange(x, 0f, 0.99999995f));
        Moments(u, 0.5, 1 / 12.0, "Rand");
        FollowsCdf(u, x => Math.Clamp(x, 0, 1), "Rand");

        var n = m.CompileGaussian().Run();
        Moments(n, 0, 1, "Randn");
        FollowsCdf(n, ReferenceOps.NormalCdf, "Randn");

        var s = m.CompileScaled().Run();
        Moments(s, 3, 4, "Normal(3, 2)");
        FollowsCdf(s, x => ReferenceOps.NormalCdf((x - 3) / 2), "Normal(3, 2)");

        var k = m.CompileInts().Run();
        Assert.All(k, v => Assert.True(v == MathF.Floor(v) && v >= -3 && v < 7, $"Randint value {v}"));
        Moments(k, 1.5, (10 * 10 - 1) / 12.0, "Randint(-3, 7)");   // discrete uniform on 10 values: mean (a+b)/2, variance (n²-1)/12
        foreach (var g in k.GroupBy(v => v)) Assert.InRange(g.Count(), 2000 - 5 * 42, 2000 + 5 * 42);   // each value 2000 ± 5σ (σ = √(n·p(1-p)) ≈ 42)

        var perm = m.CompilePerm().Run();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)i), perm.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000).Select(i => (float)i), perm);
        // a uniform permutation: position i holds each value with equal chance; the mean of the first 500 is 499.5 ± 5σ
        Assert.InRange(perm.Take(500).Average(), 499.5 - 5 * 6.45, 499.5 + 5 * 6.45);

        const int count = 20000;
        var mean = Enumerable.Range(0, count).Select(i => (float)(i % 7) - 3).ToArray();
        var std = Enumerable.Range(0, count).Select(i => 0.5f + i % 3).ToArray();
        var shifted = m.CompileShifted(count).Run(mean, std);
        FollowsCdf(shifted.Select((x, i) => (x - mean[i]) / std[i]).ToArray(), ReferenceOps.NormalCdf, "Normal(mean, std) standardised");

        var p = Enumerable.Range(0, count).Select(i => i % 2 == 0 ? 0.3f : 0.8f).ToArray();
        var coins = m.CompileCoins(count).Run(p);
        Assert.All(coins, c => Assert.True(c is 0f or 1f));
        Moments(coins.Where((_, i) => i % 2 == 0).ToArray(), 0.3, 0.21, "Bernoulli(0.3)");
        Moments(coins.Where((_, i) => i % 2 == 1).ToArray(), 0.8, 0.16, "Bernoulli(0.8)");
    }

    [Fact]
    public void Written_out_dropout_scales_what_it_keeps_in_either_mode()
    {
        using var device = Device.ManagedCpu();
        var m = new Sampling(device, Seed);
        const int count = 20000;
        var plan = m.CompileDropped(count);
        var x = Enumerable.Range(0, count).Select(i => 1f + i % 5).ToArray();
        Assert.True(m.Parameters.Training);   // a new model trains, as a new nn.Module
        var y = plan.Run(x);
        var kept = y.Select((v, i) => (v, i)).Where(t => t.v != 0).ToList();
        Assert.All(kept, t => Assert.Equal(x[t.i] / 0.75f, t.v, 5));   // the survivors are scaled by 1/(1 - p)
        Moments(y.Select(v => v == 0 ? 1f : 0f).ToArray(), 0.25, 0.1875, "dropped fraction");

        // written out, Ops.Dropout is F.dropout (training = true): it drops in eval mode too, as its direct call does (it
        // passed in eval mode in a plan only); nn.Dropout's eval identity is the short name's, in
        // Dropout_means_the_same_in_a_plan_and_a_direct_call
        m.Parameters.Eval();
        var offset = m.Parameters.Random.Offset;
        Assert.NotEqual(x, plan.Run(x));
        m.Parameters.Train();
        Assert.NotEqual(x, plan.Run(x));
        Assert.Equal(offset + 2, m.Parameters.Random.Offset);
    }

    /// <summary>model.eval(); model(x) in PyTorch passes Dropout's input through: a method called eagerly follows the
    /// model's mode as its plan does, in a submodule too (DropoutByMode in Models/EagerModels.cs).</summary>
    [Fact]
    public void A_method_called_eagerly_drops_in_training_mode_only()
    {
        using var device = Device.ManagedCpu();
        var m = new DropoutByMode(device, Seed);
        var x = Enumerable.Range(1, 8).Select(i => (float)i).ToArray();
        var w = m.Parameters.Get("block.w");
        var kept = x.Select((v, i) => (double)v + (double)v * w[i % 4]).ToArray();   // x + x·w: nothing dropped
        m.Parameters.Eval();
        Assert.Equal(kept, D(m.Drop(Tensor.From(x, 2, 4)).ToArray()), new Tolerance(1e-6));
        Assert.Equal(kept, D(m.CompileDrop().Run(x)), new Tolerance(1e-6));

        m.Parameters.Train();
        bool dropped = false;
        for (int call = 0; call < 10; call++)
        {
            var y = m.Drop(Tensor.From(x, 2, 4)).ToArray();
            for (int i = 0; i < 8; i++)
            {
                // each term is dropped or scaled by 1/(1 - 0.5)
                double a = 2 * x[i], b = 2 * x[i] * w[i % 4];
                Assert.Contains(new[] { 0, a, b, a + b }, v => Math.Abs(v - y[i]) < 1e-5);
                dropped |= Math.Abs(y[i] - (a + b)) > 1e-5;
            }
        }
        Assert.True(dropped);
        // a class that calls Dropout from a static member keeps Ops.Dropout (no member of its own): it compiled, and drops
        var s = new DropoutInStaticHelper(device, Seed);
        s.Parameters.Eval();
        // an element is 0 when both of its draws drop (p = 0.25 · 0.5): over 200 calls of 4 elements, all kept has chance 0.875^800
        Assert.Contains(Enumerable.Range(0, 200).Select(_ => s.Drop(Tensor.From(x[..4])).ToArray()), y => y.Contains(0f));
    }

    /// <summary>
    /// One method, one meaning, in a plan and called directly (a new user's eval run of Ops.Dropout written out was the
    /// identity as a plan and dropped as a direct call): the short name follows the mode; written out it is F.dropout,
    /// dropping in eval mode too, with the mask a training run of the short name draws; training: false is the identity.
    /// </summary>
    [Fact]
    public void Dropout_means_the_same_in_a_plan_and_a_direct_call()
    {
        using var device = Device.ManagedCpu();
        var x = Enumerable.Range(1, 400).Select(i => (float)i).ToArray();
        var tx = Tensor.From(x);
        // training (the default): the written-out plan's mask is the short name's, draw for draw (same seed, first ticket)
        var a = new DropoutSpellings(device, Seed);
        var b = new DropoutSpellings(device, Seed);
        var shortMask = a.CompileShort().Run(x);
        Assert.Equal(shortMask, b.CompileWritten().Run(x));
        Assert.InRange(shortMask.Count(v => v == 0), 60, 140);   // p = 0.25 of 400
        foreach (var m in new[] { a, b }) m.Parameters.Eval();
        int Zeros(float[] v) => v.Count(e => e == 0);
        // eval: the short name is the identity both ways; written out drops both ways; training: false never drops
        var offset = a.Parameters.Random.Offset;
        Assert.Equal(x, a.CompileShort().Run(x));
        Assert.Equal(offset, a.Parameters.Random.Offset);   // eval-mode dropout draws nothing (PyTorch's nn.Dropout in eval)
        Assert.Equal(x, a.Short(tx).ToArray());
        Assert.InRange(Zeros(a.CompileWritten().Run(x)), 60, 140);
        Assert.InRange(Zeros(a.Written(tx).ToArray()), 60, 140);
        Assert.All(a.CompileWritten().Run(x).Select((v, i) => (v, i)), p => Assert.True(p.v == 0 || Math.Abs(p.v - x[p.i] / 0.75f) < 1e-3, $"[{p.i}] {p.v}"));
        Assert.Equal(x, a.CompileOff().Run(x));
        Assert.Equal(x, a.Off(tx).ToArray());
        a.Parameters.Train();
        Assert.Equal(x, a.CompileOff().Run(x));
        Assert.Equal(x, a.Off(tx).ToArray());
    }

    /// <summary>
    /// PyTorch's nn.Dropout draws nothing in eval mode, so a validation pass between training steps leaves the masks of
    /// the steps after it as they were (an eval run took a ticket of the model's generator, and every later mask moved).
    /// </summary>
    [Fact]
    public void A_validation_pass_leaves_the_training_draws_as_they_were()
    {
        using var device = Device.ManagedCpu();
        var x = Enumerable.Range(1, 400).Select(i => (float)i).ToArray();
        var validated = new DropoutSpellings(device, Seed);
        var plain = new DropoutSpellings(device, Seed);
        var (v, p) = (validated.CompileShort(), plain.CompileShort());
        Assert.Equal(p.Run(x), v.Run(x));
        validated.Parameters.Eval();
        Assert.Equal(x, v.Run(x));
        validated.Parameters.Train();
        var second = v.Run(x);
        Assert.Equal(p.Run(x), second);
        Assert.Contains(0f, second);
        // a site that draws whatever the mode (F.dropout written out) still takes its ticket in eval mode
        validated.Parameters.Eval();
        var before = validated.Parameters.Random.Offset;
        validated.CompileWritten().Run(x);
        Assert.Equal(before + 1, validated.Parameters.Random.Offset);
    }

    [Fact]
    public void A_checkpoint_resumes_the_draws_bit_for_bit()
    {
        using var device = Device.ManagedCpu();
        var a = new Sampling(device, Seed);
        var plan = a.CompileUniform();
        for (int i = 0; i < 3; i++) plan.Run();
        var path = File("sampling.safetensors");
        Checkpoint.Save(path, a.Parameters);
        float[] next = plan.Run(), after = plan.Run();

        var b = new Sampling(device, seed: 99);
        Checkpoint.Load(path, b.Parameters);
        Assert.Equal(((ulong)Seed, 3UL), (b.Parameters.Random.Seed, b.Parameters.Random.Offset));
        var resumed = b.CompileUniform();
        Assert.Equal(next, resumed.Run());
        Assert.Equal(after, resumed.Run());
    }

    [Fact]
    public void A_malformed_generator_state_in_a_checkpoint_is_named()
    {
        using var device = Device.ManagedCpu();
        var m = new Creation(device, Seed);
        var path = File("bad.safetensors");
        Checkpoint.Save(path, m.Parameters);
        var text = System.IO.File.ReadAllBytes(path);
        var header = System.Text.Encoding.UTF8.GetString(text);
        int at = header.IndexOf($"\"{Seed},0\"", StringComparison.Ordinal);
        Assert.True(at > 0, "the header holds the generator as \"seed,offset\"");
        text[at + 1] = (byte)'x';
        System.IO.File.WriteAllBytes(path, text);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, m.Parameters));
        Assert.Contains("random generator", e.Message);
    }

    [Theory]
    [InlineData("[Forward] public Tensor F() => [|Rand(3, 0)|];", "KLN0001", "every size must be positive")]
    [InlineData("[Forward] public Tensor F() => [|Randint(5, 5, 3)|];", "KLN0018", "empty range")]
    [InlineData("[Forward] public Tensor F() => [|Randint(100000000, 100000010, 3)|];", "KLN0001", "exact integers only within")]
    [InlineData("[Forward] public Tensor F([Shape(3)] Tensor x) => [|Dropout(x, 1.5f)|];", "KLN0018", "a probability")]
    [InlineData("[Forward] public Tensor F() => [|Randperm(0)|];", "KLN0001", "n must be positive")]
    [InlineData("[Forward] public Tensor F() => [|Normal(0f, -1f, 3)|];", "KLN0018", "std must be ≥ 0")]
    [InlineData("[Forward] public Tensor F() => [|Randperm(20000000)|];", "KLN0001", "exactly")]
    public void Bad_sampler_arguments_are_diagnostics_at_the_call(string method, string id, string reason) =>
        MarkedSource.SingleAt("using Kiln; using static Kiln.Ops;\n[Model] public partial class M { " + method + " }", id, reason);
}

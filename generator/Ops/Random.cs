using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Emit;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>The seed, ticket and mode one run draws with (the interpreter's side of the runtime's RandomDraw).</summary>
internal readonly struct Draw(ulong seed, ulong ticket, bool training)
{
    public ulong Seed { get; } = seed;
    public ulong Ticket { get; } = ticket;
    public bool Training { get; } = training;
}

/// <summary>
/// A tensor of random values drawn in the graph by the runtime's RandomOp from the model's generator (Philox 4x32-10):
/// uniform, normal, dropout's scaled mask or a permutation. Each node is a draw site, numbered in the order the method
/// makes them (its stream), so two draws of the same shape are different nodes and never merged. It has no inputs
/// and no gradient; the samplers of the language compose it (Normal is mean + std·Randn, Bernoulli a comparison).
/// Args: kind, p (dropout), stream.
/// </summary>
internal sealed class RandomOp : LibraryOp
{
    public new enum Kind { Uniform, Normal, DropoutMask, Permutation }

    public static readonly RandomOp Instance = new();
    public override string Name => "Random";

    public static Kind KindOf(Node n) => (Kind)(int)n.Attrs.Args[0];
    private static double P(Node n) => n.Attrs.Args[1];
    private static int Stream(Node n) => (int)n.Attrs.Args[2];

    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [];

    public override string RuntimeType => Kiln("RandomOp");

    public override string Construct(LibraryEmit e) =>
        $"new {RuntimeType}({e.Dim(e.Node.Shape.Count)}, {RuntimeType}.Kind.{KindOf(e.Node)}, {Float(P(e.Node))}, stream: {Stream(e.Node)})";

    public override void Call(LibraryEmit e, SourceWriter w) =>
        w.Line($"{e.Field}.Run({e.DeviceArg}{e.Array(e.Node)}, {e.Off(e.Node)}, this.Draw({(KindOf(e.Node) == Kind.DropoutMask ? "followsMode: true" : "")}));");

    public override string? ShapeError(Node[] inputs, NodeAttrs attrs, Shape shape) =>
        inputs.Length != 0 ? "a random draw has no operands" : null;

    public override double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape) =>
        throw new InvalidOperationException("a random draw is evaluated with the run's seed and ticket (Interpreter.Evaluate's draw)");

    /// <summary>The values the runtime draws for this node in the run holding <paramref name="draw"/> (float64 of the same floats).</summary>
    public static double[] Evaluate(Node n, int count, Draw draw)
    {
        var result = new double[count];
        var kind = KindOf(n);
        uint t0 = (uint)draw.Ticket, t1 = (uint)(draw.Ticket >> 32), k0 = (uint)draw.Seed, k1 = (uint)(draw.Seed >> 32), stream = (uint)Stream(n);
        if (kind == Kind.Permutation)
        {
            var keys = Enumerable.Range(0, count).Select(i => (Key: Philox.Block((uint)i, t0, t1, stream, k0, k1)[0], Index: i))
                .OrderBy(k => k.Key).ThenBy(k => k.Index).ToList();
            for (int i = 0; i < count; i++) result[i] = keys[i].Index;
            return result;
        }
        double p = P(n);
        for (int i = 0; i < count; i++)
        {
            if (kind == Kind.DropoutMask && !draw.Training) { result[i] = 1; continue; }
            if (kind == Kind.Normal)
            {
                var pair = Philox.Block((uint)(i >> 1), t0, t1, stream, k0, k1);
                int w = 2 * (i & 1);
                double u1 = (pair[w] >> 8) / (double)(1 << 24) + 1.0 / (1 << 24), u2 = (pair[w + 1] >> 8) / (double)(1 << 24);
                result[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
                continue;
            }
            float u = (Philox.Block((uint)(i >> 2), t0, t1, stream, k0, k1)[i & 3] >> 8) * (1f / (1 << 24));
            result[i] = kind == Kind.Uniform ? u : u >= (float)p ? (p >= 1 ? 0f : 1f / (1f - (float)p)) : 0f;
        }
        return result;
    }
}

/// <summary>Philox 4x32-10, as the runtime's Kiln.Kernels.Philox (the interpreter's copy: the generator cannot reference the runtime).</summary>
internal static class Philox
{
    public static uint[] Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0) { k0 += 0x9E3779B9; k1 += 0xBB67AE85; }
            ulong p0 = 0xD2511F53UL * c0, p1 = 0xCD9E8D57UL * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
        }
        return [c0, c1, c2, c3];
    }
}

/// <summary>
/// The samplers of the language (torch.rand, randn, randint, normal, bernoulli, rand_like, randn_like, randperm and
/// nn.Dropout): each run of the plan draws fresh values from the model's generator; the same seed gives the same
/// values on every device.
/// </summary>
internal static partial class Lowerings
{
    private static Node Draw(Call c, RandomOp.Kind kind, Shape shape, double p = 0) =>
        c.B.Random(kind, shape, p);

    private static Shape SizeArgument(Call c)
    {
        var size = c.Ints("size");
        if (size.Any(s => s <= 0)) throw c.Fail($"{c.Name} of size [{string.Join(", ", size)}] (every size must be positive)");
        if (size.Aggregate(1L, (a, s) => Math.Min(a * s, 1L << 40)) > Lowerer.MaxElements) throw c.Fail($"{c.Name} of size [{string.Join(", ", size)}], more elements than a plan holds");
        return new Shape(size.Select(s => Size.Of(s)));
    }

    public static Node Rand(Call c) => Draw(c, RandomOp.Kind.Uniform, SizeArgument(c));
    public static Node Randn(Call c) => Draw(c, RandomOp.Kind.Normal, SizeArgument(c));
    public static Node RandLike(Call c) => Draw(c, RandomOp.Kind.Uniform, c.X().Shape);
    public static Node RandnLike(Call c) => Draw(c, RandomOp.Kind.Normal, c.X().Shape);

    /// <summary>torch.randint(low, high, size): ⌊low + U·(high − low)⌋, integers in [low, high) held as floats.</summary>
    public static Node Randint(Call c)
    {
        int low = c.Int("low", 0), high = c.Int("high", 0);
        if (high <= low) throw c.Invalid($"Randint({low}, {high}), an empty range (high must exceed low)");
        if ((long)high - low > 1 << 24) throw c.Fail($"Randint over {(long)high - low} values (a draw has 24 random bits: at most {1 << 24:N0})");
        if (Math.Max(Math.Abs((long)low), Math.Abs((long)high)) > 1 << 24) throw c.Fail($"Randint({low}, {high}) (the values are floats, exact integers only within ±{1 << 24:N0})");
        var u = Draw(c, RandomOp.Kind.Uniform, SizeArgument(c));
        return c.B.Add(c.B.Unary(Unary.Floor, c.B.Mul(u, c.B.Const(high - low))), c.B.Const(low));
    }

    /// <summary>torch.normal(mean, std): mean + std·N(0, 1), tensors broadcast together, or numbers with a size; no gradient, as torch.normal.</summary>
    public static Node Normal(Call c)
    {
        Node mean = c.TensorOrNumber("mean", 0), std = c.TensorOrNumber("std", 1);
        if (GraphBuilder.IsConst(std, out double sd) && !(sd >= 0)) throw c.Invalid(FormattableString.Invariant($"Normal with std = {sd} (as torch.normal, std must be ≥ 0)"));
        var shape = c.Has("size") ? SizeArgument(c) : GraphBuilder.Broadcast("Normal", mean.Shape, std.Shape);
        // no gradient to mean or std, as torch.normal (mean + std * RandnLike(std) is the reparameterised form)
        return c.B.Unary(Unary.Detach, c.B.Add(c.B.Mul(Draw(c, RandomOp.Kind.Normal, shape), std), mean));
    }

    /// <summary>torch.bernoulli(input): 1 with probability input (each element its own), else 0.</summary>
    public static Node Bernoulli(Call c)
    {
        var p = c.X();
        return c.B.Binary(Arithmetic.Lt, Draw(c, RandomOp.Kind.Uniform, p.Shape), p);
    }

    /// <summary>torch.randperm(n): 0 … n-1 in a random order, as floats.</summary>
    public static Node Randperm(Call c)
    {
        int n = c.Int("n", 0);
        if (n < 1) throw c.Fail($"Randperm({n}) (n must be positive)");
        if (n > 1 << 24) throw c.Fail($"Randperm({n}) (floats hold every index exactly only up to {1 << 24:N0})");
        return Draw(c, RandomOp.Kind.Permutation, new Shape([Size.Of(n)]));
    }

    /// <summary>nn.Dropout(p): in training each element is zeroed with probability p and the rest scaled by 1/(1 − p); in
    /// eval mode the input passes. With a training argument (Ops.Dropout written out: the parser passes F.dropout's
    /// training = true), F.dropout: the mask whatever the mode (the same uniform draw, so the same mask a training run
    /// draws), or the input where training is false.</summary>
    public static Node Dropout(Call c)
    {
        var x = c.X();
        double p = c.Number("p", 0.5);
        if (!(p >= 0 && p <= 1)) throw c.Invalid(FormattableString.Invariant($"Dropout with p = {p} (a probability, in [0, 1])"));
        if (p == 0) return x;
        if (!c.Has("training")) return c.B.Mul(x, Draw(c, RandomOp.Kind.DropoutMask, x.Shape, p));
        if (!c.Bool("training")) return x;
        var u = Draw(c, RandomOp.Kind.Uniform, x.Shape);
        var mask = p == 1 ? c.B.Const(0) : c.B.Where(c.B.Binary(Arithmetic.Ge, u, c.B.Const(p)), c.B.Const(1 / (1 - p)), c.B.Const(0));
        return c.B.Mul(x, mask);
    }
}

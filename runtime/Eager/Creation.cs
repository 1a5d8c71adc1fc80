using System;
using System.Linq;
using Kiln.Kernels;

namespace Kiln;

/// <summary>Eager creation: Ops.Zeros, Arange, Linspace, Cat… outside model methods, with PyTorch's arithmetic for the values.</summary>
internal static class EagerCreation
{
    public static Tensor Full(int[] size, float value)
    {
        foreach (int d in size)
            if (d < 0) throw new ArgumentException($"Trying to create tensor with negative dimension {d}: [{string.Join(", ", size)}]", nameof(size));
        var data = new float[Layout.Count(size)];
        if (value != 0f) data.AsSpan().Fill(value);
        return new Tensor(data, (int[])size.Clone());
    }

    /// <summary>torch.arange: ⌈(end − start)/step⌉ values start + i·step, computed in float64 as PyTorch's CPU kernel.</summary>
    public static Tensor Arange(float start, float end, float step)
    {
        if (step == 0) throw new ArgumentException("step must be nonzero", nameof(step));
        if (!float.IsFinite(start) || !float.IsFinite(end)) throw new ArgumentException($"unsupported range: {start} -> {end}");
        if ((step > 0 && end < start) || (step < 0 && end > start)) throw new ArgumentException("upper bound and larger bound inconsistent with step sign", nameof(step));
        double count = Math.Ceiling(((double)end - start) / step);
        var data = new float[Layout.Count([(int)count])];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(start + (double)i * step);
        return new Tensor(data, [data.Length]);
    }

    /// <summary>torch.linspace: the first half counted up from start, the second down from end (PyTorch's kernel), in float.</summary>
    public static Tensor Linspace(float start, float end, int steps)
    {
        if (steps < 0) throw new ArgumentException("number of steps must be non-negative", nameof(steps));
        var data = new float[steps];
        if (steps == 1) data[0] = start;
        else if (steps > 1)
        {
            float step = (end - start) / (steps - 1);
            int half = steps / 2;
            for (int i = 0; i < steps; i++) data[i] = i < half ? start + step * i : end - step * (steps - i - 1);
        }
        return new Tensor(data, [steps]);
    }

    /// <summary>torch.logspace: base to the power of the same halves as linspace, in float64.</summary>
    public static Tensor Logspace(float start, float end, int steps, float @base)
    {
        if (steps < 0) throw new ArgumentException("number of steps must be non-negative", nameof(steps));
        var data = new float[steps];
        if (steps == 1) data[0] = (float)Math.Pow(@base, start);
        else if (steps > 1)
        {
            double step = ((double)end - start) / (steps - 1);
            int half = steps / 2;
            for (int i = 0; i < steps; i++) data[i] = (float)Math.Pow(@base, i < half ? start + step * i : end - step * (steps - i - 1));
        }
        return new Tensor(data, [steps]);
    }

    public static Tensor Eye(int n, int m)
    {
        if (m < 0) m = n;
        if (n < 0) throw new ArgumentException($"n must be greater or equal to 0, got {n}", nameof(n));
        var data = new float[Layout.Count([n, m])];
        for (int i = 0; i < Math.Min(n, m); i++) data[i * m + i] = 1f;
        return new Tensor(data, [n, m]);
    }

    /// <summary>torch.cat: every tensor's shape equal to the first's outside dim.</summary>
    public static Tensor Cat(Tensor[] tensors, int dim)
    {
        if (tensors.Length == 0) throw new ArgumentException("torch.cat(): expected a non-empty list of Tensors", nameof(tensors));
        for (int i = 0; i < tensors.Length; i++)
            if (tensors[i].Layout.Rank == 0) throw new ArgumentException($"zero-dimensional tensor (at position {i}) cannot be concatenated", nameof(tensors));
        var first = tensors[0].Layout.Shape;
        int d = Layout.Dim(dim, first.Length), total = 0;
        foreach (var t in tensors)
        {
            var s = t.Layout.Shape;
            if (s.Length != first.Length)
                throw new ArgumentException($"Tensors must have same number of dimensions: got {first.Length} and {s.Length}", nameof(tensors));
            for (int i = 0; i < s.Length; i++)
                if (i != d && s[i] != first[i])
                    throw new ArgumentException($"Sizes of tensors must match except in dimension {d}. Expected size {first[i]} but got size {s[i]} for tensor number {Array.IndexOf(tensors, t)} in the list.", nameof(tensors));
            total += s[d];
        }
        var shape = (int[])first.Clone();
        shape[d] = total;
        var data = new float[Layout.Count(shape)];
        var output = Layout.Contiguous(shape);
        int at = 0;
        foreach (var t in tensors)
        {
            int size = t.Layout.Shape[d];
            output.Slice(d, at, at + size, 1).Scatter(Eager.Dense(t), data);
            at += size;
        }
        return new Tensor(data, shape);
    }

    /// <summary>torch.stack: equal shapes joined along a new dim.</summary>
    public static Tensor Stack(Tensor[] tensors, int dim)
    {
        if (tensors.Length == 0) throw new ArgumentException("stack expects a non-empty TensorList", nameof(tensors));
        var shape = tensors[0].Layout.Shape;
        foreach (var t in tensors)
            if (!t.Layout.Shape.AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"stack expects each tensor to be equal size, but got [{string.Join(", ", shape)}] at entry 0 and [{string.Join(", ", t.Layout.Shape)}] at entry {Array.IndexOf(tensors, t)}", nameof(tensors));
        int d = Layout.Dim(dim, shape.Length + 1);
        return Cat(tensors.Select(t => t.Unsqueeze(d)).ToArray(), d);
    }
}

/// <summary>
/// A source of random numbers for eager tensors, as torch.Generator: <c>new RandomGenerator(42)</c>, <c>ManualSeed</c>, and
/// the samplers. Draws use the plans' own kernel (Philox 4×32-10, <see cref="RandomOp"/>): each call takes the next
/// ticket of the generator's <see cref="RandomState"/>, so a seed replays bit for bit. <see cref="Default"/> serves
/// Ops.Rand and friends outside model methods (<c>Ops.ManualSeed</c> reseeds it). The streams are not PyTorch's
/// (its CPU generator is a Mersenne Twister): the same seed gives other numbers with the same distribution.
/// </summary>
public sealed class RandomGenerator(ulong seed = 0x853c49e6748fea9bUL)
{
    /// <summary>The generator of Ops.Rand, Randn, … called outside model methods (torch's default generator).</summary>
    public static RandomGenerator Default { get; } = new();

    public RandomState State { get; } = new(seed);

    /// <summary>g.manual_seed(seed): restarts the generator's streams.</summary>
    public RandomGenerator ManualSeed(ulong seed) { State.ManualSeed(seed); return this; }

    /// <summary>g.initial_seed().</summary>
    public ulong InitialSeed() => State.Seed;

    private float[] Draw(int count, RandomOp.Kind kind, float p = 0f)
    {
        var data = new float[count];
        if (count > 0) new RandomOp(count, kind, p, stream: 0).Run(data, 0, new RandomDraw(State.Seed, State.Take(), Training: true));
        return data;
    }

    private static int[] Checked(int[] size)
    {
        foreach (int d in size)
            if (d < 0) throw new ArgumentException($"Trying to create tensor with negative dimension {d}: [{string.Join(", ", size)}]", nameof(size));
        return (int[])size.Clone();
    }

    /// <summary>torch.rand: uniform on [0, 1).</summary>
    public Tensor Rand(params int[] size) => new(Draw(Layout.Count(Checked(size)), RandomOp.Kind.Uniform), Checked(size));

    /// <summary>torch.randn: standard normal.</summary>
    public Tensor Randn(params int[] size) => new(Draw(Layout.Count(Checked(size)), RandomOp.Kind.Normal), Checked(size));

    /// <summary>torch.randint(low, high, size): ⌊low + U·(high − low)⌋, integers on [low, high) held as floats (as in model methods).</summary>
    public Tensor Randint(int low, int high, params int[] size)
    {
        if (high <= low) throw new ArgumentException($"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}");
        var u = Draw(Layout.Count(Checked(size)), RandomOp.Kind.Uniform);
        for (int i = 0; i < u.Length; i++) u[i] = MathF.Floor(u[i] * (high - low)) + low;
        return new Tensor(u, Checked(size));
    }

    /// <summary>torch.normal(mean, std) with tensors broadcast together.</summary>
    public Tensor Normal(Tensor mean, Tensor std)
    {
        foreach (float s in std.ToArray())
            if (!(s >= 0)) throw new ArgumentException($"normal expects all elements of std >= 0.0, got {s}", nameof(std));
        var shape = Layout.Broadcast(mean.Layout.Shape, std.Layout.Shape);
        return mean + std * Randn(shape);
    }

    /// <summary>torch.normal(mean, std, size) with numbers.</summary>
    public Tensor Normal(float mean, float std, params int[] size)
    {
        if (!(std >= 0)) throw new ArgumentException($"normal expects std >= 0.0, but found std {std}", nameof(std));
        return Randn(size) * std + mean;
    }

    /// <summary>torch.bernoulli(p): 1 where a uniform draw is below p.</summary>
    public Tensor Bernoulli(Tensor input) => (Rand(input.Layout.Shape) < input).Float();

    /// <summary>torch.randperm(n) as floats: the indices sorted by a random key each.</summary>
    public Tensor Randperm(int n)
    {
        if (n < 0) throw new ArgumentException($"n must be non-negative, got {n}", nameof(n));
        return new Tensor(Draw(n, RandomOp.Kind.Permutation), [n]);
    }

    /// <summary>F.dropout(input, p) in training mode: each element zeroed with probability p, the rest scaled by 1/(1 − p).</summary>
    public Tensor Dropout(Tensor input, float p = 0.5f)
    {
        CheckDropout(p);
        return input * new Tensor(Draw(input.Layout.Numel, RandomOp.Kind.DropoutMask, p), input.Layout.Shape);
    }

    internal static void CheckDropout(float p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {p}", nameof(p));
    }
}

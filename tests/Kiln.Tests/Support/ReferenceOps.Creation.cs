using System;
using System.Linq;

namespace Kiln.Tests.Support;

/// <summary>
/// Float64 reference for PyTorch's creation functions: zeros, ones, full, zeros_like, ones_like, full_like, arange,
/// linspace, logspace and eye. Written from the torch documentation, not from Kiln's implementation. Every result is
/// float64 (torch's integer-typed results, such as arange with integer arguments, have the same values). Private
/// names are prefixed Cr.
/// </summary>
internal static partial class ReferenceOps
{
    // ---------------------------------------------------------------- helpers

    // The number of elements a size holds; a negative dim is an error, as torch's "negative dimension".
    private static int CrCount(int[] size)
    {
        ArgumentNullException.ThrowIfNull(size);
        foreach (int d in size)
            if (d < 0) throw new ArgumentException($"negative dimension {d} in size {RefTensor.ShapeText(size)}");
        if (Array.IndexOf(size, 0) >= 0) return 0;
        long count = 1;
        foreach (int d in size)
        {
            count *= d;
            if (count > int.MaxValue) throw new ArgumentException($"size {RefTensor.ShapeText(size)} is too large for a reference tensor");
        }
        return (int)count;
    }

    // A tensor of the given size with every element `value`.
    private static RefTensor CrFilled(int[] size, double value)
    {
        var data = new double[CrCount(size)];
        Array.Fill(data, value);
        return new RefTensor(size, data);
    }

    // linspace's documented values (start, start + (end − start)/(steps − 1), …, start + (steps − 2)·(end − start)/(steps − 1), end):
    // the first is exactly start and the last exactly end; steps == 1 gives [start], steps == 0 nothing.
    private static double[] CrLinspace(double start, double end, int steps)
    {
        if (steps < 0) throw new ArgumentException($"number of steps must be non-negative, got {steps}");
        var data = new double[steps];
        if (steps == 0) return data;
        data[0] = start;
        if (steps == 1) return data;
        double step = (end - start) / (steps - 1);
        for (int i = 1; i < steps - 1; i++) data[i] = start + i * step;
        data[steps - 1] = end;
        return data;
    }

    // ---------------------------------------------------------------- filled tensors

    /// <summary>torch.zeros(*size): out = 0 everywhere, of the given size (no size is a 0-d tensor, as torch.zeros(())).</summary>
    public static RefTensor Zeros(params int[] size) => CrFilled(size, 0.0);

    /// <summary>torch.ones(*size): out = 1 everywhere, of the given size (no size is a 0-d tensor, as torch.ones(())).</summary>
    public static RefTensor Ones(params int[] size) => CrFilled(size, 1.0);

    /// <summary>torch.full(size, fill_value): out = fill_value everywhere, of the given size.</summary>
    public static RefTensor Full(int[] size, double fillValue) => CrFilled(size, fillValue);

    /// <summary>torch.zeros_like(input): torch.zeros(input.size()), out = 0 everywhere; input's values are not read.</summary>
    public static RefTensor ZerosLike(RefTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CrFilled(input.Shape, 0.0);
    }

    /// <summary>torch.ones_like(input): torch.ones(input.size()), out = 1 everywhere; input's values are not read.</summary>
    public static RefTensor OnesLike(RefTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CrFilled(input.Shape, 1.0);
    }

    /// <summary>torch.full_like(input, fill_value): torch.full(input.size(), fill_value), out = fill_value everywhere; input's values are not read.</summary>
    public static RefTensor FullLike(RefTensor input, double fillValue)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CrFilled(input.Shape, fillValue);
    }

    // ---------------------------------------------------------------- ranges

    /// <summary>torch.arange(end): torch.arange(0, end, 1), out_i = i for i = 0 … ceil(end) − 1.</summary>
    public static RefTensor Arange(double end) => Arange(0.0, end, 1.0);

    /// <summary>torch.arange(start, end, step): ceil((end − start) / step) values out_i = start + i·step, end excluded.</summary>
    public static RefTensor Arange(double start, double end, double step)
    {
        if (!double.IsFinite(start) || !double.IsFinite(end)) throw new ArgumentException($"unsupported range: {start} -> {end}");
        if (!double.IsFinite(step)) throw new ArgumentException($"unsupported step {step}");
        if (step == 0) throw new ArgumentException("step must be nonzero");
        // torch's check: an empty range is allowed (end == start), a range running against the step is not.
        if (!((step > 0 && end >= start) || (step < 0 && end <= start)))
            throw new ArgumentException($"upper bound and larger bound inconsistent with step sign: start {start}, end {end}, step {step}");
        double length = Math.Ceiling((end - start) / step);
        if (length > int.MaxValue) throw new ArgumentException($"arange({start}, {end}, {step}) has too many elements for a reference tensor");
        var data = new double[(int)length];
        for (int i = 0; i < data.Length; i++) data[i] = start + i * step;
        return new RefTensor([data.Length], data);
    }

    /// <summary>torch.linspace(start, end, steps): steps values start + i·(end − start)/(steps − 1), from start to end inclusive (steps == 1 gives [start]).</summary>
    public static RefTensor Linspace(double start, double end, int steps)
    {
        var data = CrLinspace(start, end, steps);
        return new RefTensor([data.Length], data);
    }

    /// <summary>torch.logspace(start, end, steps, base): base ^ linspace(start, end, steps), i.e. (base^start, …, base^end).</summary>
    public static RefTensor Logspace(double start, double end, int steps, double @base = 10)
    {
        var exponents = CrLinspace(start, end, steps);
        return new RefTensor([exponents.Length], exponents.Select(e => Math.Pow(@base, e)).ToArray());
    }

    // ---------------------------------------------------------------- eye

    /// <summary>torch.eye(n, m): an n × m matrix with out[i, j] = 1 where i == j and 0 elsewhere.</summary>
    public static RefTensor Eye(int n, int m)
    {
        if (n < 0) throw new ArgumentException($"n must be greater or equal to 0, got {n}");
        if (m < 0) throw new ArgumentException($"m must be greater or equal to 0, got {m}");
        var data = new double[CrCount([n, m])];
        for (int i = 0; i < Math.Min(n, m); i++) data[i * m + i] = 1.0;
        return new RefTensor([n, m], data);
    }

    /// <summary>torch.eye(n): torch.eye(n, n), the n × n identity, out[i, j] = 1 where i == j and 0 elsewhere.</summary>
    public static RefTensor Eye(int n) => Eye(n, n);
}

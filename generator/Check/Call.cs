using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Ir;
using Kiln.Generator.Model;
using Kiln.Generator.Ops;
using Microsoft.CodeAnalysis;

namespace Kiln.Generator.Check;

/// <summary>A value during lowering: a tensor node, a number, or a symbolic constant (enum member, bool, null).</summary>
internal sealed record Value(Node? Tensor, double? Number, string? Constant, Node[]? Tensors = null);

/// <summary>Thrown once a diagnostic has been reported: abandons the method being lowered.</summary>
internal sealed class LoweringFailed : Exception { }

/// <summary>
/// One call of a language op as its lowering (a row of <see cref="Registry"/>) sees it: the graph builder, the
/// receiver of an instance call, and the named arguments, with readers that apply PyTorch's defaults and report a
/// diagnostic at the call when an argument is missing or of the wrong kind.
/// </summary>
internal sealed class Call(string name, GraphBuilder builder, Node? self, IReadOnlyDictionary<string, List<Value>> args, CallExpr expr,
    Action<DiagnosticDescriptor, LocationInfo, string[]> report)
{
    /// <summary>The op's language name (<c>Sigmoid</c>, <c>MseLoss</c>).</summary>
    public string Name { get; } = name;
    public GraphBuilder B { get; } = builder;

    /// <summary>The tensor operated on: the receiver, or the first of the usual PyTorch names for it.</summary>
    public Node X() => self ?? Optional("x") ?? Optional("input") ?? Optional("a") ?? throw Missing("input");

    /// <summary>The first present tensor argument among <paramref name="names"/>, or a diagnostic.</summary>
    public Node Required(params string[] names)
    {
        foreach (var n in names)
            if (Optional(n) is { } t) return t;
        throw Missing(names[0]);
    }

    public Node Target() => Required("target");

    /// <summary>A tensor argument, or null when absent or passed as null.</summary>
    public Node? Optional(string argument)
    {
        if (!args.TryGetValue(argument, out var v)) return null;
        if (v[0].Tensor is { } t) return t;
        if (v[0].Constant == "null") return null;
        throw Fail($"A number passed as tensor argument '{argument}'");
    }

    /// <summary>A tensor argument that may also be a number (a 0-d constant), e.g. Pow's exponent.</summary>
    public Node TensorOrNumber(string argument, double fallback) =>
        args.TryGetValue(argument, out var v) && v[0].Tensor is { } t ? t : B.Const(args.TryGetValue(argument, out var n) ? n[0].Number ?? fallback : fallback);

    public bool Has(string argument) => args.ContainsKey(argument);

    /// <summary>Every tensor passed to a Tensor[] argument (written in place, or an array such as Split's result).</summary>
    public List<Node> Tensors(string argument)
    {
        var result = new List<Node>();
        foreach (var v in Values(argument))
        {
            if (v.Tensors is { } many)
            {
                if (Array.IndexOf(many, null) is var hole and >= 0) throw Invalid($"element {hole} of the tensor array passed to {Name} was never assigned");
                result.AddRange(many);
            }
            else if (v.Tensor is { } one) result.Add(one);
            else throw Fail($"A number among the tensors of '{argument}'");
        }
        return result;
    }

    /// <summary>Every value passed to a params argument, in order.</summary>
    public IReadOnlyList<Value> Values(string argument) => args.TryGetValue(argument, out var v) ? v : new List<Value>();

    /// <summary>An optional int argument: null when absent or passed as null.</summary>
    public long? OptionalInt(string argument) => args.TryGetValue(argument, out var v) && v[0].Number is { } n ? (long)n : null;

    /// <summary>A number argument; absent or null gives the fallback. A tensor there (a run-time scalar input) is KLN0001: the op needs the value at build time.</summary>
    public double Number(string argument, double fallback) => args.TryGetValue(argument, out var v) ? BuildTime(argument, v[0]) ?? fallback : fallback;

    private double? BuildTime(string argument, Value v) =>
        v.Number is { } n ? n
        : v.Constant is null or "null" && v.Tensor is null && v.Tensors is null ? null
        : throw Fail($"'{argument}' of {Name} given a value known only when the plan runs (it must be a number known at build time)");

    /// <summary>A string argument (such as Gelu's approximate), unquoted.</summary>
    public string String(string argument, string fallback) =>
        args.TryGetValue(argument, out var v) && v[0].Constant is { Length: >= 2 } s && s[0] == '"' ? s.Substring(1, s.Length - 2) : fallback;

    public int Int(string argument, int fallback) => args.TryGetValue(argument, out var v) && BuildTime(argument, v[0]) is { } n ? (int)n : fallback;

    /// <summary>Every value passed to a params argument, as ints.</summary>
    public List<int> Ints(string argument) => args.TryGetValue(argument, out var v) ? v.Select(x => (int)(BuildTime(argument, x) ?? 0)).ToList() : new List<int>();

    public bool Bool(string argument) => args.TryGetValue(argument, out var v) && (v[0].Constant is "true" or "false" || v[0].Tensor is null
        ? v[0].Constant == "true"
        : throw Fail($"'{argument}' of {Name} given a value known only when the plan runs (it must be a bool known at build time)"));

    /// <summary>
    /// A dim argument normalized against <paramref name="rank"/> (negative dims count from the end; KLN0004 when out of
    /// range). A 0-d tensor has no dim to take: reductions, softmax, squeeze, cumsum and transpose serve dim 0 (or -1)
    /// there as PyTorch does (they read dims through GraphBuilder.NormalizeDim); every other op reports KLN0004 rather
    /// than index past the shape (PyTorch's select and narrow refuse a 0-d tensor too).
    /// </summary>
    public int Dim(string argument, int fallback, int rank) => rank == 0
        ? throw new ShapeException(Descriptors.DimOutOfRange, Name, Int(argument, fallback).ToString(System.Globalization.CultureInfo.InvariantCulture), "0")
        : GraphBuilder.NormalizeDim(Name, Int(argument, fallback), rank);

    /// <summary>A loss's reduction; Mean when not given, as PyTorch.</summary>
    public int Reduction() => !args.TryGetValue("reduction", out var v) ? LossOps.Mean : v[0].Constant switch
    {
        "Reduction.None" => LossOps.None,
        "Reduction.Mean" => LossOps.Mean,
        "Reduction.Sum" => LossOps.Sum,
        "Reduction.BatchMean" => LossOps.BatchMean,
        // (Reduction)7 names no member: it arrives as its number (it read as Mean)
        _ => throw Invalid($"reduction {(v[0].Number is double n ? $"(Reduction){n}" : v[0].Constant ?? "of a value known only at run time")} is not one of Reduction.None, Mean, Sum (BatchMean for KlDiv)"),
    };

    /// <summary>Reports <paramref name="what"/> as outside the language (KLN0001) at the call.</summary>
    public Exception Fail(string what)
    {
        report(Descriptors.Unsupported, expr.Location, [what]);
        return new LoweringFailed();
    }

    /// <summary>Reports an argument the op refuses (KLN0018: a dim listed twice, a probability above 1, sizes that do
    /// not add up) at the call: the op is part of the language, this use of it is wrong.</summary>
    public Exception Invalid(string what)
    {
        report(Descriptors.InvalidArgument, expr.Location, [what]);
        return new LoweringFailed();
    }

    /// <summary>Reports <paramref name="descriptor"/> at the call and abandons the method.</summary>
    public Exception Report(DiagnosticDescriptor descriptor, params string[] arguments)
    {
        report(descriptor, expr.Location, arguments);
        return new LoweringFailed();
    }

    public Exception Missing(string argument) => Fail($"A call to '{expr.Callee}' without '{argument}'");
}

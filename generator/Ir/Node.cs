using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Model;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Ir;

/// <summary>One value of the static graph. Nodes are immutable once built and hash-consed by the builder (CSE).</summary>
internal sealed class Node
{
    public Node(int id, OpDef op, Node[] inputs, Shape shape, NodeAttrs attrs)
    {
        Id = id; Op = op; Inputs = inputs; Shape = shape; Attrs = attrs;
    }

    public int Id { get; }
    public OpDef Op { get; }
    public Node[] Inputs { get; }
    public Shape Shape { get; }
    public NodeAttrs Attrs { get; }

    public override string ToString() => $"t{Id} = {Op.Name}({string.Join(", ", Inputs.Select(i => "t" + i.Id))}{Attrs.Describe()}) {Shape}";
}

/// <summary>The non-tensor arguments of a node (which ones matter depends on the op).</summary>
internal sealed record NodeAttrs
{
    public static readonly NodeAttrs None = new();

    /// <summary>Const: the value, divided by <see cref="Divisor"/> (symbolic counts for means).</summary>
    public double Value { get; init; }
    public Size Divisor { get; init; } = Size.Of(1);
    /// <summary>Const: subtracted from <see cref="Divisor"/> (Bessel's correction: 1/(N - 1) for a variance over "N").</summary>
    public double DivisorOffset { get; init; }
    /// <summary>CumSum: from the end of the dim (the adjoint of a forward sum).</summary>
    public bool Reverse { get; init; }
    /// <summary>Input/Param: the name; Param: the dotted path in the parameter block.</summary>
    public string Name { get; init; } = "";
    /// <summary>Sum: reduced axes; View: permutation (null for a reshape).</summary>
    public EquatableArray<int> Axes { get; init; } = EquatableArray<int>.Empty;
    /// <summary>Strided views and their Embed: the first index along every input dim.</summary>
    public EquatableArray<long> Starts { get; init; } = EquatableArray<long>.Empty;
    /// <summary>Strided views and their Embed: the step of every output dim.</summary>
    public EquatableArray<long> Steps { get; init; } = EquatableArray<long>.Empty;
    /// <summary>Softmax-style ops: the dim.</summary>
    public int Dim { get; init; }
    public bool TransA { get; init; }
    public bool TransB { get; init; }
    /// <summary>Pick/Scatter: the ignore index.</summary>
    public int Ignore { get; init; } = -100;
    /// <summary>Input: an int tensor of class indices.</summary>
    public bool IsInt { get; init; }
    /// <summary>An elementwise row's numeric parameters, in the order the row declares them (LeakyRelu's slope, Clamp's bounds).</summary>
    public EquatableArray<double> Args { get; init; } = EquatableArray<double>.Empty;
    /// <summary>Rendering only (the eager kernels, <see cref="Emit.EagerEmitter"/>): the parameters as variables instead of literals.</summary>
    public EquatableArray<string> ArgNames { get; init; } = EquatableArray<string>.Empty;

    public string Describe()
    {
        var parts = new List<string>();
        if (Name.Length > 0) parts.Add("'" + Name + "'");
        if (Value != 0 || !Divisor.IsOne) parts.Add(Divisor.IsOne ? Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : $"{Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}/({Divisor}{(DivisorOffset != 0 ? " - " + DivisorOffset.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "")})");
        if (Reverse) parts.Add("reverse");
        if (Axes.Count > 0) parts.Add("axes=" + string.Join(",", Axes));
        if (Starts.Count > 0) parts.Add("starts=" + string.Join(",", Starts) + " steps=" + string.Join(",", Steps));
        if (Dim != 0) parts.Add("dim=" + Dim);
        if (TransA) parts.Add("transA");
        if (TransB) parts.Add("transB");
        if (Args.Count > 0) parts.Add("args=" + string.Join(",", Args.Select(a => a.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        return parts.Count == 0 ? "" : "; " + string.Join(" ", parts);
    }
}

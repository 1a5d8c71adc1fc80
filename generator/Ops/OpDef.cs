using System;
using System.Globalization;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

internal enum OpKind
{
    /// <summary>Inputs, parameters and constants: no kernel.</summary>
    Leaf,
    /// <summary>One value per output element from broadcast inputs; fused into chains.</summary>
    Elementwise,
    /// <summary>Sum over axes; fused with its elementwise producers.</summary>
    Reduce,
    /// <summary>A runtime library kernel (GEMM, softmax rows, class gather).</summary>
    Library,
    /// <summary>A new shape or stride order over the same memory: no kernel.</summary>
    View,
}

/// <summary>
/// One op, defined once: its kind, scalar forward as C# (ILGPU and the scalar managed loop), vector forward over the lanes type S
/// (null when it has none), float64 forward (the reference interpreter), and its vector-Jacobian rule written
/// with the graph builder, so backward graphs are optimized and fused like forward ones.
/// </summary>
internal abstract class OpDef
{
    public abstract string Name { get; }
    public abstract OpKind Kind { get; }

    /// <summary>Elementwise: the float expression from argument expressions.</summary>
    public virtual string Scalar(string[] a, NodeAttrs attrs) => throw new NotSupportedException(Name + " has no scalar form");

    /// <summary>Elementwise: the expression over vectors of the kernel's lane type S (an IVector&lt;S&gt;: Vec8 or Vec16, whose
    /// members mirror Vector256's), or null to fall back to the scalar loop.</summary>
    public virtual string? Vector(string[] a, NodeAttrs attrs) => null;

    /// <summary>A comparison: the vector select of <paramref name="yes"/> where it holds, else <paramref name="no"/>, in one
    /// IVector member (S.IfLess(a, b, yes, no)), for a kernel whose only use of it is as the condition of
    /// <see cref="Selects"/> ops; null for other ops.</summary>
    public virtual string? VectorIf(string[] a, string yes, string no) => null;

    /// <summary>A select (torch.where) of its second operand where its first is true, else its third.</summary>
    public virtual bool Selects => false;

    /// <summary>Elementwise: float64 semantics for the reference interpreter.</summary>
    public virtual double Eval(double[] a, NodeAttrs attrs) => throw new NotSupportedException(Name + " has no elementwise evaluation");

    /// <summary>Gradient contributions to each input given the gradient of the output (null: none).</summary>
    public abstract Node?[] Backward(GraphBuilder b, Node node, Node grad);

    public override string ToString() => Name;

    /// <summary>A float literal for <paramref name="v"/> as the kernel's float arithmetic sees it (a double past float's range is ±∞ there).</summary>
    public static string Float(double v)
    {
        float f = (float)v;
        if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
        if (float.IsNaN(f)) return "float.NaN";
        return f.ToString("R", CultureInfo.InvariantCulture) + "f";
    }

    public static string Vec(string scalar) => $"S.Create({scalar})";

    /// <summary>Parameter <paramref name="i"/> of a node as a float literal (a variable where the eager kernels name it).</summary>
    public static string Arg(NodeAttrs attrs, int i) => attrs.ArgNames.Count > 0 ? attrs.ArgNames[i] : Float(attrs.Args[i]);

    /// <summary>Parameter <paramref name="i"/> of a node as a constant vector of S.</summary>
    public static string VecArg(NodeAttrs attrs, int i) => Vec(Arg(attrs, i));
}

/// <summary>
/// An elementwise op as one table row. Rows are written with named arguments (<c>scalar:</c>, <c>vector:</c>,
/// <c>eval:</c>, <c>backward:</c>) so two forms cannot be swapped unnoticed; <c>language:</c> is the public name the
/// row answers to in model methods (<see cref="Registry"/>), null for ops only the generator itself builds.
/// </summary>
internal sealed class ElementwiseOp(
    string name,
    Func<string[], NodeAttrs, string> scalar,
    Func<string[], NodeAttrs, string?> vector,
    Func<double[], NodeAttrs, double> eval,
    Func<GraphBuilder, Node, Node, Node?[]> backward,
    string? language = null,
    (string Name, double Default)[]? parameters = null,
    Func<string[], string, string, string>? condition = null,
    bool selects = false) : OpDef
{
    public override string Name => name;
    /// <summary>The name of the row in the language (Ops.X / Tensor.X), or null.</summary>
    public string? Language => language;
    /// <summary>The row's numeric arguments by their PyTorch names with PyTorch's defaults; their values are the node's Args.</summary>
    public (string Name, double Default)[] Parameters { get; } = parameters ?? [];
    public override OpKind Kind => OpKind.Elementwise;
    public override string Scalar(string[] a, NodeAttrs attrs) => scalar(a, attrs);
    public override string? Vector(string[] a, NodeAttrs attrs) => vector(a, attrs);
    public override string? VectorIf(string[] a, string yes, string no) => condition?.Invoke(a, yes, no);
    public override bool Selects => selects;
    public override double Eval(double[] a, NodeAttrs attrs) => eval(a, attrs);
    public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => backward(b, node, grad);
}

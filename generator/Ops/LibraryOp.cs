using Kiln.Generator.Emit;
using Kiln.Generator.Fuse;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>
/// An op run by a runtime library kernel (GEMM, softmax rows, class gather): everything the plan emitter and the
/// interpreter need is here, side by side with the shape and gradient rules, so the emitter has no switch over
/// ops. Every member is abstract: a library op missing any of its forms does not compile.
/// </summary>
internal abstract class LibraryOp : OpDef
{
    public sealed override OpKind Kind => OpKind.Library;

    /// <summary>The runtime kernel type the plan holds one instance of per launch site.</summary>
    public abstract string RuntimeType { get; }

    /// <summary>The expression constructing the runtime kernel for this node (dims bound, flags set).</summary>
    public abstract string Construct(LibraryEmit e);

    /// <summary>Writes the call(s) running the kernel on the plan's path (the runtime kernel's <c>Run(Plan, …)</c>).</summary>
    public abstract void Call(LibraryEmit e, SourceWriter w);

    /// <summary>Whether the kernel can add its result into its output (so a gradient can land straight in its slot).</summary>
    public virtual bool CanAccumulate => false;

    /// <summary>Why <paramref name="shape"/> is not this op's result for these operands, or null (the graph validator's check).</summary>
    public abstract string? ShapeError(Node[] inputs, NodeAttrs attrs, Shape shape);

    /// <summary>Float64 semantics for the interpreter, element by element from the definition.</summary>
    public abstract double[] Evaluate(Node n, double[][] inputs, int[][] inputShapes, int[] shape);

    protected static string Kiln(string type) => "global::Kiln.Kernels." + type;
    protected static string Bool(bool b) => b ? "true" : "false";
}

/// <summary>What a library op's emitter hooks may ask of the plan being emitted: its operands' places and dims.</summary>
internal sealed class LibraryEmit(Kernel kernel, System.Func<Node, string> offset, System.Func<Node, string> place, System.Func<Size, string> dim)
{
    public Kernel Kernel { get; } = kernel;
    public Node Node => Kernel.Root;
    /// <summary>The plan field holding the runtime kernel.</summary>
    public string Field => "_l" + Kernel.Index;
    /// <summary>The leading argument of a call: the plan, whose path the runtime kernel takes.</summary>
    public string DeviceArg => "this, ";
    public string Off(Node n) => offset(n);
    /// <summary>Where an operand lives, as the plan names it (<c>Arena</c>, <c>Params</c>, <c>Grads</c>, <c>Ints</c>, <c>Slot(i)</c>).</summary>
    public string Array(Node n) => place(n);
    public string Dim(Size s) => dim(s);
    /// <summary>The int target buffer.</summary>
    public string Targets => "Ints";
    /// <summary>The work arena.</summary>
    public string Work => "Arena";
}

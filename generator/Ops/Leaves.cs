using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>Graph leaves: method inputs, model parameters, buffers, scalar constants.</summary>
internal static class Leaves
{
    public static readonly OpDef Input = new Leaf("Input");
    public static readonly OpDef Param = new Leaf("Param");
    /// <summary>A [Buffer] field's value at the start of the run (Name: its path), copied into the arena by the plan.</summary>
    public static readonly OpDef Buffer = new Leaf("Buffer");
    /// <summary>A scalar: Value / Divisor (the divisor is symbolic for means over "N").</summary>
    public static readonly OpDef Const = new Leaf("Const");

    private sealed class Leaf(string name) : OpDef
    {
        public override string Name => name;
        public override OpKind Kind => OpKind.Leaf;
        public override Node?[] Backward(GraphBuilder b, Node node, Node grad) => [];
    }
}

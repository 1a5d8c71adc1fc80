namespace Kiln.Kernels;

/// <summary>
/// Where a library kernel's operand lives, as a plan's launch sequence names it once for both paths: the work arena,
/// the parameter or gradient block, the int target buffer, or a bound slot (on the managed path the array the slot
/// is bound to, on an ILGPU device the work arena, where the slot's offset points).
/// </summary>
public readonly record struct Place
{
    internal enum Kind : byte { Work, Parameters, Gradients, Targets, Slot }

    internal Kind Of { get; }
    /// <summary>The bound slot's index (Slot only).</summary>
    internal int Index { get; }

    private Place(Kind of, int index = 0) => (Of, Index) = (of, index);

    public static Place Work => new(Kind.Work);
    public static Place Parameters => new(Kind.Parameters);
    public static Place Gradients => new(Kind.Gradients);
    public static Place Targets => new(Kind.Targets);
    public static Place Slot(int index) => new(Kind.Slot, index);
}

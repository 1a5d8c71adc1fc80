using Kiln;
using static Kiln.Ops;

namespace Kiln.Tests.Models;

/// <summary>
/// Dropout by its short name in a method and in a module's method: called eagerly, both follow the model's mode
/// (Parameters.Train() / Eval()) as the compiled plan does.
/// </summary>
[Model]
public partial class DropoutByMode
{
    [Module(4)] DropBlock block;

    [Forward] public Tensor Drop([Shape(2, 4)] Tensor x) => Dropout(x, 0.5f) + block.Apply(x);
}

/// <summary>A module whose method drops (its model's mode decides).</summary>
[Model("F")]
public partial class DropBlock
{
    [Param("F")] Tensor w;

    public Tensor Apply(Tensor x) => Dropout(x * w, 0.5f);
}

/// <summary>
/// Dropout called from a static helper as well: an instance Dropout of the model's own could not be reached from there,
/// so the generated part adds none and the class compiles as written (eager calls keep Ops.Dropout's training mode).
/// </summary>
[Model]
public partial class DropoutInStaticHelper
{
    [Forward] public Tensor Drop([Shape(4)] Tensor x) => Noisy(x) + Dropout(x, 0.5f);

    private static Tensor Noisy(Tensor x) => Dropout(x, 0.25f);
}

/// <summary>From-end slices past the dim (^7 of 5 columns is all of them, as Python's -7), which eager calls and plans
/// must read alike.</summary>
[Model]
public partial class FromEnd
{
    [Forward] public Tensor Tail([Shape(2, 5)] Tensor x) => x[.., ^7..] * 2f + x[.., ^2..].Sum(1, keepDim: true) - x[.., ..^0];
}

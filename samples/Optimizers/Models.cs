using Kiln;

namespace Samples.Optimizers;

/// <summary>y = 4x², seed 004's first demo: gradient 8x, so plain gradient descent diverges for lr &gt; 0.25.</summary>
[Model]
public partial class Parabola
{
    [Param(1)] Tensor x;

    [Loss] public Tensor Loss() => (4f * x * x).Sum();
}

/// <summary>Himmelblau's function (seed 002): (x² + y - 11)² + (x + y² - 7)², four minima of value 0.</summary>
[Model]
public partial class Himmelblau
{
    [Param(1)] Tensor x;
    [Param(1)] Tensor y;

    [Loss] public Tensor Loss() => ((x * x + y - 11f).Pow(2f) + (x + y * y - 7f).Pow(2f)).Sum();
}

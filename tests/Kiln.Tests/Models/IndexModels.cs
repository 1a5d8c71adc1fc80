using Kiln;

namespace Kiln.Tests.Models;

/// <summary>Constant indices into a named dim: only the dims a plan is compiled for say whether they are in range.</summary>
[Model]
public partial class NamedDimIndex
{
    [Forward] public Tensor Rows([Shape("N", 3)] Tensor x) => x[3] + x.Select(0, 4);
}

/// <summary>torch.where with numbers on both sides: the result has the condition's shape.</summary>
[Model]
public partial class SignOf
{
    [Forward] public Tensor Sign([Shape(5)] Tensor x) => Ops.Where(x > 0f, 1f, -1f);
}

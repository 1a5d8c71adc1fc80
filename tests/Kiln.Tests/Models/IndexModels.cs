using Kiln;

namespace Kiln.Tests.Models;

/// <summary>Constant indices into a named dim: only the dims a plan is compiled for say whether they are in range.</summary>
[Model]
public partial class NamedDimIndex
{
    [Forward] public Tensor Rows([Shape("N", 3)] Tensor x) => x[3] + x.Select(0, 4);
}

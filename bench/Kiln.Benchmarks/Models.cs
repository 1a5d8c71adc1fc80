using Kiln;
using static Kiln.Ops;

namespace Kiln.Benchmarks;

/// <summary>The fused elementwise benchmark of PERFORMANCE.md: sigmoid(a·b + a) over 2^24 floats, one kernel.</summary>
[Model]
public partial class FusedElementwise
{
    [Forward] public Tensor Run([Shape("N")] Tensor a, [Shape("N")] Tensor b) => Sigmoid(a * b + a);
}

/// <summary>Ten million parameters and a trivial loss: the optimizer benchmark's block.</summary>
[Model]
public partial class TenMillion
{
    [Param(10_000_000)] Tensor w;

    [Loss] public Tensor Loss() => (w * w).Sum();
}

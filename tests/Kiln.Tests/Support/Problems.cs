using System.Linq;

namespace Kiln.Tests.Support;

/// <summary>Fixed problem data shared by the optimizer tests.</summary>
internal static class Problems
{
    /// <summary>An 8×3 design matrix A and targets b for the LeastSquares model, from a fixed seed.</summary>
    public static (float[] A, float[] B) LeastSquares()
    {
        var rng = new SeededRandom(5);
        var a = Enumerable.Range(0, 24).Select(_ => rng.Uniform(-1, 1)).ToArray();
        var b = Enumerable.Range(0, 8).Select(_ => rng.Uniform(-1, 1)).ToArray();
        return (a, b);
    }
}

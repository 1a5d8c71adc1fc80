using System;
using Kiln.Kernels;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// IVector's compare-and-select members (IfGreater, …, IfEqual) at both widths: each lane takes yes where the IEEE
/// comparison of a and b holds (false with a NaN, -0 equal to +0), else no. The expected lane is C#'s own scalar
/// comparison of the same two floats.
/// </summary>
public class VectorSelectTests
{
    private static readonly float[] Values = [float.NaN, float.NegativeInfinity, -2.5f, -1f, -0f, 0f, 1e-40f, 1f, 2.5f, float.PositiveInfinity];

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void Each_lane_takes_yes_where_the_comparison_holds(int width)
    {
        if (width == 16) Check<Vec16>(); else Check<Vec8>();

        static void Check<S>() where S : struct, IVector<S>
        {
            // every pair of values, a vector of lanes at a time; yes and no are distinct per lane
            int pairs = Values.Length * Values.Length;
            var a = new float[pairs + S.Count];
            var b = new float[pairs + S.Count];
            for (int i = 0; i < pairs; i++) (a[i], b[i]) = (Values[i / Values.Length], Values[i % Values.Length]);
            var yes = new float[S.Count];
            var no = new float[S.Count];
            for (int i = 0; i < S.Count; i++) (yes[i], no[i]) = (100 + i, -100 - i);
            var y = S.Load(ref yes[0], 0);
            var n = S.Load(ref no[0], 0);
            for (int c = 0; c < pairs; c += S.Count)
            {
                var va = S.Load(ref a[0], c);
                var vb = S.Load(ref b[0], c);
                Expect(S.IfGreater(va, vb, y, n), (p, q) => p > q);
                Expect(S.IfGreaterOrEqual(va, vb, y, n), (p, q) => p >= q);
                Expect(S.IfLess(va, vb, y, n), (p, q) => p < q);
                Expect(S.IfLessOrEqual(va, vb, y, n), (p, q) => p <= q);
                Expect(S.IfEqual(va, vb, y, n), (p, q) => p == q);

                void Expect(S got, Func<float, float, bool> holds)
                {
                    for (int i = 0; i < S.Count; i++)
                        Assert.Equal(holds(a[c + i], b[c + i]) ? yes[i] : no[i], S.Lane(got, i));
                }
            }
        }
    }
}

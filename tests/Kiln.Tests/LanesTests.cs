using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Kiln.Kernels;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// The masked last vector of a generated kernel's loop (Lanes): a partial vector reads only the elements left (the
/// other lanes 0), writes back only those, and a reduction keeps only those. Expected values are the arrays' own
/// elements, set by the test.
/// </summary>
public class LanesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(20)]
    public void A_partial_vector_reads_and_writes_only_the_elements_left(int n)
    {
        // an array of exactly 5 + min(n, 8) elements: a partial read or write past its end would fault or corrupt
        int left = Math.Min(n, 8);
        var source = Enumerable.Range(1, 5 + left).Select(i => (float)i).ToArray();
        var v = Lanes.Load(ref source[0], 5, n);
        for (int i = 0; i < 8; i++) Assert.Equal(i < left ? source[5 + i] : 0f, v[i]);

        var target = Enumerable.Repeat(-1f, 5 + left).ToArray();
        Lanes.Store(Vector256.Create(10f, 11, 12, 13, 14, 15, 16, 17), ref target[0], 5, n);
        Assert.Equal(Enumerable.Repeat(-1f, 5), target.Take(5));
        Assert.Equal(Enumerable.Range(10, left).Select(i => (float)i), target.Skip(5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    public void A_partial_vector_keeps_its_lanes_and_the_identity_elsewhere(int n)
    {
        var v = Vector256.Create(1f, 2, 3, 4, 5, 6, 7, 8);
        var kept = Lanes.Keep(v, n, Vector256.Create(float.NegativeInfinity));
        for (int i = 0; i < 8; i++) Assert.Equal(i < n ? i + 1f : float.NegativeInfinity, kept[i]);
        Assert.Equal(Enumerable.Range(1, n).Sum(), Vector256.Sum(Lanes.Keep(v, n, Vector256<float>.Zero)));
    }

    /// <summary>The same through the lane types generated kernels use (<see cref="IVector{S}"/>), at both widths: 16 lanes
    /// load and store as two halves, so n on either side of 8 is checked.</summary>
    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 7)]
    [InlineData(8, 8)]
    [InlineData(8, 30)]
    [InlineData(16, 1)]
    [InlineData(16, 7)]
    [InlineData(16, 8)]
    [InlineData(16, 9)]
    [InlineData(16, 15)]
    [InlineData(16, 16)]
    [InlineData(16, 40)]
    public void A_partial_vector_of_either_width_reads_writes_and_keeps_only_the_elements_left(int width, int n)
    {
        if (width == 16) Check<Vec16>(n); else Check<Vec8>(n);

        static void Check<S>(int n) where S : struct, IVector<S>
        {
            // arrays longer than the lanes, nonzero past the elements asked for: a lane read past them would show as a
            // nonzero lane, a write past them as a changed sentinel
            int left = Math.Min(n, S.Count), length = 5 + S.Count + 3;
            var source = Enumerable.Range(1, length).Select(i => (float)i).ToArray();
            var v = S.Load(ref source[0], 5, n);
            for (int i = 0; i < S.Count; i++) Assert.Equal(i < left ? source[5 + i] : 0f, S.Lane(v, i));

            var lanes = Enumerable.Range(10, S.Count).Select(i => (float)i).ToArray();
            var target = Enumerable.Repeat(-1f, length).ToArray();
            S.Load(ref lanes[0], 0).Store(ref target[0], 5, n);
            for (int i = 0; i < length; i++) Assert.Equal(i >= 5 && i < 5 + left ? lanes[i - 5] : -1f, target[i]);

            var kept = S.Keep(S.Load(ref lanes[0], 0), n, S.Create(float.NegativeInfinity));
            for (int i = 0; i < S.Count; i++) Assert.Equal(i < left ? lanes[i] : float.NegativeInfinity, S.Lane(kept, i));
            Assert.Equal(Enumerable.Range(10, left).Sum(), S.Sum(S.Keep(S.Load(ref lanes[0], 0), n, S.Zero)));
        }
    }
}

using System;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// x[3] of an [N, 3] input is in range only when N &gt; 3, which the build cannot know: a new user's plan compiled for
/// N = 3 read past the end of x and returned another tensor's memory (eagerly, the same method raised). The plan's
/// constructor now checks what its indices need of the dims.
/// </summary>
public class NamedDimIndexTests
{
    [Fact]
    public void A_plan_refuses_dims_its_constant_indices_do_not_fit()
    {
        using var d = Device.ManagedCpu();
        var m = new NamedDimIndex(d);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => m.CompileRows(n: 3));
        Assert.Contains("index 4 of dim 0 (of size N) is out of range for the dims this plan is compiled for (N = 3): it needs a size of at least 5, and it is 3", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.CompileRows(n: 4));
        // in range: rows 3 and 4 added, as torch's x[3] + x.select(0, 4)
        using var plan = m.CompileRows(n: 5);
        var x = Enumerable.Range(0, 15).Select(i => (float)i).ToArray();
        Assert.Equal([9f + 12, 10f + 13, 11f + 14], plan.Run(x));
    }

    [Fact]
    public void Where_takes_a_number_on_both_sides_in_a_plan_and_eagerly()
    {
        // a new user's Where(mask, 1f, -1f) did not compile: torch.where(x > 0, 1.0, -1.0) is the sign without 0
        using var d = Device.ManagedCpu();
        float[] x = [-2f, 0f, 3f, -0.5f, 7f];
        float[] expected = [-1f, -1f, 1f, -1f, 1f];
        using var plan = new SignOf(d).CompileSign();
        Assert.Equal(expected, plan.Run(x));
        Assert.Equal(expected, Ops.Where(Tensor.From(x) > 0f, 1f, -1f).ToArray());
    }
}

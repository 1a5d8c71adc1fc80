using System;
using System.Linq;
using Xunit;

namespace Kiln.Tests;

/// <summary>Managed buffers copy large spans in and out on all cores: every element lands once, in place, at any offset.</summary>
public class HostCopyTests
{
    [Theory]
    [InlineData(10)]              // a plain copy
    [InlineData(3_000_001)]       // split over the workers, an odd length
    public void Buffers_copy_large_spans_in_and_out_exactly(int count)
    {
        using var device = Device.ManagedCpu();
        using var buffer = device.Allocate<float>(count + 7);
        var source = Enumerable.Range(0, count).Select(i => (float)i).ToArray();
        buffer.CopyFrom(source, 5);
        var back = new float[count];
        buffer.CopyTo(back, 5);
        Assert.Equal(source, back);
        var host = buffer.Host!;
        Assert.Equal(0f, host[4]);
        Assert.Equal(0f, host[count + 5]);
        Assert.Equal(count - 1f, host[count + 4]);
    }
}

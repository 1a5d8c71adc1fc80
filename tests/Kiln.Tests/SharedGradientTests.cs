using System.Linq;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Gradients of parameters used more than once, or sharing a gradient with another parameter, accumulate as PyTorch's
/// .grad does: a second backward without zero_grad adds the same gradients again (each value doubles). A kernel adding
/// one parameter's gradient in place where another parameter reads it would make the second read a running total.
/// </summary>
public class SharedGradientTests
{
    [Theory]
    [InlineData("Twice")]
    [InlineData("Unrolled")]
    [InlineData("Nested")]
    [InlineData("TwoBiases")]
    public void A_second_backward_without_zero_grad_doubles_every_gradient(string method)
    {
        foreach (var device in new[] { Device.ManagedCpu(), Device.IlgpuCpu() })
        {
            using var _ = device;
            using var c = OpCase.Create("SharedWeights", method, device);
            c.State.ZeroGrad();
            c.Plan.Invoke(c.Inputs, backward: true);
            var once = c.Layout.ToDictionary(p => p.Path, p => c.State.Grad(p.Path).ToArray());
            c.Plan.Invoke(c.Inputs, backward: true);
            foreach (var p in c.Layout)
            {
                var twice = c.State.Grad(p.Path);
                for (int i = 0; i < twice.Length; i++)
                    Assert.True(OpGradientTests.Close(twice[i], 2 * once[p.Path][i], 1e-5),
                        $"{device.Name} {method}: d/d {p.Path}[{i}] after two backward passes {twice[i]}, twice one pass {2 * once[p.Path][i]}");
            }
        }
    }
}

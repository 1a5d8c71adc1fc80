extern alias gen;
using System;
using System.Linq;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// The ILGPU CPU accelerator (the kernels' ILGPU form) and the managed path (their SIMD form) give the same
/// numbers for every generated plan of the test models: losses, gradients and forward outputs.
/// </summary>
public class BackendParityTests : IClassFixture<BackendParityTests.IlgpuDevice>
{
    public sealed class IlgpuDevice : IDisposable
    {
        public Device Device { get; } = Kiln.Device.IlgpuCpu();
        public void Dispose() => Device.Dispose();
    }

    private readonly Device _ilgpu;

    public BackendParityTests(IlgpuDevice fixture) => _ilgpu = fixture.Device;

    public static TheoryData<string, string> Methods() => Reference.MethodData();

    [Theory]
    [MemberData(nameof(Methods))]
    public void Ilgpu_and_managed_paths_agree(string model, string method)
    {
        using var managed = Device.ManagedCpu();
        using var a = OpCase.Create(model, method, managed);
        using var b = OpCase.Create(model, method, _ilgpu);
        bool isLoss = a.Graph.Method.Kind == gen::Kiln.Generator.Model.MethodKind.Loss;
        var outA = a.Plan.Invoke(a.Inputs, backward: isLoss);
        var outB = b.Plan.Invoke(b.Inputs, backward: isLoss);
        Assert.Equal(outA.Length, outB.Length);
        for (int i = 0; i < outA.Length; i++)
            Assert.True(OpGradientTests.Close(outB[i], outA[i], 1e-5), $"output[{i}]: ILGPU {outB[i]} vs managed {outA[i]}");
        foreach (var p in a.Layout)
        {
            var ga = a.State.Grad(p.Path);
            var gb = b.State.Grad(p.Path);
            for (int i = 0; i < ga.Length; i++)
                Assert.True(OpGradientTests.Close(gb[i], ga[i], 1e-5), $"grad {p.Path}[{i}]: ILGPU {gb[i]} vs managed {ga[i]}");
        }
    }

    /// <summary>
    /// Backward adds into the gradients already there, as PyTorch's does, on both paths: a run onto gradients filled with
    /// known values leaves those values plus the gradients a run from zero gives. (A kernel that wrote its gradient instead
    /// of adding to it passes every test that starts from zero.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Backward_adds_into_the_gradients_on_both_paths(string model, string method)
    {
        using var managed = Device.ManagedCpu();
        using var fresh = OpCase.Create(model, method, managed);
        if (fresh.Graph.Method.Kind != gen::Kiln.Generator.Model.MethodKind.Loss || fresh.Layout.Count == 0) return;
        fresh.Plan.Invoke(fresh.Inputs, backward: true);
        foreach (var device in new[] { managed, _ilgpu })
        {
            using var onto = OpCase.Create(model, method, device);
            var before = Enumerable.Range(0, (int)onto.State.Count).Select(i => 0.5f + 0.125f * (i % 7)).ToArray();
            onto.State.Gradients.CopyFrom(before);
            onto.Plan.Invoke(onto.Inputs, backward: true);
            foreach (var p in onto.Layout)
            {
                var start = onto.State.Info(p.Path).Offset;
                var g = onto.State.Grad(p.Path);
                var g0 = fresh.State.Grad(p.Path);
                for (int i = 0; i < g.Length; i++)
                    Assert.True(OpGradientTests.Close(g[i], before[start + i] + g0[i], 1e-5),
                        $"{device.Name}, grad {p.Path}[{i}]: {g[i]}, expected {before[start + i]} + {g0[i]}");
            }
        }
    }
}

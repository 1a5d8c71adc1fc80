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
}

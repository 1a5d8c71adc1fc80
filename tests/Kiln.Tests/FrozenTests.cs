using System.Globalization;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// [Loss(Frozen = …)] (issue 8): parameters a plan does not differentiate, by path or submodule, as requires_grad = False
/// for one step. The other gradients equal the unfrozen plan's; the frozen ones are not touched; the backward work that
/// only fed them is not built.
/// </summary>
public class FrozenTests
{
    private static readonly float[] Z = [0.5f, -1f, 1.5f, 0.25f, -0.5f, 2f, 0f, 1f];

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void A_frozen_submodule_keeps_its_gradients_and_the_rest_match_the_full_step(string deviceName)
    {
        using var device = Device.Create(deviceName);
        var m = new GanParts(device, seed: 6);
        float full = m.CompileBoth().ForwardBackward(Z);
        var expected = m.Parameters.Layout.ToDictionary(p => p.Name, p => m.Parameters.Grad(p.Name));
        // the discriminator's gradients hold something the generator step must not change
        m.Parameters.ZeroGrad();
        m.Parameters.Set("disc.weight", m.Parameters.Get("disc.weight"));
        var before = m.Parameters.Layout.ToDictionary(p => p.Name, p => m.Parameters.Grad(p.Name));
        float frozenLoss = m.CompileGeneratorStep().ForwardBackward(Z);
        Assert.Equal(full, frozenLoss, 6);
        Assert.All(m.Parameters.Grad("gen.weight").Zip(expected["gen.weight"]), p => Assert.Equal(p.Second, p.First, 5));
        Assert.All(m.Parameters.Grad("gen.bias").Zip(expected["gen.bias"]), p => Assert.Equal(p.Second, p.First, 5));
        Assert.Equal(before["disc.weight"], m.Parameters.Grad("disc.weight"));
        Assert.Equal(before["disc.bias"], m.Parameters.Grad("disc.bias"));

        m.Parameters.ZeroGrad();
        m.CompileSomeFrozen().ForwardBackward(Z);
        Assert.All(m.Parameters.Grad("gen.weight"), v => Assert.Equal(0f, v));
        Assert.All(m.Parameters.Grad("disc.bias"), v => Assert.Equal(0f, v));
        Assert.All(m.Parameters.Grad("disc.weight").Zip(expected["disc.weight"]), p => Assert.Equal(p.Second, p.First, 5));
        Assert.All(m.Parameters.Grad("gen.bias").Zip(expected["gen.bias"]), p => Assert.Equal(p.Second, p.First, 5));
    }

    [Fact]
    public void Freezing_drops_the_backward_work_that_only_fed_the_frozen_parameters()
    {
        var result = GeneratorHarness.Run("using Kiln; using Kiln.Nn; using static Kiln.Ops;\n[Model] public partial class M { [Module(2, 3)] Linear gen; [Module(3, 1)] Linear disc; "
            + "[Loss] public Tensor A([Shape(4, 2)] Tensor z) => Losses.MseLoss(disc.Forward(Tanh(gen.Forward(z))), Ones(4, 1)); "
            + "[Loss(Frozen = [\"gen\"])] public Tensor B([Shape(4, 2)] Tensor z) => Losses.MseLoss(disc.Forward(Tanh(gen.Forward(z))), Ones(4, 1)); }");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
        int Kernels(string plan) => int.Parse(result.Source("M").Split('\n').First(l => l.Contains($"Plan of {plan}(")).Split(": ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.True(Kernels("B") < Kernels("A"), $"frozen {Kernels("B")} vs {Kernels("A")} kernels");
    }

    [Fact]
    public void Freezing_a_name_the_model_does_not_have_is_KLN0007() =>
        MarkedSource.SingleAt("using Kiln; using Kiln.Nn;\n[Model] public partial class M { [Module(2, 1)] Linear fc; [Loss(Frozen = [\"fcc\"])] public Tensor [|L|]([Shape(4, 2)] Tensor z) => fc.Forward(z).Sum(); }",
            "KLN0007", "'fcc' is no parameter or submodule of 'M' (parameters: fc.weight, fc.bias)");
}

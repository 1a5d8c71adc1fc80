extern alias gen;
using System.Collections.Generic;
using System.Linq;
using gen::Kiln.Generator;
using gen::Kiln.Generator.Check;
using gen::Kiln.Generator.Fuse;
using gen::Kiln.Generator.Model;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>DSL in, kernel counts out: what fusion must keep in one pass over memory.</summary>
public class FusionTests
{
    private static IReadOnlyList<Kernel> Kernels(string body, string method = "L")
    {
        var specs = Reference.DiscoverAll("using Kiln; using Kiln.Nn; using static Kiln.Ops; [Model] public partial class M { " + body + " }", gen::Kiln.Generator.BuiltIns.Source);
        var model = specs.Values.Single(m => m.Name == "M");
        var diagnostics = new List<DiagnosticInfo>();
        var lowerer = new Lowerer(model, specs, diagnostics);
        var graph = lowerer.Lower(model.Methods.Single(m => m.Name == method));
        Assert.NotNull(graph);
        return Compiler.CompileMethod(graph!, lowerer.Layout, validate: true).Fusion.Kernels;
    }

    [Fact]
    public void An_elementwise_chain_is_one_kernel()
    {
        var k = Kernels("[Forward] public Tensor L([Shape(\"N\")] Tensor a, [Shape(\"N\")] Tensor b) => Sigmoid(a * b + a);");
        Assert.Equal(KernelKind.Elementwise, Assert.Single(k).Kind);
    }

    [Fact]
    public void A_loss_reduction_fuses_its_producer_chain()
    {
        var k = Kernels("[Forward] public Tensor L([Shape(\"N\")] Tensor a, [Shape(\"N\")] Tensor b) => Losses.MseLoss(a, b);");
        Assert.Equal(KernelKind.Reduce, Assert.Single(k).Kind);
    }

    [Fact]
    public void Mse_forward_and_backward_take_two_kernels()
    {
        // forward: one reduction of (a-b)²/N; backward: 2(a-b)/N straight into a's gradient slot (a-b recomputed, not stored)
        var k = Kernels("[Param(64)] Tensor a; [Loss] public Tensor L([Shape(64)] Tensor b) => Losses.MseLoss(a, b);");
        Assert.True(k.Count == 2, string.Join("\n", k.Select(x => $"{x.Kind} {x.Root} grad={x.GradPath} body={string.Join("; ", x.Body)}")));
        Assert.Equal("a", k[1].GradPath);
    }

    [Fact]
    public void Broadcast_bias_gradient_is_a_reduction_written_into_the_gradient_block()
    {
        var k = Kernels("[Param(4)] Tensor b; [Loss] public Tensor L([Shape(\"N\", 4)] Tensor x) => Tanh(x + b).Sum();");
        var grad = Assert.Single(k, x => x.GradPath == "b");
        Assert.Equal(KernelKind.Reduce, grad.Kind);
    }

    [Fact]
    public void Linear_weight_gradient_accumulates_inside_the_gemm()
    {
        var k = Kernels("[Module(3, 2)] Linear l; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x) => l.Forward(x).Sum();");
        var grad = Assert.Single(k, x => x.GradPath == "l.weight");
        Assert.Equal(KernelKind.Library, grad.Kind);
        Assert.Equal(2, k.Count(x => x.Root.Op is gen::Kiln.Generator.Ops.MatMulOp));
    }

    [Fact]
    public void A_weight_used_twice_gets_both_gradients_added_in_place_by_their_gemms()
    {
        // Linear on two inputs: dW = g1ᵀx + g2ᵀz, db = Σg1 + Σg2. Each GEMM and each sum adds into the slot itself: no
        // stored parts and no kernel adding them up
        var k = Kernels("[Module(3, 2)] Linear l; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x, [Shape(\"N\", 3)] Tensor z) => (l.Forward(x) + Tanh(l.Forward(z))).Sum();");
        var weight = k.Where(x => x.GradPath == "l.weight").ToList();
        Assert.Equal(2, weight.Count);
        Assert.All(weight, x => Assert.IsType<gen::Kiln.Generator.Ops.MatMulOp>(x.Root.Op));
        var bias = k.Where(x => x.GradPath == "l.bias").ToList();
        Assert.Equal(2, bias.Count);
        Assert.All(bias, x => Assert.Equal(KernelKind.Reduce, x.Kind));
    }

    [Fact]
    public void An_unrolled_recurrence_adds_each_steps_weight_gradient_in_place()
    {
        var k = Kernels("[Param(4, 4)] Tensor u; [Loss] public Tensor L([Shape(\"N\", 4)] Tensor x) { var h = x; for (int t = 0; t < 3; t++) h = Tanh(MatMul(h, u)); return h.Sum(); }");
        var grads = k.Where(x => x.GradPath == "u").ToList();
        Assert.Equal(3, grads.Count);
        Assert.All(grads, x => Assert.IsType<gen::Kiln.Generator.Ops.MatMulOp>(x.Root.Op));
    }

    [Fact]
    public void Slices_steps_and_selects_are_read_in_place_by_their_consumer()
    {
        // x[..2, 1..] * 2 + a column and a strided slice: one elementwise kernel reading x through strides, no copies
        var k = Kernels("[Forward] public Tensor L([Shape(4, 6)] Tensor x) => Exp(x[..2, 1..4]) * 2f + x[1.., ^1].Slice(0, 0, 2, 1).Unsqueeze(1) + x.Slice(0, 0, 4, 2)[.., 2..5];");
        var kernel = Assert.Single(k);
        Assert.Equal(KernelKind.Elementwise, kernel.Kind);
    }

    [Fact]
    public void Masks_and_where_fuse_into_one_kernel()
    {
        var k = Kernels("[Forward] public Tensor L([Shape(\"N\", 8)] Tensor x, [Shape(8)] Tensor t) => Where((x > t) & (x < 2f), x * x, Exp(x)).MaskedFill(x == 0f, 1f);");
        Assert.Equal(KernelKind.Elementwise, Assert.Single(k).Kind);
    }

    [Fact]
    public void A_masked_mean_is_two_reductions_fused_with_their_masks()
    {
        var k = Kernels("[Forward] public Tensor L([Shape(\"N\")] Tensor x) => (x * (x > 0f)).Sum() / (x > 0f).Sum();");
        Assert.True(k.Count <= 3, string.Join("\n", k.Select(x => $"{x.Kind} {x.Root}")));
        Assert.Equal(2, k.Count(x => x.Kind == KernelKind.Reduce));
    }

    [Fact]
    public void A_slice_feeding_a_gemm_is_copied_once_and_its_gradient_is_one_embed()
    {
        var k = Kernels("[Param(6, 4)] Tensor a; [Loss] public Tensor L([Shape(3, 2)] Tensor x) => x.MatMul(a[1..3, 1..]).Sum();");
        Assert.True(k.Count(x => x.Root.Op is gen::Kiln.Generator.Ops.EmbedOp) == 1 && k.Count(x => x.Root.Attrs.Name == "materialize") == 1,
            string.Join("\n", k.Select(x => $"{x.Kind} {x.Root} grad={x.GradPath} leaves={string.Join(", ", x.Leaves)}")));
    }

    [Fact]
    public void Cat_is_one_copy_kernel_and_its_gradients_are_views()
    {
        var k = Kernels("[Param(3, 4)] Tensor a; [Param(3, 2)] Tensor b; [Loss] public Tensor L([Shape(3, 6)] Tensor r) => (Cat([a, b], 1) * r).Sum();");
        Assert.Single(k, x => x.Root.Op is gen::Kiln.Generator.Ops.CatOp);
        Assert.DoesNotContain(k, x => x.Root.Op is gen::Kiln.Generator.Ops.EmbedOp);
        // cat, the loss's reduction, and one kernel per parameter gradient reading its block of r: the sum's gradient is 1,
        // so g·r is r itself (mul-broadcast-one) and nothing is stored for it
        Assert.True(k.Count == 4, string.Join("\n", k.Select(x => $"{x.Kind} {x.Root} grad={x.GradPath} leaves={string.Join(", ", x.Leaves)}")));
        Assert.All(k.Where(x => x.GradPath is not null), x => Assert.Equal("r", Assert.Single(x.Leaves).Inputs[0].Attrs.Name));
    }

    [Fact]
    public void Detach_drops_the_backward_work_behind_it()
    {
        // the fake batch a discriminator sees: G's side is detached, so no gradient kernel reaches 'a'
        var detached = Kernels("[Param(8)] Tensor a; [Param(8)] Tensor b; [Loss] public Tensor L() => (Exp(Tanh(a)).Detach() * b).Sum();");
        var attached = Kernels("[Param(8)] Tensor a; [Param(8)] Tensor b; [Loss] public Tensor L() => (Exp(Tanh(a)) * b).Sum();");
        Assert.DoesNotContain(detached, k => k.GradPath == "a");
        Assert.Contains(attached, k => k.GradPath == "a");
        Assert.True(detached.Count < attached.Count, $"{detached.Count} kernels with detach, {attached.Count} without");
    }
}

using System.Linq;
using System.Text.RegularExpressions;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>Each distinct fused kernel is emitted once per model: plans that run the same computation share its method.</summary>
public class KernelSharingTests
{
    private const string Model = """
        using Kiln;
        using static Kiln.Ops;
        [Model] public partial class Net
        {
            [Param(4, 3)] Tensor w;
            [Param(4)] Tensor b;
            [Forward] public Tensor Predict([Shape("N", 3)] Tensor x) => Sigmoid(Linear(x, w, b));
            [Loss] public Tensor Loss([Shape("N", 3)] Tensor x, [Shape("N", 4)] Tensor y) => Losses.MseLoss(Predict(x), y);
        }
        """;

    [Fact]
    public void A_forward_and_the_loss_that_runs_it_share_its_kernels()
    {
        var result = GeneratorHarness.Run(Model);
        Assert.Empty(result.CompileErrors);
        var source = result.Source("Net");
        // the bias + sigmoid kernel after the GEMM (a kernel struct of the Rows loops: a bias row of 4): defined once, run
        // by both plans with their own operands
        var sigmoidKernels = Regex.Matches(source, @"public struct (K\d+) : IKernel2\s*\{[^}]*Simd\.Sigmoid").Select(m => m.Groups[1].Value).ToList();
        string kernel = Assert.Single(sigmoidKernels);
        Assert.Single(Regex.Matches(source, "file static class NetKernels"));
        // each plan passes its own operands and its size: the count is N·4 in both, in rows of 4
        var calls = Regex.Matches(source, $@"Fused\.Rows2<[\w.:]+\.{kernel}, [^\n]*\[global::Kiln\.Kernels\.In\.Work\((_d\.T\d+)\), global::Kiln\.Kernels\.In\.Params\(12\)\.Row\(4\)\][^\n]*Launch\.RowMap\(4 \* _d\.N, 4\)");
        Assert.Equal(2, calls.Count);
        Assert.NotEqual(calls[0].Groups[1].Value, calls[1].Groups[1].Value);
        // a kernel of its own form (the bias gradient's column sums) names what it binds in its comment
        Assert.Matches(@"// d: A0 = element count, A1 = parameter/gradient offset 12, A2 = offset of t\d+", source);
    }

    /// <summary>
    /// Layers that compute the same thing share one kernel however deep they sit: the graph numbers a deep layer's values
    /// with more digits, and the kernel body's folding must not depend on that (bias + ELU, whose folded expression is
    /// near the fold's length limit, once split the GAN's two hidden layers into two kernels each way).
    /// </summary>
    [Fact]
    public void Deep_layers_share_their_kernels_however_their_values_are_numbered()
    {
        // a chain of `depth` layers: the first and last layers may have kernels of their own, the middle ones none
        string Chain(int depth)
        {
            var layers = string.Join("\n", Enumerable.Range(0, depth).Select(i => $"[Param(16, 16)] Tensor w{i}; [Param(16)] Tensor b{i};"));
            var chain = Enumerable.Range(0, depth).Aggregate("x", (h, i) => $"Elu(Linear({h}, w{i}, b{i}))");
            return GeneratorHarness.Model("Deep", $$"""
                {{layers}}
                [Loss] public Tensor Loss([Shape("N", 16)] Tensor x) => {{chain}}.Sum();
                """);
        }
        static string Kernels(string source) => string.Join(", ", Regex.Matches(source, @"public struct K\d+ : IKernel\d|public static \w+ K\d+Cpu").Select(m => m.Value));
        string deep = Chain(12);
        Assert.Matches(@"\bt\d{3}\b", deep);   // the deep chain numbers its values with three digits
        // three layers or twelve: the same kernels (values of two digits and of three fold alike)
        Assert.Equal(Kernels(Chain(3)), Kernels(deep));
    }

    [Fact]
    public void Kernels_that_differ_only_in_size_one_dims_or_comments_are_one_kernel()
    {
        // [1, 8] and [8, 1] are the same 8 elements: the second plan adds no kernel of its own
        const string row = "[Loss] public Tensor Row([Shape(1, 8), RequiresGrad] Tensor x) => Exp(x).Sum();";
        const string column = "[Loss] public Tensor Column([Shape(8, 1), RequiresGrad] Tensor x) => Exp(x).Sum();";
        int Kernels(string methods) =>
            Regex.Matches(GeneratorHarness.Model("Shapes", methods), @"public static \w+ K\d+Cpu(<S>)?\(|public struct K\d+ ").Count;
        int alone = Kernels(row);
        Assert.True(alone >= 2, $"expected a forward and a gradient kernel, found {alone}");
        Assert.Equal(alone, Kernels(row + "\n" + column));
    }

    /// <summary>
    /// A shared kernel's comments speak of the kernel, not of the plan that registered it first: a value it takes is named
    /// in the kernel's own ids (the tensor a broadcast operand views, not the plan's field T12), and a gradient it adds into
    /// is named where it is called (two layers' bias gradients call one kernel). (A kernel struct takes its operands from
    /// its plan and names no offset at all: the transposed view keeps the kernel that reads it by its own strides.)
    /// </summary>
    [Fact]
    public void A_shared_kernels_comments_name_nothing_of_one_plan()
    {
        var result = GeneratorHarness.Run("""
            using Kiln;
            using static Kiln.Ops;
            [Model] public partial class Two
            {
                [Param(8, 8)] Tensor w1;
                [Param(8)] Tensor b1;
                [Param(8, 8)] Tensor w2;
                [Param(8)] Tensor b2;
                [Loss] public Tensor Loss([Shape(5, 8)] Tensor x, [Shape(8, 5)] Tensor y) =>
                    (Relu(Linear(Relu(Linear(x, w1, b1)), w2, b2)) - x.Mean() * y.T).Sum(1).Sum();
            }
            """);
        Assert.Empty(result.CompileErrors);
        var source = result.Source("Two");
        Assert.DoesNotMatch(@"// d: [^\n]*A\d+ = T\d+", source);
        Assert.Matches(@"// d: [^\n]*offset of the tensor t\d+ views", source);
        Assert.DoesNotMatch(@"// K\d+: [^\n]*added into grad of", source);
        Assert.Matches(@"// K\d+: [^\n]*added into a parameter's gradient", source);
        // the call sites say which
        Assert.Matches(@"// S\d+: [^\n]*added into grad of 'b1'", source);
        Assert.Matches(@"// S\d+: [^\n]*added into grad of 'b2'", source);
    }

    /// <summary>
    /// A comparison read only as the condition of wheres is never a 0/1 float in the vector form: each where tests it
    /// itself (one compare, one blend); one also read as a value (multiplied here) stays the 0/1 float every reader can use.
    /// </summary>
    [Fact]
    public void A_comparison_read_only_by_wheres_is_tested_by_each_where()
    {
        var result = GeneratorHarness.Run("""
            using Kiln;
            using static Kiln.Ops;
            [Model] public partial class Masks
            {
                [Forward] public Tensor Huberish([Shape(64)] Tensor d) { var small = Abs(d) < 1f; return Where(small, d * d, Abs(d)) + Where(small, d, 0f * d); }
                [Forward] public Tensor Counted([Shape(64)] Tensor d) { var small = Abs(d) < 1f; return Where(small, d * d, Abs(d)) * small; }
            }
            """);
        Assert.Empty(result.CompileErrors);
        var source = result.Source("Masks");
        // no lane mask is passed between members (IVector.IfGreater's summary: that costs a vector round trip)
        Assert.DoesNotContain("ConditionalSelect", source);
        Assert.DoesNotContain("S.LessThan", source);
        // the first kernel's two selects each test the comparison themselves
        Assert.Matches(@"S\.IfLess\([^\n]*\) \+ S\.IfLess\(", source);
        // the second kernel multiplies by the comparison: it stays a 0/1 float there
        Assert.Matches(@"var v\d+ = S\.IfLess\([^\n]*, S\.One, S\.Zero\);", source);
    }
}

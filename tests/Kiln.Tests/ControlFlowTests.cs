using System.Globalization;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Build-time control flow in model methods (issue 8): for loops with build-time bounds are unrolled, if and ?: on
/// build-time conditions choose a branch, helpers take int/float/bool arguments, const and static readonly fields are
/// constants. The unrolled loop must equal its written-out form, value and gradients (ControlFlow in Models/OpModels.cs;
/// both are also checked against float64 references and finite differences with every other test model).
/// </summary>
public class ControlFlowTests
{
    private const string Usings = "using Kiln; using static Kiln.Ops;\n";

    [Fact]
    public void An_unrolled_loop_equals_its_written_out_form_in_value_and_gradient()
    {
        using var device = Device.ManagedCpu();
        var m = new ControlFlow(device, seed: 11);
        var x = new[] { 0.3f, -1.2f, 0.7f, 2f, -0.4f, 0.05f };
        float unrolled = m.CompileUnrolled().ForwardBackward(x);
        float[] gw = m.Parameters.Grad("w"), gb = m.Parameters.Grad("b");
        m.Parameters.ZeroGrad();
        float written = m.CompileWrittenOut().ForwardBackward(x);
        Assert.Equal(written, unrolled, 6);
        Assert.All(m.Parameters.Grad("w").Zip(gw), p => Assert.Equal(p.First, p.Second, 5));
        Assert.All(m.Parameters.Grad("b").Zip(gb), p => Assert.Equal(p.First, p.Second, 5));
    }

    [Fact]
    public void The_unrolled_graph_is_the_written_out_graph()
    {
        // same kernels: the loop leaves nothing of itself in the plan
        var result = GeneratorHarness.Run(Usings + @"[Model] public partial class M { [Param(3, 3)] Tensor w;
            [Loss] public Tensor A([Shape(2, 3)] Tensor x) { var h = x; for (int i = 0; i < 3; i++) h = Tanh(h.MatMul(w) * (i + 1)); return h.Sum(); }
            [Loss] public Tensor B([Shape(2, 3)] Tensor x) { var h = Tanh(x.MatMul(w) * 1f); h = Tanh(h.MatMul(w) * 2f); h = Tanh(h.MatMul(w) * 3f); return h.Sum(); } }");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
        string source = result.Source("M");
        string Summary(string plan) => source.Split('\n').First(l => l.Contains($"Plan of {plan}(")).Trim();
        Assert.Equal(Summary("A").Replace("A(", "X("), Summary("B").Replace("B(", "X("));
    }

    [Theory]
    [InlineData("{ var h = x; [|for|] (int i = 0; i < 20000; i++) h = h + 1f; return h.Sum(); }", "more than 10,000 iterations")]
    [InlineData("{ var h = x; for (int i = 0; i < 3; i++) { h = h * 2f; [|i += 1|]; } return h.Sum(); }", "loop variable 'i'")]
    [InlineData("{ var h = x; [|for|] (int i = 1; i < 9; i *= 2) h = h * 2f; return h.Sum(); }", "A for loop other than")]
    [InlineData("{ var h = x; [|while (h is null) { }|] return h.Sum(); }", "A while loop")]
    [InlineData("{ [|System.Console.WriteLine(x);|] return x.Sum(); }", "A call to System.Console.WriteLine as a statement")]
    [InlineData("=> x.Sum() * [|S|];", "initializer is not a constant")]
    [InlineData("{ var parts = new Tensor[2]; return [|parts[1]|].Sum(); }", "read before it is assigned")]
    [InlineData("{ var parts = [|new Tensor[0]|]; return x.Sum(); }", "A tensor array of 0 elements")]
    [InlineData("=> ([|Layers switch { 3 => x, 1 => x * 2f }|]).Sum();", "without a final discard arm")]
    [InlineData("{ switch (Layers) { [|case > 2:|] return x.Sum(); } return (x * w).Sum(); }", "A case label other than a constant")]
    [InlineData("{ if ([|x.Sum() > 0f|]) return x.Sum(); return (x * w).Sum(); }", "Where(mask, a, b) picks per element")]
    [InlineData("=> ([|x > w|] ? x : w).Sum();", "Where(mask, a, b) picks per element")]
    [InlineData("=> Where([|(x > 0f) && (x < w)|], x, w).Sum();", "'&' combines masks element by element")]
    // loops are reported at their 'for' keyword
    public void Control_flow_the_plan_cannot_fix_at_build_time_is_KLN0001_at_its_span(string body, string reason) =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { const int Layers = 3; static readonly float S = System.MathF.Sqrt(2f); [Param(3)] Tensor w; [Loss] public Tensor L([Shape(2, 3)] Tensor x) " + body + " }", "KLN0001", reason);

    [Fact]
    public void A_branch_on_a_tensor_is_reported_beside_the_method_s_other_errors()
    {
        // a new user's method: an if on h.Sum() > 0f (line 4), then a MathF call (line 5); the build named only the
        // MathF call, and the if once that was fixed (the if was found by the lowering, which a parse error stops)
        var result = GeneratorHarness.Run(Usings + "[Model] public partial class M { [Param(3)] Tensor w;\n[Loss] public Tensor L([Shape(2, 3)] Tensor x) {\nvar h = x * w;\nif (h.Sum() > 0f) h = Relu(h);\nreturn (h * System.MathF.Sqrt(2f)).Sum(); } }");
        var errors = result.GeneratorDiagnostics.Where(d => d.Id == "KLN0001").OrderBy(d => d.Location.GetLineSpan().StartLinePosition.Line).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Equal(4, errors[0].Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("An if on a value known only when the plan runs", errors[0].GetMessage());
        Assert.Equal(5, errors[1].Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("MathF.Sqrt", errors[1].GetMessage());
    }

    [Fact]
    public void A_long_unrolled_recurrence_stays_linear_in_generated_code()
    {
        // a new user's 2,000-step loop killed the compiler: the backward chain of 0.999 scalings was recomputed by every
        // reader (quadratic code); folded to constants it is one kernel per step, and the source stays small
        string Model(int steps) => Usings + $"[Model] public partial class M {{ [Param(4)] Tensor b; [Loss] public Tensor L([Shape(\"N\", 4)] Tensor x) {{ var h = x; for (int i = 0; i < {steps}; i++) h = h * 0.999f + b * 0.001f; return h.Sum(); }} }}";
        var small = GeneratorHarness.Run(Model(100));
        var large = GeneratorHarness.Run(Model(400));
        Assert.Empty(large.GeneratorDiagnostics);
        Assert.Empty(large.CompileErrors);
        double ratio = (double)large.Source("M").Length / small.Source("M").Length;
        Assert.True(ratio < 6, $"400 steps make {ratio:F1}x the code of 100 (linear is 4x)");
    }
}

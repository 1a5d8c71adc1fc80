extern alias gen;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using gen::Kiln.Generator;
using gen::Kiln.Generator.Diagnostics;
using gen::Kiln.Generator.Model;
using Kiln.Tests.Support;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>One failing snippet per diagnostic id; [| |] marks the span the diagnostic must point at.</summary>
public class DiagnosticTests
{
    private const string Usings = "using Kiln; using Kiln.Nn; using static Kiln.Ops;\n";

    public static TheoryData<string, string> Cases() => new()
    {
        { "KLN0001", "[Model] public partial class M { [Param(2)] Tensor a; [Loss] public Tensor L([Shape(2)] Tensor x) => (a * [|System.MathF.Abs(-2f)|] * x).Sum(); }" },
        { "KLN0002", "[Model] public partial class M { [Param(3, 4)] Tensor a; [Param(3)] Tensor b; [Loss] public Tensor L() => ([|a + b|]).Sum(); }" },
        { "KLN0003", "[Model] public partial class M { [Param(6, 4)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 8)] Tensor x) => [|x.MatMul(w)|]; }" },
        { "KLN0004", "[Model] public partial class M { [Param(2, 3)] Tensor a; [Loss] public Tensor L() => [|a.Sum(2)|].Sum(); }" },
        { "KLN0018", "[Model] public partial class M { [Param(2, 3)] Tensor a; [Loss] public Tensor L() => [|a.Sum([0, 0])|].Sum(); }" },
        { "KLN0005", "[Model] public partial class M { [Param(2)] Tensor a; [Loss] public Tensor [|L|]([Shape(2)] Tensor x) => a * x; }" },
        { "KLN0006", "[Model] public partial class M { [Param(1)] Tensor a; [Loss] public Tensor L([Shape(\"N\", 1)] Tensor x, [Shape(\"N\")] Tensor y) => [|Losses.MseLoss(x * a, y)|]; }" },
        { "KLN0007", "[Model] public class [|M|] { [Param(2)] Tensor a; }" },
        { "KLN0008", "[Model] public partial class M { [Param(\"Hidden\", 4)] Tensor [|w|]; }" },
        { "KLN0010", "[Model] public partial class M { [Param(2, 3)] Tensor a; [Loss] public Tensor L() => [|a.Reshape(5)|].Sum(); }" },
        { "KLN0011", "[Model] public partial class M { [Module(8)] Linear [|l|]; }" },
        { "KLN0012", "[Model] public partial class M { [Param(2)] Tensor a; public Tensor F(Tensor x) => [|F(x)|]; [Loss] public Tensor L() => F(a).Sum(); }" },
        { "KLN0014", "[Model] public partial class M { [Module(8, 6)] Linear l1; [Module(4, 1)] Linear l3; [Forward] public Tensor F([Shape(\"N\", 8)] Tensor x) => [|l3.Forward(Sigmoid(l1.Forward(x)))|]; }" },
        { "KLN0015", "[Model] public partial class M { [Param(4)] Tensor a; [Loss] public Tensor L() => [|a.MaskedSelect(a > 0f)|].Sum(); }" },
        { "KLN0016", "[Model] public partial class M { [Param(4, 3)] Tensor a; [Loss] public Tensor L() => [|a[4]|].Sum(); }" },
        { "KLN0017", "[Model] public partial class M { [Param(3)] Tensor w; public int [|Parameters|]() => 1; [Loss] public Tensor L() => w.Sum(); }" },
        { "KLN0013", "[Model] public partial class M { [Param(4, 4)] Tensor w; [Forward] public Tensor H([Shape(\"N\", 8)] Tensor x) => x; [Loss] public Tensor L([Shape(\"N\", 4)] Tensor x) => [|H(x)|].Sum(); }" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_id_at_the_offending_span(string id, string marked)
    {
        var (diagnostic, _) = MarkedSource.SingleAt(Usings + marked, id);
        Assert.Equal("Model0.cs", Path.GetFileName(diagnostic.Location.GetLineSpan().Path));
    }

    [Theory]
    [InlineData("[Forward] public Tensor [|F|]<T>([Shape(3)] Tensor x) => x * 2f;", "must not be generic")]
    [InlineData("[Forward] public Tensor F([Shape(3)] ref Tensor [|x|]) => x * 2f;", "is passed by reference (ref)")]
    [InlineData("[Forward] public Tensor F([Shape(3)] in Tensor [|x|]) => x * 2f;", "is passed by reference (in)")]
    public void Signatures_a_plan_cannot_mean_are_reported(string method, string reason) =>
        // a new user's generic [Forward] compiled with T ignored, and a ref input compiled as a copy
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { " + method + " }", "KLN0007", reason);

    /// <summary>Trial 24: an array of layers (nn.ModuleList) was "has type ''", and a [Forward] returning ArgMax's
    /// IntTensor was told only that it must return a Tensor.</summary>
    [Theory]
    [InlineData("[Module(2, 2)] Linear[] [|layers|];", "KLN0011", "[Module] field 'layers' has type 'Linear[]': a [Module] field holds one [Model] class (there is no nn.ModuleList: declare each submodule as a field of its own)")]
    [InlineData("[Module(2, 2)] System.Collections.Generic.List<Linear> [|layers|];", "KLN0011", "has type 'List<Linear>': a [Module] field holds one [Model] class")]
    [InlineData("[Module(2, 2)] Tensor [|t|];", "KLN0011", "[Module] field 't' has type 'Tensor', which is not a [Model] class")]
    [InlineData("[Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => [|x[2147483647]|];", "KLN0016", "index 2147483647 is out of range for dim 0 of size N (a plan holds at most")]   // fuzz: a long offset in the generated code
    [InlineData("[Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => [|x.Select(0, 715827882)|];", "KLN0016", "of size N (a plan holds at most")]
    [InlineData("[Forward] public IntTensor [|Predict|]([Shape(\"N\", 2)] Tensor x) => x.ArgMax(1);", "KLN0007", "returns an IntTensor: a plan's outputs are float tensors, so return indices as floats (ArgMax(1).Float())")]
    public void Module_lists_and_int_results_say_what_a_model_holds_and_returns(string member, string id, string message) =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { " + member + " }", id, message);

    /// <summary>A tensor past the most a plan holds, made inside a model (the inputs and parameters were checked, their
    /// products were not): KLN0018 at the line, never counts or offsets past int in the generated code.</summary>
    [Theory]
    [InlineData("(x.Unsqueeze(1) * x.Unsqueeze(0)).Sum()", "Mul makes a tensor of [60000, 60000], 3,600,000,000 elements")]
    [InlineData("x.Repeat(40000, 1).Sum()", "elements: a plan holds at most")]
    [InlineData("x.Expand(50000, 60000).Sum()", "elements: a plan holds at most")]
    public void A_tensor_no_plan_can_hold_is_KLN0018_where_it_is_made(string expression, string message)
    {
        var result = GeneratorHarness.Run(Usings + $"[Model] public partial class M {{ [Forward] public Tensor F([Shape(60000)] Tensor x) => {expression}; }}");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("KLN0018", d.Id);
        Assert.Contains(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(result.CompileErrors);
    }

    /// <summary>Only an array of [Model] classes is told about nn.ModuleList (review: a float[] element's call was too).</summary>
    [Fact]
    public void A_call_on_an_element_of_another_array_is_not_told_about_module_lists()
    {
        var diagnostics = GeneratorHarness.Run(Usings + "[Model] public partial class M { float[] scales = { 2f }; [Forward] public Tensor F([Shape(3)] Tensor x) => x * scales[0].CompareTo(1f); }").GeneratorDiagnostics;
        var d = Assert.Single(diagnostics);
        Assert.Equal("KLN0001", d.Id);
        Assert.DoesNotContain("ModuleList", d.GetMessage());
    }

    /// <summary>A tensor only the backward pass makes past what a plan holds (the reviewer's case: a batched MatMul's
    /// weight gradient [32, 16384, 4096] before its batch is summed) is KLN0018 at the method, not an internal error.</summary>
    [Fact]
    public void A_gradient_no_plan_can_hold_is_KLN0018_at_the_method()
    {
        var result = GeneratorHarness.Run(Usings + "[Model] public partial class M { [Param(16384, 4096)] Tensor w; [Loss] public Tensor L([Shape(32, 128, 4096)] Tensor x) => x.MatMul(w.T).Sum(); }");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.True(d.Id == "KLN0018", d.ToString());
        Assert.Contains("(in the gradient of 'L')", d.GetMessage());
    }

    [Fact]
    public void A_call_on_an_element_of_a_layer_array_says_there_is_no_module_list()
    {
        var diagnostics = GeneratorHarness.Run(Usings + "[Model] public partial class M { [Module(2, 2)] Linear[] layers; [Forward] public Tensor F([Shape(3, 2)] Tensor x) => layers[0].Forward(x); }").GeneratorDiagnostics;
        Assert.Contains(diagnostics, d => d.Id == "KLN0011");
        Assert.Contains(diagnostics, d => d.Id == "KLN0001" && d.GetMessage().Contains("A call on an element of 'layers' (a model holds each submodule in a [Module] field of its own; there is no nn.ModuleList)"));
        Assert.DoesNotContain(diagnostics, d => d.GetMessage().Contains("Linear.Forward"));
    }

    [Fact]
    public void A_constructor_of_the_user_s_own_is_reported_where_it_is()
    {
        // C# declares no constructor of the generator's beside one of the user's: `new M(device, 1)` was CS1729 and
        // `new M().CompileF()` a NullReferenceException, with no KLN diagnostic
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { [Param(3)] Tensor w; public [|M|]() { } [Forward] public Tensor F() => w * 2f; }",
            "KLN0007", "Model class 'M' declares a constructor: the generator writes a model's constructors");
    }

    /// <summary>A new user's trial: Narrow past the end compiled and returned fewer columns (eagerly and in torch, an
    /// error); Chunk(3) of 4 has two pieces, and taking the third said "not a constant"; Stack of two shapes printed
    /// "(dim all:  vs )"; Reshape(-1, -1) named a shape nobody wrote.</summary>
    [Theory]
    [InlineData("=> [|a.Narrow(1, 3, 2)|];", "KLN0016", "Narrow: index start 3 + length 2 is out of range for dim 1 of size 4")]
    [InlineData("=> [|a.Narrow(1, -5, 1)|];", "KLN0016", "index start -5 is out of range for dim 1 of size 4")]
    [InlineData("=> [|a.Select(1, -6)|];", "KLN0016", "index -6 is out of range for dim 1 of size 4")]   // as written (it said -2)
    [InlineData("=> [|a.Unsqueeze(0).T|];", "KLN0018", ".T transposes a 2-D tensor")]
    [InlineData("=> [|a.Narrow(0, 0, -1)|];", "KLN0018", "length must be non-negative")]
    [InlineData("=> [|a.Chunk(3, 1)[2]|];", "KLN0016", "index 2 is out of range for dim 0 of size 2 (the pieces it holds)")]
    [InlineData("=> [|Stack([a, a.T], 0)|];", "KLN0018", "Stack of tensors of shapes [3, 4] and [4, 3] (torch.stack takes tensors of one shape: dim 0 is 3 vs 4)")]
    [InlineData("=> [|a[0].MatMul(a[.., 0])|];", "KLN0003", "inner dims 4 and 3 differ (shapes [4] and [3])")]   // it showed [1, 4] and [3, 1]
    [InlineData("=> [|a.Unsqueeze(0).Expand(2, 3, 4).MatMul(a.T.Unsqueeze(0).Expand(5, 4, 3))|];", "KLN0002", "MatMul of shapes [2, 3, 4] and [5, 4, 3], batch dims: shapes [2] and [5] cannot be broadcast")]
    [InlineData("=> [|a.Gather(1, a.ArgMax(1))|];", "KLN0018", "Gather with an index of shape [3] for an input of shape [3, 4] (torch.gather's index has the input's rank, 2)")]   // it was KLN0006, "target"
    [InlineData("=> [|Losses.CrossEntropy(a.Sum(1), a.ArgMax(1))|];", "KLN0018", "CrossEntropy of an input of shape [3] (the input is (N, C)")]   // it said "target shape [3] does not fit input shape [3]"
    [InlineData("=> [|Cat([a, a.T], 0)|];", "KLN0018", "Cat of tensors of shapes [3, 4] and [4, 3] along dim 0 (every other dim must match: dim 1 is 4 vs 3)")]   // it said "cannot be broadcast"
    [InlineData("=> [|a.Reshape(-1, -1)|];", "KLN0018", "only one dimension can be inferred")]
    [InlineData("=> [|a.Unsqueeze(0).Expand(-1, 3, -4)|];", "KLN0018", "Expand to a size of -4 (only -1, which keeps the dim's size, may be negative)")]   // it compiled: a plan of -12 elements
    [InlineData("=> [|a[0].Unsqueeze(0).Expand(0, 4)|];", "KLN0018", "Expand to a size of 0 (a plan holds no empty tensors)")]
    [InlineData("{ var parts = new Tensor[2]; parts[0] = a; return [|Stack(parts)|]; }", "KLN0018", "element 1 of the tensor array passed to Stack was never assigned")]
    [InlineData("=> [|a.Unsqueeze(0).Permute(0, 1)|];", "KLN0018", "Invalid argument: Permute([0, 1]) of a rank-3 tensor")]   // it read "… is not part of the Kiln tensor language"
    public void Out_of_range_pieces_and_shapes_name_what_is_wrong(string body, string id, string reason) =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(3, 4)] Tensor a) " + body + " }", id, reason);

    /// <summary>A new user's trial of the losses: a weight, pos_weight or target that cannot fit the input was an internal
    /// Mul's or Where's KLN0002 (MultiMargin's weight compiled, and failed at run time blaming the targets); a Reduction
    /// that names no member, (Reduction)7, compiled as Mean.</summary>
    [Theory]
    [InlineData("Losses.BinaryCrossEntropyWithLogits(a, a, posWeight: w3)", "KLN0006", "BinaryCrossEntropyWithLogits pos_weight: target shape [3] does not fit input shape [3, 4]")]
    [InlineData("Losses.BinaryCrossEntropy(a * 0.5f, a, w3)", "KLN0006", "BinaryCrossEntropy weight: target shape [3] does not fit input shape [3, 4]")]
    [InlineData("Losses.MultilabelSoftMarginLoss(a, a, w3)", "KLN0006", "MultilabelSoftMarginLoss weight: target shape [3] does not fit input shape [3, 4]")]
    [InlineData("Losses.HingeEmbeddingLoss(a, w3)", "KLN0006", "HingeEmbeddingLoss: target shape [3] does not fit input shape [3, 4]")]
    [InlineData("Losses.MultiMarginLoss(a, t, weight: w3)", "KLN0006", "MultiMarginLoss weight (must be (C)): target shape [3] does not fit input shape [3, 4]")]
    [InlineData("Losses.MseLoss(a, a, (Reduction)7)", "KLN0018", "reduction (Reduction)7 is not one of Reduction.None, Mean, Sum")]
    public void Loss_arguments_that_cannot_fit_name_the_argument(string call, string id, string reason) =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(3, 4)] Tensor a, [Shape(3)] Tensor w3, [Shape(3)] IntTensor t) => [|" + call + "|]; }", id, reason);

    /// <summary>A second accuracy audit: MultilabelMarginLoss over a named class dim checked its targets against the dim's
    /// coefficient, 1, and refused every valid target at run time; it needs C as a number (KLN0018 says so).</summary>
    [Fact]
    public void MultilabelMargin_over_a_named_class_dim_asks_for_a_number() =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(\"N\", \"C\")] Tensor x, [Shape(\"N\", \"C\")] IntTensor t) => [|Losses.MultilabelMarginLoss(x, t)|]; }", "KLN0018", "give C as a number");

    [Fact]
    public void A_shape_error_inside_a_layer_names_the_layer_and_its_declared_shapes()
    {
        // README's classifier with a layer skipped: the mistake is the user's call, not Linear's generated source
        var result = GeneratorHarness.Run(Usings + "[Model] public partial class M { [Module(8, 6)] Linear linear1; [Module(4, 1)] Linear linear3; [Forward] public Tensor F([Shape(\"N\", 8)] Tensor x) => linear3.Forward(Sigmoid(linear1.Forward(x))); }");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("KLN0014", d.Id);
        var message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'linear3'", message);
        Assert.Contains("Linear(In: 4, Out: 1)", message);
        Assert.Contains("weight [1, 4]", message);
        Assert.Contains("inner dims 6 and 4", message);
        Assert.DoesNotContain("(at ", message);   // Linear's line is Kiln's generated source
    }

    [Fact]
    public void A_shape_error_inside_a_child_model_the_user_wrote_names_its_line()
    {
        // reported at the parent's call, as for a built-in layer, and the child's failing line is named (it was lost)
        var result = GeneratorHarness.Run(Usings + "[Model] public partial class Child { [Param(5, 2)] Tensor w;\n public Tensor Forward(Tensor x) => x.MatMul(w); }\n"
            + "[Model] public partial class M { [Module] Child c; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => c.Forward(x); }");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("KLN0014", d.Id);
        Assert.Matches(@"inner dims 3 and 5 differ .*\(at \w+\.cs, line \d+\)", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A construct the parser cannot read in one method (KLN0001) still lets the model's other methods be checked, so a
    /// build reports every error at once; a method that calls the unreadable one adds nothing of its own.
    /// </summary>
    [Fact]
    public void An_unsupported_construct_does_not_hide_the_other_methods_errors()
    {
        var source = Usings + "[Model] public partial class M { [Param(2, 3)] Tensor w;"
            + " [Forward] public Tensor A([Shape(2)] Tensor x) => x * System.MathF.Sqrt(2f);"
            + " [Forward] public Tensor B([Shape(4, 2)] Tensor x) => x.MatMul(x);"
            + " [Forward] public Tensor C([Shape(3)] Tensor x) => x + w.Sum(1);"
            + " [Forward] public Tensor D([Shape(2)] Tensor x) => A(x) * 2f;"
            + " [Forward] public Tensor E([Shape(2)] Tensor x) => x.MatMul(w);"
            + " }";
        var result = GeneratorHarness.Run(source);
        var ids = result.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => d.Id).ToList();
        Assert.Equal(["KLN0001", "KLN0003", "KLN0002"], ids);   // A's call, B's MatMul, C's broadcast; D (calls A) and E (fine) add nothing
        // no plans, but the layout and constructors: a new user's build showed a CS0649 and a CS8618 for every field of a
        // model with an error, beside the error (22 warnings for 8 errors)
        Assert.DoesNotContain(" Compile", result.Source("M"));
        Assert.Contains("this.w = parameters.Tensor(prefix + \"w\");", result.Source("M"));
        Assert.Empty(result.CompileErrors);
        Assert.DoesNotContain(result.Output.GetDiagnostics(), d => d.Id is "CS0649" or "CS8618");
        // alone, the same errors as before
        Assert.Equal("KLN0003", Assert.Single(GeneratorHarness.Run(Usings + "[Model] public partial class M { [Forward] public Tensor B([Shape(4, 2)] Tensor x) => x.MatMul(x); }").GeneratorDiagnostics).Id);
    }

    /// <summary>^0 is one past the end, as C# means it: no element to select, the end of a slice (as eager tensors read it).</summary>
    [Fact]
    public void The_index_from_end_zero_is_past_the_end()
    {
        Assert.Equal("KLN0016", Assert.Single(GeneratorHarness.Run(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(5)] Tensor x) => x[^0]; }").GeneratorDiagnostics).Id);
        Assert.Equal("KLN0001", Assert.Single(GeneratorHarness.Run(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(5)] Tensor x) => x[^0..]; }").GeneratorDiagnostics).Id);
        // a negative C# Index (which eagerly throws) is reported, not read as Python's -k
        Assert.Equal("KLN0001", Assert.Single(GeneratorHarness.Run(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(5)] Tensor x) => x[^-1]; }").GeneratorDiagnostics).Id);
        Assert.Equal("KLN0001", Assert.Single(GeneratorHarness.Run(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(5)] Tensor x) => x[-2..]; }").GeneratorDiagnostics).Id);
        var whole = GeneratorHarness.Run(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(5)] Tensor x) => x[..^0] * 2f; }");
        Assert.Empty(whole.GeneratorDiagnostics);
        Assert.Empty(whole.CompileErrors);
    }

    /// <summary>A class nested in a model that calls Dropout keeps compiling: the model's own Dropout is not added (it
    /// could not be called from the nested type's instance), so its calls keep binding to Ops.Dropout.</summary>
    [Fact]
    public void Dropout_in_a_type_nested_in_the_model_still_compiles()
    {
        var result = GeneratorHarness.Run(Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(4)] Tensor x) => Dropout(x, 0.5f); class Aug { public Tensor A(Tensor t) => Dropout(t, 0.1f); } }");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
        Assert.DoesNotContain("Tensor Dropout(", result.Source("M"));
    }

    /// <summary>Class indices declared as a float Tensor reach CrossEntropy's probability form: the message says what the
    /// fix is (a new user read only that [N] does not fit [N, 3]); the same call on tensors says it too.</summary>
    [Fact]
    public void CrossEntropy_with_float_class_indices_says_they_are_an_IntTensor()
    {
        var (d, _) = MarkedSource.SingleAt(Usings + "[Model] public partial class M { [Param(3, 2)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 2)] Tensor x, [Shape(\"N\")] Tensor y) => [|Losses.CrossEntropy(Linear(x, w), y)|]; }",
            "KLN0006", "class indices are an IntTensor");
        Assert.Contains("target shape [N] does not fit input shape [N, 3]", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var eager = Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(Tensor.From(new float[,] { { 1f, 2f, 3f }, { 0f, 1f, 0f } }), Tensor.From(2f, 0f)));
        Assert.Contains("class indices are an IntTensor", eager.Message);
    }

    /// <summary>An IntTensor is reshaped in a model, not indexed: the message says so in the user's words (it quoted Roslyn's
    /// syntax kind, "'ElementAccess'"), as it quotes any other expression outside the language.</summary>
    [Theory]
    [InlineData("[Param(3, 2)] Tensor w; [Loss] public Tensor L([Shape(4, 2)] Tensor x, [Shape(2, 4)] IntTensor t) => Losses.CrossEntropy(Linear(x, w), [|t[1]|]);", "Indexing an IntTensor ('t[1]'; Reshape it")]
    [InlineData("[Param(3)] Tensor w; [Loss] public Tensor L([Shape(3)] Tensor x) => (x * w).Sum() * [|System.Environment.ProcessorCount|];", "'System.Environment.ProcessorCount'")]
    public void An_expression_outside_the_language_is_quoted_as_written(string members, string reason) =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { " + members + " }", "KLN0001", reason);

    [Fact]
    public void MarginRanking_with_a_target_of_another_rank_is_rejected_at_the_call()
    {
        // the seed passed y of shape (3,) beside (3, 1) inputs; current PyTorch rejects it, and so do we (SPEC.md)
        var source = Usings + "[Model] public partial class M { [Forward] public Tensor F([Shape(3, 1)] Tensor a, [Shape(3, 1)] Tensor b, [Shape(3)] Tensor y) => Losses.MarginRankingLoss(a, b, y); }";
        var d = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("KLN0006", d.Id);
        Assert.Contains("same rank", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Losses.MarginRankingLoss(a, b, y)", source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("[Model(null)] public partial class M { [Param(2)] Tensor a; [Loss] public Tensor L() => a.Sum(); }", "KLN0007")]
    [InlineData("[Model] public partial class M { [Param(2)] Tensor a; [Loss] public Tensor L([Shape(null)] Tensor x) => (a * x).Sum(); }", "KLN0007")]
    [InlineData("[Model] public partial class M { [Module(-2, 1)] Linear l; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => x; }", "KLN0011")]
    [InlineData("[Model] public partial class M { [Module(0, 1)] Linear l; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => x; }", "KLN0011")]
    public void Invalid_attribute_arguments_are_diagnostics_and_other_models_still_compile(string model, string id)
    {
        // a second, valid model in the same compilation must keep its generated code (an escaped exception would drop all)
        var result = GeneratorHarness.Run(Usings + model + " [Model] public partial class Fine { [Param(2)] Tensor w; [Loss] public Tensor L() => w.Sum(); }");
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == id);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "KLN0009" or "CS8785");
        Assert.Contains("class Fine", result.Source("Fine"));
    }

    [Theory]
    [InlineData("[Model] public partial class M { [Param(2, 2, 3)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => [|Linear(x, w)|]; }", "KLN0018")]
    [InlineData("[Model] public partial class M { [Param] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => [|Linear(x, w)|]; }", "KLN0004")]
    [InlineData("[Model] public partial class M { [Param(46341, 46341)] Tensor [|w|]; [Loss] public Tensor L() => w.Sum(); }", "KLN0007")]
    [InlineData("[Model] public partial class M { [Param(2)] Tensor a; [Loss] public Tensor L([Shape(65536, 65536)] Tensor [|x|]) => (a * x.Sum()).Sum(); }", "KLN0007")]
    [InlineData("[Model] public partial class M { [Forward] public Tensor F([Shape(2147483647)] Tensor [|x|]) => Ops.Dropout(x, 0.25f, training: false); }", "KLN0007")]   // fuzz: KLN0009 before
    [InlineData("[Model] public partial class M { [Param(2000000000)] Tensor a; [Param(200000000)] Tensor [|b|]; [Loss] public Tensor L() => a.Sum(); }", "KLN0007")]
    public void Mistakes_that_used_to_be_internal_errors_are_user_diagnostics(string marked, string id) => MarkedSource.SingleAt(Usings + marked, id);

    /// <summary>A [Param], [Buffer] or [Module] field with an initial value: the generated constructors overwrite the field,
    /// so the value was silently dropped (a new user's `[Param(2)] Tensor w = Ones(2);` trained from nn.Linear's init).</summary>
    [Theory]
    [InlineData("[Param(2)] Tensor [|w|] = Ones(2); [Loss] public Tensor L() => w.Sum();", "'Ones(2)'), which would never be used")]
    [InlineData("[Param(2)] Tensor [|w|] = Ones(2); [Loss] public Tensor L() => w.Sum();", "Init = Init.Zeros, Init.Ones or Init.Normal")]
    [InlineData("[Param(2)] Tensor w; [Buffer(2)] Tensor [|b|] = Zeros(2); [Loss] public Tensor L() => (w * b).Sum();", "[Buffer] field 'b' has an initial value ('Zeros(2)'), which would never be used: the generated constructors make it a view of the model's block, which starts at zero")]
    [InlineData("[Module(2, 3)] Kiln.Nn.Linear [|fc|] = new Kiln.Nn.Linear(null!, \"\"); [Forward] public Tensor F([Shape(\"N\", 2)] Tensor x) => fc.Forward(x);", "[Module] field 'fc' has an initial value")]
    public void A_model_field_with_an_initial_value_is_KLN0007(string members, string reason) =>
        MarkedSource.SingleAt(Usings + "[Model] public partial class M { " + members + " }", "KLN0007", reason);

    /// <summary>Initializers that only quiet the nullable analysis hold no value: they stay allowed.</summary>
    [Theory]
    [InlineData("null!")]
    [InlineData("default!")]
    [InlineData("null")]
    [InlineData("Tensor.Unbound")]
    public void A_field_initialised_only_for_the_nullable_analysis_is_fine(string initial)
    {
        var result = GeneratorHarness.Run(Usings + "#nullable enable\n[Model] public partial class M { [Param(2)] Tensor w = " + initial + "; [Module(2, 3)] Linear fc = " + (initial == "Tensor.Unbound" ? "null!" : initial) + "; [Loss] public Tensor L([Shape(\"N\", 2)] Tensor x) => fc.Forward(x * w).Sum(); }");
        Assert.Empty(result.GeneratorDiagnostics);
    }

    [Theory]
    [InlineData("[Model] public partial class @params { [Param(3)] Tensor @int; [Loss] public Tensor L([Shape(\"class\", 3)] Tensor @class, [Shape(\"class\")] IntTensor @for) => Losses.CrossEntropy(@class * @int, @for); [Forward] public Tensor F([Shape(\"class\", 3)] Tensor @class) => @class * @int; }", "params")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor @base, [Shape(\"N\", 3)] Tensor @object) => Losses.MseLoss(@base * w, @object); }", "M")]
    [InlineData("[Model(\"In\")] public partial class @event { [Param(\"In\")] Tensor @this; [Forward] public Tensor F(Tensor x) => x * @this; } [Model] public partial class M { [Module(3)] @event @new; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => @new.F(x); }", "M")]
    public void CSharp_keywords_as_names_are_escaped_in_generated_code(string model, string name)
    {
        var result = GeneratorHarness.Run(Usings + model);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors.Take(3).Select(e => e.ToString() + " :: " + e.Location.SourceTree!.GetText().Lines[e.Location.GetLineSpan().StartLinePosition.Line].ToString())));
        Assert.Contains("Plan Compile", result.Source(name)); // the plans were generated, keyword names and all
    }

    [Theory]
    [InlineData("[Model(\"1N\")] public partial class [|M|] { [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); }", "C# identifier")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N N\", 3)] Tensor [|x|]) => (x * w).Sum(); }", "C# identifier")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x, [Shape(\"n\", 3)] Tensor [|y|]) => (x * w).Sum() + (y * w).Sum(); }", "as dim 'N' is")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"Model\", 3)] Tensor [|x|]) => (x * w).Sum(); }", "model parameter")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"T0\", 3)] Tensor [|x|]) => (x * w).Sum(); }", "Bound fields")]
    [InlineData("[Model(\"Unused\")] public partial class [|M|] { [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); }", "Bound fields")]
    public void Dim_names_that_cannot_be_plan_parameters_are_KLN0007(string marked, string reason) => MarkedSource.SingleAt(Usings + marked, "KLN0007", reason);

    [Fact]
    public void The_parameter_block_bound_is_the_runtime_plan_bound()
    {
        // the generator cannot reference the runtime: the two constants are kept equal here
        Assert.Equal(Kiln.Plan.MaxElements, gen::Kiln.Generator.Check.Lowerer.MaxElements);
    }

    [Fact]
    public void A_very_deep_expression_is_a_diagnostic_not_a_crashed_compiler()
    {
        string chain = "x" + string.Concat(Enumerable.Repeat(".Tanh()", 3500));
        var deep = GeneratorHarness.Run(Usings + $"[Model] public partial class M {{ [Forward] public Tensor F([Shape(4)] Tensor x) => {chain}; }}");
        var d = Assert.Single(deep.GeneratorDiagnostics);
        Assert.Equal("KLN0001", d.Id);
        Assert.Contains("nested more than", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        // below the bound the same chain compiles
        string shorter = "x" + string.Concat(Enumerable.Repeat(".Tanh()", 300));
        var fine = GeneratorHarness.Run(Usings + $"[Model] public partial class M {{ [Param(4)] Tensor w; [Loss] public Tensor L([Shape(4)] Tensor x) => ({shorter} * w).Sum(); }}");
        Assert.Empty(fine.GeneratorDiagnostics);
        Assert.Empty(fine.CompileErrors);
    }

    [Fact]
    public void An_internal_failure_becomes_KLN0009_not_an_exception()
    {
        // A spec no Discover would produce (a member read of a submodule that does not exist): a later stage fails.
        var location = new LocationInfo("Model.cs", new TextSpan(10, 3), default);
        var body = new[] { new Statement(null, new MemberExpr(new NameExpr("ghost", location), "weight", location)) };
        var method = new MethodSpec("L", MethodKind.Loss, EquatableArray<InputSpec>.Empty, body.ToEquatable(), location);
        var spec = new ModelSpec("", "Broken", "global::Broken", "public", true, false, EquatableArray<string>.Empty, EquatableArray<ParamSpec>.Empty,
            EquatableArray<ModuleSpec>.Empty, new[] { method }.ToEquatable(), EquatableArray<DiagnosticInfo>.Empty, location);
        var output = Compiler.Compile(spec, [spec]);
        Assert.Null(output.Source);
        var d = Assert.Single(output.Diagnostics);
        Assert.Equal("KLN0009", d.Id);
        Assert.Equal(location, d.Location);
    }

    [Fact]
    public void Every_id_has_a_test_a_release_row_and_a_docs_entry()
    {
        var tested = Cases().Select(row => (string)row[0]).Append("KLN0009").ToHashSet();
        var releases = File.ReadAllText(Path.Combine(Repo.Root, "generator", "AnalyzerReleases.Unshipped.md"));
        var docs = File.ReadAllText(Path.Combine(Repo.Root, "docs", "diagnostics.md"));
        foreach (var id in Descriptors.ById.Keys)
        {
            Assert.Contains(id, tested);
            Assert.Contains(id + " |", releases);
            Assert.Contains("## " + id, docs);
        }
    }

    [Fact]
    public void A_valid_model_has_no_diagnostics_and_compiles()
    {
        var result = GeneratorHarness.Run(Usings + "[Model] public partial class M { [Module(3, 2)] Linear l; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x, [Shape(\"N\")] IntTensor t) => Losses.CrossEntropy(l.Forward(x), t); }");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
    }
}

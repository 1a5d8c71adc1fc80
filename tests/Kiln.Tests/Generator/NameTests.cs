using System.Globalization;
using System.Linq;
using Kiln.Tests.Support;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>
/// The user's names never break the generated code: any input, dim, field or type name compiles (the plan reads its own
/// members through this., names types with global::, keeps its kernels outside the user's class), and the few names the
/// generator declares in the model's class are KLN0017 at the user's declaration (issue 10's fuzz findings).
/// </summary>
public class NameTests
{
    private const string Usings = "using Kiln; using Kiln.Nn; using static Kiln.Ops;\n";

    [Theory]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor output) => output * w; }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor output, [Shape(\"N\", 3)] Tensor output_) => output * w + output_; }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor _d, [Shape(\"N\", 3)] Tensor Work, [Shape(\"N\", 3)] Tensor Targets, [Shape(\"N\", 3)] Tensor CheckInput, [Shape(\"N\", 3)] Tensor Load, [Shape(\"N\", 3)] Tensor Execute, [Shape(\"N\", 3)] Tensor Enter) => _d * w + Work + Targets + CheckInput + Load + Execute + Enter; }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor ReadScalar, [Shape(\"N\", 3)] Tensor OutputLength, [Shape(\"N\", 3)] Tensor d, [Shape(\"N\", 3)] Tensor inputs, [Shape(\"N\", 3)] Tensor backward, [Shape(\"N\", 3)] Tensor State, [Shape(\"N\", 3)] Tensor Device, [Shape(\"N\", 3)] Tensor _slots, [Shape(\"N\", 3)] Tensor Run, [Shape(\"N\", 3)] Tensor _w) => ReadScalar * w + OutputLength + d + inputs + backward + State + Device + _slots + Run + _w; }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor _d, [Shape(\"N\", 3)] Tensor Work, [Shape(\"N\", 3)] Tensor Targets, [Shape(\"N\", 3)] Tensor CheckInput, [Shape(\"N\")] IntTensor Load, [Shape(\"N\", 3)] Tensor Execute, [Shape(\"N\", 3)] Tensor ReadScalar, [Shape(\"N\", 3)] Tensor Forward, [Shape(\"N\", 3)] Tensor CheckTargets) => (_d * w + Work + Targets + CheckInput + Execute + ReadScalar + Forward + CheckTargets).Sum() + Losses.CrossEntropy(Work, Load); }")]
    [InlineData("[Model] public partial class M { [Param(5, 3)] Tensor State; [Loss] public Tensor L([Shape(\"N\")] IntTensor Targets, [Shape(\"N\")] IntTensor CheckIndices, [Shape(\"N\", 3)] Tensor MarkRows) => (State.IndexSelect(0, Targets) * MarkRows).Sum() + State.IndexSelect(0, CheckIndices).Sum(); }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; int Math; float MathF; int Vector256; int Unsafe; int MemoryMarshal; int CpuWorkers; int Atomic; int Index1D; int ArrayView; int Action; int Func; int Span; int ReadOnlySpan; int Array; int Kernels; int Kiln; int System; int ILGPU; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => Exp(x * w).Softmax(1); [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x, [Shape(\"N\")] IntTensor t) => Losses.CrossEntropy(Exp(x * w), t) + x.Amax(); }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; class Span {} class ReadOnlySpan {} class Action {} class Func {} class Bound {} [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => x * w; }")]
    [InlineData("public class B { public int Math; public int Array; public int CpuWorkers; } [Model] public partial class M : B { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x) => Exp(x * w).Sum() + x.Amin(); }")]
    [InlineData("[Model] public partial class Bound { [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); }")]
    [InlineData("[Model] public partial class Math { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x) => Exp(x * w).Sum(); }")]
    [InlineData("namespace Q { class Math {} class Vector256 {} class MemoryMarshal {} class Span {} [Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => Exp(x * w); } }")]
    [InlineData("class Math {} class Vector256 {} class Unsafe {} class Atomic {} class Index1D {} [Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x) => Exp(x * w).Sum(); }")]
    [InlineData("[Model] public partial class M { [Param] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x) => (x * w).Sum(); [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => x * w; }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"D\", 3)] Tensor x) => x * w; [Loss] public Tensor L([Shape(\"D\", 3)] Tensor x) => (x * w).Sum(); }")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"s\", 3)] Tensor x, [Shape(\"e\", 3)] Tensor y, [Shape(\"r0\", 3)] Tensor z) => x.Sum(0) * w + y.Sum(0) + z.Sum(0); }")]
    [InlineData("[Model] public partial class M { [Module(3, 2)] Linear seed; [Module(2, 2)] Linear device; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => device.Forward(seed.Forward(x)); }")]
    [InlineData("namespace @params.@class { [Model] public partial class @event { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x) => (x * w).Sum(); } }")]
    public void Any_user_name_compiles(string model)
    {
        var result = GeneratorHarness.Run(Usings + model);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors.Take(4).Select(e => e + " :: " + e.Location.SourceTree?.GetText().Lines[e.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim())));
        Assert.Contains(result.Run.GeneratedTrees, t => t.ToString().Contains("Plan Compile"));
    }

    [Theory]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; public int [|Layout|]() => 1; [Loss] public Tensor L() => w.Sum(); }", "parameter layout")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; public int [|Device|] => 1; [Loss] public Tensor L() => w.Sum(); }", "device")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor [|Parameters|]; [Loss] public Tensor L() => Parameters.Sum(); }", "blocks")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; public int [|CompileL|]() => 1; [Loss] public Tensor L() => w.Sum(); }", "compiles L")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; public int [|LPlan|]() => 1; [Loss] public Tensor L() => w.Sum(); }", "plan class of L")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; class [|FPlan|] {} [Forward] public Tensor F([Shape(3)] Tensor x) => x * w; }", "plan class of F")]
    [InlineData("[Model] public partial class [|LossPlan|] { [Param(3)] Tensor w; [Loss] public Tensor Loss() => w.Sum(); }", "rename the class")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor F([Shape(\"N\", 3)] Tensor x) => x * w; [Forward] public Tensor [|F|]([Shape(\"N\", 3)] Tensor x, [Shape(\"N\", 3)] Tensor y) => x * w + y; }", "distinct names")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Forward] public Tensor [|Layout|]([Shape(3)] Tensor x) => x * w; }", "parameter layout")]
    public void A_name_the_generator_declares_is_KLN0017_at_the_declaration(string marked, string reason)
    {
        var (_, result) = MarkedSource.SingleAt(Usings + marked, "KLN0017", reason, suffix: " [Model] public partial class Fine { [Param(2)] Tensor w; [Loss] public Tensor L() => w.Sum(); }");
        Assert.Single(result.GeneratorDiagnostics);
        Assert.Contains("class Fine", result.Source("Fine"));
    }

    [Theory]
    [InlineData("Device")]
    [InlineData("ModelState")]
    public void A_namespace_that_hides_a_Kiln_type_is_KLN0017(string hidden)
    {
        // found by the fuzz campaign: namespace Kiln.Device makes every global::Kiln.Device in generated code the namespace
        var result = GeneratorHarness.Run($"namespace Kiln.{hidden}.Models {{ using Kiln; [Model] public partial class M {{ [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); }} }}");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("KLN0017", d.Id);
        // the file that declares it is named: a new user's one such file made every model in every file report here
        Assert.Matches($@"namespace 'Kiln\.{hidden}' \(declared in [^)]+\.cs\) hides Kiln's type", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(result.CompileErrors, e => e.Id == "CS0118");
    }

    /// <summary>The fuzz campaign's mutant: namespace Kiln.IntTensor.Models around a model that never names IntTensor.
    /// The built-in Embedding (Kiln.Nn.g.cs, in every compilation) takes a global::Kiln.IntTensor, which C# then reads as
    /// the namespace: the model reports KLN0017 naming the namespace and its file, and the CS0118 left is in that file alone.</summary>
    [Fact]
    public void A_namespace_that_hides_a_type_the_built_in_layers_name_is_KLN0017_too()
    {
        var result = GeneratorHarness.Run("namespace Kiln.IntTensor.Models { using Kiln; [Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); } }");
        var d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("KLN0017", d.Id);
        Assert.Matches(@"namespace 'Kiln\.IntTensor' \(declared in [^)]+\.cs\) hides Kiln's type Kiln\.IntTensor", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(result.CompileErrors, e => Assert.True(e.Id == "CS0118" && e.Location.SourceTree!.FilePath.EndsWith("Kiln.Nn.g.cs"), e.ToString()));
        Assert.Null(ModelFuzzer.Check("namespace Kiln.IntTensor.Models { using Kiln; [Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); } }"));
    }

    [Theory]
    [InlineData("[Model] public partial class [|M|]<T> { [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); }", "generic")]
    [InlineData("[Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L([Shape(\"_n\", 3)] Tensor [|x|]) => (x * w).Sum(); }", "letter first")]
    public void Other_declarations_the_generator_cannot_serve_are_KLN0007(string marked, string reason) => MarkedSource.SingleAt(Usings + marked, "KLN0007", reason);
}

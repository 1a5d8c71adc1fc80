using System.Globalization;
using System.Linq;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>
/// Ops given a dim on a 0-d tensor (PyTorch takes dim 0 or -1 there, as if the tensor had one dim): each compiles or is a
/// user diagnostic, never KLN0009 (the fuzzer found Sum(0) of a 0-d mask indexing past the shape).
/// </summary>
public class ZeroDimTests
{
    private const string Usings = "using Kiln; using Kiln.Nn; using static Kiln.Ops;\n";

    [Theory]
    [InlineData("s.Sum(0)", "")]
    [InlineData("s.Sum(-1, keepDim: true)", "")]
    [InlineData("(s > 0f).Sum(0)", "")]
    [InlineData("s.Mean(0)", "")]
    [InlineData("s.Amax(0)", "")]
    [InlineData("s.Amin(-1)", "")]
    [InlineData("s.Prod(0)", "")]
    [InlineData("s.Max(0).Values", "KLN0004")]
    [InlineData("s.Var(0)", "")]
    [InlineData("s.Std(0)", "")]
    [InlineData("s.LogSumExp(0)", "")]
    [InlineData("s.CumSum(0)", "")]          // the tensor itself, as PyTorch (trial 25)
    [InlineData("s.Softmax(0)", "")]
    [InlineData("s.LogSoftmax(-1)", "")]
    [InlineData("s.Norm(2f, 0)", "")]
    [InlineData("s.Squeeze(0)", "")]         // likewise
    [InlineData("s.Unsqueeze(0).Sum()", "")]
    [InlineData("s.Unsqueeze(-1).Sum()", "")]
    [InlineData("s.Transpose(0, -1)", "")]   // likewise
    [InlineData("s.Chunk(1, 0)[0]", "KLN0004")]
    [InlineData("s.Squeeze(1)", "KLN0004")]
    [InlineData("s.CumSum(-2)", "KLN0004")]
    [InlineData("s.Split(1, 0)[0]", "KLN0004")]
    [InlineData("s.Narrow(0, 0, 1)", "KLN0004")]
    [InlineData("s.Select(0, 0)", "KLN0004")]
    [InlineData("Cat(new[] { s, s }, 0)", "KLN0004")]
    [InlineData("Stack(new[] { s, s }, 0).Sum()", "")]
    [InlineData("s.ArgMax(0).Float()", "KLN0004")]
    [InlineData("s.Flatten()", "")]
    [InlineData("s.Expand(3).Sum()", "")]
    [InlineData("s.Reshape(1, 1).Sum()", "")]
    [InlineData("s.T", "KLN0018")]   // PyTorch deprecates .T off 2-D tensors
    public void A_dim_on_a_0d_tensor_is_served_or_a_user_diagnostic(string expression, string id)
    {
        var result = GeneratorHarness.Run(Usings + $"[Model] public partial class M {{ [Param(3)] Tensor a; [Loss] public Tensor L() {{ var s = a.Sum(); return ({expression}).Sum() + a.Sum(); }} }}");
        // reductions, softmax, squeeze, cumsum and transpose serve dim 0 of a 0-d tensor as PyTorch does; other
        // dim-taking ops name the rank (KLN0004), as PyTorch refuses select, narrow, chunk and cat of a 0-d tensor
        if (id.Length == 0)
        {
            Assert.Empty(result.GeneratorDiagnostics);
            Assert.True(result.CompileErrors.Count == 0, string.Join("\n", result.CompileErrors.Take(3)));
        }
        else
        {
            var d = Assert.Single(result.GeneratorDiagnostics);
            Assert.Equal(id, d.Id);
            Assert.Contains("rank 0", d.GetMessage(CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("Zeros(2, 0)", "every size must be positive")]
    [InlineData("Full([-1], 2f)", "every size must be positive")]
    [InlineData("Arange(3f, 1f)", "empty")]
    [InlineData("Arange(0f, 1f, 0f)", "empty")]
    [InlineData("Linspace(0f, 1f, 0)", "at least one")]
    [InlineData("Logspace(0f, 1f, -2)", "at least one")]
    [InlineData("Eye(0)", "positive")]
    [InlineData("Arange(20000000f)", "2^24")]
    public void A_creation_op_with_an_impossible_size_is_KLN0001_at_the_call(string call, string reason)
    {
        var source = Usings + $"[Model] public partial class M {{ [Param(3)] Tensor a; [Loss] public Tensor L() => ({call}).Sum() + a.Sum(); }}";
        var d = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("KLN0001", d.Id);
        Assert.Contains(reason.Replace("2^24", "16,777,216"), d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(call, source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("[Param(3, 2)] Tensor a;", "a.Split(0, 1)[0]", "KLN0018", "pieces of size 0")]
    [InlineData("[Param(3, 2)] Tensor a;", "a.Split(-2, 0)[0]", "KLN0018", "pieces of size -2")]
    [InlineData("[Param(20001, 1)] Tensor a;", "a.Split(1, 0)[0]", "KLN0001", "20,001 pieces (at most 10,000)")]
    [InlineData("[Param(20001, 1)] Tensor a;", "a.Chunk(20001, 0)[0]", "KLN0001", "20,001 pieces")]
    public void A_split_into_no_or_too_many_pieces_is_a_diagnostic_not_a_hung_compiler(string param, string call, string id, string reason)
    {
        // the fuzzer's Split(0, 1) looped forever in the generator, growing a list until the compiler died; a size PyTorch
        // refuses is an invalid argument (KLN0018), more pieces than a method unrolls is beyond the language (KLN0001)
        var source = Usings + $"[Model] public partial class M {{ {param} [Loss] public Tensor L() => ({call}).Sum(); }}";
        var d = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal(id, d.Id);
        Assert.Contains(reason, d.GetMessage(CultureInfo.InvariantCulture));
    }
}

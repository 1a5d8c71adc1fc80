using System.Linq;
using System.Text.RegularExpressions;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>
/// A flat kernel (a vectorised map, or a sum of all its elements, of one to four operands, each read whole, as one value
/// or as a power-of-two row broadcast down the rows) is generated as a struct holding only its value at one element; the
/// runtime's FlatLoops and FlatLoopsGpu run it, and the plan passes its operands. Its meaning on both paths is checked
/// with every other kernel (the float64 references, the backend parity and gradient-accumulation tests); these check its
/// shape and where it stops.
/// </summary>
public class FlatKernelStructTests
{
    private static string Generate(string members) => GeneratorHarness.Model("Flat", members);

    /// <summary>The text of each generated struct kernel, by name.</summary>
    private static System.Collections.Generic.Dictionary<string, string> Structs(string source) =>
        Regex.Matches(source, @"public struct (K\d+) : IKernel\d\r?\n\s*\{[\s\S]*?\r?\n\s*\}").ToDictionary(m => m.Groups[1].Value, m => m.Value);

    /// <summary>A plan's launch of kernel <paramref name="kernel"/> by the runtime's <c>Fused.{loop}</c>, with the store
    /// and reaches given (type names in Kiln.Kernels), to the end of its line.</summary>
    private static string Launch(string loop, string kernel, params string[] types) =>
        $@"Fused\.{loop}<[\w.:]+\.{kernel}{string.Concat(types.Select(t => ", global::Kiln\\.Kernels\\." + t))}>\(this, [^\n]*";

    [Fact]
    public void Two_layers_at_different_offsets_run_one_struct_kernel_with_their_own_operands()
    {
        var source = Generate("""
            [Param(16, 16)] Tensor w1;
            [Param(16)] Tensor b1;
            [Param(16, 16)] Tensor w2;
            [Param(16)] Tensor b2;
            [Forward] public Tensor Predict([Shape("N", 16)] Tensor x) => Tanh(Linear(Tanh(Linear(x, w1, b1)), w2, b2));
            """);
        var structs = Structs(source);
        var tanh = Assert.Single(structs, s => s.Value.Contains("Tanh"));
        // only the value at one element: no offset, no loop, no array
        Assert.DoesNotContain("d.A", tanh.Value);
        Assert.DoesNotContain("for (", tanh.Value);
        Assert.DoesNotContain("FlatLoops", tanh.Value);
        // each layer passes its own bias (b1 at 256, b2 at 528) as a row of 16 broadcast down the rows, to a map of x
        // whole and the bias row, at 16 lanes and 8
        var calls = Regex.Matches(source, Launch("Map2", tanh.Key, "Assign", "Dense", "Row")).Select(m => m.Value).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Contains(calls, c => c.Contains("In.Params(256).Row(16)"));
        Assert.Contains(calls, c => c.Contains("In.Params(528).Row(16)"));
        Assert.All(calls, c => Assert.DoesNotContain("wide: false", c));
    }

    [Fact]
    public void A_total_reads_a_value_once_for_the_whole_domain()
    {
        var source = Generate("""[Forward] public Tensor Spread([Shape(500)] Tensor x) => ((x - x.Mean()) * (x - x.Mean())).Sum();""");
        // the mean is a total of one operand; the spread, of x and the mean read once
        var total = Assert.Single(Structs(source), s => Regex.IsMatch(source, Launch("Total2", s.Key, "Dense", "One")));
        Assert.Matches(Launch("Total2", total.Key, "Dense", "One") + @"In\.Work\([^)]*\)\.One\]", source);
    }

    [Fact]
    public void A_domain_shorter_than_a_vector_is_a_struct_at_eight_lanes()
    {
        var source = Generate("""[Forward] public Tensor Negate([Shape(3)] Tensor x) => -x;""");
        var neg = Assert.Single(Structs(source));
        Assert.Matches(Launch("Map1", neg.Key, "Assign", "Dense") + "wide: false\\);", source);
        Assert.DoesNotContain("Vec16", source);
        Assert.Contains("(8 lanes)", source);
    }

    [Fact]
    public void Five_operands_keep_the_two_forms_and_a_bias_row_of_24_runs_in_the_rows_loops()
    {
        // five operands (the loops take four); a bias row 24 long (not a power of two: the Rows loops, not the flat ones)
        var source = Generate("""
            [Param(24)] Tensor b;
            [Forward] public Tensor Five([Shape(64)] Tensor a, [Shape(64)] Tensor c, [Shape(64)] Tensor e, [Shape(64)] Tensor f, [Shape(64)] Tensor h) => a * c + e * f - h;
            [Forward] public Tensor Biased([Shape(8, 24)] Tensor x) => Tanh(x + b);
            """);
        var biased = Assert.Single(Structs(source));
        Assert.Matches(Launch("Rows2", biased.Key, "Assign", "Dense", "Row") + @"In\.Params\(0\)\.Row\(24\)\][^\n]*Launch\.RowMap\(192, 24\)", source);
        Assert.Equal(1, Regex.Matches(source, @"public static void K\d+\(Index1D index").Count);
        Assert.Matches(@"public static void K\d+Cpu<S>\(KernelArrays a, KernelArgs d, int c, int stop\)", source);
    }

    /// <summary>A bias row 12 long (not a power of two) runs in the Rows loops: each row a vector of 8 and a partial one,
    /// the bias read at the column (a flat loop would read it at c % 12, one element at a time).</summary>
    [Fact]
    public void A_bias_row_of_twelve_runs_each_row_in_vectors()
    {
        var source = Generate("""
            [Param(12)] Tensor b;
            [Forward] public Tensor Twelve([Shape(8, 12)] Tensor x) => Tanh(x + b);
            """);
        var twelve = Assert.Single(Structs(source));
        Assert.Matches(Launch("Rows2", twelve.Key, "Assign", "Dense", "Row") + "wide: false", source);
        Assert.Contains("(8 lanes), kernel K", source);
        Assert.DoesNotContain("Vec16", source);
        Assert.DoesNotContain("c % 12", source);
    }

    /// <summary>
    /// The Rows loops also take one value per row (Col: a per-sample weight) and sum each row into one value (a row
    /// total), for a row length bound only when the plan is compiled.
    /// </summary>
    [Fact]
    public void A_value_per_row_and_a_sum_per_row_are_rows_loops_structs()
    {
        var source = Generate("""
            [Forward] public Tensor Weighted([Shape("N", "C")] Tensor x, [Shape("N", 1)] Tensor w) => Exp(x) * w;
            [Forward] public Tensor Rows([Shape("N", "C")] Tensor x, [Shape("N", 1)] Tensor w) => (Exp(x) * w).Sum(1);
            """);
        var structs = Structs(source);
        var map = Assert.Single(structs, s => Regex.IsMatch(source, Launch("Rows2", s.Key, "Assign", "Dense", "Col")));
        var rows = Assert.Single(structs, s => Regex.IsMatch(source, Launch("RowTotals2", s.Key, "Dense", "Col")));
        Assert.Matches(Launch("Rows2", map.Key, "Assign", "Dense", "Col") + @"\.Col\][^\n]*Launch\.RowMap\(_d\.C \* _d\.N, _d\.C\)", source);
        Assert.Matches(Launch("RowTotals2", rows.Key, "Dense", "Col") + @"Launch\.Rows\(_d\.C \* _d\.N, _d\.C\)", source);
    }

    /// <summary>A sum of every element that reads an operand per row runs in the Rows loops too, whole rows per worker.</summary>
    [Fact]
    public void A_total_over_rows_with_a_value_per_row_is_a_rows_loops_struct()
    {
        var source = Generate("""
            [Forward] public Tensor Total([Shape("N", 12)] Tensor x, [Shape("N", 1)] Tensor w) => (Exp(x) * w).Sum();
            """);
        var total = Assert.Single(Structs(source), s => Regex.IsMatch(source, Launch("TotalByRows2", s.Key, "Dense", "Col")));
        Assert.Matches(Launch("TotalByRows2", total.Key, "Dense", "Col") + @"\.Col\][^\n]*Launch\.TotalByRows\(12 \* _d\.N, 12\)", source);
    }
}

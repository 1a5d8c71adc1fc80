using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Kiln.Kernels;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// A generated kernel's managed form is written once, generic over its lanes, and runs sixteen at a time (Vec16) where
/// Vector512 is accelerated, as on this machine, and eight (Vec8) elsewhere. The other tests run the width this machine
/// picks; these run the meaning checks again at eight lanes, so both forms of every kernel are checked against the
/// float64 references, and check that the switch reaches the generated kernels.
/// </summary>
[Collection(nameof(VectorWidth))]
public class EightLaneTests
{
    private static void AtEightLanes(Action check)
    {
        bool was = VectorWidths.ForceVector256;
        VectorWidths.ForceVector256 = true;
        try { check(); }
        finally { VectorWidths.ForceVector256 = was; }
    }

    /// <summary>The managed device's name says the vectors its kernels run (it said 256-bit, Vector&lt;float&gt;'s width, while
    /// the kernels ran 512).</summary>
    [Fact]
    public void The_managed_device_names_the_width_its_kernels_run()
    {
        using var d = Device.ManagedCpu();
        if (Vector512.IsHardwareAccelerated && !VectorWidths.ForceVector256) Assert.Contains("512-bit SIMD", d.Name);
        AtEightLanes(() => { if (Vector256.IsHardwareAccelerated) Assert.Contains("256-bit SIMD", d.Name); });
    }

    [Theory]
    [MemberData(nameof(ReferenceValueTests.Methods), MemberType = typeof(ReferenceValueTests))]
    public void Generated_plan_at_eight_lanes_matches_the_PyTorch_reference(string model, string method) =>
        AtEightLanes(() => new ReferenceValueTests().Generated_plan_matches_the_PyTorch_reference(model, method));

    public static TheoryData<string, string, string> ManagedActivations()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var row in ActivationEdgeTests.Cases().Select(r => (object[])r).Where(r => (string)r[0] == "cpu"))
            data.Add((string)row[0], (string)row[1], (string)row[2]);
        return data;
    }

    [Theory]
    [MemberData(nameof(ManagedActivations))]
    public void Activations_at_eight_lanes_keep_PyTorchs_values_at_the_edges(string device, string op, string method) =>
        AtEightLanes(() => new ActivationEdgeTests().Values_and_gradients_at_the_edges_are_PyTorchs(device, op, method));

    /// <summary>The sampling plans' draws at eight lanes: the normals' Vector256 form (Doubles4: its halves of the eight
    /// Philox blocks, their interleaving and where each half is stored) gives the reference values bit for bit.</summary>
    [Fact]
    public void Draws_at_eight_lanes_are_the_reference_values() =>
        AtEightLanes(() => { using var t = new RandomTests(); t.Every_plan_draws_the_reference_values_of_its_seed_and_ticket(); });

    /// <summary>The eager tensors' elementwise rows (the same op tables' vector forms) at eight lanes.</summary>
    [Theory]
    [MemberData(nameof(EagerTensorTests.OpOverloads), MemberType = typeof(EagerTensorTests))]
    public void Eager_ops_at_eight_lanes_match_their_float64_references(string signature) =>
        AtEightLanes(() => new EagerTensorTests().Every_functional_op_matches_its_float64_reference(signature));

    [Fact]
    public void The_expm1_family_at_eight_lanes_keeps_its_relative_precision_near_zero() =>
        AtEightLanes(() => new ActivationEdgeTests().The_expm1_family_keeps_its_relative_precision_near_zero("cpu"));

    /// <summary>
    /// A sum of squares of 4,099 values through one generated kernel at each width: both within float rounding of the
    /// float64 sum, and, where sixteen lanes run, not bit-identical to the eight-lane total (the lanes add in another
    /// order), which shows the width switch reaches the generated code. Two squares of 10⁸ at indices 0 and 8 share lane 0
    /// at eight lanes and sit in lanes 0 and 8 at sixteen; each float lane accumulator holding 10⁸ (ulp 8) or 2·10⁸ (16)
    /// drops the squares of 1 added to it within a block of 32 vectors: 31 of them at eight lanes, 62 at sixteen, a
    /// difference the double the blocks go into keeps and the float result (ulp 16 at 2·10⁸) still shows.
    /// </summary>
    [Fact]
    public void Both_widths_of_a_generated_sum_match_float64_and_differ_in_their_rounding()
    {
        var x = Enumerable.Repeat(1f, 4099).ToArray();
        x[0] = x[8] = 1e4f;
        double truth = x.Sum(v => (double)v * v);
        using var device = Device.ManagedCpu();
        var m = new SumOfSquares(device);
        using var plan = m.CompileTotal();
        bool sixteen = VectorWidths.Wide;   // false where Vector512 is not accelerated, or under KILN_VECTOR256=1
        float wide = plan.Run(x)[0];
        float narrow = 0;
        AtEightLanes(() => narrow = plan.Run(x)[0]);
        Assert.True(Math.Abs(wide - truth) <= 1e-5 * truth, $"sum at the default width {wide}, float64 {truth}");
        Assert.True(Math.Abs(narrow - truth) <= 1e-5 * truth, $"sum at eight lanes {narrow}, float64 {truth}");
        if (sixteen) Assert.NotEqual(wide, narrow);
    }
}

using System;
using System.Linq;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Checks the float64 reference for the creation functions (Support/ReferenceOps.Creation.cs) against the example
/// outputs printed in PyTorch's documentation for torch.zeros, ones, full, zeros_like, ones_like, arange, linspace,
/// logspace and eye, shapes included. PyTorch prints 4 decimals, so a printed value p stands for anything within
/// 0.5e-4 of p (fixed notation) or within 0.5e-4 of its mantissa (scientific notation); whole numbers printed as
/// "1." or "10" are checked exactly. A few hand-worked cases (marked) cover what the printed examples do not.
/// </summary>
public class ReferenceCreationTests
{
    // ---------------------------------------------------------------- helpers

    // Half a unit in the 4th printed decimal, with a hair of slack for the double arithmetic.
    private const double Printed = 0.5e-4 + 1e-12;

    private static void AssertShape(RefTensor t, params int[] shape) =>
        Assert.True(t.Shape.SequenceEqual(shape), $"shape {RefTensor.ShapeText(t.Shape)}, expected {RefTensor.ShapeText(shape)}");

    // Exact values: the printed example shows whole numbers (or the fill is known exactly).
    private static void AssertExact(RefTensor t, int[] shape, params double[] values)
    {
        AssertShape(t, shape);
        Assert.True(t.Data.SequenceEqual(values), $"values [{string.Join(", ", t.Data)}], expected [{string.Join(", ", values)}]");
    }

    // Values printed in fixed notation with 4 decimals: |actual − printed| ≤ 0.5e-4.
    private static void AssertPrinted(RefTensor t, int[] shape, params double[] printed)
    {
        AssertShape(t, shape);
        Assert.Equal(printed.Length, t.Count);
        for (int i = 0; i < printed.Length; i++)
            Assert.True(Math.Abs(t.Data[i] - printed[i]) <= Printed, $"element {i}: {t.Data[i]:R}, printed {printed[i]}");
    }

    // Values printed in scientific notation with a 4-decimal mantissa: |actual − printed| ≤ 0.5e-4·|printed|
    // (half a unit in the mantissa's 4th decimal is at most this, since the mantissa is at least 1).
    private static void AssertPrintedScientific(RefTensor t, int[] shape, params double[] printed)
    {
        AssertShape(t, shape);
        Assert.Equal(printed.Length, t.Count);
        for (int i = 0; i < printed.Length; i++)
            Assert.True(Math.Abs(t.Data[i] - printed[i]) <= Printed * Math.Abs(printed[i]), $"element {i}: {t.Data[i]:R}, printed {printed[i]:E4}");
    }

    // ---------------------------------------------------------------- zeros, ones, full

    [Fact]
    public void Zeros_DocumentedExamples()
    {
        AssertExact(ReferenceOps.Zeros(2, 3), [2, 3], 0, 0, 0, 0, 0, 0); // torch.zeros(2, 3) -> tensor([[0., 0., 0.], [0., 0., 0.]])
        AssertExact(ReferenceOps.Zeros(5), [5], 0, 0, 0, 0, 0);          // torch.zeros(5) -> tensor([0., 0., 0., 0., 0.])
    }

    [Fact]
    public void Ones_DocumentedExamples()
    {
        AssertExact(ReferenceOps.Ones(2, 3), [2, 3], 1, 1, 1, 1, 1, 1);  // torch.ones(2, 3) -> tensor([[1., 1., 1.], [1., 1., 1.]])
        AssertExact(ReferenceOps.Ones(5), [5], 1, 1, 1, 1, 1);           // torch.ones(5) -> tensor([1., 1., 1., 1., 1.])
    }

    [Fact]
    public void Full_DocumentedExample()
    {
        var full = ReferenceOps.Full([2, 3], 3.141592);
        // torch.full((2, 3), 3.141592) -> tensor([[3.1416, 3.1416, 3.1416], [3.1416, 3.1416, 3.1416]])
        AssertPrinted(full, [2, 3], 3.1416, 3.1416, 3.1416, 3.1416, 3.1416, 3.1416);
        AssertExact(full, [2, 3], Enumerable.Repeat(3.141592, 6).ToArray()); // the fill value itself, unrounded
    }

    [Fact]
    public void NoSize_IsAZeroDimTensor()
    {
        // hand-worked, not a printed example: torch.zeros(()) and torch.ones(()) are 0-d tensors of one element
        AssertExact(ReferenceOps.Zeros(), [], 0);
        AssertExact(ReferenceOps.Ones(), [], 1);
        AssertExact(ReferenceOps.Full([], 2.5), [], 2.5);
        AssertShape(ReferenceOps.Zeros(0, 3), 0, 3); // a zero dim holds no elements
        Assert.Throws<ArgumentException>(() => ReferenceOps.Zeros(2, -1));
    }

    // ---------------------------------------------------------------- zeros_like, ones_like, full_like

    [Fact]
    public void ZerosLike_DocumentedExample()
    {
        // input = torch.empty(2, 3); the input's values are never read, so any 2x3 stands in for empty
        var input = new RefTensor([2, 3], [7, -1, 2.5, double.NaN, 0, 9]);
        AssertExact(ReferenceOps.ZerosLike(input), [2, 3], 0, 0, 0, 0, 0, 0); // torch.zeros_like(input) -> tensor([[0., 0., 0.], [0., 0., 0.]])
    }

    [Fact]
    public void OnesLike_DocumentedExample()
    {
        var input = new RefTensor([2, 3], [7, -1, 2.5, double.NaN, 0, 9]); // input = torch.empty(2, 3)
        AssertExact(ReferenceOps.OnesLike(input), [2, 3], 1, 1, 1, 1, 1, 1);  // torch.ones_like(input) -> tensor([[1., 1., 1.], [1., 1., 1.]])
    }

    [Fact]
    public void FullLike_IsFullOfTheInputsSize()
    {
        // torch.full_like has no printed example; its documentation says full_like(input, fill_value) is
        // equivalent to torch.full(input.size(), fill_value)
        var input = new RefTensor([2, 3], [7, -1, 2.5, double.NaN, 0, 9]);
        var like = ReferenceOps.FullLike(input, 3.141592);
        var full = ReferenceOps.Full([2, 3], 3.141592);
        AssertExact(like, full.Shape, full.Data);
        AssertPrinted(like, [2, 3], 3.1416, 3.1416, 3.1416, 3.1416, 3.1416, 3.1416);
        AssertExact(ReferenceOps.ZerosLike(RefTensor.Scalar(4)), [], 0); // a 0-d input gives a 0-d result
    }

    // ---------------------------------------------------------------- arange

    [Fact]
    public void Arange_DocumentedExamples()
    {
        AssertExact(ReferenceOps.Arange(5), [5], 0, 1, 2, 3, 4);          // torch.arange(5) -> tensor([0, 1, 2, 3, 4])
        AssertExact(ReferenceOps.Arange(1, 4, 1), [3], 1, 2, 3);          // torch.arange(1, 4) -> tensor([1, 2, 3])
        AssertPrinted(ReferenceOps.Arange(1, 2.5, 0.5), [3], 1.0, 1.5, 2.0); // torch.arange(1, 2.5, 0.5) -> tensor([1.0000, 1.5000, 2.0000])
    }

    [Fact]
    public void Arange_LengthIsTheCeiling_AndBadRangesAreRefused()
    {
        // hand-worked from the documented size ceil((end − start) / step), not printed examples
        AssertShape(ReferenceOps.Arange(2.5), 3);                            // ceil(2.5) = 3: 0, 1, 2
        AssertExact(ReferenceOps.Arange(5, 0, -2), [3], 5, 3, 1);           // ceil(−5 / −2) = 3
        AssertShape(ReferenceOps.Arange(3, 3, 1), 0);                        // empty
        Assert.Throws<ArgumentException>(() => ReferenceOps.Arange(0, 5, 0)); // step must be nonzero
        Assert.Throws<ArgumentException>(() => ReferenceOps.Arange(5, 0, 1)); // range against the step's sign
    }

    // ---------------------------------------------------------------- linspace

    [Fact]
    public void Linspace_DocumentedExamples()
    {
        // torch.linspace(3, 10, steps=5) -> tensor([ 3.0000,  4.7500,  6.5000,  8.2500, 10.0000])
        AssertPrinted(ReferenceOps.Linspace(3, 10, 5), [5], 3.0, 4.75, 6.5, 8.25, 10.0);
        // torch.linspace(-10, 10, steps=5) -> tensor([-10.,  -5.,   0.,   5.,  10.])
        AssertExact(ReferenceOps.Linspace(-10, 10, 5), [5], -10, -5, 0, 5, 10);
        // torch.linspace(start=-10, end=10, steps=5) -> tensor([-10.,  -5.,   0.,   5.,  10.])
        AssertExact(ReferenceOps.Linspace(start: -10, end: 10, steps: 5), [5], -10, -5, 0, 5, 10);
        // torch.linspace(start=-10, end=10, steps=1) -> tensor([-10.])
        AssertExact(ReferenceOps.Linspace(start: -10, end: 10, steps: 1), [1], -10);
    }

    [Fact]
    public void Linspace_EndsAreExact()
    {
        // hand-worked: the documented sequence starts at start and ends at end, whatever the rounding between
        var x = ReferenceOps.Linspace(0.1, 0.7, 7);
        AssertShape(x, 7);
        Assert.Equal(0.1, x.Data[0]);
        Assert.Equal(0.7, x.Data[6]);
        AssertShape(ReferenceOps.Linspace(0, 1, 0), 0); // steps = 0 is empty
        Assert.Throws<ArgumentException>(() => ReferenceOps.Linspace(0, 1, -1));
    }

    // ---------------------------------------------------------------- logspace

    [Fact]
    public void Logspace_DocumentedExamples()
    {
        // torch.logspace(start=-10, end=10, steps=5) -> tensor([ 1.0000e-10,  1.0000e-05,  1.0000e+00,  1.0000e+05,  1.0000e+10])
        AssertPrintedScientific(ReferenceOps.Logspace(start: -10, end: 10, steps: 5), [5], 1.0000e-10, 1.0000e-05, 1.0000e+00, 1.0000e+05, 1.0000e+10);
        // torch.logspace(start=0.1, end=1.0, steps=5) -> tensor([  1.2589,   2.1135,   3.5481,   5.9566,  10.0000])
        AssertPrinted(ReferenceOps.Logspace(start: 0.1, end: 1.0, steps: 5), [5], 1.2589, 2.1135, 3.5481, 5.9566, 10.0000);
        // torch.logspace(start=0.1, end=1.0, steps=1) -> tensor([1.2589])
        AssertPrinted(ReferenceOps.Logspace(start: 0.1, end: 1.0, steps: 1), [1], 1.2589);
        // torch.logspace(start=2, end=2, steps=1, base=2) -> tensor([4.0])
        AssertPrinted(ReferenceOps.Logspace(start: 2, end: 2, steps: 1, @base: 2), [1], 4.0);
    }

    // ---------------------------------------------------------------- eye

    [Fact]
    public void Eye_DocumentedExample()
    {
        // torch.eye(3) -> tensor([[1., 0., 0.], [0., 1., 0.], [0., 0., 1.]])
        AssertExact(ReferenceOps.Eye(3), [3, 3],
            1, 0, 0,
            0, 1, 0,
            0, 0, 1);
    }

    [Fact]
    public void Eye_NonSquare()
    {
        // hand-worked, not printed: eye(n, m) is n rows by m columns with ones on the main diagonal
        AssertExact(ReferenceOps.Eye(2, 3), [2, 3],
            1, 0, 0,
            0, 1, 0);
        AssertExact(ReferenceOps.Eye(3, 2), [3, 2],
            1, 0,
            0, 1,
            0, 0);
        AssertShape(ReferenceOps.Eye(0), 0, 0);
        Assert.Throws<ArgumentException>(() => ReferenceOps.Eye(-1));
    }
}

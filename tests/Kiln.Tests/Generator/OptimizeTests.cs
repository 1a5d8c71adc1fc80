extern alias gen;
using System;
using System.Collections.Generic;
using System.Linq;
using gen::Kiln.Generator;
using gen::Kiln.Generator.Ir;
using gen::Kiln.Generator.Model;
using gen::Kiln.Generator.Ops;
using gen::Kiln.Generator.Optimize;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>
/// Stage Optimize as named rewrites, DSL in and node out; and the graph validator between every stage, run over
/// every test model, and shown to catch a broken graph.
/// </summary>
public class OptimizeTests
{
    private static readonly Shape Vec = new([Size.Symbol("N")]);
    private static readonly Shape Mat = new([Size.Symbol("N"), Size.Of(3)]);

    /// <summary>One expression per rewrite, and what it must become.</summary>
    private static readonly (string Rule, Func<GraphBuilder, Node, Node, (Node Built, Node Expected)> Case)[] Cases =
    [
        ("add-zero", (b, x, _) => (b.Add(b.Const(0), x), x)),
        ("mul-one", (b, x, _) => (b.Div(x, b.Const(1)), x)),
        ("mul-broadcast-one", (b, x, m) => (b.Mul(b.Expand(b.Const(1), Mat), x.Shape.Rank == 1 ? b.Reshape(x, new Shape([Size.Symbol("N"), Size.Of(1)])) : x),
            b.Expand(b.Reshape(x, new Shape([Size.Symbol("N"), Size.Of(1)])), Mat))),
        ("broadcast-of-broadcast", (b, x, _) => (b.Expand(b.Expand(x, new Shape([Size.Of(3), Size.Symbol("N")])), new Shape([Size.Of(2), Size.Of(3), Size.Symbol("N")])),
            b.Expand(x, new Shape([Size.Of(2), Size.Of(3), Size.Symbol("N")])))),
        ("mul-minus-one", (b, x, _) => (b.Mul(b.Const(-1), x), b.Neg(x))),
        ("zero-minus", (b, x, _) => (b.Sub(b.Const(0), x), b.Neg(x))),
        ("double-negation", (b, x, _) => (b.Neg(b.Neg(x)), x)),
        ("constant-power", (b, x, _) => (b.Pow(x, b.Const(2)), b.Mul(x, x))),
        ("fold-constants", (b, _, _) => (b.Unary(Unary.Exp, b.Add(b.Const(1), b.Const(1))), b.Const(Math.Exp(2)))),
        ("fold-broadcast-constants", (b, _, m) => (b.Mul(b.Mul(b.Expand(b.Const(1), Mat), b.Const(0.5)), b.Const(0.5)), b.Expand(b.Const(0.25), Mat))),
        ("reshape-of-reshape", (b, _, m) => (b.Reshape(b.Reshape(m, new Shape([Size.Symbol("N") * Size.Of(3)])), new Shape([Size.Of(3), Size.Symbol("N")])),
            b.Reshape(m, new Shape([Size.Of(3), Size.Symbol("N")])))),
        ("reshape-of-constant", (b, _, _) => (b.Reshape(b.Const(2), new Shape([Size.Of(1)])), b.Expand(b.Const(2), new Shape([Size.Of(1)])))),
        ("view-of-view", (b, _, m) => (b.Strided(b.Strided(m, View([0, 1], [0, 1], [1, 1]), Cols(2)), View([0, 1], [0, 1], [1, 1]), Cols(1)),
            b.Strided(m, View([0, 1], [0, 2], [1, 1]), Cols(1)))),
        ("unit-dims-of-view", (b, _, m) => (b.Reshape(b.Strided(m, View([0, 1], [0, 1], [1, 1]), Cols(2)), new Shape([Size.Symbol("N"), Size.Of(1), Size.Of(2)])),
            b.Strided(m, View([0, -1, 1], [0, 1], [1, 1, 1]), new Shape([Size.Symbol("N"), Size.Of(1), Size.Of(2)])))),
        ("transpose-into-matmul", (b, _, m) => (b.MatMul(b.Transpose(m, 0, 1), m, false, false), b.MatMul(m, m, true, false))),
    ];

    private static NodeAttrs View(int[] axes, long[] starts, long[] steps) =>
        new() { Axes = axes.ToEquatable(), Starts = starts.ToEquatable(), Steps = steps.ToEquatable() };

    private static Shape Cols(int n) => new([Size.Symbol("N"), Size.Of(n)]);

    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var r in Rewrites.InOrder) data.Add(r.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Every_rewrite_has_a_case_and_fires_on_it(string rule)
    {
        var (_, make) = Assert.Single(Cases, c => c.Rule == rule);
        var b = new GraphBuilder();
        var (built, expected) = make(b, b.Input("x", Vec, isInt: false), b.Input("m", Mat, isInt: false));
        Assert.Same(expected, built);
        Assert.True(b.Fired.ContainsKey(rule), $"'{rule}' did not fire; fired: {string.Join(", ", b.Fired.Keys)}");
    }

    [Fact]
    public void A_value_with_the_wrong_shape_for_an_identity_is_not_rewritten()
    {
        // 0 + x where 0 is broadcast against a larger shape must stay an Add: x alone would have the wrong shape
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape([Size.Of(1)]), isInt: false);
        var y = b.Add(x, b.Input("zeros", Mat, isInt: false));
        Assert.Equal(Mat, y.Shape);
        Assert.Same(Arithmetic.Add, y.Op);
    }

    public static TheoryData<string, string> Methods() => Reference.MethodData();

    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_stage_keeps_the_graph_valid(string model, string method)
    {
        var (graph, layout) = Reference.Lower(model, method);
        Compiler.CompileMethod(graph, layout, validate: true);
    }

    [Fact]
    public void The_validator_rejects_a_shape_that_breaks_its_ops_rule()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", Mat, isInt: false);
        var bad = new Node(100, Arithmetic.Add, [x, x], Vec, NodeAttrs.None);
        var e = Assert.Throws<InvalidOperationException>(() => GraphValidator.Graph("Check", [bad]));
        Assert.Contains("do not broadcast", e.Message);
        var matmul = new Node(101, MatMulOp.Instance, [x, x], new Shape([Size.Symbol("N"), Size.Symbol("N")]), NodeAttrs.None);
        Assert.Contains("inner dims", Assert.Throws<InvalidOperationException>(() => GraphValidator.Graph("Check", [matmul])).Message);
    }

    [Fact]
    public void The_validator_rejects_an_input_built_after_its_user()
    {
        var early = new Node(0, Unary.Exp, [new Node(5, Leaves.Input, [], Vec, new NodeAttrs { Name = "y" })], Vec, NodeAttrs.None);
        Assert.Contains("built after", Assert.Throws<InvalidOperationException>(() => GraphValidator.Graph("Check", [early])).Message);
    }
}

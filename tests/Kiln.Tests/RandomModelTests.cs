extern alias gen;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using gen::Kiln.Generator.Check;
using gen::Kiln.Generator.Ir;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Random well-shaped models, end to end: source text → generator → C# compiler → loaded assembly → plan, whose loss
/// and gradients must match the float64 interpreter and its finite differences. Shared subexpressions, broadcasts,
/// reductions, softmax rows, views and matmuls in random combinations exercise fusion and the memory plan's slot reuse.
/// </summary>
public class RandomModelTests
{
    private sealed record Value(string Code, int[] Shape);

    /// <summary>Writes one random model: params, a few shared locals, and Σ(expr · r).</summary>
    private static (string Source, int[] OutShape) Program(int seed)
    {
        var rng = new SeededRandom((ulong)seed);
        int[][] shapes = [[3, 4], [4], [3, 1], [1, 4], [2, 3, 4]];
        var pool = new List<Value>();
        var decl = new StringBuilder();
        for (int i = 0; i < 4; i++)
        {
            var shape = shapes[rng.NextInt(shapes.Length)];
            decl.AppendLine($"    [Param({string.Join(", ", shape)})] Tensor p{i};");
            pool.Add(new Value($"p{i}", shape));
        }
        var body = new StringBuilder();
        for (int local = 0; local < 5; local++)
        {
            var v = Expr(rng, pool, depth: 2);
            body.AppendLine($"        var h{local} = {v.Code};");
            pool.Add(new Value($"h{local}", v.Shape));
        }
        var result = Expr(rng, pool, depth: 2);
        var source = $$"""
            using Kiln;
            using static Kiln.Ops;

            namespace Random{{seed}};

            [Model]
            public partial class R
            {
            {{decl}}
                [Loss]
                public Tensor Loss([Shape({{string.Join(", ", result.Shape.DefaultIfEmpty(1))}})] Tensor r)
                {
            {{body}}        return ({{(result.Shape.Length == 0 ? $"({result.Code}).Reshape(1)" : result.Code)}} * r).Sum();
                }
            }
            """;
        return (source, result.Shape.Length == 0 ? [1] : result.Shape);
    }

    private static int[]? Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1, db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1) return null;
            r[i] = Math.Max(da, db);
        }
        return r;
    }

    private static Value Expr(SeededRandom rng, List<Value> pool, int depth)
    {
        var a = depth == 0 ? pool[rng.NextInt(pool.Count)] : Expr(rng, pool, depth - 1);
        switch (rng.NextInt(9))
        {
            case 0:
            case 1:
            case 2:
            {
                var b = depth == 0 ? pool[rng.NextInt(pool.Count)] : Expr(rng, pool, depth - 1);
                var shape = Broadcast(a.Shape, b.Shape);
                if (shape is null) return a;
                string op = new[] { "+", "-", "*" }[rng.NextInt(3)];
                return new Value($"({a.Code} {op} {b.Code})", shape);
            }
            case 3:
                return new Value($"{new[] { "Tanh", "Sigmoid", "Softplus" }[rng.NextInt(3)]}({a.Code})", a.Shape);
            case 4:
                return new Value($"Exp({a.Code} * 0.3f)", a.Shape);
            case 5 when a.Shape.Length > 0:
            {
                int dim = rng.NextInt(a.Shape.Length);
                var kept = (int[])a.Shape.Clone();
                kept[dim] = 1;
                return new Value($"{a.Code}.{(rng.NextInt(2) == 0 ? "Sum" : "Mean")}({dim}, keepDim: true)", kept);
            }
            case 6 when a.Shape.Length > 0:
                return new Value($"Softmax({a.Code}, {rng.NextInt(a.Shape.Length)})", a.Shape);
            case 7 when a.Shape.Length >= 2:
                return new Value($"{a.Code}.Transpose({a.Shape.Length - 2}, {a.Shape.Length - 1}).Transpose({a.Shape.Length - 2}, {a.Shape.Length - 1})", a.Shape);
            case 8 when a.Shape.Length >= 1 && a.Shape[^1] == 4:
            {
                // a · W for a fresh-looking W made from p-values: reuse an existing [4]-ended operand transposed
                var w = pool.FirstOrDefault(v => v.Shape.Length == 2 && v.Shape[1] == 4);
                if (w is null) return a;
                var shape = a.Shape.Take(a.Shape.Length - 1).Append(w.Shape[0]).ToArray();
                return new Value($"{a.Code}.MatMul({w.Code}.Transpose(0, 1))", shape);
            }
            default:
                return a;
        }
    }

    public static TheoryData<int> Seeds() { var d = new TheoryData<int>(); for (int s = 1; s <= 40; s++) d.Add(s); return d; }

    [Fact]
    public void The_random_programs_cover_every_construct()
    {
        var all = string.Join("\n", Enumerable.Range(1, 40).Select(s => Program(s).Source));
        foreach (var construct in new[] { ".MatMul(", "Softmax(", ".Sum(", ".Mean(", ".Transpose(", "Exp(", "Tanh(", "Sigmoid(", "Softplus(", " * ", " - ", " + " })
            Assert.Contains(construct, all);
        // shared locals: some h is read more than once in one program
        Assert.Contains(Enumerable.Range(1, 40).Select(s => Program(s).Source), src => Enumerable.Range(0, 5).Any(h => src.Split($"h{h}").Length > 3));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_model_matches_reference_and_finite_differences(int seed)
    {
        var (source, outShape) = Program(seed);
        var run = GeneratorHarness.Run(source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, source + "\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompileErrors.Count == 0, source + "\n" + string.Join("\n", run.CompileErrors));
        using var stream = new MemoryStream();
        var emit = run.Output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new AssemblyLoadContext("random" + seed, isCollectible: true);
        try
        {
            stream.Position = 0;
            var assembly = context.LoadFromStream(stream);
            var type = assembly.GetType($"Random{seed}.R")!;
            using var device = Device.ManagedCpu();
            var model = type.GetConstructor([typeof(Device), typeof(int)])!.Invoke([device, 3]);
            using var plan = (Plan)type.GetMethod("CompileLoss")!.Invoke(model, [])!;
            var rng = new SeededRandom((ulong)seed + 100);
            var r = Enumerable.Range(0, outShape.Aggregate(1, (x, y) => x * y)).Select(_ => rng.Uniform(-1, 1)).ToArray();
            float loss = plan.Invoke([r], backward: true)[0];

            var specs = Reference.DiscoverAll(source, gen::Kiln.Generator.BuiltIns.Source);
            var spec = specs.Values.Single(m => m.Name == "R");
            var lowerer = new Lowerer(spec, specs, []);
            var graph = lowerer.Lower(spec.Methods.Single(m => m.Name == "Loss"))!;
            var parameters = lowerer.Layout.ToDictionary(p => p.Path, p => plan.State.Get(p.Path).Select(x => (double)x).ToArray());
            var inputs = new Dictionary<string, double[]> { ["r"] = r.Select(x => (double)x).ToArray() };
            var dims = new Dictionary<string, int>();
            double Evaluate() => Interpreter.Evaluate([graph.Output], inputs, parameters, dims)[graph.Output][0];
            double expected = Evaluate();
            Assert.True(OpGradientTests.Close(loss, expected, 1e-4), $"loss {loss} vs {expected}\n{source}");
            foreach (var p in lowerer.Layout)
            {
                var grad = plan.State.Grad(p.Path);
                var values = parameters[p.Path];
                for (int i = 0; i < values.Length; i++)
                {
                    double saved = values[i];
                    values[i] = saved + 1e-5; double plus = Evaluate();
                    values[i] = saved - 1e-5; double minus = Evaluate();
                    values[i] = saved;
                    double fd = (plus - minus) / 2e-5;
                    Assert.True(OpGradientTests.Close(grad[i], fd, 1e-3), $"d/d {p.Path}[{i}]: {grad[i]} vs {fd}\n{source}");
                }
            }

            if (seed % 4 != 0) return;
            // every fourth model also runs the ILGPU form of its kernels: same loss and gradients
            using var ilgpu = Device.IlgpuCpu();
            var twin = type.GetConstructor([typeof(Device), typeof(int)])!.Invoke([ilgpu, 3]);
            using var twinPlan = (Plan)type.GetMethod("CompileLoss")!.Invoke(twin, [])!;
            Assert.True(OpGradientTests.Close(twinPlan.Invoke([r], backward: true)[0], loss, 1e-5));
            foreach (var p in lowerer.Layout)
                Assert.Equal(plan.State.Grad(p.Path), twinPlan.State.Grad(p.Path), (x, y) => OpGradientTests.Close(y, x, 1e-5));
        }
        finally
        {
            context.Unload();
        }
    }
}

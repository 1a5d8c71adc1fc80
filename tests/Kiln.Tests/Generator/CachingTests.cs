extern alias gen;
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using gen::Kiln.Generator;
using Kiln.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>Incrementality: an unrelated edit re-runs nothing, and no symbol or syntax leaks into the pipeline.</summary>
public class CachingTests
{
    private const string Model = "using Kiln; using Kiln.Nn; [Model] public partial class M { [Module(3, 2)] Linear l; [Loss] public Tensor L([Shape(\"N\", 3)] Tensor x, [Shape(\"N\", 2)] Tensor y) => Losses.MseLoss(l.Forward(x), y); }";

    private static readonly string[] Steps = [TrackingNames.Discover, TrackingNames.AllModels, TrackingNames.Compile, TrackingNames.Source, TrackingNames.Diagnostics];

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.Compilation(Model, "public class Other { public int X => 1; }");
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(1),
            CSharpSyntaxTree.ParseText("public class Other { public int X => 2; public int Y => 3; }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options, "Model1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (var step in Steps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} was not tracked");
            foreach (var run in result.TrackedSteps[step])
                foreach (var (_, reason) in run.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step} ran again: {reason}");
        }
    }

    [Fact]
    public void An_edit_to_the_model_reruns_it()
    {
        var compilation = GeneratorHarness.Compilation(Model);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(Model.Replace("MseLoss", "L1Loss"), (CSharpParseOptions)compilation.SyntaxTrees.First().Options, "Model0.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.Compile].SelectMany(r => r.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void No_symbol_syntax_or_compilation_crosses_the_pipeline()
    {
        var driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Model));
        var result = driver.GetRunResult().Results.Single();
        foreach (var step in Steps)
            foreach (var run in result.TrackedSteps[step])
                foreach (var (value, _) in run.Outputs)
                    Walk(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Assert.False(value is ISymbol or SyntaxNode or SyntaxTree or Compilation or SemanticModel or Location,
            $"{path} holds a {value.GetType().Name}, which breaks incremental caching");
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) Walk(item, $"{path}[{i++}]", seen);
            return;
        }
        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Walk(field.GetValue(value), path + "." + field.Name, seen);
    }
}

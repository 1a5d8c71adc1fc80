extern alias gen;
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using KilnGenerator = gen::Kiln.Generator.KilnGenerator;

namespace Kiln.Tests.Support;

/// <summary>Runs the Kiln generator in-process over source text, as the compiler would.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(Kiln.Tensor).Assembly.Location);
        paths.Add(typeof(ILGPU.Context).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create("UserModels",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Model{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create([new KilnGenerator().AsSourceGenerator()], driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public sealed record Result(Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run)
    {
        /// <summary>Generated source of one model (by hint-name prefix).</summary>
        public string Source(string model) => Run.GeneratedTrees.Single(t => Path.GetFileName(t.FilePath).Contains("." + model + ".Kiln.g.cs") || Path.GetFileName(t.FilePath) == model + ".Kiln.g.cs").ToString();

        /// <summary>Errors of the compilation after generation (user code + generated code).</summary>
        public IReadOnlyList<Diagnostic> CompileErrors => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    public static Result Run(params string[] sources)
    {
        var compilation = Compilation(sources);
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new Result(output, diagnostics, driver.GetRunResult());
    }

    /// <summary>The generated source of a [Model] class <paramref name="name"/> with these members (using Kiln and
    /// Kiln.Ops), which must compile.</summary>
    public static string Model(string name, string members)
    {
        var result = Run($$"""
            using Kiln;
            using static Kiln.Ops;
            [Model] public partial class {{name}}
            {
                {{members}}
            }
            """);
        Xunit.Assert.Empty(result.CompileErrors);
        return result.Source(name);
    }
}

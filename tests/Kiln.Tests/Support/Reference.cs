extern alias gen;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using gen::Kiln.Generator.Check;
using gen::Kiln.Generator.Discover;
using gen::Kiln.Generator.Ir;
using gen::Kiln.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MethodKind = gen::Kiln.Generator.Model.MethodKind;

namespace Kiln.Tests.Support;

/// <summary>
/// Lowers the test models (embedded copies of Models/*.cs) through the generator's own Discover/Parse/Check
/// stages, so tests can evaluate the very same graph with the float64 interpreter.
/// </summary>
internal static class Reference
{
    private static readonly Lazy<Dictionary<string, ModelSpec>> Specs = new(() =>
    {
        var assembly = typeof(Reference).Assembly;
        var sources = assembly.GetManifestResourceNames().Where(n => n.StartsWith("models/", StringComparison.Ordinal))
            .Select(n => new StreamReader(assembly.GetManifestResourceStream(n)!).ReadToEnd())
            .Append(gen::Kiln.Generator.BuiltIns.Source)
            .ToArray();
        return DiscoverAll(sources);
    });

    public static Dictionary<string, ModelSpec> DiscoverAll(params string[] sources)
    {
        var compilation = GeneratorHarness.Compilation(sources);
        var specs = new Dictionary<string, ModelSpec>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var semantic = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                var symbol = (INamedTypeSymbol)semantic.GetDeclaredSymbol(node)!;
                var attribute = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Kiln.ModelAttribute");
                if (attribute is null) continue;
                var spec = ModelDiscovery.Discover(symbol, node, attribute, compilation, CancellationToken.None);
                specs[spec.FullName] = spec;
            }
        }
        return specs;
    }

    /// <summary>The test models (Models/*.cs) as the generator's Discover/Parse stages see them.</summary>
    public static IEnumerable<ModelSpec> TestModels => Specs.Value.Values.Where(m => m.Namespace == "Kiln.Tests.Models");

    public static ModelSpec Model(string name) => Specs.Value.Values.Single(m => m.Name == name);

    /// <summary>Every [Loss] and [Forward] method of the test models, as (model, method).</summary>
    public static IEnumerable<(string Model, string Method, bool IsLoss)> Methods() =>
        Specs.Value.Values.Where(m => m.Namespace == "Kiln.Tests.Models")
            .SelectMany(m => m.Methods.Where(x => x.Kind != MethodKind.Helper).Select(x => (m.Name, x.Name, x.Kind == MethodKind.Loss)));

    /// <summary><see cref="Methods"/> as theory data (model, method), for the tests that run every test model method.</summary>
    public static Xunit.TheoryData<string, string> MethodData()
    {
        var data = new Xunit.TheoryData<string, string>();
        foreach (var (model, method, _) in Methods()) data.Add(model, method);
        return data;
    }

    public static (MethodGraph Graph, IReadOnlyList<ParamLayout> Layout) Lower(string model, string method)
    {
        var spec = Model(model);
        var diagnostics = new List<DiagnosticInfo>();
        var lowerer = new Lowerer(spec, Specs.Value, diagnostics);
        var graph = lowerer.Lower(spec.Methods.Single(m => m.Name == method));
        if (graph is null) throw new InvalidOperationException($"{model}.{method} did not lower: {string.Join("; ", diagnostics.Select(d => d.Id + " " + string.Join(",", d.Args)))}");
        return (graph, lowerer.Layout);
    }
}

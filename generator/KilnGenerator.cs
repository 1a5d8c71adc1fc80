using System.Collections.Immutable;
using System.Linq;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Discover;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generator;

/// <summary>
/// The Kiln incremental generator: [Model] classes in, fused forward/backward plans out.
/// Discover → Parse → Check → Differentiate → Optimize → Fuse → Plan → Emit (docs/architecture.md).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KilnGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The built-in layers, as ordinary [Model] source, so they go through the same pipeline.
        context.RegisterPostInitializationOutput(static c => c.AddSource("Kiln.Nn.g.cs", BuiltIns.Source));

        // Discover + Parse: each [Model] class becomes an equatable ModelSpec (no symbols or syntax inside).
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(ModelDiscovery.ModelAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                ModelDiscovery.Discover)
            .WithTrackingName(TrackingNames.Discover);

        // Every model of the compilation, so submodules can be inlined into their parents.
        var all = models.Collect().WithTrackingName(TrackingNames.AllModels);

        // Check → Differentiate → Optimize → Fuse → Plan → Emit, per model.
        var outputs = models.Combine(all)
            .Select(static (pair, _) => Compiler.Compile(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Compile);

        // Source and diagnostics are separate outputs: diagnostics keep their real locations.
        var sources = outputs.Where(static o => o.Source is not null).Select(static (o, _) => (o.HintName, o.Source!)).WithTrackingName(TrackingNames.Source);
        context.RegisterSourceOutput(sources, static (spc, s) => spc.AddSource(s.HintName, s.Item2));

        var diagnostics = outputs.Select(static (o, _) => o.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list)
                spc.ReportDiagnostic(Diagnostic.Create(Descriptors.ById[d.Id], d.Location.ToLocation(), d.Args.ToArray<object>()));
        });
    }
}

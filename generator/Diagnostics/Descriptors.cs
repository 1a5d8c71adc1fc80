using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Kiln.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports. Each id has a row in AnalyzerReleases.Unshipped.md, a page in docs/diagnostics.md and a test.</summary>
internal static class Descriptors
{
    private const string Category = "Kiln";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: $"docs/diagnostics.md#{id.ToLowerInvariant()}");

    public static readonly DiagnosticDescriptor Unsupported = Error("KLN0001", "Unsupported construct in a model method",
        "{0} is not part of the Kiln tensor language");
    public static readonly DiagnosticDescriptor BroadcastMismatch = Error("KLN0002", "Shapes cannot be broadcast",
        "{0}: shapes {1} and {2} cannot be broadcast together (dim {3}: {4} vs {5})");
    public static readonly DiagnosticDescriptor MatMulMismatch = Error("KLN0003", "MatMul inner dims differ",
        "MatMul: inner dims {0} and {1} differ (shapes {2} and {3})");
    public static readonly DiagnosticDescriptor DimOutOfRange = Error("KLN0004", "Dim out of range",
        "{0}: dim {1} is out of range for a tensor of rank {2}");
    public static readonly DiagnosticDescriptor LossNotScalar = Error("KLN0005", "A loss must be a scalar",
        "Loss method '{0}' returns shape {1}; a [Loss] must return a 0-d tensor (use reduction Sum or Mean; in a tuple, the loss comes first)");
    public static readonly DiagnosticDescriptor TargetShape = Error("KLN0006", "Input and target shapes differ",
        "{0}: target shape {2} does not fit input shape {1}");
    public static readonly DiagnosticDescriptor BadDeclaration = Error("KLN0007", "Invalid model declaration",
        "{0}");
    public static readonly DiagnosticDescriptor UnknownDim = Error("KLN0008", "Unknown named dim",
        "'{0}' is not a dim of model '{1}' (declare it with [Model(\"{0}\")] or use a number)");
    public static readonly DiagnosticDescriptor InternalError = Error("KLN0009", "Internal generator error",
        "The Kiln generator failed on '{0}': {1}. Please report this with the model's source.");
    public static readonly DiagnosticDescriptor ReshapeMismatch = Error("KLN0010", "Reshape changes the element count",
        "Reshape: cannot view shape {0} ({1} elements) as {2}");
    public static readonly DiagnosticDescriptor BadModule = Error("KLN0011", "Invalid submodule",
        "{0}");
    public static readonly DiagnosticDescriptor Recursion = Error("KLN0012", "Recursive model method",
        "Method '{0}' calls itself; model methods are inlined and cannot recurse");
    public static readonly DiagnosticDescriptor InputMismatch = Error("KLN0013", "Argument shape does not match parameter shape",
        "Call to '{0}': argument '{1}' has shape {2} but the parameter is declared {3}");

    public static readonly DiagnosticDescriptor SubmoduleShape = Error("KLN0014", "Shape error inside a submodule",
        "In submodule '{0}' ({1}): {2}");

    public static readonly DiagnosticDescriptor DataDependentShape = Error("KLN0015", "An op whose shape depends on the data",
        "{0}'s result shape depends on the values of its inputs, which a static plan cannot know at build time: {1}");

    public static readonly DiagnosticDescriptor IndexOutOfRange = Error("KLN0016", "Index out of range",
        "{0}: index {1} is out of range for dim {2} of size {3}");

    public static readonly DiagnosticDescriptor ReservedName = Error("KLN0017", "A name the generated code declares",
        "{0}");
    public static readonly DiagnosticDescriptor InvalidArgument = Error("KLN0018", "Invalid argument to a tensor op",
        "Invalid argument: {0}");

    public static readonly IReadOnlyDictionary<string, DiagnosticDescriptor> ById = new[]
    {
        Unsupported, BroadcastMismatch, MatMulMismatch, DimOutOfRange, LossNotScalar, TargetShape, BadDeclaration,
        UnknownDim, InternalError, ReshapeMismatch, BadModule, Recursion, InputMismatch, SubmoduleShape, DataDependentShape, IndexOutOfRange, ReservedName, InvalidArgument,
    }.ToDictionary(d => d.Id);
}

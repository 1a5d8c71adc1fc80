using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Tests.Support;

/// <summary>
/// A seeded mutation fuzzer over the repository's own [Model] classes (issue 10). Each mutant is one model class with
/// one to three token edits: a name swapped for a keyword or a name the generated code uses, a size or dim name
/// swapped for a hostile one, an op swapped for another, a token deleted, a member duplicated. The generator runs on
/// it in-process and <see cref="Check"/> says what, if anything, broke a promise of docs/diagnostics.md.
/// </summary>
public sealed class ModelFuzzer
{
    /// <summary>Names a user might pick that the generated code also uses, keywords, and plain ones.</summary>
    private static readonly string[] Names =
    [
        "output", "output_", "Work", "Targets", "_d", "d", "e", "s", "r0", "n", "N", "CheckInput", "CheckDim", "Load", "Execute", "Enter",
        "State", "Device", "Layout", "Parameters", "Bound", "Math", "MathF", "Vector256", "Unsafe", "MemoryMarshal", "Span",
        "ReadOnlySpan", "Array", "Action", "Func", "Atomic", "Index1D", "ArrayView", "CpuWorkers", "Kernels", "Kiln", "System",
        "ILGPU", "Generated", "LossPlan", "ForwardPlan", "CompileLoss", "Loss", "Forward", "Run", "model", "Model", "seed", "device",
        "@class", "@params", "@int", "@this", "class", "x", "y", "w", "weight", "bias", "linear", "F", "L", "P", "Tensor", "IntTensor",
        "Param", "Module", "Shape", "Linear", "Ops", "Losses", "Sum", "T0", "_p", "inputs", "backward", "Invoke", "Replay",
    ];

    /// <summary>Op names of the tensor language (and a few that are not).</summary>
    private static readonly string[] OpNames =
    [
        "Tanh", "Sigmoid", "Relu", "Exp", "Log", "Abs", "Sqrt", "Softmax", "LogSoftmax", "Sum", "Mean", "Amax", "Amin", "Prod", "Max",
        "MatMul", "Reshape", "View", "Transpose", "T", "Unsqueeze", "Squeeze", "Flatten", "Expand", "Detach", "CumSum", "Chunk", "Split",
        "Cat", "Stack", "Clamp", "Pow", "Where", "Gather", "IndexSelect", "MaskedFill", "Norm", "Var", "Std", "ArgMax", "Neg", "Square",
        "Linear", "Dropout", "Forward", "Frobnicate",
    ];

    /// <summary>Sizes: zero, negatives, ones, and sizes whose products pass int range.</summary>
    private static readonly string[] Numbers =
        ["0", "-1", "1", "2", "3", "4", "7", "46341", "65536", "2147483647", "-2147483648", "0.5f", "-0f", "1e30f", "1e-30f", "100000"];

    /// <summary>Dim names: empty, lower-case twins, keywords, non-identifiers, null.</summary>
    private static readonly string[] DimNames =
        ["\"\"", "\"N\"", "\"n\"", "\"B\"", "\"class\"", "\"1N\"", "\"N N\"", "\"_n\"", "\"Model\"", "null", "\"D\"", "\"d\"", "\"Work\"", "\"T0\"", "\"x\""];

    private readonly Random _rng;

    public ModelFuzzer(int seed) => _rng = new Random(seed);

    /// <summary>Every [Model] class of the samples and test models, each as a standalone source (its file's usings and namespace).</summary>
    public static IReadOnlyList<(string Name, string Source)> Corpus() => CorpusLazy.Value;

    private static readonly Lazy<List<(string, string)>> CorpusLazy = new(() =>
    {
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Repo.Root, "tests", "Kiln.Tests", "Models"), "*.cs"))
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
            .OrderBy(f => f, StringComparer.Ordinal);
        var result = new List<(string, string)>();
        foreach (var file in files)
        {
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetCompilationUnitRoot();
            string usings = string.Concat(root.Usings.Select(u => u.ToFullString()));
            foreach (var c in root.DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                if (!c.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString() is "Model" or "Kiln.Model")) continue;
                string ns = c.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString() ?? "";
                string source = usings + "using Kiln;\nusing Kiln.Nn;\nusing static Kiln.Ops;\n" + (ns.Length > 0 ? $"namespace {ns};\n" : "") + c.ToFullString();
                result.Add(($"{Path.GetFileName(file)}:{c.Identifier.Text}", source));
            }
        }
        return result;
    });

    /// <summary>One to three edits of the source.</summary>
    public string Mutate(string source)
    {
        int edits = 1 + _rng.Next(3);
        for (int i = 0; i < edits; i++) source = MutateOnce(source);
        return source;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private string MutateOnce(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetCompilationUnitRoot();
        var tokens = root.DescendantTokens().ToList();
        List<SyntaxToken> Of(SyntaxKind kind) => tokens.Where(t => t.IsKind(kind)).ToList();
        string Replace(Microsoft.CodeAnalysis.Text.TextSpan span, string text) => source.Substring(0, span.Start) + text + source.Substring(span.End);
        switch (_rng.Next(9))
        {
            case 0:
            case 1:
            {
                var ids = Of(SyntaxKind.IdentifierToken);
                return ids.Count == 0 ? source : Replace(Pick(ids).Span, Pick(Names));
            }
            case 2:
            {
                // an op name: the identifier after a '.' or of a call
                var ops = tokens.Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.Parent is IdentifierNameSyntax { Parent: MemberAccessExpressionSyntax or InvocationExpressionSyntax }).ToList();
                return ops.Count == 0 ? source : Replace(Pick(ops).Span, Pick(OpNames));
            }
            case 3:
            {
                var numbers = Of(SyntaxKind.NumericLiteralToken);
                return numbers.Count == 0 ? source : Replace(Pick(numbers).Span, Pick(Numbers));
            }
            case 4:
            {
                var strings = Of(SyntaxKind.StringLiteralToken);
                return strings.Count == 0 ? source : Replace(Pick(strings).Span, Pick(DimNames));
            }
            case 5:
                return tokens.Count == 0 ? source : Replace(Pick(tokens).Span, "");
            case 6:
            {
                // a member twice (overloads, duplicate fields)
                var members = root.DescendantNodes().OfType<MemberDeclarationSyntax>().Where(m => m is MethodDeclarationSyntax or FieldDeclarationSyntax).ToList();
                if (members.Count == 0) return source;
                var m = Pick(members);
                return source.Insert(m.FullSpan.End, m.ToFullString());
            }
            case 7:
            {
                // an attribute argument list swapped for another one of the source
                var args = root.DescendantNodes().OfType<AttributeArgumentListSyntax>().ToList();
                return args.Count < 2 ? source : Replace(Pick(args).Span, Pick(args).ToString());
            }
            default:
            {
                // a deeper expression: wrap an identifier use in a chain of ops
                var uses = tokens.Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.Parent is IdentifierNameSyntax && t.Parent.Parent is not MemberAccessExpressionSyntax { Name: var n } || false).ToList();
                if (uses.Count == 0) return source;
                var use = Pick(uses);
                return Replace(use.Span, use.Text + string.Concat(Enumerable.Range(0, 1 + _rng.Next(4)).Select(_ => $".{Pick(OpNames)}()")));
            }
        }
    }

    /// <summary>What one mutant broke, or null: an exception escaping the generator, KLN0009, generated code that does not compile
    /// although the user's code has no errors, or an error the generated code caused in the user's code.</summary>
    public static string? Check(string source)
    {
        GeneratorHarness.Result result;
        try
        {
            result = GeneratorHarness.Run(source);
        }
        catch (Exception e)
        {
            return "exception outside the generator: " + e.GetType().Name + ": " + e.Message;
        }
        // the driver turns a generator exception into CS8785 (and drops every model's source)
        if (result.GeneratorDiagnostics.FirstOrDefault(d => d.Id is "CS8784" or "CS8785") is { } crash)
            return "generator threw: " + crash.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        if (result.GeneratorDiagnostics.FirstOrDefault(d => d.Id == "KLN0009") is { } internalError)
            return "KLN0009: " + internalError.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        var before = GeneratorHarness.Compilation(source).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(Key).ToHashSet();
        var errors = result.CompileErrors;
        bool Generated(Diagnostic d) => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true;
        var userErrors = errors.Where(d => !Generated(d)).ToList();
        if (userErrors.FirstOrDefault(d => Conflicts.Contains(d.Id) && !before.Contains(Key(d))) is { } caused)
            return "the generated code broke the user's code: " + caused;
        // a namespace Kiln.IntTensor (say) makes global::Kiln.IntTensor that namespace for all code, the built-in layers'
        // source (Kiln.Nn.g.cs, added before any model is read) too: C# gives it CS0118 there whatever the generator does;
        // what the generator owes the user is KLN0017 naming the namespace, and then only those CS0118s may remain
        bool hidden = result.GeneratorDiagnostics.Any(d => d.Id == "KLN0017" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("hides Kiln's type"));
        if (userErrors.Count == 0 && errors.FirstOrDefault(d => Generated(d) && !(hidden && d.Id == "CS0118")) is { } broken)
            return "generated code does not compile: " + broken + " :: " + broken.Location.SourceTree!.GetText().Lines[broken.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim();
        return null;
    }

    /// <summary>Errors that mean two declarations met: in the user's code only the generated code can have brought them.</summary>
    private static readonly HashSet<string> Conflicts = ["CS0101", "CS0102", "CS0111", "CS0121", "CS0229", "CS0542", "CS0111", "CS0082", "CS0756", "CS0759"];

    /// <summary>An error's id and place: "CS0103 at 120..130".</summary>
    private static string Key(Diagnostic d) => $"{d.Id} at {d.Location.SourceSpan}";
}

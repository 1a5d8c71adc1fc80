using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.Generator.Model;

/// <summary>A source location reduced to values (no SyntaxTree), so it can cross the pipeline.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static readonly LocationInfo None = new("", default, default);

    public Location ToLocation() => FilePath.Length == 0 ? Location.None : Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo From(SyntaxNode node) => From(node.GetLocation());

    public static LocationInfo From(Location location) => location.SourceTree is null
        ? None
        : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic reduced to values: descriptor id, location and message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo Location, EquatableArray<string> Args)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo location, params string[] args)
        => new(descriptor.Id, location, args.ToEquatable());
}

/// <summary>A dim as written in an attribute: an int or a name.</summary>
internal sealed record DimSpec(int Size, string? Name)
{
    public override string ToString() => Name ?? Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A [Param] field.</summary>
/// <summary>A [Param] field, or with IsBuffer a [Buffer] field (non-trainable state in its own block).</summary>
internal sealed record ParamSpec(string Name, EquatableArray<DimSpec> Shape, DimSpec? FanIn, int Init, LocationInfo Location, bool IsBuffer = false, bool IsReadOnly = false);

/// <summary>A [Module] field: a submodule of a [Model] type with its dims bound.</summary>
internal sealed record ModuleSpec(string Name, string TypeName, EquatableArray<int> Dims, LocationInfo Location);

/// <summary>A method parameter: a float tensor with a shape, or an int tensor of class indices.</summary>
/// <summary>A method parameter: a float tensor with a shape, an int tensor of class indices, or (IsScalar) a float; Default: a scalar's declared default.</summary>
internal sealed record InputSpec(string Name, bool IsInt, bool Optional, EquatableArray<DimSpec> Shape, LocationInfo Location, bool IsScalar = false, bool RequiresGrad = false, double? Default = null);

/// <summary>A statement of a method body: a local's value (declared or assigned; Local set) or the return (Local null).</summary>
internal record Statement(string? Local, Expr Value);

/// <summary><c>field = Value</c> (or <c>this.field = …</c>, <c>field += …</c>): a [Buffer] field's next value.</summary>
internal sealed record FieldAssignment(string Field, Expr Value, LocationInfo Location) : Statement(null, Value);

/// <summary>
/// <c>for (int v = From; v Compare To; v += Step)</c>: unrolled when the method is lowered, so its bounds must be
/// build-time numbers (constants, loop variables, a helper's int arguments).
/// </summary>
internal sealed record ForStatement(string Variable, Expr From, string Compare, Expr To, Expr Step, EquatableArray<Statement> Body, LocationInfo Location) : Statement(null, From);

/// <summary><c>if (Condition) Then else Else</c>: one branch chosen when the method is lowered (the condition is a build-time bool).</summary>
internal sealed record IfStatement(Expr Condition, EquatableArray<Statement> Then, EquatableArray<Statement> Else, LocationInfo Location) : Statement(null, Condition);

internal enum MethodKind { Forward, Loss, Helper }

/// <summary>A method of a model, with its body parsed into the expression language.</summary>
/// <paramref name="Outputs"/>: the element names when the method returns a tuple of tensors (<c>(Tensor loss, Tensor logits)</c>; Item1… where unnamed), else empty.
/// <paramref name="Frozen"/>: [Loss(Frozen = …)] parameter or submodule paths this plan does not differentiate.
/// <summary>A model method as parsed; <paramref name="Broken"/>: its body holds a construct the parser reported (KLN0001).</summary>
internal sealed record MethodSpec(string Name, MethodKind Kind, EquatableArray<InputSpec> Inputs, EquatableArray<Statement> Body, LocationInfo Location, EquatableArray<string> Outputs = default, EquatableArray<string> Frozen = default, bool Broken = false);

/// <summary>What Discover returns for one [Model] class: values only (a test walks it for symbols and syntax).
/// <paramref name="NamesHidden"/>: a namespace Kiln.X of the compilation hides a Kiln type the generated code names.
/// <paramref name="EagerDropout"/>: its instance members call Dropout, which the generated part then routes through the
/// model's mode when a method is called eagerly.</summary>
internal sealed record ModelSpec(
    string Namespace,
    string Name,
    string FullName,
    string Accessibility,
    bool IsPartial,
    bool HasConstructor,
    EquatableArray<string> Dims,
    EquatableArray<ParamSpec> Params,
    EquatableArray<ModuleSpec> Modules,
    EquatableArray<MethodSpec> Methods,
    EquatableArray<DiagnosticInfo> Diagnostics,
    LocationInfo Location,
    bool NamesHidden = false,
    bool EagerDropout = false);

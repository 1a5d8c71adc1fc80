using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Model;
using MethodKind = Kiln.Generator.Model.MethodKind;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generator.Discover;

/// <summary>
/// Stage 1 (Discover) and 2 (Parse): reduces a [Model] class to a <see cref="ModelSpec"/> of plain values,
/// its method bodies parsed into <see cref="Expr"/> trees. Nothing here survives as a symbol or syntax node.
/// </summary>
internal static class ModelDiscovery
{
    public const string ModelAttribute = "Kiln.ModelAttribute";

    public static ModelSpec Discover(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Discover((INamedTypeSymbol)context.TargetSymbol, (ClassDeclarationSyntax)context.TargetNode, context.Attributes[0], context.SemanticModel.Compilation, cancellationToken);

    /// <summary>The same from a symbol (tests use this to reach the stages without a generator driver).</summary>
    public static ModelSpec Discover(INamedTypeSymbol type, ClassDeclarationSyntax node, AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var location = LocationInfo.From(node.Identifier.GetLocation());
        var declared = attribute.ConstructorArguments.FirstOrDefault();
        // once per model: the spec records it, and each method's parser binds Dropout calls by it
        bool eagerDropout = CallsDropout(type, compilation, cancellationToken);
        var dims = declared is { Kind: TypedConstantKind.Array, IsNull: false } arr
            ? arr.Values.Select(v => v.Value as string ?? "").ToList()
            : new List<string>();
        if (declared is { Kind: TypedConstantKind.Array, IsNull: true })
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"[Model(null)] on '{type.Name}': a model's dims are names; leave them out when it has none"));
        else if (dims.Any(string.IsNullOrWhiteSpace))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"[Model] on '{type.Name}': every dim name must be a non-empty string"));
        else if (dims.FirstOrDefault(d => !IsDimName(d)) is { } bad)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, IsReservedDim(bad)
                ? $"[Model] on '{type.Name}': dim name '{bad}' is the name of one of the plan's own Bound fields (T0, T1, … hold arena offsets): rename the dim"
                : $"[Model] on '{type.Name}': dim name '{bad}' must be a C# identifier with a letter first (it becomes a plan's parameter)"));
        var parameters = new List<ParamSpec>();
        var modules = new List<ModuleSpec>();
        var methods = new List<MethodSpec>();
        bool isPartial = type.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword));
        INamespaceSymbol? hiding = null;
        try
        {
            if (!isPartial)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"Model class '{type.Name}' must be declared partial so the generator can add its plans"));
            if (type.ContainingType is not null)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"Model class '{type.Name}' must not be nested in another type"));
            if (type.IsGenericType)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"Model class '{type.Name}' must not be generic: its plans are compiled for one set of shapes and types"));
            // a namespace Kiln.Device (or Kiln.Tensor, …) hides Kiln's type of that name from every global::Kiln.X the generated code writes
            // (a module, a model with dims, then emits no binding, silently: the models using it report)
            hiding = compilation.GlobalNamespace.GetNamespaceMembers().FirstOrDefault(n => n.Name == "Kiln") is { } kiln
                ? kiln.GetNamespaceMembers().FirstOrDefault(n => kiln.GetTypeMembers(n.Name).Length > 0) : null;
            if (dims.Count == 0 && hiding is not null)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ReservedName, location,
                    $"The namespace 'Kiln.{hiding.Name}' (declared in {string.Join(", ", hiding.Locations.Where(l => l.IsInSource).Select(l => System.IO.Path.GetFileName(l.SourceTree!.FilePath)).Distinct().DefaultIfEmpty("another assembly"))}) hides Kiln's type Kiln.{hiding.Name}, which the generated code of '{type.Name}' names: rename the namespace"));

            foreach (var member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (member)
                {
                    case IFieldSymbol field:
                        ReadField(field, dims, parameters, modules, diagnostics);
                        break;
                    case IMethodSymbol { MethodKind: Microsoft.CodeAnalysis.MethodKind.Ordinary } method:
                        if (ReadMethod(method, type, dims.Count > 0, eagerDropout, compilation, diagnostics, cancellationToken) is { } spec)
                            methods.Add(spec);
                        break;
                }
            }
            if (dims.Count == 0) CheckReservedNames(type, methods, location, diagnostics);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InternalError, location, type.Name, e.GetType().Name + ": " + e.Message));
        }

        bool hasCtor = type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared);
        // the generated constructors set Parameters and every field's view of the block; with one of the user's, C# would
        // declare none of them (a new user's `new M(device, 1)` was CS1729, `new M().CompileF()` a NullReferenceException)
        foreach (var ctor in type.InstanceConstructors.Where(c => !c.IsImplicitlyDeclared))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, ctor.Locations.FirstOrDefault(l => l.IsInSource) is { } at ? LocationInfo.From(at) : location,
                $"Model class '{type.Name}' declares a constructor: the generator writes a model's constructors (new {type.Name}(device, seed), and one over a parent's parameter block), which set its parameters; remove this one, and set anything else up in a method"));
        return new ModelSpec(
            type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
            isPartial,
            hasCtor,
            dims.ToEquatable(),
            parameters.ToEquatable(),
            modules.ToEquatable(),
            methods.ToEquatable(),
            diagnostics.ToEquatable(),
            location,
            NamesHidden: hiding is not null,
            EagerDropout: eagerDropout);
    }

    /// <summary>
    /// Whether the class's own code calls Kiln.Ops.Dropout by its short name (using static Kiln.Ops) from instance members
    /// only, and declares or inherits no member named Dropout: the generated part then adds a private Dropout that such
    /// calls bind to, so a method called eagerly drops in training mode only, as its plans do. (A call from a static
    /// member, or from a field initializer, could not reach the instance method; such a class keeps Ops.Dropout, which
    /// always drops.)
    /// </summary>
    private static bool CallsDropout(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.GetMembers("Dropout").Length > 0) return false;
        bool any = false;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);
            SemanticModel? model = null;
            foreach (var call in declaration.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (call.Expression is not IdentifierNameSyntax { Identifier.ValueText: "Dropout" }) continue;
                model ??= compilation.GetSemanticModel(declaration.SyntaxTree);
                if (model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol { ContainingType: { Name: "Ops" } ops } || ops.ContainingNamespace?.ToDisplayString() != "Kiln") continue;
                // a nested type's method cannot call the model's instance member either
                if (!ReferenceEquals(call.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault(), declaration)) return false;
                var member = call.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault();
                if (member is null || member.Modifiers.Any(SyntaxKind.StaticKeyword) || member is BaseFieldDeclarationSyntax
                    || call.Ancestors().Any(a => a is EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax } or ConstructorInitializerSyntax or PrimaryConstructorBaseTypeSyntax
                        || a is AnonymousFunctionExpressionSyntax f && f.Modifiers.Any(SyntaxKind.StaticKeyword)
                        || a is LocalFunctionStatementSyntax l && l.Modifiers.Any(SyntaxKind.StaticKeyword)))
                    return false;
                any = true;
            }
        }
        return any;
    }

    private static void ReadField(IFieldSymbol field, List<string> modelDims, List<ParamSpec> parameters, List<ModuleSpec> modules, List<DiagnosticInfo> diagnostics)
    {
        var location = LocationInfo.From(field.Locations[0]);
        foreach (var attribute in field.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is "Kiln.ParamAttribute" or "Kiln.BufferAttribute" or "Kiln.ModuleAttribute" && Initializer(field) is { } initial)
            {
                // the generated constructors set these fields over the model's block: a value written here would be
                // overwritten without a word (a new user wrote `[Param(2)] Tensor w = Ones(2);` and trained from the default init)
                string kind = name switch { "Kiln.ParamAttribute" => "Param", "Kiln.BufferAttribute" => "Buffer", _ => "Module" };
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, kind == "Module"
                    ? $"[Module] field '{field.Name}' has an initial value ('{initial}'): the generated constructors build a submodule over the model's parameter block; remove the initializer"
                    : $"[{kind}] field '{field.Name}' has an initial value ('{initial}'), which would never be used: the generated constructors make it a view of the model's block, "
                      + (kind == "Param" ? $"initialised by the attribute's Init (Init = Init.Zeros, Init.Ones or Init.Normal; Init.Default as nn.Linear's); set other values after construction (model.Parameters.Set(\"{field.Name}\", values)) or load a checkpoint"
                          : "which starts at zero, or at one with Init = Init.Ones; load other values from a checkpoint")));
                continue;
            }
            if (name is "Kiln.ParamAttribute" or "Kiln.BufferAttribute")
            {
                bool buffer = name == "Kiln.BufferAttribute";
                if (!IsKiln(field.Type, "Tensor"))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"[{(buffer ? "Buffer" : "Param")}] field '{field.Name}' must be of type Kiln.Tensor"));
                    continue;
                }
                if (parameters.Any(p => p.Name == field.Name))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"Field '{field.Name}' is marked both [Param] and [Buffer]"));
                    continue;
                }
                var shape = ReadDims(attribute.ConstructorArguments.FirstOrDefault(), modelDims, location, diagnostics, field.ContainingType.Name);
                DimSpec? fanIn = null;
                int init = 0;
                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "FanIn") fanIn = ReadDim(named.Value, modelDims, location, diagnostics, field.ContainingType.Name);
                    if (named.Key == "Init" && named.Value.Value is int i) init = i;
                }
                if (buffer && init is not (0 or 1 or 2))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"[Buffer] field '{field.Name}' starts at zero, or at one with Init = Init.Ones; load other values from a checkpoint"));
                    continue;
                }
                parameters.Add(new ParamSpec(field.Name, shape.ToEquatable(), fanIn, init, location, buffer, field.IsReadOnly));
            }
            else if (name == "Kiln.ModuleAttribute")
            {
                var declaredDims = attribute.ConstructorArguments.FirstOrDefault();
                var dims = declaredDims is { Kind: TypedConstantKind.Array, IsNull: false } a
                    ? a.Values.Select(v => v.Value is int i ? i : 0).ToList() : new List<int>();
                if (declaredDims.IsNull || dims.Any(d => d <= 0))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadModule, location,
                        $"[Module] field '{field.Name}' binds its dims to [{string.Join(", ", dims)}]; every dim must be a positive size"));
                    continue;
                }
                bool isModel = field.Type.GetAttributes().Any(x => x.AttributeClass?.ToDisplayString() == ModelAttribute);
                if (!isModel)
                {
                    string type = field.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadModule, location, field.Type is IArrayTypeSymbol or INamedTypeSymbol { IsGenericType: true }
                        ? $"[Module] field '{field.Name}' has type '{type}': a [Module] field holds one [Model] class (there is no nn.ModuleList: declare each submodule as a field of its own)"
                        : $"[Module] field '{field.Name}' has type '{type}', which is not a [Model] class"));
                    continue;
                }
                modules.Add(new ModuleSpec(field.Name, field.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), dims.ToEquatable(), location));
            }
        }
    }

    /// <summary>The text of a field's initializer that holds a value (`= Ones(2)`), shortened, or null: none, or one that
    /// only quiets the nullable analysis (`= null!`, `= default!`, `= Tensor.Unbound`, as the built-in Linear's).</summary>
    private static string? Initializer(IFieldSymbol field)
    {
        if (field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } init }) return null;
        var value = init.Value is PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } bang ? bang.Operand : init.Value;
        if (value is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NullLiteralExpression or (int)SyntaxKind.DefaultLiteralExpression }
            or DefaultExpressionSyntax or MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Unbound" } or IdentifierNameSyntax { Identifier.ValueText: "Unbound" })
            return null;
        string text = init.Value.ToString();
        return text.Length > 40 ? text.Substring(0, 37) + "..." : text;
    }

    private static List<DimSpec> ReadDims(TypedConstant array, List<string>? modelDims, LocationInfo location, List<DiagnosticInfo> diagnostics, string model)
    {
        var result = new List<DimSpec>();
        if (array.Kind != TypedConstantKind.Array) return result;
        if (array.IsNull)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, "A shape given as null: dims are sizes (ints) or names (strings)"));
            return result;
        }
        foreach (var value in array.Values)
            if (ReadDim(value, modelDims, location, diagnostics, model) is { } d) result.Add(d);
        return result;
    }

    private static DimSpec? ReadDim(TypedConstant value, List<string>? modelDims, LocationInfo location, List<DiagnosticInfo> diagnostics, string model)
    {
        switch (value.Value)
        {
            case int i when i > 0:
                return new DimSpec(i, null);
            case string s when s.Length > 0 && IsReservedDim(s):
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"Dim name '{s}' is the name of one of the plan's own Bound fields (T0, T1, … hold arena offsets): rename the dim"));
                return null;
            case string s when s.Length > 0 && !IsDimName(s):
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"Dim name '{s}' must be a C# identifier with a letter first (it becomes a plan's parameter)"));
                return null;
            case string s when s.Length > 0 && (modelDims is null || modelDims.Contains(s)):
                return new DimSpec(0, s);
            case string s when s.Length > 0:
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnknownDim, location, s, model));
                return null;
            default:
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"A dim must be a positive int or a name, not '{value.Value ?? "null"}'"));
                return null;
        }
    }

    private static MethodSpec? ReadMethod(IMethodSymbol method, INamedTypeSymbol model, bool isModule, bool eagerDropout, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var attrs = method.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString()).ToList();
        var kind = attrs.Contains("Kiln.LossAttribute") ? MethodKind.Loss : attrs.Contains("Kiln.ForwardAttribute") ? MethodKind.Forward : MethodKind.Helper;
        bool returnsMask = IsKiln(method.ReturnType, "BoolTensor");
        // a tuple of tensors: several outputs of one pass (the first is the loss of a [Loss] method)
        var outputs = method.ReturnType is INamedTypeSymbol { IsTupleType: true } tupleType && tupleType.TupleElements.All(e => IsKiln(e.Type, "Tensor"))
            ? tupleType.TupleElements.Select(e => e.Name).ToList() : new List<string>();
        if (kind == MethodKind.Helper && !IsKiln(method.ReturnType, "Tensor") && !returnsMask && outputs.Count == 0) return null;
        if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax syntax) return null;
        var location = LocationInfo.From(syntax.Identifier.GetLocation());
        if (!IsKiln(method.ReturnType, "Tensor") && !(kind == MethodKind.Helper && returnsMask) && outputs.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, IsKiln(method.ReturnType, "IntTensor")
                ? $"Model method '{method.Name}' returns an IntTensor: a plan's outputs are float tensors, so return indices as floats (ArgMax(1).Float()), as Kiln.Tensor"
                : $"Model method '{method.Name}' must return Kiln.Tensor (or a tuple of them)"));
            return null;
        }
        // what C# allows and a plan cannot mean: type parameters (a plan is compiled for one set of types; T was ignored),
        // and inputs by reference (a plan reads its inputs and writes its outputs, never into the caller's variables)
        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"Model method '{method.Name}' must not be generic: a plan is compiled for one set of shapes and types"));
            return null;
        }
        if (method.Parameters.FirstOrDefault(p => p.RefKind != RefKind.None) is { } byRef)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, LocationInfo.From(byRef.Locations[0]),
                $"Parameter '{byRef.Name}' of '{method.Name}' is passed by reference ({byRef.RefKind.ToString().ToLowerInvariant()}): a model method takes its inputs by value and returns what it computes"));
            return null;
        }
        var inputs = new List<InputSpec>();
        foreach (var p in method.Parameters)
        {
            var pLoc = LocationInfo.From(p.Locations[0]);
            bool isInt = IsKiln(p.Type, "IntTensor");
            bool requiresGrad = p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Kiln.RequiresGradAttribute");
            if (requiresGrad && (kind != MethodKind.Loss || isInt))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, pLoc, kind != MethodKind.Loss
                    ? $"[RequiresGrad] on '{p.Name}' of '{method.Name}': only a [Loss] method's inputs have gradients (a forward plan has no backward pass)"
                    : $"[RequiresGrad] on '{p.Name}' of '{method.Name}': an IntTensor holds indices, which have no gradient"));
                return null;
            }
            if (kind == MethodKind.Helper ? IsBuildTimeScalar(p.Type) : p.Type.SpecialType == SpecialType.System_Single)
            {
                // a helper's int, float or bool parameter: bound to a build-time value at each call (a loop count, a scale);
                // an entry method's float parameter: a run-time scalar input of the plan, set per call (a margin, a weight)
                double? fallback = kind != MethodKind.Helper && p.HasExplicitDefaultValue && p.ExplicitDefaultValue is float f ? f : null;
                inputs.Add(new InputSpec(p.Name, false, false, EquatableArray<DimSpec>.Empty, pLoc, IsScalar: true, RequiresGrad: requiresGrad, Default: fallback));
                continue;
            }
            if (!isInt && !IsKiln(p.Type, "Tensor"))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, pLoc, $"Parameter '{p.Name}' of '{method.Name}' must be a Kiln.Tensor or Kiln.IntTensor{(kind == MethodKind.Helper ? " (or, in a helper, an int, float, bool or enum known at build time)" : ", or a float (a run-time scalar input)")}"));
                return null;
            }
            var shapeAttr = p.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Kiln.ShapeAttribute");
            var shape = shapeAttr is null ? new List<DimSpec>() : ReadDims(shapeAttr.ConstructorArguments.FirstOrDefault(), null, pLoc, diagnostics, model.Name);
            if (shapeAttr is null && kind != MethodKind.Helper && !isModule)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, pLoc, $"Input '{p.Name}' of [{kind}] method '{method.Name}' needs a [Shape(...)] attribute"));
                return null;
            }
            long fixedCount = shape.Where(d => d.Name is null).Aggregate(1L, (a, d) => Math.Min(a * d.Size, 1L << 40));
            // the most one tensor of a plan holds (its loops step past int.MaxValue beyond it; a [2147483647] input reached the
            // graph and failed there, KLN0009)
            if (fixedCount > Check.Lowerer.MaxElements)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, pLoc, $"Input '{p.Name}' of '{method.Name}' has more than {Check.Lowerer.MaxElements:N0} elements, more than one tensor of a plan holds"));
                return null;
            }
            inputs.Add(new InputSpec(p.Name, isInt, shapeAttr is null, shape.ToEquatable(), pLoc, RequiresGrad: requiresGrad));
        }
        // a named dim becomes a plan parameter with its first letter lower-cased: two dims may not meet there, nor meet "model"
        var seen = new Dictionary<string, string> { ["model"] = "the plan's model parameter" };
        foreach (var input in inputs)
            foreach (var dim in input.Shape.Where(d => d.Name is not null).Select(d => d.Name!))
            {
                string parameter = Emit.Identifier.LowerFirst(dim);
                if (!seen.TryGetValue(parameter, out var other)) { seen[parameter] = $"dim '{dim}'"; continue; }
                if (other == $"dim '{dim}'") continue;
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, input.Location, $"Dim '{dim}' of '{method.Name}' would be the plan parameter '{parameter}', as {other} is: rename one"));
                return null;
            }
        var semanticModel = compilation.GetSemanticModel(syntax.SyntaxTree);
        var parser = new BodyParser(semanticModel, model, diagnostics, cancellationToken, eagerDropout);
        int reported = diagnostics.Count;
        var body = parser.ParseBody(syntax);
        if (outputs.Distinct().Count() != outputs.Count || outputs.Any(o => !char.IsLetter(o[0])))
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, location, $"The outputs of '{method.Name}' need distinct names that start with a letter (they name the plan's outputs)"));
            return null;
        }
        var frozen = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Kiln.LossAttribute")?.NamedArguments
            .Where(n => n.Key == "Frozen" && n.Value.Kind == TypedConstantKind.Array && !n.Value.IsNull)
            .SelectMany(n => n.Value.Values.Select(v => v.Value as string ?? "")).ToList() ?? new List<string>();
        return new MethodSpec(method.Name, kind, inputs.ToEquatable(), body.ToEquatable(), location, outputs.ToEquatable(), frozen.ToEquatable(), Broken: diagnostics.Count > reported);
    }

    /// <summary>
    /// A dim name becomes an identifier in generated code (a plan field, a lower-cased parameter): a letter first, then
    /// letters, digits or '_'. The letter first keeps its parameter apart from the plan's own members (upper case or '_' first).
    /// </summary>
    private static bool IsDimName(string name) => SyntaxFacts.IsValidIdentifier(name) && char.IsLetter(name[0]) && !IsReservedDim(name);

    /// <summary>Names of the Bound struct's own fields (offsets T0, T1, …; Unused): a dim of that name would be a second field of it.</summary>
    private static bool IsReservedDim(string name) => name == "Unused" || (name.Length > 1 && name[0] == 'T' && name.Skip(1).All(char.IsDigit));

    /// <summary>
    /// The generator adds Layout, BufferLayout, Parameters, Device, and per [Forward]/[Loss] method M a CompileM method and an MPlan class
    /// to the model's class: a member the user declares with one of these names, or two entry methods of one name
    /// (overloads), would make the generated code fail to compile, so each is KLN0017 at the user's declaration.
    /// </summary>
    private static void CheckReservedNames(INamedTypeSymbol type, List<MethodSpec> methods, LocationInfo location, List<DiagnosticInfo> diagnostics)
    {
        var entries = methods.Where(m => m.Kind != MethodKind.Helper).ToList();
        var reserved = new Dictionary<string, string>
        {
            ["Layout"] = "the parameter layout", ["Parameters"] = "the parameter and gradient blocks", ["Device"] = "the model's device",
            ["BufferLayout"] = "the buffer layout",
        };
        foreach (var m in entries)
        {
            reserved["Compile" + m.Name] = $"the method that compiles {m.Name}";
            reserved[m.Name + "Plan"] = $"the plan class of {m.Name}";
        }
        if (reserved.TryGetValue(type.Name, out var what))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ReservedName, location, $"Model class '{type.Name}' has the name of a member the generator adds to it ({what}): rename the class"));
        foreach (var member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member.Locations.FirstOrDefault(l => l.IsInSource) is not { } at) continue;
            if (reserved.TryGetValue(member.Name, out what))
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ReservedName, LocationInfo.From(at), $"'{member.Name}' is a name the generator adds to model '{type.Name}' ({what}): rename the member"));
        }
        foreach (var group in entries.GroupBy(m => m.Name).Where(g => g.Count() > 1))
            foreach (var m in group.Skip(1))
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ReservedName, m.Location, $"'{m.Name}' names more than one [Forward] or [Loss] method of '{type.Name}'; each becomes the plan class {m.Name}Plan, so they need distinct names"));
    }

    private static bool IsBuildTimeScalar(ITypeSymbol type) => type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
        or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean || type.TypeKind == TypeKind.Enum;

    internal static bool IsKiln(ITypeSymbol type, string name) =>
        type.Name == name && type.ContainingNamespace?.ToDisplayString() == "Kiln";
}

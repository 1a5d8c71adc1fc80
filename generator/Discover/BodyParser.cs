using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Generator.Discover;

/// <summary>
/// Parses a model method body (an expression body, or locals then a return) into <see cref="Expr"/> trees.
/// Calls are resolved with the semantic model once, here, so later stages see only names.
/// Anything outside the language becomes a KLN0001 diagnostic at its own span.
/// </summary>
/// <param name="eagerDropout">Whether the model's generated part adds a Dropout member, which a call by the short name
/// binds to when the method is called directly (nn.Dropout, following the mode); any other call of Ops.Dropout drops
/// whatever the mode (F.dropout's training = true), and its plan must too.</param>
internal sealed class BodyParser(SemanticModel model, INamedTypeSymbol owner, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, bool eagerDropout = false)
{
    public List<Statement> ParseBody(MethodDeclarationSyntax method)
    {
        var result = new List<Statement>();
        if (method.ExpressionBody is { } arrow)
        {
            result.Add(new Statement(null, Parse(arrow.Expression)));
            return result;
        }
        if (method.Body is null) return result;
        ParseStatements(method.Body.Statements, result);
        return result;
    }

    /// <summary>The loop variables in scope: the body may read them, not assign them (the unrolling decides their values).</summary>
    private readonly List<string> _loopVariables = new();

    private void ParseStatements(IEnumerable<StatementSyntax> statements, List<Statement> result)
    {
        foreach (var statement in statements) ParseStatement(statement, result);
    }

    private void ParseStatement(StatementSyntax statement, List<Statement> result)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (statement)
        {
            case LocalDeclarationStatementSyntax { Declaration.Variables: var variables }:
                foreach (var v in variables)
                {
                    // Tensor mix; … mix = …: C# checks it is assigned before it is read, so the declaration alone adds nothing
                    if (v.Initializer is null) continue;
                    else result.Add(new Statement(v.Identifier.ValueText, Parse(v.Initializer.Value)));
                }
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax names }, Right: var right } }:
                // var (values, indices) = x.Max(1);
                Deconstruct(right, names.Variables.Select(v => ((SyntaxNode)v, v is SingleVariableDesignationSyntax single ? single.Identifier.ValueText : null)).ToList(), result);
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: TupleExpressionSyntax targets, Right: var tupleValue } } deconstruction
                when deconstruction.Expression.IsKind(SyntaxKind.SimpleAssignmentExpression)
                    && targets.Arguments.All(a => a.Expression is DeclarationExpressionSyntax { Designation: SingleVariableDesignationSyntax or DiscardDesignationSyntax }
                        // a field (a [Buffer]) among the targets is not a local: it falls to the unsupported statement below
                        || (a.Expression is IdentifierNameSyntax id && model.GetSymbolInfo(id, cancellationToken).Symbol is null or ILocalSymbol or IParameterSymbol or IDiscardSymbol)):
                // (mix, lo) = (…, lo); (a, var b) = Both(x)
                Deconstruct(tupleValue, targets.Arguments.Select(a => ((SyntaxNode)a, a.Expression switch
                {
                    IdentifierNameSyntax { Identifier.ValueText: "_" } => null,
                    IdentifierNameSyntax id => id.Identifier.ValueText,
                    DeclarationExpressionSyntax { Designation: SingleVariableDesignationSyntax single } => single.Identifier.ValueText,
                    _ => (string?)null,
                })).ToList(), result);
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: IdentifierNameSyntax target } assignment }
                when model.GetSymbolInfo(target, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol:
                // h = Tanh(h); h += x: a local's next value
                string name = target.Identifier.ValueText;
                if (_loopVariables.Contains(name)) { Unsupported(assignment, $"An assignment to the loop variable '{name}' (the unrolled loop sets it)"); break; }
                var value = Parse(assignment.Right);
                string? op = CompoundOperator(assignment);
                if (op == "?") { Unsupported(assignment, $"A '{assignment.OperatorToken.Text}' assignment"); break; }
                result.Add(new Statement(name, op is null ? value : new BinaryExpr(op, new NameExpr(name, LocationInfo.From(target)), value, LocationInfo.From(assignment))));
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax array, ArgumentList.Arguments.Count: 1 } element } elementAssignment }
                when model.GetSymbolInfo(array, cancellationToken).Symbol is ILocalSymbol { Type: IArrayTypeSymbol { ElementType: var elementType } } && ModelDiscovery.IsKiln(elementType, "Tensor"):
            {
                // parts[i] = …: the local array's next value, with element i replaced (a build-time index)
                var at = LocationInfo.From(elementAssignment);
                var index = Parse(element.ArgumentList.Arguments[0].Expression);
                var item = new CallExpr("Array.Item", new NameExpr(array.Identifier.ValueText, at), new[] { new Argument("index", index) }.ToEquatable(), at);
                var assigned = Parse(elementAssignment.Right);
                string? elementOp = CompoundOperator(elementAssignment);
                if (elementOp == "?") { Unsupported(elementAssignment, $"A '{elementAssignment.OperatorToken.Text}' assignment"); break; }
                result.Add(new Statement(array.Identifier.ValueText, new CallExpr("Array.Set", new NameExpr(array.Identifier.ValueText, at),
                    new[] { new Argument("index", index), new Argument("value", elementOp is null ? assigned : new BinaryExpr(elementOp, item, assigned, at)) }.ToEquatable(), at)));
                break;
            }
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { Left: IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } } fieldAssignment }
                when model.GetSymbolInfo(fieldAssignment.Left, cancellationToken).Symbol is IFieldSymbol { IsStatic: false } field && SymbolEqualityComparer.Default.Equals(field.ContainingType, owner):
            {
                // running = 0.9f * running + …: a [Buffer] field's next value (the lowering rejects other fields)
                var at = LocationInfo.From(fieldAssignment);
                var next = Parse(fieldAssignment.Right);
                string? fieldOp = CompoundOperator(fieldAssignment);
                if (fieldOp == "?") { Unsupported(fieldAssignment, $"A '{fieldAssignment.OperatorToken.Text}' assignment"); break; }
                result.Add(new FieldAssignment(field.Name, fieldOp is null ? next : new BinaryExpr(fieldOp, new NameExpr(field.Name, LocationInfo.From(fieldAssignment.Left)), next, at), at));
                break;
            }
            case ExpressionStatementSyntax step when Counted(step.Expression) is { } counter
                && step.Expression.Kind() is SyntaxKind.PostIncrementExpression or SyntaxKind.PreIncrementExpression or SyntaxKind.PostDecrementExpression or SyntaxKind.PreDecrementExpression
                && model.GetSymbolInfo(counter, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol:
            {
                // k++; k--: a local's next value, as k += 1
                string counted = counter.Identifier.ValueText;
                if (_loopVariables.Contains(counted)) { Unsupported(step, $"An assignment to the loop variable '{counted}' (the unrolled loop sets it)"); break; }
                bool up = step.Expression.Kind() is SyntaxKind.PostIncrementExpression or SyntaxKind.PreIncrementExpression;
                var at = LocationInfo.From(step);
                result.Add(new Statement(counted, new BinaryExpr(up ? "+" : "-", new NameExpr(counted, at), new NumberExpr(1, at), at)));
                break;
            }
            case ReturnStatementSyntax { Expression: { } returned }:
                result.Add(new Statement(null, Parse(returned)));
                break;
            case BlockSyntax block:
                ParseStatements(block.Statements, result);
                break;
            case IfStatementSyntax branch:
            {
                var then = new List<Statement>();
                ParseStatement(branch.Statement, then);
                var otherwise = new List<Statement>();
                if (branch.Else is { } e) ParseStatement(e.Statement, otherwise);
                result.Add(new IfStatement(Condition(branch.Condition, "An if"), then.ToEquatable(), otherwise.ToEquatable(), LocationInfo.From(branch.Condition)));
                break;
            }
            case SwitchStatementSyntax choice:
                // a switch on a build-time value: the if/else-if chain it stands for, each section without its closing break
                result.Add(SwitchChain(choice));
                break;
            case ForStatementSyntax loop when ReadLoop(loop) is var (variable, from, compare, to, step):
            {
                _loopVariables.Add(variable);
                var body = new List<Statement>();
                ParseStatement(loop.Statement, body);
                _loopVariables.RemoveAt(_loopVariables.Count - 1);
                result.Add(new ForStatement(variable, from, compare, to, step, body.ToEquatable(), LocationInfo.From(loop.ForKeyword.GetLocation())));
                break;
            }
            case ForStatementSyntax loop:
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.Unsupported, LocationInfo.From(loop.ForKeyword.GetLocation()), "A for loop other than for (int i = a; i < b; i++) (or <=, >, >=, i--, i += k, i -= k)"));
                break;
            case EmptyStatementSyntax:
                break;
            case ExpressionStatementSyntax { Expression: var expression }:
                Unsupported(statement, $"{Describe(expression)} (a model method assigns locals and returns a tensor)");
                break;
            default:
                Unsupported(statement, Describe(statement));
                break;
        }
    }

    /// <summary>
    /// A tuple taken apart into locals: the value once into a temporary, then each named target its element (all elements
    /// are read before any target is written, as C# does; a null name is a discard).
    /// </summary>
    private void Deconstruct(ExpressionSyntax value, List<(SyntaxNode Node, string? Name)> targets, List<Statement> result)
    {
        string temp = "$tuple" + result.Count;
        result.Add(new Statement(temp, Parse(value)));
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets[i].Name is not { } name) continue;
            if (_loopVariables.Contains(name)) { Unsupported(targets[i].Node, $"An assignment to the loop variable '{name}' (the unrolled loop sets it)"); continue; }
            var at = LocationInfo.From(targets[i].Node);
            result.Add(new Statement(name, new CallExpr("Array.Item", new NameExpr(temp, at), new[] { new Argument("index", new NumberExpr(i, at)) }.ToEquatable(), at)));
        }
    }

    /// <summary>The binary operator of a compound assignment (<c>+=</c> → "+"), null for <c>=</c>, "?" for one the language lacks.</summary>
    private static string? CompoundOperator(AssignmentExpressionSyntax assignment) => assignment.Kind() switch
    {
        SyntaxKind.SimpleAssignmentExpression => null,
        SyntaxKind.AddAssignmentExpression => "+", SyntaxKind.SubtractAssignmentExpression => "-",
        SyntaxKind.MultiplyAssignmentExpression => "*", SyntaxKind.DivideAssignmentExpression => "/", SyntaxKind.ModuloAssignmentExpression => "%",
        _ => "?",
    };

    /// <summary>The name a ++ or -- applies to, or null.</summary>
    private static IdentifierNameSyntax? Counted(ExpressionSyntax e) => e switch
    {
        PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax n } => n,
        PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax n } => n,
        _ => null,
    };

    /// <summary>The parts of <c>for (int i = a; i &lt; b; i += k)</c>, or null for any other shape of loop.</summary>
    private (string Variable, Expr From, string Compare, Expr To, Expr Step)? ReadLoop(ForStatementSyntax loop)
    {
        if (loop.Declaration is not { Variables.Count: 1 } declaration || declaration.Variables[0] is not { Initializer: { } init } declarator || loop.Initializers.Count > 0) return null;
        string v = declarator.Identifier.ValueText;
        if (loop.Condition is not BinaryExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: var left } } condition || left != v) return null;
        string compare = condition.OperatorToken.Text;
        if (compare is not ("<" or "<=" or ">" or ">=" or "!=")) return null;
        if (loop.Incrementors.Count != 1) return null;
        var step = loop.Incrementors[0];
        var location = LocationInfo.From(step);
        Expr? by = step switch
        {
            PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax { Identifier.ValueText: var n } } u when n == v => new NumberExpr(u.IsKind(SyntaxKind.PostIncrementExpression) ? 1 : -1, location),
            PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax { Identifier.ValueText: var n } } u when n == v && (u.IsKind(SyntaxKind.PreIncrementExpression) || u.IsKind(SyntaxKind.PreDecrementExpression))
                => new NumberExpr(u.IsKind(SyntaxKind.PreIncrementExpression) ? 1 : -1, location),
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: var n } } a when n == v && a.IsKind(SyntaxKind.AddAssignmentExpression) => Parse(a.Right),
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: var n } } a when n == v && a.IsKind(SyntaxKind.SubtractAssignmentExpression) => new NegateExpr(Parse(a.Right), location),
            _ => null,
        };
        if (by is null) return null;
        return (v, Parse(init.Value), compare, Parse(condition.Right), by);
    }

    /// <summary>How deep an expression may nest: the later stages walk it recursively, and a compiler's stack is finite.</summary>
    public const int MaxDepth = 500;

    private int _depth;

    private Expr Parse(ExpressionSyntax syntax)
    {
        if (_depth >= MaxDepth) return Unsupported(syntax, $"An expression nested more than {MaxDepth} levels deep (split it with locals)");
        _depth++;
        try { return ParseNode(syntax); }
        finally { _depth--; }
    }

    private Expr ParseNode(ExpressionSyntax syntax)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var location = LocationInfo.From(syntax);
        var symbol = model.GetSymbolInfo(syntax, cancellationToken).Symbol;
        if (symbol is IFieldSymbol { ContainingType.TypeKind: TypeKind.Enum } enumMember)
            return new ConstExpr(enumMember.ContainingType.Name + "." + enumMember.Name, location);
        var constant = model.GetConstantValue(syntax, cancellationToken);
        if (constant.HasValue) return Constant(constant.Value, location);
        switch (syntax)
        {
            case ParenthesizedExpressionSyntax p:
                return Parse(p.Expression);
            case CastExpressionSyntax c:
                return Parse(c.Expression);
            case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } bang:
                return Parse(bang.Operand);
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression):
                return new NegateExpr(Parse(u.Operand), location);
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryPlusExpression):
                return Parse(u.Operand);
            case BinaryExpressionSyntax b when b.Kind() is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression
                or SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression or SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression
                or SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression or SyntaxKind.BitwiseAndExpression or SyntaxKind.BitwiseOrExpression or SyntaxKind.ExclusiveOrExpression
                or SyntaxKind.ModuloExpression or SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression:
                // an int division truncates in C#: say so, so the folding of build-time numbers does too
                string op = b.IsKind(SyntaxKind.DivideExpression) && model.GetTypeInfo(b, cancellationToken).Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
                    or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_UInt32 or SpecialType.System_UInt64 ? "idiv" : b.OperatorToken.Text;
                return new BinaryExpr(op, Parse(b.Left), Parse(b.Right), location);
            case TupleExpressionSyntax tuple:
                return new TupleExpr(tuple.Arguments.Select(a => Parse(a.Expression)).ToEquatable(), location);
            case ConditionalExpressionSyntax conditional:
                return new ConditionalExpr(Condition(conditional.Condition, "A ?: expression"), Parse(conditional.WhenTrue), Parse(conditional.WhenFalse), location);
            case ArrayCreationExpressionSyntax { Initializer: null, Type: { RankSpecifiers: { Count: 1 } ranks, ElementType: var elementType } }
                when ranks[0].Sizes.Count == 1 && model.GetTypeInfo(elementType, cancellationToken).Type is { } t && ModelDiscovery.IsKiln(t, "Tensor"):
                // new Tensor[Bins]: an array of tensors filled by parts[i] = … (a build-time size)
                return new CallExpr("Array.New", null, new[] { new Argument("size", Parse(ranks[0].Sizes[0])) }.ToEquatable(), location);
            case ExpressionSyntax literal when Elements(literal) is { } items
                && model.GetTypeInfo(literal, cancellationToken).ConvertedType is IArrayTypeSymbol { ElementType: var itemType } && ModelDiscovery.IsKiln(itemType, "Tensor"):
                // Tensor[] parts = [a, b]: the tensors in order
                return new TupleExpr(items.Select(Parse).ToEquatable(), location);
            case SwitchExpressionSyntax choice:
            {
                // mode switch { Mode.A => x, Mode.B => y, _ => z }: nested ?: from the discard arm back
                if (choice.Arms.LastOrDefault() is not { Pattern: DiscardPatternSyntax, WhenClause: null } fallback)
                    return Unsupported(choice, "A switch expression without a final discard arm (_ => …)");
                var subject = Parse(choice.GoverningExpression);
                Expr chosen = Parse(fallback.Expression);
                foreach (var arm in choice.Arms.Reverse().Skip(1))
                {
                    if (arm.WhenClause is not null || arm.Pattern is not ConstantPatternSyntax armValue) return Unsupported(arm, "A switch arm other than a constant (Mode.A => …) or the discard");
                    var at = LocationInfo.From(arm);
                    chosen = new ConditionalExpr(new BinaryExpr("==", subject, Parse(armValue.Expression), at), Parse(arm.Expression), chosen, at);
                }
                return chosen;
            }
            case IdentifierNameSyntax when symbol is IFieldSymbol { IsStatic: true, IsReadOnly: true } readOnly && SymbolEqualityComparer.Default.Equals(readOnly.ContainingType, owner)
                && ReadOnlyValue(readOnly) is { HasValue: true } initial:
                // static readonly int Bins = 10: a build-time constant, as a const is
                return Constant(initial.Value, location);
            case IdentifierNameSyntax id when symbol is IFieldSymbol { IsStatic: true, IsReadOnly: true } other && SymbolEqualityComparer.Default.Equals(other.ContainingType, owner):
                return Unsupported(syntax, $"'{id.Identifier.ValueText}', a static readonly field whose initializer is not a constant (make it const, or a literal)");
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.LogicalNotExpression) || u.IsKind(SyntaxKind.BitwiseNotExpression):
                return new NotExpr(Parse(u.Operand), location);
            case IdentifierNameSyntax id when symbol is ILocalSymbol or IParameterSymbol:
                return new NameExpr(id.Identifier.ValueText, location);
            case IdentifierNameSyntax id when symbol is IFieldSymbol f && SymbolEqualityComparer.Default.Equals(f.ContainingType, owner):
                return new NameExpr(id.Identifier.ValueText, location);
            case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } m when symbol is IFieldSymbol:
                return new NameExpr(m.Name.Identifier.ValueText, location);
            case MemberAccessExpressionSyntax m when symbol is IFieldSymbol { ContainingType.IsTupleType: true } element:
                // x.Max(1).Values: an element of a tuple of tensors
                int position = int.Parse((element.CorrespondingTupleField ?? element).Name.Substring("Item".Length), System.Globalization.CultureInfo.InvariantCulture) - 1;
                return new CallExpr("Array.Item", Parse(m.Expression), new[] { new Argument("index", new NumberExpr(position, location)) }.ToEquatable(), location);
            case MemberAccessExpressionSyntax m when symbol is IPropertySymbol { Name: "T" } prop && ModelDiscovery.IsKiln(prop.ContainingType, "Tensor"):
                return new MemberExpr(Parse(m.Expression), "T", location);
            case MemberAccessExpressionSyntax m when symbol is IFieldSymbol f && IsModuleField(model.GetSymbolInfo(m.Expression, cancellationToken).Symbol):
                return new MemberExpr(Parse(m.Expression), f.Name, location);
            case InvocationExpressionSyntax call:
                return ParseCall(call, location);
            case ElementAccessExpressionSyntax { ArgumentList.Arguments.Count: 1 } access
                when model.GetTypeInfo(access.Expression, cancellationToken).Type is IArrayTypeSymbol { ElementType: var element } && ModelDiscovery.IsKiln(element, "Tensor"):
                // parts[1] of Split/Chunk's tensors
                return new CallExpr("Array.Item", Parse(access.Expression), new[] { new Argument("index", Parse(access.ArgumentList.Arguments[0].Expression)) }.ToEquatable(), location);
            case ElementAccessExpressionSyntax access when model.GetTypeInfo(access.Expression, cancellationToken).Type is { } t && ModelDiscovery.IsKiln(t, "Tensor"):
                // x[i, a..b, ^1, Ellipsis]: the indexer, with each index as a constant the lowering reads
                return new CallExpr("Tensor.Index", Parse(access.Expression),
                    access.ArgumentList.Arguments.Select(a => new Argument("indices", ParseIndex(a.Expression))).ToEquatable(), location);
            case LiteralExpressionSyntax l when l.IsKind(SyntaxKind.DefaultLiteralExpression):
                return new ConstExpr("null", location);
        }
        if (symbol is null && model.GetSymbolInfo(syntax, cancellationToken).CandidateReason != CandidateReason.None)
            return new ConstExpr("<error>", location);
        // the user's own words (a new user read "'SimpleMemberAccess'" for Parameters.Training)
        return Unsupported(syntax, syntax is ElementAccessExpressionSyntax indexed && model.GetTypeInfo(indexed.Expression, cancellationToken).Type is { } indexedType && ModelDiscovery.IsKiln(indexedType, "IntTensor")
            ? $"Indexing an IntTensor ('{Shorten(syntax.ToString())}'; Reshape it, or index what it is used with)"
            : $"'{Shorten(syntax.ToString())}'");
    }

    /// <summary>The value of a static readonly field whose initializer is a compile-time constant (no value otherwise).</summary>
    private Optional<object?> ReadOnlyValue(IFieldSymbol field) =>
        field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: var value }
            ? model.Compilation.GetSemanticModel(value.SyntaxTree).GetConstantValue(value, cancellationToken) : default;

    /// <summary>The enum member with this value, spelled as an enum argument is (<c>Mix.Residual</c>); its number when none is named so.</summary>
    private static Expr EnumMember(ITypeSymbol type, object? value, LocationInfo location) =>
        type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value)) is { } member
            ? new ConstExpr(type.Name + "." + member.Name, location)
            : Constant(value, location);

    private static Expr Constant(object? value, LocationInfo location) => value switch
    {
        null => new ConstExpr("null", location),
        bool b => new ConstExpr(b ? "true" : "false", location),
        string s => new ConstExpr("\"" + s + "\"", location),
        char ch => new NumberExpr(ch, location), // C# converts a char operand to its code, as Tensor * 'a' compiles to
        // every other C# constant is a number (int, long, float, double, decimal …), all IConvertible
        var v => new NumberExpr(System.Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture), location),
    };

    private bool IsModuleField(ISymbol? symbol) =>
        symbol is IFieldSymbol f && SymbolEqualityComparer.Default.Equals(f.ContainingType, owner)
        && f.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Kiln.ModuleAttribute");

    private Expr ParseCall(InvocationExpressionSyntax call, LocationInfo location)
    {
        var info = model.GetSymbolInfo(call, cancellationToken);
        // a call C# cannot bind (a wrong argument type: CS1503) is C#'s error at the user's span; lowering its best
        // candidate reported a second error, placed in the candidate's body (Kiln.Nn.g.cs for a float Tensor passed
        // to Embedding.Forward)
        if (info.Symbol is null && info.CandidateReason is CandidateReason.OverloadResolutionFailure) return new ConstExpr("<error>", location);
        var method = info.Symbol as IMethodSymbol ?? info.CandidateSymbols.OfType<IMethodSymbol>().FirstOrDefault();
        if (method is null) return new ConstExpr("<error>", location);
        string? callee = null;
        Expr? receiver = null;
        var containing = method.ContainingType;
        if (ModelDiscovery.IsKiln(containing, "Ops") || ModelDiscovery.IsKiln(containing, "Losses"))
            callee = containing.Name + "." + method.Name;
        else if ((ModelDiscovery.IsKiln(containing, "Tensor") || ModelDiscovery.IsKiln(containing, "BoolTensor") || ModelDiscovery.IsKiln(containing, "IntTensor")) && !method.IsStatic && call.Expression is MemberAccessExpressionSyntax m)
        {
            callee = containing.Name + "." + method.Name;
            receiver = Parse(m.Expression);
        }
        else if (SymbolEqualityComparer.Default.Equals(containing, owner))
            callee = "self." + method.Name;
        else if (call.Expression is MemberAccessExpressionSyntax member && IsModuleField(model.GetSymbolInfo(member.Expression, cancellationToken).Symbol))
            callee = "module." + ((IFieldSymbol)model.GetSymbolInfo(member.Expression, cancellationToken).Symbol!).Name + "." + method.Name;
        // layers[i].Forward(x) on an array or list of modules: say what a model holds instead
        if (callee is null && call.Expression is MemberAccessExpressionSyntax { Expression: ElementAccessExpressionSyntax indexedModule }
            && model.GetSymbolInfo(indexedModule.Expression, cancellationToken).Symbol is IFieldSymbol collection
            && (collection.Type is IArrayTypeSymbol { ElementType: var elementType } ? elementType : (collection.Type as INamedTypeSymbol)?.TypeArguments.FirstOrDefault()) is { } held
            && held.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Kiln.ModelAttribute"))
            return Unsupported(call, $"A call on an element of '{collection.Name}' (a model holds each submodule in a [Module] field of its own; there is no nn.ModuleList)");
        if (callee is null) return Unsupported(call, $"A call to '{method.ContainingType.Name}.{method.Name}'");

        var args = new List<Argument>();
        var positional = 0;
        foreach (var arg in call.ArgumentList.Arguments)
        {
            IParameterSymbol? parameter = arg.NameColon is { } nc
                ? method.Parameters.FirstOrDefault(p => p.Name == nc.Name.Identifier.ValueText)
                : positional < method.Parameters.Length ? method.Parameters[positional] : method.Parameters.LastOrDefault(p => p.IsParams);
            if (arg.NameColon is null && !(parameter?.IsParams ?? false)) positional++;
            if (parameter is null) return Unsupported(arg, "An argument without a matching parameter");
            if (Elements(arg.Expression) is { } elements)
                foreach (var element in elements) args.Add(new Argument(parameter.Name, Parse(element)));   // dims: [0, 2]
            else args.Add(new Argument(parameter.Name, Parse(arg.Expression)));
        }
        if (callee.StartsWith("self.", System.StringComparison.Ordinal))
            // a helper's left-out int/float/bool/enum arguments take their declared defaults
            foreach (var p in method.Parameters.Where(p => p.HasExplicitDefaultValue && (p.Type.SpecialType != SpecialType.None || p.Type.TypeKind == TypeKind.Enum) && args.All(a => a.Name != p.Name)))
                args.Add(new Argument(p.Name, p.Type.TypeKind == TypeKind.Enum ? EnumMember(p.Type, p.ExplicitDefaultValue, location) : Constant(p.ExplicitDefaultValue, location)));
        // Ops.Dropout as the direct call binds it: nn.Dropout (no training argument: the plan follows the mode) only by its
        // short name where the generated part adds the model's own Dropout; else F.dropout, training = true unless given
        if (callee == "Ops.Dropout" && args.All(a => a.Name != "training") && !(eagerDropout && call.Expression is IdentifierNameSyntax))
            args.Add(new Argument("training", Constant(true, location)));
        bool many = method.ReturnType is IArrayTypeSymbol || method.ReturnType.IsTupleType;
        return new CallExpr(callee, receiver, args.ToEquatable(), location, many);
    }

    /// <summary>One index of the indexer: an int, ^k, a range with constant ends, or Ellipsis.</summary>
    private Expr ParseIndex(ExpressionSyntax e)
    {
        var location = LocationInfo.From(e);
        string? Bound(ExpressionSyntax? b) => b switch
        {
            null => "",
            PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.IndexExpression) => Int(u.Operand) is { } k ? "^" + k : null,
            _ => Int(b)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        // a C# Index is never negative (eagerly, Index(-1) throws): Python's -k is ^k here
        bool Negative(ExpressionSyntax? b) => b is PrefixUnaryExpressionSyntax p && p.IsKind(SyntaxKind.IndexExpression) ? Int(p.Operand) is < 0 : b is not null && Int(b) is < 0;
        switch (e)
        {
            case RangeExpressionSyntax r when Negative(r.LeftOperand) || Negative(r.RightOperand):
            case PrefixUnaryExpressionSyntax fromEnd when fromEnd.IsKind(SyntaxKind.IndexExpression) && Negative(fromEnd):
                return Unsupported(e, "A negative index in a range or after ^ (a C# Index is never negative: write ^2 for the second from the end)");
            case RangeExpressionSyntax r when Bound(r.LeftOperand) is { } from && Bound(r.RightOperand) is { } to:
                return new ConstExpr($"range:{from}:{to}", location);
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.IndexExpression) && Int(u.Operand) is { } k:
                return new ConstExpr("index:^" + k, location);
        }
        if (model.GetSymbolInfo(e, cancellationToken).Symbol is { Name: "Ellipsis" } s && ModelDiscovery.IsKiln(s.ContainingType, "TensorIndex") | ModelDiscovery.IsKiln(s.ContainingType, "Ops"))
            return new ConstExpr("ellipsis", location);
        if (Int(e) is { } i) return new NumberExpr(i, location);
        // a build-time int that is not a C# constant (a loop variable, a helper's argument): its value comes at lowering
        if (model.GetTypeInfo(e, cancellationToken).Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64) return Parse(e);
        return Unsupported(e, "An index other than an int known at build time, ^int or a range of constants, or Ellipsis");
    }

    private int? Int(ExpressionSyntax e) => model.GetConstantValue(e, cancellationToken) is { HasValue: true, Value: int v } ? v : null;

    /// <summary>The elements of an array written in place (<c>[0, 2]</c>, <c>new[] { 0, 2 }</c>, <c>new int[] { 0, 2 }</c>), or null.</summary>
    private static IEnumerable<ExpressionSyntax>? Elements(ExpressionSyntax e) => e switch
    {
        CollectionExpressionSyntax c => c.Elements.OfType<ExpressionElementSyntax>().Select(x => x.Expression),
        ImplicitArrayCreationExpressionSyntax a => a.Initializer.Expressions,
        ArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
        _ => null,
    };

    /// <summary><c>switch (v) { case A: …; break; case B: case C: …; break; default: …; break; }</c> as nested if/else on v == label.</summary>
    private Statement SwitchChain(SwitchStatementSyntax choice)
    {
        var subject = Parse(choice.Expression);
        var otherwise = new List<Statement>();
        var sections = choice.Sections.ToList();
        if (sections.FirstOrDefault(x => x.Labels.Any(l => l is DefaultSwitchLabelSyntax)) is { } fallback)
        {
            ParseSection(fallback, otherwise);
            sections.Remove(fallback);
        }
        var chain = otherwise;
        for (int i = sections.Count - 1; i >= 0; i--)
        {
            Expr? condition = null;
            foreach (var label in sections[i].Labels)
            {
                var value = label switch
                {
                    CaseSwitchLabelSyntax c => c.Value,
                    CasePatternSwitchLabelSyntax { Pattern: ConstantPatternSyntax p, WhenClause: null } => p.Expression,
                    _ => null,
                };
                if (value is null) { Unsupported(label, "A case label other than a constant (case Mode.A:)"); continue; }
                var at = LocationInfo.From(label);
                var test = new BinaryExpr("==", subject, Parse(value), at);
                condition = condition is null ? test : new BinaryExpr("||", condition, test, at);
            }
            var then = new List<Statement>();
            ParseSection(sections[i], then);
            chain = [new IfStatement(condition ?? new ConstExpr("false", LocationInfo.From(sections[i])), then.ToEquatable(), chain.ToEquatable(), LocationInfo.From(sections[i].Labels[0]))];
        }
        return chain.Count == 1 ? chain[0] : new IfStatement(new ConstExpr("true", LocationInfo.From(choice)), chain.ToEquatable(), EquatableArray<Statement>.Empty, LocationInfo.From(choice));
    }

    /// <summary>A switch section's statements, less the break that ends it (a return ends it by itself).</summary>
    private void ParseSection(SwitchSectionSyntax section, List<Statement> result)
    {
        var statements = section.Statements.ToList();
        if (statements.LastOrDefault() is BreakStatementSyntax) statements.RemoveAt(statements.Count - 1);
        ParseStatements(statements, result);
    }

    /// <summary>A branch's condition. One C# types as a BoolTensor (true on a tensor's values, as eager code may branch) is
    /// KLN0001 here, beside the method's other parse errors, not after them in the lowering.</summary>
    private Expr Condition(ExpressionSyntax condition, string what) =>
        model.GetTypeInfo(condition, cancellationToken).Type is { } t && ModelDiscovery.IsKiln(t, "BoolTensor")
            ? Unsupported(condition, Check.Lowerer.RunTimeCondition(what))
            : Parse(condition);

    private Expr Unsupported(SyntaxNode node, string what)
    {
        diagnostics.Add(DiagnosticInfo.Create(Descriptors.Unsupported, LocationInfo.From(node), what));
        return new ConstExpr("<error>", LocationInfo.From(node));
    }

    /// <summary>A statement outside the language, in the words a C# user knows it by (not Roslyn's syntax kinds: a new
    /// user read "A 'Invocation' statement" for a Console.WriteLine).</summary>
    private static string Describe(SyntaxNode node) => node switch
    {
        InvocationExpressionSyntax call => $"A call to {Shorten(call.Expression.ToString())} as a statement",
        AssignmentExpressionSyntax assignment => $"An assignment to '{Shorten(assignment.Left.ToString())}'",
        PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax => $"'{Shorten(node.ToString())}'",
        AwaitExpressionSyntax => "An await",
        ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => "A new object as a statement",
        WhileStatementSyntax => "A while loop",
        DoStatementSyntax => "A do-while loop",
        CommonForEachStatementSyntax => "A foreach loop",
        TryStatementSyntax => "A try statement",
        ThrowStatementSyntax => "A throw statement",
        UsingStatementSyntax => "A using statement",
        LockStatementSyntax => "A lock statement",
        GotoStatementSyntax => "A goto",
        LabeledStatementSyntax => "A label",
        YieldStatementSyntax => "A yield",
        CheckedStatementSyntax or UnsafeStatementSyntax or FixedStatementSyntax => $"A '{((StatementSyntax)node).GetFirstToken().ValueText}' block",
        LocalFunctionStatementSyntax => "A local function",
        _ => $"A '{node.Kind().ToString().Replace("Statement", "").Replace("Expression", "")}' statement",
    };

    private static string Shorten(string text) => text.Length > 40 ? text.Substring(0, 37) + "..." : text;
}

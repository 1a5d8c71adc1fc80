namespace Kiln.Generator.Model;

/// <summary>
/// The Kiln expression language as parsed from C#: a small, equatable AST. Calls are already resolved to
/// their callee (e.g. "Ops.Sigmoid", "Tensor.MatMul", "Losses.MseLoss", "self.Predict", "module.fc1.Forward")
/// and their arguments named, so lowering needs no semantic model.
/// </summary>
internal abstract record Expr(LocationInfo Location);

/// <summary>A local, method parameter or [Param] field.</summary>
internal sealed record NameExpr(string Name, LocationInfo Location) : Expr(Location);

/// <summary>A compile-time constant number (literals and const expressions).</summary>
internal sealed record NumberExpr(double Value, LocationInfo Location) : Expr(Location);

/// <summary>A compile-time constant of another kind: bool, enum member (as "Reduction.Sum") or null.</summary>
internal sealed record ConstExpr(string Value, LocationInfo Location) : Expr(Location);

/// <summary>A binary operator on tensors and numbers: + - * /, comparisons (&gt; &gt;= &lt; &lt;= == !=) and logical &amp; | ^ on masks.</summary>
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, LocationInfo Location) : Expr(Location);

/// <summary><c>Condition ? WhenTrue : WhenFalse</c> with a build-time condition (a tensor condition is Where's work).</summary>
internal sealed record ConditionalExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse, LocationInfo Location) : Expr(Location);

/// <summary>A tuple of tensors written in place: <c>return (loss, logits);</c></summary>
internal sealed record TupleExpr(EquatableArray<Expr> Items, LocationInfo Location) : Expr(Location);

/// <summary>Unary minus.</summary>
internal sealed record NegateExpr(Expr Operand, LocationInfo Location) : Expr(Location);

/// <summary>Logical not of a mask (<c>!mask</c>).</summary>
internal sealed record NotExpr(Expr Operand, LocationInfo Location) : Expr(Location);

/// <summary>A named argument of a call (names come from the callee's parameters).</summary>
internal sealed record Argument(string Name, Expr Value);

/// <summary>A call; <paramref name="Receiver"/> is the tensor an instance method is called on.</summary>
/// <paramref name="ReturnsMany"/>: the C# method returns several tensors (an array or a tuple), as Split or Max(dim) do.
internal sealed record CallExpr(string Callee, Expr? Receiver, EquatableArray<Argument> Args, LocationInfo Location, bool ReturnsMany = false) : Expr(Location);

/// <summary>A property read on a tensor (x.T) or a [Param] of a submodule (fc1.weight).</summary>
internal sealed record MemberExpr(Expr Target, string Member, LocationInfo Location) : Expr(Location);

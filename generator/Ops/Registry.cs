using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Kiln.Generator.Check;
using Kiln.Generator.Ir;
using Kiln.Generator.Model;

namespace Kiln.Generator.Ops;

/// <summary>
/// The one map from the language's names (<c>Ops.Gelu</c>, <c>Tensor.Gelu</c>, <c>Losses.HuberLoss</c> all look up
/// <c>Gelu</c> / <c>HuberLoss</c>) to their lowering. Rows are not listed by hand: an elementwise row with a
/// <c>language:</c> name (<see cref="Unary"/>) lowers to itself applied to the input, and every public static
/// <c>Node Name(Call)</c> of <see cref="Lowerings"/> and <see cref="LossOps"/> is the lowering of <c>Name</c>.
/// A name defined twice fails the registry's construction, and the guard tests (RegistryGuardTests) fail on a
/// public language method without a row, a docs entry, a test model or a float64 reference.
/// </summary>
/// <summary>Marks a lowering returning several tensors as the row of the language name it overloads.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ManyOfAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

internal static class Registry
{
    private static readonly Dictionary<string, Func<Call, Node>> Rows = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Func<Call, Node[]>> ArrayRows = new(StringComparer.Ordinal);

    static Registry() => Build();

    /// <summary>The C# operators on tensors and the elementwise rows they lower to.</summary>
    public static readonly IReadOnlyDictionary<string, OpDef> Operators = new Dictionary<string, OpDef>
    {
        ["+"] = Arithmetic.Add, ["-"] = Arithmetic.Sub, ["*"] = Arithmetic.Mul, ["/"] = Arithmetic.Div, ["%"] = Arithmetic.Remainder,
        [">"] = Arithmetic.Gt, [">="] = Arithmetic.Ge, ["<"] = Arithmetic.Lt, ["<="] = Arithmetic.Le, ["=="] = Arithmetic.Eq, ["!="] = Arithmetic.Ne,
        ["&"] = Arithmetic.LogicalAnd, ["|"] = Arithmetic.LogicalOr, ["^"] = Arithmetic.LogicalXor,
    };

    public static IReadOnlyCollection<string> Names => Rows.Keys.Concat(ArrayRows.Keys).ToList();

    public static bool TryGet(string name, out Func<Call, Node> lower) => Rows.TryGetValue(name, out lower!);

    /// <summary>Rows returning several tensors (Split, Chunk): <c>public static Node[] Name(Call)</c>.</summary>
    public static bool TryGetArray(string name, out Func<Call, Node[]> lower) => ArrayRows.TryGetValue(name, out lower!);

    private static void Build()
    {
        var rows = Rows;
        void Add(string name, Func<Call, Node> lower)
        {
            if (rows.ContainsKey(name) || ArrayRows.ContainsKey(name)) throw new InvalidOperationException($"The language name '{name}' is defined twice");
            rows.Add(name, lower);
        }
        foreach (var type in new[] { typeof(Unary), typeof(Activations) })
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
                if (field.GetValue(null) is ElementwiseOp { Language: { } name } op)
                    Add(name, op.Parameters.Length == 0
                        ? c => c.B.Unary(op, c.X())
                        : c => c.B.Unary(op, c.X(), new NodeAttrs { Args = op.Parameters.Select(p => c.Number(p.Name, p.Default)).ToEquatable() }));
        foreach (var type in new[] { typeof(Lowerings), typeof(LossOps) })
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
                if (method.GetParameters() is { Length: 1 } ps && ps[0].ParameterType == typeof(Call))
                {
                    if (method.ReturnType == typeof(Node)) Add(method.Name, (Func<Call, Node>)method.CreateDelegate(typeof(Func<Call, Node>)));
                    else if (method.ReturnType == typeof(Node[]))
                    {
                        // the overloads returning several tensors (Max(dim) → values, indices) may share a name with a single one
                        string name = method.GetCustomAttribute<ManyOfAttribute>()?.Name ?? method.Name;
                        if (ArrayRows.ContainsKey(name)) throw new InvalidOperationException($"The language name '{name}' is defined twice");
                        ArrayRows.Add(name, (Func<Call, Node[]>)method.CreateDelegate(typeof(Func<Call, Node[]>)));
                    }
                }
    }
}

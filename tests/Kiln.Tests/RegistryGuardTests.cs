extern alias gen;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using gen::Kiln.Generator.Model;
using gen::Kiln.Generator.Ops;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// One place per op, enforced: every public method of the language (Ops, Tensor, BoolTensor, Losses) has a registry
/// row, a row in docs/ops.md, a test model that calls it in that spelling, and a float64 reference; and every
/// registry row is public. Adding an op without one of them fails here, naming what is missing.
/// </summary>
public class RegistryGuardTests
{
    /// <summary>C# operators and the names they have everywhere else (registry token, reference method).</summary>
    private static readonly Dictionary<string, (string Token, string Reference)> Operators = new()
    {
        ["op_Addition"] = ("+", "Add"), ["op_Subtraction"] = ("-", "Sub"), ["op_Multiply"] = ("*", "Mul"), ["op_Division"] = ("/", "Div"), ["op_Modulus"] = ("%", "Remainder"),
        ["op_UnaryNegation"] = ("neg", "Neg"), ["op_GreaterThan"] = (">", "Gt"), ["op_GreaterThanOrEqual"] = (">=", "Ge"),
        ["op_LessThan"] = ("<", "Lt"), ["op_LessThanOrEqual"] = ("<=", "Le"), ["op_Equality"] = ("==", "Eq"), ["op_Inequality"] = ("!=", "Ne"),
        ["op_BitwiseAnd"] = ("&", "LogicalAnd"), ["op_BitwiseOr"] = ("|", "LogicalOr"), ["op_ExclusiveOr"] = ("^", "LogicalXor"), ["op_LogicalNot"] = ("not", "LogicalNot"),
    };

    /// <summary>Public names that are a build-time error by design (KLN0015), so they have no value to compute.</summary>
    private static readonly HashSet<string> Rejected = ["MaskedSelect"];

    private static readonly Type[] Surface = [typeof(Ops), typeof(Tensor), typeof(BoolTensor), typeof(IntTensor), typeof(Losses)];

    /// <summary>(declaring type, member name) of every public language method and property, operators as op_X.</summary>
    private static List<(string Type, string Name)> PublicNames()
    {
        var names = new List<(string, string)>();
        foreach (var type in Surface)
        {
            // members of tensor values only ([EagerOnly]: shapes, items, conversions) and the conversion to spans are not ops
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                if ((!m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal)) && m.Name != "op_Implicit" && m.GetCustomAttribute<EagerOnlyAttribute>() is null)
                    // operator true/false only let C# compile an if on a mask, which the generator rejects with the Where form
                    if (m.Name is not ("Equals" or "GetHashCode" or "ToString" or "op_True" or "op_False")) names.Add((type.Name, m.Name));
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                if (p.GetCustomAttribute<EagerOnlyAttribute>() is null) names.Add((type.Name, p.Name));
        }
        return names.Distinct().ToList();
    }

    public static TheoryData<string, string> Names()
    {
        var data = new TheoryData<string, string>();
        foreach (var (type, name) in PublicNames()) data.Add(type, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_public_language_method_has_a_row_docs_a_test_model_and_a_reference(string type, string name)
    {
        bool isOperator = Operators.TryGetValue(name, out var op);
        // the registry row (operators: the token's row; negation and not are their own expression kinds)
        if (isOperator) Assert.True(op.Token is "neg" or "not" || Registry.Operators.ContainsKey(op.Token), $"operator {op.Token} has no row in Registry.Operators");
        else Assert.True(Registry.TryGet(name, out _) || Registry.TryGetArray(name, out _), $"{type}.{name} has no registry row (Ops/Registry.cs)");

        // the docs row
        var docs = File.ReadAllLines(Path.Combine(Repo.Root, "docs", "ops.md")).Where(l => l.StartsWith("|", StringComparison.Ordinal));
        var spans = docs.SelectMany(l => Regex.Matches(l, "`([^`]*)`").Select(m => m.Groups[1].Value)).ToList();
        string docsToken = isOperator ? op.Token switch { "neg" => "-a", "not" => "!m", "|" => @" \| ", var t => " " + t + " " } : name;
        Assert.True(isOperator ? spans.Any(s => s.Contains(docsToken)) : spans.Any(s => Regex.IsMatch(s, $@"\b{name}\b")),
            $"{type}.{name} has no row in docs/ops.md");

        // a test model calling it in this spelling (an op that is a build error by design has its diagnostic test instead)
        if (Rejected.Contains(name)) return;
        var used = Used();
        string key = isOperator ? op.Token : type + "." + name;
        Assert.True(used.Contains(key), $"no test model calls {type}.{name} (tests/Kiln.Tests/Models)");

        // the float64 reference
        string reference = isOperator ? op.Reference : name;
        Assert.True(typeof(ReferenceOps).GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == reference),
            $"{type}.{name} has no float64 reference ReferenceOps.{reference} (tests/Kiln.Tests/Support/ReferenceOps*.cs)");
    }

    [Fact]
    public void Every_registry_row_is_a_public_language_name()
    {
        var names = PublicNames().Select(n => n.Name).ToHashSet();
        var orphans = Registry.Names.Where(n => !names.Contains(n)).ToList();
        Assert.True(orphans.Count == 0, "registry rows without a public method: " + string.Join(", ", orphans));
        Assert.True(Registry.Names.Count >= 80, $"only {Registry.Names.Count} registry rows");
    }

    private static HashSet<string>? _used;

    /// <summary>Every callee, member and operator the test models use, as the parser resolved them.</summary>
    private static HashSet<string> Used()
    {
        if (_used is { } cached) return cached;
        var used = new HashSet<string>();
        void Walk(Expr e)
        {
            switch (e)
            {
                case CallExpr c:
                    used.Add(c.Callee);
                    if (c.Receiver is { } r) Walk(r);
                    foreach (var a in c.Args) Walk(a.Value);
                    break;
                case BinaryExpr b: used.Add(b.Op); Walk(b.Left); Walk(b.Right); break;
                case NegateExpr n: used.Add("neg"); Walk(n.Operand); break;
                case NotExpr n: used.Add("not"); Walk(n.Operand); break;
                case MemberExpr { Member: "T" } m: used.Add("Tensor.T"); Walk(m.Target); break;
                case MemberExpr m: Walk(m.Target); break;
            }
        }
        foreach (var model in Reference.TestModels)
            foreach (var method in model.Methods)
                foreach (var statement in method.Body) Walk(statement.Value);
        return _used = used;
    }
}

/// <summary>
/// The generator's op rows are static fields that refer to one another: one read before its own initializer has run is
/// null (Arithmetic.OneInstruction held null for Maximum and Minimum, so fusion never recomputed them). Every row, and
/// every collection of rows, of the Ops namespace holds no null once the types are loaded.
/// </summary>
public class OpRowInitializationTests
{
    [Fact]
    public void No_op_row_or_collection_of_rows_holds_null()
    {
        var checkedAny = 0;
        foreach (var type in typeof(OpDef).Assembly.GetTypes().Where(t => t.Namespace == typeof(OpDef).Namespace))
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var (valueType, read) = member switch
                {
                    FieldInfo f when !f.Name.Contains('<') => (f.FieldType, (Func<object?>)(() => f.GetValue(null))),
                    PropertyInfo p when p.GetIndexParameters().Length == 0 && p.GetMethod is not null => (p.PropertyType, () => p.GetValue(null)),
                    _ => (null, null),
                };
                if (valueType is null || read is null) continue;
                if (typeof(OpDef).IsAssignableFrom(valueType))
                {
                    if (member is FieldInfo { IsInitOnly: true }) { Assert.True(read() is not null, $"{type.Name}.{member.Name} is null"); checkedAny++; }
                }
                else if (typeof(System.Collections.IEnumerable).IsAssignableFrom(valueType) && valueType != typeof(string)
                    && valueType.GetInterfaces().Concat([valueType]).Any(i => i.IsGenericType && i.GetGenericArguments().Any(a => typeof(OpDef).IsAssignableFrom(a))))
                {
                    if (read() is not System.Collections.IEnumerable items) continue;
                    foreach (var item in items)
                    {
                        var op = item is KeyValuePair<string, OpDef> pair ? pair.Value : item;
                        Assert.True(op is not null, $"{type.Name}.{member.Name} holds a null row");
                    }
                    checkedAny++;
                }
            }
        }
        Assert.True(checkedAny > 50, $"only {checkedAny} rows and collections checked");
        Assert.Contains(Arithmetic.Maximum, Arithmetic.OneInstruction);
        Assert.Contains(Arithmetic.Minimum, Arithmetic.OneInstruction);
    }
}

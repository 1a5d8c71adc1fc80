using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Ir;
using Kiln.Generator.Model;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Check;

/// <summary>A parameter of the flattened model: its dotted path, constant shape, block offset and init.</summary>
internal sealed record ParamLayout(string Path, int[] Shape, int Offset, int FanIn, int Init)
{
    public int Count => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>The graph of one [Forward] or [Loss] method, before differentiation.</summary>
internal sealed class MethodGraph(MethodSpec method, GraphBuilder builder, List<Node> inputs, Node output, List<string> symbols)
{
    public MethodSpec Method { get; } = method;
    public GraphBuilder Builder { get; } = builder;
    public List<Node> Inputs { get; } = inputs;
    public Node Output { get; } = output;
    /// <summary>Symbolic dims in order of first appearance in the inputs; the plan's compile arguments.</summary>
    public List<string> Symbols { get; } = symbols;
}

/// <summary>
/// Stage 3 (Check): lowers a method into graph nodes, inlining calls to model methods and submodules, with
/// shape inference on every op. A shape error is reported at the offending expression; the method is then skipped.
/// </summary>
internal sealed class Lowerer
{
    private readonly ModelSpec _root;
    private readonly IReadOnlyDictionary<string, ModelSpec> _models;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Dictionary<string, ParamLayout> _layout = new();

    public Lowerer(ModelSpec root, IReadOnlyDictionary<string, ModelSpec> models, List<DiagnosticInfo> diagnostics)
    {
        _root = root;
        _models = models;
        _diagnostics = diagnostics;
        int offset = 0;
        BuildLayout(root, "", new Dictionary<string, int>(), ref offset, new HashSet<string>());
        Layout = _layout.Values.ToList();
    }

    public IReadOnlyList<ParamLayout> Layout { get; }
    public bool LayoutValid { get; private set; } = true;

    private void BuildLayout(ModelSpec model, string prefix, Dictionary<string, int> dims, ref int offset, HashSet<string> visiting)
    {
        if (!visiting.Add(model.FullName))
        {
            _diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadModule, model.Location, $"Model '{model.Name}' contains itself through its submodules"));
            LayoutValid = false;
            return;
        }
        foreach (var p in model.Params)
        {
            var shape = p.Shape.Select(d => d.Name is null ? d.Size : dims.TryGetValue(d.Name, out var v) ? v : -1).ToArray();
            if (shape.Any(s => s < 0)) { LayoutValid = false; continue; }
            int fanIn = p.FanIn is { } f ? (f.Name is null ? f.Size : dims.TryGetValue(f.Name, out var fv) ? fv : 0)
                : shape.Length >= 2 ? shape.Skip(1).Aggregate(1, (a, b) => a * b) : shape.Length == 1 ? shape[0] : 1;
            var layout = new ParamLayout(prefix + p.Name, shape, offset, fanIn, p.Init);
            _layout[layout.Path] = layout;
            offset += layout.Count;
        }
        foreach (var m in model.Modules)
        {
            if (!_models.TryGetValue(m.TypeName, out var sub)) { LayoutValid = false; continue; }
            if (sub.Dims.Count != m.Dims.Count)
            {
                _diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadModule, m.Location,
                    $"Submodule '{m.Name}' of type '{sub.Name}' needs {sub.Dims.Count} dims ({string.Join(", ", sub.Dims)}) but [Module] gives {m.Dims.Count}"));
                LayoutValid = false;
                continue;
            }
            var subDims = sub.Dims.Select((d, i) => (d, v: m.Dims[i])).ToDictionary(x => x.d, x => x.v);
            BuildLayout(sub, prefix + m.Name + ".", subDims, ref offset, visiting);
        }
        visiting.Remove(model.FullName);
    }

    /// <summary>A value during lowering: a tensor node, a number, or a symbolic constant (enum member, bool, null).</summary>
    private sealed record Value(Node? Tensor, double? Number, string? Constant);

    private sealed class Scope(ModelSpec model, string prefix, Dictionary<string, int> dims, Dictionary<string, Value> locals, ImmutableStack stack)
    {
        public ModelSpec Model { get; } = model;
        public string Prefix { get; } = prefix;
        public Dictionary<string, int> Dims { get; } = dims;
        public Dictionary<string, Value> Locals { get; } = locals;
        public ImmutableStack Stack { get; } = stack;
    }

    private sealed record ImmutableStack(string Head, ImmutableStack? Tail)
    {
        public bool Contains(string s) => Head == s || (Tail?.Contains(s) ?? false);
    }

    private sealed class LoweringFailed : Exception { }

    /// <summary>Lowers a root [Forward]/[Loss] method; null when it has errors (already reported).</summary>
    public MethodGraph? Lower(MethodSpec method)
    {
        if (!LayoutValid) return null;
        var builder = new GraphBuilder();
        var inputs = new List<Node>();
        var symbols = new List<string>();
        var locals = new Dictionary<string, Value>();
        foreach (var input in method.Inputs)
        {
            foreach (var d in input.Shape)
                if (d.Name is not null && !symbols.Contains(d.Name)) symbols.Add(d.Name);
            var shape = new Shape(input.Shape.Select(d => d.Name is null ? Size.Of(d.Size) : Size.Symbol(d.Name)));
            var node = builder.Input(input.Name, shape, input.IsInt);
            inputs.Add(node);
            locals[input.Name] = new Value(node, null, null);
        }
        try
        {
            var scope = new Scope(_root, "", new Dictionary<string, int>(), locals, new ImmutableStack(_root.FullName + "." + method.Name, null));
            var output = RunBody(method, builder, scope);
            if (method.Kind == MethodKind.Loss && output.Shape.Rank != 0)
            {
                Report(Descriptors.LossNotScalar, method.Location, method.Name, output.Shape.ToString());
                return null;
            }
            return new MethodGraph(method, builder, inputs, output, symbols);
        }
        catch (LoweringFailed)
        {
            return null;
        }
    }

    private Node RunBody(MethodSpec method, GraphBuilder b, Scope scope)
    {
        Node? result = null;
        foreach (var statement in method.Body)
        {
            var value = Eval(statement.Value, b, scope);
            if (statement.Local is { } local) scope.Locals[local] = value;
            else { result = Tensor(value, statement.Value); break; }
        }
        if (result is null)
        {
            Report(Descriptors.Unsupported, method.Location, $"Method '{method.Name}' without a returned tensor");
            throw new LoweringFailed();
        }
        return result;
    }

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor d, LocationInfo location, params string[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(d, location, args));

    private Node Tensor(Value v, Expr at)
    {
        if (v.Tensor is { } t) return t;
        Report(Descriptors.Unsupported, at.Location, "A non-tensor value where a tensor is expected");
        throw new LoweringFailed();
    }

    private Value Eval(Expr expr, GraphBuilder b, Scope scope)
    {
        try
        {
            return EvalCore(expr, b, scope);
        }
        catch (ShapeException e)
        {
            _diagnostics.Add(DiagnosticInfo.Create(e.Descriptor, expr.Location, e.Args));
            throw new LoweringFailed();
        }
    }

    private Value EvalCore(Expr expr, GraphBuilder b, Scope scope)
    {
        switch (expr)
        {
            case NumberExpr n:
                return new Value(null, n.Value, null);
            case ConstExpr { Value: "<error>" }:
                throw new LoweringFailed();
            case ConstExpr c:
                return new Value(null, null, c.Value);
            case NameExpr name:
                if (scope.Locals.TryGetValue(name.Name, out var local)) return local;
                if (scope.Model.Params.FirstOrDefault(p => p.Name == name.Name) is { } param)
                    return ParamValue(b, scope.Prefix + param.Name);
                Report(Descriptors.Unsupported, name.Location, $"The name '{name.Name}'");
                throw new LoweringFailed();
            case NegateExpr neg:
                var operand = Eval(neg.Operand, b, scope);
                return operand.Number is { } num ? new Value(null, -num, null) : new Value(b.Neg(Tensor(operand, neg)), null, null);
            case BinaryExpr bin:
                return Binary(bin, Eval(bin.Left, b, scope), Eval(bin.Right, b, scope), b);
            case MemberExpr { Member: "T" } m:
                var t = Tensor(Eval(m.Target, b, scope), m);
                if (t.Shape.Rank != 2) throw new ShapeException(Descriptors.DimOutOfRange, "T (2-D transpose)", "1", t.Shape.Rank.ToString());
                return new Value(b.Transpose(t, 0, 1), null, null);
            case MemberExpr { Target: NameExpr module } m:
                return ParamValue(b, scope.Prefix + module.Name + "." + m.Member);
            case CallExpr call:
                return new Value(Call(call, b, scope), null, null);
        }
        Report(Descriptors.Unsupported, expr.Location, $"'{expr.GetType().Name}'");
        throw new LoweringFailed();
    }

    private Value ParamValue(GraphBuilder b, string path)
    {
        var layout = _layout[path];
        return new Value(b.Param(path, new Shape(layout.Shape.Select(s => Size.Of(s)))), null, null);
    }

    private static Value Binary(BinaryExpr e, Value l, Value r, GraphBuilder b)
    {
        if (l.Number is { } x && r.Number is { } y)
            return new Value(null, e.Op switch { '+' => x + y, '-' => x - y, '*' => x * y, _ => x / y }, null);
        Node a = l.Tensor ?? b.Const(l.Number ?? 0), c = r.Tensor ?? b.Const(r.Number ?? 0);
        return new Value(e.Op switch { '+' => b.Add(a, c), '-' => b.Sub(a, c), '*' => b.Mul(a, c), _ => b.Div(a, c) }, null, null);
    }

    // ---- calls ----

    private Node Call(CallExpr call, GraphBuilder b, Scope scope)
    {
        var args = new Dictionary<string, List<Value>>();
        foreach (var arg in call.Args)
        {
            if (!args.TryGetValue(arg.Name, out var list)) args[arg.Name] = list = new List<Value>();
            list.Add(Eval(arg.Value, b, scope));
        }
        Node? self = call.Receiver is { } receiver ? Tensor(Eval(receiver, b, scope), receiver) : null;

        if (call.Callee.StartsWith("self.", StringComparison.Ordinal))
            return Inline(call, scope.Model, call.Callee.Substring(5), scope.Prefix, scope.Dims, args, b, scope);
        if (call.Callee.StartsWith("module.", StringComparison.Ordinal))
        {
            var parts = call.Callee.Split('.');
            var field = scope.Model.Modules.First(m => m.Name == parts[1]);
            if (!_models.TryGetValue(field.TypeName, out var sub)) throw new LoweringFailed();
            var dims = sub.Dims.Select((d, i) => (d, v: i < field.Dims.Count ? field.Dims[i] : 0)).ToDictionary(x => x.d, x => x.v);
            return Inline(call, sub, parts[2], scope.Prefix + field.Name + ".", dims, args, b, scope);
        }

        string op = call.Callee.Substring(call.Callee.IndexOf('.') + 1);
        Node X() => self ?? T(args, "x", call) ?? T(args, "input", call) ?? T(args, "a", call) ?? throw Missing(call, "input");
        int Int(string name, int fallback) => args.TryGetValue(name, out var v) && v[0].Number is { } n ? (int)n : fallback;
        bool Bool(string name) => args.TryGetValue(name, out var v) && v[0].Constant == "true";
        int Reduction() => args.TryGetValue("reduction", out var v) ? v[0].Constant switch { "Reduction.None" => 0, "Reduction.Sum" => 1, _ => 2 } : LossOps.Mean;
        Node? Optional(string name) => args.TryGetValue(name, out var v) ? v[0].Tensor : null;

        switch (op)
        {
            case "Exp": return b.Unary(Unary.Exp, X());
            case "Log": return b.Unary(Unary.Log, X());
            case "Sqrt": return b.Unary(Unary.Sqrt, X());
            case "Abs": return b.Unary(Unary.Abs, X());
            case "Sigmoid": return b.Unary(Unary.Sigmoid, X());
            case "Tanh": return b.Unary(Unary.Tanh, X());
            case "Relu": return b.Unary(Unary.Relu, X());
            case "Softplus": return b.Unary(Unary.Softplus, X());
            case "Pow":
                var e = args["exponent"][0];
                return b.Pow(X(), e.Tensor ?? b.Const(e.Number ?? 1));
            case "Softmax":
            case "LogSoftmax":
                var sx = X();
                return b.Softmax(sx, GraphBuilder.NormalizeDim(op, Int("dim", -1), sx.Shape.Rank), op == "LogSoftmax");
            case "Sum":
            case "Mean":
                var rx = X();
                int[] axes = args.ContainsKey("dim") ? [GraphBuilder.NormalizeDim(op, Int("dim", 0), rx.Shape.Rank)] : Enumerable.Range(0, rx.Shape.Rank).ToArray();
                if (op == "Mean") rx = b.Mul(rx, b.Const(1, axes.Aggregate(Size.Of(1), (s, a) => s * rx.Shape[a])));
                return b.Sum(rx, axes, Bool("keepDim"));
            case "MatMul":
                return MatMul(b, X(), self is null ? T(args, "b", call) ?? throw Missing(call, "b") : T(args, "other", call) ?? throw Missing(call, "other"));
            case "Linear":
                var lx = X();
                var w = T(args, "weight", call) ?? throw Missing(call, "weight");
                var y = MatMul(b, lx, b.Transpose(w, 0, 1));
                return Optional("bias") is { } bias ? b.Add(y, bias) : y;
            case "Reshape":
                var target = X();
                return b.Reshape(target, ReshapeTarget(target.Shape, args.TryGetValue("shape", out var dimsList) ? dimsList.Select(v => (int)(v.Number ?? 0)).ToList() : new List<int>()));
            case "Unsqueeze":
                var ux = X();
                int ud = GraphBuilder.NormalizeDim(op, Int("dim", 0), ux.Shape.Rank + 1);
                var udims = ux.Shape.Dims.ToList();
                udims.Insert(ud, Size.Of(1));
                return b.Reshape(ux, new Shape(udims));
            case "Squeeze":
                var qx = X();
                int qd = GraphBuilder.NormalizeDim(op, Int("dim", 0), qx.Shape.Rank);
                return qx.Shape[qd].IsOne ? b.Reshape(qx, new Shape(qx.Shape.Dims.Where((_, i) => i != qd))) : qx;
            case "Transpose":
                var tx = X();
                return b.Transpose(tx, GraphBuilder.NormalizeDim(op, Int("dim0", 0), tx.Shape.Rank), GraphBuilder.NormalizeDim(op, Int("dim1", 1), tx.Shape.Rank));
            case "MseLoss": return LossOps.Mse(b, X(), Target(args, call), Reduction());
            case "L1Loss": return LossOps.L1(b, X(), Target(args, call), Reduction());
            case "BinaryCrossEntropy": return LossOps.Bce(b, X(), Target(args, call), Optional("weight"), Reduction());
            case "BinaryCrossEntropyWithLogits": return LossOps.BceWithLogits(b, X(), Target(args, call), Optional("weight"), Optional("posWeight"), Reduction());
            case "CrossEntropy": return LossOps.CrossEntropy(b, X(), Target(args, call), Optional("weight"), Int("ignoreIndex", -100), Reduction());
            case "NllLoss": return LossOps.Nll(b, X(), Target(args, call), Optional("weight"), Int("ignoreIndex", -100), Reduction());
        }
        Report(Descriptors.Unsupported, call.Location, $"The operation '{call.Callee}'");
        throw new LoweringFailed();
    }

    private Node Target(Dictionary<string, List<Value>> args, CallExpr call) => T(args, "target", call) ?? throw Missing(call, "target");

    private Node? T(Dictionary<string, List<Value>> args, string name, CallExpr call)
    {
        if (!args.TryGetValue(name, out var v)) return null;
        if (v[0].Tensor is { } t) return t;
        if (v[0].Constant == "null") return null;
        Report(Descriptors.Unsupported, call.Location, $"A number passed as tensor argument '{name}'");
        throw new LoweringFailed();
    }

    private Exception Missing(CallExpr call, string name)
    {
        Report(Descriptors.Unsupported, call.Location, $"A call to '{call.Callee}' without '{name}'");
        return new LoweringFailed();
    }

    private static Shape ReshapeTarget(Shape from, List<int> dims)
    {
        int infer = dims.IndexOf(-1);
        var known = dims.Where(d => d != -1).Aggregate(Size.Of(1), (s, d) => s * Size.Of(d));
        var result = dims.Select(d => Size.Of(d)).ToArray();
        if (infer >= 0)
        {
            var rest = Size.Divide(from.Count, known);
            if (rest is null) throw new ShapeException(Descriptors.ReshapeMismatch, from.ToString(), from.Count.ToString(), "[" + string.Join(", ", dims) + "]");
            result[infer] = rest.Value;
        }
        return new Shape(result);
    }

    /// <summary>torch.matmul: 1-D operands are promoted with a 1 and the 1 removed afterwards.</summary>
    private static Node MatMul(GraphBuilder b, Node x, Node y)
    {
        if (x.Shape.Rank == 0 || y.Shape.Rank == 0) throw new ShapeException(Descriptors.DimOutOfRange, "MatMul", "-1", "0");
        bool vx = x.Shape.Rank == 1, vy = y.Shape.Rank == 1;
        var a = vx ? b.Reshape(x, new Shape([Size.Of(1), x.Shape[0]])) : x;
        var c = vy ? b.Reshape(y, new Shape([y.Shape[0], Size.Of(1)])) : y;
        var r = b.MatMul(a, c, false, false);
        if (!vx && !vy) return r;
        var dims = r.Shape.Dims.ToList();
        if (vy) dims.RemoveAt(dims.Count - 1);
        if (vx) dims.RemoveAt(dims.Count - (vy ? 1 : 2));
        return b.Reshape(r, new Shape(dims));
    }

    /// <summary>Inlines a model method: binds its inputs to the arguments, checking declared shapes.</summary>
    private Node Inline(CallExpr call, ModelSpec model, string methodName, string prefix, Dictionary<string, int> dims, Dictionary<string, List<Value>> args, GraphBuilder b, Scope caller)
    {
        var method = model.Methods.FirstOrDefault(m => m.Name == methodName);
        if (method is null) { Report(Descriptors.Unsupported, call.Location, $"A call to '{methodName}', which is not a model method"); throw new LoweringFailed(); }
        string key = model.FullName + "." + methodName;
        if (caller.Stack.Contains(key)) { Report(Descriptors.Recursion, call.Location, methodName); throw new LoweringFailed(); }
        var locals = new Dictionary<string, Value>();
        var bound = new Dictionary<string, Size>();
        foreach (var input in method.Inputs)
        {
            if (!args.TryGetValue(input.Name, out var v))
            {
                if (input.Optional) { locals[input.Name] = new Value(null, null, "null"); continue; }
                throw Missing(call, input.Name);
            }
            var value = v[0];
            if (value.Tensor is { } t && input.Shape.Count > 0)
            {
                bool ok = t.Shape.Rank == input.Shape.Count;
                for (int i = 0; ok && i < input.Shape.Count; i++)
                {
                    var d = input.Shape[i];
                    Size expected = d.Name is null ? Size.Of(d.Size) : dims.TryGetValue(d.Name, out var fixedDim) ? Size.Of(fixedDim) : bound.TryGetValue(d.Name, out var s) ? s : (bound[d.Name] = t.Shape[i]);
                    ok = expected == t.Shape[i];
                }
                if (!ok)
                {
                    Report(Descriptors.InputMismatch, call.Location, methodName, input.Name, t.Shape.ToString(), "[" + string.Join(", ", input.Shape) + "]");
                    throw new LoweringFailed();
                }
            }
            locals[input.Name] = value;
        }
        var scope = new Scope(model, prefix, dims, locals, new ImmutableStack(key, caller.Stack));
        return RunBody(method, b, scope);
    }
}

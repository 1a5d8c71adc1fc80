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
internal sealed class MethodGraph(MethodSpec method, GraphBuilder builder, List<Node> inputs, Node output, List<string> symbols, List<Node>? moreOutputs = null)
{
    /// <summary>The outputs after the first, when the method returns a tuple (named by <see cref="MethodSpec.Outputs"/>).</summary>
    public List<Node> MoreOutputs { get; } = moreOutputs ?? new List<Node>();
    public MethodSpec Method { get; } = method;
    public GraphBuilder Builder { get; } = builder;
    public List<Node> Inputs { get; } = inputs;
    public Node Output { get; } = output;
    /// <summary>Symbolic dims in order of first appearance in the inputs; the plan's compile arguments.</summary>
    public List<string> Symbols { get; } = symbols;

    /// <summary>
    /// The [Buffer] fields the method touches, by path and offset in the buffer block: the leaf reading the value the run starts with (null when the
    /// method only assigns it) and the value it leaves (null when it only reads it).
    /// </summary>
    public List<(string Path, int Offset, Node? Read, Node? Written)> Buffers { get; } = new();
}

/// <summary>
/// Stage 3 (Check): lowers a method into graph nodes, inlining calls to model methods and submodules, with
/// shape inference on every op. A shape error is reported at the offending expression; the method is then skipped.
/// </summary>
internal sealed class Lowerer
{
    /// <summary>The most floats of one parameter block: Kiln.Plan.MaxElements (int.MaxValue less the largest grid-stride step), checked equal by a test.</summary>
    public const int MaxElements = int.MaxValue - (1 << 24);

    private readonly ModelSpec _root;
    private readonly IReadOnlyDictionary<string, ModelSpec> _models;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Dictionary<string, ParamLayout> _layout = new();

    public Lowerer(ModelSpec root, IReadOnlyDictionary<string, ModelSpec> models, List<DiagnosticInfo> diagnostics)
    {
        _root = root;
        _models = models;
        _diagnostics = diagnostics;
        int offset = 0, bufferOffset = 0;
        BuildLayout(root, "", new Dictionary<string, int>(), ref offset, ref bufferOffset, new HashSet<string>());
        Layout = _layout.Values.ToList();
        BufferLayout = _buffers.Values.ToList();
    }

    public IReadOnlyList<ParamLayout> Layout { get; }

    /// <summary>The [Buffer] fields of the model and its submodules, in their own block (Init: 0 zeros, 2 ones).</summary>
    public IReadOnlyList<ParamLayout> BufferLayout { get; }
    private readonly Dictionary<string, ParamLayout> _buffers = new();
    public bool LayoutValid { get; private set; } = true;

    private void BuildLayout(ModelSpec model, string prefix, Dictionary<string, int> dims, ref int offset, ref int bufferOffset, HashSet<string> visiting)
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
            long count = shape.Aggregate(1L, (a, b) => Math.Min(a * b, 1L << 40));
            if ((p.IsBuffer ? bufferOffset : offset) + count > MaxElements)
            {
                _diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, p.Location, p.IsBuffer
                    ? $"Buffer '{prefix + p.Name}' [{string.Join(", ", shape)}] takes the model's buffers past {MaxElements:N0} floats, the most one block holds"
                    : $"Parameter '{prefix + p.Name}' [{string.Join(", ", shape)}] takes the model's parameters past {MaxElements:N0} floats, the most one parameter block holds"));
                LayoutValid = false;
                return;
            }
            if (p.IsBuffer)
            {
                var buffer = new ParamLayout(prefix + p.Name, shape, bufferOffset, 0, p.Init);
                _buffers[buffer.Path] = buffer;
                bufferOffset += buffer.Count;
                continue;
            }
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
            BuildLayout(sub, prefix + m.Name + ".", subDims, ref offset, ref bufferOffset, visiting);
        }
        visiting.Remove(model.FullName);
    }

    /// <summary>The submodule call a scope is inside of, as the user wrote it in the root model (the outermost one).</summary>
    private sealed record SubmoduleCall(string Path, string Description, LocationInfo CallSite);

    private sealed class Scope(ModelSpec model, string prefix, Dictionary<string, int> dims, Dictionary<string, Value> locals, ImmutableStack stack, SubmoduleCall? submodule = null)
    {
        public SubmoduleCall? Submodule { get; } = submodule;
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

    /// <summary>Lowers a root [Forward]/[Loss] method; null when it has errors (already reported).</summary>
    public MethodGraph? Lower(MethodSpec method)
    {
        if (!LayoutValid) return null;
        _bufferReads.Clear();
        _bufferValues.Clear();
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
            var result = RunBody(method, builder, scope);
            var outputs = result.Tensors ?? [result.Tensor!];
            // a one-element loss ([1], [1, 1]) is a scalar to backward(), as PyTorch's (its numel is 1): read as its 0-d view
            if (method.Kind == MethodKind.Loss && outputs[0].Shape.Rank != 0 && outputs[0].Shape.Dims.All(d => d.IsOne))
                outputs[0] = builder.Reshape(outputs[0], new Shape(System.Array.Empty<Size>()));
            if (method.Kind == MethodKind.Loss && outputs[0].Shape.Rank != 0)
            {
                Report(Descriptors.LossNotScalar, method.Location, method.Name, outputs[0].Shape.ToString());
                return null;
            }
            var graph = new MethodGraph(method, builder, inputs, outputs[0], symbols, outputs.Skip(1).ToList());
            foreach (var path in _buffers.Keys.Where(p => _bufferReads.ContainsKey(p) || _bufferValues.ContainsKey(p)))
                graph.Buffers.Add((path, _buffers[path].Offset, _bufferReads.TryGetValue(path, out var read) ? read : null, _bufferValues.TryGetValue(path, out var written) ? written : null));
            return graph;
        }
        catch (LoweringFailed)
        {
            return null;
        }
    }

    /// <summary>Runs a method's body: its returned tensor, or its tuple of tensors (Value.Tensors) when it returns one.</summary>
    private Value RunBody(MethodSpec method, GraphBuilder b, Scope scope)
    {
        var budget = new Unrolled();
        if (Run(method.Body, b, scope, budget) is not { } result)
        {
            Report(Descriptors.Unsupported, method.Location, $"Method '{method.Name}' without a returned tensor");
            throw new LoweringFailed();
        }
        if (method.Outputs.Count == 0) return new Value(Tensor(result, method.Body[method.Body.Count - 1].Value), null, null);
        if (result.Tensors is { } many && many.Length == method.Outputs.Count) return result;
        Report(Descriptors.Unsupported, method.Location, $"Method '{method.Name}' returning something other than a tuple of {method.Outputs.Count} tensors written in place");
        throw new LoweringFailed();
    }

    /// <summary>The most loop iterations one method may unroll, all loops together: each iteration adds its ops to the graph.</summary>
    public const int MaxUnrolled = 10_000;

    private sealed class Unrolled { public int Iterations; }

    /// <summary>
    /// Runs statements in order: a local takes its value, a build-time <c>if</c> runs one branch, a <c>for</c> loop runs
    /// its body once per value of its variable. Returns the returned tensor, or null when the statements end without one.
    /// </summary>
    private Value? Run(EquatableArray<Statement> statements, GraphBuilder b, Scope scope, Unrolled budget)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IfStatement branch:
                    if (Run(Decide(branch.Condition, b, scope, "An if") ? branch.Then : branch.Else, b, scope, budget) is { } chosen) return chosen;
                    break;
                case ForStatement loop:
                {
                    double from = Build(loop.From, b, scope, "A loop's start"), to = Build(loop.To, b, scope, "A loop's bound"), step = Build(loop.Step, b, scope, "A loop's step");
                    for (double i = from; Compare(loop.Compare, i, to); i += step)
                    {
                        if (step == 0 || ++budget.Iterations > MaxUnrolled)
                        {
                            Report(Descriptors.Unsupported, loop.Location, $"A loop of more than {MaxUnrolled:N0} iterations in one method (each is unrolled into the graph)");
                            throw new LoweringFailed();
                        }
                        scope.Locals[loop.Variable] = new Value(null, i, null);
                        if (Run(loop.Body, b, scope, budget) is { } returned) return returned;
                    }
                    break;
                }
                case FieldAssignment assignment:
                    AssignBuffer(assignment, b, scope);
                    break;
                default:
                    var value = Eval(statement.Value, b, scope);
                    if (statement.Local is { } local) scope.Locals[local] = value;
                    else return value;
                    break;
            }
        }
        return null;
    }

    private static bool Compare(string op, double x, double y) => op switch
    {
        "<" => x < y, "<=" => x <= y, ">" => x > y, ">=" => x >= y, "!=" => x != y, _ => x == y,
    };

    /// <summary>A build-time number (a loop bound); anything else is KLN0001 naming what it is.</summary>
    private double Build(Expr e, GraphBuilder b, Scope scope, string what)
    {
        var v = Eval(e, b, scope);
        if (v.Number is { } n) return n;
        Report(Descriptors.Unsupported, e.Location, $"{what} that is not a build-time number (a constant, a loop variable or a helper's int argument)");
        throw new LoweringFailed();
    }

    /// <summary>KLN0001's words for a branch on a value a plan knows only when it runs (the parser's, where C# types the
    /// condition as a BoolTensor, and the lowering's, where it evaluates to a tensor).</summary>
    public static string RunTimeCondition(string what) =>
        $"{what} on a value known only when the plan runs (a tensor's values or a run-time float input; a plan is fixed at build time: Where(mask, a, b) picks per element)";

    /// <summary>A build-time condition; a condition on a tensor's values is decided at run time, which Where does.</summary>
    private bool Decide(Expr condition, GraphBuilder b, Scope scope, string what)
    {
        var v = Eval(condition, b, scope);
        if (v.Constant is "true" or "false") return v.Constant == "true";
        Report(Descriptors.Unsupported, condition.Location, v.Tensor is not null ? RunTimeCondition(what) : $"{what} whose condition is not a build-time bool");
        throw new LoweringFailed();
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
            // inside a submodule the user did not write that line: report at the user's call, naming the submodule
            // (a child model the user wrote: its line is named too, which they can open)
            _diagnostics.Add(scope.Submodule is { } sub
                ? DiagnosticInfo.Create(Descriptors.SubmoduleShape, sub.CallSite, sub.Path, sub.Description, e.Message + WrittenAt(expr.Location))
                : DiagnosticInfo.Create(e.Descriptor, expr.Location, e.Args));
            throw new LoweringFailed();
        }
    }

    /// <summary>" (at File.cs, line L)" for a line in the user's own source; nothing for Kiln's built-in modules (generated source).</summary>
    private static string WrittenAt(LocationInfo at) =>
        at.FilePath.Length == 0 || at.FilePath.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase) ? ""
            : $" (at {System.IO.Path.GetFileName(at.FilePath)}, line {at.LineSpan.Start.Line + 1})";

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
                    return param.IsBuffer ? BufferValue(b, scope.Prefix + param.Name) : ParamValue(b, scope.Prefix + param.Name);
                Report(Descriptors.Unsupported, name.Location, $"The name '{name.Name}'");
                throw new LoweringFailed();
            case NegateExpr neg:
                var operand = Eval(neg.Operand, b, scope);
                return operand.Number is { } num ? new Value(null, -num, null) : new Value(b.Neg(Tensor(operand, neg)), null, null);
            case BinaryExpr bin:
                return Binary(bin, Eval(bin.Left, b, scope), Eval(bin.Right, b, scope), b);
            case NotExpr not:
                var negated = Eval(not.Operand, b, scope);
                if (negated.Constant is "true" or "false") return new Value(null, null, negated.Constant == "true" ? "false" : "true");
                return new Value(b.Unary(Arithmetic.LogicalNot, Tensor(negated, not)), null, null);
            case TupleExpr tuple:
                return new Value(null, null, null, tuple.Items.Select(i => Tensor(Eval(i, b, scope), i)).ToArray());
            case ConditionalExpr conditional:
                return Eval(Decide(conditional.Condition, b, scope, "A ?: expression") ? conditional.WhenTrue : conditional.WhenFalse, b, scope);
            case MemberExpr { Member: "T" } m:
                var t = Tensor(Eval(m.Target, b, scope), m);
                return new Value(Lowerings.T(new Call("T", b, t, new Dictionary<string, List<Value>>(), new CallExpr("Tensor.T", null, default, m.Location), Report)), null, null);
            case MemberExpr { Target: NameExpr module } m:
                return ParamValue(b, scope.Prefix + module.Name + "." + m.Member);
            case CallExpr { Callee: "Array.Item" } item:
            {
                // parts[1] of Split/Chunk's result: a constant index into the tensors
                var array = Eval(item.Receiver!, b, scope);
                var index = Eval(item.Args[0].Value, b, scope).Number;
                if (array.Tensors is { } pieces && index is { } outside && (outside < 0 || outside >= pieces.Length))
                {
                    // a Split/Chunk makes as many pieces as its dim allows (Chunk(3) of 4 is 2, as torch's)
                    Report(Descriptors.IndexOutOfRange, item.Location, "A tensor array", outside.ToString(System.Globalization.CultureInfo.InvariantCulture), "0", $"{pieces.Length} (the pieces it holds)");
                    throw new LoweringFailed();
                }
                if (array.Tensors is not { } parts || index is not { } at)
                {
                    Report(Descriptors.Unsupported, item.Location, "An index into a tensor array that is not a constant within it");
                    throw new LoweringFailed();
                }
                if (parts[(int)at] is null)
                {
                    Report(Descriptors.Unsupported, item.Location, $"Element {at} of a tensor array read before it is assigned");
                    throw new LoweringFailed();
                }
                return new Value(parts[(int)at], null, null);
            }
            case CallExpr { Callee: "Array.New" } created:
            {
                // new Tensor[n]: n unassigned elements
                double size = Build(created.Args[0].Value, b, scope, "An array size");
                if (size < 1 || size > MaxUnrolled || size != Math.Floor(size))
                {
                    Report(Descriptors.Unsupported, created.Location, FormattableString.Invariant($"A tensor array of {size} elements (1 to {MaxUnrolled:N0})"));
                    throw new LoweringFailed();
                }
                return new Value(null, null, null, new Node[(int)size]);
            }
            case CallExpr { Callee: "Array.Set" } set:
            {
                // parts[i] = v: a copy of the array with element i replaced (the local takes the copy)
                var array = Eval(set.Receiver!, b, scope);
                var index = Eval(set.Args[0].Value, b, scope).Number;
                if (array.Tensors is not { } parts || index is not { } at || at < 0 || at >= parts.Length || at != Math.Floor(at))
                {
                    Report(Descriptors.Unsupported, set.Location, "An index into a tensor array that is not a constant within it");
                    throw new LoweringFailed();
                }
                var next = (Node[])parts.Clone();
                next[(int)at] = Tensor(Eval(set.Args[1].Value, b, scope), set.Args[1].Value);
                return new Value(null, null, null, next);
            }
            case CallExpr call:
                return Call(call, b, scope);
        }
        Report(Descriptors.Unsupported, expr.Location, $"'{expr.GetType().Name}'");
        throw new LoweringFailed();
    }

    // the buffers of the method being lowered: the leaf reading each one's starting value, and the value last assigned
    private readonly Dictionary<string, Node> _bufferReads = new(), _bufferValues = new();

    private static Shape ShapeOf(ParamLayout layout) => new(layout.Shape.Select(s => Size.Of(s)));

    /// <summary>A buffer's value here: the one last assigned in this run, else the one the run starts with.</summary>
    private Value BufferValue(GraphBuilder b, string path)
    {
        if (_bufferValues.TryGetValue(path, out var current)) return new Value(current, null, null);
        if (!_bufferReads.TryGetValue(path, out var read)) _bufferReads[path] = read = b.Buffer(path, ShapeOf(_buffers[path]));
        return new Value(read, null, null);
    }

    /// <summary><c>running = …</c>: a [Buffer] field's next value, of its own shape; reads after it see it, the run keeps the last.</summary>
    private void AssignBuffer(FieldAssignment assignment, GraphBuilder b, Scope scope)
    {
        if (scope.Model.Params.FirstOrDefault(p => p.Name == assignment.Field) is not { IsBuffer: true } field)
        {
            Report(Descriptors.Unsupported, assignment.Location, $"An assignment to the field '{assignment.Field}' (a method assigns only [Buffer] fields)");
            throw new LoweringFailed();
        }
        string path = scope.Prefix + field.Name;
        var value = Tensor(Eval(assignment.Value, b, scope), assignment.Value);
        var shape = ShapeOf(_buffers[path]);
        if (!value.Shape.Equals(shape))
        {
            Report(Descriptors.InvalidArgument, assignment.Location, $"A value of shape {value.Shape} assigned to buffer '{path}' of shape {shape} (a buffer keeps its shape)");
            throw new LoweringFailed();
        }
        _bufferValues[path] = value;
    }

    private Value ParamValue(GraphBuilder b, string path)
    {
        var layout = _layout[path];
        return new Value(b.Param(path, new Shape(layout.Shape.Select(s => Size.Of(s)))), null, null);
    }

    private Value Binary(BinaryExpr e, Value l, Value r, GraphBuilder b)
    {
        // build-time arithmetic and logic (loop variables, helper arguments): C# semantics, folded here
        if (l.Number is { } x && r.Number is { } y)
        {
            static Value Bool(bool v) => new(null, null, v ? "true" : "false");
            switch (e.Op)
            {
                case "+": return new Value(null, x + y, null);
                case "-": return new Value(null, x - y, null);
                case "*": return new Value(null, x * y, null);
                case "/": return new Value(null, x / y, null);
                case "%": return new Value(null, x % y, null);
                case "idiv": return new Value(null, Math.Truncate(x / y), null);   // C#'s int division
                case "<": return Bool(x < y);
                case "<=": return Bool(x <= y);
                case ">": return Bool(x > y);
                case ">=": return Bool(x >= y);
                case "==": return Bool(x == y);
                case "!=": return Bool(x != y);
            }
        }
        if (l.Constant is "true" or "false" && r.Constant is "true" or "false")
        {
            bool p = l.Constant == "true", q = r.Constant == "true";
            bool? result = e.Op switch { "&&" or "&" => p && q, "||" or "|" => p || q, "^" or "!=" => p ^ q, "==" => p == q, _ => null };
            if (result is { } v) return new Value(null, null, v ? "true" : "false");
        }
        // enum members (Mode.Mean == mode): compared by name
        if (l.Constant is { } lc && r.Constant is { } rc && e.Op is "==" or "!=")
            return new Value(null, null, (lc == rc) == (e.Op == "==") ? "true" : "false");
        if (!Registry.Operators.ContainsKey(e.Op))
        {
            Report(Descriptors.Unsupported, e.Location, e.Op is "&&" or "||"
                ? $"The operator '{e.Op}' on masks (it would need one bool for the whole tensor: '{e.Op[0]}' combines masks element by element)"
                : $"The operator '{e.Op}' on a tensor");
            throw new LoweringFailed();
        }
        // an IntTensor input takes part in arithmetic and comparisons as float values (exact below 2^24)
        Node Float(Node n) => b.AsIndices(n, 0);
        Node a = l.Tensor is { } lt ? Float(lt) : b.Const(l.Number ?? 0), c = r.Tensor is { } rt ? Float(rt) : b.Const(r.Number ?? 0);
        return new Value(b.Binary(Registry.Operators[e.Op], a, c), null, null);
    }

    // ---- calls ----

    private Value Call(CallExpr call, GraphBuilder b, Scope scope)
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
            var described = $"{sub.Name}({string.Join(", ", sub.Dims.Select(d => $"{d}: {dims[d]}"))}) declaring {string.Join(", ", sub.Params.Select(p => $"{p.Name} [{string.Join(", ", p.Shape.Select(s => s.Name is null ? s.Size : dims.TryGetValue(s.Name, out var v) ? v : 0))}]"))}";
            var submodule = scope.Submodule ?? new SubmoduleCall(scope.Prefix + field.Name, described, call.Location);
            return Inline(call, sub, parts[2], scope.Prefix + field.Name + ".", dims, args, b, scope, submodule);
        }

        string op = call.Callee.Substring(call.Callee.IndexOf('.') + 1);
        if (call.ReturnsMany && Registry.TryGetArray(op, out var lowerMany)) return new Value(null, null, null, lowerMany(new Call(op, b, self, args, call, Report)));
        if (Registry.TryGet(op, out var lower)) return new Value(lower(new Call(op, b, self, args, call, Report)), null, null);
        Report(Descriptors.Unsupported, call.Location, $"The operation '{call.Callee}'");
        throw new LoweringFailed();
    }

    private Exception Missing(CallExpr call, string name)
    {
        Report(Descriptors.Unsupported, call.Location, $"A call to '{call.Callee}' without '{name}'");
        return new LoweringFailed();
    }

    /// <summary>Inlines a model method: binds its inputs to the arguments, checking declared shapes.</summary>
    private Value Inline(CallExpr call, ModelSpec model, string methodName, string prefix, Dictionary<string, int> dims, Dictionary<string, List<Value>> args, GraphBuilder b, Scope caller, SubmoduleCall? submodule = null)
    {
        var method = model.Methods.FirstOrDefault(m => m.Name == methodName);
        if (method is null) { Report(Descriptors.Unsupported, call.Location, $"A call to '{methodName}', which is not a model method"); throw new LoweringFailed(); }
        if (method.Broken) throw new LoweringFailed();   // its body's construct is reported where it is
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
            // a helper's scalar is a build-time value; an entry method's float may also take a caller's run-time scalar (a 0-d tensor)
            // a caller's run-time float (a 0-d tensor) passes through to a float parameter; a loop bound or an op argument
            // that needs a build-time number still says so where it is used
            bool runTime = value.Tensor is { Shape.Rank: 0 };
            if (input.IsScalar && !runTime && value.Number is null && value.Constant is null or "null")
            {
                Report(Descriptors.Unsupported, call.Location, $"Argument '{input.Name}' of '{methodName}' that is not a build-time number, bool or enum member");
                throw new LoweringFailed();
            }
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
        var scope = new Scope(model, prefix, dims, locals, new ImmutableStack(key, caller.Stack), submodule ?? caller.Submodule);
        return RunBody(method, b, scope);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Differentiate;
using Kiln.Generator.Emit;
using Kiln.Generator.Fuse;
using Kiln.Generator.Ir;
using Kiln.Generator.Model;
using Kiln.Generator.Plan;

namespace Kiln.Generator;

/// <summary>What the Compile step yields for one model: the source (or null) and its diagnostics. Values only.</summary>
internal sealed record ModelOutput(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// The stages after Parse, in order: Check (lowering with shape inference) → Differentiate → Optimize
/// (CSE and folding happen in the builder; dead code never enters the topological walks) → Fuse → Plan → Emit.
/// Pure functions of values; an unexpected failure becomes KLN0009, never an exception.
/// </summary>
internal static class Compiler
{
    /// <summary>Tests set this to see where an internal error came from.</summary>
    internal static bool IncludeStackTraces;

    public static ModelOutput Compile(ModelSpec model, IReadOnlyList<ModelSpec> all)
    {
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        // a hint name may not hold '@' (a namespace part or class named with a keyword, "@params")
        string hint = ((model.Namespace.Length > 0 ? model.Namespace + "." : "") + model.Name).Replace("@", "") + ".Kiln.g.cs";
        try
        {
            if (!model.IsPartial) return new ModelOutput(hint, null, diagnostics.ToEquatable());
            // a built-in layer (Kiln.Nn) that no model of the project holds gets nothing: its constructor would be dead
            // code in every project
            if (model.Namespace == "Kiln.Nn" && !all.Any(m => m.Modules.Any(x => x.TypeName == model.FullName))) return new ModelOutput(hint, null, diagnostics.ToEquatable());
            var models = all.GroupBy(m => m.FullName).ToDictionary(g => g.Key, g => g.First());
            if (model.Diagnostics.Count > 0)
            {
                // nothing is emitted, but where the only errors are constructs the parser could not read (KLN0001), the
                // other methods are still checked, so one such construct does not hide the model's shape errors
                if (model.Dims.Count == 0 && model.Diagnostics.All(d => d.Id == Descriptors.Unsupported.Id))
                {
                    var check = new Lowerer(model, models, diagnostics);
                    foreach (var method in model.Methods.Where(m => m.Kind != MethodKind.Helper && !m.Broken)) check.Lower(method);
                    return new ModelOutput(hint, Skeleton(model, check, models), diagnostics.ToEquatable());
                }
                return new ModelOutput(hint, null, diagnostics.ToEquatable());
            }
            var lowerer = new Lowerer(model, models, diagnostics);
            var compiled = new List<CompiledMethod>();
            bool failed = false;
            // a model with named dims is a module: its methods compile inside the models that bind them
            if (model.Dims.Count == 0)
            {
                foreach (var method in model.Methods.Where(m => m.Kind != MethodKind.Helper))
                {
                    var graph = lowerer.Lower(method);
                    if (graph is null) { failed = true; continue; }
                    if (method.Frozen.FirstOrDefault(f => !lowerer.Layout.Any(p => p.Path == f || p.Path.StartsWith(f + ".", StringComparison.Ordinal))) is { } unknown)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Descriptors.BadDeclaration, method.Location,
                            $"[Loss(Frozen = ...)] on '{method.Name}': '{unknown}' is no parameter or submodule of '{model.Name}' (parameters: {string.Join(", ", lowerer.Layout.Select(p => p.Path))})"));
                        failed = true;
                        continue;
                    }
                    try
                    {
                        compiled.Add(CompileMethod(graph, lowerer.Layout));
                    }
                    catch (ShapeException e) when (e.Descriptor == Descriptors.InvalidArgument)
                    {
                        // a tensor only the backward pass makes, past what a plan holds (a batched MatMul's weight gradient
                        // before its batch is summed): reported at the method, not as an internal error
                        diagnostics.Add(DiagnosticInfo.Create(e.Descriptor, method.Location, $"{e.Args[0]} (in the gradient of '{method.Name}')"));
                        failed = true;
                    }
                }
            }
            if (failed || diagnostics.Count > 0) return new ModelOutput(hint, model.Dims.Count == 0 ? Skeleton(model, lowerer, models) : null, diagnostics.ToEquatable());
            // a module (named dims, so no layout of its own) has no plans (they are emitted inside the models that use it), only its binding
            if (model.Dims.Count > 0) return new ModelOutput(hint, ModelEmitter.EmitModule(model, models), diagnostics.ToEquatable());
            if (!lowerer.LayoutValid) return new ModelOutput(hint, null, diagnostics.ToEquatable());
            return new ModelOutput(hint, ModelEmitter.Emit(model, lowerer.Layout, lowerer.BufferLayout, compiled, models), diagnostics.ToEquatable());
        }
        catch (Exception e)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.InternalError, model.Location, model.Name, e.GetType().Name + ": " + e.Message + (IncludeStackTraces ? " at " + e.StackTrace : "")));
            return new ModelOutput(hint, null, diagnostics.ToEquatable());
        }
    }

    /// <summary>
    /// A model whose methods have errors, but whose parameters are sound: its layout and constructors without plans, so the
    /// build shows the model's errors and not also a CS0649 and a CS8618 for every field the constructors would assign.
    /// </summary>
    private static string? Skeleton(ModelSpec model, Lowerer lowerer, IReadOnlyDictionary<string, ModelSpec> models) =>
        lowerer.LayoutValid ? ModelEmitter.Emit(model, lowerer.Layout, lowerer.BufferLayout, [], models) : null;

    /// <summary>
    /// Runs Differentiate, Fuse and Plan on one lowered method (Optimize runs inside the graph builder as nodes are
    /// made: see Optimize/Rewrites.cs). With <paramref name="validate"/>, <see cref="GraphValidator"/> checks the
    /// result of every stage; the tests do this for every model they compile.
    /// </summary>
    public static CompiledMethod CompileMethod(MethodGraph graph, IReadOnlyList<ParamLayout> layout, bool validate = false)
    {
        bool isLoss = graph.Method.Kind == MethodKind.Loss;
        if (validate) GraphValidator.Graph("Check", graph.MoreOutputs.Prepend(graph.Output));
        // [RequiresGrad] inputs: their gradients are extra outputs of the backward pass
        var wrt = graph.Inputs.Where(i => graph.Method.Inputs.Any(s => s.Name == i.Attrs.Name && s.RequiresGrad)).ToList();
        var inputGrads = new List<Node>();
        var grads = isLoss
            ? Autodiff.Gradients(graph.Builder, graph.Output, wrt, out inputGrads, graph.Method.Frozen).Select(g => (g.Path, g.Grad)).ToList()
            : new List<(string, Node)>();
        if (validate) GraphValidator.Graph("Differentiate", grads.Select(g => g.Item2).Concat(inputGrads).Append(graph.Output));
        var written = graph.Buffers.Where(x => x.Written is not null).ToList();
        var fusion = Fusion.Run(graph.Builder, graph.Output, grads, inputGrads, graph.MoreOutputs, written.Select(x => x.Written!).ToList());
        if (validate) GraphValidator.Fused(fusion);
        // a buffer read has an arena slot of its own, as an input does: the plan copies the buffer in before each run
        var reads = graph.Buffers.Where(x => x.Read is not null).Select(x => x.Read!).ToList();
        // the slots a managed run binds to the caller's arrays: float tensor inputs (not scalars), a forward plan's one output
        var binding = new MemoryPlan.Binding(graph.Inputs, i => !i.Attrs.IsInt && !graph.Method.Inputs.Any(s => s.Name == i.Attrs.Name && s.IsScalar),
            fusion.MoreOutputs.Prepend(fusion.Output).ToList(), reads.Concat(fusion.Updates).Concat(fusion.Extras).ToList(), !isLoss);
        var memory = MemoryPlan.Run(fusion, graph.Inputs.Concat(reads).ToList(), fusion.Output, layout, binding);
        if (validate) GraphValidator.Planned(memory, fusion, layout);
        var updates = written.Zip(fusion.Updates, (x, u) => (x.Path, u)).ToDictionary(x => x.Path, x => x.u);
        var buffers = graph.Buffers.Select(x => new BufferUse(x.Path, x.Offset, x.Read, updates.TryGetValue(x.Path, out var u) ? u : null)).ToList();
        return new CompiledMethod(graph, fusion, memory, fusion.Output, isLoss, wrt.Zip(fusion.Extras, (i, g) => (i.Attrs.Name, g)).ToList(), buffers);
    }
}

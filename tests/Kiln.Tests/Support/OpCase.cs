extern alias gen;
using System;
using System.Collections.Generic;
using System.Linq;
using gen::Kiln.Generator.Check;
using gen::Kiln.Generator.Ir;
using gen::Kiln.Generator.Ops;

namespace Kiln.Tests.Support;

/// <summary>
/// One test model method made runnable both ways: the generated plan (float32, on a device) and the float64
/// interpreter of the same graph, with the same random inputs and parameters.
/// </summary>
internal sealed class OpCase : IDisposable
{
    public const int N = 5;

    private OpCase(string model, string method, MethodGraph graph, IReadOnlyList<ParamLayout> layout, Device device, object instance, Plan plan, Array[] inputs)
    {
        (ModelName, Method, Graph, Layout, Device, Instance, Plan, Inputs) = (model, method, graph, layout, device, instance, plan, inputs);
    }

    public string ModelName { get; }
    public string Method { get; }
    public MethodGraph Graph { get; }
    public IReadOnlyList<ParamLayout> Layout { get; }
    public Device Device { get; }
    public object Instance { get; }
    public Plan Plan { get; }
    public Array[] Inputs { get; }
    public ModelState State => Plan.State;
    public Dictionary<string, int> Dims => Graph.Symbols.ToDictionary(s => s, _ => N);

    public static OpCase Create(string model, string method, Device device, int seed = 7)
    {
        var (graph, layout) = Support.Reference.Lower(model, method);
        var type = typeof(OpCase).Assembly.GetType("Kiln.Tests.Models." + model, throwOnError: true)!;
        var instance = Activator.CreateInstance(type, device, seed)!;
        var compile = type.GetMethod("Compile" + method)!;
        var plan = (Plan)compile.Invoke(instance, graph.Symbols.Select(_ => (object)N).ToArray())!;
        var rng = new SeededRandom((ulong)(seed * 7919 + method.Length));
        var dims = graph.Symbols.ToDictionary(s => s, _ => N);
        var inputs = graph.Inputs.Select(input =>
        {
            int count = (int)input.Shape.Count.Evaluate(dims);
            if (input.Attrs.IsInt)
            {
                int classes = Classes(graph, input, dims);
                return (Array)Enumerable.Range(0, count).Select(_ => rng.NextInt(classes)).ToArray();
            }
            if (input.Attrs.Name == "pm") return Enumerable.Range(0, count).Select(_ => rng.NextFloat() < 0.5f ? -1f : 1f).ToArray();   // ±1 targets
            (float lo, float hi) = input.Attrs.Name switch { "y" => (0f, 1f), "p" => (0.05f, 0.95f), "w" or "pw" or "std" => (0.5f, 1.5f), _ => (-1f, 1f) };
            return Enumerable.Range(0, count).Select(_ => rng.Uniform(lo, hi)).ToArray();
        }).ToArray();
        var c = new OpCase(model, method, graph, layout, device, instance, plan, inputs);
        c.ParamValues();   // the buffers before any run
        return c;
    }

    /// <summary>The class count of a target input: the last dim of the tensor it picks from.</summary>
    private static int Classes(MethodGraph graph, Node input, Dictionary<string, int> dims) =>
        graph.Builder.Nodes.Where(n => PickOp.PicksClasses(n) && (n.Inputs[1] == input || (ViewOp.IsReshape(n.Inputs[1]) && n.Inputs[1].Inputs[0] == input)))
            .Select(n => (int)n.Inputs[0].Shape[n.Inputs[0].Shape.Rank - 1].Evaluate(dims))
            .Concat(graph.Builder.Nodes.Where(n => n.Op == IndicesOp.Instance && n.Inputs[0] == input && n.Attrs.Value > 0).Select(n => (int)n.Attrs.Value))
            .DefaultIfEmpty(3).Min();

    public Dictionary<string, double[]> InputValues() => Graph.Inputs.Select((n, i) => (n.Attrs.Name, Inputs[i] switch
    {
        float[] f => f.Select(x => (double)x).ToArray(),
        int[] k => k.Select(x => (double)x).ToArray(),
        _ => throw new InvalidOperationException(),
    })).ToDictionary(x => x.Name, x => x.Item2);

    /// <summary>
    /// The parameters' values by path, and the buffers' (which the interpreter reads from the same map) as the first run
    /// read them: a training run writes new values back, and the checks compare with that first run.
    /// </summary>
    public Dictionary<string, double[]> ParamValues()
    {
        _buffersAtStart ??= State.BufferLayout.ToDictionary(b => b.Name, b => State.Buffer(b.Name).Select(x => (double)x).ToArray());
        var values = Layout.ToDictionary(p => p.Path, p => State.Get(p.Path).Select(x => (double)x).ToArray());
        foreach (var (name, v) in _buffersAtStart) values[name] = v;
        return values;
    }

    private Dictionary<string, double[]>? _buffersAtStart;

    /// <summary>The method's output in float64 (detached nodes held at <see cref="Held"/> when set).</summary>
    public double[] Reference(Dictionary<string, double[]> parameters) =>
        Interpreter.Evaluate([Graph.Output], InputValues(), parameters, Dims, Held, FirstDraw)[Graph.Output];

    /// <summary>What the plan's first run draws with: the model's seed, ticket 0, training mode.</summary>
    public Draw FirstDraw => new(State.Random.Seed, 0, training: true);

    /// <summary>Detached nodes' values at the unperturbed parameters, which finite differences hold fixed.</summary>
    public Dictionary<Node, double[]>? Held { get; set; }

    public void HoldDetached(Dictionary<string, double[]> parameters)
    {
        var detached = Graph.Builder.Nodes.Where(n => n.Op == Unary.Detach).ToList();
        if (detached.Count == 0) return;
        var values = Interpreter.Evaluate(detached, InputValues(), parameters, Dims, draw: FirstDraw);
        Held = detached.ToDictionary(n => n, n => values[n]);
    }

    public void Dispose() => Plan.Dispose();
}

using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Fuse;
using Kiln.Generator.Ir;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Plan;

internal enum Region { Param, Grad, Work, Targets }

/// <summary>Where a tensor lives: a region, an offset (a Bound field or a constant) and strides over its own shape.</summary>
internal sealed record Placement(Region Region, string Offset, Size[] Strides);

/// <summary>
/// Stage 7 (Plan): a static memory plan. Inputs get their own slots; every other materialized tensor gets a
/// slot of the work arena from its producing kernel to its last reader, and a dead slot of the same symbolic
/// size is reused. Views share their base's memory. Offsets are symbolic (bound when the plan is compiled).
/// </summary>
internal sealed class MemoryPlan
{
    private readonly Dictionary<Node, Placement> _places = new();
    private Fusion _fusion = null!;

    public IReadOnlyDictionary<Node, Placement> Places => _places;
    /// <summary>Bound fields: name, offset polynomial, and whether the offset is a work-arena slot the plan aligns.</summary>
    public List<(string Field, Poly Offset, bool Aligned)> Fields { get; } = new();

    /// <summary>
    /// Floats after every work slot: room for the plan to move the slot's start up to the next 64-byte boundary
    /// (<c>Plan.Align</c>), so vector loads and stores of every stored tensor start on a cache line.
    /// </summary>
    public const int Pad = 15;
    public Poly WorkFloats { get; } = new();
    public Poly TargetInts { get; } = new();
    public int Slots { get; private set; }
    public int Reused { get; private set; }

    /// <summary>What a plan reads and writes outside its kernels, which decides the slots it binds on the managed path.</summary>
    /// <param name="Inputs">The method's inputs, in order (a bound input's slot is its index here).</param>
    /// <param name="Bindable">Whether an input may be read from the caller's array: a float tensor, not a scalar.</param>
    /// <param name="Outputs">The method's outputs (one, or a tuple's).</param>
    /// <param name="Elsewhere">Other nodes whose memory is read outside the kernels: the buffers' reads and new values, input gradients.</param>
    /// <param name="Forward">Whether it is a forward plan (a loss plan's output is the loss, read from the arena).</param>
    internal sealed record Binding(IReadOnlyList<Node> Inputs, System.Func<Node, bool> Bindable, IReadOnlyList<Node> Outputs, IReadOnlyList<Node> Elsewhere, bool Forward);

    public static MemoryPlan Run(Fusion fusion, IReadOnlyList<Node> inputs, Node output, IReadOnlyList<ParamLayout> layout, Binding? binding = null)
    {
        var plan = new MemoryPlan { _fusion = fusion };
        if (binding is not null) plan.FindBound(binding, output);
        plan.Build(fusion, inputs, output, layout);
        return plan;
    }

    private readonly Dictionary<Node, int> _bound = new();

    /// <summary>
    /// The slots bound on the managed path (kernels read them from the caller's array, or the plan's own, at offset 0;
    /// nothing is copied into the arena): every float tensor input, by its index among the inputs, then a forward
    /// plan's single stored output. They take the arena's last floats (<see cref="BoundFloats"/>), which the managed
    /// path does not allocate.
    /// </summary>
    public IReadOnlyDictionary<Node, int> Bound => _bound;

    private readonly List<(Node Node, Poly Offset)> _stored = new();
    /// <summary>Every tensor stored in the work arena, with its slot's offset (before alignment; the slot has <see cref="Pad"/> floats more).</summary>
    public IReadOnlyList<(Node Node, Poly Offset)> Stored => _stored;

    /// <summary>Floats at the end of the arena that hold the bound slots: only ILGPU devices allocate them.</summary>
    public Poly BoundFloats { get; } = new();

    private void FindBound(Binding b, Node output)
    {
        // an input whose memory is also read outside the kernels (an output that is a view of it) stays in the arena
        var escaping = new HashSet<Node>(b.Outputs.Concat(b.Elsewhere).Select(Base));
        for (int i = 0; i < b.Inputs.Count; i++)
            if (b.Bindable(b.Inputs[i]) && !escaping.Contains(b.Inputs[i])) _bound[b.Inputs[i]] = i;
        // the output, or the tensor it reshapes (a reduction's kept dims squeezed): the same memory, element for element;
        // not where it is also a buffer's read or new value, or an input's gradient
        var o = Base(output);
        if (b.Forward && b.Outputs.Count == 1 && Reshapes(output) && !_bound.ContainsKey(o) && _fusion.Kernels.Any(k => k.Root == o && k.GradPath is null)
            && !b.Elsewhere.Any(n => Base(n) == o))
            _bound[o] = b.Inputs.Count;
    }

    public static string FieldName(Node n) => "T" + n.Id;

    private void Build(Fusion fusion, IReadOnlyList<Node> inputs, Node output, IReadOnlyList<ParamLayout> layout)
    {
        var offsets = layout.ToDictionary(p => p.Path, p => p.Offset);
        // bound inputs (and a bound output) are placed last, after every other tensor: the managed path allocates the arena without them
        foreach (var input in inputs.Where(i => !_bound.ContainsKey(i))) PlaceInput(input);

        // last kernel reading each node (through views too)
        var lastUse = new Dictionary<Node, int>();
        foreach (var k in fusion.Kernels)
            foreach (var leaf in k.Leaves)
                lastUse[Base(leaf)] = k.Index;

        var slots = new List<(Size Size, int FreeAfter, Poly Offset)>();
        // the output, the extra outputs (input gradients) and buffers' new values live to the end of the run: the caller reads them after it
        var kept = new HashSet<Node>(fusion.Extras.Concat(fusion.MoreOutputs).Concat(fusion.Updates).Select(Base)) { Base(output) };
        foreach (var k in fusion.Kernels)
        {
            var n = k.Root;
            if (k.GradPath is { } path)
            {
                _places[n] = new Placement(Region.Grad, offsets[path].ToString(System.Globalization.CultureInfo.InvariantCulture), n.Shape.ContiguousStrides());
                continue;
            }
            if (_bound.ContainsKey(n)) continue;
            var size = n.Shape.Count;
            int until = kept.Contains(n) ? int.MaxValue : lastUse.TryGetValue(n, out var u) ? u : k.Index;
            int found = slots.FindIndex(s => s.FreeAfter < k.Index && (s.Size == size || (s.Size.IsConstant && size.IsConstant && s.Size.Coefficient >= size.Coefficient)));
            Poly offset;
            if (found >= 0)
            {
                offset = slots[found].Offset;
                slots[found] = (slots[found].Size, until, offset);
                Reused++;
            }
            else
            {
                offset = WorkFloats.Copy();
                WorkFloats.Add(size);
                WorkFloats.Add(Size.Of(Pad));
                slots.Add((size, until, offset));
            }
            Fields.Add((FieldName(n), offset, true));
            _stored.Add((n, offset));
            _places[n] = new Placement(Region.Work, "d." + FieldName(n), n.Shape.ContiguousStrides());
        }
        Slots = slots.Count;
        foreach (var n in _bound.OrderBy(b => b.Value).Select(b => b.Key))
        {
            PlaceInput(n);
            BoundFloats.Add(n.Shape.Count);
            BoundFloats.Add(Size.Of(Pad));
        }
    }

    /// <summary>A tensor with a slot of its own for the whole run: an input (floats in the arena, class indices in the target buffer) or a bound output.</summary>
    private void PlaceInput(Node input)
    {
        var region = input.Attrs.IsInt ? Region.Targets : Region.Work;
        var total = region == Region.Work ? WorkFloats : TargetInts;
        Fields.Add((FieldName(input), total.Copy(), region == Region.Work));
        if (region == Region.Work) _stored.Add((input, total.Copy()));
        total.Add(input.Shape.Count);
        if (region == Region.Work) total.Add(Size.Of(Pad));
        _places[input] = new Placement(region, "d." + FieldName(input), input.Shape.ContiguousStrides());
    }

    private Node Base(Node n) => n.Op == ViewOp.Instance ? Base(_fusion.Inputs(n).First()) : n;

    /// <summary>The stored tensor whose memory <paramref name="n"/> is: itself, or a view's base.</summary>
    public Node Storage(Node n) => Base(n);

    /// <summary>Whether <paramref name="n"/> is its storage element for element: stored, or reshapes of it only.</summary>
    public bool Reshapes(Node n) => n.Op != ViewOp.Instance || (ViewOp.IsReshape(n) && Reshapes(_fusion.Inputs(n).First()));

    /// <summary>The placement of any node read by a kernel: stored tensors directly, views through their base.</summary>
    public Placement Of(Node n, IReadOnlyList<ParamLayout> layout)
    {
        if (_places.TryGetValue(n, out var p)) return p;
        if (n.Op == Leaves.Param)
        {
            var l = layout.First(x => x.Path == n.Attrs.Name);
            return _places[n] = new Placement(Region.Param, l.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), n.Shape.ContiguousStrides());
        }
        if (n.Op == ViewOp.Instance)
        {
            var inner = Of(_fusion.Inputs(n).First(), layout);
            if (ViewOp.IsReshape(n)) return _places[n] = inner with { Strides = n.Shape.ContiguousStrides() };
            if (ViewOp.IsPermutation(n)) return _places[n] = inner with { Strides = n.Attrs.Axes.Select(a => inner.Strides[a]).ToArray() };
            var (offset, strides) = ViewOp.Map(n.Attrs, inner.Strides);
            string start = string.Concat(offset.Select(o => " + " + (o.IsConstant ? o.Emit("d.") : "(" + o.Emit("d.") + ")")));
            return _places[n] = inner with { Offset = inner.Offset + start, Strides = strides };
        }
        throw new System.InvalidOperationException($"t{n.Id} ({n.Op.Name}) has no memory");
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Kiln.Generator.Emit;

/// <summary>
/// The fused kernels of one model, each emitted once. A plan's kernel is rendered with its own node ids and Bound
/// fields, then normalised: node ids renumbered from 0 in order of appearance, and each <c>d.Field</c> it reads
/// becomes a positional <c>d.A{i}</c> of <c>KernelArgs</c>. Plans whose kernels normalise to the same text (a Forward
/// and the Loss that runs it, an identical layer in two methods) call one method, each with its own values.
/// </summary>
internal sealed class KernelLibrary(string className)
{
    private static readonly Regex NodeId = new(@"\b([lvbt])(\d+)\b", RegexOptions.Compiled);
    /// <summary>A node id in a comment, where a dotted parameter path (d.l1.bias) is not one.</summary>
    private static readonly Regex CommentNodeId = new(@"(?<![\w.])([lvbt])(\d+)(?![\w.])", RegexOptions.Compiled);
    private static readonly Regex BoundField = new(@"(?<![\w.])d\.(@?[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Compiled);
    private const string Placeholder = "KERNEL§";

    private readonly List<string> _texts = new();
    private readonly Dictionary<string, int> _index = new();

    /// <summary>The qualified name of the class holding the kernels, as plans call it.</summary>
    public string Qualified => "global::Kiln.Generated." + className;

    /// <summary>One registered kernel as a plan calls it: its method name, and the Bound fields to pass (null: the plan's whole Bound).</summary>
    public sealed record Entry(string Name, IReadOnlyList<string>? Args);

    /// <summary>
    /// Registers a kernel rendered by <paramref name="render"/> (called with the method name to use and the parameter
    /// type to declare); returns how the plan calls it. A kernel reading more values than <c>KernelArgs</c> holds keeps
    /// its plan's Bound (<paramref name="boundType"/>) and is not shared.
    /// </summary>
    /// <param name="views">Bound fields that are the storage of a view the kernel reads (field → the view's node id), so
    /// the kernel's description names the view, in the kernel's own ids, rather than a plan's field.</param>
    public Entry Register(System.Func<string, string, string> render, string boundType, IReadOnlyDictionary<string, int>? views = null)
    {
        // per line, Bound fields in code only (a comment names parameters, d.fc1.bias), then node ids (a dim may be
        // named like one: t1); a name inside a dotted path is not a node id
        var fields = new List<string>();
        var ids = new Dictionary<string, int>();
        var lines = render(Placeholder, "KernelArgs").Split('\n').Select(line =>
        {
            bool comment = line.TrimStart().StartsWith("//", System.StringComparison.Ordinal);
            if (!comment)
                line = BoundField.Replace(line, m =>
                {
                    int i = fields.IndexOf(m.Groups[1].Value);
                    if (i < 0) { i = fields.Count; fields.Add(m.Groups[1].Value); }
                    return "d.A" + i;
                });
            return (comment ? CommentNodeId : NodeId).Replace(line, m =>
            {
                if (!ids.TryGetValue(m.Groups[2].Value, out int id)) ids[m.Groups[2].Value] = id = ids.Count;
                return m.Groups[1].Value + id;
            });
        }).ToList();
        // what each positional value is, in this kernel's own names: a dim, or the arena offset of a node (field T{id})
        if (fields.Count > 0)
            lines.Insert(System.Math.Max(0, lines.FindIndex(l => !l.StartsWith("//", System.StringComparison.Ordinal))), "// d: " + string.Join(", ", fields.Select((f, i) =>
                $"A{i} = {Meaning(f)}")));
        string Meaning(string f) =>
            f.Length > 1 && f[0] == 'T' && ids.TryGetValue(f.Substring(1), out int id) ? "offset of t" + id
            : views is not null && views.TryGetValue(f, out int view) && ids.TryGetValue(view.ToString(System.Globalization.CultureInfo.InvariantCulture), out int viewed) ? $"offset of the tensor t{viewed} views"
            : BlockOffset(f) is { } at ? "parameter/gradient offset " + at : f == CountField ? "element count" : f;
        string text = string.Join("\n", lines);
        if (fields.Count > 16)
        {
            string name = "K" + _texts.Count;
            _texts.Add(render(name, boundType));
            return new Entry(name, null);
        }
        // kernels whose code is the same are one kernel, whatever their comments say (the first one's are kept)
        string code = string.Join("\n", lines.Where(l => !l.TrimStart().StartsWith("//", System.StringComparison.Ordinal)));
        if (!_index.TryGetValue(code, out int at))
        {
            at = _texts.Count;
            _index[code] = at;
            _texts.Add(text.Replace(Placeholder, "K" + at));
        }
        return new Entry("K" + at, fields);
    }

    /// <summary>The argument holding a shared kernel's element count (its ILGPU loop's bound).</summary>
    public const string CountField = "__count";

    /// <summary>The offset in the parameter (or gradient) block a kernel's <c>d.__{offset}</c> stands for, or null for a plan field.</summary>
    public static string? BlockOffset(string field) => field.StartsWith("__", System.StringComparison.Ordinal) && field.Length > 2 && field.Skip(2).All(char.IsDigit) ? field.Substring(2) : null;

    /// <summary>Writes the class of kernels (namespace Kiln.Generated, usings inside so they win over any outer name).</summary>
    public void Emit(SourceWriter w, string modelName)
    {
        if (_texts.Count == 0) return;
        w.Line();
        w.Open("namespace Kiln.Generated");
        foreach (var u in new[] { "System", "System.Runtime.CompilerServices", "System.Runtime.InteropServices", "ILGPU", "Kiln.Kernels" })
            w.Line($"using global::{u};");
        w.Line();
        w.Line($"/// <summary>");
        w.Line($"/// The fused kernels of {modelName}'s plans, each once (a plan passes its own dims and offsets as KernelArgs). A flat kernel");
        w.Line("/// is a struct Kn, its value at one element over floats and over vectors, run by the runtime's FlatLoops (managed) and");
        w.Line("/// FlatLoopsGpu (ILGPU). Any other kernel has an ILGPU form Kn (a grid-stride loop), a managed form KnCpu (16 or 8 lanes");
        w.Line("/// where its operands allow) and for a max, min or product of all elements a KnCombine, and lists its nodes in its own ids.");
        w.Line($"/// </summary>");
        w.Open($"file static class {className}");
        for (int i = 0; i < _texts.Count; i++)
        {
            if (i > 0) w.Line();
            w.Raw(_texts[i]);
        }
        w.Close();
        w.Close();
    }
}

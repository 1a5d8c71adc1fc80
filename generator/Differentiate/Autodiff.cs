using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Ir;
using Kiln.Generator.Ops;

namespace Kiln.Generator.Differentiate;

/// <summary>
/// Stage 4 (Differentiate): reverse mode over the graph. Each op's vector-Jacobian rule emits graph nodes,
/// so the backward graph is checked, simplified and fused like the forward one. Contributions to a node used
/// more than once are summed; broadcast operands get theirs summed back to shape (inside the op rules).
/// </summary>
internal static class Autodiff
{
    /// <summary>The gradient of the scalar <paramref name="loss"/> with respect to every parameter it depends on, by path.</summary>
    public static List<(string Path, Node Param, Node Grad)> Gradients(GraphBuilder b, Node loss) => Gradients(b, loss, [], out _);

    /// <summary>
    /// The same, and the gradient with respect to each of <paramref name="inputs"/> (torch.autograd.grad): zeros of the
    /// input's shape where the loss does not depend on it.
    /// </summary>
    public static List<(string Path, Node Param, Node Grad)> Gradients(GraphBuilder b, Node loss, IReadOnlyCollection<Node> inputs, out List<Node> inputGrads, IReadOnlyCollection<string>? frozen = null)
    {
        // a frozen parameter (a path, or a submodule's prefix) is a constant to this plan: no gradient, no work behind it
        bool Frozen(Node n) => frozen is { Count: > 0 } && frozen.Any(f => n.Attrs.Name == f || n.Attrs.Name.StartsWith(f + ".", System.StringComparison.Ordinal));
        var order = Graph.TopologicalOrder([loss]);
        var dependsOnParam = new HashSet<Node>();
        foreach (var n in order)
            // a detached value is a constant to the backward pass: nothing behind it is differentiated
            if ((n.Op == Leaves.Param && !Frozen(n)) || inputs.Contains(n) || (n.Op != Unary.Detach && n.Op != Leaves.Param && n.Inputs.Any(dependsOnParam.Contains))) dependsOnParam.Add(n);

        var adjoint = new Dictionary<Node, Node> { [loss] = b.Const(1) };
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (!adjoint.TryGetValue(node, out var grad) || !dependsOnParam.Contains(node) || node.Op.Kind == OpKind.Leaf) continue;
            var contributions = node.Op.Backward(b, node, grad);
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                var input = node.Inputs[k];
                if (k >= contributions.Length || contributions[k] is not { } c || !dependsOnParam.Contains(input)) continue;
                adjoint[input] = adjoint.TryGetValue(input, out var existing) ? b.Add(existing, c) : c;
            }
        }
        inputGrads = inputs.Select(x => adjoint.TryGetValue(x, out var g) ? b.Expand(g, x.Shape) : b.Expand(b.Const(0), x.Shape)).ToList();
        return order.Where(n => n.Op == Leaves.Param && adjoint.ContainsKey(n))
            .OrderBy(n => n.Attrs.Name, System.StringComparer.Ordinal)
            .Select(n => (n.Attrs.Name, n, b.Expand(adjoint[n], n.Shape)))
            .ToList();
    }
}

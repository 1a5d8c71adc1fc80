using System.Collections.Generic;

namespace Kiln.Generator.Ir;

internal static class Graph
{
    /// <summary>Every node the roots depend on, inputs before users (stage Optimize's dead-code elimination is this walk).</summary>
    public static List<Node> TopologicalOrder(IEnumerable<Node> roots)
    {
        var order = new List<Node>();
        var seen = new HashSet<Node>();
        var stack = new Stack<(Node Node, int Next)>();
        foreach (var root in roots)
        {
            if (!seen.Add(root)) continue;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Length)
                {
                    stack.Push((node, next + 1));
                    var input = node.Inputs[next];
                    if (seen.Add(input)) stack.Push((input, 0));
                }
                else order.Add(node);
            }
        }
        return order;
    }
}

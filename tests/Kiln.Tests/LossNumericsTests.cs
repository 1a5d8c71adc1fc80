using System;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>Every loss stays finite in value and gradient for logits and inputs at ±100, on both backends (PyTorch's are).</summary>
public class LossNumericsTests
{
    private static readonly float[] Extremes = [100f, -100f, 0f, -100f, 100f, 3f, 50f, -50f, 100f, -7f, 0.5f, -100f];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var device in new[] { "cpu", "ilgpu-cpu" })
            foreach (var method in new[] { "CrossEntropy", "Nll", "BceWithLogits", "Regression", "Poisson", "KlDiv", "Margins", "Multilabel", "Embeddings" })
                data.Add(device, method);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_are_finite_at_plus_minus_100(string device, string method)
    {
        using var d = Device.Create(device);
        var m = new LossExtremes(d);
        m.Parameters.Set("z", Extremes);
        m.Parameters.Set("w", Extremes.Reverse().ToArray());
        var plan = (Plan)typeof(LossExtremes).GetMethod("Compile" + method)!.Invoke(m, [])!;
        using (plan)
        {
            Array[] inputs = plan.GetType().GetMethods().First(f => f.Name == "ForwardBackward").GetParameters().Select(p => p.Name switch
            {
                "t" => (Array)new[] { 0, 2, 1, 2 },
                "labels" => new[] { 0, 2, -1, 1, 1, -1, 2, 0, 1, 0, -1, 2 },
                "y" => new[] { 1f, 0f, 1f, 0f, 0.5f, 1f, 0f, 1f, 0.25f, 0f, 1f, 0f },
                "pm" => Enumerable.Range(0, p.Name == "pm" && method == "Embeddings" ? 4 : 12).Select(i => i % 3 == 0 ? -1f : 1f).ToArray(),
                _ => throw new InvalidOperationException(p.Name),
            }).ToArray();
            m.Parameters.ZeroGrad();
            float loss = plan.Invoke(inputs, backward: true)[0];
            Assert.True(float.IsFinite(loss), $"{method}: loss {loss}");
            foreach (var name in new[] { "z", "w" })
                Assert.All(m.Parameters.Grad(name), g => Assert.True(float.IsFinite(g), $"{method}: a gradient of {name} is {g}"));
        }
    }
}

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

    /// <summary>
    /// CrossEntropy reads each row's log-probability off the softmax it keeps for the backward; where the target's
    /// probability underflows (e^-200) the row is recomputed from the logits. Values and gradients against float64
    /// log_softmax, with targets on the largest, a middle and the smallest logit.
    /// </summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void CrossEntropy_of_confidently_wrong_logits_matches_float64(string device)
    {
        using var d = Device.Create(device);
        var m = new LossExtremes(d);
        m.Parameters.Set("z", Extremes);
        int[] t = [1, 0, 2, 1];
        using var plan = m.CompileCrossEntropySum();
        m.Parameters.ZeroGrad();
        float loss = plan.ForwardBackward(t);
        double expected = 0;
        var grad = m.Parameters.Grad("z");
        for (int i = 0; i < 4; i++)
        {
            var row = Extremes.Skip(3 * i).Take(3).Select(v => (double)v).ToArray();
            double max = row.Max(), lse = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            expected += lse - row[t[i]];
            for (int j = 0; j < 3; j++)
            {
                double g = Math.Exp(row[j] - lse) - (j == t[i] ? 1 : 0);
                Assert.True(Math.Abs(grad[3 * i + j] - g) <= 1e-6, $"dz[{i}, {j}] = {grad[3 * i + j]}, float64 {g}");
            }
        }
        Assert.True(Math.Abs(loss - expected) <= 1e-5 * Math.Abs(expected), $"loss {loss}, float64 {expected}");
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Kiln;

namespace Samples.Autograd;

/// <summary>Everything the tour computed, for the program to print and the tests to check.</summary>
public sealed record TourResult(
    float[] Grid, float[] Sigmoid, float[] Tanh, float[] Relu, float[] SigmoidGrad, float[] TanhGrad, float[] ReluGrad,
    float[] Logits, float[] Prob, float[,] Jacobian,
    float[] X, float[] W, float[] Y, float Mse, float[] MseGradW,
    float[] EntropyW, int[] Labels, float Entropy, int[] EntropyGradShape, float[] GradFirst, float[] GradSecond, float[] GradAccumulated,
    IReadOnlyList<(float[] Start, float[] Minimum, float F)> Himmelblau);

public static class AutogradTour
{
    /// <summary>The four starts of the Himmelblau search, one per quadrant.</summary>
    public static readonly float[][] Starts = [[0f, 0f], [-4f, 4f], [-4f, -4f], [4f, -4f]];

    public static TourResult Run(Device device, int gridPoints = 1000, int himmelblauSteps = 2000, int seed = 0)
    {
        var tour = new Tour(device, seed);

        // 1. activations on linspace(-10, 10, n) and their derivatives, each from one backward pass
        var grid = Enumerable.Range(0, gridPoints).Select(i => -10f + 20f * i / (gridPoints - 1)).ToArray();
        var (sigmoid, tanh, relu) = tour.CompileActivations(gridPoints).Run(grid);
        float[] Derivative(Plan plan, Func<float[], float> forwardBackward)
        {
            forwardBackward(grid);
            return plan.InputGrad("x");
        }
        var sigmoidSum = tour.CompileSigmoidSum(gridPoints);
        var tanhSum = tour.CompileTanhSum(gridPoints);
        var reluSum = tour.CompileReluSum(gridPoints);
        var sigmoidGrad = Derivative(sigmoidSum, g => sigmoidSum.ForwardBackward(g));
        var tanhGrad = Derivative(tanhSum, g => tanhSum.ForwardBackward(g));
        var reluGrad = Derivative(reluSum, g => reluSum.ForwardBackward(g));

        // 2. softmax of rand(10), and its Jacobian a column at a time
        var (logits, prob) = tour.CompileSoftmaxOfRand().Run();
        var along = tour.CompileSoftmaxAlong();
        var jacobian = new float[10, 10];
        for (int j = 0; j < 10; j++)
        {
            var v = new float[10];
            v[j] = 1;
            along.ForwardBackward(logits, v);
            var column = along.InputGrad("logits");   // Jᵀe_j: ∂p_j/∂a_i for every i
            for (int i = 0; i < 10; i++) jacobian[j, i] = column[i];
        }

        // 3. mse = F.mse_loss(x@w, y); grads = torch.autograd.grad(mse, [w])
        var data = tour.CompileMseData();
        var (x, w, y) = data.Run();
        var msePlan = tour.CompileMse();
        float mse = msePlan.ForwardBackward(x, w, y);
        var mseGrad = msePlan.InputGrad("w");

        // 4. entropy = F.cross_entropy(x@w, y); entropy.backward(); w.grad: and without zero_grad a second backward adds
        var rng = new SeededRandom((ulong)seed + 3);
        int[] Labels() => Enumerable.Range(0, 100).Select(_ => rng.NextInt(9)).ToArray();   // torch.randint(0, 9, [100])
        tour.Parameters.Set("w", Enumerable.Range(0, 64 * 10).Select(_ => rng.Uniform(0f, 1f)).ToArray());   // w = torch.rand(64, 10), the seed's
        var entropyPlan = tour.CompileEntropy();
        var (x2, _, _) = data.Run();
        int[] y1 = Labels(), y2 = Labels();
        tour.Parameters.ZeroGrad();
        float entropy = entropyPlan.ForwardBackward(x, y1);
        var first = tour.Parameters.Grad("w");
        tour.Parameters.ZeroGrad();
        entropyPlan.ForwardBackward(x2, y2);
        var second = tour.Parameters.Grad("w");
        tour.Parameters.ZeroGrad();
        entropyPlan.ForwardBackward(x, y1);
        entropyPlan.ForwardBackward(x2, y2);   // no zero_grad in between
        var accumulated = tour.Parameters.Grad("w");

        // 5. Himmelblau's four minima, found by Adam from four starts
        var minima = new List<(float[], float[], float)>();
        foreach (var start in Starts)
        {
            var h = new Himmelblau(device, seed);
            h.Parameters.Set("p", start);
            var step = h.CompileF();
            var adam = new Adam(h.Parameters, new AdamOptions(0.05));
            float f = 0;
            for (int i = 0; i < himmelblauSteps; i++)
            {
                adam.ZeroGrad();
                f = step.ForwardBackward();
                adam.Step();
            }
            minima.Add((start, h.Parameters.Get("p"), step.Forward()));
        }

        return new TourResult(grid, sigmoid, tanh, relu, sigmoidGrad, tanhGrad, reluGrad, logits, prob, jacobian,
            x, w, y, mse, mseGrad, tour.Parameters.Get("w"), y1, entropy, [.. tour.Parameters.Info("w").Shape], first, second, accumulated, minima);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

using static Kiln.Tests.Support.ReferenceOps;

/// <summary>
/// Checks the float64 oracle itself, against numbers PyTorch publishes and identities derived by hand, so that a
/// disagreement between Kiln and <see cref="ReferenceOps"/> can be blamed on Kiln.
/// </summary>
public class ReferenceOpsTests
{
    // The seed notes print float32 results to 4 decimals.
    private const double Spec = 1.5e-4;

    private static RefTensor Vec(params double[] values) => new([values.Length], values);

    private static RefTensor Mat(int rows, int cols, params double[] values) => new([rows, cols], values);

    private static void Near(double expected, double actual, double tolerance, string what = "")
    {
        bool ok = double.IsNaN(expected) ? double.IsNaN(actual) : Math.Abs(actual - expected) <= tolerance;
        Assert.True(ok, $"{what}: expected {expected}, got {actual} (tolerance {tolerance})");
    }

    private static void Near(double[] expected, RefTensor actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Near(expected[i], actual.Data[i], tolerance, $"element {i}");
    }

    private static void NearScalar(double expected, RefTensor actual, double tolerance)
    {
        AssertShape(actual);
        Near(expected, actual.Item, tolerance, "0-d result");
    }

    private static void AssertShape(RefTensor t, params int[] shape) =>
        Assert.True(t.Shape.SequenceEqual(shape), $"shape ({string.Join(", ", t.Shape)}), expected ({string.Join(", ", shape)})");

    // ---------------------------------------------------------------- published values (seed 004)

    [Fact]
    public void Bce_OnProbabilities_MatchesSpec()
    {
        var loss = BinaryCrossEntropy(Vec(0.6682, 0.6042, 0.7042), Vec(0, 1, 1), reduction: Reduction.None);
        AssertShape(loss, 3);
        Near([1.1032, 0.5038, 0.3506], loss, Spec);
    }

    [Fact]
    public void CrossEntropy_MatchesSpec()
    {
        var x = Mat(3, 2, 1, 2, 1, 3, 1, 3);
        int[] t = [0, 1, 1];
        Near([1.3133, 0.1269, 0.1269], CrossEntropy(x, t, reduction: Reduction.None), Spec);
        NearScalar(1.5671, CrossEntropy(x, t, reduction: Reduction.Sum), Spec);
        NearScalar(0.5224, CrossEntropy(x, t), Spec);
    }

    [Fact]
    public void CrossEntropy_Weighted_MatchesSpec()
    {
        var x = Mat(3, 2, 1, 2, 1, 3, 1, 3);
        int[] t = [0, 1, 1];
        var w = Vec(1, 2);
        Near([1.3133, 0.2539, 0.2539], CrossEntropy(x, t, w, reduction: Reduction.None), Spec);
        NearScalar(1.8210, CrossEntropy(x, t, w, reduction: Reduction.Sum), Spec);
        NearScalar(0.3642, CrossEntropy(x, t, w), Spec);
    }

    [Fact]
    public void Nll_MatchesSpec()
    {
        var x = Mat(3, 2, 1, 2, 1, 3, 1, 3);
        int[] t = [0, 1, 1];
        var w = Vec(1, 1);
        Near([-1, -3, -3], NllLoss(x, t, w, reduction: Reduction.None), Spec);
        NearScalar(-7, NllLoss(x, t, w, reduction: Reduction.Sum), Spec);
        NearScalar(-2.3333, NllLoss(x, t, w), Spec);
    }

    [Fact]
    public void Bce_And_BceWithLogits_MatchSpec()
    {
        var x = Mat(4, 2, 1, 2, 2, 2, 3, 4, 4, 5);
        var y = Mat(4, 2, 1, 0, 1, 0, 0, 1, 0, 1);
        double[] none = [0.3133, 2.1269, 0.1269, 2.1269, 3.0486, 0.0181, 4.0181, 0.0067];

        Near(none, BinaryCrossEntropy(Sigmoid(x), y, reduction: Reduction.None), Spec);
        NearScalar(11.7856, BinaryCrossEntropy(Sigmoid(x), y, reduction: Reduction.Sum), Spec);
        NearScalar(1.4732, BinaryCrossEntropy(Sigmoid(x), y), Spec);

        Near(none, BinaryCrossEntropyWithLogits(x, y, reduction: Reduction.None), Spec);
        NearScalar(11.7856, BinaryCrossEntropyWithLogits(x, y, reduction: Reduction.Sum), Spec);
        NearScalar(1.4732, BinaryCrossEntropyWithLogits(x, y), Spec);

        // pos_weight scales only the target-1 terms; the published values are rounded, so their error triples too.
        var weighted = none.Select((v, i) => y.Data[i] == 1 ? 3 * v : v).ToArray();
        Near(weighted, BinaryCrossEntropyWithLogits(x, y, posWeight: Vec(3, 3), reduction: Reduction.None), 3 * Spec);
    }

    [Fact]
    public void L1_And_Mse_MatchSpec()
    {
        var ones = Mat(2, 2, 1, 1, 1, 1);
        var threes = Mat(2, 2, 3, 3, 3, 3);
        Near([2, 2, 2, 2], L1Loss(ones, threes, Reduction.None), 0);
        Near([4, 4, 4, 4], MseLoss(ones, threes, Reduction.None), 0);
    }

    // ---------------------------------------------------------------- identities derived by hand

    [Fact]
    public void Softmax_LinesSumToOne_EvenForLargeInputs()
    {
        var x = new RefTensor([2, 3, 4], Enumerable.Range(0, 24).Select(i => 1000.0 + 7 * Math.Sin(i)).ToArray());
        foreach (int dim in new[] { 0, 1, 2, -1 })
        {
            var sums = Sum(Softmax(x, dim), dim);
            Near(Enumerable.Repeat(1.0, sums.Count).ToArray(), sums, 1e-12);
        }
    }

    [Fact]
    public void LogSoftmax_IsLogOfSoftmax()
    {
        var x = new RefTensor([3, 5], Enumerable.Range(0, 15).Select(i => 3 * Math.Cos(i)).ToArray());
        foreach (int dim in new[] { 0, 1 })
            Near(Log(Softmax(x, dim)).Data, LogSoftmax(x, dim), 1e-12);
    }

    [Fact]
    public void Bce_ClampsEachLogAtMinus100()
    {
        NearScalar(100, BinaryCrossEntropy(Vec(0), Vec(1), reduction: Reduction.Sum), 0);
        NearScalar(100, BinaryCrossEntropy(Vec(1), Vec(0), reduction: Reduction.Sum), 0);
        // The clamped log is multiplied by a zero target weight, not left as 0·(−inf) = NaN.
        NearScalar(0, BinaryCrossEntropy(Vec(1), Vec(1), reduction: Reduction.Sum), 0);
    }

    [Fact]
    public void CrossEntropy_IgnoreIndex_AveragesOverKeptRowsOnly()
    {
        var x = Mat(3, 3, 0.5, -1, 2, 1, 1, 1, -0.3, 0.2, 0.9);
        int[] t = [0, 1, 2];
        double Row(int r, int target)
        {
            double lse = Math.Log(Math.Exp(x.Data[3 * r]) + Math.Exp(x.Data[3 * r + 1]) + Math.Exp(x.Data[3 * r + 2]));
            return lse - x.Data[3 * r + target];
        }

        Near([Row(0, 0), 0, Row(2, 2)], CrossEntropy(x, t, ignoreIndex: 1, reduction: Reduction.None), 1e-12);
        NearScalar(Row(0, 0) + Row(2, 2), CrossEntropy(x, t, ignoreIndex: 1, reduction: Reduction.Sum), 1e-12);
        NearScalar((Row(0, 0) + Row(2, 2)) / 2, CrossEntropy(x, t, ignoreIndex: 1), 1e-12);
    }

    [Fact]
    public void AllTargetsIgnored_MeanIsNaN()
    {
        var x = Mat(2, 2, 1, 2, 3, 4);
        Assert.True(double.IsNaN(CrossEntropy(x, [-100, -100]).Item));
        Assert.True(double.IsNaN(NllLoss(x, [1, 1], ignoreIndex: 1).Item));
        NearScalar(0, CrossEntropy(x, [-100, -100], reduction: Reduction.Sum), 0);
    }

    [Fact]
    public void WeightedNll_Mean_DividesBySumOfTargetWeights()
    {
        var x = Mat(4, 3, -0.1, -2, -3, -1.5, -0.4, -2.2, -0.7, -0.9, -1.1, -2.5, -0.05, -3.5);
        int[] t = [2, 0, 1, 2];
        var w = Vec(0.5, 2, 3);
        double numerator = 0, denominator = 0;
        for (int i = 0; i < t.Length; i++)
        {
            numerator += -w.Data[t[i]] * x.Data[3 * i + t[i]];
            denominator += w.Data[t[i]];
        }
        NearScalar(numerator / denominator, NllLoss(x, t, w), 1e-12);
    }

    [Fact]
    public void MatMul_BroadcastsBatchDims()
    {
        var c = new RefTensor([2, 1, 3, 4], Enumerable.Range(0, 24).Select(i => Math.Sin(i + 1)).ToArray());
        var e = new RefTensor([3, 4, 2], Enumerable.Range(0, 24).Select(i => Math.Cos(2 * i)).ToArray());
        var product = MatMul(c, e);
        AssertShape(product, 2, 3, 3, 2);

        // out[i, j] = c[i, 0] @ e[j], each a (3,4)·(4,2) product written out.
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int r = 0; r < 3; r++)
                    for (int col = 0; col < 2; col++)
                    {
                        double s = 0;
                        for (int k = 0; k < 4; k++) s += c.Data[i * 12 + r * 4 + k] * e.Data[j * 8 + k * 2 + col];
                        Near(s, product.Data[((i * 3 + j) * 3 + r) * 2 + col], 1e-12, $"[{i},{j},{r},{col}]");
                    }
    }

    [Fact]
    public void MatMul_PromotesAndDropsVectorDims()
    {
        var a = Mat(2, 3, 1, 2, 3, 4, 5, 6);
        AssertShape(MatMul(Vec(1, -1), a), 3);
        AssertShape(MatMul(a, Vec(1, 0, -1)), 2);
        Near([-3, -3, -3], MatMul(Vec(1, -1), a), 0);
        Near([1 - 3, 4 - 6], MatMul(a, Vec(1, 0, -1)), 0);
        NearScalar(32, MatMul(Vec(1, 2, 3), Vec(4, 5, 6)), 0);
        Assert.Throws<ArgumentException>(() => Add(Mat(2, 3, 1, 2, 3, 4, 5, 6), Vec(1, 2)));
    }

    [Fact]
    public void Softplus_RevertsToIdentityAboveThreshold()
    {
        Near([30], Softplus(Vec(30)), 0);
        Near([Math.Log(1 + Math.Exp(2))], Softplus(Vec(2)), 1e-14);
        // beta·x = 2 > threshold 1.5: linear; beta·x = 1 ≤ 1.5: the formula.
        Near([1, Math.Log(1 + Math.E) / 2], Softplus(Vec(1, 0.5), beta: 2, threshold: 1.5), 1e-14);
    }

    [Fact]
    public void Statistics_MatchHandValues()
    {
        var v = Vec(1, 2, 3, 4);
        NearScalar(5.0 / 3, Var(v), 1e-15); // Σ(x − 2.5)² = 5, over N − 1
        NearScalar(1.25, Var(v, correction: 0), 1e-15);
        NearScalar(Math.Sqrt(5.0 / 3), Std(v), 1e-15);
        NearScalar(24, Prod(Vec(2, 3, 4)), 0);
        Near([1, 3, 6], CumSum(Vec(1, 2, 3), 0), 0);
        NearScalar(1000 + Math.Log(2), LogSumExp(Vec(1000, 1000), 0), 1e-12);

        var w = Vec(3, -4, 0);
        NearScalar(5, Norm(w), 1e-15);
        NearScalar(7, Norm(w, 1), 1e-15);
        NearScalar(4, Norm(w, double.PositiveInfinity), 0);
        NearScalar(0, Norm(w, double.NegativeInfinity), 0);
        NearScalar(2, Norm(w, 0), 0);
    }

    [Fact]
    public void MultiDimReductions_EqualNestedSingleDimOnes()
    {
        var x = new RefTensor([2, 3, 4], Enumerable.Range(0, 24).Select(i => Math.Sin(3 * i)).ToArray());
        Near(Sum(Sum(x, 2), 0).Data, Sum(x, [0, 2]), 1e-14);
        Near(Amax(Amax(x, 2), 0).Data, Amax(x, [2, 0]), 0);
        var kept = Mean(x, [-1, 1], keepDim: true);
        AssertShape(kept, 2, 1, 1);
        Near(Mean(Mean(x, 2), 1).Data, kept, 1e-14);
    }

    // ---------------------------------------------------------------- the case table

    [Fact]
    public void Cases_CoverEveryLossAndForwardMethod()
    {
        var assembly = typeof(ReferenceOpsTests).Assembly;
        var declared = new List<string>();
        foreach (var file in new[] { "models/OpModels.cs", "models/SeedModels.cs" })
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(file) ?? throw new InvalidOperationException($"no resource {file}"));
            string? model = null;
            foreach (var line in reader.ReadToEnd().Split('\n'))
            {
                var cls = Regex.Match(line, @"partial class (\w+)");
                if (cls.Success) model = cls.Groups[1].Value;
                var method = Regex.Match(line, @"\[(?:Loss|Forward)\]\s*public\s+(?:\w+|\([^)]*\))\s+(\w+)\s*\(");   // Tensor or a tuple of them
                if (method.Success) declared.Add($"{model}.{method.Groups[1].Value}");
            }
        }

        Assert.True(declared.Count > 100, $"only {declared.Count} [Loss]/[Forward] methods read from the model sources");
        var missing = declared.Where(name => !ReferenceCases.Has(name.Split('.')[0], name.Split('.')[1])).ToList();
        Assert.True(missing.Count == 0, "no reference for: " + string.Join(", ", missing));
        var stale = ReferenceCases.Names.Except(declared).ToList();
        Assert.True(stale.Count == 0, "references for methods the models no longer declare: " + string.Join(", ", stale));
    }

    [Fact]
    public void Cases_EvaluateSeedLossesToTheSpec()
    {
        var inputs = new Dictionary<string, RefTensor>
        {
            ["x"] = Mat(3, 2, 1, 2, 1, 3, 1, 3),
            ["t"] = RefTensor.From([3], new[] { 0, 1, 1 }),
            ["w"] = Vec(1, 2),
        };
        var none = new Dictionary<string, RefTensor>();
        NearScalar(0.3642, ReferenceCases.Evaluate("SeedLosses", "CeWeightedMean", inputs, none), Spec);
        Near([-1, -6, -6], ReferenceCases.Evaluate("SeedLosses", "NllNone", inputs, none), Spec);
    }
}

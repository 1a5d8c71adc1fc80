using System;
using System.Collections.Generic;
using System.Linq;

namespace Samples.Autograd;

/// <summary>The tour's own checks: each gradient against its closed form, computed here in float64.</summary>
public static class AutogradChecks
{
    /// <summary>The four minima of Himmelblau's function.</summary>
    public static readonly double[][] Minima = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]];

    public static Dictionary<string, double> All(TourResult r)
    {
        var c = new Dictionary<string, double>();
        double MaxDiff(IEnumerable<double> a, IEnumerable<double> b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        c["sigmoid"] = MaxDiff(r.SigmoidGrad.Select(v => (double)v), r.Grid.Select(x => { double s = 1 / (1 + Math.Exp(-x)); return s * (1 - s); }));
        c["tanh"] = MaxDiff(r.TanhGrad.Select(v => (double)v), r.Grid.Select(x => 1 - Math.Tanh(x) * Math.Tanh(x)));
        c["relu"] = MaxDiff(r.ReluGrad.Select(v => (double)v), r.Grid.Select(x => x > 0 ? 1.0 : 0.0));

        double sum = r.Logits.Sum(a => Math.Exp(a));
        var p = r.Logits.Select(a => Math.Exp(a) / sum).ToArray();
        c["softmax"] = MaxDiff(r.Prob.Select(v => (double)v), p);
        c["jacobian"] = Enumerable.Range(0, 100).Max(k => Math.Abs(r.Jacobian[k / 10, k % 10] - p[k / 10] * ((k / 10 == k % 10 ? 1 : 0) - p[k % 10])));
        // d mse / d w = 2/100 · xᵀ(xw − y), x [100, 64], w [64, 1]
        var residual = Enumerable.Range(0, 100).Select(n => Enumerable.Range(0, 64).Sum(k => (double)r.X[n * 64 + k] * r.W[k]) - r.Y[n]).ToArray();
        c["mse"] = MaxDiff(r.MseGradW.Select(v => (double)v), Enumerable.Range(0, 64).Select(k => 2.0 / 100 * Enumerable.Range(0, 100).Sum(n => r.X[n * 64 + k] * residual[n])));
        // d entropy / d w = xᵀ(softmax(xw) − onehot(y)) / 100, w [64, 10]
        var delta = new double[100, 10];
        for (int n = 0; n < 100; n++)
        {
            var z = Enumerable.Range(0, 10).Select(j => Enumerable.Range(0, 64).Sum(k => (double)r.X[n * 64 + k] * r.EntropyW[k * 10 + j])).ToArray();
            double max = z.Max(), total = z.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < 10; j++) delta[n, j] = Math.Exp(z[j] - max) / total - (r.Labels[n] == j ? 1 : 0);
        }
        c["entropy"] = MaxDiff(r.GradFirst.Select(v => (double)v), Enumerable.Range(0, 640).Select(i => Enumerable.Range(0, 100).Sum(n => r.X[n * 64 + i / 10] * delta[n, i % 10]) / 100));
        c["accumulation"] = MaxDiff(r.GradAccumulated.Select(v => (double)v), r.GradFirst.Zip(r.GradSecond, (a, b) => (double)a + b));
        c["minima"] = Minima.Count(m => r.Himmelblau.Any(h => Math.Abs(h.Minimum[0] - m[0]) < 1e-3 && Math.Abs(h.Minimum[1] - m[1]) < 1e-3 && h.F < 1e-6));
        return c;
    }

    public static bool Pass(Dictionary<string, double> c) =>
        c["sigmoid"] < 1e-6 && c["tanh"] < 1e-6 && c["relu"] == 0 && c["softmax"] < 1e-6 && c["jacobian"] < 1e-6
        && c["mse"] < 1e-3 && c["entropy"] < 1e-5 && c["accumulation"] < 1e-6 && c["minima"] == 4;
}

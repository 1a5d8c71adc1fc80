using System;
using System.IO;
using Samples.Diabetes;
using Samples.LinearRegression;
using Xunit;

namespace Kiln.Tests;

/// <summary>The samples train to their stated results (small sizes), checked against independent arithmetic.</summary>
public class SampleTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Linear_regression_follows_exact_gradient_descent_and_reaches_w2_b0(string device)
    {
        using var d = Device.Create(device);
        var result = LinearRegressionTraining.Train(d, epochs: 100);
        // the same 100 steps in float64: loss Σ(wx + b - y)², SGD lr 0.01
        double w = result.W0, b = result.B0;
        double[] x = [1, 2, 3], y = [2, 4, 6];
        for (int epoch = 0; epoch < 100; epoch++)
        {
            double gw = 0, gb = 0;
            for (int i = 0; i < 3; i++) { double e = w * x[i] + b - y[i]; gw += 2 * e * x[i]; gb += 2 * e; }
            w -= 0.01 * gw;
            b -= 0.01 * gb;
        }
        Assert.Equal(w, result.W, 3);
        Assert.Equal(b, result.B, 3);
        Assert.Equal(4 * w + b, result.Prediction, 3);
        Assert.InRange(result.W, 1.9, 2.1);
        Assert.InRange(result.B, -0.25, 0.25);
        Assert.InRange(result.Prediction, 7.8, 8.2);
    }

    [Fact]
    public void Diabetes_classifier_learns_with_batches_of_32()
    {
        using var d = Device.ManagedCpu();
        var data = DiabetesData.Load(Path.Combine(AppContext.BaseDirectory, "diabetes.csv"));
        Assert.Equal(759, data.Count);
        var result = DiabetesTraining.Train(d, data, epochs: 40);
        Assert.Equal(24, result.IterationsPerEpoch);
        Assert.True(result.LastEpochLoss < result.FirstEpochLoss - 0.1, $"loss {result.FirstEpochLoss} -> {result.LastEpochLoss}");
        Assert.True(result.Accuracy > result.MajorityRate + 0.1, $"accuracy {result.Accuracy} vs majority {result.MajorityRate}");
    }

    [Fact]
    public void The_shipped_csv_is_the_generated_one()
    {
        var shipped = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "diabetes.csv"));
        Assert.Equal(DiabetesData.Generate(), shipped);
    }

    [Fact]
    public void A_malformed_csv_names_the_line_and_column()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,1\n0.1,0.2,oops,0.4,0.5,0.6,0.7,0.8,0\n");
        var e = Assert.Throws<FormatException>(() => DiabetesData.Load(path));
        Assert.Contains(":2, column 3", e.Message);
        Assert.Contains("oops", e.Message);
        File.Delete(path);
    }
}

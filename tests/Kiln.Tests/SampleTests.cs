using System;
using System.IO;
using System.Linq;
using Samples.Diabetes;
using Samples.Autograd;
using Samples.Gan;
using Samples.LinearRegression;
using Samples.Tensors;
using Xunit;

namespace Kiln.Tests;

/// <summary>The samples train to their stated results (small sizes), checked against independent arithmetic.</summary>
public class SampleTests
{
    [Fact]
    public void The_tensor_tour_prints_what_seed_002_shows()
    {
        var lines = TensorTour.Run(seed: 3);
        string Value(string code) => lines.Single(l => l.Code.StartsWith(code, StringComparison.Ordinal)).Value;
        // the shapes the seed writes down (torch.size([4,3,28,28]) … [4,28,32,3]), as torch.Size prints them
        Assert.Equal("torch.Size([4, 3, 28, 28])", Value("images.Shape"));
        Assert.Equal("torch.Size([2, 3, 28, 28])", Value("images[..2].Shape"));
        Assert.Equal("torch.Size([2, 1, 28, 28])", Value("images[..2, ..1, .., ..].Shape"));
        Assert.Equal("torch.Size([2, 2, 28, 28])", Value("images[..2, 1.., .., ..].Shape"));
        Assert.Equal("torch.Size([2, 1, 28, 28])", Value("images[..2, ^1.., .., ..].Shape"));
        Assert.Equal("torch.Size([32])", Value("b.Squeeze().Shape"));
        Assert.Equal("torch.Size([32, 1, 1])", Value("b.Squeeze(0).Shape"));
        Assert.Equal("torch.Size([1, 32, 1])", Value("b.Squeeze(-1).Shape"));
        Assert.Equal("torch.Size([4, 32, 14, 14])", Value("b.Expand(4, 32, 14, 14).Shape"));
        Assert.Equal("torch.Size([4, 28, 32, 3])", Value("Rand(4, 3, 28, 32).Permute(0, 2, 3, 1).Shape"));
        Assert.Equal("torch.Size([4, 28, 32, 3])", Value("Rand(4, 3, 28, 32).Transpose(1, 3).Transpose(1, 2).Shape"));
        // what PyTorch prints for the deterministic ones (values by hand: 10^(-i/9), i·10/9)
        Assert.Equal("tensor([1.0000, 0.7743, 0.5995, 0.4642, 0.3594, 0.2783, 0.2154, 0.1668, 0.1292,\n        0.1000])", Value("Logspace(0, -1"));
        Assert.Equal("tensor([ 0.0000,  1.1111,  2.2222,  3.3333,  4.4444,  5.5556,  6.6667,  7.7778,\n         8.8889, 10.0000])", Value("Linspace(0, 10, steps: 10)"));
        Assert.Equal("tensor([0., 2., 4., 6., 8.])", Value("Arange(0f, 10f, 2f)"));
        Assert.Equal("True", Value("… .View(4, 28, 28, 3).Transpose(1, 3) equals images"));
        Assert.Equal("False", Value("t equals images"));
        // the masked selection holds exactly the printed elements ≥ 0.5, and a seed replays the whole tour
        Assert.DoesNotContain("-", Value("x.MaskedSelect(mask)"));
        Assert.Equal(lines, TensorTour.Run(seed: 3));
        Assert.NotEqual(Value("var r = Rand(3, 3);"), TensorTour.Run(seed: 4).Single(l => l.Code.StartsWith("var r = Rand", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void The_autograd_tour_checks_every_derivative_and_finds_the_four_minima()
    {
        using var device = Device.ManagedCpu();
        var r = AutogradTour.Run(device, gridPoints: 201);
        var checks = AutogradChecks.All(r);
        Assert.True(AutogradChecks.Pass(checks), string.Join(", ", checks.Select(kv => $"{kv.Key} {kv.Value:E2}")));
        // the shapes the seed prints: torch.autograd.grad(mse, [w])[0] is [64, 1], w.grad after cross_entropy is [64, 10]
        Assert.Equal(64, r.MseGradW.Length);
        Assert.Equal([64, 10], r.EntropyGradShape);
        Assert.Equal(1.0, r.Prob.Sum(), 5);
        Assert.All(r.Logits, v => Assert.InRange(v, 0f, 1f));   // torch.rand
        // accumulation without zero_grad, element by element
        for (int i = 0; i < 640; i++) Assert.Equal(r.GradFirst[i] + r.GradSecond[i], r.GradAccumulated[i], 5);
        Assert.All(r.Himmelblau, h => Assert.True(h.F < 1e-6, $"f = {h.F} at ({h.Minimum[0]}, {h.Minimum[1]})"));
        Assert.Equal(4, checks["minima"]);
    }

    [Fact]
    public void The_gan_learns_the_moments_of_its_data()
    {
        // the sample trains 5000 epochs; 3000 with the same seed is enough for the check (each epoch: one D and one G update on 500 samples)
        using var device = Device.ManagedCpu();
        var result = GanTraining.Train(device, epochs: 3000, seed: 1);
        Assert.Equal(3000, result.DLosses.Count);
        // the generated batch's moments, computed here: mean and std within 10% of N(4, 1.25²)'s, skew and excess kurtosis near 0
        var x = result.Generated.Select(v => (double)v).ToArray();
        double mean = x.Average(), std = Math.Sqrt(x.Average(v => (v - mean) * (v - mean)));
        double skew = x.Average(v => Math.Pow((v - mean) / std, 3)), kurtosis = x.Average(v => Math.Pow((v - mean) / std, 4)) - 3;
        Assert.InRange(mean, 3.6, 4.4);
        Assert.InRange(std, 1.125, 1.375);
        Assert.InRange(skew, -0.5, 0.5);
        Assert.InRange(kurtosis, -0.5, 0.5);
        Assert.True(GanTraining.Matches(result.FakeMoments));
        // at the end D cannot tell real from generated: its loss (real + fake BCE) is near 2 ln 2 ≈ 1.386
        Assert.InRange(result.DLosses.TakeLast(100).Average(), 1.2, 1.6);
    }

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

    /// <summary>
    /// The logistic model the data is documented to come from (DiabetesData: logit 0.6 + w·x plus noise). Its own
    /// predictions are the best any classifier can do on average: the yardstick the trained network is held to.
    /// </summary>
    private static readonly double[] GeneratingWeights = [1.6, -0.9, 2.2, 0.4, -1.3, 1.1, 0.7, -0.5];

    private static (double Accuracy, double Bce) GeneratingModel(DiabetesData data)
    {
        int correct = 0;
        double bce = 0;
        for (int i = 0; i < data.Count; i++)
        {
            double z = 0.6;
            for (int j = 0; j < 8; j++) z += GeneratingWeights[j] * data.X[i * 8 + j];
            double p = 1 / (1 + Math.Exp(-z)), y = data.Y[i];
            if ((z > 0) == (y == 1)) correct++;
            bce -= y * Math.Log(p) + (1 - y) * Math.Log(1 - p);
        }
        return (correct / (double)data.Count, bce / data.Count);
    }

    [Fact]
    public void Diabetes_classifier_learns_with_batches_of_32()
    {
        using var d = Device.ManagedCpu();
        var data = DiabetesData.Load(Path.Combine(AppContext.BaseDirectory, "diabetes.csv"));
        Assert.Equal(759, data.Count);
        var result = DiabetesTraining.Train(d, data, epochs: 40);
        Assert.Equal(24, result.IterationsPerEpoch);
        var (bayesAccuracy, bayesLoss) = GeneratingModel(data);
        // within a few points of the generating model itself, and far above always answering the majority class
        Assert.True(result.Accuracy >= bayesAccuracy - 0.04, $"accuracy {result.Accuracy:F3} vs the generating model's {bayesAccuracy:F3}");
        Assert.True(result.LastEpochLoss <= bayesLoss + 0.04, $"final epoch loss {result.LastEpochLoss:F4} vs the generating model's {bayesLoss:F4}");
        Assert.True(result.Accuracy > result.MajorityRate + 0.15, $"accuracy {result.Accuracy} vs majority {result.MajorityRate}");
    }

    [Fact]
    public void The_shipped_csv_follows_its_documented_generating_model()
    {
        var data = DiabetesData.Load(Path.Combine(AppContext.BaseDirectory, "diabetes.csv"));
        Assert.Equal(759, data.Count);
        Assert.All(data.X, v => Assert.InRange(v, -1f, 1f));
        Assert.All(data.Y, v => Assert.True(v is 0f or 1f, $"label {v}"));
        // labels drawn from σ(0.6 + w·x + noise): the noise-free logit's sign must agree with most of them, and
        // the positive rate must match the model's mean probability within sampling error (±3σ ≈ ±0.055)
        var (accuracy, _) = GeneratingModel(data);
        Assert.True(accuracy > 0.7, $"the documented model explains only {accuracy:F3} of the labels");
        double expectedRate = 0, rate = 0;
        for (int i = 0; i < data.Count; i++)
        {
            double z = 0.6;
            for (int j = 0; j < 8; j++) z += GeneratingWeights[j] * data.X[i * 8 + j];
            expectedRate += 1 / (1 + Math.Exp(-z)) / data.Count;
            rate += data.Y[i] / data.Count;
        }
        Assert.InRange(rate, expectedRate - 0.055, expectedRate + 0.055);
        // and the file is reproducible: the generator writes it again byte for byte
        Assert.Equal(DiabetesData.Generate(), File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "diabetes.csv")));
    }

    [Fact]
    public void A_malformed_csv_names_the_line_and_column()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,1\n0.1,0.2,oops,0.4,0.5,0.6,0.7,0.8,0\n");
        var e = Assert.Throws<InvalidDataException>(() => DiabetesData.Load(path));
        Assert.Contains(":2, column 3", e.Message);
        Assert.Contains("oops", e.Message);
        File.Delete(path);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Losses_sample_reproduces_every_published_value_of_seed_004(string device)
    {
        using var d = Device.Create(device);
        var examples = Samples.LossExamples.LossDemos.Run(d);
        Assert.Equal(17, examples.Count);
        Assert.All(examples, e => Assert.True(e.Matches, $"{e.Name}: [{string.Join(", ", e.Kiln)}] vs PyTorch [{string.Join(", ", e.PyTorch)}]"));
    }

    [Fact]
    public void Losses_sample_draws_smooth_l1_against_l1_as_a_png()
    {
        using var d = Device.ManagedCpu();
        var (x, smooth, l1) = Samples.LossExamples.LossDemos.Curve(d);
        for (int i = 0; i < x.Length; i++)
        {
            double a = Math.Abs(x[i]);
            Assert.Equal(a < 1 ? 0.5 * a * a : a - 0.5, smooth[i], 5);   // PyTorch's SmoothL1 with beta 1
            Assert.Equal(a, l1[i], 5);
        }
        var path = Path.Combine(Path.GetTempPath(), $"kiln-smoothl1-{Guid.NewGuid():N}.png");
        try
        {
            Samples.LossExamples.LossDemos.WriteCurve(d, path, 320, 200);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes.Take(8).ToArray());
            // IHDR: width and height, big-endian, right after the signature and the chunk's length and type
            Assert.Equal(320, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]);
            Assert.Equal(200, (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Diabetes_training_writes_tensorboard_scalars_curves_and_progress()
    {
        using var d = Device.ManagedCpu();
        var data = DiabetesData.Load(Path.Combine(AppContext.BaseDirectory, "diabetes.csv"));
        var dir = Path.Combine(Path.GetTempPath(), $"kiln-diabetes-{Guid.NewGuid():N}");
        try
        {
            var progress = new StringWriter();
            DiabetesResult result;
            string file;
            using (var board = new SummaryWriter(dir))
            {
                file = board.FilePath;
                result = DiabetesTraining.Train(d, data, epochs: 5, board: board, progress: progress);
            }
            Assert.Equal(5, result.EpochLosses.Count);
            Assert.Equal(result.LastEpochLoss, (float)result.EpochLosses[^1]);
            var events = Kiln.Tests.Support.EventFileReader.Read(file);
            var losses = events.Where(e => e.Values.Any(v => v.Tag == "loss/train")).ToList();
            Assert.Equal([0L, 1, 2, 3, 4], losses.Select(e => e.Step));
            Assert.Equal(result.EpochLosses.Select(v => (float)v), losses.Select(e => e.Values.Single().SimpleValue!.Value));
            Assert.Equal(5, events.Count(e => e.Values.Any(v => v.Tag == "accuracy/train")));
            Assert.Contains("training  5/5", progress.ToString());
            var png = Path.Combine(dir, "curves.png");
            Plots.Curves(png, new System.Collections.Generic.Dictionary<string, System.Collections.Generic.IReadOnlyList<double>> { ["loss"] = result.EpochLosses, ["accuracy"] = result.EpochAccuracies });
            Assert.True(new FileInfo(png).Length > 1000);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Seed_001_sweep_of_w_is_the_mse_of_y_equals_w_x_with_its_minimum_at_2()
    {
        using var d = Device.ManagedCpu();
        var (ws, mse) = LinearRegressionTraining.Sweep(d);
        Assert.Equal(41, ws.Length);
        for (int i = 0; i < ws.Length; i++)
        {
            double w = ws[i], expected = new[] { 1.0, 2, 3 }.Average(x => (w * x - 2 * x) * (w * x - 2 * x));   // mean of (w·x - y)²
            Assert.Equal(expected, mse[i], 4);
        }
        Assert.Equal(2.0, ws[Array.IndexOf(mse, mse.Min())]);
    }
}

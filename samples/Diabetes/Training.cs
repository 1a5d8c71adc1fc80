using System;
using System.Collections.Generic;
using System.Linq;
using Kiln;

namespace Samples.Diabetes;

/// <summary>The outcome of training, with the loss and accuracy of every epoch (the curves).</summary>
public sealed record DiabetesResult(float FirstEpochLoss, float LastEpochLoss, double Accuracy, double MajorityRate, int IterationsPerEpoch,
    IReadOnlyList<double> EpochLosses, IReadOnlyList<double> EpochAccuracies);

public static class DiabetesTraining
{
    /// <summary>
    /// Mini-batch SGD over shuffled batches of <paramref name="batchSize"/> from a DataLoader, written straight into the
    /// plans' inputs; the last, smaller batch uses a second plan compiled for its size (the batch dim "N" is symbolic,
    /// bound per plan).
    /// </summary>
    /// <param name="board">When given, the loss and accuracy of each epoch go to TensorBoard.</param>
    /// <param name="progress">When given, a progress bar over the epochs (with the latest loss) is drawn there.</param>
    public static DiabetesResult Train(Device device, DiabetesData data, int epochs, int batchSize = 32, float lr = 0.5f, int seed = 1, Action<string>? log = null,
        SummaryWriter? board = null, System.IO.TextWriter? progress = null)
    {
        var model = new DiabetesClassifier(device, seed);
        int full = data.Count / batchSize, rest = data.Count % batchSize;
        using var step = model.CompileLoss(n: batchSize);
        using var lastStep = rest > 0 ? model.CompileLoss(n: rest) : null;
        var opt = new Sgd(model.Parameters, lr);
        // torch.utils.data: a dataset of rows, a loader that shuffles them each epoch (seeded) and batches them
        var loader = new DataLoader(new TensorDataset(data.X, DiabetesData.Features, data.Y, targetSize: 1), batchSize, shuffle: true, seed: seed);
        float first = 0, last = 0;
        var losses = new List<double>(epochs);
        var accuracies = new List<double>(epochs);
        using var predict = model.CompilePredict(n: data.Count);
        var bar = progress is null ? null : Progress.Range(epochs, "training", progress);
        foreach (var epoch in (IEnumerable<int>?)bar ?? Enumerable.Range(0, epochs))
        {
            double total = 0;
            foreach (var plan in loader.Into(step, "x", "y", lastPlan: lastStep))
            {
                opt.ZeroGrad();
                float loss = plan.ForwardBackwardStaged();
                opt.Step();
                total += loss * (plan == step ? batchSize : rest);
            }
            float epochLoss = (float)(total / data.Count);
            if (epoch == 0) first = epochLoss;
            last = epochLoss;
            double epochAccuracy = Accuracy(predict.Run(data.X), data.Y);
            losses.Add(epochLoss);
            accuracies.Add(epochAccuracy);
            bar?.Report("loss", epochLoss);
            board?.AddScalar("loss/train", epochLoss, epoch);
            board?.AddScalar("accuracy/train", epochAccuracy, epoch);
            if (log is not null && (epoch % 10 == 0 || epoch == epochs - 1)) log($"epoch {epoch,3}  loss {epochLoss:F4}");
        }
        int positives = data.Y.Count(y => y == 1f);
        double majority = Math.Max(positives, data.Count - positives) / (double)data.Count;
        return new DiabetesResult(first, last, Accuracy(predict.Run(data.X), data.Y), majority, full + (rest > 0 ? 1 : 0), losses, accuracies);
    }

    private static double Accuracy(float[] p, float[] y) => Enumerable.Range(0, p.Length).Count(i => (p[i] >= 0.5f ? 1f : 0f) == y[i]) / (double)p.Length;
}

using System;

namespace Kiln;

/// <summary>
/// In-memory examples: a float feature row per example and either a float target row or an int class label
/// (torch.utils.data.TensorDataset with two tensors).
/// </summary>
public sealed class TensorDataset
{
    public TensorDataset(float[] features, int featureSize, float[] targets, int targetSize)
    {
        if (featureSize <= 0 || features.Length % featureSize != 0) throw new ArgumentException($"{features.Length} feature values do not make rows of {featureSize}.", nameof(features));
        Count = features.Length / featureSize;
        if (targetSize <= 0 || targets.Length != Count * targetSize) throw new ArgumentException($"{targets.Length} target values do not match {Count} examples of {targetSize}.", nameof(targets));
        (Features, FeatureSize, Targets, TargetSize) = (features, featureSize, targets, targetSize);
    }

    public TensorDataset(float[] features, int featureSize, int[] labels)
    {
        if (featureSize <= 0 || features.Length % featureSize != 0) throw new ArgumentException($"{features.Length} feature values do not make rows of {featureSize}.", nameof(features));
        Count = features.Length / featureSize;
        if (labels.Length != Count) throw new ArgumentException($"{labels.Length} labels for {Count} examples.", nameof(labels));
        (Features, FeatureSize, Labels, TargetSize) = (features, featureSize, labels, 1);
    }

    /// <summary>Number of examples (len(dataset)).</summary>
    public int Count { get; }
    public float[] Features { get; }
    public int FeatureSize { get; }
    /// <summary>Float targets (null when the dataset has class labels).</summary>
    public float[]? Targets { get; }
    /// <summary>Class labels (null when the dataset has float targets).</summary>
    public int[]? Labels { get; }
    public int TargetSize { get; }
}

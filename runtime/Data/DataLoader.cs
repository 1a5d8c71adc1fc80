using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln;

/// <summary>One mini-batch; its buffers are reused by the loader, so read it before moving to the next.</summary>
public sealed class Batch
{
    private readonly float[] _x, _y;
    private readonly int[] _labels;
    private readonly int _featureSize, _targetSize;

    internal Batch(int capacity, int featureSize, int targetSize, bool labels)
    {
        (_featureSize, _targetSize) = (featureSize, targetSize);
        _x = new float[capacity * featureSize];
        _y = labels ? [] : new float[capacity * targetSize];
        _labels = labels ? new int[capacity] : [];
    }

    /// <summary>Examples in this batch (the last one may be smaller unless drop_last).</summary>
    public int Size { get; internal set; }
    /// <summary>Position of this batch in the epoch.</summary>
    public int Index { get; internal set; }
    public ReadOnlySpan<float> Features => _x.AsSpan(0, Size * _featureSize);
    public ReadOnlySpan<float> Targets => _y.AsSpan(0, Math.Min(_y.Length, Size * _targetSize));
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, Math.Min(_labels.Length, Size));

    internal void Fill(TensorDataset data, int[] order, int first, int size, int index)
    {
        Size = size;
        Index = index;
        for (int r = 0; r < size; r++)
        {
            int src = order[first + r];
            Array.Copy(data.Features, src * _featureSize, _x, r * _featureSize, _featureSize);
            if (data.Labels is { } l) _labels[r] = l[src];
            else Array.Copy(data.Targets!, src * _targetSize, _y, r * _targetSize, _targetSize);
        }
    }
}

/// <summary>
/// torch.utils.data.DataLoader over a <see cref="TensorDataset"/>: batch size, shuffling with a seeded generator
/// (a new order every epoch), drop_last, and Count = batches per epoch (10,000 examples at batch 1,000: 10).
/// Batches are written into buffers allocated once; with <c>prefetch</c> a background task fills the next batch
/// while the current one trains.
/// </summary>
public sealed class DataLoader : IReadOnlyCollection<Batch>
{
    private readonly TensorDataset _data;
    private readonly SeededRandom? _rng;
    private readonly int[] _order;
    private readonly Batch[] _slots;

    public DataLoader(TensorDataset dataset, int batchSize, bool shuffle = false, int seed = 0, bool dropLast = false, bool prefetch = false)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch_size should be a positive integer value.");
        (_data, BatchSize, DropLast, Prefetch) = (dataset, batchSize, dropLast, prefetch);
        _rng = shuffle ? new SeededRandom((ulong)seed) : null;
        _order = new int[dataset.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        _slots = new Batch[prefetch ? 2 : 1];
        // a batch never holds more than the dataset: buffers are sized by what a batch can hold, not by the asked size
        int capacity = Math.Max(1, Math.Min(batchSize, dataset.Count));
        for (int i = 0; i < _slots.Length; i++) _slots[i] = new Batch(capacity, dataset.FeatureSize, dataset.TargetSize, dataset.Labels is not null);
    }

    public int BatchSize { get; }
    public bool DropLast { get; }
    public bool Prefetch { get; }

    /// <summary>Batches per epoch (len(loader)).</summary>
    public int Count => (int)(DropLast ? _data.Count / BatchSize : ((long)_data.Count + BatchSize - 1) / BatchSize);   // long: any positive batch size

    public IEnumerator<Batch> GetEnumerator()
    {
        if (_rng is { } rng)
            for (int i = _order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (_order[i], _order[j]) = (_order[j], _order[i]); }
        return Prefetch ? PrefetchingEpoch() : Epoch();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// An epoch written straight into plans' input memory (the plan's own input arrays on the managed path, page-locked
    /// staging on ILGPU devices): each full batch goes into <paramref name="plan"/>, a shorter last batch into
    /// <paramref name="lastPlan"/> (compiled for that size; required unless drop_last or the sizes divide). Yields the
    /// plan holding the batch: call its ForwardBackwardStaged(). Nothing is allocated per batch.
    /// </summary>
    public IEnumerable<Plan> Into(Plan plan, string features, string target, Plan? lastPlan = null)
    {
        // the names and kinds first: a misspelled input is the mistake to report, even where the last batch also lacks a plan
        CheckKinds(plan, features, target);
        int rest = _data.Count % BatchSize;
        if (!DropLast && rest != 0 && lastPlan is null)
            throw new ArgumentException($"The last batch has {rest} examples: pass a plan compiled for that size as lastPlan, or use drop_last.", nameof(lastPlan));
        if (lastPlan is not null) CheckKinds(lastPlan, features, target);
        if (_rng is { } rng)
            for (int i = _order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (_order[i], _order[j]) = (_order[j], _order[i]); }
        for (int b = 0; b < Count; b++)
        {
            int size = SizeOf(b);
            var target_ = size == BatchSize ? plan : lastPlan!;
            var x = target_.StagedInput(features);
            if (x.Length != size * _data.FeatureSize) throw new ArgumentException($"Input '{features}' of the plan holds {x.Length} values; a batch of {size} needs {size * _data.FeatureSize}.", nameof(plan));
            for (int r = 0; r < size; r++) _data.Features.AsSpan(_order[b * BatchSize + r] * _data.FeatureSize, _data.FeatureSize).CopyTo(x.Slice(r * _data.FeatureSize));
            if (_data.Labels is { } labels)
            {
                var t = target_.StagedTargets(target);
                for (int r = 0; r < size; r++) t[r] = labels[_order[b * BatchSize + r]];
            }
            else
            {
                var t = target_.StagedInput(target);
                for (int r = 0; r < size; r++) _data.Targets!.AsSpan(_order[b * BatchSize + r] * _data.TargetSize, _data.TargetSize).CopyTo(t.Slice(r * _data.TargetSize));
            }
            yield return target_;
        }
    }

    /// <summary>The plan's inputs take what the dataset holds: float features, and class indices or float targets.</summary>
    private void CheckKinds(Plan plan, string features, string target)
    {
        if (plan.HoldsIndices(features))
            throw new ArgumentException($"The plan's input '{features}' holds class indices, but the dataset's features are floats: name the plan's float input as the features.", nameof(features));
        bool labels = _data.Labels is not null;
        if (plan.HoldsIndices(target) != labels)
            throw new ArgumentException(labels
                ? $"The dataset's targets are class indices, but the plan's input '{target}' takes floats: name the plan's class-index input as the target, or make the TensorDataset with float targets."
                : $"The dataset's targets are floats, but the plan's input '{target}' holds class indices: make the TensorDataset with int labels (TensorDataset(features, featureSize, labels)).", nameof(target));
    }

    private int SizeOf(int b) => Math.Min(BatchSize, _data.Count - b * BatchSize);

    private IEnumerator<Batch> Epoch()
    {
        for (int b = 0; b < Count; b++)
        {
            _slots[0].Fill(_data, _order, b * BatchSize, SizeOf(b), b);
            yield return _slots[0];
        }
    }

    private IEnumerator<Batch> PrefetchingEpoch()
    {
        // two slots: the producer fills one while the consumer reads the other
        using var free = new SemaphoreSlim(2);
        using var ready = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        int count = Count;
        var producer = Task.Run(() =>
        {
            try
            {
                for (int b = 0; b < count; b++)
                {
                    free.Wait(stop.Token);
                    _slots[b % 2].Fill(_data, _order, b * BatchSize, SizeOf(b), b);
                    ready.Release();
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { failure = e; ready.Release(); }
        });
        try
        {
            for (int b = 0; b < count; b++)
            {
                ready.Wait();
                if (failure is not null) throw new InvalidOperationException("Filling a batch failed.", failure);
                yield return _slots[b % 2];
                free.Release();
            }
        }
        finally
        {
            stop.Cancel(); // an abandoned epoch: the producer stops at its next wait
            producer.Wait();
        }
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln;

/// <summary>
/// One mini-batch. Its values live in buffers the loader reuses: once the loader has moved on and written another batch
/// there (the next one; with prefetch, the one after), reading this one throws, rather than returning the other batch's
/// values. Keep a batch past that with <see cref="Copy"/> (or its spans' ToArray()), as list(loader) keeps them in PyTorch.
/// </summary>
public sealed class Batch
{
    private readonly BatchBuffer _buffer;
    private readonly int _generation;

    internal Batch(BatchBuffer buffer, int size, int index) => (_buffer, _generation, Size, Index) = (buffer, buffer.Generation, size, index);

    /// <summary>Examples in this batch (the last one may be smaller unless drop_last).</summary>
    public int Size { get; }
    /// <summary>Position of this batch in the epoch.</summary>
    public int Index { get; }
    public ReadOnlySpan<float> Features => Current.X.AsSpan(0, Size * _buffer.FeatureSize);
    public ReadOnlySpan<float> Targets => Current.Y.AsSpan(0, Math.Min(_buffer.Y.Length, Size * _buffer.TargetSize));
    public ReadOnlySpan<int> Labels => Current.Labels.AsSpan(0, Math.Min(_buffer.Labels.Length, Size));

    /// <summary>This batch with arrays of its own, valid after the loader has moved on.</summary>
    public Batch Copy()
    {
        var own = new BatchBuffer(Size, _buffer.FeatureSize, _buffer.TargetSize, _buffer.Labels.Length > 0);
        Features.CopyTo(own.X);
        Targets.CopyTo(own.Y);
        Labels.CopyTo(own.Labels);
        return new Batch(own, Size, Index);
    }

    private BatchBuffer Current => _buffer.Generation == _generation ? _buffer
        : throw new InvalidOperationException($"Batch {Index} of this epoch was overwritten by a later batch: the loader reuses its buffers. Read a batch before moving to the next, or keep it with batch.Copy().");
}

/// <summary>A batch's buffers, allocated once per loader slot; <see cref="Generation"/> counts the batches written into them.</summary>
internal sealed class BatchBuffer(int capacity, int featureSize, int targetSize, bool labels)
{
    public readonly float[] X = new float[capacity * featureSize], Y = labels ? [] : new float[capacity * targetSize];
    public readonly int[] Labels = labels ? new int[capacity] : [];
    public readonly int FeatureSize = featureSize, TargetSize = targetSize;
    private int _generation;
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Writes rows order[first..first + size) of <paramref name="data"/>; a batch read from these buffers before is stale from the start.</summary>
    public Batch Fill(TensorDataset data, int[] order, int first, int size, int index)
    {
        Interlocked.Increment(ref _generation);
        for (int r = 0; r < size; r++)
        {
            int src = order[first + r];
            Array.Copy(data.Features, src * FeatureSize, X, r * FeatureSize, FeatureSize);
            if (data.Labels is { } l) Labels[r] = l[src];
            else Array.Copy(data.Targets!, src * TargetSize, Y, r * TargetSize, TargetSize);
        }
        return new Batch(this, size, index);
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
    private SeededRandom? _rng;
    private readonly int _seed;
    private int _epoch;
    private readonly int[] _order;
    private readonly BatchBuffer[] _slots;

    public DataLoader(TensorDataset dataset, int batchSize, bool shuffle = false, int seed = 0, bool dropLast = false, bool prefetch = false)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch_size should be a positive integer value.");
        (_data, BatchSize, DropLast, Prefetch) = (dataset, batchSize, dropLast, prefetch);
        (_seed, _rng) = (seed, shuffle ? new SeededRandom((ulong)seed) : null);
        _order = new int[dataset.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        _slots = new BatchBuffer[prefetch ? 2 : 1];
        // a batch never holds more than the dataset: buffers are sized by what a batch can hold, not by the asked size
        int capacity = Math.Max(1, Math.Min(batchSize, dataset.Count));
        for (int i = 0; i < _slots.Length; i++) _slots[i] = new BatchBuffer(capacity, dataset.FeatureSize, dataset.TargetSize, dataset.Labels is not null);
    }

    public int BatchSize { get; }
    public bool DropLast { get; }
    public bool Prefetch { get; }

    /// <summary>
    /// Epochs started (each enumeration and each <see cref="Into"/> starts one, and with shuffle draws its order). Set it
    /// on a fresh loader made with the same dataset and seed to resume a run: the next epoch's order is then the one an
    /// uninterrupted run would draw (a checkpoint holds the model and optimizer; this is the data's part).
    /// </summary>
    public int Epoch
    {
        get => _epoch;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "Epoch counts the epochs started: it cannot be negative.");
            if (_rng is not null)
            {
                // the orders are drawn one after another from the seed: replay them
                (_rng, _epoch) = (new SeededRandom((ulong)_seed), 0);
                for (int i = 0; i < _order.Length; i++) _order[i] = i;
                while (_epoch < value) StartEpoch();
            }
            _epoch = value;
        }
    }

    /// <summary>Counts an epoch and, with shuffle, draws its order (each from the last, as torch's sampler does).</summary>
    private void StartEpoch()
    {
        _epoch++;
        if (_rng is { } rng)
            for (int i = _order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (_order[i], _order[j]) = (_order[j], _order[i]); }
    }

    /// <summary>Batches per epoch (len(loader)).</summary>
    public int Count => (int)(DropLast ? _data.Count / BatchSize : ((long)_data.Count + BatchSize - 1) / BatchSize);   // long: any positive batch size

    public IEnumerator<Batch> GetEnumerator()
    {
        StartEpoch();
        return Prefetch ? PrefetchingEpoch() : Batches();
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
        // everything is checked here, when Into is called, before any batch trains: the names and kinds first (a
        // misspelled input is the mistake to report, even where the last batch also lacks a plan), then each plan's sizes
        CheckKinds(plan, features, target);
        int rest = _data.Count % BatchSize;
        bool needsLast = !DropLast && rest != 0;
        if (needsLast && lastPlan is null)
            throw new ArgumentException($"The last batch has {rest} examples: pass a plan compiled for that size as lastPlan, or use drop_last.", nameof(lastPlan));
        if (_data.Count >= BatchSize) CheckSizes(plan, nameof(plan), BatchSize, features, target);
        if (needsLast) { CheckKinds(lastPlan!, features, target); CheckSizes(lastPlan!, nameof(lastPlan), rest, features, target); }
        return Batches(plan, features, target, lastPlan);
    }

    private IEnumerable<Plan> Batches(Plan plan, string features, string target, Plan? lastPlan)
    {
        StartEpoch();
        for (int b = 0; b < Count; b++)
        {
            int size = SizeOf(b);
            var target_ = size == BatchSize ? plan : lastPlan!;
            var x = target_.StagedInput(features);
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

    /// <summary>The plan's inputs hold a batch of <paramref name="rows"/> examples: the features and the target of each.</summary>
    private void CheckSizes(Plan plan, string parameter, int rows, string features, string target)
    {
        void Check(string input, int perExample, string what)
        {
            var shape = plan.InputShape(input);
            long length = shape.Aggregate(1L, (a, b) => a * b);
            if (length == (long)rows * perExample) return;
            long batch = shape.Length > 0 ? shape[0] : 1, each = batch == 0 ? 0 : length / batch;
            string why = each != perExample ? $"{each} {what} per example; the dataset has {perExample}" : $"a batch of {batch} examples, not {rows}";
            throw new ArgumentException($"Input '{input}' of {parameter} has shape [{string.Join(", ", shape)}]: {why}.", parameter);
        }
        Check(features, _data.FeatureSize, "features");
        Check(target, _data.Labels is null ? _data.TargetSize : 1, _data.Labels is null ? "target values" : "labels");
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

    private IEnumerator<Batch> Batches()
    {
        for (int b = 0; b < Count; b++) yield return _slots[0].Fill(_data, _order, b * BatchSize, SizeOf(b), b);
    }

    private IEnumerator<Batch> PrefetchingEpoch()
    {
        // two slots: the producer fills one while the consumer reads the other
        using var free = new SemaphoreSlim(2);
        using var ready = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        int count = Count;
        var batches = new Batch[2];   // each slot's batch, made by the producer as it fills the slot
        var producer = Task.Run(() =>
        {
            try
            {
                for (int b = 0; b < count; b++)
                {
                    free.Wait(stop.Token);
                    batches[b % 2] = _slots[b % 2].Fill(_data, _order, b * BatchSize, SizeOf(b), b);
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
                yield return batches[b % 2];
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

using System;
using System.Linq;
using System.Reflection;
using Kiln.Tests.Models;
using Samples.Diabetes;
using Xunit;

namespace Kiln.Tests;

/// <summary>Batches written straight into a plan's input memory train exactly as copied batches do.</summary>
public class StagedInputTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    public unsafe void Arena_slots_start_on_cache_lines(int n)
    {
        // the memory plan leaves room after every slot and the plan moves each start to a 64-byte boundary of its pinned
        // arena, so no vector load of a stored tensor straddles two lines. The slots are the plan's Bound fields T{id}
        // (the float input x is bound to the caller's array on the managed path: offset 0 of its own array)
        using var device = Device.ManagedCpu();
        var model = new DiabetesClassifier(device, seed: 1);
        using var step = model.CompileLoss(n);
        var arena = (float[])((DeviceBuffer<float>)typeof(Plan).GetProperty("Work", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(step)!).Host!;
        var bound = step.GetType().GetField("_d", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(step)!;
        var offsets = bound.GetType().GetFields().Where(f => f.Name.StartsWith('T')).Select(f => (int)f.GetValue(bound)!).Where(o => o > 0).ToList();
        Assert.True(offsets.Count >= 5, $"only {offsets.Count} work slots");
        fixed (float* start = arena)
            foreach (int offset in offsets)
                Assert.Equal(0, (long)(start + offset) % 64);
    }

    private static TensorDataset Classes(int n)
    {
        var rng = new SeededRandom(11);
        return new TensorDataset(Enumerable.Range(0, n * 20).Select(_ => rng.Uniform(-1, 1)).ToArray(), 20, Enumerable.Range(0, n).Select(_ => rng.NextInt(30)).ToArray());
    }

    [Fact]
    public void Into_says_when_the_dataset_and_the_plan_s_inputs_do_not_match()
    {
        using var d = Device.ManagedCpu();
        var model = new Wide(d, seed: 1);
        using var plan = model.CompileLoss(n: 8);
        // names swapped: the features would go into the class-index input
        var swapped = Assert.Throws<ArgumentException>(() => new DataLoader(Classes(16), 8).Into(plan, "t", "x").First());
        Assert.Contains("input 't' holds class indices, but the dataset's features are floats", swapped.Message);
        // float targets for a plan that takes class indices
        var floats = new TensorDataset(new float[16 * 20], 20, new float[16], 1);
        var kinds = Assert.Throws<ArgumentException>(() => new DataLoader(floats, 8).Into(plan, "x", "t").First());
        Assert.Contains("The dataset's targets are floats, but the plan's input 't' holds class indices", kinds.Message);
        // class indices for a plan that takes float targets
        var diabetes = new DiabetesClassifier(d, seed: 1);
        using var binary = diabetes.CompileLoss(n: 8);
        var labels = Assert.Throws<ArgumentException>(() => new DataLoader(new TensorDataset(new float[16 * 8], 8, new int[16]), 8).Into(binary, "x", "y").First());
        Assert.Contains("The dataset's targets are class indices, but the plan's input 'y' takes floats", labels.Message);
        // a misspelled name is the mistake reported, though the short last batch (20 = 2 × 8 + 4) has no plan either
        var misspelled = Assert.Throws<ArgumentException>(() => new DataLoader(Classes(20), 8).Into(plan, "inputs", "t").First());
        Assert.Contains("The plan has no input 'inputs'. Inputs: x, t.", misspelled.Message);
        // sizes are said per example, when Into is called, before any batch trains (a new user's features-per-row mismatch
        // read as a batch-size problem, and a last-batch plan of the wrong size surfaced after the epoch's full batches)
        var narrow = new TensorDataset(new float[16 * 5], 5, new int[16]);
        Assert.Contains("Input 'x' of plan has shape [8, 20]: 20 features per example; the dataset has 5.",
            Assert.Throws<ArgumentException>(() => new DataLoader(narrow, 8).Into(plan, "x", "t")).Message);
        using var seven = model.CompileLoss(n: 7);
        Assert.Contains("Input 'x' of lastPlan has shape [7, 20]: a batch of 7 examples, not 4.",
            Assert.Throws<ArgumentException>(() => new DataLoader(Classes(20), 8).Into(plan, "x", "t", lastPlan: seven)).Message);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Staged_batches_train_bit_identically_to_copied_ones(string device)
    {
        using var d = Device.Create(device);
        var data = Classes(23);
        var a = new Wide(d, seed: 1);
        using var a8 = a.CompileLoss(n: 8);
        using var a7 = a.CompileLoss(n: 7);
        var optA = new Sgd(a.Parameters, 0.1f, momentum: 0.9f);
        foreach (var batch in new DataLoader(data, 8, shuffle: true, seed: 5))
        {
            optA.ZeroGrad();
            (batch.Size == 8 ? a8 : a7).ForwardBackward(batch.Features, batch.Labels);
            optA.Step();
        }

        var b = new Wide(d, seed: 1);
        using var b8 = b.CompileLoss(n: 8);
        using var b7 = b.CompileLoss(n: 7);
        var optB = new Sgd(b.Parameters, 0.1f, momentum: 0.9f);
        foreach (var plan in new DataLoader(data, 8, shuffle: true, seed: 5).Into(b8, "x", "t", lastPlan: b7))
        {
            optB.ZeroGrad();
            plan.ForwardBackwardStaged();
            optB.Step();
        }
        Assert.Equal(a.Parameters.Parameters.ToArray(), b.Parameters.Parameters.ToArray());
    }

    [Fact]
    public void Float_targets_stage_too_and_the_managed_path_copies_nothing()
    {
        using var d = Device.ManagedCpu();
        var csv = DiabetesData.Load(System.IO.Path.Combine(AppContext.BaseDirectory, "diabetes.csv"));
        var data = new TensorDataset(csv.X, 8, csv.Y, 1);
        var model = new DiabetesClassifier(d, seed: 1);
        using var step = model.CompileLoss(n: 32);
        var opt = new Sgd(model.Parameters, 0.5f);
        var loader = new DataLoader(data, 32, shuffle: true, seed: 2, dropLast: true);
        foreach (var plan in loader.Into(step, "x", "y")) { opt.ZeroGrad(); plan.ForwardBackwardStaged(); opt.Step(); } // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        float last = 0;
        foreach (var plan in loader.Into(step, "x", "y")) { opt.ZeroGrad(); last = plan.ForwardBackwardStaged(); opt.Step(); }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"{allocated} bytes for an epoch of {loader.Count} staged steps");

        // the same two epochs through the copying path give the same loss and the same parameters, bit for bit
        var copied = new DiabetesClassifier(d, seed: 1);
        using var copiedStep = copied.CompileLoss(n: 32);
        var copiedOpt = new Sgd(copied.Parameters, 0.5f);
        var copiedLoader = new DataLoader(data, 32, shuffle: true, seed: 2, dropLast: true);
        float copiedLast = 0;
        for (int epoch = 0; epoch < 2; epoch++)
            foreach (var batch in copiedLoader) { copiedOpt.ZeroGrad(); copiedLast = copiedStep.ForwardBackward(batch.Features, batch.Targets); copiedOpt.Step(); }
        Assert.Equal(copiedLast, last);
        Assert.Equal(copied.Parameters.Parameters.ToArray(), model.Parameters.Parameters.ToArray());
    }

    [Fact]
    public void Staged_targets_are_validated_and_names_checked()
    {
        using var d = Device.ManagedCpu();
        var m = new Wide(d);
        using var step = m.CompileLoss(n: 2);
        step.StagedTargets("t")[0] = 30;
        Assert.Contains("'t'[0] = 30", Assert.Throws<ArgumentOutOfRangeException>(() => step.ForwardBackwardStaged()).Message);
        Assert.Contains("no input 'z'", Assert.Throws<ArgumentException>(() => step.StagedInput("z")).Message);
        Assert.Throws<ArgumentException>(() => step.StagedInput("t"));
        Assert.Throws<ArgumentException>(() => new DataLoader(Classes(5), 2).Into(step, "x", "t").ToList());
    }
}

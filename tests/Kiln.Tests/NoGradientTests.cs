using System;
using System.Linq;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// A parameter a plan's backward pass does not reach (Frozen in that plan, looked up behind Detach, read by no loss)
/// has no gradient, PyTorch's <c>grad is None</c>: optimizers skip it, so momentum, Adam's moments and weight decay do
/// not move it (a new user's frozen feature extractor drifted under one Adam over the whole model). Gradients written
/// without a backward pass still step, as before.
/// </summary>
public class NoGradientTests
{
    [Theory]
    [InlineData("cpu", "adam")]
    [InlineData("cpu", "adamw")]
    [InlineData("cpu", "sgd")]
    [InlineData("ilgpu-cpu", "adamw")]
    public void A_dense_optimizer_leaves_what_the_backward_pass_did_not_reach(string device, string kind)
    {
        using var d = Device.Create(device);
        var m = new FrozenLookup(d, seed: 4);
        using var full = m.CompileFull();
        using var frozen = m.CompileEmbFrozen();
        using var detached = m.CompileDetached();
        IOptimizer opt = kind switch
        {
            "adam" => new Adam(m.Parameters, new AdamOptions(0.1) { WeightDecay = 0.1 }),
            "adamw" => new AdamW(m.Parameters, new AdamOptions(0.1) { WeightDecay = 0.1 }),
            _ => new Sgd(m.Parameters, 0.1f, momentum: 0.9f, weightDecay: 0.1f),
        };
        float[] r = [1, -1, 0.5f, 2];
        var spare = m.Parameters.Get("spare");
        opt.ZeroGrad();
        full.ForwardBackward([0, 1], r);
        opt.Step();   // emb and table have momentum or moments now; spare has had no gradient, so weight decay skips it
        Assert.Equal(spare, m.Parameters.Get("spare"));
        foreach (var plan in new Plan[] { frozen, detached })
        {
            var emb = m.Parameters.Get("emb.weight");
            var table = m.Parameters.Get("table");
            opt.ZeroGrad();
            plan.Invoke([new[] { 0, 1 }, r], backward: true);
            opt.Step();
            Assert.Equal(emb, m.Parameters.Get("emb.weight"));   // PyTorch: grad None, skipped
            Assert.NotEqual(table, m.Parameters.Get("table"));
            Assert.Equal(spare, m.Parameters.Get("spare"));
        }
        // a gradient from a backward pass after the clear is there again: the next full step moves emb
        var before = m.Parameters.Get("emb.weight");
        opt.ZeroGrad();
        full.ForwardBackward([0, 1], r);
        opt.Step();
        Assert.NotEqual(before, m.Parameters.Get("emb.weight"));
    }

    [Fact]
    public void Gradients_written_without_a_backward_pass_still_step_and_a_group_without_any_takes_no_step()
    {
        using var d = Device.ManagedCpu();
        var m = new FrozenLookup(d, seed: 4);
        var opt = new Sgd(m.Parameters, new SgdOptions(0.5), m.Parameters.Under("spare"));
        opt.AddParamGroup(m.Parameters.Under("emb"), new SgdOptions(0.5));
        // written by hand (no plan went backward): stepped, as before
        m.Parameters.Gradients.CopyFrom(Enumerable.Repeat(1f, (int)m.Parameters.Count).ToArray());
        var spare = m.Parameters.Get("spare");
        opt.Step();
        Assert.Equal(spare.Select(v => v - 0.5f), m.Parameters.Get("spare"));
        Assert.Equal(1, opt.ParamGroups[0].Step);
        // a backward pass that reaches neither group's parameters: neither group steps (its step count stays)
        using var frozen = m.CompileEmbFrozen();
        opt.ZeroGrad();
        frozen.ForwardBackward([2, 3], [1, 1, 1, 1]);
        opt.Step();
        Assert.Equal(1, opt.ParamGroups[0].Step);
        Assert.Equal(1, opt.ParamGroups[1].Step);
        Assert.True(m.Parameters.HasNoGradient(m.Parameters.Layout.ToList().FindIndex(p => p.Name == "spare")));
    }
}

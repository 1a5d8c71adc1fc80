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

    /// <summary>
    /// PyTorch keeps each parameter's step: one skipped at a step (no gradient) keeps its count, and its next update's bias
    /// corrections (Adam) or momentum start (SGD, a buffer made from its first gradient) are its own. The reference here
    /// applies torch.optim.Adam's and SGD's documented updates in float64 to the gradients each backward pass left,
    /// counting steps per parameter.
    /// </summary>
    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void Each_parameter_counts_its_own_steps(string kind)
    {
        using var d = Device.ManagedCpu();
        var m = new FrozenLookup(d, seed: 4);
        using var full = m.CompileFull();
        using var frozen = m.CompileEmbFrozen();
        const double lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, momentum = 0.9, dampening = 0.5;
        IOptimizer opt = kind == "adam" ? new Adam(m.Parameters, new AdamOptions(lr)) : new Sgd(m.Parameters, new SgdOptions(lr) { Momentum = momentum, Dampening = dampening });
        var layout = m.Parameters.Layout;
        var theta = m.Parameters.Parameters.ToArray().Select(v => (double)v).ToArray();
        var m1 = new double[theta.Length];
        var m2 = new double[theta.Length];
        var steps = new int[layout.Count];
        float[] r = [1, -1, 0.5f, 2];
        int[][] ids = [[0, 1], [1, 4], [0, 4], [2, 1]];
        var plans = new Plan[] { frozen, full, frozen, full };   // emb first steps at the second (SGD makes its buffer then)
        for (int s = 0; s < plans.Length; s++)
        {
            opt.ZeroGrad();
            plans[s].Invoke([ids[s], r], backward: true);
            var g = m.Parameters.Gradients.ToArray();
            for (int p = 0; p < layout.Count; p++)
            {
                if (m.Parameters.HasNoGradient(p)) continue;
                int t = ++steps[p];
                for (int i = layout[p].Offset; i < layout[p].Offset + layout[p].Count; i++)
                {
                    if (kind == "adam")
                    {
                        m1[i] = beta1 * m1[i] + (1 - beta1) * g[i];
                        m2[i] = beta2 * m2[i] + (1 - beta2) * g[i] * g[i];
                        theta[i] -= lr * (m1[i] / (1 - Math.Pow(beta1, t))) / (Math.Sqrt(m2[i] / (1 - Math.Pow(beta2, t))) + eps);
                    }
                    else
                    {
                        m1[i] = t == 1 ? g[i] : momentum * m1[i] + (1 - dampening) * g[i];   // momentum_buffer: its first gradient, cloned
                        theta[i] -= lr * m1[i];
                    }
                }
            }
            opt.Step();
            var actual = m.Parameters.Parameters.ToArray();
            for (int i = 0; i < theta.Length; i++)
                Assert.True(Math.Abs(actual[i] - theta[i]) <= 1e-5 * (1 + Math.Abs(theta[i])), $"step {s + 1}, element {i}: {actual[i]} vs {theta[i]}");
        }
        var group = opt.Groups[0];
        Assert.Equal(2, group.StepOf("emb.weight"));
        Assert.Equal(4, group.StepOf("table"));
        Assert.Equal(0, group.StepOf("spare"));
    }

    [Fact]
    public void Parameters_that_stepped_apart_resume_apart()
    {
        // the state_dict (and a checkpoint file) holds each parameter's step where a group's differ
        using var d = Device.ManagedCpu();
        float[] r = [1, -1, 0.5f, 2];
        (FrozenLookup M, Adam Opt, Plan Full, Plan Frozen) Make()
        {
            var m = new FrozenLookup(d, seed: 4);
            return (m, new Adam(m.Parameters, new AdamOptions(0.1)), m.CompileFull(), m.CompileEmbFrozen());
        }
        void Train(Adam opt, Plan plan) { opt.ZeroGrad(); plan.Invoke([new[] { 0, 1 }, r], backward: true); opt.Step(); }
        var a = Make();
        Train(a.Opt, a.Full); Train(a.Opt, a.Frozen); Train(a.Opt, a.Frozen);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kiln-steps-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, a.M.Parameters, a.Opt);
            Assert.NotNull(a.Opt.StateDict().ParameterStates);
            var b = Make();
            Checkpoint.Load(path, b.M.Parameters, b.Opt);
            Assert.Equal(1, b.Opt.ParamGroups[0].StepOf("emb.weight"));
            Assert.Equal(3, b.Opt.ParamGroups[0].StepOf("table"));
            Train(a.Opt, a.Full); Train(b.Opt, b.Full);
            Assert.Equal(a.M.Parameters.Parameters.ToArray(), b.M.Parameters.Parameters.ToArray());
        }
        finally { System.IO.File.Delete(path); }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

public class SparseAdamTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Only_touched_rows_move_and_their_moments_follow_the_documented_rule(string device)
    {
        using var d = Device.Create(device);
        var model = new Table(d, seed: 3);
        using var loss = model.CompileLoss();
        var opt = new SparseAdam(model.Parameters, new AdamOptions(0.05));
        var p = model.Parameters.Get("e").Select(x => (double)x).ToArray();
        var initial = p.ToArray();
        var m = new double[24]; var v = new double[24];
        var rng = new SeededRandom(4);
        for (int t = 1; t <= 12; t++)
        {
            // a different pair of rows is touched each step
            var r = new float[24];
            foreach (int row in new[] { t % 6, (t * 5 + 1) % 6 })
                for (int c = 0; c < 4; c++) r[row * 4 + c] = rng.Uniform(0.5f, 1.5f);
            opt.ZeroGrad();
            loss.ForwardBackward(r);
            opt.Step();
            double stepSize = 0.05 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
            for (int row = 0; row < 6; row++)
            {
                if (Enumerable.Range(0, 4).All(c => r[row * 4 + c] == 0)) continue;
                for (int c = 0; c < 4; c++)
                {
                    int i = row * 4 + c;
                    double g = 2 * p[i] * r[i];
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    v[i] = 0.999 * v[i] + 0.001 * g * g;
                    p[i] -= stepSize * m[i] / (Math.Sqrt(v[i]) + 1e-8);
                }
            }
        }
        var actual = model.Parameters.Get("e");
        for (int i = 0; i < 24; i++) Assert.True(Math.Abs(actual[i] - p[i]) < 1e-4 * (1 + Math.Abs(p[i])), $"e[{i}]: {actual[i]} vs float64 {p[i]}");
        Assert.Contains(Enumerable.Range(0, 24), i => p[i] != initial[i]);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Rows_longer_than_a_vector_update_their_vector_part_and_their_tail(string device)
    {
        // rows of 13: one 8-lane vector and a 5-element tail. Each step touches a row in its vector part only, a row in
        // its tail only, a whole row; a row whose gradient is -0 and +0 stays untouched, as does a row of zeros.
        using var d = Device.Create(device);
        var model = new WideTable(d, seed: 5);
        using var loss = model.CompileLoss();
        var opt = new SparseAdam(model.Parameters, new AdamOptions(0.05));
        var p = model.Parameters.Get("e").Select(x => (double)x).ToArray();
        var initial = p.ToArray();
        var m = new double[65]; var v = new double[65];
        var rng = new SeededRandom(6);
        for (int t = 1; t <= 9; t++)
        {
            var r = new float[65];
            int vectorOnly = t % 5, tailOnly = (t + 1) % 5, whole = (t + 2) % 5, signedZero = (t + 3) % 5;
            r[vectorOnly * 13 + t % 8] = rng.Uniform(0.5f, 1.5f);
            r[tailOnly * 13 + 8 + t % 5] = rng.Uniform(0.5f, 1.5f);
            for (int c = 0; c < 13; c++) r[whole * 13 + c] = rng.Uniform(-1.5f, 1.5f);
            for (int c = 0; c < 13; c++) r[signedZero * 13 + c] = -0f;   // 2·e·(-0): a signed zero either way
            opt.ZeroGrad();
            loss.ForwardBackward(r);
            opt.Step();
            double stepSize = 0.05 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
            foreach (int row in new[] { vectorOnly, tailOnly, whole })
                for (int c = 0; c < 13; c++)
                {
                    int i = row * 13 + c;
                    double g = 2 * p[i] * r[i];
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    v[i] = 0.999 * v[i] + 0.001 * g * g;
                    p[i] -= stepSize * m[i] / (Math.Sqrt(v[i]) + 1e-8);
                }
        }
        var actual = model.Parameters.Get("e");
        for (int i = 0; i < 65; i++) Assert.True(Math.Abs(actual[i] - p[i]) < 1e-4 * (1 + Math.Abs(p[i])), $"e[{i}]: {actual[i]} vs float64 {p[i]}");
        // every element of every row moved: each row was touched on some step, its untouched elements by their moments
        Assert.All(Enumerable.Range(0, 65), i => Assert.NotEqual(initial[i], (double)actual[i]));
    }

    [Fact]
    public void The_vector_rows_give_the_bits_of_the_scalar_kernel()
    {
        // the ILGPU kernel updates element by element with the scalar form: the managed path's 8-lane rows must match it
        // bit for bit, rows of 13 (a vector and a tail), six steps of touched and untouched rows
        float[] Train(string device)
        {
            using var d = Device.Create(device);
            var model = new WideTable(d, seed: 9);
            using var loss = model.CompileLoss();
            var opt = new SparseAdam(model.Parameters, new AdamOptions(0.03));
            var rng = new SeededRandom(10);
            for (int t = 0; t < 6; t++)
            {
                var r = Enumerable.Range(0, 65).Select(i => (i / 13 + t) % 3 == 0 ? 0f : rng.Uniform(-1.5f, 1.5f)).ToArray();
                opt.ZeroGrad();
                loss.ForwardBackward(r);
                opt.Step();
            }
            return model.Parameters.Get("e");
        }
        Assert.Equal(Train("ilgpu-cpu"), Train("cpu"));
    }

    [Fact]
    public void Weight_decay_and_amsgrad_are_rejected_as_in_pytorch()
    {
        using var d = Device.ManagedCpu();
        var model = new Table(d);
        Assert.Throws<ArgumentException>(() => new SparseAdam(model.Parameters, new AdamOptions { WeightDecay = 0.1 }));
        Assert.Throws<ArgumentException>(() => new SparseAdam(model.Parameters, new AdamOptions { Amsgrad = true }));
    }
}

public class OptimizerResumeAndDefaultTests
{
    [Fact]
    public void SparseAdam_resumes_bit_identically()
    {
        using var d = Device.ManagedCpu();
        var rng = new SeededRandom(4);
        var rs = Enumerable.Range(0, 8).Select(t => Enumerable.Range(0, 24).Select(i => i / 4 == t % 6 ? rng.Uniform(0.5f, 1.5f) : 0f).ToArray()).ToArray();
        var a = new Table(d, seed: 3);
        using var la = a.CompileLoss();
        var oa = new SparseAdam(a.Parameters, new AdamOptions(0.05));
        for (int t = 0; t < 4; t++) { oa.ZeroGrad(); la.ForwardBackward(rs[t]); oa.Step(); }
        var saved = oa.StateDict();
        var p = a.Parameters.Get("e");
        for (int t = 4; t < 8; t++) { oa.ZeroGrad(); la.ForwardBackward(rs[t]); oa.Step(); }

        var b = new Table(d, seed: 9);
        using var lb = b.CompileLoss();
        var ob = new SparseAdam(b.Parameters);
        b.Parameters.Set("e", p);
        ob.LoadStateDict(saved);
        for (int t = 4; t < 8; t++) { ob.ZeroGrad(); lb.ForwardBackward(rs[t]); ob.Step(); }
        Assert.Equal(a.Parameters.Get("e"), b.Parameters.Get("e"));
    }

    [Fact]
    public void Lbfgs_resumes_bit_identically()
    {
        using var d = Device.ManagedCpu();
        var (x, y) = Problems.LeastSquares();
        var a = new LeastSquares(d, seed: 2);
        using var la = a.CompileLoss();
        var oa = new Lbfgs(a.Parameters, new LbfgsOptions(0.05) { MaxIter = 3 });
        float Closure(Lbfgs o, LeastSquares.LossPlan l) { o.ZeroGrad(); return l.ForwardBackward(x, y); }
        oa.Step(() => Closure(oa, la));
        var saved = oa.StateDict();
        var w = a.Parameters.Get("w");
        oa.Step(() => Closure(oa, la));

        var b = new LeastSquares(d, seed: 8);
        using var lb = b.CompileLoss();
        var ob = new Lbfgs(b.Parameters, new LbfgsOptions(0.05) { MaxIter = 3 });
        b.Parameters.Set("w", w);
        ob.LoadStateDict(saved);
        ob.Step(() => Closure(ob, lb));
        Assert.Equal(a.Parameters.Get("w"), b.Parameters.Get("w"));
    }

    [Fact]
    public void Defaults_are_pytorchs()
    {
        // from the signatures in torch.optim's documentation
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.0, false), (new AdamOptions().Lr, new AdamOptions().Beta1, new AdamOptions().Beta2, new AdamOptions().Eps, new AdamOptions().WeightDecay, new AdamOptions().Amsgrad));
        using var d = Device.ManagedCpu();
        Assert.Equal(1e-2, new AdamW(new Table(d).Parameters).Defaults.WeightDecay);
        Assert.Equal((1e-2, 0.0, 0.0, 1e-10), (new AdagradOptions().Lr, new AdagradOptions().LrDecay, new AdagradOptions().InitialAccumulatorValue, new AdagradOptions().Eps));
        Assert.Equal((1e-2, 0.99, 1e-8, 0.0, false), (new RmsPropOptions().Lr, new RmsPropOptions().Alpha, new RmsPropOptions().Eps, new RmsPropOptions().Momentum, new RmsPropOptions().Centered));
        Assert.Equal((1.0, 0.9, 1e-6), (new AdadeltaOptions().Lr, new AdadeltaOptions().Rho, new AdadeltaOptions().Eps));
        Assert.Equal((2e-3, 0.9, 0.999, 1e-8), (new AdamaxOptions().Lr, new AdamaxOptions().Beta1, new AdamaxOptions().Beta2, new AdamaxOptions().Eps));
        Assert.Equal((2e-3, 4e-3), (new NAdamOptions().Lr, new NAdamOptions().MomentumDecay));
        Assert.Equal(1e-3, new RAdamOptions().Lr);
        Assert.Equal((1e-2, 1e-4, 0.75, 1e6), (new AsgdOptions().Lr, new AsgdOptions().Lambd, new AsgdOptions().Alpha, new AsgdOptions().T0));
        Assert.Equal((1e-2, 0.5, 1.2, 1e-6, 50.0), (new RpropOptions().Lr, new RpropOptions().EtaMinus, new RpropOptions().EtaPlus, new RpropOptions().StepSizeMin, new RpropOptions().StepSizeMax));
        Assert.Equal((1.0, 20, 1e-7, 1e-9, 100), (new LbfgsOptions().Lr, new LbfgsOptions().MaxIter, new LbfgsOptions().ToleranceGrad, new LbfgsOptions().ToleranceChange, new LbfgsOptions().HistorySize));
    }
}

public class SparseAdamGroupTests
{
    [Fact]
    public void Groups_step_with_their_own_learning_rates()
    {
        using var d = Device.ManagedCpu();
        var model = new Himmelblau(d);
        model.Parameters.Set("x", [1f]);
        model.Parameters.Set("y", [1f]);
        using var loss = model.CompileLoss();
        var opt = new SparseAdam(model.Parameters, new AdamOptions(0.1), ["x"]);
        opt.AddParamGroup(["y"], new AdamOptions(0.01));
        Assert.Throws<ArgumentException>(() => opt.AddParamGroup(["x"], new AdamOptions()));
        opt.ZeroGrad();
        loss.ForwardBackward();
        float gx = model.Parameters.Grad("x")[0], gy = model.Parameters.Grad("y")[0];
        opt.Step();
        // Adam's first step moves a parameter by lr·g/(|g| + eps·√1000) ≈ lr·sign(g): each group with its own lr
        Assert.Equal(1 - 0.1 * Math.Sign(gx), model.Parameters.Get("x")[0], 4);
        Assert.Equal(1 - 0.01 * Math.Sign(gy), model.Parameters.Get("y")[0], 4);
    }
}

public class SparseAdamEmbeddingTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Rows_looked_up_are_updated_even_where_their_gradient_is_zero(string device)
    {
        // step 1 gives row 4 a non-zero gradient, so moments; step 2 looks row 4 up again with r = 0 there: its gradient
        // is exactly 0, but it is part of the batch's sparse gradient, so (as PyTorch) its m decays and its value moves.
        // Inferring touched rows from non-zero gradients would leave it still. Row 5 is never read and never moves.
        using var d = Device.Create(device);
        var m = new EmbeddingTable(d, seed: 2);
        using var plan = m.CompileLoss();
        var opt = new SparseAdam(m.Parameters, new AdamOptions(0.1));
        var initial = m.Parameters.Get("table");
        opt.ZeroGrad();
        plan.ForwardBackward([4, 1, 1, 0], [1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        opt.Step();
        var afterFirst = m.Parameters.Get("table");
        opt.ZeroGrad();
        plan.ForwardBackward([4, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        Assert.All(m.Parameters.Grad("table").AsSpan(12, 3).ToArray(), x => Assert.Equal(0f, x));
        opt.Step();
        var afterSecond = m.Parameters.Get("table");
        Assert.NotEqual(afterFirst.AsSpan(12, 3).ToArray(), afterSecond.AsSpan(12, 3).ToArray());
        Assert.Equal(initial.AsSpan(15, 3).ToArray(), afterSecond.AsSpan(15, 3).ToArray());
    }

    /// <summary>docs/training.md gives SparseAdam <c>Parameters.Under("emb")</c>: for a [Param] table that is the
    /// parameter's own name (it threw "no submodule 'emb'"); a submodule's name still gives its parameters.</summary>
    [Fact]
    public void Under_takes_a_parameters_own_name_as_well_as_a_submodules()
    {
        using var d = Device.ManagedCpu();
        var m = new EmbeddingTable(d, seed: 2);
        Assert.Equal(["table"], m.Parameters.Under("table"));
        var opt = new SparseAdam(m.Parameters, new AdamOptions(0.1), m.Parameters.Under("table"));
        Assert.Equal(["table"], opt.ParamGroups[0].Names);
        Assert.Contains("no submodule or parameter 'tab'", Assert.Throws<KeyNotFoundException>(() => m.Parameters.Under("tab")).Message);
        // one name twice in a group (it was stepped twice; across groups it was already an error)
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => new Sgd(m.Parameters, new SgdOptions(0.1), ["table", "table"])).Message);
        var shared = new SharedWeights(d);
        Assert.Equal(["p.weight", "p.bias"], shared.Parameters.Under("p"));
        Assert.Equal(["c"], shared.Parameters.Under("c"));
        // the shortcut takes the names too (it could not)
        Assert.Equal(["p.weight", "p.bias"], new Sgd(shared.Parameters, 0.1f, momentum: 0.9f, names: shared.Parameters.Under("p")).ParamGroups[0].Names);
    }

    /// <summary>A table the plan does not differentiate (Frozen, or looked up behind Detach) has no gradient, as PyTorch's
    /// grad None: SparseAdam leaves its rows, moments or not (the plans marked them and SparseAdam moved them by their
    /// moments, found by a new user); the other table's rows move.</summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void A_frozen_or_detached_table_s_rows_stay_put(string device)
    {
        using var d = Device.Create(device);
        var m = new FrozenLookup(d, seed: 4);
        using var full = m.CompileFull();
        using var frozen = m.CompileEmbFrozen();
        using var detached = m.CompileDetached();
        var opt = new SparseAdam(m.Parameters, new AdamOptions(0.1), m.Parameters.Under("emb"));
        opt.AddParamGroup(m.Parameters.Under("table"), new AdamOptions(0.1));
        float[] r = [1, -1, 0.5f, 2];
        opt.ZeroGrad();
        full.ForwardBackward([0, 1], r);
        full.ForwardBackward([2, 3], r);
        opt.Step();   // every row looked up has moments now
        foreach (var (plan, ids) in new (Plan Plan, int[] Ids)[] { (frozen, [0, 1]), (detached, [2, 3]) })
        {
            var emb = m.Parameters.Get("emb.weight");
            var table = m.Parameters.Get("table");
            opt.ZeroGrad();
            plan.Invoke([ids, r], backward: true);
            opt.Step();
            Assert.Equal(emb, m.Parameters.Get("emb.weight"));
            var moved = m.Parameters.Get("table");
            for (int row = 0; row < 6; row++)
                Assert.Equal(ids.Contains(row), !table.AsSpan(row * 2, 2).SequenceEqual(moved.AsSpan(row * 2, 2)));
        }
    }

    [Fact]
    public void Zero_grad_forgets_the_rows_a_batch_looked_up()
    {
        using var d = Device.ManagedCpu();
        var m = new EmbeddingTable(d, seed: 2);
        using var plan = m.CompileLoss();
        var opt = new SparseAdam(m.Parameters, new AdamOptions(0.1));
        plan.ForwardBackward([0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        opt.ZeroGrad();
        var before = m.Parameters.Get("table");
        opt.Step();   // nothing looked up since zero_grad and all gradients 0: nothing moves
        Assert.Equal(before, m.Parameters.Get("table"));
    }
}

/// <summary>Σ e²·r over rows of 13, longer than one 8-lane vector (SparseAdam's vector loop and its tail).</summary>
[Model]
public partial class WideTable
{
    [Param(5, 13)] Tensor e;

    [Loss] public Tensor Loss([Shape(5, 13)] Tensor r) => (e * e * r).Sum();
}

using System;
using System.Linq;
using Kiln.Tests.Ctc;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// A new user's trial of the losses (trial 22): gradients at a hinge's corner as PyTorch's clamp_min gives them; run-time
/// CTC lengths checked as lengths, concatenated targets' lengths adding up; the eager losses refusing the options a
/// compiled model refuses at build time. Expected values from PyTorch's formulas (and libtorch 2.10's outputs the trial
/// recorded), worked by hand.
/// </summary>
public class LossArgumentTests
{
    /// <summary>margin_ranking_loss = mean(clamp_min(-y·(a - b) + margin, 0)): with a = b and margin 0 every element sits at
    /// the corner, and clamp_min's gradient (1 where x ≥ 0) gives ∂/∂a = -y/N: libtorch [-0.25, 0.25, -0.25, 0.25]. Relu's
    /// (0 at 0) left equal scores unable to start learning.</summary>
    [Fact]
    public void Margin_ranking_passes_the_gradient_at_the_margin()
    {
        using var device = Device.ManagedCpu();
        using var plan = new MarginHinges(device).CompileRanking();
        float loss = plan.ForwardBackward([1, 2, 3, 4], [1, 2, 3, 4], [1, -1, 1, -1]);
        Assert.Equal(0f, loss);
        Assert.Equal([-0.25f, 0.25f, -0.25f, 0.25f], plan.InputGrad("a"));
        Assert.Equal([0.25f, -0.25f, 0.25f, -0.25f], plan.InputGrad("b"));
    }

    /// <summary>cosine_embedding_loss for y = -1 is clamp_min(cos - margin, 0): a = [1, 0], b = [0, 1] is cos 0 = margin, and
    /// ∂cos/∂a = b/(|a||b|) - cos·a/|a|² = [0, 1], over N = 3 rows: [0, 1/3] per row (libtorch's value).</summary>
    [Fact]
    public void Cosine_embedding_passes_the_gradient_at_the_margin()
    {
        using var device = Device.ManagedCpu();
        using var plan = new MarginHinges(device).CompileCosine();
        plan.ForwardBackward([1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1], [-1, -1, -1]);
        var g = plan.InputGrad("a");
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal(0f, g[2 * r], 6);
            Assert.Equal(1f / 3, g[2 * r + 1], 6);
        }
    }

    /// <summary>triplet_margin_loss = clamp_min(d(a, p) - d(a, n) + margin, 0) with d the 2-norm of a - x + eps (1e-6): a = 0,
    /// p = [-1, 0] at distance 1, n = [2, 0] at distance 2, so d(a, p) - d(a, n) + 1 = 0; the gradient passes:
    /// ∂/∂a = (a - p + ε)/d(a, p) - (a - n + ε)/d(a, n), [2, 0] to rounding.</summary>
    [Fact]
    public void Triplet_margin_passes_the_gradient_at_the_margin()
    {
        using var device = Device.ManagedCpu();
        using var plan = new MarginHinges(device).CompileTriplet();
        float[] a = [0, 0], p = [-1, 0], n = [2, 0];
        plan.ForwardBackward(a, p, n);
        double eps = 1e-6;
        double[] dp = [a[0] - p[0] + eps, a[1] - p[1] + eps], dn = [a[0] - n[0] + eps, a[1] - n[1] + eps];
        double np = Math.Sqrt(dp[0] * dp[0] + dp[1] * dp[1]), nn = Math.Sqrt(dn[0] * dn[0] + dn[1] * dn[1]);
        var g = plan.InputGrad("a");
        for (int i = 0; i < 2; i++) Assert.Equal(dp[i] / np - dn[i] / nn, g[i], 5);
        Assert.Equal(2, g[0], 5);   // 1 + 1: both distances' unit gradients, not 0
    }

    /// <summary>Concatenated CTC targets: the lengths must add up to the targets' count (PyTorch raises); more read past the
    /// targets as blanks, fewer ignored labels. An input length above T was reported as an index of a dim of T + 1.</summary>
    [Theory]
    [InlineData("managed")]
    [InlineData("ilgpu-cpu")]
    public void Ctc_lengths_are_checked_as_lengths(string device)
    {
        using var d = Device.Create(device);
        var m = new CtcSmall(d, seed: 5);
        using var plan = m.CompileConcatenated();
        var more = Assert.Throws<ArgumentException>(() => plan.ForwardBackward([1, 0, 1], [4, 4], [2, 2]));
        Assert.Contains("'targetLengths' add up to 4, but 'targets' holds 3 targets", more.Message);
        var fewer = Assert.Throws<ArgumentException>(() => plan.ForwardBackward([1, 0, 1], [4, 4], [1, 1]));
        Assert.Contains("add up to 2", fewer.Message);
        var longInput = Assert.Throws<ArgumentOutOfRangeException>(() => plan.ForwardBackward([1, 0, 1], [5, 4], [2, 1]));
        Assert.Contains("Length 'inputLengths'[0] = 5 is out of range: lengths must be in [0, 4]", longInput.Message);
        Assert.True(float.IsFinite(plan.ForwardBackward([1, 0, 1], [4, 4], [2, 1])));

        // the same mistakes eagerly
        var lp = Tensor.From(new float[4 * 2 * 3]).Reshape(4, 2, 3);
        var eager = Assert.Throws<ArgumentException>(() => Losses.CtcLoss(lp, IntTensor.From([1, 0, 1]), IntTensor.From([4, 4]), IntTensor.From([2, 2]), blank: 2));
        Assert.Contains("add up to 4", eager.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CtcLoss(lp, IntTensor.From([1, 0, 1]), IntTensor.From([5, 4]), IntTensor.From([2, 1]), blank: 2));
        Assert.Contains("blank = 3 for 3 classes", Assert.Throws<ArgumentException>(() => Losses.CtcLoss(lp, IntTensor.From([1, 0, 1]), IntTensor.From([4, 4]), IntTensor.From([2, 1]), blank: 3)).Message);
    }

    /// <summary>The eager losses refuse what a compiled model refuses at build time (KLN0018 / KLN0006), with PyTorch's
    /// reasons: label smoothing outside [0, 1], SmoothL1's β &lt; 0, Huber's δ ≤ 0, a MultiMargin weight not one per class,
    /// a pos_weight that does not broadcast (named, not "tensor a"), a Reduction that names no member.</summary>
    [Fact]
    public void Eager_losses_refuse_what_a_compiled_model_refuses()
    {
        var x = Tensor.From([1f, 2f, 0.5f, 0f, 0f, 0f]).Reshape(2, 3);
        var t = IntTensor.From([1, 2]);
        Assert.Contains("labelSmoothing = 1.5", Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, t, labelSmoothing: 1.5f)).Message);
        Assert.Contains("labelSmoothing = -0.5", Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(x, t, labelSmoothing: -0.5f)).Message);
        Assert.Contains("beta = -1", Assert.Throws<ArgumentException>(() => Losses.SmoothL1Loss(x, x * 0f, beta: -1f)).Message);
        Assert.Contains("delta = 0", Assert.Throws<ArgumentException>(() => Losses.HuberLoss(x, x * 0f, delta: 0f)).Message);
        Assert.Contains("weight shape [2] must be (3)", Assert.Throws<ArgumentException>(() => Losses.MultiMarginLoss(x, t, weight: Tensor.From([1f, 1f]))).Message);
        var pw = Assert.Throws<ArgumentException>(() => Losses.BinaryCrossEntropyWithLogits(x, x * 0f, posWeight: Tensor.From([1f, 1f, 1f, 1f])));
        Assert.Equal("posWeight", pw.ParamName);
        Assert.Contains("(Reduction)7 is not one of", Assert.Throws<ArgumentException>(() => Losses.MseLoss(x, x, (Reduction)7)).Message);
        Assert.Contains("Reduction.BatchMean applies to KlDiv only", Assert.Throws<ArgumentException>(() => Losses.MseLoss(x, x, Reduction.BatchMean)).Message);
        // what stays allowed: smoothing at the ends, β = 0 (L1)
        Assert.True(float.IsFinite(Losses.CrossEntropy(x, t, labelSmoothing: 1f).Item()));
        Assert.Equal(Losses.L1Loss(x, x * 0f).Item(), Losses.SmoothL1Loss(x, x * 0f, beta: 0f).Item());
    }

    /// <summary>Trial 23 (porting seed 001): l.backward() on a loss of shape [1] is PyTorch's, and was KLN0005 here. A loss
    /// of one element now compiles as its 0-d view: the value and w's gradient are Σ x·w and x.</summary>
    [Fact]
    public void A_loss_of_one_element_is_a_scalar()
    {
        using var device = Device.ManagedCpu();
        var m = new OneElementLoss(device, seed: 1);
        var w = m.Parameters.Get("w");
        using var plan = m.CompileLoss();
        float loss = plan.ForwardBackward([1f, 2f, 3f]);
        Assert.Equal(w[0] * 1f + w[1] * 2f + w[2] * 3f, loss, 5);
        Assert.Equal([1f, 2f, 3f], m.Parameters.Gradient("w").ToArray());
    }

    /// <summary>Trial 23: expand(-1, 32, -1, -4) is an error in torch; eagerly it made a tensor of -128 elements. And
    /// x.long() for CrossEntropy's targets, truncating toward zero; NaN is refused.</summary>
    [Fact]
    public void Eager_expand_refuses_negative_sizes_and_long_truncates()
    {
        var b = Tensor.From(new float[32]).Reshape(1, 32, 1, 1);
        var e = Assert.Throws<ArgumentException>(() => b.Expand(-1, 32, -1, -4));
        Assert.Contains("size -4 of dim 3 is negative", e.Message);
        Assert.Equal([1, 32, 1, 4], b.Expand(-1, 32, -1, 4).Shape.ToArray());
        Assert.Equal([2, -1, 0, 8], Tensor.From([2.9f, -1.5f, -0.5f, 8f]).Long().ToArray());
        Assert.Throws<ArgumentException>(() => Tensor.From([1f, float.NaN]).Long());
    }

    private static double[] LogSoftmax(double[] x)
    {
        double max = x.Max(), sum = x.Sum(v => Math.Exp(v - max));
        return x.Select(v => v - max - Math.Log(sum)).ToArray();
    }

    /// <summary>A second accuracy audit: CrossEntropy's label smoothing with a named class dim divided ε by 1, not C (logits
    /// [0, 0, 0, 0] gave 1.802 for log 4 = 1.386), for class indices and for probability targets. Expected: (1 - ε)·(-log p_t)
    /// + ε/C·Σ_c -log p_c in float64 (and with probabilities smoothed to t(1 - ε) + ε/C).</summary>
    [Fact]
    public void Label_smoothing_divides_by_the_class_count_of_a_named_dim()
    {
        using var device = Device.ManagedCpu();
        var m = new LossEdges(device);
        float[] x = [0, 0, 0, 0, 80, -80, 0, 1];
        int[] t = [0, 2];
        var named = m.CompileSmoothedNamed(n: 2, c: 4).Run(x, t);
        var fixedC = m.CompileSmoothedFixed(n: 2).Run(x, t);
        float[] p = [1, 0, 0, 0, 0, 0, 1, 0];
        var probabilities = m.CompileSmoothedProbabilities(n: 2, c: 4).Run(x, p);
        for (int r = 0; r < 2; r++)
        {
            var logp = LogSoftmax(x.Skip(4 * r).Take(4).Select(v => (double)v).ToArray());
            double want = 0.9 * -logp[t[r]] + 0.1 / 4 * logp.Sum(v => -v);
            Assert.Equal(want, named[r], 4);
            Assert.Equal(want, fixedC[r], 4);
            Assert.Equal(want, probabilities[r], 4);
        }
        Assert.Equal(Math.Log(4), named[0], 5);
    }

    /// <summary>MultiMargin with a target logit of 1e8: the target's own term was subtracted as margin^p, and
    /// (1 - 1e8) + 1e8 is 0 in float, so the loss came out -0.25; it is masked out now: 0 for p = 1 and 2.</summary>
    [Fact]
    public void MultiMargin_masks_the_target_class_out()
    {
        using var device = Device.ManagedCpu();
        var m = new LossEdges(device);
        Assert.Equal(0f, m.CompileMultiMarginOne().Run([1e8f, 0, 0, 0], [0])[0]);
        Assert.Equal(0f, m.CompileMultiMarginTwo().Run([1e8f, 0, 0, 0], [0])[0]);
        // an ordinary row still counts every other class: (max(0, 1 - 1 + 0.5) + max(0, 1 - 1 + 0) + max(0, 1 - 1 + 0)) / 4
        Assert.Equal(0.5f / 4, m.CompileMultiMarginOne().Run([1f, 0.5f, 0f, 0f], [0])[0], 6);
        // and a target other than the first: x = [0, 1, 0.5, 0], t = 1: (0 + 0.5 + 0) / 4
        Assert.Equal(0.5f / 4, m.CompileMultiMarginOne().Run([0f, 1f, 0.5f, 0f], [1])[0], 6);
    }

    /// <summary>SmoothL1 with β = 1e-40 (below 1.5e-39, where 0.5/β overflows float): the plan multiplied d² by +∞, NaN at
    /// d = 0; it divides by β there now, as PyTorch's 0.5·d²/β.</summary>
    [Fact]
    public void SmoothL1_with_a_subnormal_beta_stays_finite()
    {
        using var device = Device.ManagedCpu();
        var y = new LossEdges(device).CompileSmoothL1Tiny().Run([0f, 1f, -2f], [0f, 0f, 0f]);
        Assert.Equal([0f, 1f, 2f], y);
    }

    /// <summary>hinge_embedding_loss's margin part is clamp_min(margin - x, 0): at x = margin with y = -1 PyTorch passes the
    /// gradient, -1 (here over a mean of 2: -0.5); relu gave 0.</summary>
    [Fact]
    public void Hinge_embedding_passes_the_gradient_at_the_margin()
    {
        using var device = Device.ManagedCpu();
        using var plan = new LossEdges(device).CompileHinge();
        plan.ForwardBackward([1f, 3f], [-1f, 1f]);
        Assert.Equal([-0.5f, 0.5f], plan.InputGrad("x"));
    }

    /// <summary>Log-softmax rows as (x - max) - log Σ (PyTorch's order): x - (max + log Σ) lost up to half an ulp of max, 7,200
    /// ulp of the result at logits [1e4, 9999, 0, 0].</summary>
    [Fact]
    public void Log_softmax_subtracts_the_max_first()
    {
        float[] x = [1e4f, 9999f, 0f, 0f];
        var y = Tensor.From(x).LogSoftmax(0).ToArray();
        var want = LogSoftmax(x.Select(v => (double)v).ToArray());
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(y[i] - want[i]) <= 2 * Math.Abs(MathF.BitIncrement((float)want[i]) - (float)want[i]), $"log_softmax[{i}] = {y[i]:R}, float64 {want[i]:R}");
    }

    /// <summary>BCEWithLogits without pos_weight, softplus(x) - y·x, for confident answers: y = 1 with x up to 50 and y = 0
    /// with x down to -50 keep their small losses (x = 10 was 0.8 % off and x ≥ 15 gave 0 in a plan: the large terms
    /// cancelled after the small one was added), and the gradient σ(x) - y keeps σ(-20) (for y = 1 it is PyTorch's difference
    /// of two numbers near 1, good to half an ulp of 1). Plans on both devices, and eager;
    /// float64 log1p(e^-|x|) as the truth.</summary>
    [Theory]
    [InlineData("managed")]
    [InlineData("ilgpu-cpu")]
    public void Bce_with_logits_keeps_the_loss_of_a_confident_answer(string device)
    {
        float[] x = [10f, 15f, 20f, 50f, -10f, -15f, -20f, 0f];
        float[] y = [1f, 1f, 1f, 1f, 0f, 0f, 0f, 1f];
        using var d = Device.Create(device);
        var m = new LossEdges(d);
        var plan = m.CompileLogitsNone().Run(x, y);
        var eager = Losses.BinaryCrossEntropyWithLogits(Tensor.From(x), Tensor.From(y), reduction: Reduction.None).ToArray();
        using var sum = m.CompileLogitsSum();
        sum.ForwardBackward(x, y);
        var grad = sum.InputGrad("x");
        for (int i = 0; i < x.Length; i++)
        {
            double e = Math.Exp(-Math.Abs((double)x[i])), want = (x[i] > 0 ? (1 - y[i]) * x[i] : -y[i] * x[i]) + (e < 1e-5 ? e - e * e / 2 : Math.Log(1 + e));
            double sigma = 1 / (1 + Math.Exp(-(double)x[i])), wantGrad = sigma - y[i];
            Assert.True(Math.Abs(plan[i] - want) <= 4e-7 * want, $"plan BCEWithLogits({x[i]}, {y[i]}) = {plan[i]:R}, float64 {want:R}");
            Assert.True(Math.Abs(eager[i] - want) <= 4e-7 * want, $"eager BCEWithLogits({x[i]}, {y[i]}) = {eager[i]:R}, float64 {want:R}");
            // σ(x) - y as PyTorch computes it: for y = 1 the difference of two numbers near 1 (half an ulp of 1, 3e-8, absolute)
            Assert.True(Math.Abs(grad[i] - wantGrad) <= 4e-7 * Math.Abs(wantGrad) + (y[i] == 1 ? 6e-8 : 0), $"gradient at ({x[i]}, {y[i]}) = {grad[i]:R}, float64 {wantGrad:R}");
        }
    }
}

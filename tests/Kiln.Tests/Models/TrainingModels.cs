using Kiln;
using Kiln.Nn;

namespace Kiln.Tests.Models;

/// <summary>loss = Σ weight: every gradient is exactly 1 (the published SGD check of seed 004).</summary>
[Model]
public partial class SumOfWeights
{
    [Param(2, 2)] Tensor weight;

    [Loss] public Tensor Loss() => weight.Sum();
}

/// <summary>loss = Σ w²·r: gradient 2·w·r, known in closed form for optimizer references.</summary>
[Model]
public partial class Quadratic
{
    [Param(2, 3)] Tensor w;

    [Loss] public Tensor Loss([Shape(2, 3)] Tensor r) => (w * w * r).Sum();
}

/// <summary>nn.Linear(20, 30), as in seed 001: a (128, 20) batch gives (128, 30).</summary>
[Model]
public partial class Wide
{
    [Module(20, 30)] Linear fc;

    [Forward] public Tensor Predict([Shape("N", 20)] Tensor x) => fc.Forward(x);

    [Loss] public Tensor Loss([Shape("N", 20)] Tensor x, [Shape("N")] IntTensor t) => Losses.CrossEntropy(Predict(x), t);
}

/// <summary>Himmelblau's function (seed 002): four minima, all 0, at (3, 2), (-2.805, 3.131), (-3.779, -3.283), (3.584, -1.848).</summary>
[Model]
public partial class Himmelblau
{
    [Param(1)] Tensor x;
    [Param(1)] Tensor y;

    [Loss] public Tensor Loss() => ((x * x + y - 11f).Pow(2f) + (x + y * y - 7f).Pow(2f)).Sum();
}

/// <summary>Least squares ½-free: Σ(A·w - b)², gradient 2Aᵀ(Aw - b).</summary>
[Model]
public partial class LeastSquares
{
    [Param(3)] Tensor w;

    [Loss] public Tensor Loss([Shape(8, 3)] Tensor a, [Shape(8)] Tensor b) => Losses.MseLoss(a.MatMul(w), b, Reduction.Sum);
}

/// <summary>37 parameters (four 8-wide vectors and a tail of 5) with gradient 2·w·r: exercises the vector update path.</summary>
[Model]
public partial class Wide37
{
    [Param(37)] Tensor w;

    [Loss] public Tensor Loss([Shape(37)] Tensor r) => (w * w * r).Sum();
}

/// <summary>An embedding-like table: loss Σ e²·r, so the rows where r is zero get no gradient.</summary>
[Model]
public partial class Table
{
    [Param(6, 4)] Tensor e;

    [Loss] public Tensor Loss([Shape(6, 4)] Tensor r) => (e * e * r).Sum();
}

/// <summary>-Σ w²·r: maximizing Quadratic must equal minimizing this.</summary>
[Model]
public partial class NegQuadratic
{
    [Param(2, 3)] Tensor w;

    [Loss] public Tensor Loss([Shape(2, 3)] Tensor r) => -(w * w * r).Sum();
}

/// <summary>A [Forward] with no inputs: it reads only parameters (the plan's Run takes just the output).</summary>
[Model]
public partial class NoInputs
{
    [Param(3)] Tensor a;

    [Forward] public Tensor V() => Ops.Sigmoid(a);
}

/// <summary>An embedding table read by index: SparseAdam updates exactly the rows a batch looked up.</summary>
[Model]
public partial class EmbeddingTable
{
    [Param(6, 3)] Tensor table;

    [Loss] public Tensor Loss([Shape(4)] IntTensor ids, [Shape(4, 3)] Tensor r) => (table.IndexSelect(0, ids) * r).Sum();
}

/// <summary>Each activation summed over chosen points (±100, 0, the kinks): its gradient is f′ at each point.</summary>
[Model]
public partial class ActivationEdges
{
    [Param(12)] Tensor x;

    [Loss] public Tensor LeakyReluAt() => Ops.LeakyRelu(x).Sum();
    [Loss] public Tensor EluAt() => Ops.Elu(x).Sum();
    [Loss] public Tensor SeluAt() => Ops.Selu(x).Sum();
    [Loss] public Tensor CeluAt() => Ops.Celu(x).Sum();
    [Loss] public Tensor GeluAt() => Ops.Gelu(x).Sum();
    [Loss] public Tensor GeluTanhAt() => Ops.Gelu(x, "tanh").Sum();
    [Loss] public Tensor SiluAt() => Ops.Silu(x).Sum();
    [Loss] public Tensor MishAt() => Ops.Mish(x).Sum();
    [Loss] public Tensor SoftplusAt() => Ops.Softplus(x).Sum();
    [Loss] public Tensor SoftsignAt() => Ops.Softsign(x).Sum();
    [Loss] public Tensor LogSigmoidAt() => Ops.LogSigmoid(x).Sum();
    [Loss] public Tensor HardtanhAt() => Ops.Hardtanh(x).Sum();
    [Loss] public Tensor Relu6At() => Ops.Relu6(x).Sum();
    [Loss] public Tensor HardsigmoidAt() => Ops.Hardsigmoid(x).Sum();
    [Loss] public Tensor HardswishAt() => Ops.Hardswish(x).Sum();
    [Loss] public Tensor ThresholdAt() => Ops.Threshold(x, 0.3f, -2f).Sum();
    [Loss] public Tensor ClampAt() => Ops.Clamp(x, -1f, 1f).Sum();
    [Loss] public Tensor SigmoidAt() => Ops.Sigmoid(x).Sum();
    [Loss] public Tensor TanhAt() => Ops.Tanh(x).Sum();
    [Loss] public Tensor ReluAt() => Ops.Relu(x).Sum();
    [Forward] public Tensor EluOf() => Ops.Elu(x);
    [Forward] public Tensor SeluOf() => Ops.Selu(x);
    [Forward] public Tensor CeluOf() => Ops.Celu(x, 2f);
    [Forward] public Tensor Expm1Of() => Ops.Expm1(x);
}

/// <summary>
/// The exponential units over 40 points (two whole vectors and a partial one at sixteen lanes): α = 1, 0.5 and 2, a
/// negative and an infinite α, which take different vector forms; and a where on ≠, whose select swaps its branches.
/// </summary>
[Model]
public partial class ExponentialUnits
{
    [Param(40)] Tensor x;
    [Param(40)] Tensor y;

    [Forward] public Tensor Elu() => Ops.Elu(x);
    [Forward] public Tensor EluTwo() => Ops.Elu(x, 2f);
    [Forward] public Tensor EluNegative() => Ops.Elu(x, -0.5f);
    [Forward] public Tensor EluInfinite() => Ops.Elu(x, float.PositiveInfinity);
    [Forward] public Tensor Selu() => Ops.Selu(x);
    [Forward] public Tensor Celu() => Ops.Celu(x);
    [Forward] public Tensor CeluHalf() => Ops.Celu(x, 0.5f);
    [Forward] public Tensor CeluTwo() => Ops.Celu(x, 2f);
    [Forward] public Tensor WhereDifferent() => Ops.Where(x != y, x, y * 2f);
}

/// <summary>BCE on probabilities that reach exactly 0 and 1.</summary>
[Model]
public partial class BceEdges
{
    [Param(5)] Tensor p;

    // the clamp passes the gradient at its bounds, and keeps random probabilities (other tests draw p freely) valid
    [Loss] public Tensor Loss([Shape(5)] Tensor y) => Losses.BinaryCrossEntropy(Ops.Clamp(p, 0f, 1f), y, reduction: Reduction.Sum);
}

/// <summary>Every loss on logits and inputs as large as ±100 (set by the test): values and gradients must stay finite.</summary>
[Model]
public partial class LossExtremes
{
    [Param(4, 3)] Tensor z;
    [Param(4, 3)] Tensor w;

    [Loss] public Tensor CrossEntropy([Shape(4)] IntTensor t) => Losses.CrossEntropy(z, t) + Losses.CrossEntropy(z, t, labelSmoothing: 0.1f) + Losses.CrossEntropy(z, Ops.Softmax(w, 1));
    [Loss] public Tensor Nll([Shape(4)] IntTensor t) => Losses.NllLoss(Ops.LogSoftmax(z, 1), t);
    [Loss] public Tensor CrossEntropySum([Shape(4)] IntTensor t) => Losses.CrossEntropy(z, t, reduction: Reduction.Sum);
    [Loss] public Tensor BceWithLogits([Shape(4, 3)] Tensor y) => Losses.BinaryCrossEntropyWithLogits(z, y) + Losses.BinaryCrossEntropy(Ops.Sigmoid(z), y);
    [Loss] public Tensor Regression([Shape(4, 3)] Tensor y) => Losses.MseLoss(z, y) + Losses.L1Loss(z, y) + Losses.SmoothL1Loss(z, y) + Losses.HuberLoss(z, y);
    [Loss] public Tensor Poisson([Shape(4, 3)] Tensor y) => Losses.PoissonNllLoss(Ops.ClampMax(z, 50f), y);
    [Loss] public Tensor KlDiv([Shape(4, 3)] Tensor y) => Losses.KlDiv(Ops.LogSoftmax(z, 1), Ops.Softmax(w, 1), Reduction.BatchMean);
    [Loss] public Tensor Margins([Shape(4, 3)] Tensor pm, [Shape(4)] IntTensor t) => Losses.MarginRankingLoss(z, w, pm) + Losses.HingeEmbeddingLoss(z, pm) + Losses.SoftMarginLoss(z, pm)
        + Losses.MultiMarginLoss(z, t) + Losses.MultiMarginLoss(z, t, p: 2);
    [Loss] public Tensor Multilabel([Shape(4, 3)] Tensor y, [Shape(4, 3)] IntTensor labels) => Losses.MultilabelSoftMarginLoss(z, y) + Losses.MultilabelMarginLoss(z, labels);
    [Loss] public Tensor Embeddings([Shape(4)] Tensor pm) => Losses.TripletMarginLoss(z, w, z * 0.5f) + Losses.CosineEmbeddingLoss(z, w, pm);
}

/// <summary>Frozen parameters for a plan (requires_grad = False): a GAN's generator step leaves the discriminator's gradients alone.</summary>
[Model]
public partial class GanParts
{
    [Module(2, 3)] Linear gen;
    [Module(3, 1)] Linear disc;

    private Tensor Score(Tensor z) => disc.Forward(Ops.Tanh(gen.Forward(z)));

    [Loss] public Tensor Both([Shape(4, 2)] Tensor z) => Losses.MseLoss(Score(z), Ops.Ones(4, 1));
    [Loss(Frozen = ["disc"])] public Tensor GeneratorStep([Shape(4, 2)] Tensor z) => Losses.MseLoss(Score(z), Ops.Ones(4, 1));
    [Loss(Frozen = ["gen.weight", "disc.bias"])] public Tensor SomeFrozen([Shape(4, 2)] Tensor z) => Losses.MseLoss(Score(z), Ops.Ones(4, 1));
}

/// <summary>Large draws for the statistical tests of every sampler (RandomTests), and a dropout layer by mode.</summary>
[Model]
public partial class Sampling
{
    [Forward] public Tensor Uniform() => Ops.Rand(20000);
    [Forward] public Tensor Gaussian() => Ops.Randn(20000);
    [Forward] public Tensor Scaled() => Ops.Normal(3f, 2f, 20000);
    [Forward] public Tensor Shifted([Shape("N")] Tensor mean, [Shape("N")] Tensor std) => Ops.Normal(mean, std);
    [Forward] public Tensor Coins([Shape("N")] Tensor p) => Ops.Bernoulli(p);
    [Forward] public Tensor Ints() => Ops.Randint(-3, 7, 20000);
    [Forward] public Tensor Perm() => Ops.Randperm(1000);
    [Forward] public Tensor Dropped([Shape("N")] Tensor x) => Ops.Dropout(x, 0.25f);
    [Forward] public Tensor Two() => Ops.Cat([Ops.Rand(5), Ops.Rand(5)]);
    [Forward] public Tensor OddGaussian() => Ops.Randn(20003);
}

/// <summary>
/// [Buffer] state (register_buffer): running statistics as BatchNorm keeps them (momentum 0.1, unbiased variance), a run
/// counter, and a submodule's own buffer. Training runs write them back; eval runs and optimizers leave them alone.
/// </summary>
[Model]
public partial class RunningStats
{
    [Param(3)] Tensor w;
    [Buffer(3)] Tensor runningMean;
    [Buffer(3, Init = Init.Ones)] Tensor runningVar;
    [Buffer(1)] Tensor steps;
    [Module(3)] Tracker tracker;

    [Loss] public Tensor Normalized([Shape("N", 3)] Tensor x)
    {
        var mean = x.Mean(0);
        var variance = x.Var(0);
        runningMean = 0.9f * runningMean + 0.1f * mean;
        this.runningVar = 0.9f * runningVar + 0.1f * variance;
        steps += 1f;
        return (Ops.Tanh((x - mean) * w) * x).Sum() + (tracker.Track(x) * w).Sum();
    }

    /// <summary>Inference with the running statistics, as BatchNorm in eval mode.</summary>
    [Forward] public Tensor Normalize([Shape("N", 3)] Tensor x) => (x - runningMean) / Ops.Sqrt(runningVar + 1e-5f) * w;

    /// <summary>A read after an assignment sees the new value, as C# runs it.</summary>
    [Forward] public Tensor Count()
    {
        steps = steps + 1f;
        return steps * 2f;
    }
}

/// <summary>A module with a buffer of its own (path "tracker.last"): the last batch mean.</summary>
[Model("F")]
public partial class Tracker
{
    [Buffer("F")] Tensor last;

    public Tensor Track(Tensor x)
    {
        var previous = last;
        last = x.Mean(0);
        return previous + last;
    }
}

/// <summary>Seed 000's generator: 1 → 8 → 8 → 1 with ELU.</summary>
[Model]
public partial class NoiseToSample
{
    [Module(1, 8)] Linear map1;
    [Module(8, 8)] Linear map2;
    [Module(8, 1)] Linear map3;

    public Tensor Forward(Tensor z) => map3.Forward(Ops.Elu(map2.Forward(Ops.Elu(map1.Forward(z)))));
}

/// <summary>Seed 000's discriminator on the four moments of a batch: 4 → 8 → 8 → 1, sigmoid.</summary>
[Model]
public partial class MomentCritic
{
    [Module(4, 8)] Linear map1;
    [Module(8, 8)] Linear map2;
    [Module(8, 1)] Linear map3;

    public Tensor Forward(Tensor moments) => Ops.Sigmoid(map3.Forward(Ops.Elu(map2.Forward(Ops.Elu(map1.Forward(moments))))));
}

/// <summary>
/// Seed 000's GAN step as model methods (issue 8's "done means"): generator noise drawn in the graph, the discriminator
/// trained on real data and on a detached fake batch, the four moments joined with Cat, and the generator trained through
/// the discriminator with the discriminator frozen. No host round-trip: the caller passes only the real batch.
/// </summary>
[Model]
public partial class MomentGan
{
    [Module] NoiseToSample g;
    [Module] MomentCritic d;

    /// <summary>Mean, std, skew and excess kurtosis of a batch, as the seed's get_moments, as a [1, 4] row.</summary>
    public Tensor Moments(Tensor data)
    {
        var mean = data.Mean();
        var diffs = data - mean;
        var variance = Ops.Pow(diffs, 2f).Mean();
        var std = Ops.Pow(variance, 0.5f);
        var zscores = diffs / std;
        var skews = Ops.Pow(zscores, 3f).Mean();
        var kurtoses = Ops.Pow(zscores, 4f).Mean() - 3f;
        return Ops.Cat([mean.Reshape(1), std.Reshape(1), skews.Reshape(1), kurtoses.Reshape(1)]).Reshape(1, 4);
    }

    /// <summary>D on real (target ones) and on a detached fake batch (target zeros): only D's gradients.</summary>
    [Loss] public (Tensor Loss, Tensor Fake) DiscriminatorStep([Shape(1, "N")] Tensor real)
    {
        var fake = g.Forward(Ops.RandnLike(real.T)).Detach();
        var realError = Losses.BinaryCrossEntropy(d.Forward(Moments(real)), Ops.Ones(1, 1));
        var fakeError = Losses.BinaryCrossEntropy(d.Forward(Moments(fake)), Ops.Zeros(1, 1));
        return (realError + fakeError, fake);
    }

    /// <summary>G through D (target ones): D is frozen, so its gradients stay as they are.</summary>
    [Loss(Frozen = ["d"])] public Tensor GeneratorStep([Shape(1, "N")] Tensor real) =>
        Losses.BinaryCrossEntropy(d.Forward(Moments(g.Forward(Ops.RandnLike(real.T)))), Ops.Ones(1, 1));
}

/// <summary>
/// Seed 003's GHM-C loss (gradient harmonizing, Li et al. 2019) with momentum as a model method: the gradient norm of a
/// detached prediction binned in a build-time loop, the bins' momentum-averaged counts kept in a [Buffer], the weights
/// tot / acc_sum[i] over the non-empty bins, and BCE with those weights. No host round-trip.
/// </summary>
[Model]
public partial class GhmClassifier
{
    const int Bins = 10;
    const float Momentum = 0.75f;

    [Param(3)] Tensor w;
    [Param(1)] Tensor b;
    [Buffer(Bins)] Tensor accSum;

    [Loss] public Tensor Loss([Shape("N", 3)] Tensor x, [Shape("N")] Tensor y)
    {
        var pred = Ops.Sigmoid(x.MatMul(w) + b);
        var g = Ops.Abs(pred.Detach() - y);
        var weights = Ops.ZerosLike(g);
        var tot = Ops.OnesLike(g).Sum();
        var n = Ops.Zeros();
        var counts = new Tensor[Bins];
        for (int i = 0; i < Bins; i++)
        {
            float lo = (float)i / Bins, hi = (float)(i + 1) / Bins + (i == Bins - 1 ? 1e-6f : 0f);
            var inds = (g >= lo) & (g < hi);
            var numInBin = inds.Sum();
            var nonEmpty = numInBin > 0f;
            counts[i] = Ops.Where(nonEmpty, Momentum * accSum[i] + (1 - Momentum) * numInBin, accSum[i]);
            weights = weights + Ops.Where(inds, tot / counts[i], 0f);
            n = n + nonEmpty.Float();
        }
        accSum = Ops.Stack(counts);
        weights = weights / n;
        return Losses.BinaryCrossEntropy(pred, y, weight: weights);
    }
}

/// <summary>A total of many squares in one generated reduction kernel: its lanes add in an order that depends on the width.</summary>
[Model]
public partial class SumOfSquares
{
    [Forward] public Tensor Total([Shape(4099)] Tensor x) => (x * x).Sum();
}

/// <summary>A total reading a bias row broadcast down the rows, over enough rows that the managed path splits it across
/// workers (FlatTotalTests): rows of 16 (a 16-lane vector is one row) and of 8.</summary>
[Model]
public partial class BiasedTotals
{
    [Param(16)] Tensor b;
    [Param(8)] Tensor c;
    [Forward] public Tensor Sixteen([Shape("N", 16)] Tensor x) => ((x + b) * (x + b)).Sum();
    [Forward] public Tensor Eight([Shape("N", 8)] Tensor x) => ((x + c) * (x + c)).Sum();
}

/// <summary>Totals over a million elements (FlatTotalTests): a mean, an MSE, and a sum along rows of a million.</summary>
[Model]
public partial class LongTotals
{
    [Forward] public Tensor Mean([Shape("N")] Tensor x) => x.Mean();
    [Forward] public Tensor Mse([Shape("N")] Tensor a, [Shape("N")] Tensor b) => Losses.MseLoss(a, b);
    [Forward] public Tensor RowSums([Shape(2, "N")] Tensor x) => x.Sum(1);
    /// <summary>A total of an op with no vector form: a generated kernel, not a flat kernel struct.</summary>
    [Forward] public Tensor Log1pSum([Shape("N")] Tensor x) => Ops.Log1p(x).Sum();
}

/// <summary>nn.Embedding, the mean over the sequence, a Linear and CrossEntropy: a bag-of-words classifier; and the
/// module's forward on ids of other ranks.</summary>
[Model]
public partial class BagOfWords
{
    [Module(10, 4)] Kiln.Nn.Embedding emb;
    [Module(4, 3)] Linear fc;

    [Loss] public Tensor Loss([Shape("B", 5)] IntTensor ids, [Shape("B")] IntTensor y) => Losses.CrossEntropy(fc.Forward(emb.Forward(ids).Mean(1)), y);
    [Forward] public Tensor Embed([Shape(2, 3, 2)] IntTensor ids) => emb.Forward(ids);
    [Forward] public Tensor Flat([Shape(4)] IntTensor ids) => Ops.Embedding(ids, Ops.Tanh(fc.weight.T)) * 2f;
}

/// <summary>Two tables looked up by the same ids; in one loss the module's table is Frozen, in another behind Detach.</summary>
[Model]
public partial class FrozenLookup
{
    [Module(6, 2)] Kiln.Nn.Embedding emb;
    [Param(6, 2)] Tensor table;
    [Param(3)] Tensor spare;   // no loss reads it: it never has a gradient

    [Loss] public Tensor Full([Shape(2)] IntTensor ids, [Shape(2, 2)] Tensor r) => ((emb.Forward(ids) + Ops.Embedding(ids, table)) * r).Sum();
    [Loss(Frozen = ["emb"])] public Tensor EmbFrozen([Shape(2)] IntTensor ids, [Shape(2, 2)] Tensor r) => ((emb.Forward(ids) + Ops.Embedding(ids, table)) * r).Sum();
    [Loss] public Tensor Detached([Shape(2)] IntTensor ids, [Shape(2, 2)] Tensor r) => ((emb.Forward(ids).Detach() + Ops.Embedding(ids, table)) * r).Sum();
}

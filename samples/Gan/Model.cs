using Kiln;
using Kiln.Nn;
using static Kiln.Ops;

namespace Samples.Gan;

/// <summary>Seed 000's generator G: noise (one value per sample) → 16 → 16 → 1, ELU between the layers.</summary>
[Model]
public partial class Generator
{
    [Module(1, 16)] Linear map1;
    [Module(16, 16)] Linear map2;
    [Module(16, 1)] Linear map3;

    public Tensor Forward(Tensor z) => map3.Forward(Elu(map2.Forward(Elu(map1.Forward(z)))));
}

/// <summary>Seed 000's discriminator D: the four moments of a batch → 16 → 16 → 1, ELU, a sigmoid probability "real".</summary>
[Model]
public partial class Discriminator
{
    [Module(4, 16)] Linear map1;
    [Module(16, 16)] Linear map2;
    [Module(16, 1)] Linear map3;

    public Tensor Forward(Tensor moments) => Sigmoid(map3.Forward(Elu(map2.Forward(Elu(map1.Forward(moments))))));
}

/// <summary>
/// Seed 000's GAN: G learns to turn N(0, 1) noise into samples of N(4, 1.25²), judged by D on a batch's mean, std,
/// skew and excess kurtosis. The noise is drawn in the graph; the caller passes only the real batch.
/// </summary>
[Model]
public partial class Gan
{
    /// <summary>Samples per batch (the seed's minibatch_size).</summary>
    public const int Batch = 500;

    [Module] Generator g;
    [Module] Discriminator d;

    /// <summary>The seed's get_moments: mean, std, skew and excess kurtosis of a batch, as one [1, 4] row.</summary>
    public Tensor Moments(Tensor data)
    {
        var mean = data.Mean();
        var diffs = data - mean;
        var variance = Pow(diffs, 2f).Mean();
        var std = Pow(variance, 0.5f);
        var zscores = diffs / std;
        var skews = Pow(zscores, 3f).Mean();
        var kurtoses = Pow(zscores, 4f).Mean() - 3f;   // excess kurtosis: 0 for a Gaussian
        return Cat([mean.Reshape(1), std.Reshape(1), skews.Reshape(1), kurtoses.Reshape(1)]).Reshape(1, 4);
    }

    /// <summary>D on a real batch (target ones) and on a fake batch G made and that is detached (target zeros).</summary>
    [Loss]
    public (Tensor loss, Tensor realMoments) DiscriminatorStep([Shape(1, Batch)] Tensor real)
    {
        var fake = g.Forward(Randn(Batch, 1)).Detach();
        var realMoments = Moments(real);
        var realError = Losses.BinaryCrossEntropy(d.Forward(realMoments), Ones(1, 1));
        var fakeError = Losses.BinaryCrossEntropy(d.Forward(Moments(fake)), Zeros(1, 1));
        return (realError + fakeError, realMoments);
    }

    /// <summary>G through D (target ones): only G learns; D is frozen, so its gradients stay untouched.</summary>
    [Loss(Frozen = ["d"])]
    public (Tensor loss, Tensor fakeMoments) GeneratorStep()
    {
        var fakeMoments = Moments(g.Forward(Randn(Batch, 1)));
        return (Losses.BinaryCrossEntropy(d.Forward(fakeMoments), Ones(1, 1)), fakeMoments);
    }

    /// <summary>A batch from G, for the histogram and the final check.</summary>
    [Forward]
    public Tensor Generate() => g.Forward(Randn(Batch, 1));
}

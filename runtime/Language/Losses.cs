namespace Kiln;

/// <summary>Loss functions with <c>torch.nn</c>'s semantics; reduction defaults to Mean as in PyTorch. Compiled inside [Loss]
/// methods; computed on tensor values outside them (a [Loss] method called directly).</summary>
public static class Losses
{
    /// <summary>MSELoss: (input - target)².</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => EagerLosses.Mse(input, target, reduction);
    /// <summary>L1Loss: |input - target|.</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => EagerLosses.L1(input, target, reduction);
    /// <summary>BCELoss on probabilities: -w(y log p + (1-y) log(1-p)), logs clamped at -100 as PyTorch does.
    /// When <paramref name="input"/> is Sigmoid(z) the generator uses the stable logits form.</summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) => EagerLosses.Bce(input, target, weight, reduction);
    /// <summary>BCEWithLogitsLoss: -w(p_w y log σ(x) + (1-y) log(1-σ(x))), computed stably.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean) => EagerLosses.BceWithLogits(input, target, weight, posWeight, reduction);
    /// <summary>CrossEntropyLoss with class-index targets: NLL(LogSoftmax(input, 1)), input (N, C) or (N, C, d1, ...). Weighted mean
    /// divides by Σ weight[target]. Label smoothing ε: (1-ε)·NLL + ε·(-Σ_c w_c log p_c)/C.</summary>
    public static Tensor CrossEntropy(Tensor input, IntTensor target, Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f) => EagerLosses.Nll(input.LogSoftmax(input.Dim() == 1 ? 0 : 1), target, weight, ignoreIndex, reduction, labelSmoothing, "CrossEntropy");
    /// <summary>NLLLoss: -weight[target] * input[n, target] (input (N, C) or (N, C, d1, ...)). Weighted mean divides by Σ weight[target].</summary>
    public static Tensor NllLoss(Tensor input, IntTensor target, Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean) => EagerLosses.Nll(input, target, weight, ignoreIndex, reduction, 0f, "NllLoss");
    /// <summary>CrossEntropyLoss with class-probability targets (same shape as input): -Σ_c w_c t_c log p_c; mean divides by N.</summary>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f) => EagerLosses.SoftCrossEntropy(input, target, weight, reduction, labelSmoothing);
    /// <summary>SmoothL1Loss: 0.5·d²/β where |d| &lt; β, else |d| - 0.5·β (β = 0 is L1).</summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, float beta = 1f) => EagerLosses.SmoothL1(input, target, reduction, beta);
    /// <summary>HuberLoss: 0.5·d² where |d| &lt; δ, else δ·(|d| - 0.5·δ).</summary>
    public static Tensor HuberLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, float delta = 1f) => EagerLosses.Huber(input, target, reduction, delta);
    /// <summary>PoissonNLLLoss: exp(x) - t·x (logInput), or x - t·log(x + eps); full adds Stirling's term where t &gt; 1.</summary>
    public static Tensor PoissonNllLoss(Tensor input, Tensor target, bool logInput = true, bool full = false, float eps = 1e-8f, Reduction reduction = Reduction.Mean) => EagerLosses.PoissonNll(input, target, logInput, full, eps, reduction);
    /// <summary>KLDivLoss on log-probabilities: t·(log t - x) (0 where t = 0), or eᵗ·(t - x) with logTarget; BatchMean divides by N.</summary>
    public static Tensor KlDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false) => EagerLosses.KlDiv(input, target, reduction, logTarget);
    /// <summary>MarginRankingLoss: max(0, -y·(x1 - x2) + margin); the three must have the same rank.</summary>
    public static Tensor MarginRankingLoss(Tensor input1, Tensor input2, Tensor target, float margin = 0f, Reduction reduction = Reduction.Mean) => EagerLosses.MarginRanking(input1, input2, target, margin, reduction);
    /// <summary>HingeEmbeddingLoss: x where y = 1, max(0, margin - x) where y = -1.</summary>
    public static Tensor HingeEmbeddingLoss(Tensor input, Tensor target, float margin = 1f, Reduction reduction = Reduction.Mean) => EagerLosses.HingeEmbedding(input, target, margin, reduction);
    /// <summary>SoftMarginLoss: log(1 + exp(-y·x)), averaged over all elements.</summary>
    public static Tensor SoftMarginLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => EagerLosses.SoftMargin(input, target, reduction);
    /// <summary>MultiLabelSoftMarginLoss: -(1/C)·Σ_c w_c (y log σ(x) + (1 - y) log σ(-x)) per sample.</summary>
    public static Tensor MultilabelSoftMarginLoss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) => EagerLosses.MultilabelSoftMargin(input, target, weight, reduction);
    /// <summary>MultiMarginLoss: Σ_{i≠y} w_y·max(0, margin - x_y + x_i)^p / C per sample, p 1 or 2.</summary>
    public static Tensor MultiMarginLoss(Tensor input, IntTensor target, int p = 1, float margin = 1f, Tensor? weight = null, Reduction reduction = Reduction.Mean) => EagerLosses.MultiMargin(input, target, p, margin, weight, reduction);
    /// <summary>MultiLabelMarginLoss: Σ_{j target} Σ_{i not target} max(0, 1 - (x_j - x_i)) / C; targets padded with -1 (entries after the first -1 ignored).</summary>
    public static Tensor MultilabelMarginLoss(Tensor input, IntTensor target, Reduction reduction = Reduction.Mean) => EagerLosses.MultilabelMargin(input, target, reduction);
    /// <summary>TripletMarginLoss: max(d(a, p) - d(a, n) + margin, 0), d the p-norm of the difference (+ eps); swap uses min(d(a, n), d(p, n)).</summary>
    public static Tensor TripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, float margin = 1f, float p = 2f, float eps = 1e-6f, bool swap = false, Reduction reduction = Reduction.Mean) => EagerLosses.TripletMargin(anchor, positive, negative, margin, p, eps, swap, reduction);
    /// <summary>
    /// CTCLoss: -log p(targets | logProbs), logProbs (T, N, C) log-probabilities (e.g. LogSoftmax over C), targets padded
    /// (N, S) or concatenated (Σ targetLengths); Mean divides each loss by its target length, then averages. An infeasible
    /// sample gives ∞, or 0 with zeroInfinity. The gradient is the true derivative with respect to logProbs.
    /// </summary>
    public static Tensor CtcLoss(Tensor logProbs, IntTensor targets, IntTensor inputLengths, IntTensor targetLengths, int blank = 0, Reduction reduction = Reduction.Mean, bool zeroInfinity = false) => EagerLosses.Ctc(logProbs, targets, inputLengths, targetLengths, blank, reduction, zeroInfinity);
    /// <summary>CosineEmbeddingLoss: 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (cos over dim 1).</summary>
    public static Tensor CosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, float margin = 0f, Reduction reduction = Reduction.Mean) => EagerLosses.CosineEmbedding(input1, input2, target, margin, reduction);
}

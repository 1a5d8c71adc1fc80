namespace Kiln;

/// <summary>Loss functions with <c>torch.nn</c>'s semantics; reduction defaults to Mean as in PyTorch.</summary>
public static class Losses
{
    /// <summary>MSELoss: (input - target)².</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => throw Tensor.Symbolic();
    /// <summary>L1Loss: |input - target|.</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => throw Tensor.Symbolic();
    /// <summary>BCELoss on probabilities: -w(y log p + (1-y) log(1-p)), logs clamped at -100 as PyTorch does.
    /// When <paramref name="input"/> is Sigmoid(z) the generator uses the stable logits form.</summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) => throw Tensor.Symbolic();
    /// <summary>BCEWithLogitsLoss: -w(p_w y log σ(x) + (1-y) log(1-σ(x))), computed stably.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean) => throw Tensor.Symbolic();
    /// <summary>CrossEntropyLoss with class-index targets: NLL(LogSoftmax(input, 1)). Weighted mean divides by Σ weight[target].</summary>
    public static Tensor CrossEntropy(Tensor input, IntTensor target, Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean) => throw Tensor.Symbolic();
    /// <summary>NLLLoss: -weight[target] * input[n, target]. Weighted mean divides by Σ weight[target].</summary>
    public static Tensor NllLoss(Tensor input, IntTensor target, Tensor? weight = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean) => throw Tensor.Symbolic();
}

using System;
using System.Linq;
using Kiln.Kernels;
using static Kiln.Ops;

namespace Kiln;

/// <summary>
/// The losses on tensor values (a [Loss] method called directly): each composed of eager ops as torch.nn.functional
/// writes it, with PyTorch's reductions. Class-index losses run a loop over rows (the class dim moved last).
/// </summary>
internal static class EagerLosses
{
    /// <summary>BatchMean outside KlDiv, or a number that names no Reduction ((Reduction)7).</summary>
    public static ArgumentException BadReduction(Reduction reduction) => Enum.IsDefined(reduction)
        ? new($"Reduction.{reduction} applies to KlDiv only (PyTorch has batchmean for kl_div only)", nameof(reduction))
        : new($"reduction (Reduction){(int)reduction} is not one of Reduction.None, Mean, Sum (BatchMean for KlDiv)", nameof(reduction));

    public static Tensor Reduce(Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.None => loss,
        Reduction.Sum => loss.Sum(),
        Reduction.Mean => loss.Mean(),
        _ => throw BadReduction(reduction),
    };

    /// <summary>
    /// A loss's input and target of one shape, as its plan requires (KLN0006 at build time): a (N) input against a (N, 1)
    /// target would broadcast to (N, N) and return a number, silently wrong (PyTorch warns for MSE and L1, raises for BCE).
    /// </summary>
    public static void SameShape(string loss, Tensor input, Tensor target, string what = "target")
    {
        if (!input.Layout.Shape.AsSpan().SequenceEqual(target.Layout.Shape))
            throw new ArgumentException($"{loss}: {what} shape {Dims(target)} does not fit input shape {Dims(input)} (they must be equal, as in a compiled model: KLN0006)", what);
    }

    private static string Dims(Tensor t) => $"[{string.Join(", ", t.Layout.Shape)}]";

    /// <summary>A weight (or pos_weight) must broadcast to the loss's elements, as in a compiled model (KLN0006), named in the error.</summary>
    private static void Fits(string loss, Tensor input, Tensor? arg, string what)
    {
        if (arg is null) return;
        int[] shape = input.Layout.Shape, a = arg.Layout.Shape;
        bool fits = a.Length <= shape.Length;
        for (int i = 1; fits && i <= a.Length; i++) fits = a[^i] == 1 || a[^i] == shape[^i];
        if (!fits)
            throw new ArgumentException($"{loss}: {what} shape {Dims(arg)} does not broadcast to input shape {Dims(input)} (KLN0006 in a compiled model)", what);
    }

    /// <summary>The options a compiled model checks at build time (KLN0018), checked here when the loss is called.</summary>
    private static void Require(bool ok, string message, string argument)
    {
        if (!ok) throw new ArgumentException(message, argument);
    }

    public static Tensor Mse(Tensor x, Tensor y, Reduction reduction)
    {
        SameShape("MseLoss", x, y);
        return Reduce((x - y).Square(), reduction);
    }

    public static Tensor L1(Tensor x, Tensor y, Reduction reduction)
    {
        SameShape("L1Loss", x, y);
        return Reduce((x - y).Abs(), reduction);
    }

    public static Tensor Bce(Tensor p, Tensor y, Tensor? weight, Reduction reduction)
    {
        SameShape("BinaryCrossEntropy", p, y);
        // p = Sigmoid(z), its values unchanged since: softplus(z) - y·z, the stable logits form a plan's BCE of a Sigmoid
        // takes (equal where both are finite; exact where σ rounds to 0 or 1 and the clamped logs would give 100)
        if (p.SigmoidInput is { } z && z.Sigmoid().ToArray().AsSpan().SequenceEqual(p.ToArray()))
        {
            var logits = SoftplusMinus(z, y);
            return Reduce(weight is null ? logits : logits * weight, reduction);
        }
        foreach (float v in p.ToArray())
            if (!(v >= 0 && v <= 1)) throw new ArgumentException($"all elements of input should be between 0 and 1, got {v}", nameof(p));
        Fits("BinaryCrossEntropy", p, weight, "weight");
        // logs clamped at -100, log(1 - p) as log1p(-p), as PyTorch's binary_cross_entropy
        var loss = -(y * p.Log().ClampMin(-100f) + (1f - y) * (-p).Log1p().ClampMin(-100f));
        return Reduce(weight is null ? loss : loss * weight, reduction);
    }

    /// <summary>softplus(x) - y·x as (max(x, 0) - y·x) + log(1 + e^-|x|), the plans' order (Simd.SoftplusMinus): exact for
    /// y = 0 and for y = 1 at any x.</summary>
    private static Tensor SoftplusMinus(Tensor x, Tensor y) => (x.Relu() - y * x) + (-x.Abs()).Exp().Log1p();

    /// <summary>(1 − y)·x + (1 + (pw − 1)·y)·softplus(−x), PyTorch's stable form; without pos_weight <see cref="SoftplusMinus"/>.</summary>
    public static Tensor BceWithLogits(Tensor x, Tensor y, Tensor? weight, Tensor? posWeight, Reduction reduction)
    {
        SameShape("BinaryCrossEntropyWithLogits", x, y);
        Fits("BinaryCrossEntropyWithLogits", x, weight, "weight");
        Fits("BinaryCrossEntropyWithLogits", x, posWeight, "posWeight");
        var loss = posWeight is null ? SoftplusMinus(x, y) : (1f - y) * x + (1f + (posWeight - 1f) * y) * (-x).Softplus();
        return Reduce(weight is null ? loss : loss * weight, reduction);
    }

    /// <summary>The class dim (1) moved last and flattened to rows: (M, C) with M = N·d1·…, and the per-row shape.</summary>
    private static (float[] Rows, int Classes, int[] Shape) ClassRows(Tensor input, string what)
    {
        int rank = input.Dim();
        if (rank == 0) throw new ArgumentException($"{what}: input must have at least 1 dim");
        if (rank == 1) return (input.ToArray(), input.Size(0), []);
        var order = Enumerable.Range(0, rank).Where(d => d != 1).Append(1).ToArray();
        var shape = order.SkipLast(1).Select(d => input.Size(d)).ToArray();
        return (input.Permute(order).ToArray(), input.Size(1), shape);
    }

    private static int[] Targets(IntTensor target, int[] shape, string what)
    {
        if (!target.Shape.ToArray().SequenceEqual(shape))
            throw new ArgumentException($"{what}: target shape [{string.Join(", ", target.Shape)}] must be the input's without the class dim, [{string.Join(", ", shape)}]", nameof(target));
        return target.ToArray();
    }

    /// <summary>NLL over log-probabilities, with CrossEntropy's label smoothing ε (0 for NllLoss).</summary>
    public static Tensor Nll(Tensor logp, IntTensor target, Tensor? weight, int ignoreIndex, Reduction reduction, float smoothing, string what)
    {
        Require(smoothing is >= 0 and <= 1, $"{what}: labelSmoothing = {smoothing} (PyTorch takes 0 to 1)", "labelSmoothing");
        var (rows, classes, shape) = ClassRows(logp, what);
        var t = Targets(target, shape, what);
        var w = weight?.ToArray() ?? Enumerable.Repeat(1f, classes).ToArray();
        if (w.Length != classes) throw new ArgumentException($"{what}: weight has {w.Length} values for {classes} classes", nameof(weight));
        var loss = new float[t.Length];
        double total = 0, weights = 0;
        for (int r = 0; r < t.Length; r++)
        {
            if (t[r] == ignoreIndex) continue;
            if ((uint)t[r] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(target), t[r], $"Target {t[r]} is out of bounds: class indices must be in [0, {classes}) or equal ignore_index {ignoreIndex}.");
            var row = rows.AsSpan(r * classes, classes);
            double nll = -w[t[r]] * row[t[r]], smooth = 0;
            for (int c = 0; c < classes; c++) smooth -= w[c] * row[c];
            loss[r] = (float)((1 - smoothing) * nll + smoothing * smooth / classes);
            total += loss[r];
            weights += w[t[r]];
        }
        return reduction switch
        {
            Reduction.None => new Tensor(loss, shape),
            Reduction.Sum => Tensor.From((float)total),
            Reduction.Mean => Tensor.From((float)(total / weights)),
            _ => throw BadReduction(reduction),
        };
    }

    /// <summary>CrossEntropy with class probabilities: −Σ_c w_c t′_c log p_c, t′ = (1 − ε)t + ε/C; mean divides by the rows.</summary>
    public static Tensor SoftCrossEntropy(Tensor input, Tensor target, Tensor? weight, Reduction reduction, float smoothing)
    {
        Require(smoothing is >= 0 and <= 1, $"CrossEntropy: labelSmoothing = {smoothing} (PyTorch takes 0 to 1)", "labelSmoothing");
        if (!input.Shape.Equals(target.Shape))
            throw new ArgumentException($"CrossEntropy: probability targets of shape {target.Shape} for input {input.Shape}"
                + (target.Dim() == input.Dim() - 1 ? " (a float target holds class probabilities, shaped as the input; class indices are an IntTensor)" : ""), nameof(target));
        int dim = input.Dim() == 1 ? 0 : 1, classes = input.Size(dim);
        var logp = input.LogSoftmax(dim);
        var t = smoothing > 0 ? target * (1 - smoothing) + smoothing / classes : target;
        var w = weight is null ? null : input.Dim() <= 1 ? weight : weight.Reshape([classes, .. Enumerable.Repeat(1, input.Dim() - 2)]);
        var loss = -(w is null ? t * logp : w * t * logp).Sum(dim);
        return reduction == Reduction.Mean ? loss.Sum() / (input.Numel() / Math.Max(classes, 1)) : Reduce(loss, reduction);
    }

    public static Tensor SmoothL1(Tensor x, Tensor y, Reduction reduction, float beta)
    {
        SameShape("SmoothL1Loss", x, y);
        Require(beta >= 0, $"SmoothL1Loss with beta = {beta} (PyTorch requires beta ≥ 0)", nameof(beta));
        var d = (x - y).Abs();
        if (beta == 0) return Reduce(d, reduction);
        return Reduce(Where(d < beta, 0.5f * d * d / beta, d - 0.5f * beta), reduction);
    }

    public static Tensor Huber(Tensor x, Tensor y, Reduction reduction, float delta)
    {
        SameShape("HuberLoss", x, y);
        Require(delta > 0, $"HuberLoss with delta = {delta} (PyTorch requires delta > 0)", nameof(delta));
        var d = (x - y).Abs();
        return Reduce(Where(d < delta, 0.5f * d * d, delta * (d - 0.5f * delta)), reduction);
    }

    public static Tensor PoissonNll(Tensor x, Tensor t, bool logInput, bool full, float eps, Reduction reduction)
    {
        SameShape("PoissonNllLoss", x, t);
        var loss = logInput ? x.Exp() - t * x : x - t * (x + eps).Log();
        if (full) loss = loss + Where(t > 1f, t * t.Log() - t + 0.5f * (2f * MathF.PI * t).Log(), ZerosLike(t));
        return Reduce(loss, reduction);
    }

    public static Tensor KlDiv(Tensor x, Tensor t, Reduction reduction, bool logTarget)
    {
        SameShape("KlDiv", x, t);
        // t·(log t − x), with 0·log 0 = 0 (xlogy), or eᵗ·(t − x) for log targets
        var loss = logTarget ? t.Exp() * (t - x) : Where(t > 0f, t * t.ClampMin(float.Epsilon).Log(), ZerosLike(t)) - t * x;
        return reduction == Reduction.BatchMean ? loss.Sum() / (x.Dim() == 0 ? 1 : x.Size(0)) : Reduce(loss, reduction);
    }

    public static Tensor MarginRanking(Tensor x1, Tensor x2, Tensor y, float margin, Reduction reduction)
    {
        if (x1.Dim() != x2.Dim() || x1.Dim() != y.Dim())
            throw new ArgumentException($"MarginRankingLoss: all input tensors must have the same rank, got {Dims(x1)}, {Dims(x2)} and target {Dims(y)}", nameof(y));
        return Reduce((-y * (x1 - x2) + margin).ClampMin(0f), reduction);
    }

    public static Tensor HingeEmbedding(Tensor x, Tensor y, float margin, Reduction reduction)
    {
        SameShape("HingeEmbeddingLoss", x, y);
        return Reduce(Where(y != 1f, (margin - x).ClampMin(0f), ZerosLike(x)) + Where(y != -1f, x, ZerosLike(x)), reduction);
    }

    public static Tensor SoftMargin(Tensor x, Tensor y, Reduction reduction)
    {
        SameShape("SoftMarginLoss", x, y);
        return Reduce((-y * x).Softplus(), reduction);
    }

    public static Tensor MultilabelSoftMargin(Tensor x, Tensor y, Tensor? weight, Reduction reduction)
    {
        SameShape("MultilabelSoftMarginLoss", x, y);
        Fits("MultilabelSoftMarginLoss", x, weight, "weight");
        // log σ(x) = −softplus(−x), log σ(−x) = −softplus(x)
        var loss = -(y * -(-x).Softplus() + (1f - y) * -x.Softplus());
        if (weight is not null) loss = loss * weight;
        int classDim = x.Dim() - 1;
        return Reduce(loss.Sum(classDim) / x.Size(classDim), reduction);
    }

    public static Tensor MultiMargin(Tensor x, IntTensor target, int p, float margin, Tensor? weight, Reduction reduction)
    {
        if (p != 1 && p != 2) throw new ArgumentException("only p == 1 and p == 2 supported", nameof(p));
        var rows = x.Dim() == 1 ? x.Unsqueeze(0) : x;
        int n = rows.Size(0), classes = rows.Size(1);
        var v = rows.ToArray();
        var t = target.ToArray();
        if (t.Length != n) throw new ArgumentException($"MultiMargin: {t.Length} targets for {n} rows", nameof(target));
        var w = weight?.ToArray();
        Require(w is null || weight!.Dim() == 1 && w.Length == classes, $"MultiMarginLoss: weight shape {(weight is null ? "" : Dims(weight))} must be ({classes}), one per class", nameof(weight));
        var loss = new float[n];
        for (int r = 0; r < n; r++)
        {
            if ((uint)t[r] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(target), t[r], $"Target {t[r]} is out of bounds: class indices must be in [0, {classes}).");
            double sum = 0;
            float xy = v[r * classes + t[r]];
            for (int i = 0; i < classes; i++)
            {
                if (i == t[r]) continue;
                double z = Math.Max(0, margin - xy + v[r * classes + i]);
                sum += (p == 2 ? z * z : z) * (w is null ? 1 : w[t[r]]);
            }
            loss[r] = (float)(sum / classes);
        }
        var result = new Tensor(loss, x.Dim() == 1 ? [] : [n]);
        return Reduce(result, reduction);
    }

    public static Tensor MultilabelMargin(Tensor x, IntTensor target, Reduction reduction)
    {
        var rows = x.Dim() == 1 ? x.Unsqueeze(0) : x;
        int n = rows.Size(0), classes = rows.Size(1);
        var v = rows.ToArray();
        var t = target.ToArray();
        if (t.Length != n * classes) throw new ArgumentException($"MultilabelMargin: target shape {target.Shape} for input {x.Shape}", nameof(target));
        var loss = new float[n];
        for (int r = 0; r < n; r++)
        {
            var isTarget = new bool[classes];
            int count = 0;
            while (count < classes && t[r * classes + count] >= 0)
            {
                int j = t[r * classes + count];
                if (j >= classes) throw new ArgumentOutOfRangeException(nameof(target), j, $"Target {j} is out of bounds: class indices must be in [0, {classes}).");
                isTarget[j] = true;
                count++;
            }
            double sum = 0;
            for (int k = 0; k < count; k++)
            {
                float xj = v[r * classes + t[r * classes + k]];
                for (int i = 0; i < classes; i++)
                    if (!isTarget[i]) sum += Math.Max(0, 1 - (xj - v[r * classes + i]));
            }
            loss[r] = (float)(sum / classes);
        }
        return Reduce(new Tensor(loss, x.Dim() == 1 ? [] : [n]), reduction);
    }

    public static Tensor TripletMargin(Tensor a, Tensor p, Tensor n, float margin, float norm, float eps, bool swap, Reduction reduction)
    {
        SameShape("TripletMarginLoss", a, p, "positive");
        SameShape("TripletMarginLoss", a, n, "negative");
        int last = a.Dim() - 1;
        Tensor Distance(Tensor u, Tensor v) => (u - v + eps).Norm(norm, last);
        var dp = Distance(a, p);
        var dn = Distance(a, n);
        if (swap) dn = dn.Minimum(Distance(p, n));
        return Reduce((dp - dn + margin).ClampMin(0f), reduction);
    }

    public static Tensor CosineEmbedding(Tensor x1, Tensor x2, Tensor y, float margin, Reduction reduction)
    {
        SameShape("CosineEmbeddingLoss", x1, x2, "input2");
        if (x1.Dim() is not (1 or 2) || !y.Layout.Shape.AsSpan().SequenceEqual(x1.Layout.Shape.AsSpan(0, x1.Dim() - 1)))
            throw new ArgumentException($"CosineEmbeddingLoss: inputs (N, D) or (D) and a target (N) or (), got inputs {Dims(x1)} and target {Dims(y)}", nameof(y));
        const float Epsilon = 1e-12f;   // PyTorch's cosine_embedding_loss
        int dim = x1.Dim() - 1;
        var cos = (x1 * x2).Sum(dim) / (((x1 * x1).Sum(dim) + Epsilon) * ((x2 * x2).Sum(dim) + Epsilon)).Sqrt();
        var zeros = ZerosLike(cos);
        return Reduce(Where(y == 1f, 1f - cos, zeros) + Where(y == -1f, (cos - margin).ClampMin(0f), zeros), reduction);
    }

    public static Tensor Ctc(Tensor logProbs, IntTensor targets, IntTensor inputLengths, IntTensor targetLengths, int blank, Reduction reduction, bool zeroInfinity)
    {
        if (logProbs.Dim() != 3) throw new ArgumentException($"CtcLoss: logProbs must be (T, N, C), got {logProbs.Shape}", nameof(logProbs));
        int time = logProbs.Size(0), batch = logProbs.Size(1), classes = logProbs.Size(2);
        bool concatenated = targets.Dim() == 1;
        var lengths = targetLengths.ToArray();
        Require(blank >= 0 && blank < classes, $"CtcLoss with blank = {blank} for {classes} classes", nameof(blank));
        Require(inputLengths.Dim() == 1 && inputLengths.Shape[0] == batch && lengths.Length == batch && targetLengths.Dim() == 1,
            $"CtcLoss: inputLengths and targetLengths must be ({batch}), one per sample", nameof(inputLengths));
        Require(concatenated || targets.Dim() == 2 && targets.Shape[0] == batch, $"CtcLoss: targets must be (N, S) or concatenated (sum of target lengths)", nameof(targets));
        int maxTarget = concatenated ? lengths.DefaultIfEmpty(0).Max() : targets.Shape[1];
        Plan.CheckLengthValues("inputLengths", inputLengths.ToArray(), time);
        Plan.CheckLengthValues("targetLengths", lengths, concatenated ? targets.Shape[0] : maxTarget);
        if (concatenated) Plan.CheckLengthTotal("targetLengths", lengths, "targets", targets.Shape[0]);
        var labels = targets.ToArray();
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(targets), labels[i], $"Index 'targets'[{i}] = {labels[i]} is out of bounds for {classes} classes: targets must be in [0, {classes}).");
        float[] Floats(IntTensor t) => Array.ConvertAll(t.ToArray(), v => (float)v);
        var losses = new float[batch];
        new CtcOp(time, batch, classes, maxTarget, blank, concatenated, zeroInfinity, backward: false)
            .Run(logProbs.ToArray(), 0, Floats(targets), 0, Floats(inputLengths), 0, Floats(targetLengths), 0, losses, 0, losses, 0);
        var loss = new Tensor(losses, [batch]);
        if (reduction != Reduction.Mean) return Reduce(loss, reduction);
        var divisor = new Tensor(Array.ConvertAll(lengths, l => (float)Math.Max(l, 1)), [batch]);
        return (loss / divisor).Mean();
    }
}

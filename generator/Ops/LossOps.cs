using System.Linq;
using Kiln.Generator.Check;
using Kiln.Generator.Diagnostics;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Ops;

/// <summary>
/// The losses as decompositions into graph ops (torch.nn semantics), so their backward comes from the op rules.
/// Each public <c>Node Name(Call)</c> is the lowering of <c>Losses.Name</c> (found by <see cref="Registry"/>); it reads
/// PyTorch's arguments and calls the decomposition beside it.
/// reduction: 0 none, 1 sum, 2 mean. Weighted NLL/CrossEntropy mean divides by Σ weight[target], as PyTorch does.
/// </summary>
internal static class LossOps
{
    public const int None = 0, Sum = 1, Mean = 2, BatchMean = 3;

    public static Node MseLoss(Call c) => Mse(c.B, c.X(), c.Target(), NoBatchMean(c));
    public static Node L1Loss(Call c) => L1(c.B, c.X(), c.Target(), NoBatchMean(c));
    public static Node BinaryCrossEntropy(Call c) => Bce(c.B, c.X(), c.Target(), c.Optional("weight"), NoBatchMean(c));
    public static Node BinaryCrossEntropyWithLogits(Call c) =>
        BceWithLogits(c.B, c.X(), c.Target(), c.Optional("weight"), c.Optional("posWeight"), NoBatchMean(c));
    public static Node CrossEntropy(Call c)
    {
        var x = c.X();
        var target = c.Target();
        double smoothing = c.Number("labelSmoothing", 0);
        if (smoothing < 0 || smoothing > 1) throw c.Invalid($"labelSmoothing = {smoothing} (PyTorch takes 0 to 1)");
        if (x.Shape.Rank < 2) throw NoClassDim("CrossEntropy", x.Shape);
        if (GraphBuilder.IntInput(target) is null)
            return Probabilities(c.B, c.B.Softmax(x, 1, log: true), target, c.Optional("weight"), NoBatchMean(c), smoothing);
        // (N, C) logits without smoothing: the picked log-probabilities come off the softmax, which the backward reuses
        bool rows = x.Shape.Rank == 2 && smoothing == 0;
        return ClassIndices(c.B, "CrossEntropy", rows ? x : c.B.Softmax(x, 1, log: true), target, c.Optional("weight"), c.Int("ignoreIndex", -100), NoBatchMean(c), smoothing, logits: rows);
    }

    public static Node NllLoss(Call c) => ClassIndices(c.B, "NllLoss", c.X(), c.Target(), c.Optional("weight"), c.Int("ignoreIndex", -100), NoBatchMean(c), 0);

    /// <summary>A loss's reduction, refusing BatchMean (KlDiv's alone, as PyTorch).</summary>
    /// <summary>Logits (or log-probabilities) without a class dim after the batch dim: it said "target shape [N] does not fit input shape [N]".</summary>
    private static ShapeException NoClassDim(string loss, Shape input) =>
        new(Descriptors.InvalidArgument, $"{loss} of an input of shape {input} (the input is (N, C) or (N, C, d1, ...): classes along dim 1; one sample's (C) logits take Unsqueeze(0), and its target a [1])");

    private static int NoBatchMean(Call c) => c.Reduction() is var r && r == BatchMean ? throw c.Invalid("Reduction.BatchMean outside KlDiv (PyTorch has it for kl_div only)") : r;

    internal static Node Reduce(GraphBuilder b, Node elements, int reduction) => reduction switch
    {
        None => elements,
        Sum => b.Sum(elements, Axes(elements), keepDim: false),
        // mean = Σ (x / count): the scale rides in the reduction's pass instead of a kernel of its own
        BatchMean => b.Sum(b.Mul(elements, b.Const(1, elements.Shape.Rank == 0 ? Size.Of(1) : elements.Shape[0])), Axes(elements), keepDim: false),
        _ => b.Sum(b.Mul(elements, b.Const(1, elements.Shape.Count)), Axes(elements), keepDim: false),
    };

    private static int[] Axes(Node n) => System.Linq.Enumerable.Range(0, n.Shape.Rank).ToArray();

    private static void SameShape(string loss, Node input, Node target)
    {
        if (!input.Shape.Equals(target.Shape))
            throw new ShapeException(Descriptors.TargetShape, loss, input.Shape.ToString(), target.Shape.ToString());
    }

    private static Node Weighted(GraphBuilder b, string loss, Node elements, Node? weight)
    {
        if (weight is null) return elements;
        Fits(loss + " weight", weight, elements.Shape);
        return b.Mul(elements, b.Expand(weight, elements.Shape));
    }

    /// <summary>A loss's tensor argument that multiplies or selects its elements (a weight, pos_weight, a target) must broadcast to
    /// their shape: KLN0006 naming the argument, where the product would fail inside the loss as a Mul's or Where's KLN0002.</summary>
    private static void Fits(string what, Node? arg, Shape shape)
    {
        if (arg is null) return;
        bool fits = arg.Shape.Rank <= shape.Rank;
        for (int i = 1; fits && i <= arg.Shape.Rank; i++)
            fits = arg.Shape[arg.Shape.Rank - i] is var d && (d.IsOne || d == shape[shape.Rank - i]);
        if (!fits) throw new ShapeException(Descriptors.TargetShape, what, shape.ToString(), arg.Shape.ToString());
    }

    private static Node Mse(GraphBuilder b, Node x, Node y, int reduction)
    {
        SameShape("MseLoss", x, y);
        var d = b.Sub(x, y);
        return Reduce(b, b.Mul(d, d), reduction);
    }

    private static Node L1(GraphBuilder b, Node x, Node y, int reduction)
    {
        SameShape("L1Loss", x, y);
        return Reduce(b, b.Unary(Unary.Abs, b.Sub(x, y)), reduction);
    }

    /// <summary>
    /// -(y·log p + (1-y)·log(1-p)), each log clamped at -100 (PyTorch). When p = σ(z) the stable logits form
    /// softplus(z) - y·z is used instead: equal where both are finite, and exact where σ saturates.
    /// </summary>
    private static Node Bce(GraphBuilder b, Node p, Node y, Node? weight, int reduction)
    {
        SameShape("BinaryCrossEntropy", p, y);
        Node elements;
        if (p.Op == Unary.Sigmoid)
        {
            var z = p.Inputs[0];
            elements = b.Sub(b.Unary(Activations.Softplus, z), b.Mul(y, z));
        }
        else elements = b.Binary(BinaryCrossEntropyElement, p, y);
        return Reduce(b, Weighted(b, "BinaryCrossEntropy", elements, weight), reduction);
    }

    /// <summary>
    /// -(y·max(log p, -100) + (1-y)·max(log(1-p), -100)), log(1-p) as PyTorch's log1p(-p), one row with a hand-fused backward
    /// because the composite's is 0·∞ at p = 0 or 1: PyTorch's dp = (p - y)/max(p(1-p), 1e-12), and dy = max(log(1-p), -100) - max(log p, -100).
    /// </summary>
    public static readonly OpDef BinaryCrossEntropyElement = new ElementwiseOp("BceElement",
        scalar: (a, _) => $"(-({a[1]} * MathF.Max(MathF.Log({a[0]}), -100f) + (1f - {a[1]}) * MathF.Max(global::Kiln.Kernels.Simd.LogOneMinus({a[0]}), -100f)))",
        vector: (a, _) => $"(-({a[1]} * S.Max(global::Kiln.Kernels.Simd.Log({a[0]}), S.Create(-100f)) + (S.One - {a[1]}) * S.Max(global::Kiln.Kernels.Simd.LogOneMinus({a[0]}), S.Create(-100f))))",
        eval: (a, _) => -(a[1] * System.Math.Max(System.Math.Log(a[0]), -100) + (1 - a[1]) * System.Math.Max(Unary.Log1pDouble(-a[0]), -100)),
        backward: (b, n, g) =>
        {
            Node p = n.Inputs[0], y = n.Inputs[1];
            var one = b.Const(1);
            return
            [
                b.SumTo(b.Div(b.Mul(g, b.Sub(p, y)), b.ClampMin(b.Mul(p, b.Sub(one, p)), 1e-12)), p.Shape),
                b.SumTo(b.Mul(g, b.Sub(b.ClampMin(b.Unary(Unary.Log1p, b.Neg(p)), -100), b.ClampMin(b.Unary(Unary.Log, p), -100))), y.Shape),
            ];
        });

    /// <summary>
    /// softplus(x) - y·x, BCEWithLogits without pos_weight, one row computed as (max(x, 0) - y·x) + log(1 + e^-|x|) so the
    /// large terms cancel before the small one is added (PyTorch's order: exact for a confident right answer); its
    /// gradient σ(x) - y and -x for the target, as the composite's.
    /// </summary>
    public static readonly OpDef BceWithLogitsElement = new ElementwiseOp("BceLogitsElement",
        scalar: (a, _) => $"global::Kiln.Kernels.Simd.SoftplusMinus({a[0]}, {a[1]})",
        vector: (a, _) => $"global::Kiln.Kernels.Simd.SoftplusMinus({a[0]}, {a[1]})",
        eval: (a, _) => System.Math.Max(a[0], 0) - a[1] * a[0] + Unary.Log1pDouble(System.Math.Exp(-System.Math.Abs(a[0]))),
        backward: (b, n, g) =>
        [
            b.SumTo(b.Mul(g, b.Sub(b.Unary(Unary.Sigmoid, n.Inputs[0]), n.Inputs[1])), n.Inputs[0].Shape),
            b.SumTo(b.Mul(g, b.Neg(n.Inputs[0])), n.Inputs[1].Shape),
        ]);

    /// <summary>(1-y)·x + (1 + (pw-1)·y)·softplus(-x); without pos_weight, softplus(x) - y·x (<see cref="BceWithLogitsElement"/>).</summary>
    private static Node BceWithLogits(GraphBuilder b, Node x, Node y, Node? weight, Node? posWeight, int reduction)
    {
        SameShape("BinaryCrossEntropyWithLogits", x, y);
        Fits("BinaryCrossEntropyWithLogits pos_weight", posWeight, x.Shape);
        Node elements = posWeight is null
            ? b.Binary(BceWithLogitsElement, x, y)
            : b.Add(b.Mul(b.Sub(b.Const(1), y), x),
                    b.Mul(b.Add(b.Const(1), b.Mul(b.Sub(posWeight, b.Const(1)), y)), b.Unary(Activations.Softplus, b.Neg(x))));
        return Reduce(b, Weighted(b, "BinaryCrossEntropyWithLogits", elements, weight), reduction);
    }

    /// <summary>
    /// NLL of class indices on log-probabilities (N, C) or (N, C, d1, ...) with targets (N) or (N, d1, ...): -w[t]·logp[t],
    /// mean = Σ / Σ w[t] (ignored targets count 0 in both; all ignored gives NaN, as PyTorch). Label smoothing ε adds
    /// ε/C·(-Σ_c w_c·logp_c) at each non-ignored target and scales the NLL by 1 - ε (PyTorch's cross_entropy).
    /// K-dim inputs move the class dim last and flatten, so one Pick serves every position.
    /// </summary>
    /// <param name="logits">Whether <paramref name="logp"/> holds (N, C) logits rather than log-probabilities.</param>
    private static Node ClassIndices(GraphBuilder b, string loss, Node logp, Node target, Node? weight, int ignore, int reduction, double smoothing, bool logits = false)
    {
        var s = logp.Shape;
        if (s.Rank < 2) throw NoClassDim(loss, s);
        var expected = new Shape(s.Dims.Where((_, i) => i != 1));
        if (!target.Shape.Equals(expected))
            throw new ShapeException(Descriptors.TargetShape, $"{loss} (class indices have the input's shape without its class dim, {expected})", s.ToString(), target.Shape.ToString());
        if (weight is not null && (weight.Shape.Rank != 1 || weight.Shape[0] != s[1]))
            throw new ShapeException(Descriptors.TargetShape, loss + " weight (must be (C))", s.ToString(), weight.Shape.ToString());
        if (s.Rank > 2)
        {
            var order = new[] { 0 }.Concat(Enumerable.Range(2, s.Rank - 2)).Append(1).ToArray();
            logp = b.Reshape(b.Permute(logp, order), new Shape([expected.Count, s[1]]));
            target = b.Reshape(target, new Shape([expected.Count]));
        }
        var picked = logits ? b.PickLogSoftmax(logp, target, b.Softmax(logp, 1, log: false), ignore) : b.Pick(logp, target, ignore);
        var w = b.Pick(weight ?? b.Const(1), target, ignore);
        Node elements = b.Neg(weight is null ? picked : b.Mul(w, picked));
        if (smoothing > 0)
        {
            var weighted = weight is null ? logp : b.Mul(logp, weight);
            var smooth = b.Mul(b.Neg(b.Sum(weighted, [1], keepDim: false)), b.Pick(b.Const(1), target, ignore));
            elements = b.Add(b.Mul(b.Const(1 - smoothing), elements), b.Mul(b.Const(smoothing, s[1]), smooth));
        }
        if (reduction == None) return b.Reshape(elements, expected);
        if (reduction == Sum) return Reduce(b, elements, Sum);
        return b.Div(b.Sum(elements, [0], keepDim: false), b.Sum(w, [0], keepDim: false));
    }

    /// <summary>Cross entropy with class probabilities (target shaped as the input): -Σ_c w_c·t_c·logp_c; mean divides by N·d1·…</summary>
    private static Node Probabilities(GraphBuilder b, Node logp, Node target, Node? weight, int reduction, double smoothing)
    {
        // a float target one dim short is most likely class indices declared as a Tensor: say so
        SameShape(target.Shape.Rank == logp.Shape.Rank - 1
            ? "CrossEntropy (a float target holds class probabilities, shaped as the input; class indices are an IntTensor)"
            : "CrossEntropy (probability targets)", logp, target);
        // ε/C with C the class dim's size, named or not (a named C was read as its coefficient, 1: ε, not ε/C)
        if (smoothing > 0) target = b.Add(b.Mul(target, b.Const(1 - smoothing)), b.Const(smoothing, logp.Shape[1]));
        var terms = b.Mul(target, logp);
        if (weight is not null)
        {
            if (weight.Shape.Rank != 1 || weight.Shape[0] != logp.Shape[1])
                throw new ShapeException(Descriptors.TargetShape, "CrossEntropy weight (must be (C))", logp.Shape.ToString(), weight.Shape.ToString());
            terms = b.Mul(terms, b.Reshape(weight, new Shape(logp.Shape.Dims.Select((d, i) => i == 1 ? d : Size.Of(1)).Skip(1))));
        }
        return Reduce(b, b.Neg(b.Sum(terms, [1], keepDim: false)), reduction);
    }

    // ---- the other losses of torch.nn, as decompositions ----

    private static Node Diff(Call c, string loss, out Node x)
    {
        x = c.X();
        var y = c.Target();
        SameShape(loss, x, y);
        return c.B.Sub(x, y);
    }

    /// <summary>0.5·d²/β where |d| &lt; β, else |d| - 0.5·β; β = 0 is L1 exactly (PyTorch).</summary>
    public static Node SmoothL1Loss(Call c)
    {
        var d = Diff(c, "SmoothL1Loss", out _);
        double beta = c.Number("beta", 1);
        if (beta < 0) throw c.Invalid($"SmoothL1Loss with beta = {beta} (PyTorch requires beta ≥ 0)");
        var b = c.B;
        var abs = b.Unary(Unary.Abs, d);
        if (beta == 0) return Reduce(b, abs, NoBatchMean(c));
        // 0.5/β as one float constant, unless it overflows (β below 1.5e-39): then 0.5·d² divided by β, as PyTorch writes it
        var square = float.IsInfinity((float)(0.5 / beta)) ? b.Div(b.Mul(b.Mul(d, d), b.Const(0.5)), b.Const(beta)) : b.Mul(b.Mul(d, d), b.Const(0.5 / beta));
        var elements = b.Where(b.Binary(Arithmetic.Lt, abs, b.Const(beta)), square, b.Sub(abs, b.Const(0.5 * beta)));
        return Reduce(b, elements, NoBatchMean(c));
    }

    /// <summary>0.5·d² where |d| &lt; δ, else δ·(|d| - 0.5·δ).</summary>
    public static Node HuberLoss(Call c)
    {
        var d = Diff(c, "HuberLoss", out _);
        double delta = c.Number("delta", 1);
        if (delta <= 0) throw c.Invalid($"HuberLoss with delta = {delta} (PyTorch requires delta > 0)");
        var b = c.B;
        var abs = b.Unary(Unary.Abs, d);
        var elements = b.Where(b.Binary(Arithmetic.Lt, abs, b.Const(delta)), b.Mul(b.Mul(d, d), b.Const(0.5)), b.Mul(b.Const(delta), b.Sub(abs, b.Const(0.5 * delta))));
        return Reduce(b, elements, NoBatchMean(c));
    }

    /// <summary>exp(x) - t·x (logInput), or x - t·log(x + eps); full adds t·log t - t + 0.5·log(2πt) where t &gt; 1.</summary>
    public static Node PoissonNllLoss(Call c)
    {
        var b = c.B;
        var x = c.X();
        var t = c.Target();
        SameShape("PoissonNllLoss", x, t);
        var elements = c.Bool("logInput") || !c.Has("logInput")
            ? b.Sub(b.Unary(Unary.Exp, x), b.Mul(t, x))
            : b.Sub(x, b.Mul(t, b.Unary(Unary.Log, b.Add(x, b.Const(c.Number("eps", 1e-8))))));
        if (c.Bool("full"))
        {
            var stirling = b.Add(b.Sub(b.Mul(t, b.Unary(Unary.Log, t)), t), b.Mul(b.Const(0.5), b.Unary(Unary.Log, b.Mul(b.Const(2 * System.Math.PI), t))));
            elements = b.Add(elements, b.Where(b.Binary(Arithmetic.Gt, t, b.Const(1)), stirling, b.Const(0)));
        }
        return Reduce(b, elements, NoBatchMean(c));
    }

    /// <summary>KLDivLoss on log-probabilities x: t·(log t - x), 0 where t = 0 (NaN for t &lt; 0, as PyTorch's xlogy); with logTarget eᵗ·(t - x). BatchMean: Σ/N.</summary>
    public static Node KlDiv(Call c)
    {
        var b = c.B;
        var x = c.X();
        var t = c.Target();
        SameShape("KlDiv", x, t);
        var elements = c.Bool("logTarget")
            ? b.Mul(b.Unary(Unary.Exp, t), b.Sub(t, x))
            : KlTerms(b, x, t);
        return Reduce(b, elements, c.Reduction());
    }

    /// <summary>
    /// t·(log t - x) with xlogy's convention, 0·log 0 = 0. The log reads 1 where t = 0, so the branch Where does not take
    /// stays finite and its zero gradient cannot turn into 0·∞ (a target that underflowed to 0 keeps finite gradients).
    /// </summary>
    private static Node KlTerms(GraphBuilder b, Node x, Node t)
    {
        var zero = b.Binary(Arithmetic.Eq, t, b.Const(0));
        var safe = b.Where(zero, b.Const(1), t);
        return b.Where(zero, b.Neg(b.Mul(t, x)), b.Mul(t, b.Sub(b.Unary(Unary.Log, safe), x)));
    }

    /// <summary>max(0, -y·(x1 - x2) + margin); x1, x2 and y must have the same rank (then broadcast), as current PyTorch.</summary>
    public static Node MarginRankingLoss(Call c)
    {
        var b = c.B;
        Node x1 = c.Required("input1"), x2 = c.Required("input2"), y = c.Target();
        if (x1.Shape.Rank != x2.Shape.Rank || x1.Shape.Rank != y.Shape.Rank)
            throw new ShapeException(Descriptors.TargetShape, "MarginRankingLoss (all input tensors must have the same rank)", x1.Shape.ToString(), y.Shape.ToString());
        // clamp_min(…, 0) as PyTorch: its gradient passes at 0 (scores equal with margin 0 still learn), where relu's does not
        var elements = b.ClampMin(b.Add(b.Neg(b.Mul(y, b.Sub(x1, x2))), b.Const(c.Number("margin", 0))), 0);
        return Reduce(b, elements, NoBatchMean(c));
    }

    /// <summary>x where y ≠ -1 … as PyTorch: where(y ≠ 1, max(0, margin - x), 0) + where(y ≠ -1, x, 0).</summary>
    public static Node HingeEmbeddingLoss(Call c)
    {
        var b = c.B;
        var x = c.X();
        var y = c.Target();
        Fits("HingeEmbeddingLoss", y, x.Shape);
        var marginPart = b.Where(b.Binary(Arithmetic.Ne, y, b.Const(1)), b.ClampMin(b.Sub(b.Const(c.Number("margin", 1)), x), 0), b.Const(0));
        var selfPart = b.Where(b.Binary(Arithmetic.Ne, y, b.Const(-1)), x, b.Const(0));
        return Reduce(b, b.Add(marginPart, selfPart), NoBatchMean(c));
    }

    /// <summary>log(1 + exp(-y·x)) = softplus(-y·x), stable.</summary>
    public static Node SoftMarginLoss(Call c)
    {
        var b = c.B;
        var x = c.X();
        var y = c.Target();
        SameShape("SoftMarginLoss", x, y);
        return Reduce(b, b.Unary(Activations.Softplus, b.Neg(b.Mul(y, x))), NoBatchMean(c));
    }

    /// <summary>Per sample -(1/C)·Σ_c w_c·(y log σ(x) + (1 - y) log σ(-x)), stable through LogSigmoid.</summary>
    public static Node MultilabelSoftMarginLoss(Call c)
    {
        var b = c.B;
        var x = c.X();
        var y = c.Target();
        SameShape("MultilabelSoftMarginLoss", x, y);
        if (x.Shape.Rank != 2) throw new ShapeException(Descriptors.TargetShape, "MultilabelSoftMarginLoss (input must be (N, C))", x.Shape.ToString(), y.Shape.ToString());
        var terms = b.Add(b.Mul(y, b.Unary(Activations.LogSigmoid, x)), b.Mul(b.Sub(b.Const(1), y), b.Unary(Activations.LogSigmoid, b.Neg(x))));
        if (c.Optional("weight") is { } w)
        {
            Fits("MultilabelSoftMarginLoss weight", w, x.Shape);
            terms = b.Mul(terms, w);
        }
        var perSample = b.Neg(b.Sum(b.Mul(terms, b.Const(1, x.Shape[1])), [1], keepDim: false));
        return Reduce(b, perSample, NoBatchMean(c));
    }

    /// <summary>
    /// Per sample Σ_{i≠y} w_y·max(0, margin - x_y + x_i)^p / C: the sum over every i with the target's own term masked out
    /// by a one-hot of y (subtracting it as max(0, margin)^p went wrong once |x_y| ≥ 2^24, where (margin - x_y) + x_y is not
    /// margin: a loss of -0.25).
    /// </summary>
    public static Node MultiMarginLoss(Call c)
    {
        var b = c.B;
        var x = c.X();
        var t = c.Target();
        if (x.Shape.Rank != 2 || t.Shape.Rank != 1 || t.Shape[0] != x.Shape[0])
            throw new ShapeException(Descriptors.TargetShape, "MultiMarginLoss (input (N, C), target (N))", x.Shape.ToString(), t.Shape.ToString());
        int p = c.Int("p", 1);
        if (p is not (1 or 2)) throw c.Invalid($"MultiMarginLoss with p = {p} (PyTorch supports 1 and 2)");
        double margin = c.Number("margin", 1);
        var pick = b.Pick(x, t, int.MinValue);
        var xy = b.Reshape(pick, new Shape([x.Shape[0], Size.Of(1)]));
        var hinge = b.Unary(Unary.Relu, b.Add(b.Sub(b.Const(margin), xy), x));
        if (p == 2) hinge = b.Mul(hinge, hinge);
        var others = b.Sub(b.Const(1), b.Scatter(b.Expand(b.Const(1), t.Shape), pick.Inputs[1], x.Shape, int.MinValue));
        var perSample = b.Mul(b.Sum(b.Mul(hinge, others), [1], keepDim: false), b.Const(1, x.Shape[1]));
        if (c.Optional("weight") is { } w)
        {
            if (w.Shape.Rank != 1 || w.Shape[0] != x.Shape[1])
                throw new ShapeException(Descriptors.TargetShape, "MultiMarginLoss weight (must be (C))", x.Shape.ToString(), w.Shape.ToString());
            perSample = b.Mul(perSample, b.Pick(w, t, int.MinValue));
        }
        return Reduce(b, perSample, NoBatchMean(c));
    }

    /// <summary>
    /// Per sample Σ_{j target} Σ_{i not target} max(0, 1 - (x_j - x_i)) / C, targets padded with -1 (entries after the first
    /// -1 ignored). Which classes are targets is a scatter of the valid entries; the pair sum is over a (C, C) broadcast.
    /// </summary>
    public static Node MultilabelMarginLoss(Call c)
    {
        var b = c.B;
        var x = c.X();
        var t = c.Target();
        if (x.Shape.Rank != 2 || !t.Shape.Equals(x.Shape))
            throw new ShapeException(Descriptors.TargetShape, "MultilabelMarginLoss (input (N, C), target of the same shape)", x.Shape.ToString(), t.Shape.ToString());
        if (!x.Shape[1].IsConstant) throw c.Invalid($"MultilabelMarginLoss with a class dim named {x.Shape[1]} (its targets are checked against C on the host: give C as a number)");
        var index = b.AsIndices(t, x.Shape[1].Coefficient, padding: true);
        var negative = b.Binary(Arithmetic.Lt, index, b.Const(0));
        // an entry counts while no -1 came before it (or at it); the ones that do not scatter 0 into class 0
        var valid = b.Binary(Arithmetic.Eq, b.CumSum(negative, 1, reverse: false), b.Const(0));
        // how often each class is listed (a repeated target counts again, as PyTorch's loop over the list does)
        var listed = b.ScatterAdd(valid, b.Where(valid, index, b.Const(0)), 1, select: false, x.Shape);
        var isTarget = b.Binary(Arithmetic.Gt, listed, b.Const(0));
        var n = x.Shape[0];
        var cls = x.Shape[1];
        var xj = b.Reshape(x, new Shape([n, cls, Size.Of(1)]));
        var xi = b.Reshape(x, new Shape([n, Size.Of(1), cls]));
        var pairs = b.Mul(b.Mul(b.Unary(Unary.Relu, b.Sub(b.Const(1), b.Sub(xj, xi))), b.Reshape(listed, new Shape([n, cls, Size.Of(1)]))),
            b.Reshape(b.Binary(Arithmetic.LogicalNot, isTarget, isTarget), new Shape([n, Size.Of(1), cls])));
        var perSample = b.Sum(b.Mul(pairs, b.Const(1, cls)), [1, 2], keepDim: false);
        return Reduce(b, perSample, NoBatchMean(c));
    }

    /// <summary>max(d(a, p) - d(a, n) + margin, 0) with d = ‖x1 - x2 + eps‖_p over the last dim; swap takes min(d(a, n), d(p, n)).</summary>
    public static Node TripletMarginLoss(Call c)
    {
        var b = c.B;
        Node a = c.Required("anchor"), pos = c.Required("positive"), neg = c.Required("negative");
        if (!a.Shape.Equals(pos.Shape) || !a.Shape.Equals(neg.Shape))
            throw new ShapeException(Descriptors.TargetShape, "TripletMarginLoss (anchor, positive and negative of one shape)", a.Shape.ToString(), (a.Shape.Equals(pos.Shape) ? neg : pos).Shape.ToString());
        double p = c.Number("p", 2), eps = c.Number("eps", 1e-6);
        int last = a.Shape.Rank - 1;
        Node Distance(Node u, Node v)
        {
            var d = b.Unary(Unary.Abs, b.Add(b.Sub(u, v), b.Const(eps)));
            return p == 2 ? b.Unary(Unary.SafeSqrt, b.Sum(b.Mul(d, d), [last], keepDim: false))
                : p == 1 ? b.Sum(d, [last], keepDim: false)
                : b.Pow(b.Sum(b.Pow(d, b.Const(p)), [last], keepDim: false), b.Const(1 / p));
        }
        var dap = Distance(a, pos);
        var dan = Distance(a, neg);
        if (c.Bool("swap")) dan = b.Binary(Arithmetic.Minimum, dan, Distance(pos, neg));
        return Reduce(b, b.ClampMin(b.Add(b.Sub(dap, dan), b.Const(c.Number("margin", 1))), 0), NoBatchMean(c)); // clamp_min, as PyTorch
    }

    /// <summary>1 - cos where y = 1, max(0, cos - margin) where y = -1; cos over dim 1 with PyTorch's 1e-12 in each squared norm.</summary>
    public static Node CosineEmbeddingLoss(Call c)
    {
        var b = c.B;
        Node x1 = c.Required("input1"), x2 = c.Required("input2"), y = c.Target();
        if (!x1.Shape.Equals(x2.Shape) || x1.Shape.Rank != 2 || y.Shape.Rank != 1 || y.Shape[0] != x1.Shape[0])
            throw new ShapeException(Descriptors.TargetShape, "CosineEmbeddingLoss (inputs (N, D), target (N))", x1.Shape.ToString(), y.Shape.ToString());
        var dot = b.Sum(b.Mul(x1, x2), [1], keepDim: false);
        var m1 = b.Add(b.Sum(b.Mul(x1, x1), [1], keepDim: false), b.Const(1e-12));
        var m2 = b.Add(b.Sum(b.Mul(x2, x2), [1], keepDim: false), b.Const(1e-12));
        var cos = b.Div(dot, b.Unary(Unary.Sqrt, b.Mul(m1, m2)));
        var pos = b.Where(b.Binary(Arithmetic.Eq, y, b.Const(1)), b.Sub(b.Const(1), cos), b.Const(0));
        var neg = b.Where(b.Binary(Arithmetic.Eq, y, b.Const(-1)), b.ClampMin(b.Sub(cos, b.Const(c.Number("margin", 0))), 0), b.Const(0));
        return Reduce(b, b.Add(pos, neg), NoBatchMean(c));
    }

    /// <summary>
    /// CTCLoss: -log p(target | logProbs) per sample, logProbs (T, N, C), targets padded (N, S) or concatenated (Σ lengths);
    /// Mean divides each loss by its target length (at least 1), then averages; zeroInfinity turns an infeasible sample's
    /// ∞ into 0. The gradient is the true derivative with respect to logProbs (not PyTorch's logits-form quirk).
    /// </summary>
    public static Node CtcLoss(Call c)
    {
        var b = c.B;
        var lp = c.Required("logProbs");
        Node targets = c.Required("targets"), inputLengths = c.Required("inputLengths"), targetLengths = c.Required("targetLengths");
        if (lp.Shape.Rank != 3 || !lp.Shape[0].IsConstant || !lp.Shape[2].IsConstant)
            throw new ShapeException(Descriptors.TargetShape, "CtcLoss logProbs (must be (T, N, C) with T and C fixed numbers)", lp.Shape.ToString(), targets.Shape.ToString());
        var batch = lp.Shape[1];
        bool concatenated = targets.Shape.Rank == 1;
        if (!concatenated && (targets.Shape.Rank != 2 || targets.Shape[0] != batch || !targets.Shape[1].IsConstant))
            throw new ShapeException(Descriptors.TargetShape, "CtcLoss targets (padded (N, S) or concatenated (Σ lengths))", lp.Shape.ToString(), targets.Shape.ToString());
        if (!inputLengths.Shape.Equals(new Shape([batch])) || !targetLengths.Shape.Equals(new Shape([batch])))
            throw new ShapeException(Descriptors.TargetShape, "CtcLoss lengths (must be (N))", lp.Shape.ToString(), inputLengths.Shape.ToString());
        if (!lp.Shape[0].IsConstant || !lp.Shape[2].IsConstant || !targets.Shape[targets.Shape.Rank - 1].IsConstant)
            throw c.Invalid($"CtcLoss of log-probabilities {lp.Shape} and targets {targets.Shape} (its lengths are checked against T, C and S on the host: give them as numbers)");
        long time = lp.Shape[0].Coefficient, classes = lp.Shape[2].Coefficient;
        long maxTarget = concatenated ? targets.Shape[0].Coefficient : targets.Shape[1].Coefficient;
        int blank = c.Int("blank", 0);
        if (blank < 0 || blank >= classes) throw c.Invalid($"CtcLoss with blank = {blank} for {classes} classes");
        var losses = b.Ctc(lp, b.AsIndices(targets, classes), b.AsIndices(inputLengths, time + 1, lengths: true), b.AsIndices(targetLengths, maxTarget + 1, lengths: true),
            [blank, concatenated ? 1 : 0, c.Bool("zeroInfinity") ? 1 : 0, maxTarget]);
        int reduction = NoBatchMean(c);
        if (reduction != Mean) return Reduce(b, losses, reduction);
        return Reduce(b, b.Div(losses, b.ClampMin(b.AsIndices(targetLengths, maxTarget + 1, lengths: true), 1)), Mean);
    }
}

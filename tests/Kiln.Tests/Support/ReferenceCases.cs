using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln.Tests.Support;

// Inside the namespace so these names win over any same-named type further out (Kiln's own namespace is searched later).
using static Kiln.Tests.Support.ReferenceOps;

/// <summary>
/// Every [Loss] and [Forward] method of the models in Models/OpModels.cs and Models/SeedModels.cs, transcribed by hand
/// into <see cref="ReferenceOps"/> calls. Float literals keep their <c>f</c> suffix so the constants are the float values the model uses.
/// </summary>
internal static class ReferenceCases
{
    /// <summary>The method's output computed with ReferenceOps, written by hand from the model's source.</summary>
    public static RefTensor Evaluate(string model, string method, IReadOnlyDictionary<string, RefTensor> inputs, IReadOnlyDictionary<string, RefTensor> parameters)
    {
        if (!Cases.TryGetValue(Key(model, method), out var evaluate))
            throw new KeyNotFoundException($"no reference for {model}.{method}");
        return evaluate(new Args(model, method, inputs, parameters));
    }

    public static bool Has(string model, string method) => Cases.ContainsKey(Key(model, method));

    /// <summary>The "Model.Method" names with a reference, for coverage checks.</summary>
    public static IEnumerable<string> Names => Cases.Keys;

    private static string Key(string model, string method) => model + "." + method;

    private sealed class Args(string model, string method, IReadOnlyDictionary<string, RefTensor> inputs, IReadOnlyDictionary<string, RefTensor> parameters)
    {
        /// <summary>An input, by the C# parameter name.</summary>
        public RefTensor I(string name) => Find(inputs, name, "input");

        /// <summary>A parameter, by its path ("a", "hidden.weight").</summary>
        public RefTensor P(string name) => Find(parameters, name, "parameter");

        /// <summary>The draw of the plan's first run: OpCase's seed (7), ticket 0, training mode.</summary>
        public RefDraw D => new(7, 0);

        /// <summary>An IntTensor input's class indices.</summary>
        public int[] Classes(string name) => I(name).ToIndices();

        private RefTensor Find(IReadOnlyDictionary<string, RefTensor> from, string name, string kind) =>
            from.TryGetValue(name, out var t) ? t
            : throw new KeyNotFoundException($"{model}.{method}: no {kind} named '{name}' (have: {string.Join(", ", from.Keys)})");
    }

    private static RefTensor S(double v) => RefTensor.Scalar(v);

    // t₁ + t₂ + … folded from the left, as C# evaluates a chain of + in the model source.
    private static RefTensor Terms(params RefTensor[] terms) => terms.Aggregate(Add);

    // ControlFlow's three layers (tanh, sigmoid·0.5, tanh), then the sum and two scaled means, written out.
    private static RefTensor ControlFlowWritten(Args c)
    {
        var h1 = Tanh(Add(MatMul(c.I("x"), c.P("w")), c.P("b")));
        var h2 = Mul(Sigmoid(MatMul(h1, c.P("w"))), S(0.5f));
        var h3 = Tanh(Add(MatMul(h2, c.P("w")), c.P("b")));
        return Terms(Sum(h3), Mean(Mul(h3, S(4f))), Mean(Mul(h3, S(2f))));
    }

    // TwoLayer's helper, transcribed once because both its [Forward] and its [Loss] call it.
    private static RefTensor TwoLayerLogits(Args c)
    {
        var features = Tanh(Linear(c.I("x"), c.P("hidden.weight"), c.P("hidden.bias")));
        return Linear(features, c.P("output.weight"), c.P("output.bias"));
    }

    private static readonly Dictionary<string, Func<Args, RefTensor>> Cases = new()
    {
        // ------------------------------------------------ Arithmetic: a (3,4), b (4), c (3,1), d (2,3,4)
        ["Arithmetic.AddBroadcast"] = c => Sum(Mul(Add(c.P("a"), c.P("b")), c.I("r"))),
        ["Arithmetic.ManyOperands"] = c => Sum(Mul(c.P("a"), Terms(Enumerable.Range(0, 18).Select(i => c.I("r" + i)).ToArray()))),
        ["Arithmetic.SubBroadcast"] = c => Sum(Mul(Sub(c.P("a"), c.P("c")), c.I("r"))),
        ["Arithmetic.MulBroadcast3d"] = c => Sum(Mul(Mul(c.P("d"), c.P("c")), c.I("r"))),
        ["Arithmetic.Div"] = c => Sum(Mul(Div(c.P("a"), Add(Mul(c.P("b"), c.P("b")), S(0.5f))), c.I("r"))),
        ["Arithmetic.Scalars"] = c =>
        {
            var a = c.P("a");
            var left = Div(Add(Sub(S(3f), Mul(a, S(2f))), S(1.5f)), S(4f));
            var right = Div(S(2f), Add(Mul(a, a), S(1f)));
            return Sum(Mul(Sub(left, right), c.I("r")));
        },
        ["Arithmetic.Negate"] = c => Sum(Mul(Neg(c.P("a")), c.I("r"))),
        ["Arithmetic.PowScalar"] = c => Sum(Mul(Pow(Add(Mul(c.P("a"), c.P("a")), S(0.5f)), 1.5f), c.I("r"))),
        ["Arithmetic.PowSquare"] = c => Sum(Mul(Pow(c.P("a"), 2f), c.I("r"))),
        ["Arithmetic.PowSpecialized"] = c =>
        {
            var a = c.P("a");
            var p = Add(Mul(a, a), S(0.5f));
            return Sum(Mul(Add(Add(Add(Add(Pow(a, 3), Pow(a, 4)), Pow(p, -0.5)), Pow(p, -2)), Pow(a, 0)), c.I("r")));
        },
        ["Arithmetic.PowTensor"] = c => Sum(Mul(Pow(Add(Mul(c.P("a"), c.P("a")), S(0.5f)), c.P("b")), c.I("r"))),
        ["Arithmetic.SharedUse"] = c =>
        {
            var s = Sigmoid(c.P("a"));
            return Sum(Add(Mul(Mul(s, s), c.I("r")), s));
        },

        // ------------------------------------------------ Unaries: a (4,5)
        ["Unaries.ExpLoss"] = c => Sum(Mul(Exp(c.P("a")), c.I("r"))),
        ["Unaries.LogLoss"] = c => Sum(Mul(Log(Add(Mul(c.P("a"), c.P("a")), S(0.1f))), c.I("r"))),
        ["Unaries.SqrtLoss"] = c => Sum(Mul(Sqrt(Add(Mul(c.P("a"), c.P("a")), S(0.1f))), c.I("r"))),
        ["Unaries.AbsLoss"] = c => Sum(Mul(Abs(c.P("a")), c.I("r"))),
        ["Unaries.SigmoidLoss"] = c => Sum(Mul(Sigmoid(Mul(c.P("a"), S(3f))), c.I("r"))),
        ["Unaries.TanhLoss"] = c => Sum(Mul(Tanh(c.P("a")), c.I("r"))),
        ["Unaries.ReluLoss"] = c => Sum(Mul(Relu(c.P("a")), c.I("r"))),
        ["Unaries.SoftplusLoss"] = c => Sum(Mul(Softplus(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["Unaries.SoftplusMethod"] = c => Sum(Mul(Softplus(Mul(c.P("a"), S(4f))), c.I("r"))),

        // ------------------------------------------------ MatMuls: a (3,4), b (2,3,4), m (4,5), c (2,1,3,4), e (3,4,2), v (3), u (4)
        ["MatMuls.Plain"] = c => Sum(Mul(MatMul(c.I("x"), c.P("a")), c.I("r"))),
        ["MatMuls.Batched"] = c => Sum(Mul(MatMul(c.P("b"), c.P("m")), c.I("r"))),
        ["MatMuls.BroadcastBatch"] = c => Sum(Mul(MatMul(c.P("c"), c.P("e")), c.I("r"))),
        ["MatMuls.VectorLeft"] = c => Sum(Mul(MatMul(c.P("v"), c.P("a")), c.I("r"))),
        ["MatMuls.VectorRight"] = c => Sum(Mul(MatMul(c.P("a"), c.P("u")), c.I("r"))),
        ["MatMuls.Transposed"] = c => Sum(Mul(MatMul(T(c.P("a")), c.P("a")), c.I("r"))),
        ["MatMuls.LinearOp"] = c => Sum(Mul(Linear(c.I("x"), c.P("a"), c.P("v")), c.I("r"))),

        // ------------------------------------------------ Reductions: a (3,5), d (2,3,4)
        ["Reductions.SumAll"] = c => Sum(Mul(c.P("a"), c.P("a"))),
        ["Reductions.SumDim"] = c => Sum(Mul(Sum(c.P("a"), 1), c.I("r"))),
        ["SharedWeights.Twice"] = c => Sum(Mul(Add(Linear(c.I("x"), c.P("w"), c.P("b")), Tanh(Linear(c.I("z"), c.P("w"), c.P("b")))), c.I("r"))),
        ["SharedWeights.Unrolled"] = c =>
        {
            var h = c.I("x");
            for (int t = 0; t < 3; t++) h = Tanh(MatMul(h, c.P("u")));
            return Sum(Mul(h, c.I("r")));
        },
        ["SharedWeights.Nested"] = c =>
        {
            RefTensor P(RefTensor v) => Linear(v, c.P("p.weight"), c.P("p.bias"));
            var q = Linear(c.I("z"), c.P("q.weight"), c.P("q.bias"));
            return Sum(Mul(Add(Tanh(Add(P(c.I("x")), q)), Tanh(P(c.I("z")))), c.I("r")));
        },
        ["SharedWeights.TwoBiases"] = c => Sum(Mul(Tanh(Add(Linear(c.I("x"), c.P("w"), c.P("b")), c.P("c"))), c.I("r"))),
        ["ColumnTotals.SumRows"] = c => Sum(Mul(Sum(Mul(Tanh(c.P("a")), c.P("b")), 0), c.I("r"))),
        ["ColumnTotals.MaxRows"] = c => Sum(Mul(Amax(Mul(c.P("a"), c.P("b")), 0, keepDim: true), c.I("r"))),
        ["ColumnTotals.BiasGradient"] = c => Sum(Mul(Linear(c.I("x"), c.P("w"), c.P("b")), c.I("r"))),
        ["ColumnTotals.Totals"] = c => Sum(Mul(c.I("x"), c.I("x")), 0),
        ["ColumnTotals.Maxima"] = c => Amax(c.I("x"), 0),
        ["FlatKernels.Biased"] = c => Mul(Elu(Add(c.I("x"), c.P("b"))), S(2f)),
        ["FlatKernels.Narrow"] = c => Add(Mul(Tanh(c.I("x")), c.I("y")), S(1f)),
        ["FlatKernels.Twelve"] = c => Sigmoid(Sub(c.I("x"), c.P("c"))),
        ["FlatKernels.BiasGradient"] = c => Sum(Mul(Elu(Add(c.I("x"), c.P("b"))), c.I("r"))),
        ["Reductions.SumKeepDim"] = c => Sum(Mul(Sum(c.P("a"), 0, keepDim: true), c.I("r"))),
        ["Reductions.SumMiddle"] = c => Sum(Mul(Sum(Exp(c.P("d")), 1), c.I("r"))),
        ["Reductions.MeanAll"] = c => Mean(Tanh(c.P("a"))),
        ["Reductions.MeanLast"] = c => Sum(Mul(Mean(c.P("d"), -1), c.I("r"))),
        ["Reductions.SoftmaxRows"] = c => Sum(Mul(Softmax(c.P("a"), 1), c.I("r"))),
        ["Reductions.LogSoftmaxCols"] = c => Sum(Mul(LogSoftmax(c.P("a"), 0), c.I("r"))),
        ["Reductions.SoftmaxMiddle"] = c => Sum(Mul(Softmax(c.P("d"), 1), c.I("r"))),
        ["Reductions.AmaxRows"] = c => Sum(Mul(Amax(c.P("a"), 1), c.I("r"))),
        ["Reductions.AminColsKeepDim"] = c => Sum(Mul(Amin(c.P("a"), 0, keepDim: true), c.I("r"))),
        ["Reductions.AmaxAll"] = c => Amax(Exp(c.P("d"))),
        ["Reductions.AminAll"] = c => Amin(c.P("d")),
        ["Reductions.AmaxMiddle"] = c => Sum(Mul(Amax(c.P("d"), -2), c.I("r"))),

        // ------------------------------------------------ Views: d (2,3,4), a (3,4), v (3)
        ["Views.TransposeLoss"] = c => Sum(Mul(Transpose(c.P("d"), 0, 2), c.I("r"))),
        ["Views.TLoss"] = c => Sum(Mul(T(Exp(c.P("a"))), c.I("r"))),
        ["Views.ReshapeLoss"] = c => Sum(Mul(Reshape(Sigmoid(c.P("a")), 4, -1), c.I("r"))),
        ["Views.UnsqueezeLoss"] = c => Sum(Mul(Add(c.P("a"), Unsqueeze(c.P("v"), 1)), c.I("r"))),
        ["Views.SqueezeLoss"] = c => Sum(Mul(Squeeze(Sum(c.P("a"), 1, keepDim: true), 1), c.I("r"))),
        ["Views.TransposeThenReshape"] = c => Sum(Mul(Reshape(T(c.P("a")), 12), c.I("r"))),

        // ------------------------------------------------ LossModels: a (4,3), z (4,1)
        ["LossModels.MseMean"] = c => MseLoss(c.P("a"), c.I("y")),
        ["LossModels.MseSum"] = c => MseLoss(c.P("a"), c.I("y"), Reduction.Sum),
        ["LossModels.MseNone"] = c => Sum(Mul(MseLoss(c.P("a"), c.I("y"), Reduction.None), c.I("r"))),
        ["LossModels.L1Mean"] = c => L1Loss(c.P("a"), c.I("y")),
        ["LossModels.L1None"] = c => Sum(Mul(L1Loss(c.P("a"), c.I("y"), Reduction.None), c.I("r"))),
        ["LossModels.BceSigmoid"] = c => BinaryCrossEntropy(Sigmoid(c.P("a")), c.I("y")),
        ["LossModels.BceProbabilities"] = c => BinaryCrossEntropy(Add(Mul(Sigmoid(c.P("a")), S(0.9f)), S(0.05f)), c.I("y"), reduction: Reduction.Sum),
        ["LossModels.BceWeighted"] = c => BinaryCrossEntropy(Sigmoid(c.P("a")), c.I("y"), c.I("w")),
        ["LossModels.BceLogits"] = c => BinaryCrossEntropyWithLogits(c.P("a"), c.I("y")),
        ["LossModels.BceLogitsWeighted"] = c => BinaryCrossEntropyWithLogits(c.P("a"), c.I("y"), c.I("w"), c.I("pw"), Reduction.Sum),
        ["LossModels.BceLogitsNone"] = c => Sum(Mul(BinaryCrossEntropyWithLogits(c.P("z"), c.I("y"), reduction: Reduction.None), c.I("r"))),
        ["LossModels.CrossEntropyMean"] = c => CrossEntropy(c.P("a"), c.Classes("t")),
        ["LossModels.CrossEntropyWeighted"] = c => CrossEntropy(c.P("a"), c.Classes("t"), c.I("w")),
        ["LossModels.CrossEntropyIgnore"] = c => CrossEntropy(c.P("a"), c.Classes("t"), ignoreIndex: 1),
        ["LossModels.CrossEntropyNone"] = c => Sum(Mul(CrossEntropy(c.P("a"), c.Classes("t"), reduction: Reduction.None), c.I("r"))),
        ["LossModels.NllSum"] = c => NllLoss(LogSoftmax(c.P("a"), 1), c.Classes("t"), reduction: Reduction.Sum),
        ["LossModels.NllWeightedMean"] = c => NllLoss(LogSoftmax(c.P("a"), 1), c.Classes("t"), c.I("w")),

        // ------------------------------------------------ TwoLayer: hidden = Linear(5 → 4), output = Linear(4 → 3)
        ["TwoLayer.Logits"] = TwoLayerLogits,
        ["TwoLayer.Loss"] = c => CrossEntropy(TwoLayerLogits(c), c.Classes("t")),

        // ------------------------------------------------ Ties: a (2,3)
        ["Ties.RowMax"] = c => Sum(Amax(c.P("a"), 1)),
        ["Ties.AllMin"] = c => Amin(c.P("a")),

        // ------------------------------------------------ MethodForms: a (3,4), m (4,2)
        ["MethodForms.ExpMethod"] = c => Sum(Mul(Exp(c.P("a")), c.I("r"))),
        ["MethodForms.LogMethod"] = c => Sum(Mul(Log(Add(Mul(c.P("a"), c.P("a")), S(0.1f))), c.I("r"))),
        ["MethodForms.SqrtMethod"] = c => Sum(Mul(Sqrt(Add(Mul(c.P("a"), c.P("a")), S(0.1f))), c.I("r"))),
        ["MethodForms.AbsMethod"] = c => Sum(Mul(Abs(c.P("a")), c.I("r"))),
        ["MethodForms.SigmoidMethod"] = c => Sum(Mul(Sigmoid(c.P("a")), c.I("r"))),
        ["MethodForms.ReluMethod"] = c => Sum(Mul(Relu(c.P("a")), c.I("r"))),
        ["MethodForms.LogSoftmaxMethod"] = c => Sum(Mul(LogSoftmax(c.P("a"), -1), c.I("r"))),
        ["MethodForms.SumStatic"] = c => Sum(Mul(Sum(c.P("a"), 0), c.I("r"))),
        ["MethodForms.MeanStaticKeepDim"] = c => Sum(Mul(Mean(c.P("a"), 1, keepDim: true), c.I("r"))),
        ["MethodForms.MatMulStatic"] = c => Sum(Mul(MatMul(c.P("a"), c.P("m")), c.I("r"))),
        ["MethodForms.LinearNoBias"] = c => Sum(Mul(Linear(c.P("a"), T(c.P("m"))), c.I("r"))),

        // ------------------------------------------------ ElementwiseMath: a (4,5), b (5)
        ["ElementwiseMath.ClampLoss"] = c => Sum(Mul(Clamp(Mul(c.P("a"), S(4f)), -0.5f, 0.8f), c.I("r"))),
        ["ElementwiseMath.ClampMethod"] = c => Sum(Mul(Clamp(Mul(c.P("a"), S(4f)), -1f, 0.3f), c.I("r"))),
        ["ElementwiseMath.ClampMinLoss"] = c => Sum(Mul(ClampMin(Mul(c.P("a"), S(4f)), -0.2f), c.I("r"))),
        ["ElementwiseMath.ClampMinMethod"] = c => Sum(Mul(ClampMin(Mul(c.P("a"), S(4f)), 0.1f), c.I("r"))),
        ["ElementwiseMath.ClampMaxLoss"] = c => Sum(Mul(ClampMax(Mul(c.P("a"), S(4f)), 0.2f), c.I("r"))),
        ["ElementwiseMath.ClampMaxMethod"] = c => Sum(Mul(ClampMax(Mul(c.P("a"), S(4f)), -0.1f), c.I("r"))),
        ["ElementwiseMath.MaximumBroadcast"] = c => Sum(Mul(Maximum(c.P("a"), c.P("b")), c.I("r"))),
        ["ElementwiseMath.MinimumMethod"] = c => Sum(Mul(Minimum(c.P("a"), c.P("b")), c.I("r"))),
        ["ElementwiseMath.RemainderFmod"] = c =>
        {
            RefTensor a = c.P("a"), a3 = Mul(c.P("a"), S(3f));
            var y = Add(Add(Add(Add(Remainder(a, Add(c.P("b"), S(2.5f))), Remainder(a3, -0.7f)), Remainder(a, Sub(c.P("b"), S(2.5f)))), Fmod(a3, 0.7f)), Fmod(a, Sub(c.P("b"), S(2.5f))));
            return Sum(Mul(Remainder(y, 1.3f), c.I("r")));
        },
        ["ElementwiseMath.MinMaxOtherSpellings"] = c => Sum(Mul(Add(Maximum(c.P("a"), c.P("b")), Minimum(Mul(c.P("a"), S(2f)), c.P("b"))), c.I("r"))),
        ["ElementwiseMath.SignLoss"] = c => Sum(Mul(Add(Sign(c.P("a")), c.P("a")), c.I("r"))),
        ["ElementwiseMath.SignMethod"] = c => Sum(Mul(Add(Sign(c.P("a")), c.P("a")), c.I("r"))),
        ["ElementwiseMath.FloorCeilRound"] = c =>
        {
            var a = c.P("a");
            var a5 = Mul(a, S(5f));
            return Sum(Mul(Add(Add(Add(Floor(a5), Ceil(a5)), Round(a5)), a), c.I("r")));
        },
        ["ElementwiseMath.FloorCeilRoundMethods"] = c =>
        {
            var a = c.P("a");
            var a5 = Mul(a, S(5f));
            return Sum(Mul(Add(Add(Add(Floor(a5), Ceil(a5)), Round(a5)), a), c.I("r")));
        },
        ["ElementwiseMath.ReciprocalRsqrt"] = c =>
        {
            var aa = Mul(c.P("a"), c.P("a"));
            return Sum(Mul(Add(Reciprocal(Add(aa, S(0.5f))), Rsqrt(Add(aa, S(0.1f)))), c.I("r")));
        },
        ["ElementwiseMath.ReciprocalRsqrtMethods"] = c =>
        {
            var aa = Mul(c.P("a"), c.P("a"));
            return Sum(Mul(Add(Reciprocal(Add(aa, S(0.5f))), Rsqrt(Add(aa, S(0.1f)))), c.I("r")));
        },
        ["ElementwiseMath.SquareLoss"] = c => Sum(Mul(Add(Square(c.P("a")), Mul(Square(c.P("a")), S(2f))), c.I("r"))),
        ["ElementwiseMath.Log1pExpm1"] = c =>
        {
            var a = c.P("a");
            var sum = Add(Add(Add(Mul(Log1p(Mul(a, S(1e-3f))), S(1000f)), Expm1(a)), Log1p(Mul(a, a))), Expm1(a));
            return Sum(Mul(sum, c.I("r")));
        },
        ["ElementwiseMath.Log2Log10"] = c =>
        {
            var aa = Mul(c.P("a"), c.P("a"));
            var sum = Add(Add(Add(Log2(Add(aa, S(0.1f))), Log10(Add(aa, S(0.1f)))), Log2(Add(aa, S(0.2f)))), Log10(Add(aa, S(0.2f))));
            return Sum(Mul(sum, c.I("r")));
        },
        ["ElementwiseMath.SinCos"] = c =>
        {
            var a = c.P("a");
            var sum = Add(Add(Sin(Mul(a, S(3f))), Cos(Mul(a, S(3f)))), Mul(Sin(Mul(a, S(2f))), Cos(Mul(a, S(2f)))));
            return Sum(Mul(sum, c.I("r")));
        },
        ["ElementwiseMath.ErfLoss"] = c => Sum(Mul(Add(Erf(Mul(c.P("a"), S(3f))), Erf(Mul(c.P("a"), S(0.5f)))), c.I("r"))),

        // ------------------------------------------------ ActivationModels: a (4,5)
        ["ActivationModels.LeakyReluLoss"] = c => Sum(Mul(LeakyRelu(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["ActivationModels.LeakyReluSlope"] = c => Sum(Mul(LeakyRelu(Mul(c.P("a"), S(4f)), negativeSlope: 0.2f), c.I("r"))),
        ["ActivationModels.EluLoss"] = c =>
        {
            var x = Mul(c.P("a"), S(4f));
            return Sum(Mul(Add(Add(Elu(x), Elu(x, alpha: 0.5f)), Elu(x, alpha: -0.5f)), c.I("r")));
        },
        ["ActivationModels.SeluLoss"] = c => Sum(Mul(Selu(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["ActivationModels.CeluLoss"] = c =>
        {
            var x = Mul(c.P("a"), S(4f));
            return Sum(Mul(Add(Celu(x), Celu(x, 2f)), c.I("r")));
        },
        ["ActivationModels.GeluLoss"] = c => Sum(Mul(Gelu(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["ActivationModels.GeluTanhLoss"] = c => Sum(Mul(Gelu(Mul(c.P("a"), S(4f)), approximate: "tanh"), c.I("r"))),
        ["ActivationModels.SiluLoss"] = c => Sum(Mul(Silu(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["ActivationModels.MishLoss"] = c => Sum(Mul(Mish(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["ActivationModels.SoftplusBetaThreshold"] = c =>
        {
            var x = Mul(c.P("a"), S(4f));
            // The method form's single argument is beta; its threshold stays at the default 20.
            return Sum(Mul(Add(Softplus(x, beta: 2f, threshold: 1.5f), Softplus(x, 0.5f)), c.I("r")));
        },
        ["ActivationModels.SoftsignLoss"] = c => Sum(Mul(Softsign(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["ActivationModels.LogSigmoidLoss"] = c => Sum(Mul(LogSigmoid(Mul(c.P("a"), S(4f))), c.I("r"))),
        ["ActivationModels.HardtanhLoss"] = c =>
        {
            var x = Mul(c.P("a"), S(4f));
            return Sum(Mul(Add(Hardtanh(x), Hardtanh(x, -0.5f, 1.5f)), c.I("r")));
        },
        ["ActivationModels.HardsigmoidLoss"] = c => Sum(Mul(Hardsigmoid(Mul(c.P("a"), S(8f))), c.I("r"))),
        ["ActivationModels.HardswishLoss"] = c => Sum(Mul(Hardswish(Mul(c.P("a"), S(8f))), c.I("r"))),
        ["ActivationModels.Relu6Loss"] = c => Sum(Mul(Relu6(Mul(c.P("a"), S(16f))), c.I("r"))),
        ["ActivationModels.ThresholdLoss"] = c => Sum(Mul(Threshold(Mul(c.P("a"), S(4f)), 0.3f, -2f), c.I("r"))),

        // ------------------------------------------------ Masks: a (4,5), b (5); a mask is a 0/1 tensor, as a bool tensor promotes in arithmetic
        ["Masks.WhereLoss"] = c => Sum(Mul(Where(Gt(c.P("a"), c.P("b")), Mul(c.P("a"), S(2f)), Exp(c.P("a"))), c.I("r"))),
        ["Masks.WhereScalars"] = c =>
        {
            var a = c.P("a");
            return Sum(Mul(Add(Where(Ge(a, S(0f)), a, S(0.5f)), Where(Lt(a, S(0.1f)), S(-1f), Mul(a, a))), c.I("r")));
        },
        ["Masks.ComparisonOperators"] = c =>
        {
            RefTensor a = c.P("a"), b = c.P("b");
            var sum = Terms(
                Mul(Gt(a, S(0f)), a),
                Mul(Le(a, b), S(2f)),
                Mul(Eq(a, b), b),
                Mul(Ne(a, S(0.3f)), a),
                Mul(Lt(S(0.1f), a), a),
                Mul(Ge(a, b), a));
            return Sum(Mul(sum, c.I("r")));
        },
        ["Masks.ComparisonMethods"] = c =>
        {
            RefTensor a = c.P("a"), b = c.P("b");
            var sum = Terms(
                Mul(Gt(a, b), a),
                Mul(Ge(a, S(0f)), a),
                Lt(a, b), // .Float() of a 0/1 mask is the mask itself
                Mul(Le(a, S(0.2f)), a),
                Mul(Eq(a, b), a),
                Mul(Ne(a, b), a),
                Mul(Gt(a, S(0.1f)), a),
                Mul(Lt(a, S(0f)), a),
                Mul(Ge(a, b), a),
                Mul(Le(a, b), a),
                Mul(Eq(a, S(0f)), a),
                Mul(Ne(a, S(0f)), a));
            return Sum(Mul(sum, c.I("r")));
        },
        ["Masks.LogicalOperators"] = c =>
        {
            RefTensor a = c.P("a"), b = c.P("b");
            var sum = Terms(
                Mul(LogicalAnd(Gt(a, S(0f)), Lt(a, S(0.3f))), a),
                Mul(LogicalOr(Gt(a, S(0.2f)), Lt(a, S(-0.2f))), a),
                Mul(Ne(Gt(a, S(0f)), Gt(b, S(0f))), a), // xor of two masks: they differ
                Mul(LogicalNot(Gt(a, S(0f))), a));
            return Sum(Mul(sum, c.I("r")));
        },
        ["Masks.LogicalMethods"] = c =>
        {
            RefTensor a = c.P("a"), b = c.P("b");
            var sum = Terms(
                Mul(LogicalAnd(Gt(a, S(0f)), Gt(b, S(0f))), a),
                Mul(LogicalOr(Gt(a, S(0.2f)), Lt(b, S(0f))), a),
                Mul(Ne(Gt(a, S(0f)), Gt(b, S(0f))), a), // xor of two masks: they differ
                Mul(LogicalNot(Gt(a, b)), a),
                Mul(LogicalAnd(Gt(a, S(0f)), Gt(b, S(0f))), a),
                Mul(LogicalOr(Gt(a, S(0f)), Gt(b, S(0f))), a),
                Mul(Ne(Gt(a, S(0f)), Gt(b, S(0f))), a), // xor of two masks: they differ
                Mul(LogicalNot(Gt(a, S(0f))), a));
            return Sum(Mul(sum, c.I("r")));
        },
        ["Masks.MaskedFillLoss"] = c => Sum(Mul(MaskedFill(c.P("a"), Lt(c.P("a"), S(0f)), 0.25f), c.I("r"))),
        ["Masks.MaskedMean"] = c =>
        {
            var a = c.P("a");
            return Div(Sum(Mul(a, Gt(a, S(0f)))), Sum(Gt(a, S(0f))));
        },
        ["Masks.CountsByDim"] = c =>
        {
            var a = c.P("a");
            var positive = Gt(a, S(0f));
            // `1f - mask` is Kiln's 0/1 arithmetic; PyTorch rejects `-` on a bool tensor (its spelling is 1 - mask.float()).
            return Terms(Sum(Mul(Sum(positive, 0), c.I("r"))), Sum(Mul(a, a)), Mul(Sum(Sub(S(1f), positive)), S(0.5f)));
        },

        // ------------------------------------------------ MoreReductions: d (2,3,4), a (3,5)
        ["MoreReductions.SumDims"] = c => Sum(Mul(Sum(c.P("d"), [0, 2]), c.I("r"))),
        ["MoreReductions.MeanDimsKeep"] = c => Sum(Mul(Mean(Exp(c.P("d")), [-1, 1], keepDim: true), c.I("r"))),
        ["MoreReductions.AmaxDims"] = c => Add(Sum(Mul(Amax(c.P("d"), [0, 2]), c.I("r"))), Sum(Amin(c.P("d"), [1, 2]))),
        ["MoreReductions.ProdAll"] = c => Prod(Add(c.P("a"), S(1.5f))),
        ["MoreReductions.ProdRows"] = c => Add(Sum(Mul(Prod(Mul(c.P("a"), S(2f)), 1), c.I("r"))), Sum(Prod(c.P("a"), 0, keepDim: true))),
        ["MoreReductions.MaxMin"] = c =>
        {
            RefTensor d = c.P("d"), a = c.P("a");
            return Add(Sub(Max(d), Min(d)), Mul(Max(a), Min(a)));
        },
        ["MoreReductions.VarAll"] = c => Add(Var(c.P("d")), Var(c.P("a"), correction: 0)),
        ["MoreReductions.VarDim"] = c =>
            Add(Sum(Mul(Var(c.P("a"), 1), c.I("r"))), Sum(Mul(Var(c.P("d"), [0, 2], correction: 0, keepDim: true), S(2f)))),
        ["MoreReductions.StdDim"] = c =>
        {
            RefTensor d = c.P("d"), a = c.P("a");
            return Terms(Sum(Mul(Std(a, 0), c.I("r"))), Std(d), Sum(Std(d, [1], keepDim: true)), Sum(Std(a, 1, correction: 0)));
        },
        ["MoreReductions.Norms"] = c =>
        {
            RefTensor d = c.P("d"), a = c.P("a");
            var rows = Terms(Norm(a, 2f, 1), Norm(a, 1f, 1), Norm(a, float.PositiveInfinity, 1), Norm(a, float.NegativeInfinity, 1), Norm(a, 3f, 1));
            return Terms(Sum(Mul(rows, c.I("r"))), Norm(d), Norm(d, 0.5f), Sum(Norm(d, 2f, [0, 2], keepDim: true)));
        },
        ["MoreReductions.LogSumExpLoss"] = c =>
        {
            RefTensor d = c.P("d"), a = c.P("a");
            return Terms(Sum(Mul(LogSumExp(Mul(a, S(4f)), 1), c.I("r"))), Sum(LogSumExp(d, [0, 1])), Sum(LogSumExp(d, -1, keepDim: true)));
        },
        ["MoreReductions.CumSumLoss"] = c => Add(Sum(Mul(CumSum(c.P("a"), 1), c.I("r"))), Sum(Mul(CumSum(c.P("d"), 0), c.P("d")))),

        // ------------------------------------------------ ZeroStatistics: v (4)
        ["ZeroStatistics.NormOfV"] = c => Norm(c.P("v")),
        ["ZeroStatistics.StdOfV"] = c => Std(c.P("v")),
        ["ZeroStatistics.ProdOfV"] = c => Prod(c.P("v")),

        // ------------------------------------------------ Indexing: d (4,3,5), a (6,4); C#'s d[..2, ^1..] is Python's d[:2, -1:]
        ["Indexing.FirstTwo"] = c => Sum(Mul(Index(c.P("d"), ..2), c.I("r"))),
        ["Indexing.TwoRanges"] = c => Sum(Mul(Index(c.P("d"), ..2, 1..), c.I("r"))),
        ["Indexing.FromTheEnd"] = c => Sum(Mul(Exp(Index(c.P("d"), ..2, ^1..)), c.I("r"))),
        ["Indexing.IntDropsDim"] = c =>
        {
            RefTensor d = c.P("d"), a = c.P("a");
            return Terms(Sum(Mul(Index(d, 1), c.I("r"))), Sum(Mul(Index(a, .., 0), Index(a, .., 3))), Index(d, ^1, 2, ^2));
        },
        ["Indexing.EllipsisIndex"] = c => Add(Sum(Mul(Index(c.P("d"), "...", 4), c.I("r"))), Sum(Index(c.P("d"), 0, "..."))),
        ["Indexing.SliceWithStep"] = c =>
        {
            var a = c.P("a");
            return Terms(Sum(Mul(Slice(a, 0, 0, 6, 2), c.I("r"))), Mul(Sum(Slice(a, 1, start: -2)), S(2f)), Sum(Slice(a, 0, 1, step: 3)));
        },
        ["Indexing.NarrowSelect"] = c => Add(Sum(Mul(Narrow(Select(c.P("d"), 1, 1), 0, 1, 2), c.I("r"))), Sum(Narrow(c.P("d"), 2, -2, 2))),
        ["Indexing.OverlappingReadsSum"] = c =>
        {
            var a = c.P("a");
            return Add(Sum(Mul(Index(a, ..4), Index(a, 2..))), Mul(Sum(Index(a, 1..3, 1..3)), S(3f)));
        },
        ["Indexing.SliceIntoMatMul"] = c => Sum(Mul(MatMul(Index(c.P("a"), ..2, 1..3), Index(c.P("a"), 2..4, ..2)), c.I("r"))),
        ["Indexing.PermuteExpand"] = c =>
        {
            RefTensor d = c.P("d"), a = c.P("a");
            return Add(Sum(Mul(Permute(d, 2, 0, 1), c.I("r"))), Sum(Mul(Expand(Index(a, 0), 3, 4), Index(a, ..3))));
        },
        ["Indexing.RepeatTiles"] = c => Sum(Mul(Repeat(c.P("a"), 2, 2, 1), c.I("r"))),
        ["Indexing.FlattenViewContiguous"] = c =>
        {
            var d = c.P("d");
            return Terms(
                Sum(Mul(Flatten(d, 1), c.I("r"))),
                Sum(Mul(Sum(View(Contiguous(Transpose(d, 0, 2)), 5, -1), 1), Index(d, 0, 0))),
                Sum(Flatten(d)));
        },
        ["Indexing.SqueezeAll"] = c =>
        {
            var d = c.P("d");
            return Add(Sum(Mul(Squeeze(Index(d, ..1, 2..3)), c.I("r"))), Sum(Transpose(Squeeze(Unsqueeze(d, -1), -1), -1, -2)));
        },

        // ------------------------------------------------ Joins: a (3,4), b (3,2), v (4)
        ["Joins.CatColumns"] = c => Sum(Mul(Cat([c.P("a"), c.P("b"), c.P("a")], 1), c.I("r"))),
        ["Joins.CatRows"] = c => Sum(Mul(Cat([c.P("a"), Unsqueeze(Exp(c.P("v")), 0), c.P("a")], dim: 0), c.I("r"))),
        ["Joins.CatScalars"] = c =>
        {
            RefTensor a = c.P("a"), b = c.P("b"), v = c.P("v");
            return Sum(Mul(Cat([Unsqueeze(Mean(a), 0), Unsqueeze(Std(a), 0), Unsqueeze(Sum(b), 0), Unsqueeze(Amax(v), 0)]), c.I("r")));
        },
        ["Joins.StackNew"] = c =>
        {
            RefTensor a = c.P("a"), v = c.P("v");
            return Add(Sum(Mul(Stack([a, Mul(a, S(2f))], 1), c.I("r"))), Sum(Stack([v, v])));
        },
        ["Joins.SplitSizes"] = c =>
        {
            var a = c.P("a");
            return Add(Sum(Mul(Split(a, 3, 1)[1], c.I("r"))), Sum(Mul(Split(a, 3, 1)[0], Split(a, 3, 1)[0])));
        },
        ["Joins.SplitList"] = c =>
        {
            var a = c.P("a");
            return Add(Sum(Mul(Split(a, [1, 2], 0)[1], c.I("r"))), Mul(Sum(Split(a, [1, 2])[0]), S(3f)));
        },
        ["Joins.ChunkParts"] = c =>
        {
            var parts = Chunk(c.P("a"), 2, 1);
            return Sum(Mul(Mul(parts[0], parts[1]), c.I("r")));
        },

        // ------------------------------------------------ IndexOps: a (3,5), table (6,4); indices are doubles holding integers,
        // so `indices.Float()` is the indices themselves (ReferenceOps.Float is a mask's 0/1 and must not be used on them)
        ["IndexOps.MaxValuesByDim"] = c => Add(Sum(Mul(Max(c.P("a"), 1).Values, c.I("r"))), Sum(Min(c.P("a"), 0, keepDim: true).Values)),
        ["IndexOps.MaxDeconstructed"] = c =>
        {
            var (values, indices) = Max(c.P("a"), 0);
            return Add(Sum(Mul(values, c.I("r"))), Sum(Mul(indices, values)));
        },
        ["IndexOps.ArgMaxAsNumbers"] = c =>
        {
            var a = c.P("a");
            // C# precedence: X.Sum() + (ArgMin() * Sum()) + Y.Sum(), folded from the left.
            return Terms(Sum(Mul(Mul(ArgMax(a, 1), Sum(a, 1)), c.I("r"))), Mul(ArgMin(a), Sum(a)), Sum(Mul(ArgMin(a, 0, keepDim: true), a)));
        },
        ["IndexOps.GatherRows"] = c => Add(Sum(Mul(Gather(c.P("a"), 1, c.I("index")), c.I("r"))), Sum(Gather(Exp(c.P("a")), 1, c.I("index")))),
        ["IndexOps.EmbeddingLookup"] = c =>
            Add(Sum(Mul(IndexSelect(c.P("table"), 0, c.I("ids")), c.I("r"))), Sum(Mul(IndexSelect(c.P("table"), 1, c.I("cols")), S(2f)))),
        ["IndexOps.Accuracy"] = c => Add(Mean(Float(Eq(ArgMax(c.P("a"), 1), c.I("t")))), CrossEntropy(c.P("a"), c.Classes("t"))),

        // ------------------------------------------------ SeedLosses (all [Forward], no parameters)
        // MoreLosses and SeedLossesMore: transcribed from Models/OpModels.cs and Models/SeedModels.cs onto ReferenceOps.Losses.cs
        ["MoreLosses.SmoothL1"] = c => Terms(SmoothL1Loss(Mul(c.P("a"), S(3f)), c.I("y")), SmoothL1Loss(c.P("a"), c.I("y"), Reduction.Sum, beta: 0.3f), SmoothL1Loss(c.P("a"), c.I("y"), beta: 0f)),
        ["MoreLosses.Huber"] = c => Add(HuberLoss(Mul(c.P("a"), S(3f)), c.I("y")), HuberLoss(c.P("a"), c.I("y"), Reduction.Sum, delta: 0.4f)),
        ["MoreLosses.PoissonNll"] = c => Add(PoissonNllLoss(c.P("a"), Mul(c.I("y"), S(3f))),
            PoissonNllLoss(Add(Mul(c.P("a"), c.P("a")), S(0.5f)), Mul(c.I("y"), S(3f)), logInput: false, full: true, reduction: Reduction.Sum)),
        ["MoreLosses.KlDivergence"] = c => Add(KlDiv(LogSoftmax(c.P("a"), 1), Softmax(Mul(c.I("y"), S(3f)), 1), Reduction.BatchMean),
            KlDiv(LogSoftmax(c.P("a"), 1), LogSoftmax(c.P("b"), 1), Reduction.Sum, logTarget: true)),
        ["MoreLosses.MarginRanking"] = c => MarginRankingLoss(c.P("a"), c.P("b"), Sign(Sub(c.I("y"), S(0.5f))), margin: 0.2f),
        ["MoreLosses.HingeEmbedding"] = c => HingeEmbeddingLoss(Mul(c.P("a"), S(2f)), Sign(Sub(c.I("y"), S(0.5f))), margin: 0.5f),
        ["MoreLosses.SoftMargin"] = c => SoftMarginLoss(Mul(c.P("a"), S(4f)), Sign(Sub(c.I("y"), S(0.5f)))),
        ["MoreLosses.MultilabelSoftMargin"] = c => Add(MultilabelSoftMarginLoss(Mul(c.P("a"), S(3f)), c.I("y")), MultilabelSoftMarginLoss(c.P("a"), c.I("y"), c.I("w"), Reduction.Sum)),
        ["MoreLosses.MultiMargin"] = c => Add(MultiMarginLoss(Mul(c.P("a"), S(2f)), c.Classes("t")),
            MultiMarginLoss(c.P("a"), c.Classes("t"), p: 2, margin: 0.5f, weight: c.I("w"), reduction: Reduction.Sum)),
        ["MoreLosses.MultilabelMargin"] = c => MultilabelMarginLoss(Mul(c.P("a"), S(2f)), c.Classes("t")),
        ["MoreLosses.TripletMargin"] = c => Add(TripletMarginLoss(c.P("a"), c.P("b"), Sub(Mul(c.P("a"), S(0.5f)), c.P("b")), margin: 0.5f),
            TripletMarginLoss(c.P("a"), Mul(c.P("b"), S(2f)), c.P("b"), p: 1f, swap: true, reduction: Reduction.Sum)),
        ["MoreLosses.CosineEmbedding"] = c => CosineEmbeddingLoss(c.P("a"), c.P("b"), Sign(Sub(c.I("y"), S(0.5f))), margin: 0.1f),
        ["MoreLosses.CrossEntropySmoothed"] = c => Add(CrossEntropyEx(c.P("a"), c.Classes("t"), labelSmoothing: 0.2f),
            CrossEntropyEx(c.P("a"), c.Classes("t"), c.I("w"), reduction: Reduction.Sum, labelSmoothing: 0.1f)),
        ["MoreLosses.CrossEntropySmoothedIgnore"] = c => CrossEntropyEx(c.P("a"), c.Classes("t"), c.I("w"), ignoreIndex: 1, labelSmoothing: 0.3f),
        ["MoreLosses.CrossEntropyProbabilities"] = c => Add(CrossEntropy(c.P("a"), Softmax(Mul(c.I("y"), S(2f)), 1)),
            CrossEntropy(c.P("a"), Softmax(c.I("y"), 1), c.I("w"), Reduction.Sum, labelSmoothing: 0.25f)),
        ["MoreLosses.CrossEntropyKDim"] = c => Add(CrossEntropyEx(c.P("k"), c.Classes("t")), CrossEntropyEx(c.P("k"), c.Classes("t"), c.I("w"), reduction: Reduction.Sum)),
        ["MoreLosses.NllKDim"] = c => Sum(Mul(NllLossEx(LogSoftmax(c.P("k"), 1), c.Classes("t"), reduction: Reduction.None), c.I("r"))),
        ["MoreLosses.BceAtTheEdges"] = c => BinaryCrossEntropy(Add(Mul(Sigmoid(c.P("a")), S(0.9f)), S(0.05f)), c.I("y")),
        ["SeedLossesMore.KlDivMean"] = c => KlDiv(c.I("x"), c.I("p")),
        ["SeedLossesMore.KlDivBatchMean"] = c => KlDiv(c.I("x"), c.I("p"), Reduction.BatchMean),
        ["SeedLossesMore.KlDivNone"] = c => KlDiv(c.I("x"), c.I("p"), Reduction.None),
        ["SeedLossesMore.MarginRankingNone"] = c => MarginRankingLoss(c.I("x1"), c.I("x2"), c.I("pm"), reduction: Reduction.None),
        ["SeedLossesMore.MultilabelMargin"] = c => MultilabelMarginLoss(c.I("x"), c.Classes("y")),
        ["SeedLossesMore.MultilabelSoftMargin"] = c => MultilabelSoftMarginLoss(c.I("x"), c.I("y")),
        ["SeedLossesMore.MultiMarginNone"] = c => MultiMarginLoss(c.I("x"), c.Classes("y"), reduction: Reduction.None),
        ["SeedLossesMore.TripletMargin"] = c => TripletMarginLoss(c.I("a"), c.I("p"), c.I("n"), margin: 1f, p: 1f),
        ["SeedLossesMore.HingeEmbeddingNone"] = c => HingeEmbeddingLoss(c.I("x"), c.I("pm"), 1f, Reduction.None),
        ["SeedLossesMore.CosineEmbeddingNone"] = c => CosineEmbeddingLoss(c.I("x1"), c.I("x2"), c.I("pm"), reduction: Reduction.None),
        ["SeedLossesMore.PoissonNllNone"] = c => PoissonNllLoss(c.I("x"), c.I("t"), reduction: Reduction.None),
        ["SeedLossesMore.SoftMarginNone"] = c => SoftMarginLoss(c.I("x"), c.I("y"), Reduction.None),
        ["CtcModel.Loss"] = c => CtcLoss(LogSoftmax(c.P("logits"), 2), c.Classes("targets"), c.Classes("inputLengths"), c.Classes("targetLengths"), reduction: Reduction.Sum, zeroInfinity: true),
        ["LossShapes.Regression"] = c => Terms(SmoothL1Loss(Mul(c.P("a"), S(2f)), c.I("y"), beta: 0.5f), HuberLoss(Mul(c.P("a"), S(2f)), c.I("y"), delta: 2f),
            PoissonNllLoss(c.P("a"), c.I("y"), reduction: Reduction.Sum)),
        ["LossShapes.Divergence"] = c => Add(KlDiv(LogSoftmax(c.P("a"), 1), Softmax(c.I("y"), 1)), SoftMarginLoss(c.P("a"), Sign(Sub(c.I("y"), S(0.5f))), Reduction.Sum)),
        ["LossShapes.Margins"] = c => Terms(MultiMarginLoss(c.P("a"), c.Classes("t"), margin: 2f), MultilabelMarginLoss(c.P("a"), c.Classes("labels"), Reduction.Sum),
            CosineEmbeddingLoss(c.P("a"), c.P("b"), Sign(Sub(c.I("y"), S(0.5f))), reduction: Reduction.Sum), TripletMarginLoss(c.P("a"), c.P("b"), Sub(c.P("a"), c.P("b")), p: 3f)),
        ["LossShapes.CrossEntropyKDim"] = c => Add(CrossEntropyEx(c.P("k"), c.Classes("t"), labelSmoothing: 0.15f), NllLossEx(LogSoftmax(c.P("k"), 1), c.Classes("t"), reduction: Reduction.Sum)),
        // detach: the values pass; ReferenceOps.Frozen holds them fixed while the tests differentiate numerically
        ["Detaching.ThroughOneBranch"] = c => Sum(Mul(Add(Mul(Sigmoid(c.P("a")), Detach(Tanh(c.P("a")))), c.P("b")), c.I("r"))),
        ["Detaching.StaticSpelling"] = c => Add(Sum(Mul(Mul(Exp(c.P("a")), Detach(Mul(c.P("a"), c.P("b")))), c.I("r"))), Sum(Detach(c.P("b")))),
        ["ControlFlow.Unrolled"] = c => ControlFlowWritten(c),
        ["ControlFlow.WrittenOut"] = c => ControlFlowWritten(c),
        // Tanh(x·b) + Sigmoid(x) + Sigmoid(x·b)·0.5 + b·2, summed; then Layers = 3 picks x·b·3
        ["ControlFlow.Switched"] = c => Add(Sum(Terms(Tanh(Mul(c.I("x"), c.P("b"))), Sigmoid(c.I("x")), Mul(Sigmoid(Mul(c.I("x"), c.P("b"))), S(0.5f)), Mul(c.P("b"), S(2f)))),
            Sum(Mul(Mul(c.I("x"), c.P("b")), S(3f)))),
        ["ControlFlow.Collected"] = c =>
        {
            RefTensor xb = Mul(c.I("x"), c.P("b")), row0 = Mul(xb, S(1)), row1 = Add(Mul(xb, S(2)), c.I("x")), row2 = Mul(xb, S(3));
            return Add(Sum(Stack([row0, row1, row2])), Mean(Cat([row0, row2], 1)));
        },
        ["ControlFlow.Swaps"] = c => Sum(Add(Mul(Sub(c.I("x"), c.P("b")), S(2f)), Mul(c.I("x"), c.P("b")))),
        ["ControlFlow.Columns"] = c => Sum(Mul(Mul(c.I("x"), c.P("b")), new RefTensor([3], [1, 2, 3]))),   // Σ x[n, j]·b[j]·(j + 1)
        ["ControlFlow.Helpers"] = c =>
        {
            RefTensor Block(RefTensor h, int k, bool gate)
            {
                for (int i = 0; i < k; i++) h = Tanh(Add(MatMul(h, c.P("w")), Mul(c.P("b"), S(i + 1))));
                return gate ? Sigmoid(h) : h;
            }
            var x = c.I("x");
            // Block(x, 2).Sum() + Block(x, 1, gate).Mean() + (x·2).Sum() + (x·3).Sum()
            return Terms(Sum(Block(x, 2, false)), Mean(Block(x, 1, true)), Sum(Mul(x, S(2))), Sum(Mul(x, S(3))));
        },
        ["Scalars.Weighted"] = c => Add(Mul(Sum(Mul(c.P("a"), c.I("r"))), c.I("w")), Mul(MseLoss(c.P("a"), c.I("r")), Sub(S(1f), c.I("w")))),
        ["Scalars.ThroughHelper"] = c => Mul(Sum(Mul(c.P("a"), c.I("r"))), c.I("w")),
        ["Scalars.Tempered"] = c => Softmax(Div(Mul(c.I("x"), c.P("a")), c.I("w")), 1),
        ["Scalars.Passed"] = c => Add(Sum(Softmax(Div(Mul(c.I("x"), c.P("a")), c.I("w")), 1)), Mean(Mul(Softmax(Div(Mul(c.I("x"), c.P("a")), S(2f)), 1), c.I("x")))),
        ["InputGrads.Regression"] = c => Add(MseLoss(MatMul(c.I("x"), c.I("w")), c.I("y")), Mul(Sum(c.P("a")), S(0f))),
        ["InputGrads.Mixed"] = c => Terms(Sum(Mul(Tanh(Mul(c.I("x"), c.P("a"))), c.I("pw"))), Sum(Detach(c.I("unused"))), Mean(Mul(c.I("x"), c.I("x")))),
        // a tuple's first element is what the plan returns; ManyOutputsTests checks the others
        ["ManyOutputs.Both"] = c => MatMul(c.I("x"), T(c.P("w"))),
        ["ManyOutputs.Train"] = c => CrossEntropy(MatMul(c.I("x"), T(c.P("w"))), c.Classes("t")),
        ["Creation.Filled"] = c => Sum(Mul(Add(Add(Add(c.P("a"), Zeros(2, 3)), Mul(Ones(3), S(2f))), Full([2, 1], 0.5f)), c.I("r"))),
        ["Creation.Like"] = c => Sum(Mul(Add(Add(Mul(c.P("a"), OnesLike(c.P("a"))), ZerosLike(c.I("r"))), FullLike(c.P("a"), -1.5f)), c.I("r"))),
        ["Creation.Ranges"] = c => Terms(
            Sum(Mul(Add(Add(Mul(c.P("a"), Arange(3f)), Arange(1f, 2.5f, 0.5f)), Mul(c.P("a"), Linspace(-1f, 2f, 3))), c.I("r"))),
            Sum(Mul(Logspace(0.1f, 1f, 5), S(0.25f))), Sum(Logspace(2f, 2f, 1, 2f)), Sum(Mul(Sum(c.P("a"), 0), Arange(4f, 1f, -1f)))),
        ["Creation.Identity"] = c => Sum(Add(MatMul(MatMul(c.P("a"), Eye(3)), c.I("r")), Mul(Eye(2, 3), c.P("a")))),
        ["Creation.Made"] = c => Add(Add(Add(Mul(Eye(2, 3), S(3f)), Arange(3f)), Zeros(2, 3)), Linspace(0f, 1f, 3)),
        // the first run of a model seeded 7 (OpCase's seed) draws with ticket 0; draw sites are numbered in source order.
        // torch.normal has no gradient (derivatives.yaml: zeros for mean and std), hence Detach.
        ["Randomness.Dropped"] = c => Add(Sum(Mul(Dropout(c.D, 0, Mul(c.P("a"), c.I("r")), 0.4f), c.I("r"))), Sum(Mul(Dropout(c.D, 1, c.P("a"), 0f), c.I("r")))),
        ["Randomness.Noisy"] = c => Terms(Sum(Mul(Add(c.P("a"), Mul(Randn(c.D, 0, 2, 3), S(0.1f))), c.I("r"))), Sum(Mul(c.P("a"), Rand(c.D, 1, 3))),
            Sum(Mul(Detach(Normal(c.D, 2, c.P("a"), Mul(OnesLike(c.P("a")), S(0.5f)))), c.I("r"))), Sum(Mul(Mul(c.P("a"), RandnLike(c.D, 3, c.I("r"))), RandLike(c.D, 4, c.P("a"))))),
        ["Randomness.Sampled"] = c => Terms(Sum(Mul(c.P("a"), Bernoulli(c.D, 0, c.I("p")))), Sum(Mul(c.P("a"), Randint(c.D, 1, -2, 5, 2, 3))),
            Sum(Mul(Sum(c.P("a"), 0), Randperm(c.D, 2, 3))), Sum(Mul(Detach(Normal(c.D, 3, 0.5f, 2f, 3)), c.P("a")))),
        ["Randomness.Drawn"] = c => Terms(Rand(c.D, 0, 2, 3), Mul(Randn(c.D, 1, 2, 3), S(10f)), Randperm(c.D, 2, 3), Randint(c.D, 3, 0, 100, 3)),
        ["SeedLosses.BceProbabilities"] = c => BinaryCrossEntropy(c.I("p"), c.I("y"), reduction: Reduction.None),
        ["SeedLosses.BceFive"] = c => BinaryCrossEntropy(c.I("p"), c.I("y"), reduction: Reduction.None),

        ["SeedLosses.CeNone"] = c => CrossEntropy(c.I("x"), c.Classes("t"), reduction: Reduction.None),
        ["SeedLosses.CeSum"] = c => CrossEntropy(c.I("x"), c.Classes("t"), reduction: Reduction.Sum),
        ["SeedLosses.CeMean"] = c => CrossEntropy(c.I("x"), c.Classes("t")),
        ["SeedLosses.CeWeightedNone"] = c => CrossEntropy(c.I("x"), c.Classes("t"), c.I("w"), reduction: Reduction.None),
        ["SeedLosses.CeWeightedSum"] = c => CrossEntropy(c.I("x"), c.Classes("t"), c.I("w"), reduction: Reduction.Sum),
        ["SeedLosses.CeWeightedMean"] = c => CrossEntropy(c.I("x"), c.Classes("t"), c.I("w")),

        ["SeedLosses.NllNone"] = c => NllLoss(c.I("x"), c.Classes("t"), c.I("w"), reduction: Reduction.None),
        ["SeedLosses.NllSum"] = c => NllLoss(c.I("x"), c.Classes("t"), c.I("w"), reduction: Reduction.Sum),
        ["SeedLosses.NllMean"] = c => NllLoss(c.I("x"), c.Classes("t"), c.I("w")),

        ["SeedLosses.BceNone"] = c => BinaryCrossEntropy(Sigmoid(c.I("x")), c.I("y"), reduction: Reduction.None),
        ["SeedLosses.BceSum"] = c => BinaryCrossEntropy(Sigmoid(c.I("x")), c.I("y"), reduction: Reduction.Sum),
        ["SeedLosses.BceMean"] = c => BinaryCrossEntropy(Sigmoid(c.I("x")), c.I("y")),

        ["SeedLosses.BceLogitsNone"] = c => BinaryCrossEntropyWithLogits(c.I("x"), c.I("y"), reduction: Reduction.None),
        ["SeedLosses.BceLogitsSum"] = c => BinaryCrossEntropyWithLogits(c.I("x"), c.I("y"), reduction: Reduction.Sum),
        ["SeedLosses.BceLogitsMean"] = c => BinaryCrossEntropyWithLogits(c.I("x"), c.I("y")),
        ["SeedLosses.BceLogitsPosWeight"] = c => BinaryCrossEntropyWithLogits(c.I("x"), c.I("y"), posWeight: c.I("pw"), reduction: Reduction.None),

        ["SeedLosses.L1None"] = c => L1Loss(c.I("a"), c.I("b"), Reduction.None),
        ["SeedLosses.MseNone"] = c => MseLoss(c.I("a"), c.I("b"), Reduction.None),
    };
}

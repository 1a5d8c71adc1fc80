using System.IO;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests.Generator;

/// <summary>The generated code of three models, pinned: any change to emission shows up as a reviewed diff.</summary>
public class SnapshotTests
{
    private static string Sample(string path) => File.ReadAllText(Path.Combine(Repo.Root, "samples", path));

    private static string Generate(string source, string model)
    {
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
        return result.Source(model);
    }

    [Fact]
    public void Linear_regression() => Snapshot.Verify(Generate(Sample("LinearRegression/Model.cs"), "LinearModel"), "LinearRegression");

    [Fact]
    public void Diabetes_mlp() => Snapshot.Verify(Generate(Sample("Diabetes/Model.cs"), "DiabetesClassifier"), "DiabetesMlp");

    [Fact]
    public void Broadcasting_and_reduction() => Snapshot.Verify(Generate("""
        using Kiln;
        using static Kiln.Ops;

        namespace Demo;

        /// <summary>Row-centred features scaled by a learned per-column gain, summed per row and compared to a target.</summary>
        [Model]
        public partial class Centering
        {
            [Param(8)] Tensor gain;
            [Param(1)] Tensor offset;

            [Loss]
            public Tensor Loss([Shape("N", 8)] Tensor x, [Shape("N")] Tensor y)
            {
                var centred = x - x.Mean(1, keepDim: true);
                var score = (Tanh(centred * gain) + offset).Sum(1);
                return Losses.MseLoss(score, y);
            }
        }
        """, "Centering"), "BroadcastReduce");

    [Fact]
    public void The_language_of_issue_8() => Snapshot.Verify(Generate("""
        using Kiln;
        using static Kiln.Ops;

        namespace Demo;

        /// <summary>A small classifier using build-time loops, branches and a switch on an enum, a run-time temperature,
        /// tuple outputs, an input gradient, a detached branch, tensors made in the graph, dropout, in-graph noise and a buffer.</summary>
        public enum Mix { Plain, Residual }

        [Model]
        public partial class Tour
        {
            const int Depth = 2;

            [Param(4, 4)] Tensor w;
            [Param(3, 4)] Tensor head;
            [Buffer(3)] Tensor meanLogits;

            private Tensor Block(Tensor h, int layers, Mix mix = Mix.Residual)
            {
                for (int i = 0; i < layers; i++)
                    h = mix switch { Mix.Residual => h + Tanh(h.MatMul(w)), _ => Tanh(h.MatMul(w)) };
                return Dropout(h, 0.1f);
            }

            [Forward]
            public (Tensor logits, Tensor probs) Classify([Shape("N", 4)] Tensor x, float temperature)
            {
                var logits = Block(x, Depth).MatMul(head.T) + Arange(3f) * 0.1f;
                return (logits, Softmax(logits / temperature, 1));
            }

            [Loss]
            public (Tensor loss, Tensor logits) Train([RequiresGrad, Shape("N", 4)] Tensor x, [Shape("N")] IntTensor t)
            {
                var (logits, _) = Classify(x + RandnLike(x) * 0.01f, 1f);
                meanLogits = 0.9f * meanLogits + 0.1f * logits.Mean(0).Detach();
                var anchor = (logits.Detach() * OnesLike(logits)).Mean();
                return (Losses.CrossEntropy(logits, t) + anchor * 0f + (w * Eye(4)).Sum() * 0.01f, logits);
            }
        }
        """, "Tour"), "LanguageTour");
}

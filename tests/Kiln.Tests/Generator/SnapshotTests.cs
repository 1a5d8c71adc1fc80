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
}

using System;
using System.Collections.Generic;
using System.Linq;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// nn.Embedding (<c>Kiln.Nn.Embedding</c>) and F.embedding (<c>Ops.Embedding</c>): rows of the table at ids of any shape,
/// as ids.shape + (dim,), the table initialised N(0, 1). Values and gradients against float64 references written from
/// PyTorch's definitions (embedding = weight[ids]; the gradient of a row is the sum over the places it was looked up).
/// </summary>
public class EmbeddingTests
{
    private static double[] D(float[] a) => a.Select(x => (double)x).ToArray();

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void A_bag_of_words_loss_and_its_gradients_match_the_definition(string device)
    {
        using var d = Device.Create(device);
        var m = new BagOfWords(d, seed: 5);
        using var plan = m.CompileLoss(b: 3);
        int[] ids = [1, 4, 4, 9, 0, 2, 2, 2, 7, 3, 5, 6, 1, 8, 4], y = [2, 0, 1];
        double[] w = D(m.Parameters.Get("emb.weight")), fw = D(m.Parameters.Get("fc.weight")), fb = D(m.Parameters.Get("fc.bias"));
        // reference: e_b = mean_l W[ids[b, l]]; z = fw·e + fb; loss = mean_b (logsumexp z - z[y])
        double loss = 0;
        var gw = new double[w.Length]; var gfw = new double[fw.Length]; var gfb = new double[3];
        for (int b = 0; b < 3; b++)
        {
            var e = new double[4];
            for (int l = 0; l < 5; l++) for (int c = 0; c < 4; c++) e[c] += w[ids[b * 5 + l] * 4 + c] / 5;
            var z = Enumerable.Range(0, 3).Select(o => fb[o] + Enumerable.Range(0, 4).Sum(c => fw[o * 4 + c] * e[c])).ToArray();
            double max = z.Max(), lse = max + Math.Log(z.Sum(v => Math.Exp(v - max)));
            loss += (lse - z[y[b]]) / 3;
            var dz = z.Select((v, o) => (Math.Exp(v - lse) - (o == y[b] ? 1 : 0)) / 3).ToArray();
            for (int o = 0; o < 3; o++) { gfb[o] += dz[o]; for (int c = 0; c < 4; c++) gfw[o * 4 + c] += dz[o] * e[c]; }
            for (int l = 0; l < 5; l++)
                for (int c = 0; c < 4; c++) gw[ids[b * 5 + l] * 4 + c] += Enumerable.Range(0, 3).Sum(o => fw[o * 4 + c] * dz[o]) / 5;
        }
        m.Parameters.ZeroGrad();
        Assert.Equal(loss, plan.ForwardBackward(ids, y), 5);
        Check(gw, m.Parameters.Grad("emb.weight"));
        Check(gfw, m.Parameters.Grad("fc.weight"));
        Check(gfb, m.Parameters.Grad("fc.bias"));
        // the eager call gives the same loss
        Assert.Equal(loss, m.Loss(IntTensor.From(ids, [3, 5]), IntTensor.From(y, [3])).Item(), 5);
    }

    private static void Check(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"[{i}]: {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Ids_of_any_rank_give_their_shape_and_the_rows(string device)
    {
        using var d = Device.Create(device);
        var m = new BagOfWords(d, seed: 1);
        var w = m.Parameters.Get("emb.weight");
        int[] ids = [0, 9, 3, 3, 1, 2, 8, 7, 6, 5, 4, 0];
        var got = m.CompileEmbed().Call(IntTensor.From(ids, [2, 3, 2]));
        Assert.Equal([2, 3, 2, 4], got.Shape.ToArray());
        var values = got.ToArray();
        for (int i = 0; i < ids.Length; i++)
            for (int c = 0; c < 4; c++) Assert.Equal(w[ids[i] * 4 + c], values[i * 4 + c]);
        Assert.Equal(values, m.Embed(IntTensor.From(ids, [2, 3, 2])).ToArray());   // eager: the same rows
        var reference = ReferenceOps.Embedding(new RefTensor([2, 3, 2], ids.Select(i => (double)i).ToArray()), new RefTensor([10, 4], D(w)));
        Assert.Equal([2, 3, 2, 4], reference.Shape);
        Assert.Equal(reference.Data, D(values));
        // F.embedding of a computed table (tanh of fc.weightᵀ, 4 × 3) at a 1-D index
        var fw = m.Parameters.Get("fc.weight");
        int[] flat = [3, 0, 0, 2];
        var rows = m.CompileFlat().Run(flat);
        for (int i = 0; i < 4; i++)
            for (int o = 0; o < 3; o++) Assert.Equal(2 * Math.Tanh(fw[o * 4 + flat[i]]), rows[i * 3 + o], 5);
        Assert.Contains("must be in [0, 10)", Record.Exception(() => m.CompileEmbed().Run([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]))!.Message);
    }

    [Fact]
    public void The_table_starts_standard_normal_as_nn_Embedding_and_SparseAdam_takes_it_by_name()
    {
        using var d = Device.ManagedCpu();
        var m = new BagOfWords(d, seed: 3);
        var w = D(m.Parameters.Get("emb.weight"));
        var big = new ModelState(d, [new ParameterInfo("t", [100, 50], 0, 0, Init.Normal)], seed: 7).Get("t");
        double mean = big.Average(x => (double)x), sd = Math.Sqrt(big.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -0.05, 0.05);   // 5000 draws: the mean's standard error is 0.014
        Assert.InRange(sd, 0.96, 1.04);
        Assert.Contains(w, x => Math.Abs(x) > 1);   // not U(-1/√10, 1/√10), nn.Linear's
        var opt = new SparseAdam(m.Parameters, new AdamOptions(0.1), m.Parameters.Under("emb"));
        Assert.Equal(["emb.weight"], opt.ParamGroups[0].Names);
        using var plan = m.CompileLoss(b: 1);
        var before = m.Parameters.Get("emb.weight");
        opt.ZeroGrad();
        plan.ForwardBackward([2, 2, 5, 5, 5], [1]);
        opt.Step();
        var after = m.Parameters.Get("emb.weight");
        for (int row = 0; row < 10; row++)
            Assert.Equal(row is 2 or 5, !before.AsSpan(row * 4, 4).SequenceEqual(after.AsSpan(row * 4, 4)));
    }

    [Fact]
    public void Eager_embedding_checks_its_table()
    {
        var table = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [3, 2]);
        var rows = Ops.Embedding(IntTensor.From([2, 0], [1, 2]), table);
        Assert.Equal([1, 2, 2], rows.Shape.ToArray());
        Assert.Equal([5f, 6f, 1f, 2f], rows.ToArray());
        var g = new RandomGenerator(4);
        var big = g.Randn(7, 5);
        var rng = new SeededRandom(4);
        var idv = Enumerable.Range(0, 24).Select(_ => rng.NextInt(7)).ToArray();
        var ids = IntTensor.From(idv, [3, 4, 2]);
        var expected = ReferenceOps.Embedding(new RefTensor([3, 4, 2], idv.Select(i => (double)i).ToArray()), new RefTensor([7, 5], D(big.ToArray())));
        var eager = Ops.Embedding(ids, big);
        Assert.Equal(expected.Shape, eager.Shape.ToArray());
        Assert.Equal(expected.Data, D(eager.ToArray()));
        Assert.Equal([3f, 4f], Ops.Embedding(IntTensor.From([1], []), table).ToArray());   // a 0-d id: one row, shape (2,)
        Assert.Contains("2-D", Assert.Throws<ArgumentException>(() => Ops.Embedding(IntTensor.From([0], [1]), Tensor.From([1f, 2f], [2]))).Message);
        // named as the call the user made (it said index_select())
        Assert.Contains("embedding(): index 3 is out of range for a table of 3 rows", Assert.Throws<IndexOutOfRangeException>(() => Ops.Embedding(IntTensor.From([3], [1]), table)).Message);
    }

    [Theory]
    [InlineData("[Param(4)] Tensor w; [Forward] public Tensor F([Shape(3)] IntTensor ids) => Ops.Embedding(ids, w);", "must be 2-D")]
    [InlineData("[Param(4, 2)] Tensor w; [Forward] public Tensor F([Shape(3)] Tensor x) => Ops.Embedding(x, w);", "CS1503")]
    [InlineData("[Buffer(4, Init = Init.Normal)] Tensor w; [Forward] public Tensor F([Shape(4)] Tensor x) => x * w;", "starts at zero")]
    public void A_wrong_embedding_is_a_diagnostic(string members, string reason)
    {
        var result = GeneratorHarness.Run("using Kiln; using static Kiln.Ops;\n[Model] public partial class M { " + members + " }");
        var all = result.GeneratorDiagnostics.Select(x => x.Id + ": " + x.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Concat(result.CompileErrors.Select(e => e.ToString())).ToList();
        Assert.True(all.Any(x => x.Contains(reason)), string.Join("\n", all));
        // a float Tensor where ids go is C#'s error alone, at the user's span (a second KLN0001 was placed in Kiln.Nn.g.cs)
        if (reason == "CS1503") Assert.Empty(result.GeneratorDiagnostics);
    }

    /// <summary>A built-in layer no model holds gets no generated part (the Embedding layer's constructor was emitted
    /// into every project, 16 lines each); one a model holds does, and compiles.</summary>
    [Fact]
    public void Only_the_built_in_layers_a_model_holds_are_generated()
    {
        var plain = GeneratorHarness.Run("using Kiln; [Model] public partial class M { [Param(3)] Tensor w; [Loss] public Tensor L() => w.Sum(); }");
        Assert.Empty(plain.CompileErrors);
        var names = plain.Run.GeneratedTrees.Select(t => System.IO.Path.GetFileName(t.FilePath)).ToList();
        Assert.DoesNotContain("Kiln.Nn.Embedding.Kiln.g.cs", names);
        Assert.DoesNotContain("Kiln.Nn.Linear.Kiln.g.cs", names);
        var layered = GeneratorHarness.Run("using Kiln; using Kiln.Nn; [Model] public partial class M { [Module(3, 2)] Linear fc; [Forward] public Tensor F([Shape(4, 3)] Tensor x) => fc.Forward(x); }");
        Assert.Empty(layered.CompileErrors);
        names = layered.Run.GeneratedTrees.Select(t => System.IO.Path.GetFileName(t.FilePath)).ToList();
        Assert.Contains("Kiln.Nn.Linear.Kiln.g.cs", names);
        Assert.DoesNotContain("Kiln.Nn.Embedding.Kiln.g.cs", names);
    }

    [Fact]
    public void A_float_tensor_given_to_the_module_is_one_error_at_the_call()
    {
        var result = GeneratorHarness.Run("using Kiln; using Kiln.Nn;\n[Model] public partial class M { [Module(10, 4)] Embedding emb; [Forward] public Tensor F([Shape(2, 3)] Tensor ids) => emb.Forward(ids).Sum(1); }");
        Assert.Empty(result.GeneratorDiagnostics);
        var error = Assert.Single(result.CompileErrors);
        Assert.Equal("CS1503", error.Id);
    }
}

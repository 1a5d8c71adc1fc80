using System;
using System.Linq;
using Xunit;
using static Kiln.Ops;

namespace Kiln.Tests;

/// <summary>Views of IntTensor inputs inside a model: each is used as PyTorch would (an embedding over a (B, L) batch of
/// ids flattened for the lookup, a gather index reshaped, class targets flattened, ids in arithmetic).</summary>
[Model]
public partial class IdViews
{
    [Param(10, 3)] Tensor table;
    [Param(3, 4)] Tensor w;

    /// <summary>An embedding bag: a (2, 3) batch of ids, looked up flat and averaged per row.</summary>
    [Forward] public Tensor Bag([Shape(2, 3)] IntTensor ids) => table.IndexSelect(0, ids.Reshape(-1)).Reshape(2, 3, 3).Mean(1);
    [Forward] public Tensor GatherReshaped([Shape(2, 2)] Tensor x, [Shape(4)] IntTensor i) => x.Gather(1, i.Reshape(2, 2));
    [Forward] public Tensor Scaled([Shape(2, 3)] IntTensor ids) => ids.Reshape(3, 2).Float().Reshape(6) * 3f;
    [Forward] public Tensor Mlm([Shape(2, 4)] Tensor x, [Shape(8)] IntTensor t) => Losses.MultilabelMarginLoss(x, t.Reshape(2, 4));
    [Loss] public Tensor BagLoss([Shape(2, 3)] IntTensor ids, [Shape(6, 3)] Tensor r) => (table.IndexSelect(0, ids.Reshape(-1)) * r).Sum();
    [Loss] public Tensor Ce([Shape(6, 4)] Tensor x, [Shape(2, 3)] IntTensor t) => Losses.CrossEntropy(Linear(x, w), t.Reshape(-1));
}

/// <summary>
/// A view of an IntTensor input (ids.Reshape(-1)) compiled, and every run of the plan threw "Class indices are ints"
/// (a new user's embedding over a (B, L) batch): the index kernels were handed the target buffer's place as float
/// indices. Each case against a float64 computation written out here, on both backends, and the eager call.
/// </summary>
public class IntViewTests
{
    private static readonly int[] Ids = [3, 0, 9, 9, 1, 4];

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Reshaped_ids_index_gather_and_count_as_values(string device)
    {
        using var d = Device.Create(device);
        var m = new IdViews(d, seed: 3);
        var table = m.Parameters.Get("table");
        // embedding bag: row r averages table rows Ids[3r..3r+3)
        var bag = new double[6];
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                bag[r * 3 + c] = Enumerable.Range(0, 3).Average(j => (double)table[Ids[r * 3 + j] * 3 + c]);
        using (var plan = m.CompileBag())
        {
            var got = plan.Run(Ids);
            for (int e = 0; e < 6; e++) Assert.Equal(bag[e], got[e], 5);
            var eager = m.Bag(IntTensor.From(Ids, 2, 3)).ToArray();
            for (int e = 0; e < 6; e++) Assert.Equal(got[e], eager[e], 6);
            var outOfRange = Assert.ThrowsAny<ArgumentException>(() => plan.Run([3, 0, 9, 10, 1, 4]));
            Assert.Contains("'ids'[3] = 10 is out of bounds for a dim of size 10", outOfRange.Message);
        }
        using (var plan = m.CompileGatherReshaped())
            Assert.Equal([2f, 2f, 3f, 4f], plan.Run([1f, 2f, 3f, 4f], [1, 1, 0, 1]));   // x[0, 1], x[0, 1]; x[1, 0], x[1, 1]
        // PyTorch's documented MultiLabelMarginLoss example, twice, its targets passed flat and reshaped in the model: 0.85
        using (var plan = m.CompileMlm())
        {
            Assert.Equal(0.85f, plan.Run([0.1f, 0.2f, 0.4f, 0.8f, 0.1f, 0.2f, 0.4f, 0.8f], [3, 0, -1, 1, 3, 0, -1, 1])[0], 5);
            Assert.Contains("'t'", Assert.ThrowsAny<ArgumentException>(() => plan.Run(new float[8], [3, 0, -1, 1, 3, 4, -1, 1])).Message);
        }
        using (var plan = m.CompileScaled())
            Assert.Equal(Ids.Select(v => 3f * v).ToArray(), plan.Run(Ids));
    }

    /// <summary>SparseAdam updates the rows a lookup read, even with a zero gradient (PyTorch's sparse gradient holds
    /// them): a lookup over reshaped ids marks its rows as a lookup over the bare ids does.</summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void A_lookup_over_reshaped_ids_marks_its_rows_for_SparseAdam(string device)
    {
        using var d = Device.Create(device);
        var m = new IdViews(d, seed: 5);
        using var step = m.CompileBagLoss();
        var opt = new SparseAdam(m.Parameters, new AdamOptions(0.1), ["table"]);
        var ones = Enumerable.Repeat(1f, 18).ToArray();
        opt.ZeroGrad(); step.ForwardBackward(Ids, ones); opt.Step();                 // row 9 read, gradient 2·1: moments set
        var before = m.Parameters.Get("table");
        var zeroForNine = ones.Select((v, i) => Ids[i / 3] == 9 ? 0f : v).ToArray();
        opt.ZeroGrad(); step.ForwardBackward(Ids, zeroForNine); opt.Step();         // row 9 read again, gradient 0
        var after = m.Parameters.Get("table");
        // p -= lr·√(1-β₂²)/(1-β₁²)·m/(√v + eps) with m = 0.9·m₁ ≠ 0: row 9 moves; row 2, never read, does not
        Assert.All(Enumerable.Range(0, 3), c => Assert.NotEqual(before[9 * 3 + c], after[9 * 3 + c]));
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(before[2 * 3 + c], after[2 * 3 + c]));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void Flattened_class_targets_are_CrossEntropy_s(string device)
    {
        using var d = Device.Create(device);
        var m = new IdViews(d, seed: 4);
        var w = m.Parameters.Get("w");
        var x = Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i)).ToArray();
        int[] t = [2, 0, 1, 1, 2, 0];
        double loss = 0;
        for (int n = 0; n < 6; n++)
        {
            var logits = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 4).Sum(k => (double)x[n * 4 + k] * w[c * 4 + k])).ToArray();
            double max = logits.Max(), lse = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            loss += lse - logits[t[n]];
        }
        using var plan = m.CompileCe();
        Assert.Equal(loss / 6, plan.ForwardBackward(x, t), 5);
        Assert.Contains("Target 't'[3] = 3 is out of bounds", Assert.ThrowsAny<ArgumentException>(() => plan.ForwardBackward(x, [2, 0, 1, 3, 2, 0])).Message);
    }
}

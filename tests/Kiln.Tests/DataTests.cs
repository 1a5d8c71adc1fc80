using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Kiln.Tests;

/// <summary>DataLoader semantics (len, batch sizes, shuffling, drop_last, prefetch) and the CSV loader's errors.</summary>
public class DataTests
{
    private static TensorDataset Numbered(int n) =>
        new(Enumerable.Range(0, n * 2).Select(i => (float)i).ToArray(), 2, Enumerable.Range(0, n).ToArray());

    [Fact]
    public void Ten_thousand_examples_at_batch_1000_is_10_iterations_as_in_seed_001()
    {
        var loader = new DataLoader(Numbered(10_000), 1000, shuffle: true, seed: 1);
        Assert.Equal(10, loader.Count);
        Assert.Equal(10, loader.Count());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Batches_cover_every_example_once_per_epoch(bool shuffle, bool prefetch)
    {
        var data = Numbered(103);
        var loader = new DataLoader(data, 10, shuffle, seed: 7, prefetch: prefetch);
        Assert.Equal(11, loader.Count);
        var seen = new System.Collections.Generic.List<int>();
        var sizes = new System.Collections.Generic.List<int>();
        foreach (var batch in loader)
        {
            sizes.Add(batch.Size);
            for (int r = 0; r < batch.Size; r++)
            {
                int label = batch.Labels[r];
                Assert.Equal(2f * label, batch.Features[2 * r]);   // features travel with their label
                seen.Add(label);
            }
        }
        Assert.Equal(Enumerable.Repeat(10, 10).Append(3), sizes);
        Assert.Equal(Enumerable.Range(0, 103), seen.OrderBy(x => x));
        Assert.Equal(!shuffle, seen.SequenceEqual(Enumerable.Range(0, 103)));
    }

    [Fact]
    public void Drop_last_drops_the_short_batch()
    {
        var loader = new DataLoader(Numbered(103), 10, dropLast: true);
        Assert.Equal(10, loader.Count);
        Assert.All(loader, b => Assert.Equal(10, b.Size));
    }

    [Fact]
    public void Shuffling_is_seeded_and_changes_every_epoch()
    {
        int[] Order(DataLoader l) => l.SelectMany(b => b.Labels.ToArray()).ToArray();
        var a = new DataLoader(Numbered(50), 8, shuffle: true, seed: 3);
        var b = new DataLoader(Numbered(50), 8, shuffle: true, seed: 3);
        var first = Order(a);
        Assert.Equal(first, Order(b));
        Assert.NotEqual(first, Order(a));
        Assert.NotEqual(first, Order(new DataLoader(Numbered(50), 8, shuffle: true, seed: 4)));
    }

    /// <summary>A new user's resumed run: model, optimizer and scheduler came back from their state, but a fresh loader drew
    /// the first epoch's order again, so the run differed from an uninterrupted one. Epoch resumes the data's part.</summary>
    [Fact]
    public void Setting_Epoch_on_a_fresh_loader_resumes_its_shuffled_order()
    {
        int[] Order(System.Collections.Generic.IEnumerable<Batch> epoch) => epoch.SelectMany(b => b.Labels.ToArray()).ToArray();
        var straight = new DataLoader(Numbered(50), 8, shuffle: true, seed: 3);
        var orders = Enumerable.Range(0, 4).Select(_ => Order(straight)).ToList();
        Assert.Equal(4, straight.Epoch);
        var resumed = new DataLoader(Numbered(50), 8, shuffle: true, seed: 3) { Epoch = 2 };
        Assert.Equal(orders[2], Order(resumed));
        Assert.Equal(orders[3], Order(resumed));
        // set back: the first order again
        resumed.Epoch = 0;
        Assert.Equal(orders[0], Order(resumed));
        Assert.Equal(1, resumed.Epoch);
        Assert.Throws<ArgumentOutOfRangeException>(() => resumed.Epoch = -1);
    }

    [Fact]
    public void An_abandoned_prefetching_epoch_stops_cleanly()
    {
        var loader = new DataLoader(Numbered(100), 5, prefetch: true);
        foreach (var batch in loader) if (batch.Index == 2) break;
        Assert.Equal(20, loader.Count());
    }

    [Fact]
    public void Batches_reuse_their_buffers()
    {
        var loader = new DataLoader(Numbered(100), 10);
        loader.Count(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var e = loader.GetEnumerator()) while (e.MoveNext()) { }
        long perEpoch = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(perEpoch < 1024, $"{perEpoch} bytes allocated for an epoch of 10 batches");
    }

    /// <summary>A new user's list(loader): every stored batch was the loader's one buffer, so all of them read as the
    /// last batch (and, with prefetch, as one of the last two), with no error.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_stored_batch_the_loader_has_overwritten_throws_and_Copy_keeps_one(bool prefetch)
    {
        var loader = new DataLoader(Numbered(100), 32, prefetch: prefetch);
        var stored = loader.ToList();
        Assert.Equal([0, 1, 2, 3], stored.Select(b => b.Index));
        Assert.Equal([32, 32, 32, 4], stored.Select(b => b.Size));
        // the last batch is the one in the buffer: its rows are examples 96..99
        Assert.Equal([96, 97, 98, 99], stored[3].Labels.ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => stored[0].Features.ToArray());
        Assert.Contains("Batch 0", e.Message);
        Assert.Contains("batch.Copy()", e.Message);
        Assert.Throws<InvalidOperationException>(() => stored[1].Labels.ToArray());
        // copies stay valid: each holds its own rows, as the batches of list(loader) do in PyTorch
        var kept = loader.Select(b => b.Copy()).ToList();
        for (int b = 0; b < 4; b++)
        {
            var rows = Enumerable.Range(32 * b, b < 3 ? 32 : 4).ToArray();
            Assert.Equal(rows, kept[b].Labels.ToArray());
            Assert.Equal(rows.SelectMany(r => new[] { 2f * r, 2f * r + 1 }), kept[b].Features.ToArray());
            Assert.Equal(b, kept[b].Index);
        }
    }

    private static string Write(string text)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Csv_with_header_delimiter_and_label_column()
    {
        var path = Write("a;label;b\n1;0;2\n3;1;4\n");
        var d = Csv.Load(path, hasHeader: true, delimiter: ';', labelColumn: 1, intLabels: true);
        Assert.Equal(2, d.Count);
        Assert.Equal([1f, 2f, 3f, 4f], d.Features);
        Assert.Equal([0, 1], d.Labels!);
        var f = Csv.Load(Write("1,2,0.5\n3,4,1.5\n"));
        Assert.Equal([0.5f, 1.5f], f.Targets!);
    }

    [Theory]
    [InlineData("1,2,0\n1,x,0\n", ":2, column 2: 'x' is not a number")]
    [InlineData("1,2,0\n1,2\n", ":2: expected 3 columns, found 2")]
    [InlineData("1,2,0\n1,2,0.5\n", ":2, column 3: '0.5' is not an integer class label")]
    [InlineData("\n", "no data rows")]
    [InlineData("1,2,0\n\"1,2,0\n", ":2, column 1: a quoted field is not closed on its line")]
    [InlineData("1,2,0\n\"1\"x,2,0\n", ":2, column 1: '1x' is not a number")]
    public void Malformed_csv_names_line_and_column(string text, string message)
    {
        var path = Write(text);
        // the type the README promises for a malformed file, as a checkpoint's
        var e = Assert.Throws<System.IO.InvalidDataException>(() => Csv.Load(path, intLabels: true));
        Assert.Contains(message, e.Message);
    }

    /// <summary>Quoted fields (a delimiter or a quote inside one) and Python's float() spellings of ∞ and NaN.</summary>
    [Fact]
    public void Csv_reads_quoted_fields_and_pythons_special_numbers()
    {
        var d = Csv.Load(Write("\"1.5\",\"2\",0\n inf ,-Infinity,\"1\"\n"), intLabels: true);
        Assert.Equal([1.5f, 2f, float.PositiveInfinity, float.NegativeInfinity], d.Features);
        Assert.Equal([0, 1], d.Labels!);
        var semicolons = Csv.Load(Write("\"1.5\";-inf;2\n\"3\";nan;1\n"), delimiter: ';', labelColumn: 1);
        Assert.Equal([1.5f, 2f, 3f, 1f], semicolons.Features);
        Assert.Equal(float.NegativeInfinity, semicolons.Targets![0]);
        Assert.True(float.IsNaN(semicolons.Targets[1]));
        // a delimiter inside quotes stays in its field (one field, not two), and "" is a quote
        Assert.Contains("column 1: '1,5' is not a number", Assert.Throws<System.IO.InvalidDataException>(() => Csv.Load(Write("\"1,5\",2,0\n"))).Message);
        Assert.Contains("'say \"3\"' is not a number", Assert.Throws<System.IO.InvalidDataException>(() => Csv.Load(Write("\"say \"\"3\"\"\",2,0\n"))).Message);
    }
}

public class DataHardeningTests
{
    [Fact]
    public void A_batch_size_larger_than_the_data_gives_one_batch_of_all_rows()
    {
        var data = new TensorDataset(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 2, new float[10], 1);
        var loader = new DataLoader(data, int.MaxValue);
        Assert.Equal(1, loader.Count);
        var batch = Assert.Single(loader);
        Assert.Equal(10, batch.Size);
        Assert.Equal(20, batch.Features.Length);
    }

    [Fact]
    public void A_csv_number_beyond_float_range_names_its_line_and_column_while_inf_and_nan_literals_load()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllText(path, "1,2,0\n3,1e39,1\n");
            var e = Assert.Throws<System.IO.InvalidDataException>(() => Csv.Load(path, labelColumn: 2));
            Assert.Contains(":2, column 2", e.Message);
            Assert.Contains("overflows", e.Message);
            System.IO.File.WriteAllText(path, "1,NaN,0\n3,-Infinity,1\n");
            var ok = Csv.Load(path, labelColumn: 2);
            Assert.True(float.IsNaN(ok.Features[1]));
            Assert.True(float.IsNegativeInfinity(ok.Features[3]));
        }
        finally { System.IO.File.Delete(path); }
    }
}

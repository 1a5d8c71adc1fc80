using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Kiln.Tests.Models;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>safetensors checkpoints: the format byte for byte, resume, atomic writes, and named errors.</summary>
public class CheckpointTests() : TempFolder("kiln-ckpt-")
{
    private static (float[] X, int[] T) Batch()
    {
        var rng = new SeededRandom(3);
        return (Enumerable.Range(0, 4 * 20).Select(_ => rng.Uniform(-1, 1)).ToArray(), [1, 7, 29, 0]);
    }

    [Fact]
    public void The_file_follows_the_safetensors_layout()
    {
        using var d = Device.ManagedCpu();
        var m = new Wide(d, seed: 4);
        var path = File("wide.safetensors");
        Checkpoint.Save(path, m.Parameters);
        // parse by the spec, independently of Checkpoint.Read
        var bytes = System.IO.File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        Assert.Equal("pt", header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        var weight = header.RootElement.GetProperty("fc.weight");
        Assert.Equal("F32", weight.GetProperty("dtype").GetString());
        Assert.Equal([30, 20], weight.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var offsets = weight.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var values = Enumerable.Range(0, 600).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(8 + n + offsets[0] + 4 * i)))).ToArray();
        Assert.Equal(m.Parameters.Get("fc.weight"), values);
    }

    [Fact]
    public void A_file_written_by_another_tool_loads()
    {
        // built by hand per the spec: bias first, weight second, unpadded header, extra metadata
        using var d = Device.ManagedCpu();
        var m = new LeastSquares(d);
        var json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"__metadata__\":{\"source\":\"hand\"}}";
        var h = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + h.Length + 12];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        float[] w = [0.5f, -1.25f, 3f];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + h.Length + 4 * i), w[i]);
        System.IO.File.WriteAllBytes(File("hand.safetensors"), bytes);
        Checkpoint.Load(File("hand.safetensors"), m.Parameters);
        Assert.Equal(w, m.Parameters.Get("w"));
    }

    [Fact]
    public void Training_resumes_bit_identically_from_a_checkpoint()
    {
        using var d = Device.ManagedCpu();
        var (x, t) = Batch();
        var a = new Wide(d, seed: 1);
        using var stepA = a.CompileLoss(n: 4);
        var optA = new Adam(a.Parameters, new AdamOptions(0.01) { Amsgrad = true });
        void Train(Adam opt, Wide.LossPlan step, int k) { for (int i = 0; i < k; i++) { opt.ZeroGrad(); step.ForwardBackward(x, t); opt.Step(); } }
        Train(optA, stepA, 5);
        Checkpoint.Save(File("run.safetensors"), a.Parameters, optA);
        Train(optA, stepA, 5);

        var b = new Wide(d, seed: 77);
        using var stepB = b.CompileLoss(n: 4);
        var optB = new Adam(b.Parameters, new AdamOptions(0.5));
        Checkpoint.Load(File("run.safetensors"), b.Parameters, optB);
        Assert.Equal(0.01, optB.ParamGroups[0].Lr);
        Assert.Equal(5, optB.ParamGroups[0].Step);
        Train(optB, stepB, 5);
        Assert.Equal(a.Parameters.Parameters.ToArray(), b.Parameters.Parameters.ToArray());
    }

    [Fact]
    public void One_file_resumes_the_model_the_optimizer_and_the_scheduler()
    {
        // a new user kept the scheduler's state in a second file, in step with the checkpoint by hand
        using var d = Device.ManagedCpu();
        var (x, t) = Batch();
        (Wide M, Sgd Opt, SequentialLR Schedule, Wide.LossPlan Step) Make(int seed)
        {
            var m = new Wide(d, seed);
            var opt = new Sgd(m.Parameters, new SgdOptions(0.1) { Momentum = 0.9 });
            var schedule = new SequentialLR(opt, [new LinearLR(opt, startFactor: 0.1, totalIters: 3), new StepLR(opt, 2, 0.5)], milestones: [3]);
            return (m, opt, schedule, m.CompileLoss(n: 4));
        }
        void Epochs((Wide M, Sgd Opt, SequentialLR Schedule, Wide.LossPlan Step) r, int k)
        {
            for (int e = 0; e < k; e++) { r.Opt.ZeroGrad(); r.Step.ForwardBackward(x, t); r.Opt.Step(); r.Schedule.Step(); }
        }
        var a = Make(1);
        Epochs(a, 4);
        Checkpoint.Save(File("all.safetensors"), a.M.Parameters, a.Opt, a.Schedule);
        Epochs(a, 4);
        var b = Make(9);
        Checkpoint.Load(File("all.safetensors"), b.M.Parameters, b.Opt, b.Schedule);
        Epochs(b, 4);
        Assert.Equal(a.Opt.ParamGroups[0].Lr, b.Opt.ParamGroups[0].Lr);
        Assert.Equal(a.M.Parameters.Parameters.ToArray(), b.M.Parameters.Parameters.ToArray());
        a.Step.Dispose(); b.Step.Dispose();

        // a file without one, or with another kind's, is refused before anything changes
        var c = new Wide(d, seed: 5);
        var opt = new Sgd(c.Parameters, 0.1f);
        var before = c.Parameters.Parameters.ToArray();
        Checkpoint.Save(File("plain.safetensors"), a.M.Parameters, a.Opt);
        Assert.Contains("holds no scheduler state", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("plain.safetensors"), c.Parameters, scheduler: new StepLR(opt, 2))).Message);
        Assert.Contains("the scheduler state is a SequentialLR's, not a StepLR's", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("all.safetensors"), c.Parameters, scheduler: new StepLR(opt, 2))).Message);
        Assert.Equal(before, c.Parameters.Parameters.ToArray());
    }

    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfter) throw new IOException("disk full (simulated)");
            inner.Write(buffer);
            _written += buffer.Length;
        }
        public override bool CanRead => false; public override bool CanSeek => false; public override bool CanWrite => true;
        public override long Length => _written; public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] b, int o, int c) => throw new NotSupportedException();
        public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
        public override void SetLength(long v) => throw new NotSupportedException();
    }

    [Fact]
    public void An_interrupted_save_leaves_the_previous_checkpoint_intact()
    {
        using var d = Device.ManagedCpu();
        var m = new Wide(d, seed: 1);
        var path = File("model.safetensors");
        Checkpoint.Save(path, m.Parameters);
        var before = System.IO.File.ReadAllBytes(path);
        m.Parameters.Set("fc.bias", new float[30]);
        Assert.Throws<IOException>(() => Checkpoint.Save(path, m.Parameters, null, s => new FailingStream(s, 500)));
        Assert.Equal(before, System.IO.File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Folder));
    }

    [Fact]
    public void Truncated_or_corrupt_files_are_rejected_with_the_reason()
    {
        using var d = Device.ManagedCpu();
        var m = new Wide(d, seed: 1);
        var path = File("good.safetensors");
        Checkpoint.Save(path, m.Parameters);
        var bytes = System.IO.File.ReadAllBytes(path);
        var original = m.Parameters.Parameters.ToArray();

        System.IO.File.WriteAllBytes(File("cut.safetensors"), bytes[..(bytes.Length - 100)]);
        Assert.Contains("fc.", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("cut.safetensors"), m.Parameters)).Message);

        System.IO.File.WriteAllBytes(File("short.safetensors"), bytes[..5]);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("short.safetensors"), m.Parameters)).Message);

        var garbled = (byte[])bytes.Clone();
        garbled[9] = (byte)'#';
        System.IO.File.WriteAllBytes(File("garbled.safetensors"), garbled);
        Assert.Contains("not a JSON object", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("garbled.safetensors"), m.Parameters)).Message);
        Assert.Equal(original, m.Parameters.Parameters.ToArray());
    }

    /// <summary>A file of <paramref name="header"/> (its length as the first 8 bytes, unless given) and zeroed data.</summary>
    private string Forge(string name, byte[] header, int dataBytes, ulong? length = null)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        System.IO.File.WriteAllBytes(File(name), bytes);
        return File(name);
    }

    [Fact]
    public void Headers_that_break_the_format_rules_are_rejected_with_the_rule()
    {
        // safetensors: the header is UTF-8 JSON that begins with '{', one entry per name; a new user's forged files got
        // an internal "same key" ArgumentException, silent loads of invalid UTF-8 and of a leading space, and wrong reasons
        using var d = Device.ManagedCpu();
        var m = new Wide(d, seed: 1);
        var original = m.Parameters.Parameters.ToArray();
        const string weight = "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[30,20],\"data_offsets\":[0,2400]}";
        const string bias = "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[2400,2520]}";
        string Error(string path) => Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, m.Parameters)).Message;

        var good = Forge("good.safetensors", Encoding.UTF8.GetBytes("{" + weight + "," + bias + "}"), 2520);
        Checkpoint.Load(good, m.Parameters);   // the forged layout itself is valid
        m.Parameters.Parameters.CopyFrom(original);

        var twice = Error(Forge("twice.safetensors", Encoding.UTF8.GetBytes("{" + weight + "," + bias + "," + bias + "}"), 2520));
        Assert.Contains("twice.safetensors", twice);
        Assert.Contains("names 'fc.bias' twice", twice);

        var meta = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"note\":\"a?b\"}," + weight + "," + bias + "}");
        meta[Array.IndexOf(meta, (byte)'?')] = 0xFF;   // never valid in UTF-8
        Assert.Contains("not valid UTF-8 (byte 0xFF", Error(Forge("utf8.safetensors", meta, 2520)));

        Assert.Contains("header length is 0", Error(Forge("empty.safetensors", Encoding.UTF8.GetBytes("{" + weight + "}"), 2400, length: 0)));
        Assert.Contains("begins with byte 0x20, not '{'", Error(Forge("space.safetensors", Encoding.UTF8.GetBytes(" {" + weight + "," + bias + "}"), 2520)));

        var reversed = Error(Forge("reversed.safetensors", Encoding.UTF8.GetBytes("{" + weight + "," + bias.Replace("[2400,2520]", "[2520,2400]") + "}"), 2520));
        Assert.Contains("data_offsets [2520, 2400], which end before they begin", reversed);
        Assert.Contains("data_offsets [2400, 2520, 1], not [begin, end]",
            Error(Forge("three.safetensors", Encoding.UTF8.GetBytes("{" + weight + "," + bias.Replace("[2400,2520]", "[2400,2520,1]") + "}"), 2520)));
        // trailing spaces pad a header (the format allows them)
        Checkpoint.Load(Forge("padded.safetensors", Encoding.UTF8.GetBytes("{" + weight + "," + bias + "}   "), 2520), m.Parameters);
        Assert.All(m.Parameters.Parameters.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Names_and_shapes_must_match_the_model()
    {
        using var d = Device.ManagedCpu();
        var ls = new LeastSquares(d);
        Checkpoint.Save(File("ls.safetensors"), ls.Parameters);
        var quad = new Quadratic(d);
        Assert.Contains("tensor 'w' has shape [3] but the model's parameter is [2, 3]", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("ls.safetensors"), quad.Parameters)).Message);
        var himmelblau = new Himmelblau(d);
        // a name the model lacks is named beside the one missing (a renamed tensor was reported only as missing)
        Assert.Contains("parameter 'x' is missing. The file holds 'w', which this model does not have.", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("ls.safetensors"), himmelblau.Parameters)).Message);
        Checkpoint.Save(File("h.safetensors"), himmelblau.Parameters);
        Assert.Contains("optimizer state", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("h.safetensors"), himmelblau.Parameters, new Sgd(himmelblau.Parameters, 0.1f))).Message);
    }

    [Fact]
    public void A_save_removes_temporaries_a_killed_save_left_and_keeps_live_ones()
    {
        using var d = Device.ManagedCpu();
        var m = new Wide(d, seed: 2);
        var path = File("model.safetensors");
        string stale = File($".model.safetensors.{new string('a', 32)}.tmp"), live = File($".model.safetensors.{new string('b', 32)}.tmp");
        string other = File($".other.safetensors.{new string('c', 32)}.tmp");
        foreach (var f in new[] { stale, live, other }) System.IO.File.WriteAllBytes(f, [1, 2, 3]);
        System.IO.File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-3));
        System.IO.File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddHours(-3));
        Checkpoint.Save(path, m.Parameters);
        Assert.False(System.IO.File.Exists(stale));
        Assert.True(System.IO.File.Exists(live));   // may be a save in progress elsewhere
        Assert.True(System.IO.File.Exists(other));  // another file's temporaries are not this save's business
    }

    [Fact]
    public void A_data_byte_changed_after_saving_is_detected_by_the_recorded_checksum()
    {
        using var d = Device.ManagedCpu();
        var m = new Wide(d, seed: 5);
        var path = File("sum.safetensors");
        Checkpoint.Save(path, m.Parameters);
        var bytes = System.IO.File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using (var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n)))
        {
            // the recorded value is the SHA-256 of the data section, computed here independently
            var recorded = header.RootElement.GetProperty("__metadata__").GetProperty("kiln.sha256").GetString();
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(8 + (int)n))), recorded);
        }
        var flipped = (byte[])bytes.Clone();
        flipped[^3] ^= 0x01; // one bit of a weight: still a valid float, shapes and offsets still agree
        System.IO.File.WriteAllBytes(File("flipped.safetensors"), flipped);
        var original = m.Parameters.Parameters.ToArray();
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(File("flipped.safetensors"), m.Parameters)).Message);
        Assert.Equal(original, m.Parameters.Parameters.ToArray());
    }

    /// <summary>Writes a safetensors file with the given header JSON and data bytes.</summary>
    private string Handmade(string name, string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        System.IO.File.WriteAllBytes(File(name), bytes);
        return File(name);
    }

    [Theory]
    [InlineData("""{"__metadata__":[1,2]}""", 0, "__metadata__ is not a JSON object")]
    [InlineData("""{"__metadata__":{"format":7}}""", 0, "'format' is not a string")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1,0],"data_offsets":[0,0]}}""", 0, "negative dimension")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,16]}}""", 16, "needs")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"__metadata__":{"kiln.optimizer":"{not json"}}""", 12, "optimizer state in the metadata is malformed")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"__metadata__":{"kiln.optimizer":"{\"type\":\"Sgd\",\"buffers\":0,\"groups\":[{\"params\":[\"w\"],\"options\":null,\"step\":0,\"scalars\":{}}]}"}}""", 12, "no options")]
    // an entry missing a part, or with a part of the wrong kind, names it (a damaged '__metadata__' key once surfaced
    // "Object reference not set to an instance of an object")
    [InlineData("""{"__#etadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}""", 12, "'__#etadata__' has no string 'dtype'")]
    [InlineData("""{"w":7}""", 0, "'w' is not a JSON object")]
    [InlineData("""{"w":{"dtype":"F32","shape":"3","data_offsets":[0,12]}}""", 12, "'w' has no 'shape' array of integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,12]}}""", 12, "'w' has no 'shape' array of integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3]}}""", 12, "'w' has no 'data_offsets' array of integers")]
    public void Hostile_headers_are_rejected_with_the_reason(string header, int dataBytes, string reason)
    {
        using var d = Device.ManagedCpu();
        var m = new LeastSquares(d); // one parameter, w of shape [3]
        var path = Handmade("hostile.safetensors", header, dataBytes);
        var error = Record.Exception(() => Checkpoint.Load(path, m.Parameters, new Sgd(m.Parameters, 0.1f)));
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain("Object reference", error.Message);
    }
}

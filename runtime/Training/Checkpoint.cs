using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kiln;

/// <summary>
/// Model parameters (and optionally an optimizer's state) in the safetensors format, the one PyTorch users share
/// weights in: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} with an
/// optional "__metadata__" string map, then raw little-endian data. Parameters are stored under their dotted names
/// ("fc1.weight"), so the file loads with Python's safetensors.torch.load_file. Saving is atomic: a temporary file is
/// written and flushed, then renamed over the target, so an interrupted save leaves the previous checkpoint intact;
/// temporaries a killed process left behind (older than an hour) are removed by the next save of the same file.
/// The metadata carries a SHA-256 of the data section ("kiln.sha256"); reading verifies it when present, so a file
/// changed or damaged after it was written is an error rather than silently different weights. Files from other
/// tools (without the entry) load as before. "kiln.random" holds the model's random generator (seed, offset), so a
/// resumed run draws the numbers the uninterrupted one would have.
/// </summary>
public static class Checkpoint
{
    private const string OptimizerPrefix = "optimizer.";
    private const string OptimizerMetadata = "kiln.optimizer";
    /// <summary>An LR scheduler's state_dict, as System.Text.Json writes a <see cref="SchedulerState"/>.</summary>
    private const string SchedulerMetadata = "kiln.scheduler";
    private const string ChecksumMetadata = "kiln.sha256";
    /// <summary>The model's random generator as "seed,offset" (files written before it existed have none, and load without).</summary>
    private const string RandomMetadata = "kiln.random";
    private static readonly TimeSpan StaleTemporary = TimeSpan.FromHours(1);

    /// <summary>Saves the model's parameters and buffers and, when given, the optimizer's and an LR scheduler's state:
    /// one file resumes a run (PyTorch keeps them in one dict by habit: model, optimizer, scheduler).</summary>
    public static void Save(string path, ModelState model, IOptimizer? optimizer = null, IScheduler? scheduler = null) => Save(path, model, optimizer, s => s, scheduler);

    /// <summary>The same, with a hook around the file stream (tests fail a write part-way through with it).</summary>
    internal static void Save(string path, ModelState model, IOptimizer? optimizer, Func<Stream, Stream> wrap, IScheduler? scheduler = null)
    {
        var tensors = new List<(string Name, int[] Shape, float[] Data)>();
        var parameters = model.Parameters.ToArray();
        foreach (var p in model.Layout) tensors.Add((p.Name, p.Shape, parameters.AsSpan(p.Offset, p.Count).ToArray()));
        // buffers under their paths beside the parameters, as a PyTorch state_dict holds them
        model.AdoptBufferFields();
        var buffers = model.Buffers.ToArray();
        foreach (var b in model.BufferLayout) tensors.Add((b.Name, b.Shape, buffers.AsSpan(b.Offset, b.Count).ToArray()));
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        metadata[RandomMetadata] = FormattableString.Invariant($"{model.Random.Seed},{model.Random.Offset}");
        if (scheduler is not null) metadata[SchedulerMetadata] = JsonSerializer.Serialize(scheduler.StateDict());
        if (optimizer is not null)
        {
            var state = optimizer.StateDict();
            for (int b = 0; b < state.Buffers.Count; b++)
                foreach (var p in model.Layout)
                    tensors.Add(($"{OptimizerPrefix}state{b}.{p.Name}", p.Shape, state.Buffers[b].AsSpan(p.Offset, p.Count).ToArray()));
            static JsonObject Scalars(IReadOnlyDictionary<string, double> scalars) => new(scalars.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
            var groups = new JsonArray(state.Groups.Select((g, i) =>
            {
                var group = new JsonObject
                {
                    ["params"] = new JsonArray(g.Names.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                    ["options"] = JsonSerializer.SerializeToNode(g.Options, g.Options.GetType()),
                    ["step"] = g.Step,
                    ["scalars"] = Scalars(g.Scalars),
                };
                // where its parameters have taken different numbers of steps: each one's, in the order of "params"
                if (state.ParameterStates is { } each)
                    group["param_states"] = new JsonArray(each[i].Select(p => (JsonNode)new JsonObject { ["step"] = p.Step, ["scalars"] = Scalars(p.Scalars) }).ToArray());
                return (JsonNode)group;
            }).ToArray());
            metadata[OptimizerMetadata] = new JsonObject { ["type"] = optimizer.GetType().Name, ["buffers"] = state.Buffers.Count, ["groups"] = groups }.ToJsonString();
        }
        tensors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            foreach (var (_, _, data) in tensors) sha.AppendData(LittleEndian(data));
            metadata[ChecksumMetadata] = Convert.ToHexStringLower(sha.GetHashAndReset());
        }

        var header = new JsonObject { ["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))) };
        long offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset)!, JsonValue.Create(offset + 4L * data.Length)!),
            };
            offset += 4L * data.Length;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8; // the header is space-padded to 8-byte alignment, as safetensors writes it

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        RemoveStaleTemporaries(directory, Path.GetFileName(path));
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var stream = wrap(file); // not disposed here: the file stream below owns the handle
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                stream.Write(length);
                stream.Write(headerBytes);
                for (int i = headerBytes.Length; i < padded; i++) stream.WriteByte((byte)' ');
                foreach (var (_, _, data) in tensors) stream.Write(LittleEndian(data));
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    private static ReadOnlySpan<byte> LittleEndian(float[] data)
    {
        if (BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(data.AsSpan());
        var bytes = new byte[4 * data.Length];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), data[i]);
        return bytes;
    }

    /// <summary>Deletes this file's temporaries that a killed save left (a live save's temporary is younger than an hour).</summary>
    /// <summary>A JSON array of integers that fit <typeparamref name="T"/>, or null where it is anything else.</summary>
    private static T[]? Integers<T>(JsonNode? node)
    {
        if (node is not JsonArray array) return null;
        var values = new T[array.Count];
        for (int i = 0; i < values.Length; i++)
            if (array[i] is JsonValue v && v.TryGetValue<T>(out var x)) values[i] = x; else return null;
        return values;
    }

    private static void RemoveStaleTemporaries(string directory, string name)
    {
        foreach (var stale in Directory.EnumerateFiles(directory, $".{name}.*.tmp"))
        {
            if (Path.GetFileName(stale).Length != name.Length + 38) continue; // "." + name + "." + 32 hex digits + ".tmp"
            try { if (DateTime.UtcNow - File.GetLastWriteTimeUtc(stale) > StaleTemporary) File.Delete(stale); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // another process's, or not ours to remove
        }
    }

    /// <summary>A parsed safetensors file: tensors by name (float32 only) and the metadata map.</summary>
    public sealed record Contents(IReadOnlyDictionary<string, (int[] Shape, float[] Data)> Tensors, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>Reads and validates a safetensors file; anything malformed is an <see cref="InvalidDataException"/> saying what and where.</summary>
    public static Contents Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: {bytes.Length} bytes is too short for a safetensors file (8-byte header length missing).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength == 0) throw new InvalidDataException($"{path}: the header length is 0 (a safetensors header is a JSON object; not safetensors?).");
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"{path}: the header length {headerLength} does not fit in a file of {bytes.Length} bytes (truncated or not safetensors).");
        // the format's rules for the header: UTF-8 JSON that begins with '{' (trailing spaces pad it), each name once
        var headerBytes = bytes.AsSpan(8, (int)headerLength);
        if (headerBytes[0] != (byte)'{')
            throw new InvalidDataException($"{path}: the header begins with byte 0x{headerBytes[0]:X2}, not '{{' (a safetensors header is a JSON object; not safetensors?).");
        string headerText;
        try { headerText = StrictUtf8.GetString(headerBytes); }
        catch (DecoderFallbackException e)
        { throw new InvalidDataException($"{path}: the header is not valid UTF-8 (byte 0x{e.BytesUnknown?.FirstOrDefault():X2} at header byte {e.Index}).", e); }
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerText, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })!.AsObject();
            _ = header.Count;   // the object's entries are read here, inside the try
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            if (DuplicateName(headerText) is { } twice) throw new InvalidDataException($"{path}: the header names '{twice}' twice.", e);
            throw new InvalidDataException($"{path}: the header is not a JSON object: {e.Message}", e);
        }
        int dataStart = 8 + (int)headerLength;
        long dataLength = bytes.Length - dataStart;
        var tensors = new Dictionary<string, (int[], float[])>();
        var metadata = new Dictionary<string, string>();
        var ranges = new List<(long Begin, long End, string Name)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject map) throw new InvalidDataException($"{path}: __metadata__ is not a JSON object.");
                foreach (var (k, v) in map)
                    metadata[k] = v is JsonValue value && value.TryGetValue<string>(out var text) ? text
                        : throw new InvalidDataException($"{path}: __metadata__ entry '{k}' is not a string.");
                continue;
            }
            try
            {
                // each part named when it is missing or of the wrong kind (a damaged key, '__#etadata__', is such an entry)
                InvalidDataException Malformed(string what) =>
                    new($"{path}: header entry '{name}' {what} (a tensor's entry is {{\"dtype\", \"shape\", \"data_offsets\"}}; is the file damaged?).");
                if (node is not JsonObject entry) throw Malformed("is not a JSON object");
                string dtype = entry["dtype"] is JsonValue dv && dv.TryGetValue<string>(out var text) ? text : throw Malformed("has no string 'dtype'");
                if (dtype != "F32") throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}; only F32 is supported.");
                var shape = Integers<int>(entry["shape"]) ?? throw Malformed("has no 'shape' array of integers");
                var offsets = Integers<long>(entry["data_offsets"]) ?? throw Malformed("has no 'data_offsets' array of integers");
                if (shape.Any(d => d < 0)) throw new InvalidDataException($"{path}: tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].");
                long count = shape.Aggregate(1L, (a, b) => Math.Min(a * b, 1L + int.MaxValue)); // capped: no file we read holds more
                string shown = $"data_offsets [{string.Join(", ", offsets)}]";
                if (offsets.Length != 2) throw new InvalidDataException($"{path}: tensor '{name}' has {shown}, not [begin, end].");
                if (offsets[1] < offsets[0]) throw new InvalidDataException($"{path}: tensor '{name}' has {shown}, which end before they begin.");
                if (offsets[0] < 0 || offsets[1] > dataLength)
                    throw new InvalidDataException($"{path}: tensor '{name}' has {shown} outside the {dataLength} data bytes (truncated file?).");
                if (offsets[1] - offsets[0] != 4 * count)
                    throw new InvalidDataException($"{path}: tensor '{name}' of shape [{string.Join(", ", shape)}] needs {4 * count} bytes but its offsets span {offsets[1] - offsets[0]}.");
                var data = new float[count];
                var span = bytes.AsSpan(dataStart + (int)offsets[0], (int)(4 * count));
                for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(4 * i));
                tensors[name] = (shape, data);
                ranges.Add((offsets[0], offsets[1], name));
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has a malformed header entry ({e.Message}).", e);
            }
        }
        ranges.Sort();
        long expect = 0;
        foreach (var (begin, end, name) in ranges)
        {
            if (begin != expect) throw new InvalidDataException($"{path}: tensor '{name}' starts at byte {begin} but the previous tensor ends at {expect} (overlap or gap).");
            expect = end;
        }
        if (expect != dataLength) throw new InvalidDataException($"{path}: the tensors cover {expect} of {dataLength} data bytes.");
        if (metadata.TryGetValue(ChecksumMetadata, out var recorded)
            && !string.Equals(recorded, Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(dataStart))), StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: the data's SHA-256 does not match the one recorded when it was saved (the file was changed or damaged since).");
        return new Contents(tensors, metadata);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The first name the header's top-level object holds twice, or null.</summary>
    private static string? DuplicateName(string headerText)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(headerText), new JsonReaderOptions { AllowTrailingCommas = false });
        try
        {
            while (reader.Read())
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && !seen.Add(reader.GetString()!)) return reader.GetString();
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>
    /// Loads parameters (strictly: every parameter present with its shape, nothing unexpected) and, when given, the
    /// optimizer's and the scheduler's state. Nothing is changed unless the whole file is valid for this model, optimizer
    /// and scheduler kind.
    /// </summary>
    public static void Load(string path, ModelState model, IOptimizer? optimizer = null, IScheduler? scheduler = null)
    {
        var contents = Read(path);
        var layout = model.Layout;
        foreach (var (p, kind) in layout.Select(p => (p, "parameter")).Concat(model.BufferLayout.Select(b => (b, "buffer"))))
        {
            if (!contents.Tensors.TryGetValue(p.Name, out var t))
            {
                // a renamed tensor is missing under one name and present under another: name the others too
                var others = contents.Tensors.Keys.Where(n => !n.StartsWith(OptimizerPrefix, StringComparison.Ordinal)
                    && layout.All(q => q.Name != n) && model.BufferLayout.All(b => b.Name != n)).ToList();
                throw new InvalidDataException($"{path}: {kind} '{p.Name}' is missing." + (others.Count == 0 ? ""
                    : $" The file holds {string.Join(", ", others.Select(n => $"'{n}'"))}, which this model does not have."));
            }
            if (!t.Shape.SequenceEqual(p.Shape))
                throw new InvalidDataException($"{path}: tensor '{p.Name}' has shape [{string.Join(", ", t.Shape)}] but the model's {kind} is [{string.Join(", ", p.Shape)}].");
        }
        foreach (var name in contents.Tensors.Keys)
            if (!name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && layout.All(p => p.Name != name) && model.BufferLayout.All(b => b.Name != name))
                throw new InvalidDataException($"{path}: tensor '{name}' is not a parameter or buffer of this model.");

        (ulong Seed, ulong Offset)? random = null;
        if (contents.Metadata.TryGetValue(RandomMetadata, out var saved))
        {
            var parts = saved.Split(',');
            if (parts.Length != 2 || !ulong.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seed)
                || !ulong.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
                throw new InvalidDataException($"{path}: the random generator state '{saved}' is malformed (expected \"seed,offset\").");
            random = (seed, offset);
        }

        SchedulerState? schedulerState = null;
        if (scheduler is not null)
        {
            if (!contents.Metadata.TryGetValue(SchedulerMetadata, out var json)) throw new InvalidDataException($"{path}: the file holds no scheduler state.");
            try { schedulerState = JsonSerializer.Deserialize<SchedulerState>(json) ?? throw new JsonException("null"); }
            catch (Exception e) when (e is JsonException or NotSupportedException)
            { throw new InvalidDataException($"{path}: the scheduler state in the metadata is malformed ({e.Message}).", e); }
            if (schedulerState.Scheduler is { } kind && kind != scheduler.GetType().Name)
                throw new InvalidDataException($"{path}: the scheduler state is a {kind}'s, not a {scheduler.GetType().Name}'s.");
        }

        OptimizerState? optimizerState = null;
        if (optimizer is not null)
        {
            if (!contents.Metadata.TryGetValue(OptimizerMetadata, out var json)) throw new InvalidDataException($"{path}: the file holds no optimizer state.");
            try
            {
                var meta = JsonNode.Parse(json)!.AsObject();
                if (meta["type"]!.GetValue<string>() != optimizer.GetType().Name)
                    throw new InvalidDataException($"{path}: the optimizer state is {meta["type"]}'s, not {optimizer.GetType().Name}'s.");
                int buffers = meta["buffers"]!.GetValue<int>();
                var arrays = new List<float[]>();
                for (int b = 0; b < buffers; b++)
                {
                    var all = new float[model.Count];
                    foreach (var p in layout)
                    {
                        string name = $"{OptimizerPrefix}state{b}.{p.Name}";
                        if (!contents.Tensors.TryGetValue(name, out var t)) throw new InvalidDataException($"{path}: optimizer tensor '{name}' is missing.");
                        if (!t.Shape.SequenceEqual(p.Shape)) throw new InvalidDataException($"{path}: optimizer tensor '{name}' has shape [{string.Join(", ", t.Shape)}], expected [{string.Join(", ", p.Shape)}].");
                        t.Data.CopyTo(all, p.Offset);
                    }
                    arrays.Add(all);
                }
                static IReadOnlyDictionary<string, double> Scalars(JsonNode? node) => node!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>());
                var groupNodes = meta["groups"]!.AsArray();
                var groups = groupNodes.Select(g => (
                    (IReadOnlyList<string>)g!["params"]!.AsArray().Select(n => n!.GetValue<string>()).ToList(),
                    (OptimizerOptions?)g["options"].Deserialize(optimizer.OptionsType) ?? throw new InvalidDataException($"{path}: an optimizer group has no options."),
                    g["step"]!.GetValue<long>(),
                    Scalars(g["scalars"]))).ToList();
                // each parameter's step where a group's differ (files without "param_states" hold one per group)
                var each = groupNodes.Any(g => g!["param_states"] is not null)
                    ? groupNodes.Select((g, i) => (IReadOnlyList<(long, IReadOnlyDictionary<string, double>)>)(g!["param_states"] is JsonArray states
                        ? states.Select(p => (p!["step"]!.GetValue<long>(), Scalars(p["scalars"]))).ToList()
                        : groups[i].Item1.Select(_ => (groups[i].Item3, groups[i].Item4)).ToList())).ToList()
                    : null;
                optimizerState = new OptimizerState(groups, arrays, each);
            }
            catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException or NotSupportedException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: the optimizer state in the metadata is malformed ({e.Message}).", e);
            }
        }

        var parameters = new float[model.Count];
        foreach (var p in layout) contents.Tensors[p.Name].Data.CopyTo(parameters, p.Offset);
        if (optimizer is not null)
        {
            try { optimizer.LoadStateDict(optimizerState!); }
            catch (ArgumentException e) { throw new InvalidDataException($"{path}: the optimizer state does not fit this optimizer: {e.Message}", e); }
        }
        if (scheduler is not null)
        {
            try { scheduler.LoadStateDict(schedulerState!); }
            catch (Exception e) when (e is ArgumentException or KeyNotFoundException) { throw new InvalidDataException($"{path}: the scheduler state does not fit this scheduler: {e.Message}", e); }
        }
        model.Parameters.CopyFrom(parameters);
        model.AdoptBufferFields(); // a field an eager call assigned views the block again, which takes the file's values
        foreach (var b in model.BufferLayout) model.Buffers.CopyFrom(contents.Tensors[b.Name].Data, b.Offset);
        if (random is { } r) model.Random.Restore(r.Seed, r.Offset);
    }
}

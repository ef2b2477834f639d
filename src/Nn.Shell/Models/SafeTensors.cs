using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>
/// Reads and writes the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian unsigned
/// header length N; N bytes of UTF-8 JSON, an object mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to the data buffer) plus an optional
/// <c>"__metadata__"</c> object of strings; then the data buffer: every tensor's bytes, little-endian, row-major, contiguous.
/// </summary>
/// <remarks>
/// <see cref="Write"/> is deterministic: the header is compact JSON, metadata first, then the tensors in the given order,
/// padded with spaces so the data starts at a multiple of 8; the data follows in the same order, so the file is exactly
/// 8 + N + data bytes. It writes F64 only; <see cref="Read"/> accepts F64 and F32 (widened to double).
/// </remarks>
public static class SafeTensors
{
    /// <summary>The header key of the metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header <see cref="Read"/> accepts: 100 MB (the reference implementation's cap).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The compact JSON options shared by the model files: non-ASCII text is written as is, not escaped.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The bytes of a safetensors file holding <paramref name="tensors"/> (as F64) and <paramref name="metadata"/>.
    /// </summary>
    /// <exception cref="ArgumentException">When two tensors or two metadata keys share a name, or a text is not valid Unicode.</exception>
    public static byte[] Write(IReadOnlyList<Tensor> tensors, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        CheckUnique(tensors.Select(t => t.Name), "tensor name");
        CheckUnique(metadata.Select(m => m.Key), "metadata key");
        foreach (var t in tensors) Text.CheckUnicode(t.Name, "a tensor name");
        foreach (var (k, v) in metadata)
        {
            Text.CheckUnicode(k, "a metadata key");
            Text.CheckUnicode(v, $"metadata '{k}'");
        }

        var header = new MemoryStream();
        long offset = 0;
        using (var w = new Utf8JsonWriter(header, WriterOptions))
        {
            w.WriteStartObject();
            if (metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var t in tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", "F64");
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset = checked(offset + 8L * t.Data.Length);
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        var json = header.ToArray();
        var n = (json.Length + 7) / 8 * 8;
        var bytes = new byte[checked(8 + n + offset)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)n);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, n - json.Length).Fill((byte)' ');
        var at = 8 + n;
        foreach (var t in tensors)
            foreach (var x in t.Data)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(at, 8), x);
                at += 8;
            }
        return bytes;
    }

    /// <summary>
    /// Reads a safetensors file from its bytes; <paramref name="sourceName"/> names it in error messages.
    /// </summary>
    /// <exception cref="ModelFileException">When the bytes are not a well-formed safetensors file: empty or shorter than
    /// 8 bytes; a header length over <see cref="MaxHeaderBytes"/> or past the end; a header that is not a UTF-8 JSON object;
    /// a tensor entry with missing, extra or ill-typed fields; a dtype other than F64 or F32; a shape whose product
    /// overflows or disagrees with the byte count; offsets out of range, overlapping, leaving holes or not covering the
    /// data buffer exactly; metadata values that are not strings.</exception>
    public static SafeTensorsFile Read(byte[] bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(sourceName);
        ModelFileException Fail(string expected) => new(sourceName, expected);

        if (bytes.Length == 0) throw Fail("the file is empty; expected a safetensors file (an 8-byte header length, a JSON header, the tensor data).");
        if (bytes.Length < 8) throw Fail($"the file is {bytes.Length} bytes long; a safetensors file starts with an 8-byte header length.");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderBytes) throw Fail($"the header length {n} exceeds the {MaxHeaderBytes}-byte limit; this is not a safetensors file or it is corrupt.");
        if (n > (ulong)(bytes.Length - 8)) throw Fail($"the header length {n} runs past the end of the {bytes.Length}-byte file.");
        var headerBytes = bytes.AsMemory(8, (int)n);
        if (n == 0 || headerBytes.Span[0] != (byte)'{') throw Fail("the header must be a JSON object starting with '{'.");
        if (!System.Text.Unicode.Utf8.IsValid(headerBytes.Span)) throw Fail("the header is not valid UTF-8.");

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw Fail($"the header is not valid JSON: {e.Message}"); }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Fail("the header must be a JSON object.");
            var entries = new List<Entry>();
            var metadata = ImmutableArray<KeyValuePair<string, string>>.Empty;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(p.Name)) throw Fail($"the header names '{p.Name}' twice.");
                if (p.Name == MetadataKey) metadata = ReadMetadata(p.Value, Fail);
                else entries.Add(ReadEntry(p.Name, p.Value, Fail));
            }

            var dataLength = bytes.Length - 8 - (long)n;
            foreach (var e in entries)
                if (e.End > dataLength)
                    throw Fail($"tensor {e.Name} has data_offsets [{e.Begin}, {e.End}] beyond the {dataLength}-byte data buffer.");
            long expectedBegin = 0;
            foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (e.Begin < expectedBegin) throw Fail($"tensor {e.Name} at data_offsets [{e.Begin}, {e.End}] overlaps the tensor before it (which ends at {expectedBegin}).");
                if (e.Begin > expectedBegin) throw Fail($"the data buffer has a hole: bytes [{expectedBegin}, {e.Begin}) belong to no tensor.");
                expectedBegin = e.End;
            }
            if (expectedBegin != dataLength)
                throw Fail($"the data buffer has {dataLength - expectedBegin} trailing bytes after the last tensor (which ends at {expectedBegin}).");

            var data = bytes.AsSpan(8 + (int)n);
            var tensors = new Tensor[entries.Count];
            for (var i = 0; i < tensors.Length; i++)
            {
                var e = entries[i];
                var src = data[(int)e.Begin..(int)e.End];
                var values = new double[e.Count];
                if (e.ElementSize == 8)
                    for (var k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * k)..]);
                else
                    for (var k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * k)..]);
                tensors[i] = new Tensor(e.Name, e.Shape, ImmutableCollectionsMarshal.AsImmutableArray(values));
            }
            return new SafeTensorsFile(ImmutableCollectionsMarshal.AsImmutableArray(tensors), metadata);
        }
    }

    private sealed record Entry(string Name, ImmutableArray<long> Shape, long Count, int ElementSize, long Begin, long End);

    private static ImmutableArray<KeyValuePair<string, string>> ReadMetadata(JsonElement value, Func<string, ModelFileException> fail)
    {
        if (value.ValueKind != JsonValueKind.Object) throw fail($"'{MetadataKey}' must be a JSON object of strings, found {Kind(value)}.");
        var list = new List<KeyValuePair<string, string>>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in value.EnumerateObject())
        {
            if (!keys.Add(m.Name)) throw fail($"the metadata names '{m.Name}' twice.");
            if (m.Value.ValueKind != JsonValueKind.String) throw fail($"metadata value '{m.Name}' is {Kind(m.Value)}; expected a string.");
            list.Add(new(m.Name, m.Value.GetString()!));
        }
        return [.. list];
    }

    private static Entry ReadEntry(string name, JsonElement value, Func<string, ModelFileException> fail)
    {
        if (name.Length == 0) throw fail("a tensor has an empty name.");
        if (value.ValueKind != JsonValueKind.Object) throw fail($"tensor {name} must be described by a JSON object, found {Kind(value)}.");
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var f in value.EnumerateObject())
            switch (f.Name)
            {
                case "dtype" when dtype is null: dtype = f.Value; break;
                case "shape" when shape is null: shape = f.Value; break;
                case "data_offsets" when offsets is null: offsets = f.Value; break;
                default: throw fail($"tensor {name} has an unexpected or repeated field '{f.Name}'; expected dtype, shape and data_offsets.");
            }
        if (dtype is not { ValueKind: JsonValueKind.String } dt) throw fail($"tensor {name} needs a string field 'dtype'.");
        if (shape is not { ValueKind: JsonValueKind.Array } sh) throw fail($"tensor {name} needs an array field 'shape'.");
        if (offsets is not { ValueKind: JsonValueKind.Array } of || of.GetArrayLength() != 2)
            throw fail($"tensor {name} needs a field 'data_offsets' holding two integers [begin, end].");

        var elementSize = dt.GetString() switch
        {
            "F64" => 8,
            "F32" => 4,
            var other => throw fail($"tensor {name} has dtype '{other}'; this reader accepts F64 and F32."),
        };
        var dims = new long[sh.GetArrayLength()];
        long count = 1;
        var i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (!TryNonNegative(d, out dims[i])) throw fail($"tensor {name} has a shape entry {d.GetRawText()}; expected a non-negative integer.");
            if (!TryMultiply(count, dims[i], out count)) throw fail($"tensor {name} has shape [{string.Join(", ", dims.Take(i + 1))}…] whose size overflows.");
            i++;
        }
        if (!TryMultiply(count, elementSize, out var byteCount)) throw fail($"tensor {name}'s byte count overflows.");
        var begin = of[0];
        var end = of[1];
        if (!TryNonNegative(begin, out var b) || !TryNonNegative(end, out var e) || e < b)
            throw fail($"tensor {name} has data_offsets {of.GetRawText()}; expected two integers 0 ≤ begin ≤ end.");
        if (e - b != byteCount)
            throw fail($"tensor {name} has data_offsets [{b}, {e}] ({e - b} bytes) but shape [{string.Join(", ", dims)}] of {dt.GetString()} needs {byteCount} bytes.");
        return new Entry(name, ImmutableCollectionsMarshal.AsImmutableArray(dims), count, elementSize, b, e);
    }

    private static bool TryNonNegative(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value) && value >= 0;
    }

    private static bool TryMultiply(long a, long b, out long product)
    {
        try
        {
            product = checked(a * b);
            return true;
        }
        catch (OverflowException)
        {
            product = 0;
            return false;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static void CheckUnique(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in names)
            if (!seen.Add(s)) throw new ArgumentException($"The {what} '{s}' appears twice.");
    }
}

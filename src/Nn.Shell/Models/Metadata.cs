using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>Text helpers shared by the model and checkpoint files: Unicode checks, compact JSON, round-trip doubles.</summary>
internal static class Text
{
    /// <summary>True when <paramref name="s"/> is well-formed UTF-16 (every surrogate paired), so it encodes to UTF-8 and back.</summary>
    internal static bool IsValidUnicode(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="s"/> is non-null well-formed UTF-16.</summary>
    internal static void CheckUnicode(string? s, string what)
    {
        if (s is null) throw new ArgumentException($"{what} is null.");
        if (!IsValidUnicode(s)) throw new ArgumentException($"{what} is not valid Unicode text (it has an unpaired surrogate).");
    }

    /// <summary>Compact JSON written by <paramref name="write"/> (the same options as the safetensors header).</summary>
    internal static string Json(Action<Utf8JsonWriter> write)
    {
        var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, SafeTensors.WriterOptions)) write(w);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A double as the shortest text that parses back to the same bits (<c>NaN</c>, <c>Infinity</c>, <c>-0</c> included).</summary>
    internal static string Double(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes a JSON array of numbers (finite values only; the caller has checked).</summary>
    internal static void NumberArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>Writes a target scaling as <c>{"offset","scale"}</c> (a value: the caller names it or puts it in an array).</summary>
    internal static void TargetScaling(Utf8JsonWriter w, Nn.TargetScaling t)
    {
        w.WriteStartObject();
        w.WriteNumber("offset", t.Offset);
        w.WriteNumber("scale", t.Scale);
        w.WriteEndObject();
    }

    /// <summary>Writes a JSON array of <see cref="TargetScaling(Utf8JsonWriter, Nn.TargetScaling)"/> objects, one per target.</summary>
    internal static void TargetScalings(Utf8JsonWriter w, IEnumerable<Nn.TargetScaling> scalings)
    {
        w.WriteStartArray();
        foreach (var t in scalings) TargetScaling(w, t);
        w.WriteEndArray();
    }

    /// <summary>Writes a JSON array of strings.</summary>
    internal static void StringArray(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}

/// <summary>
/// Reads the <c>__metadata__</c> of a model or checkpoint file: each accessor either returns a well-typed value or throws a
/// <see cref="ModelFileException"/> naming the file, the key and what was expected.
/// </summary>
internal sealed class MetadataReader(string source, ImmutableArray<KeyValuePair<string, string>> metadata)
{
    private readonly Dictionary<string, string> _values = metadata.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The source name used in messages.</summary>
    internal string Source => source;

    /// <summary>An exception naming the file.</summary>
    internal ModelFileException Fail(string expected) => new(source, expected);

    /// <summary>The value of a metadata key, or null when absent.</summary>
    internal string? Optional(string key) => _values.GetValueOrDefault(key);

    /// <summary>The value of a required metadata key.</summary>
    internal string String(string key) => Optional(key) ?? throw Fail($"the metadata has no key '{key}'.");

    /// <summary>The value of a required key, parsed as JSON (the element outlives the parse).</summary>
    internal JsonElement Json(string key) => ParseJson(key, String(key));

    /// <summary>A JSON value parsed from <paramref name="text"/>, the value of <paramref name="key"/>.</summary>
    internal JsonElement ParseJson(string key, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Fail($"metadata '{key}' is not valid JSON: {e.Message}");
        }
    }

    /// <summary>A required member of a JSON object.</summary>
    internal JsonElement Member(JsonElement obj, string key, string member)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw Fail($"metadata '{key}' must be a JSON object.");
        return obj.TryGetProperty(member, out var v) ? v : throw Fail($"metadata '{key}' has no field '{member}'.");
    }

    /// <summary>A JSON array's elements.</summary>
    internal ImmutableArray<JsonElement> Array(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray()] : throw Fail($"{what} must be a JSON array.");

    /// <summary>A JSON string.</summary>
    internal string Str(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Fail($"{what} must be a JSON string.");

    /// <summary>A JSON array of strings.</summary>
    internal ImmutableArray<string> Strings(JsonElement e, string what) => [.. Array(e, what).Select(x => Str(x, $"each entry of {what}"))];

    /// <summary>A JSON integer that fits a long.</summary>
    internal long Long(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) ? v : throw Fail($"{what} must be an integer.");

    /// <summary>A JSON integer that fits an int.</summary>
    internal int Int(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw Fail($"{what} must be an integer (32-bit).");

    /// <summary>A finite JSON number.</summary>
    internal double Number(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var v) && double.IsFinite(v) ? v : throw Fail($"{what} must be a finite number.");

    /// <summary>A double written as a string by <see cref="Text.Double"/> (NaN and ±Infinity allowed).</summary>
    internal double Double(string text, string what) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Fail($"{what} must be a number written as a string (e.g. \"0.5\", \"NaN\", \"Infinity\"), found \"{text}\".");

    /// <summary>As <see cref="Double(string, string)"/> for a JSON string element.</summary>
    internal double Double(JsonElement e, string what) => Double(Str(e, what), what);

    /// <summary>
    /// Checks <c>metadata_sha256</c> (see <see cref="MetadataSeal"/>) against every other key: required from format version 2
    /// on, so an edited label order, scaler, setting or checkpoint counter is refused rather than loaded silently.
    /// Called last, after the checks that give a more specific message.
    /// </summary>
    internal void VerifySeal()
    {
        var version = int.TryParse(Optional("format_version"), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        if (Optional(MetadataSeal.Key) is not { } recorded)
        {
            if (version >= 2) throw Fail($"the metadata has no key '{MetadataSeal.Key}' (required from format version 2).");
            return;
        }
        var actual = MetadataSeal.Sha256(metadata);
        if (recorded != actual)
            throw Fail($"{MetadataSeal.Key} is {recorded} but the metadata hashes to {actual}; the file is corrupt or its metadata was edited.");
    }

    /// <summary>Runs a constructor or parser from the core; its <see cref="ArgumentException"/> becomes a <see cref="ModelFileException"/>.</summary>
    internal T Wrap<T>(string what, Func<T> make)
    {
        try { return make(); }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            throw Fail($"{what}: {e.Message}");
        }
    }
}

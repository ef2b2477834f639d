using System.Text.Json;

namespace Nn.Shell;

/// <summary>
/// How every <c>--json</c> output writes a number: finite doubles as JSON numbers; NaN, +∞ and −∞ as <c>null</c>, since
/// JSON has no literal for them (System.Text.Json would throw instead).
/// </summary>
public static class JsonNumber
{
    /// <summary>Writes <c>"name": value</c>, or <c>"name": null</c> when <paramref name="value"/> is NaN or infinite.</summary>
    public static void Write(Utf8JsonWriter writer, string name, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value)) writer.WriteNumber(name, value);
        else writer.WriteNull(name);
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Nn.Cli;

/// <summary>
/// Numeric flags read exactly: invariant culture, '.' as the only decimal separator, no thousands separators, finite.
/// </summary>
/// <remarks>
/// System.CommandLine's own parsing accepts grouping separators (NumberStyles.Float | AllowThousands), so
/// <c>--lr 0,001</c> became 1 and <c>--lr 1,5</c> became 15. The CSV reader refuses the same text in data; flags do too.
/// </remarks>
internal static class Flags
{
    /// <summary>A flag holding a finite floating-point number.</summary>
    internal static Option<double> Number(string name, string description, double defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Parse<double>(r, name, "a finite number such as 0.001", TryDouble),
    };

    /// <summary>A flag holding a finite number, with no default of its own (the command decides what its absence means).</summary>
    internal static Option<double> OptionalNumber(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => Parse<double>(r, name, "a finite number such as 0.001", TryDouble),
    };

    /// <summary>A flag holding a whole number that fits in 32 bits.</summary>
    internal static Option<int> Whole(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Parse(r, name, "a whole number (32-bit)", (string t, out int v) =>
            int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v)),
    };

    /// <summary><paramref name="value"/> when it is at least 1, else an error naming the flag (exit 2, before any work).</summary>
    internal static int AtLeastOne(int value, string name) =>
        value >= 1 ? value : throw new ArgumentException($"{name}: expected at least 1, got {value}.");

    /// <summary>A flag holding a whole number that fits in 64 bits (seeds).</summary>
    internal static Option<long> Long(string name, string description, long defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Parse(r, name, "a whole number (64-bit)", (string t, out long v) =>
            long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v)),
    };

    /// <summary>Reads <paramref name="text"/> as a finite double in the invariant culture without grouping separators.</summary>
    internal static bool TryDouble(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private delegate bool TryParser<T>(string text, out T value);

    private static T Parse<T>(ArgumentResult result, string name, string expected, TryParser<T> tryParse)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
        if (result.Tokens.Count == 1 && tryParse(text, out var value)) return value;
        var hint = !text.Contains(',', StringComparison.Ordinal) ? ""
            : typeof(T) == typeof(double) ? " (use '.' as the decimal separator, and no thousands separators)" : " (no thousands separators)";
        result.AddError($"{name}: expected {expected}, got '{text}'{hint}.");
        return default!;
    }
}

using System.Collections.Immutable;
using System.Globalization;

namespace Nn;

/// <summary>
/// The one spelling of a closed set's names (activations, losses, initialisation schemes): the value's
/// <c>Name</c>, its parser and the parser's list of known names all read this table, so they cannot drift apart.
/// </summary>
/// <typeparam name="T">The union's base record; each entry stands for one case type.</typeparam>
internal sealed class NameTable<T> where T : class
{
    /// <summary>One case: its name, the value it parses to, other accepted spellings, and an optional factory for <c>name(x)</c>.</summary>
    /// <param name="Name">The name written to files and shown to users (lowercase).</param>
    /// <param name="Value">The value the bare name parses to; its runtime type identifies the case.</param>
    /// <param name="Aliases">Other lowercase spellings that parse to <paramref name="Value"/>.</param>
    /// <param name="WithParameter">For a parameterised case, the value of <c>name(x)</c>; else null.</param>
    internal sealed record Entry(string Name, T Value, ImmutableArray<string> Aliases, Func<double, T>? WithParameter = null);

    private readonly string kind;
    private readonly ImmutableArray<Entry> entries;

    /// <summary>A table for values of the kind named <paramref name="kind"/> ("activation", "loss", …), one entry per case.</summary>
    internal NameTable(string kind, params Entry[] entries)
    {
        this.kind = kind;
        this.entries = [.. entries];
    }

    /// <summary>The names in table order.</summary>
    internal ImmutableArray<string> Names => [.. entries.Select(e => e.Name)];

    /// <summary>The names joined for a message: <c>a, b, c</c>.</summary>
    internal string Listed => string.Join(", ", entries.Select(e => e.Name));

    /// <summary>The name of <paramref name="value"/>'s case.</summary>
    /// <exception cref="InvalidOperationException">For a case the table does not list (a bug).</exception>
    internal string NameOf(T value)
    {
        var type = value.GetType();
        foreach (var e in entries)
            if (e.Value.GetType() == type) return e.Name;
        throw new InvalidOperationException($"Unknown {kind} case {type.Name}.");
    }

    /// <summary>A custom case's name, checked: lowercase letters, digits and '-', and not a name of this table.</summary>
    /// <exception cref="ArgumentException">Otherwise, naming <paramref name="paramName"/>.</exception>
    internal string CheckCustomName(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length == 0 || !name.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            throw new ArgumentException($"A custom {kind}'s name must be lowercase letters, digits and '-', got '{name}'.", paramName);
        if (Names.Contains(name))
            throw new ArgumentException($"'{name}' is a built-in {kind}; choose another name for a custom one.", paramName);
        return name;
    }

    /// <summary>
    /// The value of a name or alias (case-insensitive, surrounding spaces ignored), or of <c>name(x)</c> for a
    /// parameterised case (x an invariant-culture number).
    /// </summary>
    /// <exception cref="ArgumentException">For an unknown name or an unreadable parameter; the message lists the known names.</exception>
    internal T Parse(string text, string paramName)
    {
        var n = text.Trim().ToLowerInvariant();
        foreach (var e in entries)
        {
            if (n == e.Name || e.Aliases.Contains(n)) return e.Value;
            if (e.WithParameter is { } make && n.StartsWith(e.Name + "(", StringComparison.Ordinal) && n.EndsWith(')')
                && double.TryParse(n[(e.Name.Length + 1)..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                return make(x);
        }
        throw new ArgumentException($"Unknown {kind} '{text}'; expected one of {Listed}.", paramName);
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;

namespace Nn.Cli;

/// <summary>
/// Turns System.CommandLine's parse errors into the one line every <c>nn</c> error is: the most useful problem first,
/// then how many more there are. A mistyped command gets the nearest command's name instead of two unrelated errors.
/// </summary>
internal static class ParseErrors
{
    /// <summary>The one-line message (without the <c>nn: </c> prefix) for a parse that has errors.</summary>
    internal static string OneLine(ParseResult parse, RootCommand root, IReadOnlyList<string> args)
    {
        var commands = root.Subcommands.Select(c => c.Name).ToArray();
        var list = string.Join(", ", commands);
        var first = args.Count > 0 ? args[0] : null;
        if (first is null) return $"expected a command: {list} (see nn --help).";
        if (!first.StartsWith('-') && !commands.Contains(first, StringComparer.Ordinal))
        {
            var near = commands.MinBy(c => Distance(c, first))!;
            var hint = Distance(near, first) <= 2 ? $"did you mean '{near}'? " : "";
            return $"'{first}' is not a command; {hint}the commands are: {list}.";
        }

        var command = commands.Contains(first, StringComparer.Ordinal) ? first : null;
        var errors = parse.Errors.Select(e => Describe(e, command)).Distinct(StringComparer.Ordinal).ToList();
        if (errors.Count == 1) return errors[0];
        var help = command is null ? "nn --help" : $"nn {command} --help";
        return $"{errors[0].TrimEnd('.')} (and {errors.Count - 1} more problem{(errors.Count == 2 ? "" : "s")}; see {help}).";
    }

    private static string Describe(ParseError error, string? command)
    {
        var m = error.Message;
        const string unrecognized = "Unrecognized command or argument '";
        if (m.StartsWith(unrecognized, StringComparison.Ordinal) && m.EndsWith("'.", StringComparison.Ordinal))
        {
            var token = m[unrecognized.Length..^2];
            return token.StartsWith('-') ? $"{token}: not a flag of nn {command}." : $"'{token}' was not expected here (a flag's value must follow its flag).";
        }
        if (m.StartsWith("Option '", StringComparison.Ordinal) && m.EndsWith("' is required.", StringComparison.Ordinal))
            return $"{m["Option '".Length..^"' is required.".Length]}: required by nn {command}.";
        const string missing = "Required argument missing for option: '";
        if (m.StartsWith(missing, StringComparison.Ordinal) && m.EndsWith("'.", StringComparison.Ordinal))
            return $"{m[missing.Length..^2]}: expects a value.";
        return m;
    }

    /// <summary>The Levenshtein distance between two short words.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}

using System.CommandLine;

namespace Nn.Cli;

/// <summary>
/// <c>nn train</c>'s flags as other commands take them (<c>nn cv</c>, <c>nn sweep plan</c>): the tokens a command does
/// not know itself are parsed by the train command's own parser and turned into settings by <see cref="TrainCommand.Settings"/>,
/// so every train flag — including ones added later — means exactly what it means to <c>nn train</c>.
/// </summary>
internal static class TrainArgs
{
    /// <summary>Parses <c>train</c> + <paramref name="flags"/>; a parse error is refused as one line that names <c>nn <paramref name="command"/></c>.</summary>
    /// <exception cref="ArgumentException">The parse's first problem, one line.</exception>
    internal static ParseResult Parse(IReadOnlyList<string> flags, string command)
    {
        var root = CliApp.Build(CliConsole.Plain(TextWriter.Null, TextWriter.Null), CancellationToken.None);
        string[] args = ["train", .. flags];
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0) throw new ArgumentException(ParseErrors.OneLine(parse, root, args).Replace("nn train", $"nn {command}", StringComparison.Ordinal));
        return parse;
    }

    /// <summary>True when the flag was on the command line (not just its default).</summary>
    internal static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>Refuses the first of <paramref name="options"/> that was given: <c>--flag: not taken by nn cmd (why).</c></summary>
    internal static void Refuse(ParseResult p, string command, string why, params Option[] options)
    {
        foreach (var o in options)
            if (Given(p, o)) throw new ArgumentException($"{o.Name}: not taken by nn {command} ({why}).");
    }
}

namespace Nn.Cli;

/// <summary>Where a command writes: standard output, standard error, and whether stdout is a terminal (progress bars, colours).</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error: one line per error.</param>
/// <param name="Interactive">True when stdout is a terminal; false gives plain, line-by-line output.</param>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool Interactive)
{
    /// <summary>A console over two writers, never interactive (for tests and redirection).</summary>
    public static CliConsole Plain(TextWriter output, TextWriter error) => new(output, error, false);
}

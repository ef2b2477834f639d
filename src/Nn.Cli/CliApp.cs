using System.CommandLine;
using Nn.Shell;

namespace Nn.Cli;

/// <summary>
/// The <c>nn</c> command tree. <see cref="Parse"/> parses without running anything (for tests); <see cref="Run"/> runs a
/// command in-process against a <see cref="CliConsole"/>.
/// </summary>
public static class CliApp
{
    /// <summary>The exit code for bad input (arguments, data or model files).</summary>
    public const int BadInput = 2;

    /// <summary>The exit code when training diverged (a NaN or infinite loss or gradient; see <c>--on-nan</c>), or a model's outputs are not finite.</summary>
    public const int Diverged = 3;

    /// <summary>The exit code of <c>nn gradcheck</c> when the check was inconclusive: some entries or directions could be judged neither at the point nor at nearby points (none failed).</summary>
    public const int Inconclusive = 4;

    /// <summary>The exit code when Ctrl+C (SIGINT) stopped a command (128 + 2): training wrote its last completed epoch, any other command nothing.</summary>
    public const int Cancelled = 130;

    /// <summary>The exit code when SIGTERM stopped a command (128 + 15); otherwise as <see cref="Cancelled"/>.</summary>
    public const int Terminated = 143;

    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand Build(CliConsole console, CancellationToken cancellationToken)
    {
        var root = new RootCommand("nn: train, evaluate, use and inspect feedforward neural networks.");
        root.Add(TrainCommand.Build(console, cancellationToken));
        root.Add(EvalCommand.Build(console, cancellationToken));
        root.Add(PredictCommand.Build(console, cancellationToken));
        root.Add(GradcheckCommand.Build(console, cancellationToken));
        root.Add(ExplainCommand.Build(console, cancellationToken));
        root.Add(ExportCommand.Build(console, cancellationToken));
        root.Add(InfoCommand.Build(console, cancellationToken));
        root.Add(DemoCommand.Build(console, cancellationToken));
        root.Add(CvCommand.Build(console, cancellationToken));
        root.Add(SweepCommand.Build(console, cancellationToken));
        return root;
    }

    /// <summary>
    /// Stops a command that writes nothing when interrupted (every command but <c>train</c>): throws the exception that
    /// <see cref="Run"/> turns into exit code 130 (143 for SIGTERM, see <see cref="Program"/>) and one line.
    /// </summary>
    internal static void StopIfCancelled(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException("cancelled; nothing was written.", cancellationToken);
    }

    /// <summary>Parses <paramref name="args"/> against the command tree without running it.</summary>
    public static ParseResult Parse(IReadOnlyList<string> args) =>
        Build(CliConsole.Plain(TextWriter.Null, TextWriter.Null), CancellationToken.None).Parse(args);

    /// <summary>
    /// Runs a command. Bad input gives one line on stderr naming the file, line and column or the flag, and exit code 2;
    /// the stack trace is printed only with <c>--verbose</c>.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var verbose = args.Contains("--verbose");
        var rest = args.Where(a => a != "--verbose").ToArray();
        var root = Build(console, cancellationToken);
        var parse = root.Parse(rest);
        if (parse.Errors.Count > 0)
        {
            console.Error.WriteLine($"nn: {ParseErrors.OneLine(parse, root, rest)}");
            return BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is DataFileException or ModelFileException or ArgumentException or FormatException or IOException or UnauthorizedAccessException)
        {
            return Fail(console, e, e.Message, verbose, BadInput);
        }
        catch (Exception e) when (e is TrainingDivergedException or NonFiniteOutputException)
        {
            return Fail(console, e, e.Message, verbose, Diverged);
        }
        catch (OperationCanceledException e)
        {
            return Fail(console, e, e.Message, verbose, Cancelled);
        }
        catch (OutOfMemoryException e)
        {
            return Fail(console, e, "out of memory; use narrower --layers or a smaller --batch-size.", verbose, BadInput);
        }
        catch (Exception e)
        {
            // Anything else is a bug in nn, not bad input: still one line (no stack trace unless asked), and its own code.
            return Fail(console, e, $"internal error ({e.GetType().Name}: {e.Message}); this is a bug in nn, please report it with the output of --verbose.", verbose, InternalError);
        }
    }

    /// <summary>The exit code of an unexpected exception: a bug in <c>nn</c> (EX_SOFTWARE of BSD's sysexits).</summary>
    public const int InternalError = 70;

    /// <summary>Writes <paramref name="message"/> as one line (exception messages may span several), the stack trace with --verbose.</summary>
    private static int Fail(CliConsole console, Exception e, string message, bool verbose, int code)
    {
        console.Error.WriteLine($"nn: {OneLine(message)}");
        if (verbose) console.Error.WriteLine(e);
        return code;
    }

    /// <summary>The text on one line: line breaks (as in ArgumentOutOfRangeException's "Actual value was …") become spaces.</summary>
    internal static string OneLine(string text) =>
        string.Join(' ', text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

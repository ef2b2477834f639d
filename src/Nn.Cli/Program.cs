namespace Nn.Cli;

/// <summary>The entry point of the <c>nn</c> command.</summary>
public static class Program
{
    /// <summary>Runs <c>nn</c> with the process's console; returns the exit code (0 ok, 1 a failed check, 2 bad input).</summary>
    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C asks training to stop at the next step and write what it has; a second one kills.
            if (cts.IsCancellationRequested) return;
            e.Cancel = true;
            cts.Cancel();
        };
        return CliApp.Run(args, new CliConsole(Console.Out, Console.Error, Interactive: !Console.IsOutputRedirected), cts.Token);
    }
}

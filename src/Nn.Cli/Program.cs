using System.Runtime.InteropServices;

namespace Nn.Cli;

/// <summary>The entry point of the <c>nn</c> command.</summary>
public static class Program
{
    /// <summary>
    /// Runs <c>nn</c> with the process's console; returns the exit code (0 ok, 1 a failed check, 2 bad input, 3 diverged
    /// or not finite, 130 stopped by SIGINT, 143 stopped by SIGTERM).
    /// </summary>
    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        var terminated = false;
        // The first SIGINT (Ctrl+C) or SIGTERM asks the command to stop: training at its next step, writing the last completed
        // epoch; every other command before it writes anything. A second one of either takes the default action and kills
        // the process, which is safe: every file is written atomically.
        void Stop(PosixSignalContext context)
        {
            if (cts.IsCancellationRequested) return;
            context.Cancel = true;
            Volatile.Write(ref terminated, context.Signal == PosixSignal.SIGTERM);
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var code = CliApp.Run(args, new CliConsole(Console.Out, Console.Error, Interactive: !Console.IsOutputRedirected), cts.Token);
        return code == CliApp.Cancelled && Volatile.Read(ref terminated) ? CliApp.Terminated : code;
    }
}

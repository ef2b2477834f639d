using System.Diagnostics;

namespace Nn.Tests.Shared;

/// <summary>Runs an external program with a deadline (one file compiled into Nn.Shell.Tests and Nn.Cli.Tests).</summary>
internal static class Processes
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> and extra environment variables; on timeout kills its whole tree and throws.</summary>
    internal static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

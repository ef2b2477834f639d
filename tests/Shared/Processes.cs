using System.Diagnostics;

namespace Nn.Tests.Shared;

/// <summary>Runs an external program with a deadline, or installs a Debian package (one file compiled into Nn.Shell.Tests, Nn.Cli.Tests and Nn.MLNet.Tests).</summary>
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

    /// <summary>
    /// <c>apt-get update</c> and <c>apt-get install -y</c> of <paramref name="packages"/> (as root, on Debian). Test
    /// assemblies and classes run in parallel, and up to three of them install packages on a fresh machine: one at a time
    /// (flock on a lock file of the suite's own), and apt waits for a lock another process holds instead of failing at once.
    /// </summary>
    internal static (int Code, string Out, string Err) AptInstall(params string[] packages) =>
        Run("/bin/sh", ["-c",
            "flock -w 1800 /tmp/nn-tests-apt.lock sh -c 'apt-get -o DPkg::Lock::Timeout=900 update && DEBIAN_FRONTEND=noninteractive " +
            $"apt-get -o DPkg::Lock::Timeout=900 install -y {string.Join(' ', packages)}'"], TimeSpan.FromMinutes(30));
}

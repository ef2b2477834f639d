using System.Diagnostics;
using System.Text;

namespace Nn.Cli.Tests;

/// <summary>
/// Runs the built <c>nn.dll</c> (copied next to this test assembly by the project reference) as a real child process with
/// <c>dotnet nn.dll …</c>, so tests can kill it, interrupt it or change its runtime environment.
/// </summary>
public sealed class ChildNn : IDisposable
{
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly object _gate = new();

    /// <summary>The nn.dll next to the test assembly.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "nn.dll");

    /// <summary>The dotnet host that runs this test (set by <c>dotnet test</c>), else "dotnet" from the PATH.</summary>
    public static string Host =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// True when <c>env --default-signal=INT</c> works here: it gives the child the default SIGINT disposition even when
    /// this process inherited "ignore SIGINT" (as background jobs of a non-interactive shell do), which .NET would keep.
    /// </summary>
    public static readonly Lazy<bool> CanResetSigint = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("env", ["--default-signal=INT", "true"]) { RedirectStandardError = true, UseShellExecute = false })!;
            p.WaitForExit(5000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    });

    private ChildNn(Process process) => Process = process;

    /// <summary>The running process.</summary>
    public Process Process { get; }

    /// <summary>Called with each stdout line as it arrives.</summary>
    public Action<string>? OnLine { get; set; }

    /// <summary>Called with each stderr line as it arrives.</summary>
    public Action<string>? OnErrorLine { get; set; }

    /// <summary>Stdout so far.</summary>
    public string Out { get { lock (_gate) return _out.ToString(); } }

    /// <summary>Stderr so far.</summary>
    public string Err { get { lock (_gate) return _err.ToString(); } }

    /// <summary>Starts <c>dotnet nn.dll args</c> in <paramref name="folder"/>; <paramref name="environment"/> entries with a null value are removed.</summary>
    public static ChildNn Start(IEnumerable<string> args, string folder, IReadOnlyDictionary<string, string?>? environment = null, bool defaultSigint = false)
    {
        var info = new ProcessStartInfo
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (defaultSigint && CanResetSigint.Value)
        {
            info.FileName = "env";
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(Host);
        }
        else info.FileName = Host;
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var name in new[] { "DOTNET_EnableHWIntrinsic", "DOTNET_EnableAVX", "DOTNET_EnableAVX2", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX512", "DOTNET_PreferredVectorBitWidth" }) info.Environment.Remove(name);
        if (environment is not null)
            foreach (var (k, v) in environment)
                if (v is null) info.Environment.Remove(k); else info.Environment[k] = v;

        var process = new Process { StartInfo = info };
        var child = new ChildNn(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._gate) child._out.AppendLine(e.Data);
            child.OnLine?.Invoke(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._gate) child._err.AppendLine(e.Data);
            child.OnErrorLine?.Invoke(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs to completion (killed after <paramref name="timeout"/>) and returns the exit code and output.</summary>
    public static (int Code, string Out, string Err) Run(IEnumerable<string> args, string folder, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var child = Start(args, folder, environment);
        Assert.True(child.WaitForExit(timeout), $"nn {string.Join(" ", args)} did not finish within {timeout}");
        return (child.Process.ExitCode, child.Out, child.Err);
    }

    /// <summary>Waits for exit and for the output to drain; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout)) return false;
        Process.WaitForExit(); // drains the asynchronous output readers
        return true;
    }

    /// <summary>Kills the process (SIGKILL) if it is still running.</summary>
    public void Dispose()
    {
        try
        {
            if (!Process.HasExited) { Process.Kill(); Process.WaitForExit(10_000); }
        }
        catch (InvalidOperationException) { }
        Process.Dispose();
    }
}

using System.Diagnostics;
using Nn.Tests.Shared;

namespace Nn.Cli.Tests;

/// <summary>
/// The native <c>nn</c>: <c>dotnet publish src/Nn.Cli -c Release -r linux-x64</c> (Native AOT), once per test run, into a
/// folder of its own with its own artifacts path, so it shares no bin/obj folder with the build under test. Debian's clang
/// and zlib1g-dev link it; they are installed with apt-get when missing (as root, as on CI).
/// </summary>
public sealed class NativeNn
{
    private static readonly Lazy<NativeNn> Built = new(Publish, LazyThreadSafetyMode.ExecutionAndPublication);

    private NativeNn(string executable, TimeSpan publishTime)
    {
        Executable = executable;
        PublishTime = publishTime;
    }

    /// <summary>The native executable.</summary>
    public string Executable { get; }

    /// <summary>How long the publish took (for the test's output).</summary>
    public TimeSpan PublishTime { get; }

    /// <summary>Why the native build cannot be tested here, or null: only when clang is missing and cannot be installed.</summary>
    public static string? SkipReason =>
        !OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64
            ? "the native build is tested on linux-x64 only."
            : HasToolchain() || CanInstall() ? null
            : "clang or zlib1g-dev is missing and cannot be installed here (no apt-get, or not root); apt-get install clang zlib1g-dev.";

    /// <summary>The native build, published on first use.</summary>
    public static NativeNn Get() => Built.Value;

    private static bool HasToolchain() => OnPath("clang") && File.Exists("/usr/include/zlib.h");

    private static bool CanInstall() => File.Exists("/usr/bin/apt-get") && Environment.UserName == "root";

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, name)));

    /// <summary>The repository root: the first folder above the test assembly that holds NnFunctional.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NnFunctional.sln"))) return d.FullName;
        throw new InvalidOperationException($"no NnFunctional.sln above {AppContext.BaseDirectory}");
    }

    private static NativeNn Publish()
    {
        if (!HasToolchain())
        {
            var (code, stdout, stderr) = Processes.AptInstall("clang", "zlib1g-dev");
            if (code != 0) throw new InvalidOperationException($"installing clang and zlib1g-dev failed ({code}): {stdout[^Math.Min(stdout.Length, 2000)..]}\n{stderr}");
        }
        // A fixed folder per checkout (not per run), so a second run of the suite on the same machine compiles incrementally.
        var root = RepositoryRoot();
        var work = Path.Combine(Path.GetTempPath(), "nn-native-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(root)))[..12]);
        var output = Path.Combine(work, "publish");
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var watch = Stopwatch.StartNew();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "publish", Path.Combine(root, "src", "Nn.Cli"), "-c", "Release", "-r", "linux-x64", "-o", output,
            "--artifacts-path", Path.Combine(work, "artifacts"), "-nologo", "-v", "q", "-p:ContinuousIntegrationBuild=true" })
            info.ArgumentList.Add(a);
        // `dotnet test` sets MSBuild variables for its own build; the nested build must find its SDK afresh.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH").ToArray())
            info.Environment.Remove(name);
        using var process = Process.Start(info)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet publish -r linux-x64 (Native AOT) did not finish within 30 minutes.");
        }
        process.WaitForExit();
        var log = stdoutTask.Result + stderrTask.Result;
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet publish (Native AOT) failed ({process.ExitCode}):\n{log}");
        // The publish must be warning-free: a trim or AOT warning is a place where the native nn may differ from the JIT one.
        var warnings = log.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (warnings.Length > 0) throw new InvalidOperationException("dotnet publish (Native AOT) warned:\n" + string.Join('\n', warnings));
        var executable = Path.Combine(output, "nn");
        if (!File.Exists(executable)) throw new InvalidOperationException($"dotnet publish wrote no {executable}:\n{log}");
        // A native executable, not the apphost of a JIT build: no nn.dll beside it, and an ELF file.
        if (File.Exists(Path.Combine(output, "nn.dll"))) throw new InvalidOperationException($"{output} holds nn.dll: the publish was not Native AOT.");
        return new NativeNn(executable, watch.Elapsed);
    }
}

/// <summary>A [Fact] that is skipped, with the reason, only where the native build cannot be made (<see cref="NativeNn.SkipReason"/>).</summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute()
    {
        if (NativeNn.SkipReason is { } reason) Skip = reason;
    }
}

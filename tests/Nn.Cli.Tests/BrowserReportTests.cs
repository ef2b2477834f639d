using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Nn.Cli.Tests;

/// <summary>
/// The HTML report in a real browser: headless Chromium loads it with no console messages, its inline script confirms
/// every chart rendered, and a screenshot is taken. Chromium is installed with apt-get when missing (CI machines are
/// fresh Debian machines where the tests run as root).
/// </summary>
public sealed partial class BrowserReportTests(ITestOutputHelper output)
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly Lazy<string> Chromium = new(EnsureChromium, LazyThreadSafetyMode.ExecutionAndPublication);

    [Fact]
    public void Chromium_renders_every_chart_of_a_train_report_without_console_messages_and_screenshots_it()
    {
        using var dir = new TempDir();
        var train = ReportTests.HostileMoons(dir, "train.csv", 240, 1);
        var test = ReportTests.HostileMoons(dir, "test.csv", 80, 2);
        var report = dir.File("report.html");
        var t = NnCli.Run("train", "--data", train, "--test-data", test, "--validation-fraction", "0.25", "--layers", "12", "--activation", "tanh", "--lr", "0.02",
            "--epochs", "30", "--seed", "5", "--out", dir.File("m.safetensors"), "--report", report, "--quiet");
        Assert.True(t.Code == 0, t.Err);

        var dom = RunChromium(dir, report, "--dump-dom", "--enable-logging=stderr", "--v=0");
        Assert.Equal("nn report ok: 7 charts rendered", Title().Match(dom.Out).Groups[1].Value);
        Assert.DoesNotMatch(":CONSOLE", dom.Err);

        var png = dir.File("report.png");
        RunChromium(dir, report, $"--screenshot={png}", "--window-size=1200,2400");
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));   // IHDR width
        Assert.Equal(2400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));   // IHDR height
        Assert.True(bytes.Length > 50_000, $"a screenshot of charts is not blank: {bytes.Length} bytes");
        output.WriteLine($"screenshot: {bytes.Length} bytes");
    }

    [Fact]
    public void Chromium_renders_a_regression_eval_report_without_console_messages()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 150, 3);
        var model = dir.File("lin.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--layers", "6", "--epochs", "10", "--out", model, "--quiet").Code);
        var report = dir.File("eval.html");
        Assert.Equal(0, NnCli.Run("eval", "--model", model, "--data", data, "--report", report).Code);

        var dom = RunChromium(dir, report, "--dump-dom", "--enable-logging=stderr", "--v=0");
        Assert.Equal("nn report ok: 1 charts rendered", Title().Match(dom.Out).Groups[1].Value);
        Assert.DoesNotMatch(":CONSOLE", dom.Err);
    }

    private (string Out, string Err) RunChromium(TempDir dir, string page, params string[] extra)
    {
        var profile = Path.Combine(dir.Path, "profile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        string[] args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", .. extra, new Uri(page).AbsoluteUri];
        var (code, stdout, stderr) = Run(Chromium.Value, args, TimeSpan.FromSeconds(120));
        output.WriteLine(stderr);
        Assert.True(code == 0, $"chromium exited with {code}: {stderr}");
        return (stdout, stderr);
    }

    /// <summary>The Chromium executable, installing the Debian package first when it is missing.</summary>
    private static string EnsureChromium()
    {
        if (File.Exists(ChromiumPath)) return ChromiumPath;
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get"))
            throw new InvalidOperationException($"{ChromiumPath} is missing and apt-get is not available to install it.");
        var (code, stdout, stderr) = Nn.Tests.Shared.Processes.AptInstall("chromium");
        if (code != 0 || !File.Exists(ChromiumPath))
            throw new InvalidOperationException($"installing chromium failed ({code}): {stdout[^Math.Min(stdout.Length, 2000)..]}\n{stderr}");
        return ChromiumPath;
    }

    private static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, TimeSpan timeout) =>
        Nn.Tests.Shared.Processes.Run(file, args, timeout);

    [GeneratedRegex("<title>([^<]*)</title>")]
    private static partial Regex Title();
}

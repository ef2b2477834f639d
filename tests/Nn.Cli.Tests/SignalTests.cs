using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Nn.Shell;
using Xunit.Abstractions;

namespace Nn.Cli.Tests;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM stop every command: training writes its last completed epoch, every other command writes
/// nothing; the exit code is 130 for SIGINT and 143 for SIGTERM. The real-process tests signal only after an observable
/// event (a progress line, an epoch line), never after a fixed sleep; their time limits only bound a hang.
/// </summary>
public class SignalTests(ITestOutputHelper output)
{
    private static void Send(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit(5000);
    }

    [Theory]
    [InlineData("INT", CliApp.Cancelled)]
    [InlineData("TERM", CliApp.Terminated)]
    public void A_signal_stops_gradcheck_after_its_first_progress_line_and_nothing_is_written(string signal, int code)
    {
        using var dir = new TempDir();
        // 1,009,003 parameters: the per-coordinate check would take hours, so it is surely still running when signalled.
        using var child = ChildNn.Start(["gradcheck", "--layers", "1000,1000", "--max-parameters", "2000000", "--progress"], dir.Path, defaultSigint: signal == "INT");
        var sent = new ManualResetEventSlim();
        child.OnErrorLine = line =>
        {
            if (!line.StartsWith("gradcheck: ", StringComparison.Ordinal) || sent.IsSet) return;
            Send(signal, child.Process.Id);
            sent.Set();
        };
        Assert.True(sent.Wait(TimeSpan.FromSeconds(120)), "gradcheck printed no progress line: " + child.Err);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), $"nn gradcheck did not stop after SIG{signal}");
        output.WriteLine(child.Err.Trim());
        Assert.Equal(code, child.Process.ExitCode);
        Assert.Equal("", child.Out);
        var last = child.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Matches(@"^nn: gradcheck cancelled after \d+ of 1009007 checks; nothing was written\.$", last);
        Assert.Empty(dir.Names());
    }

    [Fact]
    public void Sigterm_stops_training_like_sigint_writes_the_last_completed_epoch_and_exits_143()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 400, 12, textLabels: true);
        var model = dir.File("m.safetensors");
        var checkpoint = dir.File("run.ckpt");
        using var child = ChildNn.Start(["train", "--data", data, "--layers", "32,32", "--validation-fraction", "0", "--epochs", "100000",
            "--checkpoint", checkpoint, "--out", model], dir.Path);
        var sent = new ManualResetEventSlim();
        child.OnLine = line =>
        {
            if (!line.StartsWith("epoch 3/", StringComparison.Ordinal) || sent.IsSet) return;
            Send("TERM", child.Process.Id);
            sent.Set();
        };
        Assert.True(sent.Wait(TimeSpan.FromSeconds(60)), "training did not reach epoch 3: " + child.Err);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "nn did not stop after SIGTERM");
        output.WriteLine(child.Err.Trim());
        Assert.Equal(CliApp.Terminated, child.Process.ExitCode);
        var line = Assert.Single(child.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var epoch = int.Parse(Regex.Match(line, @"^nn: cancelled; the model was written from epoch (\d+) to .*m\.safetensors; .*run\.ckpt holds epoch \1\.$").Groups[1].Value,
            CultureInfo.InvariantCulture);
        Assert.True(epoch >= 3, line);
        var saved = CheckpointFile.Load(checkpoint);
        Assert.Equal(epoch, saved.State.CompletedEpochs);
        Assert.True(Parameters.BitEquals(saved.State.Train.Parameters, ModelFile.Load(model).Network));
    }

    /// <summary>Runs in-process with a token cancelled before the command starts (as a signal arriving at once would).</summary>
    private static (int Code, string Out, string Err) RunCancelled(params string[] args)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var o = new StringWriter(CultureInfo.InvariantCulture);
        var e = new StringWriter(CultureInfo.InvariantCulture);
        var code = CliApp.Run(args, CliConsole.Plain(o, e), cts.Token);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Every_command_but_train_stops_when_cancelled_writes_nothing_and_exits_130()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 90, 5);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--out", model, "--layers", "4", "--epochs", "2", "--quiet").Code);
        var before = dir.Names();
        string[][] commands =
        [
            ["eval", "--model", model, "--data", data, "--report", dir.File("r.html")],
            ["eval", "--model", model, "--data", data, "--json"],
            ["predict", "--model", model, "--data", data, "--out", dir.File("p.csv")],
            ["export", "--model", model, "--onnx", dir.File("m.onnx")],
            ["explain", "--model", model, "--data", data],
            ["info", "--model", model],
            ["info", "--model", model, "--json"],
            ["explain"],
            ["gradcheck"],
            ["gradcheck", "--model", model, "--data", data, "--json"],
            ["demo", "--out", dir.File("digits.safetensors")],
        ];
        foreach (var args in commands)
        {
            var r = RunCancelled(args);
            var what = string.Join(" ", args);
            Assert.True(r.Code == CliApp.Cancelled, $"{what}: exit {r.Code}: {r.Err}");
            Assert.True(r.Out == "", $"{what} wrote to stdout: {r.Out}");
            var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Matches(@"^nn: (gradcheck )?cancelled; nothing was written\.$", line);
            Assert.Equal(before, dir.Names());
        }
    }

    /// <summary>A stderr that cancels a token at the first progress line of a gradient check (as Ctrl+C would then).</summary>
    private sealed class CancellingWriter(CancellationTokenSource cts) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith("gradcheck: ", StringComparison.Ordinal)) cts.Cancel();
        }
    }

    [Fact]
    public void Gradcheck_cancelled_midway_names_how_far_it_came()
    {
        using var cts = new CancellationTokenSource();
        var o = new StringWriter(new StringBuilder(), CultureInfo.InvariantCulture);
        var e = new CancellingWriter(cts);
        var code = CliApp.Run(["gradcheck", "--layers", "30,30", "--progress", "--json"], CliConsole.Plain(o, e), cts.Token);
        Assert.Equal(CliApp.Cancelled, code);
        Assert.Equal("", o.ToString());
        var lines = e.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^gradcheck: \d\.\d% \(1 of 1177 checks\)$", lines[0]);
        Assert.Equal("nn: gradcheck cancelled after 1 of 1177 checks; nothing was written.", lines[1]);
    }
}

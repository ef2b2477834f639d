using System.Diagnostics;
using System.Text.RegularExpressions;
using Nn.Shell;
using Xunit.Abstractions;

namespace Nn.Cli.Tests;

/// <summary>
/// Fault and determinism tests against the real <c>nn</c> in child processes, each bounded in time: SIGKILL at random
/// moments never damages the model or checkpoint file, SIGINT stops training cleanly, and disabling the SIMD paths
/// (<c>DOTNET_EnableHWIntrinsic=0</c>, <c>DOTNET_EnableAVX2=0</c>, <c>DOTNET_EnableAVX=0</c>) gives the same model bytes.
/// </summary>
public partial class ProcessTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"^\.(run\.ckpt|m\.safetensors)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TempName();

    /// <summary>
    /// Kills the real <c>nn train</c> at random moments of its epoch cycle. The moments are drawn in units of the child's
    /// own epoch time, measured from its progress lines, and each kill waits until that child has replaced the checkpoint
    /// twice: so the share of kills that land while a checkpoint is written does not depend on the machine's speed, and
    /// nothing here asserts on elapsed time (timeouts only detect a hang).
    /// </summary>
    [Fact]
    public void Sigkill_at_random_moments_never_leaves_a_damaged_model_or_checkpoint()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 200, 11, textLabels: false);
        var model = dir.File("m.safetensors");
        var checkpoint = dir.File("run.ckpt");
        // Wide layers make a checkpoint of about 2 MB (parameters, Adam's two moments and the best parameters), so a good
        // share of the kills land while one is being serialised, written or flushed.
        string[] common = ["train", "--data", data, "--layers", "256,256", "--validation-fraction", "0.2", "--checkpoint", checkpoint, "--out", model];
        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "1", "--quiet"]).Code);

        var random = new Random(20240611);
        const int Runs = 16;
        int kills = 0, finished = 0, temps = 0;
        for (var iteration = 0; iteration < Runs; iteration++)
        {
            // Some runs end (and write the model) around the moment of the kill; others are mid-way through many epochs.
            var epochs = random.Next(3) == 0 ? random.Next(2, 6) : 10_000;
            var epochLines = new List<TimeSpan>();
            var twoEpochs = new ManualResetEventSlim();
            var clock = Stopwatch.StartNew();
            using (var child = ChildNn.Start([.. common, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)], dir.Path))
            {
                child.OnLine = line =>
                {
                    if (!line.StartsWith("epoch ", StringComparison.Ordinal)) return;
                    lock (epochLines)
                    {
                        epochLines.Add(clock.Elapsed);
                        if (epochLines.Count == 2) twoEpochs.Set();
                    }
                };
                // Each epoch line comes after that epoch's checkpoint was written.
                while (!twoEpochs.Wait(100) && !child.Process.HasExited) { }
                if (twoEpochs.IsSet)
                {
                    TimeSpan epoch;
                    lock (epochLines) epoch = epochLines[1] - epochLines[0];
                    Thread.Sleep(TimeSpan.FromTicks((long)(random.NextDouble() * 2 * Math.Max(epoch.Ticks, TimeSpan.TicksPerMillisecond))));
                }
                if (child.Process.HasExited) finished++;
                else { child.Process.Kill(); kills++; }
                Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "the child did not stop");
            }

            // The files under the target names are always complete: the previous version or a whole new one.
            var saved = CheckpointFile.Load(checkpoint);
            var loaded = ModelFile.Load(model);
            Assert.True(Parameters.IsFinite(saved.State.Train.Parameters) && Parameters.IsFinite(loaded.Network));
            Assert.True(saved.State.CompletedEpochs >= 2, $"run {iteration}: the checkpoint holds epoch {saved.State.CompletedEpochs}");
            foreach (var f in Directory.GetFiles(dir.Path).Select(Path.GetFileName))
            {
                if (f is "moons.csv" or "m.safetensors" or "run.ckpt") continue;
                Assert.Matches(TempName(), f); // only an abandoned temporary file may remain, never a half-written target
                temps++;
                File.Delete(dir.File(f!));
            }
        }
        output.WriteLine($"{Runs} runs: {kills} killed with SIGKILL, {finished} finished before the kill, {temps} abandoned temporary files (deleted)");
        Assert.True(kills >= Runs / 2, $"only {kills} of {Runs} runs were killed");
    }

    [Fact]
    public void Sigint_stops_training_after_the_current_step_and_writes_the_last_completed_epoch()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 400, 12, textLabels: true);
        var model = dir.File("m.safetensors");
        var checkpoint = dir.File("run.ckpt");
        using var child = ChildNn.Start(["train", "--data", data, "--layers", "32,32", "--validation-fraction", "0", "--epochs", "100000",
            "--checkpoint", checkpoint, "--out", model], dir.Path, defaultSigint: true);
        var sent = new ManualResetEventSlim();
        child.OnLine = line =>
        {
            if (!line.StartsWith("epoch 5/", StringComparison.Ordinal) || sent.IsSet) return;
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", child.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            kill.WaitForExit(5000);
            sent.Set();
        };
        Assert.True(sent.Wait(TimeSpan.FromSeconds(30)), "training did not reach epoch 5: " + child.Err);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "nn did not stop after SIGINT");
        output.WriteLine(child.Err.Trim());
        Assert.Equal(CliApp.Cancelled, child.Process.ExitCode);
        var epoch = int.Parse(Regex.Match(child.Err, @"^nn: cancelled; the model was written from epoch (\d+) to .*m\.safetensors; .*run\.ckpt holds epoch \1\.$", RegexOptions.Multiline).Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(epoch >= 5, child.Err);
        var saved = CheckpointFile.Load(checkpoint);
        Assert.Equal(epoch, saved.State.CompletedEpochs);
        Assert.True(Parameters.BitEquals(saved.State.Train.Parameters, ModelFile.Load(model).Network));
    }

    /// <summary>
    /// D2: the scalar, 128-, 256- and 512-bit paths give the same model bytes, for ReLU (the matrix products) and for tanh
    /// and sigmoid with binary cross-entropy (the library's own element-wise functions and their lane drivers).
    /// </summary>
    [Theory]
    [InlineData("relu", "blobs")]
    [InlineData("tanh", "blobs")]
    [InlineData("sigmoid", "moons")]
    public void Disabling_simd_paths_gives_identical_model_bytes(string activation, string data)
    {
        using var dir = new TempDir();
        var file = data == "blobs" ? dir.Blobs("data.csv", 300, 21) : dir.Moons("data.csv", 300, 21, textLabels: false);
        string[] common = ["train", "--data", file, "--layers", "16,8", "--activation", activation, "--epochs", "8", "--dropout", "0.1", "--l2", "0.001", "--seed", "2", "--quiet"];
        var inProcess = dir.File("in-process.safetensors");
        Assert.Equal(0, NnCli.Run([.. common, "--out", inProcess]).Code);
        var expected = File.ReadAllBytes(inProcess);

        var settings = new (string Name, Dictionary<string, string?> Environment)[]
        {
            ("default", []),
            ("DOTNET_EnableHWIntrinsic=0", new() { ["DOTNET_EnableHWIntrinsic"] = "0" }),
            // .NET 10 reads DOTNET_EnableAVX512 (DOTNET_EnableAVX512F=0 left Vector512 accelerated): the 256-bit kernels.
            ("DOTNET_EnableAVX512=0", new() { ["DOTNET_EnableAVX512"] = "0" }),
            ("DOTNET_EnableAVX2=0", new() { ["DOTNET_EnableAVX2"] = "0" }),
            ("DOTNET_EnableAVX=0", new() { ["DOTNET_EnableAVX"] = "0" }),
            // 128-bit vectors only: on x64 the products take the 128-bit kernels ARM64's NEON runs.
            ("DOTNET_PreferredVectorBitWidth=128", new() { ["DOTNET_PreferredVectorBitWidth"] = "128" }),
        };
        foreach (var (name, environment) in settings)
        {
            var path = dir.File($"{name.Replace('=', '_')}.safetensors");
            var r = ChildNn.Run([.. common, "--out", path], dir.Path, TimeSpan.FromSeconds(60), environment);
            Assert.True(r.Code == 0, $"{name}: {r.Err}");
            var bytes = File.ReadAllBytes(path);
            output.WriteLine($"{activation} {name}: parameters_sha256 {ModelFile.ParametersSha256(ModelFile.Load(path).Network)}");
            Assert.True(bytes.AsSpan().SequenceEqual(expected), $"{activation}, {name}: the model bytes differ from the in-process run's");
        }
    }
}

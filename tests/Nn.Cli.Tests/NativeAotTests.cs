using System.Diagnostics;
using System.Text.RegularExpressions;
using Nn;
using Nn.Shell;
using Xunit.Abstractions;

namespace Nn.Cli.Tests;

/// <summary>
/// The native <c>nn</c> (Native AOT, <see cref="NativeNn"/>) against the JIT-compiled one (<c>dotnet nn.dll</c>, as
/// <see cref="ChildNn"/> runs it): the same commands in two folders must write the same bytes, print the same output and
/// exit with the same codes. Same bits is the point (D2): the native build picks its SIMD paths at run time as the JIT does,
/// and nothing in it may fall back to a reflection path that behaves differently.
/// </summary>
public sealed partial class NativeAotTests(ITestOutputHelper output)
{
    private static readonly string Data = Path.Combine(NativeNn.RepositoryRoot(), "data");

    /// <summary>One command, run by each side in its own folder (relative output paths; inputs absolute or written into both folders).</summary>
    private sealed record Step(params string[] Args);

    [NativeFact]
    public void Native_nn_trains_to_the_same_bits_as_the_jit_build()
    {
        string D(string name) => Path.Combine(Data, name);
        Compare(
            // The seeds' small workload: 2 → 32 → 3, SGD 0.1, batch 64, 200 epochs, on 900 spiral rows.
            new Step("train", "--data", D("spiral3.csv"), "--layers", "32", "--activation", "relu", "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "64",
                "--epochs", "200", "--validation-fraction", "0", "--scale", "none", "--init", "he", "--out", "small.safetensors", "--json", "--quiet"),
            new Step("train", "--data", D("iris.csv"), "--target", "label", "--layers", "16", "--epochs", "40", "--out", "iris.safetensors",
                "--history", "iris.history.csv", "--report", "iris.train.html"),
            new Step("train", "--data", D("spiral3.csv"), "--layers", "24,24", "--activation", "tanh", "--optimizer", "momentum", "--lr", "0.05",
                "--dropout", "0.1", "--schedule", "cosine", "--warmup", "3", "--clip-norm", "1", "--threads", "2", "--epochs", "30",
                "--out", "spiral.safetensors", "--json"),
            new Step("train", "--data", D("seed_binary.csv"), "--layers", "8", "--activation", "sigmoid", "--output", "sigmoid", "--loss", "bce",
                "--optimizer", "rmsprop", "--l2", "0.001", "--epochs", "25", "--threads", "1", "--out", "binary.safetensors", "--quiet"),
            new Step("train", "--data", D("seed_regression.csv"), "--layers", "16", "--activation", "leaky-relu", "--optimizer", "adamw",
                "--schedule", "step", "--lr-every", "5", "--test-fraction", "0.2", "--epochs", "20", "--out", "regression.safetensors", "--json"),
            new Step("train", "--data", D("blobs3.csv"), "--layers", "8", "--optimizer", "nesterov", "--epochs", "6", "--checkpoint", "run.ckpt",
                "--out", "half.safetensors", "--quiet"),
            new Step("train", "--data", D("blobs3.csv"), "--layers", "8", "--optimizer", "nesterov", "--epochs", "12", "--resume", "run.ckpt",
                "--checkpoint", "run2.ckpt", "--out", "resumed.safetensors", "--quiet"));
    }

    [NativeFact]
    public void Native_nn_reads_writes_and_refuses_every_other_file_like_the_jit_build()
    {
        string D(string name) => Path.Combine(Data, name);
        var m = Synthetic.Moons(Key.FromSeed(4), 120, 0.15);
        var x1 = Enumerable.Range(0, m.Count).Select(r => m.X[r, 0]).ToArray();
        var x2 = Enumerable.Range(0, m.Count).Select(r => m.X[r, 1]).ToArray();
        var labels = Enumerable.Range(0, m.Count).Select(r => m.Labels[r] == 0 ? "left" : "right").ToArray();
        Compare(folder =>
            {
                // Every column type nn reads from Parquet (Parquet.Net maps them through reflection: see Nn.Cli.csproj), then refusals.
                ParquetFile.Write(Path.Combine(folder, "moons.parquet"), 2, ParquetColumn.Doubles("x1", x1), ParquetColumn.Floats("x2", [.. x2.Select(v => (float)v)]),
                    ParquetColumn.Longs("id", [.. Enumerable.Range(0, m.Count).Select(i => (long)i)]), ParquetColumn.Strings("label", labels));
                ParquetFile.Write(Path.Combine(folder, "ints.parquet"), 1, ParquetColumn.Doubles("x1", [.. x1.Select(v => (double?)v)]),
                    ParquetColumn.Ints("x2", [.. x2.Select(v => (int?)(int)(v * 100))]), ParquetColumn.Longs("label", [.. m.Labels.Select(l => (long)l)]));
                ParquetFile.Write(Path.Combine(folder, "holes.parquet"), 1, ParquetColumn.Doubles("x1", [.. x1.Select((v, i) => i == 7 ? null : (double?)v)]),
                    ParquetColumn.Strings("label", labels));
                ParquetFile.Write(Path.Combine(folder, "flags.parquet"), 1, ParquetColumn.Bools("flag", [.. labels.Select(l => l == "left")]), ParquetColumn.Strings("label", labels));
                Npy.Write(Path.Combine(folder, "x.npy"), NpyArray.FromMatrix(m.X));
                Npy.Write(Path.Combine(folder, "y.npy"), new NpyArray([m.Count], "<f8", [.. m.Labels.Select(l => (double)l)]));
            },
            new Step("--help"),
            new Step("train", "--help"),
            new Step("explain"),
            new Step("train", "--data", "moons.parquet", "--layers", "8", "--epochs", "20", "--drop-constant", "--out", "moons.safetensors", "--quiet"),
            new Step("train", "--data", "ints.parquet", "--layers", "4", "--epochs", "5", "--out", "ints.safetensors", "--quiet"),
            new Step("train", "--data", "x.npy", "--labels", "y.npy", "--layers", "4", "--epochs", "5", "--out", "npy.safetensors", "--quiet"),
            new Step("eval", "--model", "moons.safetensors", "--data", "moons.parquet", "--json"),
            new Step("eval", "--model", "moons.safetensors", "--data", "moons.parquet", "--report", "eval.html"),
            new Step("info", "--model", "moons.safetensors", "--json"),
            new Step("info", "--model", "moons.safetensors"),
            new Step("predict", "--model", "moons.safetensors", "--data", "moons.parquet", "--out", "p.csv", "--proba"),
            new Step("export", "--model", "moons.safetensors", "--onnx", "moons.onnx"),
            new Step("export", "--model", "moons.safetensors", "--onnx", "moons32.onnx", "--float32"),
            new Step("gradcheck", "--layers", "5,4", "--activation", "tanh", "--seed", "3", "--json"),
            new Step("gradcheck", "--model", "moons.safetensors", "--data", "moons.parquet"),
            new Step("explain", "--model", "moons.safetensors", "--data", "moons.parquet", "--row", "3"),
            new Step("eval", "--model", D("iris.csv"), "--data", "moons.parquet"),
            new Step("train", "--data", "holes.parquet", "--out", "never.safetensors"),
            new Step("train", "--data", "flags.parquet", "--out", "never.safetensors"),
            new Step("train", "--data", "moons.parquet", "--out", "never.safetensors", "--layers", "8,x"),
            new Step("predict", "--model", "missing.safetensors", "--data", "moons.parquet", "--out", "q.csv"));
    }

    private void Compare(params Step[] steps) => Compare(_ => { }, steps);

    private void Compare(Action<string> prepare, params Step[] steps)
    {
        var native = NativeNn.Get();
        output.WriteLine($"native nn published in {native.PublishTime.TotalSeconds:F0} s: {native.Executable}");
        using var dir = new TempDir();
        var jitFolder = Directory.CreateDirectory(Path.Combine(dir.Path, "jit")).FullName;
        var nativeFolder = Directory.CreateDirectory(Path.Combine(dir.Path, "native")).FullName;
        prepare(jitFolder);
        prepare(nativeFolder);
        foreach (var step in steps)
        {
            var command = "nn " + string.Join(' ', step.Args);
            var jit = ChildNn.Run(step.Args, jitFolder, TimeSpan.FromMinutes(5));
            var aot = RunIn(nativeFolder, native.Executable, step.Args);
            output.WriteLine($"{command}: exit {jit.Code} / {aot.Code}");
            Assert.True(jit.Code == aot.Code, $"{command}: exit {jit.Code} (JIT) but {aot.Code} (native); native stderr: {aot.Err}");
            Assert.True(Normal(jit.Out) == Normal(aot.Out), $"{command}: stdout differs.\nJIT:\n{jit.Out}\nnative:\n{aot.Out}");
            Assert.True(jit.Err == aot.Err, $"{command}: stderr differs.\nJIT:\n{jit.Err}\nnative:\n{aot.Err}");
        }
        var names = Directory.GetFiles(jitFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(names, Directory.GetFiles(nativeFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains(names, n => n!.EndsWith(".safetensors", StringComparison.Ordinal));
        foreach (var name in names)
        {
            var a = File.ReadAllBytes(Path.Combine(jitFolder, name!));
            var b = File.ReadAllBytes(Path.Combine(nativeFolder, name!));
            Assert.True(a.AsSpan().SequenceEqual(b), $"{name}: the native nn wrote other bytes than the JIT one ({a.Length} and {b.Length} bytes).");
        }
        output.WriteLine($"{names.Length} files equal byte for byte: {string.Join(", ", names)}");
    }

    /// <summary>The output without the one value that is allowed to differ: the wall-clock training time (JSON and text).</summary>
    private static string Normal(string text) => TrainedIn().Replace(TrainSeconds().Replace(text, "\"train_seconds\":_"), " epochs in _ s");

    [GeneratedRegex("\"train_seconds\":\\s*[0-9.eE+-]+")]
    private static partial Regex TrainSeconds();

    [GeneratedRegex(" epochs in [0-9.]+ s")]
    private static partial Regex TrainedIn();

    private static (int Code, string Out, string Err) RunIn(string folder, string executable, string[] args)
    {
        var info = new ProcessStartInfo(executable) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"native nn {string.Join(' ', args)} did not finish within 5 minutes.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

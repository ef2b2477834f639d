using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nn.Cli.Tests;

/// <summary>One output of an ONNX Runtime session: its shape and its values as doubles (floats widened exactly).</summary>
public sealed record OrtTensor(long[] Dims, string Type, double[] Data)
{
    public double this[int row, int col] => Data[row * (int)Dims[1] + col];
}

/// <summary>
/// Runs ONNX files in ONNX Runtime's Node.js package (tests/onnx-runner, version pinned in its package.json). The first use
/// checks <c>node --version</c> and, where node_modules lacks the pinned onnxruntime-node, runs
/// <c>npm install --ignore-scripts --no-audit --no-fund</c> there (the package carries its CPU binaries, so no install
/// script is needed). Every process call is time-bound.
/// </summary>
public static class OnnxRunner
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string> Folder = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding package.json and run.js.</summary>
    public static string RunnerFolder
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "tests", "onnx-runner");
                if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
            }
            throw new InvalidOperationException($"tests/onnx-runner not found above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>The onnxruntime-node version pinned in tests/onnx-runner/package.json.</summary>
    public static string PinnedVersion(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "package.json")));
        return doc.RootElement.GetProperty("dependencies").GetProperty("onnxruntime-node").GetString()!;
    }

    /// <summary>The installed onnxruntime-node version, installing it first where needed.</summary>
    public static string InstalledVersion()
    {
        var folder = Folder.Value;
        return InstalledVersionIn(folder) ?? throw new InvalidOperationException("onnxruntime-node is not installed.");
    }

    /// <summary>Runs <paramref name="modelPath"/> on <paramref name="rows"/> (fed as float64 or float32) and returns every output by name.</summary>
    public static IReadOnlyDictionary<string, OrtTensor> Run(string modelPath, Matrix rows, bool float32)
    {
        var folder = Folder.Value;
        var rowsPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, Path.GetFileNameWithoutExtension(modelPath) + ".rows.json");
        var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("type", float32 ? "float32" : "float64");
            w.WriteStartArray("rows");
            for (var r = 0; r < rows.Rows; r++)
            {
                w.WriteStartArray();
                for (var c = 0; c < rows.Cols; c++) w.WriteNumberValue(rows[r, c]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        File.WriteAllBytes(rowsPath, stream.ToArray());
        var (code, stdout, stderr) = Exec("node", [Path.Combine(folder, "run.js"), Path.GetFullPath(modelPath), rowsPath], folder, RunTimeout);
        if (code != 0) throw new InvalidOperationException($"node run.js exited with {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var outputs = new Dictionary<string, OrtTensor>(StringComparer.Ordinal);
        foreach (var o in doc.RootElement.GetProperty("outputs").EnumerateObject())
            outputs[o.Name] = new OrtTensor(
                [.. o.Value.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64())],
                o.Value.GetProperty("type").GetString()!,
                [.. o.Value.GetProperty("data").EnumerateArray().Select(d => d.GetDouble())]);
        return outputs;
    }

    private static string Install()
    {
        var folder = RunnerFolder;
        var (code, version, err) = Exec("node", ["--version"], folder, TimeSpan.FromSeconds(30));
        if (code != 0 || !version.StartsWith('v'))
            throw new InvalidOperationException($"The ONNX tests need Node.js (node --version failed with {code}: {err}).");
        var major = int.Parse(version.TrimStart('v').Split('.')[0], CultureInfo.InvariantCulture);
        if (major < 16) throw new InvalidOperationException($"The ONNX tests need Node.js 16 or later, found {version.Trim()}.");
        var pinned = PinnedVersion(folder);
        if (InstalledVersionIn(folder) != pinned)
        {
            var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
            var install = Exec(npm, ["install", "--ignore-scripts", "--no-audit", "--no-fund"], folder, InstallTimeout);
            if (install.Code != 0)
                throw new InvalidOperationException($"npm install in {folder} exited with {install.Code}:\n{install.Err}\n{install.Out}");
            var installed = InstalledVersionIn(folder);
            if (installed != pinned)
                throw new InvalidOperationException($"npm install left onnxruntime-node {installed ?? "missing"}; expected {pinned}.");
        }
        return folder;
    }

    private static string? InstalledVersionIn(string folder)
    {
        var manifest = Path.Combine(folder, "node_modules", "onnxruntime-node", "package.json");
        if (!File.Exists(manifest)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(manifest));
        return doc.RootElement.GetProperty("version").GetString();
    }

    /// <summary>Runs a process with a deadline; on timeout kills its whole tree and throws.</summary>
    private static (int Code, string Out, string Err) Exec(string file, string[] args, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

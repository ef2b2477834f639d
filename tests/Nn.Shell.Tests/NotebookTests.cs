using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Nn.Shell.Tests;

/// <summary>
/// docs/notebooks/walkthrough.ipynb runs in a real .NET Interactive kernel (<c>jupyter nbconvert --execute</c>), and each
/// cell shows what <c>Nn.Interactive</c>'s views promise. The one change to the notebook: its package cell
/// (<c>#i "nuget: ~/nn-packages"</c>, <c>#r "nuget: Nn.Interactive"</c>) becomes <c>#r</c> of the assemblies this test
/// was built with, so the test needs no packing. The Debian <c>jupyter-nbconvert</c> package (apt-get) and the
/// <c>Microsoft.dotnet-interactive</c> tool (NuGet, in a tool path of its own) are installed when missing.
/// </summary>
public sealed class NotebookTests(ITestOutputHelper output)
{
    private const string ToolVersion = "1.0.712001";
    private static readonly string ToolPath = Path.Combine(Path.GetTempPath(), "nn-dotnet-interactive-" + ToolVersion);

    [Fact]
    public void The_walkthrough_notebook_runs_in_a_dotnet_interactive_kernel_and_shows_the_views()
    {
        var jupyter = EnsureNbconvert();
        var kernel = EnsureKernel();
        var work = Directory.CreateTempSubdirectory("nn-notebook-").FullName;
        try
        {
            // A kernelspec of our own, pointing at the tool path (the tool's own installer assumes a global tool).
            var spec = Path.Combine(work, "jupyter", "kernels", "nn-csharp");
            Directory.CreateDirectory(spec);
            File.WriteAllText(Path.Combine(spec, "kernel.json"), new JsonObject
            {
                ["argv"] = new JsonArray(kernel, "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-port-range", "2048-3000"),
                ["display_name"] = ".NET (C#)",
                ["language"] = "C#",
            }.ToJsonString());

            var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "notebooks", "walkthrough.ipynb")))!;
            notebook["metadata"]!["kernelspec"]!["name"] = "nn-csharp";
            var cells = notebook["cells"]!.AsArray();
            var packages = cells.Single(c => Source(c!).Contains("#i \"nuget:", StringComparison.Ordinal))!;
            var bin = AppContext.BaseDirectory;
            packages["source"] = new JsonArray([.. new[] { "Nn.Pure", "Nn.Shell", "Nn.Interactive" }
                .Select(a => (JsonNode)JsonValue.Create($"#r \"{Path.Combine(bin, a + ".dll")}\"\n")!)]);
            var input = Path.Combine(work, "walkthrough.ipynb");
            File.WriteAllText(input, notebook.ToJsonString());

            var (code, stdout, stderr) = Run(jupyter, ["nbconvert", "--to", "notebook", "--execute", input, "--output", "executed.ipynb",
                "--ExecutePreprocessor.timeout=600"], TimeSpan.FromMinutes(12), ("JUPYTER_PATH", Path.Combine(work, "jupyter")));
            Assert.True(code == 0, $"nbconvert exited with {code}:\n{stderr[^Math.Min(stderr.Length, 1500)..]}\n{stdout}");
            var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "executed.ipynb")))!["cells"]!.AsArray()
                .Where(c => (string?)c!["cell_type"] == "code").ToArray();
            Assert.All(executed, c => Assert.DoesNotContain(c!["outputs"]!.AsArray(), o => (string?)o!["output_type"] == "error"));
            string Html(string fragment) => Outputs(executed.Single(c => Source(c!).Contains(fragment, StringComparison.Ordinal))!);
            Assert.Contains("Matrix 300 × 2", Html("StandardScaler.Transform"));
            Assert.Contains("nn-network", Html("Init.Mlp"));
            Assert.Contains("Gradient check: passed", Html("GradientCheck.Run"));
            Assert.Contains("<svg", Html("result.History"));
            var evaluation = Html("model.Evaluate");
            Assert.Contains("Confusion matrix", evaluation);
            Assert.Contains("accuracy", evaluation);

            // The rendered page, for a reader to look at (the path is in the test output).
            var page = Run(jupyter, ["nbconvert", "--to", "html", Path.Combine(work, "executed.ipynb"), "--output-dir", Path.GetTempPath(),
                "--output", "nn-walkthrough"], TimeSpan.FromMinutes(2), ("JUPYTER_PATH", Path.Combine(work, "jupyter")));
            output.WriteLine(page.Code == 0 ? $"rendered: {Path.Combine(Path.GetTempPath(), "nn-walkthrough.html")}" : page.Err);
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    private static string Source(JsonNode cell) => string.Concat(cell["source"]!.AsArray().Select(l => (string?)l));

    private static string Outputs(JsonNode cell) => string.Concat(cell["outputs"]!.AsArray()
        .Select(o => o!["data"]?["text/html"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : ""));

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NnFunctional.sln"))) return d.FullName;
        throw new InvalidOperationException("NnFunctional.sln not found above the test binaries.");
    }

    /// <summary>jupyter with nbconvert, installing the Debian packages first when missing.</summary>
    private static string EnsureNbconvert()
    {
        const string jupyter = "/usr/bin/jupyter";
        if (File.Exists("/usr/bin/jupyter-nbconvert")) return jupyter;
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get"))
            throw new InvalidOperationException("jupyter-nbconvert is missing and apt-get is not available to install it.");
        var (code, stdout, stderr) = Nn.Tests.Shared.Processes.AptInstall("jupyter-nbconvert");
        if (code != 0 || !File.Exists("/usr/bin/jupyter-nbconvert"))
            throw new InvalidOperationException($"installing jupyter-nbconvert failed ({code}): {stdout[^Math.Min(stdout.Length, 2000)..]}\n{stderr}");
        return jupyter;
    }

    /// <summary>The dotnet-interactive executable, installing the pinned tool into a tool path of its own when missing.</summary>
    private static string EnsureKernel()
    {
        var exe = Path.Combine(ToolPath, "dotnet-interactive");
        if (File.Exists(exe)) return exe;
        var (code, stdout, stderr) = Run("dotnet", ["tool", "install", "--tool-path", ToolPath, "Microsoft.dotnet-interactive", "--version", ToolVersion], TimeSpan.FromMinutes(10));
        if (code != 0 || !File.Exists(exe))
            throw new InvalidOperationException($"installing Microsoft.dotnet-interactive {ToolVersion} failed ({code}): {stdout}\n{stderr}");
        return exe;
    }

    private static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, TimeSpan timeout, params (string Name, string Value)[] environment) =>
        Nn.Tests.Shared.Processes.Run(file, args, timeout, environment);
}

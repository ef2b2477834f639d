using System.Text.Json;
using System.Xml.Linq;

namespace Nn.Cli.Tests;

/// <summary><c>nn sweep plan | run | merge</c> end to end: the plan's lines, resume, bit-identical runs by index, the merged table, refusals.</summary>
public class SweepTests
{
    private static string[] Base(string data) => ["--data", data, "--epochs", "4", "--batch-size", "16", "--test-fraction", "0.25"];

    private static string Plan(TempDir dir, string data, string name, string grid = "lr=0.01,0.003 layers=4;4,3", int seeds = 2)
    {
        var folder = dir.File(name);
        var r = NnCli.Run(["sweep", "plan", "--grid", grid, "--seeds", seeds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", folder, .. Base(data)]);
        Assert.True(r.Code == 0, r.Err);
        return Path.Combine(folder, "plan.jsonl");
    }

    private static List<JsonElement> Lines(string plan) =>
        [.. File.ReadAllLines(plan).Select(l => JsonDocument.Parse(l).RootElement)];

    [Fact]
    public void Plan_writes_one_line_per_grid_point_and_seed_with_the_exact_train_arguments()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 80, 1, textLabels: true);
        var plan = Plan(dir, data, "sweep");
        var lines = Lines(plan);
        Assert.Equal(8, lines.Count); // 2 lr × 2 layers × 2 seeds
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            Assert.Equal(i, line.GetProperty("index").GetInt32());
            var folder = line.GetProperty("folder").GetString()!;
            Assert.Equal(Path.Combine(dir.File("sweep"), $"run-{i:D4}"), folder);
            var args = line.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
            var grid = line.GetProperty("grid");
            Assert.Equal("train", args[0]);
            Assert.Equal(Path.GetFullPath(data), args[Array.IndexOf(args, "--data") + 1]);
            Assert.Equal(grid.GetProperty("lr").GetString(), args[Array.IndexOf(args, "--lr") + 1]);
            Assert.Equal(grid.GetProperty("layers").GetString(), args[Array.IndexOf(args, "--layers") + 1]);
            Assert.Equal(line.GetProperty("seed").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), args[Array.IndexOf(args, "--seed") + 1]);
            Assert.Equal(Path.Combine(folder, "model.safetensors"), args[^1]);
            Assert.Equal("--out", args[^2]);
        }
        Assert.Equal(["0.01", "0.01", "0.01", "0.01", "0.003", "0.003", "0.003", "0.003"], lines.Select(l => l.GetProperty("grid").GetProperty("lr").GetString()));
        Assert.Equal(["4", "4", "4,3", "4,3", "4", "4", "4,3", "4,3"], lines.Select(l => l.GetProperty("grid").GetProperty("layers").GetString()));
        Assert.Equal([0L, 1, 0, 1, 0, 1, 0, 1], lines.Select(l => l.GetProperty("seed").GetInt64()));
        Assert.Equal(["plan.jsonl"], Directory.GetFileSystemEntries(dir.File("sweep")).Select(Path.GetFileName));

        // A plan's line is an nn train command: run as nn train, it writes the model the line names.
        var first = lines[0].GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Directory.CreateDirectory(lines[0].GetProperty("folder").GetString()!);
        var t = NnCli.Run([.. first, "--quiet"]);
        Assert.True(t.Code == 0, t.Err);
        Assert.True(File.Exists(first[^1]));
    }

    [Fact]
    public void Relative_input_paths_are_made_absolute_in_either_spelling()
    {
        using var dir = new TempDir();
        var data = Path.GetRelativePath(Environment.CurrentDirectory, dir.Moons("moons.csv", 80, 1, textLabels: true));
        var test = Path.GetRelativePath(Environment.CurrentDirectory, dir.Moons("test.csv", 40, 2, textLabels: true));
        Assert.False(Path.IsPathRooted(data));
        var r = NnCli.Run("sweep", "plan", "--grid", "lr=0.01", "--out", dir.File("sweep"), "--data", data, $"--test-data={test}", "--epochs", "2");
        Assert.True(r.Code == 0, r.Err);
        var args = Lines(Path.Combine(dir.File("sweep"), "plan.jsonl"))[0].GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Equal(dir.File("moons.csv"), args[Array.IndexOf(args, "--data") + 1]);
        Assert.Contains($"--test-data={dir.File("test.csv")}", args);
    }

    [Fact]
    public void Run_trains_every_line_and_a_second_run_does_nothing()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 80, 1, textLabels: true);
        var plan = Plan(dir, data, "sweep");
        var r = NnCli.Run("sweep", "run", "--plan", plan, "--workers", "3");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("8 runs: 8 finished now, 0 skipped", r.Out, StringComparison.Ordinal);
        var folders = Lines(plan).Select(l => l.GetProperty("folder").GetString()!).ToList();
        Assert.All(folders, f => Assert.True(File.Exists(Path.Combine(f, "model.safetensors")) && File.Exists(Path.Combine(f, "result.json")), f));
        var stamps = folders.Select(f => File.GetLastWriteTimeUtc(Path.Combine(f, "model.safetensors"))).ToList();
        var bytes = folders.Select(f => File.ReadAllBytes(Path.Combine(f, "result.json"))).ToList();

        var again = NnCli.Run("sweep", "run", "--plan", plan, "--workers", "2");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("8 runs: 0 finished now, 8 skipped (already finished), 0 failed.", again.Out, StringComparison.Ordinal);
        Assert.Equal(stamps, folders.Select(f => File.GetLastWriteTimeUtc(Path.Combine(f, "model.safetensors"))));
        Assert.Equal(bytes, folders.Select(f => File.ReadAllBytes(Path.Combine(f, "result.json"))));

        // Resume: a run whose result is gone is the only one trained again.
        File.Delete(Path.Combine(folders[5], "result.json"));
        var resume = NnCli.Run("sweep", "run", "--plan", plan);
        Assert.True(resume.Code == 0, resume.Err);
        Assert.Contains("8 runs: 1 finished now, 7 skipped", resume.Out, StringComparison.Ordinal);
        Assert.Contains("run 5/7", resume.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_line_run_alone_by_index_in_reverse_order_writes_the_same_model_bytes_as_run_with_workers()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 90, 3);
        var planA = Plan(dir, data, "a", grid: "lr=0.02,0.005 dropout=0,0.2");
        var planB = Plan(dir, data, "b", grid: "lr=0.02,0.005 dropout=0,0.2");
        var all = NnCli.Run("sweep", "run", "--plan", planA, "--workers", "4");
        Assert.True(all.Code == 0, all.Err);
        var count = Lines(planB).Count;
        for (var i = count - 1; i >= 0; i--)
        {
            var one = NnCli.Run("sweep", "run", "--plan", planB, "--index", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(one.Code == 0, one.Err);
            Assert.Contains("1 run: 1 finished now", one.Out, StringComparison.Ordinal);
        }
        var a = Lines(planA).Select(l => File.ReadAllBytes(Path.Combine(l.GetProperty("folder").GetString()!, "model.safetensors"))).ToList();
        var b = Lines(planB).Select(l => File.ReadAllBytes(Path.Combine(l.GetProperty("folder").GetString()!, "model.safetensors"))).ToList();
        Assert.Equal(a, b);
        Assert.Equal(count, a.Select(Convert.ToBase64String).Distinct().Count()); // every run differs from the others
    }

    [Fact]
    public void Merge_has_a_row_per_run_and_the_mean_and_sample_sd_over_seeds_per_grid_point()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 80, 2);
        var plan = Plan(dir, data, "sweep", grid: "lr=0.01,0.002", seeds: 3);
        Assert.Equal(0, NnCli.Run("sweep", "run", "--plan", plan, "--workers", "2").Code);
        var lines = Lines(plan);
        Directory.Delete(lines[5].GetProperty("folder").GetString()!, recursive: true); // one run not finished

        var json = dir.File("merged.json");
        var html = dir.File("merged.html");
        var r = NnCli.Run("sweep", "merge", "--plan", plan, "--json", json, "--html", html);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 of 6 runs have not finished (5)", r.Err, StringComparison.Ordinal);
        Assert.Contains("test_r2", r.Out, StringComparison.Ordinal);

        using var merged = JsonDocument.Parse(File.ReadAllText(json));
        var runs = merged.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(6, runs.Count);
        Assert.Equal([true, true, true, true, true, false], runs.Select(x => x.GetProperty("finished").GetBoolean()));
        var points = merged.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["0.01", "0.002"], points.Select(p => p.GetProperty("grid").GetProperty("lr").GetString()));
        Assert.Equal([0L, 1L], points[1].GetProperty("seeds").EnumerateArray().Select(s => s.GetInt64()));
        for (var p = 0; p < 2; p++)
        {
            // The values from each run's own result.json, then their mean and sample (n − 1) standard deviation.
            var values = lines.Skip(3 * p).Take(3).Select(l => Path.Combine(l.GetProperty("folder").GetString()!, "result.json")).Where(File.Exists)
                .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("metrics").GetProperty("test_r2").GetDouble()).ToArray();
            var mean = values.Average();
            var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
            var s = points[p].GetProperty("summary").GetProperty("test_r2");
            Assert.Equal(mean, s.GetProperty("mean").GetDouble(), 12);
            Assert.Equal(sd, s.GetProperty("sd").GetDouble(), 12);
            Assert.Equal(values.Length, s.GetProperty("n").GetInt32());
        }

        var page = XDocument.Parse(File.ReadAllText(html));
        XNamespace h = "http://www.w3.org/1999/xhtml";
        Assert.Equal(["points", "runs"], page.Descendants(h + "section").Select(x => (string?)x.Attribute("id")));
        Assert.Equal(7, page.Descendants(h + "section").Last().Descendants(h + "tr").Count()); // header + 6 runs
        Assert.Contains("not finished", page.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--grid foo=1,2", "--grid: 'foo' is not a flag of nn train.")]
    [InlineData("--grid lr=0.1,abc", "--grid lr=abc: --lr: expected a finite number such as 0.001, got 'abc'.")]
    [InlineData("--grid layers=4;0", "--grid layers=0: --layers: expected comma-separated widths of at least 1")]
    [InlineData("--grid output=sigmoid,linear", "--grid output=linear: --output: linear needs a regression target")]
    [InlineData("--grid seed=1,2", "--grid: 'seed' cannot vary in a sweep (use --seeds).")]
    [InlineData("--grid lr=0.1 --lr 0.2", "--grid: 'lr' is also given as a base flag; give it in one place.")]
    [InlineData("--grid lr", "--grid: expected KEY=VALUES (e.g. lr=0.1,0.01), got 'lr'.")]
    [InlineData("--seed 3", "--seed: not taken by nn sweep plan (the sweep sets it per run; use --seeds).")]
    [InlineData("--seeds 0", "--seeds: expected at least 1, got 0.")]
    public void Bad_grids_and_flags_are_refused_at_plan_time(string flags, string message)
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 80, 1, textLabels: true);
        var r = NnCli.Run(["sweep", "plan", "--out", dir.File("sweep"), "--data", data, .. SplitFlags(flags)]);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(dir.File("sweep")));
    }

    private static string[] SplitFlags(string flags) => flags.Split(' ');

    [Fact]
    public void A_second_plan_into_the_same_folder_an_index_out_of_range_and_a_missing_or_bad_plan_are_refused()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 80, 1, textLabels: true);
        var plan = Plan(dir, data, "sweep", grid: "lr=0.01", seeds: 2);
        var before = File.ReadAllBytes(plan);

        var again = NnCli.Run(["sweep", "plan", "--grid", "lr=0.1", "--out", dir.File("sweep"), .. Base(data)]);
        Assert.Equal(2, again.Code);
        Assert.Contains("already holds a plan", again.Err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(plan));

        var index = NnCli.Run("sweep", "run", "--plan", plan, "--index", "2");
        Assert.Equal(2, index.Code);
        Assert.Equal($"nn: --index: expected 0 … 1 for the 2 runs of {plan}, got 2.", index.Err.TrimEnd());
        Assert.Equal(2, NnCli.Run("sweep", "run", "--plan", plan, "--index", "-1").Code);

        var missing = NnCli.Run("sweep", "run", "--plan", dir.File("nope.jsonl"));
        Assert.Equal(2, missing.Code);
        Assert.StartsWith("nn: --plan:", missing.Err, StringComparison.Ordinal);
        Assert.Equal(2, NnCli.Run("sweep", "merge", "--plan", dir.File("nope.jsonl")).Code);

        var bad = dir.Write("bad.jsonl", File.ReadAllLines(plan)[0] + "\n{\"index\": 7}\n");
        var b = NnCli.Run("sweep", "run", "--plan", bad);
        Assert.Equal(2, b.Code);
        Assert.StartsWith($"nn: {bad}:2:1: expected run index 1 on line 2, got 7.", b.Err, StringComparison.Ordinal);

        var badArgs = dir.Write("args.jsonl", File.ReadAllLines(plan)[0].Replace("\"--epochs\",\"4\"", "\"--epochs\",\"four\"", StringComparison.Ordinal) + "\n");
        var a = NnCli.Run("sweep", "run", "--plan", badArgs);
        Assert.Equal(2, a.Code);
        Assert.Contains($"{badArgs}:1:1: expected nn train arguments that parse: --epochs", a.Err, StringComparison.Ordinal);
        Assert.Equal(["plan.jsonl"], Directory.GetFileSystemEntries(dir.File("sweep")).Select(Path.GetFileName));
    }
}

using System.Text.Json;
using System.Xml.Linq;
using Nn;

namespace Nn.Cli.Tests;

/// <summary><c>nn cv</c> end to end: the folds, the per-fold metrics and their mean ± sample sd, the models, the report, the refusals.</summary>
public class CvTests
{
    private static readonly string[] Quick = ["--layers", "4", "--epochs", "5", "--lr", "0.01"];

    [Fact]
    public void Json_has_a_result_per_fold_with_stratified_test_rows_and_the_mean_and_sample_sd_of_each_metric()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 100, 4);
        var r = NnCli.Run(["cv", "--data", data, "--folds", "4", "--seed", "2", "--json", .. Quick]);
        Assert.True(r.Code == 0, r.Err);
        using var json = JsonDocument.Parse(r.Out);
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("folds").GetInt32());
        Assert.True(root.GetProperty("stratified").GetBoolean());
        var folds = root.GetProperty("per_fold").EnumerateArray().ToList();
        Assert.Equal(4, folds.Count);
        Assert.Equal(100, folds.Sum(f => f.GetProperty("test_rows").GetInt32()));
        Assert.All(folds, f => Assert.Equal(100 - f.GetProperty("test_rows").GetInt32(), f.GetProperty("train_rows").GetInt32()));

        // Stratified: each class's support in the folds' test rows differs by at most one.
        var labels = File.ReadAllLines(data).Skip(1).Select(l => l.Split(',')[2]).Distinct().ToList();
        foreach (var label in labels)
        {
            var support = folds.Select(f => f.GetProperty("test").GetProperty("per_class").EnumerateArray()
                .Single(c => c.GetProperty("label").GetString() == label).GetProperty("support").GetInt32()).ToList();
            Assert.True(support.Max() - support.Min() <= 1, $"{label}: {string.Join(",", support)}");
        }

        // The summary is the mean and the sample (n − 1) standard deviation of the per-fold values.
        var summary = root.GetProperty("summary");
        foreach (var metric in new[] { "accuracy", "f1_macro", "log_loss" })
        {
            var values = folds.Select(f => f.GetProperty("test").GetProperty(metric).GetDouble()).ToArray();
            var mean = values.Average();
            var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
            Assert.Equal(mean, summary.GetProperty(metric).GetProperty("mean").GetDouble(), 12);
            Assert.Equal(sd, summary.GetProperty(metric).GetProperty("sd").GetDouble(), 12);
            Assert.Equal(4, summary.GetProperty(metric).GetProperty("n").GetInt32());
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_folds_and_models_and_another_seed_other_folds()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 60, 3);
        string[] Hashes(string seed)
        {
            var r = NnCli.Run(["cv", "--data", data, "--folds", "3", "--seed", seed, "--json", .. Quick]);
            Assert.True(r.Code == 0, r.Err);
            using var json = JsonDocument.Parse(r.Out);
            Assert.False(json.RootElement.GetProperty("stratified").GetBoolean());
            return [.. json.RootElement.GetProperty("per_fold").EnumerateArray().Select(f => f.GetProperty("parameters_sha256").GetString()!)];
        }
        Assert.Equal(Hashes("1"), Hashes("1"));
        Assert.NotEqual(Hashes("1"), Hashes("2"));
    }

    [Fact]
    public void Text_output_out_folder_and_report()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 80, 1, textLabels: true);
        var models = dir.File("folds");
        var report = dir.File("cv.html");
        var r = NnCli.Run(["cv", "--data", data, "--folds", "3", "--out", models, "--report", report, .. Quick]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("3 stratified folds of 80 rows", r.Out, StringComparison.Ordinal);
        Assert.Contains("fold 3/3:", r.Out, StringComparison.Ordinal);
        Assert.Contains("sample standard deviation", r.Out, StringComparison.Ordinal);
        Assert.Contains("roc_auc", r.Out, StringComparison.Ordinal);
        // The folds' notes, each distinct text once, naming flags as nn train does: 10% of ~53 rows is too small a validation split.
        var notes = r.Err.Split('\n').Where(l => l.StartsWith("nn: note: a validation split of", StringComparison.Ordinal)).ToList();
        Assert.InRange(notes.Count, 1, 3);
        Assert.Equal(notes.Count, notes.Distinct().Count());
        Assert.All(notes, l => Assert.Contains("(--validation-fraction 0 says so", l, StringComparison.Ordinal));
        Assert.Equal(["fold-1.safetensors", "fold-2.safetensors", "fold-3.safetensors"], Directory.GetFiles(models).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Each fold's model scores its fold as the cv run did: nn eval on the model over all rows runs, and the file is a model.
        var info = NnCli.Run("info", "--model", Path.Combine(models, "fold-2.safetensors"), "--json");
        Assert.True(info.Code == 0, info.Err);

        var page = XDocument.Parse(File.ReadAllText(report));
        XNamespace h = "http://www.w3.org/1999/xhtml";
        var ids = page.Descendants(h + "section").Select(s => (string?)s.Attribute("id")).ToList();
        Assert.Equal(["summary", "folds"], ids);
        Assert.Equal(4, page.Descendants(h + "section").Last().Descendants(h + "tr").Count()); // header + 3 folds
    }

    [Theory]
    [InlineData("--folds 1", "--folds: expected at least 2, got 1.")]
    [InlineData("--folds 81", "--folds: 81 folds need at least 81 rows")]
    [InlineData("--folds 3 --test-fraction 0.2", "--test-fraction: not taken by nn cv")]
    [InlineData("--folds 3 --checkpoint c.ckpt", "--checkpoint: not taken by nn cv")]
    [InlineData("--folds 3 --lr abc", "--lr: expected a finite number")]
    [InlineData("--folds 3 --no-such-flag 1", "--no-such-flag: not a flag of nn cv")]
    public void Bad_flags_are_refused_in_one_line_before_any_work(string flags, string message)
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 80, 1, textLabels: false);
        var r = NnCli.Run(["cv", "--data", data, "--out", dir.File("models"), .. flags.Split(' ')]);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.Equal(["moons.csv"], dir.Names());
        Assert.False(Directory.Exists(dir.File("models")));
    }

    [Fact]
    public void More_folds_than_the_smallest_class_has_rows_are_refused_naming_the_class()
    {
        using var dir = new TempDir();
        var rows = Enumerable.Range(0, 40).Select(i => $"{i},{i % 7},{(i < 3 ? "rare" : i % 2 == 0 ? "a" : "b")}");
        var data = dir.Write("d.csv", "x,y,label\n" + string.Join("\n", rows) + "\n");
        var r = NnCli.Run(["cv", "--data", data, "--folds", "4", .. Quick]);
        Assert.Equal(2, r.Code);
        Assert.Equal($"nn: --folds: 4 stratified folds need at least 4 rows of every class; class 'rare' of {data} has 3.", r.Err.TrimEnd());
        Assert.Equal(0, NnCli.Run(["cv", "--data", data, "--folds", "3", .. Quick]).Code);
    }

    [Fact]
    public void A_report_that_is_the_data_file_is_refused()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 80, 1, textLabels: false);
        var before = File.ReadAllBytes(data);
        var r = NnCli.Run(["cv", "--data", data, "--report", data, .. Quick]);
        Assert.Equal(2, r.Code);
        Assert.StartsWith("nn: --report:", r.Err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(data));
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Nn;
using Nn.Shell;
using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary>Several regression targets (<c>--target a,b</c>) end to end: train, eval, predict, info, the report, ONNX, and the refusals.</summary>
public class MultiTargetTests
{
    /// <summary>
    /// Features x1, x2, x3 and two targets in very different units: a = 2·x1 + x2 (about ±3) and b = 100·(x3 − x1) + 500
    /// (about 300…700), with a text column 'note' after them that is neither.
    /// </summary>
    private static string TwoTargets(TempDir dir, string name, int count, long seed)
    {
        var x = Prng.Uniform(Key.FromSeed(seed), count * 3, -1, 1).Values;
        var sb = new StringBuilder("x1,x2,a,x3,b\n");
        for (var r = 0; r < count; r++)
        {
            double x1 = x[3 * r], x2 = x[3 * r + 1], x3 = x[3 * r + 2];
            sb.Append(CultureInfo.InvariantCulture, $"{x1:R},{x2:R},{2 * x1 + x2:R},{x3:R},{100 * (x3 - x1) + 500:R}\n");
        }
        return dir.Write(name, sb.ToString());
    }

    private static double[] Column(string csv, int column) =>
        [.. File.ReadAllLines(csv).Skip(1).Select(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture))];

    private static double R2(double[] truth, double[] predicted)
    {
        var mean = truth.Average();
        return 1 - truth.Zip(predicted).Sum(p => (p.First - p.Second) * (p.First - p.Second)) / truth.Sum(t => (t - mean) * (t - mean));
    }

    [Fact]
    public void Two_targets_train_evaluate_and_predict_each_in_its_own_units()
    {
        using var dir = new TempDir();
        var train = TwoTargets(dir, "train.csv", 400, 1);
        var test = TwoTargets(dir, "test.csv", 100, 2);
        var model = dir.File("m.safetensors");
        var t = NnCli.Run("train", "--data", train, "--target", "a,b", "--layers", "16", "--lr", "0.01", "--epochs", "60", "--seed", "3",
            "--test-data", test, "--out", model);
        Assert.True(t.Code == 0, t.Err);
        Assert.StartsWith("targets 'a', 'b': regression, 2 outputs\n3 features;", t.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Per target:", t.Out, StringComparison.Ordinal);

        var e = NnCli.Run("eval", "--model", model, "--data", test, "--json");
        Assert.True(e.Code == 0, e.Err);
        using var json = JsonDocument.Parse(e.Out);
        var root = json.RootElement;
        Assert.Equal(["task", "n", "r2", "mse", "rmse", "mae", "per_target"], root.EnumerateObject().Select(p => p.Name).ToArray());
        var perTarget = root.GetProperty("per_target").EnumerateArray().ToArray();
        Assert.Equal(["a", "b"], perTarget.Select(p => p.GetProperty("target").GetString()!).ToArray());
        foreach (var metric in new[] { "r2", "mse", "rmse", "mae" })
            Assert.Equal(perTarget.Average(p => p.GetProperty(metric).GetDouble()), root.GetProperty(metric).GetDouble(), 12);
        Assert.All(perTarget, p => Assert.True(p.GetProperty("r2").GetDouble() > 0.95, e.Out));

        // One prediction column per target, in the target's own units: R² recomputed from the file equals eval's.
        var predictions = dir.File("p.csv");
        var p = NnCli.Run("predict", "--model", model, "--data", test, "--out", predictions);
        Assert.True(p.Code == 0, p.Err);
        Assert.DoesNotContain("not used", p.Err, StringComparison.Ordinal); // the other targets are not "unused" data
        Assert.Equal("a,b", File.ReadLines(predictions).First());
        Assert.Equal(perTarget[0].GetProperty("r2").GetDouble(), R2(Column(test, 2), Column(predictions, 0)), 9);
        Assert.Equal(perTarget[1].GetProperty("r2").GetDouble(), R2(Column(test, 4), Column(predictions, 1)), 9);
        Assert.InRange(Column(predictions, 1).Average(), 400, 600);

        var text = NnCli.Run("eval", "--model", model, "--data", test);
        Assert.Contains("R² (mean of 2 targets)", text.Out, StringComparison.Ordinal);
        Assert.Matches(@"\n  a\s+0\.9\d+", text.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_model_file_records_each_target_and_its_scaling_as_format_version_3_and_nn_info_shows_them()
    {
        using var dir = new TempDir();
        var train = TwoTargets(dir, "train.csv", 120, 4);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--target", "b,a", "--layers", "4", "--epochs", "3", "--out", model, "--quiet").Code);
        var loaded = ModelFile.Load(model);
        Assert.Equal(["b", "a"], loaded.Info.TargetNames.ToArray());
        Assert.Equal("b", loaded.Info.TargetName);
        Assert.Null(loaded.Info.TargetScaling);
        Assert.Equal(2, loaded.Info.TargetScalings.Length);
        Assert.Equal(Column(train, 4).Average(), loaded.Info.TargetScalings[0].Offset, 9);
        Assert.Equal(Column(train, 2).Average(), loaded.Info.TargetScalings[1].Offset, 9);
        Assert.Equal(["x1", "x2", "x3"], loaded.Info.FeatureNames.ToArray());
        Assert.Equal(2, loaded.Network.OutputSize);
        Assert.Equal(loaded, ModelFile.FromBytes(ModelFile.ToBytes(loaded), "again"));

        var info = NnCli.Run("info", "--model", model, "--json");
        using var json = JsonDocument.Parse(info.Out);
        Assert.Equal(3, json.RootElement.GetProperty("format_version").GetInt32());
        Assert.Equal(["b", "a"], json.RootElement.GetProperty("target_names").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(2, json.RootElement.GetProperty("target_scalings").GetArrayLength());
        var text = NnCli.Run("info", "--model", model);
        Assert.Contains("targets               2: b, a", text.Out, StringComparison.Ordinal);
        Assert.Contains("target scaling (a)", text.Out, StringComparison.Ordinal);

        // One target is written as before: format version 2, no target_names.
        var one = dir.File("one.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--target", "b", "--layers", "4", "--epochs", "3", "--out", one, "--quiet").Code);
        using var oneJson = JsonDocument.Parse(NnCli.Run("info", "--model", one, "--json").Out);
        Assert.Equal(2, oneJson.RootElement.GetProperty("format_version").GetInt32());
        Assert.False(oneJson.RootElement.TryGetProperty("target_names", out _));
    }

    [Fact]
    public void A_model_whose_targets_contradict_it_cannot_be_written()
    {
        using var dir = new TempDir();
        var train = TwoTargets(dir, "train.csv", 60, 5);
        var path = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--target", "a,b", "--layers", "4", "--epochs", "2", "--out", path, "--quiet").Code);
        var model = ModelFile.Load(path);
        Model With(ModelInfo info) => model with { Info = info };
        Assert.Contains("also a feature", Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(With(model.Info with { TargetName = "x1", TargetNames = ["x1", "b"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("names a column twice", Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(With(model.Info with { TargetName = "b", TargetNames = ["b", "b"] }))).Message, StringComparison.Ordinal);
        Assert.Contains("one per target", Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(With(model.Info with { TargetScalings = [model.Info.TargetScalings[0]] }))).Message, StringComparison.Ordinal);
        Assert.Contains("starts with", Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(With(model.Info with { TargetName = "b" }))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_test_split_a_report_and_a_resumed_run_work_with_several_targets()
    {
        using var dir = new TempDir();
        var train = TwoTargets(dir, "train.csv", 200, 6);
        var report = dir.File("r.html");
        var t = NnCli.Run("train", "--data", train, "--target", "a,b", "--layers", "8", "--epochs", "6", "--test-fraction", "0.25",
            "--out", dir.File("m.safetensors"), "--report", report, "--json");
        Assert.True(t.Code == 0, t.Err);
        using var json = JsonDocument.Parse(t.Out);
        Assert.Equal(50, json.RootElement.GetProperty("test_rows").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("test").GetProperty("per_target").GetArrayLength());
        var html = File.ReadAllText(report);
        Assert.Contains("id=\"regression\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"regression-2\"", html, StringComparison.Ordinal);
        Assert.Contains("targets", html, StringComparison.Ordinal);

        // --epochs 6 equals --epochs 3 with a checkpoint followed by --epochs 6 --resume, bit for bit.
        string[] common = ["train", "--data", train, "--target", "a,b", "--layers", "8", "--seed", "2", "--quiet"];
        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "6", "--out", dir.File("whole.safetensors")]).Code);
        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "3", "--checkpoint", dir.File("c.ckpt"), "--out", dir.File("half.safetensors")]).Code);
        var resumed = NnCli.Run([.. common, "--epochs", "6", "--resume", dir.File("c.ckpt"), "--out", dir.File("resumed.safetensors")]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(File.ReadAllBytes(dir.File("whole.safetensors")), File.ReadAllBytes(dir.File("resumed.safetensors")));
    }

    [Fact]
    public void A_target_named_twice_is_refused_before_reading_the_data()
    {
        using var dir = new TempDir();
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", dir.File("missing.csv"), "--target", "a,b,a", "--out", model), "--target", "'a' is named twice");
        Refused(NnCli.Run("train", "--data", dir.File("missing.csv"), "--target", "a,,b", "--out", model), "--target", "comma-separated");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void A_missing_target_column_and_a_text_cell_in_a_target_are_refused_naming_the_file()
    {
        using var dir = new TempDir();
        var train = TwoTargets(dir, "train.csv", 40, 7);
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", train, "--target", "a,price", "--out", model), "train.csv:1", "no target column 'price'", "x1, x2, a, x3, b");
        var bad = dir.Write("bad.csv", "x1,a,b\n1,2,3\n2,3,4\n3,four,5\n");
        Refused(NnCli.Run("train", "--data", bad, "--target", "a,b", "--out", model), "bad.csv:4:2", "four");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Several_targets_with_a_classification_task_or_numpy_data_are_refused()
    {
        using var dir = new TempDir();
        var train = TwoTargets(dir, "train.csv", 40, 8);
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", train, "--target", "a,b", "--task", "classification", "--out", model), "--task", "classification takes one");
        var npz = dir.Write("x.npz", "not read: the extension decides");
        Refused(NnCli.Run("train", "--data", npz, "--target", "a,b", "--out", model), "--target", "CSV or Parquet");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Eval_of_a_multi_target_model_needs_every_target_column_and_refuses_a_target_flag()
    {
        using var dir = new TempDir();
        var train = TwoTargets(dir, "train.csv", 60, 9);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--target", "a,b", "--layers", "4", "--epochs", "2", "--out", model, "--quiet").Code);
        var noB = dir.Write("nob.csv", "x1,x2,a,x3\n1,2,3,4\n");
        Refused(NnCli.Run("eval", "--model", model, "--data", noB), "nob.csv", "no target column 'b'");
        Refused(NnCli.Run("eval", "--model", model, "--data", train, "--target", "a"), "--target", "2 targets");
        // Predicting needs only the features.
        var features = dir.Write("features.csv", "x3,x2,x1\n0.5,0.1,-0.2\n");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", features, "--out", dir.File("p.csv")).Code);
        Assert.Equal(2, File.ReadAllLines(dir.File("p.csv"))[1].Split(',').Length);
    }
}

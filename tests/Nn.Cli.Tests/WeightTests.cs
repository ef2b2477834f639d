using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Nn.Shell;
using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary>
/// Class and sample weights end to end through <c>nn train</c> (issue 19): <c>--class-weight balanced|LABEL=W,…</c> and
/// <c>--sample-weight COLUMN</c>, combined multiplicatively, recorded in the model (and <c>nn info</c>), honoured by
/// <c>--resume</c>, every bad value refused in one line before anything is written; and the effect they exist for.
/// </summary>
public class WeightTests
{
    private static Dictionary<string, string> Recorded(string model) =>
        ModelFile.Load(model).Info.Training.ToDictionary(s => s.Name, s => s.Value);

    private static string ParametersSha(string model) => ModelFile.ParametersSha256(ModelFile.Load(model).Network);

    /// <summary>Two-moons rows with a weight column <c>w</c> before the label: 2 for "right", 1 for "left" (or <paramref name="weight"/>).</summary>
    private static string Weighted(TempDir dir, string name, Func<int, string, string>? weight = null)
    {
        var lines = File.ReadAllLines(dir.Moons("moons-" + name, 200, 4, textLabels: true));
        var sb = new StringBuilder("x1,x2,w,label\n");
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            var w = weight?.Invoke(i, cells[2]) ?? (cells[2] == "right" ? "2" : "1");
            sb.Append(CultureInfo.InvariantCulture, $"{cells[0]},{cells[1]},{w},{cells[2]}\n");
        }
        File.Delete(dir.File("moons-" + name));
        return dir.Write(name, sb.ToString());
    }

    private static readonly string[] Small = ["--layers", "6", "--epochs", "4", "--batch-size", "16", "--quiet"];

    [Fact]
    public void Balanced_class_weights_raise_the_minority_class_recall_on_imbalanced_digits()
    {
        // Digits 3, 5, 8, 9 from the bundled data: the even rows test (about 90 of each), the odd rows train with only
        // every eighth 3 kept (12 threes against about 90 of each other digit).
        using var dir = new TempDir();
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv"));
        var train = new StringBuilder(lines[0] + "\n");
        var test = new StringBuilder(lines[0] + "\n");
        var threes = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            var label = lines[i][(lines[i].LastIndexOf(',') + 1)..];
            if (label is not ("3" or "5" or "8" or "9")) continue;
            if (label == "3") threes++;
            if ((i - 1) % 2 == 0) test.Append(lines[i]).Append('\n');
            else if (label != "3" || threes % 8 == 0) train.Append(lines[i]).Append('\n');
        }
        var trainFile = dir.Write("train.csv", train.ToString());
        var testFile = dir.Write("test.csv", test.ToString());
        double RecallOfThree(string model, params string[] flags)
        {
            Ok(NnCli.Run(["train", "--data", trainFile, "--out", dir.File(model), "--layers", "8", "--epochs", "10", "--drop-constant", "--quiet", .. flags]));
            var r = NnCli.Run("eval", "--model", dir.File(model), "--data", testFile, "--json");
            Ok(r);
            return JsonNode.Parse(r.Out)!["per_class"]!.AsArray().Single(c => (string)c!["label"]! == "3")!["recall"]!.GetValue<double>();
        }
        var plain = RecallOfThree("plain.safetensors");
        var balanced = RecallOfThree("balanced.safetensors", "--class-weight", "balanced");
        Assert.True(balanced > plain + 0.2, $"recall of the minority class: {plain:F3} unweighted, {balanced:F3} balanced");
        var recorded = Recorded(dir.File("balanced.safetensors"));
        Assert.Equal("balanced", recorded["class_weight"]);
        Assert.StartsWith("3=", recorded["class_weights"]); // the rare class weighs most: n / (4 · 12)
        Assert.DoesNotContain("class_weight", Recorded(dir.File("plain.safetensors")).Keys);
    }

    [Fact]
    public void Class_weights_are_recorded_shown_by_info_and_unit_weights_train_the_unweighted_bits()
    {
        using var dir = new TempDir();
        var data = dir.Moons("m.csv", 200, 3, textLabels: true);
        Ok(NnCli.Run(["train", "--data", data, "--out", dir.File("plain.safetensors"), .. Small]));
        Ok(NnCli.Run(["train", "--data", data, "--out", dir.File("ones.safetensors"), "--class-weight", "left=1,right=1", .. Small]));
        Ok(NnCli.Run(["train", "--data", data, "--out", dir.File("right.safetensors"), "--class-weight", "right=3", .. Small]));
        Assert.Equal(ParametersSha(dir.File("plain.safetensors")), ParametersSha(dir.File("ones.safetensors")));
        Assert.NotEqual(ParametersSha(dir.File("plain.safetensors")), ParametersSha(dir.File("right.safetensors")));
        var recorded = Recorded(dir.File("right.safetensors"));
        Assert.Equal("right=3", recorded["class_weight"]);
        Assert.Equal("left=1,right=3", recorded["class_weights"]);
        var info = NnCli.Run("info", "--model", dir.File("right.safetensors"));
        Ok(info);
        Assert.Contains("class_weights", info.Out);
        Assert.Contains("left=1,right=3", info.Out);
    }

    [Fact]
    public void A_sample_weight_column_is_not_a_feature_and_multiplies_the_class_weights()
    {
        using var dir = new TempDir();
        var data = Weighted(dir, "w.csv"); // w = 2 for right, 1 for left
        var sample = dir.File("sample.safetensors");
        Ok(NnCli.Run(["train", "--data", data, "--out", sample, "--sample-weight", "w", .. Small]));
        Assert.Equal(["x1", "x2"], ModelFile.Load(sample).Info.FeatureNames.ToArray());
        Assert.Equal("w", Recorded(sample)["sample_weight"]);
        // The same row weights said as a class weight train the same bits; halving "right" again gives unit weights, so
        // the bits of no weights at all (the column still not a feature).
        var unweighted = Weighted(dir, "u.csv", (_, _) => "5"); // constant: dropped, so the network reads x1, x2 alone
        Ok(NnCli.Run(["train", "--data", unweighted, "--out", dir.File("class.safetensors"), "--class-weight", "right=2", "--drop-constant", .. Small]));
        Ok(NnCli.Run(["train", "--data", unweighted, "--out", dir.File("plain.safetensors"), "--drop-constant", .. Small]));
        Ok(NnCli.Run(["train", "--data", data, "--out", dir.File("both.safetensors"), "--sample-weight", "w", "--class-weight", "right=0.5", .. Small]));
        Assert.Equal(ParametersSha(sample), ParametersSha(dir.File("class.safetensors")));
        Assert.Equal(ParametersSha(dir.File("plain.safetensors")), ParametersSha(dir.File("both.safetensors")));
        Assert.NotEqual(ParametersSha(sample), ParametersSha(dir.File("plain.safetensors")));
        // Regression takes sample weights too.
        var reg = dir.Write("r.csv", "a,w,y\n" + string.Concat(Enumerable.Range(0, 60).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{i * 0.1:R},{1 + i % 3},{2.5 * i + (i % 7):R}\n"))));
        Ok(NnCli.Run(["train", "--data", reg, "--out", dir.File("reg.safetensors"), "--sample-weight", "w", .. Small]));
        Assert.Equal(["a"], ModelFile.Load(dir.File("reg.safetensors")).Info.FeatureNames.ToArray());
    }

    [Fact]
    public void A_weighted_run_resumes_to_the_same_bytes_and_a_resume_without_its_weights_is_refused()
    {
        using var dir = new TempDir();
        var data = Weighted(dir, "w.csv");
        string[] common = ["train", "--data", data, "--layers", "4", "--batch-size", "16", "--seed", "2", "--quiet",
            "--sample-weight", "w", "--class-weight", "balanced"];
        var whole = dir.File("whole.safetensors");
        var checkpoint = dir.File("run.ckpt");
        Ok(NnCli.Run([.. common, "--epochs", "6", "--out", whole]));
        Ok(NnCli.Run([.. common, "--epochs", "3", "--checkpoint", checkpoint, "--out", dir.File("half.safetensors")]));
        var resumed = dir.File("resumed.safetensors");
        Ok(NnCli.Run([.. common, "--epochs", "6", "--resume", checkpoint, "--out", resumed]));
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(resumed));
        RefusedStarting(NnCli.Run([.. common[..^2], "--epochs", "6", "--resume", checkpoint, "--out", dir.File("x.safetensors")]), "--class-weight: ");
        RefusedStarting(NnCli.Run([.. common[..^4], .. common[^2..], "--epochs", "6", "--resume", checkpoint, "--out", dir.File("y.safetensors")]), "--sample-weight: ");
        Assert.False(File.Exists(dir.File("x.safetensors")) || File.Exists(dir.File("y.safetensors")));
    }

    [Theory]
    [InlineData("class", "7=2", "--class-weight: no class '7' in the target; the classes are: left, right.")]
    [InlineData("class", "left=-1", "--class-weight: class 'left': expected a weight >= 0, got -1.")]
    [InlineData("class", "left=x", "--class-weight: class 'left': expected a number, got 'x'.")]
    [InlineData("class", "heavy", "--class-weight: expected balanced or LABEL=W,…, got 'heavy'.")]
    [InlineData("class", "left=1,left=2", "--class-weight: class 'left' is given twice.")]
    [InlineData("class", "left=0,right=0", "--class-weight: every training row weighs 0")]
    [InlineData("sample", "nope", "{data}:1:0: no column 'nope' for --sample-weight; the columns are: x1, x2, w, label.")]
    [InlineData("sample", "label", "--sample-weight: 'label' is the target column")]
    [InlineData("negative", "w", "{data}:5:3: sample weight -1 in column 'w' (--sample-weight): expected a number >= 0.")]
    [InlineData("zero", "w", "{data}:1:3: every sample weight in column 'w' (--sample-weight) is 0")]
    [InlineData("nan", "w", "{data}:5:3: ")]
    public void Bad_weights_are_refused_in_one_line_before_anything_is_written(string kind, string value, string message)
    {
        using var dir = new TempDir();
        var data = kind switch
        {
            "negative" => Weighted(dir, "d.csv", (i, _) => i == 4 ? "-1" : "1"),
            "zero" => Weighted(dir, "d.csv", (_, _) => "0"),
            "nan" => Weighted(dir, "d.csv", (i, _) => i == 4 ? "NaN" : "1"),
            _ => Weighted(dir, "d.csv"),
        };
        var flag = kind == "class" ? "--class-weight" : "--sample-weight";
        RefusedStarting(NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), flag, value, "--checkpoint", dir.File("c.ckpt"), .. Small]),
            message.Replace("{data}", data, StringComparison.Ordinal));
        Assert.Equal(["d.csv"], dir.Names());
    }

    [Fact]
    public void Class_weights_on_a_regression_target_and_sample_weights_on_numpy_data_are_refused()
    {
        using var dir = new TempDir();
        var data = dir.Linear("d.csv", 60, 2);
        RefusedStarting(NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--class-weight", "balanced", .. Small]),
            "--class-weight: goes with a classification target; this target is a regression");
        var x = dir.File("x.npy");
        var y = dir.File("y.npy");
        Npy.Write(x, new NpyArray([4, 2], "<f8", [0, 1, 1, 0, 0, 0, 1, 1]));
        Npy.Write(y, new NpyArray([4], "<f8", [0, 1, 0, 1]));
        RefusedStarting(NnCli.Run(["train", "--data", x, "--labels", y, "--out", dir.File("m.safetensors"), "--sample-weight", "x0", .. Small]),
            "--sample-weight: names a CSV or Parquet column; NumPy data has no column names.");
        Assert.Equal(["d.csv", "x.npy", "y.npy"], dir.Names());
    }

    // ---- nn eval --sample-weight ----

    [Fact]
    public void Eval_with_sample_weights_adds_the_weighted_accuracy_and_log_loss_as_scikit_learn_computes_them()
    {
        using var dir = new TempDir();
        var model = dir.File("m.safetensors");
        Ok(NnCli.Run(["train", "--data", dir.Moons("train.csv", 200, 3, textLabels: true), "--out", model, .. Small]));
        // Weights 0 and 1: the weighted metrics are those of the rows that weigh 1, evaluated alone.
        var data = Weighted(dir, "w.csv", (i, _) => i % 3 == 0 ? "0" : "1");
        var kept = File.ReadAllLines(data).Where((line, i) => i == 0 || i % 3 != 0).Select(l => string.Join(',', l.Split(',').Where((_, c) => c != 2)));
        var subset = dir.Write("subset.csv", string.Join('\n', kept) + "\n");
        var weighted = NnCli.Run("eval", "--model", model, "--data", data, "--sample-weight", "w", "--json");
        Ok(weighted);
        var alone = NnCli.Run("eval", "--model", model, "--data", subset, "--json");
        Ok(alone);
        var w = JsonNode.Parse(weighted.Out)!;
        var a = JsonNode.Parse(alone.Out)!;
        Assert.Equal("w", (string)w["sample_weighted"]!["column"]!);
        Assert.Equal((double)a["accuracy"]!, (double)w["sample_weighted"]!["accuracy"]!, 1e-12);
        Assert.Equal((double)a["log_loss"]!, (double)w["sample_weighted"]!["log_loss"]!, 1e-12);
        Assert.Equal(200, (int)w["n"]!); // the unweighted metrics are over every row
        Assert.NotEqual((double)a["accuracy"]!, (double)w["accuracy"]!, 1e-12);
        var text = NnCli.Run("eval", "--model", model, "--data", data, "--sample-weight", "w");
        Ok(text);
        Assert.Contains("Sample-weighted by column 'w':", text.Out);
        Assert.DoesNotContain("not used by the model", text.Err);
        Assert.Null(JsonNode.Parse(NnCli.Run("eval", "--model", model, "--data", data, "--json").Out)!["sample_weighted"]);
    }

    [Fact]
    public void Eval_with_sample_weights_on_a_regression_model_gives_weighted_r2_and_errors()
    {
        using var dir = new TempDir();
        var model = dir.File("r.safetensors");
        Ok(NnCli.Run(["train", "--data", dir.Linear("d.csv", 120, 1), "--out", model, .. Small]));
        var lines = File.ReadAllLines(dir.File("d.csv"));
        var ones = dir.Write("ones.csv", string.Join('\n', lines.Select((l, i) => l + (i == 0 ? ",w" : ",1"))) + "\n");
        var r = NnCli.Run("eval", "--model", model, "--data", ones, "--sample-weight", "w", "--json");
        Ok(r);
        var j = JsonNode.Parse(r.Out)!;
        foreach (var key in new[] { "r2", "mse", "rmse", "mae" })
            Assert.Equal((double)j[key]!, (double)j["sample_weighted"]![key]!, 1e-9);
    }

    [Theory]
    [InlineData("x1", "--sample-weight: 'x1' is one of the model's features; name a column of weights.")]
    [InlineData("label", "--sample-weight: 'label' is the target column; name a column of weights.")]
    [InlineData("nope", "{data}:1:0: no column 'nope' for --sample-weight.")]
    [InlineData("negative", "{data}:4:0: sample weight -1 in column 'w' (--sample-weight): expected a number >= 0.")]
    [InlineData("zero", "{data}:1:0: every sample weight in column 'w' (--sample-weight) is 0")]
    public void Eval_refuses_bad_sample_weights_in_one_line(string kind, string message)
    {
        using var dir = new TempDir();
        var model = dir.File("m.safetensors");
        Ok(NnCli.Run(["train", "--data", dir.Moons("train.csv", 100, 3, textLabels: true), "--out", model, .. Small]));
        var data = kind switch
        {
            "negative" => Weighted(dir, "d.csv", (i, _) => i == 3 ? "-1" : "1"),
            "zero" => Weighted(dir, "d.csv", (_, _) => "0"),
            _ => Weighted(dir, "d.csv"),
        };
        var column = kind is "negative" or "zero" ? "w" : kind;
        RefusedStarting(NnCli.Run("eval", "--model", model, "--data", data, "--sample-weight", column), message.Replace("{data}", data, StringComparison.Ordinal));
    }
}

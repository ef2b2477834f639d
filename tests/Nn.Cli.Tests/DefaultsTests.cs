using System.Text.Json.Nodes;
using Nn.Shell;
using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary>
/// Issue 19's defaults, end to end through <c>nn train</c>: the first lines name the target and task, an output that cannot
/// serve the task is refused before training, small data is not early-stopped on a handful of validation rows, schedules
/// and warm-up come from flags (recorded, checkpointed, resumable), a test split comes from the seed, and the demo's hint
/// scores its held-out digits.
/// </summary>
public class DefaultsTests
{
    private static Dictionary<string, string> Recorded(string model) =>
        ModelFile.Load(model).Info.Training.ToDictionary(s => s.Name, s => s.Value);

    // ---- the first lines, and outputs that cannot serve the task ----

    [Fact]
    public void Train_prints_the_target_column_and_task_first_unless_quiet_or_json()
    {
        using var dir = new TempDir();
        var data = dir.Moons("m.csv", 100, 1, textLabels: true);
        var r = NnCli.Run("train", "--data", data, "--out", dir.File("a.safetensors"), "--epochs", "1");
        Ok(r);
        var lines = r.Out.Split('\n');
        Assert.StartsWith("target 'label': classification, 2 classes (", lines[0]);
        Assert.Equal("2 features; 100 training rows, no validation split", lines[1]);
        var regression = NnCli.Run("train", "--data", dir.Linear("l.csv", 400, 1), "--out", dir.File("b.safetensors"), "--epochs", "1");
        Ok(regression);
        Assert.StartsWith("target 'y': regression\n", regression.Out.Replace("\r", "", StringComparison.Ordinal));
        Assert.Contains("360 training rows, 40 validation rows", regression.Out);
        foreach (var flag in new[] { "--quiet", "--json" })
        {
            var q = NnCli.Run("train", "--data", data, "--out", dir.File("c.safetensors"), "--epochs", "1", flag);
            Ok(q);
            Assert.DoesNotContain("target '", q.Out);
        }
    }

    [Theory]
    [InlineData("classification", "linear", "--output: linear needs a regression target")]
    [InlineData("regression", "softmax", "--output: softmax needs a classification target")]
    public void An_output_that_cannot_serve_the_task_is_refused_before_training(string task, string output, string message)
    {
        using var dir = new TempDir();
        var data = task == "classification" ? dir.Moons("d.csv", 60, 2, textLabels: false) : dir.Linear("d.csv", 60, 2);
        RefusedStarting(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors"), "--output", output, "--epochs", "1"), message);
        Assert.Equal(["d.csv"], dir.Names());
    }

    // ---- early stopping on small data ----

    [Fact]
    public void Below_thirty_validation_rows_every_row_trains_for_every_epoch_with_a_note()
    {
        using var dir = new TempDir();
        var data = dir.Linear("d.csv", 120, 3); // 10% = 12 validation rows: too few
        var r = NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors"), "--epochs", "30", "--patience", "2", "--json");
        Ok(r);
        var json = JsonNode.Parse(r.Out)!;
        Assert.Equal(30, (int)json["epochs"]!);
        Assert.False((bool)json["stopped_early"]!);
        Assert.Contains("nn: note: a validation split of 12 rows is too small for early stopping (at least 30); training on all 120 rows", r.Err);
        // With 30 validation rows the split is made and early stopping can stop the run.
        var larger = NnCli.Run("train", "--data", data, "--out", dir.File("n.safetensors"), "--epochs", "30", "--validation-fraction", "0.25",
            "--patience", "1", "--lr", "1e-300", "--optimizer", "sgd", "--json");
        Ok(larger);
        Assert.DoesNotContain("too small", larger.Err);
        Assert.True((bool)JsonNode.Parse(larger.Out)!["stopped_early"]!);
        Assert.Equal("0.25", Recorded(dir.File("n.safetensors"))["validation_fraction"]);
    }

    [Fact]
    public void Min_epochs_keeps_early_stopping_from_stopping_before_it()
    {
        using var dir = new TempDir();
        var data = dir.Linear("d.csv", 400, 4);
        // A rate this small leaves the weights unchanged (each update rounds away), so the validation loss never improves
        // after epoch 1 and patience 1 stops the run at epoch 2, unless --min-epochs holds it until epoch 15.
        string[] common = ["train", "--data", data, "--layers", "4", "--optimizer", "sgd", "--lr", "1e-300", "--patience", "1", "--epochs", "40", "--json"];
        var free = JsonNode.Parse(NnCli.Run([.. common, "--out", dir.File("a.safetensors")]).Out)!;
        Assert.True((bool)free["stopped_early"]!);
        Assert.Equal(2, (int)free["epochs"]!);
        var held = JsonNode.Parse(NnCli.Run([.. common, "--min-epochs", "15", "--out", dir.File("b.safetensors")]).Out)!;
        Assert.True((bool)held["stopped_early"]!);
        Assert.Equal(15, (int)held["epochs"]!);
        Assert.Equal("15", Recorded(dir.File("b.safetensors"))["min_epochs"]);
        Assert.False(Recorded(dir.File("a.safetensors")).ContainsKey("min_epochs"));
    }

    // ---- schedules and warm-up ----

    [Fact]
    public void Schedule_flags_are_built_into_the_optimizer_and_recorded()
    {
        using var dir = new TempDir();
        var data = dir.Linear("d.csv", 64, 5);
        string[] common = ["train", "--data", data, "--layers", "4", "--batch-size", "16", "--epochs", "6", "--quiet", "--validation-fraction", "0"];
        var plain = dir.File("plain.safetensors");
        var constant = dir.File("constant.safetensors");
        Ok(NnCli.Run([.. common, "--out", plain]));
        Ok(NnCli.Run([.. common, "--schedule", "constant", "--out", constant]));
        // --schedule constant without warm-up is the optimizer as it is: the same bytes as no flag.
        Assert.Equal(File.ReadAllBytes(plain), File.ReadAllBytes(constant));

        var cosine = dir.File("cosine.safetensors");
        Ok(NnCli.Run([.. common, "--schedule", "cosine", "--lr", "0.01", "--lr-min", "0.0001", "--warmup", "2", "--out", cosine]));
        var recorded = Recorded(cosine);
        Assert.Equal(("cosine", "0.0001", "auto", "2"), (recorded["schedule"], recorded["lr_min"], recorded["lr_epochs"], recorded["warmup"]));
        Assert.NotEqual(File.ReadAllBytes(plain), File.ReadAllBytes(cosine));

        var step = dir.File("step.safetensors");
        Ok(NnCli.Run([.. common, "--schedule", "step", "--lr-factor", "0.5", "--lr-every", "2", "--out", step]));
        Assert.Equal(("step", "0.5", "2"), (Recorded(step)["schedule"], Recorded(step)["lr_factor"], Recorded(step)["lr_every"]));
        Assert.False(Recorded(plain).ContainsKey("schedule"));
    }

    [Fact]
    public void The_help_gives_the_lr_factor_default_of_each_schedule_and_no_single_default()
    {
        var r = NnCli.Run("train", "--help");
        Assert.Equal(0, r.Code);
        var line = r.Out.Split('\n').Single(l => l.TrimStart().StartsWith("--lr-factor", StringComparison.Ordinal));
        Assert.Contains("(default 0.5)", line);
        Assert.Contains("(default 0.95)", line);
        Assert.DoesNotContain("[default:", line);
    }

    [Theory]
    [InlineData(new[] { "--schedule", "cosine", "--lr-every", "3" }, "--lr-every: goes with --schedule step, not cosine")]
    [InlineData(new[] { "--lr-min", "0.1" }, "--lr-min: goes with --schedule cosine, not constant")]
    [InlineData(new[] { "--schedule", "linear" }, "--schedule: expected constant, step, exponential or cosine, got 'linear'")]
    [InlineData(new[] { "--schedule", "cosine", "--lr", "0.01", "--lr-min", "0.1" }, "--lr-min: the cosine floor 0.1 is above the learning rate 0.01")]
    [InlineData(new[] { "--warmup", "-1" }, "--warmup: expected 0 or more epochs, got -1")]
    [InlineData(new[] { "--schedule", "step", "--lr-factor", "1.5" }, "--lr-factor: expected a factor in (0, 1], got 1.5")]
    public void Schedule_flags_out_of_place_or_range_are_refused(string[] flags, string message)
    {
        using var dir = new TempDir();
        var data = dir.Linear("d.csv", 40, 5);
        RefusedStarting(NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--epochs", "2", .. flags]), message);
        Assert.Equal(["d.csv"], dir.Names());
    }

    [Fact]
    public void A_scheduled_run_resumes_to_the_same_bytes_and_a_changed_schedule_is_refused()
    {
        using var dir = new TempDir();
        var data = dir.Linear("d.csv", 80, 6);
        string[] common = ["train", "--data", data, "--layers", "4", "--batch-size", "16", "--seed", "2", "--validation-fraction", "0", "--quiet",
            "--schedule", "cosine", "--lr", "0.02", "--lr-epochs", "8", "--warmup", "2"];
        var whole = dir.File("whole.safetensors");
        var checkpoint = dir.File("run.ckpt");
        Ok(NnCli.Run([.. common, "--epochs", "8", "--out", whole]));
        Ok(NnCli.Run([.. common, "--epochs", "4", "--checkpoint", checkpoint, "--out", dir.File("half.safetensors")]));
        var resumed = dir.File("resumed.safetensors");
        Ok(NnCli.Run([.. common, "--epochs", "8", "--resume", checkpoint, "--out", resumed]));
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(resumed));

        RefusedStarting(NnCli.Run([.. common[..^2], "--warmup", "3", "--epochs", "8", "--resume", checkpoint, "--out", dir.File("x.safetensors")]),
            "--warmup: ");
        RefusedStarting(NnCli.Run([.. common[..^8], "--lr", "0.02", "--epochs", "8", "--resume", checkpoint, "--out", dir.File("y.safetensors")]),
            "--schedule: ");
    }

    // ---- a test split from the seed ----

    [Fact]
    public void Test_fraction_holds_out_a_stratified_split_reported_apart_from_validation()
    {
        using var dir = new TempDir();
        var data = dir.Moons("m.csv", 400, 7, textLabels: true);
        var model = dir.File("m.safetensors");
        var report = dir.File("r.html");
        var r = NnCli.Run("train", "--data", data, "--out", model, "--epochs", "3", "--test-fraction", "0.25", "--report", report);
        Ok(r);
        Assert.Contains("270 training rows, 30 validation rows, 100 test rows", r.Out);
        Assert.Contains("Test metrics on the 100 rows held out by --test-fraction", r.Out);
        Assert.Matches(@"\n  n +100\r?\n", r.Out);   // the metrics table's row count, however wide its label column
        Assert.Contains("(test split, 100 rows)", File.ReadAllText(report));
        Assert.Equal("0.25", Recorded(model)["test_fraction"]);

        var j = NnCli.Run("train", "--data", data, "--out", dir.File("j.safetensors"), "--epochs", "3", "--test-fraction", "0.25", "--json");
        Ok(j);
        var json = JsonNode.Parse(j.Out)!;
        Assert.Equal(("split", 100, 100), ((string)json["test_source"]!, (int)json["test_rows"]!, (int)json["test"]!["n"]!));
        // The same seed holds out the same rows: the two runs wrote the same model.
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(dir.File("j.safetensors")));
    }

    [Fact]
    public void Without_test_fraction_the_json_and_model_are_as_before()
    {
        using var dir = new TempDir();
        var data = dir.Moons("m.csv", 400, 8, textLabels: false);
        var a = NnCli.Run("train", "--data", data, "--out", dir.File("a.safetensors"), "--epochs", "2", "--json");
        var b = NnCli.Run("train", "--data", data, "--out", dir.File("b.safetensors"), "--epochs", "2", "--json", "--test-fraction", "0");
        Ok(a);
        Ok(b);
        Assert.Null(JsonNode.Parse(a.Out)!["test_source"]);
        Assert.Equal(File.ReadAllBytes(dir.File("a.safetensors")), File.ReadAllBytes(dir.File("b.safetensors")));
        Assert.False(Recorded(dir.File("a.safetensors")).ContainsKey("test_fraction"));
    }

    [Fact]
    public void Test_fraction_with_test_data_is_refused()
    {
        using var dir = new TempDir();
        var data = dir.Moons("m.csv", 60, 1, textLabels: false);
        RefusedStarting(NnCli.Run("train", "--data", data, "--test-data", data, "--test-fraction", "0.2", "--out", dir.File("x.safetensors")),
            "--test-fraction: goes without --test-data");
        RefusedStarting(NnCli.Run("train", "--data", data, "--test-fraction", "1", "--out", dir.File("x.safetensors")), "--test-fraction: expected a fraction in [0, 1)");
        Assert.Equal(["m.csv"], dir.Names());
    }

    // ---- the demo's hint ----

    [Fact]
    public void The_demo_writes_its_held_out_digits_and_its_hint_scores_them()
    {
        using var dir = new TempDir();
        var model = dir.File("digits.safetensors");
        var r = NnCli.Run("demo", "--out", model);
        Ok(r);
        var test = dir.File("digits.test.csv");
        Assert.Contains($"try: nn eval --model {model} --data {test}", r.Out);
        var e = NnCli.Run("eval", "--model", model, "--data", test);
        Ok(e);
        // nn eval on the written rows prints exactly the demo's metrics table.
        var demoTable = r.Out[r.Out.IndexOf("Metrics:", StringComparison.Ordinal)..r.Out.IndexOf("Model written", StringComparison.Ordinal)];
        Assert.StartsWith(demoTable.TrimEnd(), e.Out.TrimEnd());
    }
}

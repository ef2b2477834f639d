using System.Globalization;
using System.Text.Json;
using Nn;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>The real command, in-process, on small generated data: train → eval → predict, as a user would run it.</summary>
public class EndToEndTests
{
    [Fact]
    public void Train_eval_predict_round_trip_on_a_text_labelled_csv()
    {
        using var dir = new TempDir();
        var train = dir.Moons("train.csv", 300, 1, textLabels: true);
        var test = dir.Moons("test.csv", 100, 2, textLabels: true);
        var model = dir.File("moons.safetensors");

        var t = NnCli.Run("train", "--data", train, "--test-data", test, "--layers", "16,16", "--activation", "tanh", "--lr", "0.01",
            "--epochs", "60", "--seed", "3", "--out", model, "--json");
        Assert.True(t.Code == 0, t.Err);
        using var trainJson = JsonDocument.Parse(t.Out);
        var root = trainJson.RootElement;
        foreach (var key in new[] { "epochs", "train_seconds", "final_train_loss", "best_epoch" }) Assert.True(root.TryGetProperty(key, out _), key);
        Assert.True(root.GetProperty("test").GetProperty("accuracy").GetDouble() >= 0.9, t.Out);

        var e = NnCli.Run("eval", "--model", model, "--data", test, "--json");
        Assert.True(e.Code == 0, e.Err);
        using var evalJson = JsonDocument.Parse(e.Out);
        var keys = evalJson.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        // Two classes: no top2_accuracy (it is 1 by definition), the binary ROC AUC and AP of the second label ("right").
        Assert.Equal(["task", "n", "accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_micro", "f1_weighted", "precision_weighted",
            "recall_weighted", "roc_auc", "average_precision", "ece", "log_loss", "per_class", "confusion_matrix"], keys);
        Assert.Equal(100, evalJson.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(root.GetProperty("test").GetProperty("accuracy").GetDouble(), evalJson.RootElement.GetProperty("accuracy").GetDouble());

        var predictions = dir.File("pred.csv");
        var p = NnCli.Run("predict", "--model", model, "--data", test, "--out", predictions, "--proba");
        Assert.True(p.Code == 0, p.Err);
        var lines = File.ReadAllLines(predictions);
        Assert.Equal("label,p_left,p_right", lines[0]);
        Assert.Equal(101, lines.Length);
        var truth = File.ReadAllLines(test).Skip(1).Select(l => l.Split(',')[2]).ToArray();
        var right = lines.Skip(1).Select((l, i) => l.Split(',')[0] == truth[i]).Count(b => b);
        Assert.Equal(evalJson.RootElement.GetProperty("accuracy").GetDouble(), right / 100.0, 12);
        Assert.All(lines.Skip(1), l =>
        {
            var f = l.Split(',');
            Assert.Equal(1.0, double.Parse(f[1], CultureInfo.InvariantCulture) + double.Parse(f[2], CultureInfo.InvariantCulture), 12);
        });
    }

    [Fact]
    public void Regression_targets_are_standardised_for_training_and_predicted_in_original_units()
    {
        using var dir = new TempDir();
        var train = dir.Linear("train.csv", 300, 5);
        var test = dir.Linear("test.csv", 100, 5);
        var model = dir.File("lin.safetensors");
        var t = NnCli.Run("train", "--data", train, "--out", model, "--layers", "8", "--lr", "0.01", "--epochs", "80", "--seed", "1");
        Assert.True(t.Code == 0, t.Err);

        var e = NnCli.Run("eval", "--model", model, "--data", test, "--json");
        Assert.True(e.Code == 0, e.Err);
        using var json = JsonDocument.Parse(e.Out);
        Assert.Equal(["task", "n", "r2", "mse", "rmse", "mae"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.True(json.RootElement.GetProperty("r2").GetDouble() > 0.98, e.Out);

        var predictions = dir.File("pred.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", test, "--out", predictions).Code);
        var predicted = File.ReadAllLines(predictions).Skip(1).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var actual = File.ReadAllLines(test).Skip(1).Select(l => double.Parse(l.Split(',')[3], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(predicted.Zip(actual).Average(p => Math.Abs(p.First - p.Second)) < 10, "predictions are in the target's units (≈100 ± 50·y)");
    }

    [Fact]
    public void Predict_and_eval_give_identical_outputs_for_any_thread_count_and_refuse_zero_threads()
    {
        using var dir = new TempDir();
        var train = dir.Moons("train.csv", 300, 1, textLabels: true);
        var test = dir.Moons("test.csv", 2500, 2, textLabels: true); // several 512-row chunks, so threads take part
        var model = dir.File("m.safetensors");
        var t = NnCli.Run("train", "--data", train, "--layers", "32,32", "--epochs", "5", "--seed", "4", "--out", model);
        Assert.True(t.Code == 0, t.Err);
        string Predict(string threads)
        {
            var output = dir.File($"pred{threads}.csv");
            var r = NnCli.Run("predict", "--model", model, "--data", test, "--out", output, "--proba", "--threads", threads);
            Assert.True(r.Code == 0, r.Err);
            return File.ReadAllText(output);
        }
        var one = Predict("1");
        Assert.Equal(2501, one.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(one, Predict("3"));
        var e1 = NnCli.Run("eval", "--model", model, "--data", test, "--json", "--threads", "1");
        var e3 = NnCli.Run("eval", "--model", model, "--data", test, "--json", "--threads", "3");
        Assert.True(e1.Code == 0 && e3.Code == 0, e1.Err + e3.Err);
        Assert.Equal(e1.Out, e3.Out);

        var refused = dir.File("refused.csv");
        foreach (var r in new[]
                 {
                     NnCli.Run("predict", "--model", model, "--data", test, "--out", refused, "--threads", "0"),
                     NnCli.Run("eval", "--model", model, "--data", test, "--threads", "0"),
                 })
        {
            Assert.Equal(2, r.Code);
            Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("--threads", r.Err);
        }
        Assert.False(File.Exists(refused));
    }

    [Fact]
    public void Training_twice_and_with_other_thread_counts_writes_identical_model_bytes()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 200, 7);
        var a = dir.File("a.safetensors");
        var b = dir.File("b.safetensors");
        var c = dir.File("c.safetensors");
        string[] common = ["train", "--data", data, "--layers", "8", "--epochs", "15", "--dropout", "0.1", "--seed", "9"];
        Assert.Equal(0, NnCli.Run([.. common, "--out", a, "--threads", "1"]).Code);
        Assert.Equal(0, NnCli.Run([.. common, "--out", b, "--threads", "1"]).Code);
        Assert.Equal(0, NnCli.Run([.. common, "--out", c, "--threads", "2"]).Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(c));
        var d = dir.File("d.safetensors");
        Assert.Equal(0, NnCli.Run([.. common[..^1], "10", "--out", d]).Code);
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(d));
    }

    [Fact]
    public void Resuming_from_a_checkpoint_writes_the_same_model_bytes_as_an_uninterrupted_run()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 200, 4, textLabels: false);
        var whole = dir.File("whole.safetensors");
        var resumed = dir.File("resumed.safetensors");
        var half = dir.File("half.safetensors");
        var checkpoint = dir.File("run.ckpt");
        string[] common = ["train", "--data", data, "--layers", "8,8", "--optimizer", "adam", "--dropout", "0.2", "--seed", "5", "--patience", "0"];
        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "20", "--out", whole]).Code);
        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "10", "--checkpoint", checkpoint, "--out", half]).Code);
        var r = NnCli.Run([.. common, "--epochs", "20", "--resume", checkpoint, "--out", resumed]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(resumed));
        Assert.NotEqual(File.ReadAllBytes(whole), File.ReadAllBytes(half));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_fit_from_code_is_nn_train_on_the_same_rows(bool classification)
    {
        // The same plan, checks and loop: the networks are equal bit for bit, and so are the recorded decisions.
        using var dir = new TempDir();
        var data = classification ? dir.Moons("d.csv", 120, 6, textLabels: true) : dir.Linear("d.csv", 120, 6);
        var output = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", data, "--out", output, "--layers", "8", "--epochs", "12", "--seed", "3", "--optimizer", "momentum",
            "--lr", "0.05", "--clip-norm", "2", "--scale", "minmax", "--quiet");
        Assert.True(r.Code == 0, r.Err);
        var cli = ModelFile.Load(output);

        var loaded = DataSource.ForTraining(data, null, null);
        var settings = FitSettings.Default with
        {
            Layers = [8], Epochs = 12, Seed = 3, Scaling = Scalings.MinMax,
            Optimizer = Optimizers.Chain(Optimizers.ClipByGlobalNorm(2), Optimizers.Momentum(0.05, 0.9)),
        };
        var model = classification
            ? Model.Fit(loaded.Features, loaded.TargetCells, settings)
            : Model.Fit(loaded.Features, [.. loaded.TargetCells.Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture))], settings);
        Assert.True(Parameters.BitEquals(cli.Network, model.Network));
        Assert.Equal(cli.Info.Training.ToArray(), model.Info.Training.ToArray());
        Assert.Equal(cli.Info.Labels.ToArray(), model.Info.Labels.ToArray());
        Assert.Equal(cli.Info.Scaling, model.Info.Scaling);
        Assert.Equal(cli.Info.TargetScaling, model.Info.TargetScaling);
    }

    [Fact]
    public void A_checkpoint_of_the_first_format_is_refused_with_a_message_that_says_why()
    {
        // Written by `nn train --data data/iris.csv --target label --layers 4 --optimizer adam --lr 0.01 --epochs 2
        // --checkpoint` before optimizers became chains of transformations (checkpoint format 1).
        using var dir = new TempDir();
        var old = Path.Combine(AppContext.BaseDirectory, "Fixtures", "format1-adam-iris.ckpt");
        var data = dir.Moons("moons.csv", 60, 3, textLabels: false);
        var output = dir.File("out.safetensors");
        var r = NnCli.Run("train", "--data", data, "--layers", "4", "--optimizer", "adam", "--lr", "0.01", "--epochs", "3", "--resume", old, "--out", output);
        Assert.Equal(2, r.Code);
        Assert.Contains("format1-adam-iris.ckpt", r.Err);
        Assert.Contains("checkpoint format 1", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void History_csv_has_one_row_per_epoch_and_the_model_records_the_label_map_and_settings()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 150, 8, textLabels: true);
        var model = dir.File("m.safetensors");
        var history = dir.File("h.csv");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--epochs", "7", "--patience", "0", "--out", model, "--history", history, "--quiet").Code);
        var lines = File.ReadAllLines(history);
        Assert.Equal("epoch,train_loss,val_loss,val_accuracy,val_r2", lines[0]);
        Assert.Equal(8, lines.Length);
        var loaded = ModelFile.Load(model);
        Assert.Equal(["left", "right"], loaded.Info.Labels.ToArray());
        Assert.Equal(["x1", "x2"], loaded.Info.FeatureNames.ToArray());
        Assert.Contains(loaded.Info.Training, s => s.Name == "optimizer" && s.Value == "adam");
        Assert.Equal(DataSource.Hash(data, null), loaded.Info.DataSha256);
    }

    [Fact]
    public void NumPy_npy_with_labels_and_npz_train_and_evaluate_like_csv()
    {
        using var dir = new TempDir();
        var d = Synthetic.Blobs(Key.FromSeed(3), 150, 3, 2, 1.0);
        var x = dir.File("x.npy");
        var y = dir.File("y.npy");
        var xy = dir.File("xy.npz");
        Npy.Write(x, NpyArray.FromMatrix(d.X));
        var labels = new NpyArray([d.Count], "<f8", [.. d.Labels.Select(l => (double)l)]);
        Npy.Write(y, labels);
        Npz.Write(xy, new Dictionary<string, NpyArray> { ["x"] = NpyArray.FromMatrix(d.X), ["y"] = labels });

        var fromNpy = dir.File("npy.safetensors");
        var fromNpz = dir.File("npz.safetensors");
        var a = NnCli.Run("train", "--data", x, "--labels", y, "--epochs", "30", "--lr", "0.01", "--out", fromNpy, "--quiet");
        Assert.True(a.Code == 0, a.Err);
        var b = NnCli.Run("train", "--data", xy, "--epochs", "30", "--lr", "0.01", "--out", fromNpz, "--quiet");
        Assert.True(b.Code == 0, b.Err);
        // Same numbers, same settings: the same parameters (the data hashes differ, so compare the weights).
        Assert.True(Parameters.BitEquals(ModelFile.Load(fromNpy).Network, ModelFile.Load(fromNpz).Network));
        Assert.Equal(["0", "1", "2"], ModelFile.Load(fromNpy).Info.Labels.ToArray());

        var e = NnCli.Run("eval", "--model", fromNpz, "--data", xy, "--json");
        Assert.True(e.Code == 0, e.Err);
        using var json = JsonDocument.Parse(e.Out);
        Assert.True(json.RootElement.GetProperty("accuracy").GetDouble() > 0.9, e.Out);
    }

    [Fact]
    public void Explain_without_arguments_replays_the_hand_worked_example()
    {
        var r = NnCli.Run("explain");
        Assert.Equal(0, r.Code);
        Assert.Contains("Z¹ = A⁰·W¹ + b¹ = [0.43, 1.42]", r.Out);
        Assert.Contains("J = ", r.Out);
        Assert.Contains("∂J/∂W¹", r.Out);
        Assert.Contains("∂J/∂Z² = (Ŷ − Y)/m = [-0.22348]", r.Out); // exactly −0.2234803…
    }

    [Fact]
    public void Gradcheck_passes_on_a_random_network_and_on_a_trained_model()
    {
        var r = NnCli.Run("gradcheck", "--layers", "6,5", "--activation", "relu", "--output", "softmax", "--seed", "3", "--json");
        Assert.True(r.Code == 0, r.Out + r.Err);
        using var json = JsonDocument.Parse(r.Out);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(6, json.RootElement.GetProperty("tensors").GetArrayLength());

        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 120, 2);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--epochs", "5", "--activation", "tanh", "--out", model, "--quiet").Code);
        var m = NnCli.Run("gradcheck", "--model", model, "--data", data);
        Assert.True(m.Code == 0, m.Out + m.Err);
        Assert.Contains("All checks passed.", m.Out);
    }
}

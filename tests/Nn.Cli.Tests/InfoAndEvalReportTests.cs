using System.Globalization;
using System.Text.Json;

namespace Nn.Cli.Tests;

/// <summary>
/// <c>nn info</c> end to end (text and JSON, refusals), and <c>nn eval</c>'s per-class report, ranking scores and top-k
/// rule, checked against what the test computes itself from the confusion matrix and from <c>nn predict --proba</c>.
/// </summary>
public class InfoAndEvalReportTests
{
    [Fact]
    public void Info_describes_a_model_in_text_and_json_with_parameter_counts_per_layer()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 90, 5);
        var model = dir.File("m.safetensors");
        var t = NnCli.Run("train", "--data", data, "--out", model, "--layers", "6,4", "--activation", "tanh", "--epochs", "3", "--seed", "11", "--json");
        Assert.True(t.Code == 0, t.Err);
        using var trained = JsonDocument.Parse(t.Out);

        var j = NnCli.Run("info", "--model", model, "--json");
        Assert.True(j.Code == 0, j.Err);
        Assert.Equal("", j.Err);
        Assert.Single(j.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(j.Out);
        var root = json.RootElement;
        Assert.Equal(["format_version", "task", "loss", "feature_names", "target_name", "labels", "feature_scaling", "target_scaling", "layers",
            "parameters", "parameters_sha256", "data_sha256", "training"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(2, root.GetProperty("format_version").GetInt32());
        Assert.Equal("classification", root.GetProperty("task").GetString());
        Assert.Equal(["a", "b"], root.GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("class", root.GetProperty("target_name").GetString());
        Assert.Equal(["0", "1", "2"], root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("standard", root.GetProperty("feature_scaling").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("target_scaling").ValueKind);
        // 2 → 6 → 4 → 3: each layer has inputs·outputs weights and outputs biases.
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal([(2, 6, "tanh"), (6, 4, "tanh"), (4, 3, "softmax")],
            layers.Select(l => (l.GetProperty("inputs").GetInt32(), l.GetProperty("outputs").GetInt32(), l.GetProperty("activation").GetString()!)).ToArray());
        Assert.Equal([18, 28, 15], layers.Select(l => l.GetProperty("parameters").GetInt32()).ToArray());
        Assert.All(layers, l => Assert.Equal(l.GetProperty("weights").GetInt32() + l.GetProperty("biases").GetInt32(), l.GetProperty("parameters").GetInt32()));
        Assert.Equal(61, root.GetProperty("parameters").GetInt32());
        Assert.Equal(trained.RootElement.GetProperty("parameters_sha256").GetString(), root.GetProperty("parameters_sha256").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(data))), root.GetProperty("data_sha256").GetString());
        Assert.Equal("11", root.GetProperty("training").GetProperty("seed").GetString());
        Assert.Equal("6,4", root.GetProperty("training").GetProperty("layers").GetString());

        var text = NnCli.Run("info", "--model", model);
        Assert.True(text.Code == 0, text.Err);
        var lines = text.Out.Split('\n');
        Assert.Contains("  task                  classification", lines);
        Assert.Contains("  labels                3: 0, 1, 2", lines);
        Assert.Contains("  parameters            61", lines);
        Assert.Contains("  file format version   2", lines);
        Assert.Contains($"  parameters sha256     {root.GetProperty("parameters_sha256").GetString()}", lines);
        Assert.Contains("Architecture:", lines);
        Assert.Contains("  1           2        6        tanh       12       6          18", lines);
        Assert.Contains("  3           4        3     softmax       12       3          15", lines);
        Assert.Contains("  total                                                        61", lines);
        Assert.Contains("  seed                 11", lines);
    }

    [Fact]
    public void Info_refuses_a_missing_folder_or_non_model_file_with_one_line_and_exit_2()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 30, 1);
        foreach (var (path, expected) in new[]
        {
            (dir.File("missing.safetensors"), "file not found"),
            (dir.Path, "is a folder"),
            (data, "header length"),
            (dir.Write("empty.safetensors", ""), "the file is empty"),
        })
        {
            var r = NnCli.Run("info", "--model", path, "--json");
            Assert.Equal(CliApp.BadInput, r.Code);
            Assert.Equal("", r.Out);
            var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("nn: ", line, StringComparison.Ordinal);
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
        Assert.Equal(CliApp.BadInput, NnCli.Run("info").Code);
    }

    [Fact]
    public void Eval_per_class_scores_agree_with_the_confusion_matrix_and_ranking_scores_with_a_pair_count_over_predict_proba()
    {
        using var dir = new TempDir();
        var train = dir.Blobs("train.csv", 150, 2);
        var test = dir.Blobs("test.csv", 60, 3);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--out", model, "--layers", "4", "--epochs", "3", "--seed", "2", "--quiet").Code);

        var e = NnCli.Run("eval", "--model", model, "--data", test, "--json");
        Assert.True(e.Code == 0, e.Err);
        using var json = JsonDocument.Parse(e.Out);
        var root = json.RootElement;
        Assert.Equal(["task", "n", "accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_micro", "f1_weighted", "precision_weighted",
            "recall_weighted", "top2_accuracy", "roc_auc_ovr_macro", "roc_auc_ovr_weighted", "average_precision_ovr_macro",
            "average_precision_ovr_weighted", "ece", "log_loss", "per_class", "confusion_matrix"], root.EnumerateObject().Select(p => p.Name).ToArray());
        var cm = root.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        var perClass = root.GetProperty("per_class").EnumerateArray().ToArray();
        Assert.Equal(3, perClass.Length);

        // Probabilities and truth from nn predict --proba and the data file, to score the classes independently.
        var predictions = dir.File("p.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", test, "--out", predictions, "--proba").Code);
        var p = File.ReadAllLines(predictions).Skip(1).Select(l => l.Split(',').Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var truth = File.ReadAllLines(test).Skip(1).Select(l => int.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        double Div(double a, double b) => b == 0 ? 0 : a / b;
        var auc = new double[3];
        for (var c = 0; c < 3; c++)
        {
            var tp = cm[c][c];
            var support = cm[c].Sum();
            var predicted = cm.Sum(row => row[c]);
            var k = perClass[c];
            Assert.Equal(c.ToString(CultureInfo.InvariantCulture), k.GetProperty("label").GetString());
            Assert.Equal(support, k.GetProperty("support").GetInt32());
            Assert.Equal(Div(tp, predicted), k.GetProperty("precision").GetDouble(), 12);
            Assert.Equal(Div(tp, support), k.GetProperty("recall").GetDouble(), 12);
            Assert.Equal(Div(2.0 * tp, predicted + support), k.GetProperty("f1").GetDouble(), 12);
            // One-vs-rest AUC: P(p⁺ > p⁻) + ½ P(p⁺ = p⁻) over (class c, other) pairs. The CSV round-trips the doubles.
            double wins = 0, pairs = 0;
            for (var i = 0; i < truth.Length; i++)
                for (var n = 0; n < truth.Length; n++)
                    if (truth[i] == c && truth[n] != c)
                    {
                        pairs++;
                        wins += p[i][c] > p[n][c] ? 1 : p[i][c] == p[n][c] ? 0.5 : 0;
                    }
            auc[c] = wins / pairs;
            Assert.Equal(auc[c], k.GetProperty("roc_auc").GetDouble(), 12);
        }
        Assert.Equal(auc.Average(), root.GetProperty("roc_auc_ovr_macro").GetDouble(), 12);
        Assert.Equal(auc.Select((a, c) => a * cm[c].Sum()).Sum() / truth.Length, root.GetProperty("roc_auc_ovr_weighted").GetDouble(), 12);

        // The text report shows the same numbers: top-2 for three classes, the per-class table with both averages.
        var text = NnCli.Run("eval", "--model", model, "--data", test);
        Assert.True(text.Code == 0, text.Err);
        var lines = text.Out.Split('\n');
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        Assert.Contains(lines, l => l.StartsWith("  top-2 accuracy ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  ROC AUC (one-vs-rest, macro) ", StringComparison.Ordinal) && l.EndsWith(F(auc.Average()), StringComparison.Ordinal));
        var table = lines.SkipWhile(l => l != "Per class:").Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(6, table.Length);
        Assert.Equal(["precision", "recall", "F1", "support"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["1", F(perClass[1].GetProperty("precision").GetDouble()), F(perClass[1].GetProperty("recall").GetDouble()),
            F(perClass[1].GetProperty("f1").GetDouble()), cm[1].Sum().ToString(CultureInfo.InvariantCulture)], table[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("  macro avg ", table[4], StringComparison.Ordinal);
        Assert.EndsWith(" 60", table[4], StringComparison.Ordinal);
        Assert.StartsWith("  weighted avg ", table[5], StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_eval_omits_top_2_accuracy_and_scores_the_second_label()
    {
        using var dir = new TempDir();
        var train = dir.Moons("train.csv", 200, 1, textLabels: true);
        var test = dir.Moons("test.csv", 50, 2, textLabels: true);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--out", model, "--layers", "8", "--epochs", "5", "--seed", "4", "--quiet").Code);
        var e = NnCli.Run("eval", "--model", model, "--data", test);
        Assert.True(e.Code == 0, e.Err);
        Assert.DoesNotContain("top-2", e.Out, StringComparison.Ordinal);
        Assert.Contains("  ROC AUC (right positive) ", e.Out, StringComparison.Ordinal);
        Assert.Contains("  average precision (right positive) ", e.Out, StringComparison.Ordinal);

        var j = NnCli.Run("eval", "--model", model, "--data", test, "--json");
        using var json = JsonDocument.Parse(j.Out);
        Assert.False(json.RootElement.TryGetProperty("top2_accuracy", out _));
        var predictions = dir.File("p.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", test, "--out", predictions, "--proba").Code);
        var rows = File.ReadAllLines(predictions).Skip(1).Select(l => l.Split(',')).ToArray();
        var truth = File.ReadAllLines(test).Skip(1).Select(l => l.Split(',')[2] == "right").ToArray();
        var score = rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)).ToArray();
        double wins = 0, pairs = 0;
        for (var i = 0; i < truth.Length; i++)
            for (var n = 0; n < truth.Length; n++)
                if (truth[i] && !truth[n])
                {
                    pairs++;
                    wins += score[i] > score[n] ? 1 : score[i] == score[n] ? 0.5 : 0;
                }
        Assert.Equal(wins / pairs, json.RootElement.GetProperty("roc_auc").GetDouble(), 12);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Nn;
using Nn.Shell;
using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary><c>--task multilabel</c> end to end: 0/1 columns and a column of delimited labels through train, eval, predict, info, and the refusals.</summary>
public class MultilabelTests
{
    /// <summary>Two features and three labels that depend on them: sport = x1 &gt; 0, news = x2 &gt; 0, tech = x1 + x2 &gt; 0.5.</summary>
    private static (string Columns, string Tags) Data(TempDir dir, int count, long seed, string separator = ";")
    {
        var x = Prng.Uniform(Key.FromSeed(seed), count * 2, -1, 1).Values;
        var columns = new StringBuilder("x1,x2,sport,news,tech\n");
        var tags = new StringBuilder("x1,tags,x2\n");
        for (var r = 0; r < count; r++)
        {
            double x1 = x[2 * r], x2 = x[2 * r + 1];
            int s = x1 > 0 ? 1 : 0, n = x2 > 0 ? 1 : 0, t = x1 + x2 > 0.5 ? 1 : 0;
            columns.Append(CultureInfo.InvariantCulture, $"{x1:R},{x2:R},{s},{n},{t}\n");
            var set = new[] { (s, "sport"), (n, "news"), (t, "tech") }.Where(p => p.Item1 == 1).Select(p => p.Item2);
            tags.Append(CultureInfo.InvariantCulture, $"{x1:R},\"{string.Join(separator, set)}\",{x2:R}\n");
        }
        return (dir.Write($"columns{seed}.csv", columns.ToString()), dir.Write($"tags{seed}.csv", tags.ToString()));
    }

    private static int[][] Indicators(string csv, int skip) =>
        [.. File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',').Skip(skip).Take(3).Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToArray())];

    [Fact]
    public void Zero_one_columns_train_and_evaluate_with_the_multilabel_metrics_and_predict_one_column_per_label()
    {
        using var dir = new TempDir();
        var (train, _) = Data(dir, 400, 1);
        var (test, _) = Data(dir, 100, 2);
        var model = dir.File("m.safetensors");
        var t = NnCli.Run("train", "--data", train, "--target", "sport,news,tech", "--task", "multilabel", "--layers", "16", "--lr", "0.01",
            "--epochs", "60", "--seed", "1", "--test-data", test, "--out", model);
        Assert.True(t.Code == 0, t.Err);
        Assert.StartsWith("targets 'sport', 'news', 'tech': multilabel", t.Out, StringComparison.Ordinal);
        Assert.Contains("Per label:", t.Out, StringComparison.Ordinal);

        var e = NnCli.Run("eval", "--model", model, "--data", test, "--json");
        Assert.True(e.Code == 0, e.Err);
        using var json = JsonDocument.Parse(e.Out);
        var root = json.RootElement;
        Assert.Equal(["task", "n", "subset_accuracy", "hamming_loss", "f1_micro", "f1_macro", "f1_weighted", "precision_micro", "recall_micro",
            "precision_macro", "recall_macro", "per_label"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("multilabel", root.GetProperty("task").GetString());
        Assert.True(root.GetProperty("subset_accuracy").GetDouble() > 0.85, e.Out);
        Assert.Equal(["sport", "news", "tech"], root.GetProperty("per_label").EnumerateArray().Select(p => p.GetProperty("label").GetString()!).ToArray());

        // The 0/1 predictions in the file give eval's subset accuracy and Hamming loss.
        var predictions = dir.File("p.csv");
        var p = NnCli.Run("predict", "--model", model, "--data", test, "--out", predictions, "--proba");
        Assert.True(p.Code == 0, p.Err);
        Assert.Equal("sport,news,tech,p_sport,p_news,p_tech", File.ReadLines(predictions).First());
        var predicted = Indicators(predictions, 0);
        var truth = Indicators(test, 2);
        var exact = truth.Zip(predicted).Count(r => r.First.SequenceEqual(r.Second));
        var wrong = truth.Zip(predicted).Sum(r => r.First.Zip(r.Second).Count(c => c.First != c.Second));
        Assert.Equal(root.GetProperty("subset_accuracy").GetDouble(), exact / 100.0, 12);
        Assert.Equal(root.GetProperty("hamming_loss").GetDouble(), wrong / 300.0, 12);
        Assert.All(File.ReadAllLines(predictions).Skip(1), line =>
        {
            var f = line.Split(',');
            for (var c = 0; c < 3; c++) Assert.Equal(double.Parse(f[3 + c], CultureInfo.InvariantCulture) >= 0.5 ? "1" : "0", f[c]);
        });

        var text = NnCli.Run("eval", "--model", model, "--data", test);
        Assert.Contains("Hamming loss", text.Out, StringComparison.Ordinal);
        Assert.Contains("micro avg", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_column_of_delimited_labels_trains_like_the_zero_one_columns_and_records_its_separator()
    {
        using var dir = new TempDir();
        var (columns, tags) = Data(dir, 300, 3, separator: "|");
        var byTags = dir.File("tags.safetensors");
        var t = NnCli.Run("train", "--data", tags, "--target", "tags", "--task", "multilabel", "--label-separator", "|", "--layers", "8",
            "--epochs", "5", "--seed", "2", "--out", byTags);
        Assert.True(t.Code == 0, t.Err);
        Assert.StartsWith("target 'tags': multilabel, 3 labels (news, sport, tech)", t.Out, StringComparison.Ordinal);
        var model = ModelFile.Load(byTags);
        Assert.Equal(TaskKind.Multilabel, model.Info.Task);
        Assert.Equal(["news", "sport", "tech"], model.Info.Labels.ToArray());
        Assert.Equal("|", model.Info.LabelSeparator);
        Assert.IsType<Activation.Sigmoid>(model.Network.OutputActivation);
        Assert.Equal(3, model.Network.OutputSize);
        Assert.Equal(Losses.BinaryCrossEntropy, model.Info.Loss);

        // The same labels as 0/1 columns in label order train the same network, bit for bit.
        var reordered = dir.Write("reordered.csv", string.Concat(File.ReadAllLines(columns).Select(l => l.Split(',') is var f ? $"{f[0]},{f[1]},{f[3]},{f[2]},{f[4]}\n" : "")));
        var byColumns = dir.File("columns.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", reordered, "--target", "news,sport,tech", "--task", "multilabel", "--layers", "8",
            "--epochs", "5", "--seed", "2", "--out", byColumns, "--quiet").Code);
        Assert.Equal(model.Network, ModelFile.Load(byColumns).Network);

        using var info = JsonDocument.Parse(NnCli.Run("info", "--model", byTags, "--json").Out);
        Assert.Equal("multilabel", info.RootElement.GetProperty("task").GetString());
        Assert.Equal("|", info.RootElement.GetProperty("label_separator").GetString());
        Assert.Equal(3, info.RootElement.GetProperty("format_version").GetInt32());

        var e = NnCli.Run("eval", "--model", byTags, "--data", tags, "--json");
        Assert.True(e.Code == 0, e.Err);
        var unknown = dir.Write("unknown.csv", "x1,tags,x2\n0.1,sport,0.2\n0.3,\"news|cooking\",0.4\n");
        Refused(NnCli.Run("eval", "--model", byTags, "--data", unknown), "unknown.csv:3:2", "'cooking' was not seen in training");
    }

    [Fact]
    public void A_value_other_than_zero_or_one_in_a_label_column_is_refused_with_its_line_and_column()
    {
        using var dir = new TempDir();
        var data = dir.Write("bad.csv", "x,a,b\n1,0,1\n2,1,1\n3,2,0\n");
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", data, "--target", "a,b", "--task", "multilabel", "--out", model), "bad.csv:4:2", "expected 0 or 1", "'a'", "found 2");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void A_single_label_a_wrong_output_and_a_stray_separator_are_refused()
    {
        using var dir = new TempDir();
        var (columns, tags) = Data(dir, 60, 4);
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", columns, "--target", "sport", "--task", "multilabel", "--out", model), "--task", "at least 2 labels", "1 label");
        var oneTag = dir.Write("one.csv", "x,tags\n1,a\n2,\n3,a\n");
        Refused(NnCli.Run("train", "--data", oneTag, "--task", "multilabel", "--out", model), "--task", "at least 2 labels");
        Refused(NnCli.Run("train", "--data", tags, "--target", "tags", "--task", "multilabel", "--output", "softmax", "--out", model), "--output", "sigmoid");
        Refused(NnCli.Run("train", "--data", tags, "--target", "tags", "--label-separator", "|", "--out", model), "--label-separator", "--task multilabel");
        Refused(NnCli.Run("train", "--data", columns, "--target", "sport,news", "--task", "multilabel", "--label-separator", "|", "--out", model), "--label-separator");
        Refused(NnCli.Run("train", "--data", columns, "--target", "sport,news", "--task", "classification", "--out", model), "--task", "classification takes one");
        Assert.False(File.Exists(model));
    }
}

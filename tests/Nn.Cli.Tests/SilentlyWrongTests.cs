using System.Text.Json.Nodes;
using Nn.Shell;
using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary>
/// Issue 15's "silently wrong" class, end to end through the real commands: numeric flags read exactly, parse errors in
/// one line, test data matched by column name, unused columns named, and a resume that would not reproduce its run refused.
/// </summary>
public class SilentlyWrongTests
{
    // ---- numeric flags: invariant culture, no grouping separators, finite ----

    [Theory]
    [InlineData("--lr", "0,001")]
    [InlineData("--lr", "1,5")]
    [InlineData("--l2", "0,01")]
    [InlineData("--dropout", "0,5")]
    [InlineData("--validation-fraction", "0,2")]
    [InlineData("--clip-norm", "1,000")]
    [InlineData("--epochs", "1,000")]
    [InlineData("--patience", "1,0")]
    [InlineData("--seed", "1,000")]
    [InlineData("--threads", "1,0")]
    [InlineData("--lr", "NaN")]
    [InlineData("--lr", "Infinity")]
    [InlineData("--l2", "1e400")]
    [InlineData("--epochs", "1e3")]
    [InlineData("--epochs", "99999999999")]
    public void A_numeric_train_flag_that_is_not_exactly_a_number_is_refused_naming_the_flag(string flag, string value)
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 60, 1);
        Refused(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors"), flag, value), $"{flag}: expected", $"'{value}'");
        Assert.Equal(["d.csv"], dir.Names());
    }

    [Theory]
    [InlineData("gradcheck", "--l2", "0,5")]
    [InlineData("gradcheck", "--batch", "1,000")]
    [InlineData("gradcheck", "--seed", "2,5")]
    [InlineData("explain", "--row", "1,0")]
    public void Numeric_flags_of_other_commands_are_read_the_same_way(string command, string flag, string value) =>
        Refused(NnCli.Run(command, flag, value), $"{flag}: expected", $"'{value}'");

    [Fact]
    public void A_comma_gets_a_hint_about_separators()
    {
        var r = NnCli.Run("train", "--data", "d.csv", "--out", "m", "--lr", "0,001");
        Assert.Contains("use '.' as the decimal separator", r.Err);
    }

    [Theory]
    [InlineData("0.001", 0.001)]
    [InlineData("1e-3", 0.001)]
    [InlineData("1E-3", 0.001)]
    [InlineData(".5", 0.5)]
    [InlineData("2", 2.0)]
    public void Plain_invariant_numbers_are_read_exactly(string text, double expected)
    {
        var p = CliApp.Parse(["train", "--data", "d.csv", "--out", "m", "--lr", text]);
        Assert.Empty(p.Errors);
        Assert.Equal(Optimizers.Adam(expected), TrainCommand.Settings(p).Fit.Optimizer);
    }

    // ---- parse errors: one line ----

    [Theory]
    [InlineData(new[] { "trian" }, "'trian' is not a command; did you mean 'train'?")]
    [InlineData(new[] { "xyzzy" }, "'xyzzy' is not a command; the commands are: train")]
    [InlineData(new string[0], "expected a command: train")]
    [InlineData(new[] { "train", "--data", "d.csv", "--out", "m", "--bogus" }, "--bogus: not a flag of nn train")]
    [InlineData(new[] { "train", "--data", "d.csv" }, "--out: required by nn train")]
    [InlineData(new[] { "train" }, "required by nn train", "1 more problem")]
    [InlineData(new[] { "eval", "--model" }, "--model: expects a value")]
    [InlineData(new[] { "train", "--foo", "1", "--bar" }, "--foo: not a flag of nn train", "more problems; see nn train --help")]
    public void Every_parse_error_is_one_line(string[] args, params string[] fragments) => Refused(NnCli.Run(args), fragments);

    [Fact]
    public void An_error_message_over_several_lines_is_printed_on_one()
    {
        var e = new ArgumentOutOfRangeException("L2", -1.0, "The L2 coefficient must be finite and >= 0.");
        Assert.Contains('\n', e.Message);
        Assert.Equal("The L2 coefficient must be finite and >= 0. (Parameter 'L2') Actual value was -1.", CliApp.OneLine(e.Message));
        Assert.Equal("a b c", CliApp.OneLine("a\r\n\n  b\rc\n"));
    }

    // ---- flags that do not apply are refused, not ignored ----

    [Theory]
    [InlineData("train --data d.csv --labels y.npy --out n.safetensors", "--labels: goes with .npy --data only")]
    [InlineData("train --data xy.npz --labels y.npy --out n.safetensors", "--labels: goes with .npy --data only (an .npz holds")]
    [InlineData("train --data xy.npz --target class --out n.safetensors", "--target: names a CSV or Parquet column; an .npz holds")]
    [InlineData("train --data x.npy --labels y.npy --target class --out n.safetensors", "--target: names a CSV or Parquet column; an .npy file's targets come from --labels")]
    [InlineData("eval --model m.safetensors --data d.csv --labels y.npy", "--labels: goes with .npy --data only")]
    [InlineData("gradcheck --data d.csv", "--data: checks a trained model's gradient on its data; pass --model too")]
    [InlineData("gradcheck --model m.safetensors --data d.csv --layers 3", "--layers: describes the random network")]
    [InlineData("gradcheck --model m.safetensors --data d.csv --seed 3", "--seed: describes the random network")]
    [InlineData("gradcheck --l2 -1", "--l2: expected a number >= 0, got -1.")]
    [InlineData("explain --row 2", "--row: picks a row of --data")]
    public void A_flag_that_does_not_apply_is_refused_rather_than_ignored(string line, string expected)
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 40, 1);
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--epochs", "1", "--layers", "4", "--out", dir.File("m.safetensors"), "--quiet").Code);
        Npy.Write(dir.File("x.npy"), new NpyArray([4, 2], "<f8", [0.0, 1, 1, 0, 2, 3, 3, 2]));
        Npy.Write(dir.File("y.npy"), new NpyArray([4], "<f8", [0.0, 1, 0, 1]));
        Npz.Write(dir.File("xy.npz"), new Dictionary<string, NpyArray>
        {
            ["x"] = new([4, 2], "<f8", [0.0, 1, 1, 0, 2, 3, 3, 2]),
            ["y"] = new([4], "<f8", [0.0, 1, 0, 1]),
        });
        var before = dir.Names();
        var words = line.Split(' ');
        for (var i = 1; i < words.Length; i++)
            if (words[i - 1] is "--data" or "--labels" or "--model" or "--out") words[i] = dir.File(words[i]);
        Refused(NnCli.Run(words), expected);
        Assert.Equal(before, dir.Names());
    }

    // ---- test data and model data matched by column name ----

    private static double TestAccuracy((int Code, string Out, string Err) r)
    {
        Assert.True(r.Code == 0, r.Err);
        return JsonNode.Parse(r.Out)!["test"]!["accuracy"]!.GetValue<double>();
    }

    [Fact]
    public void Test_data_with_swapped_columns_is_matched_by_name_as_eval_does()
    {
        using var dir = new TempDir();
        var all = File.ReadAllLines(dir.Blobs("all.csv", 240, 1));
        var train = dir.Write("train.csv", string.Join("\n", all[..151]) + "\n");
        var test = dir.Write("test.csv", string.Join("\n", [all[0], .. all[151..]]) + "\n");
        // The same rows with the two feature columns swapped in the file (names and values together).
        var swapped = dir.Write("swapped.csv", string.Concat(File.ReadAllLines(test).Select(l => l.Split(',') is var f ? $"{f[1]},{f[0]},{f[2]}\n" : "")));
        string[] common = ["train", "--data", train, "--epochs", "30", "--layers", "8", "--lr", "0.05", "--json"];
        var straight = TestAccuracy(NnCli.Run([.. common, "--out", dir.File("a.safetensors"), "--test-data", test]));
        var crossed = TestAccuracy(NnCli.Run([.. common, "--out", dir.File("b.safetensors"), "--test-data", swapped]));
        Assert.True(straight > 0.8, $"test accuracy {straight}");
        Assert.Equal(straight, crossed);
        var eval = NnCli.Run("eval", "--model", dir.File("b.safetensors"), "--data", swapped, "--json");
        Assert.Equal(straight, JsonNode.Parse(eval.Out)!["accuracy"]!.GetValue<double>());
    }

    [Fact]
    public void Test_data_with_other_column_names_is_refused_before_training()
    {
        using var dir = new TempDir();
        var train = dir.Blobs("train.csv", 60, 1);
        var test = dir.Write("test.csv", "p,q,class\n1,2,0\n3,4,1\n");
        Refused(NnCli.Run("train", "--data", train, "--test-data", test, "--epochs", "2", "--out", dir.File("m.safetensors")),
            "test.csv", "missing: a, b");
        Assert.Equal(["test.csv", "train.csv"], dir.Names());
    }

    [Fact]
    public void Columns_the_model_does_not_use_are_named_in_a_note_on_stderr()
    {
        using var dir = new TempDir();
        var train = dir.Blobs("train.csv", 90, 1);
        var extra = dir.Write("extra.csv", "id,a,b,class,comment\n" + string.Concat(File.ReadAllLines(train).Skip(1).Select((l, i) => $"{i},{l},x\n")));
        var model = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", train, "--test-data", extra, "--epochs", "3", "--out", model, "--quiet", "--validation-fraction", "0");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal($"nn: note: {extra}: columns 'id', 'comment' are not used by the model.", r.Err.Trim());
        var e = NnCli.Run("eval", "--model", model, "--data", extra);
        Assert.True(e.Code == 0, e.Err);
        Assert.Equal($"nn: note: {extra}: columns 'id', 'comment' are not used by the model.", e.Err.Trim());
        var plain = NnCli.Run("eval", "--model", model, "--data", train);
        Assert.Equal("", plain.Err);
        var p = NnCli.Run("predict", "--model", model, "--data", extra, "--out", dir.File("p.csv"));
        Assert.True(p.Code == 0, p.Err);
        Assert.EndsWith($"nn: note: {extra}: columns 'id', 'comment' are not used by the model.", p.Err.Trim());
    }

    // ---- resume: every setting that affects the bits ----

    [Theory]
    [InlineData("--batch-size", "16", "--batch-size 32, this run has 16")]
    [InlineData("--seed", "9", "--seed 5, this run has 9")]
    [InlineData("--patience", "3", "--patience 0, this run has 3")]
    [InlineData("--lr", "0.01", "--lr 0.05, this run has 0.01")]
    [InlineData("--layers", "8,4", "--layers 8,8, this run has 8,4")]
    [InlineData("--dropout", "0.1", "--dropout 0.2, this run has 0.1")]
    [InlineData("--init", "he", "--init auto, this run has he")]
    [InlineData("--epochs", "4", "has already completed 6 epochs; --epochs 4 is below that")]
    public void A_resume_with_a_different_setting_is_refused_naming_the_flag(string flag, string value, string expected)
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 120, 4, textLabels: false);
        var checkpoint = dir.File("run.ckpt");
        string[] Flags(string? f, string? v)
        {
            var args = new Dictionary<string, string>
            {
                ["--layers"] = "8,8", ["--dropout"] = "0.2", ["--seed"] = "5", ["--patience"] = "0", ["--lr"] = "0.05",
                ["--batch-size"] = "32", ["--validation-fraction"] = "0", ["--epochs"] = "6",
            };
            if (f is not null) args[f] = v!;
            return [.. args.SelectMany(p => new[] { p.Key, p.Value })];
        }
        Assert.Equal(0, NnCli.Run(["train", "--data", data, .. Flags(null, null), "--checkpoint", checkpoint, "--out", dir.File("half.safetensors"), "--quiet"]).Code);
        var before = File.ReadAllBytes(checkpoint);
        var resumed = dir.File("resumed.safetensors");
        Refused(NnCli.Run(["train", "--data", data, .. Flags(flag, value), "--resume", checkpoint, "--checkpoint", checkpoint, "--out", resumed]),
            $"{flag}: ", expected);
        Assert.False(File.Exists(resumed));
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        // The same flags (with --epochs grown) resume fine.
        var ok = NnCli.Run(["train", "--data", data, .. Flags("--epochs", "8"), "--resume", checkpoint, "--out", resumed, "--quiet"]);
        Assert.True(ok.Code == 0, ok.Err);
    }

    [Fact]
    public void A_resume_on_other_data_is_refused_naming_data()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 120, 4, textLabels: false);
        var other = dir.Moons("other.csv", 120, 5, textLabels: false);
        var checkpoint = dir.File("run.ckpt");
        string[] common = ["train", "--epochs", "3", "--layers", "4", "--patience", "0", "--quiet"];
        Assert.Equal(0, NnCli.Run([.. common, "--data", data, "--checkpoint", checkpoint, "--out", dir.File("a.safetensors")]).Code);
        Refused(NnCli.Run([.. common, "--data", other, "--resume", checkpoint, "--out", dir.File("b.safetensors")]), "--data: the data differs");
        Assert.False(File.Exists(dir.File("b.safetensors")));
    }

    [Fact]
    public void The_resumed_model_records_the_settings_that_produced_it()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 120, 4, textLabels: false);
        var checkpoint = dir.File("run.ckpt");
        string[] common = ["train", "--data", data, "--layers", "4", "--patience", "0", "--seed", "3", "--quiet"];
        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "3", "--checkpoint", checkpoint, "--out", dir.File("a.safetensors")]).Code);
        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "5", "--resume", checkpoint, "--out", dir.File("b.safetensors")]).Code);
        var settings = ModelFile.Load(dir.File("b.safetensors")).Info.Training.ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal("5", settings["epochs"]);
        Assert.Equal("3", settings["seed"]);
    }
}

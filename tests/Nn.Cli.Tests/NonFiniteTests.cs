using System.Text.Json;
using Nn;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>
/// Non-finite numbers end to end: every <c>--json</c> output writes NaN and ±∞ as <c>null</c> (never .NET's "cannot be
/// written as valid JSON" error), a diverged run exits 3 whatever the flags, and a model whose outputs are not finite makes
/// <c>nn eval</c> exit 3 naming the first such row, with nothing written.
/// </summary>
public class NonFiniteTests
{
    /// <summary>Plain SGD with a huge learning rate on standardised regression data: the loss overflows within a few epochs.</summary>
    private static readonly string[] Diverging = ["--optimizer", "sgd", "--lr", "3", "--layers", "8", "--batch-size", "full", "--validation-fraction", "0", "--epochs", "100", "--seed", "1"];

    [Fact]
    public void A_diverging_run_with_json_and_test_data_exits_3_with_nulls_for_the_metrics_that_overflow()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 100, 3);
        var model = dir.File("m.safetensors");
        var r = NnCli.Run(["train", "--data", data, "--test-data", data, "--out", model, "--json", .. Diverging]);
        Assert.Equal(CliApp.Diverged, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nn: training diverged at epoch ", line);
        using var json = JsonDocument.Parse(r.Out);
        var test = json.RootElement.GetProperty("test");
        Assert.Equal(JsonValueKind.Null, test.GetProperty("mse").ValueKind);
        Assert.Equal(JsonValueKind.Object, json.RootElement.GetProperty("diverged").ValueKind);
        Assert.True(File.Exists(model), "--on-nan stop writes the last finite epoch's model");
    }

    [Fact]
    public void Eval_json_writes_a_metric_that_overflows_as_null()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 100, 3);
        var model = dir.File("m.safetensors");
        Assert.Equal(CliApp.Diverged, NnCli.Run(["train", "--data", data, "--out", model, "--quiet", .. Diverging]).Code);
        var r = NnCli.Run("eval", "--model", model, "--data", data, "--json");
        Assert.Equal(0, r.Code);
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("mse").ValueKind);
        Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("mae").ValueKind);
    }

    /// <summary>Trains a small model, then multiplies every weight by <paramref name="factor"/> so that its outputs overflow.</summary>
    private static string Overflowing(TempDir dir, string data, string name, double factor)
    {
        var path = dir.File(name);
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--out", path, "--layers", "4", "--epochs", "2", "--quiet").Code);
        var m = ModelFile.Load(path);
        var huge = new Network(m.Network.Layers.Select(l => l.WithParameters(Matrix.Scale(factor, l.Weights), l.Bias)));
        ModelFile.Save(path, m with { Network = huge });
        return path;
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    public void Eval_of_a_model_whose_outputs_are_not_finite_exits_3_naming_the_first_row_and_writes_nothing(string format)
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 60, 2);
        var model = Overflowing(dir, data, "m.safetensors", 1e300);
        var report = dir.File("r.html");
        string[] args = ["eval", "--model", model, "--data", data, "--report", report];
        var r = NnCli.Run(format == "json" ? [.. args, "--json"] : args);
        Assert.True(r.Code == CliApp.Diverged, r.Err);
        Assert.Equal("", r.Out);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^nn: .*m\.safetensors: the model's output for data row \d+ of .*blobs\.csv is not finite \(NaN or infinite\); no metrics were written\.$", line);
        Assert.False(File.Exists(report));
    }

    [Fact]
    public void Train_whose_test_outputs_are_not_finite_exits_3_and_reports_the_row_instead_of_metrics()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 60, 3);
        // Test rows far outside the training range make a finite model's outputs overflow.
        var test = dir.Write("test.csv", "f1,f2,f3,y\n1,2,3,4\n1e308,1e308,1e308,5\n-1e308,1e308,-1e308,5\n");
        var model = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", data, "--test-data", test, "--out", model, "--layers", "4", "--epochs", "3", "--activation", "linear", "--json", "--validation-fraction", "0");
        Assert.Equal(CliApp.Diverged, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^nn: the model's output for data row [23] of .*test\.csv is not finite \(NaN or infinite\), so its test metrics are not numbers; the model was written to .*m\.safetensors\.$", line);
        using var json = JsonDocument.Parse(r.Out);
        var t = json.RootElement.GetProperty("test");
        Assert.Equal(line.Split("data row ")[1].Split(' ')[0], t.GetProperty("non_finite_row").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(t.TryGetProperty("mse", out _));
        Assert.True(File.Exists(model));
    }
}

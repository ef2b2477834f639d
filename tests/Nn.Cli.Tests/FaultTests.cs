using System.Globalization;
using System.Text;
using System.Text.Json;
using Nn;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>
/// Divergence and cancellation, in-process: a NaN or infinite loss stops training at the last completed epoch and exits 3;
/// Ctrl+C (a cancelled token) writes the model from the last completed epoch and exits 130. Neither leaves a non-finite
/// checkpoint behind.
/// </summary>
public class FaultTests
{
    /// <summary>Plain SGD with a huge learning rate on standardised regression data: the loss overflows within a few epochs.</summary>
    private static readonly string[] Diverging = ["--optimizer", "sgd", "--lr", "3", "--layers", "8", "--batch-size", "full", "--validation-fraction", "0", "--epochs", "100", "--seed", "1"];

    [Fact]
    public void A_diverging_run_stops_at_the_last_finite_epoch_writes_that_model_and_exits_3()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 100, 3);
        var model = dir.File("m.safetensors");
        var checkpoint = dir.File("run.ckpt");
        var r = NnCli.Run(["train", "--data", data, "--out", model, "--checkpoint", checkpoint, "--quiet", .. Diverging]);
        Assert.Equal(CliApp.Diverged, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^nn: training diverged at epoch (\d+), step 1 \(step \d+ overall\): the loss was (NaN|Infinity|-Infinity); the last finite loss was \S+; the model was written from epoch \d+ to .*m\.safetensors; .*run\.ckpt holds epoch \d+\.$", line);

        var saved = CheckpointFile.Load(checkpoint);
        var epoch = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"at epoch (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(epoch > 1, line);
        Assert.Equal(epoch - 1, saved.State.CompletedEpochs);
        Assert.True(Parameters.IsFinite(saved.State.Train.Parameters));
        Assert.True(Parameters.BitEquals(saved.State.Train.Parameters, ModelFile.Load(model).Network), "the model is the last completed epoch's");
        Assert.Contains($"written from epoch {epoch - 1} ", line);
    }

    [Fact]
    public void On_nan_error_writes_no_model_but_keeps_the_checkpoint_of_the_last_finite_epoch()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 100, 3);
        var model = dir.File("m.safetensors");
        var checkpoint = dir.File("run.ckpt");
        var r = NnCli.Run(["train", "--data", data, "--out", model, "--checkpoint", checkpoint, "--on-nan", "error", "--quiet", .. Diverging]);
        Assert.Equal(CliApp.Diverged, r.Code);
        Assert.Contains("no model was written (--on-nan error)", r.Err);
        Assert.False(File.Exists(model));
        Assert.True(Parameters.IsFinite(CheckpointFile.Load(checkpoint).State.Train.Parameters));
    }

    [Fact]
    public void Divergence_in_the_first_epoch_writes_nothing()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 100, 3);
        var model = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", data, "--out", model, "--optimizer", "sgd", "--lr", "1e6", "--validation-fraction", "0", "--epochs", "5");
        Assert.Equal(CliApp.Diverged, r.Code);
        Assert.Contains("training diverged at epoch 1", r.Err);
        Assert.Contains("no model was written (no epoch had completed)", r.Err);
        Assert.Equal(["lin.csv"], dir.Names());
    }

    [Fact]
    public void Json_output_reports_the_divergence()
    {
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 100, 3);
        var r = NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--json", .. Diverging]);
        Assert.Equal(CliApp.Diverged, r.Code);
        using var json = JsonDocument.Parse(r.Out);
        var d = json.RootElement.GetProperty("diverged");
        Assert.Equal(1, d.GetProperty("step").GetInt32());
        Assert.Equal(json.RootElement.GetProperty("epochs").GetInt32() + 1, d.GetProperty("epoch").GetInt32());
    }

    [Fact]
    public void Trainer_reports_where_it_diverged_and_returns_the_last_finite_epoch()
    {
        var data = Synthetic.LinearRegression(Key.FromSeed(1), 64, 3, 0.1).Data;
        var network = Init.Mlp(Key.FromSeed(2), [3, 8, 1], Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal);
        var config = TrainConfig.Of(Objective.Of(Losses.MeanSquaredError), Optimizers.Sgd(50));
        var result = Trainer.Fit(config, Training.Init(config, network, Key.FromSeed(3)), new TrainingData(data.X, Matrix.ColumnOf(data.Y)),
            TrainerOptions.Of(500, BatchPolicy.MiniBatch(16)), null, CancellationToken.None);
        var d = Assert.IsType<Divergence>(result.Diverged);
        Assert.Equal(d.Epoch - 1, result.History.Epochs.Length);
        Assert.True(d.Step is >= 1 and <= 4 && d.GlobalStep == 4L * (d.Epoch - 1) + d.Step, d.ToString());
        Assert.True(!double.IsFinite(d.Loss) || d.Loss == d.LastFiniteLoss, d.ToString());
        Assert.True(Parameters.IsFinite(result.State.Parameters));
        Assert.Equal(4L * (d.Epoch - 1), result.State.Step);
        Assert.False(result.Cancelled);
    }

    /// <summary>A stdout that cancels a token when it sees a line starting with <paramref name="trigger"/> (as Ctrl+C would then).</summary>
    private sealed class CancellingWriter(string trigger, CancellationTokenSource cts) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(trigger, StringComparison.Ordinal)) cts.Cancel();
        }
    }

    [Fact]
    public void Cancelling_writes_the_model_of_the_last_completed_epoch_and_exits_130()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 200, 1, textLabels: false);
        var model = dir.File("m.safetensors");
        var checkpoint = dir.File("run.ckpt");
        var three = dir.File("three.safetensors");
        string[] common = ["train", "--data", data, "--layers", "8", "--validation-fraction", "0", "--seed", "4"];
        using var cts = new CancellationTokenSource();
        var err = new StringWriter(CultureInfo.InvariantCulture);
        var code = CliApp.Run([.. common, "--epochs", "1000", "--checkpoint", checkpoint, "--out", model], CliConsole.Plain(new CancellingWriter("epoch 3/", cts), err), cts.Token);
        Assert.Equal(CliApp.Cancelled, code);
        Assert.Contains("cancelled; the model was written from epoch 3", err.ToString());
        Assert.Equal(3, CheckpointFile.Load(checkpoint).State.CompletedEpochs);

        Assert.Equal(0, NnCli.Run([.. common, "--epochs", "3", "--out", three, "--quiet"]).Code);
        Assert.True(Parameters.BitEquals(ModelFile.Load(three).Network, ModelFile.Load(model).Network), "the model holds epoch 3's parameters");
        Assert.True(Parameters.BitEquals(ModelFile.Load(three).Network, CheckpointFile.Load(checkpoint).State.Train.Parameters));
    }

    [Fact]
    public void Cancelling_before_the_first_epoch_completes_writes_nothing_and_exits_130()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 50, 1, textLabels: false);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var err = new StringWriter(CultureInfo.InvariantCulture);
        var code = CliApp.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--checkpoint", dir.File("c.ckpt")],
            CliConsole.Plain(new StringWriter(new StringBuilder(), CultureInfo.InvariantCulture), err), cts.Token);
        Assert.Equal(CliApp.Cancelled, code);
        Assert.Contains("cancelled before its first epoch completed; nothing was written", err.ToString());
        Assert.Equal(["moons.csv"], dir.Names());
    }
}

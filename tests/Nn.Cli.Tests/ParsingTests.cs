namespace Nn.Cli.Tests;

/// <summary>Argument parsing is testable without running anything.</summary>
public class ParsingTests
{
    [Fact]
    public void Train_flags_map_onto_settings_with_good_defaults()
    {
        var p = CliApp.Parse(["train", "--data", "d.csv", "--out", "m.safetensors"]);
        Assert.Empty(p.Errors);
        var s = TrainCommand.Settings(p);
        Assert.Equal("adam", s.Optimizer);
        Assert.Equal([64, 32], s.Layers.ToArray());
        Assert.Equal("standard", s.Scale);
        Assert.True(s.ValidationFraction > 0 && s.Patience > 0);
        Assert.Equal(32, s.BatchSize);
    }

    [Fact]
    public void Every_documented_train_flag_parses()
    {
        var p = CliApp.Parse(["train", "--data", "d.csv", "--labels", "y.npy", "--target", "t", "--test-data", "t.csv", "--layers", "32,16",
            "--activation", "leaky-relu", "--output", "softmax", "--loss", "cce", "--optimizer", "nesterov", "--lr", "0.1", "--epochs", "5",
            "--batch-size", "full", "--l2", "0.01", "--dropout", "0.2", "--init", "xavier", "--scale", "minmax", "--validation-fraction", "0.2",
            "--patience", "3", "--seed", "7", "--threads", "2", "--checkpoint", "c", "--resume", "r", "--out", "m", "--history", "h.csv",
            "--json", "--quiet", "--task", "classification", "--clip-norm", "1"]);
        Assert.Empty(p.Errors);
        var s = TrainCommand.Settings(p);
        Assert.Equal(0, s.BatchSize);
        Assert.Equal([32, 16], s.Layers.ToArray());
        Assert.IsType<Activation.LeakyRelu>(s.Activation);
        Assert.Equal(7, s.Seed);
        Assert.Equal("minmax", s.Scale);
        s.Validate();
    }

    [Theory]
    [InlineData("full", 0)]
    [InlineData("64", 64)]
    public void Batch_size_accepts_a_number_or_full(string text, int expected) => Assert.Equal(expected, TrainCommand.ParseBatchSize(text));

    [Fact]
    public void Each_command_exists()
    {
        foreach (var c in new[] { "train", "eval", "predict", "gradcheck", "explain", "demo" })
            Assert.Contains(CliApp.Build(CliConsole.Plain(TextWriter.Null, TextWriter.Null), CancellationToken.None).Subcommands, s => s.Name == c);
    }
}

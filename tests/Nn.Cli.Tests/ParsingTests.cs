namespace Nn.Cli.Tests;

/// <summary>Argument parsing is testable without running anything.</summary>
public class ParsingTests
{
    [Fact]
    public void Train_flags_map_onto_settings_with_good_defaults()
    {
        var p = CliApp.Parse(["train", "--data", "d.csv", "--out", "m.safetensors"]);
        Assert.Empty(p.Errors);
        var s = TrainCommand.Settings(p).Fit;
        // The defaults of nn train are the defaults of a fit from code: one table, typed.
        Assert.Equal(FitSettings.Default, s);
        Assert.Equal(Optimizers.Adam(0.001), s.Optimizer);
        Assert.Equal([64, 32], s.Layers.ToArray());
        Assert.Equal(Scalings.Standard, s.Scaling);
        Assert.True(s.ValidationFraction > 0 && s.Patience > 0);
        Assert.Equal(32, s.BatchSize);
        Assert.Null(s.Task);
        Assert.Null(s.Output);
        Assert.Null(s.Loss);
        Assert.Null(s.Init);
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
        var settings = TrainCommand.Settings(p);
        var s = settings.Fit;
        Assert.Equal(0, s.BatchSize);
        Assert.Equal([32, 16], s.Layers.ToArray());
        Assert.IsType<Activation.LeakyRelu>(s.Activation);
        Assert.Equal(7, s.Seed);
        Assert.Equal(Scalings.MinMax, s.Scaling);
        Assert.Equal(TaskKind.Classification, s.Task);
        Assert.Equal(Activations.Softmax, s.Output);
        Assert.Equal(Losses.CategoricalCrossEntropy, s.Loss);
        Assert.Equal(InitSchemes.XavierNormal, s.Init);
        Assert.Equal(2, s.Compute.MaxThreads);
        Assert.Equal(Optimizers.Chain(Optimizers.ClipByGlobalNorm(1), Optimizers.Nesterov(0.1, Optimizers.DefaultMomentum)), s.Optimizer);
        settings.Validate();
    }

    [Theory]
    [InlineData("--output", "tanh", "--output: expected auto, sigmoid, softmax or linear, got 'tanh'.")]
    [InlineData("--loss", "hinge", "--loss: expected auto, mse, bce or cce, got 'hinge'.")]
    [InlineData("--init", "orthogonal", "--init: expected auto, he, xavier, lecun or one of he-normal, he-uniform, xavier-normal, xavier-uniform, lecun-normal, lecun-uniform, got 'orthogonal'.")]
    public void Choice_flags_list_the_names_of_their_closed_sets(string flag, string value, string message)
    {
        var p = CliApp.Parse(["train", "--data", "d.csv", "--out", "m", flag, value]);
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => TrainCommand.Settings(p)).Message);
    }

    [Theory]
    [InlineData("he-uniform")]
    [InlineData("xavier-uniform")]
    [InlineData("lecun")]
    public void Init_takes_any_scheme_name(string name) =>
        TrainCommand.Settings(CliApp.Parse(["train", "--data", "d.csv", "--out", "m", "--init", name])).Validate();

    [Theory]
    [InlineData("full", 0)]
    [InlineData("64", 64)]
    public void Batch_size_accepts_a_number_or_full(string text, int expected) => Assert.Equal(expected, TrainCommand.ParseBatchSize(text));

    [Fact]
    public void Each_command_exists()
    {
        foreach (var c in new[] { "train", "eval", "predict", "gradcheck", "explain", "export", "info", "demo" })
            Assert.Contains(CliApp.Build(CliConsole.Plain(TextWriter.Null, TextWriter.Null), CancellationToken.None).Subcommands, s => s.Name == c);
    }
}

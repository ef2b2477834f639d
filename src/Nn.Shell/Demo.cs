using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>The outcome of the digits demo.</summary>
/// <param name="Model">The trained model (64 → 64 ReLU → 10 softmax, with its scaler and label map).</param>
/// <param name="History">Per-epoch training loss.</param>
/// <param name="TestCount">The number of test examples.</param>
/// <param name="Test">The metrics on the held-out split.</param>
/// <param name="TrainSeconds">Wall time of the training loop alone.</param>
public sealed record DemoResult(Model Model, History History, int TestCount, EvalReport Test, double TrainSeconds);

/// <summary>The main job on the bundled data: an MLP trained on the 8×8 handwritten digits, evaluated on the held-out split.</summary>
public static class Demo
{
    /// <summary>
    /// Trains 64 → 64 ReLU → 10 softmax with Adam (lr 0.003, batches of 32, 40 epochs, seed 42) on the training part of
    /// <paramref name="dataPath"/> (a CSV with pixel columns and a last <c>label</c> column) split by
    /// <paramref name="splitPath"/>, with features standardised on the training part; returns the model and test metrics.
    /// </summary>
    public static DemoResult Run(string dataPath, string splitPath, IProgress<EpochRecord>? progress, CancellationToken cancellationToken)
    {
        var data = DataSource.ForTraining(dataPath, null, null);
        var split = SplitFile.Read(splitPath);
        var outcome = TrainJob.Fit(Settings, data.WithRows(split.Train), progress is null ? null : Trainer.OnEpochState(s => progress.Report(s.History[^1])),
            cancellationToken);
        var model = outcome.Model with
        {
            Info = outcome.Model.Info with { Training = [.. outcome.Model.Info.Training, new("split", Path.GetFileName(splitPath))] },
        };
        return new DemoResult(model, outcome.Result.History, split.Test.Length, EvalJob.Evaluate(model, data.WithRows(split.Test)), outcome.TrainSeconds);
    }

    /// <summary>
    /// The demo's settings, given to the same fit as <c>nn train</c> and code: one hidden layer of 64 ReLU units (the output,
    /// loss and initialisation follow from the ten classes: softmax, cross-entropy, He), Adam at 0.003, batches of 32, 40
    /// epochs, seed 42, standardised features, no validation split (the split file holds the test rows out). Four border
    /// pixels are blank in every training image: like any constant column they are kept with scale 1 and enter as 0.
    /// </summary>
    public static FitSettings Settings { get; } = FitSettings.Default with
    {
        Task = TaskKind.Classification, Layers = [64], Optimizer = Optimizers.Adam(0.003), Epochs = 40, BatchSize = 32, Seed = 42,
        ValidationFraction = 0, Patience = 0,
    };

    /// <summary>
    /// Writes the test rows of <paramref name="dataPath"/> (a CSV without quoted line breaks, as the bundled digits are) named
    /// by <paramref name="splitPath"/> to <paramref name="path"/> atomically: the header, then those rows in split order, as
    /// they are in the file; <c>nn eval</c> on it scores exactly the demo's held-out digits.
    /// </summary>
    public static void WriteTestRows(string dataPath, string splitPath, string path)
    {
        var lines = File.ReadAllLines(dataPath);
        var split = SplitFile.Read(splitPath);
        var text = new System.Text.StringBuilder(lines[0]).Append('\n');
        foreach (var r in split.Test) text.Append(lines[r + 1]).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>The file <see cref="WriteTestRows"/> writes next to a demo model: <c>digits.safetensors</c> → <c>digits.test.csv</c>.</summary>
    public static string TestRowsPath(string modelPath) => Path.ChangeExtension(modelPath, null) + ".test.csv";
}

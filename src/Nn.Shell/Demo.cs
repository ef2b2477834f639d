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
        var outcome = TrainJob.Fit(Settings, Rows(data, split.Train), progress is null ? null : Trainer.OnEpochState(s => progress.Report(s.History[^1])),
            cancellationToken);
        var model = outcome.Model with
        {
            Info = outcome.Model.Info with { Training = [.. outcome.Model.Info.Training, new("split", Path.GetFileName(splitPath))] },
        };
        return new DemoResult(model, outcome.Result.History, split.Test.Length, EvalJob.Evaluate(model, Rows(data, split.Test)), outcome.TrainSeconds);
    }

    /// <summary>
    /// The demo's settings, given to the same fit as <c>nn train</c> and code: one hidden layer of 64 ReLU units (the output,
    /// loss and initialisation follow from the ten classes: softmax, cross-entropy, He), Adam at 0.003, batches of 32, 40
    /// epochs, seed 42, standardised features, no validation split (the split file holds the test rows out). Four border
    /// pixels are blank in every training image: they are scaled to 0 (<see cref="FitSettings.AllowConstant"/>).
    /// </summary>
    public static FitSettings Settings { get; } = FitSettings.Default with
    {
        Task = TaskKind.Classification, Layers = [64], Optimizer = Optimizers.Adam(0.003), Epochs = 40, BatchSize = 32, Seed = 42,
        ValidationFraction = 0, Patience = 0, AllowConstant = true,
    };

    private static LoadedData Rows(LoadedData data, ImmutableArray<int> rows) => data with
    {
        Features = data.Features.SelectRows(rows),
        TargetCells = [.. rows.Select(i => data.TargetCells[i])],
        TargetLines = data.TargetLines.IsDefaultOrEmpty ? [] : [.. rows.Select(i => data.TargetLines[i])],
    };
}

using System.Collections.Immutable;
using System.Diagnostics;

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
        var target = TargetEncoding.Encode(data.TargetCells, TaskKind.Classification);
        var classes = target.Labels.Length;

        var scaler = StandardScaler.Fit(data.Features.SelectRows(split.Train));
        var x = StandardScaler.Transform(scaler, data.Features);
        var y = Labels.OneHot(target.ClassIndices, classes);

        var key = Key.FromSeed(42);
        Activation hidden = Activations.Relu, output = Activations.Softmax;
        var loss = Losses.CategoricalCrossEntropy;
        var network = Init.Mlp(Prng.Fold(key, 0), [data.Features.Cols, 64, classes], hidden, output, InitSchemes.HeNormal);
        var config = TrainConfig.Of(Objective.Of(loss), Optimizers.Adam(0.003));
        var clock = Stopwatch.StartNew();
        var result = Trainer.Fit(config, Training.Init(config, network, Prng.Fold(key, 1)), new TrainingData(x.SelectRows(split.Train), y.SelectRows(split.Train)),
            TrainerOptions.Of(40, BatchPolicy.MiniBatch(32)), progress, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;

        ImmutableArray<Setting> settings =
        [
            new("task", "classification"), new("layers", "64"), new("activation", hidden.Name), new("output", output.Name), new("loss", loss.Name),
            new("optimizer", "adam"), new("lr", "0.003"), new("epochs", "40"), new("batch_size", "32"), new("scale", "standard"),
            new("split", Path.GetFileName(splitPath)), new("seed", "42"),
        ];
        var info = new ModelInfo(TaskKind.Classification, data.FeatureNames, data.TargetName, target.Labels, loss,
            new FeatureScaling("standard", scaler.Means, scaler.StdDevs), null, settings, data.Sha256);
        var model = new Model(result.State.Parameters, info);
        var test = data with { Features = data.Features.SelectRows(split.Test), TargetCells = [.. split.Test.Select(i => data.TargetCells[i])] };
        return new DemoResult(model, result.History, split.Test.Length, EvalJob.Evaluate(model, test), seconds);
    }
}

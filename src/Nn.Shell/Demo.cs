using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>The outcome of the digits demo: the test metrics and the training history.</summary>
/// <param name="Network">The trained network (64 → 64 ReLU → 10 softmax).</param>
/// <param name="History">Per-epoch training loss.</param>
/// <param name="TestCount">The number of test examples.</param>
/// <param name="Report">Precision, recall and F1 per class and averaged, on the test split.</param>
/// <param name="Confusion">The test confusion matrix (rows: true digit, columns: predicted).</param>
/// <param name="Top2Accuracy">The fraction of test digits among the two most probable classes.</param>
/// <param name="Calibration">Expected calibration error with 10 bins, and its table.</param>
/// <param name="LogLoss">Mean negative log-likelihood of the true digit.</param>
/// <param name="TrainSeconds">Wall time of the training loop alone.</param>
public sealed record DemoResult(Network Network, History History, int TestCount, ClassificationReport Report, ConfusionMatrix Confusion,
    double Top2Accuracy, CalibrationReport Calibration, double LogLoss, double TrainSeconds);

/// <summary>The main job on the bundled data: an MLP trained on the 8×8 handwritten digits, evaluated on the held-out split.</summary>
public static class Demo
{
    /// <summary>
    /// Trains 64 → 64 ReLU → 10 softmax with Adam (lr 0.003, batches of 32, 40 epochs, key 42) on the training part of
    /// <paramref name="dataPath"/> (a CSV with 64 pixel columns and a last <c>label</c> column) split by
    /// <paramref name="splitPath"/>, with features standardised on the training part; returns the test metrics.
    /// </summary>
    public static DemoResult Run(string dataPath, string splitPath, IProgress<EpochRecord>? progress, CancellationToken cancellationToken)
    {
        var table = NumericCsv.Read(dataPath);
        var split = SplitFile.Read(splitPath);
        var features = table.Columns.Length - 1;
        var all = Matrix.Init(table.Values.Rows, features, (r, c) => table.Values[r, c]);
        var labels = Enumerable.Range(0, table.Values.Rows).Select(r => (int)table.Values[r, features]).ToImmutableArray();
        const int classes = 10;

        var scaler = StandardScaler.Fit(all.SelectRows(split.Train));
        var xTrain = StandardScaler.Transform(scaler, all.SelectRows(split.Train));
        var xTest = StandardScaler.Transform(scaler, all.SelectRows(split.Test));
        var yTrain = Labels.OneHot(Labels.Select(labels, split.Train), classes);
        var yTest = Labels.Select(labels, split.Test);

        var key = Key.FromSeed(42);
        var network = Init.Mlp(Prng.Fold(key, 0), [features, 64, classes], Activations.Relu, Activations.Softmax, InitScheme.HeNormal);
        var config = TrainConfig.Of(Objective.Of(Loss.CategoricalCrossEntropy), Optimizers.Adam(0.003));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Trainer.Fit(config, Training.Init(config, network, Prng.Fold(key, 1)), new TrainingData(xTrain, yTrain),
            TrainerOptions.Of(40, BatchPolicy.MiniBatch(32)), progress, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;

        var probabilities = Forward.Predict(result.State.Parameters, xTest);
        var predicted = Labels.ArgMax(probabilities);
        var confusion = Classification.Confusion(yTest, predicted, classes);
        return new DemoResult(result.State.Parameters, result.History, yTest.Length, Classification.Report(confusion), confusion,
            Classification.TopKAccuracy(probabilities, yTest, 2), Calibration.ExpectedCalibrationError(probabilities, yTest, 10),
            Classification.LogLoss(probabilities, yTest), seconds);
    }
}

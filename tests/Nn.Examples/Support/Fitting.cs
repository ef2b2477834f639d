using System.Collections.Immutable;
using Nn.Shell;

namespace Nn.Examples.Support;

/// <summary>The few lines every example shares: train with the shell's loop, predict classes.</summary>
public static class Fitting
{
    /// <summary>Trains <paramref name="network"/> with <see cref="Trainer.Fit"/>: no validation, no early stopping.</summary>
    public static TrainResult Fit(TrainConfig config, Network network, Key key, Matrix x, Matrix y, int epochs, BatchPolicy batches) =>
        Trainer.Fit(config, Training.Init(config, network, key), new TrainingData(x, y), TrainerOptions.Of(epochs, batches), null, CancellationToken.None);

    /// <summary>A single 0/1 target column (m × 1) for a sigmoid output.</summary>
    public static Matrix BinaryTargets(IReadOnlyList<int> labels) => Matrix.Init(labels.Count, 1, (r, _) => labels[r]);

    /// <summary>The class of each row of a sigmoid output (m × 1): 1 where p ≥ 0.5.</summary>
    public static ImmutableArray<int> Threshold(Matrix probabilities) =>
        [.. probabilities.Column(0).ToArray().Select(p => p >= 0.5 ? 1 : 0)];
}

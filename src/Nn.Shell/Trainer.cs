using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>One epoch of training, as reported to progress callbacks and kept in the history.</summary>
/// <param name="Epoch">The 1-based epoch number.</param>
/// <param name="TrainLoss">The mean objective over the epoch's batches, weighted by batch size.</param>
/// <param name="Validation">The validation summary after the epoch, or null without validation data.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, EvaluationSummary? Validation);

/// <summary>The per-epoch history of a training run.</summary>
/// <param name="Epochs">One record per completed epoch, in order.</param>
/// <param name="BestEpoch">The 1-based epoch with the lowest validation loss (or training loss without validation).</param>
public sealed record History(ImmutableArray<EpochRecord> Epochs, int BestEpoch)
{
    /// <summary>Sequence equality of the epochs.</summary>
    public bool Equals(History? other) => other is not null && BestEpoch == other.BestEpoch && Epochs.SequenceEqual(other.Epochs);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Epochs.Length, BestEpoch);
}

/// <summary>How the shell drives the pure training steps.</summary>
/// <param name="Epochs">The number of epochs (≥ 1).</param>
/// <param name="Batches">How each epoch is cut into batches.</param>
/// <param name="Validation">Optional validation data (X, Y), evaluated after every epoch.</param>
/// <param name="Patience">Stop after this many epochs without a better validation loss; 0 = never stop early.</param>
/// <param name="RestoreBest">Return the parameters of the best epoch instead of the last one.</param>
public sealed record TrainerOptions(int Epochs, BatchPolicy Batches, TrainingData? Validation, int Patience, bool RestoreBest)
{
    /// <summary>Plain training: <paramref name="epochs"/> epochs of <paramref name="batches"/>, no validation, no early stopping.</summary>
    public static TrainerOptions Of(int epochs, BatchPolicy batches) => new(epochs, batches, null, 0, false);

    /// <summary>A copy with validation data and early stopping (patience 0 = none) restoring the best weights.</summary>
    public TrainerOptions WithValidation(TrainingData validation, int patience) => this with { Validation = validation, Patience = patience, RestoreBest = true };

    /// <summary>A copy with another number of epochs.</summary>
    public TrainerOptions WithEpochs(int epochs) => this with { Epochs = epochs };

    /// <summary>A copy with another batch policy.</summary>
    public TrainerOptions WithBatches(BatchPolicy batches) => this with { Batches = batches };
}

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="State">The final training state (its Parameters are the best epoch's when RestoreBest was set).</param>
/// <param name="History">The per-epoch history.</param>
/// <param name="Cancelled">True when cancellation stopped the run before its last epoch.</param>
/// <param name="StoppedEarly">True when early stopping ended the run.</param>
public sealed record TrainResult(TrainState State, History History, bool Cancelled, bool StoppedEarly);

/// <summary>
/// The imperative training loop over the pure core. Its only mutable variable is the training state:
/// <c>state = Training.Step(config, state, xBatch, yBatch)</c>.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// A progress sink for <see cref="Fit"/> that calls <paramref name="onEpoch"/> synchronously on the training thread,
    /// right after each epoch and before the next one starts. Prefer it to <see cref="Progress{T}"/>, which posts each
    /// report to the captured synchronization context or the thread pool, so its callbacks may run late, concurrently,
    /// or after <see cref="Fit"/> has returned. From F#: <c>Trainer.OnEpoch(fun r -> printfn "%d %g" r.Epoch r.TrainLoss)</c>.
    /// </summary>
    public static IProgress<EpochRecord> OnEpoch(Action<EpochRecord> onEpoch)
    {
        ArgumentNullException.ThrowIfNull(onEpoch);
        return new SynchronousProgress(onEpoch);
    }

    /// <summary>
    /// Trains for <c>options.Epochs</c> epochs on X (m × inputs), Y (m × outputs), reporting each epoch to
    /// <paramref name="progress"/> (may be null; <see cref="OnEpoch"/> makes a synchronous one from a callback).
    /// Cancellation is checked between steps; a cancelled run returns
    /// what it has (never a half-applied step).
    /// </summary>
    public static TrainResult Fit(TrainConfig config, TrainState initial, TrainingData train, TrainerOptions options,
        IProgress<EpochRecord>? progress, CancellationToken cancellationToken)
    {
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be >= 1.");
        var state = initial;
        var records = ImmutableArray.CreateBuilder<EpochRecord>(options.Epochs);
        var best = (Epoch: 0, Loss: double.PositiveInfinity, Params: initial.Parameters);
        var cancelled = false;
        var stoppedEarly = false;
        var shuffleKey = Training.ShuffleKey(initial);
        for (var epoch = 1; epoch <= options.Epochs && !cancelled; epoch++)
        {
            double lossSum = 0;
            var seen = 0;
            foreach (var batch in Batches.ForEpoch(shuffleKey, epoch - 1, train.X.Rows, options.Batches))
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                state = Training.Step(config, state, train.X.SelectRows(batch), train.Y.SelectRows(batch));
                lossSum += state.LastLoss * batch.Length;
                seen += batch.Length;
            }
            if (cancelled) break;
            var validation = options.Validation is { } v ? Evaluation.Summarize(state.Parameters, v.X, v.Y, config.Objective) : null;
            var record = new EpochRecord(epoch, seen == 0 ? double.NaN : lossSum / seen, validation);
            records.Add(record);
            progress?.Report(record);

            var score = validation?.Loss ?? record.TrainLoss;
            if (score < best.Loss) best = (epoch, score, state.Parameters);
            if (options.Patience > 0 && options.Validation is not null && epoch - best.Epoch >= options.Patience)
            {
                stoppedEarly = true;
                break;
            }
        }
        if (options.RestoreBest && best.Epoch > 0) state = state with { Parameters = best.Params };
        return new TrainResult(state, new History(records.ToImmutable(), best.Epoch), cancelled, stoppedEarly);
    }

    private sealed class SynchronousProgress(Action<EpochRecord> onEpoch) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => onEpoch(value);
    }
}

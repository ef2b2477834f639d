using System.Collections.Immutable;
using System.Globalization;
using System.Text;

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
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The history as CSV: <c>epoch,train_loss,val_loss,val_accuracy,val_r2</c>, one row per epoch, numbers in round-trip form.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("epoch,train_loss,val_loss,val_accuracy,val_r2\n");
        foreach (var e in Epochs)
        {
            var accuracy = (e.Validation as EvaluationSummary.Classification)?.Accuracy;
            var r2 = (e.Validation as EvaluationSummary.Regression)?.R2;
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.TrainLoss:R},{e.Validation?.Loss:R},{accuracy:R},{r2:R}\n");
        }
        return sb.ToString();
    }

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
    /// <summary>Threads for the kernels (speed only: the bits are the same for any value); one by default.</summary>
    public ComputeOptions Compute { get; init; } = ComputeOptions.Default;

    /// <summary>Early stopping may stop only after this many epochs (0 = as soon as the patience runs out).</summary>
    public int MinEpochs { get; init; }

    /// <summary>A copy with other compute options.</summary>
    public TrainerOptions WithCompute(ComputeOptions compute) => this with { Compute = compute };

    /// <summary>Plain training: <paramref name="epochs"/> epochs of <paramref name="batches"/>, no validation, no early stopping.</summary>
    public static TrainerOptions Of(int epochs, BatchPolicy batches) => new(epochs, batches, null, 0, false);

    /// <summary>A copy with validation data and early stopping (patience 0 = none) restoring the best weights.</summary>
    public TrainerOptions WithValidation(TrainingData validation, int patience) => this with { Validation = validation, Patience = patience, RestoreBest = true };

    /// <summary>A copy with another number of epochs.</summary>
    public TrainerOptions WithEpochs(int epochs) => this with { Epochs = epochs };
}

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="State">The final training state (its Parameters are the best epoch's when RestoreBest was set).</param>
/// <param name="History">The per-epoch history.</param>
/// <param name="Cancelled">True when cancellation stopped the run before its last epoch.</param>
/// <param name="StoppedEarly">True when early stopping ended the run.</param>
/// <param name="Final">The resumable state at the end of the last completed epoch (for checkpoints).</param>
public sealed record TrainResult(TrainState State, History History, bool Cancelled, bool StoppedEarly, TrainerState Final)
{
    /// <summary>Set when a step produced a NaN or infinite loss or parameter; the run stopped at the last completed epoch.</summary>
    public Divergence? Diverged { get; init; }
}

/// <summary>Where training diverged: the first step whose loss or updated parameters were not finite.</summary>
/// <param name="Epoch">The 1-based epoch of that step (its partial epoch was discarded).</param>
/// <param name="Step">The 1-based step within that epoch.</param>
/// <param name="GlobalStep">The 1-based step counted over the whole run.</param>
/// <param name="Loss">That step's batch loss: NaN or ±∞, or finite when only the update (a gradient) was not.</param>
/// <param name="LastFiniteLoss">The last finite batch loss before it (NaN when there was none).</param>
public sealed record Divergence(int Epoch, int Step, long GlobalStep, double Loss, double LastFiniteLoss)
{
    /// <summary>One line, e.g. "training diverged at epoch 3, step 7 (step 57 overall): the loss was NaN; the last finite loss was 1.2E+08".</summary>
    public override string ToString()
    {
        var what = double.IsFinite(Loss) ? "a gradient or update was NaN or infinite" : FormattableString.Invariant($"the loss was {Loss}");
        return FormattableString.Invariant($"training diverged at epoch {Epoch}, step {Step} (step {GlobalStep} overall): {what}; the last finite loss was {LastFiniteLoss:G6}");
    }
}

/// <summary>
/// Everything needed to continue a training run exactly where it stopped, at an epoch boundary.
/// </summary>
/// <param name="Train">The pure training state (parameters, optimizer state, step count, key).</param>
/// <param name="CompletedEpochs">How many epochs are done.</param>
/// <param name="History">One record per completed epoch.</param>
/// <param name="BestEpoch">The epoch with the lowest validation (or training) loss so far; 0 before the first.</param>
/// <param name="BestScore">That loss (+∞ before the first epoch).</param>
/// <param name="BestParameters">The parameters at the end of the best epoch.</param>
public sealed record TrainerState(TrainState Train, int CompletedEpochs, ImmutableArray<EpochRecord> History, int BestEpoch, double BestScore, Network BestParameters)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The state before the first epoch.</summary>
    public static TrainerState Start(TrainState initial) =>
        new(initial, 0, [], 0, double.PositiveInfinity, initial.Parameters);

    /// <summary>Value equality, with the history compared element by element.</summary>
    public bool Equals(TrainerState? other) =>
        other is not null && Train == other.Train && CompletedEpochs == other.CompletedEpochs && History.SequenceEqual(other.History)
        && BestEpoch == other.BestEpoch && BestScore.Equals(other.BestScore) && BestParameters == other.BestParameters;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Train, CompletedEpochs, History.Length, BestEpoch);
}

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
        return new SynchronousProgress<EpochRecord>(onEpoch);
    }

    /// <summary>
    /// Trains for <c>options.Epochs</c> epochs on X (m × inputs), Y (m × outputs) (weighting the rows, and the validation
    /// loss early stopping watches, by their <see cref="TrainingData.Weights"/> when the data has them), reporting each epoch to
    /// <paramref name="progress"/> (may be null; <see cref="OnEpoch"/> makes a synchronous one from a callback).
    /// Cancellation is checked between steps; a cancelled run returns the state of its last completed epoch.
    /// </summary>
    public static TrainResult Fit(TrainConfig config, TrainState initial, TrainingData train, TrainerOptions options,
        IProgress<EpochRecord>? progress, CancellationToken cancellationToken) =>
        Run(config, TrainerState.Start(initial), train, options,
            progress is null ? null : new SynchronousProgress<TrainerState>(s => progress.Report(s.History[^1])), cancellationToken);

    /// <summary>
    /// Continues training from <paramref name="start"/> (a fresh <see cref="TrainerState.Start"/> or a restored checkpoint)
    /// until <c>options.Epochs</c> epochs are complete in total, reporting the resumable state after every epoch.
    /// Epoch e visits its examples in the order <c>Batches.ForEpoch(Training.ShuffleKey(state), e − 1, m, policy)</c>,
    /// so resuming from an epoch boundary continues bit-identically. Early stopping ends the run once <c>Patience</c> epochs
    /// pass without a better validation loss, but never before epoch <c>MinEpochs</c>. A cancelled run discards its partial epoch and
    /// returns the state of its last completed epoch. So does a diverged one: after every step the loss and the updated
    /// parameters are checked, and the first NaN or infinity stops the run with <see cref="TrainResult.Diverged"/> set
    /// (the non-finite state is never reported to <paramref name="progress"/>, so no checkpoint of it is written).
    /// </summary>
    public static TrainResult Run(TrainConfig config, TrainerState start, TrainingData train, TrainerOptions options,
        IProgress<TrainerState>? progress, CancellationToken cancellationToken)
    {
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be >= 1.");
        var current = start;
        var cancelled = false;
        Divergence? diverged = null;
        var lastFinite = double.IsFinite(start.Train.LastLoss) ? start.Train.LastLoss : double.NaN;
        var stoppedEarly = options.Patience > 0 && options.Validation is not null && start.CompletedEpochs - start.BestEpoch >= options.Patience
            && start.CompletedEpochs >= options.MinEpochs && start.CompletedEpochs < options.Epochs;
        var shuffleKey = Training.ShuffleKey(start.Train);
        for (var epoch = start.CompletedEpochs + 1; epoch <= options.Epochs && !stoppedEarly; epoch++)
        {
            if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
            double lossSum = 0;
            var seen = 0;
            var step = 0;
            var e = epoch;
            var batches = Batches.ForEpoch(shuffleKey, epoch - 1, train.X.Rows, options.Batches);
            // The core's fold updates its own copy of the parameters in place; this loop sees only each step's report.
            var state = Training.WeightedSteps(config, current.Train, train, batches, r =>
            {
                step++;
                if (!r.Finite)
                {
                    diverged = new Divergence(e, step, r.Step, r.Loss, double.IsFinite(r.Loss) ? r.Loss : lastFinite);
                    return false;
                }
                lastFinite = r.Loss;
                lossSum += r.Loss * r.Examples;
                seen += r.Examples;
                // Checked before every further step, as between steps of the epoch (after its last one, before the next epoch).
                cancelled = step < batches.Length && cancellationToken.IsCancellationRequested;
                return !cancelled;
            }, options.Compute);
            if (cancelled || diverged is not null) break;
            var validation = options.Validation is { } v ? Evaluation.SummarizeWeighted(state.Parameters, v, config.Objective, options.Compute) : null;
            var record = new EpochRecord(epoch, seen == 0 ? double.NaN : lossSum / seen, validation);
            var score = validation?.Loss ?? record.TrainLoss;
            var better = score < current.BestScore;
            current = new TrainerState(state, epoch, current.History.Add(record),
                better ? epoch : current.BestEpoch, better ? score : current.BestScore, better ? state.Parameters : current.BestParameters);
            progress?.Report(current);
            stoppedEarly = options.Patience > 0 && options.Validation is not null && epoch - current.BestEpoch >= options.Patience
                && epoch >= options.MinEpochs && epoch < options.Epochs;
        }
        var final = options.RestoreBest && current.BestEpoch > 0 ? current.Train.WithParameters(current.BestParameters) : current.Train;
        return new TrainResult(final, new History(current.History, current.BestEpoch), cancelled, stoppedEarly, current) { Diverged = diverged };
    }

    /// <summary>As <see cref="OnEpoch"/>, for <see cref="Run"/>: <paramref name="onEpoch"/> gets the resumable state after each epoch.</summary>
    public static IProgress<TrainerState> OnEpochState(Action<TrainerState> onEpoch)
    {
        ArgumentNullException.ThrowIfNull(onEpoch);
        return new SynchronousProgress<TrainerState>(onEpoch);
    }

    private sealed class SynchronousProgress<T>(Action<T> onEpoch) : IProgress<T>
    {
        public void Report(T value) => onEpoch(value);
    }
}

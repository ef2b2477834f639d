using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>A plan line and the typed settings its arguments parse to (by <c>nn train</c>'s own parser).</summary>
/// <param name="Run">The plan line.</param>
/// <param name="Settings">Its training settings; <see cref="TrainSettings.OutPath"/> is the run's <see cref="SweepRun.ModelPath"/>.</param>
public sealed record SweepWork(SweepRun Run, TrainSettings Settings);

/// <summary>What became of one run of <see cref="SweepJob.Run"/>. Match on the cases.</summary>
public abstract record SweepRunOutcome
{
    private SweepRunOutcome(SweepRun run) => Run = run;

    /// <summary>The plan line.</summary>
    public SweepRun Run { get; }

    /// <summary>Its folder already held a result: nothing was done (resume).</summary>
    /// <param name="Run">The plan line.</param>
    public sealed record Skipped(SweepRun Run) : SweepRunOutcome(Run);

    /// <summary>Trained now; the model and the result file are written.</summary>
    /// <param name="Run">The plan line.</param>
    /// <param name="Seconds">The training loop's wall time.</param>
    public sealed record Finished(SweepRun Run, double Seconds) : SweepRunOutcome(Run);

    /// <summary>Training failed (the message says why); no result file was written, so the next run of the plan tries again.</summary>
    /// <param name="Run">The plan line.</param>
    /// <param name="Message">One line.</param>
    public sealed record Failed(SweepRun Run, string Message) : SweepRunOutcome(Run);
}

/// <summary>
/// Runs sweep plan lines with the training job itself (<see cref="TrainJob.Run(TrainSettings, IProgress{TrainerState}?, CancellationToken)"/>),
/// on N worker tasks. A run's bytes depend only on its settings, so they are the same whether run alone (a cluster's
/// <c>--index</c>), in any order, or with any number of workers.
/// </summary>
public static class SweepJob
{
    /// <summary>True when the run's folder holds its result file (the run finished).</summary>
    public static bool IsFinished(SweepRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return File.Exists(run.ResultPath);
    }

    /// <summary>
    /// Checks each run as <c>nn train</c> would before training (its settings, its data and the plan decided from them:
    /// task, output, loss, splits, memory), reading each data file once; refuses the first bad run, its message prefixed
    /// with <c>--grid</c> and its grid point.
    /// </summary>
    /// <exception cref="ArgumentException">For a run whose settings cannot train on its data.</exception>
    /// <exception cref="DataFileException">For unreadable data.</exception>
    public static void Check(IReadOnlyList<SweepWork> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var data = new Dictionary<(string, string?, string?), LoadedData>();
        foreach (var w in work)
        {
            var s = w.Settings;
            try
            {
                s.Validate();
                var key = (s.DataPath, s.LabelsPath, s.Target);
                if (!data.TryGetValue(key, out var loaded)) data[key] = loaded = DataSource.ForTraining(s.DataPath, s.LabelsPath, s.Target);
                _ = TrainJob.Plan(s.Fit, loaded, s.CheckpointPath is not null);
            }
            catch (ArgumentException e) when (!w.Run.Grid.IsEmpty)
            {
                throw new ArgumentException($"--grid {w.Run.GridText}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// Runs every line that has not finished, <paramref name="workers"/> at a time (each run on one task, in index order of
    /// start), telling <paramref name="done"/> (from any task, one call at a time) as each ends; returns the outcomes in
    /// index order. A failed run does not stop the others; cancellation stops starting new ones.
    /// </summary>
    /// <exception cref="ArgumentException">When workers &lt; 1 (names --workers).</exception>
    public static ImmutableArray<SweepRunOutcome> Run(IReadOnlyList<SweepWork> work, int workers, Action<SweepRunOutcome>? done, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (workers < 1) throw new ArgumentException($"--workers: expected at least 1, got {workers}.");
        var outcomes = new SweepRunOutcome?[work.Count];
        var next = -1;
        var gate = new object();
        void Worker()
        {
            for (var i = Interlocked.Increment(ref next); i < work.Count && !cancellationToken.IsCancellationRequested; i = Interlocked.Increment(ref next))
            {
                var outcome = RunOne(work[i], cancellationToken);
                outcomes[i] = outcome;
                lock (gate) done?.Invoke(outcome);
            }
        }
        var tasks = Enumerable.Range(0, Math.Min(workers, Math.Max(1, work.Count))).Select(_ => Task.Factory.StartNew(Worker, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Task.WaitAll(tasks, CancellationToken.None);
        if (cancellationToken.IsCancellationRequested)
            throw new OperationCanceledException($"cancelled; {outcomes.Count(o => o is SweepRunOutcome.Finished)} runs finished now and keep their results; run the same command again to resume.", cancellationToken);
        return [.. outcomes.Select(o => o!)];
    }

    private static SweepRunOutcome RunOne(SweepWork work, CancellationToken cancellationToken)
    {
        var run = work.Run;
        if (IsFinished(run)) return new SweepRunOutcome.Skipped(run);
        try
        {
            Directory.CreateDirectory(run.Folder);
            var outcome = TrainJob.Run(work.Settings, null, null, cancellationToken);
            if (outcome.Result.Cancelled) return new SweepRunOutcome.Failed(run, "cancelled");
            AtomicFile.WriteAllText(run.ResultPath, ResultJson(run, outcome));
            return new SweepRunOutcome.Finished(run, outcome.TrainSeconds);
        }
        catch (OperationCanceledException) { return new SweepRunOutcome.Failed(run, "cancelled"); }
        catch (Exception e) when (e is DataFileException or ModelFileException or ArgumentException or IOException or UnauthorizedAccessException or TrainingDivergedException)
        {
            return new SweepRunOutcome.Failed(run, e.Message.ReplaceLineEndings(" "));
        }
    }

    /// <summary>
    /// A finished run's metrics: <c>epochs</c>, <c>best_epoch</c> (the epoch the model holds), <c>train_loss</c> at that
    /// epoch, <c>val_loss</c> and <c>val_accuracy</c> or <c>val_r2</c> at that epoch (with a validation split), and the
    /// test metrics as <c>test_accuracy</c>, … (with <c>--test-fraction</c> or <c>--test-data</c>).
    /// </summary>
    public static ImmutableArray<MetricValue> Metrics(TrainOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var h = outcome.Result.History;
        var list = new List<MetricValue> { new("epochs", h.Epochs.Length), new("best_epoch", outcome.ModelEpoch) };
        var at = h.Epochs.FirstOrDefault(e => e.Epoch == outcome.ModelEpoch) ?? (h.Epochs.IsEmpty ? null : h.Epochs[^1]);
        if (at is not null)
        {
            list.Add(new("train_loss", at.TrainLoss));
            if (at.Validation is { } v) list.Add(new("val_loss", v.Loss));
            if (at.Validation is EvaluationSummary.Classification c) list.Add(new("val_accuracy", c.Accuracy));
            if (at.Validation is EvaluationSummary.Regression r) list.Add(new("val_r2", r.R2));
        }
        if (outcome.Test is { } test) list.AddRange(MetricValues.Of(test, "test_"));
        return [.. list];
    }

    /// <summary>The result file: <c>index, seed, grid, metrics</c> (<see cref="Metrics"/>) and <c>train</c> (<c>nn train --json</c>'s object).</summary>
    internal static string ResultJson(SweepRun run, TrainOutcome outcome)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("index", run.Index);
            w.WriteNumber("seed", run.Seed);
            w.WriteStartObject("grid");
            foreach (var g in run.Grid) w.WriteString(g.Key, g.Value);
            w.WriteEndObject();
            w.WriteStartObject("metrics");
            foreach (var m in Metrics(outcome)) JsonNumber.Write(w, m.Name, m.Value);
            w.WriteEndObject();
            w.WritePropertyName("train");
            w.WriteRawValue(outcome.ToJson());
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

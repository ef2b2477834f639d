using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>One fold of a cross-validation: the model trained on the other folds, scored on this one.</summary>
/// <param name="Fold">The fold's number, 1 … K.</param>
/// <param name="TrainRows">The rows the fit was given (the other folds; the fit may hold some out for validation).</param>
/// <param name="TestRows">The rows of this fold, scored after training.</param>
/// <param name="Epochs">The epochs the fit ran.</param>
/// <param name="BestEpoch">The epoch whose parameters the model holds.</param>
/// <param name="ParametersSha256">The model parameters' SHA-256.</param>
/// <param name="Test">The metrics on this fold's rows.</param>
/// <param name="ModelPath">Where the fold's model was written, or null.</param>
public sealed record CvFoldResult(int Fold, int TrainRows, int TestRows, int Epochs, int BestEpoch, string ParametersSha256, EvalReport Test, string? ModelPath)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's type names).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The fold's scalar test metrics (<see cref="MetricValues.Of"/>).</summary>
    public ImmutableArray<MetricValue> Metrics => MetricValues.Of(Test);
}

/// <summary>What <c>nn cv</c> found: the folds, each fold's result and every metric's mean ± sample standard deviation.</summary>
/// <param name="DataPath">The data file.</param>
/// <param name="TargetName">The target column.</param>
/// <param name="Task">Classification (stratified folds) or regression (plain shuffled folds).</param>
/// <param name="Folds">The fold of every data row.</param>
/// <param name="Results">One result per fold, in fold order.</param>
public sealed record CvOutcome(string DataPath, string TargetName, TaskKind Task, KFold Folds, ImmutableArray<CvFoldResult> Results)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The folds' one-line notes (e.g. a validation split too small for early stopping), each once, in the order they arose.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>Every metric's mean and sample standard deviation (n − 1) over the folds.</summary>
    public ImmutableArray<MetricSummary> Summary => MetricValues.Summarise(Results.Select(r => (IReadOnlyList<MetricValue>)r.Metrics));

    /// <summary>Value equality, the results compared item by item.</summary>
    public bool Equals(CvOutcome? other) =>
        other is not null && DataPath == other.DataPath && TargetName == other.TargetName && Task == other.Task && Folds == other.Folds && Results.SequenceEqual(other.Results);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DataPath, Folds, Results.Length);

    /// <summary>
    /// One JSON object (<c>nn cv --json</c>): <c>folds</c> (K), <c>task</c>, <c>target</c>, <c>stratified</c>,
    /// <c>per_fold</c> (one object per fold: <c>fold, train_rows, test_rows, epochs, best_epoch, parameters_sha256</c>,
    /// <c>model</c> when written, and <c>test</c> with the fold's metrics as <c>nn eval --json</c> writes them) and
    /// <c>summary</c> (each scalar metric: <c>mean</c>, <c>sd</c> — the sample standard deviation, n − 1 — and <c>n</c>);
    /// NaN and ±∞ as null.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("folds", Folds.K);
            w.WriteString("task", TaskKinds.Name(Task));
            w.WriteString("target", TargetName);
            w.WriteBoolean("stratified", Task == TaskKind.Classification);
            w.WriteStartArray("per_fold");
            foreach (var r in Results)
            {
                w.WriteStartObject();
                w.WriteNumber("fold", r.Fold);
                w.WriteNumber("train_rows", r.TrainRows);
                w.WriteNumber("test_rows", r.TestRows);
                w.WriteNumber("epochs", r.Epochs);
                w.WriteNumber("best_epoch", r.BestEpoch);
                w.WriteString("parameters_sha256", r.ParametersSha256);
                if (r.ModelPath is not null) w.WriteString("model", r.ModelPath);
                w.WritePropertyName("test");
                w.WriteStartObject();
                r.Test.WriteFields(w);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("sd", "sample standard deviation (n - 1)");
            w.WritePropertyName("summary");
            w.WriteStartObject();
            MetricValues.Write(w, Summary);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>
/// The <c>nn cv</c> job: K-fold cross-validation of one set of training settings. The folds come from the pure
/// <see cref="Folds"/> (stratified by class for classification, plain for regression, keyed by <see cref="Folds.KeyOf"/>
/// of the seed); each fold is fitted by <see cref="TrainJob.Fit(FitSettings, LoadedData, IProgress{TrainerState}?, CancellationToken)"/> — the training job's own plan and loop — on the other
/// folds' rows and scored by <see cref="EvalJob.Evaluate"/> on its own.
/// </summary>
public static class CvJob
{
    /// <summary>The file name of fold <paramref name="fold"/>'s model (1-based) in the models folder: <c>fold-1.safetensors</c>, ….</summary>
    public static string ModelFileName(int fold) => $"fold-{fold}.safetensors";

    /// <summary>
    /// Reads the data and decides the task and the folds, refusing what cannot be cross-validated before any training:
    /// fewer than 2 folds, more folds than rows, or (classification) more folds than the smallest class has rows.
    /// </summary>
    /// <exception cref="ArgumentException">Naming <c>--folds</c>, or the setting out of range.</exception>
    /// <exception cref="DataFileException">For bad data.</exception>
    public static CvPlan Plan(TrainSettings settings, int k)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (k < 2) throw new ArgumentException($"--folds: expected at least 2, got {k}.");
        var data = DataSource.ForTraining(settings.DataPath, settings.LabelsPath, settings.Target);
        if (k > data.Count) throw new ArgumentException($"--folds: {k} folds need at least {k} rows; {data.Source} has {data.Count}.");
        var task = settings.Fit.Task ?? data.InferTask();
        var target = data.EncodeTarget(task);
        var key = Folds.KeyOf(settings.Fit.Seed);
        KFold folds;
        if (task == TaskKind.Classification)
        {
            var smallest = Folds.SmallestClass(target.ClassIndices);
            if (k > smallest)
            {
                var label = target.Labels[Enumerable.Range(0, target.Labels.Length).First(c => target.ClassIndices.Count(i => i == c) == smallest)];
                throw new ArgumentException($"--folds: {k} stratified folds need at least {k} rows of every class; class '{label}' of {data.Source} has {smallest}.");
            }
            folds = Folds.Stratified(key, target.ClassIndices, k);
        }
        else folds = Folds.Plain(key, data.Count, k);
        return new CvPlan(settings with { Fit = settings.Fit with { Task = task } }, data, folds);
    }

    /// <summary>
    /// Fits and scores every fold in order, telling <paramref name="foldDone"/> after each; writes fold i's model to
    /// <paramref name="modelFolder"/>/<see cref="ModelFileName"/>(i) when a folder is given.
    /// </summary>
    /// <exception cref="TrainingDivergedException">When a fold's training diverged.</exception>
    /// <exception cref="OperationCanceledException">When cancelled.</exception>
    public static CvOutcome Run(CvPlan plan, string? modelFolder, Action<CvFoldResult>? foldDone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = new List<CvFoldResult>(plan.Folds.K);
        var notes = new List<string>();
        for (var f = 0; f < plan.Folds.K; f++)
        {
            var split = plan.Folds.Split(f);
            TrainOutcome outcome;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                outcome = TrainJob.Fit(plan.Settings.Fit, plan.Data.WithRows(split.Train), null, cancellationToken, TrainSettings.Flag);
            }
            catch (OperationCanceledException)
            {
                throw new OperationCanceledException($"cross-validation cancelled after {f} of {plan.Folds.K} folds; no summary was written.", cancellationToken);
            }
            notes.AddRange(outcome.Notes.Where(n => !notes.Contains(n)));
            var test = EvalJob.Evaluate(outcome.Model, plan.Data.WithRows(split.Test), plan.Settings.Fit.Compute);
            string? path = null;
            if (modelFolder is not null)
            {
                path = Path.Combine(modelFolder, ModelFileName(f + 1));
                ModelFile.Save(path, outcome.Model);
            }
            var result = new CvFoldResult(f + 1, split.Train.Length, split.Test.Length, outcome.Result.History.Epochs.Length, outcome.ModelEpoch,
                ModelFile.ParametersSha256(outcome.Model.Network), test, path);
            results.Add(result);
            foldDone?.Invoke(result);
        }
        return new CvOutcome(plan.Settings.DataPath, plan.Data.TargetName, plan.Settings.Fit.Task ?? TaskKind.Regression, plan.Folds, [.. results]) { Notes = [.. notes] };
    }
}

/// <summary>A cross-validation decided and checked, before any training: the settings (with the task fixed), the data and the folds.</summary>
/// <param name="Settings">The training settings every fold uses, with the task decided on the whole data.</param>
/// <param name="Data">The data read once.</param>
/// <param name="Folds">The fold of every row.</param>
public sealed record CvPlan(TrainSettings Settings, LoadedData Data, KFold Folds);

using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>The outcome of <see cref="TrainJob.Run(TrainSettings, Action{TrainStart}?, IProgress{TrainerState}?, CancellationToken)"/>.</summary>
/// <param name="Model">The trained model as written to the output file.</param>
/// <param name="Result">The training run: history, best epoch, whether it stopped early or was cancelled.</param>
/// <param name="TrainSeconds">Wall time of the training loop alone.</param>
/// <param name="Test">Metrics on the test data, when it was given.</param>
public sealed record TrainOutcome(Model Model, TrainResult Result, double TrainSeconds, EvalReport? Test)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The epoch whose parameters the model holds: the best one when early stopping restored it, else the last completed one.</summary>
    public int ModelEpoch { get; init; }

    /// <summary>One-line notes for the user (e.g. test-data columns the model does not use), in the order they arose.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>The data rows (0-based) of the test split <see cref="Test"/> was measured on (<see cref="FitSettings.TestFraction"/>); empty for test data from a file or none.</summary>
    public ImmutableArray<int> TestRows { get; init; } = [];

    /// <summary>The run as one JSON object (<c>nn train --json</c>): epochs, timing, losses, early stopping, divergence, the parameters' hash, test metrics; a NaN or infinity is null.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            var h = Result.History;
            w.WriteStartObject();
            w.WriteNumber("epochs", h.Epochs.Length);
            JsonNumber.Write(w, "train_seconds", TrainSeconds);
            JsonNumber.Write(w, "final_train_loss", h.Epochs.IsEmpty ? double.NaN : h.Epochs[^1].TrainLoss);
            w.WriteNumber("best_epoch", h.BestEpoch);
            w.WriteBoolean("stopped_early", Result.StoppedEarly);
            w.WriteBoolean("cancelled", Result.Cancelled);
            if (Result.Diverged is { } d)
            {
                w.WritePropertyName("diverged");
                w.WriteStartObject();
                w.WriteNumber("epoch", d.Epoch);
                w.WriteNumber("step", d.Step);
                JsonNumber.Write(w, "last_finite_loss", d.LastFiniteLoss);
                w.WriteEndObject();
            }
            w.WriteString("parameters_sha256", ModelFile.ParametersSha256(Model.Network));
            if (!TestRows.IsEmpty)
            {
                w.WriteString("test_source", "split");
                w.WriteNumber("test_rows", TestRows.Length);
            }
            if (Test is { } t)
            {
                w.WritePropertyName("test");
                w.WriteStartObject();
                t.WriteFields(w);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>What a training run decided before its first epoch (<c>nn train</c> prints it first).</summary>
/// <param name="TargetName">The target column.</param>
/// <param name="Task">Classification or regression.</param>
/// <param name="Labels">The class labels in output order (classification), else empty.</param>
/// <param name="Features">The number of features the network reads.</param>
/// <param name="TrainRows">The rows trained on.</param>
/// <param name="ValidationRows">The rows held out for validation and early stopping (0: none).</param>
/// <param name="TestRows">The rows held out as a test split (0: none).</param>
/// <param name="Notes">One-line notes for the user (constant columns kept or dropped, a validation split too small for early stopping).</param>
public sealed record TrainStart(string TargetName, TaskKind Task, ImmutableArray<string> Labels, int Features, int TrainRows, int ValidationRows, int TestRows, ImmutableArray<string> Notes)
{
    /// <summary>Every target column of a multi-output run, in output order (<see cref="TargetName"/> is the first); empty for one target.</summary>
    public ImmutableArray<string> TargetNames { get; init; } = [];

    /// <summary>Prints every property, collections by their first items.</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);
}

/// <summary>
/// The whole <c>nn train</c> job: read data, infer the task, split off validation data, fit the scalers, build and train
/// the network (resuming from a checkpoint if asked), write checkpoints and the model atomically, evaluate test data.
/// Every decision about numbers is made by the pure core; this class sequences the effects.
/// </summary>
public static class TrainJob
{
    /// <summary>
    /// Runs the job; <paramref name="progress"/> sees the resumable state after every epoch. A cancelled run (Ctrl+C) or one
    /// that diverged under <c>--on-nan stop</c> writes the model from its last completed epoch (the best one when early
    /// stopping restores it) and reports <see cref="TrainResult.Cancelled"/> or <see cref="TrainResult.Diverged"/>; the
    /// checkpoint, written after every completed epoch, already holds that epoch.
    /// </summary>
    /// <exception cref="DataFileException">For bad data files.</exception>
    /// <exception cref="ArgumentException">For bad settings (the message names the flag).</exception>
    /// <exception cref="ModelFileException">For an unreadable checkpoint.</exception>
    /// <exception cref="TrainingDivergedException">When training diverged under <c>--on-nan error</c>, or before any epoch completed.</exception>
    /// <exception cref="OperationCanceledException">When cancelled before any epoch completed (nothing is written).</exception>
    public static TrainOutcome Run(TrainSettings settings, IProgress<TrainerState>? progress, CancellationToken cancellationToken) =>
        Run(settings, null, progress, cancellationToken);

    /// <summary>As <see cref="Run(TrainSettings, IProgress{TrainerState}?, CancellationToken)"/>, telling <paramref name="started"/> what was decided before the first epoch.</summary>
    /// <exception cref="DataFileException">For bad data files.</exception>
    /// <exception cref="ArgumentException">For bad settings (the message names the flag).</exception>
    /// <exception cref="ModelFileException">For an unreadable checkpoint.</exception>
    /// <exception cref="TrainingDivergedException">When training diverged under <c>--on-nan error</c>, or before any epoch completed.</exception>
    /// <exception cref="OperationCanceledException">When cancelled before any epoch completed (nothing is written).</exception>
    public static TrainOutcome Run(TrainSettings settings, Action<TrainStart>? started, IProgress<TrainerState>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var fit = settings.Fit;
        var several = settings.Targets.Length > 1;
        if (several && settings.Fit.Task is TaskKind.Classification)
            throw new ArgumentException($"--task: classification takes one --target; {settings.Targets.Length} targets make a multi-output regression (--task regression or auto).");
        var data = several
            ? settings.LabelsPath is not null ? throw new ArgumentException("--labels: goes with .npy --data and one target; several targets are CSV or Parquet columns.") : DataSource.ForTrainingTargets(settings.DataPath, settings.Targets)
            : DataSource.ForTraining(settings.DataPath, settings.LabelsPath, settings.Target);
        // Test data is matched to the training data by column name, as nn eval matches data to a model (not by position).
        var test = settings.TestDataPath is null ? null
            : several ? DataSource.ForModelTargets(settings.TestDataPath, data.FeatureNames, data.TargetNames, requireTarget: true)
            : DataSource.ForModel(settings.TestDataPath, null, data.FeatureNames, data.TargetName, requireTarget: true);
        var plan = Plan(fit, data, settings.CheckpointPath is not null, sampleWeight: settings.SampleWeight, labelSeparator: settings.LabelSeparator);

        var checkpoint = settings.ResumePath is null ? null : CheckpointFile.Load(settings.ResumePath);
        if (checkpoint is not null) CheckResume(settings.ResumePath!, checkpoint, plan, fit.Epochs);
        started?.Invoke(plan.Start);
        var start = checkpoint?.State ?? TrainerState.Start(Training.Init(plan.Config, plan.Network, plan.Run.TrainKey));

        var sink = new CheckpointingProgress(settings.CheckpointPath, plan, progress);
        var (result, seconds) = Train(plan, start, fit.Compute, sink, cancellationToken);

        var completed = result.Final.CompletedEpochs;
        var error = settings.OnNan is OnNan.Error;
        if (result.Diverged is { } diverged && (error || completed == 0))
            throw new TrainingDivergedException(diverged, error ? "--on-nan error" : "no epoch had completed");
        if (result.Cancelled && completed == 0)
            throw new OperationCanceledException("training was cancelled before its first epoch completed; nothing was written.");
        var model = new Model(result.State.Parameters, plan.Info);
        ModelFile.Save(settings.OutPath, model);
        var report = (test ?? plan.Test) is { } t ? EvalJob.Evaluate(model, t, fit.Compute) : null;
        return new TrainOutcome(model, result, seconds, report)
        {
            ModelEpoch = ModelEpoch(plan, result), Notes = test?.UnusedNote() is { } note ? [note] : [], TestRows = plan.Run.TestRows,
        };
    }

    /// <summary>
    /// Fits a model on data in memory, as <c>nn train</c> does on a file (the same plan, checks and training loop, no
    /// files, no checkpoints): the model from the best epoch when early stopping restores it, else from the last.
    /// </summary>
    /// <exception cref="DataFileException">For targets or features the fit refuses (naming <paramref name="data"/>'s source and row).</exception>
    /// <exception cref="ArgumentException">For settings out of range (the message names the setting).</exception>
    /// <exception cref="TrainingDivergedException">When the loss or a parameter stopped being finite.</exception>
    public static TrainOutcome Fit(FitSettings settings, LoadedData data, IProgress<TrainerState>? progress, CancellationToken cancellationToken) =>
        Fit(settings, data, progress, cancellationToken, static name => name);

    /// <summary>As the public <c>Fit</c>, with messages and notes naming each setting as <paramref name="label"/> does (<c>nn cv</c>: by its flag).</summary>
    internal static TrainOutcome Fit(FitSettings settings, LoadedData data, IProgress<TrainerState>? progress, CancellationToken cancellationToken, Func<string, string> label)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(data);
        var plan = Plan(settings, data, checkpoint: false, label);
        var (result, seconds) = Train(plan, TrainerState.Start(Training.Init(plan.Config, plan.Network, plan.Run.TrainKey)), settings.Compute, progress, cancellationToken);
        if (result.Diverged is { } diverged) throw new TrainingDivergedException(diverged, "the fit diverged");
        cancellationToken.ThrowIfCancellationRequested();
        var model = new Model(result.State.Parameters, plan.Info);
        var report = plan.Test is { } test ? EvalJob.Evaluate(model, test, settings.Compute) : null;
        return new TrainOutcome(model, result, seconds, report) { ModelEpoch = ModelEpoch(plan, result), Notes = plan.Start.Notes, TestRows = plan.Run.TestRows };
    }

    /// <summary>The training loop, timed; --threads is a speed setting only (the kernels give the same bits for any count), passed as a value.</summary>
    private static (TrainResult Result, double Seconds) Train(TrainPlan plan, TrainerState start, ComputeOptions compute, IProgress<TrainerState>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = Trainer.Run(plan.Config, start, plan.Train, plan.Options.WithCompute(compute), progress, cancellationToken);
        return (result, clock.Elapsed.TotalSeconds);
    }

    private static int ModelEpoch(TrainPlan plan, TrainResult result) =>
        plan.Options.RestoreBest && result.Final.BestEpoch > 0 ? result.Final.BestEpoch : result.Final.CompletedEpochs;

    /// <summary>Everything decided before training starts: the core's plan, and what the shell builds from it (with the test split's rows, if any).</summary>
    internal sealed record TrainPlan(RunPlan Run, Network Network, TrainConfig Config, TrainingData Train, TrainerOptions Options, ModelInfo Info, TrainStart Start, LoadedData? Test);

    /// <summary>
    /// The core's plan (<see cref="RunPlans.Decide"/>) for loaded data, with the shell's refusals around it (an empty file, a
    /// single class, a run larger than the memory there is, too many parameters) and its notes: constant feature columns
    /// kept with scale 1 (or dropped under <see cref="FitSettings.DropConstant"/>), a validation split too small for early stopping.
    /// </summary>
    internal static TrainPlan Plan(FitSettings s, LoadedData data, bool checkpoint, Func<string, string>? label = null, string? sampleWeight = null,
        string labelSeparator = LabelSets.DefaultSeparator)
    {
        label ??= TrainSettings.Flag;
        if (data.Count == 0) throw new DataFileException(data.Source, 0, 0, "expected at least one data row.");
        ImmutableArray<double>? sample = null;
        if (sampleWeight is not null) (data, sample) = SampleWeights.Take(data, sampleWeight);
        if (data.TargetValues is not null && s.Task is TaskKind.Classification)
            throw new ArgumentException($"{label(nameof(FitSettings.Task))}: classification takes one target; several targets make a multi-output regression.");
        var task = s.Task is TaskKind.Multilabel ? TaskKind.Multilabel : data.TargetValues is not null ? TaskKind.Regression : s.Task ?? data.InferTask();
        var target = task == TaskKind.Multilabel ? LabelSetData.Encode(data, labelSeparator)
            : data.TargetValues is { } values ? new EncodedTarget(TaskKind.Regression, [], [], [.. values.AsSpan()]) { Width = values.Cols }
            : data.EncodeTarget(task);
        if (task == TaskKind.Classification && target.Labels.Length < 2)
            throw new DataFileException(data.Source, 0, 0, $"target column '{data.TargetName}' has a single class '{target.Labels.FirstOrDefault()}'; classification needs at least 2.");
        var plan = RunPlans.Decide(s, data.Features.Cols, target, label);
        CheckMemory(s, plan, data, checkpoint, label);
        CheckParameterCount(plan.Sizes, label);
        var notes = new List<string>();
        var constant = RunPlans.ConstantColumns(plan, data.Features);
        var kept = RunPlans.KeptColumns(s, data.Features.Cols, constant);
        if (kept.Length < data.Features.Cols)
        {
            notes.Add($"{data.Source}: dropped {Columns(data, constant)}, constant in the training data (--drop-constant); the model uses the other {kept.Length} features.");
            data = data.WithColumns(kept);
            plan = plan with { Sizes = [kept.Length, .. plan.Sizes.Skip(1)] };
        }
        else if (!constant.IsEmpty && s.Scaling is not Scaling.None)
            notes.Add($"{data.Source}: {Columns(data, constant)} {(constant.Length == 1 ? "is" : "are")} constant in the training data; kept with scale 1, so {(constant.Length == 1 ? "it enters" : "they enter")} the network as 0 (--drop-constant drops {(constant.Length == 1 ? "it" : "them")}).");
        if (plan.TooFewValidationRows > 0)
            notes.Add($"a validation split of {plan.TooFewValidationRows} rows is too small for early stopping (at least {RunPlans.MinValidationRows}); training on all {plan.TrainRows.Length} rows for all {s.Epochs} epochs ({label(nameof(FitSettings.ValidationFraction))} 0 says so and silences this).");
        var weights = RunPlans.RowWeights(s, plan, target, sample, label);
        var prepared = RunPlans.WithRowWeights(RunPlans.Prepare(s, plan, data.Features, target), plan, weights);
        var options = TrainerOptions.Of(s.Epochs, plan.Batches) with { MinEpochs = s.MinEpochs };
        if (prepared.Validation is { } validation) options = options.WithValidation(validation, s.Patience);
        var several = !data.TargetNames.IsDefaultOrEmpty;
        var info = new ModelInfo(plan.Task, data.FeatureNames, data.TargetName, plan.Labels, plan.Loss, prepared.Scaling, prepared.TargetScaling,
            [.. RecordedSettings.Of(s, plan), .. WeightSettings(s, plan, target, sampleWeight)], data.Sha256)
        {
            TargetNames = several ? data.TargetNames : [],
            TargetScalings = several && plan.Task == TaskKind.Regression ? prepared.TargetScalings : [],
            LabelSeparator = plan.Task == TaskKind.Multilabel && !several ? labelSeparator : null,
        };
        var start = new TrainStart(data.TargetName, plan.Task, plan.Labels, plan.Sizes[0], plan.TrainRows.Length, plan.ValidationRows.Length, plan.TestRows.Length, [.. notes])
        {
            TargetNames = several ? data.TargetNames : [],
        };
        var test = plan.TestRows.IsEmpty ? null : data.WithRows(plan.TestRows);
        return new TrainPlan(plan, prepared.Network, plan.Config, prepared.Train, options, info, start, test);
    }

    /// <summary>
    /// The weights a model records beside its settings (none for an unweighted run, so its bytes do not change):
    /// <c>class_weights</c>, each class's weight as resolved (balanced's counts), and <c>sample_weight</c>, the column.
    /// </summary>
    private static IEnumerable<Setting> WeightSettings(FitSettings s, RunPlan plan, EncodedTarget target, string? sampleWeight)
    {
        if (s.ClassWeight is { } cw)
        {
            var perClass = ClassWeight.PerClass(cw, plan.Labels, [.. plan.TrainRows.Select(r => target.ClassIndices[r])]);
            yield return new("class_weights", string.Join(",", plan.Labels.Select((l, i) => $"{l}={perClass[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")));
        }
        if (sampleWeight is not null) yield return new("sample_weight", sampleWeight);
    }

    /// <summary>"column 'a'" or "columns 'a', 'b' and 3 more" (at most five names).</summary>
    private static string Columns(LoadedData data, ImmutableArray<int> columns)
    {
        var names = columns.Select(c => data.FeatureNames[c]).ToList();
        var shown = string.Join(", ", names.Take(5).Select(name => $"'{name}'")) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");
        return names.Count == 1 ? $"column {shown}" : $"columns {shown}";
    }

    /// <summary>Refuses, before anything large is allocated, a run that needs more memory than .NET reports available (naming --layers, --batch-size or --data).</summary>
    private static void CheckMemory(FitSettings s, RunPlan plan, LoadedData data, bool checkpoint, Func<string, string> label)
    {
        var trainRows = plan.TrainRows.Length;
        var batch = s.BatchSize == 0 ? trainRows : Math.Min(s.BatchSize, trainRows);
        MemoryEstimate.ForTraining([.. plan.Sizes], data.Count, batch, MemoryEstimate.TrainingCopies(RecordedSettings.Moments(s.Optimizer), checkpoint), plan.AllRows ? 2 : 3)
            .Check([.. plan.Sizes], MemoryEstimate.Available(), label(nameof(FitSettings.Layers)), label(nameof(FitSettings.BatchSize)), "--data");
    }

    /// <summary>Refuses architectures whose parameter count does not fit in an int (arrays are int-indexed), naming --layers.</summary>
    private static void CheckParameterCount(ImmutableArray<int> sizes, Func<string, string> label)
    {
        Int128 total = 0;
        for (var i = 0; i + 1 < sizes.Length; i++) total += (Int128)sizes[i] * sizes[i + 1] + sizes[i + 1];
        if (total > int.MaxValue)
            throw new ArgumentException($"{label(nameof(FitSettings.Layers))}: {string.Join(" → ", sizes)} has {total} parameters; at most {int.MaxValue} are supported (use narrower layers).");
    }

    /// <summary>
    /// Refuses a resume whose flags would not reproduce the checkpoint's run, naming the first flag that differs: every
    /// recorded setting must be equal (so the model written at the end records the settings that produced it), and
    /// <c>--epochs</c> may change but not fall below the epochs already completed.
    /// </summary>
    private static void CheckResume(string path, Checkpoint checkpoint, TrainPlan plan, int epochs)
    {
        var before = checkpoint.Model.Info;
        var recorded = before.Training.ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);
        foreach (var setting in plan.Info.Training)
        {
            if (setting.Name == "epochs") continue;
            var flag = "--" + setting.Name.Replace('_', '-');
            if (!recorded.TryGetValue(setting.Name, out var was))
                throw new ArgumentException($"--resume: {path} does not record {flag}; it was written by another version of nn and cannot be resumed exactly.");
            if (was != setting.Value)
                throw new ArgumentException($"{flag}: {path} was trained with {flag} {was}, this run has {setting.Value}; resume with the original run's flags (only --epochs may change).");
        }
        var current = plan.Info.Training.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var setting in before.Training.Where(s => !current.Contains(s.Name)))
        {
            var flag = "--" + setting.Name.Replace('_', '-');
            throw new ArgumentException($"{flag}: {path} was trained with {flag} {setting.Value}, this run has no {flag}; resume with the original run's flags (only --epochs may change).");
        }
        var done = checkpoint.State.CompletedEpochs;
        if (epochs < done)
            throw new ArgumentException($"--epochs: {path} has already completed {done} epochs; --epochs {epochs} is below that (--epochs is the total).");
        if (before.DataSha256 != plan.Info.DataSha256)
            throw new ArgumentException($"--data: the data differs from the data {path} was trained on (SHA-256 {Short(plan.Info.DataSha256)}, the checkpoint's {Short(before.DataSha256)}).");
        if (!Parameters.SameShape(checkpoint.Model.Network, plan.Network) || before with { Training = plan.Info.Training } != plan.Info || checkpoint.Config != plan.Config)
            throw new ArgumentException($"--resume: {path} was made for other data, another architecture or other training settings.");
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] + "…" : sha;

    /// <summary>Writes a checkpoint after every epoch (atomically), then forwards the state to the caller's progress.</summary>
    private sealed class CheckpointingProgress(string? path, TrainPlan plan, IProgress<TrainerState>? inner) : IProgress<TrainerState>
    {
        public void Report(TrainerState value)
        {
            if (path is not null) CheckpointFile.Save(path, new Checkpoint(new Model(value.Train.Parameters, plan.Info), plan.Config, value));
            inner?.Report(value);
        }
    }
}

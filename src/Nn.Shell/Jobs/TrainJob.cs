using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;

namespace Nn.Shell;

/// <summary>The outcome of <see cref="TrainJob.Run"/>.</summary>
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
    /// <exception cref="DataFileException">For bad data files (including a constant feature column under scaling).</exception>
    /// <exception cref="ArgumentException">For bad settings (the message names the flag).</exception>
    /// <exception cref="ModelFileException">For an unreadable checkpoint.</exception>
    /// <exception cref="TrainingDivergedException">When training diverged under <c>--on-nan error</c>, or before any epoch completed.</exception>
    /// <exception cref="OperationCanceledException">When cancelled before any epoch completed (nothing is written).</exception>
    public static TrainOutcome Run(TrainSettings settings, IProgress<TrainerState>? progress, CancellationToken cancellationToken)
    {
        settings.Validate();
        var data = DataSource.ForTraining(settings.DataPath, settings.LabelsPath, settings.Target);
        // Test data is matched to the training data by column name, as nn eval matches data to a model (not by position).
        var test = settings.TestDataPath is null ? null
            : DataSource.ForModel(settings.TestDataPath, null, data.FeatureNames, data.TargetName, requireTarget: true);
        var plan = Plan(settings, data);

        var checkpoint = settings.ResumePath is null ? null : CheckpointFile.Load(settings.ResumePath);
        if (checkpoint is not null) CheckResume(settings.ResumePath!, checkpoint, plan, settings.Epochs);
        var start = checkpoint?.State ?? TrainerState.Start(Training.Init(plan.Config, plan.Network, Prng.Fold(Key.FromSeed(settings.Seed), 1)));

        var sink = new CheckpointingProgress(settings.CheckpointPath, plan, progress);
        // --threads is a speed setting only (the kernels give the same bits for any count), passed as a value.
        var clock = Stopwatch.StartNew();
        var result = Trainer.Run(plan.Config, start, plan.Train, plan.Options.WithCompute(ComputeOptions.WithThreads(settings.Threads)), sink, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;

        var completed = result.Final.CompletedEpochs;
        if (result.Diverged is { } diverged && (settings.OnNan == "error" || completed == 0))
            throw new TrainingDivergedException(diverged, settings.OnNan == "error" ? "--on-nan error" : "no epoch had completed");
        if (result.Cancelled && completed == 0)
            throw new OperationCanceledException("training was cancelled before its first epoch completed; nothing was written.");
        var model = new Model(result.State.Parameters, plan.Info);
        ModelFile.Save(settings.OutPath, model);
        var report = test is null ? null : EvalJob.Evaluate(model, test, ComputeOptions.WithThreads(settings.Threads));
        var modelEpoch = plan.Options.RestoreBest && result.Final.BestEpoch > 0 ? result.Final.BestEpoch : completed;
        return new TrainOutcome(model, result, seconds, report) { ModelEpoch = modelEpoch, Notes = test?.UnusedNote() is { } note ? [note] : [] };
    }

    /// <summary>Everything decided before training starts.</summary>
    internal sealed record TrainPlan(Network Network, TrainConfig Config, TrainingData Train, TrainerOptions Options, ModelInfo Info);

    internal static TrainPlan Plan(TrainSettings s, LoadedData data)
    {
        if (data.Count == 0) throw new DataFileException(data.Source, 0, 0, "expected at least one data row.");
        var task = s.Task switch
        {
            "classification" => TaskKind.Classification,
            "regression" => TaskKind.Regression,
            _ => data.InferTask(),
        };
        var target = data.EncodeTarget(task);
        if (task == TaskKind.Classification && target.Labels.Length < 2)
            throw new DataFileException(data.Source, 0, 0, $"target column '{data.TargetName}' has a single class '{target.Labels.FirstOrDefault()}'; classification needs at least 2.");

        var classes = target.Labels.Length;
        var output = s.Output == TrainSettings.Auto
            ? task == TaskKind.Regression ? Activations.Linear : classes == 2 ? Activations.Sigmoid : Activations.Softmax
            : Activations.Parse(s.Output);
        var loss = s.Loss == TrainSettings.Auto ? Losses.PairedWith(output) : Losses.Parse(s.Loss);
        try { Losses.CheckPairing(loss, output); }
        catch (ArgumentException e) { throw new ArgumentException($"--loss/--output: {e.Message}"); }
        if (task == TaskKind.Regression && output is Activation.Softmax) throw new ArgumentException("--output: softmax needs a classification target.");
        var outputs = task == TaskKind.Regression ? 1 : output is Activation.Sigmoid && classes == 2 ? 1 : classes;

        var key = Key.FromSeed(s.Seed);
        var n = data.Count;
        var split = s.ValidationFraction > 0 && n >= 2
            ? task == TaskKind.Classification
                ? Split.Stratified(Prng.Fold(key, 2), target.ClassIndices, s.ValidationFraction)
                : Split.TrainTest(Prng.Fold(key, 2), n, s.ValidationFraction)
            : null;
        ImmutableArray<int> trainRows = split is null || split.Train.IsEmpty ? [.. Enumerable.Range(0, n)] : [.. split.Train.Order()];
        ImmutableArray<int> validRows = split is null || split.Train.IsEmpty ? [] : [.. split.Test.Order()];
        CheckMemory(s, data, outputs, trainRows.Length, validRows.IsEmpty);
        CheckParameterCount(data.Features.Cols, s.Layers, outputs);

        // Without a held-out part the training rows are all rows in order: use the loaded matrices as they are rather than
        // copies (an MNIST-scale X is 376 MB; each copy would count against the run's peak memory).
        var allRows = validRows.IsEmpty;
        var rawTrain = allRows ? data.Features : data.Features.SelectRows(trainRows);
        if (s.Scale != "none" && !s.AllowConstant) RefuseConstantColumns(data, rawTrain, trainRows.Length < n);
        var scaling = s.Scale switch
        {
            "minmax" => MinMaxScaler.Fit(rawTrain) is var mm ? new FeatureScaling("minmax", mm.Mins, mm.Ranges) : null!,
            "none" => new FeatureScaling("none", Vector.Zeros(rawTrain.Cols), Vector.Fill(rawTrain.Cols, 1.0)),
            _ => StandardScaler.Fit(rawTrain) is var ss ? new FeatureScaling("standard", ss.Means, ss.StdDevs) : null!,
        };
        TargetScaling? targetScaling = null;
        Matrix y;
        if (task == TaskKind.Regression)
        {
            var column = Matrix.Create(n, 1, target.Values);
            var ts = StandardScaler.Fit(allRows ? column : column.SelectRows(trainRows));
            targetScaling = new TargetScaling(ts.Means[0], ts.StdDevs[0]);
            y = StandardScaler.Transform(ts, column);
        }
        else
        {
            y = outputs == 1
                ? Matrix.Init(n, 1, (r, _) => target.ClassIndices[r])
                : Labels.OneHot(target.ClassIndices, classes);
        }
        var x = Predictor.ScaleFeatures(scaling, data.Features);

        var init = s.Init == TrainSettings.Auto ? Init.DefaultFor(s.Activation) : InitSchemes.Parse(s.Init);
        var network = Init.Mlp(Prng.Fold(key, 0), [data.Features.Cols, .. s.Layers, outputs], s.Activation, output, init);
        var optimizer = Optimizers.Parse(s.Optimizer, s.LearningRate);
        if (s.ClipNorm > 0) optimizer = Optimizers.Chain(Optimizers.ClipByGlobalNorm(s.ClipNorm), optimizer);
        var config = TrainConfig.Of(new Objective(loss, s.L2, s.Dropout), optimizer);
        var policy = s.BatchSize == 0 ? BatchPolicy.FullBatch : BatchPolicy.MiniBatch(s.BatchSize);
        var options = TrainerOptions.Of(s.Epochs, policy);
        if (!validRows.IsEmpty) options = options.WithValidation(new TrainingData(x.SelectRows(validRows), y.SelectRows(validRows)), s.Patience);

        var info = new ModelInfo(task, data.FeatureNames, data.TargetName, task == TaskKind.Classification ? target.Labels : [], loss, scaling, targetScaling,
            s.Recorded(task, output.Name, loss.Name), data.Sha256);
        var train = allRows ? new TrainingData(x, y) : new TrainingData(x.SelectRows(trainRows), y.SelectRows(trainRows));
        return new TrainPlan(network, config, train, options, info);
    }

    /// <summary>
    /// Refuses feature columns that are constant over the training rows: standard or minmax scaling would divide by a zero
    /// spread (the core would silently map such a column to 0, which is almost always a data mistake).
    /// </summary>
    private static void RefuseConstantColumns(LoadedData data, Matrix rawTrain, bool heldOut)
    {
        var constant = new List<string>();
        for (var c = 0; c < rawTrain.Cols; c++)
        {
            var first = rawTrain[0, c];
            var same = true;
            for (var r = 1; r < rawTrain.Rows && same; r++) same = rawTrain[r, c] == first;
            if (same) constant.Add(data.FeatureNames[c]);
        }
        if (constant.Count == 0) return;
        var shown = string.Join(", ", constant.Take(5).Select(name => $"'{name}'")) + (constant.Count > 5 ? $" and {constant.Count - 5} more" : "");
        var subject = constant.Count == 1 ? $"column {shown} is" : $"columns {shown} are";
        var where = heldOut ? "the training data (after holding out the validation rows)" : "the training data";
        throw new DataFileException(data.Source, 0, 0,
            $"{subject} constant in {where}; scaling would divide by zero. Drop {(constant.Count == 1 ? "it" : "them")}, use --scale none, or pass --allow-constant to scale {(constant.Count == 1 ? "it" : "them")} to 0.");
    }

    /// <summary>Refuses, before anything large is allocated, a run that needs more memory than .NET reports available (naming --layers, --batch-size or --data).</summary>
    private static void CheckMemory(TrainSettings s, LoadedData data, int outputs, int trainRows, bool allRows)
    {
        int[] sizes = [data.Features.Cols, .. s.Layers, outputs];
        var moments = s.Optimizer switch { "sgd" => 0, "adam" or "adamw" => 2, _ => 1 };
        var batch = s.BatchSize == 0 ? trainRows : Math.Min(s.BatchSize, trainRows);
        MemoryEstimate.ForTraining(sizes, data.Count, batch, MemoryEstimate.TrainingCopies(moments, s.CheckpointPath is not null), allRows ? 2 : 3)
            .Check(sizes, MemoryEstimate.Available(), "--layers", "--batch-size", "--data");
    }

    /// <summary>Refuses architectures whose parameter count does not fit in an int (arrays are int-indexed), naming --layers.</summary>
    private static void CheckParameterCount(int inputs, ImmutableArray<int> layers, int outputs)
    {
        ImmutableArray<int> sizes = [inputs, .. layers, outputs];
        Int128 total = 0;
        for (var i = 0; i + 1 < sizes.Length; i++) total += (Int128)sizes[i] * sizes[i + 1] + sizes[i + 1];
        if (total > int.MaxValue)
            throw new ArgumentException($"--layers: {string.Join(" → ", sizes)} has {total} parameters; at most {int.MaxValue} are supported (use narrower layers).");
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

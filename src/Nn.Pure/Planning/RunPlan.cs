using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// What a fit decides from the data's shape and the typed settings, before it touches the data's values: the task, the
/// output and loss, the layer sizes and initialisation, the validation split, the keys, and the training configuration.
/// Made by <see cref="RunPlans.Decide"/>; <c>nn train</c>, the one-call fit from code and the demo all run one.
/// </summary>
/// <param name="Task">Classification or regression.</param>
/// <param name="Output">The output activation.</param>
/// <param name="Loss">The loss, paired with the output.</param>
/// <param name="Labels">The class labels in output order (classification), else empty.</param>
/// <param name="Sizes">The layer sizes, inputs first, outputs last.</param>
/// <param name="Init">The initialisation scheme.</param>
/// <param name="TrainRows">The rows trained on, in increasing order.</param>
/// <param name="ValidationRows">The rows held out for validation and early stopping, in increasing order (empty: none).</param>
/// <param name="InitKey">The key of the initial weights: <c>Prng.Fold(Key.FromSeed(seed), 0)</c>.</param>
/// <param name="TrainKey">The key of shuffling and dropout: <c>Prng.Fold(Key.FromSeed(seed), 1)</c>.</param>
/// <param name="Config">The objective (loss, L2, dropout) and the optimizer.</param>
/// <param name="Batches">The batch policy.</param>
public sealed record RunPlan(
    TaskKind Task, Activation Output, Loss Loss, ImmutableArray<string> Labels, ImmutableArray<int> Sizes, InitScheme Init,
    ImmutableArray<int> TrainRows, ImmutableArray<int> ValidationRows, Key InitKey, Key TrainKey, TrainConfig Config, BatchPolicy Batches)
{
    /// <summary>The number of output units.</summary>
    public int Outputs => Sizes[^1];

    /// <summary>True when every row is trained on, in order (no validation split).</summary>
    public bool AllRows => ValidationRows.IsEmpty;

    private bool PrintMembers(System.Text.StringBuilder builder) => Format.Members(this, builder);
}

/// <summary>The data a plan trains on, and the transforms a model must record to predict as it was trained.</summary>
/// <param name="Network">The initial network.</param>
/// <param name="Train">The scaled training rows and their encoded targets.</param>
/// <param name="Validation">The scaled validation rows and targets, or null.</param>
/// <param name="Scaling">The feature transform fitted on the training rows.</param>
/// <param name="TargetScaling">Regression: the target transform fitted on the training rows; else null.</param>
public sealed record PreparedRun(Network Network, TrainingData Train, TrainingData? Validation, FeatureScaling Scaling, TargetScaling? TargetScaling);

/// <summary>The pure decisions of a fit, in the order a fit makes them.</summary>
public static class RunPlans
{
    /// <summary>Sub-keys of the seed's key: the initial weights, the training (shuffling, dropout), the validation split.</summary>
    private const int InitFold = 0, TrainFold = 1, SplitFold = 2;

    /// <summary>The task: the settings' own, or the one the target cells ask for (<see cref="TargetEncoding.Infer"/>).</summary>
    public static TaskKind TaskOf(FitSettings settings, IReadOnlyList<string> targetCells) =>
        settings.Task ?? TargetEncoding.Infer(targetCells);

    /// <summary>
    /// Decides everything from the settings, the number of features and the encoded target (rows = its length): the output
    /// (linear for regression, sigmoid for two classes, softmax for more, unless set), the loss paired with it, one output
    /// for regression or a two-class sigmoid and one per class otherwise, the initialisation (He for the ReLU family, Xavier
    /// otherwise, unless set), a stratified (classification) or plain validation split from the seed's key, and the keys.
    /// </summary>
    /// <exception cref="ArgumentException">For settings out of range (<see cref="FitSettings.Validate"/>), a loss that does not
    /// pair with the output, softmax on a regression target, or a classification target with fewer than two classes; the
    /// message starts with the setting's name as <paramref name="label"/> gives it.</exception>
    public static RunPlan Decide(FitSettings settings, int features, EncodedTarget target, Func<string, string>? label = null)
    {
        label ??= static name => name;
        settings.Validate(label);
        var task = target.Task;
        var n = task == TaskKind.Classification ? target.ClassIndices.Length : target.Values.Length;
        var classes = target.Labels.Length;
        if (task == TaskKind.Classification && classes < 2)
            throw new ArgumentException($"the target has a single class '{target.Labels.FirstOrDefault()}'; classification needs at least 2.");
        var output = settings.Output
            ?? (task == TaskKind.Regression ? Activations.Linear : classes == 2 ? Activations.Sigmoid : Activations.Softmax);
        var loss = settings.Loss ?? Losses.PairedWith(output);
        try { Losses.CheckPairing(loss, output); }
        catch (ArgumentException e) { throw new ArgumentException($"{label(nameof(FitSettings.Loss))}/{label(nameof(FitSettings.Output))}: {e.Message}"); }
        if (task == TaskKind.Regression && output is Activation.Softmax)
            throw new ArgumentException($"{label(nameof(FitSettings.Output))}: softmax needs a classification target.");
        var outputs = task == TaskKind.Regression ? 1 : output is Activation.Sigmoid && classes == 2 ? 1 : classes;

        var key = Key.FromSeed(settings.Seed);
        var split = settings.ValidationFraction > 0 && n >= 2
            ? task == TaskKind.Classification
                ? Split.Stratified(Prng.Fold(key, SplitFold), target.ClassIndices, settings.ValidationFraction)
                : Split.TrainTest(Prng.Fold(key, SplitFold), n, settings.ValidationFraction)
            : null;
        ImmutableArray<int> trainRows = split is null || split.Train.IsEmpty ? [.. Enumerable.Range(0, n)] : [.. split.Train.Order()];
        ImmutableArray<int> validRows = split is null || split.Train.IsEmpty ? [] : [.. split.Test.Order()];

        var config = TrainConfig.Of(new Objective(loss, settings.L2, settings.Dropout), settings.Optimizer);
        var batches = settings.BatchSize == 0 ? BatchPolicy.FullBatch : BatchPolicy.MiniBatch(settings.BatchSize);
        return new RunPlan(task, output, loss, task == TaskKind.Classification ? target.Labels : [], [features, .. settings.Layers, outputs],
            settings.Init ?? Init.DefaultFor(settings.Activation), trainRows, validRows, Prng.Fold(key, InitFold), Prng.Fold(key, TrainFold), config, batches);
    }

    /// <summary>
    /// The feature columns (0-based) that are constant over the plan's training rows of <paramref name="features"/>: standard
    /// or min–max scaling would divide by a zero spread, which is almost always a data mistake, so a fit refuses them
    /// unless <see cref="FitSettings.AllowConstant"/> (or the scaling is none).
    /// </summary>
    public static ImmutableArray<int> ConstantColumns(RunPlan plan, Matrix features)
    {
        var rows = plan.TrainRows;
        var constant = ImmutableArray.CreateBuilder<int>();
        for (var c = 0; c < features.Cols; c++)
        {
            var first = features[rows[0], c];
            var same = true;
            for (var r = 1; r < rows.Length && same; r++) same = features[rows[r], c] == first;
            if (same) constant.Add(c);
        }
        return constant.ToImmutable();
    }

    /// <summary>
    /// The plan's data: the feature scaling and (regression) the target standardisation fitted on the training rows, the
    /// scaled features and encoded targets (a class index for one sigmoid output, one-hot rows for several, the
    /// standardised value for regression) split into training and validation rows, and the initial network.
    /// </summary>
    public static PreparedRun Prepare(FitSettings settings, RunPlan plan, Matrix features, EncodedTarget target)
    {
        var n = features.Rows;
        // Without a held-out part the training rows are all rows in order: use the matrices as they are rather than
        // copies (an MNIST-scale X is 376 MB; each copy would count against the run's peak memory).
        var rawTrain = plan.AllRows ? features : features.SelectRows(plan.TrainRows);
        var scaling = settings.Scaling switch
        {
            Scaling.MinMax => FeatureScaling.MinMax(MinMaxScaler.Fit(rawTrain)),
            Scaling.None => FeatureScaling.None(features.Cols),
            _ => FeatureScaling.Standard(StandardScaler.Fit(rawTrain)),
        };
        TargetScaling? targetScaling = null;
        Matrix y;
        if (plan.Task == TaskKind.Regression)
        {
            var column = Matrix.Create(n, 1, target.Values);
            var ts = StandardScaler.Fit(plan.AllRows ? column : column.SelectRows(plan.TrainRows));
            targetScaling = new TargetScaling(ts.Means[0], ts.StdDevs[0]);
            y = StandardScaler.Transform(ts, column);
        }
        else y = EncodeClasses(plan.Outputs, target.ClassIndices, plan.Labels.Length);
        var x = ScaleFeatures(scaling, features);
        var network = Nn.Init.Mlp(plan.InitKey, plan.Sizes, settings.Activation, plan.Output, plan.Init);
        var train = plan.AllRows ? new TrainingData(x, y) : new TrainingData(x.SelectRows(plan.TrainRows), y.SelectRows(plan.TrainRows));
        var validation = plan.AllRows ? null : new TrainingData(x.SelectRows(plan.ValidationRows), y.SelectRows(plan.ValidationRows));
        return new PreparedRun(network, train, validation, scaling, targetScaling);
    }

    /// <summary>Class indices as a network's targets: the index itself for one (sigmoid) output, one-hot rows for several.</summary>
    public static Matrix EncodeClasses(int outputs, IReadOnlyList<int> classIndices, int classes) =>
        outputs == 1 ? Matrix.Init(classIndices.Count, 1, (r, _) => classIndices[r]) : Labels.OneHot(classIndices, classes);

    /// <summary>Raw features (m × features) scaled as recorded: <c>(x − Offset) / Scale</c> per column; unchanged for "none".</summary>
    public static Matrix ScaleFeatures(FeatureScaling scaling, Matrix raw) =>
        scaling.Kind == FeatureScaling.NoneKind ? raw : StandardScaler.Transform(new StandardScaler(scaling.Offset, scaling.Scale), raw);
}

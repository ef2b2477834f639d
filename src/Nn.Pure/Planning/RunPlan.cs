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

    /// <summary>True when every row is trained on, in order (no validation or test split).</summary>
    public bool AllRows => ValidationRows.IsEmpty && TestRows.IsEmpty;

    /// <summary>The rows held out as a test split (<see cref="FitSettings.TestFraction"/>), in increasing order (empty: none).</summary>
    public ImmutableArray<int> TestRows { get; init; } = [];

    /// <summary>
    /// The validation rows the fraction asked for when they were fewer than <see cref="RunPlans.MinValidationRows"/>, so
    /// that no validation split was made (every row trains, for every epoch); else 0.
    /// </summary>
    public int TooFewValidationRows { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder) => Format.Members(this, builder);
}

/// <summary>The data a plan trains on, and the transforms a model must record to predict as it was trained.</summary>
/// <param name="Network">The initial network.</param>
/// <param name="Train">The scaled training rows and their encoded targets.</param>
/// <param name="Validation">The scaled validation rows and targets, or null.</param>
/// <param name="Scaling">The feature transform fitted on the training rows.</param>
/// <param name="TargetScaling">Regression: the target transform fitted on the training rows; else null.</param>
public sealed record PreparedRun(Network Network, TrainingData Train, TrainingData? Validation, FeatureScaling Scaling, TargetScaling? TargetScaling)
{
    /// <summary>
    /// Regression: each target column's transform fitted on the training rows, in output order (one for a single target,
    /// which is then also <see cref="TargetScaling"/>; several for a multi-output regression, whose <see cref="TargetScaling"/>
    /// is null); else empty.
    /// </summary>
    public ImmutableArray<TargetScaling> TargetScalings { get; init; } = [];

    private bool PrintMembers(System.Text.StringBuilder builder) => Format.Members(this, builder);
}

/// <summary>The pure decisions of a fit, in the order a fit makes them.</summary>
public static partial class RunPlans
{
    /// <summary>Sub-keys of the seed's key: the initial weights, the training (shuffling, dropout), the validation split, the test split.</summary>
    private const int InitFold = 0, TrainFold = 1, SplitFold = 2, TestFold = 3;

    /// <summary>
    /// The fewest validation rows early stopping trusts: a smaller validation split is too noisy to pick the best epoch
    /// (on 60 rows of a linear regression, 6 validation rows stopped runs early and cost R²), so with fewer the plan makes
    /// no validation split and every row trains for every epoch.
    /// </summary>
    public const int MinValidationRows = 30;

    /// <summary>The task: the settings' own, or the one the target cells ask for (<see cref="TargetEncoding.Infer"/>).</summary>
    public static TaskKind TaskOf(FitSettings settings, IReadOnlyList<string> targetCells) =>
        settings.Task ?? TargetEncoding.Infer(targetCells);

    /// <summary>
    /// Decides everything from the settings, the number of features and the encoded target (rows = its length): the output
    /// (linear for regression, sigmoid for two classes, softmax for more, unless set), the loss paired with it, one output
    /// for regression or a two-class sigmoid and one per class otherwise, the initialisation (He for the ReLU family, Xavier
    /// otherwise, unless set), a stratified (classification) or plain test split from its own key when
    /// <see cref="FitSettings.TestFraction"/> &gt; 0, a stratified or plain validation split of the remaining rows from the
    /// seed's key (none when it would hold fewer than <see cref="MinValidationRows"/> rows: every row then trains), the
    /// optimizer with <see cref="FitSettings.Schedule"/> built in (in steps of ⌈train rows / batch size⌉ per epoch), and the keys.
    /// Without a test fraction the rows, keys and splits are exactly those of a plan without one.
    /// </summary>
    /// <exception cref="ArgumentException">For settings out of range (<see cref="FitSettings.Validate"/>), a loss that does not
    /// pair with the output, softmax on a regression target, linear on a classification target, a schedule for an optimizer
    /// without one constant learning rate, or a classification target with fewer than two classes; the
    /// message starts with the setting's name as <paramref name="label"/> gives it.</exception>
    public static RunPlan Decide(FitSettings settings, int features, EncodedTarget target, Func<string, string>? label = null)
    {
        label ??= static name => name;
        settings.Validate(label);
        var task = target.Task;
        var n = target.Rows;
        var classes = target.Labels.Length;
        if (task == TaskKind.Classification && classes < 2)
            throw new ArgumentException($"the target has a single class '{target.Labels.FirstOrDefault()}'; classification needs at least 2.");
        if (task == TaskKind.Multilabel && (classes < 2 || classes != target.Width))
            throw new ArgumentException($"{label(nameof(FitSettings.Task))}: multilabel needs at least 2 labels, one per target column; found {classes} label{(classes == 1 ? "" : "s")} ({string.Join(", ", target.Labels)}).");
        var output = settings.Output
            ?? (task == TaskKind.Regression ? Activations.Linear : task == TaskKind.Multilabel || classes == 2 ? Activations.Sigmoid : Activations.Softmax);
        if (task == TaskKind.Multilabel && output is not Activation.Sigmoid)
            throw new ArgumentException($"{label(nameof(FitSettings.Output))}: a multilabel target takes sigmoid outputs (one per label), not {output.Name}.");
        var loss = settings.Loss ?? Losses.PairedWith(output);
        try { Losses.CheckPairing(loss, output); }
        catch (ArgumentException e) { throw new ArgumentException($"{label(nameof(FitSettings.Loss))}/{label(nameof(FitSettings.Output))}: {e.Message}"); }
        if (task == TaskKind.Regression && output is Activation.Softmax)
            throw new ArgumentException($"{label(nameof(FitSettings.Output))}: softmax needs a classification target.");
        if (task == TaskKind.Classification && output is Activation.Linear)
            throw new ArgumentException($"{label(nameof(FitSettings.Output))}: linear needs a regression target; a classification target takes sigmoid or softmax (or auto).");
        if (target.Width < 1 || task != TaskKind.Classification && target.Values.Length % target.Width != 0 || task == TaskKind.Classification && target.Width != 1)
            throw new ArgumentException($"the target's width {target.Width} does not fit its {target.Values.Length} values (a classification target has width 1).");
        var outputs = task != TaskKind.Classification ? target.Width : output is Activation.Sigmoid && classes == 2 ? 1 : classes;

        var key = Key.FromSeed(settings.Seed);
        ImmutableArray<int> testRows = [];
        int[]? pool = null; // the rows left after the test split; null: all rows, in order
        if (settings.TestFraction > 0 && n >= 2)
        {
            var test = Cut(Prng.Fold(key, TestFold), task, target.ClassIndices, n, settings.TestFraction, null);
            if (!test.Train.IsEmpty && !test.Test.IsEmpty) { testRows = [.. test.Test.Order()]; pool = [.. test.Train.Order()]; }
        }
        var rows = pool?.Length ?? n;
        var split = settings.ValidationFraction > 0 && rows >= 2
            ? Cut(Prng.Fold(key, SplitFold), task, target.ClassIndices, rows, settings.ValidationFraction, pool)
            : null;
        var tooFew = split is { Train.IsEmpty: false } && split.Test.Length < MinValidationRows ? split.Test.Length : 0;
        if (tooFew > 0) split = null;
        ImmutableArray<int> trainRows = split is null || split.Train.IsEmpty ? pool is null ? [.. Enumerable.Range(0, n)] : [.. pool] : [.. split.Train.Order()];
        ImmutableArray<int> validRows = split is null || split.Train.IsEmpty ? [] : [.. split.Test.Order()];

        var stepsPerEpoch = settings.BatchSize == 0 ? 1L : Math.Max(1L, (trainRows.Length + (long)settings.BatchSize - 1) / settings.BatchSize);
        var optimizer = settings.Schedule is { } schedule
            ? WithSchedule(settings.Optimizer, schedule, stepsPerEpoch, settings.Epochs, label)
            : settings.Optimizer;
        var config = TrainConfig.Of(new Objective(loss, settings.L2, settings.Dropout), optimizer);
        var batches = settings.BatchSize == 0 ? BatchPolicy.FullBatch : BatchPolicy.MiniBatch(settings.BatchSize);
        return new RunPlan(task, output, loss, task != TaskKind.Regression ? target.Labels : [], [features, .. settings.Layers, outputs],
            settings.Init ?? Init.DefaultFor(settings.Activation), trainRows, validRows, Prng.Fold(key, InitFold), Prng.Fold(key, TrainFold), config, batches)
        {
            TestRows = testRows,
            TooFewValidationRows = tooFew,
        };
    }

    /// <summary>
    /// A stratified (classification) or plain split of <paramref name="count"/> rows from <paramref name="key"/>; with a
    /// <paramref name="pool"/> the split is of its rows (their class indices for stratification) and returns row numbers.
    /// </summary>
    private static TrainTestSplit Cut(Key key, TaskKind task, ImmutableArray<int> classIndices, int count, double fraction, int[]? pool)
    {
        var split = task == TaskKind.Classification
            ? Split.Stratified(key, pool is null ? classIndices : [.. pool.Select(r => classIndices[r])], fraction)
            : Split.TrainTest(key, count, fraction);
        return pool is null ? split : new TrainTestSplit([.. split.Train.Select(i => pool[i])], [.. split.Test.Select(i => pool[i])]);
    }

    /// <summary>The optimizer with <paramref name="schedule"/> (in steps) in place of the constant rate of its one <see cref="ScaleByLearningRate"/> link.</summary>
    private static GradientTransformation WithSchedule(GradientTransformation optimizer, EpochSchedule schedule, long stepsPerEpoch, int epochs, Func<string, string> label)
    {
        var rates = new List<double>();
        Find(optimizer);
        if (rates.Count != 1 || double.IsNaN(rates[0]))
            throw new ArgumentException($"{label(nameof(FitSettings.Schedule))}: the optimizer needs exactly one constant learning rate to schedule, it has {(rates.Count == 1 ? "a schedule already" : rates.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
        var steps = schedule.InSteps(rates[0], stepsPerEpoch, epochs, label);
        return Replace(optimizer);

        void Find(GradientTransformation t)
        {
            if (t is Chain c) foreach (var l in c.Links) Find(l);
            else if (t is ScaleByLearningRate { Schedule: Schedule.Constant k }) rates.Add(k.Rate);
            else if (t is ScaleByLearningRate) rates.Add(double.NaN);
        }

        GradientTransformation Replace(GradientTransformation t) => t switch
        {
            Chain c => new Chain([.. c.Links.Select(Replace)]),
            ScaleByLearningRate => new ScaleByLearningRate(steps),
            _ => t,
        };
    }

    /// <summary>
    /// The feature columns (0-based) that are constant over the plan's training rows of <paramref name="features"/>: they
    /// carry no information for the fit. Standard and min–max scaling give them scale 1 (a zero spread is never divided
    /// by), so they enter the network as 0; <see cref="FitSettings.DropConstant"/> drops them instead (<see cref="KeptColumns"/>).
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
    /// The feature columns (0-based, increasing) the network reads: all <paramref name="features"/> columns, or with
    /// <see cref="FitSettings.DropConstant"/> those not in <paramref name="constant"/> (at least one is kept).
    /// </summary>
    public static ImmutableArray<int> KeptColumns(FitSettings settings, int features, ImmutableArray<int> constant)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.DropConstant || constant.IsDefaultOrEmpty) return [.. Enumerable.Range(0, features)];
        var drop = constant.ToHashSet();
        ImmutableArray<int> kept = [.. Enumerable.Range(0, features).Where(c => !drop.Contains(c))];
        return kept.IsEmpty ? [.. Enumerable.Range(0, features)] : kept;
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
        ImmutableArray<TargetScaling> targetScalings = [];
        Matrix y;
        if (plan.Task == TaskKind.Regression)
        {
            // One standardisation per target column, so targets in different units weigh alike in the MSE.
            var columns = Matrix.Create(n, target.Width, target.Values);
            var ts = StandardScaler.Fit(plan.AllRows ? columns : columns.SelectRows(plan.TrainRows));
            targetScalings = [.. Enumerable.Range(0, target.Width).Select(c => new TargetScaling(ts.Means[c], ts.StdDevs[c]))];
            if (target.Width == 1) targetScaling = targetScalings[0];
            y = StandardScaler.Transform(ts, columns);
        }
        else if (plan.Task == TaskKind.Multilabel) y = Matrix.Create(n, target.Width, target.Values);
        else y = EncodeClasses(plan.Outputs, target.ClassIndices, plan.Labels.Length);
        var x = ScaleFeatures(scaling, features);
        var network = Nn.Init.Mlp(plan.InitKey, plan.Sizes, settings.Activation, plan.Output, plan.Init);
        var train = plan.AllRows ? new TrainingData(x, y) : new TrainingData(x.SelectRows(plan.TrainRows), y.SelectRows(plan.TrainRows));
        var validation = plan.ValidationRows.IsEmpty ? null : new TrainingData(x.SelectRows(plan.ValidationRows), y.SelectRows(plan.ValidationRows));
        return new PreparedRun(network, train, validation, scaling, targetScaling) { TargetScalings = targetScalings };
    }

    /// <summary>Class indices as a network's targets: the index itself for one (sigmoid) output, one-hot rows for several.</summary>
    public static Matrix EncodeClasses(int outputs, IReadOnlyList<int> classIndices, int classes) =>
        outputs == 1 ? Matrix.Init(classIndices.Count, 1, (r, _) => classIndices[r]) : Labels.OneHot(classIndices, classes);

    /// <summary>Raw features (m × features) scaled as recorded: <c>(x − Offset) / Scale</c> per column; unchanged for "none".</summary>
    public static Matrix ScaleFeatures(FeatureScaling scaling, Matrix raw) =>
        scaling.Kind == FeatureScaling.NoneKind ? raw : StandardScaler.Transform(new StandardScaler(scaling.Offset, scaling.Scale), raw);
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>What a NaN or infinite loss or gradient does to a training run (<c>--on-nan</c>).</summary>
public abstract record OnNan
{
    private OnNan() { }

    /// <summary>End training and write the model from the last completed epoch (the default).</summary>
    public sealed record Stop : OnNan;

    /// <summary>End training without writing a model.</summary>
    public sealed record Error : OnNan;

    /// <summary>The "stop" value.</summary>
    public static OnNan StopValue { get; } = new Stop();

    /// <summary>The "error" value.</summary>
    public static OnNan ErrorValue { get; } = new Error();

    internal static NameTable<OnNan> Table { get; } = new("on-nan policy", new("stop", StopValue, []), new("error", ErrorValue, []));

    /// <summary>The name on the command line: stop or error.</summary>
    public string Name => Table.NameOf(this);

    /// <summary>The policy named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">For another name.</exception>
    public static OnNan Parse(string name) => Table.Parse(name, nameof(name));

    /// <summary>The name.</summary>
    public sealed override string ToString() => Name;
}

/// <summary>
/// Everything <c>nn train</c> can be told, typed: the files, and the <see cref="FitSettings"/> that decide the numbers
/// (whose defaults are a user's who passes only the data and the output).
/// </summary>
public sealed record TrainSettings
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The training data: a CSV file with a header, a Parquet file, an .npy feature matrix (with <see cref="LabelsPath"/>), or an .npz with arrays x and y.</summary>
    public string DataPath { get; init; } = "";

    /// <summary>An .npy file of labels/targets, one per row of an .npy <see cref="DataPath"/>.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>The CSV target column; null = the last column.</summary>
    public string? Target { get; init; }

    /// <summary>
    /// A numeric column of the training data whose values weigh each row in the loss (and the validation loss), taken out
    /// of the features; with <see cref="FitSettings.ClassWeight"/> the two multiply. Null: none.
    /// </summary>
    public string? SampleWeight { get; init; }

    /// <summary>
    /// Several CSV or Parquet target columns (<c>--target a,b,c</c>), in output order: a multi-output regression, each
    /// target standardised on its own; when it holds two or more names it replaces <see cref="Target"/>. Empty: one target.
    /// </summary>
    public ImmutableArray<string> Targets { get; init; } = [];

    /// <summary>
    /// With <see cref="TaskKind.Multilabel"/> and one target column: the text between a cell's labels
    /// (<see cref="LabelSets.DefaultSeparator"/>, a semicolon, by default), recorded in the model.
    /// </summary>
    public string LabelSeparator { get; init; } = LabelSets.DefaultSeparator;

    /// <summary>Optional test data, evaluated after training (same format as the training data).</summary>
    public string? TestDataPath { get; init; }

    /// <summary>The settings that decide the numbers.</summary>
    public FitSettings Fit { get; init; } = FitSettings.Default;

    /// <summary>Write a checkpoint here after every epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Resume from this checkpoint.</summary>
    public string? ResumePath { get; init; }

    /// <summary>
    /// What a NaN or infinite loss or gradient does: stop (the default) ends training and writes the model from the last
    /// completed epoch; error ends it without writing a model. Either way <see cref="TrainJob.Run(TrainSettings, Action{TrainStart}?, IProgress{TrainerState}?, CancellationToken)"/> reports the
    /// <see cref="Divergence"/> and the checkpoint keeps the last completed epoch.
    /// </summary>
    public OnNan OnNan { get; init; } = OnNan.StopValue;

    /// <summary>Where to write the trained model.</summary>
    public string OutPath { get; init; } = "";

    /// <summary>The command-line flag of a <see cref="FitSettings"/> property: <c>--</c> and the name in kebab case (<c>BatchSize</c> → <c>--batch-size</c>).</summary>
    public static string Flag(string property)
    {
        var b = new StringBuilder("--");
        for (var i = 0; i < property.Length; i++)
        {
            if (char.IsUpper(property[i]) && i > 0) b.Append('-');
            b.Append(char.ToLowerInvariant(property[i]));
        }
        return b.ToString();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the flag when a value is out of range or a path is missing.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataPath)) throw new ArgumentException("--data: a training data file is required.");
        if (string.IsNullOrWhiteSpace(OutPath)) throw new ArgumentException("--out: an output model path is required.");
        if (string.IsNullOrEmpty(LabelSeparator)) throw new ArgumentException("--label-separator: expected a non-empty separator, e.g. ';'.");
        if (Targets.IsDefault) throw new ArgumentException("--target: Targets must not be a default ImmutableArray.");
        Fit.Validate(Flag);
    }
}

/// <summary>The training settings a model file records, as text (the model file's <c>training</c> entry).</summary>
public static class RecordedSettings
{
    /// <summary>
    /// The settings that decide the model's numbers, in a fixed order (paths and threads excluded): the plan's decisions
    /// (task, output, loss) and the settings as given. A named optimizer is recorded by its name and rate
    /// (<c>optimizer</c> = adam, <c>lr</c> = 0.001, <c>clip_norm</c> = 0); any other chain by its description. The settings
    /// added since (<c>drop_constant</c>, <c>min_epochs</c>, <c>test_fraction</c>, <c>schedule</c> with its parameters,
    /// <c>warmup</c>) follow only when they differ from their defaults, so a run without them records the same bytes as before.
    /// </summary>
    public static ImmutableArray<Setting> Of(FitSettings s, RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(plan);
        var (optimizer, rate, clip) = Describe(s.Optimizer);
        ImmutableArray<Setting> always =
        [
            new("task", TaskKinds.Name(plan.Task)),
            new("layers", string.Join(",", s.Layers)),
            new("activation", s.Activation.ToString()),
            new("output", plan.Output.Name),
            new("loss", plan.Loss.Name),
            new("optimizer", optimizer),
            new("lr", rate),
            new("epochs", s.Epochs.ToString(CultureInfo.InvariantCulture)),
            new("batch_size", s.BatchSize == 0 ? "full" : s.BatchSize.ToString(CultureInfo.InvariantCulture)),
            new("l2", F(s.L2)),
            new("dropout", F(s.Dropout)),
            new("init", InitName(s.Init)),
            new("scale", s.Scaling.Name),
            new("validation_fraction", F(s.ValidationFraction)),
            new("patience", s.Patience.ToString(CultureInfo.InvariantCulture)),
            new("clip_norm", F(clip)),
            new("seed", s.Seed.ToString(CultureInfo.InvariantCulture)),
        ];
        var added = new List<Setting>();
        if (s.DropConstant) added.Add(new("drop_constant", "true"));
        if (s.ClassWeight is { } classWeight) added.Add(new("class_weight", classWeight.ToString()));
        if (s.MinEpochs > 0) added.Add(new("min_epochs", I(s.MinEpochs)));
        if (s.TestFraction > 0) added.Add(new("test_fraction", F(s.TestFraction)));
        if (s.Schedule is { } schedule)
        {
            added.Add(new("schedule", EpochSchedule.Name(schedule.Kind)));
            switch (schedule.Kind)
            {
                case ScheduleKind.Step:
                    added.Add(new("lr_factor", F(schedule.FactorOrDefault)));
                    added.Add(new("lr_every", I(schedule.Every)));
                    break;
                case ScheduleKind.Exponential:
                    added.Add(new("lr_factor", F(schedule.FactorOrDefault)));
                    break;
                case ScheduleKind.Cosine:
                    added.Add(new("lr_min", F(schedule.Minimum)));
                    added.Add(new("lr_epochs", schedule.Length == 0 ? "auto" : I(schedule.Length)));
                    break;
                case ScheduleKind.Constant:
                default:
                    break;
            }
            if (schedule.Warmup > 0) added.Add(new("warmup", I(schedule.Warmup)));
        }
        return [.. always, .. added];
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The short names <c>--init</c> takes for the normal schemes, and "auto" for the default.</summary>
    internal static string InitName(InitScheme? init) => init switch
    {
        null => "auto",
        InitScheme.HeNormal => "he",
        InitScheme.XavierNormal => "xavier",
        InitScheme.LeCunNormal => "lecun",
        _ => init.Name,
    };

    /// <summary>
    /// A chain <c>[ClipByGlobalNorm(c)?, named optimizer]</c> as (name, rate, c); any other as (its description, its
    /// learning-rate schedule or "", 0).
    /// </summary>
    internal static (string Name, string Rate, double Clip) Describe(GradientTransformation optimizer)
    {
        var (inner, clip) = optimizer is Chain { Links: [ClipByGlobalNorm c, var rest] } ? (rest, c.MaxNorm) : (optimizer, 0.0);
        if (inner is Chain { Links: [.., ScaleByLearningRate { Schedule: Schedule.Constant rate }] })
            foreach (var name in Optimizers.Names)
                if (Optimizers.Parse(name, rate.Rate).Equals(inner)) return (name, F(rate.Rate), clip);
        return (optimizer.ToString(), "", 0.0);
    }

    /// <summary>
    /// How many parameter-sized moments the optimizer keeps: 2 for <see cref="ScaleByAdam"/>, 1 for momentum and RMSProp,
    /// and 2 for a transformation the library does not know (a guess on the safe side).
    /// </summary>
    internal static int Moments(GradientTransformation optimizer) => optimizer switch
    {
        Chain c => c.Links.Sum(Moments),
        ScaleByAdam => 2,
        ScaleByMomentum or ScaleByRms => 1,
        ClipByGlobalNorm or AddDecayedWeights or ScaleByLearningRate => 0,
        _ => 2,
    };

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

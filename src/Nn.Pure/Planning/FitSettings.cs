using System.Collections.Immutable;
using System.Globalization;

namespace Nn;

/// <summary>
/// Everything that decides a fit's numbers, typed: what <c>nn train</c> and the one-call fit from code are told. The
/// defaults are a user's who says nothing: two hidden ReLU layers (64, 32), the output and loss paired with the task,
/// Adam with lr 0.001, batches of 32, up to 200 epochs with early stopping (patience 20) on a 10% validation split
/// restoring the best weights (when the validation split has at least
/// <see cref="RunPlans.MinValidationRows"/> rows; else every row trains for every epoch), standardised features (and, for regression, a standardised target), seed 0.
/// </summary>
/// <remarks>Null for <see cref="Task"/>, <see cref="Output"/>, <see cref="Loss"/> and <see cref="Init"/> means "decide
/// from the data" (see <see cref="RunPlans.Decide"/>). <see cref="Compute"/> changes the speed only, never a bit.</remarks>
public sealed record FitSettings
{
    /// <summary>The defaults.</summary>
    public static FitSettings Default { get; } = new();

    /// <summary>Classification or regression; null infers it from the targets (<see cref="TargetEncoding.Infer"/>).</summary>
    public TaskKind? Task { get; init; }

    /// <summary>Hidden layer widths, input side first (an array or an F# list).</summary>
    public IReadOnlyList<int> Layers { get => layers.Items; init => layers = new(value); }

    private Widths layers = new([64, 32]);

    /// <summary>The hidden activation (not softmax).</summary>
    public Activation Activation { get; init; } = Activations.Relu;

    /// <summary>The output activation (sigmoid, softmax or linear); null: linear for regression, sigmoid for two classes, softmax for more.</summary>
    public Activation? Output { get; init; }

    /// <summary>The loss; null pairs it with the output (<see cref="Losses.PairedWith"/>).</summary>
    public Loss? Loss { get; init; }

    /// <summary>The optimizer, with its learning rate or schedule and any clipping (<see cref="Optimizers"/>).</summary>
    public GradientTransformation Optimizer { get; init; } = Optimizers.Adam(0.001);

    /// <summary>The total number of epochs (a resumed run continues up to this total).</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Examples per mini-batch; 0 = full batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The L2 coefficient λ ≥ 0.</summary>
    public double L2 { get; init; }

    /// <summary>The dropout rate on hidden layers, in [0, 1).</summary>
    public double Dropout { get; init; }

    /// <summary>The initialisation; null: He for the ReLU family, Xavier otherwise (<see cref="Nn.Init.DefaultFor"/>).</summary>
    public InitScheme? Init { get; init; }

    /// <summary>The feature scaling, fitted on the training rows.</summary>
    public Scaling Scaling { get; init; } = Scalings.Standard;

    /// <summary>The fraction of the rows held out for validation and early stopping, in [0, 1) (0 = none).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without a better validation loss (0 = never).</summary>
    public int Patience { get; init; } = 20;

    /// <summary>The seed of every random choice (initialisation, validation split, shuffling, dropout).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Drop the feature columns that are constant over the training rows (the model then records only the features it
    /// uses, and predicts from those columns alone: <c>nn eval</c> and <c>nn predict</c> read CSV columns by name; from
    /// code, pass the columns <c>Model.Info.FeatureNames</c> names, <c>x1</c>, <c>x2</c>, … by 1-based position in the fitted
    /// matrix); by default they are kept, with scale 1 (so they enter the network as 0).
    /// </summary>
    public bool DropConstant { get; init; }

    /// <summary>Early stopping may stop only after this many epochs (0 = as soon as the patience runs out).</summary>
    public int MinEpochs { get; init; }

    /// <summary>
    /// The fraction of the rows held out as a test split, in [0, 1) (0 = none): stratified for classification, from a key
    /// of its own; never trained on, never used for early stopping, evaluated after training. The validation split is
    /// then taken from the remaining rows.
    /// </summary>
    public double TestFraction { get; init; }

    /// <summary>
    /// A learning-rate schedule in epochs, built into the optimizer's <see cref="ScaleByLearningRate"/> link (whose constant
    /// rate is its starting rate) by the plan; null (the default) leaves the optimizer as it is.
    /// </summary>
    public EpochSchedule? Schedule { get; init; }

    /// <summary>
    /// Weights per class in the loss (classification only; see <see cref="Nn.ClassWeight"/> and
    /// <see cref="RunPlans.RowWeights"/>); null (the default) weighs every row 1, with the bits of an unweighted fit.
    /// </summary>
    public ClassWeight? ClassWeight { get; init; }

    /// <summary>Threads for the kernels: the speed, never the result.</summary>
    public ComputeOptions Compute { get; init; } = ComputeOptions.Default;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> for a value out of range; the message starts with the setting's name as
    /// <paramref name="label"/> gives it (the property name by default; <c>nn train</c> passes its flags).
    /// </summary>
    public void Validate(Func<string, string>? label = null)
    {
        label ??= static name => name;
        if (Layers.Any(w => w < 1)) throw new ArgumentException($"{label(nameof(Layers))}: every width must be >= 1, got {string.Join(",", Layers)}.");
        ArgumentNullException.ThrowIfNull(Activation, nameof(Activation));
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        ArgumentNullException.ThrowIfNull(Scaling, nameof(Scaling));
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        if (Activation is Nn.Activation.Softmax) throw new ArgumentException($"{label(nameof(Activation))}: softmax is for the output layer only (see {label(nameof(Output))}).");
        if (Output is { } o && !OutputActivations.Contains(o))
            throw new ArgumentException($"{label(nameof(Output))}: expected auto, {string.Join(", ", OutputActivations.Take(OutputActivations.Length - 1))} or {OutputActivations[^1]}, got '{o}'.");
        if (Epochs < 1) throw new ArgumentException($"{label(nameof(Epochs))}: expected at least 1, got {Epochs}.");
        if (BatchSize < 0) throw new ArgumentException($"{label(nameof(BatchSize))}: expected a positive number or 'full', got {BatchSize}.");
        if (!(L2 >= 0) || !double.IsFinite(L2)) throw new ArgumentException($"{label(nameof(L2))}: expected a number >= 0, got {F(L2)}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"{label(nameof(Dropout))}: expected a rate in [0, 1), got {F(Dropout)}.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentException($"{label(nameof(ValidationFraction))}: expected a fraction in [0, 1), got {F(ValidationFraction)}.");
        if (Patience < 0) throw new ArgumentException($"{label(nameof(Patience))}: expected 0 or more, got {Patience}.");
        if (MinEpochs < 0) throw new ArgumentException($"{label(nameof(MinEpochs))}: expected 0 or more, got {MinEpochs}.");
        if (!(TestFraction >= 0 && TestFraction < 1)) throw new ArgumentException($"{label(nameof(TestFraction))}: expected a fraction in [0, 1), got {F(TestFraction)}.");
        Schedule?.Validate(label);
    }

    /// <summary>The output activations a fit accepts: sigmoid, softmax and linear.</summary>
    public static ImmutableArray<Activation> OutputActivations { get; } = [Activations.Sigmoid, Activations.Softmax, Activations.Linear];

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private bool PrintMembers(System.Text.StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Widths with value equality (an array field alone would compare by reference).</summary>
    private sealed class Widths(IReadOnlyList<int> items) : IEquatable<Widths>
    {
        public ImmutableArray<int> Items { get; } = [.. items ?? throw new ArgumentNullException(nameof(Layers))];

        public bool Equals(Widths? other) => other is not null && Items.SequenceEqual(other.Items);

        public override bool Equals(object? obj) => Equals(obj as Widths);

        public override int GetHashCode() => Items.Aggregate(Items.Length, HashCode.Combine);

        public override string ToString() => $"[{string.Join(", ", Items)}]";
    }
}

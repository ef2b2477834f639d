using System.Collections.Immutable;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// The per-feature input transform a model was trained with: <c>x′[j] = (x[j] − Offset[j]) / Scale[j]</c>.
/// </summary>
/// <param name="Kind">"standard" (Offset = means, Scale = standard deviations), "minmax" (Offset = minima, Scale = ranges)
/// or "none" (Offset 0, Scale 1).</param>
/// <param name="Offset">The per-feature offsets, length = the network's input size.</param>
/// <param name="Scale">The per-feature divisors, length = the network's input size, finite and non-zero.</param>
public sealed record FeatureScaling(string Kind, Vector Offset, Vector Scale)
{
    /// <summary>The kind of a standardising transform.</summary>
    public const string StandardKind = "standard";

    /// <summary>The kind of a min-max transform.</summary>
    public const string MinMaxKind = "minmax";

    /// <summary>The kind of the identity transform.</summary>
    public const string NoneKind = "none";

    /// <summary>The identity on <paramref name="features"/> features: Offset 0, Scale 1.</summary>
    public static FeatureScaling None(int features) => new(NoneKind, Vector.Zeros(features), Vector.Fill(features, 1.0));

    /// <summary>The transform of a fitted <see cref="StandardScaler"/>: Offset = means, Scale = standard deviations.</summary>
    public static FeatureScaling Standard(StandardScaler scaler) => new(StandardKind, scaler.Means, scaler.StdDevs);

    /// <summary>The transform of a fitted <see cref="MinMaxScaler"/>: Offset = minima, Scale = ranges.</summary>
    public static FeatureScaling MinMax(MinMaxScaler scaler) => new(MinMaxKind, scaler.Mins, scaler.Ranges);
}

/// <summary>
/// The target transform of a regression model: the network was trained on <c>y′ = (y − Offset) / Scale</c>, and its
/// predictions map back with <c>y = y′·Scale + Offset</c>.
/// </summary>
/// <param name="Offset">The offset, finite.</param>
/// <param name="Scale">The divisor, finite and non-zero.</param>
public sealed record TargetScaling(double Offset, double Scale);

/// <summary>One training setting recorded with a model, e.g. <c>("optimizer", "adam")</c>, <c>("lr", "0.001")</c>, <c>("seed", "42")</c>.</summary>
/// <param name="Name">The setting's name, unique within a model.</param>
/// <param name="Value">Its value as text.</param>
public sealed record Setting(string Name, string Value);

/// <summary>Everything a model file records besides the parameters: what the network predicts and how it was made.</summary>
/// <param name="Task">Classification or regression.</param>
/// <param name="FeatureNames">The input features' names, one per network input, in input order.</param>
/// <param name="TargetName">The name of the target column.</param>
/// <param name="Labels">The class names in class-index order (one per output; a one-output sigmoid classifier may have two,
/// for classes 0 and 1); empty for regression.</param>
/// <param name="Loss">The loss the network was trained with.</param>
/// <param name="Scaling">The input transform to apply before the network.</param>
/// <param name="TargetScaling">The target transform of a regression model, or null.</param>
/// <param name="Training">The training settings, in the order given (names unique).</param>
/// <param name="DataSha256">The lowercase hex SHA-256 of the training data file (64 characters), or empty when unknown.</param>
public sealed record ModelInfo(TaskKind Task, ImmutableArray<string> FeatureNames, string TargetName, ImmutableArray<string> Labels,
    Loss Loss, FeatureScaling Scaling, TargetScaling? TargetScaling, ImmutableArray<Setting> Training, string DataSha256)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Value equality, with the arrays compared element by element.</summary>
    public bool Equals(ModelInfo? other) =>
        other is not null && Task == other.Task && FeatureNames.SequenceEqual(other.FeatureNames) && TargetName == other.TargetName &&
        Labels.SequenceEqual(other.Labels) && Loss == other.Loss && Scaling == other.Scaling && TargetScaling == other.TargetScaling &&
        Training.SequenceEqual(other.Training) && DataSha256 == other.DataSha256;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Task, FeatureNames.Length, TargetName, Labels.Length, Loss, Training.Length, DataSha256);
}

/// <summary>A trained network together with what it needs to be used: feature names, labels, scaling, provenance.</summary>
/// <param name="Network">The parameters and activations.</param>
/// <param name="Info">The description of inputs, outputs and training.</param>
public sealed record Model(Network Network, ModelInfo Info);

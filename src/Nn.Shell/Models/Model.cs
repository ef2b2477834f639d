using System.Collections.Immutable;
using System.Text;

namespace Nn.Shell;

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

    /// <summary>
    /// The target columns of a model with several targets (a multi-output regression: one output per target, in this
    /// order; <see cref="TargetName"/> is the first); empty for a model with one target.
    /// </summary>
    public ImmutableArray<string> TargetNames { get; init; } = [];

    /// <summary>
    /// The target transforms of a multi-output regression, one per <see cref="TargetNames"/> entry (<see cref="TargetScaling"/>
    /// is then null); empty otherwise.
    /// </summary>
    public ImmutableArray<TargetScaling> TargetScalings { get; init; } = [];

    /// <summary>
    /// A multilabel model trained on one column of delimited labels: the text between a cell's labels (e.g. <c>;</c>), so
    /// that evaluation splits cells as training did; null otherwise (a multilabel model on 0/1 columns has <see cref="TargetNames"/>).
    /// </summary>
    public string? LabelSeparator { get; init; }

    /// <summary>Every target column in output order: <see cref="TargetNames"/>, or <see cref="TargetName"/> alone.</summary>
    public ImmutableArray<string> Targets => TargetNames.IsDefaultOrEmpty ? [TargetName] : TargetNames;

    /// <summary>Value equality, with the arrays compared element by element.</summary>
    public bool Equals(ModelInfo? other) =>
        other is not null && Task == other.Task && Targets.SequenceEqual(other.Targets) && LabelSeparator == other.LabelSeparator
        && (TargetScalings.IsDefault ? [] : TargetScalings).SequenceEqual(other.TargetScalings.IsDefault ? [] : other.TargetScalings) && FeatureNames.SequenceEqual(other.FeatureNames) && TargetName == other.TargetName &&
        Labels.SequenceEqual(other.Labels) && Loss == other.Loss && Scaling == other.Scaling && TargetScaling == other.TargetScaling &&
        Training.SequenceEqual(other.Training) && DataSha256 == other.DataSha256;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Task, FeatureNames.Length, TargetName, Labels.Length, Loss, Training.Length, DataSha256);
}

/// <summary>A trained network together with what it needs to be used: feature names, labels, scaling, provenance.</summary>
/// <param name="Network">The parameters and activations.</param>
/// <param name="Info">The description of inputs, outputs and training.</param>
public sealed partial record Model(Network Network, ModelInfo Info);

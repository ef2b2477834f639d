namespace Nn.MLNet;

/// <summary>
/// What an Nn trainer in an ML.NET pipeline is told: the input columns, and the <see cref="FitSettings"/> that decide the
/// numbers (hidden layers, activation, optimizer and learning rate, epochs, batch size, validation split and early stopping,
/// seed, …), with the defaults of <c>nn train</c>.
/// </summary>
/// <example>
/// <code>
/// var options = NnMlpOptions.Default with { Settings = FitSettings.Default with { Layers = [32], Epochs = 100, Seed = 1 } };
/// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
///     .Append(mlContext.MulticlassClassification.Trainers.NnMlp(options));
/// </code>
/// </example>
public sealed record NnMlpOptions
{
    /// <summary>The defaults: columns <c>Features</c> and <c>Label</c>, <see cref="FitSettings.Default"/>.</summary>
    public static NnMlpOptions Default { get; } = new();

    /// <summary>The known-size vector column of <c>float</c> or <c>double</c> features (default <c>Features</c>).</summary>
    public string FeatureColumnName { get; init; } = "Features";

    /// <summary>
    /// The label column (default <c>Label</c>): a key (multiclass, as <c>MapValueToKey</c> makes it), a <c>bool</c> (binary)
    /// or a <c>float</c>/<c>double</c> (regression).
    /// </summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>
    /// The fit's settings, passed to <see cref="Nn.Shell.Model.Fit{T}"/>. <see cref="FitSettings.Task"/> may stay null (the
    /// catalog decides it); set to the other task it is refused.
    /// </summary>
    public FitSettings Settings { get; init; } = FitSettings.Default;

    /// <summary>Options with these fit settings and the default columns (for F#, which cannot use <c>with</c> on C# records).</summary>
    public static NnMlpOptions Of(FitSettings settings) => new() { Settings = settings ?? throw new ArgumentNullException(nameof(settings)) };

    /// <summary>A copy reading other columns.</summary>
    public NnMlpOptions WithColumns(string featureColumnName, string labelColumnName) =>
        this with { FeatureColumnName = featureColumnName, LabelColumnName = labelColumnName };
}

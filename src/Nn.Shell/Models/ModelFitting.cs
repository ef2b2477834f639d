using System.Collections.Immutable;
using System.Globalization;

namespace Nn.Shell;

/// <summary>
/// One call from code: fit a model on features and targets in memory with the plan, checks and defaults of
/// <c>nn train</c> (the same code path), then predict, score, save and load it.
/// </summary>
/// <example>
/// <code>
/// var model = Model.Fit(x, labels, FitSettings.Default with { Layers = [16], Epochs = 100 });
/// var accuracy = model.Score(xTest, labelsTest);
/// model.Save("iris.safetensors");
/// </code>
/// </example>
public sealed partial record Model
{
    /// <summary>The name a fit from memory gives the i-th feature column (1-based): x1, x2, …</summary>
    public static string FeatureName(int column) => string.Create(CultureInfo.InvariantCulture, $"x{column + 1}");

    /// <summary>The name a fit from memory gives the target: y.</summary>
    public const string TargetName = "y";

    /// <summary>
    /// Fits a model on <paramref name="features"/> (m × features, finite) and <paramref name="targets"/> (m values: class
    /// labels as strings or numbers, or regression values; an array or an F# list). The task is inferred from the targets
    /// as <c>nn train</c> infers it (whole numbers with few distinct values or text: classification; other numbers:
    /// regression) unless <paramref name="settings"/> says; everything else follows <see cref="FitSettings"/> (default:
    /// <see cref="FitSettings.Default"/>). Returns the model of the best validation epoch when early stopping restores it.
    /// </summary>
    /// <exception cref="ArgumentException">When the counts differ, a feature is not finite, or a setting is out of range.</exception>
    /// <exception cref="DataFileException">When the targets are refused as <c>nn train</c> refuses a target column (an empty
    /// label, a number column with a few text cells, a single class, …); the message names the row.</exception>
    /// <exception cref="TrainingDivergedException">When the loss or a parameter stopped being finite.</exception>
    public static Model Fit<T>(Matrix features, IReadOnlyList<T> targets, FitSettings? settings = null) where T : notnull =>
        TrainJob.Fit(settings ?? FitSettings.Default, InMemory(features, targets), null, CancellationToken.None).Model;

    /// <summary>
    /// The prediction for raw features (m × features): class probabilities and indices (classification) or values in the
    /// target's units (regression). The features are scaled as in training.
    /// </summary>
    public Prediction Predict(Matrix features) => Predictor.Predict(this, CheckFeatures(features, nameof(features)));

    /// <summary>The predicted label of each row (classification); the labels are those the model was fitted on, as text.</summary>
    /// <exception cref="InvalidOperationException">For a regression or multilabel model (use <see cref="Predict"/>).</exception>
    public ImmutableArray<string> PredictLabels(Matrix features) => Predict(features) switch
    {
        Prediction.Classification c => [.. c.Classes.Select(i => Info.Labels[i])],
        _ => throw new InvalidOperationException("A regression or multilabel model predicts values or label sets, not one label per row; use Predict."),
    };

    /// <summary>
    /// The class probabilities (m × classes, columns in the order of <see cref="ModelInfo.Labels"/>); for a multilabel model
    /// each label's own probability (m × labels, rows need not sum to 1).
    /// </summary>
    /// <exception cref="InvalidOperationException">For a regression model.</exception>
    public Matrix PredictProbabilities(Matrix features) => Predict(features) switch
    {
        Prediction.Classification c => c.Probabilities,
        Prediction.Multilabel m => m.Probabilities,
        _ => throw new InvalidOperationException("A regression model has no class probabilities; use Predict."),
    };

    /// <summary>Every metric <c>nn eval</c> reports, on features and targets in memory (the targets as for <see cref="Fit"/>).</summary>
    /// <exception cref="DataFileException">When a label was never seen in training, or a regression target is not a number.</exception>
    public EvalReport Evaluate<T>(Matrix features, IReadOnlyList<T> targets) where T : notnull =>
        EvalJob.Evaluate(this, InMemory(CheckFeatures(features, nameof(features)), targets) with { FeatureNames = Info.FeatureNames, TargetName = Info.TargetName });

    /// <summary>
    /// scikit-learn's <c>score</c>: the accuracy for a classifier, R² for a regressor (NaN when a prediction is not finite).
    /// </summary>
    public double Score<T>(Matrix features, IReadOnlyList<T> targets) where T : notnull => Evaluate(features, targets) switch
    {
        EvalReport.Classification c => c.Metrics.Report.Accuracy,
        EvalReport.Regression r => r.Metrics.R2,
        _ => double.NaN,
    };

    /// <summary>Writes the model to <paramref name="path"/> (safetensors, atomically; see <see cref="ModelFile"/>).</summary>
    public void Save(string path) => ModelFile.Save(path, this);

    /// <summary>Reads the model file at <paramref name="path"/>; a model with custom components needs them given (<see cref="ModelFile.Load"/>).</summary>
    /// <exception cref="ModelFileException">When the file is not a valid Nn model, or uses a component it does not know.</exception>
    public static Model Load(string path, IReadOnlyList<Activation>? activations = null, IReadOnlyList<Loss>? losses = null) =>
        ModelFile.Load(path, activations, losses);

    /// <summary>Features and targets as loaded data, the targets as text cells (numbers in round-trip form), so the fit reads them as it reads a file's column.</summary>
    internal static LoadedData InMemory<T>(Matrix features, IReadOnlyList<T> targets) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count != features.Rows)
            throw new ArgumentException($"There are {features.Rows} feature rows but {targets.Count} targets.", nameof(targets));
        CheckFeatures(features, nameof(features));
        ImmutableArray<string> cells = [.. targets.Select(Cell)];
        return new LoadedData("targets", [.. Enumerable.Range(0, features.Cols).Select(FeatureName)], features, TargetName, cells, "");
    }

    private static string Cell<T>(T value) where T : notnull => value switch
    {
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static Matrix CheckFeatures(Matrix features, string name)
    {
        ArgumentNullException.ThrowIfNull(features, name);
        var data = features.AsSpan();
        for (var i = 0; i < data.Length; i++)
            if (!double.IsFinite(data[i]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Row {i / features.Cols} column {i % features.Cols} of the features is {data[i]}; every feature must be a finite number."), name);
        return features;
    }
}

using Microsoft.ML;

namespace Nn.MLNet;

/// <summary>
/// The Nn trainers on ML.NET's catalogs: <c>mlContext.BinaryClassification.Trainers.NnMlp(options)</c>,
/// <c>mlContext.MulticlassClassification.Trainers.NnMlp(options)</c> and <c>mlContext.Regression.Trainers.NnMlp(options)</c>.
/// </summary>
public static class NnMlpCatalog
{
    /// <summary>
    /// A binary classifier: a <c>bool</c> label; outputs <c>Score</c> (the margin ln(p / (1 − p))), <c>Probability</c> (p of
    /// true) and <c>PredictedLabel</c> (bool), as <c>BinaryClassification.Evaluate</c> reads them.
    /// </summary>
    /// <exception cref="ArgumentException">When a setting is out of range, or <see cref="FitSettings.Task"/> is regression.</exception>
    public static NnMlpEstimator NnMlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, NnMlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new NnMlpEstimator(MlTask.Binary, options);
    }

    /// <summary>
    /// A multiclass classifier: a key label (<c>MapValueToKey</c>); outputs <c>Score</c> (a vector with the probability of
    /// each key value) and <c>PredictedLabel</c> (a key with the label's key values), as
    /// <c>MulticlassClassification.Evaluate</c> reads them.
    /// </summary>
    /// <exception cref="ArgumentException">When a setting is out of range, or <see cref="FitSettings.Task"/> is regression.</exception>
    public static NnMlpEstimator NnMlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, NnMlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new NnMlpEstimator(MlTask.Multiclass, options);
    }

    /// <summary>A regressor: a <c>float</c> or <c>double</c> label; outputs <c>Score</c> (float), as <c>Regression.Evaluate</c> reads it.</summary>
    /// <exception cref="ArgumentException">When a setting is out of range, or <see cref="FitSettings.Task"/> is classification.</exception>
    public static NnMlpEstimator NnMlp(this RegressionCatalog.RegressionTrainers catalog, NnMlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new NnMlpEstimator(MlTask.Regression, options);
    }

    /// <summary>A binary classifier with <see cref="NnMlpOptions.Default"/>.</summary>
    public static NnMlpEstimator NnMlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog) => catalog.NnMlp(NnMlpOptions.Default);

    /// <summary>A multiclass classifier with <see cref="NnMlpOptions.Default"/>.</summary>
    public static NnMlpEstimator NnMlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog) => catalog.NnMlp(NnMlpOptions.Default);

    /// <summary>A regressor with <see cref="NnMlpOptions.Default"/>.</summary>
    public static NnMlpEstimator NnMlp(this RegressionCatalog.RegressionTrainers catalog) => catalog.NnMlp(NnMlpOptions.Default);
}

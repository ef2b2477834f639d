using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>
/// The sample-weighted metrics of <c>nn eval --sample-weight COLUMN</c>, as scikit-learn's <c>sample_weight</c> gives
/// them (<see cref="WeightedScores"/>). Match on the cases: <see cref="Classification"/> or <see cref="Regression"/>.
/// </summary>
public abstract record WeightedMetrics
{
    private WeightedMetrics(string column) => Column = column;

    /// <summary>The column the weights came from.</summary>
    public string Column { get; }

    /// <summary>A classifier's weighted accuracy and log loss.</summary>
    /// <param name="Column">The weight column.</param>
    /// <param name="Accuracy">Σ wᵢ·[right] / Σ w.</param>
    /// <param name="LogLoss">Σ wᵢ·(−log pᵢ) / Σ w, clipped as the unweighted log loss.</param>
    public sealed record Classification(string Column, double Accuracy, double LogLoss) : WeightedMetrics(Column);

    /// <summary>A regression model's weighted R², MSE, RMSE and MAE in the target's units.</summary>
    /// <param name="Column">The weight column.</param>
    /// <param name="R2">The weighted R² (about the weighted mean).</param>
    /// <param name="Mse">Σ wᵢ(yᵢ − ŷᵢ)² / Σ w.</param>
    /// <param name="Rmse">√MSE.</param>
    /// <param name="Mae">Σ wᵢ|yᵢ − ŷᵢ| / Σ w.</param>
    public sealed record Regression(string Column, double R2, double Mse, double Rmse, double Mae) : WeightedMetrics(Column);

    /// <summary>Writes <c>column</c> and the metrics (<c>accuracy, log_loss</c> or <c>r2, mse, rmse, mae</c>) into an object the caller has opened.</summary>
    public void WriteFields(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString("column", Column);
        switch (this)
        {
            case Classification c:
                JsonNumber.Write(w, "accuracy", c.Accuracy);
                JsonNumber.Write(w, "log_loss", c.LogLoss);
                break;
            case Regression r:
                JsonNumber.Write(w, "r2", r.R2);
                JsonNumber.Write(w, "mse", r.Mse);
                JsonNumber.Write(w, "rmse", r.Rmse);
                JsonNumber.Write(w, "mae", r.Mae);
                break;
            default:
                throw new InvalidOperationException("Unknown weighted metrics case.");
        }
    }
}

/// <summary><c>nn eval --sample-weight</c>: reading the weight column beside the model's features, and the weighted metrics.</summary>
public static class WeightedEval
{
    /// <summary>
    /// The columns to read for a model with a weight column: the model's features, then <paramref name="column"/>.
    /// </summary>
    /// <exception cref="ArgumentException">When the column is one of the model's features or the target (naming --sample-weight).</exception>
    public static ImmutableArray<string> Columns(Model model, string column, string target)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Info.FeatureNames.Contains(column))
            throw new ArgumentException($"--sample-weight: '{column}' is one of the model's features; name a column of weights.");
        if (column == target)
            throw new ArgumentException($"--sample-weight: '{column}' is the target column; name a column of weights.");
        return [.. model.Info.FeatureNames, column];
    }

    /// <summary>
    /// Splits data read with <see cref="Columns"/> into the model's features and the weights (the last column), refusing a
    /// negative weight at its line and a column of zeros.
    /// </summary>
    /// <exception cref="ArgumentException">For NumPy data (no column names).</exception>
    /// <exception cref="DataFileException">For a negative weight or weights that are all 0.</exception>
    public static (LoadedData Data, ImmutableArray<double> Weights) Take(LoadedData data, Model model, string column)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        if (data.TargetField == 0) throw new ArgumentException("--sample-weight: names a CSV or Parquet column; NumPy data has no column names.");
        var j = data.Features.Cols - 1;
        var w = new double[data.Count];
        var any = false;
        for (var r = 0; r < w.Length; r++)
        {
            var v = data.Features[r, j];
            if (!(v >= 0) || double.IsInfinity(v))
                throw new DataFileException(data.Source, data.TargetLines.IsDefaultOrEmpty ? r + 2 : data.TargetLines[r], 0,
                    string.Create(CultureInfo.InvariantCulture, $"sample weight {v:R} in column '{column}' (--sample-weight): expected a number >= 0."));
            w[r] = v;
            any |= v > 0;
        }
        if (!any) throw new DataFileException(data.Source, data.HeaderLine, 0, $"every sample weight in column '{column}' (--sample-weight) is 0; at least one row must weigh more.");
        return (data.WithColumns([.. Enumerable.Range(0, j)]) with { FeatureNames = model.Info.FeatureNames }, [.. w]);
    }

    /// <summary>The weighted accuracy and log loss (classification) or R², MSE, RMSE and MAE (regression) of the model on the data.</summary>
    /// <exception cref="DataFileException">When a label was never seen in training, or a regression target is not a number.</exception>
    public static WeightedMetrics Evaluate(Model model, LoadedData data, ImmutableArray<double> weights, string column, ComputeOptions? compute = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var w = Vector.Create(weights);
        var prediction = Predictor.Predict(model, data.Features, compute);
        switch (prediction)
        {
            case Prediction.Regression p:
            {
                var truth = Vector.Create(data.EncodeTarget(TaskKind.Regression).Values);
                var predicted = Vector.Create(p.Values);
                var mse = WeightedScores.MeanSquaredError(truth, predicted, w);
                return new WeightedMetrics.Regression(column, WeightedScores.RSquared(truth, predicted, w), mse, Math.Sqrt(mse),
                    WeightedScores.MeanAbsoluteError(truth, predicted, w));
            }
            case Prediction.Classification p:
            {
                var truth = data.EncodeTarget(model.Info.Labels).ClassIndices;
                return new WeightedMetrics.Classification(column, WeightedScores.Accuracy(truth, p.Classes, w), WeightedScores.LogLoss(truth, p.Probabilities, w));
            }
            default:
                throw new InvalidOperationException("Unknown prediction case.");
        }
    }
}

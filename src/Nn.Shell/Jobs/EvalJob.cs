using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>Classification metrics of a model on labelled data.</summary>
/// <param name="Labels">The class names, in class-index order.</param>
/// <param name="Report">Per-class and averaged precision, recall and F1.</param>
/// <param name="Confusion">The confusion matrix (rows: true class, columns: predicted).</param>
/// <param name="Top2Accuracy">The fraction of examples whose class is among the two most probable.</param>
/// <param name="Calibration">The expected calibration error over 10 equal-width bins, with its table.</param>
/// <param name="LogLoss">The mean negative log-probability of the true class (clipped at 1e-15).</param>
public sealed record ClassificationMetrics(ImmutableArray<string> Labels, ClassificationReport Report, ConfusionMatrix Confusion,
    double Top2Accuracy, CalibrationReport Calibration, double LogLoss)
{
    /// <summary>Sequence equality of the labels.</summary>
    public bool Equals(ClassificationMetrics? other) =>
        other is not null && Labels.SequenceEqual(other.Labels) && Report == other.Report && Confusion == other.Confusion
        && Top2Accuracy.Equals(other.Top2Accuracy) && Calibration == other.Calibration && LogLoss.Equals(other.LogLoss);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Report, Confusion);
}

/// <summary>Regression metrics in the target's original units.</summary>
/// <param name="R2">The coefficient of determination.</param>
/// <param name="Mse">The mean squared error.</param>
/// <param name="Rmse">The root mean squared error.</param>
/// <param name="Mae">The mean absolute error.</param>
public sealed record RegressionMetrics(double R2, double Mse, double Rmse, double Mae);

/// <summary>What <c>nn eval</c> reports: the task, the number of examples and the task's metrics.</summary>
/// <param name="Task">Classification or regression.</param>
/// <param name="N">The number of examples.</param>
/// <param name="Classification">Set for classification models.</param>
/// <param name="Regression">Set for regression models.</param>
public sealed record EvalReport(TaskKind Task, int N, ClassificationMetrics? Classification, RegressionMetrics? Regression)
{
    /// <summary>
    /// One JSON object with exactly the keys <c>task, n</c> and, for classification, <c>accuracy, precision_macro,
    /// recall_macro, f1_macro, f1_micro, f1_weighted, top2_accuracy, ece, log_loss, confusion_matrix</c> (an array of
    /// rows), or for regression <c>r2, mse, rmse, mae</c>.
    /// </summary>
    public string ToJson(bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            WriteFields(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes this report's fields into an object that the caller has opened.</summary>
    public void WriteFields(Utf8JsonWriter w)
    {
        w.WriteString("task", Task == TaskKind.Classification ? "classification" : "regression");
        w.WriteNumber("n", N);
        if (Classification is { } c)
        {
            w.WriteNumber("accuracy", c.Report.Accuracy);
            w.WriteNumber("precision_macro", c.Report.Macro.Precision);
            w.WriteNumber("recall_macro", c.Report.Macro.Recall);
            w.WriteNumber("f1_macro", c.Report.Macro.F1);
            w.WriteNumber("f1_micro", c.Report.Micro.F1);
            w.WriteNumber("f1_weighted", c.Report.Weighted.F1);
            w.WriteNumber("top2_accuracy", c.Top2Accuracy);
            w.WriteNumber("ece", c.Calibration.Ece);
            w.WriteNumber("log_loss", c.LogLoss);
            w.WriteStartArray("confusion_matrix");
            foreach (var row in c.Confusion.ToRows())
            {
                w.WriteStartArray();
                foreach (var v in row) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        if (Regression is { } r)
        {
            w.WriteNumber("r2", r.R2);
            w.WriteNumber("mse", r.Mse);
            w.WriteNumber("rmse", r.Rmse);
            w.WriteNumber("mae", r.Mae);
        }
    }
}

/// <summary>The <c>nn eval</c> job: a model's metrics on labelled data.</summary>
public static class EvalJob
{
    /// <summary>Reads <paramref name="dataPath"/> for the model (its target column is required) and evaluates.</summary>
    public static EvalReport Run(Model model, string dataPath, string? labelsPath, string? target) =>
        Evaluate(model, DataSource.ForModel(dataPath, labelsPath, model.Info.FeatureNames, target ?? model.Info.TargetName, requireTarget: true));

    /// <summary>Evaluates a model on loaded data with targets.</summary>
    /// <exception cref="DataFileException">When a label was never seen in training, or a regression target is not a number.</exception>
    public static EvalReport Evaluate(Model model, LoadedData data)
    {
        if (!data.HasTarget) throw new DataFileException(data.Source, 0, 0, $"expected a target column '{model.Info.TargetName}'.");
        var prediction = Predictor.Predict(model, data.Features);
        if (model.Info.Task == TaskKind.Regression)
        {
            var t = data.EncodeTarget(TaskKind.Regression);
            var predicted = Vector.Create(prediction.Values);
            var actual = Vector.Create(t.Values);
            return new EvalReport(TaskKind.Regression, data.Count, null, new RegressionMetrics(
                Nn.Regression.RSquared(predicted, actual), Nn.Regression.MeanSquaredError(predicted, actual),
                Nn.Regression.RootMeanSquaredError(predicted, actual), Nn.Regression.MeanAbsoluteError(predicted, actual)));
        }
        var truth = data.EncodeTarget(model.Info.Labels);
        var k = model.Info.Labels.Length;
        var confusion = Nn.Classification.Confusion(truth.ClassIndices, prediction.Classes, k);
        return new EvalReport(TaskKind.Classification, data.Count, new ClassificationMetrics(model.Info.Labels,
            Nn.Classification.Report(confusion), confusion,
            Nn.Classification.TopKAccuracy(prediction.Probabilities, truth.ClassIndices, Math.Min(2, k)),
            Calibration.ExpectedCalibrationError(prediction.Probabilities, truth.ClassIndices, 10),
            Nn.Classification.LogLoss(prediction.Probabilities, truth.ClassIndices)), null);
    }
}

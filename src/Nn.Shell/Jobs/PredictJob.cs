using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>The <c>nn predict</c> job: one output row per input row.</summary>
public static class PredictJob
{
    /// <summary>
    /// Predicts for every row of <paramref name="dataPath"/> and writes a CSV to <paramref name="outPath"/> atomically:
    /// a column named after the model's target with the predicted label (original label names) or value, and with
    /// <paramref name="probabilities"/> one column <c>p_&lt;label&gt;</c> per class. Returns the number of rows written.
    /// <paramref name="cancellationToken"/> is observed between reading, predicting and writing.
    /// </summary>
    /// <exception cref="OperationCanceledException">When cancelled; nothing was written.</exception>
    public static int Run(Model model, string dataPath, string? labelsPath, string outPath, bool probabilities, CancellationToken cancellationToken = default)
    {
        var data = DataSource.ForModel(dataPath, labelsPath, model.Info.FeatureNames, model.Info.TargetName, requireTarget: false);
        StopIfCancelled(cancellationToken);
        var prediction = Predictor.Predict(model, data.Features);
        StopIfCancelled(cancellationToken);
        var text = Format(model, prediction, probabilities);
        StopIfCancelled(cancellationToken);
        AtomicFile.WriteAllText(outPath, text);
        return data.Count;
    }

    /// <summary>The CSV text for a prediction (RFC 4180 quoting where a label needs it; numbers in invariant "R" form).</summary>
    public static string Format(Model model, Prediction prediction, bool probabilities)
    {
        var sb = new StringBuilder();
        var info = model.Info;
        sb.Append(Quote(info.TargetName));
        if (probabilities && info.Task == TaskKind.Classification)
            foreach (var label in info.Labels) sb.Append(',').Append(Quote("p_" + label));
        sb.Append('\n');
        var rows = info.Task == TaskKind.Regression ? prediction.Values.Length : prediction.Classes.Length;
        for (var r = 0; r < rows; r++)
        {
            if (info.Task == TaskKind.Regression)
            {
                sb.Append(prediction.Values[r].ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(Quote(info.Labels[prediction.Classes[r]]));
                if (probabilities)
                    for (var c = 0; c < info.Labels.Length; c++)
                        sb.Append(',').Append(prediction.Probabilities[r, c].ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static void StopIfCancelled(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException("cancelled; nothing was written.", cancellationToken);
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 || field != field.Trim() ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}

using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>How <see cref="PredictJob.Run(Model, string, string, PredictOptions, IProgress{int}, CancellationToken)"/> predicts.</summary>
/// <param name="Probabilities">Add one column <c>p_&lt;label&gt;</c> per class (classification).</param>
/// <param name="AllowNonFinite">Write NaN or infinite outputs (as <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>) instead of refusing them.</param>
/// <param name="ChunkRows">Rows read, predicted and written at a time (≥ 1); it changes memory only, never the output.</param>
/// <param name="Threads">Kernel threads (≥ 1); it changes speed only, never the output.</param>
public sealed record PredictOptions(bool Probabilities = false, bool AllowNonFinite = false, int ChunkRows = ModelRows.DefaultChunkRows, int Threads = 1);

/// <summary>What <see cref="PredictJob.Run(Model, string, string, PredictOptions, IProgress{int}, CancellationToken)"/> did.</summary>
/// <param name="Rows">The number of rows predicted and written.</param>
/// <param name="Note">A one-line note naming input columns the model does not use, or null.</param>
public sealed record PredictSummary(int Rows, string? Note);

/// <summary>The <c>nn predict</c> job: one output row per input row.</summary>
public static class PredictJob
{
    /// <summary>
    /// Predicts for every row of <paramref name="dataPath"/> and writes a CSV to <paramref name="outPath"/> atomically:
    /// a column named after the model's target with the predicted label (original label names) or value (one column per
    /// target, in order, for a model with several targets), and with
    /// <paramref name="probabilities"/> one column <c>p_&lt;label&gt;</c> per class. Returns the number of rows written.
    /// <paramref name="labelsPath"/> is not used (predictions need no targets). Refuses non-finite outputs (see
    /// <see cref="Run(Model, string, string, PredictOptions, IProgress{int}, CancellationToken)"/>).
    /// </summary>
    public static int Run(Model model, string dataPath, string? labelsPath, string outPath, bool probabilities) =>
        Run(model, dataPath, outPath, new PredictOptions(probabilities)).Rows;

    /// <summary>
    /// Reads, predicts and writes <see cref="PredictOptions.ChunkRows"/> rows at a time, so memory does not grow with the
    /// number of rows; the output streams into a temporary file that replaces <paramref name="outPath"/> only when every row
    /// was written (on any error it is deleted and a previous file is left untouched). The bytes are those of
    /// <see cref="Format"/> on the whole data: rows are predicted independently, bit for bit. Returns the number of rows and
    /// a note naming the input columns the model does not use.
    /// </summary>
    /// <exception cref="DataFileException">When the data is malformed or does not hold the model's features (nothing is written).</exception>
    /// <exception cref="NonFiniteOutputException">When an output is NaN or infinite and <see cref="PredictOptions.AllowNonFinite"/>
    /// is false; names the first such row (nothing is written).</exception>
    /// <exception cref="OperationCanceledException">When cancelled (nothing is written).</exception>
    public static PredictSummary Run(Model model, string dataPath, string outPath, PredictOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        using var rows = ModelRows.Open(dataPath, model.Info.FeatureNames, model.Info.TargetName, options.ChunkRows);
        var count = 0;
        AtomicFile.Write(outPath, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            WriteHeader(writer, model.Info, options.Probabilities);
            while (rows.Next() is { } chunk)
            {
                StopIfCancelled(cancellationToken);
                var prediction = Predictor.Predict(model, chunk.Features, ComputeOptions.WithThreads(options.Threads));
                if (!options.AllowNonFinite) RefuseNonFinite(prediction, chunk, rows.Path);
                WriteRows(writer, model.Info, prediction, options.Probabilities);
                count += chunk.Features.Rows;
                progress?.Report(count);
            }
            writer.Flush();
        });
        // A multi-output model's other target columns are not features, but they are not "unused" data either.
        return new PredictSummary(count, DataSource.UnusedNote(rows.Path, [.. rows.UnusedColumns.Where(c => !model.Info.Targets.Contains(c))]));
    }

    /// <summary>The CSV text for a prediction (RFC 4180 quoting where a label needs it; numbers in invariant "R" form).</summary>
    public static string Format(Model model, Prediction prediction, bool probabilities)
    {
        ArgumentNullException.ThrowIfNull(model);
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteHeader(writer, model.Info, probabilities);
        WriteRows(writer, model.Info, prediction, probabilities);
        return writer.ToString();
    }

    private static void WriteHeader(TextWriter w, ModelInfo info, bool probabilities)
    {
        // Multilabel: one 0/1 column per label (and with probabilities one p_<label> column per label).
        w.Write(string.Join(",", (info.Task == TaskKind.Multilabel ? info.Labels : info.Targets).Select(Quote)));
        if (probabilities && info.Task == TaskKind.Multilabel)
            foreach (var label in info.Labels) { w.Write(','); w.Write(Quote("p_" + label)); }
        if (probabilities && info.Task == TaskKind.Classification)
            foreach (var label in info.Labels) { w.Write(','); w.Write(Quote("p_" + label)); }
        w.Write('\n');
    }

    private static void WriteRows(TextWriter w, ModelInfo info, Prediction prediction, bool probabilities)
    {
        var labels = info.Labels.Select(Quote).ToArray();
        for (var r = 0; r < prediction.Count; r++)
        {
            switch (prediction)
            {
                case Prediction.Multilabel p:
                    var predicted = p.Predicted;
                    for (var c = 0; c < predicted.Cols; c++) w.Write(c == 0 ? (predicted[r, c] == 1 ? "1" : "0") : predicted[r, c] == 1 ? ",1" : ",0");
                    if (probabilities)
                        for (var c = 0; c < p.Probabilities.Cols; c++)
                        {
                            w.Write(',');
                            w.Write(p.Probabilities[r, c].ToString("R", CultureInfo.InvariantCulture));
                        }
                    break;
                case Prediction.Regression { Columns: { } columns }:
                    for (var c = 0; c < columns.Cols; c++)
                    {
                        if (c > 0) w.Write(',');
                        w.Write(columns[r, c].ToString("R", CultureInfo.InvariantCulture));
                    }
                    break;
                case Prediction.Regression p:
                    w.Write(p.Values[r].ToString("R", CultureInfo.InvariantCulture));
                    break;
                case Prediction.Classification p:
                    w.Write(labels[p.Classes[r]]);
                    if (probabilities)
                        for (var c = 0; c < info.Labels.Length; c++)
                        {
                            w.Write(',');
                            w.Write(p.Probabilities[r, c].ToString("R", CultureInfo.InvariantCulture));
                        }
                    break;
                default:
                    throw new InvalidOperationException("Unknown prediction case.");
            }
            w.Write('\n');
        }
    }

    /// <summary>Refuses the first row whose output (value or class probability) is NaN or infinite.</summary>
    private static void RefuseNonFinite(Prediction prediction, DataChunk chunk, string path)
    {
        for (var r = 0; r < chunk.Features.Rows; r++)
        {
            if (Predictor.FirstNonFinite(prediction, r) is not { } value) continue;
            var row = chunk.FirstRow + r;
            var where = chunk.Lines.IsDefaultOrEmpty ? $"{path}: row {row}" : $"{path}:{chunk.Lines[r]}: data row {row}";
            throw new NonFiniteOutputException(row, string.Create(CultureInfo.InvariantCulture,
                $"{where}: the model's output is {value}, not a finite number (a diverged model, or inputs far outside the training data); nothing was written. --allow-non-finite writes such outputs."));
        }
    }

    private static void StopIfCancelled(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException("cancelled; nothing was written.", cancellationToken);
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 || field != field.Trim() ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}

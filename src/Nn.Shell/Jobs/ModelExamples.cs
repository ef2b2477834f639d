namespace Nn.Shell;

/// <summary>Network-ready examples for a trained model: scaled features, targets encoded as in training, and its objective.</summary>
/// <param name="X">Scaled features, one example per row.</param>
/// <param name="Y">Targets as the network was trained on them (class index, one-hot rows or the scaled value).</param>
/// <param name="Objective">The model's loss (no penalty, no dropout).</param>
public sealed record ModelBatch(Matrix X, Matrix Y, Objective Objective);

/// <summary>Reads labelled rows of a data file in the form a model's network sees them.</summary>
public static class ModelExamples
{
    /// <summary>The first <paramref name="maxRows"/> rows of <paramref name="dataPath"/> (which must have the target column).</summary>
    public static ModelBatch Batch(Model model, string dataPath, int maxRows)
    {
        var data = EvalJob.Read(model, dataPath, null, null);
        var rows = Enumerable.Range(0, Math.Min(maxRows, data.Count)).ToArray();
        return Encode(model, data, rows);
    }

    /// <summary>Row <paramref name="row"/> (0-based) of <paramref name="dataPath"/>.</summary>
    /// <exception cref="ArgumentException">When the row is outside the file.</exception>
    public static ModelBatch Row(Model model, string dataPath, int row)
    {
        var data = EvalJob.Read(model, dataPath, null, null);
        if (row < 0 || row >= data.Count) throw new ArgumentException($"--row: {dataPath} has rows 0 to {data.Count - 1}, got {row}.");
        return Encode(model, data, [row]);
    }

    private static ModelBatch Encode(Model model, LoadedData data, int[] rows)
    {
        var x = Predictor.ScaleFeatures(model.Info.Scaling, data.Features.SelectRows(rows));
        if (model.Info.Task == TaskKind.Multilabel)
        {
            var labels = LabelSetData.Encode(data.WithRows(rows), model.Info.LabelSeparator ?? LabelSets.DefaultSeparator, model.Info.Labels);
            return new ModelBatch(x, Matrix.Create(rows.Length, labels.Width, labels.Values), Objective.Of(model.Info.Loss));
        }
        if (data.TargetValues is { } values)
        {
            // Several regression targets, each scaled as in training.
            var scalings = model.Info.TargetScalings;
            var y2 = Matrix.Init(rows.Length, values.Cols, (r, c) => (values[rows[r], c] - scalings[c].Offset) / scalings[c].Scale);
            return new ModelBatch(x, y2, Objective.Of(model.Info.Loss));
        }
        var batch = data with
        {
            TargetCells = [.. rows.Select(r => data.TargetCells[r])],
            TargetLines = data.TargetLines.Length == data.TargetCells.Length ? [.. rows.Select(r => data.TargetLines[r])] : [],
        };
        Matrix y;
        if (model.Info.Task == TaskKind.Regression)
        {
            var t = batch.EncodeTarget(TaskKind.Regression);
            var s = model.Info.TargetScaling;
            y = Matrix.Init(rows.Length, 1, (r, _) => s is null ? t.Values[r] : (t.Values[r] - s.Offset) / s.Scale);
        }
        else
        {
            var t = batch.EncodeTarget(model.Info.Labels);
            y = RunPlans.EncodeClasses(model.Network.OutputSize, t.ClassIndices, model.Info.Labels.Length);
        }
        return new ModelBatch(x, y, Objective.Of(model.Info.Loss));
    }
}

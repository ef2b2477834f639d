using System.Collections.Immutable;
using System.Globalization;

namespace Nn.Shell;

/// <summary>
/// A multilabel target read from a data file: several 0/1 columns (<see cref="LoadedData.TargetValues"/>) or one column of
/// delimited labels (<see cref="LoadedData.TargetCells"/>), encoded by <see cref="LabelSets"/> with the file's line and
/// column in every refusal.
/// </summary>
internal static class LabelSetData
{
    /// <summary>
    /// The indicators of <paramref name="data"/>'s labels: from 0/1 columns (labels = the column names), or from label-set cells
    /// split at <paramref name="separator"/> (labels = every label seen, or <paramref name="labels"/> when given, e.g. a model's).
    /// </summary>
    /// <exception cref="DataFileException">For a value that is not 0 or 1, or a label not in <paramref name="labels"/> (file:line:column).</exception>
    /// <exception cref="ArgumentException">For one column of numbers when the labels are inferred (a single 0/1 column is one label).</exception>
    internal static EncodedTarget Encode(LoadedData data, string separator, ImmutableArray<string> labels = default)
    {
        if (data.TargetValues is { } v)
        {
            for (var r = 0; r < v.Rows; r++)
                for (var c = 0; c < v.Cols; c++)
                    if (v[r, c] is not (0.0 or 1.0))
                        throw new DataFileException(data.Source, Line(data, r), data.TargetFields.IsDefaultOrEmpty ? 0 : data.TargetFields[c],
                            string.Create(CultureInfo.InvariantCulture, $"expected 0 or 1 in multilabel column '{data.TargetNames[c]}', found {v[r, c]:R}."));
            return LabelSets.FromIndicators([.. v.AsSpan()], data.TargetNames);
        }
        if (!data.HasTarget) throw new DataFileException(data.Source, 0, 0, $"expected a target column '{data.TargetName}'.");
        // One column of single numbers (a 0/1 column) is one label, not a list of labels named "0" and "1".
        if (labels.IsDefault && data.TargetCells.All(c => TargetEncoding.TryNumber(c, out _)))
            throw new ArgumentException($"--task: multilabel needs at least 2 labels; target column '{data.TargetName}' holds one number per row, that is 1 label (several 0/1 columns go as --target a,b,c).");
        if (!labels.IsDefault)
            for (var r = 0; r < data.TargetCells.Length; r++)
                if (LabelSets.Split(data.TargetCells[r], separator).FirstOrDefault(l => !labels.Contains(l)) is { } unknown)
                    throw new DataFileException(data.Source, Line(data, r), data.TargetField,
                        $"label '{unknown}' was not seen in training; known labels: {string.Join(", ", labels)}.");
        return labels.IsDefault ? LabelSets.Encode(data.TargetCells, separator) : LabelSets.EncodeWith(data.TargetCells, separator, labels);
    }

    private static int Line(LoadedData data, int row) => data.TargetLines.IsDefaultOrEmpty ? 0 : data.TargetLines[row];
}

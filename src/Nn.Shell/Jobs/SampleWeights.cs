using System.Collections.Immutable;
using System.Globalization;

namespace Nn.Shell;

/// <summary>The sample-weight column of training data (<c>nn train --sample-weight COLUMN</c>): taken out of the features.</summary>
internal static class SampleWeights
{
    /// <summary>
    /// The data without column <paramref name="column"/>, and that column's values as row weights. The reader has already
    /// refused a cell that is not a finite number; here a negative weight is refused at its file:line:column, and a column
    /// of zeros at its header.
    /// </summary>
    /// <exception cref="ArgumentException">For NumPy data (no column names) or the target column, naming --sample-weight.</exception>
    /// <exception cref="DataFileException">For a missing column, a negative weight, or weights that are all 0.</exception>
    internal static (LoadedData Data, ImmutableArray<double> Weights) Take(LoadedData data, string column)
    {
        if (data.TargetField == 0)
            throw new ArgumentException("--sample-weight: names a CSV or Parquet column; NumPy data has no column names.");
        if (column == data.TargetName)
            throw new ArgumentException($"--sample-weight: '{column}' is the target column; name a numeric column of weights.");
        var j = data.FeatureNames.IndexOf(column);
        if (j < 0)
            throw new DataFileException(data.Source, data.HeaderLine, 0,
                $"no column '{column}' for --sample-weight; the columns are: {string.Join(", ", data.FeatureNames)}, {data.TargetName}.");
        // Training reads every column but the target as a feature, in file order: the field number skips the target's.
        var t = data.TargetField - 1;
        var field = (j < t ? j : j + 1) + 1;
        var w = new double[data.Count];
        var any = false;
        for (var r = 0; r < w.Length; r++)
        {
            var v = data.Features[r, j];
            if (!(v >= 0) || double.IsInfinity(v))
                throw new DataFileException(data.Source, data.TargetLines.IsDefaultOrEmpty ? r + 2 : data.TargetLines[r], field,
                    string.Create(CultureInfo.InvariantCulture, $"sample weight {v:R} in column '{column}' (--sample-weight): expected a number >= 0."));
            w[r] = v;
            any |= v > 0;
        }
        if (!any)
            throw new DataFileException(data.Source, data.HeaderLine, field, $"every sample weight in column '{column}' (--sample-weight) is 0; at least one row must weigh more.");
        var kept = Enumerable.Range(0, data.FeatureNames.Length).Where(c => c != j).ToArray();
        return (data.WithColumns(kept), [.. w]);
    }
}

using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// Pure rules for a multilabel target: one text column whose cells list each row's labels with a separator
/// (<c>"news;sport"</c>), or several 0/1 columns, one per label, turned into a multilabel <see cref="EncodedTarget"/>.
/// </summary>
/// <remarks>
/// A cell is split at every separator; each part is a label as <see cref="TargetEncoding.LabelKey"/> reads it (numbers in
/// canonical form, other text trimmed); empty parts are dropped, so an empty cell is a row with no label. The labels are
/// ordered as <see cref="TargetEncoding.Encode"/> orders classes (numerically when all are numbers, else ordinally).
/// </remarks>
public static class LabelSets
{
    /// <summary>The separator <c>--label-separator</c> defaults to: a semicolon, which CSV files do not quote.</summary>
    public const string DefaultSeparator = ";";

    /// <summary>The labels of one cell, in the order they appear, without repeats.</summary>
    /// <exception cref="ArgumentException">For an empty separator.</exception>
    public static ImmutableArray<string> Split(string cell, string separator)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        return [.. cell.Split(separator).Select(TargetEncoding.LabelKey).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Encodes label-set cells: the labels are every label seen, ordered (see the remarks), and each row holds a 1 for each
    /// of its labels and 0 for the others (<see cref="EncodedTarget.Width"/> = the number of labels).
    /// </summary>
    /// <exception cref="ArgumentException">For an empty separator.</exception>
    public static EncodedTarget Encode(IReadOnlyList<string> cells, string separator)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var sets = cells.Select(c => Split(c, separator)).ToArray();
        var labels = sets.SelectMany(s => s).Distinct(StringComparer.Ordinal).ToList();
        labels.Sort(TargetEncoding.CompareLabels);
        return Indicators(sets, [.. labels]);
    }

    /// <summary>Encodes label-set cells with a known label list (e.g. a trained model's).</summary>
    /// <exception cref="FormatException">When a cell names a label not in <paramref name="labels"/> (names the row, 0-based, and the known labels).</exception>
    public static EncodedTarget EncodeWith(IReadOnlyList<string> cells, string separator, ImmutableArray<string> labels)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var sets = cells.Select(c => Split(c, separator)).ToArray();
        for (var r = 0; r < sets.Length; r++)
            if (sets[r].FirstOrDefault(l => !labels.Contains(l)) is { } unknown)
                throw new FormatException($"Row {r}: label '{unknown}' was not seen in training; known labels: {string.Join(", ", labels)}.");
        return Indicators(sets, labels);
    }

    /// <summary>
    /// Several 0/1 columns (m × labels, row-major in <paramref name="values"/>) as a multilabel target named by <paramref name="labels"/>.
    /// </summary>
    /// <exception cref="FormatException">When a value is not 0 or 1 (names the row and column, 0-based).</exception>
    public static EncodedTarget FromIndicators(ImmutableArray<double> values, ImmutableArray<string> labels)
    {
        if (labels.IsDefaultOrEmpty || values.Length % labels.Length != 0)
            throw new FormatException($"{values.Length} values do not make rows of {labels.Length} labels.");
        for (var i = 0; i < values.Length; i++)
            if (values[i] is not (0.0 or 1.0))
                throw new FormatException(FormattableString.Invariant($"Row {i / labels.Length} column {i % labels.Length}: expected 0 or 1 in a multilabel column, found {values[i]:R}."));
        return new EncodedTarget(TaskKind.Multilabel, labels, [], values) { Width = labels.Length };
    }

    private static EncodedTarget Indicators(ImmutableArray<string>[] sets, ImmutableArray<string> labels)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++) index[labels[i]] = i;
        var values = new double[sets.Length * labels.Length];
        for (var r = 0; r < sets.Length; r++)
            foreach (var l in sets[r]) values[r * labels.Length + index[l]] = 1;
        return new EncodedTarget(TaskKind.Multilabel, labels, [], [.. values]) { Width = labels.Length };
    }
}

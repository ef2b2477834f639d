using System.Collections.Immutable;
using System.Globalization;

namespace Nn.Shell;

/// <summary>
/// Refusals of a target column that the pure encoding would otherwise read as something else, each naming the file, the
/// line and the field of the cell (the CSV line of the record, which quoted line breaks make differ from row + 2):
/// <list type="bullet">
/// <item>an empty cell (it would become a class <c>""</c>);</item>
/// <item>under <c>--task auto</c>, a column of numbers with a few other cells (one <c>n/a</c> would turn regression into
/// classification with a class per distinct number): refused when more than half the cells are numbers and any is not,
/// naming the first three others; <c>--task classification</c> reads such a column as class labels;</item>
/// <item>under <c>--task regression</c>, any cell that is not a finite number;</item>
/// <item>a classification target with more than <see cref="ReadLimits.MaxClasses"/> classes, or (under <c>--task auto</c>,
/// from <see cref="ReadLimits.IdentifierMinRows"/> rows on) more classes than half the rows: "looks like an identifier column";</item>
/// <item>with a model's labels (eval), a label the model never saw.</item>
/// </list>
/// </summary>
public static class TargetChecks
{
    /// <summary>The task <c>--task auto</c> infers (see <see cref="TargetEncoding.Infer"/>), after the refusals in the class summary.</summary>
    /// <exception cref="DataFileException">Naming the offending cell, or the column for an identifier-like column.</exception>
    public static TaskKind Infer(LoadedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        RefuseEmpty(data);
        var cells = data.TargetCells;
        var bad = new List<int>();
        var numbers = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            if (TargetEncoding.TryNumber(cells[i], out _)) numbers++;
            else if (bad.Count < 3) bad.Add(i);
        }
        if (numbers > 0 && numbers < cells.Length && 2L * numbers > cells.Length)
        {
            var others = cells.Length - numbers;
            var listed = bad.Skip(1).Select(i => $"'{Shown(cells[i])}' on {Where(data, i)}").ToList();
            if (others > bad.Count) listed.Add(string.Create(CultureInfo.InvariantCulture, $"{others - bad.Count} more"));
            var more = listed.Count == 0 ? "" : $" (other cells that are not numbers: {string.Join(", ", listed)})";
            throw At(data, bad[0], string.Create(CultureInfo.InvariantCulture,
                $"expected a number in target column '{data.TargetName}' (it holds numbers in {numbers} of {cells.Length} rows), found '{Shown(cells[bad[0]])}'{more}; fix or remove those rows, or pass --task classification if the column holds class labels."));
        }
        var task = TargetEncoding.Infer(cells);
        if (task == TaskKind.Classification)
        {
            var classes = RefuseTooManyClasses(data);
            if (cells.Length >= ReadLimits.IdentifierMinRows && 2L * classes > cells.Length)
                throw Column(data, string.Create(CultureInfo.InvariantCulture,
                    $"target column '{data.TargetName}' has {classes} distinct values in {cells.Length} rows; it looks like an identifier column, not classes. Choose the target with --target, or pass --task classification if these are classes."));
        }
        return task;
    }

    /// <summary>Refuses the first empty (or all-space) target cell.</summary>
    /// <exception cref="DataFileException">Naming its file, line and field.</exception>
    public static void RefuseEmpty(LoadedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var cells = data.TargetCells;
        for (var i = 0; i < cells.Length; i++)
            if (string.IsNullOrWhiteSpace(cells[i]))
                throw At(data, i, $"expected a value in target column '{data.TargetName}', found an empty field.");
    }

    /// <summary>Refuses the first target cell that is not a finite number (a regression target).</summary>
    /// <exception cref="DataFileException">Naming its file, line and field.</exception>
    public static void RefuseNonNumbers(LoadedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var cells = data.TargetCells;
        for (var i = 0; i < cells.Length; i++)
            if (!TargetEncoding.TryNumber(cells[i], out _))
                throw At(data, i, $"expected a finite number in target column '{data.TargetName}' for a regression target, found '{Shown(cells[i])}'.");
    }

    /// <summary>The number of distinct labels of a classification target; refuses more than <see cref="ReadLimits.MaxClasses"/>.</summary>
    /// <exception cref="DataFileException">Naming the column.</exception>
    public static int RefuseTooManyClasses(LoadedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in data.TargetCells)
            if (labels.Add(TargetEncoding.LabelKey(cell)) && labels.Count > ReadLimits.MaxClasses)
                throw Column(data, string.Create(CultureInfo.InvariantCulture,
                    $"target column '{data.TargetName}' has more than {ReadLimits.MaxClasses} distinct values; at most {ReadLimits.MaxClasses} classes are supported, and it looks like an identifier column, not classes (choose the target with --target)."));
        return labels.Count;
    }

    /// <summary>Refuses the first target cell whose label is not among a trained model's <paramref name="labels"/>.</summary>
    /// <exception cref="DataFileException">Naming its file, line and field, and the known labels.</exception>
    public static void RefuseUnknownLabels(LoadedData data, ImmutableArray<string> labels)
    {
        ArgumentNullException.ThrowIfNull(data);
        var known = labels.ToHashSet(StringComparer.Ordinal);
        var cells = data.TargetCells;
        for (var i = 0; i < cells.Length; i++)
            if (!known.Contains(TargetEncoding.LabelKey(cells[i])))
                throw At(data, i, $"target column '{data.TargetName}': label '{Shown(cells[i])}' was not seen in training; known labels: {string.Join(", ", labels)}.");
    }

    /// <summary>An error at row <paramref name="row"/>'s target cell: its CSV line and field, or for NumPy data the row.</summary>
    private static DataFileException At(LoadedData data, int row, string expected) =>
        HasLines(data)
            ? new DataFileException(data.Source, data.TargetLines[row], data.TargetField, expected)
            : new DataFileException(data.Source, 0, 0, string.Create(CultureInfo.InvariantCulture, $"row {row}: {expected}"));

    /// <summary>An error about the whole target column: at its header field in a CSV.</summary>
    private static DataFileException Column(LoadedData data, string expected) =>
        new(data.Source, data.TargetField > 0 ? data.HeaderLine : 0, data.TargetField, expected);

    private static string Where(LoadedData data, int row) =>
        HasLines(data)
            ? string.Create(CultureInfo.InvariantCulture, $"line {data.TargetLines[row]}")
            : string.Create(CultureInfo.InvariantCulture, $"row {row}");

    // Lines are only trusted when there is one per cell (a subset of the rows made by `with` may have dropped them).
    private static bool HasLines(LoadedData data) =>
        data.TargetField > 0 && !data.TargetLines.IsDefault && data.TargetLines.Length == data.TargetCells.Length;

    private static string Shown(string cell)
    {
        var s = cell.Length <= 40 ? cell : cell[..40] + "…";
        return s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}

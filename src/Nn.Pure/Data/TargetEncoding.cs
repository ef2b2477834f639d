using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Nn;

/// <summary>What a target column asks for.</summary>
public enum TaskKind
{
    /// <summary>Predict one of a fixed set of labels.</summary>
    Classification,
    /// <summary>Predict a real number (or several: a multi-output regression).</summary>
    Regression,
    /// <summary>Predict a set of labels: each of several labels present or not (one sigmoid output per label).</summary>
    Multilabel,
}

/// <summary>A target column turned into numbers: class indices with their label names, or real values.</summary>
/// <param name="Task">Classification or regression.</param>
/// <param name="Labels">Class names in class-index order (classification), else empty.</param>
/// <param name="ClassIndices">Each row's class index (classification), else empty.</param>
/// <param name="Values">Each row's value (regression), else empty.</param>
public sealed record EncodedTarget(TaskKind Task, ImmutableArray<string> Labels, ImmutableArray<int> ClassIndices, ImmutableArray<double> Values)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>
    /// The number of target columns of a regression target: <see cref="Values"/> then holds <c>Width</c> values per row,
    /// row by row (a multi-output regression); 1 for one target. For a multilabel target, the number of labels: each row's
    /// <c>Width</c> values are its 0/1 indicators, in <see cref="Labels"/> order.
    /// </summary>
    public int Width { get; init; } = 1;

    /// <summary>The number of rows: one per class index (classification) or per <see cref="Width"/> values (regression, multilabel).</summary>
    public int Rows => Task == TaskKind.Classification ? ClassIndices.Length : Values.Length / Math.Max(1, Width);

    /// <summary>Sequence equality of every array.</summary>
    public bool Equals(EncodedTarget? other) =>
        other is not null && Task == other.Task && Width == other.Width && Labels.SequenceEqual(other.Labels)
        && ClassIndices.SequenceEqual(other.ClassIndices) && Values.SequenceEqual(other.Values);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Task, Labels.Length, ClassIndices.Length, Values.Length);
}

/// <summary>
/// Pure rules that turn a target column's text into a task and numbers.
/// </summary>
/// <remarks>
/// Inference: if every cell is an integer (invariant culture) and there are at most <see cref="MaxInferredClasses"/>
/// distinct values, the task is classification; else if every cell is a finite number, regression; else
/// classification with text labels. Labels are ordered numerically when they are all numbers (so "2" &lt; "10"),
/// else ordinally (culture-independent). Text labels are compared exactly (no trimming of inner spaces, case-sensitive).
/// </remarks>
public static class TargetEncoding
{
    /// <summary>At most this many distinct integer values make an integer column a classification target: 50.</summary>
    public const int MaxInferredClasses = 50;

    /// <summary>The task a column of target cells suggests (see the class remarks).</summary>
    public static TaskKind Infer(IReadOnlyList<string> cells)
    {
        var allNumbers = true;
        var allIntegers = true;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            if (!TryNumber(cell, out var v)) { allNumbers = false; allIntegers = false; break; }
            if (v != Math.Floor(v) || Math.Abs(v) > 1e15) allIntegers = false;
            if (allIntegers && distinct.Count <= MaxInferredClasses) distinct.Add(Canonical(v));
        }
        if (allIntegers && distinct.Count <= MaxInferredClasses) return TaskKind.Classification;
        return allNumbers ? TaskKind.Regression : TaskKind.Classification;
    }

    /// <summary>
    /// Encodes <paramref name="cells"/> for <paramref name="task"/>: classification maps each distinct label to an index
    /// in label order; regression parses each cell as a finite number.
    /// </summary>
    /// <exception cref="FormatException">For regression, when a cell is not a finite number (the message names the row, 0-based).</exception>
    public static EncodedTarget Encode(IReadOnlyList<string> cells, TaskKind task)
    {
        if (task == TaskKind.Regression)
        {
            var values = new double[cells.Count];
            for (var i = 0; i < values.Length; i++)
                if (!TryNumber(cells[i], out values[i]))
                    throw new FormatException($"Row {i}: expected a finite number for a regression target, found '{cells[i]}'.");
            return new EncodedTarget(task, [], [], [.. values]);
        }
        var keys = cells.Select(LabelKey).ToArray();
        var labels = keys.Distinct(StringComparer.Ordinal).ToList();
        labels.Sort(CompareLabels);
        return EncodeWith(keys, [.. labels]);
    }

    /// <summary>
    /// Encodes classification cells with a known label list (e.g. a trained model's).
    /// </summary>
    /// <exception cref="FormatException">When a cell's label is not in <paramref name="labels"/> (names the row and the known labels).</exception>
    public static EncodedTarget EncodeWith(IReadOnlyList<string> cells, ImmutableArray<string> labels)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++) index[labels[i]] = i;
        var classes = new int[cells.Count];
        for (var i = 0; i < classes.Length; i++)
        {
            var key = LabelKey(cells[i]);
            if (!index.TryGetValue(key, out classes[i]))
                throw new FormatException($"Row {i}: label '{cells[i]}' was not seen in training; known labels: {string.Join(", ", labels)}.");
        }
        return new EncodedTarget(TaskKind.Classification, labels, [.. classes], []);
    }

    /// <summary>Parses a finite number in invariant culture (surrounding spaces allowed).</summary>
    public static bool TryNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The label a cell stands for: numbers in canonical form (so "1", "1.0" and " 1" are one label), other text trimmed.</summary>
    public static string LabelKey(string cell) => TryNumber(cell, out var v) ? Canonical(v) : cell.Trim();

    private static string Canonical(double v) => (v == 0 ? 0.0 : v).ToString("R", CultureInfo.InvariantCulture);

    internal static int CompareLabels(string a, string b)
    {
        var na = TryNumber(a, out var x);
        var nb = TryNumber(b, out var y);
        if (na && nb) return x.CompareTo(y);
        if (na != nb) return na ? -1 : 1;
        return string.CompareOrdinal(a, b);
    }
}

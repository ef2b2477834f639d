using System.Collections.Immutable;
using System.Globalization;

namespace Nn.Shell;

/// <summary>A table of numbers read from a CSV file with a header row.</summary>
/// <param name="Columns">The header's column names, in file order.</param>
/// <param name="Values">The data, one row per data line (rows × Columns.Length).</param>
public sealed record NumericTable(ImmutableArray<string> Columns, Matrix Values)
{
    /// <summary>The index of column <paramref name="name"/>; ArgumentException listing the columns when absent.</summary>
    public int IndexOf(string name)
    {
        var i = Columns.IndexOf(name);
        return i >= 0 ? i : throw new ArgumentException($"No column '{name}'; the columns are {string.Join(", ", Columns)}.", nameof(name));
    }

    /// <summary>Column equality by sequence.</summary>
    public bool Equals(NumericTable? other) => other is not null && Columns.SequenceEqual(other.Columns) && Values.Equals(other.Values);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Columns.Length, Values);
}

/// <summary>
/// Reads comma-separated files of numbers: one header row, then one row of invariant-culture numbers per line
/// (LF or CRLF, UTF-8 with or without BOM). Every number must be finite.
/// </summary>
public static class NumericCsv
{
    /// <summary>Reads <paramref name="path"/>; a <see cref="DataFileException"/> names the line and column of any bad field.</summary>
    public static NumericTable Read(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, 0, 0, "file not found.");
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = reader.ReadLine() ?? throw new DataFileException(path, 0, 0, "the file is empty; expected a header row.");
        var columns = header.Split(',').Select(c => c.Trim()).ToImmutableArray();
        var values = new List<double>();
        var line = 1;
        var rows = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            var fields = text.Split(',');
            if (fields.Length != columns.Length)
                throw new DataFileException(path, line, Math.Min(fields.Length, columns.Length) + 1, $"expected {columns.Length} fields as in the header, found {fields.Length}.");
            for (var c = 0; c < fields.Length; c++)
            {
                if (!double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new DataFileException(path, line, c + 1, $"expected a finite number in column '{columns[c]}', found '{fields[c]}'.");
                values.Add(v);
            }
            rows++;
        }
        if (rows == 0) throw new DataFileException(path, 0, 0, "the file has a header but no data rows.");
        return new NumericTable(columns, Matrix.Create(rows, columns.Length, values));
    }
}

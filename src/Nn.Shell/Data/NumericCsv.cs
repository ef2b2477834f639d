using System.Collections.Immutable;
using System.Text;

namespace Nn.Shell;

/// <summary>A table of numbers read from a CSV file with a header row.</summary>
/// <param name="Columns">The header's column names, in file order.</param>
/// <param name="Values">The data, one row per data line (rows × Columns.Length).</param>
public sealed record NumericTable(ImmutableArray<string> Columns, Matrix Values)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

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
/// Reads comma-separated files of numbers: one header row, then one row of invariant-culture numbers per record
/// (RFC 4180 quoting, LF or CRLF, UTF-8 with or without BOM). Every number must be finite. A thin layer over
/// <see cref="Csv.ReadAllNumeric"/>.
/// </summary>
public static class NumericCsv
{
    /// <summary>Reads <paramref name="path"/>; a <see cref="DataFileException"/> names the line and column of any bad field.</summary>
    public static NumericTable Read(string path)
    {
        var frame = Csv.ReadAllNumeric(path);
        return new NumericTable(frame.Columns, frame.NumericMatrix([.. Enumerable.Range(0, frame.Columns.Length)]));
    }
}

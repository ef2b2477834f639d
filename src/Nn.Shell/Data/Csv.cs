using System.Collections.Immutable;
using System.Globalization;

namespace Nn.Shell;

/// <summary>
/// Reads RFC 4180 CSV files with a header row, streaming: quoted fields may hold commas, doubled quotes (<c>""</c>)
/// and line breaks; records end at LF or CRLF; UTF-8 with or without a BOM (UTF-16 and UTF-32 by their BOM), and bytes
/// that are not valid text are refused at their line and field; lines with no characters at all are skipped. Numbers are parsed with the invariant culture straight from the file's characters (no string per
/// cell), and every number must be finite. Each error is a <see cref="DataFileException"/> naming the file, the
/// 1-based line and field number, the column name and what was expected.
/// </summary>
public static class Csv
{
    /// <summary>The longest record accepted, in characters (1 MiB); a longer one is usually an unbalanced quote.</summary>
    public const int MaxRecordLength = 1 << 20;

    /// <summary>
    /// Reads <paramref name="path"/>. <paramref name="plan"/> is called once with the header's (trimmed) names and
    /// returns a kind per column; it may throw <see cref="DataFileException"/> itself, e.g. for a missing column.
    /// </summary>
    /// <exception cref="DataFileException">When the file is missing, unreadable or malformed (see the class summary).</exception>
    /// <exception cref="ArgumentException">When the plan returns a different number of kinds than there are columns.</exception>
    public static CsvFrame Read(string path, Func<ImmutableArray<string>, ImmutableArray<ColumnKind>> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var rows = CsvRows.Open(path, null, header => CsvPlan.FileOrder(plan(header)));
        var kinds = rows.Plan.Kinds;
        var n = rows.Columns.Length;
        var numeric = rows.Width;
        var rowsPerChunk = Math.Max(1, 16384 / Math.Max(1, numeric));
        var chunks = new List<double[]>();
        var text = new List<string>?[n];
        for (var c = 0; c < n; c++) if (kinds[c] == ColumnKind.Text) text[c] = [];
        var lines = new List<int>();
        double[] chunk = [];
        var count = 0;
        while (true)
        {
            if (count % rowsPerChunk == 0 && numeric > 0)
            {
                chunk = new double[rowsPerChunk * numeric];
                chunks.Add(chunk);
            }
            if (!rows.Read(chunk.AsSpan(count % rowsPerChunk * numeric, numeric))) break;
            for (var c = 0; c < n; c++) text[c]?.Add(rows.Field(c).ToString());
            lines.Add(rows.RecordLine);
            count++;
        }

        var published = new ImmutableArray<string>?[n];
        for (var c = 0; c < n; c++) if (text[c] is { } cells) published[c] = CsvFrame.Publish(cells);
        return new CsvFrame(path, rows.Columns, kinds, count, chunks, rowsPerChunk, published, [.. lines]);
    }

    /// <summary>Reads <paramref name="path"/> with every column <see cref="ColumnKind.Numeric"/>.</summary>
    /// <exception cref="DataFileException">When the file is missing, unreadable or malformed, or a cell is not a finite number.</exception>
    public static CsvFrame ReadAllNumeric(string path) =>
        Read(path, names => ImmutableArray.CreateRange(names, _ => ColumnKind.Numeric));

    /// <summary>Field <paramref name="c"/> of the reader's current record as a finite number, or an error naming its line, field and column.</summary>
    internal static double Number(string path, CsvReader reader, int c, string column)
    {
        var field = reader.Field(c);
        if (SmallInteger(field) is { } n) return n;
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;

        var line = reader.FieldLine(c);
        var trimmed = field.Trim();
        if (trimmed.IsEmpty)
            throw new DataFileException(path, line, c + 1, $"expected a number in column '{column}', found an empty field.");
        var shown = Shown(trimmed);
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
        {
            var digits = trimmed.TrimStart("+-");
            var why = digits.Length > 0 && (char.IsAsciiDigit(digits[0]) || digits[0] == '.') ? " (beyond the range of a double)" : "";
            throw new DataFileException(path, line, c + 1, $"expected a finite number in column '{column}', found '{shown}'{why}.");
        }
        if (trimmed.Contains(',') && double.TryParse(trimmed.ToString().Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new DataFileException(path, line, c + 1, $"expected a number in column '{column}', found '{shown}'; use '.' as the decimal separator.");
        throw new DataFileException(path, line, c + 1, $"expected a number in column '{column}', found '{shown}'.");
    }

    /// <summary>
    /// The value of a plain integer of at most 15 digits (optionally '-'), exact as a double; null for anything else.
    /// A fast path for pixel- and label-like data: about 5× faster than <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/>.
    /// </summary>
    private static double? SmallInteger(ReadOnlySpan<char> s)
    {
        var negative = !s.IsEmpty && s[0] == '-';
        var digits = negative ? s[1..] : s;
        if (digits.IsEmpty || digits.Length > 15) return null;
        long n = 0;
        foreach (var ch in digits)
        {
            var d = (uint)(ch - '0');
            if (d > 9) return null;
            n = n * 10 + d;
        }
        return negative ? -(double)n : n; // -(double)0 is -0.0, as double.Parse("-0") gives
    }

    private static string Shown(ReadOnlySpan<char> s) =>
        s.Length <= 40 ? Escape(s.ToString()) : Escape(s[..40].ToString()) + "…";

    private static string Escape(string s) => s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

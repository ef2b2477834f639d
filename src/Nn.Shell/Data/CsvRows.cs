using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Nn.Shell;

/// <summary>What a reader does with each column of a CSV, chosen from its header.</summary>
/// <param name="Kinds">The kind of each column, in file order.</param>
/// <param name="Numeric">The numeric columns (0-based, each once) in the order their values are delivered per row.</param>
internal sealed record CsvPlan(ImmutableArray<ColumnKind> Kinds, ImmutableArray<int> Numeric)
{
    /// <summary>The plan with every <see cref="ColumnKind.Numeric"/> column delivered in file order.</summary>
    public static CsvPlan FileOrder(ImmutableArray<ColumnKind> kinds) =>
        new(kinds, kinds.IsDefault ? [] : [.. Enumerable.Range(0, kinds.Length).Where(c => kinds[c] == ColumnKind.Numeric)]);
}

/// <summary>
/// The data rows of a CSV file, one at a time: each row's numeric cells are parsed straight into the caller's span (in the
/// plan's order) and its text cells are available as spans until the next row, so a reader keeps only what it needs.
/// The file is read once; with a hash every byte read is appended to it, so at the end it is the hash of the bytes
/// parsed. Text must be valid UTF-8 (or UTF-16/32 with a BOM); see <see cref="StrictTextReader"/>.
/// </summary>
internal sealed class CsvRows : IDisposable
{
    private readonly CsvReader _reader;
    private readonly int[] _slot; // column → position in the delivered row, or -1

    private CsvRows(string path, CsvReader reader, ImmutableArray<string> columns, CsvPlan plan)
    {
        Path = path;
        _reader = reader;
        Columns = columns;
        Plan = plan;
        _slot = new int[columns.Length];
        Array.Fill(_slot, -1);
        for (var j = 0; j < plan.Numeric.Length; j++) _slot[plan.Numeric[j]] = j;
    }

    /// <summary>The file's path as given.</summary>
    public string Path { get; }

    /// <summary>The header's column names (trimmed), in file order; all distinct and non-empty.</summary>
    public ImmutableArray<string> Columns { get; }

    /// <summary>The plan the header was given.</summary>
    public CsvPlan Plan { get; }

    /// <summary>The number of numbers delivered per row.</summary>
    public int Width => Plan.Numeric.Length;

    /// <summary>The number of data rows read so far.</summary>
    public int Rows { get; private set; }

    /// <summary>The physical line (1-based) on which the current row starts.</summary>
    public int RecordLine => _reader.RecordLine;

    /// <summary>The physical line (1-based) on which field <paramref name="column"/> of the current row starts.</summary>
    public int FieldLine(int column) => _reader.FieldLine(column);

    /// <summary>Field <paramref name="column"/> of the current row (quotes removed); valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<char> Field(int column) => _reader.Field(column);

    /// <summary>
    /// Opens <paramref name="path"/>, reads its header and asks <paramref name="plan"/> what to do with each column (it may
    /// throw <see cref="DataFileException"/> itself, e.g. for a missing column).
    /// </summary>
    /// <exception cref="DataFileException">When the file is missing, unreadable, not valid text, empty, or its header is bad.</exception>
    /// <exception cref="ArgumentException">When the plan does not give one kind per column, or its numeric order is not the numeric columns.</exception>
    public static CsvRows Open(string path, IncrementalHash? hash, Func<ImmutableArray<string>, CsvPlan> plan)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(plan);
        if (!File.Exists(path)) throw new DataFileException(path, 0, 0, "file not found.");
        CsvReader? reader = null;
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (hash is not null) stream = new HashingStream(stream, hash);
            reader = new CsvReader(path, new StrictTextReader(stream), Csv.MaxRecordLength);
            if (!reader.Read()) throw new DataFileException(path, 1, 1, "expected a header row, found an empty file.");
            var columns = Header(path, reader);
            var chosen = plan(columns);
            Check(chosen, columns.Length);
            var rows = new CsvRows(path, reader, columns, chosen);
            reader = null;
            return rows;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, 0, 0, $"could not be read: {e.Message}");
        }
        finally
        {
            reader?.Dispose();
        }
    }

    /// <summary>
    /// Reads the next data row, parsing its numeric cells into <paramref name="row"/> (<see cref="Width"/> values, in the
    /// plan's order); false after the last row.
    /// </summary>
    /// <exception cref="DataFileException">When a row has another number of fields than the header, a numeric cell is not a
    /// finite number, the text is not valid, or the file has no data rows at all.</exception>
    public bool Read(Span<double> row)
    {
        bool more;
        try { more = _reader.Read(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(Path, 0, 0, $"could not be read: {e.Message}");
        }
        if (!more)
        {
            if (Rows == 0) throw new DataFileException(Path, _reader.NextLine, 1, "expected data rows after the header, found none.");
            return false;
        }
        var n = Columns.Length;
        if (_reader.FieldCount != n)
        {
            var few = _reader.FieldCount < n;
            throw new DataFileException(Path, few ? _reader.RecordLine : _reader.FieldLine(n), few ? _reader.FieldCount + 1 : n + 1,
                $"expected {n} fields as in the header, found {_reader.FieldCount}.");
        }
        if (Rows == int.MaxValue) throw new DataFileException(Path, _reader.RecordLine, 1, $"expected at most {int.MaxValue} data rows, found more.");
        for (var c = 0; c < n; c++)
            if (_slot[c] >= 0) row[_slot[c]] = Csv.Number(Path, _reader, c, Columns[c]);
        Rows++;
        return true;
    }

    private static void Check(CsvPlan plan, int columns)
    {
        var kinds = plan?.Kinds ?? default;
        if (plan is null || kinds.IsDefault || kinds.Length != columns)
            throw new ArgumentException($"The plan must return one kind per column ({columns}), got {(kinds.IsDefault ? 0 : kinds.Length)}.", nameof(plan));
        var numeric = Enumerable.Range(0, columns).Where(c => kinds[c] == ColumnKind.Numeric).ToHashSet();
        if (plan.Numeric.IsDefault || plan.Numeric.Length != numeric.Count || !plan.Numeric.All(numeric.Remove))
            throw new ArgumentException("The plan's numeric order must list every numeric column exactly once.", nameof(plan));
    }

    private static ImmutableArray<string> Header(string path, CsvReader reader)
    {
        var names = new string[reader.FieldCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < names.Length; c++)
        {
            var name = reader.Field(c).Trim().ToString();
            if (name.Length == 0)
                throw new DataFileException(path, reader.FieldLine(c), c + 1, $"expected a column name in header field {c + 1}, found an empty one.");
            if (!seen.TryAdd(name, c))
                throw new DataFileException(path, reader.FieldLine(c), c + 1, $"expected distinct column names, found '{name}' again (first in field {seen[name] + 1}).");
            names[c] = name;
        }
        return [.. names];
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();
}

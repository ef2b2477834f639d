using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn.Shell;

/// <summary>How <see cref="Csv.Read"/> treats a column.</summary>
public enum ColumnKind
{
    /// <summary>Every cell must be a finite invariant-culture number; stored as a <see cref="double"/> (8 bytes a cell).</summary>
    Numeric,

    /// <summary>Any text, including empty; stored as a string per cell.</summary>
    Text,

    /// <summary>Read past and not stored (any content).</summary>
    Skip,
}

/// <summary>
/// The columns of a CSV file as read by <see cref="Csv.Read"/>: numeric columns as doubles, text columns as strings,
/// skipped columns by name only. Immutable: every accessor returns a copy or an immutable value.
/// </summary>
public sealed class CsvFrame
{
    private readonly List<double[]> _chunks;   // row-major blocks of RowsPerChunk rows × numeric columns
    private readonly int _rowsPerChunk;
    private readonly int[] _slot;               // column → index among the numeric columns, or -1
    private readonly int _numericCount;
    private readonly ImmutableArray<string>?[] _text;
    private readonly int[] _lines;

    internal CsvFrame(string path, ImmutableArray<string> columns, ImmutableArray<ColumnKind> kinds, int rowCount,
        List<double[]> chunks, int rowsPerChunk, ImmutableArray<string>?[] text, int[] lines)
    {
        Path = path;
        Columns = columns;
        Kinds = kinds;
        RowCount = rowCount;
        _chunks = chunks;
        _rowsPerChunk = rowsPerChunk;
        _text = text;
        _lines = lines;
        _slot = new int[columns.Length];
        for (var c = 0; c < columns.Length; c++)
            _slot[c] = kinds[c] == ColumnKind.Numeric ? _numericCount++ : -1;
    }

    /// <summary>The file's path as given to <see cref="Csv.Read"/>.</summary>
    public string Path { get; }

    /// <summary>The header's column names (trimmed), in file order; all distinct and non-empty.</summary>
    public ImmutableArray<string> Columns { get; }

    /// <summary>The number of data rows (the header and blank lines not counted).</summary>
    public int RowCount { get; }

    /// <summary>The kind of each column, as the plan chose; same length as <see cref="Columns"/>.</summary>
    public ImmutableArray<ColumnKind> Kinds { get; }

    /// <summary>The 0-based index of the column named <paramref name="name"/> (ordinal comparison), or -1 when absent.</summary>
    public int IndexOf(string name) => Columns.IndexOf(name, StringComparer.Ordinal);

    /// <summary>The values of numeric column <paramref name="col"/>, one per row (a fresh array of length <see cref="RowCount"/>).</summary>
    /// <exception cref="ArgumentException">When <paramref name="col"/> is out of range or not a <see cref="ColumnKind.Numeric"/> column.</exception>
    public double[] NumericColumn(int col)
    {
        var s = Slot(col, nameof(col));
        var result = new double[RowCount];
        for (var r = 0; r < RowCount; r++)
            result[r] = _chunks[r / _rowsPerChunk][(r % _rowsPerChunk) * _numericCount + s];
        return result;
    }

    /// <summary>The cells of text column <paramref name="col"/>, one per row, exactly as in the file (quotes removed).</summary>
    /// <exception cref="ArgumentException">When <paramref name="col"/> is out of range or not a <see cref="ColumnKind.Text"/> column.</exception>
    public ImmutableArray<string> TextColumn(int col)
    {
        CheckIndex(col, nameof(col));
        return _text[col] ?? throw new ArgumentException(
            $"Column {col} ('{Columns[col]}') is {Kinds[col]}, not Text.", nameof(col));
    }

    /// <summary>
    /// The numeric columns <paramref name="columns"/> (0-based, any order, repeats allowed) as a matrix of shape
    /// (<see cref="RowCount"/> × columns.Count): element (r, j) is row r's value in column <c>columns[j]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the list is empty, or a column is out of range or not numeric.</exception>
    public Matrix NumericMatrix(IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0) throw new ArgumentException("NumericMatrix needs at least one column.", nameof(columns));
        var k = columns.Count;
        var slots = new int[k];
        for (var j = 0; j < k; j++) slots[j] = Slot(columns[j], nameof(columns));
        var size = (long)RowCount * k;
        if (size > Array.MaxLength)
            throw new ArgumentException($"A {RowCount}×{k} matrix has more elements than an array can hold.", nameof(columns));
        var data = new double[size];
        for (var r = 0; r < RowCount; r++)
        {
            var src = _chunks[r / _rowsPerChunk].AsSpan((r % _rowsPerChunk) * _numericCount, _numericCount);
            var dst = data.AsSpan(r * k, k);
            for (var j = 0; j < k; j++) dst[j] = src[slots[j]];
        }
        return Matrix.Own(RowCount, k, data);
    }

    /// <summary>
    /// The 1-based physical line on which data row <paramref name="row"/> (0-based) starts; it differs from
    /// <c>row + 2</c> after blank lines or quoted line breaks.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="row"/> is not in [0, <see cref="RowCount"/>).</exception>
    public int LineOf(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {RowCount}).");
        return _lines[row];
    }

    private int Slot(int col, string param)
    {
        CheckIndex(col, param);
        var s = _slot[col];
        return s >= 0 ? s : throw new ArgumentException($"Column {col} ('{Columns[col]}') is {Kinds[col]}, not Numeric.", param);
    }

    private void CheckIndex(int col, string param)
    {
        if ((uint)col >= (uint)Columns.Length)
            throw new ArgumentException($"Column {col} is out of range; the file has {Columns.Length} columns.", param);
    }

    /// <summary>Publishes a builder's array without copying (the caller never touches it again).</summary>
    internal static ImmutableArray<string> Publish(List<string> cells) =>
        ImmutableCollectionsMarshal.AsImmutableArray(cells.ToArray());
}

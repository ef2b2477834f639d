using System.Collections.Immutable;
using System.Text;

namespace Nn.Shell;

/// <summary>Consecutive input rows for a model, read by <see cref="ModelRows"/>.</summary>
/// <param name="Features">The raw features of the rows, in the model's feature order (rows × features).</param>
/// <param name="FirstRow">The 0-based index of the first row among the file's data rows.</param>
/// <param name="Lines">The 1-based CSV line on which each row starts, or empty for NumPy data.</param>
public sealed record DataChunk(Matrix Features, int FirstRow, ImmutableArray<int> Lines)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Sequence equality.</summary>
    public bool Equals(DataChunk? other) =>
        other is not null && Features.Equals(other.Features) && FirstRow == other.FirstRow && Lines.SequenceEqual(other.Lines);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Features, FirstRow);
}

/// <summary>
/// A model's input rows read a chunk at a time, so that memory does not grow with the number of rows: the CSV columns named
/// by the model's features (matched as <see cref="DataSource.ForModel"/> does; other columns are not stored), the rows of
/// an .npy matrix, or array x of an .npz (inflated as it is read); a Parquet file is read whole when it is opened (its
/// columns matched by name as for a CSV) and delivered in chunks. The header (or the .npy header) is read and checked when
/// the reader is opened, before any output is started.
/// </summary>
public sealed class ModelRows : IDisposable
{
    /// <summary>The default number of rows per chunk: 8192.</summary>
    public const int DefaultChunkRows = 8192;

    private readonly string _path;
    private readonly int _chunkRows;
    private readonly int _width;
    private readonly CsvRows? _csv;
    private readonly NpyStream? _npy;
    private readonly IDisposable? _owner;
    private readonly long _npyRows;
    private readonly Matrix? _table;
    private readonly ImmutableArray<string> _unused = [];
    private int _rows;

    private ModelRows(string path, int chunkRows, int width, CsvRows? csv, NpyStream? npy, long npyRows, IDisposable? owner)
    {
        _path = path;
        _chunkRows = chunkRows;
        _width = width;
        _csv = csv;
        _npy = npy;
        _npyRows = npyRows;
        _owner = owner;
    }

    /// <summary>The file's path as given.</summary>
    public string Path => _path;

    /// <summary>Parquet data, read whole (in the model's feature order) with its unused columns.</summary>
    private ModelRows(string path, int chunkRows, Matrix table, ImmutableArray<string> unused)
        : this(path, chunkRows, table.Cols, null, null, 0, null)
    {
        _table = table;
        _unused = unused;
    }

    /// <summary>The CSV (or Parquet) columns that are neither the model's features nor its target (not read; empty for NumPy data).</summary>
    public ImmutableArray<string> UnusedColumns => _csv is null ? _unused : DataSource.Unused(_csv.Columns, _csv.Plan.Kinds);

    /// <summary>
    /// Opens <paramref name="path"/> for a model with <paramref name="featureNames"/> (CSV columns by name; NumPy data by
    /// count), delivering at most <paramref name="chunkRows"/> rows per chunk.
    /// </summary>
    /// <exception cref="DataFileException">When the file is missing or malformed, or does not hold the model's features.</exception>
    public static ModelRows Open(string path, ImmutableArray<string> featureNames, string targetName, int chunkRows = DefaultChunkRows)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        var width = featureNames.Length;
        string? Accept(NpyHeader h)
        {
            if (Npy.MatrixShape(h) is { } rank) return rank;
            var cols = h.Shape.Length == 1 ? 1 : h.Shape[1];
            return cols == width ? null : $"has {cols} features, model expects {width}.";
        }

        var ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npy")
        {
            var length = ReadLimits.RegularFileLength(path, "expected the .npy magic string \\x93NUMPY at the start");
            FileStream? file = null;
            try
            {
                file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                var npy = NpyStream.Open(file, length, path, "", Accept);
                var rows = new ModelRows(path, chunkRows, width, null, npy, npy.Header.Shape[0], file);
                file = null;
                return rows;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DataFileException(path, 0, 0, $"could not be read: {e.Message}");
            }
            finally { file?.Dispose(); }
        }
        if (ext == ".npz")
        {
            var archive = NpzArchive.Open(path, null);
            try
            {
                var npy = archive.Stream("x", Accept)
                    ?? throw new DataFileException(path, 0, 0, $"expected an array named 'x'; found: {string.Join(", ", archive.Names)}.");
                var rows = new ModelRows(path, chunkRows, width, null, npy, npy.Header.Shape[0], archive);
                archive = null;
                return rows;
            }
            finally { archive?.Dispose(); }
        }
        if (ext == ".parquet")
        {
            var data = DataSource.ForModel(path, null, featureNames, targetName, requireTarget: false);
            return new ModelRows(path, chunkRows, data.Features, data.UnusedColumns);
        }
        var csv = CsvRows.Open(path, null, header =>
            new CsvPlan(DataSource.ModelColumns(path, header, featureNames, targetName, requireTarget: false), [.. featureNames.Select(f => header.IndexOf(f))]));
        return new ModelRows(path, chunkRows, width, csv, null, 0, csv);
    }

    /// <summary>The next chunk of rows, or null after the last.</summary>
    /// <exception cref="DataFileException">When a row is malformed (naming its line and field, or its element).</exception>
    public DataChunk? Next()
    {
        var first = _rows;
        if (_table is not null)
        {
            var n = Math.Min(_chunkRows, _table.Rows - _rows);
            if (n <= 0) return null;
            _rows += n;
            return new DataChunk(_table.SelectRows([.. Enumerable.Range(first, n)]), first, []);
        }
        if (_npy is not null)
        {
            var n = (int)Math.Min(_chunkRows, _npyRows - _rows);
            if (n <= 0) return null;
            var values = new double[n * _width];
            try { _npy.Read(values); }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new DataFileException(_path, 0, 0, $"could not be read: {e.Message}");
            }
            _rows += n;
            return new DataChunk(Matrix.Own(n, _width, values), first, []);
        }
        var buffer = new double[_chunkRows * _width];
        var lines = new List<int>();
        var count = 0;
        while (count < _chunkRows && _csv!.Read(buffer.AsSpan(count * _width, _width)))
        {
            lines.Add(_csv.RecordLine);
            count++;
        }
        if (count == 0) return null;
        _rows += count;
        var data = count == _chunkRows ? buffer : buffer[..(count * _width)];
        return new DataChunk(Matrix.Own(count, _width, data), first, [.. lines]);
    }

    /// <inheritdoc />
    public void Dispose() => _owner?.Dispose();
}

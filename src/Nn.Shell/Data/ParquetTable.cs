using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Parquet;
using Parquet.Schema;

namespace Nn.Shell;

/// <summary>
/// A Parquet file read with the same column rules as a CSV (see <see cref="CsvPlan"/>): the schema's top-level column names are
/// the header; <see cref="ColumnKind.Numeric"/> columns must hold integers or floating-point numbers (read exactly as doubles:
/// an integer beyond ±2⁵³ and a NaN or infinity are refused), the <see cref="ColumnKind.Text"/> column may hold numbers
/// (as their round-trip text) or strings (as they are), skipped columns may hold anything. A null in a read column is refused
/// with its 1-based row and column. The file is read into memory once (at most <see cref="ReadLimits.MaxParquetFileBytes"/>),
/// hashed and parsed there, so the hash is that of the bytes parsed.
/// </summary>
internal sealed class ParquetTable
{
    private const string Expected = "expected a Parquet file";
    private const double Exact = 9007199254740992.0; // 2^53

    private ParquetTable(ImmutableArray<string> columns, CsvPlan plan, Matrix features, ImmutableArray<string> cells, ImmutableArray<int> rows, string sha256)
    {
        Columns = columns;
        Plan = plan;
        Features = features;
        Cells = cells;
        Rows = rows;
        Sha256 = sha256;
    }

    /// <summary>The schema's top-level column names, in file order.</summary>
    public ImmutableArray<string> Columns { get; }

    /// <summary>What was read of each column.</summary>
    public CsvPlan Plan { get; }

    /// <summary>The numeric columns, in the plan's order.</summary>
    public Matrix Features { get; }

    /// <summary>The text column's cells (empty when the plan has none).</summary>
    public ImmutableArray<string> Cells { get; }

    /// <summary>The 1-based row of each text cell (empty when the plan has none).</summary>
    public ImmutableArray<int> Rows { get; }

    /// <summary>Lowercase hex SHA-256 of the file's bytes.</summary>
    public string Sha256 { get; }

    /// <summary>The 1-based field number of the text column, or 0.</summary>
    public int TextField => Plan.Kinds.IndexOf(ColumnKind.Text) + 1;

    /// <summary>Reads <paramref name="path"/> as <paramref name="plan"/> (given the column names) says.</summary>
    /// <exception cref="DataFileException">When the file is missing, too large, not Parquet, or a read column holds the wrong type or a null.</exception>
    public static ParquetTable Read(string path, Func<ImmutableArray<string>, CsvPlan> plan)
    {
        var bytes = ReadBytes(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        try
        {
            var reader = ParquetReader.CreateAsync(new MemoryStream(bytes, writable: false)).GetAwaiter().GetResult();
            try { return Read(path, reader, plan, sha); }
            finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        catch (Exception e) when (e is not (DataFileException or OutOfMemoryException or OperationCanceledException))
        {
            throw new DataFileException(path, 0, 0, $"{Expected}, but it could not be read: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static ParquetTable Read(string path, ParquetReader reader, Func<ImmutableArray<string>, CsvPlan> plan, string sha)
    {
        var fields = reader.Schema.Fields;
        ImmutableArray<string> columns = [.. fields.Select(f => f.Name)];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Length; c++)
            if (!seen.TryAdd(columns[c], c))
                throw new DataFileException(path, 0, 0, $"expected distinct column names, found '{columns[c]}' again (first in column {seen[columns[c]] + 1}).");
        CsvPlan p;
        try { p = plan(columns); }
        catch (DataFileException e) { throw new DataFileException(path, 0, 0, e.Expected); } // a Parquet file has no header line to point at

        var data = new List<DataField>();
        for (var c = 0; c < columns.Length; c++)
        {
            if (p.Kinds[c] == ColumnKind.Skip) continue;
            if (fields[c] is not DataField { IsArray: false } field)
                throw new DataFileException(path, 0, 0, $"column '{columns[c]}' is a nested column (a list, map or struct); expected a flat column of numbers{(p.Kinds[c] == ColumnKind.Text ? " or strings" : "")}.");
            var kind = Kind(field.ClrType);
            if (kind == CellType.Other || kind == CellType.Text && p.Kinds[c] == ColumnKind.Numeric)
                throw new DataFileException(path, 0, 0, p.Kinds[c] == ColumnKind.Numeric
                    ? $"column '{columns[c]}' holds {TypeName(field.ClrType)} values; expected numbers (integer or floating-point) in every feature column."
                    : $"target column '{columns[c]}' holds {TypeName(field.ClrType)} values; expected numbers or strings.");
            data.Add(field);
        }

        var rowCount = reader.RowGroups.Sum(g => g.RowCount);
        var width = p.Numeric.Length;
        if (width > 0 && rowCount > Array.MaxLength / width)
            throw new DataFileException(path, 0, 0, string.Create(CultureInfo.InvariantCulture,
                $"expected at most {Array.MaxLength / width} rows of {width} numbers (one array of at most {Array.MaxLength} values), found {rowCount}."));
        if (rowCount > Array.MaxLength)
            throw new DataFileException(path, 0, 0, string.Create(CultureInfo.InvariantCulture, $"expected at most {Array.MaxLength} rows, found {rowCount}."));
        if (ReadLimits.MemoryProblem(rowCount * width * sizeof(double), $"{rowCount} rows of {width} numbers") is { } problem)
            throw new DataFileException(path, 0, 0, problem);

        var rows = (int)rowCount;
        var values = GC.AllocateUninitializedArray<double>(rows * width);
        var textColumn = p.Kinds.IndexOf(ColumnKind.Text);
        var cells = textColumn < 0 ? [] : new string[rows];
        var slot = new int[columns.Length];
        Array.Fill(slot, -1);
        for (var s = 0; s < width; s++) slot[p.Numeric[s]] = s;

        var first = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            for (var c = 0; c < columns.Length; c++)
            {
                if (p.Kinds[c] == ColumnKind.Skip) continue;
                var column = new Column(path, (DataField)fields[c], c, first);
                if (slot[c] >= 0) ReadNumbers(group, column, n, values.AsSpan(first * width), width, slot[c]);
                else ReadText(group, column, n, cells.AsSpan(first, n));
            }
            first += n;
        }
        ImmutableArray<int> lines = textColumn < 0 ? [] : [.. Enumerable.Range(1, rows)];
        return new ParquetTable(columns, p, Matrix.Own(rows, width, values), [.. cells], lines, sha);
    }

    private static byte[] ReadBytes(string path)
    {
        var length = ReadLimits.RegularFileLength(path, Expected);
        if (length > ReadLimits.MaxParquetFileBytes)
            throw new DataFileException(path, 0, 0, $"is {length} bytes; a Parquet file of at most {ReadLimits.MaxParquetFileBytes} bytes is read (split it, or save it as CSV).");
        try
        {
            var bytes = new byte[length];
            int got;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
                got = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length) throw new DataFileException(path, 0, 0, $"{Expected}, but it shrank to {got} bytes while being read.");
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, 0, 0, $"{Expected}, but it could not be read: {e.Message}");
        }
    }

    private enum CellType { Integer, Float, Text, Other }

    private static CellType Kind(Type t) =>
        t == typeof(sbyte) || t == typeof(byte) || t == typeof(short) || t == typeof(ushort) || t == typeof(int) || t == typeof(uint)
        || t == typeof(long) || t == typeof(ulong) ? CellType.Integer
        : t == typeof(float) || t == typeof(double) ? CellType.Float
        : IsString(t) ? CellType.Text
        : CellType.Other;

    /// <summary>Parquet.Net 6 reports UTF-8 string columns as <see cref="ReadOnlyMemory{T}"/> of char.</summary>
    private static bool IsString(Type t) => t == typeof(string) || t == typeof(ReadOnlyMemory<char>);

    private static string TypeName(Type t) =>
        t == typeof(bool) ? "boolean" : t == typeof(decimal) ? "decimal" : IsString(t) ? "string"
        : t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(DateOnly) ? "date/time" : t == typeof(TimeSpan) || t == typeof(TimeOnly) ? "time"
        : t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) ? "binary" : t.Name;

    /// <summary>A column being read from one row group: its file, field, 0-based index and the 0-based row its group starts at.</summary>
    private sealed record Column(string Path, DataField Field, int Index, int First)
    {
        public DataFileException Null(int i, string expected)
        {
            var row = First + i + 1;
            return new DataFileException(Path, row, Index + 1, string.Create(CultureInfo.InvariantCulture,
                $"expected {expected} in column '{Field.Name}', found a null in row {row} (nn reads no missing values: drop or fill them first)."));
        }

        public DataFileException At(int i, string expected) =>
            new(Path, First + i + 1, Index + 1, string.Create(CultureInfo.InvariantCulture, $"column '{Field.Name}', row {First + i + 1}: {expected}"));
    }

    private static void ReadNumbers(ParquetRowGroupReader group, Column column, int n, Span<double> into, int width, int slot)
    {
        var t = column.Field.ClrType;
        if (t == typeof(sbyte)) Numbers<sbyte>(group, column, n, into, width, slot);
        else if (t == typeof(byte)) Numbers<byte>(group, column, n, into, width, slot);
        else if (t == typeof(short)) Numbers<short>(group, column, n, into, width, slot);
        else if (t == typeof(ushort)) Numbers<ushort>(group, column, n, into, width, slot);
        else if (t == typeof(int)) Numbers<int>(group, column, n, into, width, slot);
        else if (t == typeof(uint)) Numbers<uint>(group, column, n, into, width, slot);
        else if (t == typeof(long)) Numbers<long>(group, column, n, into, width, slot);
        else if (t == typeof(ulong)) Numbers<ulong>(group, column, n, into, width, slot);
        else if (t == typeof(float)) Numbers<float>(group, column, n, into, width, slot);
        else Numbers<double>(group, column, n, into, width, slot);
    }

    private static void Numbers<T>(ParquetRowGroupReader group, Column column, int n, Span<double> into, int width, int slot)
        where T : struct, INumberBase<T>
    {
        var values = Values<T>(group, column, n, "a number");
        for (var i = 0; i < n; i++) into[i * width + slot] = Exactly(column, i, values[i]);
    }

    /// <summary>The column's values in this row group, refusing a null (with its row).</summary>
    private static T[] Values<T>(ParquetRowGroupReader group, Column column, int n, string expected) where T : struct
    {
        if (!column.Field.IsNullable)
        {
            var plain = new T[n];
            group.ReadAsync<T>(column.Field, plain.AsMemory()).GetAwaiter().GetResult();
            return plain;
        }
        var nullable = new T?[n];
        group.ReadAsync<T>(column.Field, nullable.AsMemory()).GetAwaiter().GetResult();
        var values = new T[n];
        for (var i = 0; i < n; i++) values[i] = nullable[i] ?? throw column.Null(i, expected);
        return values;
    }

    /// <summary><paramref name="v"/> as the double that holds it exactly: integers within ±2⁵³, finite floats.</summary>
    private static double Exactly<T>(Column column, int i, T v) where T : struct, INumberBase<T>
    {
        if (T.IsInteger(v) && (typeof(T) == typeof(long) || typeof(T) == typeof(ulong)))
        {
            var whole = Int128.CreateTruncating(v);
            if (Int128.Abs(whole) > (Int128)Exact)
                throw column.At(i, string.Create(CultureInfo.InvariantCulture, $"expected integers within ±2^53 (exact as doubles), found {whole}."));
        }
        var d = double.CreateTruncating(v);
        if (!double.IsFinite(d)) throw column.At(i, string.Create(CultureInfo.InvariantCulture, $"expected a finite number, found {d}."));
        return d;
    }

    private static void ReadText(ParquetRowGroupReader group, Column column, int n, Span<string> into)
    {
        var t = column.Field.ClrType;
        if (IsString(t))
        {
            var strings = new string?[n];
            group.ReadAsync(column.Field, strings.AsMemory()).GetAwaiter().GetResult();
            for (var i = 0; i < n; i++) into[i] = strings[i] ?? throw column.Null(i, "a target value");
        }
        else if (t == typeof(sbyte)) Texts<sbyte>(group, column, n, into);
        else if (t == typeof(byte)) Texts<byte>(group, column, n, into);
        else if (t == typeof(short)) Texts<short>(group, column, n, into);
        else if (t == typeof(ushort)) Texts<ushort>(group, column, n, into);
        else if (t == typeof(int)) Texts<int>(group, column, n, into);
        else if (t == typeof(uint)) Texts<uint>(group, column, n, into);
        else if (t == typeof(long)) Texts<long>(group, column, n, into);
        else if (t == typeof(ulong)) Texts<ulong>(group, column, n, into);
        else if (t == typeof(float)) Texts<float>(group, column, n, into);
        else Texts<double>(group, column, n, into);
    }

    /// <summary>Numbers as the text a CSV would hold: integers exactly, floats as the round-trip text of their exact double value (NaN and ±∞ refused).</summary>
    private static void Texts<T>(ParquetRowGroupReader group, Column column, int n, Span<string> into) where T : struct, INumberBase<T>
    {
        var values = Values<T>(group, column, n, "a target value");
        var interned = new Dictionary<T, string>();
        for (var i = 0; i < n; i++)
        {
            if (interned.TryGetValue(values[i], out var text)) { into[i] = text; continue; }
            text = typeof(T) == typeof(float) || typeof(T) == typeof(double)
                ? Exactly(column, i, values[i]).ToString("R", CultureInfo.InvariantCulture)
                : Int128.CreateTruncating(values[i]).ToString(CultureInfo.InvariantCulture);
            if (interned.Count < 1 << 16) interned.Add(values[i], text);
            into[i] = text;
        }
    }
}

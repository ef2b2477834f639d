using Parquet;
using Parquet.Schema;

namespace Nn.Cli.Tests;

/// <summary>One column of a Parquet file written by <see cref="ParquetFile.Write"/>: its field and how to write rows [start, start + count).</summary>
public sealed record ParquetColumn(DataField Field, Func<ParquetRowGroupWriter, DataField, int, int, Task> Write, int Rows)
{
    public static ParquetColumn Doubles(string name, double[] v) =>
        new(new DataField<double>(name), async (w, f, s, n) => await w.WriteAsync<double>(f, v.AsMemory(s, n)), v.Length);

    public static ParquetColumn Doubles(string name, double?[] v) =>
        new(new DataField<double?>(name), async (w, f, s, n) => await w.WriteAsync<double>(f, (ReadOnlyMemory<double?>)v.AsMemory(s, n)), v.Length);

    public static ParquetColumn Floats(string name, float[] v) =>
        new(new DataField<float>(name), async (w, f, s, n) => await w.WriteAsync<float>(f, v.AsMemory(s, n)), v.Length);

    public static ParquetColumn Longs(string name, long[] v) =>
        new(new DataField<long>(name), async (w, f, s, n) => await w.WriteAsync<long>(f, v.AsMemory(s, n)), v.Length);

    public static ParquetColumn Ints(string name, int?[] v) =>
        new(new DataField<int?>(name), async (w, f, s, n) => await w.WriteAsync<int>(f, (ReadOnlyMemory<int?>)v.AsMemory(s, n)), v.Length);

    public static ParquetColumn Bools(string name, bool[] v) =>
        new(new DataField<bool>(name), async (w, f, s, n) => await w.WriteAsync<bool>(f, v.AsMemory(s, n)), v.Length);

    public static ParquetColumn Strings(string name, string?[] v) =>
        new(new DataField<string>(name, true), async (w, f, s, n) => await w.WriteAsync(f, v[s..(s + n)]), v.Length);
}

/// <summary>Writes small Parquet files with Parquet.Net itself (the reader under test is the same library, but nn's column rules are not).</summary>
public static class ParquetFile
{
    /// <summary>Writes <paramref name="columns"/> (all of one length) to <paramref name="path"/> in <paramref name="rowGroups"/> row groups of near-equal size.</summary>
    public static string Write(string path, int rowGroups, params ParquetColumn[] columns)
    {
        WriteAsync(path, rowGroups, columns).GetAwaiter().GetResult();
        return path;
    }

    private static async Task WriteAsync(string path, int rowGroups, ParquetColumn[] columns)
    {
        var rows = columns[0].Rows;
        Assert.All(columns, c => Assert.Equal(rows, c.Rows));
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field));
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, file);
        for (var g = 0; g < rowGroups; g++)
        {
            var start = rows * g / rowGroups;
            var count = rows * (g + 1) / rowGroups - start;
            using var group = writer.CreateRowGroup();
            foreach (var c in columns) await c.Write(group, c.Field, start, count);
        }
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Nn.MLNet;

/// <summary>The transformer's output: the input's rows with the output columns added, scored lazily as cursors move.</summary>
internal sealed class ScoredDataView(IDataView input, Scorer scorer, DataViewSchema.Column features, DataViewSchema schema) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (inputColumns, isActive) = Needs(columnsNeeded);
        var cursor = input.GetRowCursor(inputColumns, rand);
        return new ScoredCursor(cursor, new RowScoring(cursor, scorer, features, schema, isActive, cache: true));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (inputColumns, isActive) = Needs(columnsNeeded);
        return [.. input.GetRowCursorSet(inputColumns, n, rand).Select(c => new ScoredCursor(c, new RowScoring(c, scorer, features, schema, isActive, cache: true)))];
    }

    /// <summary>The input columns a request needs (the features too when an output is asked for), and which outputs are active.</summary>
    private (List<DataViewSchema.Column>, Func<int, bool>) Needs(IEnumerable<DataViewSchema.Column> columnsNeeded) =>
        RowDependencies.Of(input.Schema, features, columnsNeeded);

    private sealed class ScoredCursor(DataViewRowCursor input, RowScoring scoring) : DataViewRowCursor
    {
        public override DataViewSchema Schema => scoring.Schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => scoring.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => scoring.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>Which input columns a set of requested output-schema columns depends on.</summary>
internal static class RowDependencies
{
    public static (List<DataViewSchema.Column>, Func<int, bool>) Of(DataViewSchema input, DataViewSchema.Column features, IEnumerable<DataViewSchema.Column> requested)
    {
        var wanted = requested.Select(c => c.Index).ToHashSet();
        var inputColumns = input.Where(c => wanted.Contains(c.Index)).ToList();
        if (wanted.Any(i => i >= input.Count) && !inputColumns.Any(c => c.Index == features.Index)) inputColumns.Add(features);
        return (inputColumns, wanted.Contains);
    }
}

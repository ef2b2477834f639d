using Microsoft.ML;
using Microsoft.ML.Data;

namespace Nn.MLNet;

/// <summary>Scores single rows (what <c>mlContext.Model.CreatePredictionEngine</c> uses).</summary>
internal sealed class RowMapper(DataViewSchema input, Scorer scorer, DataViewSchema.Column features, DataViewSchema output) : IRowToRowMapper
{
    public DataViewSchema InputSchema => input;

    public DataViewSchema OutputSchema => output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        RowDependencies.Of(input, features, dependingColumns).Item1;

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var wanted = activeColumns.Select(c => c.Index).ToHashSet();
        return new ScoredRow(input, new RowScoring(input, scorer, features, output, wanted.Contains, cache: false));
    }

    private sealed class ScoredRow(DataViewRow input, RowScoring scoring) : DataViewRow
    {
        public override DataViewSchema Schema => scoring.Schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => scoring.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => scoring.GetGetter<TValue>(column);
    }
}

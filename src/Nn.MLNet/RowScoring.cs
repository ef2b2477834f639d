using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Nn.MLNet;

/// <summary>
/// The getters of one scored row over an input row: the input's columns pass through; the output columns (those after the
/// input's, in <see cref="Columns.Output"/>'s order) read the features once per row and score them. In a cursor the
/// outputs are cached by position; a mapped row (a prediction engine reuses one row with new values) scores on every read.
/// </summary>
internal sealed class RowScoring
{
    private readonly DataViewRow _input;
    private readonly Scorer _scorer;
    private readonly DataViewSchema _schema;
    private readonly Func<int, bool> _isActive;
    private readonly Action<double[]>? _readFeatures;
    private readonly bool _cache;
    private readonly double[] _features;
    private readonly RowOutput _output;
    private long _scoredAt = -1;

    public RowScoring(DataViewRow input, Scorer scorer, DataViewSchema.Column features, DataViewSchema schema, Func<int, bool> isActive, bool cache)
    {
        _input = input;
        _scorer = scorer;
        _schema = schema;
        _isActive = isActive;
        _cache = cache;
        _features = new double[scorer.Width];
        _output = new RowOutput(scorer.Classes);
        if (Enumerable.Range(input.Schema.Count, schema.Count - input.Schema.Count).Any(isActive))
            _readFeatures = FeatureReader.Create(input, features);
    }

    public DataViewSchema Schema => _schema;

    public bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _input.Schema.Count ? _input.IsColumnActive(_input.Schema[column.Index]) : _isActive(column.Index);

    public ValueGetter<T> GetGetter<T>(DataViewSchema.Column column)
    {
        if (column.Index < _input.Schema.Count) return _input.GetGetter<T>(_input.Schema[column.Index]);
        if (!_isActive(column.Index)) throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
        Delegate getter = (_schema[column.Index].Name, _scorer.Task) switch
        {
            (Columns.Score, MlTask.Multiclass) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                var scores = Scored().Scores;
                var editor = VBufferEditor.Create(ref v, scores.Length);
                scores.CopyTo(editor.Values);
                v = editor.Commit();
            }),
            (Columns.Score, _) => (ValueGetter<float>)((ref float v) => v = Scored().Score),
            (Columns.Probability, _) => (ValueGetter<float>)((ref float v) => v = Scored().Probability),
            (Columns.PredictedLabel, MlTask.Binary) => (ValueGetter<bool>)((ref bool v) => v = Scored().PredictedBool),
            (Columns.PredictedLabel, _) => (ValueGetter<uint>)((ref uint v) => v = Scored().PredictedKey),
            _ => throw new InvalidOperationException($"Unknown output column '{column.Name}'."),
        };
        return getter as ValueGetter<T> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' is {column.Type}; it has no getter of type {typeof(T).Name}.");
    }

    private RowOutput Scored()
    {
        if (_cache && _scoredAt == _input.Position) return _output;
        _readFeatures!(_features);
        for (var c = 0; c < _features.Length; c++)
            if (!double.IsFinite(_features[c]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Nn trainer: row {_input.Position} (0-based), feature {c} is {_features[c]}; the network scores finite features only."));
        _scorer.Score(_features, _output);
        _scoredAt = _input.Position;
        return _output;
    }
}

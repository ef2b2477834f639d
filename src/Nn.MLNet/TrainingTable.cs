using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Nn.MLNet;

/// <summary>
/// An IDataView's feature and label columns read into what <see cref="Nn.Shell.Model.Fit{T}"/> takes: a feature matrix
/// (one row per data row, float features widened exactly to double) and one target per row (a class index for the
/// classifiers, the value for regression).
/// </summary>
/// <param name="Features">m × features.</param>
/// <param name="Classes">The class index per row (binary: 0 = false, 1 = true; multiclass: key value − 1); empty for regression.</param>
/// <param name="Values">The target per row (regression); empty for the classifiers.</param>
internal sealed record TrainingTable(Matrix Features, int[] Classes, double[] Values)
{
    /// <summary>Reads every row of the two columns (already checked by <see cref="Columns"/>).</summary>
    /// <exception cref="ArgumentException">For a missing key (key value 0) or a NaN label; the message names the row.</exception>
    public static TrainingTable Read(IDataView data, DataViewSchema.Column features, DataViewSchema.Column label, MlTask task)
    {
        var width = ((VectorDataViewType)features.Type).Size;
        var x = new List<double>();
        var classes = new List<int>();
        var values = new List<double>();
        using var cursor = data.GetRowCursor([features, label]);
        var readFeatures = FeatureReader.Create(cursor, features);
        var readLabel = LabelReader(cursor, label, task, classes, values);
        var row = 0L;
        var buffer = new double[width];
        while (cursor.MoveNext())
        {
            readFeatures(buffer);
            x.AddRange(buffer);
            readLabel(row++);
        }
        if (row == 0) throw new ArgumentException("Nn trainer: the training data has no rows.", nameof(data));
        return new TrainingTable(Matrix.Create((int)row, width, x), [.. classes], [.. values]);
    }

    private static Action<long> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column label, MlTask task, List<int> classes, List<double> values)
    {
        switch (task)
        {
            case MlTask.Binary:
            {
                var get = cursor.GetGetter<bool>(label);
                var b = false;
                return _ => { get(ref b); classes.Add(b ? 1 : 0); };
            }
            case MlTask.Multiclass:
            {
                var key = KeyReader(cursor, label);
                return row =>
                {
                    var k = key();
                    if (k == 0) throw new ArgumentException(Row(row, $"the label column '{label.Name}' holds a missing key (a value MapValueToKey did not know)"), nameof(label));
                    classes.Add(checked((int)(k - 1)));
                };
            }
            case MlTask.Regression:
            {
                var get = NumberReader(cursor, label);
                return row =>
                {
                    var v = get();
                    if (!double.IsFinite(v)) throw new ArgumentException(Row(row, $"the label column '{label.Name}' is {v.ToString(CultureInfo.InvariantCulture)}; a regression label must be finite"), nameof(label));
                    values.Add(v);
                };
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(task));
        }
    }

    private static Func<ulong> KeyReader(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = ((KeyDataViewType)column.Type).RawType;
        if (raw == typeof(uint)) { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(ushort)) { var g = row.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(byte)) { var g = row.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
        { var g = row.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
    }

    private static Func<double> NumberReader(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Double) { var g = row.GetGetter<double>(column); var v = 0.0; return () => { g(ref v); return v; }; }
        { var g = row.GetGetter<float>(column); var v = 0f; return () => { g(ref v); return v; }; }
    }

    private static string Row(long row, string what) => string.Create(CultureInfo.InvariantCulture, $"Nn trainer: row {row} (0-based): {what}.");
}

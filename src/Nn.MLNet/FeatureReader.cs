using Microsoft.ML;
using Microsoft.ML.Data;

namespace Nn.MLNet;

/// <summary>Reads a row's feature vector (float or double, dense or sparse) into a double buffer; floats widen exactly.</summary>
internal static class FeatureReader
{
    /// <summary>A reader for <paramref name="column"/> of <paramref name="row"/>: each call fills the buffer with the current row's features.</summary>
    public static Action<double[]> Create(DataViewRow row, DataViewSchema.Column column)
    {
        if (((VectorDataViewType)column.Type).ItemType == NumberDataViewType.Double)
        {
            var get = row.GetGetter<VBuffer<double>>(column);
            var v = default(VBuffer<double>);
            return buffer => { get(ref v); Fill(v, buffer, static d => d); };
        }
        else
        {
            var get = row.GetGetter<VBuffer<float>>(column);
            var v = default(VBuffer<float>);
            return buffer => { get(ref v); Fill(v, buffer, static f => f); };
        }
    }

    private static void Fill<T>(in VBuffer<T> v, double[] buffer, Func<T, double> widen)
    {
        var values = v.GetValues();
        if (v.IsDense)
        {
            for (var i = 0; i < buffer.Length; i++) buffer[i] = widen(values[i]);
            return;
        }
        Array.Clear(buffer);
        var indices = v.GetIndices();
        for (var k = 0; k < indices.Length; k++) buffer[indices[k]] = widen(values[k]);
    }
}

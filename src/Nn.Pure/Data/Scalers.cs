namespace Nn;

/// <summary>
/// Per-feature standardisation fitted on a batch X (m × n): <c>z[i, j] = (x[i, j] − Means[j]) / StdDevs[j]</c>.
/// Build with <see cref="Fit"/>, apply with <see cref="Transform"/>, undo with <see cref="InverseTransform"/>.
/// </summary>
/// <param name="Means">The column means, length n.</param>
/// <param name="StdDevs">The column scales, length n: the population standard deviations (dividing by m, like
/// scikit-learn's <c>StandardScaler</c>), with 1 in place of a zero standard deviation so a constant column maps to 0.</param>
public sealed record StandardScaler(Vector Means, Vector StdDevs)
{
    /// <summary>Fits the column means and population standard deviations of X (m × n, m ≥ 1); a zero std becomes 1.</summary>
    /// <exception cref="ArgumentException">When X has no rows.</exception>
    public static StandardScaler Fit(Matrix x)
    {
        if (x.Rows == 0) throw new ArgumentException("Cannot fit a scaler on a batch with no rows.", nameof(x));
        var mean = new double[x.Cols];
        var std = new double[x.Cols];
        for (var r = 0; r < x.Rows; r++)
        {
            var row = x.RowSpan(r);
            for (var c = 0; c < x.Cols; c++) mean[c] += row[c];
        }
        for (var c = 0; c < x.Cols; c++) mean[c] /= x.Rows;
        for (var r = 0; r < x.Rows; r++)
        {
            var row = x.RowSpan(r);
            for (var c = 0; c < x.Cols; c++)
            {
                var d = row[c] - mean[c];
                std[c] += d * d;
            }
        }
        for (var c = 0; c < x.Cols; c++)
        {
            var s = Math.Sqrt(std[c] / x.Rows);
            std[c] = s == 0.0 ? 1.0 : s;
        }
        return new StandardScaler(Vector.Own(mean), Vector.Own(std));
    }

    /// <summary>Standardises X (m × n): <c>(x[i, j] − Means[j]) / StdDevs[j]</c>, shape (m × n).</summary>
    /// <exception cref="ArgumentException">When X does not have n columns.</exception>
    public static Matrix Transform(StandardScaler scaler, Matrix x) =>
        Affine.Apply(x, scaler.Means, scaler.StdDevs, inverse: false, nameof(StandardScaler));

    /// <summary>Undoes <see cref="Transform"/> on Z (m × n): <c>z[i, j]·StdDevs[j] + Means[j]</c>, shape (m × n).</summary>
    /// <exception cref="ArgumentException">When Z does not have n columns.</exception>
    public static Matrix InverseTransform(StandardScaler scaler, Matrix z) =>
        Affine.Apply(z, scaler.Means, scaler.StdDevs, inverse: true, nameof(StandardScaler));
}

/// <summary>
/// Per-feature rescaling to [0, 1] fitted on a batch X (m × n): <c>z[i, j] = (x[i, j] − Mins[j]) / Ranges[j]</c>.
/// Build with <see cref="Fit"/>, apply with <see cref="Transform"/>, undo with <see cref="InverseTransform"/>.
/// </summary>
/// <param name="Mins">The column minima, length n.</param>
/// <param name="Ranges">The column ranges max − min, length n, with 1 in place of a zero range (like scikit-learn's
/// <c>MinMaxScaler</c>) so a constant column maps to 0.</param>
public sealed record MinMaxScaler(Vector Mins, Vector Ranges)
{
    /// <summary>Fits the column minima and ranges of X (m × n, m ≥ 1); a zero range becomes 1.</summary>
    /// <exception cref="ArgumentException">When X has no rows.</exception>
    public static MinMaxScaler Fit(Matrix x)
    {
        if (x.Rows == 0) throw new ArgumentException("Cannot fit a scaler on a batch with no rows.", nameof(x));
        var min = x.RowSpan(0).ToArray();
        var range = x.RowSpan(0).ToArray();
        for (var r = 1; r < x.Rows; r++)
        {
            var row = x.RowSpan(r);
            for (var c = 0; c < x.Cols; c++)
            {
                min[c] = Math.Min(min[c], row[c]);
                range[c] = Math.Max(range[c], row[c]);
            }
        }
        for (var c = 0; c < x.Cols; c++)
        {
            var d = range[c] - min[c];
            range[c] = d == 0.0 ? 1.0 : d;
        }
        return new MinMaxScaler(Vector.Own(min), Vector.Own(range));
    }

    /// <summary>Rescales X (m × n): <c>(x[i, j] − Mins[j]) / Ranges[j]</c>, shape (m × n); the fitted data lands in [0, 1].</summary>
    /// <exception cref="ArgumentException">When X does not have n columns.</exception>
    public static Matrix Transform(MinMaxScaler scaler, Matrix x) =>
        Affine.Apply(x, scaler.Mins, scaler.Ranges, inverse: false, nameof(MinMaxScaler));

    /// <summary>Undoes <see cref="Transform"/> on Z (m × n): <c>z[i, j]·Ranges[j] + Mins[j]</c>, shape (m × n).</summary>
    /// <exception cref="ArgumentException">When Z does not have n columns.</exception>
    public static Matrix InverseTransform(MinMaxScaler scaler, Matrix z) =>
        Affine.Apply(z, scaler.Mins, scaler.Ranges, inverse: true, nameof(MinMaxScaler));
}

/// <summary>The per-column affine map shared by the scalers.</summary>
internal static class Affine
{
    /// <summary><c>(x − shift)/scale</c> per column, or <c>x·scale + shift</c> when <paramref name="inverse"/>.</summary>
    internal static Matrix Apply(Matrix x, Vector shift, Vector scale, bool inverse, string scaler)
    {
        if (shift.Length != scale.Length)
            throw new ArgumentException($"The {scaler} has {shift.Length} offsets but {scale.Length} scales.", nameof(scale));
        if (x.Cols != shift.Length)
            throw new ArgumentException($"The {scaler} was fitted on {shift.Length} features but the batch has {x.Cols} ({x.Shape}).", nameof(x));
        var data = new double[x.Rows * x.Cols];
        for (var r = 0; r < x.Rows; r++)
        {
            var row = x.RowSpan(r);
            var o = r * x.Cols;
            for (var c = 0; c < x.Cols; c++)
                data[o + c] = inverse ? row[c] * scale[c] + shift[c] : (row[c] - shift[c]) / scale[c];
        }
        return Matrix.Own(x.Rows, x.Cols, data);
    }
}

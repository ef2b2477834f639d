namespace Nn;

/// <summary>The mean and sample standard deviation of a few numbers (metrics over folds or seeds), summed in index order.</summary>
public static class SampleStatistics
{
    /// <summary>The mean Σ xᵢ / n; NaN for no values (and when a value is NaN).</summary>
    public static double Mean(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return double.NaN;
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++) sum += values[i];
        return sum / values.Count;
    }

    /// <summary>
    /// The sample standard deviation √(Σ (xᵢ − x̄)² / (n − 1)) (Bessel's correction, as NumPy's <c>std(ddof=1)</c> and
    /// pandas' <c>std()</c>); NaN for fewer than two values.
    /// </summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2) return double.NaN;
        var mean = Mean(values);
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++) sum += (values[i] - mean) * (values[i] - mean);
        return Math.Sqrt(sum / (values.Count - 1));
    }
}

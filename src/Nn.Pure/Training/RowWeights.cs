namespace Nn;

/// <summary>The checks and sum of per-row weights (see <see cref="TrainingData.Weights"/>).</summary>
internal static class RowWeights
{
    /// <summary>Throws unless <paramref name="weights"/> has <paramref name="rows"/> values, each finite and ≥ 0.</summary>
    /// <exception cref="ArgumentException">Naming the first bad weight.</exception>
    internal static void Check(Vector weights, int rows, string name)
    {
        ArgumentNullException.ThrowIfNull(weights, name);
        if (weights.Length != rows)
            throw new ArgumentException($"There are {weights.Length} weights for {rows} rows: every row needs one weight.", name);
        var w = weights.AsSpan();
        for (var i = 0; i < w.Length; i++)
            if (!(w[i] >= 0) || double.IsInfinity(w[i]))
                throw new ArgumentException(FormattableString.Invariant($"Weight {i} is {w[i]}; every weight must be a finite number >= 0."), name);
    }

    /// <summary>Σ w in increasing index order (for unit weights: the row count, exactly).</summary>
    internal static double Sum(ReadOnlySpan<double> w)
    {
        var sum = 0.0;
        foreach (var v in w) sum += v;
        return sum;
    }
}

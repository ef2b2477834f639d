namespace Nn;

/// <summary>
/// Regression metrics for predictions and targets given as vectors of equal length m ≥ 1 (one value per example).
/// Every function throws <see cref="ArgumentException"/> for empty or mismatched inputs.
/// </summary>
public static class Regression
{
    /// <summary>The mean squared error <c>(1/m)·Σᵢ (ŷᵢ − yᵢ)²</c>.</summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double MeanSquaredError(Vector predicted, Vector target)
    {
        Check(predicted, target);
        var s = 0.0;
        for (var i = 0; i < target.Length; i++)
        {
            var d = predicted[i] - target[i];
            s += d * d;
        }
        return s / target.Length;
    }

    /// <summary>The root mean squared error <c>√MSE</c>.</summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double RootMeanSquaredError(Vector predicted, Vector target) => Math.Sqrt(MeanSquaredError(predicted, target));

    /// <summary>The mean absolute error <c>(1/m)·Σᵢ |ŷᵢ − yᵢ|</c>.</summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double MeanAbsoluteError(Vector predicted, Vector target)
    {
        Check(predicted, target);
        var s = 0.0;
        for (var i = 0; i < target.Length; i++) s += Math.Abs(predicted[i] - target[i]);
        return s / target.Length;
    }

    /// <summary>
    /// The coefficient of determination <c>R² = 1 − SS_res/SS_tot</c> with <c>SS_res = Σᵢ (yᵢ − ŷᵢ)²</c> and
    /// <c>SS_tot = Σᵢ (yᵢ − ȳ)²</c>. It is at most 1 and may be negative. When the targets are constant (SS_tot = 0)
    /// the result is 1 if the predictions are exact (SS_res = 0) and 0 otherwise, like scikit-learn's
    /// <c>r2_score(force_finite=True)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double RSquared(Vector predicted, Vector target)
    {
        Check(predicted, target);
        var mean = 0.0;
        for (var i = 0; i < target.Length; i++) mean += target[i];
        mean /= target.Length;
        double ssRes = 0.0, ssTot = 0.0;
        for (var i = 0; i < target.Length; i++)
        {
            var r = target[i] - predicted[i];
            var t = target[i] - mean;
            ssRes += r * r;
            ssTot += t * t;
        }
        if (ssTot == 0.0) return ssRes == 0.0 ? 1.0 : 0.0;
        return 1.0 - ssRes / ssTot;
    }

    private static void Check(Vector predicted, Vector target)
    {
        if (target.Length == 0) throw new ArgumentException("The targets are empty.", nameof(target));
        if (predicted.Length != target.Length)
            throw new ArgumentException($"There are {predicted.Length} predictions but {target.Length} targets.", nameof(predicted));
    }
}

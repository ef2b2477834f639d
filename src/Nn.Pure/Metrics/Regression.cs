namespace Nn;

/// <summary>
/// Regression metrics for true and predicted values given as vectors of equal length m ≥ 1 (one value per example).
/// Every function takes the truth first and the predictions second, as scikit-learn's <c>metric(y_true, y_pred)</c>
/// and every other metric here do. Every function throws <see cref="ArgumentException"/> for empty or mismatched inputs.
/// </summary>
public static class Regression
{
    /// <summary>The mean squared error <c>(1/m)·Σᵢ (ŷᵢ − yᵢ)²</c>.</summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double MeanSquaredError(Vector truth, Vector predicted)
    {
        Check(truth, predicted);
        var s = 0.0;
        for (var i = 0; i < truth.Length; i++)
        {
            var d = predicted[i] - truth[i];
            s += d * d;
        }
        return s / truth.Length;
    }

    /// <summary>The root mean squared error <c>√MSE</c>.</summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double RootMeanSquaredError(Vector truth, Vector predicted) => Math.Sqrt(MeanSquaredError(truth, predicted));

    /// <summary>The mean absolute error <c>(1/m)·Σᵢ |ŷᵢ − yᵢ|</c>.</summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double MeanAbsoluteError(Vector truth, Vector predicted)
    {
        Check(truth, predicted);
        var s = 0.0;
        for (var i = 0; i < truth.Length; i++) s += Math.Abs(predicted[i] - truth[i]);
        return s / truth.Length;
    }

    /// <summary>
    /// The coefficient of determination <c>R² = 1 − SS_res/SS_tot</c> with <c>SS_res = Σᵢ (yᵢ − ŷᵢ)²</c> and
    /// <c>SS_tot = Σᵢ (yᵢ − ȳ)²</c>. It is at most 1 and may be negative. When the targets are constant (SS_tot = 0)
    /// the result is 1 if the predictions are exact (SS_res = 0) and 0 otherwise, like scikit-learn's
    /// <c>r2_score(force_finite=True)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the vectors are empty or differ in length.</exception>
    public static double RSquared(Vector truth, Vector predicted)
    {
        Check(truth, predicted);
        var mean = 0.0;
        for (var i = 0; i < truth.Length; i++) mean += truth[i];
        mean /= truth.Length;
        double ssRes = 0.0, ssTot = 0.0;
        for (var i = 0; i < truth.Length; i++)
        {
            var r = truth[i] - predicted[i];
            var t = truth[i] - mean;
            ssRes += r * r;
            ssTot += t * t;
        }
        if (ssTot == 0.0) return ssRes == 0.0 ? 1.0 : 0.0;
        return 1.0 - ssRes / ssTot;
    }

    private static void Check(Vector truth, Vector predicted)
    {
        if (truth.Length == 0) throw new ArgumentException("The true values are empty.", nameof(truth));
        if (predicted.Length != truth.Length)
            throw new ArgumentException($"There are {truth.Length} true values but {predicted.Length} predictions.", nameof(predicted));
    }
}

namespace Nn;

/// <summary>
/// Metrics with a weight per example, as scikit-learn computes them with <c>sample_weight</c>: every mean becomes the
/// weighted mean <c>Σ wᵢ·xᵢ / Σ wᵢ</c> (weights finite, ≥ 0, not all 0). With unit weights each equals its unweighted
/// counterpart in <see cref="Classification"/> or <see cref="Regression"/>.
/// </summary>
public static class WeightedScores
{
    /// <summary>The weighted fraction of examples classified right: <c>Σ wᵢ·[predictedᵢ = truthᵢ] / Σ w</c>.</summary>
    /// <exception cref="ArgumentException">When the counts differ, the lists are empty, or a weight is bad.</exception>
    public static double Accuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, Vector weights)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count == 0) throw new ArgumentException("The true labels are empty.", nameof(truth));
        if (predicted.Count != truth.Count)
            throw new ArgumentException($"There are {truth.Count} true labels but {predicted.Count} predictions.", nameof(predicted));
        var total = Total(weights, truth.Count);
        var right = 0.0;
        for (var i = 0; i < truth.Count; i++)
            if (truth[i] == predicted[i]) right += weights[i];
        return right / total;
    }

    /// <summary>
    /// The weighted mean negative log-probability of the true class, probabilities clipped to
    /// [<see cref="Classification.LogLossEpsilon"/>, 1 − ε] as <see cref="Classification.LogLoss"/> clips them.
    /// </summary>
    /// <exception cref="ArgumentException">When shapes differ, a label is out of range, or a weight is bad.</exception>
    public static double LogLoss(IReadOnlyList<int> truth, Matrix probabilities, Vector weights)
    {
        Classification.CheckProbabilities(truth, probabilities);
        var total = Total(weights, truth.Count);
        var sum = 0.0;
        for (var i = 0; i < truth.Count; i++)
            sum -= weights[i] * Kernels.Logarithm.Of(Math.Clamp(probabilities[i, truth[i]], Classification.LogLossEpsilon, 1.0 - Classification.LogLossEpsilon));
        return sum / total;
    }

    /// <summary>The weighted mean squared error <c>Σ wᵢ(yᵢ − ŷᵢ)² / Σ w</c>.</summary>
    /// <exception cref="ArgumentException">When the lengths differ, are 0, or a weight is bad.</exception>
    public static double MeanSquaredError(Vector truth, Vector predicted, Vector weights)
    {
        var total = Check(truth, predicted, weights);
        var sum = 0.0;
        for (var i = 0; i < truth.Length; i++)
        {
            var d = truth[i] - predicted[i];
            sum += weights[i] * (d * d);
        }
        return sum / total;
    }

    /// <summary>The weighted mean absolute error <c>Σ wᵢ|yᵢ − ŷᵢ| / Σ w</c>.</summary>
    /// <exception cref="ArgumentException">When the lengths differ, are 0, or a weight is bad.</exception>
    public static double MeanAbsoluteError(Vector truth, Vector predicted, Vector weights)
    {
        var total = Check(truth, predicted, weights);
        var sum = 0.0;
        for (var i = 0; i < truth.Length; i++) sum += weights[i] * Math.Abs(truth[i] - predicted[i]);
        return sum / total;
    }

    /// <summary>
    /// The weighted coefficient of determination <c>1 − Σ wᵢ(yᵢ − ŷᵢ)² / Σ wᵢ(yᵢ − ȳ)²</c> with ȳ the weighted mean
    /// (scikit-learn's <c>r2_score(…, sample_weight=w)</c>); 0/0 gives 1 and x/0 gives 0, as <see cref="Regression.RSquared"/>.
    /// </summary>
    /// <exception cref="ArgumentException">When the lengths differ, are 0, or a weight is bad.</exception>
    public static double RSquared(Vector truth, Vector predicted, Vector weights)
    {
        var total = Check(truth, predicted, weights);
        var mean = 0.0;
        for (var i = 0; i < truth.Length; i++) mean += weights[i] * truth[i];
        mean /= total;
        double ssRes = 0.0, ssTot = 0.0;
        for (var i = 0; i < truth.Length; i++)
        {
            var r = truth[i] - predicted[i];
            var t = truth[i] - mean;
            ssRes += weights[i] * (r * r);
            ssTot += weights[i] * (t * t);
        }
        if (ssTot == 0.0) return ssRes == 0.0 ? 1.0 : 0.0;
        return 1.0 - ssRes / ssTot;
    }

    private static double Check(Vector truth, Vector predicted, Vector weights)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Length == 0) throw new ArgumentException("The true values are empty.", nameof(truth));
        if (predicted.Length != truth.Length)
            throw new ArgumentException($"There are {truth.Length} true values but {predicted.Length} predictions.", nameof(predicted));
        return Total(weights, truth.Length);
    }

    /// <summary>Σ w after <see cref="RowWeights.Check"/>; refuses weights that are all 0 (no mean to take).</summary>
    private static double Total(Vector weights, int count)
    {
        RowWeights.Check(weights, count, nameof(weights));
        var total = RowWeights.Sum(weights.AsSpan());
        if (!(total > 0)) throw new ArgumentException("Every weight is 0; a weighted mean needs at least one positive weight.", nameof(weights));
        return total;
    }
}

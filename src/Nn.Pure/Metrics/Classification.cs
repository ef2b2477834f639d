using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// Classification metrics. Labels are ints in [0, k); probabilities are a matrix of shape (m × k), one example per row
/// (for a binary sigmoid output of shape (m × 1) use <see cref="Labels.BinaryToTwoClass"/> first). Every function
/// throws <see cref="ArgumentException"/> for empty inputs, mismatched lengths and labels out of range.
/// </summary>
public static class Classification
{
    /// <summary>The clipping bound ε of <see cref="LogLoss"/>: probabilities are clipped to [ε, 1 − ε].</summary>
    public const double LogLossEpsilon = 1e-15;

    /// <summary>The fraction of positions where the labels agree: <c>#{i : truth[i] = predicted[i]} / m</c>.</summary>
    /// <exception cref="ArgumentException">When the lists are empty or differ in length.</exception>
    public static double Accuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        CheckPair(truth, predicted);
        var correct = 0;
        for (var i = 0; i < truth.Count; i++) if (truth[i] == predicted[i]) correct++;
        return (double)correct / truth.Count;
    }

    /// <summary>
    /// The k × k confusion matrix of true against predicted labels (each of length m, values in [0, classes)):
    /// <c>Count(t, p) = #{i : truth[i] = t ∧ predicted[i] = p}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the lists are empty, differ in length, or hold a label outside [0, classes).</exception>
    public static ConfusionMatrix Confusion(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classes)
    {
        CheckPair(truth, predicted);
        Labels.Check(truth, classes, nameof(truth));
        Labels.Check(predicted, classes, nameof(predicted));
        var counts = new int[classes * classes];
        for (var i = 0; i < truth.Count; i++) counts[truth[i] * classes + predicted[i]]++;
        return new ConfusionMatrix(classes, ImmutableCollectionsMarshal.AsImmutableArray(counts));
    }

    /// <summary>
    /// Per-class precision, recall, F1 and support with macro, micro and weighted averages (0/0 is taken as 0; see
    /// <see cref="ClassificationReport"/> for the definitions).
    /// </summary>
    /// <exception cref="ArgumentException">When the confusion matrix is empty (no examples).</exception>
    public static ClassificationReport Report(ConfusionMatrix confusion)
    {
        var k = confusion.Classes;
        var m = confusion.Total;
        if (m == 0) throw new ArgumentException("The confusion matrix holds no examples.", nameof(confusion));
        var support = confusion.Support;
        var predicted = confusion.Predicted;
        var precision = new double[k];
        var recall = new double[k];
        var f1 = new double[k];
        long tpSum = 0, fpSum = 0, fnSum = 0;
        for (var c = 0; c < k; c++)
        {
            var tp = confusion.Count(c, c);
            var fp = predicted[c] - tp;
            var fn = support[c] - tp;
            precision[c] = Ratio(tp, tp + fp);
            recall[c] = Ratio(tp, tp + fn);
            f1[c] = Ratio(2.0 * tp, 2.0 * tp + fp + fn);
            tpSum += tp;
            fpSum += fp;
            fnSum += fn;
        }
        var macro = new AveragedScores(Mean(precision), Mean(recall), Mean(f1));
        var micro = new AveragedScores(Ratio(tpSum, tpSum + fpSum), Ratio(tpSum, tpSum + fnSum), Ratio(2.0 * tpSum, 2.0 * tpSum + fpSum + fnSum));
        var weighted = new AveragedScores(Weighted(precision, support, m), Weighted(recall, support, m), Weighted(f1, support, m));
        return new ClassificationReport(
            ImmutableCollectionsMarshal.AsImmutableArray(precision), ImmutableCollectionsMarshal.AsImmutableArray(recall),
            ImmutableCollectionsMarshal.AsImmutableArray(f1), support, (double)confusion.Correct / m, macro, micro, weighted);
    }

    /// <summary>
    /// Top-k accuracy from true labels (length m) and probabilities (m × classes): the fraction of examples whose true
    /// class is among the k highest scores of its row, ties broken in favour of the lower class index (class c ranks
    /// above the true class t when <c>p[c] &gt; p[t]</c>, or <c>p[c] = p[t]</c> and <c>c &lt; t</c>).
    /// With k ≥ classes the result is 1; with k = 1 it is the accuracy of <see cref="Labels.ArgMax"/>.
    /// </summary>
    /// <exception cref="ArgumentException">When k &lt; 1, the inputs are empty or differ in length, or a label is out of range.</exception>
    public static double TopKAccuracy(IReadOnlyList<int> truth, Matrix probabilities, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be >= 1, got {k}.", nameof(k));
        CheckProbabilities(truth, probabilities);
        var hits = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            var row = probabilities.RowSpan(i);
            var t = truth[i];
            var above = 0;
            for (var c = 0; c < row.Length; c++)
                if (row[c] > row[t] || (row[c] == row[t] && c < t)) above++;
            if (above < k) hits++;
        }
        return (double)hits / truth.Count;
    }

    /// <summary>
    /// The mean negative log-likelihood of the true class, <c>−(1/m)·Σᵢ ln clip(p[i, truth[i]])</c>, for labels (length m)
    /// and probabilities (m × classes), with probabilities clipped to [1e−15, 1 − 1e−15] like scikit-learn's
    /// <c>log_loss</c>. Rows are not renormalised.
    /// </summary>
    /// <exception cref="ArgumentException">When the inputs are empty or differ in length, or a label is out of range.</exception>
    public static double LogLoss(IReadOnlyList<int> truth, Matrix probabilities)
    {
        CheckProbabilities(truth, probabilities);
        var sum = 0.0;
        for (var i = 0; i < truth.Count; i++)
            sum -= Kernels.Logarithm.Of(Math.Clamp(probabilities[i, truth[i]], LogLossEpsilon, 1.0 - LogLossEpsilon));
        return sum / truth.Count;
    }

    internal static void CheckProbabilities(IReadOnlyList<int> truth, Matrix probabilities)
    {
        if (truth.Count == 0) throw new ArgumentException("The labels are empty.", nameof(truth));
        if (probabilities.Rows != truth.Count)
            throw new ArgumentException($"The probabilities have {probabilities.Rows} rows but there are {truth.Count} labels.", nameof(probabilities));
        if (probabilities.Cols == 0) throw new ArgumentException("The probabilities have no columns.", nameof(probabilities));
        Labels.Check(truth, probabilities.Cols, nameof(truth));
    }

    private static void CheckPair(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        if (truth.Count == 0) throw new ArgumentException("The true labels are empty.", nameof(truth));
        if (predicted.Count != truth.Count)
            throw new ArgumentException($"There are {truth.Count} true labels but {predicted.Count} predictions.", nameof(predicted));
    }

    internal static double Ratio(double numerator, double denominator) => denominator == 0 ? 0.0 : numerator / denominator;

    internal static double Mean(double[] values)
    {
        var s = 0.0;
        foreach (var v in values) s += v;
        return s / values.Length;
    }

    internal static double Weighted(double[] values, ImmutableArray<int> support, int total)
    {
        var s = 0.0;
        for (var c = 0; c < values.Length; c++) s += values[c] * support[c];
        return s / total;
    }
}

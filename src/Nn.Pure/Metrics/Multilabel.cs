using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// A multi-label classifier's scores on m examples and L labels (see <see cref="Multilabel.Report"/>).
/// </summary>
/// <param name="SubsetAccuracy">The fraction of examples whose whole label set is predicted exactly, in [0, 1].</param>
/// <param name="HammingLoss">The fraction of (example, label) cells predicted wrongly, in [0, 1].</param>
/// <param name="PerLabel">Per-label precision, recall, F1 and support with their macro, micro and weighted averages
/// (its <see cref="ClassificationReport.Accuracy"/> is <see cref="SubsetAccuracy"/>).</param>
public sealed record MultilabelReport(double SubsetAccuracy, double HammingLoss, ClassificationReport PerLabel);

/// <summary>
/// Pure metrics of multi-label classification, on indicator matrices (m × L, every entry 0 or 1; rows are examples,
/// columns labels), truth first, as scikit-learn defines them for multi-label input.
/// </summary>
/// <remarks>
/// With TPₗ, FPₗ, FNₗ the counts of label l over the examples: precision = TP/(TP+FP), recall = TP/(TP+FN),
/// F1 = 2TP/(2TP+FP+FN), 0/0 taken as 0 (<c>zero_division=0</c>); micro = those ratios of the counts summed over the
/// labels; macro = the unweighted mean over the L labels; weighted = the mean weighted by support (0 when no label is
/// ever true). Subset accuracy is <c>accuracy_score</c>, the Hamming loss <c>hamming_loss</c>.
/// </remarks>
public static class Multilabel
{
    /// <summary>Every score of <see cref="MultilabelReport"/>.</summary>
    /// <exception cref="ArgumentException">When the shapes differ, there are no rows or no labels, or an entry is not 0 or 1.</exception>
    public static MultilabelReport Report(Matrix truth, Matrix predicted)
    {
        Check(truth, predicted);
        var labels = truth.Cols;
        var tp = new long[labels];
        var fp = new long[labels];
        var fn = new long[labels];
        var support = new int[labels];
        for (var r = 0; r < truth.Rows; r++)
            for (var l = 0; l < labels; l++)
            {
                bool t = truth[r, l] == 1, p = predicted[r, l] == 1;
                if (t) support[l]++;
                if (t && p) tp[l]++;
                else if (p) fp[l]++;
                else if (t) fn[l]++;
            }
        var precision = new double[labels];
        var recall = new double[labels];
        var f1 = new double[labels];
        for (var l = 0; l < labels; l++)
        {
            precision[l] = Classification.Ratio(tp[l], tp[l] + fp[l]);
            recall[l] = Classification.Ratio(tp[l], tp[l] + fn[l]);
            f1[l] = Classification.Ratio(2.0 * tp[l], 2.0 * tp[l] + fp[l] + fn[l]);
        }
        long tpSum = tp.Sum(), fpSum = fp.Sum(), fnSum = fn.Sum();
        var supports = ImmutableCollectionsMarshal.AsImmutableArray(support);
        var total = support.Sum();
        double Weighted(double[] values) => total == 0 ? 0.0 : Classification.Weighted(values, supports, total);
        var report = new ClassificationReport(
            ImmutableCollectionsMarshal.AsImmutableArray(precision), ImmutableCollectionsMarshal.AsImmutableArray(recall),
            ImmutableCollectionsMarshal.AsImmutableArray(f1), supports, SubsetAccuracy(truth, predicted),
            new AveragedScores(Classification.Mean(precision), Classification.Mean(recall), Classification.Mean(f1)),
            new AveragedScores(Classification.Ratio(tpSum, tpSum + fpSum), Classification.Ratio(tpSum, tpSum + fnSum), Classification.Ratio(2.0 * tpSum, 2.0 * tpSum + fpSum + fnSum)),
            new AveragedScores(Weighted(precision), Weighted(recall), Weighted(f1)));
        return new MultilabelReport(report.Accuracy, HammingLoss(truth, predicted), report);
    }

    /// <summary>The fraction of rows whose predicted row equals the true row in every label (scikit-learn's <c>accuracy_score</c>).</summary>
    /// <exception cref="ArgumentException">As <see cref="Report"/>.</exception>
    public static double SubsetAccuracy(Matrix truth, Matrix predicted)
    {
        Check(truth, predicted);
        var exact = 0;
        for (var r = 0; r < truth.Rows; r++)
        {
            var same = true;
            for (var l = 0; l < truth.Cols && same; l++) same = truth[r, l] == predicted[r, l];
            if (same) exact++;
        }
        return (double)exact / truth.Rows;
    }

    /// <summary>The fraction of the m·L cells where the prediction differs from the truth (scikit-learn's <c>hamming_loss</c>).</summary>
    /// <exception cref="ArgumentException">As <see cref="Report"/>.</exception>
    public static double HammingLoss(Matrix truth, Matrix predicted)
    {
        Check(truth, predicted);
        var wrong = 0L;
        for (var r = 0; r < truth.Rows; r++)
            for (var l = 0; l < truth.Cols; l++)
                if (truth[r, l] != predicted[r, l]) wrong++;
        return (double)wrong / ((long)truth.Rows * truth.Cols);
    }

    /// <summary>
    /// Probabilities (m × L, e.g. sigmoid outputs) turned into an indicator matrix: 1 where p ≥ <paramref name="threshold"/>,
    /// else 0 (a NaN gives 0).
    /// </summary>
    public static Matrix Threshold(Matrix probabilities, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return Matrix.Init(probabilities.Rows, probabilities.Cols, (r, c) => probabilities[r, c] >= threshold ? 1.0 : 0.0);
    }

    private static void Check(Matrix truth, Matrix predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Rows != predicted.Rows || truth.Cols != predicted.Cols)
            throw new ArgumentException($"The truth is {truth.Rows}×{truth.Cols} but the prediction is {predicted.Rows}×{predicted.Cols}.", nameof(predicted));
        if (truth.Rows == 0 || truth.Cols == 0) throw new ArgumentException("Expected at least one example and one label.", nameof(truth));
        foreach (var (m, name) in new[] { (truth, nameof(truth)), (predicted, nameof(predicted)) })
            for (var r = 0; r < m.Rows; r++)
                for (var c = 0; c < m.Cols; c++)
                    if (m[r, c] is not (0.0 or 1.0))
                        throw new ArgumentException(FormattableString.Invariant($"Row {r} label {c} of {name} is {m[r, c]:R}; a multi-label indicator holds 0 or 1."), name);
    }
}

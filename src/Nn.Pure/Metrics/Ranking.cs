using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// Ranking metrics of scores: ROC and precision–recall curves, the area under the ROC curve and average precision, as
/// scikit-learn's <c>roc_curve</c> (with <c>drop_intermediate=False</c>), <c>roc_auc_score</c>,
/// <c>precision_recall_curve</c> and <c>average_precision_score</c>. The truth comes first. Binary functions take labels
/// in {0, 1} (1 is the positive class) and one score per example (higher means more likely positive); one-vs-rest
/// functions take labels in [0, k) and probabilities of shape (m × k). Examples with equal scores form one threshold, so
/// ties earn half credit in the AUC. Every function throws <see cref="ArgumentException"/> for empty inputs, mismatched
/// lengths, labels out of range and NaN scores.
/// </summary>
public static class Ranking
{
    /// <summary>
    /// The ROC curve of scores (length m) against labels in {0, 1} (length m): a point per distinct score s, from the
    /// highest, with <c>FPR = #{negatives with score ≥ s}/N</c> and <c>TPR = #{positives with score ≥ s}/P</c>, after a
    /// first point (0, 0) at threshold +∞. Every distinct score is kept (<c>drop_intermediate=False</c>).
    /// </summary>
    /// <exception cref="ArgumentException">For empty or mismatched inputs, a label outside {0, 1} or a NaN score.</exception>
    public static RocCurve RocCurve(IReadOnlyList<int> truth, Vector scores)
    {
        var c = Binary(truth, scores);
        var n = c.Thresholds.Length;
        var fpr = new double[n];
        var tpr = new double[n];
        for (var i = 0; i < n; i++)
        {
            fpr[i] = (double)c.FalsePositives[i] / c.Negatives;
            tpr[i] = (double)c.TruePositives[i] / c.Positives;
        }
        return new RocCurve(ImmutableCollectionsMarshal.AsImmutableArray(c.Thresholds), ImmutableCollectionsMarshal.AsImmutableArray(fpr), ImmutableCollectionsMarshal.AsImmutableArray(tpr));
    }

    /// <summary>
    /// The area under the ROC curve by the trapezoidal rule, <c>Σᵢ (FPRᵢ − FPRᵢ₋₁)·(TPRᵢ + TPRᵢ₋₁)/2</c>, which equals the
    /// probability that a random positive scores above a random negative plus half the probability of a tie. NaN when
    /// the labels hold only one class (scikit-learn warns and returns NaN too).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RocCurve"/>.</exception>
    public static double RocAuc(IReadOnlyList<int> truth, Vector scores) => Auc(Binary(truth, scores));

    /// <summary>
    /// The precision–recall curve of scores (length m) against labels in {0, 1} (length m): a point per distinct score s,
    /// from the highest, with <c>precision = TP/(TP + FP)</c> and <c>recall = TP/P</c> counting the examples with score ≥ s,
    /// after a first point (recall 0, precision 1) at threshold +∞. This is scikit-learn's curve in reverse order (theirs
    /// ends with that point), and not cut at full recall.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RocCurve"/>.</exception>
    public static PrecisionRecallCurve PrecisionRecallCurve(IReadOnlyList<int> truth, Vector scores)
    {
        var c = Binary(truth, scores);
        var n = c.Thresholds.Length;
        var precision = new double[n];
        var recall = new double[n];
        precision[0] = 1.0;
        recall[0] = 0.0 / c.Positives;
        for (var i = 1; i < n; i++)
        {
            precision[i] = (double)c.TruePositives[i] / (c.TruePositives[i] + c.FalsePositives[i]);
            recall[i] = (double)c.TruePositives[i] / c.Positives;
        }
        return new PrecisionRecallCurve(ImmutableCollectionsMarshal.AsImmutableArray(c.Thresholds), ImmutableCollectionsMarshal.AsImmutableArray(precision), ImmutableCollectionsMarshal.AsImmutableArray(recall));
    }

    /// <summary>
    /// Average precision, <c>AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ</c> over the thresholds in decreasing order (no interpolation), as
    /// scikit-learn's <c>average_precision_score</c>. NaN when there are no positives.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RocCurve"/>.</exception>
    public static double AveragePrecision(IReadOnlyList<int> truth, Vector scores) => Ap(Binary(truth, scores));

    /// <summary>
    /// The ROC AUC of each class against the rest, for labels in [0, k) (length m) and probabilities (m × k): class c's
    /// examples are the positives and column c the scores; with the macro mean and the mean weighted by support, as
    /// scikit-learn's <c>roc_auc_score(multi_class="ovr")</c>. A class with no example, or the only class present, has
    /// AUC NaN, and so do both averages (scikit-learn refuses such data).
    /// </summary>
    /// <exception cref="ArgumentException">For empty or mismatched inputs, a label out of range or a NaN probability.</exception>
    public static OneVsRestScores RocAucOneVsRest(IReadOnlyList<int> truth, Matrix probabilities) => OneVsRest(truth, probabilities, Auc);

    /// <summary>
    /// The average precision of each class against the rest (see <see cref="RocAucOneVsRest"/> for the shapes), with
    /// the macro mean and the mean weighted by support, as scikit-learn's <c>average_precision_score</c> on binarised
    /// labels. A class with no example has AP NaN, and so do both averages.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RocAucOneVsRest"/>.</exception>
    public static OneVsRestScores AveragePrecisionOneVsRest(IReadOnlyList<int> truth, Matrix probabilities) => OneVsRest(truth, probabilities, Ap);

    /// <summary>
    /// The ranking scores <c>nn eval</c> reports for probabilities of k ≥ 2 classes (m × k): for two classes the binary
    /// AUC and AP of class 1's probability (class 1 is positive, as scikit-learn's <c>roc_auc_score(y, p[:, 1])</c>);
    /// for more, the one-vs-rest scores.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RocAucOneVsRest"/>, or when there are fewer than two columns.</exception>
    public static RankingSummary Summary(IReadOnlyList<int> truth, Matrix probabilities)
    {
        if (probabilities.Cols < 2) throw new ArgumentException($"Ranking scores need at least two classes, got {probabilities.Cols}.", nameof(probabilities));
        if (probabilities.Cols == 2)
        {
            Classification.CheckProbabilities(truth, probabilities);
            var c = Counts(truth, 1, probabilities.Column(1).AsSpan());
            return new RankingSummary.Binary(Auc(c), Ap(c));
        }
        return new RankingSummary.OneVsRest(RocAucOneVsRest(truth, probabilities), AveragePrecisionOneVsRest(truth, probabilities));
    }

    /// <summary>The cumulative counts at each threshold (+∞ first, then the distinct scores, decreasing), and the class totals.</summary>
    private sealed record Cumulative(double[] Thresholds, long[] TruePositives, long[] FalsePositives, long Positives, long Negatives);

    private static Cumulative Binary(IReadOnlyList<int> truth, Vector scores)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(scores);
        if (truth.Count == 0) throw new ArgumentException("The labels are empty.", nameof(truth));
        if (scores.Length != truth.Count) throw new ArgumentException($"There are {truth.Count} labels but {scores.Length} scores.", nameof(scores));
        Labels.Check(truth, 2, nameof(truth));
        return Counts(truth, 1, scores.AsSpan());
    }

    private static Cumulative Counts(IReadOnlyList<int> truth, int positive, ReadOnlySpan<double> scores)
    {
        var m = scores.Length;
        var keys = new double[m];
        var order = new int[m];
        for (var i = 0; i < m; i++)
        {
            if (double.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            keys[i] = -scores[i];
            order[i] = i;
        }
        // Ascending keys = descending scores. The order within a tie does not matter: counts are read at the tie's end.
        Array.Sort(keys, order);
        var thresholds = new List<double> { double.PositiveInfinity };
        var tp = new List<long> { 0 };
        var fp = new List<long> { 0 };
        long t = 0, f = 0;
        for (var i = 0; i < m; i++)
        {
            if (truth[order[i]] == positive) t++;
            else f++;
            if (i == m - 1 || keys[i + 1] != keys[i])
            {
                thresholds.Add(scores[order[i]]);
                tp.Add(t);
                fp.Add(f);
            }
        }
        return new Cumulative([.. thresholds], [.. tp], [.. fp], t, f);
    }

    private static double Auc(Cumulative c)
    {
        if (c.Positives == 0 || c.Negatives == 0) return double.NaN;
        var twiceArea = 0.0;
        for (var i = 1; i < c.Thresholds.Length; i++)
            twiceArea += (double)(c.FalsePositives[i] - c.FalsePositives[i - 1]) * (c.TruePositives[i] + c.TruePositives[i - 1]);
        return twiceArea / (2.0 * c.Positives * c.Negatives);
    }

    private static double Ap(Cumulative c)
    {
        if (c.Positives == 0) return double.NaN;
        var sum = 0.0;
        for (var i = 1; i < c.Thresholds.Length; i++)
        {
            var newPositives = c.TruePositives[i] - c.TruePositives[i - 1];
            if (newPositives > 0) sum += newPositives * ((double)c.TruePositives[i] / (c.TruePositives[i] + c.FalsePositives[i]));
        }
        return sum / c.Positives;
    }

    private static OneVsRestScores OneVsRest(IReadOnlyList<int> truth, Matrix probabilities, Func<Cumulative, double> score)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(probabilities);
        Classification.CheckProbabilities(truth, probabilities);
        var k = probabilities.Cols;
        var m = truth.Count;
        var support = new int[k];
        foreach (var t in truth) support[t]++;
        var perClass = new double[k];
        double macro = 0, weighted = 0;
        for (var c = 0; c < k; c++)
        {
            perClass[c] = score(Counts(truth, c, probabilities.Column(c).AsSpan()));
            macro += perClass[c];
            weighted += perClass[c] * support[c];
        }
        return new OneVsRestScores(ImmutableCollectionsMarshal.AsImmutableArray(perClass), macro / k, weighted / m);
    }
}

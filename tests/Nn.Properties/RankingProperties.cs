using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn;

namespace Nn.Properties;

/// <summary>
/// ROC and precision–recall metrics against definitions that share no code with <see cref="Ranking"/>: the AUC as the
/// Mann–Whitney probability over all (positive, negative) pairs, and the curves and AP by counting, at each distinct
/// score, the examples scoring at least that much.
/// </summary>
public sealed class RankingProperties
{
    /// <summary>Binary labels and scores on a coarse grid (so ties are common).</summary>
    public sealed record BinaryCase(int[] Truth, double[] Scores)
    {
        public override string ToString() => $"truth=[{string.Join(",", Truth)}] scores=[{string.Join(",", Scores)}]";
    }

    /// <summary>k classes, labels in [0, k) and probabilities (m × k) on a coarse grid.</summary>
    public sealed record MultiCase(int Classes, int[] Truth, double[][] Probabilities)
    {
        public Matrix P => Matrix.FromRows(Probabilities);

        public override string ToString() =>
            $"k={Classes} truth=[{string.Join(",", Truth)}] P=[{string.Join("; ", Probabilities.Select(r => string.Join(",", r)))}]";
    }

    private static readonly Gen<BinaryCase> BinaryCases =
        from m in Gen.Choose(1, 30)
        from truth in Gen.ArrayOf(Gen.Choose(0, 1), m)
        from grid in Gen.Choose(1, 8)
        from raw in Gen.ArrayOf(Gen.Choose(0, grid), m)
        select new BinaryCase(truth, raw.Select(r => (double)r / grid).ToArray());

    private static readonly Gen<MultiCase> MultiCases =
        from k in Gen.Choose(3, 5)
        from m in Gen.Choose(1, 30)
        from truth in Gen.ArrayOf(Gen.Choose(0, k - 1), m)
        from weights in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 4), k), m)
        select new MultiCase(k, truth, weights.Select(w => w.Sum() == 0 ? w.Select(_ => 1.0 / k).ToArray() : w.Select(x => (double)x / w.Sum()).ToArray()).ToArray());

    // ---- references, straight from the definitions ----

    /// <summary>P(score⁺ &gt; score⁻) + ½·P(score⁺ = score⁻) over every (positive, negative) pair; NaN without both classes.</summary>
    private static double MannWhitney(int[] truth, double[] scores)
    {
        double wins = 0, pairs = 0;
        for (var i = 0; i < truth.Length; i++)
            for (var j = 0; j < truth.Length; j++)
            {
                if (truth[i] != 1 || truth[j] != 0) continue;
                pairs++;
                wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
            }
        return pairs == 0 ? double.NaN : wins / pairs;
    }

    /// <summary>The distinct scores, decreasing.</summary>
    private static double[] Distinct(double[] scores) => scores.Distinct().OrderByDescending(s => s).ToArray();

    private static int Above(int[] truth, double[] scores, double threshold, int label) =>
        Enumerable.Range(0, truth.Length).Count(i => truth[i] == label && scores[i] >= threshold);

    /// <summary>Σ over distinct thresholds t (decreasing) of (recall(t) − recall(previous))·precision(t); NaN without positives.</summary>
    private static double ReferenceAp(int[] truth, double[] scores)
    {
        var positives = truth.Count(t => t == 1);
        if (positives == 0) return double.NaN;
        double ap = 0, previousRecall = 0;
        foreach (var t in Distinct(scores))
        {
            int tp = Above(truth, scores, t, 1), fp = Above(truth, scores, t, 0);
            var recall = (double)tp / positives;
            ap += (recall - previousRecall) * tp / (tp + fp);
            previousRecall = recall;
        }
        return ap;
    }

    private static bool Close(double a, double b) => (double.IsNaN(a) && double.IsNaN(b)) || Math.Abs(a - b) <= 1e-12;

    [Property(Replay = "(101,11400714819323198485)", MaxTest = 200)]
    public Property Roc_auc_is_the_Mann_Whitney_probability_with_ties_counted_half() =>
        Prop.ForAll(BinaryCases.ToArbitrary(), c =>
            Close(Ranking.RocAuc(c.Truth, Vector.Of(c.Scores)), MannWhitney(c.Truth, c.Scores)));

    [Property(Replay = "(102,11400714819323198485)", MaxTest = 200)]
    public Property Roc_curve_counts_the_examples_at_or_above_each_distinct_score()
    {
        return Prop.ForAll(BinaryCases.ToArbitrary(), c =>
        {
            var curve = Ranking.RocCurve(c.Truth, Vector.Of(c.Scores));
            var thresholds = Distinct(c.Scores);
            int p = c.Truth.Count(t => t == 1), n = c.Truth.Length - p;
            var ok = curve.Thresholds.SequenceEqual(thresholds.Prepend(double.PositiveInfinity))
                && Close(curve.FalsePositiveRates[0], n == 0 ? double.NaN : 0) && Close(curve.TruePositiveRates[0], p == 0 ? double.NaN : 0);
            for (var i = 0; i < thresholds.Length; i++)
            {
                ok &= Close(curve.FalsePositiveRates[i + 1], (double)Above(c.Truth, c.Scores, thresholds[i], 0) / n);
                ok &= Close(curve.TruePositiveRates[i + 1], (double)Above(c.Truth, c.Scores, thresholds[i], 1) / p);
            }
            return ok;
        });
    }

    [Property(Replay = "(103,11400714819323198485)", MaxTest = 200)]
    public Property Average_precision_is_the_recall_weighted_sum_of_precisions_and_matches_the_curve()
    {
        return Prop.ForAll(BinaryCases.ToArbitrary(), c =>
        {
            var ap = Ranking.AveragePrecision(c.Truth, Vector.Of(c.Scores));
            var curve = Ranking.PrecisionRecallCurve(c.Truth, Vector.Of(c.Scores));
            var thresholds = Distinct(c.Scores);
            var positives = c.Truth.Count(t => t == 1);
            var ok = Close(ap, ReferenceAp(c.Truth, c.Scores)) && curve.Thresholds.SequenceEqual(thresholds.Prepend(double.PositiveInfinity))
                && curve.Precision[0] == 1.0;
            for (var i = 0; i < thresholds.Length; i++)
            {
                int tp = Above(c.Truth, c.Scores, thresholds[i], 1), fp = Above(c.Truth, c.Scores, thresholds[i], 0);
                ok &= Close(curve.Precision[i + 1], (double)tp / (tp + fp)) && Close(curve.Recall[i + 1], (double)tp / positives);
            }
            return ok && (double.IsNaN(ap) || ap is >= 0 and <= 1 + 1e-12);
        });
    }

    [Property(Replay = "(104,11400714819323198485)", MaxTest = 200)]
    public Property Flipping_the_labels_and_negating_the_scores_keeps_the_auc()
    {
        return Prop.ForAll(BinaryCases.ToArbitrary(), c =>
            Close(Ranking.RocAuc(c.Truth, Vector.Of(c.Scores)), Ranking.RocAuc([.. c.Truth.Select(t => 1 - t)], Vector.Of([.. c.Scores.Select(s => -s)]))));
    }

    [Property(Replay = "(105,11400714819323198485)", MaxTest = 200)]
    public Property One_vs_rest_scores_are_each_class_against_the_rest_with_macro_and_support_weighted_means()
    {
        return Prop.ForAll(MultiCases.ToArbitrary(), c =>
        {
            var auc = Ranking.RocAucOneVsRest(c.Truth, c.P);
            var ap = Ranking.AveragePrecisionOneVsRest(c.Truth, c.P);
            var ok = true;
            var refAuc = new double[c.Classes];
            var refAp = new double[c.Classes];
            for (var k = 0; k < c.Classes; k++)
            {
                var truth = c.Truth.Select(t => t == k ? 1 : 0).ToArray();
                var scores = c.Probabilities.Select(r => r[k]).ToArray();
                refAuc[k] = MannWhitney(truth, scores);
                refAp[k] = ReferenceAp(truth, scores);
                ok &= Close(auc.PerClass[k], refAuc[k]) && Close(ap.PerClass[k], refAp[k]);
            }
            var support = Enumerable.Range(0, c.Classes).Select(k => c.Truth.Count(t => t == k)).ToArray();
            double Weighted(double[] s) => s.Select((v, k) => v * support[k]).Sum() / c.Truth.Length;
            return ok && Close(auc.Macro, refAuc.Average()) && Close(auc.Weighted, Weighted(refAuc))
                && Close(ap.Macro, refAp.Average()) && Close(ap.Weighted, Weighted(refAp))
                && Ranking.Summary(c.Truth, c.P) == new RankingSummary.OneVsRest(auc, ap);
        });
    }

    [Property(Replay = "(106,11400714819323198485)", MaxTest = 200)]
    public Property Two_class_summary_scores_the_probability_of_class_1()
    {
        return Prop.ForAll(BinaryCases.ToArbitrary(), c =>
        {
            var p = Matrix.FromRows([.. c.Scores.Select(s => new[] { 1 - s, s })]);
            return Ranking.Summary(c.Truth, p) is RankingSummary.Binary b
                && Close(b.RocAuc, MannWhitney(c.Truth, c.Scores)) && Close(b.AveragePrecision, ReferenceAp(c.Truth, c.Scores));
        });
    }

    [Fact]
    public void Scikit_learn_documentation_examples()
    {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75; average_precision_score(same) = 0.8333…
        int[] y = [0, 0, 1, 1];
        var s = Vector.Of(0.1, 0.4, 0.35, 0.8);
        Assert.Equal(0.75, Ranking.RocAuc(y, s), 15);
        Assert.Equal(5.0 / 6.0, Ranking.AveragePrecision(y, s), 15);
        // roc_curve(y, s) (drop_intermediate=False): thresholds [inf, 0.8, 0.4, 0.35, 0.1], fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1].
        var roc = Ranking.RocCurve(y, s);
        Assert.Equal([double.PositiveInfinity, 0.8, 0.4, 0.35, 0.1], roc.Thresholds.ToArray());
        Assert.Equal([0, 0, 0.5, 0.5, 1], roc.FalsePositiveRates.ToArray());
        Assert.Equal([0, 0.5, 0.5, 1, 1], roc.TruePositiveRates.ToArray());
        // precision_recall_curve(y, s): precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8]; here reversed.
        var pr = Ranking.PrecisionRecallCurve(y, s);
        Assert.Equal([double.PositiveInfinity, 0.8, 0.4, 0.35, 0.1], pr.Thresholds.ToArray());
        Assert.Equal([1, 1, 0.5, 2.0 / 3.0, 0.5], pr.Precision.ToArray());
        Assert.Equal([0, 0.5, 0.5, 1, 1], pr.Recall.ToArray());
    }

    [Fact]
    public void Undefined_scores_are_NaN_and_bad_inputs_throw()
    {
        Assert.True(double.IsNaN(Ranking.RocAuc([1, 1], Vector.Of(0.2, 0.9))));
        Assert.True(double.IsNaN(Ranking.RocAuc([0, 0], Vector.Of(0.2, 0.9))));
        Assert.True(double.IsNaN(Ranking.AveragePrecision([0, 0], Vector.Of(0.2, 0.9))));
        Assert.Equal(1.0, Ranking.AveragePrecision([1, 1], Vector.Of(0.2, 0.9)));
        var absent = Ranking.RocAucOneVsRest([0, 1, 1], Matrix.FromRows([[0.5, 0.3, 0.2], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1]]));
        Assert.True(double.IsNaN(absent.PerClass[2]) && double.IsNaN(absent.Macro) && double.IsNaN(absent.Weighted));
        Assert.Equal(1.0, absent.PerClass[0]);
        Assert.Throws<ArgumentException>(() => Ranking.RocAuc([], Vector.Empty));
        Assert.Throws<ArgumentException>(() => Ranking.RocAuc([0, 1], Vector.Of(0.5)));
        Assert.Throws<ArgumentException>(() => Ranking.RocAuc([0, 2], Vector.Of(0.5, 0.1)));
        Assert.Throws<ArgumentException>(() => Ranking.AveragePrecision([0, 1], Vector.Of(0.5, double.NaN)));
        Assert.Throws<ArgumentException>(() => Ranking.RocAucOneVsRest([0, 3], Matrix.Zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => Ranking.Summary([0], Matrix.Zeros(1, 1)));
    }

    [Fact]
    public void Curves_and_scores_have_value_equality()
    {
        Assert.Equal(Ranking.RocCurve([0, 1, 1], Vector.Of(0.1, 0.5, 0.5)), Ranking.RocCurve([0, 1, 1], Vector.Of(0.1, 0.5, 0.5)));
        Assert.NotEqual(Ranking.RocCurve([0, 1, 1], Vector.Of(0.1, 0.5, 0.5)), Ranking.RocCurve([0, 1, 0], Vector.Of(0.1, 0.5, 0.5)));
        Assert.Equal(Ranking.PrecisionRecallCurve([0, 1], Vector.Of(0.1, 0.5)), Ranking.PrecisionRecallCurve([0, 1], Vector.Of(0.1, 0.5)));
        var p = Matrix.FromRows([[0.5, 0.3, 0.2], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7]]);
        Assert.Equal(Ranking.RocAucOneVsRest([0, 1, 2], p), Ranking.RocAucOneVsRest([0, 1, 2], p));
    }
}

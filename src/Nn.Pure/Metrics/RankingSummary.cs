namespace Nn;

/// <summary>
/// The ranking scores of a classifier's probabilities (see <see cref="Ranking.Summary"/>). Match on the cases:
/// <see cref="Binary"/> for two classes, <see cref="OneVsRest"/> for more.
/// </summary>
public abstract record RankingSummary
{
    private RankingSummary()
    {
    }

    /// <summary>Two classes: the scores of class 1's probability, class 1 positive.</summary>
    /// <param name="RocAuc">The area under the ROC curve, or NaN when only one class is present.</param>
    /// <param name="AveragePrecision">The average precision, or NaN when class 1 is absent.</param>
    public sealed record Binary(double RocAuc, double AveragePrecision) : RankingSummary;

    /// <summary>More than two classes: each class against the rest, with macro and support-weighted averages.</summary>
    /// <param name="RocAuc">The ROC AUC per class and averaged.</param>
    /// <param name="AveragePrecision">The average precision per class and averaged.</param>
    public sealed record OneVsRest(OneVsRestScores RocAuc, OneVsRestScores AveragePrecision) : RankingSummary;
}

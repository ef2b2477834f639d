using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// A binary ROC curve (see <see cref="Ranking.RocCurve"/>): three arrays of the same length n + 1 for n distinct scores,
/// in decreasing order of threshold; equality is by value.
/// </summary>
public sealed record RocCurve
{
    internal RocCurve(ImmutableArray<double> thresholds, ImmutableArray<double> falsePositiveRates, ImmutableArray<double> truePositiveRates)
    {
        Thresholds = thresholds;
        FalsePositiveRates = falsePositiveRates;
        TruePositiveRates = truePositiveRates;
    }

    /// <summary>The thresholds: +∞ first (no example is positive), then each distinct score, decreasing.</summary>
    public ImmutableArray<double> Thresholds { get; }

    /// <summary>The false positive rate FP/N at each threshold (scores ≥ threshold are called positive), non-decreasing from 0 to 1; NaN when there are no negatives.</summary>
    public ImmutableArray<double> FalsePositiveRates { get; }

    /// <summary>The true positive rate (recall) TP/P at each threshold, non-decreasing from 0 to 1; NaN when there are no positives.</summary>
    public ImmutableArray<double> TruePositiveRates { get; }

    /// <summary>Value equality of the three arrays.</summary>
    public bool Equals(RocCurve? other) =>
        other is not null && (ReferenceEquals(this, other) || (Thresholds.SequenceEqual(other.Thresholds) &&
            FalsePositiveRates.SequenceEqual(other.FalsePositiveRates) && TruePositiveRates.SequenceEqual(other.TruePositiveRates)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Thresholds.Length, TruePositiveRates.LastOrDefault());

    /// <summary>A short description: the number of points and the first thresholds and rates.</summary>
    public override string ToString() =>
        $"RocCurve points={Thresholds.Length} thresholds={Format.Items(Thresholds)} fpr={Format.Items(FalsePositiveRates)} tpr={Format.Items(TruePositiveRates)}";
}

/// <summary>
/// A binary precision–recall curve (see <see cref="Ranking.PrecisionRecallCurve"/>): three arrays of the same length n + 1
/// for n distinct scores, in decreasing order of threshold; equality is by value.
/// </summary>
public sealed record PrecisionRecallCurve
{
    internal PrecisionRecallCurve(ImmutableArray<double> thresholds, ImmutableArray<double> precision, ImmutableArray<double> recall)
    {
        Thresholds = thresholds;
        Precision = precision;
        Recall = recall;
    }

    /// <summary>The thresholds: +∞ first (scikit-learn's appended point, recall 0 and precision 1), then each distinct score, decreasing.</summary>
    public ImmutableArray<double> Thresholds { get; }

    /// <summary>The precision TP/(TP+FP) at each threshold (scores ≥ threshold are called positive); 1 at +∞.</summary>
    public ImmutableArray<double> Precision { get; }

    /// <summary>The recall TP/P at each threshold, non-decreasing from 0 to 1; NaN when there are no positives.</summary>
    public ImmutableArray<double> Recall { get; }

    /// <summary>Value equality of the three arrays.</summary>
    public bool Equals(PrecisionRecallCurve? other) =>
        other is not null && (ReferenceEquals(this, other) || (Thresholds.SequenceEqual(other.Thresholds) &&
            Precision.SequenceEqual(other.Precision) && Recall.SequenceEqual(other.Recall)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Thresholds.Length, Precision.LastOrDefault());

    /// <summary>A short description: the number of points and the first thresholds, precisions and recalls.</summary>
    public override string ToString() =>
        $"PrecisionRecallCurve points={Thresholds.Length} thresholds={Format.Items(Thresholds)} precision={Format.Items(Precision)} recall={Format.Items(Recall)}";
}

/// <summary>
/// A binary score of each class against the rest (one-vs-rest) and its macro and support-weighted averages
/// (see <see cref="Ranking.RocAucOneVsRest"/>); equality is by value.
/// </summary>
public sealed record OneVsRestScores
{
    internal OneVsRestScores(ImmutableArray<double> perClass, double macro, double weighted)
    {
        PerClass = perClass;
        Macro = macro;
        Weighted = weighted;
    }

    /// <summary>The score of each class c (its examples positive, all others negative), length k; NaN when class c has no positive or no negative example.</summary>
    public ImmutableArray<double> PerClass { get; }

    /// <summary>The unweighted mean over the k classes; NaN when any class's score is NaN.</summary>
    public double Macro { get; }

    /// <summary>The mean weighted by each class's support <c>Σ_c (n_c/m)·score_c</c>; NaN when any class's score is NaN.</summary>
    public double Weighted { get; }

    /// <summary>Value equality of the per-class scores and the averages.</summary>
    public bool Equals(OneVsRestScores? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (PerClass.SequenceEqual(other.PerClass) && Macro.Equals(other.Macro) && Weighted.Equals(other.Weighted)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PerClass.Length, Macro, Weighted);

    /// <summary>A short description: the averages and the first classes' scores.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"OneVsRestScores macro={Macro:G6} weighted={Weighted:G6} per class={Format.Items(PerClass)}");
}

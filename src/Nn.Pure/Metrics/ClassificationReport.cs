using System.Collections.Immutable;

namespace Nn;

/// <summary>Precision, recall and F1 averaged over classes one way (see <see cref="ClassificationReport"/>).</summary>
/// <param name="Precision">The averaged precision, in [0, 1].</param>
/// <param name="Recall">The averaged recall, in [0, 1].</param>
/// <param name="F1">The averaged F1 score, in [0, 1].</param>
public sealed record AveragedScores(double Precision, double Recall, double F1);

/// <summary>
/// Per-class precision, recall, F1 and support for k classes, with their macro, micro and weighted averages.
/// Built by <see cref="Classification.Report"/> from a <see cref="ConfusionMatrix"/>; equality is by value.
/// </summary>
/// <remarks>
/// With TP, FP, FN the true positives, false positives and false negatives of class c:
/// precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN) (= 2PR/(P+R)).
/// <b>Zero division:</b> a ratio whose denominator is 0 is taken as 0 (scikit-learn's <c>zero_division=0</c>); a class
/// that is never predicted has precision 0, a class absent from the true labels has recall 0.
/// <b>Averages:</b> macro = the unweighted mean over all k classes (absent classes included, like scikit-learn with
/// <c>labels=range(k)</c>); weighted = the mean weighted by support; micro = the ratios of the summed TP, FP, FN, which
/// for single-label data all equal the accuracy.
/// </remarks>
public sealed record ClassificationReport
{
    internal ClassificationReport(
        ImmutableArray<double> precision, ImmutableArray<double> recall, ImmutableArray<double> f1, ImmutableArray<int> support,
        double accuracy, AveragedScores macro, AveragedScores micro, AveragedScores weighted)
    {
        Precision = precision;
        Recall = recall;
        F1 = f1;
        Support = support;
        Accuracy = accuracy;
        Macro = macro;
        Micro = micro;
        Weighted = weighted;
    }

    /// <summary>The precision of each class, length k, each in [0, 1].</summary>
    public ImmutableArray<double> Precision { get; }

    /// <summary>The recall of each class, length k, each in [0, 1].</summary>
    public ImmutableArray<double> Recall { get; }

    /// <summary>The F1 score of each class, length k, each in [0, 1].</summary>
    public ImmutableArray<double> F1 { get; }

    /// <summary>The support of each class (its number of true examples), length k.</summary>
    public ImmutableArray<int> Support { get; }

    /// <summary>The fraction of correct predictions, in [0, 1].</summary>
    public double Accuracy { get; }

    /// <summary>The unweighted means over the k classes.</summary>
    public AveragedScores Macro { get; }

    /// <summary>The scores of the summed counts (equal to the accuracy for single-label data).</summary>
    public AveragedScores Micro { get; }

    /// <summary>The means weighted by each class's support.</summary>
    public AveragedScores Weighted { get; }

    /// <summary>The number of classes k.</summary>
    public int Classes => Support.Length;

    /// <summary>Value equality over every per-class array and every average.</summary>
    public bool Equals(ClassificationReport? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (Precision.SequenceEqual(other.Precision) && Recall.SequenceEqual(other.Recall) && F1.SequenceEqual(other.F1) &&
             Support.SequenceEqual(other.Support) && Accuracy.Equals(other.Accuracy) &&
             Macro == other.Macro && Micro == other.Micro && Weighted == other.Weighted));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var s in Support) h.Add(s);
        foreach (var f in F1) h.Add(f);
        h.Add(Accuracy);
        return h.ToHashCode();
    }

    /// <summary>A short description with the accuracy, the macro averages and the first classes' F1 and support.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"ClassificationReport k={Classes} accuracy={Accuracy:G6} macro(P={Macro.Precision:G6}, R={Macro.Recall:G6}, F1={Macro.F1:G6}) F1={Format.Items(F1)} support={Format.Items(Support)}");
}

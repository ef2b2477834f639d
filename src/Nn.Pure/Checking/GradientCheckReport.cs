using System.Collections.Immutable;

namespace Nn;

/// <summary>The check of one parameter tensor (a layer's weights or bias), coordinate by coordinate.</summary>
/// <param name="Name">E.g. <c>W1</c> or <c>b2</c> (1-based layer numbers, as in textbook notation).</param>
/// <param name="Layer">The 0-based layer index.</param>
/// <param name="Rows">The tensor's rows (Inputs for weights, 1 for a bias).</param>
/// <param name="Cols">The tensor's columns (Outputs).</param>
/// <param name="MaxAbsoluteError">The largest <c>|analytic − numeric|</c> over the entries judged by a central difference
/// (at the checked point or, for a moved entry, at the nearby point).</param>
/// <param name="MaxRelativeError">The largest <c>|analytic − numeric| / max(|analytic|, |numeric|)</c> over those entries whose
/// magnitude is above the absolute floor's reach (<c>AbsoluteTolerance / RelativeTolerance</c>); 0 when there is none.</param>
/// <param name="WorstRow">Row of the judged entry that came closest to (or went furthest past) its tolerance.</param>
/// <param name="WorstCol">Column of that entry.</param>
/// <param name="WorstNumeric">The finite-difference value at that entry (the mean of the one-sided values at a kink; the
/// value at the nearby point for a moved entry).</param>
/// <param name="WorstAnalytic">The claimed value at that entry (at the nearby point for a moved entry).</param>
/// <param name="WorstToleranceRatio">The worst <c>|analytic − numeric| / tolerance</c> (at a kink: the distance outside the
/// one-sided interval over the tolerance); at most 1 when no entry failed.</param>
/// <param name="Kinks">How many entries straddled a ReLU/leaky-ReLU kink at the checked point.</param>
/// <param name="Moved">How many kink entries were judged at a nearby point instead (see <see cref="GradientCheck"/>).</param>
/// <param name="Inconclusive">How many entries could be judged neither at the point nor at a nearby point; listed in
/// <see cref="GradientCheckReport.Inconclusive"/>.</param>
/// <param name="Failures">How many entries failed.</param>
public sealed record TensorCheck(
    string Name, int Layer, int Rows, int Cols,
    double MaxAbsoluteError, double MaxRelativeError,
    int WorstRow, int WorstCol, double WorstNumeric, double WorstAnalytic, double WorstToleranceRatio,
    int Kinks, int Moved, int Inconclusive, int Failures)
{
    /// <summary><see cref="GradientVerdict.Failed"/> when an entry failed, else <see cref="GradientVerdict.Inconclusive"/> when one was not judged, else passed.</summary>
    public GradientVerdict Verdict => Failures > 0 ? GradientVerdict.Failed : Inconclusive > 0 ? GradientVerdict.Inconclusive : GradientVerdict.Passed;

    /// <summary>True only when every entry passed (false when one failed or was inconclusive).</summary>
    public bool Passed => Verdict == GradientVerdict.Passed;
}

/// <summary>The check of one random direction d: the directional derivative <c>∇J·d</c> against its finite differences.</summary>
/// <param name="Index">The 0-based direction number.</param>
/// <param name="Numeric">The central difference along d (at a kink: the mean of the one-sided differences; at the nearby point when moved).</param>
/// <param name="Analytic">The claimed <c>∇J·d</c> (at the nearby point when moved).</param>
/// <param name="AbsoluteError"><c>|Analytic − Numeric|</c>.</param>
/// <param name="Kink">True when the step along d crossed a ReLU/leaky-ReLU kink at the checked point.</param>
/// <param name="Moved">True when the direction was judged at a nearby point.</param>
/// <param name="Verdict">Judged as a coordinate is (see <see cref="GradientCheck"/>).</param>
public sealed record DirectionCheck(int Index, double Numeric, double Analytic, double AbsoluteError, bool Kink, bool Moved, GradientVerdict Verdict)
{
    /// <summary>True when the verdict is <see cref="GradientVerdict.Passed"/>.</summary>
    public bool Passed => Verdict == GradientVerdict.Passed;
}

/// <summary>The result of a gradient check: a value, not a bool, so a failure says where and by how much.</summary>
/// <param name="Loss">The objective J at the checked parameters.</param>
/// <param name="Tensors">One entry per layer tensor, in order W1, b1, W2, b2, … (empty when coordinates were not checked).</param>
/// <param name="Directions">One entry per random direction.</param>
/// <param name="Inconclusive">The entries that could not be judged, tensor by tensor in row-major order.</param>
/// <param name="Options">The step and tolerances used.</param>
public sealed record GradientCheckReport(
    double Loss,
    ImmutableArray<TensorCheck> Tensors,
    ImmutableArray<DirectionCheck> Directions,
    ImmutableArray<GradientEntry> Inconclusive,
    GradientCheckOptions Options)
{
    /// <summary>
    /// <see cref="GradientVerdict.Failed"/> when any entry or direction failed; else <see cref="GradientVerdict.Inconclusive"/>
    /// when any could not be judged; else <see cref="GradientVerdict.Passed"/>.
    /// </summary>
    public GradientVerdict Verdict =>
        Tensors.Any(t => t.Verdict == GradientVerdict.Failed) || Directions.Any(d => d.Verdict == GradientVerdict.Failed) ? GradientVerdict.Failed
        : Tensors.Any(t => t.Verdict == GradientVerdict.Inconclusive) || Directions.Any(d => d.Verdict == GradientVerdict.Inconclusive) ? GradientVerdict.Inconclusive
        : GradientVerdict.Passed;

    /// <summary>True only when the verdict is <see cref="GradientVerdict.Passed"/>: every tensor and every direction verified.</summary>
    public bool Passed => Verdict == GradientVerdict.Passed;

    /// <summary>The largest relative error over all tensors.</summary>
    public double MaxRelativeError => Tensors.IsEmpty ? 0 : Tensors.Max(t => t.MaxRelativeError);

    /// <summary>The number of kink entries over all tensors.</summary>
    public int Kinks => Tensors.Sum(t => t.Kinks);

    /// <summary>Sequence equality of the tensors, directions and inconclusive entries.</summary>
    public bool Equals(GradientCheckReport? other) =>
        other is not null && Loss.Equals(other.Loss) && Options == other.Options &&
        Tensors.SequenceEqual(other.Tensors) && Directions.SequenceEqual(other.Directions) && Inconclusive.SequenceEqual(other.Inconclusive);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Loss, Tensors.Length, Directions.Length, Inconclusive.Length);

    /// <summary>The verdict, then a one-line summary per tensor and the directions, e.g. <c>Passed: W1 4×3 max rel 2.1e-10 ok; …; directions 4/4 ok</c>.</summary>
    public override string ToString() =>
        $"{Verdict}: " + string.Join("; ", Tensors.Select(t =>
            $"{t.Name} {t.Rows}×{t.Cols} max rel {t.MaxRelativeError:G3}{(t.Kinks > 0 ? $" kinks {t.Kinks}" : "")}{(t.Moved > 0 ? $" (moved {t.Moved})" : "")} {t.Verdict switch
            {
                GradientVerdict.Passed => "ok",
                GradientVerdict.Failed => $"FAILED {t.Failures}",
                _ => $"INCONCLUSIVE {t.Inconclusive}",
            }}"))
        + (Directions.IsEmpty ? "" : $"{(Tensors.IsEmpty ? "" : "; ")}directions {Directions.Count(d => d.Passed)}/{Directions.Length} ok");
}

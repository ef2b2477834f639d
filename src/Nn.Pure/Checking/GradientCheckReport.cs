using System.Collections.Immutable;

namespace Nn;

/// <summary>The check of one parameter tensor (a layer's weights or bias), coordinate by coordinate.</summary>
/// <param name="Name">E.g. <c>W1</c> or <c>b2</c> (1-based layer numbers, as in textbook notation).</param>
/// <param name="Layer">The 0-based layer index.</param>
/// <param name="Rows">The tensor's rows (Inputs for weights, 1 for a bias).</param>
/// <param name="Cols">The tensor's columns (Outputs).</param>
/// <param name="MaxAbsoluteError">The largest <c>|analytic − numeric|</c> over the tensor's smooth entries.</param>
/// <param name="MaxRelativeError">The largest <c>|analytic − numeric| / max(|analytic|, |numeric|)</c> over smooth entries whose
/// magnitude is above the absolute floor's reach (<c>AbsoluteTolerance / RelativeTolerance</c>); 0 when there is none.</param>
/// <param name="WorstRow">Row of the entry that came closest to (or went furthest past) its tolerance.</param>
/// <param name="WorstCol">Column of that entry.</param>
/// <param name="WorstNumeric">The finite-difference value at that entry.</param>
/// <param name="WorstAnalytic">The back-propagated value at that entry.</param>
/// <param name="WorstToleranceRatio">The worst <c>|analytic − numeric| / tolerance</c>; at most 1 when the tensor passes.</param>
/// <param name="Kinks">How many entries straddled a ReLU/leaky-ReLU kink; they pass when the analytic value lies between
/// the one-sided differences (within tolerance).</param>
/// <param name="AmbiguousKinks">Kink entries where several pre-activations crossed at once and the analytic value was
/// outside the one-sided differences: not judged, since there the convention f′(0) need not be a one-sided derivative.</param>
/// <param name="Failures">How many entries failed.</param>
public sealed record TensorCheck(
    string Name, int Layer, int Rows, int Cols,
    double MaxAbsoluteError, double MaxRelativeError,
    int WorstRow, int WorstCol, double WorstNumeric, double WorstAnalytic, double WorstToleranceRatio,
    int Kinks, int AmbiguousKinks, int Failures)
{
    /// <summary>True when no entry failed.</summary>
    public bool Passed => Failures == 0;
}

/// <summary>The check of one random direction d: the directional derivative <c>∇J·d</c> against its central difference.</summary>
/// <param name="Index">The 0-based direction number.</param>
/// <param name="Numeric">The central difference along d.</param>
/// <param name="Analytic">The analytic <c>∇J·d</c>.</param>
/// <param name="AbsoluteError"><c>|Analytic − Numeric|</c>.</param>
/// <param name="Kink">True when the step along d crossed a ReLU/leaky-ReLU kink: such a direction is reported but not judged,
/// since with several kinks met at once the directional derivative need not lie between the one-sided differences.</param>
/// <param name="Passed">True when within tolerance (always true for a kink direction).</param>
public sealed record DirectionCheck(int Index, double Numeric, double Analytic, double AbsoluteError, bool Kink, bool Passed);

/// <summary>The result of a gradient check: a value, not a bool, so a failure says where and by how much.</summary>
/// <param name="Loss">The objective J at the checked parameters.</param>
/// <param name="Tensors">One entry per layer tensor, in order W1, b1, W2, b2, … (empty when coordinates were not checked).</param>
/// <param name="Directions">One entry per random direction.</param>
/// <param name="Options">The step and tolerances used.</param>
public sealed record GradientCheckReport(
    double Loss,
    ImmutableArray<TensorCheck> Tensors,
    ImmutableArray<DirectionCheck> Directions,
    GradientCheckOptions Options)
{
    /// <summary>True when every tensor and every direction passed.</summary>
    public bool Passed => Tensors.All(t => t.Passed) && Directions.All(d => d.Passed);

    /// <summary>The largest relative error over all tensors.</summary>
    public double MaxRelativeError => Tensors.IsEmpty ? 0 : Tensors.Max(t => t.MaxRelativeError);

    /// <summary>The number of kink entries over all tensors.</summary>
    public int Kinks => Tensors.Sum(t => t.Kinks);

    /// <summary>Sequence equality of the tensors and directions.</summary>
    public bool Equals(GradientCheckReport? other) =>
        other is not null && Loss.Equals(other.Loss) && Options == other.Options &&
        Tensors.SequenceEqual(other.Tensors) && Directions.SequenceEqual(other.Directions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Loss, Tensors.Length, Directions.Length);

    /// <summary>A one-line summary per tensor, e.g. <c>W1 4×3 max rel 2.1e-10 ok</c>.</summary>
    public override string ToString() =>
        string.Join("; ", Tensors.Select(t => $"{t.Name} {t.Rows}×{t.Cols} max rel {t.MaxRelativeError:G3}{(t.Kinks > 0 ? $" kinks {t.Kinks}" : "")}{(t.AmbiguousKinks > 0 ? $" (ambiguous {t.AmbiguousKinks})" : "")} {(t.Passed ? "ok" : $"FAILED {t.Failures}")}"))
        + (Directions.IsEmpty ? "" : $"; directions {Directions.Count(d => d.Passed)}/{Directions.Length} ok");
}

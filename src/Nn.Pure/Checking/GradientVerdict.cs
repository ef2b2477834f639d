namespace Nn;

/// <summary>What a gradient check concluded about an entry, a direction, a tensor or the whole gradient.</summary>
public enum GradientVerdict
{
    /// <summary>Verified: within tolerance of the finite differences (or, at a single kink, between the one-sided ones).</summary>
    Passed,

    /// <summary>Refuted: outside tolerance of the finite differences, or outside the interval of the one-sided differences.</summary>
    Failed,

    /// <summary>Neither: several kinks meet at the point and no nearby point could judge the claim; never counted as passed.</summary>
    Inconclusive,
}

/// <summary>One entry of a parameter tensor, e.g. <c>("b2", 0, 1)</c> for b²'s second component.</summary>
/// <param name="Tensor">The tensor's name, <c>W1</c>, <c>b1</c>, <c>W2</c>, … as in <see cref="TensorCheck.Name"/>.</param>
/// <param name="Row">The 0-based row (always 0 for a bias).</param>
/// <param name="Col">The 0-based column.</param>
public sealed record GradientEntry(string Tensor, int Row, int Col)
{
    /// <summary>E.g. <c>b2[0,1]</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"{Tensor}[{Row},{Col}]");
}

namespace Nn;

/// <summary>
/// Settings of a gradient check. An entry passes when <c>|analytic − numeric| ≤ AbsoluteTolerance + RelativeTolerance·max(|analytic|, |numeric|)</c>:
/// relative for ordinary entries, with an absolute floor so that entries whose true derivative is (near) zero are not
/// judged by a meaningless ratio of round-off errors.
/// </summary>
/// <param name="Epsilon">The finite-difference step h (central difference <c>(J(θ+h) − J(θ−h)) / 2h</c>). Default 1e-5,
/// near the cube root of machine epsilon, which balances truncation error O(h²) against round-off O(δ/h).</param>
/// <param name="RelativeTolerance">Default 1e-6.</param>
/// <param name="AbsoluteTolerance">The absolute floor; default 1e-8.</param>
/// <param name="EveryCoordinate">Check every parameter one by one (2 forward passes each). Default true.</param>
/// <param name="RandomDirections">How many random unit directions d to check as <c>∇J·d</c> vs <c>(J(θ+hd) − J(θ−hd)) / 2h</c>; cheap for big nets. Default 4.</param>
/// <param name="Key">The key for the random directions and, when the objective has dropout, for the (fixed) dropout masks.</param>
public sealed record GradientCheckOptions(
    double Epsilon,
    double RelativeTolerance,
    double AbsoluteTolerance,
    bool EveryCoordinate,
    int RandomDirections,
    Key Key)
{
    /// <summary>h = 1e-5, relative tolerance 1e-6, absolute floor 1e-8, every coordinate, 4 random directions, key 0.</summary>
    public static GradientCheckOptions Default { get; } = new(1e-5, 1e-6, 1e-8, true, 4, Key.FromSeed(0));

    /// <summary>A copy with another step h.</summary>
    public GradientCheckOptions WithEpsilon(double epsilon) => this with { Epsilon = epsilon };

    /// <summary>A copy with other tolerances.</summary>
    public GradientCheckOptions WithTolerances(double relative, double absolute) => this with { RelativeTolerance = relative, AbsoluteTolerance = absolute };

    /// <summary>A copy that checks only <paramref name="count"/> random directions (no per-coordinate pass): for big networks.</summary>
    public GradientCheckOptions DirectionsOnly(int count) => this with { EveryCoordinate = false, RandomDirections = count };

    /// <summary>A copy with another key.</summary>
    public GradientCheckOptions WithKey(Key key) => this with { Key = key };

    /// <summary>The allowed error for an entry whose larger magnitude is <paramref name="scale"/>.</summary>
    public double Tolerance(double scale) => AbsoluteTolerance + RelativeTolerance * scale;
}

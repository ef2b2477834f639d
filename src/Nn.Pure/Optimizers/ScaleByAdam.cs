namespace Nn;

/// <summary>
/// Adam's scaling with bias correction (Optax's <c>scale_by_adam</c>), at step t = Count + 1:
/// <c>m′ = β₁·m + (1 − β₁)·u;  v′ = β₂·v + (1 − β₂)·(u·u);  m̂ = m′/(1 − β₁ᵗ);  v̂ = v′/(1 − β₂ᵗ)</c>; the output is
/// <c>m̂ / (√v̂ + ε)</c>.
/// </summary>
/// <param name="Beta1">The first-moment decay β₁ in [0, 1).</param>
/// <param name="Beta2">The second-moment decay β₂ in [0, 1).</param>
/// <param name="Epsilon">The denominator guard ε, finite and &gt; 0.</param>
public sealed record ScaleByAdam(double Beta1, double Beta2, double Epsilon) : GradientTransformation
{
    /// <summary>The first-moment decay β₁ in [0, 1).</summary>
    public double Beta1 { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta1)); } = HyperParameters.UnitInterval(Beta1, nameof(Beta1));

    /// <summary>The second-moment decay β₂ in [0, 1).</summary>
    public double Beta2 { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta2)); } = HyperParameters.UnitInterval(Beta2, nameof(Beta2));

    /// <summary>The denominator guard ε, finite and &gt; 0.</summary>
    public double Epsilon { get; init => field = HyperParameters.Positive(value, nameof(Epsilon)); } = HyperParameters.Positive(Epsilon, nameof(Epsilon));

    /// <summary>Adam's state: the number of updates done and both moments.</summary>
    /// <param name="Count">The updates done so far (≥ 0); the next is step t = Count + 1.</param>
    /// <param name="M">The first moment m.</param>
    /// <param name="V">The second moment v.</param>
    public sealed record State(long Count, Network M, Network V) : OptimizerState
    {
        /// <summary>The updates done so far (≥ 0).</summary>
        public long Count { get; init => field = HyperParameters.StepNumber(value, nameof(Count)); } = HyperParameters.StepNumber(Count, nameof(Count));
    }

    /// <inheritdoc />
    public override OptimizerState Init(Network parameters) => new State(0, Parameters.ZerosLike(parameters), Parameters.ZerosLike(parameters));

    /// <inheritdoc />
    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        var s = StateOf<State>(state);
        var t = checked(s.Count + 1);
        var (b1, b2, eps) = (Beta1, Beta2, Epsilon);
        var (c1, c2) = BiasCorrections(b1, b2, t);
        var (oneMinusB1, oneMinusB2) = (1.0 - b1, 1.0 - b2);
        var m = Parameters.Zip(s.M, updates, (m, g) => b1 * m + oneMinusB1 * g);
        var v = Parameters.Zip(s.V, updates, (v, g) => b2 * v + oneMinusB2 * (g * g));
        return new(Parameters.Zip(m, v, (m, v) => m / c1 / (Math.Sqrt(v / c2) + eps)), new State(t, m, v));
    }

    /// <summary>The bias corrections <c>(1 − β₁ᵗ, 1 − β₂ᵗ)</c> at step t.</summary>
    internal static (double C1, double C2) BiasCorrections(double beta1, double beta2, long t) =>
        (1.0 - Kernels.Trigonometry.Power(beta1, t), 1.0 - Kernels.Trigonometry.Power(beta2, t));

    /// <summary>e.g. <c>scale-by-adam(0.9, 0.999, 1E-08)</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"scale-by-adam({Beta1}, {Beta2}, {Epsilon})");
}

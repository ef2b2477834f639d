namespace Nn;

/// <summary>
/// RMSProp's scaling (PyTorch's convention, ε outside the root): <c>s′ = ρ·s + (1 − ρ)·(u·u)</c>; the output is
/// <c>u / (√s′ + ε)</c>.
/// </summary>
/// <param name="Rho">The decay ρ of the mean square, in [0, 1) (PyTorch's alpha).</param>
/// <param name="Epsilon">The denominator guard ε, finite and &gt; 0.</param>
public sealed record ScaleByRms(double Rho, double Epsilon) : GradientTransformation
{
    /// <summary>The decay ρ of the mean square, in [0, 1).</summary>
    public double Rho { get; init => field = HyperParameters.UnitInterval(value, nameof(Rho)); } = HyperParameters.UnitInterval(Rho, nameof(Rho));

    /// <summary>The denominator guard ε, finite and &gt; 0.</summary>
    public double Epsilon { get; init => field = HyperParameters.Positive(value, nameof(Epsilon)); } = HyperParameters.Positive(Epsilon, nameof(Epsilon));

    /// <summary>The running mean square s, shaped like the parameters.</summary>
    /// <param name="MeanSquare">The running mean square s.</param>
    public sealed record State(Network MeanSquare) : OptimizerState;

    /// <inheritdoc />
    public override OptimizerState Init(Network parameters) => new State(Parameters.ZerosLike(parameters));

    /// <inheritdoc />
    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        var (rho, oneMinusRho, eps) = (Rho, 1.0 - Rho, Epsilon);
        var s = Parameters.Zip(StateOf<State>(state).MeanSquare, updates, (s, g) => rho * s + oneMinusRho * (g * g));
        return new(Parameters.Zip(updates, s, (g, s) => g / (Math.Sqrt(s) + eps)), new State(s));
    }

    /// <summary>e.g. <c>scale-by-rms(0.99, 1E-08)</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"scale-by-rms({Rho}, {Epsilon})");
}

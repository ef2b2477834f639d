namespace Nn;

/// <summary>
/// Clipping by global norm (Optax's <c>clip_by_global_norm</c>): with <c>n = ‖u‖</c> over every weight and bias
/// (<see cref="Parameters.GlobalNorm"/>), <c>u′ = u·(MaxNorm / n)</c> when <c>n &gt; MaxNorm</c>, else u unchanged.
/// Put it first in a chain to clip the gradients. No state.
/// </summary>
/// <param name="MaxNorm">The largest norm let through, finite and &gt; 0.</param>
public sealed record ClipByGlobalNorm(double MaxNorm) : GradientTransformation
{
    /// <summary>The largest norm let through, finite and &gt; 0.</summary>
    public double MaxNorm { get; init => field = HyperParameters.Positive(value, nameof(MaxNorm)); } = HyperParameters.Positive(MaxNorm, nameof(MaxNorm));

    /// <inheritdoc />
    public override OptimizerState Init(Network parameters) => OptimizerState.Empty.Value;

    /// <inheritdoc />
    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        StateOf<OptimizerState.Empty>(state);
        return new(Clip(updates, MaxNorm), state);
    }

    /// <summary><paramref name="updates"/> clipped to global norm <paramref name="maxNorm"/> (itself when within it).</summary>
    internal static Network Clip(Network updates, double maxNorm)
    {
        var norm = Parameters.GlobalNorm(updates);
        return norm > maxNorm ? Parameters.Scale(maxNorm / norm, updates) : updates;
    }

    /// <summary>e.g. <c>clip-by-global-norm(1)</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"clip-by-global-norm({MaxNorm})");
}

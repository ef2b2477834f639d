namespace Nn;

/// <summary>
/// Decoupled weight decay (Optax's <c>add_decayed_weights</c>): <c>u′ = u + wd·θ</c> on every weight and bias. Placed
/// before <see cref="ScaleByLearningRate"/> it gives AdamW's <c>θ′ = θ − lr·(u + wd·θ)</c>. No state.
/// </summary>
/// <param name="WeightDecay">The coefficient wd, finite and ≥ 0.</param>
public sealed record AddDecayedWeights(double WeightDecay) : GradientTransformation
{
    /// <summary>The coefficient wd, finite and ≥ 0.</summary>
    public double WeightDecay { get; init => field = HyperParameters.NonNegative(value, nameof(WeightDecay)); } = HyperParameters.NonNegative(WeightDecay, nameof(WeightDecay));

    /// <inheritdoc />
    public override OptimizerState Init(Network parameters) => OptimizerState.Empty.Value;

    /// <inheritdoc />
    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        StateOf<OptimizerState.Empty>(state);
        var wd = WeightDecay;
        return new(Parameters.Zip(updates, parameters, (u, p) => u + wd * p), state);
    }

    /// <summary>e.g. <c>add-decayed-weights(0.01)</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"add-decayed-weights({WeightDecay})");
}

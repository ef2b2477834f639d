namespace Nn;

/// <summary>
/// Heavy-ball or Nesterov momentum (Optax's <c>trace</c>, PyTorch's convention with dampening 0):
/// <c>v′ = β·v + u</c>; the output is <c>v′</c>, or with <see cref="Nesterov"/> <c>u + β·v′</c>.
/// </summary>
/// <param name="Beta">The momentum β in [0, 1).</param>
/// <param name="Nesterov">Whether to look ahead (PyTorch's <c>nesterov=True</c>).</param>
public sealed record ScaleByMomentum(double Beta, bool Nesterov) : GradientTransformation
{
    /// <summary>The momentum β in [0, 1).</summary>
    public double Beta { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta)); } = HyperParameters.UnitInterval(Beta, nameof(Beta));

    /// <summary>The velocity v, shaped like the parameters.</summary>
    /// <param name="Velocity">The velocity v.</param>
    public sealed record State(Network Velocity) : OptimizerState;

    /// <inheritdoc />
    public override OptimizerState Init(Network parameters) => new State(Parameters.ZerosLike(parameters));

    /// <inheritdoc />
    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        var beta = Beta;
        var v = Parameters.Zip(StateOf<State>(state).Velocity, updates, (v, g) => beta * v + g);
        var output = Nesterov ? Parameters.Zip(updates, v, (g, v) => g + beta * v) : v;
        return new(output, new State(v));
    }

    /// <summary>e.g. <c>scale-by-momentum(0.9)</c> or <c>scale-by-momentum(0.9, nesterov)</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"scale-by-momentum({Beta}{(Nesterov ? ", nesterov" : "")})");
}

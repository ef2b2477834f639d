namespace Nn;

/// <summary>
/// A gradient transformation, as in Optax: a pure pair <c>Init(θ) → state</c> and
/// <c>Update(u, state, θ) → (u′, state′)</c> that turns updates (at first the gradients) into new updates. Optimizers are
/// chains of them (<see cref="Optimizers.Chain"/>): <c>Optimizers.Adam(1e-3)</c> is
/// <c>Chain(ScaleByAdam(0.9, 0.999, 1e-8), ScaleByLearningRate(Constant(1e-3)))</c>, and the parameters then move by
/// <see cref="Optimizers.ApplyUpdates"/>: <c>θ′ = θ + u</c>.
/// </summary>
/// <remarks>
/// <para>Hyper-parameters live in the transformation, moments and counters in its <see cref="OptimizerState"/>; neither is
/// ever changed. The learning rate (or its <see cref="Schedule"/>) lives only in <see cref="ScaleByLearningRate"/>.</para>
/// <para>To add a transformation, derive a record from this one, with its state a record derived from
/// <see cref="OptimizerState"/>; it then works everywhere a built-in does (<see cref="Training.Step"/>,
/// <see cref="Training.Steps"/>, inside a chain). The built-in chains that name an optimizer are also run by fused
/// kernels that give the same bits; any other chain runs transformation by transformation.</para>
/// </remarks>
public abstract record GradientTransformation
{
    /// <summary>The transformation's initial state for parameters shaped like <paramref name="parameters"/>.</summary>
    public abstract OptimizerState Init(Network parameters);

    /// <summary>
    /// The new updates and state from <paramref name="updates"/> (shaped like the parameters), the transformation's
    /// <paramref name="state"/> and the current <paramref name="parameters"/>. Pure: no input is changed.
    /// </summary>
    /// <exception cref="ArgumentException">When the state was not made by this transformation's <see cref="Init"/>, or
    /// a tree is not shaped like the parameters.</exception>
    public abstract Transformed Update(Network updates, OptimizerState state, Network parameters);

    /// <summary>Checks that <paramref name="state"/> is this transformation's state type and returns it.</summary>
    /// <exception cref="ArgumentException">When it is not.</exception>
    protected TState StateOf<TState>(OptimizerState state) where TState : OptimizerState =>
        state as TState ?? throw new ArgumentException(
            $"The state {state?.GetType().Name ?? "null"} does not belong to {this}; create it with Init.", nameof(state));
}

/// <summary>What a <see cref="GradientTransformation.Update"/> returns.</summary>
/// <param name="Updates">The transformed updates, shaped like the parameters.</param>
/// <param name="State">The transformation's next state.</param>
public sealed record Transformed(Network Updates, OptimizerState State);

namespace Nn;

/// <summary>
/// The state of a <see cref="GradientTransformation"/>: its moments (each a <see cref="Network"/> of the parameters'
/// shapes) and counters. Immutable: an update returns a new state. Hyper-parameters are not here but in the
/// transformation (Optax's split). Each transformation defines its own state record (e.g. <see cref="ScaleByAdam.State"/>);
/// a chain's state is <see cref="Chain.State"/>, one per link.
/// </summary>
public abstract record OptimizerState
{
    /// <summary>The state of a transformation that keeps none (clipping, weight decay).</summary>
    public sealed record Empty : OptimizerState
    {
        /// <summary>The one value.</summary>
        public static Empty Value { get; } = new();

        /// <summary><c>Empty</c>.</summary>
        public override string ToString() => "Empty";
    }
}

/// <summary>The result of <see cref="Optimizers.Update"/>.</summary>
/// <param name="Parameters">The updated parameters θ′.</param>
/// <param name="State">The optimizer's next state.</param>
public sealed record OptimizerStep(Network Parameters, OptimizerState State);

namespace Nn;

/// <summary>
/// The closed set of optimizer states: the number of updates done and the moments, each a <see cref="Network"/> of the
/// parameters' shapes. Immutable: <see cref="Optimizers.Update"/> returns a new state. Hyper-parameters are not here but
/// in the <see cref="Optimizer"/>. Create one with <see cref="Optimizers.Init"/>.
/// </summary>
public abstract record OptimizerState
{
    private OptimizerState(long step) => Step = step;

    /// <summary>The number of updates done so far (≥ 0); the next update is step t = Step + 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set below 0.</exception>
    public long Step { get; init => field = HyperParameters.StepNumber(value, nameof(Step)); }

    /// <summary>The state of <see cref="Optimizer.Sgd"/>: the step count only.</summary>
    /// <param name="Step">The number of updates done.</param>
    public sealed record SgdState(long Step) : OptimizerState(Step);

    /// <summary>The state of <see cref="Optimizer.Momentum"/> and <see cref="Optimizer.Nesterov"/>.</summary>
    /// <param name="Step">The number of updates done.</param>
    /// <param name="Velocity">The velocity v, shaped like the parameters.</param>
    public sealed record MomentumState(long Step, Network Velocity) : OptimizerState(Step);

    /// <summary>The state of <see cref="Optimizer.RmsProp"/>.</summary>
    /// <param name="Step">The number of updates done.</param>
    /// <param name="MeanSquare">The running mean square s of the gradients, shaped like the parameters.</param>
    public sealed record RmsPropState(long Step, Network MeanSquare) : OptimizerState(Step);

    /// <summary>The state of <see cref="Optimizer.Adam"/> and <see cref="Optimizer.AdamW"/>.</summary>
    /// <param name="Step">The number of updates done.</param>
    /// <param name="M">The first moment m (biased running mean of g), shaped like the parameters.</param>
    /// <param name="V">The second moment v (biased running mean of g·g), shaped like the parameters.</param>
    public sealed record AdamState(long Step, Network M, Network V) : OptimizerState(Step);
}

/// <summary>The result of one optimizer update: the new parameters and the new state.</summary>
/// <param name="Parameters">The updated parameters θ′, shaped like the input parameters.</param>
/// <param name="State">The updated state, with Step one higher.</param>
public sealed record OptimizerStep(Network Parameters, OptimizerState State);

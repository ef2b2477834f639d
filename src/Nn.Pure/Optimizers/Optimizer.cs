namespace Nn;

/// <summary>
/// The closed set of gradient-descent optimizers. Each case holds its hyper-parameters only (Optax style); the moments
/// live in an <see cref="OptimizerState"/>. Create them with <see cref="Optimizers"/> (<c>Optimizers.Adam(1e-3)</c>) or
/// with the case constructors, and step with <see cref="Optimizers.Update"/>.
/// </summary>
/// <remarks>
/// Every hyper-parameter is checked when set (constructor or <c>with</c>): learning rates and weight decay finite and ≥ 0,
/// β, β₁, β₂, ρ in [0, 1), ε finite and &gt; 0; a bad value throws <see cref="ArgumentOutOfRangeException"/> naming it.
/// In the formulas below θ is a parameter, g its gradient, and every operation is element by element.
/// </remarks>
public abstract record Optimizer
{
    private Optimizer() { }

    /// <summary>Plain gradient descent: <c>θ ← θ − lr·g</c>.</summary>
    /// <param name="LearningRate">The step size lr ≥ 0.</param>
    public sealed record Sgd(double LearningRate) : Optimizer
    {
        /// <summary>The step size lr ≥ 0.</summary>
        public double LearningRate { get; init => field = HyperParameters.NonNegative(value, nameof(LearningRate)); } = HyperParameters.NonNegative(LearningRate, nameof(LearningRate));
    }

    /// <summary>Heavy-ball momentum (PyTorch convention, dampening 0): <c>v ← β·v + g;  θ ← θ − lr·v</c>.</summary>
    /// <param name="LearningRate">The step size lr ≥ 0.</param>
    /// <param name="Beta">The momentum β in [0, 1).</param>
    public sealed record Momentum(double LearningRate, double Beta) : Optimizer
    {
        /// <summary>The step size lr ≥ 0.</summary>
        public double LearningRate { get; init => field = HyperParameters.NonNegative(value, nameof(LearningRate)); } = HyperParameters.NonNegative(LearningRate, nameof(LearningRate));

        /// <summary>The momentum β in [0, 1).</summary>
        public double Beta { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta)); } = HyperParameters.UnitInterval(Beta, nameof(Beta));
    }

    /// <summary>Nesterov momentum (PyTorch <c>nesterov=True</c>): <c>v ← β·v + g;  θ ← θ − lr·(g + β·v)</c>, with the new v.</summary>
    /// <param name="LearningRate">The step size lr ≥ 0.</param>
    /// <param name="Beta">The momentum β in [0, 1).</param>
    public sealed record Nesterov(double LearningRate, double Beta) : Optimizer
    {
        /// <summary>The step size lr ≥ 0.</summary>
        public double LearningRate { get; init => field = HyperParameters.NonNegative(value, nameof(LearningRate)); } = HyperParameters.NonNegative(LearningRate, nameof(LearningRate));

        /// <summary>The momentum β in [0, 1).</summary>
        public double Beta { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta)); } = HyperParameters.UnitInterval(Beta, nameof(Beta));
    }

    /// <summary>RMSProp (PyTorch convention, ε outside the root): <c>s ← ρ·s + (1−ρ)·g·g;  θ ← θ − lr·(g / (√s + ε))</c>.</summary>
    /// <param name="LearningRate">The step size lr ≥ 0.</param>
    /// <param name="Rho">The decay ρ of the mean square, in [0, 1) (PyTorch's alpha).</param>
    /// <param name="Epsilon">The denominator guard ε &gt; 0.</param>
    public sealed record RmsProp(double LearningRate, double Rho, double Epsilon) : Optimizer
    {
        /// <summary>The step size lr ≥ 0.</summary>
        public double LearningRate { get; init => field = HyperParameters.NonNegative(value, nameof(LearningRate)); } = HyperParameters.NonNegative(LearningRate, nameof(LearningRate));

        /// <summary>The decay ρ of the mean square, in [0, 1).</summary>
        public double Rho { get; init => field = HyperParameters.UnitInterval(value, nameof(Rho)); } = HyperParameters.UnitInterval(Rho, nameof(Rho));

        /// <summary>The denominator guard ε &gt; 0.</summary>
        public double Epsilon { get; init => field = HyperParameters.Positive(value, nameof(Epsilon)); } = HyperParameters.Positive(Epsilon, nameof(Epsilon));
    }

    /// <summary>
    /// Adam with bias correction, at step t = state.Step + 1:
    /// <c>m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g·g;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);  θ ← θ − lr·(m̂ / (√v̂ + ε))</c>.
    /// </summary>
    /// <param name="LearningRate">The step size lr ≥ 0.</param>
    /// <param name="Beta1">The first-moment decay β₁ in [0, 1).</param>
    /// <param name="Beta2">The second-moment decay β₂ in [0, 1).</param>
    /// <param name="Epsilon">The denominator guard ε &gt; 0.</param>
    public sealed record Adam(double LearningRate, double Beta1, double Beta2, double Epsilon) : Optimizer
    {
        /// <summary>The step size lr ≥ 0.</summary>
        public double LearningRate { get; init => field = HyperParameters.NonNegative(value, nameof(LearningRate)); } = HyperParameters.NonNegative(LearningRate, nameof(LearningRate));

        /// <summary>The first-moment decay β₁ in [0, 1).</summary>
        public double Beta1 { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta1)); } = HyperParameters.UnitInterval(Beta1, nameof(Beta1));

        /// <summary>The second-moment decay β₂ in [0, 1).</summary>
        public double Beta2 { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta2)); } = HyperParameters.UnitInterval(Beta2, nameof(Beta2));

        /// <summary>The denominator guard ε &gt; 0.</summary>
        public double Epsilon { get; init => field = HyperParameters.Positive(value, nameof(Epsilon)); } = HyperParameters.Positive(Epsilon, nameof(Epsilon));
    }

    /// <summary>
    /// AdamW, decoupled weight decay applied first as in PyTorch: with m, v, m̂, v̂ as for <see cref="Adam"/>,
    /// <c>θ ← θ·(1 − lr·wd) − lr·(m̂ / (√v̂ + ε))</c>.
    /// </summary>
    /// <param name="LearningRate">The step size lr ≥ 0.</param>
    /// <param name="Beta1">The first-moment decay β₁ in [0, 1).</param>
    /// <param name="Beta2">The second-moment decay β₂ in [0, 1).</param>
    /// <param name="Epsilon">The denominator guard ε &gt; 0.</param>
    /// <param name="WeightDecay">The decoupled weight decay wd ≥ 0 (multiplied by lr).</param>
    public sealed record AdamW(double LearningRate, double Beta1, double Beta2, double Epsilon, double WeightDecay) : Optimizer
    {
        /// <summary>The step size lr ≥ 0.</summary>
        public double LearningRate { get; init => field = HyperParameters.NonNegative(value, nameof(LearningRate)); } = HyperParameters.NonNegative(LearningRate, nameof(LearningRate));

        /// <summary>The first-moment decay β₁ in [0, 1).</summary>
        public double Beta1 { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta1)); } = HyperParameters.UnitInterval(Beta1, nameof(Beta1));

        /// <summary>The second-moment decay β₂ in [0, 1).</summary>
        public double Beta2 { get; init => field = HyperParameters.UnitInterval(value, nameof(Beta2)); } = HyperParameters.UnitInterval(Beta2, nameof(Beta2));

        /// <summary>The denominator guard ε &gt; 0.</summary>
        public double Epsilon { get; init => field = HyperParameters.Positive(value, nameof(Epsilon)); } = HyperParameters.Positive(Epsilon, nameof(Epsilon));

        /// <summary>The decoupled weight decay wd ≥ 0.</summary>
        public double WeightDecay { get; init => field = HyperParameters.NonNegative(value, nameof(WeightDecay)); } = HyperParameters.NonNegative(WeightDecay, nameof(WeightDecay));
    }

    /// <summary>The learning rate, whatever the case.</summary>
    public double Rate => this switch
    {
        Sgd o => o.LearningRate,
        Momentum o => o.LearningRate,
        Nesterov o => o.LearningRate,
        RmsProp o => o.LearningRate,
        Adam o => o.LearningRate,
        AdamW o => o.LearningRate,
        _ => throw new InvalidOperationException("Unknown optimizer case."),
    };

    /// <summary>The optimizer's name as used on the command line: sgd, momentum, nesterov, rmsprop, adam, adamw.</summary>
    public string Name => this switch
    {
        Sgd => "sgd",
        Momentum => "momentum",
        Nesterov => "nesterov",
        RmsProp => "rmsprop",
        Adam => "adam",
        AdamW => "adamw",
        _ => throw new InvalidOperationException("Unknown optimizer case."),
    };
}

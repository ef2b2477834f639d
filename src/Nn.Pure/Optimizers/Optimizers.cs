using Nn.Kernels;

namespace Nn;

/// <summary>
/// Optimizer factories with the usual default hyper-parameters, and the pure update: <c>(θ, state, g) → (θ′, state′)</c>.
/// Parameters, gradients and moments are <see cref="Network"/> values of one shape; an update is one fused pass over
/// every weight and bias, and never changes its inputs.
/// </summary>
public static class Optimizers
{
    /// <summary>The default momentum β for <see cref="Parse"/>: 0.9.</summary>
    public const double DefaultMomentum = 0.9;

    /// <summary>The default AdamW weight decay for <see cref="Parse"/>: 0.01 (PyTorch's default).</summary>
    public const double DefaultWeightDecay = 0.01;

    /// <summary>Plain SGD: <c>θ ← θ − lr·g</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static Optimizer Sgd(double learningRate) => new Optimizer.Sgd(learningRate);

    /// <summary>Heavy-ball momentum: <c>v ← β·v + g;  θ ← θ − lr·v</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr &lt; 0 or β is outside [0, 1).</exception>
    public static Optimizer Momentum(double learningRate, double beta) => new Optimizer.Momentum(learningRate, beta);

    /// <summary>Nesterov momentum: <c>v ← β·v + g;  θ ← θ − lr·(g + β·v)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr &lt; 0 or β is outside [0, 1).</exception>
    public static Optimizer Nesterov(double learningRate, double beta) => new Optimizer.Nesterov(learningRate, beta);

    /// <summary>RMSProp with PyTorch's defaults ρ = 0.99, ε = 1e-8: <c>s ← ρ·s + (1−ρ)·g·g;  θ ← θ − lr·(g / (√s + ε))</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static Optimizer RmsProp(double learningRate) => new Optimizer.RmsProp(learningRate, 0.99, 1e-8);

    /// <summary>Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (see <see cref="Optimizer.Adam"/> for the formula).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static Optimizer Adam(double learningRate) => new Optimizer.Adam(learningRate, 0.9, 0.999, 1e-8);

    /// <summary>AdamW with β₁ = 0.9, β₂ = 0.999, ε = 1e-8: <c>θ ← θ·(1 − lr·wd) − lr·(m̂ / (√v̂ + ε))</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr or wd is negative or not finite.</exception>
    public static Optimizer AdamW(double learningRate, double weightDecay) => new Optimizer.AdamW(learningRate, 0.9, 0.999, 1e-8, weightDecay);

    /// <summary>
    /// An optimizer from its name (sgd, momentum, nesterov, rmsprop, adam, adamw; case and surrounding spaces ignored)
    /// with default hyper-parameters: β = <see cref="DefaultMomentum"/>, wd = <see cref="DefaultWeightDecay"/>, and
    /// the defaults of <see cref="RmsProp"/> and <see cref="Adam"/>.
    /// </summary>
    /// <exception cref="ArgumentException">For an unknown name; the message lists the known ones.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static Optimizer Parse(string name, double learningRate) => name.Trim().ToLowerInvariant() switch
    {
        "sgd" => Sgd(learningRate),
        "momentum" => Momentum(learningRate, DefaultMomentum),
        "nesterov" => Nesterov(learningRate, DefaultMomentum),
        "rmsprop" => RmsProp(learningRate),
        "adam" => Adam(learningRate),
        "adamw" => AdamW(learningRate, DefaultWeightDecay),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; expected one of sgd, momentum, nesterov, rmsprop, adam, adamw.", nameof(name)),
    };

    /// <summary>The same optimizer case and hyper-parameters with another learning rate (e.g. from a <see cref="Schedule"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static Optimizer WithLearningRate(Optimizer optimizer, double learningRate) => optimizer switch
    {
        Optimizer.Sgd o => o with { LearningRate = learningRate },
        Optimizer.Momentum o => o with { LearningRate = learningRate },
        Optimizer.Nesterov o => o with { LearningRate = learningRate },
        Optimizer.RmsProp o => o with { LearningRate = learningRate },
        Optimizer.Adam o => o with { LearningRate = learningRate },
        Optimizer.AdamW o => o with { LearningRate = learningRate },
        _ => throw new ArgumentException($"Unknown optimizer {optimizer}.", nameof(optimizer)),
    };

    /// <summary>The initial state for <paramref name="parameters"/>: Step 0 and every moment zero, shaped like the parameters.</summary>
    public static OptimizerState Init(Optimizer optimizer, Network parameters) => optimizer switch
    {
        Optimizer.Sgd => new OptimizerState.SgdState(0),
        Optimizer.Momentum or Optimizer.Nesterov => new OptimizerState.MomentumState(0, Parameters.ZerosLike(parameters)),
        Optimizer.RmsProp => new OptimizerState.RmsPropState(0, Parameters.ZerosLike(parameters)),
        Optimizer.Adam or Optimizer.AdamW => new OptimizerState.AdamState(0, Parameters.ZerosLike(parameters), Parameters.ZerosLike(parameters)),
        _ => throw new ArgumentException($"Unknown optimizer {optimizer}.", nameof(optimizer)),
    };

    /// <summary>
    /// One update at step t = state.Step + 1: the new parameters θ′ and the new state (Step + 1, new moments), by the
    /// per-element formula documented on the optimizer's case. The inputs are left unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">When the state's case does not belong to the optimizer (e.g. an
    /// <see cref="OptimizerState.SgdState"/> given to Adam), or the gradients or moments are not shaped like the parameters.</exception>
    public static OptimizerStep Update(Optimizer optimizer, OptimizerState state, Network parameters, Network gradients) =>
        Apply(optimizer, state, parameters, gradients, false, null);

    /// <summary>
    /// <see cref="Update(Optimizer, OptimizerState, Network, Network)"/>; with <paramref name="inPlace"/> the new
    /// parameters and moments overwrite the given ones (the same bits), for a caller that owns them
    /// (<see cref="Training.Steps"/>).
    /// </summary>
    internal static OptimizerStep Apply(Optimizer optimizer, OptimizerState state, Network parameters, Network gradients, bool inPlace, Kernels.Workspace? ws)
    {
        CheckShape(parameters, gradients, nameof(gradients));
        var t = checked(state.Step + 1);
        switch (optimizer, state)
        {
            case (Optimizer.Sgd o, OptimizerState.SgdState):
                {
                    var lr = o.LearningRate;
                    var r = TreeUpdate.Apply(parameters, gradients, null, null,
                        (p, g, _, _, pOut, _, _) => OptimizerKernels.Sgd(lr, p, g, pOut), inPlace, ws);
                    return new(r.Parameters, new OptimizerState.SgdState(t));
                }
            case (Optimizer.Momentum o, OptimizerState.MomentumState s):
                return MomentumStep(o.LearningRate, o.Beta, false, s, parameters, gradients, t, inPlace, ws);
            case (Optimizer.Nesterov o, OptimizerState.MomentumState s):
                return MomentumStep(o.LearningRate, o.Beta, true, s, parameters, gradients, t, inPlace, ws);
            case (Optimizer.RmsProp o, OptimizerState.RmsPropState s):
                {
                    CheckShape(parameters, s.MeanSquare, nameof(state));
                    var (lr, rho, eps) = (o.LearningRate, o.Rho, o.Epsilon);
                    var r = TreeUpdate.Apply(parameters, gradients, s.MeanSquare, null,
                        (p, g, a, _, pOut, aOut, _) => OptimizerKernels.RmsProp(lr, rho, eps, p, g, a, pOut, aOut), inPlace, ws);
                    return new(r.Parameters, new OptimizerState.RmsPropState(t, r.A!));
                }
            case (Optimizer.Adam o, OptimizerState.AdamState s):
                return AdamStep(o.LearningRate, o.Beta1, o.Beta2, o.Epsilon, 1.0, s, parameters, gradients, t, inPlace, ws);
            case (Optimizer.AdamW o, OptimizerState.AdamState s):
                return AdamStep(o.LearningRate, o.Beta1, o.Beta2, o.Epsilon, 1.0 - o.LearningRate * o.WeightDecay, s, parameters, gradients, t, inPlace, ws);
            default:
                throw new ArgumentException($"The state {state.GetType().Name} does not belong to the optimizer '{optimizer.Name}'; create it with Optimizers.Init.", nameof(state));
        }
    }

    /// <summary>
    /// Gradient clipping by global norm: with <c>n = ‖g‖</c> (<see cref="Parameters.GlobalNorm"/>), returns
    /// <c>g·(maxNorm / n)</c> when <c>n &gt; maxNorm</c>, otherwise <paramref name="gradients"/> itself.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When maxNorm is not finite and &gt; 0.</exception>
    public static Network ClipByGlobalNorm(Network gradients, double maxNorm)
    {
        HyperParameters.Positive(maxNorm, nameof(maxNorm));
        var norm = Parameters.GlobalNorm(gradients);
        return norm > maxNorm ? Parameters.Scale(maxNorm / norm, gradients) : gradients;
    }

    private static OptimizerStep MomentumStep(double lr, double beta, bool nesterov, OptimizerState.MomentumState s, Network parameters, Network gradients, long t, bool inPlace, Kernels.Workspace? ws)
    {
        CheckShape(parameters, s.Velocity, "state");
        var r = TreeUpdate.Apply(parameters, gradients, s.Velocity, null,
            (p, g, a, _, pOut, aOut, _) => OptimizerKernels.Momentum(lr, beta, nesterov, p, g, a, pOut, aOut), inPlace, ws);
        return new(r.Parameters, new OptimizerState.MomentumState(t, r.A!));
    }

    private static OptimizerStep AdamStep(double lr, double beta1, double beta2, double eps, double decay, OptimizerState.AdamState s, Network parameters, Network gradients, long t, bool inPlace, Kernels.Workspace? ws)
    {
        CheckShape(parameters, s.M, "state");
        CheckShape(parameters, s.V, "state");
        var c1 = 1.0 - Math.Pow(beta1, t);
        var c2 = 1.0 - Math.Pow(beta2, t);
        var r = TreeUpdate.Apply(parameters, gradients, s.M, s.V,
            (p, g, a, b, pOut, aOut, bOut) => OptimizerKernels.Adam(lr, beta1, beta2, eps, c1, c2, decay, p, g, a, b, pOut, aOut, bOut), inPlace, ws);
        return new(r.Parameters, new OptimizerState.AdamState(t, r.A!, r.B!));
    }

    private static void CheckShape(Network parameters, Network other, string name)
    {
        if (!Parameters.SameShape(parameters, other))
            throw new ArgumentException($"The {name} ({other}) are not shaped like the parameters ({parameters}).", name);
    }
}

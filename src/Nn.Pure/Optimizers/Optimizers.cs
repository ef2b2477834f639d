using Nn.Kernels;

namespace Nn;

/// <summary>
/// The named optimizers as chains of <see cref="GradientTransformation"/>s (Optax style), and the pure update
/// <c>(θ, state, g) → (θ′, state′)</c>. Each optimizer holds its learning rate (or <see cref="Schedule"/>) in exactly one
/// place, its <see cref="ScaleByLearningRate"/> link. Parameters, gradients and moments are <see cref="Network"/> values
/// of one shape; an update never changes its inputs.
/// </summary>
public static class Optimizers
{
    /// <summary>The default momentum β for <see cref="Parse"/>: 0.9.</summary>
    public const double DefaultMomentum = 0.9;

    /// <summary>The default AdamW weight decay for <see cref="Parse"/>: 0.01 (PyTorch's default).</summary>
    public const double DefaultWeightDecay = 0.01;

    /// <summary>The names <see cref="Parse"/> knows, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"];

    /// <summary>Transformations applied in order (see <see cref="Nn.Chain"/>), e.g.
    /// <c>Chain(ClipByGlobalNorm(1), Adam(1e-3))</c> clips the gradients, then runs Adam.</summary>
    /// <exception cref="ArgumentException">When there are none.</exception>
    public static GradientTransformation Chain(params GradientTransformation[] links) => new Chain(links);

    /// <summary>Clipping by global norm (<see cref="Nn.ClipByGlobalNorm"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When maxNorm is not finite and &gt; 0.</exception>
    public static GradientTransformation ClipByGlobalNorm(double maxNorm) => new ClipByGlobalNorm(maxNorm);

    /// <summary>Plain SGD, <c>θ ← θ − lr·g</c>: <c>Chain(ScaleByLearningRate(lr))</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static GradientTransformation Sgd(double learningRate) => Sgd(Schedules.Constant(learningRate));

    /// <summary>Plain SGD with a learning-rate schedule.</summary>
    public static GradientTransformation Sgd(Schedule learningRate) => new Chain([new ScaleByLearningRate(learningRate)]);

    /// <summary>Heavy-ball momentum, <c>v ← β·v + g;  θ ← θ − lr·v</c>: <c>Chain(ScaleByMomentum(β), ScaleByLearningRate(lr))</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr &lt; 0 or β is outside [0, 1).</exception>
    public static GradientTransformation Momentum(double learningRate, double beta) => Momentum(Schedules.Constant(learningRate), beta);

    /// <summary>Heavy-ball momentum with a learning-rate schedule.</summary>
    public static GradientTransformation Momentum(Schedule learningRate, double beta) =>
        new Chain([new ScaleByMomentum(beta, false), new ScaleByLearningRate(learningRate)]);

    /// <summary>Nesterov momentum, <c>v ← β·v + g;  θ ← θ − lr·(g + β·v)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr &lt; 0 or β is outside [0, 1).</exception>
    public static GradientTransformation Nesterov(double learningRate, double beta) => Nesterov(Schedules.Constant(learningRate), beta);

    /// <summary>Nesterov momentum with a learning-rate schedule.</summary>
    public static GradientTransformation Nesterov(Schedule learningRate, double beta) =>
        new Chain([new ScaleByMomentum(beta, true), new ScaleByLearningRate(learningRate)]);

    /// <summary>RMSProp with PyTorch's defaults ρ = 0.99, ε = 1e-8: <c>s ← ρ·s + (1−ρ)·g·g;  θ ← θ − lr·(g / (√s + ε))</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static GradientTransformation RmsProp(double learningRate) => RmsProp(Schedules.Constant(learningRate));

    /// <summary>RMSProp with a learning-rate schedule.</summary>
    public static GradientTransformation RmsProp(Schedule learningRate) =>
        new Chain([new ScaleByRms(0.99, 1e-8), new ScaleByLearningRate(learningRate)]);

    /// <summary>Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8: <c>θ ← θ − lr·(m̂ / (√v̂ + ε))</c> (see <see cref="ScaleByAdam"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr is negative or not finite.</exception>
    public static GradientTransformation Adam(double learningRate) => Adam(Schedules.Constant(learningRate));

    /// <summary>Adam with a learning-rate schedule.</summary>
    public static GradientTransformation Adam(Schedule learningRate) =>
        new Chain([new ScaleByAdam(0.9, 0.999, 1e-8), new ScaleByLearningRate(learningRate)]);

    /// <summary>
    /// AdamW (Optax's form) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8: <c>θ ← θ − lr·(m̂ / (√v̂ + ε) + wd·θ)</c>, which equals
    /// PyTorch's <c>θ·(1 − lr·wd) − lr·(m̂ / (√v̂ + ε))</c> up to rounding:
    /// <c>Chain(ScaleByAdam, AddDecayedWeights(wd), ScaleByLearningRate(lr))</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When lr or wd is negative or not finite.</exception>
    public static GradientTransformation AdamW(double learningRate, double weightDecay) => AdamW(Schedules.Constant(learningRate), weightDecay);

    /// <summary>AdamW with a learning-rate schedule.</summary>
    public static GradientTransformation AdamW(Schedule learningRate, double weightDecay) =>
        new Chain([new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(weightDecay), new ScaleByLearningRate(learningRate)]);

    /// <summary>
    /// An optimizer from its name (<see cref="Names"/>; case and surrounding spaces ignored) with default
    /// hyper-parameters: β = <see cref="DefaultMomentum"/>, wd = <see cref="DefaultWeightDecay"/>, and the defaults of
    /// <see cref="RmsProp(double)"/> and <see cref="Adam(double)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">For an unknown name; the message lists the known ones.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When the rate is negative or not finite.</exception>
    public static GradientTransformation Parse(string name, double learningRate) => name.Trim().ToLowerInvariant() switch
    {
        "sgd" => Sgd(learningRate),
        "momentum" => Momentum(learningRate, DefaultMomentum),
        "nesterov" => Nesterov(learningRate, DefaultMomentum),
        "rmsprop" => RmsProp(learningRate),
        "adam" => Adam(learningRate),
        "adamw" => AdamW(learningRate, DefaultWeightDecay),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>The initial state of <paramref name="optimizer"/> for <paramref name="parameters"/> (its <see cref="GradientTransformation.Init"/>).</summary>
    public static OptimizerState Init(GradientTransformation optimizer, Network parameters) => optimizer.Init(parameters);

    /// <summary><c>θ′ = θ + u</c>, element by element (Optax's <c>apply_updates</c>).</summary>
    /// <exception cref="ArgumentException">When the shapes differ.</exception>
    public static Network ApplyUpdates(Network parameters, Network updates) => Parameters.Add(parameters, updates);

    /// <summary>
    /// One update: the optimizer's <see cref="GradientTransformation.Update"/> of the gradients, then
    /// <see cref="ApplyUpdates"/>. The named optimizers (with or without a leading <see cref="Nn.ClipByGlobalNorm"/>) run as one
    /// fused pass per tensor with exactly the same bits. The inputs are left unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">When the state does not belong to the optimizer, or the gradients or moments are
    /// not shaped like the parameters.</exception>
    public static OptimizerStep Update(GradientTransformation optimizer, OptimizerState state, Network parameters, Network gradients) =>
        Apply(optimizer, state, parameters, gradients, null);

    /// <summary><see cref="Update"/> with the kernels' threads and scratch from <paramref name="ws"/>.</summary>
    internal static OptimizerStep Apply(GradientTransformation optimizer, OptimizerState state, Network parameters, Network gradients, Workspace? ws)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        Parameters.CheckSameShape(parameters, gradients);
        if (FusedUpdate.Of(optimizer) is { } fused) return fused.Apply(state, parameters, gradients, ws);
        var r = optimizer.Update(gradients, state, parameters);
        return new(ApplyUpdates(parameters, r.Updates), r.State);
    }
}

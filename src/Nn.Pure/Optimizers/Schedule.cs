namespace Nn;

/// <summary>
/// The closed set of learning-rate schedules: a rate as a function of the step t ≥ 0 (the number of updates done).
/// Evaluate with <see cref="Schedules.LearningRate"/>; an optimizer holds one in its <see cref="ScaleByLearningRate"/> link
/// (<c>Optimizers.Adam(Schedules.Cosine(1e-3, 1000, 0))</c>).
/// </summary>
/// <remarks>
/// Every parameter is checked when set: rates finite and ≥ 0, factors finite and ≥ 0, step counts ≥ 1, and a
/// cosine minimum in [0, Initial]; a bad value throws <see cref="ArgumentOutOfRangeException"/> naming it.
/// </remarks>
public abstract record Schedule
{
    private Schedule() { }

    /// <summary>A constant rate: <c>lr(t) = Rate</c>.</summary>
    /// <param name="Rate">The rate, finite and ≥ 0.</param>
    public sealed record Constant(double Rate) : Schedule
    {
        /// <summary>The rate, finite and ≥ 0.</summary>
        public double Rate { get; init => field = HyperParameters.NonNegative(value, nameof(Rate)); } = HyperParameters.NonNegative(Rate, nameof(Rate));
    }

    /// <summary>Step decay: <c>lr(t) = Initial·Factor^⌊t / Every⌋</c>.</summary>
    /// <param name="Initial">The rate for t &lt; Every, finite and ≥ 0.</param>
    /// <param name="Factor">The multiplier applied every <paramref name="Every"/> steps, finite and ≥ 0.</param>
    /// <param name="Every">The number of steps between decays, ≥ 1.</param>
    public sealed record Step(double Initial, double Factor, long Every) : Schedule
    {
        /// <summary>The rate for t &lt; Every, finite and ≥ 0.</summary>
        public double Initial { get; init => field = HyperParameters.NonNegative(value, nameof(Initial)); } = HyperParameters.NonNegative(Initial, nameof(Initial));

        /// <summary>The multiplier applied every <see cref="Every"/> steps, finite and ≥ 0.</summary>
        public double Factor { get; init => field = HyperParameters.NonNegative(value, nameof(Factor)); } = HyperParameters.NonNegative(Factor, nameof(Factor));

        /// <summary>The number of steps between decays, ≥ 1.</summary>
        public long Every { get; init => field = HyperParameters.AtLeastOne(value, nameof(Every)); } = HyperParameters.AtLeastOne(Every, nameof(Every));
    }

    /// <summary>Exponential decay: <c>lr(t) = Initial·Decay^t</c>.</summary>
    /// <param name="Initial">The rate at t = 0, finite and ≥ 0.</param>
    /// <param name="Decay">The per-step multiplier, finite and ≥ 0.</param>
    public sealed record Exponential(double Initial, double Decay) : Schedule
    {
        /// <summary>The rate at t = 0, finite and ≥ 0.</summary>
        public double Initial { get; init => field = HyperParameters.NonNegative(value, nameof(Initial)); } = HyperParameters.NonNegative(Initial, nameof(Initial));

        /// <summary>The per-step multiplier, finite and ≥ 0.</summary>
        public double Decay { get; init => field = HyperParameters.NonNegative(value, nameof(Decay)); } = HyperParameters.NonNegative(Decay, nameof(Decay));
    }

    /// <summary>
    /// Cosine annealing to a floor: <c>lr(t) = Minimum + ½·(Initial − Minimum)·(1 + cos(π·min(t, T) / T))</c> with
    /// T = TotalSteps; Initial at t = 0, Minimum from t = T on.
    /// </summary>
    /// <param name="Initial">The rate at t = 0, finite and ≥ 0.</param>
    /// <param name="TotalSteps">The length T of the decay, ≥ 1.</param>
    /// <param name="Minimum">The floor reached at t = T, in [0, Initial].</param>
    public sealed record Cosine(double Initial, long TotalSteps, double Minimum) : Schedule
    {
        /// <summary>The rate at t = 0, finite and ≥ 0.</summary>
        public double Initial { get; init => field = HyperParameters.NonNegative(value, nameof(Initial)); } = HyperParameters.NonNegative(Initial, nameof(Initial));

        /// <summary>The length T of the decay, ≥ 1.</summary>
        public long TotalSteps { get; init => field = HyperParameters.AtLeastOne(value, nameof(TotalSteps)); } = HyperParameters.AtLeastOne(TotalSteps, nameof(TotalSteps));

        /// <summary>The floor reached at t = T, in [0, Initial] (checked again by <see cref="Schedules.LearningRate"/> after a <c>with</c>).</summary>
        public double Minimum { get; init => field = HyperParameters.NonNegative(value, nameof(Minimum)); } = Schedules.CheckMinimum(Minimum, Initial);
    }

    /// <summary>
    /// Linear warm-up before another schedule: <c>lr(t) = After(0)·(t + 1) / Steps</c> for t &lt; Steps (rising to After's
    /// first rate at the last warm-up step), then <c>lr(t) = After(t − Steps)</c>.
    /// </summary>
    /// <param name="Steps">The number of warm-up steps, ≥ 1.</param>
    /// <param name="After">The schedule that follows, counted from the end of the warm-up.</param>
    public sealed record Warmup(long Steps, Schedule After) : Schedule
    {
        /// <summary>The number of warm-up steps, ≥ 1.</summary>
        public long Steps { get; init => field = HyperParameters.AtLeastOne(value, nameof(Steps)); } = HyperParameters.AtLeastOne(Steps, nameof(Steps));

        /// <summary>The schedule that follows, counted from the end of the warm-up.</summary>
        public Schedule After { get; init => field = value ?? throw new ArgumentNullException(nameof(After)); } = After ?? throw new ArgumentNullException(nameof(After));
    }
}

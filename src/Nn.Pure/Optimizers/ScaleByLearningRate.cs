namespace Nn;

/// <summary>
/// Scales by minus the learning rate (Optax's <c>scale_by_learning_rate</c>), at step t = Count:
/// <c>u′ = (−lr(t))·u</c> with lr(t) from <see cref="Schedule"/>, so that <c>θ + u′ = θ − lr(t)·u</c>. The one place a
/// chain holds its learning rate.
/// </summary>
/// <param name="Schedule">The learning rate as a function of the step (<see cref="Schedules.Constant"/> for a fixed one).</param>
public sealed record ScaleByLearningRate(Schedule Schedule) : GradientTransformation
{
    /// <summary>The learning rate as a function of the step.</summary>
    public Schedule Schedule { get; init => field = value ?? throw new ArgumentNullException(nameof(Schedule)); } = Schedule ?? throw new ArgumentNullException(nameof(Schedule));

    /// <summary>The number of updates done, the step at which the schedule is read next.</summary>
    /// <param name="Count">The updates done so far (≥ 0).</param>
    public sealed record State(long Count) : OptimizerState
    {
        /// <summary>The updates done so far (≥ 0).</summary>
        public long Count { get; init => field = HyperParameters.StepNumber(value, nameof(Count)); } = HyperParameters.StepNumber(Count, nameof(Count));
    }

    /// <inheritdoc />
    public override OptimizerState Init(Network parameters) => new State(0);

    /// <inheritdoc />
    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        var s = StateOf<State>(state);
        var negativeRate = -Schedules.LearningRate(Schedule, s.Count);
        return new(Parameters.Map(updates, u => negativeRate * u), new State(checked(s.Count + 1)));
    }

    /// <summary>e.g. <c>scale-by-learning-rate(0.01)</c> or <c>scale-by-learning-rate(cosine(0.1, 1000, 0))</c>.</summary>
    public override string ToString() =>
        Schedule is Schedule.Constant c ? FormattableString.Invariant($"scale-by-learning-rate({c.Rate})") : $"scale-by-learning-rate({Schedule})";
}

namespace Nn;

/// <summary>Learning-rate schedule factories and their evaluation <c>lr(t)</c> at step t (the number of updates done).</summary>
public static class Schedules
{
    /// <summary>A constant rate: <c>lr(t) = rate</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the rate is negative or not finite.</exception>
    public static Schedule Constant(double rate) => new Schedule.Constant(rate);

    /// <summary>Step decay: <c>lr(t) = initial·factor^⌊t / every⌋</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When initial or factor is negative or not finite, or every &lt; 1.</exception>
    public static Schedule StepDecay(double initial, double factor, long every) => new Schedule.Step(initial, factor, every);

    /// <summary>Exponential decay: <c>lr(t) = initial·decay^t</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When initial or decay is negative or not finite.</exception>
    public static Schedule Exponential(double initial, double decay) => new Schedule.Exponential(initial, decay);

    /// <summary>Cosine annealing: <c>lr(t) = minimum + ½·(initial − minimum)·(1 + cos(π·min(t, T) / T))</c>, T = totalSteps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When initial is negative or not finite, totalSteps &lt; 1, or minimum is outside [0, initial].</exception>
    public static Schedule Cosine(double initial, long totalSteps, double minimum) => new Schedule.Cosine(initial, totalSteps, minimum);

    /// <summary>Linear warm-up over <paramref name="steps"/> steps into <paramref name="after"/>: <c>lr(t) = after(0)·(t + 1) / steps</c> for t &lt; steps, then <c>after(t − steps)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When steps &lt; 1.</exception>
    /// <exception cref="ArgumentNullException">When after is null.</exception>
    public static Schedule Warmup(long steps, Schedule after) => new Schedule.Warmup(steps, after);

    /// <summary>The learning rate at step t ≥ 0, by the formula documented on the schedule's case.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When step &lt; 0, or a cosine schedule's minimum exceeds its initial rate.</exception>
    public static double LearningRate(Schedule schedule, long step)
    {
        HyperParameters.StepNumber(step, nameof(step));
        return schedule switch
        {
            Schedule.Constant c => c.Rate,
            Schedule.Step s => s.Initial * Kernels.Trigonometry.Power(s.Factor, step / s.Every),
            Schedule.Exponential e => e.Initial * Kernels.Trigonometry.Power(e.Decay, step),
            Schedule.Cosine c => CosineRate(c, step),
            Schedule.Warmup w => step < w.Steps ? LearningRate(w.After, 0) * (step + 1) / w.Steps : LearningRate(w.After, step - w.Steps),
            _ => throw new ArgumentException($"Unknown schedule {schedule}.", nameof(schedule)),
        };
    }

    internal static double CheckMinimum(double minimum, double initial) =>
        double.IsFinite(minimum) && minimum >= 0 && minimum <= initial
            ? minimum
            : throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"Minimum must be finite and in [0, Initial = {initial}].");

    private static double CosineRate(Schedule.Cosine c, long step)
    {
        CheckMinimum(c.Minimum, c.Initial);
        var t = (double)Math.Min(step, c.TotalSteps);
        return c.Minimum + 0.5 * (c.Initial - c.Minimum) * (1.0 + Kernels.Trigonometry.SinCosPi(t / c.TotalSteps).Cos);
    }
}

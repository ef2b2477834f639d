using System.Collections.Immutable;
using System.Globalization;

namespace Nn;

/// <summary>The shapes of an <see cref="EpochSchedule"/>: the learning rate over the run.</summary>
public enum ScheduleKind
{
    /// <summary>The optimizer's rate throughout.</summary>
    Constant,

    /// <summary>The rate times <see cref="EpochSchedule.Factor"/> every <see cref="EpochSchedule.Every"/> epochs.</summary>
    Step,

    /// <summary>The rate times <see cref="EpochSchedule.Factor"/> per epoch, decayed smoothly step by step.</summary>
    Exponential,

    /// <summary>Cosine annealing from the rate to <see cref="EpochSchedule.Minimum"/> over <see cref="EpochSchedule.Length"/> epochs.</summary>
    Cosine,
}

/// <summary>
/// A learning-rate schedule said in epochs, as <c>nn train</c>'s flags say it (<c>--schedule cosine --lr-min 1e-4
/// --warmup 5</c>). The plan turns it into steps (<see cref="RunPlans.Decide"/>: one epoch is ⌈train rows / batch size⌉
/// steps) and puts it in the optimizer's <see cref="ScaleByLearningRate"/> link in place of its constant rate, which is
/// the schedule's starting rate.
/// </summary>
public sealed record EpochSchedule
{
    /// <summary>The shape (constant by default).</summary>
    public ScheduleKind Kind { get; init; }

    /// <summary>Step and exponential: the factor per <see cref="Every"/> epochs (step) or per epoch (exponential), in (0, 1]; null: 0.5 for step, 0.95 for exponential.</summary>
    public double? Factor { get; init; }

    /// <summary>Step: the epochs between decays, ≥ 1 (10 by default).</summary>
    public int Every { get; init; } = 10;

    /// <summary>Cosine: the floor, in [0, the optimizer's rate] (0 by default).</summary>
    public double Minimum { get; init; }

    /// <summary>Cosine: the epochs of the decay after the warm-up; 0 (the default) = the rest of the run.</summary>
    public int Length { get; init; }

    /// <summary>Epochs of linear warm-up before the schedule (<see cref="Schedule.Warmup"/>), ≥ 0 (0 = none).</summary>
    public int Warmup { get; init; }

    /// <summary>The names of the kinds on the command line, in enum order: constant, step, exponential, cosine.</summary>
    public static ImmutableArray<string> Names { get; } = ["constant", "step", "exponential", "cosine"];

    /// <summary>The kind's name (<see cref="Names"/>).</summary>
    public static string Name(ScheduleKind kind) => Names[(int)kind];

    /// <summary>The factor in use: <see cref="Factor"/>, or 0.5 for step and 0.95 for exponential.</summary>
    public double FactorOrDefault => Factor ?? (Kind == ScheduleKind.Exponential ? 0.95 : 0.5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting (as <paramref name="label"/> gives it) for a value out of range.</summary>
    public void Validate(Func<string, string> label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"{label("Schedule")}: expected {string.Join(", ", Names)}, got {(int)Kind}.");
        if (Factor is { } f && !(f > 0 && f <= 1)) throw new ArgumentException($"{label("LrFactor")}: expected a factor in (0, 1], got {F(f)}.");
        if (Every < 1) throw new ArgumentException($"{label("LrEvery")}: expected at least 1 epoch, got {Every}.");
        if (!(Minimum >= 0) || !double.IsFinite(Minimum)) throw new ArgumentException($"{label("LrMin")}: expected a number >= 0, got {F(Minimum)}.");
        if (Length < 0) throw new ArgumentException($"{label("LrEpochs")}: expected 0 (the rest of the run) or more epochs, got {Length}.");
        if (Warmup < 0) throw new ArgumentException($"{label("Warmup")}: expected 0 or more epochs, got {Warmup}.");
    }

    /// <summary>
    /// The schedule in steps, with <paramref name="stepsPerEpoch"/> steps per epoch, starting at <paramref name="rate"/>, for a
    /// run of <paramref name="epochs"/> epochs: constant, step (every <c>Every·stepsPerEpoch</c> steps), exponential (decay
    /// <c>Factor^(1/stepsPerEpoch)</c> per step), cosine (over <c>(Length or epochs − Warmup, at least 1)·stepsPerEpoch</c>
    /// steps), behind a warm-up of <c>Warmup·stepsPerEpoch</c> steps when Warmup &gt; 0.
    /// </summary>
    /// <exception cref="ArgumentException">For a cosine floor above the rate (naming it as <paramref name="label"/> gives it).</exception>
    public Schedule InSteps(double rate, long stepsPerEpoch, int epochs, Func<string, string> label)
    {
        ArgumentNullException.ThrowIfNull(label);
        Validate(label);
        if (Kind == ScheduleKind.Cosine && Minimum > rate)
            throw new ArgumentException($"{label("LrMin")}: the cosine floor {F(Minimum)} is above the learning rate {F(rate)}.");
        Schedule inner = Kind switch
        {
            ScheduleKind.Step => Schedules.StepDecay(rate, FactorOrDefault, Every * stepsPerEpoch),
            ScheduleKind.Exponential => Schedules.Exponential(rate, PerStep(FactorOrDefault, stepsPerEpoch)),
            ScheduleKind.Cosine => Schedules.Cosine(rate, Math.Max(1, Length > 0 ? Length : epochs - Warmup) * stepsPerEpoch, Minimum),
            _ => Schedules.Constant(rate),
        };
        return Warmup > 0 ? Schedules.Warmup(Warmup * stepsPerEpoch, inner) : inner;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private bool PrintMembers(System.Text.StringBuilder builder) => Nn.Format.Members(this, builder);

    /// <summary>
    /// The per-step factor whose <paramref name="steps"/>-th power is the per-epoch <paramref name="factor"/>:
    /// <c>exp(ln(factor) / steps)</c> with the library's own exp and ln (no C library, the same bits everywhere).
    /// </summary>
    private static double PerStep(double factor, long steps) =>
        factor == 0.0 ? 0.0 : steps == 1 ? factor : Kernels.Exponential.Of(Kernels.Logarithm.Of(factor) / steps);
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Nn.Properties;

/// <summary>Learning-rate schedules against values worked out by hand, and monotonicity properties.</summary>
public class ScheduleTests
{
    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-15 * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Constant_is_the_same_at_every_step()
    {
        var s = Schedules.Constant(0.3);
        Assert.Equal(0.3, Schedules.LearningRate(s, 0));
        Assert.Equal(0.3, Schedules.LearningRate(s, 1_000_000));
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(9, 0.1)]
    [InlineData(10, 0.05)]
    [InlineData(19, 0.05)]
    [InlineData(25, 0.025)]
    [InlineData(30, 0.0125)]
    public void Step_decay_halves_every_ten_steps(long t, double expected) =>
        AssertClose(expected, Schedules.LearningRate(Schedules.StepDecay(0.1, 0.5, 10), t));

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(1, 0.09)]
    [InlineData(2, 0.081)]
    [InlineData(3, 0.0729)]
    public void Exponential_decay_multiplies_by_the_decay_each_step(long t, double expected) =>
        Assert.True(Math.Abs(expected - Schedules.LearningRate(Schedules.Exponential(0.1, 0.9), t)) <= 1e-15 * expected);

    [Theory]
    [InlineData(0, 0.1)]                                   // Initial
    [InlineData(25, 0.001 + 0.0495 * 1.7071067811865475)] // ½(1 + cos(π/4)) = (2 + √2)/4
    [InlineData(50, 0.0505)]                               // halfway: (Initial + Minimum) / 2
    [InlineData(75, 0.001 + 0.0495 * 0.29289321881345254)] // ½(1 + cos(3π/4)) = (2 − √2)/4
    [InlineData(100, 0.001)]                               // Minimum at T
    [InlineData(150, 0.001)]                               // and after
    [InlineData(1_000_000, 0.001)]
    public void Cosine_goes_from_initial_to_minimum_over_total_steps(long t, double expected) =>
        Assert.True(Math.Abs(expected - Schedules.LearningRate(Schedules.Cosine(0.1, 100, 0.001), t)) <= 1e-14 * expected,
            $"t = {t}: expected {expected:R}, got {Schedules.LearningRate(Schedules.Cosine(0.1, 100, 0.001), t):R}");

    [Property(Replay = "(7101,11400714819323198485)", MaxTest = 100)]
    public Property Cosine_hits_initial_at_zero_and_minimum_from_total_steps_on() =>
        Prop.ForAll(
            Arb.From(from initial in Gen.Choose(1, 1000)
                     from minimumPermille in Gen.Choose(0, 1000)
                     from total in Gen.Choose(1, 500)
                     from after in Gen.Choose(0, 1000)
                     select (Initial: initial / 1000.0, Minimum: initial / 1000.0 * minimumPermille / 1000.0, Total: (long)total, After: (long)after)),
            x =>
            {
                var s = Schedules.Cosine(x.Initial, x.Total, x.Minimum);
                return Math.Abs(Schedules.LearningRate(s, 0) - x.Initial) <= 1e-15 * x.Initial
                    && Schedules.LearningRate(s, x.Total) == x.Minimum
                    && Schedules.LearningRate(s, x.Total + x.After) == x.Minimum;
            });

    [Property(Replay = "(7102,11400714819323198485)", MaxTest = 100)]
    public Property Decaying_schedules_never_increase() =>
        Prop.ForAll(
            Arb.From(from kind in Gen.Choose(0, 2)
                     from initial in Gen.Choose(1, 1000)
                     from factorPermille in Gen.Choose(0, 1000)
                     from period in Gen.Choose(1, 50)
                     select kind switch
                     {
                         0 => Schedules.StepDecay(initial / 1000.0, factorPermille / 1000.0, period),
                         1 => Schedules.Exponential(initial / 1000.0, factorPermille / 1000.0),
                         _ => Schedules.Cosine(initial / 1000.0, period, initial / 1000.0 * factorPermille / 1000.0),
                     }),
            s => Enumerable.Range(0, 200).All(t => Schedules.LearningRate(s, t + 1) <= Schedules.LearningRate(s, t)));

    [Fact]
    public void Schedule_parameters_are_validated_and_name_the_parameter()
    {
        Assert.Equal("Every", Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.StepDecay(0.1, 0.5, 0)).ParamName);
        Assert.Equal("Factor", Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.StepDecay(0.1, double.NaN, 1)).ParamName);
        Assert.Equal("Initial", Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Exponential(-0.1, 0.9)).ParamName);
        Assert.Equal("Decay", Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Exponential(0.1, -0.9)).ParamName);
        Assert.Equal("Rate", Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Constant(double.PositiveInfinity)).ParamName);
        Assert.Equal("TotalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Cosine(0.1, 0, 0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Cosine(0.1, 10, 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.LearningRate(new Schedule.Cosine(0.1, 10, 0.05) with { Initial = 0.01 }, 0));
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.LearningRate(Schedules.Constant(0.1), -1)).ParamName);
    }
}

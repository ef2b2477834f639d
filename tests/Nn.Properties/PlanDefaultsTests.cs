using System.Collections.Immutable;

namespace Nn.Properties;

/// <summary>
/// The core's decisions behind issue 19: linear warm-up values, epoch schedules in steps, the test split and the
/// validation rule in <see cref="RunPlans.Decide"/>, constant columns in <see cref="RunPlans.KeptColumns"/>.
/// </summary>
public class PlanDefaultsTests
{
    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-15 * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Theory]
    [InlineData(0, 0.025)] // 0.1·1/4
    [InlineData(1, 0.05)]
    [InlineData(3, 0.1)]   // the last warm-up step reaches the rate
    [InlineData(4, 0.1)]   // after(0)
    [InlineData(13, 0.1)]  // after(9): the step decay halves after 10 steps
    [InlineData(14, 0.05)] // after(10)
    public void Warmup_rises_linearly_then_runs_the_schedule_from_its_start(long t, double expected) =>
        AssertClose(expected, Schedules.LearningRate(Schedules.Warmup(4, Schedules.StepDecay(0.1, 0.5, 10)), t));

    [Fact]
    public void Warmup_checks_its_arguments() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedules.Warmup(0, Schedules.Constant(0.1)));

    [Fact]
    public void Epoch_schedules_become_step_schedules()
    {
        static Schedule Steps(EpochSchedule s) => s.InSteps(0.01, 5, 20, static n => n);
        Assert.Equal(Schedules.Constant(0.01), Steps(new EpochSchedule()));
        Assert.Equal(Schedules.StepDecay(0.01, 0.5, 50), Steps(new EpochSchedule { Kind = ScheduleKind.Step }));
        Assert.Equal(Schedules.Exponential(0.01, Math.Pow(0.9, 0.2)), Steps(new EpochSchedule { Kind = ScheduleKind.Exponential, Factor = 0.9 }));
        Assert.Equal(Schedules.Warmup(10, Schedules.Cosine(0.01, 90, 0.001)),
            Steps(new EpochSchedule { Kind = ScheduleKind.Cosine, Minimum = 0.001, Warmup = 2 })); // (20 − 2 epochs)·5 steps
        Assert.Equal(Schedules.Cosine(0.01, 35, 0), Steps(new EpochSchedule { Kind = ScheduleKind.Cosine, Length = 7 }));
        // Per epoch, an exponential schedule multiplies by the factor.
        AssertClose(0.01 * 0.9 * 0.9, Schedules.LearningRate(Steps(new EpochSchedule { Kind = ScheduleKind.Exponential, Factor = 0.9 }), 10));
    }

    private static EncodedTarget Classes(int n, int classes) =>
        TargetEncoding.Encode([.. Enumerable.Range(0, n).Select(i => (i % classes).ToString(System.Globalization.CultureInfo.InvariantCulture))], TaskKind.Classification);

    private static EncodedTarget Values(int n) =>
        TargetEncoding.Encode([.. Enumerable.Range(0, n).Select(i => (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture))], TaskKind.Regression);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_test_split_is_disjoint_from_training_and_validation_and_leaves_plans_without_it_unchanged(bool classification)
    {
        var target = classification ? Classes(1000, 4) : Values(1000);
        var settings = FitSettings.Default with { Seed = 11 };
        var without = RunPlans.Decide(settings, 3, target);
        var with = RunPlans.Decide(settings with { TestFraction = 0.2 }, 3, target);
        Assert.Empty(without.TestRows);
        Assert.Equal(200, with.TestRows.Length);
        Assert.Equal(80, with.ValidationRows.Length); // 10% of the 800 left
        ImmutableArray<int> all = [.. with.TrainRows, .. with.ValidationRows, .. with.TestRows];
        Assert.Equal(Enumerable.Range(0, 1000), all.Order());
        // Without the flag: the split of before (fold 2 of the seed's key over all rows), every key as before.
        var key = Key.FromSeed(11);
        var split = classification ? Split.Stratified(Prng.Fold(key, 2), target.ClassIndices, 0.1) : Split.TrainTest(Prng.Fold(key, 2), 1000, 0.1);
        Assert.Equal(split.Test.Order(), without.ValidationRows);
        Assert.Equal((without.InitKey, without.TrainKey, without.Config), (with.InitKey, with.TrainKey, with.Config));
        if (classification)
            Assert.All(Enumerable.Range(0, 4), c => Assert.Equal(50, with.TestRows.Count(r => target.ClassIndices[r] == c))); // stratified
    }

    [Theory]
    [InlineData(299, 0)]   // 30 validation rows of 299 (⌈29.9⌉): kept
    [InlineData(290, 29)]  // 29: too few, no split (every row trains)
    [InlineData(60, 6)]
    public void A_validation_split_under_thirty_rows_is_not_made(int n, int tooFew)
    {
        var plan = RunPlans.Decide(FitSettings.Default, 2, Values(n));
        Assert.Equal(tooFew, plan.TooFewValidationRows);
        Assert.Equal(tooFew == 0 ? n - 30 : n, plan.TrainRows.Length);
        Assert.Equal(tooFew == 0, !plan.ValidationRows.IsEmpty);
    }

    [Fact]
    public void Linear_output_for_classification_is_refused_naming_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => RunPlans.Decide(FitSettings.Default with { Output = Activations.Linear }, 2, Classes(40, 2)));
        Assert.StartsWith("Output: linear needs a regression target", e.Message);
    }

    [Fact]
    public void A_schedule_replaces_the_constant_rate_in_the_optimizer()
    {
        var settings = FitSettings.Default with
        {
            Optimizer = Optimizers.Adam(0.01), BatchSize = 10, Epochs = 4, ValidationFraction = 0,
            Schedule = new EpochSchedule { Kind = ScheduleKind.Cosine, Warmup = 1 },
        };
        var plan = RunPlans.Decide(settings, 2, Values(95)); // ⌈95/10⌉ = 10 steps per epoch
        Assert.Equal(Optimizers.Adam(Schedules.Warmup(10, Schedules.Cosine(0.01, 30, 0))), plan.Config.Optimizer);
        var e = Assert.Throws<ArgumentException>(() => RunPlans.Decide(settings with { Optimizer = Optimizers.Adam(Schedules.Exponential(0.1, 0.9)) }, 2, Values(95)));
        Assert.StartsWith("Schedule: the optimizer needs exactly one constant learning rate to schedule", e.Message);
    }

    [Fact]
    public void Constant_columns_are_kept_unless_dropped()
    {
        Assert.Equal([0, 1, 2], RunPlans.KeptColumns(FitSettings.Default, 3, [1]).ToArray());
        Assert.Equal([0, 2], RunPlans.KeptColumns(FitSettings.Default with { DropConstant = true }, 3, [1]).ToArray());
        Assert.Equal([0, 1], RunPlans.KeptColumns(FitSettings.Default with { DropConstant = true }, 2, [0, 1]).ToArray()); // never none
    }
}

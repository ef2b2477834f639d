using System.Collections.Immutable;

namespace Nn.Properties;

/// <summary>
/// The core's side of several targets: a plan for a multi-output regression (one output and one standardisation per
/// target) or a multilabel target (one sigmoid per label, BCE, indicators as they are), and <see cref="LabelSets"/>.
/// </summary>
public class MultiTargetPlanTests
{
    private static readonly FitSettings Settings = FitSettings.Default with { Layers = [4], ValidationFraction = 0 };

    [Fact]
    public void A_regression_target_of_width_three_gets_three_linear_outputs_each_standardised_on_its_own()
    {
        var m = 6;
        // Columns in very different units: 1…6, 100…600, and a constant.
        var values = Enumerable.Range(0, m).SelectMany(r => new[] { r + 1.0, 100.0 * (r + 1), 7.0 }).ToImmutableArray();
        var target = new EncodedTarget(TaskKind.Regression, [], [], values) { Width = 3 };
        Assert.Equal(m, target.Rows);
        var plan = RunPlans.Decide(Settings, 2, target);
        Assert.Equal(3, plan.Outputs);
        Assert.IsType<Activation.Linear>(plan.Output);
        Assert.Equal(Losses.MeanSquaredError, plan.Loss);
        var x = Matrix.Init(m, 2, (r, c) => r * (c + 1));
        var prepared = RunPlans.Prepare(Settings, plan, x, target);
        Assert.Null(prepared.TargetScaling);
        Assert.Equal([3.5, 350.0, 7.0], prepared.TargetScalings.Select(s => s.Offset).ToArray());
        Assert.Equal(1.0, prepared.TargetScalings[2].Scale); // a constant target keeps scale 1
        var y = prepared.Train.Y;
        for (var c = 0; c < 3; c++)
        {
            var column = Enumerable.Range(0, m).Select(r => y[r, c]).ToArray();
            Assert.True(Math.Abs(column.Average()) < 1e-12, $"column {c} has mean {column.Average()}");
        }
        Assert.Equal(y[1, 0], y[1, 1], 12); // the same position in its own units gives the same standardised value
    }

    [Fact]
    public void One_regression_target_prepares_exactly_as_before()
    {
        var target = new EncodedTarget(TaskKind.Regression, [], [], [1.0, 4, 2, 8]);
        var plan = RunPlans.Decide(Settings, 1, target);
        var prepared = RunPlans.Prepare(Settings, plan, Matrix.Init(4, 1, (r, _) => r), target);
        Assert.Equal(1, plan.Outputs);
        Assert.NotNull(prepared.TargetScaling);
        Assert.Equal([prepared.TargetScaling!], prepared.TargetScalings.ToArray());
    }

    [Fact]
    public void A_multilabel_target_gets_one_sigmoid_per_label_with_bce_and_its_indicators_as_targets()
    {
        var target = LabelSets.Encode(["b;a", "", "c", "a ; c;a"], ";");
        Assert.Equal(["a", "b", "c"], target.Labels.ToArray());
        Assert.Equal([1.0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1], target.Values.ToArray());
        var plan = RunPlans.Decide(Settings with { Task = TaskKind.Multilabel }, 2, target);
        Assert.Equal(3, plan.Outputs);
        Assert.IsType<Activation.Sigmoid>(plan.Output);
        Assert.Equal(Losses.BinaryCrossEntropy, plan.Loss);
        Assert.Equal(["a", "b", "c"], plan.Labels.ToArray());
        var prepared = RunPlans.Prepare(Settings, plan, Matrix.Init(4, 2, (r, c) => r + c), target);
        Assert.Equal(Matrix.Create(4, 3, target.Values), prepared.Train.Y);
        Assert.Contains("sigmoid", Assert.Throws<ArgumentException>(() => RunPlans.Decide(Settings with { Output = Activations.Softmax }, 2, target)).Message, StringComparison.Ordinal);
        Assert.Contains("at least 2 labels", Assert.Throws<ArgumentException>(() => RunPlans.Decide(Settings, 2, LabelSets.Encode(["a", "", "a"], ";"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_sets_split_trim_order_and_refuse_what_they_cannot_read()
    {
        Assert.Equal(["x", "2"], LabelSets.Split(" x |2| |x", "|").ToArray());
        Assert.Equal(["2", "10", "b"], LabelSets.Encode(["10;b", "2"], ";").Labels.ToArray()); // numbers first, numerically
        Assert.Contains("Row 1: label 'z'", Assert.Throws<FormatException>(() => LabelSets.EncodeWith(["a", "a;z"], ";", ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Contains("Row 1 column 0", Assert.Throws<FormatException>(() => LabelSets.FromIndicators([0.0, 1, 2, 0], ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LabelSets.Split("a", ""));
        Assert.Equal(new EncodedTarget(TaskKind.Multilabel, ["a", "b"], [], [0.0, 1, 1, 1]) { Width = 2 }, LabelSets.FromIndicators([0.0, 1, 1, 1], ["a", "b"]));
    }

    [Fact]
    public void A_width_that_does_not_divide_the_values_is_refused() =>
        Assert.Throws<ArgumentException>(() => RunPlans.Decide(Settings, 2, new EncodedTarget(TaskKind.Regression, [], [], [1.0, 2, 3]) { Width = 2 }));
}

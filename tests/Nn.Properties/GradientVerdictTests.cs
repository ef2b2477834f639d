namespace Nn.Properties;

/// <summary>
/// The gradient check's three verdicts at points where several kinks meet: a claim outside the one-sided derivatives
/// fails however many kinks there are, what only a nearby point can settle is settled there or inconclusive, and a single
/// kink is still judged by its one-sided differences.
/// </summary>
public class GradientVerdictTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Matrix FiveRows = Matrix.FromRows([
        [0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 1.1], [0.9, -1.4, 0.4], [-1.2, 0.6, -0.3]]);

    /// <summary>3 → 4 ReLU → 4 ReLU → 2 softmax with every parameter 0: every hidden pre-activation is exactly 0.</summary>
    private static (Network Network, Matrix Y, Objective Objective) AllZeroRelu() =>
        (Parameters.ZerosLike(Init.Mlp(Key.FromSeed(0), [3, 4, 4, 2], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal)),
         Labels.OneHot([0, 1, 1, 0, 1], 2), Objective.Of(Losses.CategoricalCrossEntropy));

    /// <summary>3 → 4 leaky ReLU(0.1) → 1 linear (MSE) with W¹ = 0, b¹ = 0: Z¹ = 0 on every row; ∂J/∂b¹₀ is −0.228 on the right, −0.0228 on the left.</summary>
    private static (Network Network, Matrix Y, Objective Objective) ZeroFirstLayerLeaky() =>
        (new Network([
            new Dense(Matrix.Zeros(3, 4), Vector.Zeros(4), Activations.LeakyRelu(0.1)),
            new Dense(Matrix.FromRows([[1.0], [-1.0], [2.0], [0.25]]), Vector.Of(0.0), Activations.Linear)]),
         Matrix.FromRows([[0.1], [0.2], [0.3], [0.228], [0.312]]), Objective.Of(Losses.MeanSquaredError));

    private static Network WithEntry(Network g, int layer, bool bias, int row, int col, Func<double, double> f) =>
        new(g.Layers.Select((l, i) => i != layer ? l
            : bias ? l.WithParameters(l.Weights, Vector.Create(l.Bias.ToArray().Select((v, c) => c == col ? f(v) : v).ToArray()))
            : l.WithParameters(Matrix.Init(l.Inputs, l.Outputs, (r, c) => r == row && c == col ? f(l.Weights[r, c]) : l.Weights[r, c]), l.Bias)));

    [Fact]
    public void All_zero_relu_net_a_claim_off_by_one_where_the_loss_is_flat_fails()
    {
        var (net, y, objective) = AllZeroRelu();
        var g = Backprop.Gradient(net, FiveRows, y, objective).Gradients;
        var wrong = WithEntry(g, 1, bias: true, 0, 0, v => v + 1);
        var report = GradientCheck.RunAgainst(net, FiveRows, y, objective, wrong, GradientCheckOptions.Default);
        output.WriteLine(report.ToString());
        var b2 = report.Tensors.Single(t => t.Name == "b2");
        output.WriteLine($"b2: worst ({b2.WorstRow},{b2.WorstCol}) numeric {b2.WorstNumeric:R} analytic {b2.WorstAnalytic:R} ratio {b2.WorstToleranceRatio:G3}");
        Assert.Equal(GradientVerdict.Failed, report.Verdict);
        Assert.False(report.Passed);
        Assert.Equal((1, 0, 0), (b2.Failures, b2.WorstRow, b2.WorstCol));
        Assert.Equal(1, report.Tensors.Sum(t => t.Failures));
    }

    [Fact]
    public void All_zero_relu_net_back_propagation_passes_where_every_kink_is_flat()
    {
        // W³ = 0 makes J flat along every kinked coordinate: both one-sided derivatives are 0, and so is the claim.
        var (net, y, objective) = AllZeroRelu();
        var run = GradientCheck.Run(net, FiveRows, y, objective, GradientCheckOptions.Default);
        output.WriteLine(run.ToString());
        Assert.Equal(GradientVerdict.Passed, run.Verdict);
        Assert.Empty(run.Inconclusive);
    }

    [Fact]
    public void Zero_first_layer_leaky_relu_back_propagation_passes_at_nearby_points_and_as_a_fixed_claim_is_inconclusive()
    {
        var (net, y, objective) = ZeroFirstLayerLeaky();
        var coordinates = GradientCheckOptions.Default with { RandomDirections = 0 };
        var run = GradientCheck.Run(net, FiveRows, y, objective, coordinates);
        output.WriteLine(run.ToString());
        Assert.Equal(GradientVerdict.Passed, run.Verdict);
        Assert.Equal(16, run.Tensors.Sum(t => t.Moved));
        Assert.Empty(run.Inconclusive);
        Assert.Equal(run, GradientCheck.Run(net, FiveRows, y, objective, coordinates));

        // The same gradient as a fixed claim: what needed a nearby point cannot be judged, and nothing fails.
        var g = Backprop.Gradient(net, FiveRows, y, objective).Gradients;
        var fixedClaim = GradientCheck.RunAgainst(net, FiveRows, y, objective, g, coordinates);
        output.WriteLine(fixedClaim.ToString());
        output.WriteLine(string.Join(", ", fixedClaim.Inconclusive));
        Assert.Equal(GradientVerdict.Inconclusive, fixedClaim.Verdict);
        Assert.False(fixedClaim.Passed);
        Assert.Equal(0, fixedClaim.Tensors.Sum(t => t.Failures));
        Assert.Equal(16, fixedClaim.Inconclusive.Length);
        Assert.Equal(new GradientEntry("W1", 0, 0), fixedClaim.Inconclusive[0]);
        Assert.Equal(new GradientEntry("b1", 0, 3), fixedClaim.Inconclusive[^1]);

        // As a function, the claim is recomputed at the nearby points and judged there, as Run does.
        var function = GradientCheck.RunAgainstFunction(net, FiveRows, y, objective, n => Backprop.Gradient(n, FiveRows, y, objective).Gradients,
            coordinates);
        Assert.Equal(run, function);
    }

    [Fact]
    public void Zero_first_layer_leaky_relu_a_claim_outside_the_one_sided_derivatives_fails()
    {
        var (net, y, objective) = ZeroFirstLayerLeaky();
        var g = Backprop.Gradient(net, FiveRows, y, objective).Gradients;
        var wrong = WithEntry(g, 0, bias: true, 0, 0, _ => 4.977);
        var report = GradientCheck.RunAgainst(net, FiveRows, y, objective, wrong, GradientCheckOptions.Default);
        output.WriteLine(report.ToString());
        var b1 = report.Tensors.Single(t => t.Name == "b1");
        output.WriteLine($"b1: worst ({b1.WorstRow},{b1.WorstCol}) numeric (mean of one-sided) {b1.WorstNumeric:R} analytic {b1.WorstAnalytic:R} ratio {b1.WorstToleranceRatio:G3}");
        Assert.Equal(GradientVerdict.Failed, report.Verdict);
        Assert.Equal((1, 0, 0), (b1.Failures, b1.WorstRow, b1.WorstCol));
        // The one-sided derivatives are −0.228 and −0.0228: their mean is −0.1254.
        Assert.Equal(-0.1254, b1.WorstNumeric, 1e-8);

        // Back-propagation's own value (leaky ReLU′(0) = 0.1, the left derivative) lies inside, but with five kinks and a
        // wide interval it is judged at a nearby point, where it passes.
        var run = GradientCheck.Run(net, FiveRows, y, objective, GradientCheckOptions.Default with { RandomDirections = 0 });
        output.WriteLine(run.ToString());
        Assert.Equal(GradientVerdict.Passed, run.Verdict);
        Assert.Equal(4, run.Tensors.Single(t => t.Name == "b1").Moved);
    }

    [Fact]
    public void A_single_kink_inside_its_one_sided_interval_passes_at_the_point()
    {
        // 1 → 1 ReLU → 1 linear with x = 0 and b¹ = 0: one pre-activation exactly at 0; one-sided derivatives in b¹ are 0 and −2.
        var net = new Network([
            new Dense(Matrix.FromRows([[1.0]]), Vector.Of(0.0), Activations.Relu),
            new Dense(Matrix.FromRows([[2.0]]), Vector.Of(0.0), Activations.Linear)]);
        var (x, y) = (Matrix.FromRows([[0.0]]), Matrix.FromRows([[1.0]]));
        var objective = Objective.Of(Losses.MeanSquaredError);
        var g = Backprop.Gradient(net, x, y, objective).Gradients;
        var inside = WithEntry(g, 0, bias: true, 0, 0, _ => -1.0);
        var report = GradientCheck.RunAgainst(net, x, y, objective, inside, GradientCheckOptions.Default);
        output.WriteLine(report.ToString());
        var b1 = report.Tensors.Single(t => t.Name == "b1");
        output.WriteLine($"b1: numeric (mean of one-sided) {b1.WorstNumeric:R} analytic {b1.WorstAnalytic:R}");
        Assert.Equal(GradientVerdict.Passed, report.Verdict);
        Assert.Equal((1, 0, 0), (b1.Kinks, b1.Moved, b1.Inconclusive));
    }

    [Fact]
    public void Leaky_relu_behind_a_negative_weight_at_a_double_kink_back_propagation_fails()
    {
        // leaky(w·leaky(t)) with w < 0 is the straight line α·w·t through a double kink at t = 0, but back-propagation's
        // convention leaky′(0) = α gives α²·w: outside the one-sided derivatives (both α·w), so it fails.
        var net = new Network([
            new Dense(Matrix.Zeros(3, 2), Vector.Zeros(2), Activations.LeakyRelu(0.1)),
            new Dense(Matrix.FromRows([[-1.0, -0.5], [-2.0, -1.0]]), Vector.Zeros(2), Activations.LeakyRelu(0.1)),
            new Dense(Matrix.FromRows([[1.0], [0.5]]), Vector.Of(0.0), Activations.Linear)]);
        var y = Matrix.FromRows([[1.0], [2.0], [0.5], [-1.0], [1.5]]);
        var report = GradientCheck.Run(net, FiveRows, y, Objective.Of(Losses.MeanSquaredError), GradientCheckOptions.Default);
        output.WriteLine(report.ToString());
        var b1 = report.Tensors.Single(t => t.Name == "b1");
        output.WriteLine($"b1: numeric {b1.WorstNumeric:R} analytic {b1.WorstAnalytic:R}");
        Assert.Equal(GradientVerdict.Failed, report.Verdict);
        Assert.True(b1.Failures > 0);
        Assert.Equal(b1.WorstNumeric * 0.1, b1.WorstAnalytic, 1e-9);
    }

    [Fact]
    public void Another_key_moves_to_other_nearby_points_with_the_same_verdict()
    {
        var (net, y, objective) = ZeroFirstLayerLeaky();
        var coordinates = GradientCheckOptions.Default with { RandomDirections = 0 };
        var a = GradientCheck.Run(net, FiveRows, y, objective, coordinates);
        var b = GradientCheck.Run(net, FiveRows, y, objective, coordinates.WithKey(Key.FromSeed(9)));
        Assert.Equal(GradientVerdict.Passed, b.Verdict);
        Assert.NotEqual(a.Tensors, b.Tensors);
    }

    [Fact]
    public void A_direction_through_several_kinks_crossed_in_opposite_senses_moves_to_a_nearby_point()
    {
        // Along a random direction all 20 pre-activations of Z¹ pass through 0 at θ, some upwards and some downwards.
        // Back-propagation's ∇J·d takes leaky′(0) = 0.1 for each, the loss's one-sided slopes take 1 on one side of each, so
        // ∇J·d can lie outside both (direction 1 here) without refuting the gradient: the direction moves to a nearby point.
        var (net, y, objective) = ZeroFirstLayerLeaky();
        var report = GradientCheck.Run(net, FiveRows, y, objective, GradientCheckOptions.Default);
        output.WriteLine(report.ToString());
        foreach (var d in report.Directions) output.WriteLine($"direction {d.Index}: numeric {d.Numeric:R} analytic {d.Analytic:R} moved {d.Moved} {d.Verdict}");
        Assert.Equal(GradientVerdict.Passed, report.Verdict);
        Assert.Contains(report.Directions, d => d is { Kink: true, Moved: true });

        var fixedClaim = GradientCheck.RunAgainst(net, FiveRows, y, objective, Backprop.Gradient(net, FiveRows, y, objective).Gradients,
            GradientCheckOptions.Default.DirectionsOnly(4));
        Assert.Equal(GradientVerdict.Inconclusive, fixedClaim.Verdict);
        Assert.Empty(fixedClaim.Inconclusive);
        Assert.Contains(fixedClaim.Directions, d => d.Verdict == GradientVerdict.Inconclusive);
    }
}

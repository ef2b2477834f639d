namespace Nn.Examples;

/// <summary>
/// Example 1, the hand-worked back-propagation example: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output,
/// binary cross-entropy, one training example.
/// </summary>
/// <remarks>
/// <para>
/// The source writes one example per column, <c>Z = W·X + b</c>, with one row of W per unit:
/// <code>
///   X = [0.5, 0.2]ᵀ,  Y = 1
///   W¹ = [[0.1, 0.4],     b¹ = [0.3, 0.9]ᵀ      (unit 1 has weights 0.1, 0.4; unit 2 has 0.8, 0.6)
///         [0.8, 0.6]]
///   W² = [0.3, 0.7],      b² = 0.5
/// </code>
/// Nn keeps one example per row, <c>Z = X·W + b</c>, so <see cref="Dense.Weights"/> (inputs × outputs) is the
/// transpose of the source's W: our layer-1 weights are [[0.1, 0.8], [0.4, 0.6]] and our layer-2 weights are the
/// column [0.3, 0.7]ᵀ. Likewise the source's ∂J/∂W¹ (row = unit) is the transpose of our gradient's weights.
/// </para>
/// <para>
/// The tests check the library twice: against the exact values, derived below with plain scalar arithmetic
/// (tolerance 1e-12), and against the figures printed in the source, to their printed precision. The source rounded
/// its intermediate values by hand and carried the rounded numbers forward, so some printed figures are off by more
/// than their last digit; those are called out one by one.
/// </para>
/// </remarks>
public class HandWorkedExampleTests
{
    private const double Exact = 1e-12;

    // ---- the example ----------------------------------------------------------------------------------------------

    private static readonly Matrix X = Matrix.FromRows([[0.5, 0.2]]);
    private static readonly Matrix Y = Matrix.FromRows([[1.0]]);

    /// <summary>The source's network, with its weight matrices transposed into Nn's (inputs × outputs) layout.</summary>
    private static Network SourceNetwork() => new(
    [
        new Dense(Matrix.FromRows([[0.1, 0.8], [0.4, 0.6]]), Vector.Of(0.3, 0.9), Activations.Sigmoid),
        new Dense(Matrix.FromRows([[0.3], [0.7]]), Vector.Of(0.5), Activations.Sigmoid),
    ]);

    private static Trace RunForward() => Forward.Run(SourceNetwork(), X);

    private static LossAndGradients RunBackward() =>
        Backprop.Gradient(SourceNetwork(), X, Y, Objective.Of(Losses.BinaryCrossEntropy));

    // ---- the exact values, by hand --------------------------------------------------------------------------------

    /// <summary>Every value of the example, written out with scalar arithmetic in the source's notation.</summary>
    private sealed class ByHand
    {
        public readonly double Z1_1, Z1_2, A1_1, A1_2, Z2, YHat, J;
        public readonly double dZ2, dW2_1, dW2_2, db2;
        public readonly double dA1_1, dA1_2, dZ1_1, dZ1_2;
        public readonly double dW1_11, dW1_12, dW1_21, dW1_22, db1_1, db1_2;

        public ByHand()
        {
            const double x1 = 0.5, x2 = 0.2, y = 1.0;

            // Forward: Z¹ = W¹·X + b¹, A¹ = σ(Z¹), Z² = W²·A¹ + b², Ŷ = σ(Z²).
            Z1_1 = 0.1 * x1 + 0.4 * x2 + 0.3;                    // 0.43
            Z1_2 = 0.8 * x1 + 0.6 * x2 + 0.9;                    // 1.42
            A1_1 = 1.0 / (1.0 + Math.Exp(-Z1_1));                // 0.605874
            A1_2 = 1.0 / (1.0 + Math.Exp(-Z1_2));                // 0.805338
            Z2 = 0.3 * A1_1 + 0.7 * A1_2 + 0.5;                  // 1.245499
            YHat = 1.0 / (1.0 + Math.Exp(-Z2));                  // 0.776520

            // Loss: J = −[Y log Ŷ + (1 − Y) log(1 − Ŷ)] (one example, so no averaging).
            J = -(y * Math.Log(YHat) + (1 - y) * Math.Log(1 - YHat)); // 0.252933

            // Output layer: for sigmoid + BCE, ∂J/∂Z² = Ŷ − Y; ∂J/∂W² = ∂J/∂Z²·A¹ᵀ; ∂J/∂b² = ∂J/∂Z².
            dZ2 = YHat - y;                                      // −0.223480
            dW2_1 = dZ2 * A1_1;                                  // −0.135401
            dW2_2 = dZ2 * A1_2;                                  // −0.179977
            db2 = dZ2;

            // Hidden layer: ∂J/∂A¹ = W²ᵀ·∂J/∂Z²; ∂J/∂Z¹ = ∂J/∂A¹ ⊙ A¹(1 − A¹); ∂J/∂W¹ = ∂J/∂Z¹·Xᵀ; ∂J/∂b¹ = ∂J/∂Z¹.
            dA1_1 = 0.3 * dZ2;
            dA1_2 = 0.7 * dZ2;
            dZ1_1 = dA1_1 * A1_1 * (1 - A1_1);                   // −0.0160095
            dZ1_2 = dA1_2 * A1_2 * (1 - A1_2);                   // −0.0245243
            dW1_11 = dZ1_1 * x1;                                 // −0.00800475  (unit 1, input 1)
            dW1_12 = dZ1_1 * x2;                                 // −0.00320190  (unit 1, input 2)
            dW1_21 = dZ1_2 * x1;                                 // −0.0122621   (unit 2, input 1)
            dW1_22 = dZ1_2 * x2;                                 // −0.00490485  (unit 2, input 2)
            db1_1 = dZ1_1;
            db1_2 = dZ1_2;
        }
    }

    private static readonly ByHand E = new();

    [Fact]
    public void Forward_pass_gives_the_exact_values()
    {
        var t = RunForward();
        Assert.Equal(E.Z1_1, t.Layers[0].Z[0, 0], Exact);
        Assert.Equal(E.Z1_2, t.Layers[0].Z[0, 1], Exact);
        Assert.Equal(E.A1_1, t.Layers[0].Activated[0, 0], Exact);
        Assert.Equal(E.A1_2, t.Layers[0].Activated[0, 1], Exact);
        Assert.Equal(E.Z2, t.Layers[1].Z[0, 0], Exact);
        Assert.Equal(E.YHat, t.Output[0, 0], Exact);
        Assert.Equal(E.J, Losses.Evaluate(SourceNetwork(), X, Y, Objective.Of(Losses.BinaryCrossEntropy)), Exact);
    }

    [Fact]
    public void Backward_pass_gives_the_exact_gradients()
    {
        var r = RunBackward();
        var hidden = r.Gradients.Layers[0];
        var output = r.Gradients.Layers[1];

        Assert.Equal(E.J, r.Loss, Exact);
        Assert.Equal(E.dZ2, Losses.OutputGradient(Losses.BinaryCrossEntropy, Activations.Sigmoid, r.Trace.Logits, r.Trace.Output, Y)[0, 0], Exact);

        // Output layer. Our weights are (inputs × outputs), so ∂J/∂W²ⱼ sits at row j, column 0.
        Assert.Equal(E.dW2_1, output.Weights[0, 0], Exact);
        Assert.Equal(E.dW2_2, output.Weights[1, 0], Exact);
        Assert.Equal(E.db2, output.Bias[0], Exact);

        // Hidden layer. The source's ∂J/∂W¹ has row = unit; ours has row = input: source (unit u, input i) is our [i, u].
        Assert.Equal(E.dW1_11, hidden.Weights[0, 0], Exact);
        Assert.Equal(E.dW1_12, hidden.Weights[1, 0], Exact);
        Assert.Equal(E.dW1_21, hidden.Weights[0, 1], Exact);
        Assert.Equal(E.dW1_22, hidden.Weights[1, 1], Exact);
        // With one example, ∂J/∂b¹ is ∂J/∂Z¹ itself.
        Assert.Equal(E.db1_1, hidden.Bias[0], Exact);
        Assert.Equal(E.db1_2, hidden.Bias[1], Exact);
        Assert.Equal(E.dZ1_1, hidden.Bias[0], Exact);
        Assert.Equal(E.dZ1_2, hidden.Bias[1], Exact);
    }

    // ---- the source's printed figures -----------------------------------------------------------------------------

    /// <summary>Half a unit in the last printed digit: a correctly rounded figure is within this of the exact value.</summary>
    private static double HalfUnit(int decimals) => 0.5 * Math.Pow(10, -decimals);

    /// <summary>Asserts that <paramref name="actual"/> rounds to the printed figure: |figure − actual| ≤ tolerance.</summary>
    private static void Printed(double figure, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(figure - actual) <= tolerance,
            $"{what}: source prints {figure}, library gives {actual:G8} (|diff| {Math.Abs(figure - actual):G3} > {tolerance:G3})");

    [Fact]
    public void Forward_pass_matches_the_source_figures_to_their_printed_precision()
    {
        var t = RunForward();
        Printed(0.43, t.Layers[0].Z[0, 0], HalfUnit(2), "Z¹₁");
        Printed(1.42, t.Layers[0].Z[0, 1], HalfUnit(2), "Z¹₂");
        Printed(0.606, t.Layers[0].Activated[0, 0], HalfUnit(3), "A¹₁");
        Printed(0.805, t.Layers[0].Activated[0, 1], HalfUnit(3), "A¹₂");
        Printed(0.253, Losses.Evaluate(SourceNetwork(), X, Y, Objective.Of(Losses.BinaryCrossEntropy)), HalfUnit(3), "J");

        // Off by hand arithmetic: the source prints Z² ≈ 1.244, but the exact value is 1.245499 (0.0015 away, three
        // half-units). Even its own rounded A¹ gives 0.3·0.606 + 0.7·0.805 + 0.5 = 1.2453, so this is a slip in the
        // hand calculation, not just rounding. Checked within 0.002.
        Printed(1.244, t.Layers[1].Z[0, 0], 0.002, "Z²");

        // Off by hand-rounding: the source prints Ŷ ≈ 0.776 (σ of its 1.244); the exact value 0.776520 rounds to 0.777.
        // 0.00052 away, just over half a unit. Checked within one unit of the last digit.
        Printed(0.776, t.Output[0, 0], 1e-3, "Ŷ");
    }

    [Fact]
    public void Gradients_match_the_source_figures_to_their_printed_precision()
    {
        var r = RunBackward();
        var hidden = r.Gradients.Layers[0];
        var output = r.Gradients.Layers[1];

        // Correctly rounded in the source:
        Printed(-0.180, output.Weights[1, 0], HalfUnit(3), "∂J/∂W²₂");
        Printed(-0.0080, hidden.Weights[0, 0], HalfUnit(4), "∂J/∂W¹₁₁");
        Printed(-0.0032, hidden.Weights[1, 0], HalfUnit(4), "∂J/∂W¹₁₂");
        Printed(-0.0123, hidden.Weights[0, 1], HalfUnit(4), "∂J/∂W¹₂₁");
        Printed(-0.0049, hidden.Weights[1, 1], HalfUnit(4), "∂J/∂W¹₂₂");

        // Off by hand-rounding, each checked within one unit of the last printed digit:
        // ∂J/∂Z² = ∂J/∂b² = Ŷ − Y: the source prints −0.224 from its Ŷ ≈ 0.776; exact −0.223480 (0.00052 away).
        Printed(-0.224, output.Bias[0], 1e-3, "∂J/∂b² (= ∂J/∂Z²)");
        // ∂J/∂W²₁ = ∂J/∂Z²·A¹₁: the source prints −0.136 (= −0.224 × 0.606); exact −0.135401 (0.0006 away).
        Printed(-0.136, output.Weights[0, 0], 1e-3, "∂J/∂W²₁");
        // ∂J/∂Z¹ = ∂J/∂b¹ = (W²ᵀ·∂J/∂Z²) ⊙ A¹(1 − A¹): the source prints −0.0161 and −0.0246, computed from its rounded
        // −0.224, 0.606 and 0.805; exact −0.0160095 (0.00009 away) and −0.0245243 (0.00008 away).
        Printed(-0.0161, hidden.Bias[0], 1e-4, "∂J/∂b¹₁ (= ∂J/∂Z¹₁)");
        Printed(-0.0246, hidden.Bias[1], 1e-4, "∂J/∂b¹₂ (= ∂J/∂Z¹₂)");
    }
}

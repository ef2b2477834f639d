using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// Prints the forward and backward pass of one example step by step, every value labelled as in a textbook
/// (Z¹, A¹, …, ∂J/∂W¹). Values are shown one example per row: the column-per-example notation's vectors are the
/// transposes, and its W is our Wᵀ.
/// </summary>
public static class Explain
{
    /// <summary>
    /// The hand-worked example: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output, BCE; X = [0.5, 0.2], Y = 1,
    /// W¹ = [[0.1, 0.4], [0.8, 0.6]] (textbook rows = units), b¹ = [0.3, 0.9], W² = [0.3, 0.7], b² = 0.5.
    /// </summary>
    public static (Network Network, Matrix X, Matrix Y, Objective Objective) HandWorkedExample() =>
    (
        new Network([
            new Dense(Matrix.FromRows([[0.1, 0.8], [0.4, 0.6]]), Vector.Of(0.3, 0.9), Activations.Sigmoid),
            new Dense(Matrix.FromRows([[0.3], [0.7]]), Vector.Of(0.5), Activations.Sigmoid)]),
        Matrix.FromRows([[0.5, 0.2]]),
        Matrix.FromRows([[1.0]]),
        Objective.Of(Losses.BinaryCrossEntropy)
    );

    /// <summary>The step-by-step text for one example X (1 × inputs) with target Y (1 × outputs).</summary>
    public static string Text(Network network, Matrix x, Matrix y, Objective objective)
    {
        var g = Backprop.Gradient(network, x, y, objective);
        var t = g.Trace;
        var sb = new StringBuilder();
        var n = network.Layers.Length;
        sb.AppendLine($"{network}, loss {objective.Loss.Name}" + (objective.L2 > 0 ? $", L2 {F(objective.L2)}" : ""));
        sb.AppendLine("One example per row: Z = X·W + b (in column-per-example notation Z = Wᵀ·X + b with vectors as columns).");
        sb.AppendLine();
        sb.AppendLine("Forward pass");
        sb.AppendLine($"  X = A⁰ = {M(x)}");
        for (var l = 0; l < n; l++)
        {
            var layer = network.Layers[l];
            var s = Sup(l + 1);
            sb.AppendLine($"  W{s} = {M(layer.Weights)}    b{s} = {V(layer.Bias)}    (textbook W{s}, row j = unit j: {M(layer.Weights.Transpose())})");
            sb.AppendLine($"  Z{s} = A{Sup(l)}·W{s} + b{s} = {M(t.Layers[l].Z)}");
            sb.AppendLine($"  A{s} = {layer.Activation}(Z{s}) = {M(t.Layers[l].Activated)}");
        }
        sb.AppendLine($"  Ŷ = A{Sup(n)} = {M(t.Output)}    Y = {M(y)}");
        sb.AppendLine($"  J = {LossFormula(objective.Loss)} = {F(g.Loss)}");
        sb.AppendLine();
        sb.AppendLine("Backward pass");
        for (var l = n - 1; l >= 0; l--)
        {
            var s = Sup(l + 1);
            var why = l == n - 1
                ? objective.Loss is Loss.MeanSquaredError && network.OutputActivation is not Activation.Linear ? $"(Ŷ − Y)/m ⊙ f′(Z{s})" : "(Ŷ − Y)/m"
                : $"∂J/∂A{s} ⊙ {network.Layers[l].Activation}′(Z{s})";
            if (l < n - 1)
                sb.AppendLine($"  ∂J/∂A{s} = ∂J/∂Z{Sup(l + 2)}·(W{Sup(l + 2)})ᵀ = {M(Matrix.MultiplyTransposeB(g.Deltas[l + 1], network.Layers[l + 1].Weights))}");
            sb.AppendLine($"  ∂J/∂Z{s} = {why} = {M(g.Deltas[l])}");
            sb.AppendLine($"  ∂J/∂W{s} = (A{Sup(l)})ᵀ·∂J/∂Z{s}{(objective.L2 > 0 ? $" + λW{s}" : "")} = {M(g.Gradients.Layers[l].Weights)}");
            sb.AppendLine($"  ∂J/∂b{s} = Σ_rows ∂J/∂Z{s} = {V(g.Gradients.Layers[l].Bias)}");
        }
        return sb.ToString();
    }

    private static string LossFormula(Loss loss) => loss switch
    {
        Loss.BinaryCrossEntropy => "−[Y·log Ŷ + (1 − Y)·log(1 − Ŷ)]",
        Loss.CategoricalCrossEntropy => "−Σₖ Yₖ·log Ŷₖ",
        Loss.MeanSquaredError => "½·Σₖ (Ŷₖ − Yₖ)²",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
    };

    private static string Sup(int k) => string.Concat(k.ToString(CultureInfo.InvariantCulture).Select(c => "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']));

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static string V(Vector v) => "[" + string.Join(", ", v.Values.Select(F)) + "]";

    private static string M(Matrix m) => m.Rows == 1 ? V(m.Row(0)) : "[" + string.Join(", ", Enumerable.Range(0, m.Rows).Select(r => V(m.Row(r)))) + "]";
}

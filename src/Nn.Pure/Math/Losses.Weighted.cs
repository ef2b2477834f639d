using Nn.Kernels;

namespace Nn;

/// <summary>
/// The losses with a weight per row: the weighted mean <c>J = Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ</c> (ℓᵢ the row's loss, as the unweighted
/// mean <c>Σᵢ ℓᵢ / m</c> counts it), and its gradient <c>∂J/∂Zᵢ = wᵢ·∂ℓᵢ/∂Zᵢ / Σ w</c>. Dividing by the weights' sum
/// (not by m) makes J invariant to scaling the weights, and all-ones weights give the unweighted bits exactly
/// (1·x = x and Σ 1 = m), so an unweighted run and a run with unit weights are the same run. Rows whose weights are all
/// 0 have J = 0 and a zero gradient.
/// </summary>
public static partial class Losses
{
    /// <summary>
    /// The weighted data loss <c>Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ</c> for output logits Z and activations Ŷ (both m × n) against targets Y
    /// (m × n), with one weight per row (length m, finite, ≥ 0); 0 when the weights sum to 0.
    /// </summary>
    /// <exception cref="ArgumentException">When shapes differ, a weight is negative or not finite, or the pairing is unsupported.</exception>
    public static double WeightedValue(Loss loss, Activation output, Matrix z, Matrix yHat, Matrix y, Vector weights)
    {
        CheckPairing(loss, output);
        Matrix.CheckSameShape(z, y, "compare outputs and targets of");
        RowWeights.Check(weights, z.Rows, nameof(weights));
        return DataLoss(loss, z.AsSpan(), yHat.AsSpan(), y.AsSpan(), weights.AsSpan(), z.Rows, z.Cols,
            loss is Loss.CategoricalCrossEntropy ? new double[z.Rows] : []);
    }

    /// <summary>
    /// The gradient <c>∂J/∂Z</c> (m × n) of the weighted data loss: each row of the unweighted gradient's numerator times
    /// its weight, over the weights' sum (<c>wᵢ·(Ŷᵢ − Yᵢ)/Σ w</c> for the fused pairings); zero when the weights sum to 0.
    /// </summary>
    /// <exception cref="ArgumentException">When shapes differ, a weight is negative or not finite, or the pairing is unsupported.</exception>
    public static Matrix WeightedOutputGradient(Loss loss, Activation output, Matrix z, Matrix yHat, Matrix y, Vector weights) =>
        WeightedOutputGradient(loss, output, z, yHat, y, weights, null);

    internal static Matrix WeightedOutputGradient(Loss loss, Activation output, Matrix z, Matrix yHat, Matrix y, Vector weights, Workspace? ws)
    {
        CheckPairing(loss, output);
        Matrix.CheckSameShape(z, y, "compare outputs and targets of");
        RowWeights.Check(weights, z.Rows, nameof(weights));
        var g = Workspace.Alloc(ws, z.Data.Length);
        var dz = ThroughActivation(loss, output) ? Workspace.Alloc(ws, z.Data.Length) : g;
        OutputGradient(loss, output, z.AsSpan(), yHat.AsSpan(), y.AsSpan(), weights.AsSpan(), z.Rows, z.Cols, g, dz);
        return Matrix.Own(z.Rows, z.Cols, dz);
    }

    /// <summary>
    /// The weighted objective (weighted data loss + L2 penalty, no dropout) of the network on <paramref name="data"/>:
    /// unweighted (<see cref="Evaluate"/>) when it has no weights. The value <see cref="Backprop.WeightedGradient"/>
    /// reports and differentiates.
    /// </summary>
    public static double EvaluateWeighted(Network network, TrainingData data, Objective objective)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Weights is not { } w) return Evaluate(network, data.X, data.Y, objective);
        var t = Forward.Run(network, data.X);
        return WeightedValue(objective.Loss, network.OutputActivation, t.Logits, t.Output, data.Y, w) + L2Penalty(network, objective.L2);
    }
}

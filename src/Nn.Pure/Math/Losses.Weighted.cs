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
        return WeightedDataLoss(loss, z.AsSpan(), yHat.AsSpan(), y.AsSpan(), weights.AsSpan(), z.Rows, z.Cols,
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
        WeightedOutputGradient(loss, output, z.AsSpan(), yHat.AsSpan(), y.AsSpan(), weights.AsSpan(), z.Rows, z.Cols, g, dz);
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

    /// <summary>
    /// <see cref="DataLoss"/> with row weights <paramref name="w"/> (at least rows values): the same terms in the same
    /// order, each row's multiplied by its weight, over Σ w instead of m (so unit weights give DataLoss's bits).
    /// </summary>
    internal static double WeightedDataLoss(Loss loss, ReadOnlySpan<double> z, ReadOnlySpan<double> yHat, ReadOnlySpan<double> y,
        ReadOnlySpan<double> w, int rows, int cols, Span<double> rowScratch)
    {
        var total = RowWeights.Sum(w[..rows]);
        if (rows == 0 || total == 0) return 0.0;
        var sum = 0.0;
        switch (loss)
        {
            case Loss.MeanSquaredError:
                for (var r = 0; r < rows; r++)
                    for (var k = r * cols; k < (r + 1) * cols; k++)
                    {
                        var d = yHat[k] - y[k];
                        sum += w[r] * (d * d);
                    }
                return sum / (2.0 * total);
            case Loss.BinaryCrossEntropy:
                for (var r = 0; r < rows; r++)
                    for (var k = r * cols; k < (r + 1) * cols; k++) sum += w[r] * Elementwise.BinaryCrossEntropy(z[k], y[k]);
                return sum / total;
            case Loss.CategoricalCrossEntropy:
                var rowLogSumExp = rowScratch[..rows];
                Elementwise.LogSumExpRows(z, rowLogSumExp, rows, cols);
                for (var r = 0; r < rows; r++)
                {
                    var zr = z.Slice(r * cols, cols);
                    var yr = y.Slice(r * cols, cols);
                    sum += w[r] * (Blas.Sum(yr) * rowLogSumExp[r] - Blas.Dot(yr, zr));
                }
                return sum / total;
            case Loss.Custom c:
                for (var r = 0; r < rows; r++)
                    for (var k = r * cols; k < (r + 1) * cols; k++) sum += w[r] * c.Value(yHat[k], y[k]);
                return sum / total;
            case Loss.CustomRows c:
                for (var r = 0; r < rows; r++) sum += w[r] * c.Value(yHat.Slice(r * cols, cols).ToArray(), y.Slice(r * cols, cols).ToArray());
                return sum / total;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
    }

    /// <summary>
    /// <see cref="OutputGradient(Loss, Activation, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, Span{double}, Span{double})"/>
    /// with row weights: each entry <c>(wᵣ·numerator)/Σ w</c> where the unweighted one is <c>numerator/m</c>.
    /// </summary>
    internal static void WeightedOutputGradient(Loss loss, Activation output, ReadOnlySpan<double> z, ReadOnlySpan<double> yHat, ReadOnlySpan<double> y,
        ReadOnlySpan<double> w, int rows, int cols, Span<double> g, Span<double> dz)
    {
        var n = rows * cols;
        var total = RowWeights.Sum(w[..rows]);
        if (total == 0)
        {
            // No weight anywhere: J is the constant 0.
            g[..n].Clear();
            dz[..n].Clear();
            return;
        }
        switch (loss)
        {
            case Loss.MeanSquaredError:
            case Loss.BinaryCrossEntropy:
                for (var r = 0; r < rows; r++)
                    for (var i = r * cols; i < (r + 1) * cols; i++) g[i] = w[r] * (yHat[i] - y[i]) / total;
                break;
            case Loss.CategoricalCrossEntropy:
                for (var r = 0; r < rows; r++)
                {
                    var s = Blas.Sum(y.Slice(r * cols, cols));
                    for (var i = r * cols; i < (r + 1) * cols; i++) g[i] = w[r] * (yHat[i] * s - y[i]) / total;
                }
                break;
            case Loss.Custom c:
                for (var r = 0; r < rows; r++)
                    for (var i = r * cols; i < (r + 1) * cols; i++) g[i] = w[r] * c.Gradient(yHat[i], y[i]) / total;
                break;
            case Loss.CustomRows c:
                for (var r = 0; r < rows; r++)
                {
                    var row = c.Gradient(yHat.Slice(r * cols, cols).ToArray(), y.Slice(r * cols, cols).ToArray());
                    if (row is null || row.Length != cols)
                        throw new InvalidOperationException($"The custom loss '{c.Label}' returned a gradient of {row?.Length ?? 0} values for a row of {cols}.");
                    for (var k = 0; k < cols; k++) g[r * cols + k] = w[r] * row[k] / total;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
        if (ThroughActivation(loss, output)) Elementwise.ActivateBackward(output, z[..n], yHat[..n], g[..n], dz[..n], cols);
    }
}

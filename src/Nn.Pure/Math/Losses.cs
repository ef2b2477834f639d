using System.Collections.Immutable;
using Nn.Kernels;

namespace Nn;

/// <summary>Loss values and their gradients with respect to the output layer (see <see cref="Loss"/> for the definitions).</summary>
public static partial class Losses
{
    /// <summary>Half mean squared error (see <see cref="Loss.MeanSquaredError"/>); pairs with a linear output.</summary>
    public static Loss MeanSquaredError { get; } = new Loss.MeanSquaredError();

    /// <summary>Binary cross-entropy from logits (see <see cref="Loss.BinaryCrossEntropy"/>); requires a sigmoid output.</summary>
    public static Loss BinaryCrossEntropy { get; } = new Loss.BinaryCrossEntropy();

    /// <summary>Categorical cross-entropy from logits (see <see cref="Loss.CategoricalCrossEntropy"/>); requires a softmax output.</summary>
    public static Loss CategoricalCrossEntropy { get; } = new Loss.CategoricalCrossEntropy();

    /// <summary>
    /// A user's own element-wise loss ℓ(ŷ, y) with its derivative ∂ℓ/∂ŷ (see <see cref="Loss.Custom"/>), named
    /// <paramref name="name"/> in files and messages.
    /// </summary>
    /// <exception cref="ArgumentException">When the name is empty, not lowercase letters, digits and '-', or a built-in name.</exception>
    public static Loss Custom(string name, Func<double, double, double> value, Func<double, double, double> gradient)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gradient);
        return new Loss.Custom(CheckName(name), value, gradient);
    }

    /// <summary>
    /// A user's own row-wise loss ℓ(ŷ, y) of a row with its gradient ∂ℓ/∂ŷ (see <see cref="Loss.CustomRows"/>), named
    /// <paramref name="name"/> in files and messages.
    /// </summary>
    /// <exception cref="ArgumentException">When the name is empty, not lowercase letters, digits and '-', or a built-in name.</exception>
    public static Loss CustomRows(string name, Func<double[], double[], double> value, Func<double[], double[], double[]> gradient)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gradient);
        return new Loss.CustomRows(CheckName(name), value, gradient);
    }

    private static string CheckName(string name) => Table.CheckCustomName(name, nameof(name));

    /// <summary>The names of the losses, spelt once for <see cref="Loss.Name"/>, <see cref="Parse"/> and its message.</summary>
    internal static NameTable<Loss> Table { get; } = new("loss",
        new("mse", MeanSquaredError, ["meansquarederror"]),
        new("bce", BinaryCrossEntropy, ["binarycrossentropy"]),
        new("cce", CategoricalCrossEntropy, ["categoricalcrossentropy"]));

    /// <summary>Every loss, in the order of <see cref="Names"/>.</summary>
    public static ImmutableArray<Loss> All { get; } = [MeanSquaredError, BinaryCrossEntropy, CategoricalCrossEntropy];

    /// <summary>The names <see cref="Parse"/> accepts, as <see cref="Loss.Name"/> writes them: mse, bce, cce.</summary>
    public static ImmutableArray<string> Names => Table.Names;

    /// <summary>Parses mse, bce or cce (or the case names, e.g. <c>CategoricalCrossEntropy</c>); case-insensitive.</summary>
    /// <exception cref="ArgumentException">For an unknown name; the message lists the known ones.</exception>
    public static Loss Parse(string name) => Table.Parse(name, nameof(name));

    /// <summary>The output activation a loss is paired with: MSE → linear, BCE → sigmoid, CCE → softmax.</summary>
    public static Activation PairedOutput(Loss loss) => loss switch
    {
        Loss.MeanSquaredError or Loss.Custom or Loss.CustomRows => Activations.Linear,
        Loss.BinaryCrossEntropy => Activations.Sigmoid,
        Loss.CategoricalCrossEntropy => Activations.Softmax,
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
    };

    /// <summary>The loss an output activation is paired with: sigmoid → BCE, softmax → CCE, any other → MSE.</summary>
    public static Loss PairedWith(Activation output) => output switch
    {
        Activation.Sigmoid => BinaryCrossEntropy,
        Activation.Softmax => CategoricalCrossEntropy,
        _ => MeanSquaredError,
    };

    /// <summary>
    /// Throws unless the loss can be used with the output activation: BCE needs sigmoid, CCE needs softmax, MSE works with
    /// any output (the fused gradient <c>(Ŷ − Y)/m</c> is used only for linear; other outputs back-propagate through f′).
    /// </summary>
    /// <exception cref="ArgumentException">For an unsupported pairing.</exception>
    public static void CheckPairing(Loss loss, Activation output)
    {
        var ok = loss switch
        {
            Loss.MeanSquaredError => true,
            Loss.Custom or Loss.CustomRows => true,
            Loss.BinaryCrossEntropy => output is Activation.Sigmoid,
            Loss.CategoricalCrossEntropy => output is Activation.Softmax,
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };
        if (!ok)
            throw new ArgumentException($"Loss {loss.Name} needs a {PairedOutput(loss).Name} output layer, but the network's output is {output}.");
    }

    /// <summary>The data loss J for output logits Z and activations Ŷ = f(Z) (both m × n) against targets Y (m × n).</summary>
    /// <exception cref="ArgumentException">When shapes differ or the pairing is unsupported.</exception>
    public static double Value(Loss loss, Activation output, Matrix z, Matrix yHat, Matrix y)
    {
        CheckPairing(loss, output);
        Matrix.CheckSameShape(z, y, "compare outputs and targets of");
        return DataLoss(loss, z.AsSpan(), yHat.AsSpan(), y.AsSpan(), z.Rows, z.Cols, loss is Loss.CategoricalCrossEntropy ? new double[z.Rows] : []);
    }

    /// <summary>
    /// <see cref="Value"/> over spans (rows × cols each; the pairing and shapes checked by the caller), with
    /// <paramref name="rowScratch"/> (at least rows values) for the rows' log-sum-exp under categorical cross-entropy.
    /// </summary>
    internal static double DataLoss(Loss loss, ReadOnlySpan<double> z, ReadOnlySpan<double> yHat, ReadOnlySpan<double> y, int rows, int cols, Span<double> rowScratch) =>
        DataLoss(loss, z, yHat, y, [], rows, cols, rowScratch);

    /// <summary>
    /// The data loss with row weights <paramref name="w"/> (at least rows values; empty: every row weighs 1): each row's
    /// terms in row order, times its weight, over Σ w (<c>Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ</c>); 0 for no rows or a zero weight sum. Unit
    /// weights give the unweighted loss to the bit (1·x = x, and Σ 1 = m), so both are this one loop.
    /// </summary>
    internal static double DataLoss(Loss loss, ReadOnlySpan<double> z, ReadOnlySpan<double> yHat, ReadOnlySpan<double> y,
        ReadOnlySpan<double> w, int rows, int cols, Span<double> rowScratch)
    {
        double total = w.IsEmpty ? rows : RowWeights.Sum(w[..rows]);
        if (rows == 0 || total == 0) return 0.0;
        var sum = 0.0;
        switch (loss)
        {
            case Loss.MeanSquaredError:
                for (var r = 0; r < rows; r++)
                    for (var k = r * cols; k < (r + 1) * cols; k++)
                    {
                        var d = yHat[k] - y[k];
                        sum += Weight(w, r) * (d * d);
                    }
                return sum / (2.0 * total);
            case Loss.BinaryCrossEntropy:
                for (var r = 0; r < rows; r++)
                    for (var k = r * cols; k < (r + 1) * cols; k++) sum += Weight(w, r) * Elementwise.BinaryCrossEntropy(z[k], y[k]);
                return sum / total;
            case Loss.CategoricalCrossEntropy:
                var rowLogSumExp = rowScratch[..rows];
                Elementwise.LogSumExpRows(z, rowLogSumExp, rows, cols);
                for (var r = 0; r < rows; r++)
                {
                    var zr = z.Slice(r * cols, cols);
                    var yr = y.Slice(r * cols, cols);
                    sum += Weight(w, r) * (Blas.Sum(yr) * rowLogSumExp[r] - Blas.Dot(yr, zr));
                }
                return sum / total;
            case Loss.Custom c:
                for (var r = 0; r < rows; r++)
                    for (var k = r * cols; k < (r + 1) * cols; k++) sum += Weight(w, r) * c.Value(yHat[k], y[k]);
                return sum / total;
            case Loss.CustomRows c:
                for (var r = 0; r < rows; r++) sum += Weight(w, r) * c.Value(yHat.Slice(r * cols, cols).ToArray(), y.Slice(r * cols, cols).ToArray());
                return sum / total;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
    }

    /// <summary>Row r's weight: w[r], or 1 when there are no weights.</summary>
    private static double Weight(ReadOnlySpan<double> w, int r) => w.IsEmpty ? 1.0 : w[r];

    /// <summary>
    /// The gradient <c>∂J/∂Z</c> of the data loss with respect to the output logits (m × n): fused <c>(σ(Z) − Y)/m</c> for
    /// BCE, <c>(softmax(Z)·Σₖ Yₖ − Y)/m</c> for CCE (= <c>(Ŷ − Y)/m</c> for one-hot rows), <c>(Ŷ − Y)/m</c> for MSE with a
    /// linear output, and <c>f′ applied to (Ŷ − Y)/m</c> for MSE with any other output.
    /// </summary>
    public static Matrix OutputGradient(Loss loss, Activation output, Matrix z, Matrix yHat, Matrix y) => OutputGradient(loss, output, z, yHat, y, null);

    internal static Matrix OutputGradient(Loss loss, Activation output, Matrix z, Matrix yHat, Matrix y, Workspace? ws)
    {
        CheckPairing(loss, output);
        Matrix.CheckSameShape(z, y, "compare outputs and targets of");
        var g = Workspace.Alloc(ws, z.Data.Length);
        var chain = ThroughActivation(loss, output);
        var dz = chain ? Workspace.Alloc(ws, z.Data.Length) : g;
        OutputGradient(loss, output, z.AsSpan(), yHat.AsSpan(), y.AsSpan(), z.Rows, z.Cols, g, dz);
        return Matrix.Own(z.Rows, z.Cols, dz);
    }

    /// <summary>Whether the output gradient goes through f′ (MSE on a non-linear output); the other pairings are fused.</summary>
    internal static bool ThroughActivation(Loss loss, Activation output) =>
        loss is Loss.MeanSquaredError or Loss.Custom or Loss.CustomRows && output is not Activation.Linear;

    /// <summary>
    /// <see cref="OutputGradient(Loss, Activation, Matrix, Matrix, Matrix)"/> over spans: ∂J/∂Ŷ into <paramref name="g"/>,
    /// and ∂J/∂Z into <paramref name="dz"/> (the same span as g unless <see cref="ThroughActivation"/>).
    /// </summary>
    internal static void OutputGradient(Loss loss, Activation output, ReadOnlySpan<double> z, ReadOnlySpan<double> yHat, ReadOnlySpan<double> y,
        int rows, int cols, Span<double> g, Span<double> dz) =>
        OutputGradient(loss, output, z, yHat, y, [], rows, cols, g, dz);

    /// <summary>
    /// The same with row weights <paramref name="w"/> (at least rows values; empty: every row weighs 1): each entry
    /// <c>(wᵣ·numerator)/Σ w</c> where the unweighted one is <c>numerator/m</c> (unit weights give its bits); zero when the
    /// weights sum to 0 (J is then the constant 0).
    /// </summary>
    internal static void OutputGradient(Loss loss, Activation output, ReadOnlySpan<double> z, ReadOnlySpan<double> yHat, ReadOnlySpan<double> y,
        ReadOnlySpan<double> w, int rows, int cols, Span<double> g, Span<double> dz)
    {
        var n = rows * cols;
        double total = w.IsEmpty ? Math.Max(rows, 1) : RowWeights.Sum(w[..rows]);
        if (total == 0)
        {
            g[..n].Clear();
            dz[..n].Clear();
            return;
        }
        switch (loss)
        {
            case Loss.MeanSquaredError:
            case Loss.BinaryCrossEntropy:
                for (var r = 0; r < rows; r++)
                    for (var i = r * cols; i < (r + 1) * cols; i++) g[i] = Weight(w, r) * (yHat[i] - y[i]) / total;
                break;
            case Loss.CategoricalCrossEntropy:
                for (var r = 0; r < rows; r++)
                {
                    var s = Blas.Sum(y.Slice(r * cols, cols));
                    for (var i = r * cols; i < (r + 1) * cols; i++) g[i] = Weight(w, r) * (yHat[i] * s - y[i]) / total;
                }
                break;
            case Loss.Custom c:
                for (var r = 0; r < rows; r++)
                    for (var i = r * cols; i < (r + 1) * cols; i++) g[i] = Weight(w, r) * c.Gradient(yHat[i], y[i]) / total;
                break;
            case Loss.CustomRows c:
                for (var r = 0; r < rows; r++)
                {
                    var row = c.Gradient(yHat.Slice(r * cols, cols).ToArray(), y.Slice(r * cols, cols).ToArray());
                    if (row is null || row.Length != cols)
                        throw new InvalidOperationException($"The custom loss '{c.Label}' returned a gradient of {row?.Length ?? 0} values for a row of {cols}.");
                    for (var k = 0; k < cols; k++) g[r * cols + k] = Weight(w, r) * row[k] / total;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
        // Only MSE or a custom loss on a non-linear output needs the chain rule through f; the other pairings are fused.
        if (ThroughActivation(loss, output)) Elementwise.ActivateBackward(output, z[..n], yHat[..n], g[..n], dz[..n], cols);
    }

    /// <summary>The L2 penalty <c>(λ/2)·Σ_layers ‖W‖²</c> (biases excluded).</summary>
    public static double L2Penalty(Network network, double l2)
    {
        if (l2 == 0) return 0.0;
        var sum = 0.0;
        foreach (var l in network.Layers) sum += Blas.Dot(l.Weights.Data, l.Weights.Data);
        return 0.5 * l2 * sum;
    }

    /// <summary>
    /// The full objective J (data loss + L2 penalty) of the network on a batch X (m × inputs), Y (m × outputs), without
    /// dropout. This is the value <see cref="Backprop.Gradient"/> reports and differentiates.
    /// </summary>
    public static double Evaluate(Network network, Matrix x, Matrix y, Objective objective)
    {
        var t = Forward.Run(network, x);
        return Value(objective.Loss, network.OutputActivation, t.Logits, t.Output, y) + L2Penalty(network, objective.L2);
    }

    /// <summary>The full objective J with dropout drawn from <paramref name="key"/> (the value <see cref="Backprop.GradientWithDropout"/> differentiates).</summary>
    public static double EvaluateWithDropout(Network network, Matrix x, Matrix y, Objective objective, Key key)
    {
        var t = Forward.RunWithDropout(network, x, objective.DropoutRate, key);
        return Value(objective.Loss, network.OutputActivation, t.Logits, t.Output, y) + L2Penalty(network, objective.L2);
    }
}

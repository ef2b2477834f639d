using System.Collections.Immutable;
using System.Text;

namespace Nn;

/// <summary>The result of back-propagation: the objective's value and its gradient.</summary>
/// <param name="Loss">The objective J = DataLoss + Penalty, on this batch.</param>
/// <param name="DataLoss">The data loss alone.</param>
/// <param name="Penalty">The L2 penalty alone.</param>
/// <param name="Gradients">∂J/∂θ as a network of the same shapes: each layer's Weights hold ∂J/∂W, its Bias ∂J/∂b.</param>
/// <param name="Trace">The forward pass the gradient was computed from.</param>
/// <param name="Deltas">∂J/∂Z for every layer (m × outputs of that layer), input side first: the back-propagated errors.</param>
public sealed record LossAndGradients(double Loss, double DataLoss, double Penalty, Network Gradients, Trace Trace, ImmutableArray<Matrix> Deltas)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Value equality, with the deltas compared element by element.</summary>
    public bool Equals(LossAndGradients? other) =>
        other is not null && Loss.Equals(other.Loss) && DataLoss.Equals(other.DataLoss) && Penalty.Equals(other.Penalty)
        && Gradients == other.Gradients && Trace == other.Trace && Deltas.SequenceEqual(other.Deltas);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Loss, Gradients);
}

/// <summary>Reverse-mode differentiation of a network's objective, as pure functions.</summary>
public static class Backprop
{
    /// <summary>
    /// The objective J on a batch X (m × inputs), Y (m × outputs) and its exact gradient (no dropout, even when the
    /// objective sets a rate). Per layer l, with δ = ∂J/∂Z (m × out): <c>∂J/∂W = A_{l−1}ᵀ·δ + λW</c>,
    /// <c>∂J/∂b = column sums of δ</c>, and <c>∂J/∂A_{l−1} = δ·Wᵀ</c>.
    /// </summary>
    /// <exception cref="ArgumentException">On shape mismatches or an unsupported loss/output pairing.</exception>
    public static LossAndGradients Gradient(Network network, Matrix x, Matrix y, Objective objective) =>
        Run(network, Forward.Run(network, x), y, null, objective, null);

    /// <summary>
    /// As <see cref="Gradient"/> on a batch's X and Y, with the batch's row weights
    /// when it has them: the weighted objective <c>Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ + penalty</c> and its gradient (every δ of the output
    /// layer scaled by its row's weight over Σ w). Without weights, exactly the unweighted result.
    /// </summary>
    /// <exception cref="ArgumentException">On shape mismatches or an unsupported loss/output pairing.</exception>
    public static LossAndGradients WeightedGradient(Network network, TrainingData batch, Objective objective)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Run(network, Forward.Run(network, batch.X), batch.Y, batch.Weights, objective, null);
    }

    /// <summary>As <see cref="Gradient"/>, with the objective's dropout rate applied using masks drawn from <paramref name="key"/>.</summary>
    public static LossAndGradients GradientWithDropout(Network network, Matrix x, Matrix y, Objective objective, Key key) =>
        Run(network, Forward.RunWithDropout(network, x, objective.DropoutRate, key), y, null, objective, null);

    /// <summary>
    /// <see cref="Gradient"/> (or with a key <see cref="GradientWithDropout"/>) with every matrix of the result — trace,
    /// deltas and gradients — in scratch arrays of <paramref name="ws"/>: the same bits, valid only until the
    /// workspace is rewound. For <see cref="Training.Step"/>, which keeps nothing of it but the loss.
    /// </summary>
    internal static LossAndGradients Scratch(Network network, Matrix x, Matrix y, Vector? weights, Objective objective, Key? dropoutKey, Kernels.Workspace ws)
    {
        var rate = dropoutKey is null ? 0.0 : objective.DropoutRate;
        return Run(network, Forward.Run(network, x, rate, dropoutKey, ws), y, weights, objective, ws);
    }

    private static LossAndGradients Run(Network network, Trace trace, Matrix y, Vector? weights, Objective objective, Kernels.Workspace? ws)
    {
        var (dataLoss, delta) = OutputDelta(network, trace, y, weights, objective, ws);
        var penalty = Losses.L2Penalty(network, objective.L2);

        var n = network.Layers.Length;
        var grads = new Dense[n];
        var deltas = new Matrix[n];
        Vector? sums = null; // δ's column sums (the bias gradient) when they came with δ
        for (var l = n - 1; l >= 0; l--)
        {
            var layer = network.Layers[l];
            deltas[l] = delta;
            var dW = Matrix.MultiplyTransposeA(trace.InputOf(l), delta, ws);
            if (objective.L2 != 0) dW = Matrix.Add(dW, Matrix.Scale(objective.L2, layer.Weights, ws), ws);
            grads[l] = layer.WithParameters(dW, sums ?? Matrix.ColumnSums(delta, ws));
            if (l == 0) break;
            (delta, sums) = DeltaBelow(network, trace, l, delta, ws);
        }
        return new LossAndGradients(dataLoss + penalty, dataLoss, penalty, new Network(grads, network), trace,
            System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(deltas));
    }

    /// <summary>The data loss and ∂J/∂Z of the output layer.</summary>
    private static (double DataLoss, Matrix Delta) OutputDelta(Network network, Trace trace, Matrix y, Vector? weights, Objective objective, Kernels.Workspace? ws)
    {
        objective.Validate();
        if (y.Rows != trace.Input.Rows || y.Cols != network.OutputSize)
            throw new ArgumentException($"The targets are {y.Shape} but the batch needs {trace.Input.Rows}×{network.OutputSize}.", nameof(y));
        var output = network.OutputActivation;
        if (weights is not null)
            return (Losses.WeightedValue(objective.Loss, output, trace.Logits, trace.Output, y, weights),
                Losses.WeightedOutputGradient(objective.Loss, output, trace.Logits, trace.Output, y, weights, ws));
        if (ws?.OutputLogSumExp is { } lse && objective.Loss is Loss.CategoricalCrossEntropy && output is Activation.Softmax)
        {
            // A training step's softmax left each row's log-sum-exp: loss and ∂J/∂Z in one pass (same bits as below).
            var g = ws.Rent(y.Rows * y.Cols);
            var loss = Kernels.Elementwise.CrossEntropyWithGradient(trace.Output.AsSpan(), lse, trace.Logits.AsSpan(), y.AsSpan(), g, y.Rows, y.Cols);
            return (loss, Matrix.Own(y.Rows, y.Cols, g));
        }
        return (Losses.Value(objective.Loss, output, trace.Logits, trace.Output, y),
            Losses.OutputGradient(objective.Loss, output, trace.Logits, trace.Output, y, ws));
    }

    /// <summary>
    /// ∂J/∂Z of layer l − 1 from layer l's: <c>(δ·W_lᵀ) ⊙ mask ⊙ f′(Z_{l−1})</c>, and its column sums (layer l − 1's bias
    /// gradient) where the product takes them as it stores the rows; else null, to be summed separately.
    /// </summary>
    private static (Matrix Delta, Vector? ColumnSums) DeltaBelow(Network network, Trace trace, int l, Matrix delta, Kernels.Workspace? ws)
    {
        var weights = network.Layers[l].Weights;
        var below = trace.Layers[l - 1];
        // δ·Wᵀ through the ReLU derivative as each value is stored (same bits as the separate passes below), gated by
        // the activation: a training step's scratch trace keeps no separate Z for such a layer (see Forward.Run).
        if (below.Mask is null && network.Layers[l - 1].Activation is Activation.Relu)
            return Matrix.MultiplyTransposeBReluGate(delta, weights, below.Activated, ws);
        var dOut = Matrix.MultiplyTransposeB(delta, weights, ws);
        var dA = below.Mask is null ? dOut : Matrix.Hadamard(dOut, below.Mask, ws);
        return (Activations.Backward(network.Layers[l - 1].Activation, below.Z, below.Activated, dA, ws), null);
    }
}

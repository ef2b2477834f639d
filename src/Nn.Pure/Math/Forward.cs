using System.Collections.Immutable;
using System.Text;

namespace Nn;

/// <summary>What one layer computed in a forward pass, kept for the backward pass.</summary>
/// <param name="Z">The pre-activation <c>Z = X·W + b</c>, shape (m × Outputs).</param>
/// <param name="Activated">The activation <c>f(Z)</c>, shape (m × Outputs).</param>
/// <param name="Output">What the next layer receives: <see cref="Activated"/>, or with dropout <c>Activated ⊙ Mask</c>.</param>
/// <param name="Mask">The inverted-dropout mask (entries 0 or 1/(1−p)), or null where no dropout was applied.</param>
public sealed record LayerTrace(Matrix Z, Matrix Activated, Matrix Output, Matrix? Mask);

/// <summary>A forward pass: the input batch and every layer's values.</summary>
/// <param name="Input">The input batch X, shape (m × inputs).</param>
/// <param name="Layers">One trace per layer, input side first.</param>
public sealed record Trace(Matrix Input, ImmutableArray<LayerTrace> Layers)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The network's output Ŷ (the last layer's activation), shape (m × outputs).</summary>
    public Matrix Output => Layers[^1].Activated;

    /// <summary>The last layer's pre-activation (the logits), shape (m × outputs).</summary>
    public Matrix Logits => Layers[^1].Z;

    /// <summary>The input to layer <paramref name="layer"/>: X for layer 0, else the previous layer's Output.</summary>
    public Matrix InputOf(int layer) => layer == 0 ? Input : Layers[layer - 1].Output;

    /// <summary>Trace-by-trace value equality.</summary>
    public bool Equals(Trace? other) =>
        other is not null && Input.Equals(other.Input) && Layers.SequenceEqual(other.Layers);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Input, Layers.Length);
}

/// <summary>The forward pass as pure functions.</summary>
public static class Forward
{
    /// <summary>Runs the network on a batch X (m × inputs), keeping every layer's Z and A (no dropout).</summary>
    /// <exception cref="ArgumentException">When X does not have the network's input width.</exception>
    public static Trace Run(Network network, Matrix x) => Run(network, x, 0.0, null, null);

    /// <summary>
    /// Runs the network in training mode with inverted dropout on every hidden layer's output: each unit is kept with
    /// probability 1 − <paramref name="dropoutRate"/> and scaled by 1/(1 − rate). Layer i's mask uses
    /// <c>Prng.Fold(key, i)</c>; unit j of the flattened (m × n) mask is dropped when <c>uniform(word j) &lt; rate</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When the rate is outside [0, 1).</exception>
    public static Trace RunWithDropout(Network network, Matrix x, double dropoutRate, Key key) => Run(network, x, dropoutRate, key, null);

    /// <summary>
    /// The network's outputs Ŷ for a batch X (m × inputs): shape (m × outputs). Dropout is never applied.
    /// <paramref name="compute"/> (threads) changes the speed, never the result.
    /// </summary>
    public static Matrix Predict(Network network, Matrix x, ComputeOptions? compute = null)
    {
        compute ??= ComputeOptions.Default;
        if (x.Cols != network.InputSize)
            throw new ArgumentException($"The input has {x.Cols} features but the network expects {network.InputSize}.", nameof(x));
        if (x.Rows <= PredictChunk) return PredictRows(network, x, 0, x.Rows, compute, null);
        // Rows are independent, so a large batch runs as chunks of PredictChunk rows, a chunk per thread (the same bits as
        // one pass): each chunk's layers fit in cache and reuse the same scratch arrays, and the threads share no sum.
        var chunks = (x.Rows + PredictChunk - 1) / PredictChunk;
        var result = GC.AllocateUninitializedArray<double>(x.Rows * network.OutputSize);
        var single = compute with { MaxThreads = 1 };
        Kernels.Workers.For(chunks, compute.MaxThreads, c =>
        {
            var start = c * PredictChunk;
            PredictRows(network, x, start, Math.Min(PredictChunk, x.Rows - start), single, result);
        });
        return Matrix.Own(x.Rows, network.OutputSize, result);
    }

    /// <summary>Rows per chunk of a large <see cref="Predict"/>: a 512-unit layer's values of a chunk take 2 MiB.</summary>
    internal const int PredictChunk = 512;

    /// <summary>
    /// Ŷ of rows [start, start + count) of X, into <paramref name="into"/> at the same rows (or a new matrix when null). The
    /// layers' values go to a borrowed workspace, reused by the next call on this thread.
    /// </summary>
    private static Matrix PredictRows(Network network, Matrix x, int start, int count, ComputeOptions compute, double[]? into)
    {
        var ws = Kernels.Workspace.Borrow(compute).Begin();
        try
        {
            Matrix rows = x;
            if (start != 0 || count != x.Rows)
            {
                var copy = ws.Rent(count * x.Cols);
                x.Data.AsSpan(start * x.Cols, count * x.Cols).CopyTo(copy);
                rows = Matrix.Own(count, x.Cols, copy);
            }
            var y = Run(network, rows, 0.0, null, ws).Output;
            if (into is null) return Matrix.Own(y.Rows, y.Cols, y.ToRowMajorArray());
            y.AsSpan().CopyTo(into.AsSpan(start * y.Cols, y.Data.Length));
            return y;
        }
        finally { ws.GiveBack(); }
    }

    /// <summary>The outputs for a single example (a vector of length inputs).</summary>
    public static Vector PredictOne(Network network, Vector x) => Predict(network, Matrix.RowOf(x)).Row(0);

    /// <summary>The forward pass; with a workspace every matrix of the trace is scratch that must not escape the caller.</summary>
    internal static Trace Run(Network network, Matrix x, double rate, Key? key, Kernels.Workspace? ws)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        if (x.Cols != network.InputSize)
            throw new ArgumentException($"The input has {x.Cols} features but the network expects {network.InputSize}.", nameof(x));
        var traces = new LayerTrace[network.Layers.Length];
        var input = x;
        for (var i = 0; i < network.Layers.Length; i++)
        {
            var layer = network.Layers[i];
            var hidden = i < network.Layers.Length - 1;
            var dropoutKey = hidden && rate > 0 ? key : null; // null: no dropout on this layer
            Matrix z, a;
            // A scratch trace (ws) never leaves the training step, whose back-propagation gates ReLU by the activation
            // (ReLU(z) > 0 exactly when z > 0): a hidden ReLU layer without dropout then writes only its activation, and
            // its Z slot holds that activation too. Public traces, the output layer and dropout layers keep the true Z.
            if (layer.Activation is Activation.Relu && ws is not null && hidden && dropoutKey is null) z = a = Dense.ActivationRelu(layer, input, ws);
            else if (layer.Activation is Activation.Relu) (z, a) = Dense.PreActivationRelu(layer, input, ws);
            else
            {
                z = Dense.PreActivation(layer, input, ws);
                a = ws is not null && layer.Activation is Activation.Softmax && i == network.Layers.Length - 1
                    ? SoftmaxOutput(z, ws)
                    : Activations.Apply(layer.Activation, z, ws);
            }
            if (dropoutKey is not null)
            {
                var mask = DropoutMask(Prng.Fold(dropoutKey, i), z.Rows, z.Cols, rate, ws);
                traces[i] = new LayerTrace(z, a, Matrix.Hadamard(a, mask, ws), mask);
            }
            else
            {
                traces[i] = new LayerTrace(z, a, a, null);
            }
            input = traces[i].Output;
        }
        return new Trace(x, System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(traces));
    }

    /// <summary>The softmax of the output logits, also leaving every row's log-sum-exp in the workspace for the loss.</summary>
    private static Matrix SoftmaxOutput(Matrix z, Kernels.Workspace ws)
    {
        var a = ws.Rent(z.Rows * z.Cols);
        var lse = ws.Rent(z.Rows);
        if (z.Cols > 0) Kernels.Elementwise.SoftmaxRows(z.AsSpan(), a, lse, z.Rows, z.Cols);
        ws.OutputLogSumExp = z.Cols > 0 ? lse : null;
        return Matrix.Own(z.Rows, z.Cols, a);
    }

    private static Matrix DropoutMask(Key key, int rows, int cols, double rate, Kernels.Workspace? ws)
    {
        var keep = 1.0 / (1.0 - rate);
        var m = Kernels.Workspace.Alloc(ws, rows * cols);
        for (var j = 0; j < m.Length; j++) m[j] = Prng.ToUnit(Prng.Word(key, j)) < rate ? 0.0 : keep;
        return Matrix.Own(rows, cols, m);
    }
}

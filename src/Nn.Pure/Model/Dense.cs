namespace Nn;

/// <summary>
/// A fully connected layer: <c>Z = X·W + b</c>, <c>A = f(Z)</c>, for a batch X of shape (m × Inputs).
/// </summary>
/// <remarks>
/// In the column-per-example notation (<c>Z = W·X + b</c>) the weight matrix is the transpose of <see cref="Weights"/>.
/// A gradient is also a <see cref="Dense"/>: its weights and bias hold ∂J/∂W and ∂J/∂b, its activation is copied.
/// </remarks>
public sealed record Dense
{
    /// <summary>A layer from its weights (Inputs × Outputs), bias (length Outputs) and activation.</summary>
    /// <exception cref="ArgumentException">When the bias length is not the weights' column count.</exception>
    public Dense(Matrix weights, Vector bias, Activation activation)
    {
        if (bias.Length != weights.Cols)
            throw new ArgumentException($"The bias has length {bias.Length} but the weights ({weights.Shape}) have {weights.Cols} outputs.", nameof(bias));
        Weights = weights;
        Bias = bias;
        Activation = activation;
    }

    /// <summary>The weights, shape (Inputs × Outputs): element (i, j) connects input i to unit j.</summary>
    public Matrix Weights { get; }

    /// <summary>The bias, length Outputs.</summary>
    public Vector Bias { get; }

    /// <summary>The activation applied to the pre-activation Z.</summary>
    public Activation Activation { get; }

    /// <summary>The number of inputs (rows of <see cref="Weights"/>).</summary>
    public int Inputs => Weights.Rows;

    /// <summary>The number of units (columns of <see cref="Weights"/>).</summary>
    public int Outputs => Weights.Cols;

    /// <summary>The number of trainable values: Inputs·Outputs + Outputs.</summary>
    public int ParameterCount => Inputs * Outputs + Outputs;

    /// <summary>A copy with other weights and bias (same activation), e.g. after an update.</summary>
    public Dense WithParameters(Matrix weights, Vector bias) => new(weights, bias, Activation);

    /// <summary>The pre-activation <c>Z = X·W + b</c> of a batch X (m × Inputs), shape (m × Outputs).</summary>
    /// <exception cref="ArgumentException">When X has the wrong number of columns.</exception>
    public static Matrix PreActivation(Dense layer, Matrix x) => PreActivation(layer, x, null);

    internal static Matrix PreActivation(Dense layer, Matrix x, Kernels.Workspace? ws)
    {
        CheckInput(layer, x);
        return Matrix.MultiplyAddRow(x, layer.Weights, layer.Bias, ws);
    }

    /// <summary>Z and ReLU(Z) of a batch X, the ReLU applied as each Z value is stored (the bits of two passes).</summary>
    internal static (Matrix Z, Matrix A) PreActivationRelu(Dense layer, Matrix x, Kernels.Workspace? ws)
    {
        CheckInput(layer, x);
        return Matrix.MultiplyAddRowRelu(x, layer.Weights, layer.Bias, ws);
    }

    /// <summary>Only ReLU(X·W + b), applied as each value is stored (the activation of <see cref="PreActivationRelu"/>).</summary>
    internal static Matrix ActivationRelu(Dense layer, Matrix x, Kernels.Workspace? ws)
    {
        CheckInput(layer, x);
        return Matrix.MultiplyAddRowReluOnly(x, layer.Weights, layer.Bias, ws);
    }

    private static void CheckInput(Dense layer, Matrix x)
    {
        if (x.Cols != layer.Inputs)
            throw new ArgumentException($"The input has {x.Cols} features but the layer expects {layer.Inputs}.", nameof(x));
    }
}

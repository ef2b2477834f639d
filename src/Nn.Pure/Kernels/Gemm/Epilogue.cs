namespace Nn.Kernels;

/// <summary>
/// An element-wise step fused into a matrix product's store (see <see cref="Gemm.Multiply(double[], bool, double[], bool, double[], int, int, int, double[], Epilogue, double[], Workspace)"/>),
/// so a small layer's activation or its derivative gate costs no second pass over memory.
/// </summary>
internal enum Epilogue
{
    /// <summary>Store the product only.</summary>
    None,

    /// <summary>Store Z = the product in C and also <c>aux[i] = Z[i] &gt; 0 ? Z[i] : 0</c> (<see cref="Elementwise.Relu"/>).</summary>
    Relu,

    /// <summary>
    /// Store <c>C[i] = aux[i] &gt; 0 ? product[i] : 0</c>, with aux the layer's Z (<see cref="Elementwise.ReluBackward"/>) or
    /// its ReLU: <c>ReLU(z) &gt; 0</c> exactly when <c>z &gt; 0</c> (NaN, ±0 and negatives give +0), so either is the same gate.
    /// </summary>
    ReluGate,

    /// <summary>
    /// Store only <c>C[i] = product[i] &gt; 0 ? product[i] : 0</c>, no aux: a hidden layer whose Z no one reads (training
    /// gates its derivative by the activation, see <see cref="ReluGate"/>), so it costs one store per value instead of two.
    /// </summary>
    ReluOnly,
}

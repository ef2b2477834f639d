namespace Nn.Kernels;

/// <summary>
/// An element-wise step fused into a matrix product's store (see <see cref="Gemm.Multiply(double[], bool, double[], bool, double[], int, int, int, double[], Epilogue, double[])"/>),
/// so a small layer's activation or its derivative gate costs no second pass over memory.
/// </summary>
internal enum Epilogue
{
    /// <summary>Store the product only.</summary>
    None,

    /// <summary>Store Z = the product in C and also <c>aux[i] = Z[i] &gt; 0 ? Z[i] : 0</c> (<see cref="Elementwise.Relu"/>).</summary>
    Relu,

    /// <summary>Store <c>C[i] = aux[i] &gt; 0 ? product[i] : 0</c>, with aux the layer's Z (<see cref="Elementwise.ReluBackward"/>).</summary>
    ReluGate,
}

namespace Nn;

/// <summary>
/// The closed set of activation functions. Create them with <see cref="Activations"/>
/// (<c>Activations.Relu</c>, <c>Activations.LeakyRelu(0.01)</c>, …) and match on the nested case types.
/// </summary>
public abstract record Activation
{
    private Activation() { }

    /// <summary>The logistic sigmoid <c>σ(z) = 1 / (1 + e⁻ᶻ)</c>, computed without overflow.</summary>
    public sealed record Sigmoid : Activation;

    /// <summary>The hyperbolic tangent.</summary>
    public sealed record Tanh : Activation;

    /// <summary>The rectifier <c>max(0, z)</c>; its derivative at 0 is taken as 0.</summary>
    public sealed record Relu : Activation;

    /// <summary>The leaky rectifier <c>z</c> for z &gt; 0, else <c>Slope·z</c>; its derivative at 0 is taken as Slope.</summary>
    /// <param name="Slope">The slope for negative inputs (commonly 0.01).</param>
    public sealed record LeakyRelu(double Slope) : Activation;

    /// <summary>The identity <c>a = z</c>.</summary>
    public sealed record Linear : Activation;

    /// <summary>The row-wise softmax <c>aⱼ = e^(zⱼ − max z) / Σₖ e^(zₖ − max z)</c>; allowed on the output layer only.</summary>
    public sealed record Softmax : Activation;

    /// <summary>The activation's name as used in files and on the command line: sigmoid, tanh, relu, leaky-relu, linear, softmax.</summary>
    public string Name => Activations.Table.NameOf(this);

    /// <summary>The name, and the slope for leaky ReLU (e.g. <c>leaky-relu(0.01)</c>); <see cref="Activations.Parse"/> reads it back.</summary>
    /// <remarks>Sealed so the case records do not synthesise their own <c>Sigmoid { Name = sigmoid }</c>.</remarks>
    public sealed override string ToString() =>
        this is LeakyRelu l ? FormattableString.Invariant($"{Name}({l.Slope})") : Name;
}

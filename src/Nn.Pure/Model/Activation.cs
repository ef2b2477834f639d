namespace Nn;

/// <summary>
/// The activation functions: the built-in cases and a user's own element-wise function (<see cref="Custom"/>). Create
/// them with <see cref="Activations"/> (<c>Activations.Relu</c>, <c>Activations.LeakyRelu(0.01)</c>,
/// <c>Activations.Custom("gelu", f, df)</c>, …) and match on the nested case types.
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

    /// <summary>
    /// A user's own element-wise activation: <c>a = Function(z)</c> with derivative <c>Derivative(z) = f′(z)</c>, both pure
    /// functions. It works wherever a built-in element-wise activation does (forward, back-propagation, training on the
    /// engine's general path, the gradient check, model files saved by its name); ONNX export refuses it. Two custom
    /// activations are equal when their names and function objects are.
    /// </summary>
    /// <param name="Label">Its name in files and messages: lowercase letters, digits and '-', not a built-in name.</param>
    /// <param name="Function">The activation f.</param>
    /// <param name="Derivative">Its derivative f′, as a function of the pre-activation z.</param>
    public sealed record Custom(string Label, Func<double, double> Function, Func<double, double> Derivative) : Activation;

    /// <summary>
    /// A user's own row-wise activation (softmax-like): each row of pre-activations z maps to a row <c>a = Function(z)</c>
    /// of the same length, and back-propagation asks for the vector–Jacobian product
    /// <c>dz = VectorJacobianProduct(z, a, da)</c>, i.e. <c>dzⱼ = Σᵢ daᵢ·∂aᵢ/∂zⱼ</c>. Arrays in, a new array out; pure.
    /// Pairs with mean squared error or a custom element-wise loss (cross-entropy needs the built-in softmax).
    /// </summary>
    /// <param name="Label">Its name in files and messages: lowercase letters, digits and '-', not a built-in name.</param>
    /// <param name="Function">The row map z ↦ a.</param>
    /// <param name="VectorJacobianProduct">(z, a, da) ↦ dz for one row.</param>
    public sealed record CustomRows(string Label, Func<double[], double[]> Function, Func<double[], double[], double[], double[]> VectorJacobianProduct) : Activation;

    /// <summary>The activation's name as used in files and on the command line: sigmoid, tanh, relu, leaky-relu, linear, softmax, or a custom one's label.</summary>
    public string Name => this switch
    {
        Custom c => c.Label,
        CustomRows r => r.Label,
        _ => Activations.Table.NameOf(this),
    };

    /// <summary>The name, and the slope for leaky ReLU (e.g. <c>leaky-relu(0.01)</c>); <see cref="Activations.Parse"/> reads it back.</summary>
    /// <remarks>Sealed so the case records do not synthesise their own <c>Sigmoid { Name = sigmoid }</c>.</remarks>
    public sealed override string ToString() =>
        this is LeakyRelu l ? FormattableString.Invariant($"{Name}({l.Slope})") : Name;
}

using System.Collections.Immutable;
using Nn.Kernels;

namespace Nn;

/// <summary>Factories for <see cref="Activation"/> and the pure functions that apply them and their derivatives.</summary>
public static class Activations
{
    /// <summary>The default slope of <see cref="LeakyRelu"/>: 0.01.</summary>
    public const double DefaultLeakySlope = 0.01;

    /// <summary>The logistic sigmoid.</summary>
    public static Activation Sigmoid { get; } = new Activation.Sigmoid();

    /// <summary>The hyperbolic tangent.</summary>
    public static Activation Tanh { get; } = new Activation.Tanh();

    /// <summary>The rectifier max(0, z).</summary>
    public static Activation Relu { get; } = new Activation.Relu();

    /// <summary>The identity.</summary>
    public static Activation Linear { get; } = new Activation.Linear();

    /// <summary>The row-wise softmax (output layer only).</summary>
    public static Activation Softmax { get; } = new Activation.Softmax();

    /// <summary>Leaky ReLU with the given negative slope (use <see cref="DefaultLeakySlope"/> for the usual 0.01).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the slope is not finite.</exception>
    public static Activation LeakyRelu(double slope) =>
        double.IsFinite(slope) ? new Activation.LeakyRelu(slope) : throw new ArgumentOutOfRangeException(nameof(slope), slope, "The slope must be finite.");

    /// <summary>
    /// A user's own element-wise activation <paramref name="function"/> with its derivative <paramref name="derivative"/>
    /// (of the pre-activation z), named <paramref name="name"/> in files and messages. Prove the pair with
    /// <see cref="GradientCheck"/> (a wrong derivative fails it).
    /// </summary>
    /// <exception cref="ArgumentException">When the name is empty, not lowercase letters, digits and '-', or a built-in name.</exception>
    public static Activation Custom(string name, Func<double, double> function, Func<double, double> derivative)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(derivative);
        return new Activation.Custom(CheckName(name), function, derivative);
    }

    /// <summary>
    /// A user's own row-wise activation (softmax-like, see <see cref="Activation.CustomRows"/>): <paramref name="function"/>
    /// maps a row of pre-activations to a row of activations, <paramref name="vectorJacobianProduct"/> takes (z, a, da) of
    /// a row to dz. Prove the pair with <see cref="GradientCheck"/> (with mean squared error on the output).
    /// </summary>
    /// <exception cref="ArgumentException">When the name is empty, not lowercase letters, digits and '-', or a built-in name.</exception>
    public static Activation CustomRows(string name, Func<double[], double[]> function, Func<double[], double[], double[], double[]> vectorJacobianProduct)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(vectorJacobianProduct);
        return new Activation.CustomRows(CheckName(name), function, vectorJacobianProduct);
    }

    private static string CheckName(string name) => Table.CheckCustomName(name, nameof(name));

    /// <summary>The names of the activations, spelt once for <see cref="Activation.Name"/>, <see cref="Parse"/> and its message.</summary>
    internal static NameTable<Activation> Table { get; } = new("activation",
        new("sigmoid", Sigmoid, []),
        new("tanh", Tanh, []),
        new("relu", Relu, []),
        new("leaky-relu", LeakyRelu(DefaultLeakySlope), ["leakyrelu", "leaky_relu"], LeakyRelu),
        new("linear", Linear, ["identity"]),
        new("softmax", Softmax, []));

    /// <summary>The names <see cref="Parse"/> accepts, as <see cref="Activation.Name"/> writes them: sigmoid, tanh, relu, leaky-relu, linear, softmax.</summary>
    public static ImmutableArray<string> Names => Table.Names;

    /// <summary>
    /// Parses a name as written by <see cref="Activation.Name"/> (leaky-relu gets the default slope) or by
    /// <see cref="Activation.ToString"/> (<c>leaky-relu(0.2)</c>); case-insensitive.
    /// </summary>
    /// <exception cref="ArgumentException">For an unknown name or an unreadable slope; the message lists the known names.</exception>
    public static Activation Parse(string name) => Table.Parse(name, nameof(name));

    /// <summary>Applies the activation to a batch of pre-activations <c>z</c> (m × n), giving <c>a</c> (m × n); softmax works per row.</summary>
    public static Matrix Apply(Activation activation, Matrix z) => Apply(activation, z, null);

    internal static Matrix Apply(Activation activation, Matrix z, Workspace? ws)
    {
        var a = Workspace.Alloc(ws, z.Rows * z.Cols);
        Elementwise.Activate(activation, z.AsSpan(), a, z.Cols);
        return Matrix.Own(z.Rows, z.Cols, a);
    }

    /// <summary>
    /// The vector-Jacobian product through the activation: given <c>∂J/∂A</c> and the forward values <c>z</c>, <c>a</c>
    /// (all m × n), returns <c>∂J/∂Z</c>. Element-wise activations give <c>g ⊙ f′(z)</c>; softmax gives
    /// <c>a ⊙ (g − rowsum(g ⊙ a))</c> per row.
    /// </summary>
    public static Matrix Backward(Activation activation, Matrix z, Matrix a, Matrix dA) => Backward(activation, z, a, dA, null);

    internal static Matrix Backward(Activation activation, Matrix z, Matrix a, Matrix dA, Workspace? ws)
    {
        Matrix.CheckSameShape(z, dA, "back-propagate through an activation with");
        var dz = Workspace.Alloc(ws, z.Rows * z.Cols);
        Elementwise.ActivateBackward(activation, z.AsSpan(), a.AsSpan(), dA.AsSpan(), dz, z.Cols);
        return Matrix.Own(z.Rows, z.Cols, dz);
    }

    /// <summary>The derivative <c>f′(z)</c> of an element-wise activation at one point (not defined for softmax).</summary>
    /// <exception cref="ArgumentException">For softmax, whose derivative is a Jacobian.</exception>
    public static double Derivative(Activation activation, double z) => Elementwise.Derivative(activation, z);

    /// <summary>The activation at one point (not defined for softmax).</summary>
    /// <exception cref="ArgumentException">For softmax, which works on whole rows.</exception>
    public static double Value(Activation activation, double z) => Elementwise.Value(activation, z);

    /// <summary>True where the activation has a kink at 0 (ReLU and leaky ReLU), which gradient checks must treat specially.</summary>
    public static bool HasKinkAtZero(Activation activation) => activation is Activation.Relu or Activation.LeakyRelu;
}

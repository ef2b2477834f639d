namespace Nn;

/// <summary>Pure, seeded construction of layers and networks.</summary>
public static class Init
{
    /// <summary>
    /// A layer of shape (inputs × outputs) with weights drawn from <paramref name="scheme"/> using <paramref name="key"/>'s
    /// stream in row-major order (plain, untruncated normals), and a zero bias.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When a size is below 1.</exception>
    public static Dense Layer(Key key, int inputs, int outputs, Activation activation, InitScheme scheme)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "A layer needs at least 1 input.");
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "A layer needs at least 1 output.");
        var n = inputs * outputs;
        double fanIn = inputs, fanOut = outputs;
        var w = new double[n];
        switch (scheme)
        {
            case InitScheme.HeNormal: Prng.FillNormal(key, w, 0, Math.Sqrt(2 / fanIn)); break;
            case InitScheme.HeUniform: FillSymmetric(key, w, Math.Sqrt(6 / fanIn)); break;
            case InitScheme.XavierNormal: Prng.FillNormal(key, w, 0, Math.Sqrt(2 / (fanIn + fanOut))); break;
            case InitScheme.XavierUniform: FillSymmetric(key, w, Math.Sqrt(6 / (fanIn + fanOut))); break;
            case InitScheme.LeCunNormal: Prng.FillNormal(key, w, 0, Math.Sqrt(1 / fanIn)); break;
            case InitScheme.LeCunUniform: FillSymmetric(key, w, Math.Sqrt(3 / fanIn)); break;
            default: throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown initialisation scheme.");
        }
        return new Dense(Matrix.Own(inputs, outputs, w), Vector.Zeros(outputs), activation);
    }

    /// <summary>
    /// A network with layer widths <paramref name="sizes"/> = [inputs, hidden₁, …, outputs] and one activation per layer
    /// (<c>activations.Count = sizes.Count − 1</c>). Layer i is drawn with key <c>Prng.Fold(key, i)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the counts do not match or fewer than two sizes are given.</exception>
    public static Network Network(Key key, IReadOnlyList<int> sizes, IReadOnlyList<Activation> activations, InitScheme scheme)
    {
        if (sizes.Count < 2) throw new ArgumentException("Give at least two sizes: the inputs and the outputs.", nameof(sizes));
        if (activations.Count != sizes.Count - 1)
            throw new ArgumentException($"{sizes.Count} sizes make {sizes.Count - 1} layers, but {activations.Count} activations were given.", nameof(activations));
        return new Network(Enumerable.Range(0, sizes.Count - 1)
            .Select(i => Layer(Prng.Fold(key, i), sizes[i], sizes[i + 1], activations[i], scheme)));
    }

    /// <summary>
    /// A multi-layer perceptron: widths <paramref name="sizes"/> = [inputs, hidden…, outputs], <paramref name="hidden"/> on
    /// every hidden layer and <paramref name="output"/> on the last. Same keys as <see cref="Network"/>.
    /// </summary>
    public static Network Mlp(Key key, IReadOnlyList<int> sizes, Activation hidden, Activation output, InitScheme scheme) =>
        Network(key, sizes, [.. Enumerable.Repeat(hidden, Math.Max(0, sizes.Count - 2)), output], scheme);

    /// <summary>The scheme that suits an activation: He for ReLU-family, Xavier for sigmoid/tanh/softmax/linear.</summary>
    public static InitScheme DefaultFor(Activation hidden) =>
        hidden is Activation.Relu or Activation.LeakyRelu ? InitSchemes.HeNormal : InitSchemes.XavierNormal;

    private static void FillSymmetric(Key key, Span<double> w, double limit) => Prng.FillUniform(key, w, -limit, limit);
}

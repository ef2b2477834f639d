using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// An immutable feedforward network: a list of <see cref="Dense"/> layers, each feeding the next.
/// A network's gradient is again a <see cref="Network"/> of the same shape (see <see cref="Parameters"/>).
/// </summary>
public sealed record Network
{
    /// <summary>A network from its layers, in order from input to output.</summary>
    /// <exception cref="ArgumentException">When there are no layers, when a layer's Inputs differs from the previous
    /// layer's Outputs, or when softmax is used on a hidden layer.</exception>
    public Network(IEnumerable<Dense> layers)
    {
        var ls = layers.ToImmutableArray();
        if (ls.IsEmpty) throw new ArgumentException("A network needs at least one layer.", nameof(layers));
        for (var i = 1; i < ls.Length; i++)
            if (ls[i].Inputs != ls[i - 1].Outputs)
                throw new ArgumentException($"Layer {i} expects {ls[i].Inputs} inputs but layer {i - 1} has {ls[i - 1].Outputs} outputs.", nameof(layers));
        for (var i = 0; i < ls.Length - 1; i++)
            if (ls[i].Activation is Activation.Softmax)
                throw new ArgumentException($"Softmax is allowed on the output layer only, but layer {i} of {ls.Length} uses it.", nameof(layers));
        Layers = ls;
    }

    /// <summary>
    /// A network of the same shape as one already checked (an update or a gradient of <paramref name="like"/>): the
    /// layers are taken as they are, without copying them or checking the chain again.
    /// </summary>
    internal Network(Dense[] layers, Network like)
    {
        if (layers.Length != like.Layers.Length) throw new ArgumentException("The layer count differs from the network's.", nameof(layers));
        Layers = ImmutableCollectionsMarshal.AsImmutableArray(layers);
    }

    /// <summary>The layers, input side first.</summary>
    public ImmutableArray<Dense> Layers { get; }

    /// <summary>The number of input features (the first layer's Inputs).</summary>
    public int InputSize => Layers[0].Inputs;

    /// <summary>The number of outputs (the last layer's Outputs).</summary>
    public int OutputSize => Layers[^1].Outputs;

    /// <summary>The layer widths including the input: [InputSize, Outputs₁, …, Outputs_L].</summary>
    public ImmutableArray<int> Sizes => [InputSize, .. Layers.Select(l => l.Outputs)];

    /// <summary>The output layer's activation.</summary>
    public Activation OutputActivation => Layers[^1].Activation;

    /// <summary>The total number of trainable values.</summary>
    public int ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>Layer-by-layer value equality.</summary>
    public bool Equals(Network? other) =>
        other is not null && (ReferenceEquals(this, other) || Layers.SequenceEqual(other.Layers));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var l in Layers) h.Add(l);
        return h.ToHashCode();
    }

    /// <summary>The architecture, e.g. <c>Network 2→4(sigmoid)→1(sigmoid)</c>.</summary>
    public override string ToString() =>
        $"Network {InputSize}" + string.Concat(Layers.Select(l => $"→{l.Outputs}({l.Activation})"));
}

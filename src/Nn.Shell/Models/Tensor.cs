using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// One named tensor of a safetensors file: a shape and its values in row-major order (the last index varies fastest).
/// </summary>
/// <remarks>Equality compares the name (ordinal), the shape and the values' bit patterns (so NaN equals NaN, 0 ≠ −0).</remarks>
public sealed record Tensor
{
    /// <summary>A tensor from its name, shape (each dimension ≥ 0; empty for a scalar) and product(shape) values.</summary>
    /// <exception cref="ArgumentException">When the name is empty or <c>__metadata__</c>, a dimension is negative, or the
    /// number of values is not the product of the shape.</exception>
    public Tensor(string name, ImmutableArray<long> shape, ImmutableArray<double> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name == SafeTensors.MetadataKey)
            throw new ArgumentException($"A tensor name must be non-empty and not '{SafeTensors.MetadataKey}'.", nameof(name));
        if (shape.IsDefault) throw new ArgumentException("The shape is a default ImmutableArray.", nameof(shape));
        if (data.IsDefault) throw new ArgumentException("The data is a default ImmutableArray.", nameof(data));
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor {name} has a negative dimension in [{string.Join(", ", shape)}].", nameof(shape));
            count = checked(count * d);
        }
        if (count != data.Length)
            throw new ArgumentException($"Tensor {name} has shape [{string.Join(", ", shape)}] ({count} values) but {data.Length} values.", nameof(data));
        Name = name;
        Shape = shape;
        Data = data;
    }

    /// <summary>The tensor's name, unique within a file.</summary>
    public string Name { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>The values in row-major order; length product(Shape).</summary>
    public ImmutableArray<double> Data { get; }

    /// <summary>Value equality: same name, same shape, bit-identical values.</summary>
    public bool Equals(Tensor? other) =>
        other is not null && Name == other.Name && Shape.SequenceEqual(other.Shape) &&
        MemoryMarshal.AsBytes(Data.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Data.AsSpan()));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Shape.Length, Data.Length);

    /// <summary>E.g. <c>layers.0.weight [4, 2] F64</c>.</summary>
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}] F64";
}

/// <summary>The contents of a safetensors file: its tensors and its <c>__metadata__</c>, both in header order.</summary>
/// <param name="Tensors">The tensors, in the order of the header.</param>
/// <param name="Metadata">The string-to-string metadata, in the order of the header (empty when absent).</param>
public sealed record SafeTensorsFile(ImmutableArray<Tensor> Tensors, ImmutableArray<KeyValuePair<string, string>> Metadata)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Sequence equality of the tensors and of the metadata.</summary>
    public bool Equals(SafeTensorsFile? other) =>
        other is not null && Tensors.SequenceEqual(other.Tensors) && Metadata.SequenceEqual(other.Metadata);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Tensors.Length, Metadata.Length);
}

using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Nn.Shell;

/// <summary>
/// An n-dimensional array as stored in a NumPy <c>.npy</c> file, with its elements converted to <see cref="double"/>
/// in C (row-major) order: element (i₀, …, iₖ) is at index <c>((i₀·d₁ + i₁)·d₂ + …)·dₖ + iₖ</c> of <see cref="Values"/>.
/// Equality is by value (shape, dtype and elements).
/// </summary>
public sealed record NpyArray
{
    /// <summary>An array of shape <paramref name="shape"/> (each dimension ≥ 0; empty for a scalar) with dtype name <paramref name="dtype"/>.</summary>
    /// <exception cref="ArgumentException">When a dimension is negative or the product of the shape is not the number of values.</exception>
    public NpyArray(ImmutableArray<int> shape, string dtype, ImmutableArray<double> values)
    {
        if (shape.IsDefault) throw new ArgumentException("The shape must not be default (use [] for a scalar).", nameof(shape));
        if (values.IsDefault) throw new ArgumentException("The values must not be default.", nameof(values));
        ArgumentNullException.ThrowIfNull(dtype);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Dimensions must be ≥ 0, got {ShapeText(shape)}.", nameof(shape));
            count = d == 0 ? 0 : count > int.MaxValue ? count : count * d; // saturates above any array's length
        }
        if (count != values.Length)
            throw new ArgumentException($"Shape {ShapeText(shape)} has {count} elements but {values.Length} values were given.", nameof(values));
        Shape = shape;
        Dtype = dtype;
        Values = values;
    }

    /// <summary>The dimensions, outermost first (NumPy's <c>shape</c>); empty for a scalar.</summary>
    public ImmutableArray<int> Shape { get; }

    /// <summary>The NumPy dtype the values were stored as, e.g. <c>&lt;f8</c>, <c>|u1</c>, <c>&gt;i4</c>.</summary>
    public string Dtype { get; }

    /// <summary>The elements in C order, converted to <see cref="double"/> (exactly: see <see cref="Npy.Read"/>).</summary>
    public ImmutableArray<double> Values { get; }

    /// <summary>A 2-D <c>&lt;f8</c> array of shape (Rows, Cols) holding <paramref name="matrix"/>'s elements.</summary>
    public static NpyArray FromMatrix(Matrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return new([matrix.Rows, matrix.Cols], "<f8", ImmutableCollectionsMarshal.AsImmutableArray(matrix.ToRowMajorArray()));
    }

    /// <summary>
    /// This array as a matrix: shape (n) gives n×1 (one example per row), shape (r, c) gives r×c.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the rank is not 1 or 2.</exception>
    public Matrix ToMatrix() => Shape.Length switch
    {
        // Both sides are immutable, so the matrix may share the values' storage.
        1 => Matrix.Own(Shape[0], 1, ImmutableCollectionsMarshal.AsArray(Values)!),
        2 => Matrix.Own(Shape[0], Shape[1], ImmutableCollectionsMarshal.AsArray(Values)!),
        _ => throw new InvalidOperationException(
            $"An array of shape {ShapeText(Shape)} has rank {Shape.Length}; only 1-D (n → n×1) and 2-D arrays convert to a matrix."),
    };

    /// <summary>Value equality: same shape, dtype and elements (compared as <see cref="double.Equals(double)"/>).</summary>
    public bool Equals(NpyArray? other) =>
        other is not null && Dtype == other.Dtype && Shape.SequenceEqual(other.Shape) && Values.AsSpan().SequenceEqual(other.Values.AsSpan());

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Dtype, Shape.Length, Values.Length);

    /// <summary>The dtype, the shape and the first few values.</summary>
    public override string ToString()
    {
        var head = string.Join(", ", Values.Take(6).Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return $"NpyArray {Dtype} {ShapeText(Shape)} [{head}{(Values.Length > 6 ? ", …" : "")}]";
    }

    /// <summary>A shape in Python's notation: <c>()</c>, <c>(3,)</c>, <c>(2, 3)</c>.</summary>
    internal static string ShapeText(IReadOnlyList<int> shape) =>
        shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
}

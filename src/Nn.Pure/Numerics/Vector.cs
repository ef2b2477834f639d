using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Nn;

/// <summary>
/// An immutable dense vector of <see cref="double"/> with value equality.
/// </summary>
/// <remarks>
/// The backing array never escapes: every constructor copies, and every accessor returns a copy or a read-only view.
/// Equality is element-wise with <see cref="double.Equals(double)"/> semantics (so NaN equals NaN);
/// use <see cref="BitEquals"/> to compare bit patterns.
/// </remarks>
public sealed class Vector : IEquatable<Vector>
{
    internal readonly double[] Data;

    private Vector(double[] data) => Data = data;

    /// <summary>The number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>The element at <paramref name="index"/> (0-based).</summary>
    /// <exception cref="IndexOutOfRangeException">When the index is outside [0, Length).</exception>
    public double this[int index] => Data[index];

    /// <summary>An empty vector (length 0).</summary>
    public static Vector Empty { get; } = new([]);

    /// <summary>A vector holding a copy of <paramref name="values"/>.</summary>
    public static Vector Of(params double[] values) => new((double[])values.Clone());

    /// <summary>A vector holding a copy of <paramref name="values"/>.</summary>
    public static Vector Create(IEnumerable<double> values) => new(values.ToArray());

    /// <summary>A vector of <paramref name="length"/> zeros.</summary>
    public static Vector Zeros(int length) => new(new double[CheckLength(length)]);

    /// <summary>A vector of <paramref name="length"/> copies of <paramref name="value"/>.</summary>
    public static Vector Fill(int length, double value)
    {
        var data = new double[CheckLength(length)];
        Array.Fill(data, value);
        return new(data);
    }

    /// <summary>A vector whose element i is <c>f(i)</c>, for i in [0, length).</summary>
    public static Vector Init(int length, Func<int, double> f)
    {
        var data = new double[CheckLength(length)];
        for (var i = 0; i < data.Length; i++) data[i] = f(i);
        return new(data);
    }

    /// <summary>Takes ownership of <paramref name="data"/>; the caller must never touch it again.</summary>
    internal static Vector Own(double[] data) => new(data);

    internal ReadOnlySpan<double> AsSpan() => Data;

    /// <summary>A fresh copy of the elements as an array.</summary>
    public double[] ToArray() => (double[])Data.Clone();

    /// <summary>The elements as an immutable array (a copy).</summary>
    public ImmutableArray<double> ToImmutableArray() => ImmutableCollectionsMarshal.AsImmutableArray(ToArray());

    /// <summary>The elements in order.</summary>
    public IReadOnlyList<double> Values => ToImmutableArray();

    /// <summary>Element-wise map: <c>result[i] = f(this[i])</c>.</summary>
    public Vector Map(Func<double, double> f)
    {
        var r = new double[Data.Length];
        for (var i = 0; i < r.Length; i++) r[i] = f(Data[i]);
        return new(r);
    }

    /// <summary>True when both vectors have the same length and identical bit patterns element by element.</summary>
    public bool BitEquals(Vector other) =>
        other.Length == Length && MemoryMarshal.AsBytes(Data.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.Data.AsSpan()));

    /// <inheritdoc />
    public bool Equals(Vector? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.Length != Length) return false;
        for (var i = 0; i < Data.Length; i++)
            if (!Data[i].Equals(other.Data[i])) return false;
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Vector);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Length);
        for (var i = 0; i < Math.Min(Data.Length, 16); i++) h.Add(Data[i]);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Vector? a, Vector? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Vector? a, Vector? b) => !(a == b);

    /// <summary>A short description: the length and the first few values, e.g. <c>Vector[3] (0.1, 0.2, 0.3)</c>.</summary>
    public override string ToString() => $"Vector[{Length}] {Format.Preview(Data, 6)}";

    private static int CheckLength(int length) =>
        length >= 0 ? length : throw new ArgumentOutOfRangeException(nameof(length), length, "A vector length must be >= 0.");
}

/// <summary>Formatting helpers shared by the numeric value types.</summary>
internal static class Format
{
    internal static string Preview(ReadOnlySpan<double> values, int max)
    {
        var parts = new List<string>(Math.Min(values.Length, max) + 1);
        for (var i = 0; i < values.Length && i < max; i++) parts.Add(values[i].ToString("G6", CultureInfo.InvariantCulture));
        if (values.Length > max) parts.Add("…");
        return "(" + string.Join(", ", parts) + ")";
    }

    /// <summary>
    /// The first <paramref name="max"/> items in brackets, then "…" and the count when there are more:
    /// <c>[0.5, "a", 3]</c>, <c>[1, 2, 3, 4, 5, 6, … 100 items]</c>; numbers invariant (doubles G6), strings quoted,
    /// a default <c>ImmutableArray</c> (null) as <c>default</c>. For the <c>ToString</c> of records that hold collections.
    /// </summary>
    internal static string Items<T>(IEnumerable<T>? items, int max = 6)
    {
        if (items is null || items is ImmutableArray<T> { IsDefault: true }) return "default";
        var parts = new List<string>(max + 1);
        var count = 0;
        foreach (var item in items)
        {
            if (count++ < max) parts.Add(Item(item));
        }
        if (count > max) parts.Add(FormattableString.Invariant($"… {count} items"));
        return "[" + string.Join(", ", parts) + "]";
    }

    /// <summary>
    /// A record's <c>PrintMembers</c>: every public instance property as <c>Name = value</c>, in declaration order,
    /// collections through <see cref="Items{T}"/> instead of the compiler's <c>ImmutableArray`1[System.String]</c>.
    /// </summary>
    /// <remarks>
    /// The record's own type comes in as <typeparamref name="T"/> (the static type of <c>this</c>, which is the runtime type:
    /// only a sealed record may have a private <c>PrintMembers</c>), so the trimmer and Native AOT keep exactly the
    /// properties read here.
    /// </remarks>
    internal static bool Members<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T value, StringBuilder builder)
        where T : notnull
    {
        var first = true;
        foreach (var p in typeof(T).GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (p.GetIndexParameters().Length > 0) continue;
            if (!first) builder.Append(", ");
            first = false;
            builder.Append(p.Name).Append(" = ");
            object? v;
            try { v = p.GetValue(value); }
            catch (TargetInvocationException e) { builder.Append('(').Append(e.InnerException?.GetType().Name).Append(')'); continue; }
            builder.Append(v switch
            {
                string s => s,
                System.Collections.IEnumerable items => ItemsOrDefault(items),
                _ => Item(v),
            });
        }
        return !first;
    }

    // A boxed default ImmutableArray throws when enumerated.
    private static string ItemsOrDefault(System.Collections.IEnumerable items)
    {
        try { return Items(items.Cast<object?>()); }
        catch (InvalidOperationException) { return "default"; }
    }

    private static string Item<T>(T item) => item switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => item.ToString() ?? "",
    };
}

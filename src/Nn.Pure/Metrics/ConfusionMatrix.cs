using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// A confusion matrix for k classes: <c>Count(t, p)</c> is the number of examples of true class t predicted as class p
/// (rows = true class, columns = predicted class). Built by <see cref="Classification.Confusion"/>; equality is by value.
/// </summary>
public sealed record ConfusionMatrix
{
    /// <summary>A confusion matrix from its counts in row-major order (length classes², copied).</summary>
    /// <exception cref="ArgumentException">When classes &lt; 1, the length is not classes², or a count is negative.</exception>
    public ConfusionMatrix(int classes, IEnumerable<int> counts)
    {
        if (classes < 1) throw new ArgumentException($"The number of classes must be >= 1, got {classes}.", nameof(classes));
        var c = counts.ToImmutableArray();
        if (c.Length != classes * classes)
            throw new ArgumentException($"A confusion matrix for {classes} classes needs {classes * classes} counts, got {c.Length}.", nameof(counts));
        if (c.Any(x => x < 0)) throw new ArgumentException("Counts must be >= 0.", nameof(counts));
        Classes = classes;
        Counts = c;
    }

    /// <summary>The number of classes k.</summary>
    public int Classes { get; }

    /// <summary>The k² counts in row-major order: element <c>t·k + p</c> is <see cref="Count"/>(t, p).</summary>
    public ImmutableArray<int> Counts { get; }

    /// <summary>The number of examples of true class <paramref name="trueClass"/> predicted as <paramref name="predictedClass"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When a class is outside [0, k).</exception>
    public int Count(int trueClass, int predictedClass)
    {
        if ((uint)trueClass >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(trueClass), trueClass, $"Class must be in [0, {Classes}).");
        if ((uint)predictedClass >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(predictedClass), predictedClass, $"Class must be in [0, {Classes}).");
        return Counts[trueClass * Classes + predictedClass];
    }

    /// <summary>The number of examples m (the sum of all counts).</summary>
    public int Total => Counts.Sum();

    /// <summary>The number of correct predictions (the sum of the diagonal).</summary>
    public int Correct
    {
        get
        {
            var s = 0;
            for (var c = 0; c < Classes; c++) s += Counts[c * Classes + c];
            return s;
        }
    }

    /// <summary>The support of each class: the row sums, length k (examples whose true class is c).</summary>
    public ImmutableArray<int> Support => Sums(byRow: true);

    /// <summary>How often each class was predicted: the column sums, length k.</summary>
    public ImmutableArray<int> Predicted => Sums(byRow: false);

    /// <summary>The counts as rows (k arrays of length k; copies), row t holding the true class t.</summary>
    public int[][] ToRows()
    {
        var rows = new int[Classes][];
        for (var t = 0; t < Classes; t++) rows[t] = Counts.AsSpan(t * Classes, Classes).ToArray();
        return rows;
    }

    /// <summary>Value equality: same number of classes and same counts.</summary>
    public bool Equals(ConfusionMatrix? other) =>
        other is not null && (ReferenceEquals(this, other) || (Classes == other.Classes && Counts.SequenceEqual(other.Counts)));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Classes);
        foreach (var c in Counts) h.Add(c);
        return h.ToHashCode();
    }

    /// <summary>A short description, e.g. <c>ConfusionMatrix 2×2 [[3, 1], [0, 4]]</c>.</summary>
    public override string ToString() =>
        $"ConfusionMatrix {Classes}×{Classes} [" + string.Join(", ", ToRows().Select(r => "[" + string.Join(", ", r) + "]")) + "]";

    private ImmutableArray<int> Sums(bool byRow)
    {
        var s = new int[Classes];
        for (var t = 0; t < Classes; t++)
            for (var p = 0; p < Classes; p++) s[byRow ? t : p] += Counts[t * Classes + p];
        return ImmutableCollectionsMarshal.AsImmutableArray(s);
    }
}

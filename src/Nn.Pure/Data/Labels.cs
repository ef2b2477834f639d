using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// Class labels and their encodings. A label is an int in [0, k) for k classes; a batch of class scores or
/// probabilities is a matrix of shape (m × k) with one example per row.
/// </summary>
public static class Labels
{
    /// <summary>
    /// The index of the largest value of each row: an array of length m for a (m × k) matrix, each in [0, k).
    /// Ties go to the lowest index; NaN never wins over a number.
    /// </summary>
    /// <exception cref="ArgumentException">When the matrix has no columns.</exception>
    public static ImmutableArray<int> ArgMax(Matrix scores)
    {
        if (scores.Cols == 0) throw new ArgumentException("ArgMax needs at least one column.", nameof(scores));
        var result = new int[scores.Rows];
        for (var r = 0; r < scores.Rows; r++)
        {
            var row = scores.RowSpan(r);
            var best = 0;
            for (var c = 1; c < row.Length; c++)
                if (row[c] > row[best] || (double.IsNaN(row[best]) && !double.IsNaN(row[c]))) best = c;
            result[r] = best;
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    /// <summary>
    /// Two-class probabilities from a binary (sigmoid) output of shape (m × 1): a (m × 2) matrix whose row i is
    /// <c>(1 − p[i], p[i])</c>, so class 1 is the positive class.
    /// </summary>
    /// <exception cref="ArgumentException">When the matrix does not have exactly one column.</exception>
    public static Matrix BinaryToTwoClass(Matrix probabilities)
    {
        if (probabilities.Cols != 1)
            throw new ArgumentException($"A binary output has one column, got {probabilities.Shape}.", nameof(probabilities));
        var data = new double[probabilities.Rows * 2];
        for (var r = 0; r < probabilities.Rows; r++)
        {
            var p = probabilities.Data[r];
            data[2 * r] = 1.0 - p;
            data[2 * r + 1] = p;
        }
        return Matrix.Own(probabilities.Rows, 2, data);
    }

    /// <summary>
    /// The one-hot encoding of <paramref name="labels"/> (length m): a (m × classes) matrix with
    /// <c>result[i, labels[i]] = 1</c> and 0 elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">When classes &lt; 1 or a label is outside [0, classes).</exception>
    public static Matrix OneHot(IReadOnlyList<int> labels, int classes)
    {
        Check(labels, classes, nameof(labels));
        var data = new double[labels.Count * classes];
        for (var i = 0; i < labels.Count; i++) data[i * classes + labels[i]] = 1.0;
        return Matrix.Own(labels.Count, classes, data);
    }

    /// <summary>The inverse of <see cref="OneHot"/>: the arg-max of each row (length m), ties to the lowest index.</summary>
    /// <exception cref="ArgumentException">When the matrix has no columns.</exception>
    public static ImmutableArray<int> FromOneHot(Matrix oneHot) => ArgMax(oneHot);

    /// <summary>How many times each class occurs: an array of length <paramref name="classes"/>.</summary>
    /// <exception cref="ArgumentException">When classes &lt; 1 or a label is outside [0, classes).</exception>
    public static ImmutableArray<int> Counts(IReadOnlyList<int> labels, int classes)
    {
        Check(labels, classes, nameof(labels));
        var counts = new int[classes];
        foreach (var l in labels) counts[l]++;
        return ImmutableCollectionsMarshal.AsImmutableArray(counts);
    }

    /// <summary>The labels at <paramref name="indices"/>, in that order (length indices.Count); indices may repeat.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, labels.Count).</exception>
    public static ImmutableArray<int> Select(IReadOnlyList<int> labels, IReadOnlyList<int> indices)
    {
        var result = new int[indices.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var j = indices[i];
            if ((uint)j >= (uint)labels.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), j, $"Index must be in [0, {labels.Count}).");
            result[i] = labels[j];
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    /// <summary>Throws unless classes ≥ 1 and every label lies in [0, classes).</summary>
    internal static void Check(IReadOnlyList<int> labels, int classes, string paramName)
    {
        if (classes < 1) throw new ArgumentException($"The number of classes must be >= 1, got {classes}.", nameof(classes));
        for (var i = 0; i < labels.Count; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"Label {labels[i]} at position {i} is outside [0, {classes}).", paramName);
    }
}

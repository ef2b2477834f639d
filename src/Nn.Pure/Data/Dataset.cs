using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// A labelled classification data set: features X of shape (m × n), one example per row, and labels of length m with
/// values in [0, Classes). Equality is by value.
/// </summary>
public sealed record Dataset
{
    /// <summary>A data set from its features (m × n), labels (length m) and number of classes k.</summary>
    /// <exception cref="ArgumentException">When the label count is not m, or a label is outside [0, classes).</exception>
    public Dataset(Matrix x, IEnumerable<int> labels, int classes)
    {
        var ls = labels.ToImmutableArray();
        if (ls.Length != x.Rows)
            throw new ArgumentException($"The features have {x.Rows} rows but there are {ls.Length} labels.", nameof(labels));
        Nn.Labels.Check(ls, classes, nameof(labels));
        X = x;
        Labels = ls;
        Classes = classes;
    }

    /// <summary>The features, shape (m × n).</summary>
    public Matrix X { get; }

    /// <summary>The class of each row, length m, values in [0, Classes).</summary>
    public ImmutableArray<int> Labels { get; }

    /// <summary>The number of classes k.</summary>
    public int Classes { get; }

    /// <summary>The number of examples m.</summary>
    public int Count => X.Rows;

    /// <summary>The one-hot targets, shape (m × k).</summary>
    public Matrix OneHot => Nn.Labels.OneHot(Labels, Classes);

    /// <summary>The examples at <paramref name="indices"/>, in that order (indices may repeat); same number of classes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, m).</exception>
    public static Dataset Subset(Dataset data, IReadOnlyList<int> indices) =>
        new(data.X.SelectRows(indices), Nn.Labels.Select(data.Labels, indices), data.Classes);

    /// <summary>Value equality: equal features, labels and class count.</summary>
    public bool Equals(Dataset? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (Classes == other.Classes && X.Equals(other.X) && Labels.SequenceEqual(other.Labels)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(X, Classes, Labels.Length);

    /// <summary>A short description, e.g. <c>Dataset 100×2, 2 classes</c>.</summary>
    public override string ToString() => $"Dataset {X.Shape}, {Classes} classes";
}

/// <summary>A regression data set: features X of shape (m × n) and targets Y of length m.</summary>
public sealed record RegressionDataset
{
    /// <summary>A data set from its features (m × n) and targets (length m).</summary>
    /// <exception cref="ArgumentException">When the target count is not m.</exception>
    public RegressionDataset(Matrix x, Vector y)
    {
        if (y.Length != x.Rows)
            throw new ArgumentException($"The features have {x.Rows} rows but there are {y.Length} targets.", nameof(y));
        X = x;
        Y = y;
    }

    /// <summary>The features, shape (m × n).</summary>
    public Matrix X { get; }

    /// <summary>The targets, length m.</summary>
    public Vector Y { get; }

    /// <summary>The number of examples m.</summary>
    public int Count => X.Rows;

    /// <summary>The targets as a column, shape (m × 1), as a network with one linear output expects them.</summary>
    public Matrix YColumn => Matrix.ColumnOf(Y);

    /// <summary>The examples at <paramref name="indices"/>, in that order (indices may repeat).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, m).</exception>
    public static RegressionDataset Subset(RegressionDataset data, IReadOnlyList<int> indices) =>
        new(data.X.SelectRows(indices), Matrix.ColumnOf(data.Y).SelectRows(indices).Column(0));

    /// <summary>A short description, e.g. <c>RegressionDataset 100×3</c>.</summary>
    public override string ToString() => $"RegressionDataset {X.Shape}";
}

/// <summary>
/// The data of a linear regression problem and the truth it was drawn from: <c>y = X·Weights + Bias + noise</c>.
/// </summary>
/// <param name="Data">The features (m × n) and noisy targets (length m).</param>
/// <param name="Weights">The true weights, length n.</param>
/// <param name="Bias">The true intercept.</param>
public sealed record LinearProblem(RegressionDataset Data, Vector Weights, double Bias);

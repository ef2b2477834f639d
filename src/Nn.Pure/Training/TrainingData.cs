namespace Nn;

/// <summary>Inputs and targets of a supervised problem, one example per row.</summary>
/// <remarks>For classification, Y holds one-hot rows (softmax + CCE) or a single 0/1 column (sigmoid + BCE).</remarks>
public sealed record TrainingData
{
    /// <summary>Pairs X (m × inputs) with Y (m × outputs).</summary>
    /// <exception cref="ArgumentException">When the row counts differ.</exception>
    public TrainingData(Matrix x, Matrix y)
    {
        if (x.Rows != y.Rows) throw new ArgumentException($"X has {x.Rows} rows but Y has {y.Rows}: every example needs one target row.", nameof(y));
        X = x;
        Y = y;
    }

    /// <summary>The inputs, shape (m × inputs).</summary>
    public Matrix X { get; }

    /// <summary>The targets, shape (m × outputs).</summary>
    public Matrix Y { get; }

    /// <summary>The number of examples m.</summary>
    public int Count => X.Rows;

    /// <summary>
    /// One weight per example (length m, each finite and ≥ 0), or null for none: the loss is then the weighted mean
    /// <c>Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ</c> (see <see cref="Losses.WeightedValue"/>); unit
    /// weights give the bits of no weights.
    /// </summary>
    public Vector? Weights { get; private init; }

    /// <summary>A copy with per-example weights (null: none).</summary>
    /// <exception cref="ArgumentException">When the count differs from m, or a weight is negative or not finite.</exception>
    public TrainingData WithWeights(Vector? weights)
    {
        if (weights is not null) RowWeights.Check(weights, Count, nameof(weights));
        return this with { Weights = weights };
    }

    /// <summary>The examples at <paramref name="indices"/>, in that order (with their weights).</summary>
    public TrainingData Select(IReadOnlyList<int> indices) =>
        new TrainingData(X.SelectRows(indices), Y.SelectRows(indices)) { Weights = Weights is null ? null : Vector.Own([.. indices.Select(i => Weights[i])]) };
}

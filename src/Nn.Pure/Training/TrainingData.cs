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

    /// <summary>The examples at <paramref name="indices"/>, in that order.</summary>
    public TrainingData Select(IReadOnlyList<int> indices) => new(X.SelectRows(indices), Y.SelectRows(indices));
}

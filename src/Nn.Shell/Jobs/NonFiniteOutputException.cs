namespace Nn.Shell;

/// <summary>
/// A model's output was NaN or infinite for an input row (a model that has diverged, or inputs far outside the training
/// range); nothing was written. The CLI exits with code 3, as for divergence.
/// </summary>
public sealed class NonFiniteOutputException : Exception
{
    /// <summary>The output for row <paramref name="row"/> (0-based) was not finite; <paramref name="message"/> says where and what.</summary>
    public NonFiniteOutputException(int row, string message) : base(message) => Row = row;

    /// <summary>A non-finite output described in one line (the model, the data and the first row) by <paramref name="message"/>.</summary>
    public NonFiniteOutputException(string message) : this(-1, message) { }

    /// <summary>The 0-based data row whose output was not finite (the first such row), or -1 when the message alone says.</summary>
    public int Row { get; }
}

namespace Nn.Shell;

/// <summary>
/// A model's outputs on the given rows are NaN or infinite, so its predictions or metrics would be meaningless; the
/// message names the first such row. <c>nn</c> exits with code 3 and writes nothing.
/// </summary>
public sealed class NonFiniteOutputException : Exception
{
    /// <summary>A non-finite output, described in one line (the file and the first row).</summary>
    /// <param name="message">One line naming the model, the data and the first row whose output is not finite.</param>
    public NonFiniteOutputException(string message) : base(message) { }
}

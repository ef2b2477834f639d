namespace Nn.Shell;

/// <summary>A file named on the command line: the flag that named it and the path as given.</summary>
/// <param name="Flag">The flag, e.g. <c>--out</c> (or a short description for a file no flag names, e.g. "bundled digits data").</param>
/// <param name="Path">The path as the user gave it; null when the flag was not given (the argument is then ignored).</param>
public sealed record FileArgument(string Flag, string? Path)
{
    /// <summary>
    /// For an input: the output flag that may name this same file, because the input is read completely before that output
    /// is first written (<c>nn train --resume run.ckpt --checkpoint run.ckpt</c> continues a run); null for none.
    /// </summary>
    public string? UpdatedBy { get; init; }
}

namespace Nn.Shell;

/// <summary>A model or checkpoint file could not be read; the message names the file and what was expected.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>An error in <paramref name="sourceName"/> (a path, or any name the bytes were given).</summary>
    /// <param name="sourceName">The file's path or name, as given to the reader.</param>
    /// <param name="expected">What was wrong and what was expected, e.g. "header length 9 runs past the end of the 12-byte file".</param>
    public ModelFileException(string sourceName, string expected)
        : base($"{sourceName}: {expected}")
    {
        SourceName = sourceName;
    }

    /// <summary>The file's path or name as given to the reader.</summary>
    public string SourceName { get; }
}

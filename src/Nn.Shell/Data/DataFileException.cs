namespace Nn.Shell;

/// <summary>A data file could not be read; the message names the file, the line and column (1-based) and what was expected.</summary>
public sealed class DataFileException : Exception
{
    /// <summary>An error at <paramref name="line"/>, <paramref name="column"/> of <paramref name="path"/> (0 where not applicable).</summary>
    public DataFileException(string path, int line, int column, string expected)
        : base(line > 0 ? $"{path}:{line}:{column}: {expected}" : $"{path}: {expected}")
    {
        FilePath = path;
        Line = line;
        Column = column;
        Expected = expected;
    }

    /// <summary>What was expected, without the file and position.</summary>
    internal string Expected { get; }

    /// <summary>The file's path as given.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line number, or 0.</summary>
    public int Line { get; }

    /// <summary>The 1-based column (field) number, or 0.</summary>
    public int Column { get; }
}

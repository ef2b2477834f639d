using System.Text.RegularExpressions;

namespace Nn.Examples.Support;

/// <summary>Code blocks of a markdown document, compared line by line with the code that tests compile.</summary>
public static partial class MarkdownCode
{
    /// <summary>The contents of every fenced block of the given language, in order.</summary>
    public static List<string> Blocks(string markdown, string language) =>
        [.. Fence().Matches(markdown.ReplaceLineEndings("\n")).Where(m => m.Groups[1].Value == language).Select(m => m.Groups[2].Value)];

    /// <summary>The non-blank lines of <paramref name="code"/>, trimmed (indentation and line endings may differ).</summary>
    public static List<string> Lines(IEnumerable<string> code) =>
        [.. code.SelectMany(c => c.ReplaceLineEndings("\n").Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0)];

    /// <summary>The text between two markers.</summary>
    public static string Between(string text, string begin, string end)
    {
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{begin}' not found");
        start += begin.Length;
        var stop = text.IndexOf(end, start, StringComparison.Ordinal);
        Assert.True(stop >= 0, $"'{end}' not found after '{begin}'");
        return text[start..stop];
    }

    /// <summary>
    /// Asserts that a page's C# blocks are the code a test compiles: each of their <c>using</c> lines (at least one) is in
    /// <paramref name="source"/>, and their other lines are, in order, the lines between its <c>// guide:begin</c> and
    /// <c>// guide:end</c> markers.
    /// </summary>
    public static void AssertBlocksAreSource(string markdown, string source)
    {
        var lines = Lines(Blocks(markdown, "csharp"));
        var usings = lines.Where(l => l.StartsWith("using ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(usings);
        Assert.All(usings, u => Assert.Contains(u, Lines([source])));
        Assert.Equal(Lines([Between(source, "// guide:begin", "// guide:end")]),
            lines.Where(l => !l.StartsWith("using ", StringComparison.Ordinal)).ToList());
    }

    [GeneratedRegex(@"^```(\w+)\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}

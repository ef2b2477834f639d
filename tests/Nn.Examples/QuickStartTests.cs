using System.Globalization;
using System.Text.RegularExpressions;
using Nn.Examples.Support;
using Xunit.Abstractions;

namespace Nn.Examples;

/// <summary>Console.SetOut is process-wide: nothing else may run while the quick start writes to it.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>The README quick start is compiled (QuickStart.cs), kept identical to the README, and run.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed partial class QuickStartTests(ITestOutputHelper output)
{
    [Fact]
    public void Readme_quick_start_is_the_code_in_QuickStart_cs()
    {
        var readme = File.ReadAllText(Path.Combine(BundledData.RepositoryRoot, "README.md"));
        var source = File.ReadAllText(Path.Combine(BundledData.RepositoryRoot, "tests", "Nn.Examples", "QuickStart.cs"));

        var section = MarkdownCode.Between(readme, "<!-- quick-start:begin -->", "<!-- quick-start:end -->");
        var block = MarkdownCode.Between(section, "```csharp", "```");
        var readmeLines = MarkdownCode.Lines([block]);
        var usings = readmeLines.Where(l => l.StartsWith("using ", StringComparison.Ordinal)).ToList();
        var statements = readmeLines.Where(l => !l.StartsWith("using ", StringComparison.Ordinal)).ToList();

        var sourceLines = MarkdownCode.Lines([source]);
        foreach (var u in usings) Assert.Contains(u, sourceLines);
        var code = MarkdownCode.Lines([MarkdownCode.Between(source, "// quick-start:begin", "// quick-start:end")]);
        Assert.Equal(statements, code);
        Assert.NotEmpty(code);
    }

    [Fact]
    public void Readme_quick_start_learns_xor_and_its_gradient_check_passes()
    {
        var text = RunQuickStart();
        output.WriteLine(text);

        var finalLoss = double.Parse(FinalLoss().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var p = Probabilities().Match(text).Groups[1].Value.Split(", ").Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var check = GradientCheckLine().Match(text).Groups[1].Value;

        Assert.True(finalLoss < 0.05, $"final loss {finalLoss}");
        Assert.Equal([0.0, 1.0, 1.0, 0.0], p.Select(v => Math.Round(v)));
        var parts = check.Split("; ");
        Assert.Equal(5, parts.Length);                               // W1, b1, W2, b2 and the random directions
        Assert.All(parts.Take(4), t => Assert.EndsWith(" ok", t, StringComparison.Ordinal));
        Assert.Matches(@"^directions (\d+)/\1 ok$", parts[4]);
        Assert.DoesNotContain("FAILED", check, StringComparison.Ordinal);
    }

    private static string RunQuickStart()
    {
        var previous = Console.Out;
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(writer);
        try
        {
            QuickStart.Run();
        }
        finally
        {
            Console.SetOut(previous);
        }
        return writer.ToString();
    }

    [GeneratedRegex(@"final loss ([0-9.]+);")]
    private static partial Regex FinalLoss();

    [GeneratedRegex(@"p = Matrix\[4×1\] \(([^)]*)\)")]
    private static partial Regex Probabilities();

    [GeneratedRegex(@"gradient check: (.*)$", RegexOptions.Multiline)]
    private static partial Regex GradientCheckLine();
}

namespace Nn.Cli.Tests;

/// <summary>
/// The checks every CLI test makes of a finished <c>nn</c> run (its exit code, standard output and standard error), in one
/// place: <c>using static Nn.Cli.Tests.CliAssert;</c>.
/// </summary>
internal static class CliAssert
{
    /// <summary>The run succeeded (exit 0); otherwise the failure shows its standard error.</summary>
    public static void Ok((int Code, string Out, string Err) r) => Assert.True(r.Code == 0, $"exit {r.Code}; stderr: {r.Err}");

    /// <summary>
    /// The run was refused as the project refuses input: exit <paramref name="code"/>, exactly one line on standard error
    /// starting "nn: ", holding every fragment, and no stack trace.
    /// </summary>
    public static void Refused((int Code, string Out, string Err) r, int code, params string[] fragments)
    {
        Assert.True(r.Code == code, $"exit code {r.Code}; stderr: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "one line on stderr, got: " + r.Err);
        Assert.StartsWith("nn: ", r.Err);
        foreach (var f in fragments) Assert.Contains(f, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err);
    }

    /// <summary><see cref="Refused((int Code, string Out, string Err), int, string[])"/> with exit code 2, a bad input.</summary>
    public static void Refused((int Code, string Out, string Err) r, params string[] fragments) => Refused(r, 2, fragments);

    /// <summary>Refused (exit 2), and the one line starts "nn: " followed by <paramref name="start"/> (the flag or file it names).</summary>
    public static void RefusedStarting((int Code, string Out, string Err) r, string start)
    {
        Refused(r, 2);
        Assert.StartsWith("nn: " + start, r.Err);
    }
}

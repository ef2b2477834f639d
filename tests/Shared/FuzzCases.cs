using System.Globalization;

namespace Nn.Tests.Shared;

/// <summary>
/// How many random cases each fuzz property runs. CI runs the defaults (hundreds); a nightly-size run sets the environment
/// variable <c>NN_FUZZ_CASES</c> (e.g. 20000) to run that many per property, and <c>NN_FUZZ_SEED</c> (any integer) to
/// explore other cases than the fixed default seeds. See docs/hardening.md.
/// </summary>
/// <remarks>One file compiled into both test projects that fuzz file readers (Nn.Properties and Nn.Shell.Tests).</remarks>
internal static class FuzzCases
{
    /// <summary>NN_FUZZ_CASES when set to a positive integer, else <paramref name="ciDefault"/>.</summary>
    public static int Count(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("NN_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : ciDefault;

    /// <summary><paramref name="seed"/> mixed with NN_FUZZ_SEED when that is set, else <paramref name="seed"/> itself.</summary>
    public static ulong Seed(ulong seed) =>
        ulong.TryParse(Environment.GetEnvironmentVariable("NN_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? seed ^ (s * 0x9E3779B97F4A7C15UL) : seed;
}

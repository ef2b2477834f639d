using FsCheck;
using FsCheck.Fluent;

namespace Nn.Properties.Support;

/// <summary>
/// The one place that fixes how properties run: a fixed replay seed (so every failure reproduces on every machine)
/// and the default number of cases. Every property test goes through <see cref="Check{T}(Arbitrary{T}, Action{T}, int)"/>
/// or its overloads.
/// </summary>
public static class PropertyConfig
{
    /// <summary>FsCheck's replay seed (SplitMix state) for every property.</summary>
    public const ulong ReplaySeed = 0x00000000_5EED_2024UL;

    /// <summary>FsCheck's replay gamma (must be odd).</summary>
    public const ulong ReplayGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The same replay for FsCheck.Xunit's <c>[Property(Replay = PropertyConfig.Replay)]</c>: "(seed,gamma)" in decimal.</summary>
    public const string Replay = "(1592598564,11400714819323198485)";

    /// <summary>Cases per property unless a test asks for another count; keeps the whole suite well under 10 s.</summary>
    public const int DefaultMaxTest = 150;

    /// <summary>FsCheck's quick, throw-on-failure configuration with the fixed replay seed.</summary>
    public static Config Quick(int maxTest = DefaultMaxTest) =>
        Config.QuickThrowOnFailure.WithReplay(ReplaySeed, ReplayGamma).WithMaxTest(maxTest);

    /// <summary>Checks that <paramref name="property"/> holds (returns true) for values of <paramref name="arb"/>.</summary>
    public static void Check<T>(Arbitrary<T> arb, Func<T, bool> property, int maxTest = DefaultMaxTest) =>
        FsCheck.Check.One(Quick(maxTest), Prop.ForAll(arb, property));

    /// <summary>Checks that <paramref name="property"/> does not throw (use xunit asserts inside) for values of <paramref name="arb"/>.</summary>
    public static void Check<T>(Arbitrary<T> arb, Action<T> property, int maxTest = DefaultMaxTest) =>
        FsCheck.Check.One(Quick(maxTest), Prop.ForAll(arb, property));

    /// <summary>As <see cref="Check{T}(Arbitrary{T}, Func{T, bool}, int)"/> for a generator without a shrinker.</summary>
    public static void Check<T>(Gen<T> gen, Func<T, bool> property, int maxTest = DefaultMaxTest) =>
        Check(Arb.From(gen), property, maxTest);

    /// <summary>As <see cref="Check{T}(Arbitrary{T}, Action{T}, int)"/> for a generator without a shrinker.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, int maxTest = DefaultMaxTest) =>
        Check(Arb.From(gen), property, maxTest);
}

using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// The library's own specified, counter-based pseudo-random generator (SplitMix64, Steele, Lea &amp; Flood 2014).
/// </summary>
/// <remarks>
/// The contract, fixed so results can be reproduced anywhere:
/// <list type="bullet">
/// <item><c>Mix64(z)</c>: <c>z ^= z &gt;&gt; 30; z *= 0xBF58476D1CE4E5B9; z ^= z &gt;&gt; 27; z *= 0x94D049BB133111EB; z ^= z &gt;&gt; 31</c>.</item>
/// <item>The i-th word (0-based) of key k is <c>Mix64(k.State + (i + 1)·0x9E3779B97F4A7C15)</c> — exactly the i-th output of
/// SplitMix64 seeded with <c>k.State</c>.</item>
/// <item><c>Fold(k, d)</c> is the key whose state is word d of the state <c>k.State ^ 0x243F6A8885A308D3</c>;
/// <c>Split(k, n)</c> is <c>[Fold(k, 0), …, Fold(k, n − 1)]</c>.</item>
/// <item>A uniform double in [0, 1) is <c>(word &gt;&gt; 11)·2⁻⁵³</c>; in [low, high) it is <c>low + (high − low)·unit</c>,
/// clamped to the largest double below high where rounding reaches high.</item>
/// <item>Normals use Box–Muller on word pairs (2j, 2j+1): <c>u₁ = 1 − uniform(2j)</c>, <c>u₂ = uniform(2j+1)</c>,
/// normal 2j = <c>√(−2 ln u₁)·cos(2πu₂)</c>, normal 2j+1 = <c>√(−2 ln u₁)·sin(2πu₂)</c>.</item>
/// <item>Permutations: Fisher–Yates from the last index down; at step i (i = n−1 … 1) with the t-th word w (t = n−1−i),
/// j = <c>⌊w·(i+1) / 2⁶⁴⌋</c>, swap i and j.</item>
/// </list>
/// </remarks>
public static class Prng
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong FoldTag = 0x243F6A8885A308D3UL;

    /// <summary>The SplitMix64 finaliser (a bijection on 64-bit words).</summary>
    public static ulong Mix64(ulong z)
    {
        unchecked
        {
            z ^= z >> 30;
            z *= 0xBF58476D1CE4E5B9UL;
            z ^= z >> 27;
            z *= 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>The i-th 64-bit word of <paramref name="key"/>'s stream (0-based).</summary>
    public static ulong Word(Key key, long index) => unchecked(Mix64(key.State + ((ulong)index + 1) * Gamma));

    /// <summary>The first <paramref name="count"/> words of <paramref name="key"/>'s stream.</summary>
    public static ImmutableArray<ulong> Words(Key key, int count)
    {
        var w = new ulong[CheckCount(count)];
        Kernels.Mixing.Words(key.State, 0, w);
        return ImmutableCollectionsMarshal.AsImmutableArray(w);
    }

    /// <summary>A new key derived from <paramref name="key"/> and the integer <paramref name="data"/> (e.g. an epoch or layer index).</summary>
    public static Key Fold(Key key, long data) => new(Word(new Key(key.State ^ FoldTag), data));

    /// <summary><paramref name="count"/> independent keys derived from <paramref name="key"/>: <c>[Fold(key, 0), …]</c>.</summary>
    public static ImmutableArray<Key> Split(Key key, int count)
    {
        var keys = new Key[CheckCount(count)];
        for (var i = 0; i < keys.Length; i++) keys[i] = Fold(key, i);
        return ImmutableCollectionsMarshal.AsImmutableArray(keys);
    }

    /// <summary>A uniform double in [0, 1) from a 64-bit word: <c>(w &gt;&gt; 11)·2⁻⁵³</c>.</summary>
    public static double ToUnit(ulong word) => (word >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// <paramref name="count"/> uniform doubles in [low, high): <c>low + (high − low)·unit(word i)</c>, or the largest double
    /// below high where that sum rounds up to high.
    /// </summary>
    public static Vector Uniform(Key key, int count, double low, double high)
    {
        var v = new double[CheckCount(count)];
        FillUniform(key, v, low, high);
        return Vector.Own(v);
    }

    /// <summary><paramref name="count"/> normal doubles with the given mean and standard deviation (Box–Muller, see the class remarks).</summary>
    public static Vector Normal(Key key, int count, double mean, double stdDev)
    {
        var v = new double[CheckCount(count)];
        FillNormal(key, v, mean, stdDev);
        return Vector.Own(v);
    }

    /// <summary>A uniformly random permutation of 0 … n−1 (Fisher–Yates, see the class remarks).</summary>
    public static ImmutableArray<int> Permutation(Key key, int n)
    {
        var p = new int[CheckCount(n)];
        for (var i = 0; i < n; i++) p[i] = i;
        Kernels.Mixing.Shuffle(key.State, p);
        return ImmutableCollectionsMarshal.AsImmutableArray(p);
    }

    /// <summary>A uniform integer in [0, n) from word <paramref name="index"/> of the key's stream (multiply-high; bias below 2⁻³²).</summary>
    public static int Below(Key key, long index, int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The bound must be > 0.");
        return (int)Math.BigMul(Word(key, index), (ulong)n, out _);
    }

    internal static void FillUniform(Key key, Span<double> destination, double low, double high)
    {
        var width = high - low;
        for (var i = 0; i < destination.Length; i++)
        {
            // Rounding can carry low + width·unit up to high itself (e.g. 999 + (1 − 2⁻⁵³) = 1000): clamp below high.
            var x = low + width * ToUnit(Word(key, i));
            destination[i] = x < high || !(high > low) ? x : Math.BitDecrement(high);
        }
    }

    internal static void FillNormal(Key key, Span<double> destination, double mean, double stdDev)
    {
        for (var i = 0; i < destination.Length; i += 2)
        {
            var u1 = 1.0 - ToUnit(Word(key, i));
            var u2 = ToUnit(Word(key, i + 1));
            // Box–Muller with the library's own logarithm and sin/cos of π·(2u₂) (no C-library function: the same bits everywhere).
            var r = Math.Sqrt(-2.0 * Kernels.Logarithm.Of(u1));
            var (sin, cos) = Kernels.Trigonometry.SinCosPi(2.0 * u2);
            destination[i] = mean + stdDev * r * cos;
            if (i + 1 < destination.Length) destination[i + 1] = mean + stdDev * r * sin;
        }
    }

    private static int CheckCount(int count) =>
        count >= 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be >= 0.");
}

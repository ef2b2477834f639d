using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// The PRNG contract of <see cref="Prng"/>: golden SplitMix64 words from an independent C reference, key derivation,
/// and the distributions built on the words.
/// </summary>
public class PrngTests
{
    // The first five outputs of Vigna's splitmix64.c seeded with 0, 42 and 1234567, printed by
    // Support/splitmix64_reference.c (gcc -O2 -std=gnu99). They are not computed by any code under test.
    private static readonly ulong[] Seed0 =
        [0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL, 0xF88BB8A8724C81ECUL, 0x1B39896A51A8749BUL];

    private static readonly ulong[] Seed42 =
        [0xBDD732262FEB6E95UL, 0x28EFE333B266F103UL, 0x47526757130F9F52UL, 0x581CE1FF0E4AE394UL, 0x09BC585A244823F2UL];

    private static readonly ulong[] Seed1234567 =
        [0x599ED017FB08FC85UL, 0x2C73F08458540FA5UL, 0x883EBCE5A3F27C77UL, 0x3FBEF740E9177B3FUL, 0xE3B8346708CB5ECDUL];

    public static TheoryData<long, ulong[]> Golden => new() { { 0, Seed0 }, { 42, Seed42 }, { 1234567, Seed1234567 } };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Word_i_is_the_i_th_output_of_the_C_reference_SplitMix64(long seed, ulong[] expected)
    {
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], Prng.Word(Key.FromSeed(seed), i));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Words_are_the_C_reference_SplitMix64_outputs_in_order(long seed, ulong[] expected)
    {
        Assert.Equal(expected, Prng.Words(Key.FromSeed(seed), expected.Length));
        Assert.Empty(Prng.Words(Key.FromSeed(seed), 0));
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Words_agree_with_Word_at_every_index() =>
        Prop.ForAll(
            Arb.From(from seed in Gens.Seed
                     from count in Gen.Choose(0, 300)
                     select (seed, count)),
            t =>
            {
                var key = Key.FromSeed(t.seed);
                var words = Prng.Words(key, t.count);
                return words.Length == t.count && Enumerable.Range(0, t.count).All(i => words[i] == Prng.Word(key, i));
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Fold_and_Split_are_deterministic_and_Split_is_Fold_at_0_to_n_minus_1() =>
        Prop.ForAll(
            Arb.From(from seed in Gens.Seed
                     from data in Gen.Choose(0, 1000)
                     from count in Gen.Choose(0, 20)
                     select (seed, data, count)),
            t =>
            {
                var key = Key.FromSeed(t.seed);
                var split = Prng.Split(key, t.count);
                return Prng.Fold(key, t.data) == Prng.Fold(Key.FromSeed(t.seed), t.data)
                    && split.SequenceEqual(Prng.Split(Key.FromSeed(t.seed), t.count))
                    && Enumerable.Range(0, t.count).All(i => split[i] == Prng.Fold(key, i))
                    // The documented definition: word d of the key whose state is State ^ 0x243F6A8885A308D3.
                    && Prng.Fold(key, t.data).State == Prng.Word(new Key(key.State ^ 0x243F6A8885A308D3UL), t.data);
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Fold_with_distinct_data_gives_distinct_keys() =>
        Prop.ForAll(
            Arb.From(from seed in Gens.Seed
                     from i in Gen.Choose(0, 1_000_000)
                     from j in Gen.Choose(0, 1_000_000)
                     select (seed, i, j)),
            t => t.i == t.j || Prng.Fold(Key.FromSeed(t.seed), t.i) != Prng.Fold(Key.FromSeed(t.seed), t.j));

    [Fact]
    public void Split_keys_are_pairwise_distinct_and_differ_from_the_parent()
    {
        var parent = Key.FromSeed(42);
        var keys = Prng.Split(parent, 1000);
        Assert.Equal(1000, keys.Distinct().Count());
        Assert.DoesNotContain(parent, keys);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Uniform_lies_in_low_high() =>
        Prop.ForAll(
            Arb.From(from seed in Gens.Seed
                     from count in Gen.Choose(0, 50)
                     from low in Gen.Choose(-1000, 1000)
                     from width in Gen.Choose(1, 1000)
                     select (seed, count, low: (double)low, high: (double)(low + width))),
            t =>
            {
                var v = Prng.Uniform(Key.FromSeed(t.seed), t.count, t.low, t.high);
                return v.Length == t.count && v.Values.All(x => x >= t.low && x < t.high);
            });

    [Fact]
    public void Uniform_stays_below_high_even_for_the_largest_word()
    {
        // Key whose word 0 is 2⁶⁴ − 1, so unit(word 0) = 1 − 2⁻⁵³, the largest unit value. Then the documented formula
        // low + (high − low)·unit = 999 + 0.99999999999999989 rounds to exactly 1000 = high, outside [low, high).
        var key = new Key(Mix64Inverse(ulong.MaxValue) - 0x9E3779B97F4A7C15UL);
        Assert.Equal(ulong.MaxValue, Prng.Word(key, 0));
        Assert.Equal(1.0 - Math.Pow(2, -53), Prng.ToUnit(Prng.Word(key, 0)));
        var x = Prng.Uniform(key, 1, 999.0, 1000.0)[0];
        Assert.True(x is >= 999.0 and < 1000.0, $"Uniform gave {x:R}, outside [999, 1000).");
    }

    [Fact]
    public void Normal_has_mean_about_0_and_std_about_1_on_20000_draws()
    {
        var v = Prng.Normal(Key.FromSeed(2024), 20_000, 0.0, 1.0).ToArray();
        var mean = v.Average();
        var std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        Assert.True(Math.Abs(mean) < 0.05, $"mean {mean}");
        Assert.True(Math.Abs(std - 1) < 0.05, $"std {std}");
        Assert.All(v, x => Assert.True(double.IsFinite(x)));
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Normal_of_odd_count_is_the_prefix_of_the_next_even_count() =>
        Prop.ForAll(
            Arb.From(from seed in Gens.Seed
                     from half in Gen.Choose(0, 20)
                     select (seed, n: 2 * half + 1)),
            t => Prng.Normal(Key.FromSeed(t.seed), t.n, 3.0, 2.0).BitEquals(
                Vector.Create(Prng.Normal(Key.FromSeed(t.seed), t.n + 1, 3.0, 2.0).Values.Take(t.n))));

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Permutation_is_a_permutation_of_0_to_n_minus_1_and_deterministic() =>
        Prop.ForAll(
            Arb.From(from seed in Gens.Seed
                     from n in Gen.Choose(0, 50)
                     select (seed, n)),
            t =>
            {
                var p = Prng.Permutation(Key.FromSeed(t.seed), t.n);
                return p.Length == t.n
                    && p.Order().SequenceEqual(Enumerable.Range(0, t.n))
                    && p.SequenceEqual(Prng.Permutation(Key.FromSeed(t.seed), t.n));
            });

    [Fact]
    public void Permutation_of_10_for_seed_42_follows_the_documented_Fisher_Yates()
    {
        // The documented algorithm, written out here independently of Prng: Fisher–Yates from the last index down; at
        // step i = n−1 … 1 take SplitMix64 output t = n−1−i (our own copy of Vigna's next()), j = ⌊w·(i+1) / 2⁶⁴⌋, swap.
        const int n = 10;
        var state = 42UL;
        var p = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var w = SplitMix64Next(ref state);
            var j = (int)Math.BigMul(w, (ulong)(i + 1), out _);
            (p[i], p[j]) = (p[j], p[i]);
        }

        // Also printed by Support/splitmix64_reference.c ("permutation seed 42, n 10").
        int[] golden = [8, 3, 6, 5, 4, 0, 9, 2, 1, 7];
        Assert.Equal(golden, p);
        Assert.Equal(golden, Prng.Permutation(Key.FromSeed(42), n));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(258)]
    [InlineData(1000)]
    public void Permutation_follows_the_documented_Fisher_Yates_across_word_chunks(int n)
    {
        // Permutation draws its words in SIMD chunks of up to 256: the same words as one Vigna next() after another.
        foreach (var seed in new ulong[] { 42, 7, ulong.MaxValue })
        {
            var state = seed;
            var p = Enumerable.Range(0, n).ToArray();
            for (var i = n - 1; i > 0; i--)
            {
                var j = (int)Math.BigMul(SplitMix64Next(ref state), (ulong)(i + 1), out _);
                (p[i], p[j]) = (p[j], p[i]);
            }
            Assert.Equal(p, Prng.Permutation(Key.FromSeed(unchecked((long)seed)), n));
        }
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Below_is_in_range() =>
        Prop.ForAll(
            Arb.From(from seed in Gens.Seed
                     from index in Gen.Choose(0, 1000)
                     from n in Gen.Choose(1, 100)
                     select (seed, index, n)),
            t => Prng.Below(Key.FromSeed(t.seed), t.index, t.n) is var b && b >= 0 && b < t.n);

    [Fact]
    public void ToUnit_maps_the_extreme_words_into_0_1()
    {
        Assert.Equal(0.0, Prng.ToUnit(0));
        Assert.Equal(1.0 - Math.Pow(2, -53), Prng.ToUnit(ulong.MaxValue));
    }

    /// <summary>Vigna's splitmix64.c <c>next()</c>, transcribed.</summary>
    private static ulong SplitMix64Next(ref ulong x)
    {
        unchecked
        {
            var z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>The inverse of the SplitMix64 finaliser, to construct a key with a chosen first word.</summary>
    private static ulong Mix64Inverse(ulong z)
    {
        unchecked
        {
            z = UnXorShift(z, 31);
            z *= MultiplicativeInverse(0x94D049BB133111EBUL);
            z = UnXorShift(z, 27);
            z *= MultiplicativeInverse(0xBF58476D1CE4E5B9UL);
            return UnXorShift(z, 30);
        }
    }

    private static ulong UnXorShift(ulong y, int shift)
    {
        var x = y;
        for (var s = shift; s < 64; s += shift) x = y ^ (x >> shift);
        return x;
    }

    private static ulong MultiplicativeInverse(ulong odd)
    {
        unchecked
        {
            var inv = odd; // Newton's iteration doubles the correct low bits each step: 3 → 6 → … → 96 ≥ 64.
            for (var i = 0; i < 5; i++) inv *= 2 - odd * inv;
            return inv;
        }
    }
}

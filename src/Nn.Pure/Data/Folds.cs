using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// A K-fold assignment of the indices 0 … n−1 (see <see cref="Folds"/>): <see cref="Fold"/>[i] is the fold, in [0, K), whose
/// test part holds index i. Equality is by value.
/// </summary>
public sealed record KFold
{
    internal KFold(int k, ImmutableArray<int> fold)
    {
        K = k;
        Fold = fold;
    }

    /// <summary>The number of folds K (at least 2).</summary>
    public int K { get; }

    /// <summary>The fold of each index, length n, values in [0, K).</summary>
    public ImmutableArray<int> Fold { get; }

    /// <summary>
    /// Fold <paramref name="fold"/> as a train/test split: the indices in that fold test, the others train, both in
    /// increasing order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When fold is not in [0, K).</exception>
    public TrainTestSplit Split(int fold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fold);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fold, K);
        var train = new List<int>(Fold.Length);
        var test = new List<int>(Fold.Length / K + 1);
        for (var i = 0; i < Fold.Length; i++) (Fold[i] == fold ? test : train).Add(i);
        return new TrainTestSplit([.. train], [.. test]);
    }

    /// <summary>Value equality: same K and the same fold for every index.</summary>
    public bool Equals(KFold? other) =>
        other is not null && (ReferenceEquals(this, other) || (K == other.K && Fold.SequenceEqual(other.Fold)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(K, Fold.Length);

    /// <summary>A short description with the first folds, e.g. <c>KFold { K = 3, Fold = [2, 0, 1, …] }</c>.</summary>
    public override string ToString() => $"KFold {{ K = {K}, Fold = {Format.Items(Fold)} }}";
}

/// <summary>
/// Seeded K-fold assignments for cross-validation: pure functions of the key, dealt round-robin over a permutation so that
/// fold sizes differ by at most one (and, stratified, each class's count per fold too).
/// </summary>
public static class Folds
{
    /// <summary>
    /// The key of a cross-validation's folds for a run seed: <c>Prng.Fold(Key.FromSeed(seed), 4)</c>, apart from the
    /// sub-keys 0 … 3 a fit takes from the same seed (weights, training, validation and test splits).
    /// </summary>
    public static Key KeyOf(long seed) => Prng.Fold(Key.FromSeed(seed), 4);

    /// <summary>
    /// Plain shuffled folds of <paramref name="count"/> indices: the j-th index of <see cref="Prng.Permutation"/>(key, count)
    /// goes to fold j mod k, so the first count mod k folds hold one index more.
    /// </summary>
    /// <exception cref="ArgumentException">When k &lt; 2 or k &gt; count.</exception>
    public static KFold Plain(Key key, int count, int k)
    {
        CheckK(k);
        if (k > count) throw new ArgumentException($"{k} folds need at least {k} rows, there are {count}.", nameof(k));
        var perm = Prng.Permutation(key, count);
        var fold = new int[count];
        for (var j = 0; j < count; j++) fold[perm[j]] = j % k;
        return new KFold(k, ImmutableCollectionsMarshal.AsImmutableArray(fold));
    }

    /// <summary>
    /// Stratified folds of the indices of <paramref name="labels"/> (values ≥ 0): the members of each class c, permuted
    /// with <c>Prng.Fold(key, c)</c>, are dealt round-robin to the folds by one counter that runs on across the classes
    /// (class 0 first), so every class's count per fold differs by at most one, and so does every fold's size.
    /// </summary>
    /// <exception cref="ArgumentException">When k &lt; 2, a label is negative, or a class that occurs has fewer than k members.</exception>
    public static KFold Stratified(Key key, IReadOnlyList<int> labels, int k)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckK(k);
        var members = Nn.Split.ClassMembers(labels);
        for (var c = 0; c < members.Length; c++)
            if (members[c].Count > 0 && members[c].Count < k)
                throw new ArgumentException($"{k} stratified folds need at least {k} rows of every class; class {c} has {members[c].Count}.", nameof(k));
        var fold = new int[labels.Count];
        var dealt = 0;
        for (var c = 0; c < members.Length; c++)
        {
            var perm = Prng.Permutation(Prng.Fold(key, c), members[c].Count);
            foreach (var j in perm) fold[members[c][j]] = dealt++ % k;
        }
        return new KFold(k, ImmutableCollectionsMarshal.AsImmutableArray(fold));
    }

    /// <summary>The number of members of the smallest class that occurs in <paramref name="labels"/> (0 when empty).</summary>
    /// <exception cref="ArgumentException">When a label is negative.</exception>
    public static int SmallestClass(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var counts = Nn.Split.ClassMembers(labels).Select(m => m.Count).Where(n => n > 0).ToList();
        return counts.Count == 0 ? 0 : counts.Min();
    }

    private static void CheckK(int k)
    {
        if (k < 2) throw new ArgumentException($"Cross-validation needs at least 2 folds, got {k}.", nameof(k));
    }
}

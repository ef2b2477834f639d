using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>
/// A train/test partition of the indices 0 … n−1 (see <see cref="Split"/>). Each array is in shuffled order; together
/// they hold every index exactly once. Equality is by value.
/// </summary>
public sealed record TrainTestSplit
{
    internal TrainTestSplit(ImmutableArray<int> train, ImmutableArray<int> test)
    {
        Train = train;
        Test = test;
    }

    /// <summary>The training indices.</summary>
    public ImmutableArray<int> Train { get; }

    /// <summary>The test indices.</summary>
    public ImmutableArray<int> Test { get; }

    /// <summary>Value equality: same indices in the same order.</summary>
    public bool Equals(TrainTestSplit? other) =>
        other is not null && (ReferenceEquals(this, other) || (Train.SequenceEqual(other.Train) && Test.SequenceEqual(other.Test)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Train.Length, Test.Length, Train.IsEmpty ? 0 : Train[0]);

    /// <summary>A short description with the first indices of each part, e.g. <c>TrainTestSplit { Train = [3, 0, 4], Test = [1, 2] }</c>.</summary>
    public override string ToString() => $"TrainTestSplit {{ Train = {Format.Items(Train)}, Test = {Format.Items(Test)} }}";
}

/// <summary>Both halves of a classification data set split by a <see cref="TrainTestSplit"/>.</summary>
/// <param name="Train">The training examples.</param>
/// <param name="Test">The test examples.</param>
public sealed record DatasetSplit(Dataset Train, Dataset Test);

/// <summary>Seeded train/test splits: a pure function of the key, so the same key always gives the same split.</summary>
public static class Split
{
    /// <summary>
    /// A random split of the indices 0 … count−1 with <c>⌈testFraction·count⌉</c> test indices (like scikit-learn):
    /// the test set is the first part of <see cref="Prng.Permutation"/>(key, count), the training set the rest.
    /// </summary>
    /// <exception cref="ArgumentException">When count &lt; 0 or testFraction is not in [0, 1].</exception>
    public static TrainTestSplit TrainTest(Key key, int count, double testFraction)
    {
        if (count < 0) throw new ArgumentException($"The count must be >= 0, got {count}.", nameof(count));
        CheckFraction(testFraction);
        var perm = Prng.Permutation(key, count);
        var nTest = TestSize(count, testFraction);
        return new TrainTestSplit(perm[nTest..], perm[..nTest]);
    }

    /// <summary>
    /// A stratified random split of the indices of <paramref name="labels"/> (length m, values ≥ 0): each class c with
    /// n_c examples sends <c>round(testFraction·n_c)</c> of them (midpoints away from zero) to the test set, chosen by a
    /// permutation from a key folded from <paramref name="key"/> and c, so per-class test counts are within ½ of the exact
    /// proportion. Both sets are then shuffled with keys derived from <paramref name="key"/>.
    /// </summary>
    /// <exception cref="ArgumentException">When a label is negative or testFraction is not in [0, 1].</exception>
    public static TrainTestSplit Stratified(Key key, IReadOnlyList<int> labels, double testFraction)
    {
        CheckFraction(testFraction);
        var members = ClassMembers(labels);
        var keys = Prng.Split(key, 3);
        var train = new List<int>(labels.Count);
        var test = new List<int>(labels.Count);
        for (var c = 0; c < members.Length; c++)
        {
            var idx = members[c];
            var perm = Prng.Permutation(Prng.Fold(keys[0], c), idx.Count);
            var nTest = (int)Math.Round(testFraction * idx.Count, MidpointRounding.AwayFromZero);
            for (var j = 0; j < idx.Count; j++) (j < nTest ? test : train).Add(idx[perm[j]]);
        }
        return new TrainTestSplit(Shuffle(keys[1], train), Shuffle(keys[2], test));
    }

    /// <summary>The positions of each class in <paramref name="labels"/> (values ≥ 0), in increasing order; one list per class 0 … max label.</summary>
    /// <exception cref="ArgumentException">When a label is negative.</exception>
    internal static List<int>[] ClassMembers(IReadOnlyList<int> labels)
    {
        var classes = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"Label {labels[i]} at position {i} is negative.", nameof(labels));
            classes = Math.Max(classes, labels[i] + 1);
        }
        var members = new List<int>[classes];
        for (var c = 0; c < classes; c++) members[c] = [];
        for (var i = 0; i < labels.Count; i++) members[labels[i]].Add(i);
        return members;
    }

    /// <summary>Applies a split to a classification data set: the rows and labels at Train and at Test.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, m).</exception>
    public static DatasetSplit Apply(TrainTestSplit split, Dataset data) =>
        new(Dataset.Subset(data, split.Train), Dataset.Subset(data, split.Test));

    /// <summary>The rows of X (m × n) at <paramref name="indices"/>, shape (indices.Count × n); same as <see cref="Matrix.SelectRows"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, m).</exception>
    public static Matrix Rows(Matrix x, IReadOnlyList<int> indices) => x.SelectRows(indices);

    /// <summary>The labels at <paramref name="indices"/> (length indices.Count); same as <see cref="Labels.Select"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, labels.Count).</exception>
    public static ImmutableArray<int> Take(IReadOnlyList<int> labels, IReadOnlyList<int> indices) => Labels.Select(labels, indices);

    /// <summary>The number of test examples for <paramref name="count"/> examples: <c>⌈testFraction·count⌉</c>.</summary>
    internal static int TestSize(int count, double testFraction) => Math.Min(count, (int)Math.Ceiling(testFraction * count));

    private static ImmutableArray<int> Shuffle(Key key, List<int> items)
    {
        var perm = Prng.Permutation(key, items.Count);
        var result = new int[items.Count];
        for (var i = 0; i < result.Length; i++) result[i] = items[perm[i]];
        return ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    private static void CheckFraction(double testFraction)
    {
        if (!(testFraction >= 0.0 && testFraction <= 1.0))
            throw new ArgumentException($"The test fraction must be in [0, 1], got {testFraction}.", nameof(testFraction));
    }
}

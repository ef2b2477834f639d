using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>What to do with the last batch of an epoch when the example count is not a multiple of the batch size.</summary>
public enum LastBatch
{
    /// <summary>Keep it as a smaller batch (every example is seen once per epoch).</summary>
    Keep,
    /// <summary>Drop it (every batch has exactly BatchSize examples; up to BatchSize − 1 examples skipped per epoch).</summary>
    Drop,
}

/// <summary>How an epoch is cut into mini-batches.</summary>
/// <param name="BatchSize">Examples per batch (≥ 1). A size at or above the example count means one batch of all
/// examples (so <see cref="int.MaxValue"/> is full-batch training, and <see cref="LastBatch.Drop"/> never drops everything).</param>
/// <param name="Shuffle">Whether each epoch visits the examples in a fresh seeded order.</param>
/// <param name="Last">The policy for a final partial batch.</param>
public sealed record BatchPolicy(int BatchSize, bool Shuffle, LastBatch Last)
{
    /// <summary>Full-batch gradient descent: one batch of all examples, in file order.</summary>
    public static BatchPolicy FullBatch { get; } = new(int.MaxValue, false, LastBatch.Keep);

    /// <summary>Shuffled mini-batches of <paramref name="batchSize"/>, keeping a final partial batch.</summary>
    public static BatchPolicy MiniBatch(int batchSize) => new(batchSize, true, LastBatch.Keep);
}

/// <summary>Pure, seeded mini-batch planning: the order of examples depends only on (key, epoch), never on timing.</summary>
public static class Batches
{
    /// <summary>
    /// The order in which epoch <paramref name="epoch"/> visits <paramref name="count"/> examples:
    /// <c>Prng.Permutation(Prng.Fold(key, epoch), count)</c> when shuffling, else 0 … count−1.
    /// </summary>
    public static ImmutableArray<int> EpochOrder(Key key, long epoch, int count, bool shuffle) =>
        shuffle ? Prng.Permutation(Prng.Fold(key, epoch), count) : [.. Enumerable.Range(0, count)];

    /// <summary>Cuts <paramref name="order"/> into consecutive batches of the policy's size, applying its last-batch policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the batch size is below 1.</exception>
    public static ImmutableArray<ImmutableArray<int>> Chunk(IReadOnlyList<int> order, BatchPolicy policy)
    {
        if (policy.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(policy), policy.BatchSize, "The batch size must be >= 1.");
        var count = order.Count;
        var size = Math.Min(policy.BatchSize, Math.Max(count, 1));
        // The usual orders (an ImmutableArray or an array) are copied as spans, not element by element through the interface.
        var span = order switch { ImmutableArray<int> ia => ia.AsSpan(), int[] arr => arr, _ => default };
        var batches = ImmutableArray.CreateBuilder<ImmutableArray<int>>(count / size + 1);
        for (var start = 0; start < count; start += size)
        {
            var n = Math.Min(size, count - start);
            if (n < size && policy.Last == LastBatch.Drop) break;
            var b = new int[n];
            if (span.Length == count) span.Slice(start, n).CopyTo(b);
            else for (var i = 0; i < n; i++) b[i] = order[start + i];
            batches.Add(ImmutableCollectionsMarshal.AsImmutableArray(b));
        }
        return batches.ToImmutable();
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>: <c>Chunk(EpochOrder(key, epoch, count, policy.Shuffle), policy)</c>.</summary>
    public static ImmutableArray<ImmutableArray<int>> ForEpoch(Key key, long epoch, int count, BatchPolicy policy) =>
        Chunk(EpochOrder(key, epoch, count, policy.Shuffle), policy);
}

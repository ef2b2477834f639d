using Nn.Shell;
using Nn.Tests.Shared;

namespace Nn.Properties.ModelFiles;

/// <summary>
/// Damaged files never crash the readers: every truncation and a few hundred random byte changes (<c>NN_FUZZ_CASES</c> for
/// more, see <see cref="FuzzCases"/>) either read back a valid value or raise <see cref="ModelFileException"/>, never another
/// exception, each within an allocation bound (a size read from a damaged header is never trusted before it is checked).
/// Nothing here depends on the machine's speed: the only clock is a generous limit that turns a hang into a failure.
/// </summary>
public class FuzzTests
{
    /// <summary>The most one read of <paramref name="bytes"/> may allocate: a few copies of the input and a little more.</summary>
    private static long Budget(byte[] bytes) => 16L * bytes.Length + (4 << 20);

    private enum Outcome { Equal, Different, Refused }

    /// <summary>
    /// Runs all <paramref name="cases"/> on a worker: a case that allocates more than <see cref="Budget"/> or raises anything
    /// but <see cref="ModelFileException"/> fails the test, and so does a hang (the worker not done after ten minutes).
    /// </summary>
    private static Outcome[] Run<T>(IReadOnlyList<byte[]> cases, Func<byte[], string, T> read, Func<T, byte[]> write, T original)
        where T : class
    {
        var task = Task.Run(() => cases.Select((bytes, i) =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var outcome = Read(bytes, read, write, original);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= Budget(bytes), $"case {i} ({bytes.Length} bytes) allocated {allocated} bytes");
            return outcome;
        }).ToArray());
        Assert.True(task.Wait(TimeSpan.FromMinutes(10)), "the cases did not finish: a read hangs");
        return task.Result;
    }

    private static Outcome Read<T>(byte[] bytes, Func<byte[], string, T> read, Func<T, byte[]> write, T original)
        where T : class
    {
        try
        {
            var value = read(bytes, "fuzz");
            if (value.Equals(original)) return Outcome.Equal;
            // A change that yields another valid value (e.g. a letter of a label) must itself round-trip.
            Assert.Equal(value, read(write(value), "again"));
            return Outcome.Different;
        }
        catch (ModelFileException)
        {
            return Outcome.Refused;
        }
    }

    [Fact]
    public void Every_truncation_of_a_model_file_is_refused()
    {
        var model = ModelGens.SmallClassifier();
        var bytes = ModelFile.ToBytes(model);
        var outcomes = Run([.. Enumerable.Range(0, bytes.Length + 1).Select(n => bytes[..n])], (b, s) => ModelFile.FromBytes(b, s), ModelFile.ToBytes, model);
        Assert.All(outcomes[..^1], o => Assert.Equal(Outcome.Refused, o));
        Assert.Equal(Outcome.Equal, outcomes[^1]);
    }

    [Fact]
    public void Every_truncation_of_a_checkpoint_file_is_refused()
    {
        var checkpoint = ModelGens.SmallCheckpoint();
        var bytes = CheckpointFile.ToBytes(checkpoint);
        var outcomes = Run([.. Enumerable.Range(0, bytes.Length + 1).Select(n => bytes[..n])], CheckpointFile.FromBytes, CheckpointFile.ToBytes, checkpoint);
        Assert.All(outcomes[..^1], o => Assert.Equal(Outcome.Refused, o));
        Assert.Equal(Outcome.Equal, outcomes[^1]);
    }

    /// <summary>
    /// <paramref name="count"/> copies of <paramref name="bytes"/> with 1–3 random bytes changed (three in four in the header,
    /// the interesting part), each flagged when a tensor byte differs.
    /// </summary>
    private static (byte[] Bytes, bool InData)[] Mutations(byte[] bytes, int count, long seed)
    {
        var dataStart = 8 + (int)BitConverter.ToUInt64(bytes, 0);
        var d = new Draw(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var mutated = (byte[])bytes.Clone();
            for (var c = 1 + d.Below(3); c > 0; c--)
                mutated[d.Below(4) == 0 ? d.Below(bytes.Length) : d.Below(dataStart)] = (byte)d.Below(256);
            return (mutated, !mutated.AsSpan(dataStart).SequenceEqual(bytes.AsSpan(dataStart)));
        })];
    }

    [Fact]
    public void Random_byte_changes_to_a_model_file_are_refused_or_harmless()
    {
        var model = ModelGens.SmallClassifier();
        var cases = Mutations(ModelFile.ToBytes(model), FuzzCases.Count(400), (long)FuzzCases.Seed(2024));
        var outcomes = Run([.. cases.Select(c => c.Bytes)], (b, s) => ModelFile.FromBytes(b, s), ModelFile.ToBytes, model);
        // A changed tensor byte always changes the parameters' hash; only the header's text can change the value undetected.
        for (var i = 0; i < cases.Length; i++)
            if (cases[i].InData) Assert.Equal(Outcome.Refused, outcomes[i]);
        Assert.True(outcomes.Count(o => o == Outcome.Refused) > cases.Length * 3 / 4, string.Join(", ", outcomes.CountBy(o => o)));
    }

    [Fact]
    public void Random_byte_changes_to_a_checkpoint_file_are_refused_or_harmless()
    {
        var checkpoint = ModelGens.SmallCheckpoint();
        var cases = Mutations(CheckpointFile.ToBytes(checkpoint), FuzzCases.Count(300), (long)FuzzCases.Seed(7));
        var outcomes = Run([.. cases.Select(c => c.Bytes)], CheckpointFile.FromBytes, CheckpointFile.ToBytes, checkpoint);
        // tensors_sha256 covers the moments and best parameters too.
        for (var i = 0; i < cases.Length; i++)
            if (cases[i].InData) Assert.Equal(Outcome.Refused, outcomes[i]);
        Assert.True(outcomes.Count(o => o == Outcome.Refused) > cases.Length * 2 / 3, string.Join(", ", outcomes.CountBy(o => o)));
    }
}

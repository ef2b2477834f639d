using System.Collections.Immutable;
using System.Text;

namespace Nn.Shell;

/// <summary>Row indices of a train/test split.</summary>
/// <param name="Train">The 0-based rows of the training part, ascending.</param>
/// <param name="Test">The 0-based rows of the test part, ascending.</param>
public sealed record RowSplit(ImmutableArray<int> Train, ImmutableArray<int> Test)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Sequence equality.</summary>
    public bool Equals(RowSplit? other) => other is not null && Train.SequenceEqual(other.Train) && Test.SequenceEqual(other.Test);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Train.Length, Test.Length);
}

/// <summary>Reads split files of the form <c>row,split</c> with <c>split</c> = train or test (the shared data sets' format).</summary>
public static class SplitFile
{
    /// <summary>Reads <paramref name="path"/>; a <see cref="DataFileException"/> names any bad line.</summary>
    public static RowSplit Read(string path)
    {
        var train = ImmutableArray.CreateBuilder<int>();
        var test = ImmutableArray.CreateBuilder<int>();
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != "row,split") throw new DataFileException(path, 1, 1, "expected the header 'row,split'.");
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != 2 || !int.TryParse(f[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var row))
                throw new DataFileException(path, i + 1, 1, $"expected 'row,split' with a non-negative row number, found '{lines[i]}'.");
            switch (f[1].Trim())
            {
                case "train": train.Add(row); break;
                case "test": test.Add(row); break;
                default: throw new DataFileException(path, i + 1, 2, $"expected 'train' or 'test', found '{f[1]}'.");
            }
        }
        train.Sort();
        test.Sort();
        return new RowSplit(train.ToImmutable(), test.ToImmutable());
    }
}

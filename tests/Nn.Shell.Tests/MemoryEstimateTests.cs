using Nn.Shell;

namespace Nn.Shell.Tests;

/// <summary>The memory estimate: parameter counts in checked (saturating) arithmetic, the parts, and which flag a refusal names.</summary>
public class MemoryEstimateTests
{
    [Fact]
    public void Parameter_counts_are_exact_beyond_int_and_saturate_beyond_long()
    {
        Assert.Equal(4L * 8 + 8 + 8 * 3 + 3, MemoryEstimate.ParameterCountOf([4, 8, 3]));
        Assert.Equal(16_000_000_003L, MemoryEstimate.ParameterCountOf([4, 2_000_000_000, 3]));
        Assert.Equal(0L, MemoryEstimate.ParameterCountOf([5]));
        Assert.Equal(long.MaxValue, MemoryEstimate.ParameterCountOf(Enumerable.Repeat(int.MaxValue, 10).ToArray()));
    }

    [Fact]
    public void Training_counts_parameter_copies_scratch_and_data()
    {
        Assert.Equal(5, MemoryEstimate.TrainingCopies(0, checkpoint: false));
        Assert.Equal(9, MemoryEstimate.TrainingCopies(2, checkpoint: false));
        Assert.Equal(17, MemoryEstimate.TrainingCopies(2, checkpoint: true));
        var e = MemoryEstimate.ForTraining([2, 10, 1], rows: 100, batchRows: 32, copies: 9, dataCopies: 3);
        Assert.Equal(41L, e.ParameterCount);
        Assert.Equal(41L * 8 * 9, e.ParameterBytes);
        Assert.Equal((2 + 3 * (10 + 1)) * 32L * 8, e.ScratchBytes);
        Assert.Equal(100L * 3 * 8 * 3, e.DataBytes);
        Assert.Equal(e.ParameterBytes + e.ScratchBytes + e.DataBytes, e.TotalBytes);
        Assert.Equal(320L, e.LargestArray); // a batch of 32 rows × 10 units
    }

    [Fact]
    public void Sums_saturate_instead_of_overflowing()
    {
        var e = MemoryEstimate.ForGradientCheck([int.MaxValue, int.MaxValue, int.MaxValue], int.MaxValue);
        Assert.Equal(long.MaxValue, e.TotalBytes);
        Assert.Equal(long.MaxValue, e.ScratchBytes);
    }

    [Fact]
    public void A_refusal_gives_both_numbers_and_names_the_flag_of_the_largest_part()
    {
        var wide = MemoryEstimate.ForGradientCheck([4, 1000, 3], 8);
        wide.Check([4, 1000, 3], wide.TotalBytes, "--layers", "--batch", "--data"); // exactly enough: no refusal
        var e = Assert.Throws<ArgumentException>(() => wide.Check([4, 1000, 3], wide.TotalBytes - 1, "--layers", "--batch", "--data"));
        Assert.Equal("--layers: 4 → 1000 → 3 needs about 876.5 KiB of memory (parameters and their copies 687.8 KiB, batch scratch 188.3 KiB, data 448 B), more than the 876.5 KiB .NET reports available; use narrower --layers.", e.Message);

        var big = MemoryEstimate.ForTraining([4, 8, 3], rows: 1000, batchRows: 1_000_000, copies: 5, dataCopies: 2);
        Assert.StartsWith("--batch-size: ", Assert.Throws<ArgumentException>(() => big.Check([4, 8, 3], 1000, "--layers", "--batch-size", "--data")).Message);
        var data = MemoryEstimate.ForTraining([400, 1, 1], rows: 1_000_000, batchRows: 1, copies: 5, dataCopies: 2);
        Assert.EndsWith("; use less data.", Assert.Throws<ArgumentException>(() => data.Check([400, 1, 1], 1000, "--layers", "--batch-size", "--data")).Message);
    }

    [Fact]
    public void An_array_longer_than_dotnet_allows_is_refused_even_when_memory_suffices()
    {
        var e = MemoryEstimate.ForGradientCheck([50_000, 50_000, 1], 1);
        Assert.True(e.LargestArray > Array.MaxLength);
        var error = Assert.Throws<ArgumentException>(() => e.Check([50_000, 50_000, 1], long.MaxValue, "--layers", "--batch", "--data"));
        Assert.Contains("needs an array of 2500000000 numbers; .NET arrays hold at most", error.Message);
    }

    [Fact]
    public void Byte_counts_read_in_binary_units()
    {
        Assert.Equal("512 B", MemoryEstimate.Bytes(512));
        Assert.Equal("1.0 KiB", MemoryEstimate.Bytes(1024));
        Assert.Equal("1.5 GiB", MemoryEstimate.Bytes(3L << 29));
        Assert.Equal("8.0 EiB", MemoryEstimate.Bytes(long.MaxValue));
    }
}

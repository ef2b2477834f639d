using System.Globalization;

namespace Nn.Shell;

/// <summary>
/// The memory a run needs, estimated from its sizes before anything large is allocated, so that a run that cannot fit is
/// refused with both numbers rather than killed by the kernel. Bytes are 8 per double; the sums saturate at
/// <see cref="long.MaxValue"/> (sizes are products of user-given widths and may overflow any integer type).
/// </summary>
/// <param name="ParameterCount">The network's weights and biases: Σ (sizes[i] + 1)·sizes[i + 1].</param>
/// <param name="ParameterBytes">Every parameter-sized array alive at the peak: parameters, gradients, optimizer moments and
/// the copies the run makes of them.</param>
/// <param name="ScratchBytes">Per-batch scratch: each layer's pre-activations, activations and their gradients.</param>
/// <param name="DataBytes">The data matrices (features and targets, scaled and split copies).</param>
/// <param name="LargestArray">The element count of the largest single array (a weight matrix, a batch's widest layer, the
/// feature matrix); .NET arrays hold at most <see cref="Array.MaxLength"/>.</param>
public sealed record MemoryEstimate(long ParameterCount, long ParameterBytes, long ScratchBytes, long DataBytes, long LargestArray)
{
    /// <summary>The sum of the three parts, in bytes (saturating).</summary>
    public long TotalBytes => Saturate((Int128)ParameterBytes + ScratchBytes + DataBytes);

    /// <summary>The weights and biases of a network with layer sizes <c>[inputs, hidden…, outputs]</c> (saturating).</summary>
    public static long ParameterCountOf(IReadOnlyList<int> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        Int128 total = 0;
        for (var i = 0; i + 1 < sizes.Count; i++) total += ((Int128)sizes[i] + 1) * sizes[i + 1];
        return Saturate(total);
    }

    /// <summary>
    /// How many parameter-sized arrays training holds at its peak with an optimizer of <paramref name="moments"/> moments
    /// (0 for SGD, 1 for momentum, Nesterov and RMSProp, 2 for Adam and AdamW): the last epoch's state and the step loop's
    /// working copy (each parameters and moments), the gradients, the best epoch's parameters and the state the epoch ends
    /// with; a checkpoint adds its tensors and its file's bytes (parameters, moments and best parameters, twice). Measured:
    /// SGD needs 5–6 copies, Adam 8–10, Adam with a checkpoint 16–18 (a 16-million-parameter network under
    /// <c>DOTNET_GCHeapHardLimit</c>).
    /// </summary>
    public static int TrainingCopies(int moments, bool checkpoint) => 2 * (1 + moments) + 3 + (checkpoint ? 2 * (2 + moments) : 0);

    /// <summary>
    /// Training a network with layer sizes <paramref name="sizes"/> on <paramref name="rows"/> rows (all of them, before the
    /// validation rows are held out), <paramref name="batchRows"/> at a time, with <paramref name="copies"/> parameter-sized
    /// arrays (<see cref="TrainingCopies"/>) and <paramref name="dataCopies"/> copies of the data (the read matrix, the
    /// scaled one and, when rows are held out, the split).
    /// </summary>
    public static MemoryEstimate ForTraining(IReadOnlyList<int> sizes, long rows, long batchRows, int copies, int dataCopies)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var p = ParameterCountOf(sizes);
        var inputs = sizes.Count > 0 ? sizes[0] : 0;
        var outputs = sizes.Count > 0 ? sizes[^1] : 0;
        return new MemoryEstimate(p, Saturate((Int128)p * 8 * copies), Scratch(sizes, batchRows),
            Saturate((Int128)rows * (inputs + outputs) * 8 * dataCopies), Largest(sizes, batchRows, rows));
    }

    /// <summary>
    /// A gradient check of a network with layer sizes <paramref name="sizes"/> on a batch of <paramref name="batchRows"/> rows:
    /// 11 parameter-sized arrays (the network, its gradient, both flattened, the shifted copy, the network made from it, a
    /// random direction, and a nearby point's parameters, network, gradient and flattened gradient), the batch's scratch
    /// and the batch itself.
    /// </summary>
    public static MemoryEstimate ForGradientCheck(IReadOnlyList<int> sizes, long batchRows)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var p = ParameterCountOf(sizes);
        var inputs = sizes.Count > 0 ? sizes[0] : 0;
        var outputs = sizes.Count > 0 ? sizes[^1] : 0;
        return new MemoryEstimate(p, Saturate((Int128)p * 8 * 11), Scratch(sizes, batchRows),
            Saturate((Int128)batchRows * (inputs + outputs) * 8), Largest(sizes, batchRows, batchRows));
    }

    /// <summary>The memory .NET may use in this process: <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/> (the physical
    /// memory, or a container's or <c>DOTNET_GCHeapHardLimit</c>'s limit).</summary>
    public static long Available() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Refuses a run that does not fit: more bytes than <paramref name="availableBytes"/>, or an array longer than .NET
    /// allows. The message is one line naming the flag to change: <paramref name="layersFlag"/> when the parameters
    /// dominate, <paramref name="batchFlag"/> when the batch scratch does, <paramref name="dataFlag"/> when the data does.
    /// </summary>
    /// <param name="sizes">The layer sizes, for the message.</param>
    /// <param name="availableBytes">What the process may use (see <see cref="Available"/>).</param>
    /// <param name="layersFlag">E.g. <c>--layers</c>.</param>
    /// <param name="batchFlag">E.g. <c>--batch-size</c>.</param>
    /// <param name="dataFlag">E.g. <c>--data</c>.</param>
    /// <exception cref="ArgumentException">When the run does not fit; the message starts with the flag.</exception>
    public void Check(IReadOnlyList<int> sizes, long availableBytes, string layersFlag, string batchFlag, string dataFlag)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var flag = ParameterBytes >= ScratchBytes && ParameterBytes >= DataBytes ? layersFlag : ScratchBytes >= DataBytes ? batchFlag : dataFlag;
        var advice = flag == layersFlag ? $"use narrower {layersFlag}" : flag == batchFlag ? $"use a smaller {batchFlag}" : "use less data";
        var network = string.Join(" → ", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        if (TotalBytes > availableBytes)
            throw new ArgumentException(
                $"{flag}: {network} needs about {Bytes(TotalBytes)} of memory (parameters and their copies {Bytes(ParameterBytes)}, " +
                $"batch scratch {Bytes(ScratchBytes)}, data {Bytes(DataBytes)}), more than the {Bytes(availableBytes)} .NET reports available; {advice}.");
        if (LargestArray > Array.MaxLength)
            throw new ArgumentException(
                $"{flag}: {network} needs an array of {LargestArray.ToString(CultureInfo.InvariantCulture)} numbers; .NET arrays hold at most {Array.MaxLength.ToString(CultureInfo.InvariantCulture)}; {advice}.");
    }

    /// <summary>A byte count for people: <c>512 B</c>, <c>3.2 MiB</c>, <c>259.1 GiB</c>.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{value:F1} {units[unit]}");
    }

    /// <summary>Each layer's Z, A and ∂J/∂Z for a batch (the input batch included), in bytes.</summary>
    private static long Scratch(IReadOnlyList<int> sizes, long batchRows)
    {
        Int128 units = sizes.Count > 0 ? sizes[0] : 0;
        for (var i = 1; i < sizes.Count; i++) units += (Int128)sizes[i] * 3;
        return Saturate(units * batchRows * 8);
    }

    private static long Largest(IReadOnlyList<int> sizes, long batchRows, long rows)
    {
        Int128 largest = 0;
        for (var i = 0; i < sizes.Count; i++)
        {
            if (i + 1 < sizes.Count) largest = Int128.Max(largest, (Int128)sizes[i] * sizes[i + 1]);
            largest = Int128.Max(largest, (Int128)sizes[i] * (i == 0 ? rows : batchRows));
        }
        return Saturate(largest);
    }

    private static long Saturate(Int128 value) => value > long.MaxValue ? long.MaxValue : (long)value;
}

namespace Nn;

/// <summary>
/// How fast a computation runs, never what it computes: every result is bit-identical for any value of these options.
/// A value passed to the functions that can use it (<see cref="Training.Steps"/>, <see cref="Training.Epoch"/>,
/// <see cref="Training.Step"/>, <see cref="Forward.Predict(Network, Matrix, ComputeOptions?)"/>); the core keeps no
/// process-wide setting, so two callers with different options never see each other's.
/// </summary>
/// <remarks>
/// A parallel kernel splits its <em>outputs</em> (whole tiles of rows or columns of a matrix product, ranges of an
/// element-wise pass) between threads; each output element is computed by exactly one thread, in the same order as on
/// one thread, and no sum is ever split. From F#: <c>ComputeOptions.WithThreads 2</c>.
/// </remarks>
public sealed record ComputeOptions
{
    private readonly int maxThreads = 1;

    /// <summary>One thread, the kernels the machine supports.</summary>
    public static ComputeOptions Default { get; } = new();

    /// <summary>Options with up to <paramref name="maxThreads"/> threads per kernel.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="maxThreads"/> is below 1.</exception>
    public static ComputeOptions WithThreads(int maxThreads) => new() { MaxThreads = maxThreads };

    /// <summary>
    /// The most threads one kernel may use (≥ 1; default 1). The core never inspects the machine, so the caller (the
    /// shell, e.g. <c>nn train --threads N</c>) decides; <c>Environment.ProcessorCount</c> is a good value. Products
    /// smaller than about a million multiply-adds always run on the calling thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When set below 1.</exception>
    public int MaxThreads
    {
        get => maxThreads;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            maxThreads = value;
        }
    }

    /// <summary>Which kernel paths may run and where work is split (for tests and tuning; speed only, never bits).</summary>
    internal KernelPolicy Kernels { get; init; } = KernelPolicy.Default;
}

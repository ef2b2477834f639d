namespace Nn;

/// <summary>
/// Process-wide performance settings. They change how fast the kernels run, never what they compute: every result is
/// bit-identical for any value.
/// </summary>
/// <remarks>
/// A parallel kernel splits its <em>outputs</em> (whole tiles of rows or columns of a matrix product) between threads;
/// each output element is computed by exactly one thread, in the same order as on one thread, and no sum is ever split.
/// </remarks>
public static class Compute
{
    private static int maxThreads = 1;

    /// <summary>
    /// The most threads one matrix product may use (≥ 1; default 1). The core never inspects the machine, so the
    /// caller (the shell, e.g. <c>nn train --threads N</c>) decides; <c>Environment.ProcessorCount</c> is a good
    /// value. Products smaller than about a million multiply-adds always run on the calling thread. Affects speed
    /// only, never results.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When set below 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref maxThreads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref maxThreads, value);
        }
    }
}

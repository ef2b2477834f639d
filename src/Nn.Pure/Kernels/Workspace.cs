namespace Nn.Kernels;

/// <summary>
/// Reusable scratch arrays for the intermediate values of one training step (the forward trace, the deltas and the
/// gradients), which the step reads and drops: they never escape the call that rented them.
/// </summary>
/// <remarks>
/// One workspace per thread. <see cref="Begin"/> starts a step; each <see cref="Rent"/> then returns the array of the
/// same position in the previous step when its length matches (a step asks for the same sequence of shapes every
/// time), so steady-state steps allocate only the values they return; each position also keeps the array of the last
/// other length, so two alternating shapes (full batches and a final partial one) allocate nothing either. A rented
/// array holds stale values: every kernel writing into one overwrites all of it. The retained memory is bounded by two
/// steps' intermediates.
/// </remarks>
internal sealed class Workspace
{
    [ThreadStatic] private static Workspace? current;

    private readonly List<double[]> buffers = [];
    private readonly List<double[]?> spares = [];
    private int next;

    /// <summary>
    /// Set by the forward pass of this step when the output layer is softmax: <c>log Σⱼ e^(zⱼ)</c> of every output row,
    /// the bits of <see cref="Elementwise.LogSumExpRows"/>, from the softmax's own exponentials (so the CCE loss need not
    /// evaluate them again). Null after <see cref="Begin"/>.
    /// </summary>
    internal double[]? OutputLogSumExp { get; set; }

    /// <summary>This thread's workspace, rewound to its first array; everything rented from it before is now free.</summary>
    internal static Workspace Begin()
    {
        var w = current ??= new Workspace();
        w.next = 0;
        w.OutputLogSumExp = null;
        return w;
    }

    /// <summary>Rewinds a workspace owned by the caller (not this thread's step workspace) to its first array.</summary>
    internal void Rewind() => next = 0;

    /// <summary>An array of exactly <paramref name="length"/> doubles (stale contents), reused across steps.</summary>
    internal double[] Rent(int length)
    {
        if (next < buffers.Count)
        {
            if (buffers[next].Length != length)
            {
                // Keep the array of the other length as a spare: alternating shapes (full batches and a final partial
                // one) then reuse both instead of allocating twice an epoch.
                var spare = spares[next];
                spares[next] = buffers[next];
                buffers[next] = spare is not null && spare.Length == length ? spare : new double[length];
            }
            return buffers[next++];
        }
        var b = new double[length];
        buffers.Add(b);
        spares.Add(null);
        next++;
        return b;
    }

    /// <summary>A fresh array when <paramref name="workspace"/> is null (a value the caller may keep), else a rented one.</summary>
    internal static double[] Alloc(Workspace? workspace, int length) => workspace is null ? new double[length] : workspace.Rent(length);
}

namespace Nn.Kernels;

/// <summary>
/// Reusable scratch arrays for the intermediate values of one training step (the forward trace, the deltas and the
/// gradients), which the step reads and drops: they never escape the call that rented them.
/// </summary>
/// <remarks>
/// One workspace per thread. <see cref="Begin"/> starts a step; each <see cref="Rent"/> then returns the array of the
/// same position in the previous step when its length matches (a step asks for the same sequence of shapes every
/// time), so steady-state steps allocate only the values they return; each position also keeps the arrays of the last
/// <see cref="Spares"/> other lengths, so a few recurring shapes allocate nothing either: an epoch's first step (which
/// writes new parameters) rents a different sequence from the in-place steps after it, and a final partial batch a
/// third. A rented array holds stale values: every kernel writing into one overwrites all of it. The retained memory is
/// bounded by <see cref="Spares"/> + 1 steps' intermediates.
/// </remarks>
internal sealed class Workspace
{
    [ThreadStatic] private static Workspace? current;

    private readonly List<double[]> buffers = [];
    private readonly List<double[]?[]> spares = [];

    /// <summary>How many arrays of other lengths each position keeps, most recently used first.</summary>
    internal const int Spares = 3;
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
                // The current array becomes the most recent spare; the array taken is a spare of this length if there
                // is one (recurring shapes then allocate nothing), else a new one, and the least recent spare is dropped.
                var s = spares[next];
                var taken = -1;
                for (var i = 0; i < s.Length && taken < 0; i++) taken = s[i] is { } a && a.Length == length ? i : -1;
                var last = taken < 0 ? s.Length - 1 : taken;
                var b = taken < 0 ? new double[length] : s[taken]!;
                Array.Copy(s, 0, s, 1, last);
                s[0] = buffers[next];
                buffers[next] = b;
            }
            return buffers[next++];
        }
        var fresh = new double[length];
        buffers.Add(fresh);
        spares.Add(new double[Spares][]);
        next++;
        return fresh;
    }

    /// <summary>A fresh array when <paramref name="workspace"/> is null (a value the caller may keep), else a rented one.</summary>
    internal static double[] Alloc(Workspace? workspace, int length) => workspace is null ? new double[length] : workspace.Rent(length);
}

namespace Nn.Kernels;

/// <summary>
/// The context of one computation: its <see cref="ComputeOptions"/>, reusable scratch arrays for the intermediate values
/// of a training step (the forward trace, the deltas and the gradients, which the step reads and drops: they never escape
/// the call that rented them), and the matrix products' packing buffers.
/// </summary>
/// <remarks>
/// <para>Owned by whoever runs the computation (a fold of training steps creates its own) and used by one caller at a
/// time. The options are the computation's own: no setting is process-wide. A public call (one
/// <see cref="Training.Step"/>, one fold of steps) borrows its workspaces from <see cref="Borrow"/> and gives them back,
/// so repeated calls on a thread reuse their arrays: a per-thread cache of memory, not of settings (every borrower sets
/// its own options, and no array holds a value from one call that another reads).</para>
/// <para><see cref="Begin"/> starts a step; each <see cref="Rent"/> then returns the array of the
/// same position in the previous step when its length matches (a step asks for the same sequence of shapes every
/// time), so steady-state steps allocate only the values they return; each position also keeps the arrays of the last
/// <see cref="Spares"/> other lengths, so a few recurring shapes allocate nothing either: an epoch's first step (which
/// writes new parameters) rents a different sequence from the in-place steps after it, and a final partial batch a
/// third. A rented array holds stale values: every kernel writing into one overwrites all of it. The retained memory is
/// bounded by <see cref="Spares"/> + 1 steps' intermediates.</para>
/// </remarks>
internal sealed class Workspace(ComputeOptions options)
{
    // Each thread's workspaces kept between borrowings (a fold holds two at once).
    private static readonly ThreadLocal<Workspace?[]> Cache = new(() => new Workspace?[4]);

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

    /// <summary>The options of the computation this workspace serves.</summary>
    internal ComputeOptions Options { get; private set; } = options;

    /// <summary>A workspace for one call with <paramref name="options"/>: one this thread used before (its arrays reused) or a new one.</summary>
    internal static Workspace Borrow(ComputeOptions options)
    {
        var kept = Cache.Value!;
        for (var i = 0; i < kept.Length; i++)
            if (kept[i] is { } w)
            {
                kept[i] = null;
                w.Options = options;
                return w;
            }
        return new Workspace(options);
    }

    /// <summary>Gives a borrowed workspace back to this thread's cache (dropped when it is full).</summary>
    internal void GiveBack()
    {
        OutputLogSumExp = null;
        var kept = Cache.Value!;
        for (var i = 0; i < kept.Length; i++)
            if (kept[i] is null)
            {
                kept[i] = this;
                return;
            }
    }

    /// <summary>The kernels' policy (<see cref="ComputeOptions.Kernels"/>).</summary>
    internal KernelPolicy Policy => Options.Kernels;

    /// <summary>The most threads a kernel may use (<see cref="ComputeOptions.MaxThreads"/>).</summary>
    internal int Threads => Options.MaxThreads;

    /// <summary>The matrix products' per-thread packing buffers (see <see cref="Kernels.Gemm"/>).</summary>
    internal Kernels.PackBuffers Packs { get; } = new();

    /// <summary>The policy of a kernel called with <paramref name="ws"/>, or the defaults without one.</summary>
    internal static KernelPolicy PolicyOf(Workspace? ws) => ws?.Policy ?? KernelPolicy.Default;

    /// <summary>The thread count of a kernel called with <paramref name="ws"/>: one without one.</summary>
    internal static int ThreadsOf(Workspace? ws) => ws?.Threads ?? 1;

    /// <summary>Starts a step: rewinds to the first array (everything rented before is now free) and forgets the step's extras.</summary>
    internal Workspace Begin()
    {
        next = 0;
        OutputLogSumExp = null;
        return this;
    }

    /// <summary>Rewinds to the first array; everything rented before is now free.</summary>
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

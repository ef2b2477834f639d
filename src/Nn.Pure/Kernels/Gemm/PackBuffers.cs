namespace Nn.Kernels;

/// <summary>
/// The matrix products' packing scratch of one <see cref="Workspace"/>: a slot of buffers for each thread that is running
/// a block at the moment (taken and returned around it), and the operand one parallel product shares between its threads.
/// Buffers only grow, so a computation that repeats its shapes allocates nothing after its first products.
/// </summary>
internal sealed class PackBuffers
{
    /// <summary>One thread's buffers: a block of A, a block of B, and B as rows of whole vectors for the unpacked path.</summary>
    internal sealed class Slot
    {
        public double[]? PackA;
        public double[]? PackB;
        public double[]? DirectB;

        /// <summary>The token (<see cref="Token"/>) of the thread that last took the slot.</summary>
        public object? Owner;
    }

    // An object per thread that takes slots: who took a slot last (a reference, not a thread id, which the core may not read).
    private static readonly ThreadLocal<object> Token = new(() => new object());

    // More free slots than threads a product ever runs on; a slot that finds none free is simply dropped.
    private readonly Slot?[] free = new Slot?[16];
    private Gemm.SharedPack? shared;
    private Gemm.ParallelProduct? job;

    /// <summary>The epilogue split's state (a workspace serves one thread, and the split is never nested).</summary>
    public Gemm.EpiloguePass EpiloguePass { get; } = new();

    /// <summary>The parallel-product state, or a new one when another product holds it.</summary>
    public Gemm.ParallelProduct TakeJob() => Interlocked.Exchange(ref job, null) ?? new Gemm.ParallelProduct();

    /// <summary>Gives the parallel-product state back for the next product.</summary>
    public void ReturnJob(Gemm.ParallelProduct done) => Volatile.Write(ref job, done);

    /// <summary>
    /// A free slot (the buffers of an earlier block), the one this thread used last if it is free, or a new one. The
    /// buffers stay with a thread: a slot that changes threads has its packed panels (tens to hundreds of KB) fetched from
    /// the other core's cache when it is next written. Measured in an experiment that split each step's batch rows
    /// between two threads (32→8×64→4, batch 128; not kept, see docs/benchmarks.md): each thread's half ran 2.2× slower
    /// than the same halves on one thread until the slots stayed with their threads, then at the one-thread speed.
    /// </summary>
    public Slot Take()
    {
        var me = Token.Value!;
        for (var i = 0; i < free.Length; i++)
            if (Volatile.Read(ref free[i]) is { } mine && mine.Owner == me && Interlocked.CompareExchange(ref free[i], null, mine) == mine)
                return mine;
        for (var i = 0; i < free.Length; i++)
            if (Interlocked.Exchange(ref free[i], null) is { } slot)
            {
                slot.Owner = me;
                return slot;
            }
        return new Slot { Owner = me };
    }

    /// <summary>Gives a slot back for the next block.</summary>
    public void Return(Slot slot)
    {
        for (var i = 0; i < free.Length; i++)
            if (Interlocked.CompareExchange(ref free[i], slot, null) is null) return;
    }

    /// <summary>The shared pack, or a new one when another product holds it.</summary>
    public Gemm.SharedPack TakeShared() => Interlocked.Exchange(ref shared, null) ?? new Gemm.SharedPack();

    /// <summary>Gives the shared pack back.</summary>
    public void ReturnShared(Gemm.SharedPack pack) => Volatile.Write(ref shared, pack);
}

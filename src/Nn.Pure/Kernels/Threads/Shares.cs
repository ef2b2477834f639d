namespace Nn.Kernels;

/// <summary>
/// The parts of one parallel call, handed out so that a thread gets the same parts call after call: thread i of T
/// (<see cref="Workers.ThreadIndex"/>) first takes the free parts of its own share, [i·P/T, (i+1)·P/T), then any free part.
/// A kernel whose calls repeat (a training step's products and updates) then has each thread read and write the same
/// ranges of the same arrays every step, which stay in its core's cache instead of crossing to the other core (on this
/// project's 2-vCPU host a cache line's round trip between the cores takes 190–470 ns). Which thread computes a part
/// never changes its bits. Reused by its owner: <see cref="Start"/> before each call.
/// </summary>
internal sealed class Shares
{
    private int[] taken = []; // taken[q] = 1 once a thread has claimed part q
    private int parts;
    private int threads;

    /// <summary>The parts of the current call.</summary>
    public int Count => parts;

    /// <summary>Starts a call of <paramref name="parts"/> parts on up to <paramref name="threads"/> threads: every part free.</summary>
    public void Start(int parts, int threads)
    {
        (this.parts, this.threads) = (parts, threads);
        if (taken.Length < parts) taken = new int[parts];
        else Array.Clear(taken, 0, parts);
    }

    /// <summary>A free part for the calling thread (each of the call's <see cref="Workers"/> iterations claims exactly one).</summary>
    public int Claim()
    {
        var me = Workers.ThreadIndex;
        if (me < threads)
            for (var q = (int)((long)me * parts / threads); q < (int)((long)(me + 1) * parts / threads); q++)
                if (TryTake(q)) return q;
        for (var q = 0; q < parts; q++)
            if (TryTake(q)) return q;
        throw new InvalidOperationException("More claims than parts.");
    }

    private bool TryTake(int q) => Volatile.Read(ref taken[q]) == 0 && Interlocked.Exchange(ref taken[q], 1) == 0;
}

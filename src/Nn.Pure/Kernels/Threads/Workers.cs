using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// The threads of the parallel kernels: the calling thread plus persistent background workers that spin for a
/// millisecond or so after each job before they block. A training step runs a dozen parallel products with short serial
/// passes between them; <see cref="Parallel.For(int, int, Action{int})"/> hands each one to the thread pool, whose
/// worker on a small VM often wakes too late to take its share (measured: with 1 ms iterations the caller ran both
/// halves itself in over half of the calls). A worker that is still spinning starts within a microsecond or two.
/// </summary>
/// <remarks>
/// Iterations are claimed dynamically, so the caller runs every iteration itself when no worker arrives in time; the
/// kernels assign outputs by iteration index, never by thread, so the bits do not depend on who runs what. A call
/// made while another is in progress (another thread, or a nested call from an iteration) runs inline.
/// </remarks>
internal static class Workers
{
    /// <summary>
    /// How many pauses an idle worker spins waiting for the next job before it blocks: 1–3 ms on current x64 cores (a
    /// count, not a time, because the core reads no clock), longer than the serial passes between a step's products.
    /// </summary>
    private const int SpinPauses = 1 << 16;

    private static readonly object Gate = new();

    /// <summary>The pool's state: one set of worker threads serves the process (threads are a resource, not a setting).</summary>
    private sealed class Pool
    {
        /// <summary>The one job, reused for every call (a call allocates nothing): <see cref="Generation"/> tells them apart.</summary>
        public readonly Job Job = new();
        public int Generation;
        public int Busy;
        public int Sleepers;
        public int Started;
    }

    private static readonly Pool State = new();

    // Each worker's number (1, 2, …, in the order they started); 0 on every other thread, the callers.
    private static readonly ThreadLocal<int> Index = new();

    /// <summary>
    /// The calling thread's number among the threads that run iterations: 0 for a caller, 1 … for the workers. A kernel
    /// may use it to give a thread the same part of its output call after call (the part's data then stay in that core's
    /// cache); which thread computes a value never changes it.
    /// </summary>
    internal static int ThreadIndex => Index.Value;

    /// <summary>
    /// Runs <c>body(i)</c> for i in [0, count) on up to <paramref name="threads"/> threads (the caller and threads − 1
    /// workers) and returns when all are done. More iterations than threads balance the load: each thread claims the
    /// next iteration when it finishes one, so a thread that started late or runs slow simply does fewer.
    /// </summary>
    internal static void For(int count, int threads, Action<int> body) =>
        For(count, threads, body, static (state, i) => ((Action<int>)state)(i));

    /// <summary>
    /// <see cref="For(int, int, Action{int})"/> with the iteration's data in <paramref name="state"/>: with a static
    /// <paramref name="body"/> and a reused state object a call allocates nothing.
    /// </summary>
    internal static void For(int count, int threads, object state, Action<object, int> body) =>
        Start(count, threads, state, body, null, 0);

    /// <summary>
    /// <c>body(start, length)</c> over [0, <paramref name="length"/>) cut into 4 ranges per thread (fixed by the length
    /// and thread count, claimed as the threads go), for element-wise passes; on one thread a single call.
    /// </summary>
    internal static void ForRanges(int length, int threads, Action<int, int> body) =>
        ForRanges(length, threads, body, static (state, start, count) => ((Action<int, int>)state)(start, count));

    /// <summary>
    /// <see cref="ForRanges(int, int, Action{int, int})"/> with the pass's data in <paramref name="state"/>: with a static
    /// <paramref name="body"/> and a reused state object a call allocates nothing.
    /// </summary>
    internal static void ForRanges(int length, int threads, object state, Action<object, int, int> body)
    {
        if (threads <= 1)
        {
            body(state, 0, length);
            return;
        }
        Start(threads * 4, threads, state, null, body, length);
    }

    /// <summary>
    /// Iteration i of a call: <c>body(state, i)</c>, or for a call over ranges <c>ranges(state, start, count)</c> of range
    /// i of <paramref name="count"/> equal cuts of [0, <paramref name="length"/>).
    /// </summary>
    private static void Invoke(object state, Action<object, int>? body, Action<object, int, int>? ranges, int length, int count, int i)
    {
        if (ranges is null)
        {
            body!(state, i);
            return;
        }
        var start = (int)((long)length * i / count);
        ranges(state, start, (int)((long)length * (i + 1) / count) - start);
    }

    /// <summary>The calls of <see cref="For(int, int, object, Action{object, int})"/> and <see cref="ForRanges(int, int, object, Action{object, int, int})"/>.</summary>
    private static void Start(int count, int threads, object state, Action<object, int>? body, Action<object, int, int>? ranges, int length)
    {
        threads = Math.Min(threads, count);
        if (threads <= 1 || Interlocked.CompareExchange(ref State.Busy, 1, 0) != 0)
        {
            // On the calling thread alone (one thread asked, or the pool busy with another caller's job): the same
            // contract as with workers, every iteration runs and the first failure is rethrown after the last.
            ExceptionDispatchInfo? failure = null;
            for (var i = 0; i < count; i++)
            {
                try
                {
                    Invoke(state, body, ranges, length, count, i);
                }
                catch (Exception e)
                {
                    failure ??= ExceptionDispatchInfo.Capture(e);
                }
            }
            failure?.Throw();
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            var job = State.Job;
            var generation = State.Generation + 1; // only the Busy holder writes it
            job.Set(generation, state, body, ranges, length, count, threads - 1);
            Interlocked.Exchange(ref State.Generation, generation); // a full fence: the job is complete before a worker can see it
            if (Volatile.Read(ref State.Sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);
            job.Run(generation);
            // Claimed iterations still running on workers: they are already running, so this wait is their remaining work.
            while (Volatile.Read(ref job.Pending) > 0) Pause();
            var failure = job.Failure;
            job.Clear();
            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref State.Busy, 0);
        }
    }

    private static void EnsureWorkers(int wanted)
    {
        while (Volatile.Read(ref State.Started) < wanted)
        {
            lock (Gate)
            {
                if (State.Started >= wanted) return;
                var index = ++State.Started;
                Task.Factory.StartNew(() => Loop(index), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default); // a dedicated background thread
            }
        }
    }

    private static void Loop(int index)
    {
        Index.Value = index;
        var last = 0;
        while (true)
        {
            last = Wait(last);
            if (State.Job.Join(last)) State.Job.Run(last);
        }
    }

    /// <summary>Spins until a generation other than <paramref name="last"/> is published, then blocks until one is.</summary>
    private static int Wait(int last)
    {
        for (var spins = 0; spins < SpinPauses; spins++)
        {
            var generation = Volatile.Read(ref State.Generation);
            if (generation != last) return generation;
            Pause();
        }
        lock (Gate)
        {
            Interlocked.Increment(ref State.Sleepers); // a full fence, paired with the publisher's: one of the two sees the other
            try
            {
                while (true)
                {
                    var generation = Volatile.Read(ref State.Generation);
                    if (generation != last) return generation;
                    Monitor.Wait(Gate);
                }
            }
            finally
            {
                Interlocked.Decrement(ref State.Sleepers);
            }
        }
    }

    /// <summary>The processor's spin-loop hint: it saves power and frees the core's shared resources while waiting.</summary>
    private static void Pause()
    {
        if (X86Base.IsSupported) X86Base.Pause();
        else if (ArmBase.IsSupported) ArmBase.Yield();
    }

    /// <summary>
    /// One call's iterations, claimed one at a time; a worker that arrives late finds them all claimed. The object is
    /// reused by every call: its slot and claim counters carry the call's generation in their high 32 bits, so a worker
    /// that arrives after its call has ended (and the next one has been set up) fails its compare-and-swap instead of
    /// claiming an iteration of a call it did not see; after a successful claim the call's fields cannot change until
    /// that iteration is done (the caller waits for every claimed iteration before it returns).
    /// </summary>
    private sealed class Job
    {
        private object? state;
        private Action<object, int>? body;
        private Action<object, int, int>? ranges;
        private int length;
        private int count;
        private long slots; // generation << 32 | workers that may still join
        private long claim; // generation << 32 | next iteration
        public int Pending;
        public ExceptionDispatchInfo? Failure;

        /// <summary>Sets up a call (by the one caller holding the pool); published by the generation's write after it.</summary>
        public void Set(int generation, object state, Action<object, int>? body, Action<object, int, int>? ranges, int length, int count,
            int workerSlots)
        {
            // First the claim counter, with no iteration to claim: a worker of an earlier call that read the old counter
            // now fails its compare-and-swap, before any field of this call is written.
            Interlocked.Exchange(ref claim, ((long)generation << 32) | int.MaxValue);
            this.state = state;
            this.body = body;
            this.ranges = ranges;
            this.length = length;
            this.count = count;
            Failure = null;
            Pending = count;
            Volatile.Write(ref slots, ((long)generation << 32) | (uint)workerSlots);
            Volatile.Write(ref claim, (long)generation << 32);
        }

        /// <summary>Drops the call's references (its state may be large), after it has ended.</summary>
        public void Clear()
        {
            state = null;
            body = null;
            ranges = null;
        }

        /// <summary>Whether a worker may take part in the call of this generation: at most its thread count.</summary>
        public bool Join(int generation)
        {
            while (true)
            {
                var s = Volatile.Read(ref slots);
                if ((int)(s >> 32) != generation || (int)s <= 0) return false;
                if (Interlocked.CompareExchange(ref slots, s - 1, s) == s) return true;
            }
        }

        public void Run(int generation)
        {
            while (true)
            {
                var c = Volatile.Read(ref claim);
                if ((int)(c >> 32) != generation) return;
                var i = (int)c;
                if (i >= Volatile.Read(ref count)) return;
                if (Interlocked.CompareExchange(ref claim, c + 1, c) != c) continue;
                // Claimed: until this iteration is done, the call (and so its fields) stays this generation's.
                try
                {
                    Invoke(state!, body, ranges, length, count, i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Decrement(ref Pending);
                }
            }
        }
    }
}

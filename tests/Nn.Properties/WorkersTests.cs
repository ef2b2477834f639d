using Nn.Kernels;

namespace Nn.Properties;

/// <summary>
/// The kernels' thread pool (<see cref="Workers"/>): every iteration runs exactly once, whoever calls, however often,
/// concurrently or nested, and after its workers have gone to sleep; a failure reaches the caller after the others end.
/// </summary>
public class WorkersTests
{
    private static int[] Run(int count, int threads = 2)
    {
        var hits = new int[count];
        Workers.For(count, threads, i => Interlocked.Increment(ref hits[i]));
        return hits;
    }

    [Fact]
    public void Every_iteration_runs_exactly_once_in_back_to_back_calls()
    {
        for (var call = 0; call < 3000; call++)
        {
            var count = call % 10;
            Assert.All(Run(count, 1 + call % 4), h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void Back_to_back_calls_with_state_and_a_static_body_see_only_their_own_state()
    {
        // The pool reuses one job object: a worker arriving late for one call must not run an iteration of the next
        // call with the earlier call's state, or the next call's state for an index of the earlier call.
        int[] a = new int[12], b = new int[12];
        for (var call = 0; call < 4000; call++)
        {
            var (mine, other) = call % 2 == 0 ? (a, b) : (b, a);
            var count = 1 + call % 12;
            Array.Clear(mine);
            Workers.For(count, 2, mine, static (state, i) => Interlocked.Increment(ref ((int[])state)[i]));
            for (var i = 0; i < mine.Length; i++) Assert.Equal(i < count ? 1 : 0, mine[i]);
            Assert.All(other, h => Assert.True(h <= 1));
        }
    }

    [Fact]
    public async Task Concurrent_callers_each_get_all_their_iterations_once()
    {
        var failures = 0;
        await Task.WhenAll([.. Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var call = 0; call < 500; call++)
                if (Run(2 + (call + t) % 7, 1 + call % 3).Any(h => h != 1)) Interlocked.Increment(ref failures);
        }))]);
        Assert.Equal(0, failures);
    }

    [Fact]
    public void No_more_threads_than_asked_run_the_iterations()
    {
        Run(8, 4); // workers exist beyond what the calls below allow
        for (var call = 0; call < 200; call++)
        {
            var threads = 1 + call % 3;
            var ids = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
            Workers.For(12, threads, _ =>
            {
                ids[Environment.CurrentManagedThreadId] = true;
                var spin = new SpinWait();
                for (var s = 0; s < 50; s++) spin.SpinOnce(sleep1Threshold: -1); // long enough for idle workers to try to join
            });
            Assert.InRange(ids.Count, 1, threads);
        }
    }

    [Fact]
    public void Ranges_cover_every_index_exactly_once()
    {
        foreach (var length in new[] { 0, 1, 7, 8, 9, 1000, 65537 })
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var hits = new int[length];
                Workers.ForRanges(length, threads, (start, count) =>
                {
                    for (var i = start; i < start + count; i++) Interlocked.Increment(ref hits[i]);
                });
                Assert.All(hits, h => Assert.Equal(1, h));
            }
    }

    [Fact]
    public void A_nested_call_runs_inline_and_completes()
    {
        var inner = new int[3 * 4];
        Workers.For(3, 3, i => Workers.For(4, 2, j => Interlocked.Increment(ref inner[i * 4 + j])));
        Assert.All(inner, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Workers_that_went_to_sleep_are_woken_by_the_next_call()
    {
        Assert.All(Run(2), h => Assert.Equal(1, h));
        Thread.Sleep(50); // far past the spin budget: the workers block
        for (var call = 0; call < 20; call++)
        {
            var overlap = 0;
            var running = 0;
            // Each iteration waits (bounded) for the other to be inside too: only two threads can both be inside at once.
            Workers.For(2, 2, _ =>
            {
                Interlocked.Increment(ref running);
                var spin = new SpinWait();
                for (var s = 0; s < 20000 && Volatile.Read(ref running) < 2; s++) spin.SpinOnce(sleep1Threshold: -1);
                if (Volatile.Read(ref running) == 2) Interlocked.Exchange(ref overlap, 1);
                Interlocked.Decrement(ref running);
            });
            if (overlap == 1) return;
            Thread.Sleep(20);
        }
        Assert.Fail("no worker ever ran beside the caller after sleeping");
    }

    [Fact]
    public void A_failing_iteration_is_rethrown_after_the_others_finish()
    {
        var done = new int[4];
        var e = Assert.Throws<InvalidOperationException>(() => Workers.For(4, 4, i =>
        {
            if (i == 1) throw new InvalidOperationException("iteration 1");
            Thread.Sleep(5);
            Interlocked.Increment(ref done[i]);
        }));
        Assert.Equal("iteration 1", e.Message);
        Assert.Equal([1, 0, 1, 1], done);
        Assert.All(Run(3), h => Assert.Equal(1, h)); // and the pool still works
    }

    [Fact]
    public void A_failing_iteration_on_the_calling_thread_alone_is_rethrown_after_the_others_run()
    {
        // One thread (as when the pool is busy with another caller's job): the same contract as with workers.
        var done = new int[4];
        var e = Assert.Throws<InvalidOperationException>(() => Workers.For(4, 1, i =>
        {
            if (i == 1) throw new InvalidOperationException("iteration 1");
            if (i == 3) throw new InvalidOperationException("iteration 3");
            Interlocked.Increment(ref done[i]);
        }));
        Assert.Equal("iteration 1", e.Message);
        Assert.Equal([1, 0, 1, 0], done);
    }
}

using System.Diagnostics;

namespace Nn.Bench;

/// <summary>
/// The round trip of one cache line between two threads (`quick 2 pingpong`): each writes a shared flag and spins until
/// the other answers. On this 2-vCPU KVM guest it moved between about 190 and 470 ns from one hour to the next, and
/// with it the worth of any split that moves data between the cores every step; benchmark runs print it beside their
/// results so that a reader can tell which kind of host they came from.
/// </summary>
internal static class CoreLatency
{
    private static volatile int flag;

    /// <summary>The median round trip in nanoseconds over <paramref name="rounds"/> rounds of 100,000 exchanges.</summary>
    public static double RoundTripNanoseconds(int rounds = 5)
    {
        const int exchanges = 100_000;
        var times = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var other = new Thread(() =>
            {
                for (var i = 0; i < exchanges; i++)
                {
                    while (flag != 1) { }
                    flag = 0;
                }
            });
            other.Start();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < exchanges; i++)
            {
                flag = 1;
                while (flag != 0) { }
            }
            sw.Stop();
            other.Join();
            times.Add(sw.Elapsed.TotalMilliseconds * 1e6 / exchanges);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}

using System.Diagnostics;
using System.Globalization;
using Nn;

namespace Nn.Bench;

/// <summary>
/// `quick THREADS ab [variant]`: the A/B of each special kernel the engine keeps. For every variant (one kernel turned
/// off in the <see cref="KernelPolicy"/>) and every matrix row of the class it serves, both policies train the same
/// network in one process, in alternating rounds of whole epochs; the reply is the median over rounds of
/// (seconds without the kernel) / (seconds with it): above 1 the kernel earns its place on that row.
/// </summary>
internal static class AbTimings
{
    private sealed record Row(string Activation, string Optimizer, int[] Sizes, int Batch)
    {
        public override string ToString() =>
            $"{Activation} {Optimizer} {string.Join("-", Sizes)} b{Batch}";
    }

    private sealed record Variant(string Name, Func<KernelPolicy, KernelPolicy> Off, KernelPolicy On, Row[] Rows);

    private static Row[] Rows(string[] activations, string[] optimizers, int[][] shapes, int[] batches) =>
        [.. from s in shapes from b in batches from o in optimizers from a in activations select new Row(a, o, s, b)];

    private static readonly int[] Small = [2, 32, 3], Mid = [20, 128, 64, 5];
    private static readonly int[] Deep = [32, 64, 64, 64, 64, 64, 64, 64, 64, 4];

    private static IEnumerable<Variant> Variants()
    {
        var all = KernelPolicy.Default;
        // The kernels removed after their A/B (fused SGD in the blocked product; B resident in registers, rows on the
        // lanes and 8-row blocks in the small products: all within noise of the general paths on the matrix's rows,
        // recorded in docs/benchmarks.md) are gone from the policy; these are the ones kept.
        yield return new("small-mlp", p => p with { SmallMlp = false }, all,
            Rows(["relu", "tanh", "sigmoid", "leaky-relu"], ["sgd", "momentum", "adam"], [Small, [4, 128, 4]], [32, 128]));
        yield return new("unpacked-b", p => p with { UnpackedB = false }, all,
            Rows(["relu", "tanh"], ["sgd", "momentum"], [[784, 512, 512, 10], Mid, Deep], [32, 128]));
        // The parallel threshold: "off" is the default (2²¹ multiply-adds), "on" the named one (above 1: the named one is
        // faster), on the rows whose products sit around it.
        foreach (var log2 in new[] { 18, 20, 22 })
            yield return new($"threshold{log2}", p => KernelPolicy.Default, all with { ParallelThreshold = 1L << log2 },
                Rows(["relu", "tanh"], ["sgd", "adam"], [Mid, Deep, [784, 512, 512, 10]], [32, 128]));
        // Optimizer updates split between threads from 2¹⁶ values (the default, "on") against never on these rows ("off").
        yield return new("update-split", p => p with { UpdateParallelLength = int.MaxValue }, all,
            Rows(["relu"], ["sgd", "momentum", "adam"], [[784, 512, 512, 10]], [32, 128]));
        yield return new("direct", p => p with { DirectThreshold = 0, DirectMaxRows = 0 }, all with { SmallMlp = false },
            Rows(["relu", "tanh"], ["sgd", "adam"], [Small, Mid, Deep], [32, 128]));
    }

    /// <summary>Runs the variants (all, or the one named) and prints one line per row.</summary>
    public static void Run(int threads, string? only)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var v in Variants().Where(v => only is null || v.Name == only))
        {
            foreach (var row in v.Rows)
            {
                var on = new Arm(row, ComputeOptions.WithThreads(threads) with { Kernels = v.On });
                var off = new Arm(row, ComputeOptions.WithThreads(threads) with { Kernels = v.Off(v.On) });
                if (on.Fingerprint() != off.Fingerprint())
                    throw new InvalidOperationException($"{v.Name} {row}: the two policies trained different parameters.");
                on.Run(2);
                off.Run(2);
                var epochs = Math.Max(1, (int)Math.Round(0.05 / Math.Max(on.Run(1), 1e-6)));
                var ratios = new List<double>();
                var (tOn, tOff) = (new List<double>(), new List<double>());
                for (var r = 0; r < 11; r++)
                {
                    // Alternate which arm goes first, so neither always follows the other's cache state.
                    double a, b;
                    if (r % 2 == 0) { a = on.Run(epochs); b = off.Run(epochs); }
                    else { b = off.Run(epochs); a = on.Run(epochs); }
                    tOn.Add(a);
                    tOff.Add(b);
                    ratios.Add(b / a);
                }
                var steps = epochs * on.StepsPerEpoch;
                Console.WriteLine(string.Create(inv,
                    $"ab[{v.Name}|{row}] on_us_per_step={Median(tOn) / steps * 1e6:F2} off_us_per_step={Median(tOff) / steps * 1e6:F2} off_over_on={Median(ratios):F3} range={ratios.Min():F2}-{ratios.Max():F2}"));
            }
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>One policy's training run of a row: 2,048 rows of uniform features and labels, as in the matrix.</summary>
    private sealed class Arm
    {
        private const int Examples = 2048;
        private readonly TrainConfig config;
        private readonly BatchPolicy batches;
        private readonly TrainState initial;
        private readonly Matrix x, y;
        private readonly ComputeOptions compute;

        public Arm(Row row, ComputeOptions compute)
        {
            this.compute = compute;
            config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), MatrixNn.Optimizer(row.Optimizer));
            batches = BatchPolicy.MiniBatch(row.Batch);
            x = Workloads.Random(21, Examples, row.Sizes[0]);
            y = Workloads.RandomOneHot(22, Examples, row.Sizes[^1]);
            initial = Training.Init(config, MatrixNn.Network(row.Sizes, row.Activation), Key.FromSeed(3));
            StepsPerEpoch = (Examples + row.Batch - 1) / row.Batch;
        }

        public int StepsPerEpoch { get; }

        /// <summary>Seconds for <paramref name="epochs"/> epochs from the initial state.</summary>
        public double Run(int epochs)
        {
            var state = initial;
            var clock = Stopwatch.StartNew();
            for (var e = 0; e < epochs; e++) state = Training.Epoch(config, state, x, y, e, batches, compute);
            return clock.Elapsed.TotalSeconds;
        }

        /// <summary>The parameters after one epoch, as text (both arms must agree: the policy never changes a bit).</summary>
        public string Fingerprint() =>
            string.Join(",", Parameters.Flatten(Training.Epoch(config, initial, x, y, 0, batches, compute).Parameters).Values
                .Select(v => BitConverter.DoubleToInt64Bits(v).ToString(CultureInfo.InvariantCulture)));
    }
}

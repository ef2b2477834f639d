using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Kernels;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// The determinism contract of the parallel kernels: the bits never depend on <see cref="ComputeOptions.MaxThreads"/>, on the
/// SIMD or scalar path, or on where a tile falls (interior, tail, k-block, cache block). Every product is compared bit
/// for bit with an independent naive loop: one fused multiply-add chain per element in ascending p, then <c>+ bias</c>.
/// </summary>
/// <remarks>
/// Each check passes the kernel policy it wants as a value (<see cref="ComputeOptions"/>), so these tests run beside any
/// other without changing what the others see.
/// </remarks>
public class ThreadingProperties
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 5];

    private static double[] NaiveProduct(double[] a, double[] b, int m, int k, int n, double[]? bias)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var p = 0; p < k; p++) s = Math.FusedMultiplyAdd(a[i * k + p], b[p * n + j], s);
                c[i * n + j] = bias is null ? s : s + bias[j];
            }
        return c;
    }

    private static double[] Transposed(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /// <summary>Entries ±u·2^e, u in [1, 2), e in [−20, 20]: a different summation order shows in the bits.</summary>
    private static double[] Wild(long seed, int salt, int length)
    {
        var key = Prng.Fold(Key.FromSeed(seed), salt);
        var u = Prng.Uniform(Prng.Fold(key, 0), length, 1, 2);
        return [.. Enumerable.Range(0, length).Select(i =>
            (Prng.Word(Prng.Fold(key, 1), i) >> 63 == 1 ? -1 : 1) * Math.ScaleB(u[i], Prng.Below(Prng.Fold(key, 2), i, 41) - 20))];
    }

    /// <summary>
    /// Which GEMM path a check forces: the machine's widest (512-bit where accelerated), 256-bit, 128-bit (ARM64's NEON
    /// path, forced here on x86 too), or scalar.
    /// </summary>
    public enum KernelPath { Widest, Vector256, Vector128, Scalar }

    /// <summary>
    /// How a parallel product is partitioned: the kernel's own choice, rows or columns, with the operand every thread
    /// reads whole (B for rows, A for columns) packed once and shared, or packed by each thread.
    /// </summary>
    public enum Partition { Auto, RowsShared, RowsOwn, ColumnsShared, ColumnsOwn }

    /// <summary>
    /// The compute options of a check: <paramref name="threads"/>, the forced <paramref name="path"/>, the parallel
    /// <paramref name="threshold"/> (0 also splits every optimizer update), the unpacked small-product threshold
    /// <paramref name="direct"/> (0: every product packed; <see cref="long.MaxValue"/>: every product direct; null: the
    /// default) and the partition.
    /// </summary>
    internal static ComputeOptions Options(int threads, KernelPath path, long threshold, long? direct = 0, Partition split = Partition.Auto)
    {
        var d = KernelPolicy.Default;
        return new ComputeOptions
        {
            MaxThreads = threads,
            Kernels = d with
            {
                Path = path switch
                {
                    KernelPath.Scalar => VectorPath.Scalar,
                    KernelPath.Vector256 => VectorPath.Vector256,
                    KernelPath.Vector128 => VectorPath.Vector128,
                    _ => VectorPath.Widest,
                },
                ParallelThreshold = threshold,
                DirectThreshold = direct ?? d.DirectThreshold,
                Partition = split switch
                {
                    Partition.RowsShared or Partition.RowsOwn => Gemm.Split.Rows,
                    Partition.ColumnsShared or Partition.ColumnsOwn => Gemm.Split.Columns,
                    _ => Gemm.Split.Auto,
                },
                SharedPackLimit = split is Partition.RowsOwn or Partition.ColumnsOwn ? 0 : d.SharedPackLimit,
                PartsPerThread = threads * 3 % 5 + 1, // 4, 2, 5, 1 parts per thread for 1, 2, 3, 5 threads
                UpdateParallelLength = threshold == 0 ? 1 : d.UpdateParallelLength,
            },
        };
    }

    /// <summary>Runs <paramref name="action"/> with a workspace of <see cref="Options"/>: the settings travel as a value.</summary>
    private static void With(int threads, KernelPath path, long threshold, Action<Workspace> action, long? direct = 0, Partition split = Partition.Auto) =>
        action(new Workspace(Options(threads, path, threshold, direct, split)));

    private static bool BitEqual(double[] a, double[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

    /// <summary>All three layouts, with and without bias, against the naive loop, for the given settings.</summary>
    private static void CheckAllLayouts(int m, int k, int n, long seed, int threads, KernelPath path, long threshold, long? direct = 0,
        Partition split = Partition.Auto)
    {
        var a = Wild(seed, 0, m * k);
        var b = Wild(seed, 1, k * n);
        var bias = Wild(seed, 2, n);
        var expected = NaiveProduct(a, b, m, k, n, null);
        var expectedBias = NaiveProduct(a, b, m, k, n, bias);
        var at = Transposed(a, m, k);
        var bt = Transposed(b, k, n);
        // A ReLU gate (a layer's Z) with exact zeros, −0 and NaN among its values: none of them opens the gate.
        var gate = Wild(seed, 3, m * n).Select((v, i) => (i % 7) switch { 3 => 0.0, 5 => -0.0, 6 when i % 3 == 0 => double.NaN, _ => v }).ToArray();
        With(threads, path, threshold, ws =>
        {
            var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
            Blas.Gemm(a, b, c, m, k, n, null, ws);
            Assert.True(BitEqual(expected, c), $"A·B {m}×{k}×{n}, {threads} threads, {path}");
            c.AsSpan().Fill(double.NaN);
            Blas.Gemm(a, b, c, m, k, n, bias, ws);
            Assert.True(BitEqual(expectedBias, c), $"A·B + bias {m}×{k}×{n}, {threads} threads, {path}");
            c.AsSpan().Fill(double.NaN);
            Blas.GemmTransA(at, b, c, m, k, n, ws);
            Assert.True(BitEqual(expected, c), $"Aᵀ·B {m}×{k}×{n}, {threads} threads, {path}");
            c.AsSpan().Fill(double.NaN);
            Blas.GemmTransB(a, bt, c, m, k, n, ws);
            Assert.True(BitEqual(expected, c), $"A·Bᵀ {m}×{k}×{n}, {threads} threads, {path}");

            // The fused epilogues equal the product followed by the element-wise kernel's own rule.
            var relu = Enumerable.Repeat(double.NaN, m * n).ToArray();
            c.AsSpan().Fill(double.NaN);
            Gemm.Multiply(a, false, b, false, c, m, k, n, bias, Epilogue.Relu, relu, ws);
            Assert.True(BitEqual(expectedBias, c), $"A·B + bias (ReLU epilogue) {m}×{k}×{n}, {threads} threads, {path}");
            Assert.True(BitEqual([.. expectedBias.Select(z => z > 0 ? z : 0.0)], relu), $"ReLU epilogue {m}×{k}×{n}, {threads} threads, {path}");
            c.AsSpan().Fill(double.NaN);
            Gemm.Multiply(a, false, b, false, c, m, k, n, bias, Epilogue.ReluOnly, null, ws);
            Assert.True(BitEqual(relu, c), $"ReLU-only epilogue {m}×{k}×{n}, {threads} threads, {path}");
            c.AsSpan().Fill(double.NaN);
            Gemm.Multiply(a, false, bt, true, c, m, k, n, null, Epilogue.ReluGate, gate, ws);
            Assert.True(BitEqual([.. expected.Select((v, i) => gate[i] > 0 ? v : 0.0)], c), $"A·Bᵀ (ReLU gate) {m}×{k}×{n}, {threads} threads, {path}");
            // The same with the column sums of the gated result (a layer's bias gradient): Σ_i in ascending i from +0.
            var sums = Enumerable.Repeat(double.NaN, n).ToArray();
            c.AsSpan().Fill(double.NaN);
            Gemm.Multiply(a, false, bt, true, c, m, k, n, null, Epilogue.ReluGate, gate, sums, ws);
            var gated = expected.Select((v, i) => gate[i] > 0 ? v : 0.0).ToArray();
            Assert.True(BitEqual(gated, c), $"A·Bᵀ (ReLU gate, with sums) {m}×{k}×{n}, {threads} threads, {path}");
            var naiveSums = new double[n];
            for (var j = 0; j < n; j++)
                for (var i = 0; i < m; i++) naiveSums[j] += gated[i * n + j];
            Assert.True(BitEqual(naiveSums, sums), $"column sums of A·Bᵀ (ReLU gate) {m}×{k}×{n}, {threads} threads, {path}");

        }, direct, split);
    }

    /// <summary>Results every ReLU store must map as <c>z &gt; 0 ? z : +0</c>: NaN, both zeros, infinities, subnormals.</summary>
    private static readonly double[] Special =
        [double.NaN, -0.0, 0.0, double.NegativeInfinity, double.PositiveInfinity, -1.5, 2.5, double.Epsilon, -double.Epsilon,
         double.MaxValue, -double.MaxValue, 1e-310, -1e-310, 3.0, -3.0, 0.5, -0.25, -double.NaN, 7.0];

    [Fact]
    public void Relu_stores_map_nan_and_both_zeros_to_plus_zero_on_every_path()
    {
        static double Rule(double z) => z > 0 ? z : 0.0;
        // The element-wise pass and its vector forms.
        var a = new double[Special.Length];
        Elementwise.Relu(Special, a);
        Assert.True(BitEqual([.. Special.Select(Rule)], a), "Elementwise.Relu");
        for (var i = 0; i + 8 <= Special.Length; i++)
        {
            if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
            {
                var v2 = Elementwise.Relu2(System.Runtime.Intrinsics.Vector128.Create(Special.AsSpan(i, 2)));
                for (var l = 0; l < 2; l++) Assert.Equal(BitConverter.DoubleToInt64Bits(Rule(Special[i + l])), BitConverter.DoubleToInt64Bits(v2[l]));
            }
            if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            {
                var v4 = Elementwise.Relu4(System.Runtime.Intrinsics.Vector256.Create(Special.AsSpan(i, 4)));
                for (var l = 0; l < 4; l++) Assert.Equal(BitConverter.DoubleToInt64Bits(Rule(Special[i + l])), BitConverter.DoubleToInt64Bits(v4[l]));
            }
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            {
                var v8 = Elementwise.Relu8(System.Runtime.Intrinsics.Vector512.Create(Special.AsSpan(i, 8)));
                for (var l = 0; l < 8; l++) Assert.Equal(BitConverter.DoubleToInt64Bits(Rule(Special[i + l])), BitConverter.DoubleToInt64Bits(v8[l]));
            }
        }
        // The fused stores: ones (m × 1) times the special row (1 × n), so each result is fma(1, s, +0), then its ReLU.
        // Widths 19 (4-row blocks and edges) and 16 (the resident-B rows).
        foreach (var m in new[] { 4, 9 })
            foreach (var n in new[] { Special.Length, 16 })
                foreach (var path in new[] { KernelPath.Widest, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
                    foreach (var direct in new long?[] { long.MaxValue, 0 })
                        With(1, path, KernelPolicy.Default.ParallelThreshold, ws =>
                        {
                            var row = Special[..n];
                            var ones = Enumerable.Repeat(1.0, m).ToArray();
                            var products = Enumerable.Range(0, m * n).Select(i => Math.FusedMultiplyAdd(1.0, row[i % n], 0.0)).ToArray();
                            var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
                            var relu = Enumerable.Repeat(double.NaN, m * n).ToArray();
                            Gemm.Multiply(ones, false, row, false, c, m, 1, n, null, Epilogue.Relu, relu, ws);
                            Assert.True(BitEqual([.. products.Select(Rule)], relu), $"ReLU epilogue, n {n}, {path}, direct {direct}");
                            Gemm.Multiply(ones, false, row, false, c, m, 1, n, null, Epilogue.ReluOnly, null, ws);
                            Assert.True(BitEqual([.. products.Select(Rule)], c), $"ReLU-only epilogue, n {n}, {path}, direct {direct}");
                        }, direct);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 400)]
    public Property Products_are_bit_identical_to_the_naive_fma_chain_for_any_thread_count_and_any_path() =>
        Prop.ForAll(
            Arb.From(from d in Gens.Dims(37)
                     from threads in Gen.Elements(ThreadCounts)
                     from path in Gen.Elements(KernelPath.Widest, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar)
                     from direct in Gen.Elements(0L, long.MaxValue)
                     from split in Gen.Elements(Enum.GetValues<Partition>())
                     select (d, threads, path, direct, split)),
            t => CheckAllLayouts(t.d.M, t.d.K, t.d.N, t.d.Seed, t.threads, t.path, threshold: 0, t.direct, t.split));

    // Block boundaries of both blockings: 256-bit/scalar 6×8 tiles, KC 256, MC 192, NC 2048; 512-bit 8×16 tiles,
    // KC 1024, MC 96, NC 2048. Each shape runs on the widest, 256-bit and 128-bit paths for 1, 2 and 3 threads, and on
    // the scalar path.
    [Theory]
    [InlineData(200, 520, 19)] // two row blocks (MC = 192), three balanced k-blocks, a column tail
    [InlineData(7, 3, 2100)] // two column blocks (NC = 2048), row and column tails
    [InlineData(13, 600, 37)] // k-blocks with tails everywhere
    [InlineData(193, 257, 9)] // one row past a block, one k past a block
    [InlineData(128, 300, 64)] // an MLP-like shape above the default parallel threshold
    [InlineData(98, 1540, 33)] // 512-bit: a row block (MC = 96) plus a 2-row tail, 2 balanced k-blocks, a 1-column tail
    [InlineData(97, 1025, 47)] // 512-bit: one row past a block, one k past a block (KC = 1024), a 15-column tail
    [InlineData(97, 1024, 48)] // 512-bit: exactly one k-block, whole column tiles
    [InlineData(20, 2200, 33)] // 512-bit: three balanced k-blocks (734, 734, 732), a 1-column tail
    [InlineData(9, 40, 2063)] // 512-bit: two column blocks (NC = 2048) ending in a 15-column tail, a 1-row tail
    [InlineData(192, 64, 16)] // 512-bit: whole tiles only, two row blocks, one column tile
    [InlineData(17, 31, 160)] // 512-bit: ten column tiles split 3 ways, a 1-row tail
    [InlineData(37, 300, 10)] // 512-bit, one column tile: A read in place, a 5-row tail packed alone
    [InlineData(100, 2100, 16)] // 512-bit, one whole column tile: A in place across 3 k-blocks, a 4-row tail
    [InlineData(130, 20, 300)] // 39,000 results: the epilogue pass after a packed product is split between threads
    [InlineData(40, 256, 50)] // 512-bit: B read in place at the deepest such panel (256 rows), a 2-column tail packed alone
    [InlineData(40, 257, 50)] // one row deeper: B packed
    public void Blocked_shapes_are_bit_identical_to_the_naive_chain(int m, int k, int n)
    {
        foreach (var path in new[] { KernelPath.Widest, KernelPath.Vector256, KernelPath.Vector128 })
            foreach (var threads in new[] { 1, 2, 3 })
            {
                CheckAllLayouts(m, k, n, 17, threads, path, threshold: KernelPolicy.Default.ParallelThreshold);
                CheckAllLayouts(m, k, n, 17, threads, path, threshold: 0);
                if (threads > 1)
                    foreach (var split in new[] { Partition.RowsShared, Partition.RowsOwn, Partition.ColumnsShared, Partition.ColumnsOwn })
                        CheckAllLayouts(m, k, n, 17, threads, path, threshold: 0, split: split);
            }
        CheckAllLayouts(m, k, n, 17, 2, KernelPath.Scalar, threshold: 0);
        CheckAllLayouts(m, k, n, 17, 1, KernelPath.Widest, threshold: 0, direct: long.MaxValue);
        CheckAllLayouts(m, k, n, 17, 1, KernelPath.Scalar, threshold: 0, direct: long.MaxValue);
    }

    // Callers multiplying at once with a shared pack: one takes the cached pack, the others get their own.
    [Theory]
    [InlineData(Partition.RowsShared)]
    [InlineData(Partition.ColumnsShared)]
    public void Concurrent_products_with_a_shared_pack_are_bit_identical_to_the_naive_chain(Partition split)
    {
        const int M = 67, K = 45, N = 70;
        var a = Wild(31, 0, M * K);
        var b = Wild(31, 1, K * N);
        var expected = NaiveProduct(a, b, M, K, N, null);
        // One workspace (its shared pack) for the four callers: the pack is taken by one, the others pack their own.
        With(2, KernelPath.Widest, threshold: 0, split: split, action: ws =>
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
            {
                for (var r = 0; r < 50; r++)
                {
                    var c = new double[M * N];
                    Blas.Gemm(a, b, c, M, K, N, null, ws);
                    Assert.True(BitEqual(expected, c), $"round {r}");
                }
            }));
    }

    // The unpacked small-product path (Gemm.Direct): its 8-row (n ≤ 4), 4×8, 4×4, 1×16 and 1×4 blocks, whole and
    // partial vectors, k = 1, the shapes of the small workload (2→32→3, batch 64), for Aᵀ·B with n ≤ 4 the
    // row-lane blocks of 32 and 8 rows with every column count and a row tail, and the resident-B rows (k ≤ 4, n of
    // 8 to 32 in whole vectors) with every depth and width.
    [Theory]
    [InlineData(13, 4, 24)]
    [InlineData(5, 1, 8)]
    [InlineData(9, 4, 16)]
    [InlineData(1, 2, 32)]
    [InlineData(6, 3, 40)] // just past the resident widths: the 4-row blocks
    [InlineData(45, 6, 1)]
    [InlineData(41, 3, 2)]
    [InlineData(72, 9, 4)]
    [InlineData(8, 33, 3)]
    [InlineData(64, 2, 32)]
    [InlineData(64, 32, 3)]
    [InlineData(32, 64, 3)]
    [InlineData(64, 3, 32)]
    [InlineData(2, 64, 32)]
    [InlineData(19, 1, 4)]
    [InlineData(17, 5, 1)]
    [InlineData(7, 9, 13)]
    [InlineData(3, 4, 37)]
    [InlineData(11, 7, 22)]
    [InlineData(1, 64, 64)] // one row: a 64-column block with its sums in registers
    [InlineData(1, 37, 200)] // three such blocks, then 8 columns streamed
    [InlineData(1, 20, 256)] // the widest row kept in registers
    [InlineData(1, 9, 264)] // wider: streamed
    public void Direct_small_products_are_bit_identical_to_the_naive_chain(int m, int k, int n)
    {
        foreach (var path in new[] { KernelPath.Widest, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            CheckAllLayouts(m, k, n, 23, 1, path, threshold: KernelPolicy.Default.ParallelThreshold, direct: long.MaxValue);
            CheckAllLayouts(m, k, n, 23, 1, path, threshold: KernelPolicy.Default.ParallelThreshold, direct: null); // the default threshold
        }
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 40)]
    public Property Training_gives_bit_identical_parameters_for_1_2_and_3_threads()
    {
        var gen =
            from inputs in Gen.Choose(1, 30)
            from hidden in Gen.Choose(1, 40)
            from outputs in Gen.Choose(2, 12)
            from batch in Gen.Choose(1, 40)
            from seed in Gens.Seed
            select (inputs, hidden, outputs, batch, seed);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var key = Key.FromSeed(t.seed);
            var network = Init.Mlp(Prng.Fold(key, 0), [t.inputs, t.hidden, t.hidden, t.outputs], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal);
            var x = Gens.Uniform(Prng.Fold(key, 1).State, 3 * t.batch, t.inputs, -2, 2);
            var y = Gens.Targets(Losses.CategoricalCrossEntropy, Prng.Fold(key, 2).State, 3 * t.batch, t.outputs);
            var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Adam(0.01));
            TrainState Run(int threads)
            {
                TrainState? s = null;
                var options = Options(threads, KernelPath.Widest, threshold: 0);
                s = Training.Init(config, network, Prng.Fold(key, 3));
                for (var e = 0; e < 3; e++) s = Training.Epoch(config, s, x, y, e, BatchPolicy.MiniBatch(t.batch), options);
                return s!;
            }
            var one = Run(1);
            foreach (var threads in new[] { 2, 3 })
            {
                var other = Run(threads);
                Assert.True(Parameters.BitEquals(one.Parameters, other.Parameters), $"{threads} threads: {t}");
                Assert.Equal(one.Optimizer, other.Optimizer);
                Assert.Equal(BitConverter.DoubleToInt64Bits(one.LastLoss), BitConverter.DoubleToInt64Bits(other.LastLoss));
            }
        });
    }

    [Fact]
    public void A_forced_path_is_the_path_taken_where_the_machine_accelerates_it()
    {
        // Otherwise a "forced 128-bit" check could quietly run another path and prove nothing about NEON's.
        static Gemm.Path Taken(KernelPath path) => Gemm.Choose(Options(1, path, 0).Kernels);
        Assert.Equal(Gemm.Path.Scalar, Taken(KernelPath.Scalar));
        if (!Simd.FusedMultiplyAddAccelerated) return;
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) Assert.Equal(Gemm.Path.Vector128, Taken(KernelPath.Vector128));
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) Assert.Equal(Gemm.Path.Vector256, Taken(KernelPath.Vector256));
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Equal(Gemm.Path.Vector512, Taken(KernelPath.Widest));
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 30)]
    public Property Training_gives_bit_identical_parameters_on_the_512_256_128_bit_and_scalar_paths()
    {
        var gen =
            from inputs in Gen.Choose(1, 20)
            from hidden in Gen.Choose(1, 40)
            from outputs in Gen.Choose(2, 9)
            from batch in Gen.Choose(1, 40)
            from tanh in Gen.Elements(false, true)
            from seed in Gens.Seed
            select (inputs, hidden, outputs, batch, tanh, seed);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var key = Key.FromSeed(t.seed);
            var network = Init.Mlp(Prng.Fold(key, 0), [t.inputs, t.hidden, t.outputs], t.tanh ? Activations.Tanh : Activations.Relu,
                Activations.Softmax, InitSchemes.HeNormal);
            var x = Gens.Uniform(Prng.Fold(key, 1).State, 3 * t.batch, t.inputs, -2, 2);
            var y = Gens.Targets(Losses.CategoricalCrossEntropy, Prng.Fold(key, 2).State, 3 * t.batch, t.outputs);
            var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Adam(0.01));
            TrainState Run(KernelPath path, long? direct)
            {
                var options = Options(2, path, threshold: 0, direct);
                var s = Training.Init(config, network, Prng.Fold(key, 3));
                for (var e = 0; e < 3; e++) s = Training.Epoch(config, s, x, y, e, BatchPolicy.MiniBatch(t.batch), options);
                return s;
            }
            var widest = Run(KernelPath.Widest, null);
            foreach (var path in new[] { KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
                foreach (var direct in new long?[] { null, 0 })
                {
                    var other = Run(path, direct);
                    Assert.True(Parameters.BitEquals(widest.Parameters, other.Parameters), $"{path}, direct {direct}: {t}");
                    Assert.Equal(BitConverter.DoubleToInt64Bits(widest.LastLoss), BitConverter.DoubleToInt64Bits(other.LastLoss));
                }
        });
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Optimizer_updates_split_across_threads_give_the_single_thread_bits() =>
        Prop.ForAll(
            Arb.From(from inputs in Gen.Choose(1, 20)
                     from hidden in Gen.Choose(1, 30)
                     from name in Gen.Elements("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
                     from steps in Gen.Choose(1, 3)
                     from seed in Gens.Seed
                     select (inputs, hidden, name, steps, seed)),
            t =>
            {
                var key = Key.FromSeed(t.seed);
                var network = Init.Mlp(Prng.Fold(key, 0), [t.inputs, t.hidden, 3], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
                var optimizer = Optimizers.Parse(t.name, 0.01);
                OptimizerStep Run(int threads)
                {
                    OptimizerStep? r = null;
                    With(threads, KernelPath.Widest, threshold: 0, ws =>
                    {
                        var (p, s) = (network, Optimizers.Init(optimizer, network));
                        for (var i = 0; i < t.steps; i++)
                        {
                            var g = Parameters.Scale(0.5 + i, Init.Mlp(Prng.Fold(key, 10 + i), [.. network.Sizes], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal));
                            r = Optimizers.Apply(optimizer, s, p, g, ws);
                            (p, s) = (r.Parameters, r.State);
                        }
                    });
                    return r!;
                }
                var one = Run(1);
                foreach (var threads in new[] { 2, 3, 5 })
                {
                    var other = Run(threads);
                    Assert.True(Parameters.BitEquals(one.Parameters, other.Parameters), $"{threads} threads: {t}");
                    Assert.Equal(one.State, other.State);
                }
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Training_step_through_scratch_equals_backprop_then_update_bit_for_bit_step_after_step()
    {
        var optimizers = new[] { Optimizers.Sgd(0.05), Optimizers.Momentum(0.05, 0.9), Optimizers.Adam(0.01), Optimizers.AdamW(0.01, 0.01) };
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), Gen.Elements(optimizers).ToArbitrary(), (c, opt) =>
        {
            var config = TrainConfig.Of(c.Objective with { L2 = 0.01 }, opt);
            var state = Training.Init(config, c.Network, Key.FromSeed(c.Seed));
            for (var step = 0; step < 4; step++) // later steps reuse the scratch arrays of earlier ones
            {
                var key = Prng.Fold(Prng.Fold(state.Key, 0), state.Step);
                var g = config.Objective.DropoutRate > 0
                    ? Backprop.GradientWithDropout(state.Parameters, c.X, c.Y, config.Objective, key)
                    : Backprop.Gradient(state.Parameters, c.X, c.Y, config.Objective);
                var expected = Optimizers.Update(config.Optimizer, state.Optimizer, state.Parameters, g.Gradients);
                var next = Training.Step(config, state, c.X, c.Y);
                Assert.True(Parameters.BitEquals(expected.Parameters, next.Parameters), $"{c} {opt} step {step}");
                Assert.Equal(expected.State, next.Optimizer);
                Assert.Equal(BitConverter.DoubleToInt64Bits(g.Loss), BitConverter.DoubleToInt64Bits(next.LastLoss));
                state = next;
            }
        });
        return prop;
    }

    [Fact]
    public void A_training_step_allocates_little_more_than_the_state_it_returns()
    {
        var network = Init.Mlp(Key.FromSeed(1), [100, 64, 64, 10], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal);
        var x = Gens.Uniform(7UL, 128, 100, -1, 1);
        var y = Gens.Targets(Losses.CategoricalCrossEntropy, 8UL, 128, 10);
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Adam(0.001));
        With(1, KernelPath.Widest, threshold: KernelPolicy.Default.ParallelThreshold, direct: null, action: ws =>
        {
            var state = Training.Init(config, network, Key.FromSeed(2));
            for (var i = 0; i < 3; i++) state = Training.Step(config, state, x, y, ws.Options); // warm the scratch
            const int Steps = 10;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Steps; i++) state = Training.Step(config, state, x, y, ws.Options);
            var perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / Steps;
            var returned = 3L * 8 * network.ParameterCount; // Adam returns θ, m and v
            // The trace, deltas and gradients alone would be another ~190 KB; allow array headers and small records.
            Assert.True(perStep < returned + 16_384, $"{perStep} bytes per step; the returned state is {returned} bytes");
        });
    }

    [Fact]
    public void A_thread_reading_a_shared_pack_waits_for_its_panel_and_no_longer()
    {
        // B of 40×50 in 16-column panels: 4 panels, one chunk each for 2 threads. Nothing is packed yet, so a thread that
        // needs the last panel must wait; once the packing thread has packed every chunk it must go on, having seen them all.
        var (k, n) = (40, 50);
        var b = Wild(5, 0, k * n);
        var bl = Gemm.DefaultBlocking512;
        var panels = (n + bl.Nr - 1) / bl.Nr;
        var pack = new Gemm.SharedPack();
        pack.Start(packsB: true, (long)panels * bl.Nr * k, panels, threads: 2);
        var known = -1;
        var waiter = new Thread(() => known = pack.WaitFor(panels - 1, 0)) { IsBackground = true }; // a hung waiter cannot hold the run
        waiter.Start();
        Assert.False(waiter.Join(200), "WaitFor returned before any chunk was packed");
        pack.PackAll(bl, [], false, b, false, 0, k, n);
        Assert.True(waiter.Join(10_000), "WaitFor did not return after every chunk was packed");
        Assert.Equal(panels, known); // one panel per chunk here: every chunk is now known packed
        // Panel q holds B[p, 16q + j] at q·16·k + 16p + j, zero past column n.
        for (var p = 0; p < k; p++)
            for (var j = 0; j < panels * bl.Nr; j++)
                Assert.Equal(j < n ? b[p * n + j] : 0.0, pack.Buffer[j / bl.Nr * bl.Nr * k + p * bl.Nr + j % bl.Nr]);
    }

    [Fact]
    public void MaxThreads_refuses_values_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeOptions.WithThreads(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeOptions.Default with { MaxThreads = -1 });
        Assert.Equal(1, ComputeOptions.Default.MaxThreads);
        Assert.Equal(3, ComputeOptions.WithThreads(3).MaxThreads);
    }
}

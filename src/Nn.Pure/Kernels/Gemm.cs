using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// The blocked matrix product <c>C = op(A)·op(B) (+ bias row)</c>, GotoBLAS style: panels of A and B are packed into
/// reusable per-thread scratch, and a register-blocked micro-kernel computes one tile of C with fused multiply-adds:
/// <see cref="MR512"/>×<see cref="NR512"/> with <see cref="Vector512{T}"/> where AVX-512 is accelerated, else
/// <see cref="MR"/>×<see cref="NR"/> with <see cref="Vector256{T}"/> (AVX2 + FMA) or scalar code.
/// </summary>
/// <remarks>
/// <para>Determinism contract. Every element is one fused multiply-add chain in ascending p:
/// <c>s = 0; for p = 0 … k−1: s = fma(A[i, p], B[p, j], s)</c>, and then, when a bias is given, <c>C[i, j] = s + bias[j]</c>
/// (one rounded addition after the whole sum). The chain does not depend on the blocking: a k-block continues from the
/// partial value it stored in C. Threads partition the <em>output</em> tiles (whole row or column ranges) and never
/// split a sum, and SIMD lanes run across columns of C, never across p. The 512-bit, 256-bit and scalar paths (no
/// AVX2/FMA, or <see cref="ForceScalar"/>) use the same chain (the scalar one with
/// <see cref="Math.FusedMultiplyAdd(double, double, double)"/>), and so does the unpacked <see cref="Direct"/> loop for small
/// products (at most <see cref="DirectThreshold"/> multiply-adds), so the bits are the same for any thread count, any
/// tile shape and position (interior or tail) and any path.</para>
/// <para>Allocation: none per call beyond the thread-pool bookkeeping of a parallel call; the pack buffers are
/// per-thread scratch that only grows up to (MC·KC + KC·NC) doubles, plus one process-wide shared pack of at most
/// <see cref="SharedPackLimit"/> doubles for parallel products (a concurrent caller finding it taken allocates its own).</para>
/// </remarks>
internal static class Gemm
{
    /// <summary>Rows of the 256-bit (and scalar) register tile.</summary>
    internal const int MR = 6;

    /// <summary>Columns of the 256-bit (and scalar) register tile (two <c>Vector256&lt;double&gt;</c>).</summary>
    internal const int NR = 8;

    /// <summary>Rows of the 512-bit register tile.</summary>
    internal const int MR512 = 8;

    /// <summary>Columns of the 512-bit register tile (two <c>Vector512&lt;double&gt;</c>): 16 accumulators of 32 registers.</summary>
    internal const int NR512 = 16;

    /// <summary>
    /// The blocking of one path: an MR×NR register tile; KC, the depth of a packed panel (one KC×NR panel of B stays
    /// in L1 while the tiles of a block of A stream past it); MC, the rows of a packed block of A (MC·KC doubles stay
    /// in L2); NC, the columns of a packed block of B (KC·NC doubles, in L3).
    /// </summary>
    internal readonly record struct Blocking(int Mr, int Nr, int Kc, int Mc, int Nc);

    /// <summary>The 256-bit and scalar blocking: B panel 256·8·8 = 16 KiB, A block 192·256·8 = 384 KiB.</summary>
    internal static readonly Blocking Blocking256 = new(MR, NR, 256, 192, 2048);

    /// <summary>
    /// The 512-bit blocking, tuned on Zen 4 (32 KiB L1d, 1 MiB L2 per core; a 512-bit FMA issues once a cycle, so a
    /// B panel of 1024·16·8 = 128 KiB fed from L2 keeps up): A block 96·1024·8 = 768 KiB. Deeper k-blocks measured faster
    /// than L1-sized ones (fewer passes over C): KC 512 against 384, same process, alternating rounds, 2 threads,
    /// preallocated C: 128×784·784×512 92 against 70 GFLOP/s (two k-blocks of 392 instead of three of 262), 1024³ 88
    /// against 86, 128×512·512×512 91 against 88; then KC 1024 against 512 (medians of 20–30 alternating rounds):
    /// 1024³ 72–83 against 69–79 (one k-block instead of two), 128×784·784×512 80–84 against 78–81, 128×512·512×512
    /// the same. Settable for tuning experiments; it changes speed only, never the bits.
    /// </summary>
    internal static Blocking Blocking512 { get; set; } = new(MR512, NR512, 1024, 96, 2048);

    /// <summary>
    /// Below this many multiply-adds (m·n·k) a product runs on the calling thread alone (default 2²⁰). Tests lower it to
    /// exercise the parallel partition on small shapes; it changes speed only, never the bits.
    /// </summary>
    internal static long ParallelThreshold { get; set; } = 1L << 20;

    /// <summary>
    /// At or below this many multiply-adds (m·n·k) a product skips packing and runs <see cref="Direct"/> on the calling
    /// thread (default 2¹⁵: the small MLPs whose steps packing and tail tiles would dominate). Tests set it to 0 or to
    /// <see cref="long.MaxValue"/> to force either way; it changes speed only, never the bits.
    /// </summary>
    internal static long DirectThreshold { get; set; } = 1L << 15;

    /// <summary>Tests set this to force the scalar path; it changes speed only, never the bits.</summary>
    internal static bool ForceScalar { get; set; }

    /// <summary>Tests set this to use the 256-bit path on an AVX-512 machine; it changes speed only, never the bits.</summary>
    internal static bool ForceVector256 { get; set; }

    private enum Path { Scalar, Vector256, Vector512 }

    private static Path Choose() =>
        ForceScalar || !Fma.IsSupported ? Path.Scalar
        : !ForceVector256 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? Path.Vector512
        : Path.Vector256;

    [ThreadStatic] private static double[]? packA;
    [ThreadStatic] private static double[]? packB;
    [ThreadStatic] private static double[]? directB;

    /// <summary>
    /// <c>c[i, j] = Σ_p A[i, p]·B[p, j] (+ bias[j])</c> for C (m × n) in the order of the class remarks, where A (m × k)
    /// is <paramref name="a"/> read row-major, or with <paramref name="transA"/> <paramref name="a"/> holds Aᵀ (k × m);
    /// and B (k × n) is <paramref name="b"/>, or with <paramref name="transB"/> <paramref name="b"/> holds Bᵀ (n × k).
    /// Every element of c[..m·n] is overwritten; <paramref name="bias"/> (length n) may be null.
    /// </summary>
    internal static void Multiply(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias) =>
        Multiply(a, transA, b, transB, c, m, k, n, bias, Epilogue.None, null);

    /// <summary>
    /// <see cref="Multiply(double[], bool, double[], bool, double[], int, int, int, double[])"/> followed by an
    /// element-wise <paramref name="epilogue"/> on <paramref name="aux"/> (m × n; null for <see cref="Epilogue.ReluOnly"/>):
    /// the same bits as the product and then <see cref="Elementwise.Relu"/> or <see cref="Elementwise.ReluBackward"/>,
    /// but the small unpacked path applies it while each result is still in a register instead of in a second pass.
    /// </summary>
    internal static void Multiply(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        Epilogue epilogue, double[]? aux) =>
        Multiply(a, transA, b, transB, c, m, k, n, bias, epilogue, aux, null);

    /// <summary>
    /// The product with its epilogue, and with <paramref name="columnSums"/> also <c>columnSums[j] = Σ_i c[i, j]</c> (i
    /// ascending from +0, as <see cref="Blas.ColumnSums"/>) of the stored results: a layer's bias gradient next to its
    /// error. Where the rows are produced in order in registers (<see cref="RowsResidentB"/>) the sums are taken there,
    /// saving a pass over C; elsewhere by <see cref="Blas.ColumnSums"/> afterwards. The same bits either way.
    /// </summary>
    internal static void Multiply(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        Epilogue epilogue, double[]? aux, double[]? columnSums)
    {
        if (epilogue is Epilogue.Relu or Epilogue.ReluGate && (aux is null || aux.Length < m * n))
            throw new ArgumentException("The epilogue needs an auxiliary array of m·n values.", nameof(aux));
        if (columnSums is not null && columnSums.Length < n)
            throw new ArgumentException("The column sums need n values.", nameof(columnSums));
        if (n == 0) return;
        if (m == 0)
        {
            columnSums?.AsSpan(0, n).Clear();
            return;
        }
        if (k == 0)
        {
            for (var i = 0; i < m; i++)
            {
                var row = c.AsSpan(i * n, n);
                if (bias is null) row.Clear();
                else for (var j = 0; j < n; j++) row[j] = 0.0 + bias[j];
            }
        }
        else
        {
            var path = Choose();
            if ((long)m * n * k <= DirectThreshold)
            {
                var simd = path != Path.Scalar;
                var wide = path == Path.Vector512;
                switch (epilogue)
                {
                    case Epilogue.Relu: Direct<ReluStore>(simd, wide, a, transA, b, transB, c, m, k, n, bias, aux, columnSums); break;
                    case Epilogue.ReluGate: Direct<ReluGateStore>(simd, wide, a, transA, b, transB, c, m, k, n, bias, aux, columnSums); break;
                    case Epilogue.ReluOnly: Direct<ReluOnlyStore>(simd, wide, a, transA, b, transB, c, m, k, n, bias, aux, columnSums); break;
                    default: Direct<PlainStore>(simd, wide, a, transA, b, transB, c, m, k, n, bias, aux, columnSums); break;
                }
                return;
            }
            Packed(path, a, transA, b, transB, c, m, k, n, bias);
        }
        ApplyEpilogue(epilogue, c, aux, m * n);
        if (columnSums is not null) Blas.ColumnSums(c, m, n, columnSums);
    }

    /// <summary>
    /// The epilogue as a separate pass over the first <paramref name="length"/> results, split between up to
    /// <see cref="Compute.MaxThreads"/> threads from 2¹⁵ values on (per element, so the split changes no bits).
    /// </summary>
    private static void ApplyEpilogue(Epilogue epilogue, double[] c, double[]? aux, int length)
    {
        Workers.ForRanges(length, epilogue == Epilogue.None || length < 1 << 15 ? 1 : Compute.MaxThreads,
            (start, count) => ApplyEpilogue(epilogue, c, aux, start, count));
    }

    private static void ApplyEpilogue(Epilogue epilogue, double[] c, double[]? aux, int start, int length)
    {
        switch (epilogue)
        {
            case Epilogue.None: break;
            case Epilogue.Relu: Elementwise.Relu(c.AsSpan(start, length), aux.AsSpan(start, length)); break;
            case Epilogue.ReluGate: Elementwise.ReluBackward(aux.AsSpan(start, length), c.AsSpan(start, length), c.AsSpan(start, length)); break;
            case Epilogue.ReluOnly: Elementwise.Relu(c.AsSpan(start, length), c.AsSpan(start, length)); break;
            default: throw new ArgumentOutOfRangeException(nameof(epilogue), epilogue, "Unknown epilogue.");
        }
    }

    /// <summary>
    /// The SGD update fused into a product: <c>w[i, j] = w[i, j] − lr·g[i, j]</c> with g = op(A)·op(B) (m × n) computed
    /// as by <see cref="Multiply(double[], bool, double[], bool, double[], int, int, int, double[])"/>, and the update by
    /// <see cref="OptimizerKernels.Sgd"/>: the same bits as the product into an array and then that update. When the
    /// product fits one k-block of the packed path, the 512-bit kernel stores each tile's w − lr·g from its registers
    /// (the 256-bit and scalar kernels through a small tile buffer), so g never reaches memory (a weight gradient is as
    /// large as its weights); otherwise g goes through an array of <paramref name="ws"/> (a new one when null).
    /// </summary>
    internal static void MultiplySgd(double[] a, bool transA, double[] b, bool transB, double[] w, int m, int k, int n, double lr, Workspace? ws)
    {
        if (w.Length < m * n) throw new ArgumentException("The weights are shorter than the product's shape.", nameof(w));
        var path = Choose();
        var bl = path == Path.Vector512 ? Blocking512 : Blocking256;
        if (m == 0 || n == 0) return;
        if (k == 0 || k > bl.Kc || (long)m * n * k <= DirectThreshold)
        {
            var g = Workspace.Alloc(ws, m * n);
            Multiply(a, transA, b, transB, g, m, k, n, null);
            OptimizerKernels.Sgd(lr, w.AsSpan(0, m * n), g.AsSpan(0, m * n), w.AsSpan(0, m * n));
            return;
        }
        Packed(path, a, transA, b, transB, w, m, k, n, null, lr);
    }

    /// <summary>The packed, blocked product (k ≥ 1), on up to <see cref="Compute.MaxThreads"/> threads.</summary>
    /// <remarks>With <paramref name="sgd"/> (one k-block only), c holds weights that each finished tile updates (<see cref="MultiplySgd"/>).</remarks>
    private static void Packed(Path path, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias, double? sgd = null)
    {
        var bl = path == Path.Vector512 ? Blocking512 : Blocking256;
        var rowTiles = (m + bl.Mr - 1) / bl.Mr;
        var colTiles = (n + bl.Nr - 1) / bl.Nr;
        var threads = (long)m * n * k < ParallelThreshold ? 1 : Compute.MaxThreads;
        // Rows when there are more row tiles than column tiles, else columns. The operand every thread reads whole (B
        // for rows, A for columns) is packed once and shared; each thread packs its own part of the other.
        var splitRows = Partition switch
        {
            Split.Rows => true,
            Split.Columns => false,
            _ => rowTiles > colTiles,
        };
        var tiles = splitRows ? rowTiles : colTiles;
        threads = Math.Min(threads, tiles);
        if (threads <= 1)
        {
            Block(path, bl, a, transA, b, transB, c, m, k, n, bias, 0, m, 0, n, null, sgd);
            return;
        }
        var panels = splitRows ? colTiles : rowTiles;
        var sharedLength = (long)panels * (splitRows ? bl.Nr : bl.Mr) * k;
        var shared = sharedLength <= SharedPackLimit ? Interlocked.Exchange(ref sharedPack, null) ?? new SharedPack() : null;
        shared?.Start(splitRows, sharedLength, panels, threads);
        // A fixed partition of whole tiles into parts, about PartsPerThread per thread, that the threads claim as they go
        // (a thread that starts late or runs slow takes fewer): part q is tiles [q·per, (q+1)·per). Row parts are whole
        // MC blocks where that still leaves a part per thread, so no part ends in a short block of A.
        var per = (tiles + threads * PartsPerThread - 1) / (threads * PartsPerThread);
        var perBlock = bl.Mc / bl.Mr;
        if (splitRows && tiles >= threads * perBlock) per = (per + perBlock - 1) / perBlock * perBlock;
        var parts = (tiles + per - 1) / per;
        Workers.For(parts, threads, t =>
        {
            var t0 = t * per;
            var t1 = Math.Min(tiles, (t + 1) * per);
            shared?.PackAll(bl, a, transA, b, transB, m, k, n);
            if (splitRows) Block(path, bl, a, transA, b, transB, c, m, k, n, bias, t0 * bl.Mr, Math.Min(m, t1 * bl.Mr), 0, n, shared, sgd);
            else Block(path, bl, a, transA, b, transB, c, m, k, n, bias, 0, m, t0 * bl.Nr, Math.Min(n, t1 * bl.Nr), shared, sgd);
        });
        if (shared is not null) Volatile.Write(ref sharedPack, shared);
    }

    /// <summary>
    /// One operand packed once for a parallel product and shared by its threads: all of B as full-depth nr-column panels
    /// (<c>buffer[q·nr·k + p·nr + j]</c> = B[p, q·nr + j], zero beyond column n) for a row split, or all of A as
    /// full-depth mr-row panels (<c>buffer[q·mr·k + p·mr + r]</c> = A[q·mr + r, p]) for a column split, packed in chunks
    /// of panels that the threads claim. A thread packs chunks until none is left unclaimed, then computes, waiting before
    /// each panel it reads only until that panel's chunk is packed (not for the whole operand): while one thread packs
    /// the last chunks, the other already multiplies with the first. A thread waits only for chunks already claimed by a
    /// running thread, so it never depends on a thread that has not started (<see cref="Workers.For"/> may run every
    /// iteration on one thread). A copy: it changes no bits.
    /// </summary>
    internal sealed class SharedPack
    {
        public double[] Buffer = [];
        private int[] packed = []; // packed[q] = 1 once chunk q is in Buffer
        private bool packB;
        private int next;
        private int chunkPanels;
        private int chunks;

        /// <summary>Whether B (row split) or A (column split) is the shared operand.</summary>
        public bool PacksB => packB;

        public void Start(bool packsB, long length, int panels, int threads)
        {
            if (Buffer.Length < length) Buffer = new double[length];
            packB = packsB;
            next = 0;
            chunkPanels = Math.Clamp(panels / (4 * threads), 1, 8);
            chunks = (panels + chunkPanels - 1) / chunkPanels;
            if (packed.Length < chunks) packed = new int[chunks];
            else Array.Clear(packed, 0, chunks);
        }

        /// <summary>
        /// Waits until every chunk up to the one holding <paramref name="panel"/> is packed, given that chunks below
        /// <paramref name="ready"/> already are; returns the new count of chunks known packed (a caller's running mark).
        /// </summary>
        public int WaitFor(int panel, int ready)
        {
            var q = panel / chunkPanels;
            // Never SpinWait's Thread.Sleep(1): a chunk takes microseconds to pack, and a 1 ms sleep made 128×512·512×10
            // on two threads take 1 ms instead of 35 µs.
            for (; ready <= q; ready++)
            {
                var spin = default(SpinWait);
                while (Volatile.Read(ref packed[ready]) == 0) spin.SpinOnce(sleep1Threshold: -1);
            }
            return ready;
        }

        public void PackAll(Blocking bl, double[] a, bool transA, double[] b, bool transB, int m, int k, int n)
        {
            for (var q = Interlocked.Increment(ref next) - 1; q < chunks; q = Interlocked.Increment(ref next) - 1)
            {
                if (packB)
                {
                    var jc = q * chunkPanels * bl.Nr;
                    var nc = Math.Min(chunkPanels * bl.Nr, n - jc);
                    PackB(b, transB, k, n, 0, k, jc, nc, bl.Nr, Buffer.AsSpan(jc * k, RoundUp(nc, bl.Nr) * k));
                }
                else
                {
                    var ic = q * chunkPanels * bl.Mr;
                    var mc = Math.Min(chunkPanels * bl.Mr, m - ic);
                    PackA(a, transA, m, k, 0, k, ic, mc, bl.Mr, Buffer.AsSpan(ic * k, RoundUp(mc, bl.Mr) * k));
                }
                Volatile.Write(ref packed[q], 1);
            }
        }
    }

    /// <summary>How a parallel product splits its output tiles between threads.</summary>
    internal enum Split { Auto, Rows, Columns }

    /// <summary>
    /// Tests force the row or column split of parallel products with this (default <see cref="Split.Auto"/>); it
    /// changes speed only, never the bits: every split assigns whole output tiles.
    /// </summary>
    internal static Split Partition { get; set; } = Split.Auto;

    /// <summary>
    /// The most doubles of a packed operand (k × n, or m × k for a column split, rounded up to whole panels) a parallel
    /// product packs once and shares between its threads (default 2²², 32 MiB); above it each thread packs its own
    /// blocks. Tests set 0 to force that; it changes speed only, never the bits.
    /// </summary>
    internal static long SharedPackLimit { get; set; } = 1L << 22;

    private static SharedPack? sharedPack;

    /// <summary>
    /// How many parts per thread a parallel product's tiles are cut into (default 4): more balance the threads, fewer
    /// make longer runs per packed block. Settable for tests and tuning; it changes speed only, never the bits.
    /// </summary>
    internal static int PartsPerThread { get; set; } = 4;

    /// <summary>
    /// Whether a product with one column tile (n ≤ 16 on the 512-bit path) reads whole row tiles of A in place instead
    /// of packing A (default true). Settable for tests and tuning; it changes speed only, never the bits.
    /// </summary>
    internal static bool UnpackedA { get; set; } = true;

    /// <summary>
    /// The product without packing or tiles, for small shapes: the same chain per element (<c>s = 0; s = fma(A[i, p],
    /// B[p, j], s)</c> for p ascending, then <c>+ bias[j]</c>), so the same bits as <see cref="Block"/>, then the
    /// epilogue on the value in the register. With <paramref name="simd"/>, B is read (or, transposed or with n not a
    /// multiple of 4, first copied zero-padded) as rows of 4-wide vectors, and blocks of up to 8 rows × 8 columns of C
    /// are accumulated at once; lanes run across columns, never p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Direct<TStore>(bool simd, bool wide, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        double[]? aux, double[]? columnSums) where TStore : struct
    {
        DirectRows<TStore>(simd, wide, a, transA, b, transB, c, m, k, n, bias, aux, columnSums, out var summed);
        if (columnSums is not null && !summed) Blas.ColumnSums(c, m, n, columnSums);
    }

    /// <summary><see cref="Direct"/>'s products; <paramref name="summed"/> tells whether it also wrote the column sums.</summary>
    private static void DirectRows<TStore>(bool simd, bool wide, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        double[]? aux, double[]? columnSums, out bool summed) where TStore : struct
    {
        summed = false;
        // A[i, p] = a[i·si + p·sp].
        var (si, sp) = transA ? (1, m) : (k, 1);
        if (!simd)
        {
            for (var i = 0; i < m; i++)
                for (var j = 0; j < n; j++)
                {
                    var s = 0.0;
                    for (var p = 0; p < k; p++)
                        s = Math.FusedMultiplyAdd(a[i * si + p * sp], transB ? b[j * k + p] : b[p * n + j], s);
                    StoreOne<TStore>(c, i * n + j, bias is null ? s : s + bias[j], aux);
                }
            return;
        }

        // bp: B as k rows of stride ldb whose first width = RoundUp(n, 4) values can be read as whole vectors; lanes
        // past n hold zeros or the next row's values and only ever reach results that are dropped. A copy changes no bits.
        var width = RoundUp(n, 4);
        int ldb;
        double[] bp;
        if (transB)
        {
            ldb = width;
            bp = Scratch(ref directB, k * ldb);
            for (var p = 0; p < k; p++)
            {
                var o = p * ldb;
                for (var j = 0; j < n; j++) bp[o + j] = b[j * k + p];
                for (var j = n; j < ldb; j++) bp[o + j] = 0.0;
            }
        }
        else
        {
            ldb = n;
            if (width == n) bp = b;
            else
            {
                // Rows as they are, plus room for the last row's final vector: one contiguous copy, not one per row.
                bp = Scratch(ref directB, k * n + (width - n));
                b.AsSpan(0, k * n).CopyTo(bp);
                for (var j = k * n; j < k * n + (width - n); j++) bp[j] = 0.0; // 1–3 values: a loop, not a call
            }
        }
        // Multiply checked aux against the epilogue; these checks let the stores below skip their own bounds checks.
        if (c.Length < m * n || (bias is not null && bias.Length < n))
            throw new ArgumentException("The result or bias array is shorter than the product's shape.");
        if (a.Length < (long)m * k || bp.Length < (long)(k - 1) * ldb + width)
            throw new ArgumentException("An operand is shorter than the product's shape.");
        ref var a0 = ref MemoryMarshal.GetArrayDataReference(a);
        ref var b0 = ref MemoryMarshal.GetArrayDataReference(bp);
        // One method per row-block height: small bodies keep every store inlined (one large method ran out of the
        // JIT's inlining budget and called its stores).
        // A held transposed with few columns of C (an output layer's weight gradient Hᵀ·δ): eight rows of C at one p are
        // one contiguous vector of A, so lanes run across rows with one accumulator per column, not across 3–4 columns.
        // Depth ≤ 4 and up to 32 whole 8-column vectors (a first hidden layer on few features, or the error behind a
        // 3-class output layer): all of B stays in registers while the rows stream past.
        if (wide && k <= ResidentDepth && n % 8 == 0 && n <= 32)
        {
            RowsResidentB<TStore>(ref a0, ref b0, si, sp, k, n, ldb, m, c, bias, aux, columnSums);
            summed = columnSums is not null;
            return;
        }
        var i0 = !(wide && transA) ? 0 : n switch
        {
            1 => RowLanes<TStore, OneColumn>(ref a0, ref b0, sp, k, ldb, m, c, bias, aux),
            2 => RowLanes<TStore, TwoColumns>(ref a0, ref b0, sp, k, ldb, m, c, bias, aux),
            3 => RowLanes<TStore, ThreeColumns>(ref a0, ref b0, sp, k, ldb, m, c, bias, aux),
            4 => RowLanes<TStore, FourColumns>(ref a0, ref b0, sp, k, ldb, m, c, bias, aux),
            _ => 0,
        };
        // Each block height is called only when rows remain for it. A call that has nothing to do still sets up its
        // frame, stack buffer and bias vector: skipping the empty ones made the small workload ~5% faster. (A method
        // never called is also never compiled: less JIT time in a short run.)
        if (width == 4 && m - i0 >= 8) i0 = Rows8<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, i0, c, bias, aux);
        if (m - i0 >= 4) i0 = Rows4<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, i0, c, bias, aux, wide);
        if (m - i0 >= 2) i0 = Rows2<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, i0, c, bias, aux, wide);
        if (m - i0 >= 1) Rows1<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, i0, c, bias, aux);
    }

    /// <summary>The deepest product <see cref="RowsResidentB"/> takes (its B registers: depth × 4 vectors).</summary>
    private const int ResidentDepth = 4;

    /// <summary>
    /// k ≤ <see cref="ResidentDepth"/> and n a multiple of 8 up to 32: B's k × n values are loaded once into at most 16
    /// 512-bit registers, then each row of C is k broadcasts of A and k·n/8 FMAs, the bias and the epilogue, with no load
    /// of B per row (the 4-row blocks reloaded B for every 4 rows and p). The same chain per element (from +0, p
    /// ascending, then + bias). Rows are independent, so the out-of-order core overlaps their short chains.
    /// </summary>
    /// <remarks>With <paramref name="columnSums"/>, each stored vector is also added to its column's sum, rows in order.</remarks>
    private static void RowsResidentB<TStore>(ref double a0, ref double b0, int si, int sp, int k, int n, int ldb, int m, double[] c, double[]? bias, double[]? aux,
        double[]? columnSums) where TStore : struct
    {
        var nv = n / 8;
        var ld = (nuint)ldb;
        // B[p, 8v … 8v+7] for p < k and v < nv; the rest stay zero and are never used.
        Vector512<double> b00 = default, b01 = default, b02 = default, b03 = default, b10 = default, b11 = default, b12 = default, b13 = default,
            b20 = default, b21 = default, b22 = default, b23 = default, b30 = default, b31 = default, b32 = default, b33 = default;
        b00 = Vector512.LoadUnsafe(ref b0);
        if (nv > 1) b01 = Vector512.LoadUnsafe(ref b0, 8);
        if (nv > 2) b02 = Vector512.LoadUnsafe(ref b0, 16);
        if (nv > 3) b03 = Vector512.LoadUnsafe(ref b0, 24);
        if (k > 1)
        {
            b10 = Vector512.LoadUnsafe(ref b0, ld);
            if (nv > 1) b11 = Vector512.LoadUnsafe(ref b0, ld + 8);
            if (nv > 2) b12 = Vector512.LoadUnsafe(ref b0, ld + 16);
            if (nv > 3) b13 = Vector512.LoadUnsafe(ref b0, ld + 24);
        }
        if (k > 2)
        {
            b20 = Vector512.LoadUnsafe(ref b0, 2 * ld);
            if (nv > 1) b21 = Vector512.LoadUnsafe(ref b0, 2 * ld + 8);
            if (nv > 2) b22 = Vector512.LoadUnsafe(ref b0, 2 * ld + 16);
            if (nv > 3) b23 = Vector512.LoadUnsafe(ref b0, 2 * ld + 24);
        }
        if (k > 3)
        {
            b30 = Vector512.LoadUnsafe(ref b0, 3 * ld);
            if (nv > 1) b31 = Vector512.LoadUnsafe(ref b0, 3 * ld + 8);
            if (nv > 2) b32 = Vector512.LoadUnsafe(ref b0, 3 * ld + 16);
            if (nv > 3) b33 = Vector512.LoadUnsafe(ref b0, 3 * ld + 24);
        }
        Vector512<double> bias0 = default, bias1 = default, bias2 = default, bias3 = default;
        var hasBias = bias is not null; // no bias adds nothing (not even +0, which would turn a −0 result into +0)
        if (hasBias)
        {
            ref var bb = ref MemoryMarshal.GetArrayDataReference(bias!);
            bias0 = Vector512.LoadUnsafe(ref bb);
            if (nv > 1) bias1 = Vector512.LoadUnsafe(ref bb, 8);
            if (nv > 2) bias2 = Vector512.LoadUnsafe(ref bb, 16);
            if (nv > 3) bias3 = Vector512.LoadUnsafe(ref bb, 24);
        }
        nint step = sp;
        ref var ai = ref a0;
        var sum = columnSums is not null;
        Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
        for (var i = 0; i < m; i++)
        {
            var x = Vector512.Create(ai);
            var c0 = Avx512F.FusedMultiplyAdd(x, b00, Vector512<double>.Zero);
            var c1 = Avx512F.FusedMultiplyAdd(x, b01, Vector512<double>.Zero);
            var c2 = Avx512F.FusedMultiplyAdd(x, b02, Vector512<double>.Zero);
            var c3 = Avx512F.FusedMultiplyAdd(x, b03, Vector512<double>.Zero);
            if (k > 1)
            {
                x = Vector512.Create(Unsafe.Add(ref ai, step));
                c0 = Avx512F.FusedMultiplyAdd(x, b10, c0); c1 = Avx512F.FusedMultiplyAdd(x, b11, c1);
                c2 = Avx512F.FusedMultiplyAdd(x, b12, c2); c3 = Avx512F.FusedMultiplyAdd(x, b13, c3);
            }
            if (k > 2)
            {
                x = Vector512.Create(Unsafe.Add(ref ai, 2 * step));
                c0 = Avx512F.FusedMultiplyAdd(x, b20, c0); c1 = Avx512F.FusedMultiplyAdd(x, b21, c1);
                c2 = Avx512F.FusedMultiplyAdd(x, b22, c2); c3 = Avx512F.FusedMultiplyAdd(x, b23, c3);
            }
            if (k > 3)
            {
                x = Vector512.Create(Unsafe.Add(ref ai, 3 * step));
                c0 = Avx512F.FusedMultiplyAdd(x, b30, c0); c1 = Avx512F.FusedMultiplyAdd(x, b31, c1);
                c2 = Avx512F.FusedMultiplyAdd(x, b32, c2); c3 = Avx512F.FusedMultiplyAdd(x, b33, c3);
            }
            if (hasBias)
            {
                c0 += bias0; c1 += bias1; c2 += bias2; c3 += bias3;
            }
            var at = (nuint)i * (nuint)n;
            c0 = Put512<TStore>(c, aux, at, c0);
            if (nv > 1) c1 = Put512<TStore>(c, aux, at + 8, c1);
            if (nv > 2) c2 = Put512<TStore>(c, aux, at + 16, c2);
            if (nv > 3) c3 = Put512<TStore>(c, aux, at + 24, c3);
            if (sum)
            {
                s0 += c0; s1 += c1; s2 += c2; s3 += c3;
            }
            ai = ref Unsafe.Add(ref ai, (nint)si);
        }
        if (sum)
        {
            ref var sr = ref MemoryMarshal.GetArrayDataReference(columnSums!);
            s0.StoreUnsafe(ref sr);
            if (nv > 1) s1.StoreUnsafe(ref sr, 8);
            if (nv > 2) s2.StoreUnsafe(ref sr, 16);
            if (nv > 3) s3.StoreUnsafe(ref sr, 24);
        }
    }

    /// <summary>
    /// A transposed (A[i, p] = a[i + p·sp]) and n = <typeparamref name="TN"/> ≤ 4: blocks of 32 (then 8) rows of C, each 8
    /// rows at one p one <see cref="Vector512{T}"/> of A times the broadcast B[p, j], one accumulator per 8 rows and
    /// column, so a p costs 4 loads, n broadcasts and 4n FMAs for 32 rows instead of 32 broadcasts and 32 FMAs. The same
    /// chain per element as every path; the accumulators are transposed in registers into rows of C. Returns the next row.
    /// </summary>
    private static int RowLanes<TStore, TN>(ref double a0, ref double b0, int sp, int k, int ldb, int m, double[] c, double[]? bias, double[]? aux)
        where TStore : struct where TN : struct, IColumnCount
    {
        var n = TN.Count;
        Span<double> edge = stackalloc double[4];
        var biasV = PaddedBias(bias, n);
        var hasBias = bias is not null; // no bias adds nothing (not even +0, which would turn a −0 result into +0)
        var end = m * n;
        var i0 = 0;
        for (; i0 + 32 <= m; i0 += 32)
        {
            Vector512<double> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default,
                c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
            for (var p = 0; p < k; p++)
            {
                ref var ap = ref Unsafe.Add(ref a0, (nint)p * sp + i0);
                // B[p, 0 … n−1] broadcast; columns at or past n stay zero and are never stored.
                ref var bp = ref Unsafe.Add(ref b0, (nint)p * ldb);
                var x0 = Vector512.Create(bp);
                var x1 = TN.Count > 1 ? Vector512.Create(Unsafe.Add(ref bp, 1)) : default;
                var x2 = TN.Count > 2 ? Vector512.Create(Unsafe.Add(ref bp, 2)) : default;
                var x3 = TN.Count > 3 ? Vector512.Create(Unsafe.Add(ref bp, 3)) : default;
                var v = Vector512.LoadUnsafe(ref ap);
                c00 = Avx512F.FusedMultiplyAdd(v, x0, c00);
                if (TN.Count > 1) c01 = Avx512F.FusedMultiplyAdd(v, x1, c01);
                if (TN.Count > 2) c02 = Avx512F.FusedMultiplyAdd(v, x2, c02);
                if (TN.Count > 3) c03 = Avx512F.FusedMultiplyAdd(v, x3, c03);
                v = Vector512.LoadUnsafe(ref ap, 8);
                c10 = Avx512F.FusedMultiplyAdd(v, x0, c10);
                if (TN.Count > 1) c11 = Avx512F.FusedMultiplyAdd(v, x1, c11);
                if (TN.Count > 2) c12 = Avx512F.FusedMultiplyAdd(v, x2, c12);
                if (TN.Count > 3) c13 = Avx512F.FusedMultiplyAdd(v, x3, c13);
                v = Vector512.LoadUnsafe(ref ap, 16);
                c20 = Avx512F.FusedMultiplyAdd(v, x0, c20);
                if (TN.Count > 1) c21 = Avx512F.FusedMultiplyAdd(v, x1, c21);
                if (TN.Count > 2) c22 = Avx512F.FusedMultiplyAdd(v, x2, c22);
                if (TN.Count > 3) c23 = Avx512F.FusedMultiplyAdd(v, x3, c23);
                v = Vector512.LoadUnsafe(ref ap, 24);
                c30 = Avx512F.FusedMultiplyAdd(v, x0, c30);
                if (TN.Count > 1) c31 = Avx512F.FusedMultiplyAdd(v, x1, c31);
                if (TN.Count > 2) c32 = Avx512F.FusedMultiplyAdd(v, x2, c32);
                if (TN.Count > 3) c33 = Avx512F.FusedMultiplyAdd(v, x3, c33);
            }
            StoreTransposed<TStore>(c, i0, n, end, c00, c01, c02, c03, hasBias, biasV, edge, aux);
            StoreTransposed<TStore>(c, i0 + 8, n, end, c10, c11, c12, c13, hasBias, biasV, edge, aux);
            StoreTransposed<TStore>(c, i0 + 16, n, end, c20, c21, c22, c23, hasBias, biasV, edge, aux);
            StoreTransposed<TStore>(c, i0 + 24, n, end, c30, c31, c32, c33, hasBias, biasV, edge, aux);
        }
        for (; i0 + 8 <= m; i0 += 8)
        {
            Vector512<double> c0 = default, c1 = default, c2 = default, c3 = default;
            for (var p = 0; p < k; p++)
            {
                ref var bp = ref Unsafe.Add(ref b0, (nint)p * ldb);
                var x0 = Vector512.Create(bp);
                var x1 = TN.Count > 1 ? Vector512.Create(Unsafe.Add(ref bp, 1)) : default;
                var x2 = TN.Count > 2 ? Vector512.Create(Unsafe.Add(ref bp, 2)) : default;
                var x3 = TN.Count > 3 ? Vector512.Create(Unsafe.Add(ref bp, 3)) : default;
                var v = Vector512.LoadUnsafe(ref Unsafe.Add(ref a0, (nint)p * sp + i0));
                c0 = Avx512F.FusedMultiplyAdd(v, x0, c0);
                if (TN.Count > 1) c1 = Avx512F.FusedMultiplyAdd(v, x1, c1);
                if (TN.Count > 2) c2 = Avx512F.FusedMultiplyAdd(v, x2, c2);
                if (TN.Count > 3) c3 = Avx512F.FusedMultiplyAdd(v, x3, c3);
            }
            StoreTransposed<TStore>(c, i0, n, end, c0, c1, c2, c3, hasBias, biasV, edge, aux);
        }
        return i0;
    }

    // The column count of RowLanes as a type argument: each instantiation compiles only the FMAs of its own columns
    // (a 3-column output layer then spends 12 FMAs per p on 32 rows, not 16).
    private interface IColumnCount
    {
        static abstract int Count { get; }
    }

    private struct OneColumn : IColumnCount
    {
        public static int Count => 1;
    }

    private struct TwoColumns : IColumnCount
    {
        public static int Count => 2;
    }

    private struct ThreeColumns : IColumnCount
    {
        public static int Count => 3;
    }

    private struct FourColumns : IColumnCount
    {
        public static int Count => 4;
    }

    /// <summary>
    /// Rows i0 … i0+7 of C from four column accumulators (lane r = row i0 + r): two 4×4 transposes give each row's
    /// columns 0 … 3 as one vector, stored in ascending rows as <see cref="Rows8"/> stores (bias added, then the epilogue).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTransposed<TStore>(double[] c, int i0, int n, int end, Vector512<double> c0, Vector512<double> c1,
        Vector512<double> c2, Vector512<double> c3, bool hasBias, Vector256<double> biasV, Span<double> edge, double[]? aux) where TStore : struct
    {
        StoreTransposed4<TStore>(c, i0, n, end, c0.GetLower(), c1.GetLower(), c2.GetLower(), c3.GetLower(), hasBias, biasV, edge, aux);
        StoreTransposed4<TStore>(c, i0 + 4, n, end, c0.GetUpper(), c1.GetUpper(), c2.GetUpper(), c3.GetUpper(), hasBias, biasV, edge, aux);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTransposed4<TStore>(double[] c, int i0, int n, int end, Vector256<double> a, Vector256<double> b,
        Vector256<double> cc, Vector256<double> d, bool hasBias, Vector256<double> biasV, Span<double> edge, double[]? aux) where TStore : struct
    {
        var ab0 = Avx.UnpackLow(a, b); // a0 b0 a2 b2
        var ab1 = Avx.UnpackHigh(a, b); // a1 b1 a3 b3
        var cd0 = Avx.UnpackLow(cc, d);
        var cd1 = Avx.UnpackHigh(cc, d);
        var r0 = Avx.Permute2x128(ab0, cd0, 0x20); // a0 b0 c0 d0
        var r1 = Avx.Permute2x128(ab1, cd1, 0x20);
        var r2 = Avx.Permute2x128(ab0, cd0, 0x31);
        var r3 = Avx.Permute2x128(ab1, cd1, 0x31);
        if (hasBias)
        {
            r0 += biasV; r1 += biasV; r2 += biasV; r3 += biasV;
        }
        Store8<TStore>(c, i0 * n, n, end, r0, edge, aux);
        Store8<TStore>(c, (i0 + 1) * n, n, end, r1, edge, aux);
        Store8<TStore>(c, (i0 + 2) * n, n, end, r2, edge, aux);
        Store8<TStore>(c, (i0 + 3) * n, n, end, r3, edge, aux);
    }

    /// <summary>bias[0 … n−1] (n ≤ 4) as one 4-wide vector, zero past n (or all zero without a bias).</summary>
    private static Vector256<double> PaddedBias(double[]? bias, int n)
    {
        Span<double> padded = stackalloc double[4];
        padded.Clear();
        bias?.AsSpan(0, n).CopyTo(padded);
        return Vector256.Create((ReadOnlySpan<double>)padded);
    }

    /// <summary>n ≤ 4 (e.g. an output layer): 8 rows at a time, so 8 independent chains hide the FMA latency. Returns the next row.</summary>
    private static int Rows8<TStore>(ref double a0, ref double b0, int si, int sp, int k, int n, int ldb, int width, int m, int i0, double[] c, double[]? bias, double[]? aux) where TStore : struct
    {
        // Rows are stored in ascending order and each row is one vector (n ≤ 4), so a row's lanes past n may spill into
        // the following rows, whose own stores then overwrite them: whole-vector stores instead of n scalar ones. A row
        // whose vector would pass c[..m·n] is stored exactly, so nothing outside the result is written.
        Span<double> edge = stackalloc double[4];
        var biasV = PaddedBias(bias, n);
        nint s1 = si, s2 = 2 * (nint)si, s3 = 3 * (nint)si, s4 = 4 * (nint)si, step = sp, ldbN = ldb;
        for (; i0 + 8 <= m; i0 += 8)
        {
            // Two row pointers (rows 0 and 4 of the block) stepped by p, and the row offsets hoisted as native ints: the
            // loop body is then loads and FMAs (offsets recomputed from int each p had cost as many instructions again).
            ref var ap = ref Unsafe.Add(ref a0, (nint)i0 * si);
            ref var aq = ref Unsafe.Add(ref ap, s4);
            ref var bp = ref b0;
            Vector256<double> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (var p = 0; p < k; p++)
            {
                var v = Vector256.LoadUnsafe(ref bp);
                c0 = Fma.MultiplyAdd(Vector256.Create(ap), v, c0);
                c1 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, s1)), v, c1);
                c2 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, s2)), v, c2);
                c3 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, s3)), v, c3);
                c4 = Fma.MultiplyAdd(Vector256.Create(aq), v, c4);
                c5 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref aq, s1)), v, c5);
                c6 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref aq, s2)), v, c6);
                c7 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref aq, s3)), v, c7);
                ap = ref Unsafe.Add(ref ap, step);
                aq = ref Unsafe.Add(ref aq, step);
                bp = ref Unsafe.Add(ref bp, ldbN);
            }
            if (bias is not null)
            {
                c0 += biasV; c1 += biasV; c2 += biasV; c3 += biasV; c4 += biasV; c5 += biasV; c6 += biasV; c7 += biasV;
            }
            var end = m * n;
            Store8<TStore>(c, i0 * n, n, end, c0, edge, aux); Store8<TStore>(c, (i0 + 1) * n, n, end, c1, edge, aux);
            Store8<TStore>(c, (i0 + 2) * n, n, end, c2, edge, aux); Store8<TStore>(c, (i0 + 3) * n, n, end, c3, edge, aux);
            Store8<TStore>(c, (i0 + 4) * n, n, end, c4, edge, aux); Store8<TStore>(c, (i0 + 5) * n, n, end, c5, edge, aux);
            Store8<TStore>(c, (i0 + 6) * n, n, end, c6, edge, aux); Store8<TStore>(c, (i0 + 7) * n, n, end, c7, edge, aux);
        }
        return i0;
    }

    /// <summary>
    /// A row of n ≤ 4 results (bias already added) starting at <paramref name="at"/>: a whole-vector store whose lanes
    /// past n land in the following rows, which are stored later, while it stays inside c[..end]; else exactly n values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8<TStore>(double[] c, int at, int n, int end, Vector256<double> v, Span<double> edge, double[]? aux) where TStore : struct
    {
        if (at + 4 > end)
        {
            StoreRow<TStore>(c, at / n, n, 0, v, null, edge, aux);
            return;
        }
        Put<TStore>(c, aux, (nuint)at, v);
    }

    /// <summary>
    /// The interior 16-column blocks of rows i0 … i0+3 with <see cref="Vector512{T}"/> (half the instructions of two
    /// 256-bit blocks, for the same chains); returns the first column left to the 256-bit loops.
    /// </summary>
    private static int Rows4Wide<TStore>(ref double ar, ref double b0, int si, int sp, int k, int n, int ldb, int i0, double[] c, double[]? bias, double[]? aux) where TStore : struct
    {
        var j0 = 0;
        for (; j0 + 16 <= n; j0 += 16)
        {
            Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            for (var p = 0; p < k; p++)
            {
                ref var bRow = ref Unsafe.Add(ref b0, (nint)p * ldb + j0);
                var v0 = Vector512.LoadUnsafe(ref bRow);
                var v1 = Vector512.LoadUnsafe(ref bRow, 8);
                ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
                var x = Vector512.Create(ap);
                c00 = Avx512F.FusedMultiplyAdd(x, v0, c00); c01 = Avx512F.FusedMultiplyAdd(x, v1, c01);
                x = Vector512.Create(Unsafe.Add(ref ap, si));
                c10 = Avx512F.FusedMultiplyAdd(x, v0, c10); c11 = Avx512F.FusedMultiplyAdd(x, v1, c11);
                x = Vector512.Create(Unsafe.Add(ref ap, 2 * si));
                c20 = Avx512F.FusedMultiplyAdd(x, v0, c20); c21 = Avx512F.FusedMultiplyAdd(x, v1, c21);
                x = Vector512.Create(Unsafe.Add(ref ap, 3 * si));
                c30 = Avx512F.FusedMultiplyAdd(x, v0, c30); c31 = Avx512F.FusedMultiplyAdd(x, v1, c31);
            }
            if (bias is not null)
            {
                var bv0 = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(bias), (nuint)j0);
                var bv1 = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(bias), (nuint)j0 + 8);
                c00 += bv0; c01 += bv1; c10 += bv0; c11 += bv1; c20 += bv0; c21 += bv1; c30 += bv0; c31 += bv1;
            }
            var at = (nuint)(i0 * n + j0);
            var un = (nuint)n;
            Put512<TStore>(c, aux, at, c00); Put512<TStore>(c, aux, at + 8, c01);
            Put512<TStore>(c, aux, at + un, c10); Put512<TStore>(c, aux, at + un + 8, c11);
            Put512<TStore>(c, aux, at + 2 * un, c20); Put512<TStore>(c, aux, at + 2 * un + 8, c21);
            Put512<TStore>(c, aux, at + 3 * un, c30); Put512<TStore>(c, aux, at + 3 * un + 8, c31);
        }
        return j0;
    }

    /// <summary>
    /// Eight results (bias added) at c[at..at+8] with the epilogue; Multiply and Direct checked the bounds of aux and c.
    /// Returns the values stored in c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Put512<TStore>(double[] c, double[]? aux, nuint at, Vector512<double> v) where TStore : struct
    {
        if (typeof(TStore) == typeof(ReluGateStore))
        {
            var z = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(aux!), at);
            v = Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<double>.Zero), v, Vector512<double>.Zero);
        }
        if (typeof(TStore) == typeof(ReluOnlyStore)) v = Elementwise.Relu8(v);
        v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(c), at);
        if (typeof(TStore) == typeof(ReluStore)) Elementwise.Relu8(v).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(aux!), at);
        return v;
    }

    /// <summary>Blocks of 4 rows × 8 (then 4) columns. Returns the next row.</summary>
    private static int Rows4<TStore>(ref double a0, ref double b0, int si, int sp, int k, int n, int ldb, int width, int m, int i0, double[] c, double[]? bias, double[]? aux, bool wide) where TStore : struct
    {
        Span<double> edge = stackalloc double[4];
        for (; i0 + 4 <= m; i0 += 4)
        {
            ref var ar = ref Unsafe.Add(ref a0, (nint)i0 * si);
            var j0 = wide ? Rows4Wide<TStore>(ref ar, ref b0, si, sp, k, n, ldb, i0, c, bias, aux) : 0;
            for (; j0 + 8 <= width; j0 += 8)
            {
                Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                for (var p = 0; p < k; p++)
                {
                    ref var bRow = ref Unsafe.Add(ref b0, (nint)p * ldb + j0);
                    var v0 = Vector256.LoadUnsafe(ref bRow);
                    var v1 = Vector256.LoadUnsafe(ref bRow, 4);
                    ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
                    var x = Vector256.Create(ap);
                    c00 = Fma.MultiplyAdd(x, v0, c00); c01 = Fma.MultiplyAdd(x, v1, c01);
                    x = Vector256.Create(Unsafe.Add(ref ap, si));
                    c10 = Fma.MultiplyAdd(x, v0, c10); c11 = Fma.MultiplyAdd(x, v1, c11);
                    x = Vector256.Create(Unsafe.Add(ref ap, 2 * si));
                    c20 = Fma.MultiplyAdd(x, v0, c20); c21 = Fma.MultiplyAdd(x, v1, c21);
                    x = Vector256.Create(Unsafe.Add(ref ap, 3 * si));
                    c30 = Fma.MultiplyAdd(x, v0, c30); c31 = Fma.MultiplyAdd(x, v1, c31);
                }
                if (j0 + 8 <= n) // an interior block: one bias load for four rows, stores at fixed offsets
                {
                    if (bias is not null)
                    {
                        var bv0 = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(bias), (nuint)j0);
                        var bv1 = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(bias), (nuint)j0 + 4);
                        c00 += bv0; c01 += bv1; c10 += bv0; c11 += bv1; c20 += bv0; c21 += bv1; c30 += bv0; c31 += bv1;
                    }
                    var at = (nuint)(i0 * n + j0);
                    var un = (nuint)n;
                    Put<TStore>(c, aux, at, c00); Put<TStore>(c, aux, at + 4, c01);
                    Put<TStore>(c, aux, at + un, c10); Put<TStore>(c, aux, at + un + 4, c11);
                    Put<TStore>(c, aux, at + 2 * un, c20); Put<TStore>(c, aux, at + 2 * un + 4, c21);
                    Put<TStore>(c, aux, at + 3 * un, c30); Put<TStore>(c, aux, at + 3 * un + 4, c31);
                    continue;
                }
                StoreRow<TStore>(c, i0, n, j0, c00, bias, edge, aux); StoreRow<TStore>(c, i0, n, j0 + 4, c01, bias, edge, aux);
                StoreRow<TStore>(c, i0 + 1, n, j0, c10, bias, edge, aux); StoreRow<TStore>(c, i0 + 1, n, j0 + 4, c11, bias, edge, aux);
                StoreRow<TStore>(c, i0 + 2, n, j0, c20, bias, edge, aux); StoreRow<TStore>(c, i0 + 2, n, j0 + 4, c21, bias, edge, aux);
                StoreRow<TStore>(c, i0 + 3, n, j0, c30, bias, edge, aux); StoreRow<TStore>(c, i0 + 3, n, j0 + 4, c31, bias, edge, aux);
            }
            for (; j0 < width; j0 += 4)
            {
                Vector256<double> c0 = default, c1 = default, c2 = default, c3 = default;
                for (var p = 0; p < k; p++)
                {
                    var v = Vector256.LoadUnsafe(ref Unsafe.Add(ref b0, (nint)p * ldb + j0));
                    ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
                    c0 = Fma.MultiplyAdd(Vector256.Create(ap), v, c0);
                    c1 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, si)), v, c1);
                    c2 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 2 * si)), v, c2);
                    c3 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 3 * si)), v, c3);
                }
                StoreRow<TStore>(c, i0, n, j0, c0, bias, edge, aux); StoreRow<TStore>(c, i0 + 1, n, j0, c1, bias, edge, aux);
                StoreRow<TStore>(c, i0 + 2, n, j0, c2, bias, edge, aux); StoreRow<TStore>(c, i0 + 3, n, j0, c3, bias, edge, aux);
            }
        }
        return i0;
    }

    /// <summary>Two rows × 16 (then 4) columns: 8 independent chains for a short, wide product such as 2×64×32. Returns the next row.</summary>
    private static int Rows2<TStore>(ref double a0, ref double b0, int si, int sp, int k, int n, int ldb, int width, int m, int i0, double[] c, double[]? bias, double[]? aux,
        bool wide) where TStore : struct
    {
        Span<double> edge = stackalloc double[4];
        for (; i0 + 2 <= m; i0 += 2)
        {
            ref var ar = ref Unsafe.Add(ref a0, (nint)i0 * si);
            var j0 = wide ? Rows2Wide<TStore>(ref ar, ref b0, si, sp, k, n, ldb, i0, c, bias, aux) : 0;
            for (; j0 + 16 <= width; j0 += 16)
            {
                Vector256<double> c0 = default, c1 = default, c2 = default, c3 = default, d0 = default, d1 = default, d2 = default, d3 = default;
                for (var p = 0; p < k; p++)
                {
                    ref var bRow = ref Unsafe.Add(ref b0, (nint)p * ldb + j0);
                    var v0 = Vector256.LoadUnsafe(ref bRow);
                    var v1 = Vector256.LoadUnsafe(ref bRow, 4);
                    var v2 = Vector256.LoadUnsafe(ref bRow, 8);
                    var v3 = Vector256.LoadUnsafe(ref bRow, 12);
                    ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
                    var x = Vector256.Create(ap);
                    var y = Vector256.Create(Unsafe.Add(ref ap, si));
                    c0 = Fma.MultiplyAdd(x, v0, c0); c1 = Fma.MultiplyAdd(x, v1, c1);
                    c2 = Fma.MultiplyAdd(x, v2, c2); c3 = Fma.MultiplyAdd(x, v3, c3);
                    d0 = Fma.MultiplyAdd(y, v0, d0); d1 = Fma.MultiplyAdd(y, v1, d1);
                    d2 = Fma.MultiplyAdd(y, v2, d2); d3 = Fma.MultiplyAdd(y, v3, d3);
                }
                StoreRow<TStore>(c, i0, n, j0, c0, bias, edge, aux); StoreRow<TStore>(c, i0, n, j0 + 4, c1, bias, edge, aux);
                StoreRow<TStore>(c, i0, n, j0 + 8, c2, bias, edge, aux); StoreRow<TStore>(c, i0, n, j0 + 12, c3, bias, edge, aux);
                StoreRow<TStore>(c, i0 + 1, n, j0, d0, bias, edge, aux); StoreRow<TStore>(c, i0 + 1, n, j0 + 4, d1, bias, edge, aux);
                StoreRow<TStore>(c, i0 + 1, n, j0 + 8, d2, bias, edge, aux); StoreRow<TStore>(c, i0 + 1, n, j0 + 12, d3, bias, edge, aux);
            }
            for (; j0 < width; j0 += 4)
            {
                Vector256<double> c0 = default, d0 = default;
                for (var p = 0; p < k; p++)
                {
                    var v = Vector256.LoadUnsafe(ref Unsafe.Add(ref b0, (nint)p * ldb + j0));
                    ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
                    c0 = Fma.MultiplyAdd(Vector256.Create(ap), v, c0);
                    d0 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, si)), v, d0);
                }
                StoreRow<TStore>(c, i0, n, j0, c0, bias, edge, aux); StoreRow<TStore>(c, i0 + 1, n, j0, d0, bias, edge, aux);
            }
        }
        return i0;
    }

    /// <summary>
    /// The interior 32-column blocks of rows i0 and i0+1 with <see cref="Vector512{T}"/> (e.g. the first layer's weight
    /// gradient Xᵀ·δ on two features): 8 chains for half the instructions of two 256-bit blocks. Returns the first
    /// column left to the 256-bit loops.
    /// </summary>
    private static int Rows2Wide<TStore>(ref double ar, ref double b0, int si, int sp, int k, int n, int ldb, int i0, double[] c, double[]? bias, double[]? aux) where TStore : struct
    {
        var j0 = 0;
        nint step = sp, ldbN = ldb, s1 = si;
        for (; j0 + 32 <= n; j0 += 32)
        {
            Vector512<double> c0 = default, c1 = default, c2 = default, c3 = default, d0 = default, d1 = default, d2 = default, d3 = default;
            ref var ap = ref ar;
            ref var bRow = ref Unsafe.Add(ref b0, j0);
            for (var p = 0; p < k; p++)
            {
                var v0 = Vector512.LoadUnsafe(ref bRow);
                var v1 = Vector512.LoadUnsafe(ref bRow, 8);
                var v2 = Vector512.LoadUnsafe(ref bRow, 16);
                var v3 = Vector512.LoadUnsafe(ref bRow, 24);
                var x = Vector512.Create(ap);
                var y = Vector512.Create(Unsafe.Add(ref ap, s1));
                c0 = Avx512F.FusedMultiplyAdd(x, v0, c0); c1 = Avx512F.FusedMultiplyAdd(x, v1, c1);
                c2 = Avx512F.FusedMultiplyAdd(x, v2, c2); c3 = Avx512F.FusedMultiplyAdd(x, v3, c3);
                d0 = Avx512F.FusedMultiplyAdd(y, v0, d0); d1 = Avx512F.FusedMultiplyAdd(y, v1, d1);
                d2 = Avx512F.FusedMultiplyAdd(y, v2, d2); d3 = Avx512F.FusedMultiplyAdd(y, v3, d3);
                ap = ref Unsafe.Add(ref ap, step);
                bRow = ref Unsafe.Add(ref bRow, ldbN);
            }
            if (bias is not null)
            {
                ref var bb = ref MemoryMarshal.GetArrayDataReference(bias);
                var bv0 = Vector512.LoadUnsafe(ref bb, (nuint)j0); var bv1 = Vector512.LoadUnsafe(ref bb, (nuint)j0 + 8);
                var bv2 = Vector512.LoadUnsafe(ref bb, (nuint)j0 + 16); var bv3 = Vector512.LoadUnsafe(ref bb, (nuint)j0 + 24);
                c0 += bv0; c1 += bv1; c2 += bv2; c3 += bv3; d0 += bv0; d1 += bv1; d2 += bv2; d3 += bv3;
            }
            var at = (nuint)(i0 * n + j0);
            var un = (nuint)n;
            Put512<TStore>(c, aux, at, c0); Put512<TStore>(c, aux, at + 8, c1); Put512<TStore>(c, aux, at + 16, c2); Put512<TStore>(c, aux, at + 24, c3);
            Put512<TStore>(c, aux, at + un, d0); Put512<TStore>(c, aux, at + un + 8, d1);
            Put512<TStore>(c, aux, at + un + 16, d2); Put512<TStore>(c, aux, at + un + 24, d3);
        }
        return j0;
    }

    /// <summary>The remaining rows one at a time, 16 (then 4) columns per pass.</summary>
    private static void Rows1<TStore>(ref double a0, ref double b0, int si, int sp, int k, int n, int ldb, int width, int m, int i0, double[] c, double[]? bias, double[]? aux) where TStore : struct
    {
        Span<double> edge = stackalloc double[4];
        for (; i0 < m; i0++)
        {
            ref var ar = ref Unsafe.Add(ref a0, (nint)i0 * si);
            var j0 = 0;
            for (; j0 + 16 <= width; j0 += 16) // 4 independent chains per row
            {
                Vector256<double> c0 = default, c1 = default, c2 = default, c3 = default;
                for (var p = 0; p < k; p++)
                {
                    ref var bRow = ref Unsafe.Add(ref b0, (nint)p * ldb + j0);
                    var x = Vector256.Create(Unsafe.Add(ref ar, (nint)p * sp));
                    c0 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bRow), c0);
                    c1 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bRow, 4), c1);
                    c2 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bRow, 8), c2);
                    c3 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bRow, 12), c3);
                }
                StoreRow<TStore>(c, i0, n, j0, c0, bias, edge, aux); StoreRow<TStore>(c, i0, n, j0 + 4, c1, bias, edge, aux);
                StoreRow<TStore>(c, i0, n, j0 + 8, c2, bias, edge, aux); StoreRow<TStore>(c, i0, n, j0 + 12, c3, bias, edge, aux);
            }
            for (; j0 < width; j0 += 4)
            {
                var c0 = Vector256<double>.Zero;
                for (var p = 0; p < k; p++)
                    c0 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ar, (nint)p * sp)), Vector256.LoadUnsafe(ref Unsafe.Add(ref b0, (nint)p * ldb + j0)), c0);
                StoreRow<TStore>(c, i0, n, j0, c0, bias, edge, aux);
            }
        }
    }

    // The epilogue as a type argument: each instantiation of Direct compiles only its own store, which keeps the stores
    // small enough to inline at every call site (a runtime switch there made the small products ~3× slower).
    private struct PlainStore;
    private struct ReluStore;
    private struct ReluGateStore;
    private struct ReluOnlyStore;

    /// <summary>
    /// Stores the lanes of <paramref name="v"/> that fall inside row i (columns j0 … min(j0 + 4, n)), adding the bias
    /// and applying the epilogue with the comparison of <see cref="Elementwise.Relu"/> and <see cref="Elementwise.ReluBackward"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TStore>(double[] c, int i, int n, int j0, Vector256<double> v, double[]? bias, Span<double> edge, double[]? aux)
        where TStore : struct
    {
        // Multiply checked aux (m·n) and Direct checked c (m·n) and bias (n) once, so the full-vector stores need no bounds checks.
        var at = i * n + j0;
        if (n - j0 >= 4)
        {
            if (bias is not null) v += Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(bias), (nuint)j0);
            Put<TStore>(c, aux, (nuint)at, v);
            return;
        }
        // A call here would make the caller spill its accumulators around it: the edge stays inline.
        v.CopyTo(edge);
        for (var j = 0; j < n - j0; j++) StoreOne<TStore>(c, at + j, bias is null ? edge[j] : edge[j] + bias[j0 + j], aux);
    }

    /// <summary>Four results (bias added) at c[at..at+4] with the epilogue; Multiply and Direct checked the bounds of aux and c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TStore>(double[] c, double[]? aux, nuint at, Vector256<double> v) where TStore : struct
    {
        if (typeof(TStore) == typeof(ReluGateStore))
        {
            var z = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(aux!), at);
            v = Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<double>.Zero), v, Vector256<double>.Zero);
        }
        if (typeof(TStore) == typeof(ReluOnlyStore)) v = Elementwise.Relu4(v);
        v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(c), at);
        if (typeof(TStore) == typeof(ReluStore)) Elementwise.Relu4(v).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(aux!), at);
    }

    /// <summary>One result with its epilogue, in scalar code (the same comparisons as the vector lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOne<TStore>(double[] c, int at, double s, double[]? aux) where TStore : struct
    {
        if (typeof(TStore) == typeof(ReluGateStore)) s = aux![at] > 0 ? s : 0.0;
        if (typeof(TStore) == typeof(ReluOnlyStore)) s = s > 0 ? s : 0.0;
        c[at] = s;
        if (typeof(TStore) == typeof(ReluStore)) aux![at] = s > 0 ? s : 0.0;
    }

    /// <summary>The sequential blocked product for the output rows [i0, i1) and columns [j0, j1).</summary>
    /// <remarks>
    /// With <paramref name="shared"/>, its operand (all of B, or all of A) is packed already or being packed by the
    /// threads, and each panel is waited for before its first use.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 warm-up inside a benchmark or a first epoch
    private static void Block(Path path, Blocking bl, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n,
        double[]? bias, int i0, int i1, int j0, int j1, SharedPack? shared, double? sgd)
    {
        if (i0 >= i1 || j0 >= j1) return;
        var packedA = shared is { PacksB: false } ? shared.Buffer : null;
        var packedB = shared is { PacksB: true } ? shared.Buffer : null;
        var ready = 0; // chunks of the shared operand known packed
        var (mr, nr) = (bl.Mr, bl.Nr);
        var kBlocks = (k + bl.Kc - 1) / bl.Kc;
        var kcStep = (k + kBlocks - 1) / kBlocks; // balanced k-blocks; the per-element chain is the same for any split
        var mcMax = Math.Min(bl.Mc, RoundUp(i1 - i0, mr));
        var ncMax = Math.Min(bl.Nc, RoundUp(j1 - j0, nr));
        // packedA: all of A already packed as full-depth panels (SharedPack), else this thread packs MC×KC blocks.
        var pa = packedA ?? Scratch(ref packA, mcMax * kcStep);
        // packedB: all of B already packed as full-depth panels (SharedPack), else this thread packs KC×NC blocks.
        var pb = packedB ?? Scratch(ref packB, kcStep * ncMax);
        Span<double> edge = stackalloc double[MR512 * NR512];
        Span<double> edgeBias = stackalloc double[NR512];
        // One column tile (n ≤ 16, e.g. an output layer): each value of A feeds one tile only, so packing it buys
        // nothing; the 512-bit kernel reads whole 8-row tiles of A in place, A[i, p] = a[i·si + p·sp].
        var unpackedA = UnpackedA && path == Path.Vector512 && packedA is null && j1 - j0 <= nr;
        // A fused SGD product (one k-block, so every tile is first): the 512-bit kernel stores w − lr·g itself.
        var fusedSgd = sgd is not null && path == Path.Vector512;
        var rate = sgd ?? 0.0;
        var (si, sp) = transA ? (1, m) : (k, 1);

        for (var jc = j0; jc < j1; jc += bl.Nc)
        {
            var nc = Math.Min(bl.Nc, j1 - jc);
            for (var pc = 0; pc < k; pc += kcStep)
            {
                var kc = Math.Min(kcStep, k - pc);
                var first = pc == 0;
                var last = pc + kc == k;
                var hasBias = last && bias is not null;
                if (packedB is null) PackB(b, transB, k, n, pc, kc, jc, nc, nr, pb);
                for (var ic = i0; ic < i1; ic += bl.Mc)
                {
                    var mc = Math.Min(bl.Mc, i1 - ic);
                    if (packedA is null && !unpackedA) PackA(a, transA, m, k, pc, kc, ic, mc, mr, pa);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var cols = Math.Min(nr, nc - jr);
                        if (packedB is not null) ready = shared!.WaitFor((jc + jr) / nr, ready);
                        ref var bPanel = ref packedB is null ? ref pb[jr * kc] : ref pb[(jc + jr) * k + pc * nr];
                        for (var ir = 0; ir < mc; ir += mr)
                        {
                            var rows = Math.Min(mr, mc - ir);
                            if (packedA is not null) ready = shared!.WaitFor((ic + ir) / mr, ready);
                            ref var aPanel = ref packedA is null ? ref pa[ir * kc] : ref pa[(ic + ir) * k + pc * mr];
                            var row = ic + ir;
                            var col = jc + jr;
                            var inPlace = unpackedA && rows == mr;
                            if (inPlace) _ = a[(row + mr - 1) * si + (pc + kc - 1) * sp]; // bounds-checks the last value the kernel reads
                            else if (unpackedA) // a tail of rows: pack that panel alone
                            {
                                PackA(a, transA, m, k, pc, kc, row, rows, mr, pa);
                                aPanel = ref pa[0];
                            }
                            if (sgd is { } lr && !fusedSgd)
                            {
                                // The 256-bit and scalar paths: the gradient tile into the buffer, then w −= lr·g row by row.
                                Kernel(path, kc, ref aPanel, ref bPanel, ref MemoryMarshal.GetReference(edge), nr, true, false, ref Unsafe.NullRef<double>());
                                for (var r = 0; r < rows; r++)
                                {
                                    var wRow = c.AsSpan((row + r) * n + col, cols);
                                    OptimizerKernels.Sgd(lr, wRow, edge.Slice(r * nr, cols), wRow);
                                }
                            }
                            else if (rows == mr && cols == nr)
                            {
                                ref var cTile = ref c[row * n + col];
                                ref var bTile = ref hasBias ? ref bias![col] : ref Unsafe.NullRef<double>();
                                if (inPlace) Kernel512(kc, ref a[row * si + pc * sp], si, sp, ref bPanel, ref cTile, n, first, hasBias, ref bTile, fusedSgd, rate);
                                else Kernel(path, kc, ref aPanel, ref bPanel, ref cTile, n, first, hasBias, ref bTile, fusedSgd, rate);
                            }
                            else
                            {
                                // A tail tile: run the same kernel on a padded copy (of C, or of the weights it updates), then
                                // keep the valid part.
                                edge.Clear();
                                edgeBias.Clear();
                                for (var r = 0; r < rows && (!first || fusedSgd); r++) c.AsSpan((row + r) * n + col, cols).CopyTo(edge.Slice(r * nr, cols));
                                if (hasBias) bias.AsSpan(col, cols).CopyTo(edgeBias);
                                if (inPlace)
                                    Kernel512(kc, ref a[row * si + pc * sp], si, sp, ref bPanel, ref MemoryMarshal.GetReference(edge), nr, first, hasBias, ref MemoryMarshal.GetReference(edgeBias), fusedSgd, rate);
                                else
                                    Kernel(path, kc, ref aPanel, ref bPanel, ref MemoryMarshal.GetReference(edge), nr, first, hasBias, ref MemoryMarshal.GetReference(edgeBias), fusedSgd, rate);
                                for (var r = 0; r < rows; r++) edge.Slice(r * nr, cols).CopyTo(c.AsSpan((row + r) * n + col, cols));
                            }
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static double[] Scratch(ref double[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new double[length];
        return buffer;
    }

    /// <summary>
    /// Packs A[ic .. ic+mc, pc .. pc+kc] into mr-row panels: panel q holds rows ic+q·mr … as <c>dst[q·mr·kc + p·mr + r]</c>,
    /// zero beyond row ic+mc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(double[] a, bool transA, int m, int k, int pc, int kc, int ic, int mc, int mr, Span<double> dst)
    {
        for (var ir = 0; ir < mc; ir += mr)
        {
            var rows = Math.Min(mr, mc - ir);
            var panel = dst.Slice(ir * kc, mr * kc);
            if (rows < mr) panel.Clear();
            ref var d = ref MemoryMarshal.GetReference(panel);
            if (transA) // a is Aᵀ (k × m): A[i, p] = a[p·m + i]; each p gives mr contiguous values.
                CopyRows(ref a[pc * m + ic + ir], m, rows, kc, ref d, mr);
            else
                Interleave(ref a[(ic + ir) * k + pc], k, rows, kc, ref d, mr);
        }
    }

    /// <summary>
    /// Packs B[pc .. pc+kc, jc .. jc+nc] into nr-column panels: panel q holds columns jc+q·nr … as
    /// <c>dst[q·nr·kc + p·nr + j]</c>, zero beyond column jc+nc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(double[] b, bool transB, int k, int n, int pc, int kc, int jc, int nc, int nr, Span<double> dst)
    {
        var whole = transB ? 0 : nc / nr * nr;
        if (whole > 0 && Vector256.IsHardwareAccelerated && nr % 4 == 0)
        {
            // Whole panels of B, 8 source rows at a time: each panel gets 8 consecutive rows (1 KB for nr = 16) per visit,
            // while the 8 rows are read across once. Measured against one row at a time across every panel (one short
            // write per panel per row): 128×784·784×512 +4–21%, 1024³ +1–5%; panel by panel (a strided read) was slower.
            ref var d0 = ref dst[whole * kc - 1]; // bounds-checks the last element written
            d0 = ref Unsafe.Subtract(ref d0, whole * kc - 1);
            for (var p0 = 0; p0 < kc; p0 += 8)
            {
                var p1 = Math.Min(kc, p0 + 8);
                for (var jr = 0; jr < whole; jr += nr)
                {
                    ref var dp = ref Unsafe.Add(ref d0, (nint)jr * kc);
                    for (var p = p0; p < p1; p++)
                    {
                        ref var s = ref b[(pc + p) * n + jc + jr];
                        ref var d = ref Unsafe.Add(ref dp, (nint)p * nr);
                        for (var j = 0; j < nr; j += 4) Vector256.LoadUnsafe(ref s, (nuint)j).StoreUnsafe(ref d, (nuint)j);
                    }
                }
            }
        }
        else whole = 0;
        for (var jr = whole; jr < nc; jr += nr)
        {
            var cols = Math.Min(nr, nc - jr);
            var panel = dst.Slice(jr * kc, nr * kc);
            if (cols < nr) panel.Clear();
            ref var d = ref MemoryMarshal.GetReference(panel);
            if (transB) // b is Bᵀ (n × k): B[p, j] = b[j·k + p].
                Interleave(ref b[(jc + jr) * k + pc], k, cols, kc, ref d, nr);
            else
                CopyRows(ref b[pc * n + jc + jr], n, cols, kc, ref d, nr);
        }
    }

    /// <summary>
    /// <c>dst[p·width + j] = src[p·ld + j]</c> for p &lt; kc, j &lt; count (count ≤ width): kc runs of count contiguous
    /// values into the rows of a panel. The caller guarantees the ranges (a copy: no arithmetic, so no effect on bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRows(ref double src, int ld, int count, int kc, ref double dst, int width)
    {
        if (count == width && width % 4 == 0 && Vector256.IsHardwareAccelerated)
        {
            for (var p = 0; p < kc; p++)
            {
                ref var s = ref Unsafe.Add(ref src, (nint)p * ld);
                ref var d = ref Unsafe.Add(ref dst, (nint)p * width);
                for (var j = 0; j < width; j += 4) Vector256.LoadUnsafe(ref s, (nuint)j).StoreUnsafe(ref d, (nuint)j);
            }
            return;
        }
        for (var p = 0; p < kc; p++)
            for (var j = 0; j < count; j++) Unsafe.Add(ref dst, (nint)p * width + j) = Unsafe.Add(ref src, (nint)p * ld + j);
    }

    /// <summary>
    /// <c>dst[p·width + r] = src[r·ld + p]</c> for r &lt; count, p &lt; kc (count ≤ width): count runs of kc contiguous
    /// values, transposed into the rows of a panel. The caller guarantees the ranges.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(ref double src, int ld, int count, int kc, ref double dst, int width)
    {
        // p outer: each panel row is written whole, and the count source rows are read as count sequential streams.
        var p = 0;
        var quads = Avx.IsSupported ? count / 4 * 4 : 0;
        if (quads > 0)
            for (; p + 4 <= kc; p += 4) // 4×4 blocks transposed in registers: 4 loads, 8 shuffles, 4 stores
            {
                ref var s = ref Unsafe.Add(ref src, p);
                ref var d = ref Unsafe.Add(ref dst, (nint)p * width);
                for (var r = 0; r < quads; r += 4)
                {
                    ref var sr = ref Unsafe.Add(ref s, (nint)r * ld);
                    var r0 = Vector256.LoadUnsafe(ref sr);
                    var r1 = Vector256.LoadUnsafe(ref sr, (nuint)ld);
                    var r2 = Vector256.LoadUnsafe(ref sr, (nuint)(2 * ld));
                    var r3 = Vector256.LoadUnsafe(ref sr, (nuint)(3 * ld));
                    var t0 = Avx.UnpackLow(r0, r1); // r0[0] r1[0] r0[2] r1[2]
                    var t1 = Avx.UnpackHigh(r0, r1); // r0[1] r1[1] r0[3] r1[3]
                    var t2 = Avx.UnpackLow(r2, r3);
                    var t3 = Avx.UnpackHigh(r2, r3);
                    ref var dr = ref Unsafe.Add(ref d, r);
                    Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref dr);
                    Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref dr, (nuint)width);
                    Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref dr, (nuint)(2 * width));
                    Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref dr, (nuint)(3 * width));
                }
                for (var q = 0; q < 4; q++)
                    for (var r = quads; r < count; r++)
                        Unsafe.Add(ref d, (nint)q * width + r) = Unsafe.Add(ref s, (nint)r * ld + q);
            }
        for (; p < kc; p++)
        {
            ref var s = ref Unsafe.Add(ref src, p);
            ref var d = ref Unsafe.Add(ref dst, (nint)p * width);
            for (var r = 0; r < count; r++) Unsafe.Add(ref d, r) = Unsafe.Add(ref s, (nint)r * ld);
        }
    }

    /// <remarks><paramref name="sgd"/> (a fused SGD store) is for the 512-bit kernel only.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(Path path, int kc, ref double a, ref double b, ref double c, int ldc, bool first, bool hasBias, ref double bias,
        bool sgd = false, double lr = 0)
    {
        switch (path)
        {
            case Path.Vector512: Kernel512(kc, ref a, 1, MR512, ref b, ref c, ldc, first, hasBias, ref bias, sgd, lr); break; // a packed panel: A[r, p] = a[r + p·MR512]
            case Path.Vector256: KernelFma(kc, ref a, ref b, ref c, ldc, first, hasBias, ref bias); break;
            default: KernelScalar(kc, ref a, ref b, ref c, ldc, first, hasBias, ref bias); break;
        }
    }

    /// <summary>
    /// The <see cref="MR512"/>×<see cref="NR512"/> register tile with AVX-512 FMA: <c>C[r, j] = fma chain over the kc
    /// packed p, continuing from C unless <paramref name="first"/></c>; then <c>+ bias[j]</c> when <paramref name="hasBias"/>.
    /// Row r of the A tile at step p is <c>a[r·si + p·sp]</c>: a packed panel (si = 1, sp = MR512) or A where it lies
    /// (one strided form for both measured the same as a panel-only copy, within 1–2%).
    /// </summary>
    /// <remarks>
    /// With <paramref name="sgd"/> (and <paramref name="first"/>, no bias) C holds weights and the tile stores
    /// <c>w − lr·g</c>, <see cref="OptimizerKernels.Sgd"/>'s rule (multiply, then subtract), for <see cref="MultiplySgd"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, ref double a, int si, int sp, ref double b, ref double c, int ldc, bool first, bool hasBias, ref double bias,
        bool sgd = false, double lr = 0)
    {
        var ld = (nuint)ldc;
        nint s1 = si, s2 = 2 * (nint)si, s3 = 3 * (nint)si, step = sp;
        ref var a4 = ref Unsafe.Add(ref a, 4 * s1);
        Vector512<double> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (first)
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = Vector512<double>.Zero;
        }
        else
        {
            c00 = Vector512.LoadUnsafe(ref c, 0); c01 = Vector512.LoadUnsafe(ref c, 8);
            c10 = Vector512.LoadUnsafe(ref c, ld); c11 = Vector512.LoadUnsafe(ref c, ld + 8);
            c20 = Vector512.LoadUnsafe(ref c, 2 * ld); c21 = Vector512.LoadUnsafe(ref c, 2 * ld + 8);
            c30 = Vector512.LoadUnsafe(ref c, 3 * ld); c31 = Vector512.LoadUnsafe(ref c, 3 * ld + 8);
            c40 = Vector512.LoadUnsafe(ref c, 4 * ld); c41 = Vector512.LoadUnsafe(ref c, 4 * ld + 8);
            c50 = Vector512.LoadUnsafe(ref c, 5 * ld); c51 = Vector512.LoadUnsafe(ref c, 5 * ld + 8);
            c60 = Vector512.LoadUnsafe(ref c, 6 * ld); c61 = Vector512.LoadUnsafe(ref c, 6 * ld + 8);
            c70 = Vector512.LoadUnsafe(ref c, 7 * ld); c71 = Vector512.LoadUnsafe(ref c, 7 * ld + 8);
        }
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b, 0);
            var b1 = Vector512.LoadUnsafe(ref b, 8);
            var x = Vector512.Create(a);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, s1));
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, s2));
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, s3));
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a4, s1));
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a4, s2));
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a4, s3));
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            a = ref Unsafe.Add(ref a, step);
            a4 = ref Unsafe.Add(ref a4, step);
            b = ref Unsafe.Add(ref b, NR512);
        }
        if (hasBias)
        {
            var v0 = Vector512.LoadUnsafe(ref bias, 0);
            var v1 = Vector512.LoadUnsafe(ref bias, 8);
            c00 += v0; c01 += v1; c10 += v0; c11 += v1; c20 += v0; c21 += v1; c30 += v0; c31 += v1;
            c40 += v0; c41 += v1; c50 += v0; c51 += v1; c60 += v0; c61 += v1; c70 += v0; c71 += v1;
        }
        if (sgd)
        {
            var v = Vector512.Create(lr);
            c00 = Vector512.LoadUnsafe(ref c, 0) - v * c00; c01 = Vector512.LoadUnsafe(ref c, 8) - v * c01;
            c10 = Vector512.LoadUnsafe(ref c, ld) - v * c10; c11 = Vector512.LoadUnsafe(ref c, ld + 8) - v * c11;
            c20 = Vector512.LoadUnsafe(ref c, 2 * ld) - v * c20; c21 = Vector512.LoadUnsafe(ref c, 2 * ld + 8) - v * c21;
            c30 = Vector512.LoadUnsafe(ref c, 3 * ld) - v * c30; c31 = Vector512.LoadUnsafe(ref c, 3 * ld + 8) - v * c31;
            c40 = Vector512.LoadUnsafe(ref c, 4 * ld) - v * c40; c41 = Vector512.LoadUnsafe(ref c, 4 * ld + 8) - v * c41;
            c50 = Vector512.LoadUnsafe(ref c, 5 * ld) - v * c50; c51 = Vector512.LoadUnsafe(ref c, 5 * ld + 8) - v * c51;
            c60 = Vector512.LoadUnsafe(ref c, 6 * ld) - v * c60; c61 = Vector512.LoadUnsafe(ref c, 6 * ld + 8) - v * c61;
            c70 = Vector512.LoadUnsafe(ref c, 7 * ld) - v * c70; c71 = Vector512.LoadUnsafe(ref c, 7 * ld + 8) - v * c71;
        }
        c00.StoreUnsafe(ref c, 0); c01.StoreUnsafe(ref c, 8);
        c10.StoreUnsafe(ref c, ld); c11.StoreUnsafe(ref c, ld + 8);
        c20.StoreUnsafe(ref c, 2 * ld); c21.StoreUnsafe(ref c, 2 * ld + 8);
        c30.StoreUnsafe(ref c, 3 * ld); c31.StoreUnsafe(ref c, 3 * ld + 8);
        c40.StoreUnsafe(ref c, 4 * ld); c41.StoreUnsafe(ref c, 4 * ld + 8);
        c50.StoreUnsafe(ref c, 5 * ld); c51.StoreUnsafe(ref c, 5 * ld + 8);
        c60.StoreUnsafe(ref c, 6 * ld); c61.StoreUnsafe(ref c, 6 * ld + 8);
        c70.StoreUnsafe(ref c, 7 * ld); c71.StoreUnsafe(ref c, 7 * ld + 8);
    }

    /// <summary>
    /// The MR×NR register tile with AVX2 FMA: <c>C[r, j] = fma chain over the kc packed p, continuing from C unless
    /// <paramref name="first"/></c>; then <c>+ bias[j]</c> when <paramref name="hasBias"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelFma(int kc, ref double a, ref double b, ref double c, int ldc, bool first, bool hasBias, ref double bias)
    {
        var ld = (nuint)ldc;
        Vector256<double> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first)
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<double>.Zero;
        }
        else
        {
            c00 = Vector256.LoadUnsafe(ref c, 0); c01 = Vector256.LoadUnsafe(ref c, 4);
            c10 = Vector256.LoadUnsafe(ref c, ld); c11 = Vector256.LoadUnsafe(ref c, ld + 4);
            c20 = Vector256.LoadUnsafe(ref c, 2 * ld); c21 = Vector256.LoadUnsafe(ref c, 2 * ld + 4);
            c30 = Vector256.LoadUnsafe(ref c, 3 * ld); c31 = Vector256.LoadUnsafe(ref c, 3 * ld + 4);
            c40 = Vector256.LoadUnsafe(ref c, 4 * ld); c41 = Vector256.LoadUnsafe(ref c, 4 * ld + 4);
            c50 = Vector256.LoadUnsafe(ref c, 5 * ld); c51 = Vector256.LoadUnsafe(ref c, 5 * ld + 4);
        }
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b, 0);
            var b1 = Vector256.LoadUnsafe(ref b, 4);
            var x = Vector256.Create(a);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a, 4));
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a, 5));
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            a = ref Unsafe.Add(ref a, MR);
            b = ref Unsafe.Add(ref b, NR);
        }
        if (hasBias)
        {
            var v0 = Vector256.LoadUnsafe(ref bias, 0);
            var v1 = Vector256.LoadUnsafe(ref bias, 4);
            c00 += v0; c01 += v1; c10 += v0; c11 += v1; c20 += v0; c21 += v1;
            c30 += v0; c31 += v1; c40 += v0; c41 += v1; c50 += v0; c51 += v1;
        }
        c00.StoreUnsafe(ref c, 0); c01.StoreUnsafe(ref c, 4);
        c10.StoreUnsafe(ref c, ld); c11.StoreUnsafe(ref c, ld + 4);
        c20.StoreUnsafe(ref c, 2 * ld); c21.StoreUnsafe(ref c, 2 * ld + 4);
        c30.StoreUnsafe(ref c, 3 * ld); c31.StoreUnsafe(ref c, 3 * ld + 4);
        c40.StoreUnsafe(ref c, 4 * ld); c41.StoreUnsafe(ref c, 4 * ld + 4);
        c50.StoreUnsafe(ref c, 5 * ld); c51.StoreUnsafe(ref c, 5 * ld + 4);
    }

    /// <summary>The same tile and chain as <see cref="KernelFma"/> with scalar <see cref="Math.FusedMultiplyAdd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelScalar(int kc, ref double a, ref double b, ref double c, int ldc, bool first, bool hasBias, ref double bias)
    {
        Span<double> acc = stackalloc double[MR * NR];
        for (var r = 0; r < MR; r++)
            for (var j = 0; j < NR; j++) acc[r * NR + j] = first ? 0.0 : Unsafe.Add(ref c, r * ldc + j);
        for (var p = 0; p < kc; p++)
            for (var r = 0; r < MR; r++)
            {
                var ar = Unsafe.Add(ref a, p * MR + r);
                for (var j = 0; j < NR; j++) acc[r * NR + j] = Math.FusedMultiplyAdd(ar, Unsafe.Add(ref b, p * NR + j), acc[r * NR + j]);
            }
        for (var r = 0; r < MR; r++)
            for (var j = 0; j < NR; j++)
                Unsafe.Add(ref c, r * ldc + j) = hasBias ? acc[r * NR + j] + Unsafe.Add(ref bias, j) : acc[r * NR + j];
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// The blocked matrix product <c>C = op(A)·op(B) (+ bias row)</c>, GotoBLAS style: panels of A and B are packed into
/// reusable per-thread scratch, and a register-blocked micro-kernel computes one tile of C with fused multiply-adds:
/// <see cref="MR512"/>×<see cref="NR512"/> with <see cref="Vector512{T}"/> where AVX-512 is accelerated, else
/// <see cref="MR"/>×<see cref="NR"/> with <see cref="Vector256{T}"/> (AVX2 + FMA), <see cref="Vector128{T}"/> (ARM64's NEON)
/// or scalar code. The kernels are written against the portable vector API (<c>VectorNNN.FusedMultiplyAdd</c>); only
/// the packing's 4×4 transpose names x86 instructions, a copy with a portable loop beside it.
/// </summary>
/// <remarks>
/// <para>Determinism contract. Every element is one fused multiply-add chain in ascending p:
/// <c>s = 0; for p = 0 … k−1: s = fma(A[i, p], B[p, j], s)</c>, and then, when a bias is given, <c>C[i, j] = s + bias[j]</c>
/// (one rounded addition after the whole sum). The chain does not depend on the blocking: a k-block continues from the
/// partial value it stored in C. Threads partition the <em>output</em> tiles (whole row or column ranges) and never
/// split a sum, and SIMD lanes run across columns of C, never across p. The 512-bit, 256-bit, 128-bit and scalar paths (no
/// hardware FMA, or a scalar <see cref="KernelPolicy.Path"/>) use the same chain (the scalar one with
/// <see cref="Math.FusedMultiplyAdd(double, double, double)"/>), and so does the unpacked <see cref="Direct"/> loop for small
/// products (at most <see cref="KernelPolicy.DirectThreshold"/> multiply-adds), so the bits are the same for any thread count, any
/// tile shape and position (interior or tail) and any path.</para>
/// <para>Allocation: none per call beyond the thread-pool bookkeeping of a parallel call, given a
/// <see cref="Workspace"/>: its <see cref="PackBuffers"/> keep a slot of pack buffers per running thread, each growing up to
/// (MC·KC + KC·NC) doubles, plus one shared pack of at most <see cref="KernelPolicy.SharedPackLimit"/> doubles for
/// parallel products. Without a workspace every call packs into fresh arrays.</para>
/// </remarks>
internal static partial class Gemm
{
    /// <summary>Rows of the 256-bit (and 128-bit and scalar) register tile.</summary>
    internal const int MR = 6;

    /// <summary>Columns of the 256-bit (and 128-bit and scalar) register tile (two <c>Vector256&lt;double&gt;</c>, four <c>Vector128&lt;double&gt;</c>).</summary>
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

    /// <summary>The 256-bit, 128-bit and scalar blocking: B panel 256·8·8 = 16 KiB, A block 192·256·8 = 384 KiB.</summary>
    internal static readonly Blocking Blocking256 = new(MR, NR, 256, 192, 2048);

    /// <summary>
    /// The 512-bit blocking, tuned on Zen 4 (32 KiB L1d, 1 MiB L2 per core; a 512-bit FMA issues once a cycle, so a
    /// B panel of 1024·16·8 = 128 KiB fed from L2 keeps up): A block 96·1024·8 = 768 KiB. Deeper k-blocks measured faster
    /// than L1-sized ones (fewer passes over C): KC 512 against 384, same process, alternating rounds, 2 threads,
    /// preallocated C: 128×784·784×512 92 against 70 GFLOP/s (two k-blocks of 392 instead of three of 262), 1024³ 88
    /// against 86, 128×512·512×512 91 against 88; then KC 1024 against 512 (medians of 20–30 alternating rounds):
    /// 1024³ 72–83 against 69–79 (one k-block instead of two), 128×784·784×512 80–84 against 78–81, 128×512·512×512
    /// the same. <see cref="KernelPolicy.Blocking512"/> may replace it for tuning experiments; speed only, never the bits.
    /// </summary>
    internal static readonly Blocking DefaultBlocking512 = new(MR512, NR512, 1024, 96, 2048);

    internal enum Path { Scalar, Vector128, Vector256, Vector512 }

    /// <summary>
    /// The widest path the machine accelerates within the policy's <see cref="KernelPolicy.Path"/>: 512-bit on AVX-512,
    /// 256-bit on AVX2, 128-bit on ARM64's NEON (or forced on x86), scalar without a hardware fused multiply-add.
    /// </summary>
    internal static Path Choose(KernelPolicy policy) =>
        policy.Path == VectorPath.Scalar || !Simd.FusedMultiplyAddAccelerated ? Path.Scalar
        : policy.Path == VectorPath.Widest && Vector512.IsHardwareAccelerated ? Path.Vector512
        : policy.Path is VectorPath.Widest or VectorPath.Vector256 && Vector256.IsHardwareAccelerated ? Path.Vector256
        : Vector128.IsHardwareAccelerated ? Path.Vector128
        : Path.Scalar;

    private static Blocking BlockingOf(Path path, KernelPolicy policy) => path == Path.Vector512 ? policy.Blocking512 : Blocking256;

    /// <summary>
    /// <c>c[i, j] = Σ_p A[i, p]·B[p, j] (+ bias[j])</c> for C (m × n) in the order of the class remarks, where A (m × k)
    /// is <paramref name="a"/> read row-major, or with <paramref name="transA"/> <paramref name="a"/> holds Aᵀ (k × m);
    /// and B (k × n) is <paramref name="b"/>, or with <paramref name="transB"/> <paramref name="b"/> holds Bᵀ (n × k).
    /// Every element of c[..m·n] is overwritten; <paramref name="bias"/> (length n) may be null.
    /// </summary>
    internal static void Multiply(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias, Workspace? ws) =>
        Multiply(a, transA, b, transB, c, m, k, n, bias, Epilogue.None, null, null, ws);

    /// <summary>
    /// <see cref="Multiply(double[], bool, double[], bool, double[], int, int, int, double[], Workspace)"/> followed by an
    /// element-wise <paramref name="epilogue"/> on <paramref name="aux"/> (m × n; null for <see cref="Epilogue.ReluOnly"/>):
    /// the same bits as the product and then <see cref="Elementwise.Relu"/> or <see cref="Elementwise.ReluBackward"/>,
    /// but the small unpacked path applies it while each result is still in a register instead of in a second pass.
    /// </summary>
    internal static void Multiply(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        Epilogue epilogue, double[]? aux, Workspace? ws) =>
        Multiply(a, transA, b, transB, c, m, k, n, bias, epilogue, aux, null, ws);

    /// <summary>
    /// The product with its epilogue, and with <paramref name="columnSums"/> also <c>columnSums[j] = Σ_i c[i, j]</c> (i
    /// ascending from +0, as <see cref="Blas.ColumnSums"/>) of the stored results: a layer's bias gradient next to its
    /// error, taken by <see cref="Blas.ColumnSums"/> after the product.
    /// <paramref name="ws"/> gives the options (threads, policy) and the packing scratch; without one, one thread, the
    /// default policy and fresh scratch.
    /// </summary>
    internal static void Multiply(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        Epilogue epilogue, double[]? aux, double[]? columnSums, Workspace? ws)
    {
        var policy = Workspace.PolicyOf(ws);
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
            var path = Choose(policy);
            // Small products, and a row or two of any width (a prediction for one example): packing would copy all of B
            // to use each value once or twice, so B is read in place.
            if ((long)m * n * k <= policy.DirectThreshold || m <= policy.DirectMaxRows)
            {
                switch (epilogue)
                {
                    case Epilogue.Relu: Direct<ReluStore>(path, a, transA, b, transB, c, m, k, n, bias, aux, columnSums, ws); break;
                    case Epilogue.ReluGate: Direct<ReluGateStore>(path, a, transA, b, transB, c, m, k, n, bias, aux, columnSums, ws); break;
                    case Epilogue.ReluOnly: Direct<ReluOnlyStore>(path, a, transA, b, transB, c, m, k, n, bias, aux, columnSums, ws); break;
                    default: Direct<PlainStore>(path, a, transA, b, transB, c, m, k, n, bias, aux, columnSums, ws); break;
                }
                return;
            }
            Packed(path, a, transA, b, transB, c, m, k, n, bias, ws);
        }
        ApplyEpilogueSplit(epilogue, c, aux, m * n, ws);
        if (columnSums is not null) Blas.ColumnSums(c, m, n, columnSums);
    }

    /// <summary>
    /// The epilogue as a separate pass over the first <paramref name="length"/> results, split between up to
    /// the workspace's threads from 2¹⁵ values on (per element, so the split changes no bits).
    /// </summary>
    private static void ApplyEpilogueSplit(Epilogue epilogue, double[] c, double[]? aux, int length, Workspace? ws)
    {
        if (epilogue == Epilogue.None) return;
        var threads = Workspace.ThreadsOf(ws);
        if (threads <= 1 || length < 1 << 15 || ws is null)
        {
            ApplyEpilogue(epilogue, c, aux, 0, length);
            return;
        }
        // The operands in the workspace's reused object and a static body: the split allocates nothing.
        var pass = ws.Packs.EpiloguePass;
        pass.Set(epilogue, c, aux);
        Workers.ForRanges(length, threads, pass, static (state, start, count) => ((EpiloguePass)state).Run(start, count));
        pass.Clear();
    }

    /// <summary>One epilogue pass's operands, for <see cref="Workers.ForRanges(int, int, object, Action{object, int, int})"/>.</summary>
    internal sealed class EpiloguePass
    {
        private Epilogue epilogue;
        private double[] c = [];
        private double[]? aux;

        public void Set(Epilogue epilogue, double[] c, double[]? aux) => (this.epilogue, this.c, this.aux) = (epilogue, c, aux);

        public void Clear() => (c, aux) = ([], null);

        public void Run(int start, int count) => ApplyEpilogue(epilogue, c, aux, start, count);
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

    /// <summary>The packed, blocked product (k ≥ 1), on up to <see cref="ComputeOptions.MaxThreads"/> threads.</summary>
    private static void Packed(Path path, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        Workspace? ws)
    {
        var policy = Workspace.PolicyOf(ws);
        var packs = ws?.Packs ?? new PackBuffers();
        var bl = BlockingOf(path, policy);
        var rowTiles = (m + bl.Mr - 1) / bl.Mr;
        var colTiles = (n + bl.Nr - 1) / bl.Nr;
        var threads = (long)m * n * k < policy.ParallelThreshold ? 1 : Workspace.ThreadsOf(ws);
        // Rows when there are more row tiles than column tiles, else columns. The operand every thread reads whole (B
        // for rows, A for columns) is packed once and shared; each thread packs its own part of the other.
        var splitRows = policy.Partition switch
        {
            Split.Rows => true,
            Split.Columns => false,
            _ => rowTiles > colTiles,
        };
        var tiles = splitRows ? rowTiles : colTiles;
        threads = Math.Min(threads, tiles);
        if (threads <= 1)
        {
            var slot = packs.Take();
            Block(path, bl, a, transA, b, transB, c, m, k, n, bias, 0, m, 0, n, null, slot, policy);
            packs.Return(slot);
            return;
        }
        var panels = splitRows ? colTiles : rowTiles;
        var sharedLength = (long)panels * (splitRows ? bl.Nr : bl.Mr) * k;
        var shared = sharedLength <= policy.SharedPackLimit ? packs.TakeShared() : null;
        shared?.Start(splitRows, sharedLength, panels, threads);
        // A fixed partition of whole tiles into parts, about PartsPerThread per thread, that the threads claim as they go,
        // each its own share first (Shares; a thread that starts late or runs slow takes fewer): part q is tiles
        // [q·per, (q+1)·per). Row parts are whole MC blocks where that still leaves a part per thread, so no part ends in a
        // short block of A.
        var per = (tiles + threads * policy.PartsPerThread - 1) / (threads * policy.PartsPerThread);
        var perBlock = bl.Mc / bl.Mr;
        if (splitRows && tiles >= threads * perBlock) per = (per + perBlock - 1) / perBlock * perBlock;
        var parts = (tiles + per - 1) / per;
        // The call's operands in a reused object and a static body: a parallel product allocates nothing.
        var job = packs.TakeJob();
        job.Set(path, bl, a, transA, b, transB, c, m, k, n, bias, shared, packs, policy, splitRows, tiles, per, parts, threads);
        Workers.For(parts, threads, job, static (state, t) => ((ParallelProduct)state).Part(t));
        job.Clear();
        packs.ReturnJob(job);
        if (shared is not null) packs.ReturnShared(shared);
    }

    /// <summary>One parallel product's operands and partition, for its threads' parts (reused: <see cref="PackBuffers.TakeJob"/>).</summary>
    internal sealed class ParallelProduct
    {
        private Path path;
        private Blocking bl;
        private double[] a = [], b = [], c = [];
        private double[]? bias;
        private bool transA, transB, splitRows;
        private int m, k, n, tiles, per;
        private SharedPack? shared;
        private PackBuffers packs = null!;
        private KernelPolicy policy = KernelPolicy.Default;
        private readonly Shares shares = new();

        public void Set(Path path, Blocking bl, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n,
            double[]? bias, SharedPack? shared, PackBuffers packs, KernelPolicy policy, bool splitRows, int tiles, int per, int parts, int threads)
        {
            (this.path, this.bl, this.a, this.transA, this.b, this.transB, this.c) = (path, bl, a, transA, b, transB, c);
            (this.m, this.k, this.n, this.bias, this.shared, this.packs, this.policy) = (m, k, n, bias, shared, packs, policy);
            (this.splitRows, this.tiles, this.per) = (splitRows, tiles, per);
            // Each thread its own share of the tiles call after call (a layer's weight columns, its gradient's rows):
            // 784→512→512→10 steps 7–10% faster on this host than parts in claim order.
            shares.Start(parts, threads);
        }

        /// <summary>Drops the references to the operands once the product is done.</summary>
        public void Clear()
        {
            (a, b, c, bias, shared) = ([], [], [], null, null);
        }

        /// <summary>One claim of the product's parts (each of its <see cref="Workers"/> iterations claims one).</summary>
        public void Part(int iteration)
        {
            var t = shares.Claim();
            var t0 = t * per;
            var t1 = Math.Min(tiles, (t + 1) * per);
            shared?.PackAll(bl, a, transA, b, transB, m, k, n);
            var slot = packs.Take();
            if (splitRows) Block(path, bl, a, transA, b, transB, c, m, k, n, bias, t0 * bl.Mr, Math.Min(m, t1 * bl.Mr), 0, n, shared, slot, policy);
            else Block(path, bl, a, transA, b, transB, c, m, k, n, bias, 0, m, t0 * bl.Nr, Math.Min(n, t1 * bl.Nr), shared, slot, policy);
            packs.Return(slot);
        }
    }

    /// <summary>
    /// One operand packed once for a parallel product and shared by its threads: all of B as full-depth nr-column panels
    /// (<c>buffer[q·nr·k + p·nr + j]</c> = B[p, q·nr + j], zero beyond column n) for a row split, or all of A as
    /// full-depth mr-row panels (<c>buffer[q·mr·k + p·mr + r]</c> = A[q·mr + r, p]) for a column split, packed in chunks
    /// of panels that the threads claim. A thread packs chunks until none is left unclaimed, then computes, waiting before
    /// each panel it reads only until that panel's chunk is packed (not for the whole operand): while one thread packs
    /// the last chunks, the other already multiplies with the first. A thread waits only for chunks already claimed by a
    /// running thread, so it never depends on a thread that has not started (<see cref="Workers.For(int, int, Action{int})"/> may run every
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
}

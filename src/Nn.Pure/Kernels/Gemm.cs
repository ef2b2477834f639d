using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// The blocked matrix product <c>C = op(A)·op(B) (+ bias row)</c>, GotoBLAS style: panels of A and B are packed into
/// reusable per-thread scratch, and a register-blocked micro-kernel computes <see cref="MR"/>×<see cref="NR"/> tiles of
/// C with <see cref="Vector256{T}"/> fused multiply-adds.
/// </summary>
/// <remarks>
/// <para>Determinism contract. Every element is one fused multiply-add chain in ascending p:
/// <c>s = 0; for p = 0 … k−1: s = fma(A[i, p], B[p, j], s)</c>, and then, when a bias is given, <c>C[i, j] = s + bias[j]</c>
/// (one rounded addition after the whole sum). The chain does not depend on the blocking: a k-block continues from the
/// partial value it stored in C. Threads partition the <em>output</em> tiles (whole row or column ranges) and never
/// split a sum, and SIMD lanes run across columns of C, never across p. The vector path and the scalar path (no
/// AVX2/FMA, or <see cref="ForceScalar"/>) use the same chain with <see cref="Math.FusedMultiplyAdd(double, double, double)"/>,
/// so the bits are the same for any thread count, any tile position (interior or tail) and either path.</para>
/// <para>Allocation: none per call beyond the thread-pool bookkeeping of a parallel call; the pack buffers are
/// per-thread scratch that only grows up to (MC·KC + KC·NC) doubles.</para>
/// </remarks>
internal static class Gemm
{
    /// <summary>Rows of the register tile.</summary>
    internal const int MR = 6;

    /// <summary>Columns of the register tile (two <c>Vector256&lt;double&gt;</c>).</summary>
    internal const int NR = 8;

    private const int KC = 256; // depth of a packed panel: one NR-wide panel of B (16 KiB) stays in L1
    private const int MC = 192; // rows of a packed block of A (MC·KC·8 = 384 KiB): stays in L2
    private const int NC = 2048; // columns of a packed block of B

    /// <summary>
    /// Below this many multiply-adds (m·n·k) a product runs on the calling thread alone (default 2²⁰). Tests lower it to
    /// exercise the parallel partition on small shapes; it changes speed only, never the bits.
    /// </summary>
    internal static long ParallelThreshold { get; set; } = 1L << 20;

    /// <summary>Tests set this to force the scalar path; it changes speed only, never the bits.</summary>
    internal static bool ForceScalar { get; set; }

    [ThreadStatic] private static double[]? packA;
    [ThreadStatic] private static double[]? packB;

    /// <summary>
    /// <c>c[i, j] = Σ_p A[i, p]·B[p, j] (+ bias[j])</c> for C (m × n) in the order of the class remarks, where A (m × k)
    /// is <paramref name="a"/> read row-major, or with <paramref name="transA"/> <paramref name="a"/> holds Aᵀ (k × m);
    /// and B (k × n) is <paramref name="b"/>, or with <paramref name="transB"/> <paramref name="b"/> holds Bᵀ (n × k).
    /// Every element of c[..m·n] is overwritten; <paramref name="bias"/> (length n) may be null.
    /// </summary>
    internal static void Multiply(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            for (var i = 0; i < m; i++)
            {
                var row = c.AsSpan(i * n, n);
                if (bias is null) row.Clear();
                else for (var j = 0; j < n; j++) row[j] = 0.0 + bias[j];
            }
            return;
        }

        var rowTiles = (m + MR - 1) / MR;
        var colTiles = (n + NR - 1) / NR;
        var splitCols = colTiles >= rowTiles;
        var tiles = splitCols ? colTiles : rowTiles;
        var threads = (long)m * n * k < ParallelThreshold ? 1 : Math.Min(Compute.MaxThreads, tiles);
        if (threads <= 1)
        {
            Block(a, transA, b, transB, c, m, k, n, bias, 0, m, 0, n);
            return;
        }
        // A fixed partition of whole tiles: thread t owns tiles [t·tiles/T, (t+1)·tiles/T) of the split dimension.
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var t0 = (int)((long)t * tiles / threads);
            var t1 = (int)((long)(t + 1) * tiles / threads);
            if (splitCols) Block(a, transA, b, transB, c, m, k, n, bias, 0, m, t0 * NR, Math.Min(n, t1 * NR));
            else Block(a, transA, b, transB, c, m, k, n, bias, t0 * MR, Math.Min(m, t1 * MR), 0, n);
        });
    }

    /// <summary>The sequential blocked product for the output rows [i0, i1) and columns [j0, j1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 warm-up inside a benchmark or a first epoch
    private static void Block(double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        int i0, int i1, int j0, int j1)
    {
        if (i0 >= i1 || j0 >= j1) return;
        var kBlocks = (k + KC - 1) / KC;
        var kcStep = (k + kBlocks - 1) / kBlocks; // balanced k-blocks; the per-element chain is the same for any split
        var mcMax = Math.Min(MC, RoundUp(i1 - i0, MR));
        var ncMax = Math.Min(NC, RoundUp(j1 - j0, NR));
        var pa = Scratch(ref packA, mcMax * kcStep);
        var pb = Scratch(ref packB, kcStep * ncMax);
        var simd = Fma.IsSupported && !ForceScalar;
        Span<double> edge = stackalloc double[MR * NR];
        Span<double> edgeBias = stackalloc double[NR];

        for (var jc = j0; jc < j1; jc += NC)
        {
            var nc = Math.Min(NC, j1 - jc);
            for (var pc = 0; pc < k; pc += kcStep)
            {
                var kc = Math.Min(kcStep, k - pc);
                var first = pc == 0;
                var last = pc + kc == k;
                PackB(b, transB, k, n, pc, kc, jc, nc, pb);
                for (var ic = i0; ic < i1; ic += MC)
                {
                    var mc = Math.Min(MC, i1 - ic);
                    PackA(a, transA, m, k, pc, kc, ic, mc, pa);
                    for (var jr = 0; jr < nc; jr += NR)
                    {
                        var cols = Math.Min(NR, nc - jr);
                        ref var bPanel = ref pb[jr * kc];
                        for (var ir = 0; ir < mc; ir += MR)
                        {
                            var rows = Math.Min(MR, mc - ir);
                            ref var aPanel = ref pa[ir * kc];
                            var row = ic + ir;
                            var col = jc + jr;
                            var hasBias = last && bias is not null;
                            if (rows == MR && cols == NR)
                            {
                                ref var cTile = ref c[row * n + col];
                                ref var bTile = ref hasBias ? ref bias![col] : ref Unsafe.NullRef<double>();
                                Kernel(simd, kc, ref aPanel, ref bPanel, ref cTile, n, first, hasBias, ref bTile);
                            }
                            else
                            {
                                // A tail tile: run the same kernel on a padded copy, then keep the valid part.
                                edge.Clear();
                                edgeBias.Clear();
                                for (var r = 0; r < rows && !first; r++) c.AsSpan((row + r) * n + col, cols).CopyTo(edge.Slice(r * NR, cols));
                                if (hasBias) bias.AsSpan(col, cols).CopyTo(edgeBias);
                                Kernel(simd, kc, ref aPanel, ref bPanel, ref MemoryMarshal.GetReference(edge), NR, first, hasBias, ref MemoryMarshal.GetReference(edgeBias));
                                for (var r = 0; r < rows; r++) edge.Slice(r * NR, cols).CopyTo(c.AsSpan((row + r) * n + col, cols));
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
    /// Packs A[ic .. ic+mc, pc .. pc+kc] into MR-row panels: panel q holds rows ic+q·MR … as <c>dst[q·MR·kc + p·MR + r]</c>,
    /// zero beyond row ic+mc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(double[] a, bool transA, int m, int k, int pc, int kc, int ic, int mc, double[] dst)
    {
        for (var ir = 0; ir < mc; ir += MR)
        {
            var rows = Math.Min(MR, mc - ir);
            var panel = dst.AsSpan(ir * kc, MR * kc);
            if (rows < MR) panel.Clear();
            if (transA)
            {
                // a is Aᵀ (k × m): A[i, p] = a[p·m + i]; each p gives MR contiguous values.
                for (var p = 0; p < kc; p++) a.AsSpan((pc + p) * m + ic + ir, rows).CopyTo(panel.Slice(p * MR, rows));
            }
            else
            {
                for (var r = 0; r < rows; r++)
                {
                    var src = a.AsSpan((ic + ir + r) * k + pc, kc);
                    for (var p = 0; p < kc; p++) panel[p * MR + r] = src[p];
                }
            }
        }
    }

    /// <summary>
    /// Packs B[pc .. pc+kc, jc .. jc+nc] into NR-column panels: panel q holds columns jc+q·NR … as
    /// <c>dst[q·NR·kc + p·NR + j]</c>, zero beyond column jc+nc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(double[] b, bool transB, int k, int n, int pc, int kc, int jc, int nc, double[] dst)
    {
        for (var jr = 0; jr < nc; jr += NR)
        {
            var cols = Math.Min(NR, nc - jr);
            var panel = dst.AsSpan(jr * kc, NR * kc);
            if (cols < NR) panel.Clear();
            if (transB)
            {
                // b is Bᵀ (n × k): B[p, j] = b[j·k + p].
                for (var j = 0; j < cols; j++)
                {
                    var src = b.AsSpan((jc + jr + j) * k + pc, kc);
                    for (var p = 0; p < kc; p++) panel[p * NR + j] = src[p];
                }
            }
            else
            {
                for (var p = 0; p < kc; p++) b.AsSpan((pc + p) * n + jc + jr, cols).CopyTo(panel.Slice(p * NR, cols));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(bool simd, int kc, ref double a, ref double b, ref double c, int ldc, bool first, bool hasBias, ref double bias)
    {
        if (simd) KernelFma(kc, ref a, ref b, ref c, ldc, first, hasBias, ref bias);
        else KernelScalar(kc, ref a, ref b, ref c, ldc, first, hasBias, ref bias);
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

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

// The packed, blocked product: the loops over blocks, the packing of A and B, and the register micro-kernels.
internal static partial class Gemm
{
    /// <summary>The sequential blocked product for the output rows [i0, i1) and columns [j0, j1).</summary>
    /// <remarks>
    /// With <paramref name="shared"/>, its operand (all of B, or all of A) is packed already or being packed by the
    /// threads, and each panel is waited for before its first use.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 warm-up inside a benchmark or a first epoch
    private static void Block(Path path, Blocking bl, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n,
        double[]? bias, int i0, int i1, int j0, int j1, SharedPack? shared, PackBuffers.Slot slot, KernelPolicy policy)
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
        var pa = packedA ?? Scratch(ref slot.PackA, mcMax * kcStep);
        // packedB: all of B already packed as full-depth panels (SharedPack), else this thread packs KC×NC blocks.
        var pb = packedB ?? Scratch(ref slot.PackB, kcStep * ncMax);
        Span<double> edge = stackalloc double[MR512 * NR512];
        Span<double> edgeBias = stackalloc double[NR512];
        // One column tile (n ≤ 16, e.g. an output layer): each value of A feeds one tile only, so packing it buys
        // nothing; the 512-bit kernel reads whole 8-row tiles of A in place, A[i, p] = a[i·si + p·sp].
        var unpackedA = policy.UnpackedA && path == Path.Vector512 && packedA is null && j1 - j0 <= nr;
        var (si, sp) = transA ? (1, m) : (k, 1);
        // B row-major, not shared, and at most 256 rows deep: the vector kernels read B where it lies, B[p, j] = b[p·n + j],
        // and the pack (a pass over B per k-block) is saved; a tail of columns is packed alone. A panel read in place
        // touches one row of B per p, a row's stride apart; at 256 rows or fewer (a weight gradient at batch ≤ 256, a layer
        // of ≤ 256 inputs) that measured faster than packing, deeper (512 and 784 rows) slower, on both 512- and 256-bit paths.
        var unpackedB = policy.UnpackedB && path != Path.Scalar && packedB is null && !transB && !unpackedA && kcStep <= 256;

        for (var jc = j0; jc < j1; jc += bl.Nc)
        {
            var nc = Math.Min(bl.Nc, j1 - jc);
            for (var pc = 0; pc < k; pc += kcStep)
            {
                var kc = Math.Min(kcStep, k - pc);
                var first = pc == 0;
                var last = pc + kc == k;
                var hasBias = last && bias is not null;
                if (packedB is null && !unpackedB) PackB(b, transB, k, n, pc, kc, jc, nc, nr, pb);
                for (var ic = i0; ic < i1; ic += bl.Mc)
                {
                    var mc = Math.Min(bl.Mc, i1 - ic);
                    if (packedA is null && !unpackedA) PackA(a, transA, m, k, pc, kc, ic, mc, mr, pa);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var cols = Math.Min(nr, nc - jr);
                        if (packedB is not null) ready = shared!.WaitFor((jc + jr) / nr, ready);
                        ref var bPanel = ref packedB is null ? ref pb[jr * kc] : ref pb[(jc + jr) * k + pc * nr];
                        var sb = nr;
                        if (unpackedB && cols == nr)
                        {
                            _ = b[(pc + kc - 1) * n + jc + jr + nr - 1]; // bounds-checks the last value the kernel reads
                            bPanel = ref b[pc * n + jc + jr];
                            sb = n;
                        }
                        else if (unpackedB) // a tail of columns: pack that panel alone
                        {
                            PackB(b, transB, k, n, pc, kc, jc + jr, cols, nr, pb);
                            bPanel = ref pb[0];
                        }
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
                            if (rows == mr && cols == nr)
                            {
                                ref var cTile = ref c[row * n + col];
                                ref var bTile = ref hasBias ? ref bias![col] : ref Unsafe.NullRef<double>();
                                if (inPlace) Kernel512(kc, ref a[row * si + pc * sp], si, sp, ref bPanel, sb, ref cTile, n, first, hasBias, ref bTile);
                                else Kernel(path, kc, ref aPanel, ref bPanel, sb, ref cTile, n, first, hasBias, ref bTile);
                            }
                            else
                            {
                                // A tail tile: run the same kernel on a padded copy of C, then keep the valid part.
                                edge.Clear();
                                edgeBias.Clear();
                                for (var r = 0; r < rows && !first; r++) c.AsSpan((row + r) * n + col, cols).CopyTo(edge.Slice(r * nr, cols));
                                if (hasBias) bias.AsSpan(col, cols).CopyTo(edgeBias);
                                if (inPlace)
                                    Kernel512(kc, ref a[row * si + pc * sp], si, sp, ref bPanel, sb, ref MemoryMarshal.GetReference(edge), nr, first, hasBias, ref MemoryMarshal.GetReference(edgeBias));
                                else
                                    Kernel(path, kc, ref aPanel, ref bPanel, sb, ref MemoryMarshal.GetReference(edge), nr, first, hasBias, ref MemoryMarshal.GetReference(edgeBias));
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
        // p outer: each panel row is written whole, and the count source rows are read as count sequential streams. The
        // 4×4 register transpose is x86's (AVX unpack and lane permute, no portable two-source shuffle); elsewhere, ARM64
        // included, the plain loop below: a copy, the same values either way.
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(Path path, int kc, ref double a, ref double b, int sb, ref double c, int ldc, bool first, bool hasBias, ref double bias)
    {
        // A packed panel, A[r, p] = a[r + p·mr]; B[p, j] = b[p·sb + j]: a packed panel (sb = nr) or B where it lies (sb = n).
        switch (path)
        {
            case Path.Vector512: Kernel512(kc, ref a, 1, MR512, ref b, sb, ref c, ldc, first, hasBias, ref bias); break;
            case Path.Vector256: Kernel256(kc, ref a, ref b, sb, ref c, ldc, first, hasBias, ref bias); break;
            case Path.Vector128: Kernel128(kc, ref a, ref b, sb, ref c, ldc, first, hasBias, ref bias); break;
            default: KernelScalar(kc, ref a, ref b, ref c, ldc, first, hasBias, ref bias); break;
        }
    }

    /// <summary>
    /// The <see cref="MR512"/>×<see cref="NR512"/> register tile with 512-bit fused multiply-adds (AVX-512): <c>C[r, j] = fma chain over the kc
    /// packed p, continuing from C unless <paramref name="first"/></c>; then <c>+ bias[j]</c> when <paramref name="hasBias"/>.
    /// Row r of the A tile at step p is <c>a[r·si + p·sp]</c>: a packed panel (si = 1, sp = MR512) or A where it lies
    /// (one strided form for both measured the same as a panel-only copy, within 1–2%); B's row p is <c>b[p·sb …]</c>, a
    /// packed panel (sb = NR512) or B where it lies (sb = n).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, ref double a, int si, int sp, ref double b, int sb, ref double c, int ldc, bool first, bool hasBias, ref double bias)
    {
        var ld = (nuint)ldc;
        nint s1 = si, s2 = 2 * (nint)si, s3 = 3 * (nint)si, step = sp, bStep = sb;
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
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, s1));
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, s2));
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, s3));
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a4, s1));
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a4, s2));
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a4, s3));
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a = ref Unsafe.Add(ref a, step);
            a4 = ref Unsafe.Add(ref a4, step);
            b = ref Unsafe.Add(ref b, bStep);
        }
        if (hasBias)
        {
            var v0 = Vector512.LoadUnsafe(ref bias, 0);
            var v1 = Vector512.LoadUnsafe(ref bias, 8);
            c00 += v0; c01 += v1; c10 += v0; c11 += v1; c20 += v0; c21 += v1; c30 += v0; c31 += v1;
            c40 += v0; c41 += v1; c50 += v0; c51 += v1; c60 += v0; c61 += v1; c70 += v0; c71 += v1;
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
    /// The MR×NR register tile with 256-bit fused multiply-adds (AVX2 + FMA): <c>C[r, j] = fma chain over the kc packed p,
    /// continuing from C unless <paramref name="first"/></c>; then <c>+ bias[j]</c> when <paramref name="hasBias"/>. A is
    /// a packed panel; B's row p is <c>b[p·sb …]</c>, a packed panel (sb = NR) or B where it lies (sb = n).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, ref double a, ref double b, int sb, ref double c, int ldc, bool first, bool hasBias, ref double bias)
    {
        var ld = (nuint)ldc;
        nint bStep = sb;
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
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a, 4));
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a, 5));
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a = ref Unsafe.Add(ref a, MR);
            b = ref Unsafe.Add(ref b, bStep);
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

    /// <summary>
    /// The same MR×NR tile and chain as <see cref="Kernel256"/> with 128-bit vectors (ARM64's NEON: FMLA on two lanes):
    /// 24 accumulators, four B vectors and a broadcast value of A fit NEON's 32 registers. On x86 (16 XMM registers) it
    /// spills, and runs only when a test forces the 128-bit path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel128(int kc, ref double a, ref double b, int sb, ref double c, int ldc, bool first, bool hasBias, ref double bias)
    {
        var ld = (nuint)ldc;
        nint bStep = sb;
        Vector128<double> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (first)
        {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = Vector128<double>.Zero;
            c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = Vector128<double>.Zero;
        }
        else
        {
            ref var r = ref c;
            c00 = Vector128.LoadUnsafe(ref r, 0); c01 = Vector128.LoadUnsafe(ref r, 2); c02 = Vector128.LoadUnsafe(ref r, 4); c03 = Vector128.LoadUnsafe(ref r, 6);
            r = ref Unsafe.Add(ref r, ld);
            c10 = Vector128.LoadUnsafe(ref r, 0); c11 = Vector128.LoadUnsafe(ref r, 2); c12 = Vector128.LoadUnsafe(ref r, 4); c13 = Vector128.LoadUnsafe(ref r, 6);
            r = ref Unsafe.Add(ref r, ld);
            c20 = Vector128.LoadUnsafe(ref r, 0); c21 = Vector128.LoadUnsafe(ref r, 2); c22 = Vector128.LoadUnsafe(ref r, 4); c23 = Vector128.LoadUnsafe(ref r, 6);
            r = ref Unsafe.Add(ref r, ld);
            c30 = Vector128.LoadUnsafe(ref r, 0); c31 = Vector128.LoadUnsafe(ref r, 2); c32 = Vector128.LoadUnsafe(ref r, 4); c33 = Vector128.LoadUnsafe(ref r, 6);
            r = ref Unsafe.Add(ref r, ld);
            c40 = Vector128.LoadUnsafe(ref r, 0); c41 = Vector128.LoadUnsafe(ref r, 2); c42 = Vector128.LoadUnsafe(ref r, 4); c43 = Vector128.LoadUnsafe(ref r, 6);
            r = ref Unsafe.Add(ref r, ld);
            c50 = Vector128.LoadUnsafe(ref r, 0); c51 = Vector128.LoadUnsafe(ref r, 2); c52 = Vector128.LoadUnsafe(ref r, 4); c53 = Vector128.LoadUnsafe(ref r, 6);
        }
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadUnsafe(ref b, 0);
            var b1 = Vector128.LoadUnsafe(ref b, 2);
            var b2 = Vector128.LoadUnsafe(ref b, 4);
            var b3 = Vector128.LoadUnsafe(ref b, 6);
            var x = Vector128.Create(a);
            c00 = Vector128.FusedMultiplyAdd(x, b0, c00); c01 = Vector128.FusedMultiplyAdd(x, b1, c01);
            c02 = Vector128.FusedMultiplyAdd(x, b2, c02); c03 = Vector128.FusedMultiplyAdd(x, b3, c03);
            x = Vector128.Create(Unsafe.Add(ref a, 1));
            c10 = Vector128.FusedMultiplyAdd(x, b0, c10); c11 = Vector128.FusedMultiplyAdd(x, b1, c11);
            c12 = Vector128.FusedMultiplyAdd(x, b2, c12); c13 = Vector128.FusedMultiplyAdd(x, b3, c13);
            x = Vector128.Create(Unsafe.Add(ref a, 2));
            c20 = Vector128.FusedMultiplyAdd(x, b0, c20); c21 = Vector128.FusedMultiplyAdd(x, b1, c21);
            c22 = Vector128.FusedMultiplyAdd(x, b2, c22); c23 = Vector128.FusedMultiplyAdd(x, b3, c23);
            x = Vector128.Create(Unsafe.Add(ref a, 3));
            c30 = Vector128.FusedMultiplyAdd(x, b0, c30); c31 = Vector128.FusedMultiplyAdd(x, b1, c31);
            c32 = Vector128.FusedMultiplyAdd(x, b2, c32); c33 = Vector128.FusedMultiplyAdd(x, b3, c33);
            x = Vector128.Create(Unsafe.Add(ref a, 4));
            c40 = Vector128.FusedMultiplyAdd(x, b0, c40); c41 = Vector128.FusedMultiplyAdd(x, b1, c41);
            c42 = Vector128.FusedMultiplyAdd(x, b2, c42); c43 = Vector128.FusedMultiplyAdd(x, b3, c43);
            x = Vector128.Create(Unsafe.Add(ref a, 5));
            c50 = Vector128.FusedMultiplyAdd(x, b0, c50); c51 = Vector128.FusedMultiplyAdd(x, b1, c51);
            c52 = Vector128.FusedMultiplyAdd(x, b2, c52); c53 = Vector128.FusedMultiplyAdd(x, b3, c53);
            a = ref Unsafe.Add(ref a, MR);
            b = ref Unsafe.Add(ref b, bStep);
        }
        if (hasBias)
        {
            var v0 = Vector128.LoadUnsafe(ref bias, 0);
            var v1 = Vector128.LoadUnsafe(ref bias, 2);
            var v2 = Vector128.LoadUnsafe(ref bias, 4);
            var v3 = Vector128.LoadUnsafe(ref bias, 6);
            c00 += v0; c01 += v1; c02 += v2; c03 += v3; c10 += v0; c11 += v1; c12 += v2; c13 += v3;
            c20 += v0; c21 += v1; c22 += v2; c23 += v3; c30 += v0; c31 += v1; c32 += v2; c33 += v3;
            c40 += v0; c41 += v1; c42 += v2; c43 += v3; c50 += v0; c51 += v1; c52 += v2; c53 += v3;
        }
        ref var o = ref c;
        c00.StoreUnsafe(ref o, 0); c01.StoreUnsafe(ref o, 2); c02.StoreUnsafe(ref o, 4); c03.StoreUnsafe(ref o, 6);
        o = ref Unsafe.Add(ref o, ld);
        c10.StoreUnsafe(ref o, 0); c11.StoreUnsafe(ref o, 2); c12.StoreUnsafe(ref o, 4); c13.StoreUnsafe(ref o, 6);
        o = ref Unsafe.Add(ref o, ld);
        c20.StoreUnsafe(ref o, 0); c21.StoreUnsafe(ref o, 2); c22.StoreUnsafe(ref o, 4); c23.StoreUnsafe(ref o, 6);
        o = ref Unsafe.Add(ref o, ld);
        c30.StoreUnsafe(ref o, 0); c31.StoreUnsafe(ref o, 2); c32.StoreUnsafe(ref o, 4); c33.StoreUnsafe(ref o, 6);
        o = ref Unsafe.Add(ref o, ld);
        c40.StoreUnsafe(ref o, 0); c41.StoreUnsafe(ref o, 2); c42.StoreUnsafe(ref o, 4); c43.StoreUnsafe(ref o, 6);
        o = ref Unsafe.Add(ref o, ld);
        c50.StoreUnsafe(ref o, 0); c51.StoreUnsafe(ref o, 2); c52.StoreUnsafe(ref o, 4); c53.StoreUnsafe(ref o, 6);
    }

    /// <summary>The same tile and chain as <see cref="Kernel256"/> with scalar <see cref="Math.FusedMultiplyAdd"/>.</summary>
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

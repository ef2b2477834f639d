using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

// The unpacked products of small shapes (see Gemm's determinism contract: the same chain per element).
internal static partial class Gemm
{
    /// <summary>
    /// The product without packing or tiles, for small shapes: the same chain per element (<c>s = 0; s = fma(A[i, p],
    /// B[p, j], s)</c> for p ascending, then <c>+ bias[j]</c>), so the same bits as <see cref="Block"/>, then the
    /// epilogue on the value in the register. On a vector <paramref name="path"/>, B is read (or, transposed or with n not a
    /// multiple of 4, first copied zero-padded) as rows of 4-wide vectors, and blocks of 4, 2 or 1 rows × 16 (then 4)
    /// columns of C are accumulated at once (32 on the 512-bit path; 2 or 1 rows × 8, then 2, on the 128-bit path);
    /// lanes run across columns, never p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Direct<TStore>(Path path, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        double[]? aux, double[]? columnSums, Workspace? ws) where TStore : struct
    {
        var packs = ws?.Packs ?? new PackBuffers();
        var slot = packs.Take();
        DirectRows<TStore>(path, a, transA, b, transB, c, m, k, n, bias, aux, slot);
        packs.Return(slot);
        if (columnSums is not null) Blas.ColumnSums(c, m, n, columnSums);
    }

    /// <summary><see cref="Direct"/>'s products.</summary>
    private static void DirectRows<TStore>(Path path, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        double[]? aux, PackBuffers.Slot slot) where TStore : struct
    {
        // A[i, p] = a[i·si + p·sp].
        var (si, sp) = transA ? (1, m) : (k, 1);
        if (path == Path.Scalar)
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
            bp = Scratch(ref slot.DirectB, k * ldb);
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
                bp = Scratch(ref slot.DirectB, k * n + (width - n));
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
        // JIT's inlining budget and called its stores). Each block height is called only when rows remain for it: a call
        // with nothing to do still sets up its frame, stack buffer and bias vector (a method never called is also never
        // compiled: less JIT time in a short run).
        if (path == Path.Vector128)
        {
            Rows128<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, c, bias, aux);
            return;
        }
        var wide = path == Path.Vector512;
        var i0 = 0;
        if (m - i0 >= 4) i0 = Rows4<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, i0, c, bias, aux, wide);
        if (m - i0 >= 2) i0 = Rows2<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, i0, c, bias, aux, wide);
        if (m - i0 == 1 && wide && n >= StreamMinColumns)
        {
            ref var ar = ref Unsafe.Add(ref a0, (nint)i0 * si);
            var j0 = 0;
            if (n <= ResidentMaxColumns)
                for (; j0 + 64 <= n; j0 += 64) Row64<TStore>(ref ar, sp, ref b0, k, n, ldb, i0, c, bias, aux, j0);
            if (j0 < n) RowStream<TStore>(ref ar, sp, ref b0, k, n, ldb, i0, c, bias, aux, j0, n);
            return;
        }
        if (m - i0 >= 1) Rows1<TStore>(ref a0, ref b0, si, sp, k, n, ldb, width, m, i0, c, bias, aux);
    }

    /// <summary>The narrowest row <see cref="RowStream"/> takes (below it, <see cref="Rows1"/>'s registers hold the whole row).</summary>
    private const int StreamMinColumns = 32;

    /// <summary>
    /// The widest row whose 64-column blocks <see cref="Row64"/> keeps in registers; wider rows stream (each block would
    /// step a whole row of B, a new page at n = 512, at every p).
    /// </summary>
    private const int ResidentMaxColumns = 256;

    /// <summary>
    /// Columns [j0, j0 + 64) of row i of C alone with the sums in eight 512-bit registers for the whole pass down B's rows
    /// (<c>s = fma(A[i, p], B[p, j], s)</c> from +0, p ascending: the chain of <see cref="RowStream"/>, which instead keeps
    /// the sums in C and reloads them every four rows, a store-to-load round trip on every element's chain); then the
    /// bias and the epilogue.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row64<TStore>(ref double ar, int sp, ref double b0, int k, int n, int ldb, int i, double[] c, double[]? bias, double[]? aux,
        int j0) where TStore : struct
    {
        // The caller checked c against (i + 1)·n, B against (k − 1)·ldb + n and A against the row's k values.
        Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        ref var r = ref Unsafe.Add(ref b0, j0);
        nint step = sp;
        for (var p = 0; p < k; p++)
        {
            var x = Vector512.Create(ar);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 0), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 8), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 16), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 24), s3);
            s4 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 32), s4);
            s5 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 40), s5);
            s6 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 48), s6);
            s7 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref r, 56), s7);
            ar = ref Unsafe.Add(ref ar, step);
            r = ref Unsafe.Add(ref r, ldb);
        }
        if (bias is not null)
        {
            ref var bv = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bias), j0);
            s0 += Vector512.LoadUnsafe(ref bv, 0); s1 += Vector512.LoadUnsafe(ref bv, 8);
            s2 += Vector512.LoadUnsafe(ref bv, 16); s3 += Vector512.LoadUnsafe(ref bv, 24);
            s4 += Vector512.LoadUnsafe(ref bv, 32); s5 += Vector512.LoadUnsafe(ref bv, 40);
            s6 += Vector512.LoadUnsafe(ref bv, 48); s7 += Vector512.LoadUnsafe(ref bv, 56);
        }
        var at = (nuint)i * (nuint)n + (nuint)j0;
        Put512<TStore>(c, aux, at, s0); Put512<TStore>(c, aux, at + 8, s1);
        Put512<TStore>(c, aux, at + 16, s2); Put512<TStore>(c, aux, at + 24, s3);
        Put512<TStore>(c, aux, at + 32, s4); Put512<TStore>(c, aux, at + 40, s5);
        Put512<TStore>(c, aux, at + 48, s6); Put512<TStore>(c, aux, at + 56, s7);
    }

    /// <summary>
    /// Row i of C alone (a prediction for one example: a vector–matrix product), as a stream through B's rows in order:
    /// the row of C itself holds the running sums, and each pass adds four rows of B, p ascending, to every column
    /// (<c>s = fma(A[i, p], B[p, j], s)</c>, so each element's chain is the one of the class remarks, from +0); then the
    /// bias and the epilogue. Reading whole rows of B in order keeps the hardware prefetchers ahead, where column strips
    /// step 8·n bytes (a new page for n = 512) at every p.
    /// </summary>
    /// <remarks>
    /// Only columns [j0, j1) (j0 a multiple of 8). One thread: splitting the columns of 784→512 between two threads
    /// measured slower (0.095–0.131 against 0.087 ms a call for 784→512→512→10), the rows being read from L3 either way.
    /// </remarks>
    private static void RowStream<TStore>(ref double ar, int sp, ref double b0, int k, int n, int ldb, int i, double[] c, double[]? bias, double[]? aux,
        int j0, int j1) where TStore : struct
    {
        // The caller checked c against (i + 1)·n, B against (k − 1)·ldb + n and A against the row's k values.
        ref var cr = ref MemoryMarshal.GetArrayDataReference(c);
        cr = ref Unsafe.Add(ref cr, (nint)i * n + j0);
        b0 = ref Unsafe.Add(ref b0, j0);
        var width = j1 - j0;
        var un = (nuint)width;
        var n8 = width & ~7;
        MemoryMarshal.CreateSpan(ref cr, width).Clear();
        var p = 0;
        for (; p + 4 <= k; p += 4)
        {
            ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
            double a0 = ap, a1 = Unsafe.Add(ref ap, sp), a2 = Unsafe.Add(ref ap, 2 * sp), a3 = Unsafe.Add(ref ap, 3 * sp);
            var (x0, x1, x2, x3) = (Vector512.Create(a0), Vector512.Create(a1), Vector512.Create(a2), Vector512.Create(a3));
            ref var r0 = ref Unsafe.Add(ref b0, (nint)p * ldb);
            ref var r1 = ref Unsafe.Add(ref r0, ldb);
            ref var r2 = ref Unsafe.Add(ref r1, ldb);
            ref var r3 = ref Unsafe.Add(ref r2, ldb);
            nuint j = 0;
            for (; j < (nuint)n8; j += 8)
            {
                var v = Vector512.LoadUnsafe(ref cr, j);
                v = Vector512.FusedMultiplyAdd(x0, Vector512.LoadUnsafe(ref r0, j), v);
                v = Vector512.FusedMultiplyAdd(x1, Vector512.LoadUnsafe(ref r1, j), v);
                v = Vector512.FusedMultiplyAdd(x2, Vector512.LoadUnsafe(ref r2, j), v);
                v = Vector512.FusedMultiplyAdd(x3, Vector512.LoadUnsafe(ref r3, j), v);
                v.StoreUnsafe(ref cr, j);
            }
            for (; j < un; j++)
            {
                var s = Unsafe.Add(ref cr, j);
                s = Math.FusedMultiplyAdd(a0, Unsafe.Add(ref r0, j), s);
                s = Math.FusedMultiplyAdd(a1, Unsafe.Add(ref r1, j), s);
                s = Math.FusedMultiplyAdd(a2, Unsafe.Add(ref r2, j), s);
                Unsafe.Add(ref cr, j) = Math.FusedMultiplyAdd(a3, Unsafe.Add(ref r3, j), s);
            }
        }
        for (; p < k; p++)
        {
            var a0 = Unsafe.Add(ref ar, (nint)p * sp);
            var x0 = Vector512.Create(a0);
            ref var r0 = ref Unsafe.Add(ref b0, (nint)p * ldb);
            nuint j = 0;
            for (; j < (nuint)n8; j += 8)
                Vector512.FusedMultiplyAdd(x0, Vector512.LoadUnsafe(ref r0, j), Vector512.LoadUnsafe(ref cr, j)).StoreUnsafe(ref cr, j);
            for (; j < un; j++) Unsafe.Add(ref cr, j) = Math.FusedMultiplyAdd(a0, Unsafe.Add(ref r0, j), Unsafe.Add(ref cr, j));
        }
        var at = (nuint)i * (nuint)n + (nuint)j0;
        nuint q = 0;
        for (; q < (nuint)n8; q += 8)
        {
            var v = Vector512.LoadUnsafe(ref cr, q);
            if (bias is not null) v += Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(bias), (nuint)j0 + q);
            Put512<TStore>(c, aux, at + q, v);
        }
        for (; q < un; q++)
        {
            var s = Unsafe.Add(ref cr, q);
            StoreOne<TStore>(c, (int)(at + q), bias is null ? s : s + bias[j0 + (int)q], aux);
        }
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
                c00 = Vector512.FusedMultiplyAdd(x, v0, c00); c01 = Vector512.FusedMultiplyAdd(x, v1, c01);
                x = Vector512.Create(Unsafe.Add(ref ap, si));
                c10 = Vector512.FusedMultiplyAdd(x, v0, c10); c11 = Vector512.FusedMultiplyAdd(x, v1, c11);
                x = Vector512.Create(Unsafe.Add(ref ap, 2 * si));
                c20 = Vector512.FusedMultiplyAdd(x, v0, c20); c21 = Vector512.FusedMultiplyAdd(x, v1, c21);
                x = Vector512.Create(Unsafe.Add(ref ap, 3 * si));
                c30 = Vector512.FusedMultiplyAdd(x, v0, c30); c31 = Vector512.FusedMultiplyAdd(x, v1, c31);
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
                    c00 = Vector256.FusedMultiplyAdd(x, v0, c00); c01 = Vector256.FusedMultiplyAdd(x, v1, c01);
                    x = Vector256.Create(Unsafe.Add(ref ap, si));
                    c10 = Vector256.FusedMultiplyAdd(x, v0, c10); c11 = Vector256.FusedMultiplyAdd(x, v1, c11);
                    x = Vector256.Create(Unsafe.Add(ref ap, 2 * si));
                    c20 = Vector256.FusedMultiplyAdd(x, v0, c20); c21 = Vector256.FusedMultiplyAdd(x, v1, c21);
                    x = Vector256.Create(Unsafe.Add(ref ap, 3 * si));
                    c30 = Vector256.FusedMultiplyAdd(x, v0, c30); c31 = Vector256.FusedMultiplyAdd(x, v1, c31);
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
                    c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ap), v, c0);
                    c1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, si)), v, c1);
                    c2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 2 * si)), v, c2);
                    c3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 3 * si)), v, c3);
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
                    c0 = Vector256.FusedMultiplyAdd(x, v0, c0); c1 = Vector256.FusedMultiplyAdd(x, v1, c1);
                    c2 = Vector256.FusedMultiplyAdd(x, v2, c2); c3 = Vector256.FusedMultiplyAdd(x, v3, c3);
                    d0 = Vector256.FusedMultiplyAdd(y, v0, d0); d1 = Vector256.FusedMultiplyAdd(y, v1, d1);
                    d2 = Vector256.FusedMultiplyAdd(y, v2, d2); d3 = Vector256.FusedMultiplyAdd(y, v3, d3);
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
                    c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ap), v, c0);
                    d0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, si)), v, d0);
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
                c0 = Vector512.FusedMultiplyAdd(x, v0, c0); c1 = Vector512.FusedMultiplyAdd(x, v1, c1);
                c2 = Vector512.FusedMultiplyAdd(x, v2, c2); c3 = Vector512.FusedMultiplyAdd(x, v3, c3);
                d0 = Vector512.FusedMultiplyAdd(y, v0, d0); d1 = Vector512.FusedMultiplyAdd(y, v1, d1);
                d2 = Vector512.FusedMultiplyAdd(y, v2, d2); d3 = Vector512.FusedMultiplyAdd(y, v3, d3);
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
                    c0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bRow), c0);
                    c1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bRow, 4), c1);
                    c2 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bRow, 8), c2);
                    c3 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bRow, 12), c3);
                }
                StoreRow<TStore>(c, i0, n, j0, c0, bias, edge, aux); StoreRow<TStore>(c, i0, n, j0 + 4, c1, bias, edge, aux);
                StoreRow<TStore>(c, i0, n, j0 + 8, c2, bias, edge, aux); StoreRow<TStore>(c, i0, n, j0 + 12, c3, bias, edge, aux);
            }
            for (; j0 < width; j0 += 4)
            {
                var c0 = Vector256<double>.Zero;
                for (var p = 0; p < k; p++)
                    c0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ar, (nint)p * sp)), Vector256.LoadUnsafe(ref Unsafe.Add(ref b0, (nint)p * ldb + j0)), c0);
                StoreRow<TStore>(c, i0, n, j0, c0, bias, edge, aux);
            }
        }
    }

    /// <summary>
    /// Every row on the 128-bit path (ARM64's NEON): pairs of rows × 8 (then 2) columns, 8 (then 2) independent chains,
    /// then a last odd row. B's padded width (a multiple of 4) keeps every 2-wide load inside <paramref name="b0"/>.
    /// </summary>
    private static void Rows128<TStore>(ref double a0, ref double b0, int si, int sp, int k, int n, int ldb, int width, int m, double[] c, double[]? bias,
        double[]? aux) where TStore : struct
    {
        var i0 = 0;
        for (; i0 + 2 <= m; i0 += 2)
        {
            ref var ar = ref Unsafe.Add(ref a0, (nint)i0 * si);
            var j0 = 0;
            for (; j0 + 8 <= width; j0 += 8)
            {
                Vector128<double> c0 = default, c1 = default, c2 = default, c3 = default, d0 = default, d1 = default, d2 = default, d3 = default;
                for (var p = 0; p < k; p++)
                {
                    ref var bRow = ref Unsafe.Add(ref b0, (nint)p * ldb + j0);
                    var v0 = Vector128.LoadUnsafe(ref bRow);
                    var v1 = Vector128.LoadUnsafe(ref bRow, 2);
                    var v2 = Vector128.LoadUnsafe(ref bRow, 4);
                    var v3 = Vector128.LoadUnsafe(ref bRow, 6);
                    ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
                    var x = Vector128.Create(ap);
                    var y = Vector128.Create(Unsafe.Add(ref ap, si));
                    c0 = Vector128.FusedMultiplyAdd(x, v0, c0); c1 = Vector128.FusedMultiplyAdd(x, v1, c1);
                    c2 = Vector128.FusedMultiplyAdd(x, v2, c2); c3 = Vector128.FusedMultiplyAdd(x, v3, c3);
                    d0 = Vector128.FusedMultiplyAdd(y, v0, d0); d1 = Vector128.FusedMultiplyAdd(y, v1, d1);
                    d2 = Vector128.FusedMultiplyAdd(y, v2, d2); d3 = Vector128.FusedMultiplyAdd(y, v3, d3);
                }
                StoreRow128<TStore>(c, i0, n, j0, c0, bias, aux); StoreRow128<TStore>(c, i0, n, j0 + 2, c1, bias, aux);
                StoreRow128<TStore>(c, i0, n, j0 + 4, c2, bias, aux); StoreRow128<TStore>(c, i0, n, j0 + 6, c3, bias, aux);
                StoreRow128<TStore>(c, i0 + 1, n, j0, d0, bias, aux); StoreRow128<TStore>(c, i0 + 1, n, j0 + 2, d1, bias, aux);
                StoreRow128<TStore>(c, i0 + 1, n, j0 + 4, d2, bias, aux); StoreRow128<TStore>(c, i0 + 1, n, j0 + 6, d3, bias, aux);
            }
            for (; j0 < n; j0 += 2)
            {
                Vector128<double> c0 = default, d0 = default;
                for (var p = 0; p < k; p++)
                {
                    var v = Vector128.LoadUnsafe(ref Unsafe.Add(ref b0, (nint)p * ldb + j0));
                    ref var ap = ref Unsafe.Add(ref ar, (nint)p * sp);
                    c0 = Vector128.FusedMultiplyAdd(Vector128.Create(ap), v, c0);
                    d0 = Vector128.FusedMultiplyAdd(Vector128.Create(Unsafe.Add(ref ap, si)), v, d0);
                }
                StoreRow128<TStore>(c, i0, n, j0, c0, bias, aux); StoreRow128<TStore>(c, i0 + 1, n, j0, d0, bias, aux);
            }
        }
        if (i0 == m) return;
        ref var last = ref Unsafe.Add(ref a0, (nint)i0 * si);
        for (var j0 = 0; j0 < n; j0 += 2)
        {
            var c0 = Vector128<double>.Zero;
            for (var p = 0; p < k; p++)
                c0 = Vector128.FusedMultiplyAdd(Vector128.Create(Unsafe.Add(ref last, (nint)p * sp)), Vector128.LoadUnsafe(ref Unsafe.Add(ref b0, (nint)p * ldb + j0)), c0);
            StoreRow128<TStore>(c, i0, n, j0, c0, bias, aux);
        }
    }

    /// <summary>
    /// The lanes of <paramref name="v"/> that fall inside row i (columns j0 … min(j0 + 2, n)), with the bias and the
    /// epilogue: the 128-bit <see cref="StoreRow"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow128<TStore>(double[] c, int i, int n, int j0, Vector128<double> v, double[]? bias, double[]? aux)
        where TStore : struct
    {
        var at = i * n + j0;
        if (n - j0 >= 2)
        {
            if (bias is not null) v += Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(bias), (nuint)j0);
            if (typeof(TStore) == typeof(ReluGateStore))
            {
                var z = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(aux!), (nuint)at);
                v = Vector128.ConditionalSelect(Vector128.GreaterThan(z, Vector128<double>.Zero), v, Vector128<double>.Zero);
            }
            if (typeof(TStore) == typeof(ReluOnlyStore)) v = Elementwise.Relu2(v);
            v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(c), (nuint)at);
            if (typeof(TStore) == typeof(ReluStore)) Elementwise.Relu2(v).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(aux!), (nuint)at);
            return;
        }
        if (n - j0 == 1) StoreOne<TStore>(c, at, bias is null ? v.ToScalar() : v.ToScalar() + bias[j0], aux);
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
}

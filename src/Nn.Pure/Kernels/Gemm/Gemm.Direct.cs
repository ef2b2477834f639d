using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

// The unpacked products of small shapes (see Gemm's determinism contract: the same chain per element).
internal static partial class Gemm
{
    /// <summary>
    /// The product without packing or tiles, for small shapes: the same chain per element (<c>s = 0; s = fma(A[i, p],
    /// B[p, j], s)</c> for p ascending, then <c>+ bias[j]</c>), so the same bits as <see cref="Block"/>, then the
    /// epilogue on the value in the register. With <paramref name="simd"/>, B is read (or, transposed or with n not a
    /// multiple of 4, first copied zero-padded) as rows of 4-wide vectors, and blocks of up to 8 rows × 8 columns of C
    /// are accumulated at once; lanes run across columns, never p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Direct<TStore>(bool simd, bool wide, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        double[]? aux, double[]? columnSums, Workspace? ws) where TStore : struct
    {
        var packs = ws?.Packs ?? new PackBuffers();
        var slot = packs.Take();
        DirectRows<TStore>(simd, wide, a, transA, b, transB, c, m, k, n, bias, aux, columnSums, slot, out var summed);
        packs.Return(slot);
        if (columnSums is not null && !summed) Blas.ColumnSums(c, m, n, columnSums);
    }

    /// <summary><see cref="Direct"/>'s products; <paramref name="summed"/> tells whether it also wrote the column sums.</summary>
    private static void DirectRows<TStore>(bool simd, bool wide, double[] a, bool transA, double[] b, bool transB, double[] c, int m, int k, int n, double[]? bias,
        double[]? aux, double[]? columnSums, PackBuffers.Slot slot, out bool summed) where TStore : struct
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
}

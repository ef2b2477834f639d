using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// Dense linear-algebra kernels over flat row-major spans. Every index loop and SIMD operation of the library lives
/// in this folder.
/// </summary>
/// <remarks>
/// Determinism contract: every output element is a sum taken in ascending index order. Matrix products use one fused
/// multiply-add chain per element (<see cref="Kernels.Gemm"/>); every other kernel uses a separate multiply and add.
/// A vectorised or multi-threaded kernel gives the same bits as the naive scalar loop written in that order, on any
/// machine, for any vector width and any <see cref="ComputeOptions.MaxThreads"/>. SIMD lanes and threads run across
/// <em>outputs</em>, never across a sum.
/// </remarks>
internal static class Blas
{
    /// <summary>
    /// <c>c[i, j] = Σ_p a[i, p]·b[p, j]</c> (+ <c>bias[j]</c>) for a (m × k), b (k × n), c (m × n): one fused
    /// multiply-add chain in ascending p per element (see <see cref="Kernels.Gemm"/>); bias may be null.
    /// </summary>
    internal static void Gemm(double[] a, double[] b, double[] c, int m, int k, int n, double[]? bias = null, Workspace? ws = null) =>
        Kernels.Gemm.Multiply(a, false, b, false, c, m, k, n, bias, ws);

    /// <summary><c>c[i, j] = Σ_p a[p, i]·b[p, j]</c> for a (k × m), b (k × n), c (m × n): the chain of <see cref="Gemm"/>.</summary>
    internal static void GemmTransA(double[] a, double[] b, double[] c, int m, int k, int n, Workspace? ws = null) =>
        Kernels.Gemm.Multiply(a, true, b, false, c, m, k, n, null, ws);

    /// <summary><c>c[i, j] = Σ_p a[i, p]·b[j, p]</c> for a (m × k), b (n × k), c (m × n): the chain of <see cref="Gemm"/>.</summary>
    internal static void GemmTransB(double[] a, double[] b, double[] c, int m, int k, int n, Workspace? ws = null) =>
        Kernels.Gemm.Multiply(a, false, b, true, c, m, k, n, null, ws);

    /// <summary><c>y[j] = y[j] + alpha·x[j]</c> (multiply, then add: no FMA).</summary>
    internal static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var j = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var va = new Vector<double>(alpha);
            for (; j <= x.Length - Vector<double>.Count; j += Vector<double>.Count)
            {
                var vy = new Vector<double>(y[j..]);
                (vy + va * new Vector<double>(x[j..])).CopyTo(y[j..]);
            }
        }
        for (; j < x.Length; j++) y[j] += alpha * x[j];
    }

    /// <summary><c>t[j, i] = a[i, j]</c> for a (rows × cols), t (cols × rows).</summary>
    internal static void Transpose(ReadOnlySpan<double> a, int rows, int cols, Span<double> t)
    {
        const int Block = 32;
        for (var i0 = 0; i0 < rows; i0 += Block)
            for (var j0 = 0; j0 < cols; j0 += Block)
            {
                var iEnd = Math.Min(i0 + Block, rows);
                var jEnd = Math.Min(j0 + Block, cols);
                for (var i = i0; i < iEnd; i++)
                    for (var j = j0; j < jEnd; j++) t[j * rows + i] = a[i * cols + j];
            }
    }

    /// <summary><c>r[i] = a[i] + b[i]</c>.</summary>
    internal static void Add(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> r)
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(a[i..]) + new Vector<double>(b[i..])).CopyTo(r[i..]);
        for (; i < a.Length; i++) r[i] = a[i] + b[i];
    }

    /// <summary><c>r[i] = a[i] − b[i]</c>.</summary>
    internal static void Subtract(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> r)
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(a[i..]) - new Vector<double>(b[i..])).CopyTo(r[i..]);
        for (; i < a.Length; i++) r[i] = a[i] - b[i];
    }

    /// <summary><c>r[i] = a[i]·b[i]</c>.</summary>
    internal static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> r)
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(a[i..]) * new Vector<double>(b[i..])).CopyTo(r[i..]);
        for (; i < a.Length; i++) r[i] = a[i] * b[i];
    }

    /// <summary><c>r[i] = s·a[i]</c>.</summary>
    internal static void Scale(double s, ReadOnlySpan<double> a, Span<double> r)
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<double>(s);
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
                (vs * new Vector<double>(a[i..])).CopyTo(r[i..]);
        }
        for (; i < a.Length; i++) r[i] = s * a[i];
    }

    /// <summary><c>r[i, j] = a[i, j] + row[j]</c> for a and r (rows × cols).</summary>
    internal static void AddRowBroadcast(ReadOnlySpan<double> a, ReadOnlySpan<double> row, Span<double> r, int rows, int cols)
    {
        for (var i = 0; i < rows; i++) Add(a.Slice(i * cols, cols), row, r.Slice(i * cols, cols));
    }

    /// <summary><c>s[j] = Σ_i a[i, j]</c>, i ascending, for a (rows × cols).</summary>
    internal static void ColumnSums(ReadOnlySpan<double> a, int rows, int cols, Span<double> s)
    {
        // s[j] = 0, then s[j] = s[j] + a[i, j] for i ascending. Lanes run across columns and each block of columns keeps
        // its sums in registers for the whole pass down the rows (a column sum per call of Add cost a load and store
        // of s per row: ~6× slower on a 64 × 32 batch).
        var j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 32 columns per pass: a 32-wide layer's bias gradient in one walk down the rows (one chain of row additions
            // long) instead of two.
            for (; j + 32 <= cols; j += 32)
            {
                Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
                for (var i = 0; i < rows; i++)
                {
                    var row = a.Slice(i * cols + j, 32);
                    s0 += Vector512.Create(row); s1 += Vector512.Create(row[8..]);
                    s2 += Vector512.Create(row[16..]); s3 += Vector512.Create(row[24..]);
                }
                s0.CopyTo(s[j..]); s1.CopyTo(s[(j + 8)..]); s2.CopyTo(s[(j + 16)..]); s3.CopyTo(s[(j + 24)..]);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 16 <= cols; j += 16)
            {
                Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
                for (var i = 0; i < rows; i++)
                {
                    var row = a.Slice(i * cols + j, 16);
                    s0 += Vector256.Create(row); s1 += Vector256.Create(row[4..]);
                    s2 += Vector256.Create(row[8..]); s3 += Vector256.Create(row[12..]);
                }
                s0.CopyTo(s[j..]); s1.CopyTo(s[(j + 4)..]); s2.CopyTo(s[(j + 8)..]); s3.CopyTo(s[(j + 12)..]);
            }
            for (; j + 4 <= cols; j += 4)
            {
                var s0 = Vector256<double>.Zero;
                for (var i = 0; i < rows; i++) s0 += Vector256.Create(a.Slice(i * cols + j, 4));
                s0.CopyTo(s[j..]);
            }
        }
        if (cols - j == 3) // e.g. the bias gradient of a 3-class output layer: three independent chains in one pass
        {
            double s0 = 0, s1 = 0, s2 = 0;
            for (var i = 0; i < rows; i++)
            {
                var row = a.Slice(i * cols + j, 3);
                s0 += row[0]; s1 += row[1]; s2 += row[2];
            }
            s[j] = s0; s[j + 1] = s1; s[j + 2] = s2;
            return;
        }
        for (; j < cols; j++)
        {
            var sj = 0.0;
            for (var i = 0; i < rows; i++) sj += a[i * cols + j];
            s[j] = sj;
        }
    }

    /// <summary>
    /// <c>dst[i, ·] = a[indices[i], ·]</c> for a (rowCount × cols): a mini-batch gathered from a data set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, rowCount).</exception>
    internal static void GatherRows(ReadOnlySpan<double> a, int rowCount, int cols, ReadOnlySpan<int> indices, Span<double> dst)
    {
        var rows = indices;
        foreach (var r in rows)
            if ((uint)r >= (uint)rowCount) throw new ArgumentOutOfRangeException(nameof(indices), r, $"Row index must be in [0, {rowCount}).");
        if (rows.Length == 0 || cols == 0) return;
        if (dst.Length < rows.Length * cols || a.Length < rowCount * cols) throw new ArgumentException("The source or destination is shorter than its shape.");
        if (cols > 8)
        {
            for (var i = 0; i < rows.Length; i++) a.Slice(rows[i] * cols, cols).CopyTo(dst.Slice(i * cols, cols));
            return;
        }
        // Short rows (e.g. 2 features, 3 one-hot classes): no memmove call per row, which costs more than the row. The
        // indices were checked above, so the reads need no further bounds checks.
        ref var src = ref MemoryMarshal.GetReference(a);
        ref var d = ref MemoryMarshal.GetReference(dst);
        var i0 = 0;
        if (cols <= 4 && Vector256.IsHardwareAccelerated)
        {
            // Each row as one 4-wide vector: lanes past cols read the source's next row and land at the start of the next
            // destination row, which its own copy (rows go in ascending order) then overwrites. A row whose vector would
            // pass the end of the source, and the rows whose vector would pass the end of the result, go element by element.
            var end = rows.Length * cols;
            for (; i0 < rows.Length && i0 * cols + 4 <= end; i0++)
            {
                var from = rows[i0] * cols;
                if (from + 4 <= a.Length) Vector256.LoadUnsafe(ref src, (nuint)from).StoreUnsafe(ref d, (nuint)(i0 * cols));
                else CopyRow(ref src, ref d, from, i0 * cols, cols);
            }
        }
        for (var i = i0; i < rows.Length; i++) CopyRow(ref src, ref d, rows[i] * cols, i * cols, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(ref double src, ref double dst, int from, int to, int cols)
    {
        for (var j = 0; j < cols; j++) Unsafe.Add(ref dst, to + j) = Unsafe.Add(ref src, from + j);
    }

    /// <summary>
    /// <see cref="AllFinite(ReadOnlySpan{double})"/> of a whole array, on up to <paramref name="threads"/> threads from 2¹⁶
    /// values on (the trainer checks every parameter after every step; a yes/no answer has no bits to vary).
    /// </summary>
    internal static bool AllFinite(double[] x, int threads)
    {
        // One thread: no closure (a fold checks after every step; a captured local would allocate at the method's entry).
        return threads <= 1 || x.Length < 1 << 16 ? AllFinite(x.AsSpan()) : AllFiniteSplit(x, threads);
    }

    private static bool AllFiniteSplit(double[] x, int threads)
    {
        var finite = 1;
        Workers.ForRanges(x.Length, x.Length < 1 << 16 ? 1 : threads, (start, length) =>
        {
            if (Volatile.Read(ref finite) == 1 && !AllFinite(x.AsSpan(start, length))) Volatile.Write(ref finite, 0);
        });
        return finite == 1;
    }

    /// <summary>True when no element is NaN or infinite.</summary>
    internal static bool AllFinite(ReadOnlySpan<double> x)
    {
        // v − v is 0 for a finite v and NaN for ±∞ or NaN, and NaN survives any sum: one branch per 4096 values
        // instead of one per value (the trainer checks every parameter after every step).
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var x0 = ref MemoryMarshal.GetReference(x);
            while (i <= x.Length - 16)
            {
                var end = Math.Min(x.Length - 15, i + 4096);
                Vector256<double> s0 = Vector256<double>.Zero, s1 = s0, s2 = s0, s3 = s0;
                for (; i < end; i += 16)
                {
                    var a = Vector256.LoadUnsafe(ref x0, (nuint)i);
                    var b = Vector256.LoadUnsafe(ref x0, (nuint)i + 4);
                    var c = Vector256.LoadUnsafe(ref x0, (nuint)i + 8);
                    var d = Vector256.LoadUnsafe(ref x0, (nuint)i + 12);
                    s0 += a - a; s1 += b - b; s2 += c - c; s3 += d - d;
                }
                if (!Vector256.EqualsAll(s0 + s1 + (s2 + s3), Vector256<double>.Zero)) return false;
            }
        }
        for (; i < x.Length; i++)
            if (!double.IsFinite(x[i])) return false;
        return true;
    }

    /// <summary>The sum <c>Σ_i x[i]</c>, i ascending.</summary>
    internal static double Sum(ReadOnlySpan<double> x)
    {
        var s = 0.0;
        foreach (var v in x) s += v;
        return s;
    }

    /// <summary>The dot product <c>Σ_i x[i]·y[i]</c>, i ascending.</summary>
    internal static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var s = 0.0;
        for (var i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>Element-wise activation kernels and their derivatives over flat row-major spans.</summary>
internal static class Elementwise
{
    /// <summary>σ(z) = 1/(1 + e^(−z)) by the library's own <see cref="Logistic"/> (never evaluates e^z for positive z).</summary>
    internal static double Sigmoid(double z) => Logistic.Of(z);

    /// <summary>
    /// One binary cross-entropy term from the logit z and target y: <c>softplus(z) − y·z = fma(−y, z, max(z, 0)) +
    /// log1p(e^(−|z|))</c>. The first part is exact for y in {0, 1} (it is (1 − y)·z or −y·z rounded once), so a
    /// confident right answer keeps its full relative precision: at z = 30, y = 1 the term is 9.357622968839737e-14.
    /// </summary>
    internal static double BinaryCrossEntropy(double z, double y) => Math.FusedMultiplyAdd(-y, z, z > 0 ? z : 0.0) + SoftplusTail(z);

    /// <summary><c>log1p(e^(−|z|))</c>, in (0, ln 2]: softplus(z) = max(z, 0) + this, never overflowing and keeping its
    /// relative precision where it is tiny.</summary>
    private static double SoftplusTail(double z) => LogOnePlus.Of(Exponential.Of(-Math.Abs(z)));

    internal static double Value(Activation activation, double z) => activation switch
    {
        Activation.Sigmoid => Sigmoid(z),
        Activation.Tanh => HyperbolicTangent.Of(z),
        Activation.Relu => z > 0 ? z : 0.0,
        Activation.LeakyRelu l => z > 0 ? z : l.Slope * z,
        Activation.Linear => z,
        Activation.Custom c => c.Function(z),
        Activation.Softmax or Activation.CustomRows => throw new ArgumentException($"{activation} works on whole rows, not single values.", nameof(activation)),
        _ => throw new ArgumentException($"Unknown activation {activation}.", nameof(activation)),
    };

    internal static double Derivative(Activation activation, double z) => activation switch
    {
        Activation.Sigmoid => Logistic.Gradient.Of(Sigmoid(z), 1.0),
        Activation.Tanh => HyperbolicTangent.Gradient.Of(HyperbolicTangent.Of(z), 1.0),
        Activation.Relu => z > 0 ? 1.0 : 0.0,
        Activation.LeakyRelu l => z > 0 ? 1.0 : l.Slope,
        Activation.Linear => 1.0,
        Activation.Custom c => c.Derivative(z),
        Activation.Softmax or Activation.CustomRows => throw new ArgumentException($"{activation} has a Jacobian, not a scalar derivative.", nameof(activation)),
        _ => throw new ArgumentException($"Unknown activation {activation}.", nameof(activation)),
    };

    /// <summary><c>a[i] = f(z[i])</c>; for softmax, per row of length <paramref name="cols"/> with the row max subtracted.</summary>
    internal static void Activate(Activation activation, ReadOnlySpan<double> z, Span<double> a, int cols)
    {
        switch (activation)
        {
            case Activation.Sigmoid:
                Logistic.Apply(z, a);
                break;
            case Activation.Tanh:
                HyperbolicTangent.Apply(z, a);
                break;
            case Activation.Relu:
                Relu(z, a);
                break;
            case Activation.LeakyRelu l:
                LeakyRelu(l.Slope, z, z, a);
                break;
            case Activation.Linear:
                z.CopyTo(a);
                break;
            case Activation.Custom c:
                for (var i = 0; i < z.Length; i++) a[i] = c.Function(z[i]);
                break;
            case Activation.CustomRows rows:
                for (var r = 0; cols > 0 && r < z.Length / cols; r++)
                    Row(rows.Function(z.Slice(r * cols, cols).ToArray()), cols, rows.Label).CopyTo(a.Slice(r * cols, cols));
                break;
            case Activation.Softmax:
                if (cols > 0) SoftmaxRows(z, a, new double[z.Length / cols], z.Length / cols, cols);
                break;
            default:
                throw new ArgumentException($"Unknown activation {activation}.", nameof(activation));
        }
    }

    /// <summary><c>dz = f′(z) ⊙ da</c>; for softmax <c>dz = a ⊙ (da − Σⱼ daⱼaⱼ)</c> per row.</summary>
    internal static void ActivateBackward(Activation activation, ReadOnlySpan<double> z, ReadOnlySpan<double> a, ReadOnlySpan<double> da, Span<double> dz, int cols)
    {
        switch (activation)
        {
            case Activation.Sigmoid:
                Logistic.Backward(a, da, dz);
                break;
            case Activation.Tanh:
                HyperbolicTangent.Backward(a, da, dz);
                break;
            case Activation.Relu:
                ReluBackward(z, da, dz);
                break;
            case Activation.LeakyRelu l:
                LeakyRelu(l.Slope, z, da, dz);
                break;
            case Activation.Linear:
                da.CopyTo(dz);
                break;
            case Activation.Custom c:
                for (var i = 0; i < z.Length; i++) dz[i] = c.Derivative(z[i]) * da[i];
                break;
            case Activation.CustomRows rows:
                for (var r = 0; cols > 0 && r < z.Length / cols; r++)
                {
                    var (zr, ar, dar) = (z.Slice(r * cols, cols).ToArray(), a.Slice(r * cols, cols).ToArray(), da.Slice(r * cols, cols).ToArray());
                    Row(rows.VectorJacobianProduct(zr, ar, dar), cols, rows.Label).CopyTo(dz.Slice(r * cols, cols));
                }
                break;
            case Activation.Softmax:
                for (var r = 0; cols > 0 && r < z.Length / cols; r++)
                {
                    var ar = a.Slice(r * cols, cols);
                    var gr = da.Slice(r * cols, cols);
                    var dot = Blas.Dot(gr, ar);
                    for (var j = 0; j < cols; j++) dz[r * cols + j] = ar[j] * (gr[j] - dot);
                }
                break;
            default:
                throw new ArgumentException($"Unknown activation {activation}.", nameof(activation));
        }
    }

    /// <summary>A custom row function's result, checked to be a row of the layer's width.</summary>
    private static ReadOnlySpan<double> Row(double[]? row, int cols, string name) =>
        row is not null && row.Length == cols
            ? row
            : throw new InvalidOperationException($"The custom activation '{name}' returned a row of {row?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"} values for a row of {cols}.");

    /// <summary><c>a[i] = z[i] &gt; 0 ? z[i] : 0</c> (so −0 and NaN give +0), vectorised with the same rule (<see cref="Relu4"/>).</summary>
    internal static void Relu(ReadOnlySpan<double> z, Span<double> a)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= z.Length - Vector256<double>.Count; i += Vector256<double>.Count) Relu4(Vector256.Create(z[i..])).CopyTo(a[i..]);
        else if (Vector128.IsHardwareAccelerated)
            for (; i <= z.Length - Vector128<double>.Count; i += Vector128<double>.Count) Relu2(Vector128.Create(z[i..])).CopyTo(a[i..]);
        for (; i < z.Length; i++) a[i] = z[i] > 0 ? z[i] : 0.0;
    }

    /// <summary>
    /// <c>v &gt; 0 ? v : +0</c> on two lanes, exactly the rule of <see cref="Relu"/> (−0 and NaN give +0). Portably: v
    /// masked by its own comparison with +0 (all-zero lanes are +0). On x86, MAXPD in one instruction instead of three:
    /// it returns its second operand unless the first is greater (so for NaN and ±0 too), which makes max(v, +0) the same
    /// rule (ARM's FMAX returns NaN for NaN, so it is not used there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<double> Relu2(Vector128<double> v) =>
        Sse2.IsSupported ? Sse2.Max(v, Vector128<double>.Zero) : v & Vector128.GreaterThan(v, Vector128<double>.Zero);

    /// <summary><see cref="Relu2"/> on four lanes (AVX's VMAXPD on x86).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Relu4(Vector256<double> v) =>
        Avx.IsSupported ? Avx.Max(v, Vector256<double>.Zero) : v & Vector256.GreaterThan(v, Vector256<double>.Zero);

    /// <summary><see cref="Relu2"/> on eight lanes (AVX-512's VMAXPD on x86).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Relu8(Vector512<double> v) =>
        Avx512F.IsSupported ? Avx512F.Max(v, Vector512<double>.Zero) : v & Vector512.GreaterThan(v, Vector512<double>.Zero);

    /// <summary>
    /// <c>r[i] = z[i] &gt; 0 ? v[i] : slope·v[i]</c>: leaky ReLU's value (v = z) and its backward rule (v = ∂J/∂a), on the
    /// widest vectors with the same comparison and product per element (the same bits as the scalar tail).
    /// </summary>
    internal static void LeakyRelu(double slope, ReadOnlySpan<double> z, ReadOnlySpan<double> v, Span<double> r)
    {
        if (v.Length < z.Length || r.Length < z.Length) throw new ArgumentException("The operands are shorter than z.");
        if (Lanes512.IsHardwareAccelerated) Gate<Lanes512>(z, v, r, slope);
        else if (Lanes256.IsHardwareAccelerated) Gate<Lanes256>(z, v, r, slope);
        else if (Lanes128.IsHardwareAccelerated) Gate<Lanes128>(z, v, r, slope);
        else Gate<Lane1>(z, v, r, slope);
    }

    /// <summary><c>dz[i] = z[i] &gt; 0 ? da[i] : 0</c>, vectorised with the same comparison.</summary>
    internal static void ReluBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> da, Span<double> dz)
    {
        if (da.Length < z.Length || dz.Length < z.Length) throw new ArgumentException("The operands are shorter than z.");
        if (Lanes512.IsHardwareAccelerated) Gate<Lanes512>(z, da, dz, null);
        else if (Lanes256.IsHardwareAccelerated) Gate<Lanes256>(z, da, dz, null);
        else if (Lanes128.IsHardwareAccelerated) Gate<Lanes128>(z, da, dz, null);
        else Gate<Lane1>(z, da, dz, null);
    }

    /// <summary>
    /// <c>r[i] = z[i] &gt; 0 ? v[i] : slope·v[i]</c>, or <c>+0</c> there without a slope, on whole vectors of
    /// <typeparamref name="T"/> and then one lane at a time: the same comparison and product per element on every width.
    /// </summary>
    private static void Gate<T>(ReadOnlySpan<double> z, ReadOnlySpan<double> v, Span<double> r, double? slope) where T : struct, ILanes<T>
    {
        ref var zr = ref MemoryMarshal.GetReference(z);
        ref var vr = ref MemoryMarshal.GetReference(v);
        ref var rr = ref MemoryMarshal.GetReference(r);
        var (zero, s) = (T.Create(0.0), T.Create(slope ?? 0.0));
        var i = 0;
        for (; i <= z.Length - T.Count; i += T.Count)
        {
            var vi = T.Load(ref vr, (nuint)i);
            T.Select(T.GreaterThan(T.Load(ref zr, (nuint)i), zero), vi, slope is null ? zero : s * vi).Store(ref rr, (nuint)i);
        }
        for (; i < z.Length; i++) r[i] = z[i] > 0 ? v[i] : slope is null ? 0.0 : slope.Value * v[i];
    }

    /// <summary>
    /// The stable softmax of every row of z (rows × cols) into a, and each row's log-sum-exp into lse. Per row: M = the
    /// max (by <c>z &gt; M</c> from −∞), eⱼ = e^(zⱼ − M) by <see cref="Exponential"/>, s = Σⱼ eⱼ in ascending j, aⱼ = eⱼ / s,
    /// lse = M + ln s by <see cref="Logarithm"/> (or M itself when M = −∞). Eight or four rows at a time on SIMD lanes, same bits.
    /// </summary>
    internal static void SoftmaxRows(ReadOnlySpan<double> z, Span<double> a, Span<double> lse, int rows, int cols)
    {
        var r = 0;
        if (Vector256.IsHardwareAccelerated && Simd.FusedMultiplyAddAccelerated && cols > 0 && cols <= LaneRowsMaxCols && rows >= 4)
        {
            // One stack buffer of the row width for the whole call: zeroing a fixed 32-column one per group of four rows
            // cost more than the softmax of a 3-column group itself.
            if (Vector512.IsHardwareAccelerated && rows >= 8)
            {
                Span<Vector512<double>> e8 = stackalloc Vector512<double>[cols];
                for (; r + 8 <= rows; r += 8) SoftmaxEightRows(z, a, lse, r, cols, e8);
            }
            Span<Vector256<double>> e = stackalloc Vector256<double>[cols];
            for (; r + 4 <= rows; r += 4) SoftmaxFourRows(z, a, lse, r, cols, e);
        }
        for (; r < rows; r++)
        {
            var zr = z.Slice(r * cols, cols);
            var ar = a.Slice(r * cols, cols);
            var max = double.NegativeInfinity;
            for (var j = 0; j < zr.Length; j++) max = zr[j] > max ? zr[j] : max;
            var sum = 0.0;
            for (var j = 0; j < zr.Length; j++)
            {
                var e = Exponential.Of(zr[j] - max);
                ar[j] = e;
                sum += e;
            }
            for (var j = 0; j < ar.Length; j++) ar[j] /= sum;
            lse[r] = double.IsNegativeInfinity(max) ? max : max + Logarithm.Of(sum);
        }
    }

    /// <summary>
    /// Rows r … r+3 with one row per SIMD lane: every lane runs the scalar loop's steps (max by <c>z &gt; max</c>, e^(z − max)
    /// by <see cref="Exponential"/>, the sum in ascending j, one division per value, ln by <see cref="Logarithm"/>), so the
    /// bits are the scalar ones, without a branch per comparison or a call per exponential. <paramref name="e"/> holds a
    /// vector per column (cols ≤ <see cref="LaneRowsMaxCols"/>).
    /// </summary>
    private static void SoftmaxFourRows(ReadOnlySpan<double> z, Span<double> a, Span<double> lse, int r, int cols, Span<Vector256<double>> e)
    {
        var o = r * cols;
        _ = z[o + 4 * cols - 1]; // one bounds check for the whole group
        _ = a[o + 4 * cols - 1];
        ref var z0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), o);
        ref var a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), o);
        var max = Vector256.Create(double.NegativeInfinity);
        for (var j = 0; j < cols; j++)
        {
            var v = Gather(ref z0, j, cols);
            e[j] = v;
            max = Vector256.ConditionalSelect(Vector256.GreaterThan(v, max), v, max);
        }
        var sum = Vector256<double>.Zero;
        for (var j = 0; j < cols; j++)
        {
            var ej = Exponential.Of4(e[j] - max);
            e[j] = ej;
            sum += ej;
        }
        for (var j = 0; j < cols; j++) Scatter(ref a0, j, cols, e[j] / sum);
        var log = Logarithm.Of4(sum);
        for (var l = 0; l < 4; l++)
            lse[r + l] = double.IsNegativeInfinity(max[l]) ? max[l] : max[l] + log[l];
    }

    /// <summary><see cref="SoftmaxFourRows"/> for rows r … r+7, one row per lane of a 512-bit vector (the same steps, so the same bits).</summary>
    private static void SoftmaxEightRows(ReadOnlySpan<double> z, Span<double> a, Span<double> lse, int r, int cols, Span<Vector512<double>> e)
    {
        var o = r * cols;
        _ = z[o + 8 * cols - 1]; // one bounds check for the whole group
        _ = a[o + 8 * cols - 1];
        _ = lse[r + 7];
        ref var z0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), o);
        ref var z4 = ref Unsafe.Add(ref z0, 4 * cols);
        ref var a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), o);
        ref var a4 = ref Unsafe.Add(ref a0, 4 * cols);
        var max = Vector512.Create(double.NegativeInfinity);
        for (var j = 0; j < cols; j++)
        {
            var v = Vector512.Create(Gather(ref z0, j, cols), Gather(ref z4, j, cols));
            e[j] = v;
            max = Vector512.ConditionalSelect(Vector512.GreaterThan(v, max), v, max);
        }
        var sum = Vector512<double>.Zero;
        for (var j = 0; j < cols; j++)
        {
            var ej = Exponential.Of8(e[j] - max);
            e[j] = ej;
            sum += ej;
        }
        for (var j = 0; j < cols; j++)
        {
            var q = e[j] / sum;
            Scatter(ref a0, j, cols, q.GetLower());
            Scatter(ref a4, j, cols, q.GetUpper());
        }
        var l = max + Logarithm.Of8(sum);
        Vector512.ConditionalSelect(Vector512.Equals(max, Vector512.Create(double.NegativeInfinity)), max, l).CopyTo(lse.Slice(r, 8));
    }

    /// <summary>The widest rows the four-rows-per-lane-group kernels take (their per-column vectors live on the stack).</summary>
    private const int LaneRowsMaxCols = 32;

    /// <summary>Column j of four consecutive rows of width <paramref name="cols"/> starting at <paramref name="row0"/>, one row per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Gather(ref double row0, int j, int cols) => Vector256.Create(
        Unsafe.Add(ref row0, j), Unsafe.Add(ref row0, cols + j), Unsafe.Add(ref row0, 2 * cols + j), Unsafe.Add(ref row0, 3 * cols + j));

    /// <summary>Writes lane l of <paramref name="v"/> to column j of row l (of four rows starting at <paramref name="row0"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scatter(ref double row0, int j, int cols, Vector256<double> v)
    {
        Unsafe.Add(ref row0, j) = v.GetElement(0);
        Unsafe.Add(ref row0, cols + j) = v.GetElement(1);
        Unsafe.Add(ref row0, 2 * cols + j) = v.GetElement(2);
        Unsafe.Add(ref row0, 3 * cols + j) = v.GetElement(3);
    }

    /// <summary>
    /// Categorical cross-entropy from softmax outputs a, their rows' log-sum-exp lse, the logits z and targets y (all
    /// rows × cols): returns <c>Σ_r (Σⱼ y·lse_r − Σⱼ yⱼzⱼ) / rows</c> and writes <c>g = (a·Σⱼ yⱼ − y) / rows</c>. The bits
    /// of <c>Losses.Value</c> and <c>Losses.OutputGradient</c> for CCE (the same sums in the same order), in one pass.
    /// </summary>
    internal static double CrossEntropyWithGradient(ReadOnlySpan<double> a, ReadOnlySpan<double> lse, ReadOnlySpan<double> z,
        ReadOnlySpan<double> y, Span<double> g, int rows, int cols)
    {
        var loss = 0.0;
        var m = Math.Max(rows, 1);
        var r = 0;
        if (Vector512.IsHardwareAccelerated && cols > 0 && cols <= LaneRowsMaxCols && rows >= 8)
        {
            // rowOf[q], lane l: the row (within a group of eight) of the group's flat element 8q + l.
            Span<Vector512<long>> rowOf = stackalloc Vector512<long>[cols];
            Span<long> lanes = stackalloc long[8];
            long row = 0, col = 0; // of flat element 8q + l, counted up rather than divided out
            for (var q = 0; q < cols; q++)
            {
                for (var l = 0; l < 8; l++)
                {
                    lanes[l] = row;
                    if (++col == cols) (row, col) = (row + 1, 0);
                }
                rowOf[q] = Vector512.Create((ReadOnlySpan<long>)lanes);
            }
            for (; r + 8 <= rows; r += 8) loss = CrossEntropyEightRows(a, lse, z, y, g, r, cols, m, loss, rowOf);
        }
        if (Vector256.IsHardwareAccelerated && cols > 0 && cols <= LaneRowsMaxCols)
            for (; r + 4 <= rows; r += 4) loss = CrossEntropyFourRows(a, lse, z, y, g, r, cols, m, loss);
        for (; r < rows; r++)
        {
            var o = r * cols;
            var yr = y.Slice(o, cols);
            var zr = z.Slice(o, cols);
            var ar = a.Slice(o, cols);
            var gr = g.Slice(o, cols);
            var sy = 0.0;
            var dot = 0.0;
            for (var j = 0; j < yr.Length; j++)
            {
                sy += yr[j];
                dot += yr[j] * zr[j];
            }
            loss += sy * lse[r] - dot;
            for (var j = 0; j < gr.Length; j++) gr[j] = (ar[j] * sy - yr[j]) / m;
        }
        return rows == 0 ? 0.0 : loss / rows;
    }

    /// <summary>
    /// Rows r … r+3 of <see cref="CrossEntropyWithGradient"/>, one row per lane (the same sums in ascending j and the same
    /// division per value); the rows' loss terms are added to <paramref name="loss"/> in row order. Returns the new total.
    /// </summary>
    private static double CrossEntropyFourRows(ReadOnlySpan<double> a, ReadOnlySpan<double> lse, ReadOnlySpan<double> z,
        ReadOnlySpan<double> y, Span<double> g, int r, int cols, int m, double loss)
    {
        var o = r * cols;
        var last = o + 4 * cols - 1;
        _ = a[last]; _ = z[last]; _ = y[last]; _ = g[last]; _ = lse[r + 3]; // one bounds check per span for the group
        ref var a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), o);
        ref var z0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), o);
        ref var y0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), o);
        ref var g0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(g), o);
        var sy = Vector256<double>.Zero;
        var dot = Vector256<double>.Zero;
        for (var j = 0; j < cols; j++)
        {
            var yj = Gather(ref y0, j, cols);
            sy += yj;
            dot += yj * Gather(ref z0, j, cols);
        }
        var terms = sy * Vector256.Create(lse.Slice(r, 4)) - dot;
        loss += terms.GetElement(0);
        loss += terms.GetElement(1);
        loss += terms.GetElement(2);
        loss += terms.GetElement(3);
        var vm = Vector256.Create((double)m);
        for (var j = 0; j < cols; j++) Scatter(ref g0, j, cols, (Gather(ref a0, j, cols) * sy - Gather(ref y0, j, cols)) / vm);
        return loss;
    }

    /// <summary>
    /// Rows r … r+7 of <see cref="CrossEntropyWithGradient"/>: the row sums Σⱼ yⱼ and Σⱼ yⱼzⱼ one row per 512-bit lane (as
    /// <see cref="CrossEntropyFourRows"/>), then the gradient straight along the group's contiguous values, each lane's
    /// row sum brought to it by a permutation (<paramref name="rowOf"/>): the same operations per value, no gathers or
    /// scatters. The rows' loss terms are added to <paramref name="loss"/> in row order. Returns the new total.
    /// </summary>
    private static double CrossEntropyEightRows(ReadOnlySpan<double> a, ReadOnlySpan<double> lse, ReadOnlySpan<double> z,
        ReadOnlySpan<double> y, Span<double> g, int r, int cols, int m, double loss, ReadOnlySpan<Vector512<long>> rowOf)
    {
        var o = r * cols;
        var last = o + 8 * cols - 1;
        _ = a[last]; _ = z[last]; _ = y[last]; _ = g[last]; _ = lse[r + 7]; // one bounds check per span for the group
        ref var a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), o);
        ref var z0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), o);
        ref var y0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), o);
        ref var g0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(g), o);
        ref var y4 = ref Unsafe.Add(ref y0, 4 * cols);
        ref var z4 = ref Unsafe.Add(ref z0, 4 * cols);
        var sy = Vector512<double>.Zero;
        var dot = Vector512<double>.Zero;
        for (var j = 0; j < cols; j++)
        {
            var yj = Vector512.Create(Gather(ref y0, j, cols), Gather(ref y4, j, cols));
            sy += yj;
            dot += yj * Vector512.Create(Gather(ref z0, j, cols), Gather(ref z4, j, cols));
        }
        var terms = sy * Vector512.Create(lse.Slice(r, 8)) - dot;
        for (var l = 0; l < 8; l++) loss += terms.GetElement(l);
        var vm = Vector512.Create((double)m);
        for (var q = 0; q < cols; q++)
        {
            var at = (nuint)(8 * q);
            var syq = Vector512.ShuffleNative(sy, rowOf[q]); // indices 0–7, so no range fix-up: one VPERMPD
            ((Vector512.LoadUnsafe(ref a0, at) * syq - Vector512.LoadUnsafe(ref y0, at)) / vm).StoreUnsafe(ref g0, at);
        }
        return loss;
    }

    /// <summary><c>log Σⱼ e^(zⱼ)</c> of every row of z (rows × cols) into lse: the log-sum-exp of <see cref="SoftmaxRows"/>.</summary>
    internal static void LogSumExpRows(ReadOnlySpan<double> z, Span<double> lse, int rows, int cols)
    {
        if (cols == 0)
        {
            lse[..rows].Fill(double.NegativeInfinity);
            return;
        }
        SoftmaxRows(z, new double[rows * cols], lse, rows, cols);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// One whole training step of a narrow network with one hidden layer (k ≤ 4 inputs → h units →
/// c ≤ 4 softmax outputs, categorical cross-entropy) in one call, with the batch on the SIMD lanes wherever a layer is
/// narrow. Such a step is a few thousand multiply-adds: through the general products each narrow operand (2 inputs,
/// 3 classes) fills a fraction of the lanes, and the softmax and loss must gather every row's few values into lanes and
/// scatter them back. Here the narrow side is laid out transposed instead (batch on lanes): the output logits, softmax,
/// loss and its gradient are straight vertical operations, one row per lane, and every weight gradient runs with the
/// hidden units on the lanes. It either applies plain SGD as the gradients leave the registers (<see cref="SgdStep"/>)
/// or writes the gradients for any other optimizer (<see cref="Gradient"/>), so it serves the whole class (piecewise-
/// linear hidden activations, see <see cref="Hidden"/>) with every optimizer, L2 and clipping.
/// </summary>
/// <remarks>
/// The same bits as the general step (<see cref="Training.Step"/>): every product element is the same fused
/// multiply-add chain in the same order (from +0, ascending over the shared index; bias added after the chain), the
/// hidden activation and its derivative are the per-lane functions of <see cref="Elementwise.Activate"/> and
/// <see cref="Elementwise.ActivateBackward"/>, the softmax and cross-entropy do per lane exactly the per-row operations of
/// <see cref="Elementwise.SoftmaxRows"/> and <see cref="Elementwise.CrossEntropyWithGradient"/> (the loss terms added in
/// row order), the biases' gradients are column sums in ascending row order, and the SGD update is
/// <see cref="OptimizerKernels.Sgd"/>'s <c>θ − lr·g</c>. The hidden activations are computed twice (once per layout):
/// the same chain and function each time, so the same values. AVX-512 only (<see cref="Takes"/>); single-threaded,
/// since the step is far below <see cref="KernelPolicy.ParallelThreshold"/>.
/// </remarks>
internal static class SmallMlp
{
    /// <summary>The widest input this step takes (the hidden units' chains over the inputs stay in registers).</summary>
    internal const int MaxInputs = 4;

    /// <summary>The widest hidden layer (a multiple of 8, so its units fill whole vectors).</summary>
    internal const int MaxHidden = 256;

    /// <summary>The most classes (the output layer's chains and gradients stay in registers).</summary>
    internal const int MaxClasses = 4;

    /// <summary>The largest batch: beyond it the general blocked products win.</summary>
    internal const int MaxBatch = 512;

    /// <summary>
    /// Whether training steps under <paramref name="policy"/> take this kernel for a batch of m rows through a k → h → c
    /// network with the <paramref name="hidden"/> activation (not when the policy turns it off or narrows the vector
    /// path: tests compare it with the general step).
    /// </summary>
    internal static bool Takes(KernelPolicy policy, int m, int k, int h, int c, Activation hidden) =>
        policy.SmallMlp && Gemm.Wide(policy) && Fits(m, k, h, c) && Hidden(hidden);

    /// <summary>
    /// Whether the kernel takes this hidden activation: the piecewise-linear ones (ReLU, leaky ReLU, linear), which it
    /// recomputes in its backward pass for almost nothing. For tanh and sigmoid that recomputation costs more than the
    /// layout saves (A/B in docs/benchmarks.md: 0.6–0.78× of the general step), so those take the general step.
    /// </summary>
    internal static bool Hidden(Activation hidden) => hidden is Activation.Relu or Activation.LeakyRelu or Activation.Linear;

    /// <summary>Whether the kernel can run a batch of m rows through a k → h → c network on this machine.</summary>
    internal static bool Fits(int m, int k, int h, int c) =>
        Vector512.IsHardwareAccelerated
        && m is >= 1 and <= MaxBatch && k is >= 1 and <= MaxInputs && h is >= 8 and <= MaxHidden && h % 8 == 0
        && c is >= 1 and <= MaxClasses;

    /// <summary>
    /// One SGD step on the batch of the given rows of X (n × k) and their one-hot or soft targets in Y (n × c): forward,
    /// softmax cross-entropy, back-propagation and <c>θ ← θ − lr·∂J/∂θ</c> written over w1 (k × h), b1, w2 (h × c) and b2.
    /// The rows are read straight into the kernel's transposed layout (no row-major copy of the batch is made). Returns
    /// the data loss (the mean over the batch's rows).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index outside [0, n).</exception>
    internal static double SgdStep(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int k, int h, int c, Activation hidden,
        double[] w1, double[] b1, double[] w2, double[] b2, double lr, Workspace ws) =>
        Run(x, y, rows, k, h, c, hidden, w1, b1, w2, b2, new Sink(lr, null, null, null, null), ws);

    /// <summary>
    /// The data loss's gradient on the batch of the given rows, written into gw1 (k × h), gb1, gw2 (h × c) and gb2, with
    /// the parameters unchanged; returns the data loss (the mean over the batch's rows).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index outside [0, n).</exception>
    internal static double Gradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int k, int h, int c, Activation hidden,
        double[] w1, double[] b1, double[] w2, double[] b2, double[] gw1, double[] gb1, double[] gw2, double[] gb2, Workspace ws)
    {
        if (gw1.Length != k * h || gb1.Length != h || gw2.Length != h * c || gb2.Length != c)
            throw new ArgumentException("The gradients' lengths do not match the shapes.");
        return Run(x, y, rows, k, h, c, hidden, w1, b1, w2, b2, new Sink(0, gw1, gb1, gw2, gb2), ws);
    }

    /// <summary>Where the gradients go: with <see cref="W1"/> null, straight into the parameters as <c>θ − Rate·g</c>.</summary>
    private readonly record struct Sink(double Rate, double[]? W1, double[]? B1, double[]? W2, double[]? B2)
    {
        public bool Sgd => W1 is null;
    }

    private static double Run(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int k, int h, int c, Activation hidden,
        double[] w1, double[] b1, double[] w2, double[] b2, Sink sink, Workspace ws)
    {
        var m = rows.Length;
        if (!Fits(m, k, h, c) || !Hidden(hidden)) throw new ArgumentException($"The small-network step does not take a {k}→{h}→{c} network with {hidden} units on {m} rows.");
        var n = x.Length / k;
        if (x.Length != n * k || y.Length != n * c || w1.Length != k * h || b1.Length != h || w2.Length != h * c || b2.Length != c)
            throw new ArgumentException("The operands' lengths do not match the shapes.");
        foreach (var r in rows)
            if ((uint)r >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index must be in [0, {n}).");
        var slope = hidden is Activation.LeakyRelu l ? l.Slope : 0.0;
        return hidden switch
        {
            Activation.Relu => Shape<ReluUnits>(x, y, rows, k, h, c, slope, w1, b1, w2, b2, sink, ws),
            Activation.LeakyRelu => Shape<LeakyUnits>(x, y, rows, k, h, c, slope, w1, b1, w2, b2, sink, ws),
            _ => Shape<LinearUnits>(x, y, rows, k, h, c, slope, w1, b1, w2, b2, sink, ws),
        };
    }

    private static double Shape<TA>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int k, int h, int c, double slope,
        double[] w1, double[] b1, double[] w2, double[] b2, Sink sink, Workspace ws) where TA : struct, IUnits =>
        (k, c) switch
        {
            (1, 1) => Step<One, One, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (1, 2) => Step<One, Two, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (1, 3) => Step<One, Three, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (1, _) => Step<One, Four, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (2, 1) => Step<Two, One, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (2, 2) => Step<Two, Two, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (2, 3) => Step<Two, Three, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (2, _) => Step<Two, Four, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (3, 1) => Step<Three, One, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (3, 2) => Step<Three, Two, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (3, 3) => Step<Three, Three, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (3, _) => Step<Three, Four, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (_, 1) => Step<Four, One, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (_, 2) => Step<Four, Two, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            (_, 3) => Step<Four, Three, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
            _ => Step<Four, Four, TA>(x, y, rows, h, slope, w1, b1, w2, b2, sink, ws),
        };

    /// <summary>
    /// A hidden activation on eight lanes, as a type argument (each compiles into the step's loops): its value and its
    /// backward rule <c>dz = f′(z)·t</c> from z, a = f(z) and the incoming t, with the operations of
    /// <see cref="Elementwise.Activate"/> and <see cref="Elementwise.ActivateBackward"/>.
    /// </summary>
    private interface IUnits
    {
        static abstract Vector512<double> Value(Vector512<double> z, Vector512<double> slope);
        static abstract Vector512<double> Backward(Vector512<double> z, Vector512<double> a, Vector512<double> t, Vector512<double> slope);
    }

    private struct ReluUnits : IUnits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Value(Vector512<double> z, Vector512<double> slope) => Elementwise.Relu8(z);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Backward(Vector512<double> z, Vector512<double> a, Vector512<double> t, Vector512<double> slope) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<double>.Zero), t, Vector512<double>.Zero);
    }

    private struct LeakyUnits : IUnits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Value(Vector512<double> z, Vector512<double> slope) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<double>.Zero), z, slope * z);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Backward(Vector512<double> z, Vector512<double> a, Vector512<double> t, Vector512<double> slope) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<double>.Zero), t, slope * t);
    }

    private struct LinearUnits : IUnits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Value(Vector512<double> z, Vector512<double> slope) => z;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Backward(Vector512<double> z, Vector512<double> a, Vector512<double> t, Vector512<double> slope) => t;
    }

    /// <summary>A count known to the JIT: each (inputs, classes) pair compiles with its loops over them unrolled.</summary>
    private interface ICount { static abstract int N { get; } }
    private struct One : ICount { public static int N => 1; }
    private struct Two : ICount { public static int N => 2; }
    private struct Three : ICount { public static int N => 3; }
    private struct Four : ICount { public static int N => 4; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Step<TK, TC, TA>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int h, double slope,
        double[] w1, double[] b1, double[] w2, double[] b2, Sink sink, Workspace ws)
        where TK : struct, ICount where TC : struct, ICount where TA : struct, IUnits
    {
        int k = TK.N, c = TC.N, m = rows.Length;
        var m8 = (m + 7) & ~7; // rows padded to whole vectors in the transposed (batch-on-lanes) arrays
        // One scratch array for the step, cut into: Xᵀ (k × m8), Yᵀ (c × m8), the logits Z2ᵀ and then ∂J/∂Z2ᵀ (c × m8), W2ᵀ (c × h: δ1 reads
        // the old weights; with SGD the new ones go there before they are written back, else ∂J/∂W2ᵀ goes to a second c × h),
        // and each row's max logit and loss term.
        var scratch = ws.Rent((k + 2 * c + 2) * m8 + (sink.Sgd ? 1 : 2) * c * h);
        var at = 0;
        Span<double> Cut(int length) { var span = scratch.AsSpan(at, length); at += length; return span; }
        var xt = Cut(k * m8);
        var yt = Cut(c * m8);
        var zt = Cut(c * m8);
        var w2t = Cut(c * h);
        var g2t = sink.Sgd ? w2t : Cut(c * h);
        var soft = Cut(2 * m8);
        Gather<TK, TC>(x, y, rows, m8, xt, yt);
        Columns<TC>(w2, w2t, h, toColumns: true);

        var vslope = Vector512.Create(slope);
        Forward<TK, TC, TA>(xt, w1, b1, w2, b2, zt, soft[..m8], h, m8, vslope);
        var loss = SoftmaxCrossEntropy<TC>(zt, yt, soft[..m8], soft.Slice(m8, m8), m, m8);
        OutputBias<TC>(zt, m, m8, sink.Sgd ? b2 : sink.B2!, sink.Sgd, sink.Rate);
        var (g1, gb1) = sink.Sgd ? (w1, b1) : (sink.W1!, sink.B1!);
        for (var u = 0; u < h; u += 8) Backward<TK, TC, TA>(xt, zt, w1, b1, w2t, g1, gb1, g2t, sink.Sgd, sink.Rate, m, h, m8, u, vslope);
        Columns<TC>(sink.Sgd ? w2 : sink.W2!, g2t, h, toColumns: false);
        return loss / m;
    }

    /// <summary>
    /// The batch's rows of X (n × k) and Y (n × c) written transposed: <c>xt[q, i] = X[rows[i], q]</c>,
    /// <c>yt[j, i] = Y[rows[i], j]</c>, and the lanes past the last row zero. The indices were checked by the caller.
    /// </summary>
    private static void Gather<TK, TC>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int m8,
        Span<double> xt, Span<double> yt) where TK : struct, ICount where TC : struct, ICount
    {
        int k = TK.N, c = TC.N, m = rows.Length;
        _ = xt[k * m8 - 1]; _ = yt[c * m8 - 1];
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var xd = ref MemoryMarshal.GetReference(xt);
        ref var yd = ref MemoryMarshal.GetReference(yt);
        var um8 = (nuint)m8;
        for (var i = 0; i < m; i++)
        {
            var r = (nuint)(uint)rows[i];
            ref var xr = ref Unsafe.Add(ref xs, r * (nuint)k);
            ref var yr = ref Unsafe.Add(ref ys, r * (nuint)c);
            var ui = (nuint)i;
            Unsafe.Add(ref xd, ui) = xr;
            if (TK.N > 1) Unsafe.Add(ref xd, um8 + ui) = Unsafe.Add(ref xr, 1);
            if (TK.N > 2) Unsafe.Add(ref xd, 2 * um8 + ui) = Unsafe.Add(ref xr, 2);
            if (TK.N > 3) Unsafe.Add(ref xd, 3 * um8 + ui) = Unsafe.Add(ref xr, 3);
            Unsafe.Add(ref yd, ui) = yr;
            if (TC.N > 1) Unsafe.Add(ref yd, um8 + ui) = Unsafe.Add(ref yr, 1);
            if (TC.N > 2) Unsafe.Add(ref yd, 2 * um8 + ui) = Unsafe.Add(ref yr, 2);
            if (TC.N > 3) Unsafe.Add(ref yd, 3 * um8 + ui) = Unsafe.Add(ref yr, 3);
        }
        if (m == m8) return; // no padding lanes (each Clear is a call even when empty)
        for (var q = 0; q < k; q++) xt.Slice(q * m8 + m, m8 - m).Clear();
        for (var j = 0; j < c; j++) yt.Slice(j * m8 + m, m8 - m).Clear();
    }

    /// <summary>
    /// The output bias's gradient, δ2's column sum in ascending row order (the c sums run side by side, so their add
    /// chains overlap): with <paramref name="sgd"/> <c>b[j] ← b[j] − lr·Σᵢ δ2ᵀ[j, i]</c>, else the sums written to b.
    /// </summary>
    private static void OutputBias<TC>(ReadOnlySpan<double> dt, int m, int m8, double[] b2, bool sgd, double lr) where TC : struct, ICount
    {
        _ = dt[(TC.N - 1) * m8 + m - 1]; _ = b2[TC.N - 1];
        ref var d = ref MemoryMarshal.GetReference(dt);
        var um8 = (nuint)m8;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (nuint i = 0; i < (nuint)m; i++)
        {
            s0 += Unsafe.Add(ref d, i);
            if (TC.N > 1) s1 += Unsafe.Add(ref d, um8 + i);
            if (TC.N > 2) s2 += Unsafe.Add(ref d, 2 * um8 + i);
            if (TC.N > 3) s3 += Unsafe.Add(ref d, 3 * um8 + i);
        }
        if (!sgd)
        {
            b2[0] = s0;
            if (TC.N > 1) b2[1] = s1;
            if (TC.N > 2) b2[2] = s2;
            if (TC.N > 3) b2[3] = s3;
            return;
        }
        b2[0] -= lr * s0;
        if (TC.N > 1) b2[1] -= lr * s1;
        if (TC.N > 2) b2[2] -= lr * s2;
        if (TC.N > 3) b2[3] -= lr * s3;
    }

    /// <summary>
    /// The forward pass with the rows on the lanes, eight rows at a time: each hidden unit's <c>f(chain over q of
    /// fma(Xᵀ[q, lanes], W1[q, p]) + b1[p])</c> goes straight from its register into the logits' chains
    /// <c>Zᵀ[j, lanes] = chain over p of fma(Hᵀ[p, lanes], W2[p, j]) + b2[j]</c>, so H is never stored. Writes Zᵀ (c × m8)
    /// and each row's max over its logits (by <c>z &gt; max</c> from −∞ in ascending j, as <see cref="Elementwise.SoftmaxRows"/>).
    /// </summary>
    private static void Forward<TK, TC, TA>(ReadOnlySpan<double> xt, ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2,
        ReadOnlySpan<double> b2, Span<double> zt, Span<double> max, int h, int m8, Vector512<double> slope)
        where TK : struct, ICount where TC : struct, ICount where TA : struct, IUnits
    {
        int k = TK.N, c = TC.N;
        _ = xt[k * m8 - 1]; _ = w1[k * h - 1]; _ = b1[h - 1]; _ = w2[h * c - 1]; _ = b2[c - 1]; _ = zt[c * m8 - 1]; _ = max[m8 - 1];
        ref var xr = ref MemoryMarshal.GetReference(xt);
        ref var zr = ref MemoryMarshal.GetReference(zt);
        var um8 = (nuint)m8;
        for (nuint g = 0; g < um8; g += 8)
        {
            var x0 = Vector512.LoadUnsafe(ref xr, g);
            var x1 = TK.N > 1 ? Vector512.LoadUnsafe(ref xr, um8 + g) : default;
            var x2 = TK.N > 2 ? Vector512.LoadUnsafe(ref xr, 2 * um8 + g) : default;
            var x3 = TK.N > 3 ? Vector512.LoadUnsafe(ref xr, 3 * um8 + g) : default;
            Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
            ref var w1p = ref MemoryMarshal.GetReference(w1);
            ref var b1p = ref MemoryMarshal.GetReference(b1);
            ref var w2p = ref MemoryMarshal.GetReference(w2);
            for (var p = 0; p < h; p++)
            {
                var a = Vector512.FusedMultiplyAdd(x0, Vector512.Create(w1p), Vector512<double>.Zero);
                if (TK.N > 1) a = Vector512.FusedMultiplyAdd(x1, Vector512.Create(Unsafe.Add(ref w1p, h)), a);
                if (TK.N > 2) a = Vector512.FusedMultiplyAdd(x2, Vector512.Create(Unsafe.Add(ref w1p, 2 * h)), a);
                if (TK.N > 3) a = Vector512.FusedMultiplyAdd(x3, Vector512.Create(Unsafe.Add(ref w1p, 3 * h)), a);
                a = TA.Value(a + Vector512.Create(b1p), slope);
                s0 = Vector512.FusedMultiplyAdd(a, Vector512.Create(w2p), s0);
                if (TC.N > 1) s1 = Vector512.FusedMultiplyAdd(a, Vector512.Create(Unsafe.Add(ref w2p, 1)), s1);
                if (TC.N > 2) s2 = Vector512.FusedMultiplyAdd(a, Vector512.Create(Unsafe.Add(ref w2p, 2)), s2);
                if (TC.N > 3) s3 = Vector512.FusedMultiplyAdd(a, Vector512.Create(Unsafe.Add(ref w2p, 3)), s3);
                w1p = ref Unsafe.Add(ref w1p, 1);
                b1p = ref Unsafe.Add(ref b1p, 1);
                w2p = ref Unsafe.Add(ref w2p, c);
            }
            var mx = Vector512.Create(double.NegativeInfinity);
            s0 += Vector512.Create(b2[0]);
            s0.StoreUnsafe(ref zr, g);
            mx = Vector512.ConditionalSelect(Vector512.GreaterThan(s0, mx), s0, mx);
            if (TC.N > 1)
            {
                s1 += Vector512.Create(b2[1]);
                s1.StoreUnsafe(ref zr, um8 + g);
                mx = Vector512.ConditionalSelect(Vector512.GreaterThan(s1, mx), s1, mx);
            }
            if (TC.N > 2)
            {
                s2 += Vector512.Create(b2[2]);
                s2.StoreUnsafe(ref zr, 2 * um8 + g);
                mx = Vector512.ConditionalSelect(Vector512.GreaterThan(s2, mx), s2, mx);
            }
            if (TC.N > 3)
            {
                s3 += Vector512.Create(b2[3]);
                s3.StoreUnsafe(ref zr, 3 * um8 + g);
                mx = Vector512.ConditionalSelect(Vector512.GreaterThan(s3, mx), s3, mx);
            }
            mx.StoreUnsafe(ref MemoryMarshal.GetReference(max), g);
        }
    }

    /// <summary>
    /// Back-propagation for hidden units u … u+7, row by row with the units on the lanes: H's row again (the same chain as
    /// <see cref="Forward"/>), δ1 = f′(Z1)·(δ2·W2ᵀ), and the gradients ∂J/∂W1 = Xᵀ·δ1, ∂J/∂b1 = Σ δ1 and ∂J/∂W2ᵀ = δ2ᵀ·H
    /// accumulated in registers over ascending rows; then, with <paramref name="sgd"/>, <c>θ − lr·g</c> over these units'
    /// weights and biases (g1, gb1 and g2t are then w1, b1 and w2t: the new W2ᵀ over the old, which no other block reads),
    /// else the gradients written to g1, gb1 and g2t. Neither H nor δ1 is stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward<TK, TC, TA>(ReadOnlySpan<double> xt, ReadOnlySpan<double> dt, ReadOnlySpan<double> w1, ReadOnlySpan<double> b1,
        ReadOnlySpan<double> w2t, Span<double> g1, Span<double> gb1, Span<double> g2t, bool sgd, double lr, int m, int h, int m8, int u,
        Vector512<double> slope) where TK : struct, ICount where TC : struct, ICount where TA : struct, IUnits
    {
        int k = TK.N, c = TC.N;
        _ = xt[(k - 1) * m8 + m - 1];
        _ = dt[(c - 1) * m8 + m - 1];
        ref var xr = ref MemoryMarshal.GetReference(xt);
        ref var d0 = ref MemoryMarshal.GetReference(dt);
        var m8n = (nint)m8;
        var bias = Vector512.Create(b1.Slice(u, 8));
        var wa0 = Vector512.Create(w1.Slice(u, 8));
        var wa1 = TK.N > 1 ? Vector512.Create(w1.Slice(h + u, 8)) : default;
        var wa2 = TK.N > 2 ? Vector512.Create(w1.Slice(2 * h + u, 8)) : default;
        var wa3 = TK.N > 3 ? Vector512.Create(w1.Slice(3 * h + u, 8)) : default;
        var wb0 = Vector512.Create(w2t.Slice(u, 8));
        var wb1 = TC.N > 1 ? Vector512.Create(w2t.Slice(h + u, 8)) : default;
        var wb2 = TC.N > 2 ? Vector512.Create(w2t.Slice(2 * h + u, 8)) : default;
        var wb3 = TC.N > 3 ? Vector512.Create(w2t.Slice(3 * h + u, 8)) : default;
        Vector512<double> g10 = default, g11 = default, g12 = default, g13 = default; // ∂J/∂W1 rows q
        Vector512<double> g20 = default, g21 = default, g22 = default, g23 = default; // ∂J/∂W2ᵀ rows j
        var gb = Vector512<double>.Zero;
        for (var i = 0; i < m; i++)
        {
            var x0 = Vector512.Create(xr);
            var x1 = TK.N > 1 ? Vector512.Create(Unsafe.Add(ref xr, m8n)) : default;
            var x2 = TK.N > 2 ? Vector512.Create(Unsafe.Add(ref xr, 2 * m8n)) : default;
            var x3 = TK.N > 3 ? Vector512.Create(Unsafe.Add(ref xr, 3 * m8n)) : default;
            var e0 = Vector512.Create(d0);
            var e1 = TC.N > 1 ? Vector512.Create(Unsafe.Add(ref d0, m8n)) : default;
            var e2 = TC.N > 2 ? Vector512.Create(Unsafe.Add(ref d0, 2 * m8n)) : default;
            var e3 = TC.N > 3 ? Vector512.Create(Unsafe.Add(ref d0, 3 * m8n)) : default;
            var s = Vector512.FusedMultiplyAdd(x0, wa0, Vector512<double>.Zero);
            if (TK.N > 1) s = Vector512.FusedMultiplyAdd(x1, wa1, s);
            if (TK.N > 2) s = Vector512.FusedMultiplyAdd(x2, wa2, s);
            if (TK.N > 3) s = Vector512.FusedMultiplyAdd(x3, wa3, s);
            var z = s + bias;
            var a = TA.Value(z, slope);
            var t = Vector512.FusedMultiplyAdd(e0, wb0, Vector512<double>.Zero);
            if (TC.N > 1) t = Vector512.FusedMultiplyAdd(e1, wb1, t);
            if (TC.N > 2) t = Vector512.FusedMultiplyAdd(e2, wb2, t);
            if (TC.N > 3) t = Vector512.FusedMultiplyAdd(e3, wb3, t);
            var d = TA.Backward(z, a, t, slope);
            gb += d;
            g10 = Vector512.FusedMultiplyAdd(x0, d, g10);
            if (TK.N > 1) g11 = Vector512.FusedMultiplyAdd(x1, d, g11);
            if (TK.N > 2) g12 = Vector512.FusedMultiplyAdd(x2, d, g12);
            if (TK.N > 3) g13 = Vector512.FusedMultiplyAdd(x3, d, g13);
            g20 = Vector512.FusedMultiplyAdd(a, e0, g20);
            if (TC.N > 1) g21 = Vector512.FusedMultiplyAdd(a, e1, g21);
            if (TC.N > 2) g22 = Vector512.FusedMultiplyAdd(a, e2, g22);
            if (TC.N > 3) g23 = Vector512.FusedMultiplyAdd(a, e3, g23);
            xr = ref Unsafe.Add(ref xr, 1);
            d0 = ref Unsafe.Add(ref d0, 1);
        }
        if (!sgd)
        {
            gb.CopyTo(gb1.Slice(u, 8));
            g10.CopyTo(g1.Slice(u, 8));
            if (TK.N > 1) g11.CopyTo(g1.Slice(h + u, 8));
            if (TK.N > 2) g12.CopyTo(g1.Slice(2 * h + u, 8));
            if (TK.N > 3) g13.CopyTo(g1.Slice(3 * h + u, 8));
            g20.CopyTo(g2t.Slice(u, 8));
            if (TC.N > 1) g21.CopyTo(g2t.Slice(h + u, 8));
            if (TC.N > 2) g22.CopyTo(g2t.Slice(2 * h + u, 8));
            if (TC.N > 3) g23.CopyTo(g2t.Slice(3 * h + u, 8));
            return;
        }
        // θ − lr·g, multiply then subtract (no FMA), as OptimizerKernels.Sgd.
        var vlr = Vector512.Create(lr);
        (bias - vlr * gb).CopyTo(gb1.Slice(u, 8));
        (wa0 - vlr * g10).CopyTo(g1.Slice(u, 8));
        if (TK.N > 1) (wa1 - vlr * g11).CopyTo(g1.Slice(h + u, 8));
        if (TK.N > 2) (wa2 - vlr * g12).CopyTo(g1.Slice(2 * h + u, 8));
        if (TK.N > 3) (wa3 - vlr * g13).CopyTo(g1.Slice(3 * h + u, 8));
        (wb0 - vlr * g20).CopyTo(g2t.Slice(u, 8));
        if (TC.N > 1) (wb1 - vlr * g21).CopyTo(g2t.Slice(h + u, 8));
        if (TC.N > 2) (wb2 - vlr * g22).CopyTo(g2t.Slice(2 * h + u, 8));
        if (TC.N > 3) (wb3 - vlr * g23).CopyTo(g2t.Slice(3 * h + u, 8));
    }

    /// <summary>
    /// Per row lane of the output layer (<paramref name="zt"/> holds the logits, c × m8, and <paramref name="max"/> each
    /// row's max): the softmax and log-sum-exp of <see cref="Elementwise.SoftmaxRows"/>, and the cross-entropy terms and
    /// gradient of <see cref="Elementwise.CrossEntropyWithGradient"/>, written over zt. Returns the sum of the rows' loss
    /// terms, added in row order (after the groups, from <paramref name="terms"/>, so that chain overlaps other work).
    /// </summary>
    private static double SoftmaxCrossEntropy<TC>(Span<double> zt, ReadOnlySpan<double> yt, ReadOnlySpan<double> max, Span<double> terms, int m, int m8)
        where TC : struct, ICount
    {
        _ = zt[TC.N * m8 - 1]; _ = yt[TC.N * m8 - 1]; _ = max[m8 - 1]; _ = terms[m8 - 1];
        var output = new Output(ref MemoryMarshal.GetReference(zt), ref MemoryMarshal.GetReference(yt), ref MemoryMarshal.GetReference(max),
            ref MemoryMarshal.GetReference(terms), (nuint)m8, m);
        for (nuint g = 0; g < (nuint)m8; g += 8)
            if (!Group<TC>(output, g, fast: true)) SlowGroup<TC>(output, g);
        var loss = 0.0;
        for (var i = 0; i < m; i++) loss += terms[i];
        return loss;
    }

    /// <summary>Where <see cref="Group"/> reads and writes: Zᵀ (then ∂J/∂Zᵀ), Yᵀ, the rows' max, the loss terms, m8, and how to divide by m.</summary>
    private readonly ref struct Output(ref double z, ref double y, ref double max, ref double terms, nuint m8, int m)
    {
        public readonly ref double Z = ref z;
        public readonly ref double Y = ref y;
        public readonly ref double Max = ref max;
        public readonly ref double Terms = ref terms;
        public readonly nuint M8 = m8;
        // ∂J/∂z's division by m, set up once per step. Dividing by a power of two m is multiplying by 1/m, which is exact:
        // the same correctly rounded value.
        public readonly bool Exact = (m & (m - 1)) == 0;
        public readonly Vector512<double> Count = Vector512.Create((double)m);
        public readonly Vector512<double> Inverse = Vector512.Create(1.0 / m);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SlowGroup<TC>(Output o, nuint g) where TC : struct, ICount => Group<TC>(o, g, fast: false);

    /// <summary>
    /// Rows g … g+7 of <see cref="SoftmaxCrossEntropy"/>, every value in registers. With <paramref name="fast"/> the
    /// exponentials and the logarithm run without their range checks' slow paths (so with no call that would spill the
    /// registers) and the group returns false, having written nothing, when an argument is outside their fast range
    /// (NaN or infinite logits, or a difference below −708); the caller then runs it checked.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Group<TC>(in Output o, nuint g, bool fast) where TC : struct, ICount
    {
        var m8 = o.M8;
        var mx = Vector512.LoadUnsafe(ref o.Max, g);
        var z0 = Vector512.LoadUnsafe(ref o.Z, g);
        var z1 = TC.N > 1 ? Vector512.LoadUnsafe(ref o.Z, m8 + g) : default;
        var z2 = TC.N > 2 ? Vector512.LoadUnsafe(ref o.Z, 2 * m8 + g) : default;
        var z3 = TC.N > 3 ? Vector512.LoadUnsafe(ref o.Z, 3 * m8 + g) : default;
        Vector512<double> d0 = z0 - mx, d1 = z1 - mx, d2 = z2 - mx, d3 = z3 - mx;
        if (fast && !(Exponential.InRange8(d0) && (TC.N < 2 || Exponential.InRange8(d1)) && (TC.N < 3 || Exponential.InRange8(d2))
                && (TC.N < 4 || Exponential.InRange8(d3))))
            return false;
        var e0 = fast ? Exponential.Exp8(d0) : Exponential.Of8(d0);
        var e1 = TC.N > 1 ? (fast ? Exponential.Exp8(d1) : Exponential.Of8(d1)) : default;
        var e2 = TC.N > 2 ? (fast ? Exponential.Exp8(d2) : Exponential.Of8(d2)) : default;
        var e3 = TC.N > 3 ? (fast ? Exponential.Exp8(d3) : Exponential.Of8(d3)) : default;
        var sm = Vector512<double>.Zero + e0;
        if (TC.N > 1) sm += e1;
        if (TC.N > 2) sm += e2;
        if (TC.N > 3) sm += e3;
        if (fast && !Logarithm.Normal8(sm)) return false;
        var lse = Vector512.ConditionalSelect(Vector512.Equals(mx, Vector512.Create(double.NegativeInfinity)), mx,
            mx + (fast ? Logarithm.Log8(sm) : Logarithm.Of8(sm)));
        var y0 = Vector512.LoadUnsafe(ref o.Y, g);
        var y1 = TC.N > 1 ? Vector512.LoadUnsafe(ref o.Y, m8 + g) : default;
        var y2 = TC.N > 2 ? Vector512.LoadUnsafe(ref o.Y, 2 * m8 + g) : default;
        var y3 = TC.N > 3 ? Vector512.LoadUnsafe(ref o.Y, 3 * m8 + g) : default;
        var sy = Vector512<double>.Zero + y0;
        var dot = Vector512<double>.Zero + y0 * z0;
        if (TC.N > 1) { sy += y1; dot += y1 * z1; }
        if (TC.N > 2) { sy += y2; dot += y2 * z2; }
        if (TC.N > 3) { sy += y3; dot += y3 * z3; }
        (sy * lse - dot).StoreUnsafe(ref o.Terms, g);
        // ∂J/∂z = (softmax·Σy − y)/m.
        var (exact, vm, inverse) = (o.Exact, o.Count, o.Inverse);
        var g0 = (e0 / sm) * sy - y0;
        (exact ? g0 * inverse : g0 / vm).StoreUnsafe(ref o.Z, g);
        if (TC.N > 1) { var gj = (e1 / sm) * sy - y1; (exact ? gj * inverse : gj / vm).StoreUnsafe(ref o.Z, m8 + g); }
        if (TC.N > 2) { var gj = (e2 / sm) * sy - y2; (exact ? gj * inverse : gj / vm).StoreUnsafe(ref o.Z, 2 * m8 + g); }
        if (TC.N > 3) { var gj = (e3 / sm) * sy - y3; (exact ? gj * inverse : gj / vm).StoreUnsafe(ref o.Z, 3 * m8 + g); }
        return true;
    }

    /// <summary>
    /// W2 (h × c) to W2ᵀ (c × h), one column of W2 per row of <paramref name="w2t"/>, or (not <paramref name="toColumns"/>)
    /// back from W2ᵀ into W2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns<TC>(Span<double> w2, Span<double> w2t, int h, bool toColumns) where TC : struct, ICount
    {
        _ = w2[h * TC.N - 1]; _ = w2t[h * TC.N - 1];
        ref var a = ref MemoryMarshal.GetReference(w2);
        ref var t = ref MemoryMarshal.GetReference(w2t);
        var uh = (nuint)h;
        for (nuint p = 0; p < uh; p++)
        {
            ref var row = ref Unsafe.Add(ref a, p * (nuint)TC.N);
            if (toColumns)
            {
                Unsafe.Add(ref t, p) = row;
                if (TC.N > 1) Unsafe.Add(ref t, uh + p) = Unsafe.Add(ref row, 1);
                if (TC.N > 2) Unsafe.Add(ref t, 2 * uh + p) = Unsafe.Add(ref row, 2);
                if (TC.N > 3) Unsafe.Add(ref t, 3 * uh + p) = Unsafe.Add(ref row, 3);
            }
            else
            {
                row = Unsafe.Add(ref t, p);
                if (TC.N > 1) Unsafe.Add(ref row, 1) = Unsafe.Add(ref t, uh + p);
                if (TC.N > 2) Unsafe.Add(ref row, 2) = Unsafe.Add(ref t, 2 * uh + p);
                if (TC.N > 3) Unsafe.Add(ref row, 3) = Unsafe.Add(ref t, 3 * uh + p);
            }
        }
    }
}

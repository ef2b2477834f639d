using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// the same chain and function each time, so the same values. Written once over <see cref="ILanes{T}"/> and run on the
/// widest vectors the policy and the machine give (<see cref="Width"/>: 8 lanes on AVX-512, 4 on AVX2, 2 on ARM64's NEON):
/// every lane computes one row (or one hidden unit) alone, so the width changes how many run at once, never a bit.
/// Single-threaded, since the step is far below <see cref="KernelPolicy.ParallelThreshold"/>.
/// </remarks>
internal static class SmallMlp
{
    /// <summary>The widest input this step takes (the hidden units' chains over the inputs stay in registers).</summary>
    internal const int MaxInputs = 4;

    /// <summary>The widest hidden layer (a multiple of 8, so its units fill whole vectors of every width).</summary>
    internal const int MaxHidden = 256;

    /// <summary>The most classes (the output layer's chains and gradients stay in registers).</summary>
    internal const int MaxClasses = 4;

    /// <summary>The largest batch: beyond it the general blocked products win.</summary>
    internal const int MaxBatch = 512;

    /// <summary>
    /// Whether training steps under <paramref name="policy"/> take this kernel for a batch of m rows through a k → h → c
    /// network with the <paramref name="hidden"/> activation (not when the policy turns it off, as tests comparing it with
    /// the general step do, or forces the scalar path).
    /// </summary>
    internal static bool Takes(KernelPolicy policy, int m, int k, int h, int c, Activation hidden) =>
        policy.SmallMlp && Width(policy) != Gemm.Path.Scalar && Fits(m, k, h, c) && Hidden(hidden);

    /// <summary>
    /// The vectors the kernel runs on under <paramref name="policy"/>: the products' path (<see cref="Gemm.Choose"/>), so
    /// a policy that narrows the products narrows this step too; <see cref="Gemm.Path.Scalar"/> when it cannot run.
    /// </summary>
    internal static Gemm.Path Width(KernelPolicy policy) => Gemm.Choose(policy);

    /// <summary>
    /// Whether the kernel takes this hidden activation: the piecewise-linear ones (ReLU, leaky ReLU, linear), which it
    /// recomputes in its backward pass for almost nothing. For tanh and sigmoid that recomputation costs more than the
    /// layout saves (A/B in docs/benchmarks.md: 0.6–0.78× of the general step), so those take the general step.
    /// </summary>
    internal static bool Hidden(Activation hidden) => hidden is Activation.Relu or Activation.LeakyRelu or Activation.Linear;

    /// <summary>Whether the kernel's shapes include a batch of m rows through a k → h → c network.</summary>
    internal static bool Fits(int m, int k, int h, int c) =>
        m is >= 1 and <= MaxBatch && k is >= 1 and <= MaxInputs && h is >= 8 and <= MaxHidden && h % 8 == 0
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
        var width = Width(ws.Policy);
        if (!Fits(m, k, h, c) || !Hidden(hidden) || width == Gemm.Path.Scalar)
            throw new ArgumentException($"The small-network step does not take a {k}→{h}→{c} network with {hidden} units on {m} rows here.");
        var n = x.Length / k;
        if (x.Length != n * k || y.Length != n * c || w1.Length != k * h || b1.Length != h || w2.Length != h * c || b2.Length != c)
            throw new ArgumentException("The operands' lengths do not match the shapes.");
        foreach (var r in rows)
            if ((uint)r >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index must be in [0, {n}).");
        var slope = hidden is Activation.LeakyRelu l ? l.Slope : 0.0;
        var a = new Operands(w1, b1, w2, b2, slope, sink);
        return width switch
        {
            Gemm.Path.Vector512 => Units<Lanes512>(x, y, rows, k, h, c, hidden, a, ws),
            Gemm.Path.Vector256 => Units<Lanes256>(x, y, rows, k, h, c, hidden, a, ws),
            _ => Units<Lanes128>(x, y, rows, k, h, c, hidden, a, ws),
        };
    }

    /// <summary>The parameters, the leaky slope and where the gradients go, passed down the type dispatch as one value.</summary>
    private readonly record struct Operands(double[] W1, double[] B1, double[] W2, double[] B2, double Slope, Sink Sink);

    private static double Units<TV>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int k, int h, int c, Activation hidden,
        Operands a, Workspace ws) where TV : struct, ILanes<TV> => hidden switch
        {
            Activation.Relu => Shape<TV, ReluUnits>(x, y, rows, k, h, c, a, ws),
            Activation.LeakyRelu => Shape<TV, LeakyUnits>(x, y, rows, k, h, c, a, ws),
            _ => Shape<TV, LinearUnits>(x, y, rows, k, h, c, a, ws),
        };

    private static double Shape<TV, TA>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int k, int h, int c,
        Operands a, Workspace ws) where TV : struct, ILanes<TV> where TA : struct, IUnits =>
        (k, c) switch
        {
            (1, 1) => Step<TV, One, One, TA>(x, y, rows, h, a, ws),
            (1, 2) => Step<TV, One, Two, TA>(x, y, rows, h, a, ws),
            (1, 3) => Step<TV, One, Three, TA>(x, y, rows, h, a, ws),
            (1, _) => Step<TV, One, Four, TA>(x, y, rows, h, a, ws),
            (2, 1) => Step<TV, Two, One, TA>(x, y, rows, h, a, ws),
            (2, 2) => Step<TV, Two, Two, TA>(x, y, rows, h, a, ws),
            (2, 3) => Step<TV, Two, Three, TA>(x, y, rows, h, a, ws),
            (2, _) => Step<TV, Two, Four, TA>(x, y, rows, h, a, ws),
            (3, 1) => Step<TV, Three, One, TA>(x, y, rows, h, a, ws),
            (3, 2) => Step<TV, Three, Two, TA>(x, y, rows, h, a, ws),
            (3, 3) => Step<TV, Three, Three, TA>(x, y, rows, h, a, ws),
            (3, _) => Step<TV, Three, Four, TA>(x, y, rows, h, a, ws),
            (_, 1) => Step<TV, Four, One, TA>(x, y, rows, h, a, ws),
            (_, 2) => Step<TV, Four, Two, TA>(x, y, rows, h, a, ws),
            (_, 3) => Step<TV, Four, Three, TA>(x, y, rows, h, a, ws),
            _ => Step<TV, Four, Four, TA>(x, y, rows, h, a, ws),
        };

    /// <summary>
    /// A hidden activation on any lanes, as a type argument (each compiles into the step's loops): its value and its
    /// backward rule <c>dz = f′(z)·t</c> from z, a = f(z) and the incoming t, with the operations of
    /// <see cref="Elementwise.Activate"/> and <see cref="Elementwise.ActivateBackward"/>.
    /// </summary>
    private interface IUnits
    {
        static abstract TV Value<TV>(TV z, TV slope) where TV : struct, ILanes<TV>;
        static abstract TV Backward<TV>(TV z, TV a, TV t, TV slope) where TV : struct, ILanes<TV>;
    }

    private struct ReluUnits : IUnits
    {
        // z > 0 ? z : +0 (so −0 and NaN give +0), the rule of Elementwise.Relu.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Value<TV>(TV z, TV slope) where TV : struct, ILanes<TV> => TV.Relu(z);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Backward<TV>(TV z, TV a, TV t, TV slope) where TV : struct, ILanes<TV> => TV.And(t, TV.GreaterThan(a, TV.Create(0.0)));
    }

    private struct LeakyUnits : IUnits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Value<TV>(TV z, TV slope) where TV : struct, ILanes<TV> => TV.Select(TV.GreaterThan(z, TV.Create(0.0)), z, slope * z);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Backward<TV>(TV z, TV a, TV t, TV slope) where TV : struct, ILanes<TV> => TV.Select(TV.GreaterThan(z, TV.Create(0.0)), t, slope * t);
    }

    private struct LinearUnits : IUnits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Value<TV>(TV z, TV slope) where TV : struct, ILanes<TV> => z;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Backward<TV>(TV z, TV a, TV t, TV slope) where TV : struct, ILanes<TV> => t;
    }

    /// <summary>A count known to the JIT: each (inputs, classes) pair compiles with its loops over them unrolled.</summary>
    private interface ICount { static abstract int N { get; } }
    private struct One : ICount { public static int N => 1; }
    private struct Two : ICount { public static int N => 2; }
    private struct Three : ICount { public static int N => 3; }
    private struct Four : ICount { public static int N => 4; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Step<TV, TK, TC, TA>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int h, Operands a, Workspace ws)
        where TV : struct, ILanes<TV> where TK : struct, ICount where TC : struct, ICount where TA : struct, IUnits
    {
        int k = TK.N, c = TC.N, m = rows.Length, lanes = TV.Count;
        var (w1, b1, w2, b2, sink) = (a.W1, a.B1, a.W2, a.B2, a.Sink);
        var mv = (m + lanes - 1) / lanes * lanes; // rows padded to whole vectors in the transposed (batch-on-lanes) arrays
        // One scratch array for the step, cut into: Xᵀ (k × mv), Yᵀ (c × mv), the logits Z2ᵀ and then ∂J/∂Z2ᵀ (c × mv), their
        // exponentials (c × mv), W2ᵀ (c × h: δ1 reads the old weights; with SGD the new ones go there before they are written
        // back, else ∂J/∂W2ᵀ goes to a second c × h), and each row's max logit and loss term.
        var scratch = ws.Rent((k + 3 * c + 2) * mv + (sink.Sgd ? 1 : 2) * c * h);
        var at = 0;
        Span<double> Cut(int length) { var span = scratch.AsSpan(at, length); at += length; return span; }
        var xt = Cut(k * mv);
        var yt = Cut(c * mv);
        var zt = Cut(c * mv);
        var et = Cut(c * mv);
        var w2t = Cut(c * h);
        var g2t = sink.Sgd ? w2t : Cut(c * h);
        var soft = Cut(2 * mv);
        Gather<TK, TC>(x, y, rows, mv, xt, yt);
        Columns<TC>(w2, w2t, h, toColumns: true);

        var slope = TV.Create(a.Slope);
        Forward<TV, TK, TC, TA>(xt, w1, b1, w2, b2, zt, soft[..mv], h, mv, slope);
        var loss = SoftmaxCrossEntropy<TV, TC>(zt, yt, et, soft[..mv], soft.Slice(mv, mv), m, mv);
        OutputBias<TC>(zt, m, mv, sink.Sgd ? b2 : sink.B2!, sink.Sgd, sink.Rate);
        var (g1, gb1) = sink.Sgd ? (w1, b1) : (sink.W1!, sink.B1!);
        for (var u = 0; u < h; u += lanes) Backward<TV, TK, TC, TA>(xt, zt, w1, b1, w2t, g1, gb1, g2t, sink.Sgd, sink.Rate, m, h, mv, u, slope);
        Columns<TC>(sink.Sgd ? w2 : sink.W2!, g2t, h, toColumns: false);
        return loss / m;
    }

    /// <summary>
    /// The batch's rows of X (n × k) and Y (n × c) written transposed: <c>xt[q, i] = X[rows[i], q]</c>,
    /// <c>yt[j, i] = Y[rows[i], j]</c>, and the lanes past the last row (up to mv) zero. The indices were checked by the caller.
    /// </summary>
    private static void Gather<TK, TC>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> rows, int mv,
        Span<double> xt, Span<double> yt) where TK : struct, ICount where TC : struct, ICount
    {
        int k = TK.N, c = TC.N, m = rows.Length;
        _ = xt[k * mv - 1]; _ = yt[c * mv - 1];
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var xd = ref MemoryMarshal.GetReference(xt);
        ref var yd = ref MemoryMarshal.GetReference(yt);
        var umv = (nuint)mv;
        for (var i = 0; i < m; i++)
        {
            var r = (nuint)(uint)rows[i];
            ref var xr = ref Unsafe.Add(ref xs, r * (nuint)k);
            ref var yr = ref Unsafe.Add(ref ys, r * (nuint)c);
            var ui = (nuint)i;
            Unsafe.Add(ref xd, ui) = xr;
            if (TK.N > 1) Unsafe.Add(ref xd, umv + ui) = Unsafe.Add(ref xr, 1);
            if (TK.N > 2) Unsafe.Add(ref xd, 2 * umv + ui) = Unsafe.Add(ref xr, 2);
            if (TK.N > 3) Unsafe.Add(ref xd, 3 * umv + ui) = Unsafe.Add(ref xr, 3);
            Unsafe.Add(ref yd, ui) = yr;
            if (TC.N > 1) Unsafe.Add(ref yd, umv + ui) = Unsafe.Add(ref yr, 1);
            if (TC.N > 2) Unsafe.Add(ref yd, 2 * umv + ui) = Unsafe.Add(ref yr, 2);
            if (TC.N > 3) Unsafe.Add(ref yd, 3 * umv + ui) = Unsafe.Add(ref yr, 3);
        }
        if (m == mv) return; // no padding lanes (each Clear is a call even when empty)
        for (var q = 0; q < k; q++) xt.Slice(q * mv + m, mv - m).Clear();
        for (var j = 0; j < c; j++) yt.Slice(j * mv + m, mv - m).Clear();
    }

    /// <summary>
    /// The output bias's gradient, δ2's column sum in ascending row order (the c sums run side by side, so their add
    /// chains overlap): with <paramref name="sgd"/> <c>b[j] ← b[j] − lr·Σᵢ δ2ᵀ[j, i]</c>, else the sums written to b.
    /// </summary>
    private static void OutputBias<TC>(ReadOnlySpan<double> dt, int m, int mv, double[] b2, bool sgd, double lr) where TC : struct, ICount
    {
        _ = dt[(TC.N - 1) * mv + m - 1]; _ = b2[TC.N - 1];
        ref var d = ref MemoryMarshal.GetReference(dt);
        var umv = (nuint)mv;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (nuint i = 0; i < (nuint)m; i++)
        {
            s0 += Unsafe.Add(ref d, i);
            if (TC.N > 1) s1 += Unsafe.Add(ref d, umv + i);
            if (TC.N > 2) s2 += Unsafe.Add(ref d, 2 * umv + i);
            if (TC.N > 3) s3 += Unsafe.Add(ref d, 3 * umv + i);
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
    /// The forward pass with the rows on the lanes, one vector of rows at a time: each hidden unit's <c>f(chain over q of
    /// fma(Xᵀ[q, lanes], W1[q, p]) + b1[p])</c> goes straight from its register into the logits' chains
    /// <c>Zᵀ[j, lanes] = chain over p of fma(Hᵀ[p, lanes], W2[p, j]) + b2[j]</c>, so H is never stored. Writes Zᵀ (c × mv)
    /// and each row's max over its logits (by <c>z &gt; max</c> from −∞ in ascending j, as <see cref="Elementwise.SoftmaxRows"/>).
    /// </summary>
    private static void Forward<TV, TK, TC, TA>(ReadOnlySpan<double> xt, ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2,
        ReadOnlySpan<double> b2, Span<double> zt, Span<double> max, int h, int mv, TV slope)
        where TV : struct, ILanes<TV> where TK : struct, ICount where TC : struct, ICount where TA : struct, IUnits
    {
        int k = TK.N, c = TC.N;
        _ = xt[k * mv - 1]; _ = w1[k * h - 1]; _ = b1[h - 1]; _ = w2[h * c - 1]; _ = b2[c - 1]; _ = zt[c * mv - 1]; _ = max[mv - 1];
        ref var xr = ref MemoryMarshal.GetReference(xt);
        ref var zr = ref MemoryMarshal.GetReference(zt);
        var umv = (nuint)mv;
        for (nuint g = 0; g < umv; g += (nuint)TV.Count)
        {
            var x0 = TV.Load(ref xr, g);
            var x1 = TK.N > 1 ? TV.Load(ref xr, umv + g) : default;
            var x2 = TK.N > 2 ? TV.Load(ref xr, 2 * umv + g) : default;
            var x3 = TK.N > 3 ? TV.Load(ref xr, 3 * umv + g) : default;
            TV s0 = TV.Create(0.0), s1 = TV.Create(0.0), s2 = TV.Create(0.0), s3 = TV.Create(0.0);
            ref var w1p = ref MemoryMarshal.GetReference(w1);
            ref var b1p = ref MemoryMarshal.GetReference(b1);
            ref var w2p = ref MemoryMarshal.GetReference(w2);
            for (var p = 0; p < h; p++)
            {
                var a = TV.FusedMultiplyAdd(x0, TV.Create(w1p), TV.Create(0.0));
                if (TK.N > 1) a = TV.FusedMultiplyAdd(x1, TV.Create(Unsafe.Add(ref w1p, h)), a);
                if (TK.N > 2) a = TV.FusedMultiplyAdd(x2, TV.Create(Unsafe.Add(ref w1p, 2 * h)), a);
                if (TK.N > 3) a = TV.FusedMultiplyAdd(x3, TV.Create(Unsafe.Add(ref w1p, 3 * h)), a);
                a = TA.Value(a + TV.Create(b1p), slope);
                s0 = TV.FusedMultiplyAdd(a, TV.Create(w2p), s0);
                if (TC.N > 1) s1 = TV.FusedMultiplyAdd(a, TV.Create(Unsafe.Add(ref w2p, 1)), s1);
                if (TC.N > 2) s2 = TV.FusedMultiplyAdd(a, TV.Create(Unsafe.Add(ref w2p, 2)), s2);
                if (TC.N > 3) s3 = TV.FusedMultiplyAdd(a, TV.Create(Unsafe.Add(ref w2p, 3)), s3);
                w1p = ref Unsafe.Add(ref w1p, 1);
                b1p = ref Unsafe.Add(ref b1p, 1);
                w2p = ref Unsafe.Add(ref w2p, c);
            }
            var mx = TV.Create(double.NegativeInfinity);
            s0 += TV.Create(b2[0]);
            s0.Store(ref zr, g);
            mx = TV.Select(TV.GreaterThan(s0, mx), s0, mx);
            if (TC.N > 1)
            {
                s1 += TV.Create(b2[1]);
                s1.Store(ref zr, umv + g);
                mx = TV.Select(TV.GreaterThan(s1, mx), s1, mx);
            }
            if (TC.N > 2)
            {
                s2 += TV.Create(b2[2]);
                s2.Store(ref zr, 2 * umv + g);
                mx = TV.Select(TV.GreaterThan(s2, mx), s2, mx);
            }
            if (TC.N > 3)
            {
                s3 += TV.Create(b2[3]);
                s3.Store(ref zr, 3 * umv + g);
                mx = TV.Select(TV.GreaterThan(s3, mx), s3, mx);
            }
            mx.Store(ref MemoryMarshal.GetReference(max), g);
        }
    }

    /// <summary>
    /// Back-propagation for one vector of hidden units from u, row by row with the units on the lanes: H's row again (the
    /// same chain as <see cref="Forward"/>), δ1 = f′(Z1)·(δ2·W2ᵀ), and the gradients ∂J/∂W1 = Xᵀ·δ1, ∂J/∂b1 = Σ δ1 and
    /// ∂J/∂W2ᵀ = δ2ᵀ·H accumulated in registers over ascending rows; then, with <paramref name="sgd"/>, <c>θ − lr·g</c> over
    /// these units' weights and biases (g1, gb1 and g2t are then w1, b1 and w2t: the new W2ᵀ over the old, which no other
    /// block reads), else the gradients written to g1, gb1 and g2t. Neither H nor δ1 is stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward<TV, TK, TC, TA>(ReadOnlySpan<double> xt, ReadOnlySpan<double> dt, ReadOnlySpan<double> w1, ReadOnlySpan<double> b1,
        ReadOnlySpan<double> w2t, Span<double> g1, Span<double> gb1, Span<double> g2t, bool sgd, double lr, int m, int h, int mv, int u,
        TV slope) where TV : struct, ILanes<TV> where TK : struct, ICount where TC : struct, ICount where TA : struct, IUnits
    {
        int k = TK.N, c = TC.N;
        _ = xt[(k - 1) * mv + m - 1];
        _ = dt[(c - 1) * mv + m - 1];
        _ = w1[(k - 1) * h + u + TV.Count - 1]; _ = b1[u + TV.Count - 1]; _ = w2t[(c - 1) * h + u + TV.Count - 1];
        _ = g1[(k - 1) * h + u + TV.Count - 1]; _ = gb1[u + TV.Count - 1]; _ = g2t[(c - 1) * h + u + TV.Count - 1];
        ref var xr = ref MemoryMarshal.GetReference(xt);
        ref var d0 = ref MemoryMarshal.GetReference(dt);
        var mvn = (nint)mv;
        var (at, uh) = ((nuint)u, (nuint)h);
        ref var w1r = ref MemoryMarshal.GetReference(w1);
        ref var w2r = ref MemoryMarshal.GetReference(w2t);
        var bias = TV.Load(ref MemoryMarshal.GetReference(b1), at);
        var wa0 = TV.Load(ref w1r, at);
        var wa1 = TK.N > 1 ? TV.Load(ref w1r, uh + at) : default;
        var wa2 = TK.N > 2 ? TV.Load(ref w1r, 2 * uh + at) : default;
        var wa3 = TK.N > 3 ? TV.Load(ref w1r, 3 * uh + at) : default;
        var wb0 = TV.Load(ref w2r, at);
        var wb1 = TC.N > 1 ? TV.Load(ref w2r, uh + at) : default;
        var wb2 = TC.N > 2 ? TV.Load(ref w2r, 2 * uh + at) : default;
        var wb3 = TC.N > 3 ? TV.Load(ref w2r, 3 * uh + at) : default;
        var zero = TV.Create(0.0);
        TV g10 = zero, g11 = zero, g12 = zero, g13 = zero; // ∂J/∂W1 rows q
        TV g20 = zero, g21 = zero, g22 = zero, g23 = zero; // ∂J/∂W2ᵀ rows j
        var gb = zero;
        for (var i = 0; i < m; i++)
        {
            var x0 = TV.Create(xr);
            var x1 = TK.N > 1 ? TV.Create(Unsafe.Add(ref xr, mvn)) : default;
            var x2 = TK.N > 2 ? TV.Create(Unsafe.Add(ref xr, 2 * mvn)) : default;
            var x3 = TK.N > 3 ? TV.Create(Unsafe.Add(ref xr, 3 * mvn)) : default;
            var e0 = TV.Create(d0);
            var e1 = TC.N > 1 ? TV.Create(Unsafe.Add(ref d0, mvn)) : default;
            var e2 = TC.N > 2 ? TV.Create(Unsafe.Add(ref d0, 2 * mvn)) : default;
            var e3 = TC.N > 3 ? TV.Create(Unsafe.Add(ref d0, 3 * mvn)) : default;
            var s = TV.FusedMultiplyAdd(x0, wa0, zero);
            if (TK.N > 1) s = TV.FusedMultiplyAdd(x1, wa1, s);
            if (TK.N > 2) s = TV.FusedMultiplyAdd(x2, wa2, s);
            if (TK.N > 3) s = TV.FusedMultiplyAdd(x3, wa3, s);
            var z = s + bias;
            var a = TA.Value(z, slope);
            var t = TV.FusedMultiplyAdd(e0, wb0, zero);
            if (TC.N > 1) t = TV.FusedMultiplyAdd(e1, wb1, t);
            if (TC.N > 2) t = TV.FusedMultiplyAdd(e2, wb2, t);
            if (TC.N > 3) t = TV.FusedMultiplyAdd(e3, wb3, t);
            var d = TA.Backward(z, a, t, slope);
            gb += d;
            g10 = TV.FusedMultiplyAdd(x0, d, g10);
            if (TK.N > 1) g11 = TV.FusedMultiplyAdd(x1, d, g11);
            if (TK.N > 2) g12 = TV.FusedMultiplyAdd(x2, d, g12);
            if (TK.N > 3) g13 = TV.FusedMultiplyAdd(x3, d, g13);
            g20 = TV.FusedMultiplyAdd(a, e0, g20);
            if (TC.N > 1) g21 = TV.FusedMultiplyAdd(a, e1, g21);
            if (TC.N > 2) g22 = TV.FusedMultiplyAdd(a, e2, g22);
            if (TC.N > 3) g23 = TV.FusedMultiplyAdd(a, e3, g23);
            xr = ref Unsafe.Add(ref xr, 1);
            d0 = ref Unsafe.Add(ref d0, 1);
        }
        ref var o1 = ref MemoryMarshal.GetReference(g1);
        ref var o2 = ref MemoryMarshal.GetReference(g2t);
        if (!sgd)
        {
            gb.Store(ref MemoryMarshal.GetReference(gb1), at);
            g10.Store(ref o1, at);
            if (TK.N > 1) g11.Store(ref o1, uh + at);
            if (TK.N > 2) g12.Store(ref o1, 2 * uh + at);
            if (TK.N > 3) g13.Store(ref o1, 3 * uh + at);
            g20.Store(ref o2, at);
            if (TC.N > 1) g21.Store(ref o2, uh + at);
            if (TC.N > 2) g22.Store(ref o2, 2 * uh + at);
            if (TC.N > 3) g23.Store(ref o2, 3 * uh + at);
            return;
        }
        // θ − lr·g, multiply then subtract (no FMA), as OptimizerKernels.Sgd.
        var vlr = TV.Create(lr);
        (bias - vlr * gb).Store(ref MemoryMarshal.GetReference(gb1), at);
        (wa0 - vlr * g10).Store(ref o1, at);
        if (TK.N > 1) (wa1 - vlr * g11).Store(ref o1, uh + at);
        if (TK.N > 2) (wa2 - vlr * g12).Store(ref o1, 2 * uh + at);
        if (TK.N > 3) (wa3 - vlr * g13).Store(ref o1, 3 * uh + at);
        (wb0 - vlr * g20).Store(ref o2, at);
        if (TC.N > 1) (wb1 - vlr * g21).Store(ref o2, uh + at);
        if (TC.N > 2) (wb2 - vlr * g22).Store(ref o2, 2 * uh + at);
        if (TC.N > 3) (wb3 - vlr * g23).Store(ref o2, 3 * uh + at);
    }

    /// <summary>
    /// Per row lane of the output layer (<paramref name="zt"/> holds the logits, c × mv, and <paramref name="max"/> each
    /// row's max): the softmax and log-sum-exp of <see cref="Elementwise.SoftmaxRows"/>, and the cross-entropy terms and
    /// gradient of <see cref="Elementwise.CrossEntropyWithGradient"/>, written over zt (<paramref name="et"/> takes the
    /// exponentials). Returns the sum of the rows' loss terms, added in row order (after the groups, from
    /// <paramref name="terms"/>, so that chain overlaps other work).
    /// </summary>
    /// <remarks>
    /// Two passes, each a method of its own: each gets the JIT's whole inlining budget for its many small lane operations
    /// (as one method the budget ran out and the operations became calls, 1.6× slower on the whole step).
    /// </remarks>
    private static double SoftmaxCrossEntropy<TV, TC>(Span<double> zt, ReadOnlySpan<double> yt, Span<double> et, ReadOnlySpan<double> max,
        Span<double> terms, int m, int mv) where TV : struct, ILanes<TV> where TC : struct, ICount
    {
        _ = zt[TC.N * mv - 1]; _ = yt[TC.N * mv - 1]; _ = et[TC.N * mv - 1]; _ = max[mv - 1]; _ = terms[mv - 1];
        Exponentials<TV>(zt, et, max, TC.N * mv, mv);
        Losses<TV, TC>(zt, yt, et, max, terms, m, mv);
        var loss = 0.0;
        for (var i = 0; i < m; i++) loss += terms[i];
        return loss;
    }

    /// <summary>
    /// <c>et[j, i] = e^(zt[j, i] − max[i])</c> over all c·mv lanes (<paramref name="length"/>), one vector at a time: the
    /// exponential's fast form where every lane is in its range, else the checked one (the same bits where both apply).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Exponentials<TV>(ReadOnlySpan<double> zt, Span<double> et, ReadOnlySpan<double> max, int length, int mv)
        where TV : struct, ILanes<TV>
    {
        _ = zt[length - 1]; _ = et[length - 1]; _ = max[mv - 1];
        ref var z = ref MemoryMarshal.GetReference(zt);
        ref var e = ref MemoryMarshal.GetReference(et);
        ref var mx = ref MemoryMarshal.GetReference(max);
        var (umv, step) = ((nuint)mv, (nuint)TV.Count);
        for (nuint row = 0; row < (nuint)length; row += umv)
            for (nuint g = 0; g < umv; g += step)
            {
                var d = TV.Load(ref z, row + g) - TV.Load(ref mx, g);
                (Exponential.InRange(d) ? Exponential.Fast(d) : Checked(d)).Store(ref e, row + g);
            }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static TV Checked(TV d) => Exponential.Invoke(d);
    }

    /// <summary>
    /// Per vector of rows: Σⱼ e (from +0 in ascending j), the log-sum-exp <c>max + ln Σ</c> (max itself for a row of −∞),
    /// the loss term <c>Σy·lse − Σ y·z</c> and <c>∂J/∂z = (softmax·Σy − y)/m</c> over zt.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Losses<TV, TC>(Span<double> zt, ReadOnlySpan<double> yt, ReadOnlySpan<double> et, ReadOnlySpan<double> max,
        Span<double> terms, int m, int mv) where TV : struct, ILanes<TV> where TC : struct, ICount
    {
        _ = zt[TC.N * mv - 1]; _ = yt[TC.N * mv - 1]; _ = et[TC.N * mv - 1]; _ = max[mv - 1]; _ = terms[mv - 1];
        ref var zr = ref MemoryMarshal.GetReference(zt);
        ref var yr = ref MemoryMarshal.GetReference(yt);
        ref var er = ref MemoryMarshal.GetReference(et);
        // Dividing by a power of two m is multiplying by 1/m, which is exact: the same correctly rounded value.
        var exact = (m & (m - 1)) == 0;
        var (count, inverse) = (TV.Create(m), TV.Create(1.0 / m));
        var umv = (nuint)mv;
        for (nuint g = 0; g < umv; g += (nuint)TV.Count)
        {
            var mx = TV.Load(ref MemoryMarshal.GetReference(max), g);
            var e0 = TV.Load(ref er, g);
            var e1 = TC.N > 1 ? TV.Load(ref er, umv + g) : default;
            var e2 = TC.N > 2 ? TV.Load(ref er, 2 * umv + g) : default;
            var e3 = TC.N > 3 ? TV.Load(ref er, 3 * umv + g) : default;
            var sm = TV.Create(0.0) + e0;
            if (TC.N > 1) sm += e1;
            if (TC.N > 2) sm += e2;
            if (TC.N > 3) sm += e3;
            var lse = TV.Select(TV.Equal(mx, TV.Create(double.NegativeInfinity)), mx, mx + (Logarithm.Normal(sm) ? Logarithm.Fast(sm) : Checked(sm)));
            var z0 = TV.Load(ref zr, g);
            var z1 = TC.N > 1 ? TV.Load(ref zr, umv + g) : default;
            var z2 = TC.N > 2 ? TV.Load(ref zr, 2 * umv + g) : default;
            var z3 = TC.N > 3 ? TV.Load(ref zr, 3 * umv + g) : default;
            var y0 = TV.Load(ref yr, g);
            var y1 = TC.N > 1 ? TV.Load(ref yr, umv + g) : default;
            var y2 = TC.N > 2 ? TV.Load(ref yr, 2 * umv + g) : default;
            var y3 = TC.N > 3 ? TV.Load(ref yr, 3 * umv + g) : default;
            var sy = TV.Create(0.0) + y0;
            var dot = TV.Create(0.0) + y0 * z0;
            if (TC.N > 1) { sy += y1; dot += y1 * z1; }
            if (TC.N > 2) { sy += y2; dot += y2 * z2; }
            if (TC.N > 3) { sy += y3; dot += y3 * z3; }
            (sy * lse - dot).Store(ref MemoryMarshal.GetReference(terms), g);
            var g0 = (e0 / sm) * sy - y0;
            (exact ? g0 * inverse : g0 / count).Store(ref zr, g);
            if (TC.N > 1) { var gj = (e1 / sm) * sy - y1; (exact ? gj * inverse : gj / count).Store(ref zr, umv + g); }
            if (TC.N > 2) { var gj = (e2 / sm) * sy - y2; (exact ? gj * inverse : gj / count).Store(ref zr, 2 * umv + g); }
            if (TC.N > 3) { var gj = (e3 / sm) * sy - y3; (exact ? gj * inverse : gj / count).Store(ref zr, 3 * umv + g); }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static TV Checked(TV s) => Logarithm.Invoke(s);
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

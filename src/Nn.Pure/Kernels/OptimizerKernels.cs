using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nn.Kernels;

/// <summary>
/// Fused per-element optimizer updates over flat spans: inputs first, destinations last, all of one length.
/// A destination may be the matching input (an in-place update): every kernel reads element i of all its inputs before
/// it writes element i. The operation order is exactly the one documented, with no fused multiply-add, and each rule is
/// written once over <see cref="ILanes{T}"/> (<c>+ − × ÷ √</c> round once per lane), so the scalar form and every SIMD
/// width give the same bits as a scalar reference written the same way.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary><c>θ′[i] = θ[i] − lr·g[i]</c>.</summary>
    internal static void Sgd(double lr, ReadOnlySpan<double> theta, ReadOnlySpan<double> g, Span<double> thetaOut) =>
        Run(new SgdRule(lr), theta, g, default, default, thetaOut, default, default);

    /// <summary>
    /// <c>v′[i] = β·v[i] + g[i]</c>; then <c>θ′[i] = θ[i] − lr·v′[i]</c>, or with <paramref name="nesterov"/>
    /// <c>θ′[i] = θ[i] − lr·(g[i] + β·v′[i])</c>.
    /// </summary>
    internal static void Momentum(double lr, double beta, bool nesterov, ReadOnlySpan<double> theta, ReadOnlySpan<double> g,
        ReadOnlySpan<double> v, Span<double> thetaOut, Span<double> vOut)
    {
        if (nesterov) Run(new NesterovRule(lr, beta), theta, g, v, default, thetaOut, vOut, default);
        else Run(new MomentumRule(lr, beta), theta, g, v, default, thetaOut, vOut, default);
    }

    /// <summary><c>s′[i] = ρ·s[i] + (1 − ρ)·(g[i]·g[i])</c>; <c>θ′[i] = θ[i] − lr·(g[i] / (√s′[i] + ε))</c>.</summary>
    internal static void RmsProp(double lr, double rho, double eps, ReadOnlySpan<double> theta, ReadOnlySpan<double> g,
        ReadOnlySpan<double> s, Span<double> thetaOut, Span<double> sOut) =>
        Run(new RmsPropRule(lr, rho, 1.0 - rho, eps), theta, g, s, default, thetaOut, sOut, default);

    /// <summary>
    /// <c>m′[i] = β₁·m[i] + (1 − β₁)·g[i]</c>; <c>v′[i] = β₂·v[i] + (1 − β₂)·(g[i]·g[i])</c>;
    /// <c>m̂ = m′[i] / c₁</c>; <c>v̂ = v′[i] / c₂</c>; <c>d = m̂ / (√v̂ + ε)</c>, with <paramref name="decayed"/>
    /// (AdamW) <c>d = d + wd·θ[i]</c>; <c>θ′[i] = θ[i] − lr·d</c>, where c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ are the bias
    /// corrections: the operations of <see cref="ScaleByAdam"/>, <see cref="AddDecayedWeights"/> and
    /// <see cref="ScaleByLearningRate"/> in turn.
    /// </summary>
    internal static void Adam(double lr, double beta1, double beta2, double eps, double c1, double c2, bool decayed, double wd,
        ReadOnlySpan<double> theta, ReadOnlySpan<double> g, ReadOnlySpan<double> m, ReadOnlySpan<double> v,
        Span<double> thetaOut, Span<double> mOut, Span<double> vOut)
    {
        if (decayed) Run(new AdamRule<Decayed>(lr, beta1, 1.0 - beta1, beta2, 1.0 - beta2, eps, c1, c2, wd), theta, g, m, v, thetaOut, mOut, vOut);
        else Run(new AdamRule<NotDecayed>(lr, beta1, 1.0 - beta1, beta2, 1.0 - beta2, eps, c1, c2, 0.0), theta, g, m, v, thetaOut, mOut, vOut);
    }

    /// <summary>One update rule: element i's new θ (and moments) from θ, g and the old moments, on any width.</summary>
    private interface IRule
    {
        void Apply<T>(T theta, T g, T a, T b, out T thetaOut, out T aOut, out T bOut) where T : struct, ILanes<T>;
    }

    private readonly struct SgdRule(double lr) : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<T>(T theta, T g, T a, T b, out T thetaOut, out T aOut, out T bOut) where T : struct, ILanes<T>
        {
            thetaOut = theta - T.Create(lr) * g; // multiply, then subtract: no FMA
            (aOut, bOut) = (a, b);
        }
    }

    private readonly struct MomentumRule(double lr, double beta) : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<T>(T theta, T g, T a, T b, out T thetaOut, out T aOut, out T bOut) where T : struct, ILanes<T>
        {
            aOut = T.Create(beta) * a + g;
            thetaOut = theta - T.Create(lr) * aOut;
            bOut = b;
        }
    }

    private readonly struct NesterovRule(double lr, double beta) : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<T>(T theta, T g, T a, T b, out T thetaOut, out T aOut, out T bOut) where T : struct, ILanes<T>
        {
            aOut = T.Create(beta) * a + g;
            thetaOut = theta - T.Create(lr) * (g + T.Create(beta) * aOut);
            bOut = b;
        }
    }

    private readonly struct RmsPropRule(double lr, double rho, double oneMinusRho, double eps) : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<T>(T theta, T g, T a, T b, out T thetaOut, out T aOut, out T bOut) where T : struct, ILanes<T>
        {
            aOut = T.Create(rho) * a + T.Create(oneMinusRho) * (g * g);
            thetaOut = theta - T.Create(lr) * (g / (T.Sqrt(aOut) + T.Create(eps)));
            bOut = b;
        }
    }

    /// <summary>Whether Adam's rule adds the decayed weights (a type argument, so each form compiles without the test).</summary>
    private interface IDecay { static abstract bool On { get; } }

    private readonly struct Decayed : IDecay { public static bool On => true; }

    private readonly struct NotDecayed : IDecay { public static bool On => false; }

    private readonly struct AdamRule<TDecay>(double lr, double beta1, double oneMinusBeta1, double beta2, double oneMinusBeta2,
        double eps, double c1, double c2, double wd) : IRule where TDecay : struct, IDecay
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<T>(T theta, T g, T a, T b, out T thetaOut, out T aOut, out T bOut) where T : struct, ILanes<T>
        {
            aOut = T.Create(beta1) * a + T.Create(oneMinusBeta1) * g;
            bOut = T.Create(beta2) * b + T.Create(oneMinusBeta2) * (g * g);
            var mHat = aOut / T.Create(c1);
            var vHat = bOut / T.Create(c2);
            var d = mHat / (T.Sqrt(vHat) + T.Create(eps));
            if (TDecay.On) d += T.Create(wd) * theta;
            thetaOut = theta - T.Create(lr) * d;
        }
    }

    /// <summary>The driver: the widest accelerated width over whole vectors, then the scalar form for the tail.</summary>
    private static void Run<TRule>(TRule rule, ReadOnlySpan<double> theta, ReadOnlySpan<double> g, ReadOnlySpan<double> a,
        ReadOnlySpan<double> b, Span<double> thetaOut, Span<double> aOut, Span<double> bOut) where TRule : struct, IRule
    {
        var n = theta.Length;
        if (g.Length != n || thetaOut.Length < n || (!a.IsEmpty && (a.Length != n || aOut.Length < n)) || (!b.IsEmpty && (b.Length != n || bOut.Length < n)))
            throw new ArgumentException("The optimizer's spans differ in length.");
        var i = 0;
        if (Lanes512.IsHardwareAccelerated) i = Run<TRule, Lanes512>(rule, theta, g, a, b, thetaOut, aOut, bOut, i);
        if (Lanes256.IsHardwareAccelerated) i = Run<TRule, Lanes256>(rule, theta, g, a, b, thetaOut, aOut, bOut, i);
        if (Lanes128.IsHardwareAccelerated) i = Run<TRule, Lanes128>(rule, theta, g, a, b, thetaOut, aOut, bOut, i);
        Run<TRule, Lane1>(rule, theta, g, a, b, thetaOut, aOut, bOut, i);
    }

    /// <summary>Elements [start, …) in whole vectors of <typeparamref name="T"/>; returns where it stopped.</summary>
    private static int Run<TRule, T>(TRule rule, ReadOnlySpan<double> theta, ReadOnlySpan<double> g, ReadOnlySpan<double> a,
        ReadOnlySpan<double> b, Span<double> thetaOut, Span<double> aOut, Span<double> bOut, int start)
        where TRule : struct, IRule where T : struct, ILanes<T>
    {
        ref var th = ref MemoryMarshal.GetReference(theta);
        ref var gr = ref MemoryMarshal.GetReference(g);
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var tho = ref MemoryMarshal.GetReference(thetaOut);
        ref var ao = ref MemoryMarshal.GetReference(aOut);
        ref var bo = ref MemoryMarshal.GetReference(bOut);
        var (hasA, hasB) = (!a.IsEmpty, !b.IsEmpty);
        var i = start;
        for (; i <= theta.Length - T.Count; i += T.Count)
        {
            var at = (nuint)i;
            var av = hasA ? T.Load(ref ar, at) : default;
            var bv = hasB ? T.Load(ref br, at) : default;
            rule.Apply(T.Load(ref th, at), T.Load(ref gr, at), av, bv, out var t1, out var a1, out var b1);
            t1.Store(ref tho, at);
            if (hasA) a1.Store(ref ao, at);
            if (hasB) b1.Store(ref bo, at);
        }
        return i;
    }
}

using System.Runtime.CompilerServices;

namespace Nn.Kernels;

/// <summary>
/// The sigmoid (logistic) activation, per element <c>destination[i] = 1/(1 + e^(−x[i]))</c>: one specified algorithm
/// written once over <see cref="ILanes{T}"/> (the same bits in its scalar and SIMD forms, no C library).
/// </summary>
/// <remarks>
/// Every step an IEEE operation or a single-rounding fused multiply-add:
/// <list type="number">
/// <item>e = e^(−a), a = min(|x|, 746), which never overflows, as e + e_err: <see cref="ExponentialMinusOne.Reduce{T}"/>
/// gives 2ᵏ(1 + u_hi + u_lo); v = 1 + u_hi with its error (1 − v) + u_hi + u_lo; e = v·2ᵏ and e_err likewise (scaled in
/// two exact halves, so only a subnormal e rounds, once).</item>
/// <item>σ(x) = n/d with d = 1 + e and n = 1 for x ≥ 0, n = e for x &lt; 0: d's error comes from Dekker's fast two-sum,
/// q₀ = n/d, and one correction q = q₀ + ρ/d with the residual ρ = fma(−q₀, d, n) + (n_err − q₀·d_err).</item>
/// <item>σ(+∞) = 1, σ(−∞) = +0, σ(±0) = ½, NaN gives x.</item>
/// </list>
/// Accuracy: below 1 ulp (0.78 ulp at most in 1,000,000 samples over the whole range, measured against a 160-bit
/// reference in ElementaryFunctionProperties).
/// </remarks>
internal readonly struct Logistic : IUnaryOperator
{
    /// <summary><c>destination[i] = σ(x[i])</c>.</summary>
    internal static void Apply(ReadOnlySpan<double> x, Span<double> destination) => Unary.Apply<Logistic>(x, destination);

    /// <summary><c>σ(x)</c> for one value.</summary>
    internal static double Of(double x) => Invoke(new Lane1(x)).Value;

    /// <summary><c>σ(x)</c> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T>(T x) where T : struct, ILanes<T>
    {
        var one = T.Create(1.0);
        var a = LaneMath.Abs(x);
        a = T.Select(T.GreaterThan(a, T.Create(746.0)), T.Create(746.0), a);
        ExponentialMinusOne.Reduce(-a, out var kd, out var uHi, out var uLo);
        var v = one + uHi;
        var vErr = ((one - v) + uHi) + uLo;
        var j = (kd * T.Create(0.5) + T.Create(LaneMath.Shifter)) - T.Create(LaneMath.Shifter);
        var s1 = LaneMath.PowerOfTwo(j);
        var s2 = LaneMath.PowerOfTwo(kd - j);
        var e = v * s1 * s2;
        var eErr = vErr * s1 * s2;
        var d = one + e;
        var dErr = ((one - d) + e) + eErr;
        var negative = T.LessThan(x, T.Create(0.0));
        var n = T.Select(negative, e, one);
        var nErr = T.Select(negative, eErr, T.Create(0.0));
        var q = n / d;
        var residual = T.FusedMultiplyAdd(-q, d, n) + (nErr - q * dErr);
        var y = q + residual / d;
        return T.Select(LaneMath.IsNaN(x), x, y);
    }

    /// <summary>
    /// The backward rule from the forward values: <c>dz[i] = da[i]·(a[i]·(1 − a[i]))</c> with a = σ(z), since σ′ = σ(1 − σ)
    /// (<see cref="Gradient"/>, the same operations on every width).
    /// </summary>
    internal static void Backward(ReadOnlySpan<double> a, ReadOnlySpan<double> da, Span<double> dz) => Unary.Apply<Gradient>(a, da, dz);

    /// <summary><c>da·(a·(1 − a))</c> per lane, each operation rounded.</summary>
    internal readonly struct Gradient : IBinaryOperator
    {
        /// <summary><c>da·(a·(1 − a))</c> for one value.</summary>
        internal static double Of(double a, double da) => Invoke(new Lane1(a), new Lane1(da)).Value;

        /// <summary><c>da·(a·(1 − a))</c> in every lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Invoke<T>(T a, T da) where T : struct, ILanes<T> => da * (a * (T.Create(1.0) - a));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// The library's own <c>e^x</c>, per element <c>destination[i] = e^(x[i])</c>: one specified algorithm, written once over
/// <see cref="ILanes{T}"/>, so its scalar and SIMD forms give the same bits and none depends on the platform's C library
/// (<see cref="Math.Exp"/> calls it). Softmax, log-sum-exp and <see cref="Logistic"/> use it.
/// </summary>
/// <remarks>
/// Every step an IEEE operation or a single-rounding fused multiply-add:
/// <list type="number">
/// <item><c>k = round-to-nearest-even(x·log₂e)</c>, by adding and subtracting 1.5·2⁵².</item>
/// <item><c>r = fma(−k, ln2_lo, fma(−k, ln2_hi, x))</c> (Cody–Waite with ln 2 split in two), so |r| ≤ ½ ln 2 (+ε).</item>
/// <item><c>p = Σ_{i=0..13} rⁱ/i!</c> in Horner form with fused multiply-adds (truncation below 10⁻¹⁷ relative).</item>
/// <item><c>p·2ᵏ</c> as <c>(p·2^j)·2^(k−j)</c> with <c>j = round(k/2)</c>: the first product is exact, the second rounds
/// once, also to a subnormal or to ∞.</item>
/// <item>x &gt; 709.78 (ln of the largest double) gives +∞, x &lt; −745.13 gives +0, NaN gives x itself.</item>
/// </list>
/// Accuracy: below 1 ulp (0.85 ulp at most in 1,200,000 samples over the whole range, measured against a 160-bit
/// reference in ElementaryFunctionProperties).
/// </remarks>
internal readonly struct Exponential : IUnaryOperator
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 0.6931471805598903; // ln 2 rounded to 42 bits: k·Ln2Hi is exact for |k| < 2¹¹
    private const double Ln2Lo = 5.497923018708371e-14; // ln 2 − Ln2Hi
    private const double Overflow = 709.782712893384; // ln(largest double)
    private const double Underflow = -745.1332191019412; // ln(smallest subnormal / 2)

    // 1/i! for i = 13 … 0, Horner order.
    private const double C13 = 1.6059043836821613e-10, C12 = 2.08767569878681e-09, C11 = 2.505210838544172e-08,
        C10 = 2.755731922398589e-07, C9 = 2.7557319223985893e-06, C8 = 2.48015873015873e-05, C7 = 0.0001984126984126984,
        C6 = 0.001388888888888889, C5 = 0.008333333333333333, C4 = 0.041666666666666664, C3 = 0.16666666666666666,
        C2 = 0.5, C1 = 1.0, C0 = 1.0;

    /// <summary><c>destination[i] = e^(x[i])</c>.</summary>
    internal static void Apply(ReadOnlySpan<double> x, Span<double> destination) => Unary.Apply<Exponential>(x, destination);

    /// <summary><c>e^x</c> for one value.</summary>
    internal static double Of(double x) => Invoke(new Lane1(x)).Value;

    /// <summary><see cref="Of(double)"/> on four lanes.</summary>
    internal static Vector256<double> Of4(Vector256<double> x) => Invoke(new Lanes256(x)).Value;

    /// <summary><see cref="Of(double)"/> on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Of8(Vector512<double> x) => Invoke(new Lanes512(x)).Value;

    /// <summary>Whether every lane is in [−708, 709], where <see cref="Fast{T}"/> gives the bits of <see cref="Invoke{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool InRange<T>(T x) where T : struct, ILanes<T> =>
        T.All(T.And(T.Or(T.GreaterThan(x, T.Create(-708.0)), T.Equal(x, T.Create(-708.0))),
            T.Or(T.LessThan(x, T.Create(709.0)), T.Equal(x, T.Create(709.0)))));

    /// <summary>
    /// <see cref="Invoke{T}"/> for lanes that are all in [−708, 709] (<see cref="InRange{T}"/>: the caller checks): the same
    /// operations, but 2ᵏ is one normal factor there, so one exact scaling and no range selects. A caller that keeps many
    /// vectors in registers (the small-network step's softmax) stays free of spills with it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Fast<T>(T x) where T : struct, ILanes<T>
    {
        var r = Reduce(x, out var t, out _);
        // k sits in the low bits of t: 2ᵏ = bits (k + 1023) << 52 (the shifter's own bits shift out).
        return Polynomial(r) * T.ShiftLeftBits(T.AddBits(t, T.CreateBits(1023)), 52);
    }

    /// <summary>
    /// The reduction both forms share: <c>t = x·log₂e + 1.5·2⁵²</c> (k = round(x·log₂e) in its low bits), k as a double,
    /// and <c>r = x − k·ln 2</c> by Cody–Waite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Reduce<T>(T x, out T t, out T kd) where T : struct, ILanes<T>
    {
        t = x * T.Create(Log2E) + T.Create(LaneMath.Shifter);
        kd = t - T.Create(LaneMath.Shifter);
        var r = T.FusedMultiplyAdd(-kd, T.Create(Ln2Hi), x);
        return T.FusedMultiplyAdd(-kd, T.Create(Ln2Lo), r);
    }

    /// <summary><c>e^x</c> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T>(T x) where T : struct, ILanes<T>
    {
        var p = Polynomial(Reduce(x, out _, out var kd));
        // k in [−1075, 1024] for x in [Underflow, Overflow]: 2ᵏ = 2^j·2^(k−j), each factor a normal number.
        var j = (kd * T.Create(0.5) + T.Create(LaneMath.Shifter)) - T.Create(LaneMath.Shifter);
        var y = p * LaneMath.PowerOfTwo(j) * LaneMath.PowerOfTwo(kd - j);
        y = T.Select(T.GreaterThan(x, T.Create(Overflow)), T.Create(double.PositiveInfinity), y);
        y = T.Select(T.LessThan(x, T.Create(Underflow)), T.Create(0.0), y);
        return T.Select(LaneMath.IsNaN(x), x, y);
    }

    /// <summary><c>Σ_{i=0..13} rⁱ/i!</c> by Horner's rule with fused multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Polynomial<T>(T r) where T : struct, ILanes<T>
    {
        var p = T.Create(C13);
        p = T.FusedMultiplyAdd(p, r, T.Create(C12)); p = T.FusedMultiplyAdd(p, r, T.Create(C11)); p = T.FusedMultiplyAdd(p, r, T.Create(C10));
        p = T.FusedMultiplyAdd(p, r, T.Create(C9)); p = T.FusedMultiplyAdd(p, r, T.Create(C8)); p = T.FusedMultiplyAdd(p, r, T.Create(C7));
        p = T.FusedMultiplyAdd(p, r, T.Create(C6)); p = T.FusedMultiplyAdd(p, r, T.Create(C5)); p = T.FusedMultiplyAdd(p, r, T.Create(C4));
        p = T.FusedMultiplyAdd(p, r, T.Create(C3)); p = T.FusedMultiplyAdd(p, r, T.Create(C2)); p = T.FusedMultiplyAdd(p, r, T.Create(C1));
        return T.FusedMultiplyAdd(p, r, T.Create(C0));
    }
}

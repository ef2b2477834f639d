using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// The library's own <c>e^x</c>, used by softmax and log-sum-exp: one specified algorithm whose scalar and SIMD forms give
/// the same bits, so a softmax over four values at once equals four scalar ones, and the result does not depend on the
/// platform's C library (<see cref="Math.Exp"/> calls it).
/// </summary>
/// <remarks>
/// The algorithm, every step an IEEE operation or a single-rounding fused multiply-add:
/// <list type="number">
/// <item><c>k = round-to-nearest-even(x·log₂e)</c>, by adding and subtracting 1.5·2⁵².</item>
/// <item><c>r = fma(−k, ln2_lo, fma(−k, ln2_hi, x))</c> (Cody–Waite with ln 2 split in two), so |r| ≤ ½ ln 2 (+ε).</item>
/// <item><c>p = Σ_{i=0..13} rⁱ/i!</c> in Horner form with fused multiply-adds (truncation below 10⁻¹⁷ relative).</item>
/// <item><c>p·2ᵏ</c>: one exact multiplication by 2ᵏ when −1022 ≤ k ≤ 1023, else two (2ᵏ⁺¹⁰⁰⁰ then 2⁻¹⁰⁰⁰, or 2ᵏ⁻¹ then 2), so
/// subnormal results round once. x &gt; 709.79 gives +∞, x &lt; −745.2 gives +0, NaN gives NaN.</item>
/// </list>
/// Accuracy: within 2 ulp of the correctly rounded value (a property test compares it with <see cref="Math.Exp"/>).
/// </remarks>
internal static class Exponential
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 0.6931471805598903; // ln 2 rounded to 42 bits: k·Ln2Hi is exact for |k| < 2¹¹
    private const double Ln2Lo = 5.497923018708371e-14; // ln 2 − Ln2Hi
    private const double Shifter = 6755399441055744.0; // 1.5·2⁵²: adding it rounds a |value| < 2⁵¹ to an integer
    private const double Overflow = 709.782712893384; // ln(largest double)
    private const double Underflow = -745.1332191019412; // ln(smallest subnormal / 2)

    // 1/i! for i = 13 … 0, Horner order.
    private const double C13 = 1.6059043836821613e-10, C12 = 2.08767569878681e-09, C11 = 2.505210838544172e-08,
        C10 = 2.755731922398589e-07, C9 = 2.7557319223985893e-06, C8 = 2.48015873015873e-05, C7 = 0.0001984126984126984,
        C6 = 0.001388888888888889, C5 = 0.008333333333333333, C4 = 0.041666666666666664, C3 = 0.16666666666666666,
        C2 = 0.5, C1 = 1.0, C0 = 1.0;

    /// <summary><c>e^x</c> for one value.</summary>
    internal static double Of(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > Overflow) return double.PositiveInfinity;
        if (x < Underflow) return 0.0;
        var kd = (x * Log2E + Shifter) - Shifter;
        var r = Math.FusedMultiplyAdd(-kd, Ln2Hi, x);
        r = Math.FusedMultiplyAdd(-kd, Ln2Lo, r);
        var p = Poly(r);
        return Scale(p, (int)kd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Poly(double r)
    {
        var p = C13;
        p = Math.FusedMultiplyAdd(p, r, C12); p = Math.FusedMultiplyAdd(p, r, C11); p = Math.FusedMultiplyAdd(p, r, C10);
        p = Math.FusedMultiplyAdd(p, r, C9); p = Math.FusedMultiplyAdd(p, r, C8); p = Math.FusedMultiplyAdd(p, r, C7);
        p = Math.FusedMultiplyAdd(p, r, C6); p = Math.FusedMultiplyAdd(p, r, C5); p = Math.FusedMultiplyAdd(p, r, C4);
        p = Math.FusedMultiplyAdd(p, r, C3); p = Math.FusedMultiplyAdd(p, r, C2); p = Math.FusedMultiplyAdd(p, r, C1);
        return Math.FusedMultiplyAdd(p, r, C0);
    }

    /// <summary><c>p·2ᵏ</c> with one rounding (p in [½, 2]).</summary>
    private static double Scale(double p, int k) =>
        k < -1022 ? p * PowerOfTwo(k + 1000) * PowerOfTwo(-1000)
        : k > 1023 ? p * PowerOfTwo(k - 1) * 2.0
        : p * PowerOfTwo(k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double PowerOfTwo(int k) => BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);

    /// <summary><see cref="Of"/> on four lanes, any values: lanes outside [−708, 709] (or NaN) take the scalar form.</summary>
    internal static Vector256<double> Of4(Vector256<double> x)
    {
        if (Vector256.GreaterThanOrEqualAll(x, Vector256.Create(-708.0)) && Vector256.LessThanOrEqualAll(x, Vector256.Create(709.0)))
            return Exp4(x);
        return Vector256.Create(Of(x[0]), Of(x[1]), Of(x[2]), Of(x[3]));
    }

    /// <summary>
    /// <see cref="Of"/> on eight lanes: one 512-bit pass when every lane is in [−708, 709], else <see cref="Of4"/> per half.
    /// Inlined (the rare other case is a call), so a caller's live vectors are not spilled around a call per exponential.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Of8(Vector512<double> x) => InRange8(x) ? Exp8(x) : Of8ByHalves(x);

    /// <summary>Whether every lane is in [−708, 709], where <see cref="Exp8"/> is <see cref="Of8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool InRange8(Vector512<double> x) =>
        Vector512.GreaterThanOrEqualAll(x, Vector512.Create(-708.0)) && Vector512.LessThanOrEqualAll(x, Vector512.Create(709.0));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<double> Of8ByHalves(Vector512<double> x) => Vector512.Create(Of4(x.GetLower()), Of4(x.GetUpper()));

    /// <summary>
    /// <see cref="Exp4"/> on eight lanes (the same operations, so the same bits per lane): <see cref="Of8"/> for lanes that
    /// are all in [−708, 709] (<see cref="InRange8"/>), with no call on any path, so a caller that checks the range itself
    /// keeps its vectors in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Exp8(Vector512<double> x)
    {
        var shifter = Vector512.Create(Shifter);
        var t = x * Vector512.Create(Log2E) + shifter;
        var kd = t - shifter;
        var r = Vector512.FusedMultiplyAdd(-kd, Vector512.Create(Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(-kd, Vector512.Create(Ln2Lo), r);
        var p = Vector512.Create(C13);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C12)); p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C11));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C10)); p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C9));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C8)); p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C7));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C6)); p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C4)); p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2)); p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C0));
        var k = t.AsInt64() - shifter.AsInt64();
        var scale = Vector512.ShiftLeft(k + Vector512.Create(1023L), 52).AsDouble();
        return p * scale;
    }

    /// <summary><see cref="Of"/> on four lanes in [−708, 709], where k is in [−1022, 1023].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Exp4(Vector256<double> x)
    {
        var shifter = Vector256.Create(Shifter);
        var t = x * Vector256.Create(Log2E) + shifter;
        var kd = t - shifter;
        var r = Vector256.FusedMultiplyAdd(-kd, Vector256.Create(Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(-kd, Vector256.Create(Ln2Lo), r);
        var p = Vector256.Create(C13);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C12)); p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C11));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C10)); p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C9));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C8)); p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C7));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C6)); p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C4)); p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C2)); p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C0));
        // k sits in the low bits of t (t = 1.5·2⁵² + k): 2ᵏ = bits (k + 1023) << 52.
        var k = t.AsInt64() - shifter.AsInt64();
        var scale = Vector256.ShiftLeft(k + Vector256.Create(1023L), 52).AsDouble();
        return p * scale;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// The library's own natural logarithm, used by log-sum-exp (softmax's loss): one specified algorithm whose scalar and
/// SIMD forms give the same bits, independent of the platform's C library (<see cref="Math.Log(double)"/> calls it).
/// </summary>
/// <remarks>
/// fdlibm's <c>__ieee754_log</c> reduction and polynomial, without its special case for k = 0, in plain IEEE operations
/// (no fused multiply-add): write x = 2ᵏ·m with m in [√2/2, √2), f = m − 1, s = f/(2 + f), z = s², w = z²,
/// R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6)), hfsq = f²/2, and
/// <c>log x = k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)</c>. log(+0) = −∞, log(x &lt; 0) = NaN, log(+∞) = +∞;
/// subnormal x is first scaled by 2⁵⁴. Accuracy: within 2 ulp of the correctly rounded value (tested against <see cref="Math.Log(double)"/>).
/// </remarks>
internal static class Logarithm
{
    private const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    private const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
        Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;
    private const long MantissaMask = (1L << 52) - 1;
    private const long Sqrt2Mantissa = 0x6A09E667F3BCDL; // the mantissa bits of √2: an m ≥ √2 moves down an octave

    /// <summary><c>ln x</c> for one value.</summary>
    internal static double Of(double x)
    {
        if (double.IsNaN(x) || x < 0) return double.NaN;
        if (x == 0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        var extra = 0;
        if (x < 2.2250738585072014e-308) // subnormal: bring it into the normal range exactly
        {
            x *= 18014398509481984.0; // 2⁵⁴
            extra = -54;
        }
        var bits = BitConverter.DoubleToInt64Bits(x);
        var k = (int)(bits >> 52) - 1023 + extra;
        var mant = bits & MantissaMask;
        if (mant >= Sqrt2Mantissa) k++;
        var m = BitConverter.Int64BitsToDouble(mant | (mant >= Sqrt2Mantissa ? 1022L << 52 : 1023L << 52));
        return Core(m - 1.0, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Core(double f, double dk)
    {
        var s = f / (2.0 + f);
        var z = s * s;
        var w = z * z;
        var t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
        var t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
        var r = t2 + t1;
        var hfsq = 0.5 * f * f;
        return dk * Ln2Hi - ((hfsq - (s * (hfsq + r) + dk * Ln2Lo)) - f);
    }

    /// <summary>
    /// <see cref="Of4"/> on eight lanes: one 512-bit pass (the same operations) when every lane is a positive normal finite
    /// number, else <see cref="Of4"/> per half. Inlined (the rare other case is a call), so a caller's live vectors are not
    /// spilled around it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Of8(Vector512<double> x) => Normal8(x) ? Log8(x) : Of8ByHalves(x);

    /// <summary>Whether every lane is a positive normal finite number, where <see cref="Log8"/> is <see cref="Of8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Normal8(Vector512<double> x) =>
        Vector512.GreaterThanOrEqualAll(x, Vector512.Create(2.2250738585072014e-308)) && Vector512.LessThanOrEqualAll(x, Vector512.Create(double.MaxValue));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<double> Of8ByHalves(Vector512<double> x) => Vector512.Create(Of4(x.GetLower()), Of4(x.GetUpper()));

    /// <summary><see cref="Of8"/> for lanes that are all positive normal finite numbers (<see cref="Normal8"/>); no call on any path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Log8(Vector512<double> x)
    {
        var bits = x.AsInt64();
        var mant = bits & Vector512.Create(MantissaMask);
        var up = Vector512.GreaterThanOrEqual(mant, Vector512.Create(Sqrt2Mantissa));
        var k = Vector512.ShiftRightArithmetic(bits, 52) - Vector512.Create(1023L) - up;
        var m = (mant | Vector512.ConditionalSelect(up, Vector512.Create(1022L << 52), Vector512.Create(1023L << 52))).AsDouble();
        var f = m - Vector512.Create(1.0);
        var dk = Vector512.ConvertToDouble(k);
        var s = f / (Vector512.Create(2.0) + f);
        var z = s * s;
        var w = z * z;
        var t1 = w * (Vector512.Create(Lg2) + w * (Vector512.Create(Lg4) + w * Vector512.Create(Lg6)));
        var t2 = z * (Vector512.Create(Lg1) + w * (Vector512.Create(Lg3) + w * (Vector512.Create(Lg5) + w * Vector512.Create(Lg7))));
        var r = t2 + t1;
        var hfsq = Vector512.Create(0.5) * f * f;
        return dk * Vector512.Create(Ln2Hi) - ((hfsq - (s * (hfsq + r) + dk * Vector512.Create(Ln2Lo))) - f);
    }

    /// <summary><see cref="Of"/> on four lanes: lanes that are not positive normal finite numbers take the scalar form.</summary>
    internal static Vector256<double> Of4(Vector256<double> x)
    {
        if (!(Vector256.GreaterThanOrEqualAll(x, Vector256.Create(2.2250738585072014e-308)) && Vector256.LessThanOrEqualAll(x, Vector256.Create(double.MaxValue))))
            return Vector256.Create(Of(x[0]), Of(x[1]), Of(x[2]), Of(x[3]));
        var bits = x.AsInt64();
        var mant = bits & Vector256.Create(MantissaMask);
        var up = Vector256.GreaterThanOrEqual(mant, Vector256.Create(Sqrt2Mantissa)); // all ones where m ≥ √2
        var k = Vector256.ShiftRightArithmetic(bits, 52) - Vector256.Create(1023L) - up; // up is −1 where set
        var m = (mant | Vector256.ConditionalSelect(up, Vector256.Create(1022L << 52), Vector256.Create(1023L << 52))).AsDouble();
        var f = m - Vector256.Create(1.0);
        var dk = Vector256.ConvertToDouble(k);
        var s = f / (Vector256.Create(2.0) + f);
        var z = s * s;
        var w = z * z;
        var t1 = w * (Vector256.Create(Lg2) + w * (Vector256.Create(Lg4) + w * Vector256.Create(Lg6)));
        var t2 = z * (Vector256.Create(Lg1) + w * (Vector256.Create(Lg3) + w * (Vector256.Create(Lg5) + w * Vector256.Create(Lg7))));
        var r = t2 + t1;
        var hfsq = Vector256.Create(0.5) * f * f;
        return dk * Vector256.Create(Ln2Hi) - ((hfsq - (s * (hfsq + r) + dk * Vector256.Create(Ln2Lo))) - f);
    }
}

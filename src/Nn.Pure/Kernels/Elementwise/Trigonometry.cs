namespace Nn.Kernels;

/// <summary>
/// Sine and cosine of our own, so no computed value depends on the platform's C library (which rounds differently on
/// other systems): <c>sin(πx)</c> and <c>cos(πx)</c> by an exact reduction to r = x − n/2 ∈ [−¼, ¼] (n the nearest
/// integer to 2x) and Taylor polynomials in r of degree 17 and 18 (truncation below 10⁻¹⁹ relative), evaluated by
/// Horner's rule with plain multiplications and additions; then the quadrant n mod 4. Within a few ulp of the true
/// values, and the same bits on every machine. Radians go through <c>x / π</c> (<see cref="SinCos"/>).
/// </summary>
internal static class Trigonometry
{
    // (−1)^k·π^(2k+1)/(2k+1)! and (−1)^k·π^(2k)/(2k)!, each the double nearest the exact value (computed to 60 digits).
    private const double S0 = 3.141592653589793, S1 = -5.16771278004997, S2 = 2.5501640398773455, S3 = -0.5992645293207921,
        S4 = 0.08214588661112823, S5 = -0.0073704309457143504, S6 = 0.00046630280576761255, S7 = -2.1915353447830217e-05,
        S8 = 7.952054001475513e-07;

    private const double C1 = -4.934802200544679, C2 = 4.0587121264167685, C3 = -1.3352627688545895, C4 = 0.2353306303588932,
        C5 = -0.02580689139001406, C6 = 0.0019295743094039231, C7 = -0.0001046381049248457, C8 = 4.303069587032947e-06,
        C9 = -1.3878952462213771e-07;

    /// <summary><c>(sin(πx), cos(πx))</c>; NaN for NaN or ±∞.</summary>
    internal static (double Sin, double Cos) SinCosPi(double x)
    {
        if (!double.IsFinite(x)) return (double.NaN, double.NaN);
        // From 2^52 on every double is an integer, and from 2^53 an even one: sin(πx) = 0, cos(πx) = ±1.
        if (Math.Abs(x) >= 4503599627370496.0)
            return (0.0, Math.Abs(x) >= 9007199254740992.0 || Math.Abs(x % 2.0) == 0.0 ? 1.0 : -1.0);
        var n = Math.Round(2.0 * x, MidpointRounding.ToEven);
        var r = x - 0.5 * n;        // exact: |r| ≤ ¼, and x and n/2 are within a factor of two of each other (or n = 0)
        var r2 = r * r;
        var s = r * (S0 + r2 * (S1 + r2 * (S2 + r2 * (S3 + r2 * (S4 + r2 * (S5 + r2 * (S6 + r2 * (S7 + r2 * S8))))))));
        var c = 1.0 + r2 * (C1 + r2 * (C2 + r2 * (C3 + r2 * (C4 + r2 * (C5 + r2 * (C6 + r2 * (C7 + r2 * (C8 + r2 * C9))))))));
        return ((long)n & 3) switch
        {
            0 => (s, c),
            1 => (c, -s),
            2 => (-s, -c),
            _ => (-c, s),
        };
    }

    /// <summary><c>(sin x, cos x)</c> for x in radians, as <see cref="SinCosPi"/> of <c>x / π</c> (one rounding in the division).</summary>
    internal static (double Sin, double Cos) SinCos(double x) => SinCosPi(x / Math.PI);

    /// <summary>
    /// <c>bⁿ</c> for a whole n ≥ 0 by binary exponentiation (square and multiply) in double-double arithmetic (products
    /// split exactly with a fused multiply-add), rounded once at the end: within about an ulp of the true power for any n,
    /// and the same bits everywhere, unlike <c>Math.Pow</c>.
    /// </summary>
    internal static double Power(double b, long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The exponent must be >= 0.");
        if (!double.IsFinite(b) || b == 0.0) return n == 0 ? 1.0 : Plain(b, n);
        (double Hi, double Lo) result = (1.0, 0.0), square = (b, 0.0);
        while (n > 0)
        {
            if ((n & 1) != 0) result = Multiply(result, square);
            n >>= 1;
            if (n == 0) break;
            square = Multiply(square, square);
            // Near underflow or overflow the pairs' low parts lose their meaning: finish the power in plain doubles.
            if (!(Math.Abs(square.Hi) is > 1e-280 and < 1e280) || !(Math.Abs(result.Hi) > 1e-280))
                return (result.Hi + result.Lo) * Plain(square.Hi + square.Lo, n);
        }
        return result.Hi + result.Lo;
    }

    /// <summary>Square and multiply in plain doubles (for 0, ±∞, NaN, and the tail of a power that has underflowed or overflowed).</summary>
    private static double Plain(double b, long n)
    {
        var result = 1.0;
        var square = b;
        while (n > 0)
        {
            if ((n & 1) != 0) result *= square;
            n >>= 1;
            if (n > 0) square *= square;
        }
        return result;
    }

    /// <summary>The double-double product of two double-double numbers, renormalised.</summary>
    private static (double Hi, double Lo) Multiply((double Hi, double Lo) a, (double Hi, double Lo) b)
    {
        var p = a.Hi * b.Hi;
        var e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p);   // the exact error of the product
        e += a.Hi * b.Lo + a.Lo * b.Hi;
        var hi = p + e;
        return (hi, e - (hi - p));
    }
}

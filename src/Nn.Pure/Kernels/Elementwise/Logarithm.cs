using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// The library's own natural logarithm, per element <c>destination[i] = ln x[i]</c>: one specified algorithm, written
/// once over <see cref="ILanes{T}"/>, so its scalar and SIMD forms give the same bits, independent of the platform's C
/// library (<see cref="Math.Log(double)"/> calls it). Log-sum-exp (softmax's loss) and the log loss use it;
/// <see cref="LogOnePlus"/> shares its reduction and polynomial.
/// </summary>
/// <remarks>
/// fdlibm's <c>__ieee754_log</c> reduction and polynomial, without its special case for k = 0, in plain IEEE operations
/// (no fused multiply-add): write x = 2ᵏ·m with m in [√2/2, √2), f = m − 1, s = f/(2 + f), z = s², w = z²,
/// R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6)), hfsq = f²/2, and
/// <c>log x = k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)</c>. log(±0) = −∞, log(x &lt; 0) = NaN, log(+∞) = +∞,
/// log(NaN) = NaN; subnormal x is first scaled by 2⁵⁴. Accuracy: below 1 ulp (0.79 ulp at most in 1,000,000 samples
/// over the whole range, measured against a 160-bit reference in ElementaryFunctionProperties).
/// </remarks>
internal readonly struct Logarithm : IUnaryOperator
{
    private const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    private const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
        Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;
    private const long MantissaMask = (1L << 52) - 1;
    private const long OneBits = 1023L << 52;
    private const double BelowSqrt2 = 1.414213562373095; // the double below the one nearest √2: an m above it (m ≥ √2) moves down an octave
    private const double SmallestNormal = 2.2250738585072014e-308;

    /// <summary><c>destination[i] = ln x[i]</c>.</summary>
    internal static void Apply(ReadOnlySpan<double> x, Span<double> destination) => Unary.Apply<Logarithm>(x, destination);

    /// <summary><c>ln x</c> for one value.</summary>
    internal static double Of(double x) => Invoke(new Lane1(x)).Value;

    /// <summary><see cref="Of(double)"/> on four lanes.</summary>
    internal static Vector256<double> Of4(Vector256<double> x) => Invoke(new Lanes256(x)).Value;

    /// <summary><see cref="Of(double)"/> on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Of8(Vector512<double> x) => Invoke(new Lanes512(x)).Value;

    /// <summary>Whether every lane is a positive normal finite number, where <see cref="Fast{T}"/> gives the bits of <see cref="Invoke{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Normal<T>(T x) where T : struct, ILanes<T> =>
        T.All(T.And(T.Or(T.GreaterThan(x, T.Create(SmallestNormal)), T.Equal(x, T.Create(SmallestNormal))),
            T.Or(T.LessThan(x, T.Create(double.MaxValue)), T.Equal(x, T.Create(double.MaxValue)))));

    /// <summary>
    /// <see cref="Invoke{T}"/> for lanes that are all positive normal finite numbers (<see cref="Normal{T}"/>: the caller
    /// checks): the same reduction and polynomial without the special cases' selects (see <see cref="Exponential.Fast{T}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Fast<T>(T x) where T : struct, ILanes<T>
    {
        Reduce(x, out var f, out var dk);
        return Core(f, dk, dk * T.Create(Ln2Lo));
    }

    /// <summary><c>ln x</c> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T>(T x) where T : struct, ILanes<T>
    {
        var subnormal = T.LessThan(x, T.Create(SmallestNormal));
        var xs = T.Select(subnormal, x * T.Create(18014398509481984.0), x); // × 2⁵⁴: exact
        Reduce(xs, out var f, out var dk);
        dk += T.Select(subnormal, T.Create(-54.0), T.Create(0.0));
        var y = Core(f, dk, dk * T.Create(Ln2Lo));
        y = T.Select(T.Equal(x, T.Create(double.PositiveInfinity)), x, y);
        y = T.Select(T.Equal(x, T.Create(0.0)), T.Create(double.NegativeInfinity), y);
        return T.Select(T.Or(T.LessThan(x, T.Create(0.0)), LaneMath.IsNaN(x)), T.Create(double.NaN), y);
    }

    /// <summary>
    /// For a positive normal x = 2ᵏ·m with m in [√2/2, √2): f = m − 1 (exact) and k as a double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Reduce<T>(T x, out T f, out T dk) where T : struct, ILanes<T>
    {
        var m = T.Or(T.And(x, T.CreateBits(MantissaMask)), T.CreateBits(OneBits)); // in [1, 2)
        var up = T.GreaterThan(m, T.Create(BelowSqrt2)); // m ≥ √2
        f = T.Select(up, m * T.Create(0.5), m) - T.Create(1.0);
        dk = LaneMath.IntegerToDouble(T.ShiftRightBits(x, 52)) - T.Create(1023.0) + T.Select(up, T.Create(1.0), T.Create(0.0));
    }

    /// <summary>
    /// <c>k·ln2_hi − ((hfsq − (s·(hfsq + R) + lo)) − f)</c>, fdlibm's <c>ln(2ᵏ(1 + f))</c> with <paramref name="lo"/> =
    /// k·ln2_lo (plus any correction, as <see cref="LogOnePlus"/> adds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Core<T>(T f, T dk, T lo) where T : struct, ILanes<T>
    {
        var s = f / (T.Create(2.0) + f);
        var z = s * s;
        var w = z * z;
        var t1 = w * (T.Create(Lg2) + w * (T.Create(Lg4) + w * T.Create(Lg6)));
        var t2 = z * (T.Create(Lg1) + w * (T.Create(Lg3) + w * (T.Create(Lg5) + w * T.Create(Lg7))));
        var r = t2 + t1;
        var hfsq = T.Create(0.5) * f * f;
        return dk * T.Create(Ln2Hi) - ((hfsq - (s * (hfsq + r) + lo)) - f);
    }
}

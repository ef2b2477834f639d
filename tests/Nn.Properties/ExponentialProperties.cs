using FsCheck;
using FsCheck.Fluent;
using Nn.Kernels;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// The library's own e^x (softmax and log-sum-exp use it): close to the platform's <see cref="Math.Exp"/>, and its SIMD
/// form gives the bits of its scalar form element by element, whatever mix of ordinary, extreme and special values a
/// vector holds.
/// </summary>
public class ExponentialProperties
{
    private static long UlpDistance(double a, double b)
    {
        if (a == b) return 0;
        long Ordered(double x) { var bits = BitConverter.DoubleToInt64Bits(x); return bits < 0 ? long.MinValue - bits : bits; }
        return Math.Abs(Ordered(a) - Ordered(b));
    }

    /// <summary>Arguments across the whole range: ordinary, near the overflow and subnormal edges, tiny, and special.</summary>
    private static Gen<double> Arguments { get; } = Gen.OneOf(
        Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1e4 * 7.45), // [−745, 745]
        Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1e6 * 3.0), // [−3, 3]
        Gen.Choose(0, 1_000_000).Select(i => -708.0 - i / 1e6 * 38.0), // the subnormal results
        Gen.Choose(0, 1_000_000).Select(i => 708.0 + i / 1e6 * 2.0), // up to and past overflow
        Gen.Choose(-1000, 1000).Select(i => i * 1e-300),
        Gen.Elements(0.0, -0.0, 1.0, -1.0, 709.782712893384, 709.7827128933841, -745.1332191019411, -745.14,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, -double.Epsilon));

    /// <summary>Arguments whose vectors take the SIMD form (every lane in [−708, 709]).</summary>
    private static Gen<double> Ordinary { get; } = Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1e6 * 708.0);

    [Fact]
    public void Exp_is_within_2_ulp_of_Math_Exp_and_has_its_special_values() =>
        PropertyConfig.Check(Arguments, x =>
        {
            var expected = Math.Exp(x);
            var actual = Exponential.Of(x);
            if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"exp({x:R}) = {actual:R}, expected NaN");
            else Assert.True(UlpDistance(expected, actual) <= 2, $"exp({x:R}) = {actual:R}, Math.Exp gives {expected:R} ({UlpDistance(expected, actual)} ulp apart)");
        }, maxTest: 20_000);

    /// <summary>A SIMD form on <paramref name="width"/> lanes gives the scalar bits in every lane, for mixed and ordinary vectors.</summary>
    private static void LanesGiveScalarBits(int width, Func<double[], double[]> simd) =>
        PropertyConfig.Check(
            from mixed in Gen.Elements(true, false)
            from xs in Gen.ArrayOf(mixed ? Arguments : Ordinary, width)
            select xs,
            xs =>
            {
                var lanes = simd(xs);
                for (var l = 0; l < width; l++)
                    Assert.Equal(BitConverter.DoubleToInt64Bits(Exponential.Of(xs[l])), BitConverter.DoubleToInt64Bits(lanes[l]));
            }, maxTest: 5_000);

    [Fact]
    public void Exp_of_four_lanes_gives_the_scalar_bits_in_every_lane() =>
        LanesGiveScalarBits(4, xs => Lanes.Of(Exponential.Of4(System.Runtime.Intrinsics.Vector256.Create(xs))));

    [Fact]
    public void Exp_of_eight_lanes_gives_the_scalar_bits_in_every_lane() =>
        LanesGiveScalarBits(8, xs => Lanes.Of(Exponential.Of8(System.Runtime.Intrinsics.Vector512.Create(xs))));
}

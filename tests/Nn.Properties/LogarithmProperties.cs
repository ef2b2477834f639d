using System.Runtime.Intrinsics;
using FsCheck;
using FsCheck.Fluent;
using Nn.Kernels;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// The library's own ln x (log-sum-exp uses it): close to the platform's <see cref="Math.Log(double)"/> with its special
/// values, and its four-lane SIMD form gives the scalar bits in every lane.
/// </summary>
public class LogarithmProperties
{
    private static long UlpDistance(double a, double b)
    {
        if (a == b) return 0;
        long Ordered(double x) { var bits = BitConverter.DoubleToInt64Bits(x); return bits < 0 ? long.MinValue - bits : bits; }
        return Math.Abs(Ordered(a) - Ordered(b));
    }

    /// <summary>Arguments from subnormal to huge, around 1 (where ln x is near 0) and √2 (the reduction's edge), and special values.</summary>
    private static Gen<double> Arguments { get; } = Gen.OneOf(
        Gen.Choose(-1_000_000, 1_000_000).Select(i => Math.Exp(i / 1e6 * 709.0)),
        Gen.Choose(0, 1_000_000).Select(i => 1.0 + i / 1e6 * 15.0), // a softmax row's sum: 1 … classes
        Gen.Choose(-1_000_000, 1_000_000).Select(i => 1.0 + i / 1e6 * 1e-3),
        Gen.Choose(-1_000_000, 1_000_000).Select(i => Math.Sqrt(2) * (1.0 + i / 1e6 * 1e-9)),
        Gen.Choose(1, 1_000_000).Select(i => i * double.Epsilon * 1e9),
        Gen.Elements(0.0, -0.0, -1.0, 1.0, 2.0, double.Epsilon, 2.2250738585072014e-308, double.MaxValue,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN));

    [Fact]
    public void Log_is_within_2_ulp_of_Math_Log_and_has_its_special_values() =>
        PropertyConfig.Check(Arguments, x =>
        {
            var expected = Math.Log(x);
            var actual = Logarithm.Of(x);
            if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"ln({x:R}) = {actual:R}, expected NaN");
            else Assert.True(UlpDistance(expected, actual) <= 2, $"ln({x:R}) = {actual:R}, Math.Log gives {expected:R} ({UlpDistance(expected, actual)} ulp apart)");
        }, maxTest: 20_000);

    /// <summary>A SIMD form on <paramref name="width"/> lanes gives the scalar bits in every lane, for mixed and ordinary vectors.</summary>
    private static void LanesGiveScalarBits(int width, Func<double[], double[]> simd) =>
        PropertyConfig.Check(
            from mixed in Gen.Elements(true, false)
            from xs in Gen.ArrayOf(mixed ? Arguments : Gen.Choose(1, 1_000_000).Select(i => i / 1e3), width)
            select xs,
            xs =>
            {
                var lanes = simd(xs);
                for (var l = 0; l < width; l++)
                    Assert.Equal(BitConverter.DoubleToInt64Bits(Logarithm.Of(xs[l])), BitConverter.DoubleToInt64Bits(lanes[l]));
            }, maxTest: 5_000);

    [Fact]
    public void Log_of_four_lanes_gives_the_scalar_bits_in_every_lane() =>
        LanesGiveScalarBits(4, xs => Lanes.Of(Logarithm.Of4(Vector256.Create(xs))));

    [Fact]
    public void Log_of_eight_lanes_gives_the_scalar_bits_in_every_lane() =>
        LanesGiveScalarBits(8, xs => Lanes.Of(Logarithm.Of8(Vector512.Create(xs))));
}

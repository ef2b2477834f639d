using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Kernels;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>The library's own sin/cos of πx and whole powers: accurate to a few ulp, exact where they must be.</summary>
public sealed class TrigonometryProperties
{
    private static double Ulps(double actual, double expected) =>
        actual == expected ? 0 : Math.Abs(actual - expected) / Math.Max(Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected), double.Epsilon);

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property SinPi_and_CosPi_are_within_four_ulp_of_the_runtime_and_exact_at_the_quarter_points() =>
        Prop.ForAll(
            Arb.From(from scale in Gen.Elements(1e-6, 1.0, 8.0, 1e3, 1e9)
                     from u in Gen.Choose(-1_000_000, 1_000_000)
                     select u / 1e6 * scale),
            x =>
            {
                var (s, c) = Trigonometry.SinCosPi(x);
                // Absolute error relative to 1 (the functions' scale), so zero crossings do not inflate a relative measure.
                Assert.True(Math.Abs(s - double.SinPi(x)) <= 4.5e-16 || Ulps(s, double.SinPi(x)) <= 4, $"sinpi({x:R}) = {s:R}, runtime {double.SinPi(x):R}");
                Assert.True(Math.Abs(c - double.CosPi(x)) <= 4.5e-16 || Ulps(c, double.CosPi(x)) <= 4, $"cospi({x:R}) = {c:R}, runtime {double.CosPi(x):R}");
            });

    [Fact]
    public void Special_values()
    {
        Assert.Equal((0.0, 1.0), Trigonometry.SinCosPi(0.0));
        Assert.Equal((1.0, 0.0), Trigonometry.SinCosPi(0.5));
        Assert.Equal(-1.0, Trigonometry.SinCosPi(1.0).Cos);
        Assert.Equal(0.0, Trigonometry.SinCosPi(1.0).Sin, 0.0);
        Assert.Equal(-1.0, Trigonometry.SinCosPi(1.5).Sin);
        Assert.Equal(Math.Sqrt(0.5), Trigonometry.SinCosPi(0.25).Sin, 15);
        Assert.True(double.IsNaN(Trigonometry.SinCosPi(double.NaN).Sin));
        Assert.True(double.IsNaN(Trigonometry.SinCosPi(double.PositiveInfinity).Cos));
        Assert.Equal((0.0, 1.0), Trigonometry.SinCosPi(1e17));
        Assert.Equal(-1.0, Trigonometry.SinCosPi(4503599627370497.0).Cos);   // 2^52 + 1, odd
        // Radians: sin(1) and cos(1) within a few ulp.
        var (s1, c1) = Trigonometry.SinCos(1.0);
        Assert.Equal(0.8414709848078965, s1, 14);
        Assert.Equal(0.5403023058681398, c1, 14);
    }

    [Fact]
    public void Whole_powers_are_exact_where_the_result_is_representable_and_within_a_few_ulp_of_pow_elsewhere()
    {
        Assert.Equal(1.0, Trigonometry.Power(0.9, 0));
        Assert.Equal(1024.0, Trigonometry.Power(2.0, 10));
        Assert.Equal(0.0625, Trigonometry.Power(0.5, 4));
        Assert.Equal(81.0, Trigonometry.Power(3.0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Trigonometry.Power(2.0, -1));
        foreach (var (b, n) in new[] { (0.9, 7L), (0.999, 1000L), (0.999, 123_457L), (1.0001, 50_000L), (0.5, 1074L) })
        {
            var expected = Math.Pow(b, n);
            Assert.True(Math.Abs(Trigonometry.Power(b, n) - expected) <= 1e-15 * Math.Abs(expected) + double.Epsilon,
                $"{b}^{n}: {Trigonometry.Power(b, n):R} against {expected:R}");
        }
    }
}

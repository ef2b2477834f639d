using System.Globalization;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Kernels;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// The library's own element-wise functions (e^x, ln x, e^x − 1, ln(1 + x), tanh, σ): within a few ulp of the exact
/// value over their whole range (measured against a 160-bit oracle, <see cref="HighPrecision"/>, itself checked against a
/// table made with mpmath), the IEEE special values (±0, ±∞, NaN, subnormals) right to the bit, and the same bits in
/// the scalar form and in every SIMD width (128, 256 and 512 bits, whichever this machine accelerates: a width it does
/// not accelerate still runs, in software, with the same operations).
/// </summary>
public class ElementaryFunctionProperties
{
    /// <summary>What a function must give at x: exactly these bits (any NaN for NaN), or within the bound of an exact value.</summary>
    private readonly record struct Expected(double Bits, HighPrecision? Value)
    {
        public static Expected Exactly(double bits) => new(bits, null);

        public static Expected Near(HighPrecision value) => new(double.NaN, value);
    }

    /// <summary>One function under test: its kernel, its span form on a given width, the exact values, arguments, bound.</summary>
    private sealed record Function(
        string Name,
        Func<double, double> Scalar,
        Func<int, double[], double[]> OnWidth,
        Func<double, Expected> Reference,
        Gen<double> Arguments,
        (double X, double Y)[] Specials,
        double MaxUlp);

    private static Function Make<TOp>(string name, Func<double, Expected> reference, Gen<double> arguments,
        (double, double)[] specials, double maxUlp) where TOp : IUnaryOperator =>
        new(name, Unary.Of<TOp>, OnWidth<TOp>, reference, arguments, specials, maxUlp);

    /// <summary>The span form forced onto one width (1 = scalar; 2, 4, 8 lanes), over a fresh destination.</summary>
    private static double[] OnWidth<TOp>(int width, double[] xs) where TOp : IUnaryOperator
    {
        var d = new double[xs.Length];
        switch (width)
        {
            case 1: Unary.Apply<TOp, Lane1>(xs, d); break;
            case 2: Unary.Apply<TOp, Lanes128>(xs, d); break;
            case 4: Unary.Apply<TOp, Lanes256>(xs, d); break;
            case 8: Unary.Apply<TOp, Lanes512>(xs, d); break;
            default: throw new ArgumentOutOfRangeException(nameof(width));
        }
        return d;
    }

    private static HighPrecision H(double x) => HighPrecision.From(x);

    // ---- arguments ------------------------------------------------------------------------------------------------

    /// <summary>A double whose binary exponent is uniform in [lo, hi] (subnormals below −1022), mantissa uniform.</summary>
    private static Gen<double> Binades(int lo, int hi, bool signed) =>
        from e in Gen.Choose(lo, hi)
        from high in Gen.Choose(0, (1 << 26) - 1)
        from low in Gen.Choose(0, (1 << 26) - 1)
        from negative in Gen.Elements(signed, false)
        let mantissa = ((long)high << 26) | (long)low
        let x = e >= -1022
            ? BitConverter.Int64BitsToDouble(((long)(e + 1023) << 52) | mantissa)
            : BitConverter.Int64BitsToDouble((1L << (e + 1074)) | (mantissa & ((1L << (e + 1074)) - 1)))
        select negative ? -x : x;

    private static Gen<double> Uniform(double lo, double hi) =>
        Gen.Choose(0, 1_000_000_000).Select(i => lo + (hi - lo) * (i / 1e9));

    private static readonly double[] Specials =
        [0.0, -0.0, double.Epsilon, -double.Epsilon, 2.2250738585072014e-308, -2.2250738585072014e-308,
         double.MaxValue, -double.MaxValue, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1.0, -1.0];

    /// <summary>Every binade, an ordinary range (twice as often), and the special values.</summary>
    private static Gen<double> Arguments(int lo, int hi, bool signed, Gen<double> ordinary) =>
        Gen.OneOf(Binades(lo, hi, signed), ordinary, ordinary, Gen.Elements(Specials));

    // ---- the functions ------------------------------------------------------------------------------------------

    private static readonly Function[] All =
    [
        Make<Exponential>("exp",
            x => double.IsNaN(x) ? Expected.Exactly(double.NaN)
                : x > 1000 ? Expected.Exactly(double.PositiveInfinity)
                : x < -1000 ? Expected.Exactly(0.0)
                : Expected.Near(HighPrecision.Exp(H(x))),
            Arguments(-1074, 10, true, Uniform(-746, 711)),
            [(0.0, 1.0), (-0.0, 1.0), (double.Epsilon, 1.0), (1e-300, 1.0), (double.PositiveInfinity, double.PositiveInfinity),
             (double.NegativeInfinity, 0.0), (710.0, double.PositiveInfinity), (-746.0, 0.0), (double.NaN, double.NaN)],
            maxUlp: 1.0),
        Make<Logarithm>("log",
            x => double.IsNaN(x) || x < 0 ? Expected.Exactly(double.NaN)
                : x == 0 ? Expected.Exactly(double.NegativeInfinity)
                : double.IsPositiveInfinity(x) ? Expected.Exactly(x)
                : x == 1 ? Expected.Exactly(0.0)
                : Expected.Near(HighPrecision.Log(H(x))),
            Arguments(-1074, 1023, false, Gen.OneOf(Uniform(0.5, 2), Uniform(1 - 1e-6, 1 + 1e-6))),
            [(0.0, double.NegativeInfinity), (-0.0, double.NegativeInfinity), (1.0, 0.0), (-1.0, double.NaN),
             (double.NegativeInfinity, double.NaN), (double.PositiveInfinity, double.PositiveInfinity), (double.NaN, double.NaN)],
            maxUlp: 1.0),
        Make<ExponentialMinusOne>("expm1",
            x => double.IsNaN(x) ? Expected.Exactly(double.NaN)
                : x > 1000 ? Expected.Exactly(double.PositiveInfinity)
                : x < -1000 ? Expected.Exactly(-1.0)
                : x == 0 ? Expected.Exactly(x)
                : Expected.Near(HighPrecision.ExpMinusOne(H(x))),
            Arguments(-1074, 10, true, Gen.OneOf(Uniform(-45, 711), Uniform(-1.5, 1.5))),
            [(0.0, 0.0), (-0.0, -0.0), (double.Epsilon, double.Epsilon), (-double.Epsilon, -double.Epsilon), (1e-300, 1e-300),
             (double.PositiveInfinity, double.PositiveInfinity), (double.NegativeInfinity, -1.0), (-50.0, -1.0),
             (710.0, double.PositiveInfinity), (double.NaN, double.NaN)],
            maxUlp: 1.0),
        Make<LogOnePlus>("log1p",
            x => double.IsNaN(x) || x < -1 ? Expected.Exactly(double.NaN)
                : x == -1 ? Expected.Exactly(double.NegativeInfinity)
                : double.IsPositiveInfinity(x) || x == 0 ? Expected.Exactly(x)
                : Expected.Near(HighPrecision.LogOnePlus(H(x))),
            Arguments(-1074, 1023, true, Gen.OneOf(Uniform(-1, 3), Uniform(-1e-3, 1e-3))),
            [(0.0, 0.0), (-0.0, -0.0), (double.Epsilon, double.Epsilon), (-double.Epsilon, -double.Epsilon), (1e-300, 1e-300),
             (-1.0, double.NegativeInfinity), (-2.0, double.NaN), (double.NegativeInfinity, double.NaN),
             (double.PositiveInfinity, double.PositiveInfinity), (double.NaN, double.NaN)],
            maxUlp: 1.0),
        Make<HyperbolicTangent>("tanh",
            x => double.IsNaN(x) ? Expected.Exactly(double.NaN)
                : double.IsInfinity(x) ? Expected.Exactly(Math.Sign(x))
                : x == 0 ? Expected.Exactly(x)
                : Expected.Near(HighPrecision.Tanh(H(x))),
            Arguments(-1074, 6, true, Uniform(-25, 25)),
            [(0.0, 0.0), (-0.0, -0.0), (double.Epsilon, double.Epsilon), (-double.Epsilon, -double.Epsilon), (1e-300, 1e-300),
             (double.PositiveInfinity, 1.0), (double.NegativeInfinity, -1.0), (30.0, 1.0), (-30.0, -1.0), (double.NaN, double.NaN)],
            maxUlp: 1.0),
        Make<Logistic>("sigmoid",
            x => double.IsNaN(x) ? Expected.Exactly(double.NaN)
                : double.IsPositiveInfinity(x) ? Expected.Exactly(1.0)
                : double.IsNegativeInfinity(x) ? Expected.Exactly(0.0)
                : Expected.Near(HighPrecision.Sigmoid(H(x))),
            Arguments(-1074, 11, true, Gen.OneOf(Uniform(-750, 750), Uniform(-40, 40))),
            [(0.0, 0.5), (-0.0, 0.5), (double.PositiveInfinity, 1.0), (double.NegativeInfinity, 0.0), (40.0, 1.0),
             (-800.0, 0.0), (double.NaN, double.NaN)],
            maxUlp: 1.0),
    ];

    public static TheoryData<string> Names => new(All.Select(f => f.Name));

    public static TheoryData<string, int> NamesAndWidths
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var f in All)
                foreach (var width in new[] { 2, 4, 8 }) data.Add(f.Name, width);
            return data;
        }
    }

    private static Function Named(string name) => All.Single(f => f.Name == name);

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static void AssertMeets(Function f, double x, double actual, Expected expected)
    {
        if (expected.Value is not { } exact)
        {
            if (double.IsNaN(expected.Bits)) Assert.True(double.IsNaN(actual), $"{f.Name}({R(x)}) = {R(actual)}, expected NaN");
            else Assert.True(BitConverter.DoubleToInt64Bits(expected.Bits) == BitConverter.DoubleToInt64Bits(actual),
                $"{f.Name}({R(x)}) = {R(actual)}, expected exactly {R(expected.Bits)}");
            return;
        }
        var error = HighPrecision.UlpError(actual, exact);
        Assert.True(error <= f.MaxUlp, $"{f.Name}({R(x)}) = {R(actual)}, exact {exact}: {error:F3} ulp (bound {f.MaxUlp})");
        if (actual == 0) // a result that underflows keeps the sign of the exact value
            Assert.True(double.IsNegative(actual) == (exact.Sign < 0), $"{f.Name}({R(x)}) = {R(actual)} has the wrong sign");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Is_within_its_ulp_bound_over_every_binade_and_exact_on_special_values(string name)
    {
        var f = Named(name);
        PropertyConfig.Check(f.Arguments, x => AssertMeets(f, x, f.Scalar(x), f.Reference(x)), maxTest: 2_000);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gives_the_IEEE_special_values_to_the_bit(string name)
    {
        var f = Named(name);
        foreach (var (x, y) in f.Specials)
        {
            AssertMeets(f, x, f.Scalar(x), Expected.Exactly(y));
            foreach (var width in new[] { 2, 4, 8 }) // in every lane of every width too
            {
                var lanes = f.OnWidth(width, Enumerable.Repeat(x, width).ToArray());
                Assert.All(lanes, v => AssertMeets(f, x, v, Expected.Exactly(y)));
            }
        }
    }

    /// <summary>The values of elementary-reference.csv (mpmath at 256 bits, rounded to 200): function, x, exact value.</summary>
    private static IEnumerable<(string Name, double X, HighPrecision Exact)> Table()
    {
        using var stream = typeof(ElementaryFunctionProperties).Assembly.GetManifestResourceStream("elementary-reference.csv")
            ?? throw new InvalidOperationException("elementary-reference.csv is not embedded.");
        using var reader = new StreamReader(stream);
        reader.ReadLine(); // header
        while (reader.ReadLine() is { } line)
        {
            var cells = line.Split(',');
            var x = BitConverter.Int64BitsToDouble(unchecked((long)ulong.Parse(cells[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            var exact = new HighPrecision(BigInteger.Parse(cells[2], CultureInfo.InvariantCulture), int.Parse(cells[3], CultureInfo.InvariantCulture));
            yield return (cells[0], x, exact);
        }
    }

    [Fact]
    public void The_oracle_agrees_with_the_mpmath_table_to_2_to_the_minus_140()
    {
        var rows = Table().ToList();
        Assert.True(rows.Count > 500);
        foreach (var (name, x, exact) in rows)
        {
            var ours = Named(name).Reference(x).Value ?? throw new InvalidOperationException($"{name}({R(x)}) has no exact value");
            var difference = ours - exact;
            Assert.True(difference.IsZero || difference.Top < exact.Top - 140, $"oracle {name}({R(x)}) = {ours}, mpmath {exact}");
        }
    }

    [Fact]
    public void Every_function_is_within_its_ulp_bound_on_the_mpmath_table()
    {
        foreach (var (name, x, exact) in Table())
        {
            var f = Named(name);
            AssertMeets(f, x, f.Scalar(x), Expected.Near(exact));
        }
    }

    [Theory]
    [MemberData(nameof(NamesAndWidths))]
    public void Every_SIMD_width_gives_the_scalar_bits_in_every_element(string name, int width)
    {
        var f = Named(name);
        PropertyConfig.Check(
            from n in Gen.Choose(0, 37)
            from xs in Gen.ArrayOf(f.Arguments, n)
            select xs,
            xs =>
            {
                var lanes = f.OnWidth(width, xs);
                var scalar = f.OnWidth(1, xs);
                for (var i = 0; i < xs.Length; i++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(f.Scalar(xs[i])), BitConverter.DoubleToInt64Bits(scalar[i]));
                    Assert.True(BitConverter.DoubleToInt64Bits(scalar[i]) == BitConverter.DoubleToInt64Bits(lanes[i]),
                        $"{f.Name}({R(xs[i])}): {R(lanes[i])} on {width} lanes, {R(scalar[i])} scalar");
                }
            }, maxTest: 300);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 1_000)]
    public Property The_softmax_entry_points_of_exp_and_log_give_the_scalar_bits()
    {
        var exp = Named("exp");
        var log = Named("log");
        return Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.OneOf(exp.Arguments, log.Arguments), 8)), xs =>
        {
            var e8 = Lanes.Of(Exponential.Of8(System.Runtime.Intrinsics.Vector512.Create(xs)));
            var e4 = Lanes.Of(Exponential.Of4(System.Runtime.Intrinsics.Vector256.Create(xs)));
            var l8 = Lanes.Of(Logarithm.Of8(System.Runtime.Intrinsics.Vector512.Create(xs)));
            var l4 = Lanes.Of(Logarithm.Of4(System.Runtime.Intrinsics.Vector256.Create(xs)));
            for (var i = 0; i < 8; i++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(Exponential.Of(xs[i])), BitConverter.DoubleToInt64Bits(e8[i]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(Logarithm.Of(xs[i])), BitConverter.DoubleToInt64Bits(l8[i]));
                if (i >= 4) continue;
                Assert.Equal(BitConverter.DoubleToInt64Bits(Exponential.Of(xs[i])), BitConverter.DoubleToInt64Bits(e4[i]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(Logarithm.Of(xs[i])), BitConverter.DoubleToInt64Bits(l4[i]));
            }
        });
    }

    /// <summary>A backward rule on one width (1, 2, 4, 8 lanes) over fresh arrays.</summary>
    private static double[] BackwardOnWidth<TOp>(int width, double[] a, double[] da) where TOp : IBinaryOperator
    {
        var d = new double[a.Length];
        switch (width)
        {
            case 1: Unary.Apply<TOp, Lane1>(a, da, d); break;
            case 2: Unary.Apply<TOp, Lanes128>(a, da, d); break;
            case 4: Unary.Apply<TOp, Lanes256>(a, da, d); break;
            default: Unary.Apply<TOp, Lanes512>(a, da, d); break;
        }
        return d;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property The_backward_rules_of_tanh_and_sigmoid_give_the_textbook_bits_on_every_width() =>
        Prop.ForAll(
            Arb.From(from n in Gen.Choose(0, 37)
                     from a in Gen.ArrayOf(Gen.OneOf(Uniform(-1, 1), Gen.Elements(Specials)), n)
                     from da in Gen.ArrayOf(Uniform(-5, 5), n)
                     select (a, da)),
            t =>
            {
                foreach (var width in new[] { 1, 2, 4, 8 })
                {
                    var tanh = BackwardOnWidth<HyperbolicTangent.Gradient>(width, t.a, t.da);
                    var sigmoid = BackwardOnWidth<Logistic.Gradient>(width, t.a, t.da);
                    for (var i = 0; i < t.a.Length; i++)
                    {
                        Assert.Equal(BitConverter.DoubleToInt64Bits(t.da[i] * (1.0 - t.a[i] * t.a[i])), BitConverter.DoubleToInt64Bits(tanh[i]));
                        Assert.Equal(BitConverter.DoubleToInt64Bits(t.da[i] * (t.a[i] * (1.0 - t.a[i]))), BitConverter.DoubleToInt64Bits(sigmoid[i]));
                    }
                }
            });

    [Fact]
    public void The_span_form_works_in_place()
    {
        var xs = Enumerable.Range(0, 29).Select(i => (i - 14) / 3.0).ToArray();
        var expected = xs.Select(HyperbolicTangent.Of).ToArray();
        HyperbolicTangent.Apply(xs, xs);
        Assert.Equal(expected, xs);
    }

    /// <summary>
    /// The fast forms the small-network kernel calls after checking the range (<c>Exponential.Fast</c> on lanes in
    /// [−708, 709], <c>Logarithm.Fast</c> on positive normal lanes) give the bits of the general forms, lane by lane, on
    /// one lane and on eight; and the range checks hold exactly on their bounds and fail on NaN, ±∞ and subnormals.
    /// </summary>
    [Fact]
    public void The_in_range_fast_forms_give_the_bits_of_the_general_ones()
    {
        var random = new Random(20261202);
        var lanes = new double[8];
        static void Same<T>(T fast, T general, Func<T, int, double> lane, int count, string what) where T : struct, ILanes<T>
        {
            for (var l = 0; l < count; l++)
                Assert.True(BitConverter.DoubleToInt64Bits(lane(fast, l)) == BitConverter.DoubleToInt64Bits(lane(general, l)), $"{what} lane {l}");
        }
        for (var round = 0; round < 20_000; round++)
        {
            for (var l = 0; l < 8; l++)
                lanes[l] = round % 3 == 0 ? random.NextDouble() * 1417 - 708 : (random.NextDouble() - 0.5) * Math.ScaleB(1.0, random.Next(-30, 10));
            var x = new Lanes512(System.Runtime.Intrinsics.Vector512.Create(lanes));
            Assert.True(Exponential.InRange(x));
            Same(Exponential.Fast(x), Exponential.Invoke(x), (v, l) => v.Value[l], 8, $"exp({string.Join(", ", lanes)})");
            Same(Exponential.Fast(new Lane1(lanes[0])), Exponential.Invoke(new Lane1(lanes[0])), (v, _) => v.Value, 1, $"exp({lanes[0]:R})");
            for (var l = 0; l < 8; l++)
                lanes[l] = round % 5 == 0 ? Math.ScaleB(1 + random.NextDouble(), random.Next(-1022, 1024)) : Math.Abs(lanes[l]) + double.Epsilon * 1e300;
            x = new Lanes512(System.Runtime.Intrinsics.Vector512.Create(lanes));
            if (!Logarithm.Normal(x)) continue;
            Same(Logarithm.Fast(x), Logarithm.Invoke(x), (v, l) => v.Value[l], 8, $"ln({string.Join(", ", lanes)})");
            Same(Logarithm.Fast(new Lane1(lanes[0])), Logarithm.Invoke(new Lane1(lanes[0])), (v, _) => v.Value, 1, $"ln({lanes[0]:R})");
        }
        foreach (var v in new[] { -708.0, 709.0, 0.0, -0.0 }) Assert.True(Exponential.InRange(new Lane1(v)), $"{v}");
        foreach (var v in new[] { Math.BitDecrement(-708.0), Math.BitIncrement(709.0), double.NaN, double.NegativeInfinity, double.PositiveInfinity })
            Assert.False(Exponential.InRange(new Lane1(v)), $"{v}");
        foreach (var v in new[] { 2.2250738585072014e-308, double.MaxValue, 1.0 }) Assert.True(Logarithm.Normal(new Lane1(v)), $"{v}");
        foreach (var v in new[] { 2.225073858507201e-308, 0.0, -1.0, double.NaN, double.PositiveInfinity })
            Assert.False(Logarithm.Normal(new Lane1(v)), $"{v}");
        Assert.False(Exponential.InRange(new Lanes256(System.Runtime.Intrinsics.Vector256.Create(0.0, 1.0, double.NaN, 2.0))));
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// Property 5: softmax is a distribution and shift-invariant; the losses are non-negative, finite on huge logits and equal
/// their textbook formulas on moderate ones; sigmoid never overflows.
/// </summary>
public class SoftmaxAndLossProperties
{
    /// <summary>A batch shape (1–13 rows × 1–8 columns: eight-row and four-row lane groups and single rows) and a seed for the values.</summary>
    private sealed record Batch(int Rows, int Cols, long Seed)
    {
        public Matrix Logits(double limit) => Gens.Uniform(Prng.Fold(Key.FromSeed(Seed), 0).State, Rows, Cols, -limit, limit);

        public Matrix Targets(Loss loss) => Gens.Targets(loss, Prng.Fold(Key.FromSeed(Seed), 1).State, Rows, Cols);

        /// <summary>Logits in [−limit, limit] where about a third are exactly −limit and a third exactly +limit.</summary>
        public Matrix ExtremeLogits(double limit)
        {
            var u = Logits(limit);
            var pick = Prng.Fold(Key.FromSeed(Seed), 2);
            return Matrix.Init(Rows, Cols, (r, c) => Prng.Below(pick, r * Cols + c, 3) switch { 0 => -limit, 1 => limit, _ => u[r, c] });
        }
    }

    private static Arbitrary<Batch> Batches { get; } = Arb.From(
        from rows in Gen.Choose(1, 13)
        from cols in Gen.Choose(1, 8)
        from seed in Gens.Seed
        select new Batch(rows, cols, seed),
        b => new[] { b with { Rows = 1 }, b with { Cols = 1 }, b with { Seed = 0 } }.Where(s => s != b));

    private static readonly Loss[] AllLosses = [.. Losses.All];

    // ---- softmax --------------------------------------------------------------------------------------------------

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Softmax_rows_are_probabilities_that_sum_to_1() =>
        Prop.ForAll(Batches, b =>
        {
            foreach (var limit in new[] { 1.0, 30.0, 1e4 })
            {
                var a = Activations.Apply(Activations.Softmax, b.ExtremeLogits(limit));
                for (var r = 0; r < a.Rows; r++)
                {
                    Assert.All(a.Row(r).Values, p => Assert.InRange(p, 0.0, 1.0));
                    Assert.Equal(1.0, a.Row(r).Values.Sum(), 1e-12);
                }
            }
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Softmax_is_invariant_to_adding_a_constant_to_a_row() =>
        Prop.ForAll(
            Arb.From(from b in Batches.Generator
                     from row in Gen.Choose(0, b.Rows - 1)
                     from c in Gen.Choose(-1_000_000, 1_000_000)
                     select (b, row, c: c / 1000.0)),
            t =>
            {
                var z = t.b.Logits(20);
                var shifted = Matrix.Init(z.Rows, z.Cols, (r, k) => r == t.row ? z[r, k] + t.c : z[r, k]);
                var a = Activations.Apply(Activations.Softmax, z);
                var s = Activations.Apply(Activations.Softmax, shifted);
                for (var k = 0; k < z.Cols; k++) Assert.Equal(a[t.row, k], s[t.row, k], 1e-12);
                for (var r = 0; r < z.Rows; r++)
                    if (r != t.row) Assert.True(a.Row(r).BitEquals(s.Row(r)), "softmax works row by row: other rows must not change");
            });

    // ---- sigmoid --------------------------------------------------------------------------------------------------

    /// <summary>Softmax and log-sum-exp of one row by the steps documented on <c>Elementwise.SoftmaxRows</c>.</summary>
    private static (double[] Softmax, double LogSumExp) NaiveSoftmaxRow(double[] z)
    {
        var max = double.NegativeInfinity;
        foreach (var v in z) if (v > max) max = v;
        var e = z.Select(v => Nn.Kernels.Exponential.Of(v - max)).ToArray();
        var sum = 0.0;
        foreach (var v in e) sum += v;
        return ([.. e.Select(v => v / sum)], double.IsNegativeInfinity(max) ? max : max + Nn.Kernels.Logarithm.Of(sum));
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property The_fused_softmax_and_cross_entropy_kernels_give_the_bits_of_the_separate_ones() =>
        Prop.ForAll(
            Arb.From(from b in Batches.Generator
                     from limit in Gen.Elements(1.0, 30.0, 1e4)
                     from oneHot in Gen.Elements(true, false)
                     select (b, limit, oneHot)),
            t =>
            {
                var (b, limit, oneHot) = t;
                var z = b.ExtremeLogits(limit);
                // Soft targets too: the gradient scales by each row's target sum, which one-hot rows hide.
                var y = oneHot ? b.Targets(Losses.CategoricalCrossEntropy) : Gens.Uniform(Prng.Fold(Key.FromSeed(b.Seed), 3).State, b.Rows, b.Cols, 0, 1);
                var a = new double[b.Rows * b.Cols];
                var lse = new double[b.Rows];
                Nn.Kernels.Elementwise.SoftmaxRows(z.AsSpan(), a, lse, b.Rows, b.Cols);
                var softmax = Activations.Apply(Activations.Softmax, z);
                for (var r = 0; r < b.Rows; r++)
                {
                    // The documented scalar steps, one row at a time: the lane-group kernel must give their bits.
                    var (row, rowLse) = NaiveSoftmaxRow(z.RowSpan(r).ToArray());
                    Assert.Equal(row.Select(BitConverter.DoubleToInt64Bits), a.Skip(r * b.Cols).Take(b.Cols).Select(BitConverter.DoubleToInt64Bits));
                    Assert.Equal(row.Select(BitConverter.DoubleToInt64Bits), softmax.RowSpan(r).ToArray().Select(BitConverter.DoubleToInt64Bits));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(rowLse), BitConverter.DoubleToInt64Bits(lse[r]));
                }

                var g = new double[b.Rows * b.Cols];
                var loss = Nn.Kernels.Elementwise.CrossEntropyWithGradient(a, lse, z.AsSpan(), y.AsSpan(), g, b.Rows, b.Cols);
                var expectedLoss = Losses.Value(Losses.CategoricalCrossEntropy, Activations.Softmax, z, softmax, y);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expectedLoss), BitConverter.DoubleToInt64Bits(loss));
                var expectedGrad = Losses.OutputGradient(Losses.CategoricalCrossEntropy, Activations.Softmax, z, softmax, y);
                Assert.True(expectedGrad.BitEquals(Matrix.Create(b.Rows, b.Cols, g)), "CrossEntropyWithGradient ≠ Losses.OutputGradient");
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Sigmoid_never_overflows_for_logits_up_to_1e308() =>
        Prop.ForAll(
            Arb.From(from sign in Gen.Elements(-1.0, 1.0)
                     from mantissa in Gen.Choose(1000, 9999)
                     from exponent in Gen.Choose(-5, 304)
                     select sign * mantissa * Math.Pow(10, exponent)),
            z =>
            {
                foreach (var x in new[] { z, 1e308, -1e308, double.MaxValue, -double.MaxValue })
                {
                    var s = Activations.Value(Activations.Sigmoid, x);
                    Assert.True(double.IsFinite(s) && s is >= 0 and <= 1, $"σ({x}) = {s}");
                    Assert.Equal(s, Activations.Apply(Activations.Sigmoid, Matrix.Create(1, 1, [x]))[0, 0]);
                }
            });

    // ---- losses ---------------------------------------------------------------------------------------------------

    private static double Loss(Loss loss, Matrix z, Matrix y)
    {
        var output = Losses.PairedOutput(loss);
        return Losses.Value(loss, output, z, Activations.Apply(output, z), y);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Losses_are_non_negative_and_finite_for_logits_up_to_1e4() =>
        Prop.ForAll(
            Arb.From(from b in Batches.Generator
                     from loss in Gen.Elements(AllLosses)
                     from limit in Gen.Elements(1.0, 100.0, 1e4)
                     select (b, loss, limit)),
            t =>
            {
                var j = Loss(t.loss, t.b.ExtremeLogits(t.limit), t.b.Targets(t.loss));
                Assert.True(double.IsFinite(j) && j >= 0, $"{t.loss} = {j}");
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Mse_equals_half_the_mean_over_examples_of_the_summed_squared_errors() =>
        Prop.ForAll(Batches, b =>
        {
            var z = b.Logits(5);
            var y = b.Targets(Losses.MeanSquaredError);
            var naive = 0.0;
            for (var r = 0; r < z.Rows; r++)
                for (var k = 0; k < z.Cols; k++) naive += (z[r, k] - y[r, k]) * (z[r, k] - y[r, k]);
            naive /= 2.0 * z.Rows;
            Assert.Equal(naive, Loss(Losses.MeanSquaredError, z, y), 1e-12);
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Bce_equals_the_naive_formula_for_moderate_logits() =>
        Prop.ForAll(Batches, b =>
        {
            var z = b.Logits(20);
            var y = b.Targets(Losses.BinaryCrossEntropy);
            var naive = 0.0;
            for (var r = 0; r < z.Rows; r++)
                for (var k = 0; k < z.Cols; k++)
                {
                    var e = Math.Exp(-z[r, k]);
                    var sigma = 1.0 / (1.0 + e);
                    // 1 − σ written as e⁻ᶻ/(1 + e⁻ᶻ), the same number: the literal 1 − σ cancels catastrophically for
                    // z ≳ 10 (its relative error, up to 2⁻⁵³·eᶻ, gives −log(1 − σ) an error of 1e-12 at z = 10 and
                    // 3.6e-8 at z = 20), so it could not serve as a 1e-12 oracle.
                    var oneMinusSigma = e / (1.0 + e);
                    naive += -(y[r, k] * Math.Log(sigma) + (1 - y[r, k]) * Math.Log(oneMinusSigma));
                }
            naive /= z.Rows;
            Assert.Equal(naive, Loss(Losses.BinaryCrossEntropy, z, y), 1e-12);
        });

    [Fact]
    public void Bce_of_a_confident_right_answer_keeps_its_relative_precision()
    {
        // z = 30, y = 1: J = softplus(30) − 30 = log1p(e⁻³⁰) = 9.357622968839737e-14 (mpmath); computing it as
        // 30 + log(1 + e⁻³⁰) − 30 gave 9.237e-14, 1.3% off.
        var j = Loss(Losses.BinaryCrossEntropy, Matrix.Create(1, 1, [30.0]), Matrix.Create(1, 1, [1.0]));
        Assert.Equal(9.357622968839737e-14, j, 9.357622968839737e-14 * 1e-15);
        var mirrored = Loss(Losses.BinaryCrossEntropy, Matrix.Create(1, 1, [-30.0]), Matrix.Create(1, 1, [0.0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(j), BitConverter.DoubleToInt64Bits(mirrored));
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 500)]
    public Property Bce_is_within_a_few_ulp_of_the_exact_value_for_tiny_losses() =>
        Prop.ForAll(
            Arb.From(from z in Gen.Choose(1_000, 700_000).Select(i => i / 1000.0)
                     from right in Gen.Elements(true, false)
                     select (z, right)),
            t =>
            {
                // y = 1 at logit z, or y = 0 at −z: J = log1p(e^(−z)), as small as 1e-304.
                var j = Loss(Losses.BinaryCrossEntropy, Matrix.Create(1, 1, [t.right ? t.z : -t.z]), Matrix.Create(1, 1, [t.right ? 1.0 : 0.0]));
                var exact = HighPrecision.LogOnePlus(HighPrecision.Exp(-HighPrecision.From(t.z)));
                var error = HighPrecision.UlpError(j, exact);
                Assert.True(error <= 2, $"BCE at z = {t.z}: {j:R}, exact {exact}, {error:F2} ulp");
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Cce_equals_the_naive_minus_sum_of_y_log_softmax_for_moderate_logits() =>
        Prop.ForAll(Batches, b =>
        {
            var z = b.Logits(20);
            var y = b.Targets(Losses.CategoricalCrossEntropy);
            var naive = 0.0;
            for (var r = 0; r < z.Rows; r++)
            {
                var total = 0.0;
                for (var k = 0; k < z.Cols; k++) total += Math.Exp(z[r, k]);
                for (var k = 0; k < z.Cols; k++) naive += -y[r, k] * Math.Log(Math.Exp(z[r, k]) / total);
            }
            naive /= z.Rows;
            Assert.Equal(naive, Loss(Losses.CategoricalCrossEntropy, z, y), 1e-12);
        });
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// Per-row weights (<see cref="TrainingData.Weights"/>): the weighted mean <c>Σ wᵢℓᵢ / Σ wᵢ</c> and its gradient, checked
/// against central finite differences of the weighted objective itself, invariant to scaling the weights, equal bit for
/// bit to the unweighted functions at unit weights, and equal (up to rounding) to repeating a row k times for weight k.
/// </summary>
public class WeightProperties
{
    /// <summary>A gradient case with a weight per row: positive reals, or the whole numbers 0–3 (at least one nonzero).</summary>
    public sealed record WeightedCase(GradientCase Case, bool Integer, long WeightSeed)
    {
        public Vector Weights
        {
            get
            {
                var key = Key.FromSeed(WeightSeed);
                var m = Case.Batch;
                if (!Integer) return Vector.Create(Prng.Uniform(key, m, 0.1, 3.0).Values);
                var w = Enumerable.Range(0, m).Select(i => (double)Prng.Below(key, i, 4)).ToArray();
                if (w.All(v => v == 0)) w[0] = 2;
                return Vector.Create(w);
            }
        }

        public TrainingData Data => new TrainingData(Case.X, Case.Y).WithWeights(Weights);

        public override string ToString() => $"{Case} weights {Weights}";
    }

    private static Gen<WeightedCase> Cases(bool smoothOnly) =>
        from c in GradientGens.Case(smoothOnly, withDropout: false)
        from integer in Gen.Elements(false, true)
        from seed in Gens.Seed
        select new WeightedCase(c, integer, seed);

    private static long Bits(double v) => BitConverter.DoubleToInt64Bits(v);

    private static bool Close(double a, double b, double rel, double abs = 1e-12) =>
        Math.Abs(a - b) <= abs + rel * Math.Max(Math.Abs(a), Math.Abs(b));

    private static bool Close(Network a, Network b, double rel, double abs = 1e-12)
    {
        var (x, y) = (Parameters.Flatten(a).ToArray(), Parameters.Flatten(b).ToArray());
        var scale = Math.Max(1e-300, x.Concat(y).Max(Math.Abs));
        return x.Zip(y).All(p => Math.Abs(p.First - p.Second) <= abs + rel * scale);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Weighted_gradient_equals_central_finite_differences_for_every_parameter() =>
        // Smooth hidden units, so no coordinate meets a kink; the oracle is the weighted objective, never the gradient code.
        Prop.ForAll(Cases(smoothOnly: true).ToArbitrary(), wc =>
        {
            var (network, data, objective) = (wc.Case.Network, wc.Data, wc.Case.Objective);
            var analytic = Parameters.Flatten(Backprop.WeightedGradient(network, data, objective).Gradients).ToArray();
            var theta = Parameters.Flatten(network).ToArray();
            for (var i = 0; i < theta.Length; i++)
            {
                var h = 1e-5 * Math.Max(1.0, Math.Abs(theta[i]));
                double J(double t)
                {
                    var p = (double[])theta.Clone();
                    p[i] = t;
                    return Losses.EvaluateWeighted(Parameters.Unflatten(network, Vector.Create(p)), data, objective);
                }
                var fd = (J(theta[i] + h) - J(theta[i] - h)) / (2 * h);
                if (!Close(analytic[i], fd, 1e-5, 1e-7))
                    return false.Label($"{wc}: parameter {i}: analytic {analytic[i]:R}, finite difference {fd:R}");
            }
            return true.ToProperty();
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Scaling_every_weight_leaves_the_loss_and_gradient_unchanged() =>
        // By a power of two the products and sums scale exactly, so the bits are equal; by any other factor up to rounding.
        Prop.ForAll(Cases(smoothOnly: false).ToArbitrary(), Gen.Elements(0.25, 2.0, 1024.0, 0.3, 7.1, 1e6).ToArbitrary(), (wc, s) =>
        {
            var (network, data, objective) = (wc.Case.Network, wc.Data, wc.Case.Objective);
            var scaled = data.WithWeights(wc.Weights.Map(w => w * s));
            var a = Backprop.WeightedGradient(network, data, objective);
            var b = Backprop.WeightedGradient(network, scaled, objective);
            var exact = Math.Log2(s) == Math.Round(Math.Log2(s));
            var ok = exact
                ? Bits(a.Loss) == Bits(b.Loss) && Parameters.BitEquals(a.Gradients, b.Gradients)
                : Close(a.Loss, b.Loss, 1e-12) && Close(a.Gradients, b.Gradients, 1e-11);
            return ok.Label($"{wc} × {s}: loss {a.Loss:R} vs {b.Loss:R}");
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Unit_weights_give_the_unweighted_bits() =>
        // Loss, gradient, a training step (whose unweighted softmax path is the fused kernel) and a validation summary.
        Prop.ForAll(Cases(smoothOnly: false).ToArbitrary(), wc =>
        {
            var c = wc.Case;
            var (network, objective) = (c.Network, c.Objective);
            var ones = new TrainingData(c.X, c.Y).WithWeights(Vector.Fill(c.Batch, 1.0));
            var plain = Backprop.Gradient(network, c.X, c.Y, objective);
            var weighted = Backprop.WeightedGradient(network, ones, objective);
            var config = TrainConfig.Of(objective, Optimizers.Adam(0.01));
            var start = Training.Init(config, network, Key.FromSeed(c.Seed));
            TrainState s1 = start, s2 = start;
            for (var i = 0; i < 3; i++)
            {
                s1 = Training.Step(config, s1, c.X, c.Y);
                s2 = Training.WeightedStep(config, s2, ones);
            }
            var e1 = Evaluation.Summarize(network, c.X, c.Y, objective);
            var e2 = Evaluation.SummarizeWeighted(network, ones, objective);
            var ok = Bits(plain.Loss) == Bits(weighted.Loss) && Parameters.BitEquals(plain.Gradients, weighted.Gradients)
                && Parameters.BitEquals(s1.Parameters, s2.Parameters) && Bits(s1.LastLoss) == Bits(s2.LastLoss)
                && Bits(e1.Loss) == Bits(e2.Loss)
                && Bits(Losses.Evaluate(network, c.X, c.Y, objective)) == Bits(Losses.EvaluateWeighted(network, ones, objective));
            return ok.Label($"{c}: loss {plain.Loss:R} vs {weighted.Loss:R}");
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property A_whole_weight_k_equals_the_row_repeated_k_times() =>
        Prop.ForAll(Cases(smoothOnly: false).Where(wc => wc.Integer).ToArbitrary(), wc =>
        {
            var c = wc.Case;
            var w = wc.Weights;
            var rows = Enumerable.Range(0, c.Batch).SelectMany(r => Enumerable.Repeat(r, (int)w[r])).ToArray();
            var repeated = Backprop.Gradient(c.Network, c.X.SelectRows(rows), c.Y.SelectRows(rows), c.Objective);
            var weighted = Backprop.WeightedGradient(c.Network, wc.Data, c.Objective);
            return (Close(repeated.Loss, weighted.Loss, 1e-12) && Close(repeated.Gradients, weighted.Gradients, 1e-11))
                .Label($"{wc}: loss {repeated.Loss:R} vs {weighted.Loss:R}");
        });

    [Fact]
    public void Zero_weights_count_for_nothing_and_all_zero_weights_give_zero_loss_and_gradient()
    {
        var network = Init.Mlp(Key.FromSeed(3), [2, 4, 3], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var x = Gens.Uniform(1L, 5, 2, -1, 1);
        var y = Gens.Targets(Losses.CategoricalCrossEntropy, 2L, 5, 3);
        var objective = Objective.Of(Losses.CategoricalCrossEntropy);
        var some = new TrainingData(x, y).WithWeights(Vector.Of(1, 0, 1, 0, 1));
        var kept = Backprop.Gradient(network, x.SelectRows([0, 2, 4]), y.SelectRows([0, 2, 4]), objective);
        var weighted = Backprop.WeightedGradient(network, some, objective);
        Assert.Equal(kept.Loss, weighted.Loss, 1e-15);
        Assert.True(Close(kept.Gradients, weighted.Gradients, 1e-13));

        var none = Backprop.WeightedGradient(network, some.WithWeights(Vector.Zeros(5)), objective);
        Assert.Equal(0.0, none.Loss);
        Assert.True(Parameters.Flatten(none.Gradients).ToArray().All(g => g == 0));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_negative_or_non_finite_weight_is_refused(double bad)
    {
        var data = new TrainingData(Gens.Uniform(1L, 3, 2, -1, 1), Gens.Uniform(2L, 3, 1, -1, 1));
        var e = Assert.Throws<ArgumentException>(() => data.WithWeights(Vector.Of(1, bad, 1)));
        Assert.Contains("Weight 1", e.Message);
        Assert.Throws<ArgumentException>(() => data.WithWeights(Vector.Of(1, 1)));
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Weighted_metrics_with_whole_weights_equal_the_metrics_of_the_repeated_rows() =>
        // WeightedScores (nn eval --sample-weight): weight k counts a row k times, as scikit-learn's sample_weight does.
        Prop.ForAll(Gen.Choose(1, 12).ToArbitrary(), Gens.Seed.ToArbitrary(), (m, seed) =>
        {
            var key = Key.FromSeed(seed);
            var w = Enumerable.Range(0, m).Select(i => (double)Prng.Below(Prng.Fold(key, 1), i, 4)).ToArray();
            if (w.All(v => v == 0)) w[0] = 1;
            var rows = Enumerable.Range(0, m).SelectMany(r => Enumerable.Repeat(r, (int)w[r])).ToArray();
            var truth = Enumerable.Range(0, m).Select(i => Prng.Below(Prng.Fold(key, 2), i, 3)).ToArray();
            var predicted = Enumerable.Range(0, m).Select(i => Prng.Below(Prng.Fold(key, 3), i, 3)).ToArray();
            var p = Matrix.Init(m, 3, (r, c) => (1 + Prng.Below(Prng.Fold(key, 4), r * 3 + c, 5)) / 1.0);
            var probabilities = Matrix.Init(m, 3, (r, c) => p[r, c] / (p[r, 0] + p[r, 1] + p[r, 2]));
            var y = Vector.Create(Prng.Uniform(Prng.Fold(key, 5), m, -2, 2).Values);
            var yHat = Vector.Create(Prng.Uniform(Prng.Fold(key, 6), m, -2, 2).Values);
            var weights = Vector.Create(w);
            int[] Pick(int[] a) => [.. rows.Select(r => a[r])];
            Vector PickV(Vector a) => Vector.Create(rows.Select(r => a[r]));
            var ok = Close(WeightedScores.Accuracy(truth, predicted, weights), Classification.Accuracy(Pick(truth), Pick(predicted)), 1e-12)
                && Close(WeightedScores.LogLoss(truth, probabilities, weights), Classification.LogLoss(Pick(truth), probabilities.SelectRows(rows)), 1e-12)
                && Close(WeightedScores.MeanSquaredError(y, yHat, weights), Regression.MeanSquaredError(PickV(y), PickV(yHat)), 1e-12)
                && Close(WeightedScores.MeanAbsoluteError(y, yHat, weights), Regression.MeanAbsoluteError(PickV(y), PickV(yHat)), 1e-12)
                // (One weighted row: its weighted mean k·y/k may miss y by an ulp, and R² then divides by a rounding error.)
                && (w.Count(v => v > 0) < 2 || Close(WeightedScores.RSquared(y, yHat, weights), Regression.RSquared(PickV(y), PickV(yHat)), 1e-10));
            return ok.Label($"m {m} seed {seed} weights [{string.Join(",", w)}]");
        });
}

using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Kernels;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// The whole-step kernel of a small k → h → c softmax network (<see cref="SmallMlp"/>) against the general step, bit for
/// bit, for every hidden activation and optimizer: the kernel called directly against <see cref="Training.Step"/>, and
/// whole folds (with L2 and clipping) with the kernel on and off.
/// Inputs span several binades and include zeros, so ReLU gates, ties in the softmax max and the order of every sum
/// show in the bits.
/// </summary>
/// <remarks>These tests switch the fused step on and off with <see cref="KernelPolicy.SmallMlp"/>, passed as a value.</remarks>
public class SmallMlpProperties
{
    /// <summary>A shape the fused step takes, a seed, and the learning rate.</summary>
    /// <remarks>
    /// <see cref="Scale"/> multiplies the inputs: at 2¹⁴ logits of one row differ by more than 708, so some
    /// exponentials underflow and the softmax takes its checked path.
    /// </remarks>
    public sealed record Case(int K, int H, int C, int M, long Seed, double Rate, bool Soft, double Scale, Activation Hidden, string Optimizer)
    {
        public override string ToString() =>
            $"{K}→{H}→{C} {Hidden.Name} on {M} rows, {Optimizer}, seed {Seed}, lr {Rate}, {(Soft ? "soft" : "one-hot")} targets, inputs ×{Scale}";

        public GradientTransformation Make() => Optimizer switch
        {
            "sgd" => Optimizers.Sgd(Rate),
            "momentum" => Optimizers.Momentum(Rate / 4, 0.9),
            "nesterov" => Optimizers.Nesterov(Rate / 4, 0.9),
            "rmsprop" => Optimizers.RmsProp(Rate / 100),
            "adamw" => Optimizers.AdamW(Rate / 100, 0.01),
            _ => Optimizers.Adam(Rate / 100),
        };
    }

    /// <summary>The hidden activations the kernel takes (tanh and sigmoid take the general step).</summary>
    private static readonly Activation[] HiddenActivations = [Activations.Relu, Activations.LeakyRelu(0.1), Activations.Linear];

    private static Gen<Case> Cases { get; } =
        from k in Gen.Choose(1, SmallMlp.MaxInputs)
        from h in Gen.Choose(1, 8).Select(u => 8 * u)
        from c in Gen.Choose(1, SmallMlp.MaxClasses)
        from m in Gen.OneOf(Gen.Choose(1, 20), Gen.Elements(8, 16, 32, 40, 64, 65, 128))
        from seed in Gens.Seed
        from rate in Gen.Elements(0.1, 0.5, 3.0)
        from soft in Gen.Elements(false, true)
        from scale in Gen.Frequency((4, Gen.Constant(1.0)), (1, Gen.Constant(16384.0)))
        from hidden in Gen.Elements(HiddenActivations)
        from optimizer in Gen.Elements("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
        select new Case(k, h, c, m, seed, rate, soft, scale, hidden, optimizer);

    /// <summary>Entries ±u·2^e with u in [1, 2) and e in [−6, 6], every fifth one zero.</summary>
    private static Matrix Spread(long seed, int salt, int rows, int cols)
    {
        var key = Prng.Fold(Key.FromSeed(seed), salt);
        var u = Prng.Uniform(Prng.Fold(key, 0), rows * cols, 1, 2);
        return Matrix.Create(rows, cols, [.. Enumerable.Range(0, rows * cols).Select(i =>
            Prng.Below(Prng.Fold(key, 3), i, 5) == 0 ? 0.0
            : (Prng.Word(Prng.Fold(key, 1), i) >> 63 == 1 ? -1 : 1) * Math.ScaleB(u[i], Prng.Below(Prng.Fold(key, 2), i, 13) - 6))]);
    }

    /// <summary>One-hot rows, or soft rows (non-negative, not normalised: the loss takes Σⱼ yⱼ as it is).</summary>
    private static Matrix Targets(Case c, int rows) => c.Soft
        ? Matrix.Create(rows, c.C, Prng.Uniform(Prng.Fold(Key.FromSeed(c.Seed), 9), rows * c.C, 0, 1).Values)
        : Gens.Targets(Losses.CategoricalCrossEntropy, c.Seed + 9, rows, c.C);

    private static Network Net(Case c) =>
        Init.Mlp(Key.FromSeed(c.Seed), [c.K, c.H, c.C], c.Hidden, Activations.Softmax, InitSchemes.HeNormal);

    private static double[] Bits(Network n) => [.. n.Layers.SelectMany(l => l.Weights.Data.Concat(l.Bias.Data))];

    private static bool SameBits(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        a.Count == b.Count && a.Zip(b).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

    /// <summary>Policies for each distinct vector width the kernel takes on this machine, widest first.</summary>
    private static KernelPolicy[] Widths() =>
        [.. new[] { VectorPath.Widest, VectorPath.Vector256, VectorPath.Vector128 }
            .Select(path => KernelPolicy.Default with { Path = path })
            .Where(policy => SmallMlp.Width(policy) != Gemm.Path.Scalar)
            .DistinctBy(SmallMlp.Width)];

    [Property(Replay = PropertyConfig.Replay, MaxTest = 150)]
    public Property The_fused_step_has_the_bits_of_the_general_step()
    {
        // Every vector width the kernel runs on here (512, 256 and 128 bits on AVX-512; 128 on ARM64), each against the reference.
        var widths = Widths();
        if (widths.Length == 0) return Prop.ToProperty(true); // no hardware fused multiply-add: the kernel never runs
        var prop = Prop.ForAll(Cases.ToArbitrary(), c => widths.All(width =>
        {
            var net = Net(c);
            // The kernel reads the batch's rows from the whole data itself: rows in any order, some repeated.
            var n = c.M + 5;
            var x = Matrix.Scale(c.Scale, Spread(c.Seed, 1, n, c.K));
            var y = Targets(c, n);
            int[] rows = [.. Enumerable.Range(0, c.M).Select(i => (int)Prng.Below(Prng.Fold(Key.FromSeed(c.Seed), 11), i, n))];
            var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Sgd(c.Rate));
            var expected = Training.Step(config, Training.Init(config, net, Key.FromSeed(1)), x.SelectRows(rows), y.SelectRows(rows));
            var reference = Backprop.Gradient(net, x.SelectRows(rows), y.SelectRows(rows), config.Objective);
            var (expectedLoss, expectedGradient) = (reference.DataLoss, reference.Gradients);

            var (hidden, output) = (net.Layers[0], net.Layers[1]);
            double[] w1 = [.. hidden.Weights.Data], b1 = [.. hidden.Bias.Data], w2 = [.. output.Weights.Data], b2 = [.. output.Bias.Data];
            double[] gw1 = new double[w1.Length], gb1 = new double[b1.Length], gw2 = new double[w2.Length], gb2 = new double[b2.Length];
            var options = ComputeOptions.Default with { Kernels = width };
            var gradientLoss = SmallMlp.Gradient(x.AsSpan(), y.AsSpan(), rows, c.K, c.H, c.C, c.Hidden, w1, b1, w2, b2, gw1, gb1, gw2, gb2,
                new Workspace(options));
            var unchanged = SameBits([.. w1, .. b1, .. w2, .. b2], Bits(net));
            var loss = SmallMlp.SgdStep(x.AsSpan(), y.AsSpan(), rows, c.K, c.H, c.C, c.Hidden, w1, b1, w2, b2, c.Rate, new Workspace(options));
            return SmallMlp.Fits(c.M, c.K, c.H, c.C)
                    && unchanged
                    && SameBits([.. gw1, .. gb1, .. gw2, .. gb2], Bits(expectedGradient))
                    && BitConverter.DoubleToInt64Bits(gradientLoss) == BitConverter.DoubleToInt64Bits(expectedLoss)
                    && SameBits([.. w1, .. b1, .. w2, .. b2], Bits(expected.Parameters))
                    && BitConverter.DoubleToInt64Bits(loss) == BitConverter.DoubleToInt64Bits(expected.LastLoss);
        }).Label($"{c}"));
        return prop;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Folds_have_the_same_bits_with_the_fused_step_on_and_off()
    {
        {
            var widths = Widths();
            var prop = Prop.ForAll(Cases.ToArbitrary(), c =>
            {
                var rows = 3 * c.M + c.M / 2 + 1; // three full batches and a partial one
                var x = Matrix.Scale(c.Scale, Spread(c.Seed, 2, rows, c.K));
                var y = Targets(c, rows);
                // L2 and clipping on a third of the cases each: the kernel's gradients then go through the engine's penalty and clip.
                var l2 = c.Seed % 3 == 0 ? 1e-3 : 0.0;
                var clip = c.Seed % 3 == 1 ? 0.5 : 0.0;
                var width = widths.Length == 0 ? KernelPolicy.Default : widths[(int)(c.Seed / 3 % widths.Length)]; // the kernel at each width
                var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy) with { L2 = l2 }, OptimizerStates.Clipped(c.Make(), clip));
                (double[] Bits, List<double> Losses) Fold(bool fused)
                {
                    var options = ComputeOptions.Default with { Kernels = (fused ? width : KernelPolicy.Default) with { SmallMlp = fused } };
                    var losses = new List<double>();
                    var state = Training.Init(config, Net(c), Key.FromSeed(c.Seed + 1));
                    for (var epoch = 0; epoch < 2; epoch++)
                        state = Training.Steps(config, state, x, y, Batches.ForEpoch(Training.ShuffleKey(state), epoch, rows, BatchPolicy.MiniBatch(c.M)),
                            r => { losses.Add(r.Loss); return true; }, options);
                    return (Bits(state.Parameters), losses);
                }
                var on = Fold(true);
                var off = Fold(false);
                return (SameBits(on.Bits, off.Bits) && SameBits(on.Losses, off.Losses)).Label($"{c}, L2 {l2}, clip {clip}, {SmallMlp.Width(width)}");
            });
            return prop;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_batch_row_outside_the_data_fails_naming_it_and_leaves_the_given_state_unchanged(bool fused)
    {
        {
            var options = ComputeOptions.Default with { Kernels = KernelPolicy.Default with { SmallMlp = fused } };
            var c = new Case(2, 32, 3, 16, 4, 0.1, false, 1, Activations.Relu, "sgd");
            var x = Spread(c.Seed, 3, 40, c.K);
            var y = Targets(c, 40);
            var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Sgd(c.Rate));
            var state = Training.Init(config, Net(c), Key.FromSeed(2));
            var before = Bits(state.Parameters);
            ImmutableArray<int> good = [.. Enumerable.Range(0, 16)], bad = [.. Enumerable.Range(0, 15), 40];
            // The bad batch first (the fold's first step), and after a good one (a step on the fold's own copy).
            foreach (var batches in new[] { new[] { bad }, new[] { good, bad } })
            {
                var error = Assert.Throws<ArgumentOutOfRangeException>(() => Training.Steps(config, state, x, y, batches, _ => true, options));
                Assert.Contains("[0, 40)", error.Message);
                Assert.True(SameBits(before, Bits(state.Parameters)));
            }
        }
    }

    [Fact]
    public void The_fused_step_takes_only_the_shapes_it_was_written_for()
    {
        Assert.True(SmallMlp.Fits(64, 2, 32, 3));
        Assert.False(SmallMlp.Takes(KernelPolicy.Default with { Path = VectorPath.Scalar }, 64, 2, 32, 3, Activations.Relu));
        Assert.Equal(Simd.FusedMultiplyAddAccelerated, SmallMlp.Takes(KernelPolicy.Default with { Path = VectorPath.Vector128 }, 64, 2, 32, 3, Activations.Relu));
        Assert.False(SmallMlp.Fits(64, SmallMlp.MaxInputs + 1, 32, 3));
        Assert.False(SmallMlp.Fits(64, 2, 12, 3)); // not whole vectors of units
        Assert.False(SmallMlp.Fits(64, 2, 32, SmallMlp.MaxClasses + 1));
        Assert.False(SmallMlp.Fits(SmallMlp.MaxBatch + 1, 2, 32, 3));
        Assert.False(SmallMlp.Fits(0, 2, 32, 3));
        Assert.Throws<ArgumentException>(() => SmallMlp.SgdStep(new double[2], new double[3], [0], 2, 12, 3, Activations.Relu, new double[24], new double[12], new double[36], new double[3], 0.1, new Workspace(ComputeOptions.Default)));
        Assert.False(SmallMlp.Hidden(Activations.Softmax));
        Assert.False(SmallMlp.Hidden(Activations.Tanh));
        Assert.True(SmallMlp.Hidden(Activations.LeakyRelu(0.2)));
        // A row index outside the data: an error naming it, and no parameter changed.
        if (SmallMlp.Width(KernelPolicy.Default) == Gemm.Path.Scalar) return;
        double[] w1 = [1, 2, 3, 4, 5, 6, 7, 8], b1 = new double[8], w2 = new double[24], b2 = new double[3];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SmallMlp.SgdStep(new double[4], new double[12], [0, 4], 1, 8, 3, Activations.Relu, w1, b1, w2, b2, 0.1, new Workspace(ComputeOptions.Default)));
        Assert.Contains("[0, 4)", error.Message);
        Assert.Equal([1.0, 2, 3, 4, 5, 6, 7, 8], w1);
    }
}

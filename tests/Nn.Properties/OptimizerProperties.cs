using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Nn.Properties;

/// <summary>
/// Properties of <see cref="Optimizers"/>. Oracles are written here from the formulas, element by element over
/// <see cref="Parameters.Flatten"/> values; the code under test is never its own oracle.
/// </summary>
public class OptimizerProperties
{
    /// <summary>A small case: layer widths, a seed for the parameters and a seed for the gradients.</summary>
    public sealed record Case(int[] Sizes, int Seed, int GradientSeed)
    {
        public override string ToString() => $"Case([{string.Join(", ", Sizes)}], seed {Seed}, grad seed {GradientSeed})";
    }

    internal static readonly Gen<Case> Cases =
        from layers in Gen.Choose(1, 3)
        from sizes in Gen.ArrayOf(Gen.Choose(1, 6), layers + 1)
        from seed in Gen.Choose(0, 1_000_000)
        from gradSeed in Gen.Choose(0, 1_000_000)
        select new Case(sizes, seed, gradSeed);

    internal static Network Params(Case c) =>
        Init.Mlp(Key.FromSeed(c.Seed), c.Sizes, Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal);

    /// <summary>Gradients shaped like <paramref name="template"/>, every entry (bias included) drawn from N(0, 1).</summary>
    internal static Network Gradients(Network template, long seed) =>
        Parameters.Unflatten(template, Prng.Normal(Key.FromSeed(seed), template.ParameterCount, 0, 1));

    /// <summary>One of each case, with hyper-parameters away from the defaults.</summary>
    internal static GradientTransformation[] AllOptimizers(double lr) =>
    [
        Optimizers.Sgd(lr),
        Optimizers.Momentum(lr, 0.9),
        Optimizers.Nesterov(lr, 0.8),
        Optimizers.Chain(new ScaleByRms(0.9, 1e-8), new ScaleByLearningRate(Schedules.Constant(lr))),
        Optimizers.Chain(new ScaleByAdam(0.9, 0.99, 1e-8), new ScaleByLearningRate(Schedules.Constant(lr))),
        Optimizers.Chain(new ScaleByAdam(0.8, 0.995, 1e-7), new AddDecayedWeights(0.1), new ScaleByLearningRate(Schedules.Constant(lr))),
    ];

    /// <summary>How many updates a named optimizer's state has seen: its learning-rate link's count.</summary>
    internal static long Count(OptimizerState state) =>
        state is Chain.State c ? Count(c.Links[^1]) : ((ScaleByLearningRate.State)state).Count;

    /// <summary>A deep copy of a built-in state (every moment in new arrays).</summary>
    internal static OptimizerState CopyState(OptimizerState state)
    {
        static Network Copy(Network n) => Parameters.Unflatten(n, Vector.Of(Parameters.Flatten(n).ToArray()));
        return state switch
        {
            Chain.State c => new Chain.State([.. c.Links.Select(CopyState)]),
            ScaleByAdam.State a => new ScaleByAdam.State(a.Count, Copy(a.M), Copy(a.V)),
            ScaleByMomentum.State m => new ScaleByMomentum.State(Copy(m.Velocity)),
            ScaleByRms.State r => new ScaleByRms.State(Copy(r.MeanSquare)),
            ScaleByLearningRate.State l => new ScaleByLearningRate.State(l.Count),
            OptimizerState.Empty e => e,
            _ => throw new InvalidOperationException(),
        };
    }

    private static bool Close(double expected, double actual, double relative) =>
        Math.Abs(expected - actual) <= relative * Math.Max(Math.Abs(expected), Math.Abs(actual));

    [Property(Replay = "(7001,11400714819323198485)", MaxTest = 100)]
    public Property Zero_learning_rate_leaves_parameters_bit_for_bit_unchanged() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var theta = Params(c);
            return AllOptimizers(0.0).All(opt =>
            {
                var state = Optimizers.Init(opt, theta);
                var p = theta;
                for (var k = 0; k < 3; k++)
                {
                    var step = Optimizers.Update(opt, state, p, Gradients(theta, c.GradientSeed + k));
                    (p, state) = (step.Parameters, step.State);
                }
                return Parameters.BitEquals(theta, p) && Count(state) == 3;
            });
        });

    [Property(Replay = "(7002,11400714819323198485)", MaxTest = 100)]
    public Property Adam_first_step_moves_each_parameter_by_the_learning_rate_against_the_gradient() =>
        Prop.ForAll(Arb.From(Cases.SelectMany(_ => Gen.Elements(1e-3, 1e-2, 0.1), (c, lr) => (c, lr))), x =>
        {
            var (c, lr) = x;
            var theta = Params(c);
            var g = Gradients(theta, c.GradientSeed);
            foreach (var opt in new[] { Optimizers.Adam(lr), Optimizers.Chain(new ScaleByAdam(0.5, 0.9, 1e-8), new ScaleByLearningRate(Schedules.Constant(lr))) })
            {
                var after = Optimizers.Update(opt, Optimizers.Init(opt, theta), theta, g).Parameters;
                var (t0, t1, gs) = (Parameters.Flatten(theta), Parameters.Flatten(after), Parameters.Flatten(g));
                for (var i = 0; i < gs.Length; i++)
                {
                    if (Math.Abs(gs[i]) < 0.1) continue; // |g| ≫ ε: lr·|g|/(|g| + ε) is lr to within 1e-7
                    var delta = t1[i] - t0[i];
                    if (Math.Sign(delta) != -Math.Sign(gs[i]) || !Close(lr, Math.Abs(delta), 1e-6)) return false;
                }
            }
            return true;
        });

    [Property(Replay = "(7003,11400714819323198485)", MaxTest = 100)]
    public Property Update_leaves_its_inputs_unchanged_and_equal_inputs_give_equal_outputs() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            static Network Copy(Network n) => Parameters.Unflatten(n, Vector.Of(Parameters.Flatten(n).ToArray()));
            var theta = Params(c);
            return AllOptimizers(0.05).All(opt =>
            {
                // Two warm-up steps so that every moment is non-zero.
                var state = Optimizers.Init(opt, theta);
                var p = theta;
                for (var k = 0; k < 2; k++)
                {
                    var s = Optimizers.Update(opt, state, p, Gradients(theta, c.GradientSeed + 10 + k));
                    (p, state) = (s.Parameters, s.State);
                }
                var g = Gradients(theta, c.GradientSeed);
                var (pCopy, gCopy) = (Copy(p), Copy(g));
                var stateCopy = CopyState(state);
                var first = Optimizers.Update(opt, state, p, g);
                var unchanged = p.Equals(pCopy) && g.Equals(gCopy) && state.Equals(stateCopy) && !ReferenceEquals(state, stateCopy);
                var second = Optimizers.Update(opt, stateCopy, pCopy, gCopy);
                return unchanged && first.Equals(second) && Parameters.BitEquals(first.Parameters, second.Parameters)
                    && !first.Parameters.Equals(p) && Count(first.State) == Count(state) + 1;
            });
        });

    [Property(Replay = "(7004,11400714819323198485)", MaxTest = 100)]
    public Property Sgd_step_is_theta_minus_lr_times_g_exactly() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            const double lr = 0.037;
            var theta = Params(c);
            var g = Gradients(theta, c.GradientSeed);
            var after = Parameters.Flatten(Optimizers.Update(Optimizers.Sgd(lr), Optimizers.Init(Optimizers.Sgd(lr), theta), theta, g).Parameters);
            var (t, gs) = (Parameters.Flatten(theta), Parameters.Flatten(g));
            return Enumerable.Range(0, t.Length).All(i => BitConverter.DoubleToInt64Bits(after[i]) == BitConverter.DoubleToInt64Bits(t[i] - lr * gs[i]));
        });

    [Property(Replay = "(7005,11400714819323198485)", MaxTest = 100)]
    public Property Every_optimizer_gives_the_bits_of_a_scalar_reference_after_three_steps() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var theta = Params(c);
            return AllOptimizers(0.02).All(opt =>
            {
                var reference = new ScalarReference(opt, Parameters.Flatten(theta).ToArray());
                var state = Optimizers.Init(opt, theta);
                var p = theta;
                for (var k = 0; k < 3; k++)
                {
                    var g = Gradients(theta, c.GradientSeed + k);
                    var s = Optimizers.Update(opt, state, p, g);
                    (p, state) = (s.Parameters, s.State);
                    reference.Step(Parameters.Flatten(g).ToArray());
                }
                var actual = Parameters.Flatten(p);
                // Bit for bit: the kernels run the documented per-element rule on every SIMD width and the scalar tail.
                return Count(state) == 3 && Enumerable.Range(0, actual.Length).All(i =>
                    BitConverter.DoubleToInt64Bits(reference.Theta[i]) == BitConverter.DoubleToInt64Bits(actual[i]));
            });
        });

    [Property(Replay = "(7006,11400714819323198485)", MaxTest = 100)]
    public Property A_few_steps_of_every_optimizer_reduce_half_the_squared_norm() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            // Entries of magnitude in [0.5, 1.5], so no optimizer starts inside its own step size.
            var template = Params(c);
            var u = Prng.Uniform(Key.FromSeed(c.GradientSeed), template.ParameterCount, -1, 1);
            var theta = Parameters.Unflatten(template, u.Map(x => Math.Sign(x) * (0.5 + Math.Abs(x))));
            static double Loss(Network n) => 0.5 * Parameters.Dot(n, n);
            return AllOptimizers(0.1).Concat(AllOptimizers(0.01)).All(opt =>
            {
                var state = Optimizers.Init(opt, theta);
                var p = theta;
                for (var k = 0; k < 20; k++)
                {
                    var s = Optimizers.Update(opt, state, p, p); // ∇(½‖θ‖²) = θ
                    (p, state) = (s.Parameters, s.State);
                }
                return Parameters.IsFinite(p) && Loss(p) < 0.9 * Loss(theta);
            });
        });

    [Property(Replay = "(7007,11400714819323198485)", MaxTest = 100)]
    public Property ClipByGlobalNorm_bounds_the_norm_and_keeps_the_direction() =>
        Prop.ForAll(Arb.From(Cases.SelectMany(_ => Gen.Elements(0.01, 0.3, 1.0, 3.0, 100.0), (c, scale) => (c, scale))), x =>
        {
            var (c, scale) = x;
            var theta = Params(c);
            var g = Parameters.Scale(scale, Gradients(theta, c.GradientSeed));
            const double maxNorm = 1.0;
            var clipped = new ClipByGlobalNorm(maxNorm).Update(g, OptimizerState.Empty.Value, theta).Updates;
            var (gs, cs) = (Parameters.Flatten(g), Parameters.Flatten(clipped));
            var norm = Math.Sqrt(gs.Values.Sum(v => v * v));
            var clippedNorm = Math.Sqrt(cs.Values.Sum(v => v * v));
            if (norm <= maxNorm) return Parameters.BitEquals(g, clipped);
            var cosine = Enumerable.Range(0, gs.Length).Sum(i => gs[i] * cs[i]) / (norm * clippedNorm);
            return clippedNorm <= maxNorm * (1 + 1e-12) && clippedNorm >= maxNorm * (1 - 1e-12)
                && cosine >= 1 - 1e-12
                && Enumerable.Range(0, gs.Length).All(i => Close(gs[i] * (maxNorm / norm), cs[i], 1e-12));
        });

    [Fact]
    public void Update_rejects_a_state_of_another_optimizer_and_mismatched_shapes()
    {
        var theta = Init.Mlp(Key.FromSeed(1), [2, 3, 1], Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal);
        var other = Init.Mlp(Key.FromSeed(1), [2, 4, 1], Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal);
        var g = Gradients(theta, 2);
        Assert.Throws<ArgumentException>(() => Optimizers.Update(Optimizers.Adam(0.1), Optimizers.Init(Optimizers.Sgd(0.1), theta), theta, g));
        Assert.Throws<ArgumentException>(() => Optimizers.Update(Optimizers.RmsProp(0.1), Optimizers.Init(Optimizers.Momentum(0.1, 0.9), theta), theta, g));
        Assert.Throws<ArgumentException>(() => Optimizers.Update(Optimizers.Sgd(0.1), Optimizers.Init(Optimizers.Sgd(0.1), theta), theta, Gradients(other, 2)));
        Assert.Throws<ArgumentException>(() => Optimizers.Update(Optimizers.Adam(0.1), Optimizers.Init(Optimizers.Adam(0.1), other), theta, g));
        Assert.Throws<ArgumentException>(() => Optimizers.Update(Optimizers.AdamW(0.1, 0.01), Optimizers.Init(Optimizers.Adam(0.1), theta), theta, g));
        Assert.Throws<ArgumentException>(() => new ScaleByAdam(0.9, 0.999, 1e-8).Update(g, OptimizerState.Empty.Value, theta));
        // Momentum and Nesterov share a state shape.
        Assert.Equal(1, Count(Optimizers.Update(Optimizers.Nesterov(0.1, 0.9), Optimizers.Init(Optimizers.Momentum(0.1, 0.9), theta), theta, g).State));
    }

    [Fact]
    public void Hyper_parameters_are_validated_and_name_the_parameter()
    {
        Assert.Equal("Rate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Sgd(-1)).ParamName);
        Assert.Equal("Rate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Adam(double.NaN)).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Momentum(0.1, 1.0)).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaleByMomentum(0.9, true) with { Beta = -0.1 }).ParamName);
        Assert.Equal("Rho", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaleByRms(1.5, 1e-8)).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaleByRms(0.9, 0)).ParamName);
        Assert.Equal("Beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaleByAdam(1, 0.9, 1e-8)).ParamName);
        Assert.Equal("Beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaleByAdam(0.9, 1, 1e-8)).ParamName);
        Assert.Equal("WeightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.AdamW(0.1, -0.01)).ParamName);
        Assert.Equal("MaxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.ClipByGlobalNorm(0)).ParamName);
        Assert.Equal("Count", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaleByAdam.State(-1, Params(new([1, 1], 0, 0)), Params(new([1, 1], 0, 0)))).ParamName);
        Assert.Equal("Schedule", Assert.Throws<ArgumentNullException>(() => new ScaleByLearningRate(null!)).ParamName);
        Assert.Throws<ArgumentException>(() => Optimizers.Chain());
    }

    [Fact]
    public void Parse_gives_the_named_case_with_defaults_and_lists_the_names_otherwise()
    {
        foreach (var name in new[] { "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw" })
        {
            var opt = Optimizers.Parse(name.ToUpperInvariant(), 0.25);
            var chain = Assert.IsType<Chain>(opt);
            Assert.Equal(new ScaleByLearningRate(Schedules.Constant(0.25)), chain.Links[^1]);
        }
        Assert.Equal(Optimizers.Sgd(0.1), Optimizers.Parse("sgd", 0.1));
        Assert.Equal(Optimizers.Chain(new ScaleByMomentum(0.9, false), new ScaleByLearningRate(Schedules.Constant(0.1))), Optimizers.Parse("momentum", 0.1));
        Assert.Equal(Optimizers.Chain(new ScaleByMomentum(0.9, true), new ScaleByLearningRate(Schedules.Constant(0.1))), Optimizers.Parse(" nesterov ", 0.1));
        Assert.Equal(Optimizers.Chain(new ScaleByRms(0.99, 1e-8), new ScaleByLearningRate(Schedules.Constant(0.1))), Optimizers.Parse("rmsprop", 0.1));
        Assert.Equal(Optimizers.Chain(new ScaleByAdam(0.9, 0.999, 1e-8), new ScaleByLearningRate(Schedules.Constant(0.1))), Optimizers.Parse("adam", 0.1));
        Assert.Equal(Optimizers.Chain(new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(0.01), new ScaleByLearningRate(Schedules.Constant(0.1))), Optimizers.Parse("adamw", 0.1));
        Assert.NotEqual(Optimizers.Adam(0.1), Optimizers.Adam(0.2));
        var e = Assert.Throws<ArgumentException>(() => Optimizers.Parse("adagrad", 0.1));
        Assert.Contains("sgd, momentum, nesterov, rmsprop, adam, adamw", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Clipping, schedules and nesting around each named optimizer: fused kernels must not see a difference.</summary>
    internal static GradientTransformation[] Variants(double lr) =>
    [
        .. AllOptimizers(lr),
        .. AllOptimizers(lr).Select(o => Optimizers.Chain(Optimizers.ClipByGlobalNorm(0.5), o)),
        Optimizers.Adam(Schedules.Exponential(lr, 0.5)),
        Optimizers.Momentum(Schedules.Cosine(lr, 2, lr / 10), 0.9),
        Optimizers.AdamW(Schedules.StepDecay(lr, 0.1, 2), 0.0),
        Optimizers.Chain(Optimizers.Chain(Optimizers.ClipByGlobalNorm(2)), Optimizers.Chain(new ScaleByRms(0.5, 1e-3)), new ScaleByLearningRate(Schedules.Constant(lr))),
    ];

    [Property(Replay = "(7008,11400714819323198485)", MaxTest = 100)]
    public Property A_named_optimizer_gives_the_bits_of_its_links_applied_one_by_one() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var theta = Params(c);
            return Variants(0.05).All(opt =>
            {
                Assert.NotNull(FusedUpdate.Of(opt)); // each variant takes the fused kernel in Optimizers.Update
                var (fusedP, fusedS) = (theta, Optimizers.Init(opt, theta));
                var (linkP, linkS) = (theta, Optimizers.Init(opt, theta));
                for (var k = 0; k < 4; k++)
                {
                    var g = Parameters.Scale(k + 0.5, Gradients(theta, c.GradientSeed + k));
                    var fused = Optimizers.Update(opt, fusedS, fusedP, g);
                    (fusedP, fusedS) = (fused.Parameters, fused.State);
                    var links = opt.Update(g, linkS, linkP);
                    (linkP, linkS) = (Optimizers.ApplyUpdates(linkP, links.Updates), links.State);
                    if (!Parameters.BitEquals(fusedP, linkP) || !fusedS.Equals(linkS)) return false;
                }
                return Count(fusedS) == 4;
            });
        });

    [Fact]
    public void Another_chain_runs_link_by_link()
    {
        var theta = Params(new([3, 4, 2], 5, 6));
        var g = Gradients(theta, 7);
        // Clipping after the scaling is not a named optimizer: no fused kernel, the links in turn.
        var opt = Optimizers.Chain(new ScaleByAdam(0.9, 0.999, 1e-8), Optimizers.ClipByGlobalNorm(0.01), new ScaleByLearningRate(Schedules.Constant(0.1)));
        Assert.Null(FusedUpdate.Of(opt));
        var step = Optimizers.Update(opt, opt.Init(theta), theta, g);
        var moved = Parameters.GlobalNorm(Parameters.Subtract(step.Parameters, theta));
        Assert.True(Math.Abs(moved - 0.001) < 1e-12, $"moved {moved}");
    }

    [Fact]
    public void The_learning_rate_lives_in_one_place_so_another_optimizer_brings_its_own()
    {
        // The first design kept the schedule made from the first optimizer's rate: Adam then trained at 0.1.
        var network = Init.Mlp(Key.FromSeed(3), [2, 4, 1], Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal);
        var x = Matrix.FromRows([[0.0, 1.0], [1.0, 0.5], [0.25, -1.0]]);
        var y = Matrix.FromRows([[1.0], [0.0], [0.5]]);
        var objective = Objective.Of(Losses.MeanSquaredError);
        var replaced = TrainConfig.Of(objective, Optimizers.Sgd(0.1)).WithOptimizer(Optimizers.Adam(0.01));
        var direct = TrainConfig.Of(objective, Optimizers.Adam(0.01));
        var (a, b) = (Training.Init(replaced, network, Key.FromSeed(1)), Training.Init(direct, network, Key.FromSeed(1)));
        for (var i = 0; i < 5; i++) (a, b) = (Training.Step(replaced, a, x, y), Training.Step(direct, b, x, y));
        Assert.True(Parameters.BitEquals(a.Parameters, b.Parameters));
        // Adam's first step moves each parameter by about lr, not 10·lr.
        var first = Training.Step(replaced, Training.Init(replaced, network, Key.FromSeed(1)), x, y);
        var largest = Parameters.Flatten(Parameters.Subtract(first.Parameters, network)).Values.Max(Math.Abs);
        Assert.InRange(largest, 0.005, 0.0101);
    }

    /// <summary>
    /// A per-element transcription of the update rules over flat arrays, with the grouping the XML docs promise
    /// (<c>(1−ρ)·(g·g)</c>, <c>lr·(g / (√s + ε))</c>): a parameter that ends near 0 after cancellation would
    /// otherwise differ by a few relative ulps from any other grouping.
    /// </summary>
    private sealed class ScalarReference(GradientTransformation optimizer, double[] theta)
    {
        public double[] Theta { get; } = theta;
        private readonly GradientTransformation[] links = Leaves(optimizer).ToArray();
        private readonly double[][] m = [.. Leaves(optimizer).Select(_ => new double[theta.Length])];
        private readonly double[][] v = [.. Leaves(optimizer).Select(_ => new double[theta.Length])];
        private long _t;

        private static IEnumerable<GradientTransformation> Leaves(GradientTransformation t) =>
            t is Chain c ? c.Links.SelectMany(Leaves) : [t];

        public void Step(double[] g)
        {
            var t = _t++;
            for (var i = 0; i < Theta.Length; i++)
            {
                var u = g[i];
                for (var k = 0; k < links.Length; k++)
                {
                    switch (links[k])
                    {
                        case ScaleByMomentum o:
                            m[k][i] = o.Beta * m[k][i] + u;
                            u = o.Nesterov ? u + o.Beta * m[k][i] : m[k][i];
                            break;
                        case ScaleByRms o:
                            m[k][i] = o.Rho * m[k][i] + (1 - o.Rho) * (u * u);
                            u = u / (Math.Sqrt(m[k][i]) + o.Epsilon);
                            break;
                        case ScaleByAdam o:
                            m[k][i] = o.Beta1 * m[k][i] + (1 - o.Beta1) * u;
                            v[k][i] = o.Beta2 * v[k][i] + (1 - o.Beta2) * (u * u);
                            var mHat = m[k][i] / (1 - Math.Pow(o.Beta1, t + 1));
                            var vHat = v[k][i] / (1 - Math.Pow(o.Beta2, t + 1));
                            u = mHat / (Math.Sqrt(vHat) + o.Epsilon);
                            break;
                        case AddDecayedWeights o:
                            u = u + o.WeightDecay * Theta[i];
                            break;
                        case ScaleByLearningRate o:
                            u = -Schedules.LearningRate(o.Schedule, t) * u;
                            break;
                        default:
                            throw new InvalidOperationException();
                    }
                }
                Theta[i] += u;
            }
        }
    }
}

using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

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

    /// <summary>Runs a property over 100 cases with a fixed replay seed, throwing on the first failure.</summary>
    internal static void Check<T>(Gen<T> gen, Func<T, bool> property, ulong seed) =>
        FsCheck.Check.One(
            Config.QuickThrowOnFailure
                .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)))
                .WithMaxTest(100),
            Prop.ForAll(Arb.From(gen), property));

    internal static Network Params(Case c) =>
        Init.Mlp(Key.FromSeed(c.Seed), c.Sizes, Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal);

    /// <summary>Gradients shaped like <paramref name="template"/>, every entry (bias included) drawn from N(0, 1).</summary>
    internal static Network Gradients(Network template, long seed) =>
        Parameters.Unflatten(template, Prng.Normal(Key.FromSeed(seed), template.ParameterCount, 0, 1));

    /// <summary>One of each case, with hyper-parameters away from the defaults.</summary>
    internal static Optimizer[] AllOptimizers(double lr) =>
    [
        new Optimizer.Sgd(lr),
        new Optimizer.Momentum(lr, 0.9),
        new Optimizer.Nesterov(lr, 0.8),
        new Optimizer.RmsProp(lr, 0.9, 1e-8),
        new Optimizer.Adam(lr, 0.9, 0.99, 1e-8),
        new Optimizer.AdamW(lr, 0.8, 0.995, 1e-7, 0.1),
    ];

    private static bool Close(double expected, double actual, double relative) =>
        Math.Abs(expected - actual) <= relative * Math.Max(Math.Abs(expected), Math.Abs(actual));

    [Fact]
    public void Zero_learning_rate_leaves_parameters_bit_for_bit_unchanged() =>
        Check(Cases, c =>
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
                return Parameters.BitEquals(theta, p) && state.Step == 3;
            });
        }, 7001);

    [Fact]
    public void Adam_first_step_moves_each_parameter_by_the_learning_rate_against_the_gradient() =>
        Check(Cases.SelectMany(_ => Gen.Elements(1e-3, 1e-2, 0.1), (c, lr) => (c, lr)), x =>
        {
            var (c, lr) = x;
            var theta = Params(c);
            var g = Gradients(theta, c.GradientSeed);
            foreach (var opt in new[] { Optimizers.Adam(lr), new Optimizer.Adam(lr, 0.5, 0.9, 1e-8) })
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
        }, 7002);

    [Fact]
    public void Update_leaves_its_inputs_unchanged_and_equal_inputs_give_equal_outputs() =>
        Check(Cases, c =>
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
                var stateCopy = state switch
                {
                    OptimizerState.SgdState s => (OptimizerState)new OptimizerState.SgdState(s.Step),
                    OptimizerState.MomentumState s => new OptimizerState.MomentumState(s.Step, Copy(s.Velocity)),
                    OptimizerState.RmsPropState s => new OptimizerState.RmsPropState(s.Step, Copy(s.MeanSquare)),
                    OptimizerState.AdamState s => new OptimizerState.AdamState(s.Step, Copy(s.M), Copy(s.V)),
                    _ => throw new InvalidOperationException(),
                };
                var first = Optimizers.Update(opt, state, p, g);
                var unchanged = p.Equals(pCopy) && g.Equals(gCopy) && state.Equals(stateCopy) && !ReferenceEquals(state, stateCopy);
                var second = Optimizers.Update(opt, stateCopy, pCopy, gCopy);
                return unchanged && first.Equals(second) && Parameters.BitEquals(first.Parameters, second.Parameters)
                    && !first.Parameters.Equals(p) && first.State.Step == state.Step + 1;
            });
        }, 7003);

    [Fact]
    public void Sgd_step_is_theta_minus_lr_times_g_exactly() =>
        Check(Cases, c =>
        {
            const double lr = 0.037;
            var theta = Params(c);
            var g = Gradients(theta, c.GradientSeed);
            var after = Parameters.Flatten(Optimizers.Update(Optimizers.Sgd(lr), Optimizers.Init(Optimizers.Sgd(lr), theta), theta, g).Parameters);
            var (t, gs) = (Parameters.Flatten(theta), Parameters.Flatten(g));
            return Enumerable.Range(0, t.Length).All(i => BitConverter.DoubleToInt64Bits(after[i]) == BitConverter.DoubleToInt64Bits(t[i] - lr * gs[i]));
        }, 7004);

    [Fact]
    public void Every_optimizer_gives_the_bits_of_a_scalar_reference_after_three_steps() =>
        Check(Cases, c =>
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
                return state.Step == 3 && Enumerable.Range(0, actual.Length).All(i =>
                    BitConverter.DoubleToInt64Bits(reference.Theta[i]) == BitConverter.DoubleToInt64Bits(actual[i]));
            });
        }, 7005);

    [Fact]
    public void A_few_steps_of_every_optimizer_reduce_half_the_squared_norm() =>
        Check(Cases, c =>
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
        }, 7006);

    [Fact]
    public void ClipByGlobalNorm_bounds_the_norm_and_keeps_the_direction() =>
        Check(Cases.SelectMany(_ => Gen.Elements(0.01, 0.3, 1.0, 3.0, 100.0), (c, scale) => (c, scale)), x =>
        {
            var (c, scale) = x;
            var theta = Params(c);
            var g = Parameters.Scale(scale, Gradients(theta, c.GradientSeed));
            const double maxNorm = 1.0;
            var clipped = Optimizers.ClipByGlobalNorm(g, maxNorm);
            var (gs, cs) = (Parameters.Flatten(g), Parameters.Flatten(clipped));
            var norm = Math.Sqrt(gs.Values.Sum(v => v * v));
            var clippedNorm = Math.Sqrt(cs.Values.Sum(v => v * v));
            if (norm <= maxNorm) return Parameters.BitEquals(g, clipped);
            var cosine = Enumerable.Range(0, gs.Length).Sum(i => gs[i] * cs[i]) / (norm * clippedNorm);
            return clippedNorm <= maxNorm * (1 + 1e-12) && clippedNorm >= maxNorm * (1 - 1e-12)
                && cosine >= 1 - 1e-12
                && Enumerable.Range(0, gs.Length).All(i => Close(gs[i] * (maxNorm / norm), cs[i], 1e-12));
        }, 7007);

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
        // Momentum and Nesterov share a state case.
        Assert.Equal(1, Optimizers.Update(Optimizers.Nesterov(0.1, 0.9), Optimizers.Init(Optimizers.Momentum(0.1, 0.9), theta), theta, g).State.Step);
    }

    [Fact]
    public void Hyper_parameters_are_validated_and_name_the_parameter()
    {
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Sgd(-1)).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Adam(double.NaN)).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.WithLearningRate(Optimizers.Adam(0.1), double.PositiveInfinity)).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Momentum(0.1, 1.0)).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizer.Nesterov(0.1, 0.9) with { Beta = -0.1 }).ParamName);
        Assert.Equal("Rho", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizer.RmsProp(0.1, 1.5, 1e-8)).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizer.RmsProp(0.1, 0.9, 0)).ParamName);
        Assert.Equal("Beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizer.Adam(0.1, 1, 0.9, 1e-8)).ParamName);
        Assert.Equal("Beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizer.AdamW(0.1, 0.9, 1, 1e-8, 0)).ParamName);
        Assert.Equal("WeightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.AdamW(0.1, -0.01)).ParamName);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.ClipByGlobalNorm(Gradients(Params(new([1, 1], 0, 0)), 0), 0)).ParamName);
        Assert.Equal("Step", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerState.SgdState(-1)).ParamName);
    }

    [Fact]
    public void Parse_gives_the_named_case_with_defaults_and_lists_the_names_otherwise()
    {
        foreach (var name in new[] { "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw" })
        {
            var opt = Optimizers.Parse(name.ToUpperInvariant(), 0.25);
            Assert.Equal(name, opt.Name);
            Assert.Equal(0.25, opt.Rate);
        }
        Assert.Equal(new Optimizer.Momentum(0.1, 0.9), Optimizers.Parse("momentum", 0.1));
        Assert.Equal(new Optimizer.Nesterov(0.1, 0.9), Optimizers.Parse(" nesterov ", 0.1));
        Assert.Equal(new Optimizer.RmsProp(0.1, 0.99, 1e-8), Optimizers.Parse("rmsprop", 0.1));
        Assert.Equal(new Optimizer.Adam(0.1, 0.9, 0.999, 1e-8), Optimizers.Parse("adam", 0.1));
        Assert.Equal(new Optimizer.AdamW(0.1, 0.9, 0.999, 1e-8, 0.01), Optimizers.Parse("adamw", 0.1));
        var e = Assert.Throws<ArgumentException>(() => Optimizers.Parse("adagrad", 0.1));
        Assert.Contains("sgd, momentum, nesterov, rmsprop, adam, adamw", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithLearningRate_keeps_the_case_and_the_other_hyper_parameters()
    {
        foreach (var opt in AllOptimizers(0.1))
        {
            var changed = Optimizers.WithLearningRate(opt, 0.003);
            Assert.Equal(opt.GetType(), changed.GetType());
            Assert.Equal(0.003, changed.Rate);
            Assert.Equal(opt, Optimizers.WithLearningRate(changed, 0.1));
        }
    }

    /// <summary>
    /// A per-element transcription of the update rules over flat arrays, with the grouping the XML docs promise
    /// (<c>(1−ρ)·(g·g)</c>, <c>lr·(g / (√s + ε))</c>): a parameter that ends near 0 after cancellation would
    /// otherwise differ by a few relative ulps from any other grouping.
    /// </summary>
    private sealed class ScalarReference(Optimizer optimizer, double[] theta)
    {
        public double[] Theta { get; } = theta;
        private readonly double[] _m = new double[theta.Length];
        private readonly double[] _v = new double[theta.Length];
        private long _t;

        public void Step(double[] g)
        {
            _t++;
            for (var i = 0; i < Theta.Length; i++)
            {
                switch (optimizer)
                {
                    case Optimizer.Sgd o:
                        Theta[i] -= o.LearningRate * g[i];
                        break;
                    case Optimizer.Momentum o:
                        _m[i] = o.Beta * _m[i] + g[i];
                        Theta[i] -= o.LearningRate * _m[i];
                        break;
                    case Optimizer.Nesterov o:
                        _m[i] = o.Beta * _m[i] + g[i];
                        Theta[i] -= o.LearningRate * (g[i] + o.Beta * _m[i]);
                        break;
                    case Optimizer.RmsProp o:
                        _v[i] = o.Rho * _v[i] + (1 - o.Rho) * (g[i] * g[i]);
                        Theta[i] -= o.LearningRate * (g[i] / (Math.Sqrt(_v[i]) + o.Epsilon));
                        break;
                    case Optimizer.Adam o:
                        AdamElement(i, g[i], o.LearningRate, o.Beta1, o.Beta2, o.Epsilon, 0);
                        break;
                    case Optimizer.AdamW o:
                        AdamElement(i, g[i], o.LearningRate, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay);
                        break;
                    default:
                        throw new InvalidOperationException();
                }
            }
        }

        private void AdamElement(int i, double g, double lr, double b1, double b2, double eps, double wd)
        {
            _m[i] = b1 * _m[i] + (1 - b1) * g;
            _v[i] = b2 * _v[i] + (1 - b2) * (g * g);
            var mHat = _m[i] / (1 - Math.Pow(b1, _t));
            var vHat = _v[i] / (1 - Math.Pow(b2, _t));
            Theta[i] = Theta[i] * (1 - lr * wd) - lr * (mHat / (Math.Sqrt(vHat) + eps));
        }
    }
}

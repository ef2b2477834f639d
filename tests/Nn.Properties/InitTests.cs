using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>Seeded initialisation: reproducible, seed-sensitive, and with the documented weight distributions.</summary>
public class InitTests
{
    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Same_seed_gives_a_bit_identical_network() =>
        Prop.ForAll(Arbs.SmallArchitecture, arch => Parameters.BitEquals(arch.Build(), arch.Build()));

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Different_seeds_give_different_weights() =>
        Prop.ForAll(Arbs.SmallArchitecture, arch =>
            !Parameters.BitEquals(arch.Build(), (arch with { Seed = arch.Seed + 1 }).Build()));

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Biases_start_at_zero() =>
        Prop.ForAll(Arbs.SmallArchitecture, arch =>
            arch.Build().Layers.All(l => l.Bias.BitEquals(Vector.Zeros(l.Outputs))));

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Network_has_the_requested_shapes_and_activations() =>
        Prop.ForAll(Arbs.SmallArchitecture, arch =>
        {
            var net = arch.Build();
            Assert.Equal([.. arch.Sizes], net.Sizes.ToArray());
            Assert.Equal([.. arch.Activations], net.Layers.Select(l => l.Activation).ToArray());
            Assert.True(Parameters.IsFinite(net));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Layer_i_of_a_network_is_drawn_with_the_key_folded_with_i() =>
        Prop.ForAll(Arbs.SmallArchitecture, arch =>
        {
            var net = arch.Build();
            for (var i = 0; i < arch.LayerCount; i++)
            {
                var layer = Init.Layer(Prng.Fold(Key.FromSeed(arch.Seed), i), arch.Sizes[i], arch.Sizes[i + 1], arch.Activations[i], arch.Scheme);
                Assert.Equal(layer, net.Layers[i]);
            }
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Mlp_is_Network_with_the_hidden_activation_repeated() =>
        Prop.ForAll(
            Arb.From(from arch in Gens.Architecture(Gens.Width.Select(_ => Activations.Tanh), Gen.Constant(Activations.Sigmoid))
                     select arch),
            arch => Parameters.BitEquals(
                Init.Mlp(Key.FromSeed(arch.Seed), arch.Sizes, Activations.Tanh, Activations.Sigmoid, arch.Scheme), arch.Build()));

    /// <summary>Normal schemes: the empirical std over the (inputs × outputs) weights, within 5%, and mean near 0.</summary>
    [Theory]
    [InlineData("he-normal", 200, 200)]
    [InlineData("he-normal", 300, 100)]
    [InlineData("xavier-normal", 200, 200)]
    [InlineData("xavier-normal", 300, 100)]
    [InlineData("lecun-normal", 200, 200)]
    [InlineData("lecun-normal", 100, 300)]
    public void Normal_scheme_weights_have_the_documented_std(string name, int inputs, int outputs)
    {
        var scheme = InitSchemes.Parse(name);
        var expected = scheme switch
        {
            InitScheme.HeNormal => Math.Sqrt(2.0 / inputs),
            InitScheme.XavierNormal => Math.Sqrt(2.0 / (inputs + outputs)),
            InitScheme.LeCunNormal => Math.Sqrt(1.0 / inputs),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
        };
        var w = Init.Layer(Key.FromSeed(7), inputs, outputs, Activations.Linear, scheme).Weights.ToRowMajorArray();
        var (mean, std) = MeanAndStd(w);
        Assert.InRange(std, 0.95 * expected, 1.05 * expected);
        Assert.InRange(mean, -0.05 * expected, 0.05 * expected);
    }

    /// <summary>Uniform schemes: every |w| below the limit, std ≈ limit/√3 within 5%, and mean near 0.</summary>
    [Theory]
    [InlineData("he-uniform", 200, 200)]
    [InlineData("he-uniform", 300, 100)]
    [InlineData("xavier-uniform", 200, 200)]
    [InlineData("xavier-uniform", 300, 100)]
    [InlineData("lecun-uniform", 200, 200)]
    [InlineData("lecun-uniform", 100, 300)]
    public void Uniform_scheme_weights_stay_within_the_limit_with_std_limit_over_root_3(string name, int inputs, int outputs)
    {
        var scheme = InitSchemes.Parse(name);
        var limit = scheme switch
        {
            InitScheme.HeUniform => Math.Sqrt(6.0 / inputs),
            InitScheme.XavierUniform => Math.Sqrt(6.0 / (inputs + outputs)),
            InitScheme.LeCunUniform => Math.Sqrt(3.0 / inputs),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
        };
        var w = Init.Layer(Key.FromSeed(7), inputs, outputs, Activations.Linear, scheme).Weights.ToRowMajorArray();
        Assert.All(w, x => Assert.True(x >= -limit && x < limit, $"{x} outside [−{limit}, {limit})"));
        Assert.True(w.Max(Math.Abs) > 0.99 * limit, "the draws should reach close to the limit");
        var (mean, std) = MeanAndStd(w);
        var expected = limit / Math.Sqrt(3);
        Assert.InRange(std, 0.95 * expected, 1.05 * expected);
        Assert.InRange(mean, -0.05 * expected, 0.05 * expected);
    }

    [Fact]
    public void DefaultFor_picks_He_for_relu_family_and_Xavier_otherwise()
    {
        Assert.Equal(InitSchemes.HeNormal, Init.DefaultFor(Activations.Relu));
        Assert.Equal(InitSchemes.HeNormal, Init.DefaultFor(Activations.LeakyRelu(0.01)));
        Assert.Equal(InitSchemes.XavierNormal, Init.DefaultFor(Activations.Tanh));
        Assert.Equal(InitSchemes.XavierNormal, Init.DefaultFor(Activations.Sigmoid));
    }

    private static (double Mean, double Std) MeanAndStd(double[] w)
    {
        var mean = w.Average();
        return (mean, Math.Sqrt(w.Sum(x => (x - mean) * (x - mean)) / (w.Length - 1)));
    }
}

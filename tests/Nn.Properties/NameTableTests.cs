namespace Nn.Properties;

/// <summary>Each closed set spells its names once: the value's Name, Parse and Parse's message agree.</summary>
public class NameTableTests
{
    private static readonly Activation[] AllActivations =
        [Activations.Sigmoid, Activations.Tanh, Activations.Relu, Activations.LeakyRelu(0.25), Activations.Linear, Activations.Softmax];

    [Fact]
    public void Every_value_parses_back_from_its_name_and_its_ToString()
    {
        foreach (var loss in Losses.All)
        {
            Assert.Equal(loss, Losses.Parse(loss.Name));
            Assert.Equal(loss, Losses.Parse(loss.ToString()));
        }
        foreach (var scheme in InitSchemes.All)
        {
            Assert.Equal(scheme, InitSchemes.Parse(scheme.Name));
            Assert.Equal(scheme, InitSchemes.Parse(scheme.ToString()));
        }
        foreach (var activation in AllActivations)
        {
            Assert.Equal(activation, Activations.Parse(activation.ToString()));
            Assert.Equal(activation.GetType(), Activations.Parse(activation.Name).GetType());
        }
    }

    [Fact]
    public void Names_are_listed_once_each_in_order()
    {
        Assert.Equal(["mse", "bce", "cce"], Losses.Names.ToArray());
        Assert.Equal(Losses.All.Select(l => l.Name), Losses.Names.ToArray());
        Assert.Equal(["he-normal", "he-uniform", "xavier-normal", "xavier-uniform", "lecun-normal", "lecun-uniform"], InitSchemes.Names.ToArray());
        Assert.Equal(InitSchemes.All.Select(s => s.Name), InitSchemes.Names.ToArray());
        Assert.Equal(["sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"], Activations.Names.ToArray());
        Assert.Equal(AllActivations.Select(a => a.Name), Activations.Names.ToArray());
    }

    [Fact]
    public void Aliases_and_case_are_accepted()
    {
        Assert.Equal(Losses.CategoricalCrossEntropy, Losses.Parse(" CategoricalCrossEntropy "));
        Assert.Equal(InitSchemes.HeNormal, InitSchemes.Parse("he"));
        Assert.Equal(InitSchemes.XavierNormal, InitSchemes.Parse("Xavier"));
        Assert.Equal(InitSchemes.LeCunNormal, InitSchemes.Parse("lecun"));
        Assert.Equal(Activations.LeakyRelu(Activations.DefaultLeakySlope), Activations.Parse("leaky_relu"));
        Assert.Equal(Activations.LeakyRelu(0.2), Activations.Parse("Leaky-ReLU(0.2)"));
    }

    [Fact]
    public void An_unknown_name_throws_listing_the_known_ones()
    {
        Assert.Equal("Unknown loss 'hinge'; expected one of mse, bce, cce. (Parameter 'name')",
            Assert.Throws<ArgumentException>(() => Losses.Parse("hinge")).Message);
        Assert.Contains("expected one of sigmoid, tanh, relu, leaky-relu, linear, softmax.",
            Assert.Throws<ArgumentException>(() => Activations.Parse("gelu")).Message, StringComparison.Ordinal);
        Assert.Contains("expected one of sigmoid", Assert.Throws<ArgumentException>(() => Activations.Parse("leaky-relu(x)")).Message, StringComparison.Ordinal);
        Assert.Contains("expected one of he-normal, he-uniform, xavier-normal, xavier-uniform, lecun-normal, lecun-uniform.",
            Assert.Throws<ArgumentException>(() => InitSchemes.Parse("orthogonal")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Parse("leaky-relu(1e999)"));
    }

    [Fact]
    public void The_case_records_print_their_name()
    {
        Assert.Equal("cce", Losses.CategoricalCrossEntropy.ToString());
        Assert.Equal("he-uniform", InitSchemes.HeUniform.ToString());
        Assert.Equal("Objective { Loss = bce, L2 = 0, DropoutRate = 0 }", Objective.Of(Losses.BinaryCrossEntropy).ToString());
    }
}

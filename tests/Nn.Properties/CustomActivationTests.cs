using Nn.Properties.Support;
using Nn.Shell;

namespace Nn.Properties;

/// <summary>
/// A user's own activations, written as a user would (GELU in its tanh form, Swish, softplus): they pass the gradient
/// check, train through the engine with the reference step's bits, save by name and load when given, and a planted bug
/// in a derivative fails the check.
/// </summary>
public sealed class CustomActivationTests
{
    private static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    internal static Activation Gelu { get; } = Activations.Custom("gelu",
        z => 0.5 * z * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z))),
        z =>
        {
            var t = Math.Tanh(Math.Sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z));
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * z * z);
        });

    internal static Activation Swish { get; } = Activations.Custom("swish", z => z * Sigmoid(z), z => Sigmoid(z) + z * Sigmoid(z) * (1 - Sigmoid(z)));

    internal static Activation Softplus { get; } = Activations.Custom("softplus",
        z => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z)), Sigmoid);

    private static (Network Network, Matrix X, Matrix Y) Case(Activation hidden, long seed)
    {
        var network = Init.Mlp(Key.FromSeed(seed), [3, 5, 4, 2], hidden, Activations.Softmax, InitSchemes.XavierNormal);
        var x = Gens.Uniform(seed + 1, 6, 3, -2, 2);
        var y = Gens.Targets(Losses.CategoricalCrossEntropy, seed + 2, 6, 2);
        return (network, x, y);
    }

    [Fact]
    public void Gelu_swish_and_softplus_pass_the_gradient_check()
    {
        foreach (var activation in new[] { Gelu, Swish, Softplus })
        {
            var (network, x, y) = Case(activation, 11);
            var check = GradientCheck.Run(network, x, y, Objective.Of(Losses.CategoricalCrossEntropy), GradientCheckOptions.Default);
            Assert.True(check.Passed, $"{activation}: {check}");
        }
    }

    [Fact]
    public void A_planted_bug_in_a_derivative_fails_the_check_by_tensor()
    {
        // Swish's derivative without its second term: σ(z) instead of σ(z) + z·σ(z)·(1 − σ(z)).
        var buggy = Activations.Custom("swish", z => z * Sigmoid(z), Sigmoid);
        var (network, x, y) = Case(buggy, 12);
        var check = GradientCheck.Run(network, x, y, Objective.Of(Losses.CategoricalCrossEntropy), GradientCheckOptions.Default);
        Assert.Equal(GradientVerdict.Failed, check.Verdict);
        Assert.Contains(check.Tensors, t => t.Name == "W1" && t.Failures > 0);
    }

    [Fact]
    public void A_custom_activation_trains_through_the_engine_with_the_bits_of_the_reference_step()
    {
        var (network, x, y) = Case(Gelu, 13);
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy).WithL2(1e-3).WithDropout(0.2), Optimizers.Adam(0.01));
        var start = Training.Init(config, network, Key.FromSeed(14));
        var batches = Enumerable.Range(0, 5).SelectMany(e => Batches.ForEpoch(Training.ShuffleKey(start), e, x.Rows, BatchPolicy.MiniBatch(4))).ToArray();
        var reference = start;
        foreach (var batch in batches) reference = Training.Step(config, reference, x.SelectRows(batch), y.SelectRows(batch));
        foreach (var threads in new[] { 1, 2 })
        {
            var folded = Training.Steps(config, start, x, y, batches, _ => true, new ComputeOptions { MaxThreads = threads });
            Assert.True(Parameters.BitEquals(reference.Parameters, folded.Parameters), $"{threads} threads");
        }
        Assert.True(Evaluation.Summarize(reference.Parameters, x, y, Objective.Of(Losses.CategoricalCrossEntropy)).Loss
            < Evaluation.Summarize(network, x, y, Objective.Of(Losses.CategoricalCrossEntropy)).Loss);
    }

    [Fact]
    public void A_model_file_holds_the_name_and_loading_needs_the_function()
    {
        var (network, _, _) = Case(Swish, 15);
        var info = new ModelInfo(TaskKind.Classification, ["a", "b", "c"], "y", ["0", "1"], Losses.CategoricalCrossEntropy,
            FeatureScaling.None(3), null, [], "");
        var model = new Model(network, info);
        var bytes = ModelFile.ToBytes(model);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.FromBytes(bytes, "swish.safetensors"));
        Assert.Contains("unknown activation 'swish'", e.Message);
        Assert.Contains("Activations.Custom", e.Message);
        Assert.Equal(model, ModelFile.FromBytes(bytes, "swish.safetensors", [Swish]));
        // A custom loss is saved by name too.
        var huberModel = new Model(Init.Mlp(Key.FromSeed(16), [3, 5, 1], Swish, Activations.Linear, InitSchemes.XavierNormal),
            info with { Task = TaskKind.Regression, Labels = [], Loss = Huber });
        var huberBytes = ModelFile.ToBytes(huberModel);
        Assert.Contains("loss 'huber' is unknown", Assert.Throws<ModelFileException>(() => ModelFile.FromBytes(huberBytes, "h", [Swish])).Message);
        Assert.Equal(huberModel, ModelFile.FromBytes(huberBytes, "h", [Swish], [Huber]));
        var onnx = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, OnnxPrecision.Double));
        Assert.Contains("custom activation 'swish'", onnx.Message);
    }

    [Fact]
    public void Custom_names_are_checked()
    {
        Assert.Throws<ArgumentException>(() => Activations.Custom("relu", z => z, _ => 1));
        Assert.Throws<ArgumentException>(() => Activations.Custom("Gelu", z => z, _ => 1));
        Assert.Throws<ArgumentException>(() => Activations.Custom("", z => z, _ => 1));
        Assert.Equal("gelu", Gelu.Name);
        Assert.Equal("gelu", Gelu.ToString());
        Assert.Equal(1.5, Activations.Value(Swish, 1.5) / Sigmoid(1.5), 12);
    }

    /// <summary>The Huber loss with δ = 1, as a user writes it: quadratic near the target, linear beyond.</summary>
    internal static Loss Huber { get; } = Losses.Custom("huber",
        (yHat, y) => Math.Abs(yHat - y) <= 1 ? 0.5 * (yHat - y) * (yHat - y) : Math.Abs(yHat - y) - 0.5,
        (yHat, y) => Math.Clamp(yHat - y, -1.0, 1.0));

    [Fact]
    public void A_custom_loss_passes_the_check_through_linear_and_tanh_outputs_and_a_wrong_gradient_fails()
    {
        foreach (var output in new[] { Activations.Linear, Activations.Tanh })
        {
            var network = Init.Mlp(Key.FromSeed(21), [3, 6, 2], Activations.Tanh, output, InitSchemes.XavierNormal);
            var x = Gens.Uniform(22L, 8, 3, -2, 2);
            var y = Gens.Uniform(23L, 8, 2, -3, 3);   // far enough that some residuals pass δ = 1
            var check = GradientCheck.Run(network, x, y, Objective.Of(Huber), GradientCheckOptions.Default);
            Assert.True(check.Passed, $"{output}: {check}");
            var wrong = Losses.Custom("huber", ((Loss.Custom)Huber).Value, (yHat, target) => yHat - target);   // the unclipped gradient
            Assert.Equal(GradientVerdict.Failed, GradientCheck.Run(network, x, y, Objective.Of(wrong), GradientCheckOptions.Default).Verdict);
        }
        Losses.CheckPairing(Huber, Activations.Softmax);   // through the softmax Jacobian
        Assert.Throws<ArgumentException>(() => Losses.Custom("mse", (a, b) => 0, (a, b) => 0));
    }

    [Fact]
    public void A_custom_loss_trains_through_the_engine_with_the_bits_of_the_reference_step()
    {
        var network = Init.Mlp(Key.FromSeed(24), [3, 8, 1], Activations.Relu, Activations.Linear, InitSchemes.HeNormal);
        var x = Gens.Uniform(25L, 20, 3, -1, 1);
        var y = Gens.Uniform(26L, 20, 1, -2, 2);
        var config = TrainConfig.Of(Objective.Of(Huber), Optimizers.Momentum(0.05, 0.9));
        var start = Training.Init(config, network, Key.FromSeed(27));
        var batches = Enumerable.Range(0, 6).SelectMany(e => Batches.ForEpoch(Training.ShuffleKey(start), e, x.Rows, BatchPolicy.MiniBatch(5))).ToArray();
        var reference = start;
        foreach (var batch in batches) reference = Training.Step(config, reference, x.SelectRows(batch), y.SelectRows(batch));
        var folded = Training.Steps(config, start, x, y, batches, _ => true, new ComputeOptions { MaxThreads = 2 });
        Assert.True(Parameters.BitEquals(reference.Parameters, folded.Parameters));
        Assert.Equal(BitConverter.DoubleToInt64Bits(reference.LastLoss), BitConverter.DoubleToInt64Bits(folded.LastLoss));
        Assert.True(Evaluation.Summarize(reference.Parameters, x, y, config.Objective).Loss < Evaluation.Summarize(network, x, y, config.Objective).Loss);
    }

    /// <summary>A softmax with temperature T = 2, written as a user's row-wise activation: a = softmax(z/T), dz = a ⊙ (da − Σ da·a) / T.</summary>
    internal static Activation WarmSoftmax { get; } = Activations.CustomRows("softmax-t2", z =>
    {
        var max = z.Max();
        var e = z.Select(v => Math.Exp((v - max) / 2)).ToArray();
        var sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }, (z, a, da) =>
    {
        var dot = a.Zip(da, (x, y) => x * y).Sum();
        return [.. a.Select((ai, i) => ai * (da[i] - dot) / 2)];
    });

    [Fact]
    public void A_row_wise_activation_passes_the_check_with_its_vector_jacobian_product_and_a_wrong_one_fails()
    {
        var network = Init.Mlp(Key.FromSeed(31), [3, 5, 4], Activations.Tanh, WarmSoftmax, InitSchemes.XavierNormal);
        var x = Gens.Uniform(32L, 6, 3, -2, 2);
        var y = Gens.Targets(Losses.CategoricalCrossEntropy, 33L, 6, 4);
        Assert.True(GradientCheck.Run(network, x, y, Objective.Of(Losses.MeanSquaredError), GradientCheckOptions.Default).Passed);
        // The product without the temperature's 1/T.
        var wrong = Activations.CustomRows("softmax-t2", ((Activation.CustomRows)WarmSoftmax).Function, (z, a, da) =>
        {
            var dot = a.Zip(da, (p, q) => p * q).Sum();
            return [.. a.Select((ai, i) => ai * (da[i] - dot))];
        });
        var bad = Init.Mlp(Key.FromSeed(31), [3, 5, 4], Activations.Tanh, wrong, InitSchemes.XavierNormal);
        Assert.Equal(GradientVerdict.Failed, GradientCheck.Run(bad, x, y, Objective.Of(Losses.MeanSquaredError), GradientCheckOptions.Default).Verdict);
        // It trains through the engine with the reference bits, and a wrong-width row is refused by name.
        var config = TrainConfig.Of(Objective.Of(Losses.MeanSquaredError), Optimizers.Sgd(0.1));
        var start = Training.Init(config, network, Key.FromSeed(34));
        var batches = Enumerable.Range(0, 3).SelectMany(e => Batches.ForEpoch(Training.ShuffleKey(start), e, x.Rows, BatchPolicy.MiniBatch(4))).ToArray();
        var reference = start;
        foreach (var batch in batches) reference = Training.Step(config, reference, x.SelectRows(batch), y.SelectRows(batch));
        Assert.True(Parameters.BitEquals(reference.Parameters, Training.Steps(config, start, x, y, batches, _ => true).Parameters));
        var short1 = Activations.CustomRows("short", z => [z[0]], (z, a, da) => da);
        var e = Assert.Throws<InvalidOperationException>(() => Forward.Predict(Init.Network(Key.FromSeed(1), [2, 3], [short1], InitSchemes.XavierNormal), Matrix.Zeros(1, 2)));
        Assert.Contains("'short'", e.Message);
    }

    /// <summary>The focal loss (γ = 2) on softmax probabilities, a row-wise loss: ℓ = −Σₖ yₖ(1 − pₖ)² ln pₖ.</summary>
    internal static Loss Focal { get; } = Losses.CustomRows("focal",
        (p, y) => -p.Select((pk, k) => y[k] * (1 - pk) * (1 - pk) * Math.Log(pk)).Sum(),
        (p, y) => [.. p.Select((pk, k) => y[k] * (2 * (1 - pk) * Math.Log(pk) - (1 - pk) * (1 - pk) / pk))]);

    [Fact]
    public void A_row_wise_loss_passes_the_check_through_softmax_and_a_wrong_gradient_fails()
    {
        var network = Init.Mlp(Key.FromSeed(41), [3, 5, 3], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var x = Gens.Uniform(42L, 7, 3, -2, 2);
        var y = Gens.Targets(Losses.CategoricalCrossEntropy, 43L, 7, 3);
        Assert.True(GradientCheck.Run(network, x, y, Objective.Of(Focal), GradientCheckOptions.Default).Passed);
        var wrong = Losses.CustomRows("focal", ((Loss.CustomRows)Focal).Value, (p, t) => [.. p.Select((pk, k) => -t[k] * (1 - pk) * (1 - pk) / pk)]);
        Assert.Equal(GradientVerdict.Failed, GradientCheck.Run(network, x, y, Objective.Of(wrong), GradientCheckOptions.Default).Verdict);
        var config = TrainConfig.Of(Objective.Of(Focal), Optimizers.Adam(0.02));
        var start = Training.Init(config, network, Key.FromSeed(44));
        var batches = Enumerable.Range(0, 4).SelectMany(e => Batches.ForEpoch(Training.ShuffleKey(start), e, x.Rows, BatchPolicy.MiniBatch(3))).ToArray();
        var reference = start;
        foreach (var batch in batches) reference = Training.Step(config, reference, x.SelectRows(batch), y.SelectRows(batch));
        Assert.True(Parameters.BitEquals(reference.Parameters, Training.Steps(config, start, x, y, batches, _ => true).Parameters));
    }
}

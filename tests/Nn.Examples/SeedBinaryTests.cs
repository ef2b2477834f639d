using Nn.Examples.Support;
using Xunit.Abstractions;
using static Nn.Examples.Support.Fitting;

namespace Nn.Examples;

/// <summary>data/README.md: seed_binary, 2→4→4→1 sigmoid, full-batch GD, lr 0.1, 1000 epochs ⇒ test accuracy 0.901 ± 0.010.</summary>
public sealed class SeedBinaryTests(ITestOutputHelper output)
{
    [Fact]
    public void Seed_binary_2_4_4_1_sigmoid_bce_full_batch_gd_lr_0_1_1000_epochs_reaches_test_accuracy_0_88()
    {
        var data = BundledData.Classification("seed_binary");
        // All three layers sigmoid, Xavier/Glorot normal weights (N(0, 2/(fan_in + fan_out))), zero biases.
        var network = Init.Mlp(Key.FromSeed(1), [2, 4, 4, 1], Activations.Sigmoid, Activations.Sigmoid, InitSchemes.XavierNormal);
        var config = TrainConfig.Of(Objective.Of(Losses.BinaryCrossEntropy), Optimizers.Sgd(0.1));

        var result = Fit(config, network, Key.FromSeed(2), data.Train.X, BinaryTargets(data.Train.Labels), 1000, BatchPolicy.FullBatch);

        var predicted = Threshold(Forward.Predict(result.State.Parameters, data.Test.X));
        var accuracy = Classification.Accuracy(data.Test.Labels, predicted);
        var trainAccuracy = Classification.Accuracy(data.Train.Labels, Threshold(Forward.Predict(result.State.Parameters, data.Train.X)));
        output.WriteLine($"seed_binary: train loss {result.History.Epochs[^1].TrainLoss:F4}, train accuracy {trainAccuracy:F3}, test accuracy {accuracy:F3} (reference 0.901 ± 0.010)");
        Assert.Equal(1000, result.State.Step);
        Assert.True(accuracy >= 0.88, $"test accuracy {accuracy}");
    }
}

using Nn.Examples.Support;
using Xunit.Abstractions;
using static Nn.Examples.Support.Fitting;

namespace Nn.Examples;

/// <summary>
/// data/README.md: seed_regression, 3→5→5→1, ReLU hidden, linear output, MSE, full-batch GD, 1000 epochs, standardised
/// features and target ⇒ test R² 0.980 ± 0.009 with lr 0.1, 0.849 with lr 0.01.
/// </summary>
public sealed class SeedRegressionTests(ITestOutputHelper output)
{
    [Fact]
    public void Seed_regression_3_5_5_1_relu_linear_mse_full_batch_gd_lr_0_1_1000_epochs_reaches_test_r2_0_96()
    {
        var data = BundledData.Regression("seed_regression");

        var r2 = TestRSquared(data, 0.1);

        output.WriteLine($"seed_regression lr 0.1: test R² {r2:F4} in original units (reference 0.980 ± 0.009)");
        Assert.True(r2 >= 0.96, $"test R² {r2}");
    }

    [Fact]
    public void Seed_regression_with_lr_0_01_ends_1000_epochs_with_a_lower_r2_than_lr_0_1()
    {
        var data = BundledData.Regression("seed_regression");

        var slow = TestRSquared(data, 0.01);
        var fast = TestRSquared(data, 0.1);

        output.WriteLine($"seed_regression lr 0.01: test R² {slow:F4} (reference 0.849); lr 0.1: {fast:F4}");
        Assert.True(slow < fast, $"lr 0.01 gave R² {slow}, lr 0.1 gave {fast}");
    }

    /// <summary>Trains with learning rate <paramref name="lr"/>; R² on the test part after mapping predictions back to the original units.</summary>
    private static double TestRSquared(RegressionSplit data, double lr)
    {
        // He normal weights for the ReLU layers (Init.DefaultFor(Relu)); the output layer is linear.
        var network = Init.Mlp(Key.FromSeed(3), [3, 5, 5, 1], Activations.Relu, Activations.Linear, InitSchemes.HeNormal);
        var config = TrainConfig.Of(Objective.Of(Losses.MeanSquaredError), Optimizers.Sgd(lr));

        var result = Fit(config, network, Key.FromSeed(4), data.Train.X, data.Train.YColumn, 1000, BatchPolicy.FullBatch);

        var standardised = Forward.Predict(result.State.Parameters, data.Test.X);
        var predicted = StandardScaler.InverseTransform(data.TargetScaler, standardised).Column(0);
        return Regression.RSquared(data.TestTargets, predicted);
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;
using Nn.Testing;

namespace Nn.Properties;

/// <summary>
/// The Nn.Testing kit on this project's own components, as a user's test project uses it: one attribute and one line
/// per property, with the project's fixed replay. The last test plants a bug and shows the kit catches it.
/// </summary>
public sealed class ComponentKitTests
{
    private const int Cases = 60;

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Gelu_is_differentiable() => NnProperties.GradientMatchesFiniteDifferences(CustomActivationTests.Gelu);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Swish_is_differentiable() => NnProperties.GradientMatchesFiniteDifferences(CustomActivationTests.Swish);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Softplus_is_differentiable() => NnProperties.GradientMatchesFiniteDifferences(CustomActivationTests.Softplus);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Tanh_is_differentiable() => NnProperties.GradientMatchesFiniteDifferences(Activations.Tanh);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Relu_never_fails_the_check() => NnProperties.GradientMatchesFiniteDifferences(Activations.Relu);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Huber_is_differentiable_through_a_linear_output() =>
        NnProperties.GradientMatchesFiniteDifferences(CustomActivationTests.Huber, Activations.Linear);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Cross_entropy_is_differentiable_through_softmax() =>
        NnProperties.GradientMatchesFiniteDifferences(Losses.CategoricalCrossEntropy, Activations.Softmax);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property The_batch_gradient_is_the_mean_of_the_rows() => NnProperties.BatchGradientIsTheMeanOfPerExampleGradients(CustomActivationTests.Gelu);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property A_small_step_does_not_increase_the_loss() => NnProperties.SmallStepDoesNotIncreaseTheLoss(CustomActivationTests.Swish);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property Training_is_pure_and_deterministic() => NnProperties.TrainingIsPureAndDeterministic(CustomActivationTests.Softplus);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property A_row_wise_activation_is_differentiable_through_its_vector_jacobian_product() =>
        NnProperties.GradientMatchesFiniteDifferences(Losses.MeanSquaredError, CustomActivationTests.WarmSoftmax);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property A_softmax_like_activation_gives_distributions() => NnProperties.RowsAreDistributions(CustomActivationTests.WarmSoftmax);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property The_built_in_softmax_gives_distributions() => NnProperties.RowsAreDistributions(Activations.Softmax);

    [Property(Replay = PropertyConfig.Replay, MaxTest = Cases)]
    public Property A_row_wise_loss_is_differentiable_through_softmax() =>
        NnProperties.GradientMatchesFiniteDifferences(CustomActivationTests.Focal, Activations.Softmax);

    [Fact]
    public void A_planted_bug_fails_the_property_with_a_small_counterexample()
    {
        static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));
        // Swish with the second term of its derivative forgotten.
        var buggy = Activations.Custom("swish", z => z * Sigmoid(z), Sigmoid);
        var e = Assert.ThrowsAny<Exception>(() => Check.One(PropertyConfig.Quick(Cases), NnProperties.GradientMatchesFiniteDifferences(buggy)));
        Assert.Contains("Falsifiable", e.Message);
        Assert.Contains("→", e.Message);        // the shrunk case, e.g. "1 → 1 → 1, 1 row, seed …"
        Assert.Contains("FAILED", e.Message);   // the gradient check's report as the label
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "nn-kit-counterexample.txt"), e.Message);
    }
}

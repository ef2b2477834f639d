using Nn.Properties.ModelFiles;
using Nn.Properties.Support;
using Nn.Shell;

namespace Nn.Properties;

/// <summary>
/// Lion's sign update (Chen et al. 2023), written the way a user adds an optimizer: one record deriving from
/// <see cref="GradientTransformation"/> with its state record. <c>c = β₁·m + (1 − β₁)·u;  u′ = sign(c);
/// m′ = β₂·m + (1 − β₂)·u</c>.
/// </summary>
public sealed record ScaleByLion(double Beta1, double Beta2) : GradientTransformation
{
    /// <summary>The momentum m.</summary>
    public sealed record State(Network M) : OptimizerState;

    public override OptimizerState Init(Network parameters) => new State(Parameters.ZerosLike(parameters));

    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        var m = StateOf<State>(state).M;
        var (b1, b2) = (Beta1, Beta2);
        var direction = Parameters.Zip(m, updates, (m, u) => Math.Sign(b1 * m + (1 - b1) * u));
        return new(direction, new State(Parameters.Zip(m, updates, (m, u) => b2 * m + (1 - b2) * u)));
    }
}

public sealed class UserTransformationTests
{
    private static readonly Network Start = Init.Mlp(Key.FromSeed(4), [3, 8, 3], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
    private static readonly Matrix X = Gens.Uniform(8UL, 40, 3, -1, 1);
    private static readonly Matrix Y = Gens.Targets(Losses.CategoricalCrossEntropy, 9UL, 40, 3);

    private static GradientTransformation Lion(double lr, double wd) =>
        Optimizers.Chain(new ScaleByLion(0.9, 0.99), new AddDecayedWeights(wd), new ScaleByLearningRate(Schedules.Constant(lr)));

    [Fact]
    public void A_users_transformation_trains_in_the_fold_with_the_bits_of_the_reference_step()
    {
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy).WithL2(1e-3), Optimizers.Chain(Optimizers.ClipByGlobalNorm(1.0), Lion(3e-3, 0.01)));
        var start = Training.Init(config, Start, Key.FromSeed(5));
        var batches = Enumerable.Range(0, 6).SelectMany(e => Batches.ForEpoch(Training.ShuffleKey(start), e, X.Rows, BatchPolicy.MiniBatch(8))).ToArray();
        var reference = start;
        foreach (var batch in batches) reference = Training.Step(config, reference, X.SelectRows(batch), Y.SelectRows(batch));
        foreach (var threads in new[] { 1, 2 })
        {
            var folded = Training.Steps(config, start, X, Y, batches, _ => true, new ComputeOptions { MaxThreads = threads });
            Assert.True(Parameters.BitEquals(reference.Parameters, folded.Parameters), $"{threads} threads");
            Assert.Equal(reference.Optimizer, folded.Optimizer);
        }
        // Lion moves every parameter by exactly lr (plus the decay) per step, and the loss goes down.
        var inner = Assert.IsType<Chain.State>(((Chain.State)reference.Optimizer).Links[1]);
        Assert.IsType<ScaleByLion.State>(inner.Links[0]);
        var before = Evaluation.Summarize(Start, X, Y, config.Objective).Loss;
        var after = Evaluation.Summarize(reference.Parameters, X, Y, config.Objective).Loss;
        Assert.True(after < before, $"loss {before} -> {after}");
    }

    [Fact]
    public void A_checkpoint_refuses_a_transformation_it_cannot_read_back()
    {
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Lion(1e-3, 0));
        var model = ModelGens.SmallCheckpoint().Model;
        var state = TrainerState.Start(Training.Init(config, model.Network, Key.FromSeed(1)));
        var e = Assert.Throws<ArgumentException>(() => CheckpointFile.ToBytes(new Checkpoint(model, config, state)));
        Assert.Contains("ScaleByLion", e.Message);
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// <see cref="Forward.Predict(Network, Matrix, ComputeOptions?)"/> — chunked over rows, a chunk per thread, its layers in
/// a reused workspace — gives the bits of the reference forward pass (<see cref="Forward.Run(Network, Matrix)"/>) for any
/// batch size (across chunk boundaries), activation and thread count; a later call leaves an earlier result alone.
/// </summary>
public class PredictProperties
{
    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Predict_gives_the_bits_of_the_reference_forward_pass_for_any_batch_and_thread_count() =>
        Prop.ForAll(
            Arb.From(from rows in Gen.OneOf(Gen.Choose(1, 5), Gen.Choose(Forward.PredictChunk - 2, 3 * Forward.PredictChunk + 3))
                     from inputs in Gen.Choose(1, 12)
                     from hidden in Gen.Choose(1, 40)
                     from outputs in Gen.Choose(1, 6)
                     from activation in Gen.Elements(Activations.Relu, Activations.Tanh, Activations.Sigmoid, Activations.LeakyRelu(0.1))
                     from output in Gen.Elements(Activations.Softmax, Activations.Sigmoid, Activations.Linear)
                     from threads in Gen.Elements(1, 2, 3)
                     from seed in Gens.Seed
                     select (rows, inputs, hidden, outputs, activation, output, threads, seed)),
            t =>
            {
                var key = Key.FromSeed(t.seed);
                var network = Init.Mlp(Prng.Fold(key, 0), [t.inputs, t.hidden, t.hidden, t.outputs], t.activation, t.output, InitSchemes.XavierNormal);
                var x = Gens.Uniform(Prng.Fold(key, 1).State, t.rows, t.inputs, -3, 3);
                var expected = Forward.Run(network, x).Output;
                var actual = Forward.Predict(network, x, ComputeOptions.WithThreads(t.threads));
                Assert.Equal(expected.Shape, actual.Shape);
                Assert.True(expected.BitEquals(actual), $"{t}");
                // A second call reuses the workspace's arrays: the result handed out before must not change.
                var again = Forward.Predict(network, Gens.Uniform(Prng.Fold(key, 2).State, t.rows, t.inputs, -3, 3), ComputeOptions.WithThreads(t.threads));
                Assert.True(expected.BitEquals(actual) && again.Rows == t.rows, $"{t}: an earlier result changed");
            });
}

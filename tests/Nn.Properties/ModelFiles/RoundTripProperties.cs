using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;
using Nn.Shell;

namespace Nn.Properties.ModelFiles;

/// <summary>Model and checkpoint files read back what was written, bit for bit, and their bytes depend on the value only.</summary>
public class RoundTripProperties
{
    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    /// <summary>Asserts value equality and bit-identity of every parameter, scaling value and leaky slope.</summary>
    internal static void AssertBitEqual(Model expected, Model actual)
    {
        Assert.Equal(expected, actual);
        Assert.True(Parameters.BitEquals(expected.Network, actual.Network), "parameters differ in bits");
        Assert.Equal(expected.Network.Layers.Select(l => l.Activation.ToString()), actual.Network.Layers.Select(l => l.Activation.ToString()));
        Assert.Equal(expected.Network.Layers.Select(l => l.Activation is Activation.LeakyRelu r ? Bits(r.Slope) : 0),
            actual.Network.Layers.Select(l => l.Activation is Activation.LeakyRelu r ? Bits(r.Slope) : 0));
        Assert.True(expected.Info.Scaling.Offset.BitEquals(actual.Info.Scaling.Offset), "scaling offsets differ in bits");
        Assert.True(expected.Info.Scaling.Scale.BitEquals(actual.Info.Scaling.Scale), "scaling scales differ in bits");
        Assert.Equal(expected.Info.TargetScaling is { } e ? (Bits(e.Offset), Bits(e.Scale)) : default,
            actual.Info.TargetScaling is { } a ? (Bits(a.Offset), Bits(a.Scale)) : default);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Random_models_round_trip_bit_exactly()
    {
        return Prop.ForAll(ModelGens.Model.ToArbitrary(), c =>
        {
            var model = c.Build();
            var bytes = ModelFile.ToBytes(model);
            var back = ModelFile.FromBytes(bytes, "random.safetensors");
            AssertBitEqual(model, back);
            Assert.Equal(bytes, ModelFile.ToBytes(back));
        });
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Random_checkpoints_round_trip_bit_exactly()
    {
        return Prop.ForAll(ModelGens.Checkpoint.ToArbitrary(), c =>
        {
            var checkpoint = c.Build();
            var bytes = CheckpointFile.ToBytes(checkpoint);
            var back = CheckpointFile.FromBytes(bytes, "random.ckpt.safetensors");
            Assert.Equal(checkpoint, back);
            AssertBitEqual(checkpoint.Model, back.Model);
            var (s, t) = (checkpoint.State, back.State);
            Assert.True(Parameters.BitEquals(s.BestParameters, t.BestParameters));
            Assert.Equal(Bits(s.BestScore), Bits(t.BestScore));
            Assert.Equal(Bits(s.Train.LastLoss), Bits(t.Train.LastLoss));
            Assert.Equal(s.Train.Key.State, t.Train.Key.State);
            Assert.Equal(s.History.Select(r => Bits(r.TrainLoss)), t.History.Select(r => Bits(r.TrainLoss)));
            // Everything else (moments, hyper-parameters) is pinned by the bytes: tensors are raw bits and every metadata
            // double is in shortest round-trip form, which is injective on doubles.
            Assert.Equal(bytes, CheckpointFile.ToBytes(back));
        });
    }

    [Fact]
    public void Every_optimizer_state_case_round_trips()
    {
        foreach (var optimizer in new[] { 0, 1, 2, 3, 4, 5 })
        {
            var c = new CheckpointCase(new ModelCase(new Arch([3, 4, 2], [Activations.LeakyRelu(0.2), Activations.Softmax], InitSchemes.HeNormal, 1),
                TaskKind.Classification, Losses.CategoricalCrossEntropy, false, true, 7), optimizer, optimizer % 4, 11);
            var checkpoint = c.Build();
            var back = CheckpointFile.FromBytes(CheckpointFile.ToBytes(checkpoint), "case");
            Assert.Equal(checkpoint, back);
            Assert.Equal(checkpoint.State.Train.Optimizer.GetType(), back.State.Train.Optimizer.GetType());
        }
    }

    [Fact]
    public void A_trained_checkpoint_resumes_bit_identically()
    {
        var checkpoint = ModelGens.SmallCheckpoint();
        var back = CheckpointFile.FromBytes(CheckpointFile.ToBytes(checkpoint), "trained");
        var x = Matrix.FromRows([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.5]]);
        var y = Matrix.FromRows([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]]);
        TrainResult Resume(Checkpoint c) => Trainer.Run(c.Config, c.State, new TrainingData(x, y), TrainerOptions.Of(4, BatchPolicy.MiniBatch(2)), null, CancellationToken.None);
        var (a, b) = (Resume(checkpoint), Resume(back));
        Assert.True(Parameters.BitEquals(a.State.Parameters, b.State.Parameters));
        Assert.Equal(a.Final, b.Final);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property The_same_model_gives_identical_bytes() =>
        Prop.ForAll(ModelGens.Model.ToArbitrary(), c => Assert.Equal(ModelFile.ToBytes(c.Build()), ModelFile.ToBytes(c.Build())));

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property The_same_checkpoint_gives_identical_bytes() =>
        Prop.ForAll(ModelGens.Checkpoint.ToArbitrary(), c => Assert.Equal(CheckpointFile.ToBytes(c.Build()), CheckpointFile.ToBytes(c.Build())));

    [Property(Replay = PropertyConfig.Replay, MaxTest = 80)]
    public Property Changing_one_parameter_changes_parameters_sha256()
    {
        var gen = from c in ModelGens.Model from index in Gen.Choose(0, 10_000) select (c, index);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var model = t.c.Build();
            var flat = Parameters.Flatten(model.Network).ToArray();
            var k = t.index % flat.Length;
            flat[k] = flat[k] == 1.0 ? 2.0 : 1.0;
            var changed = Parameters.Unflatten(model.Network, Vector.Of(flat));
            Assert.NotEqual(ModelFile.ParametersSha256(model.Network), ModelFile.ParametersSha256(changed));
            Assert.Matches("^[0-9a-f]{64}$", ModelFile.ParametersSha256(changed));
        });
    }

    [Fact]
    public void Parameters_sha256_is_the_hash_of_the_tensor_bytes_in_file_order()
    {
        var model = ModelGens.SmallClassifier();
        var bytes = ModelFile.ToBytes(model);
        var n = (int)BitConverter.ToUInt64(bytes, 0);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(8 + n)));
        Assert.Equal(expected, ModelFile.ParametersSha256(model.Network));
    }
}

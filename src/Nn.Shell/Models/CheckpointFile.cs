using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>Everything needed to resume a training run bit-identically at an epoch boundary.</summary>
/// <param name="Model">The current parameters (equal to <c>State.Train.Parameters</c>) and the model's description.</param>
/// <param name="Config">The training configuration: objective and optimizer (with its schedule and clipping).</param>
/// <param name="State">The trainer's resumable state (optimizer moments, step, key, history, best epoch and parameters).</param>
public sealed record Checkpoint(Model Model, TrainConfig Config, TrainerState State);

/// <summary>
/// Checkpoint files: a <see cref="Checkpoint"/> as a safetensors file, read back equal by value with every double bit-identical.
/// </summary>
/// <remarks>
/// <para>Tensors (F64), in order: the model's <c>layers.{i}.weight</c> ([outputs, inputs], the transpose of
/// <see cref="Dense.Weights"/>) and <c>layers.{i}.bias</c>; the optimizer's moments, named after the position k of
/// their transformation in the flattened chain: <c>optimizer.{k}.velocity.layers.{i}.*</c> (<see cref="ScaleByMomentum"/>),
/// <c>optimizer.{k}.mean_square.layers.{i}.*</c> (<see cref="ScaleByRms"/>), <c>optimizer.{k}.m.layers.{i}.*</c> and
/// <c>optimizer.{k}.v.layers.{i}.*</c> (<see cref="ScaleByAdam"/>); then the best parameters <c>best.layers.{i}.*</c>.</para>
/// <para>Metadata: the model file's keys (see <see cref="ModelFile"/>) with <c>kind</c> = "checkpoint", then
/// <c>checkpoint_format</c> ("2"; format 1, from before optimizers were chains, is refused with a message saying so),
/// <c>objective</c> (<c>{"loss","l2","dropout"}</c>), <c>optimizer</c> (the chain: <c>{"name": "chain", "links": [...]}</c>,
/// each link <c>{"name", hyper-parameters…}</c>, a learning rate's schedule <c>{"name", parameters…}</c>), <c>state</c>
/// (<c>{"step","optimizer_state","key","last_loss","completed_epochs","best_epoch","best_score"}</c>, where
/// optimizer_state holds one object per transformation, <c>{"count"}</c> for those that count), <c>history</c> (an array of
/// <c>{"epoch","train_loss","validation"}</c>, validation null or <c>{"loss","accuracy","r2"}</c>) and <c>tensors_sha256</c>
/// (the SHA-256 of every tensor's bytes in file order, i.e. of the whole data buffer, so a damaged moment is detected too),
/// and last <c>metadata_sha256</c> over every other key (counters, history, best epoch included). In these keys every
/// double is a JSON string in round-trip form (so NaN and ±Infinity survive), integers are JSON numbers, and the key's
/// 64-bit state is a decimal string.</para>
/// </remarks>
public static class CheckpointFile
{
    /// <summary>The bytes of the checkpoint file for <paramref name="checkpoint"/>.</summary>
    /// <exception cref="ArgumentException">When the model cannot be written (see <see cref="ModelFile.ToBytes"/>), the model's
    /// network is not bit-identical to <c>State.Train.Parameters</c>, the optimizer moments or best parameters do not have the
    /// network's architecture, or a moment or best parameter is NaN or infinite.</exception>
    public static byte[] ToBytes(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var model = checkpoint.Model;
        ModelFile.CheckWritable(model);
        var state = checkpoint.State;
        var train = state.Train;
        if (!Parameters.BitEquals(model.Network, train.Parameters))
            throw new ArgumentException("The checkpoint's Model.Network must be bit-identical to State.Train.Parameters.", nameof(checkpoint));
        if (state.History.IsDefault) throw new ArgumentException("State.History is a default ImmutableArray.", nameof(checkpoint));

        var tensors = ModelFile.NetworkTensors("", model.Network).ToList();
        var c = checkpoint.Config;
        var (optimizerState, moments) = TrainingMetadata.WriteState(c.Optimizer, train.Optimizer);
        foreach (var (name, moment) in moments)
            tensors.AddRange(ModelFile.NetworkTensors($"optimizer.{name}.", CheckLike(model.Network, moment, $"the optimizer's {name}")));
        tensors.AddRange(ModelFile.NetworkTensors("best.", CheckLike(model.Network, state.BestParameters, "the best parameters")));

        var metadata = ModelMetadata.Write(model, "checkpoint");
        metadata.Add(new("checkpoint_format", Format));
        metadata.Add(new("objective", Text.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("loss", c.Objective.Loss.Name);
            w.WriteString("l2", Text.Double(c.Objective.L2));
            w.WriteString("dropout", Text.Double(c.Objective.DropoutRate));
            w.WriteEndObject();
        })));
        metadata.Add(new("optimizer", Text.Json(w => TrainingMetadata.WriteOptimizer(w, c.Optimizer))));
        metadata.Add(new("state", Text.Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("step", train.Step);
            w.WritePropertyName("optimizer_state");
            w.WriteRawValue(optimizerState);
            w.WriteString("key", train.Key.State.ToString(CultureInfo.InvariantCulture));
            w.WriteString("last_loss", Text.Double(train.LastLoss));
            w.WriteNumber("completed_epochs", state.CompletedEpochs);
            w.WriteNumber("best_epoch", state.BestEpoch);
            w.WriteString("best_score", Text.Double(state.BestScore));
            w.WriteEndObject();
        })));
        metadata.Add(new("history", Text.Json(w =>
        {
            w.WriteStartArray();
            foreach (var r in state.History)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", r.Epoch);
                w.WriteString("train_loss", Text.Double(r.TrainLoss));
                if (r.Validation is { } v)
                {
                    w.WriteStartObject("validation");
                    w.WriteString("loss", Text.Double(v.Loss));
                    WriteOptionalDouble(w, "accuracy", (v as EvaluationSummary.Classification)?.Accuracy);
                    WriteOptionalDouble(w, "r2", (v as EvaluationSummary.Regression)?.R2);
                    w.WriteEndObject();
                }
                else w.WriteNull("validation");
                w.WriteEndObject();
            }
            w.WriteEndArray();
        })));
        metadata.Add(new("tensors_sha256", ModelFile.TensorsSha256(tensors)));
        return SafeTensors.Write(tensors, MetadataSeal.Seal(metadata));
    }

    /// <summary>Reads a checkpoint file from its bytes; <paramref name="sourceName"/> names it in error messages.</summary>
    /// <exception cref="ModelFileException">For every error of <see cref="ModelFile.FromBytes"/> (a model file is refused as
    /// "not a checkpoint"), and when a moment or best-parameter tensor is missing, misshapen or non-finite, or the training
    /// metadata is missing, ill-typed or out of range (e.g. an unknown optimizer or a negative learning rate), or
    /// tensors_sha256 does not match the tensors.</exception>
    public static Checkpoint FromBytes(byte[] bytes, string sourceName)
    {
        var file = SafeTensors.Read(bytes, sourceName);
        var meta = new MetadataReader(sourceName, file.Metadata);
        var tensors = ModelFile.Tensors(file);
        if (meta.Optional("format") == "nn" && meta.Optional("kind") == "model")
            throw meta.Fail("is an Nn model file, not a checkpoint; read it with ModelFile.");
        var format = meta.Optional("checkpoint_format");
        if (format is null)
            throw meta.Fail("was written by an older Nn (checkpoint format 1, from before optimizers were chains of transformations); this Nn reads format 2 only. Start the run again without --resume.");
        if (format != Format) throw meta.Fail($"has checkpoint format {format}; this Nn reads format {Format} only.");
        var model = ModelMetadata.Read(meta, tensors, "checkpoint");
        var network = model.Network;
        var arch = new ModelMetadata.Architecture(network.Sizes, [.. network.Layers.Select(l => l.Activation)]);

        var o = meta.Json("objective");
        var objective = meta.Wrap("objective is out of range", () =>
        {
            var value = new Objective(
                meta.Wrap("objective.loss is unknown", () => Losses.Parse(meta.Str(meta.Member(o, "objective", "loss"), "objective.loss"))),
                meta.Double(meta.Member(o, "objective", "l2"), "objective.l2"),
                meta.Double(meta.Member(o, "objective", "dropout"), "objective.dropout"));
            value.Validate();
            return value;
        });
        var optimizer = TrainingMetadata.ReadOptimizer(meta, meta.Json("optimizer"));
        var config = new TrainConfig(objective, optimizer);

        var s = meta.Json("state");
        long Long(string m) => meta.Long(meta.Member(s, "state", m), $"state.{m}");
        int Int(string m) => meta.Int(meta.Member(s, "state", m), $"state.{m}");
        var keyText = meta.Str(meta.Member(s, "state", "key"), "state.key");
        if (!ulong.TryParse(keyText, NumberStyles.None, CultureInfo.InvariantCulture, out var key))
            throw meta.Fail($"state.key is \"{keyText}\"; expected the key's 64-bit state as a decimal string.");
        var optimizerState = TrainingMetadata.ReadState(meta, optimizer, meta.Member(s, "state", "optimizer_state"),
            name => ModelFile.TakeNetwork(meta, tensors, $"optimizer.{name}.", arch));
        var best = ModelFile.TakeNetwork(meta, tensors, "best.", arch);
        if (tensors.Count > 0) throw meta.Fail($"has unexpected tensors: {string.Join(", ", tensors.Keys.Order(StringComparer.Ordinal))}.");

        var step = Long("step");
        if (step < 0) throw meta.Fail($"state.step is {step}; expected >= 0.");
        var train = new TrainState(network, optimizerState, step, new Key(key), meta.Double(meta.Member(s, "state", "last_loss"), "state.last_loss"));
        var history = meta.Array(meta.Json("history"), "history").Select(e => ReadEpoch(meta, e)).ToImmutableArray();
        var completed = Int("completed_epochs");
        var bestEpoch = Int("best_epoch");
        if (completed < 0 || bestEpoch < 0) throw meta.Fail($"state.completed_epochs ({completed}) and state.best_epoch ({bestEpoch}) must be >= 0.");
        var state = new TrainerState(train, completed, history, bestEpoch, meta.Double(meta.Member(s, "state", "best_score"), "state.best_score"), best);
        var recorded = meta.String("tensors_sha256");
        var actual = ModelFile.TensorsSha256(file.Tensors);
        if (recorded != actual)
            throw meta.Fail($"tensors_sha256 is {recorded} but the tensors hash to {actual}; the file is corrupt or was edited.");
        meta.VerifySeal();
        return new Checkpoint(model, config, state);
    }

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically (as <see cref="ModelFile.Save"/>).</summary>
    /// <exception cref="ArgumentException">As <see cref="ToBytes"/> (nothing is written).</exception>
    /// <exception cref="IOException">When the folder cannot be written.</exception>
    public static void Save(string path, Checkpoint checkpoint) => AtomicFile.Write(path, ToBytes(checkpoint));

    /// <summary>Reads the checkpoint file at <paramref name="path"/>.</summary>
    /// <exception cref="ModelFileException">As <see cref="FromBytes"/>, naming <paramref name="path"/>.</exception>
    /// <exception cref="IOException">When the file cannot be read.</exception>
    public static Checkpoint Load(string path) => FromBytes(ModelFile.ReadBytes(path), path);

    /// <summary>The format this code writes and reads.</summary>
    private const string Format = "2";

    private static Network CheckLike(Network parameters, Network other, string what)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Parameters.SameShape(parameters, other) || !parameters.Layers.Zip(other.Layers).All(p => p.First.Activation == p.Second.Activation))
            throw new ArgumentException($"{what} ({other}) must have the network's architecture ({parameters}).");
        if (!Parameters.IsFinite(other)) throw new ArgumentException($"{what} hold a NaN or infinite value.");
        return other;
    }

    private static void WriteOptionalDouble(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteString(name, Text.Double(v));
        else w.WriteNull(name);
    }

    private static EpochRecord ReadEpoch(MetadataReader meta, JsonElement e)
    {
        var epoch = meta.Int(meta.Member(e, "history", "epoch"), "history[].epoch");
        var trainLoss = meta.Double(meta.Member(e, "history", "train_loss"), "history[].train_loss");
        var v = meta.Member(e, "history", "validation");
        if (v.ValueKind == JsonValueKind.Null) return new EpochRecord(epoch, trainLoss, null);
        double? Optional(string name) =>
            meta.Member(v, "history", name) is { ValueKind: JsonValueKind.Null } ? null : meta.Double(meta.Member(v, "history", name), $"history[].validation.{name}");
        var loss = meta.Double(meta.Member(v, "history", "loss"), "history[].validation.loss");
        return new EpochRecord(epoch, trainLoss, (Optional("accuracy"), Optional("r2")) switch
        {
            ({ } accuracy, null) => new EvaluationSummary.Classification(loss, accuracy),
            (null, { } r2) => new EvaluationSummary.Regression(loss, r2),
            _ => throw meta.Fail("has a history[].validation with both or neither of accuracy and r2; expected exactly one."),
        });
    }
}

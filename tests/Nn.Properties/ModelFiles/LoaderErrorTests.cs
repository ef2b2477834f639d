using Nn.Shell;
using Nn.Tests.Shared;

namespace Nn.Properties.ModelFiles;

/// <summary>Every class of bad file is refused with a <see cref="ModelFileException"/> whose message names the file and the problem.</summary>
public class LoaderErrorTests
{
    private const string Source = "bad.safetensors";

    private static string SafeTensorsError(byte[] bytes)
    {
        var e = Assert.Throws<ModelFileException>(() => SafeTensors.Read(bytes, Source));
        Assert.StartsWith(Source + ": ", e.Message);
        Assert.Equal(Source, e.SourceName);
        Assert.Throws<ModelFileException>(() => ModelFile.FromBytes(bytes, Source));
        Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(bytes, Source));
        return e.Message;
    }

    private static string ModelError(byte[] bytes)
    {
        var e = Assert.Throws<ModelFileException>(() => ModelFile.FromBytes(bytes, Source));
        Assert.StartsWith(Source + ": ", e.Message);
        return e.Message;
    }

    /// <summary>The small classifier's file with its metadata and tensors edited, re-written as valid safetensors.</summary>
    private static byte[] Edit(Func<List<KeyValuePair<string, string>>, List<KeyValuePair<string, string>>>? metadata = null,
        Func<List<Tensor>, List<Tensor>>? tensors = null, Model? model = null)
    {
        var file = SafeTensors.Read(ModelFile.ToBytes(model ?? ModelGens.SmallClassifier()), "good");
        var m = file.Metadata.ToList();
        var t = file.Tensors.ToList();
        return SafeTensors.Write(tensors is null ? t : tensors(t), metadata is null ? m : metadata(m));
    }

    private static Func<List<KeyValuePair<string, string>>, List<KeyValuePair<string, string>>> Set(string key, string? value) =>
        m => value is null
            ? [.. m.Where(p => p.Key != key)]
            : [.. m.Select(p => p.Key == key ? new KeyValuePair<string, string>(key, value) : p)];

    // ---- the safetensors layer ----

    [Fact]
    public void Empty_file() => Assert.Contains("the file is empty", SafeTensorsError([]));

    [Fact]
    public void Shorter_than_the_header_length() => Assert.Contains("5 bytes long", SafeTensorsError([1, 2, 3, 4, 5]));

    [Fact]
    public void Header_length_over_the_cap() =>
        Assert.Contains("exceeds the 100000000-byte limit", SafeTensorsError(Raw.File("{}", [], 200_000_000)));

    [Fact]
    public void Header_length_beyond_the_file() =>
        Assert.Contains("header length 50 runs past the end of the 10-byte file", SafeTensorsError(Raw.File("{}", [], 50)));

    [Fact]
    public void Header_not_json() => Assert.Contains("the header is not valid JSON", SafeTensorsError(Raw.File("{\"a\":", [])));

    [Fact]
    public void Header_not_utf8()
    {
        var bytes = Raw.File("{\"a\":\"xx\"}", []);
        bytes[14] = 0xFF;
        Assert.Contains("not valid UTF-8", SafeTensorsError(bytes));
    }

    [Fact]
    public void Header_not_an_object() => Assert.Contains("must be a JSON object", SafeTensorsError(Raw.File("[1,2]", [])));

    [Fact]
    public void Tensor_entry_missing_a_field() =>
        Assert.Contains("tensor a needs a string field 'dtype'", SafeTensorsError(Raw.File("{\"a\":{\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8])));

    [Fact]
    public void Tensor_entry_with_an_unknown_field() =>
        Assert.Contains("unexpected or repeated field 'extra'", SafeTensorsError(Raw.File("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8],\"extra\":1}}", new byte[8])));

    [Fact]
    public void Unknown_dtype() =>
        Assert.Contains("tensor a has dtype 'I32'; this reader accepts F64 and F32", SafeTensorsError(Raw.File("{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8])));

    [Fact]
    public void Shape_product_overflow() =>
        Assert.Contains("overflows", SafeTensorsError(Raw.File("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", new byte[8])));

    [Fact]
    public void Byte_count_not_matching_the_shape() =>
        Assert.Contains("tensor a has data_offsets [0, 8] (8 bytes) but shape [2] of F64 needs 16 bytes", SafeTensorsError(Raw.File("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8])));

    [Fact]
    public void Offsets_out_of_range() =>
        Assert.Contains("beyond the 8-byte data buffer", SafeTensorsError(Raw.File("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[8])));

    [Fact]
    public void Offsets_overlapping() =>
        Assert.Contains("overlaps the tensor before it", SafeTensorsError(Raw.File(
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", new byte[16])));

    [Fact]
    public void Offsets_with_a_hole() =>
        Assert.Contains("the data buffer has a hole: bytes [0, 8) belong to no tensor", SafeTensorsError(Raw.File(
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", new byte[16])));

    [Fact]
    public void Trailing_bytes_after_the_last_tensor() =>
        Assert.Contains("8 trailing bytes after the last tensor", SafeTensorsError(Raw.File(
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[16])));

    [Fact]
    public void Metadata_value_not_a_string() =>
        Assert.Contains("metadata value 'format_version' is a number; expected a string", SafeTensorsError(Raw.File(
            "{\"__metadata__\":{\"format_version\":1}}", [])));

    [Fact]
    public void Duplicate_header_keys() =>
        Assert.Contains("names 'a' twice", SafeTensorsError(Raw.File(
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}", [])));

    // ---- the model layer ----

    [Fact]
    public void Not_an_nn_model() =>
        Assert.Contains("is not an Nn model file: its safetensors metadata has no \"format\": \"nn\"", ModelError(Edit(Set("format", "pt"))));

    [Fact]
    public void Plain_safetensors_without_metadata_is_not_an_nn_model() =>
        Assert.Contains("is not an Nn model file", ModelError(SafeTensors.Write([new Tensor("w", [1], [1.0])], [])));

    [Fact]
    public void Newer_format_version() =>
        Assert.Equal($"{Source}: written by a newer Nn: format version 4, this build reads up to 3.", ModelError(Edit(Set("format_version", "4"))));

    [Fact]
    public void Missing_metadata_key() =>
        Assert.Contains("the metadata has no key 'target_name'", ModelError(Edit(Set("target_name", null))));

    [Fact]
    public void Unknown_activation() =>
        Assert.Contains("architecture has an unknown activation 'swish'", ModelError(Edit(Set("architecture", "{\"sizes\":[2,3,3],\"activations\":[\"swish\",\"softmax\"]}"))));

    [Fact]
    public void Unknown_loss() => Assert.Contains("loss 'hinge' is unknown", ModelError(Edit(Set("loss", "hinge"))));

    [Fact]
    public void Missing_tensor() =>
        Assert.Contains("is missing the tensor layers.1.bias", ModelError(Edit(tensors: t => [.. t.Where(x => x.Name != "layers.1.bias")])));

    [Fact]
    public void Extra_tensor() =>
        Assert.Contains("has unexpected tensors: extra", ModelError(Edit(tensors: t => [.. t, new Tensor("extra", [1], [0.0])])));

    [Fact]
    public void Tensor_shape_not_matching_the_architecture()
    {
        var model = new Model(Init.Network(Key.FromSeed(1), [2, 5, 4], [Activations.Relu, Activations.Linear], InitSchemes.HeNormal),
            new ModelInfo(TaskKind.Regression, ["a", "b"], "y", [], Losses.MeanSquaredError, FeatureScaling.None(2), null, [], ""));
        var bytes = Edit(tensors: t => [.. t.Select(x => x.Name == "layers.1.weight" ? new Tensor(x.Name, [3, 5], [.. new double[15]]) : x)], model: model);
        Assert.Equal($"{Source}: layers.1.weight has shape [3, 5] but the architecture needs [4, 5].", ModelError(bytes));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_weight(double bad)
    {
        var bytes = Edit(tensors: t => [.. t.Select(x => x.Name == "layers.0.weight" ? new Tensor(x.Name, x.Shape, x.Data.SetItem(4, bad)) : x)]);
        Assert.Contains($"layers.0.weight holds {bad} at flat index 4; every value must be finite", ModelError(bytes));
    }

    [Fact]
    public void Feature_names_count_not_the_input_size() =>
        Assert.Contains("feature_names has 3 names but the network has 2 inputs", ModelError(Edit(Set("feature_names", "[\"a\",\"b\",\"c\"]"))));

    [Fact]
    public void Labels_count_not_the_output_size() =>
        Assert.Contains("labels has 2 names but the classifier has 3 outputs", ModelError(Edit(Set("labels", "[\"a\",\"b\"]"))));

    [Fact]
    public void A_binary_sigmoid_classifier_may_have_two_labels()
    {
        var model = new Model(Init.Network(Key.FromSeed(1), [2, 1], [Activations.Sigmoid], InitSchemes.XavierNormal),
            new ModelInfo(TaskKind.Classification, ["a", "b"], "y", ["no", "yes"], Losses.BinaryCrossEntropy, FeatureScaling.None(2), null, [], ""));
        Assert.Equal(model, ModelFile.FromBytes(ModelFile.ToBytes(model), "binary"));
        Assert.Contains("labels has 3 names but the classifier has 1 outputs", ModelError(Edit(Set("labels", "[\"a\",\"b\",\"c\"]"), model: model)));
    }

    [Fact]
    public void Parameters_sha256_mismatch() =>
        Assert.Contains("parameters_sha256 is " + new string('0', 64) + " but the parameters hash to", ModelError(Edit(Set("parameters_sha256", new string('0', 64)))));

    [Fact]
    public void An_edited_weight_is_caught_by_the_parameters_hash()
    {
        var bytes = Edit(tensors: t => [.. t.Select(x => x.Name == "layers.1.bias" ? new Tensor(x.Name, x.Shape, x.Data.SetItem(0, x.Data[0] + 1)) : x)]);
        Assert.Contains("the file is corrupt or was edited", ModelError(bytes));
    }

    [Fact]
    public void Malformed_json_metadata() =>
        Assert.Contains("metadata 'feature_scaling' is not valid JSON", ModelError(Edit(Set("feature_scaling", "{kind:"))));

    [Fact]
    public void A_checkpoint_is_not_a_model_and_a_model_is_not_a_checkpoint()
    {
        var checkpoint = CheckpointFile.ToBytes(ModelGens.SmallCheckpoint());
        Assert.Contains("is an Nn checkpoint, not a model file", ModelError(checkpoint));
        var e = Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(ModelFile.ToBytes(ModelGens.SmallClassifier()), Source));
        Assert.Contains("is an Nn model file, not a checkpoint", e.Message);
    }

    [Fact]
    public void Checkpoint_with_an_unknown_optimizer_or_bad_hyper_parameter()
    {
        var file = SafeTensors.Read(CheckpointFile.ToBytes(ModelGens.SmallCheckpoint()), "good");
        byte[] With(string key, string value) =>
            SafeTensors.Write(file.Tensors, [.. file.Metadata.Select(p => p.Key == key ? new KeyValuePair<string, string>(key, value) : p)]);
        var e = Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(With("optimizer", "{\"name\":\"lbfgs\"}"), Source));
        Assert.Contains("optimizer.name is \"lbfgs\"", e.Message);
        e = Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(With("optimizer",
            "{\"name\":\"chain\",\"links\":[{\"name\":\"scale-by-momentum\",\"beta\":\"1.5\",\"nesterov\":false}]}"), Source));
        Assert.Contains("optimizer.links[0] (scale-by-momentum) has a hyper-parameter out of range", e.Message);
        e = Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(With("optimizer", "{\"name\":\"chain\",\"links\":[]}"), Source));
        Assert.Contains("optimizer.links is empty", e.Message);
        e = Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(SafeTensors.Write([.. file.Tensors.Where(t => !t.Name.StartsWith("optimizer.0.v.", StringComparison.Ordinal))], file.Metadata), Source));
        Assert.Contains("is missing the tensor optimizer.0.v.layers.0.weight", e.Message);
        e = Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(SafeTensors.Write(
            [.. file.Tensors.Select(t => t.Name == "optimizer.0.m.layers.1.bias" ? new Tensor(t.Name, t.Shape, t.Data.SetItem(0, 0.125)) : t)], file.Metadata), Source));
        Assert.Contains("but the tensors hash to", e.Message);
    }

    // ---- metadata_sha256: every entry of the metadata is covered ----

    [Theory]
    [InlineData("labels", "[\"c\",\"b\",\"a\"]")]
    [InlineData("feature_names", "[\"b\",\"a\"]")]
    [InlineData("target_name", "other")]
    [InlineData("data_sha256", "")]
    public void An_edited_but_valid_model_entry_is_caught_by_the_metadata_hash(string key, string value)
    {
        var good = SafeTensors.Read(ModelFile.ToBytes(ModelGens.SmallClassifier()), "good").Metadata.ToDictionary(p => p.Key, p => p.Value);
        Assert.NotEqual(value, good[key]);
        Assert.Contains("metadata_sha256 is", ModelError(Edit(Set(key, value))));
    }

    [Fact]
    public void An_edited_scaler_or_setting_is_caught_by_the_metadata_hash()
    {
        var file = SafeTensors.Read(ModelFile.ToBytes(ModelGens.SmallClassifier()), "good");
        var scaling = file.Metadata.Single(p => p.Key == "feature_scaling").Value;
        var edited = scaling.Replace("\"scale\":[", "\"scale\":[2,", StringComparison.Ordinal);
        edited = edited[..edited.LastIndexOf(',')] + "]}";
        Assert.NotEqual(scaling, edited);
        Assert.Contains("metadata_sha256 is", ModelError(Edit(Set("feature_scaling", edited))));
        Assert.Contains("metadata_sha256 is", ModelError(Edit(Set("training", "{\"lr\":\"0.5\"}"))));
    }

    [Fact]
    public void A_format_version_1_file_without_the_metadata_hash_still_loads_but_version_2_needs_it()
    {
        var model = ModelGens.SmallClassifier();
        var v1 = Edit(m => Set("format_version", "1")(Set("metadata_sha256", null)(m)));
        Assert.Equal(model, ModelFile.FromBytes(v1, Source));
        Assert.Contains("has no key 'metadata_sha256'", ModelError(Edit(Set("metadata_sha256", null))));
    }

    [Theory]
    [InlineData("state")]
    [InlineData("history")]
    public void An_edited_checkpoint_counter_or_history_is_caught_by_the_metadata_hash(string key)
    {
        var checkpoint = ModelGens.SmallCheckpoint();
        var file = SafeTensors.Read(CheckpointFile.ToBytes(checkpoint), "good");
        var value = file.Metadata.Single(p => p.Key == key).Value;
        var edited = key == "state"
            ? value.Replace($"\"completed_epochs\":{checkpoint.State.CompletedEpochs}", $"\"completed_epochs\":{checkpoint.State.CompletedEpochs + 1}", StringComparison.Ordinal)
            : "[]";
        Assert.NotEqual(value, edited);
        var bytes = SafeTensors.Write(file.Tensors, [.. file.Metadata.Select(p => p.Key == key ? new KeyValuePair<string, string>(key, edited) : p)]);
        var e = Assert.Throws<ModelFileException>(() => CheckpointFile.FromBytes(bytes, Source));
        Assert.Contains("metadata_sha256 is", e.Message);
    }

    [Fact]
    public void The_metadata_hash_does_not_depend_on_the_order_of_the_keys()
    {
        var file = SafeTensors.Read(ModelFile.ToBytes(ModelGens.SmallClassifier()), "good");
        var reversed = SafeTensors.Write(file.Tensors, [.. file.Metadata.Reverse()]);
        Assert.Equal(ModelGens.SmallClassifier(), ModelFile.FromBytes(reversed, Source));
    }

    // ---- writing ----

    [Fact]
    public void Saving_refuses_non_finite_values_and_inconsistent_models()
    {
        var good = ModelGens.SmallClassifier();
        var nan = good with { Network = Parameters.Map(good.Network, x => x > 0 ? double.NaN : x) };
        Assert.Contains("NaN or infinite", Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(nan)).Message);
        var badScaling = good with { Info = good.Info with { Scaling = new FeatureScaling("standard", Vector.Of(0, 0), Vector.Of(1, double.PositiveInfinity)) } };
        Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(badScaling));
        var badNames = good with { Info = good.Info with { FeatureNames = ["only one"] } };
        Assert.Contains("feature_names has 1 names but the network has 2 inputs", Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(badNames)).Message);
        var loneSurrogate = good with { Info = good.Info with { TargetName = "\ud800" } };
        Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(loneSurrogate));
        var duplicate = good with { Info = good.Info with { Training = [new Setting("a", "1"), new Setting("a", "2")] } };
        Assert.Contains("'a' appears twice", Assert.Throws<ArgumentException>(() => ModelFile.ToBytes(duplicate)).Message);
        var checkpoint = ModelGens.SmallCheckpoint();
        var mismatched = checkpoint with { Model = checkpoint.Model with { Network = good.Network } };
        Assert.Contains("bit-identical", Assert.Throws<ArgumentException>(() => CheckpointFile.ToBytes(mismatched)).Message);
    }
}

using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;
using Nn.Shell;
using Nn.Tests.Shared;

namespace Nn.Properties.ModelFiles;

/// <summary>
/// The written files follow the safetensors specification, checked by a parser written here from the spec (header length,
/// JSON, offsets, alignment, little-endian F64 data) rather than by <see cref="SafeTensors.Read"/>.
/// </summary>
public class SafeTensorsSpecTests
{
    /// <summary>An independent reading of a safetensors file: the metadata and each tensor's dtype, shape and raw values.</summary>
    private sealed record Parsed(Dictionary<string, string> Metadata, List<(string Name, string Dtype, long[] Shape, double[] Values)> Tensors);

    private static Parsed ParseBySpec(byte[] file)
    {
        Assert.True(file.Length >= 8);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(0, 8));
        Assert.True(n <= (ulong)file.Length - 8);
        Assert.Equal(0UL, (8 + n) % 8);                                     // the data starts 8-byte aligned
        var header = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.Equal('{', header[0]);
        Assert.Equal(header.TrimEnd(' ').Length, header.TrimEnd().Length);  // padding is spaces only
        using var doc = JsonDocument.Parse(header);
        var dataStart = 8 + (int)n;
        var metadata = new Dictionary<string, string>();
        var tensors = new List<(string, string, long[], double[])>();
        long expectedBegin = 0;
        var first = true;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                Assert.True(first, "__metadata__ comes first");
                foreach (var m in p.Value.EnumerateObject()) metadata.Add(m.Name, m.Value.GetString()!);
                continue;
            }
            first = false;
            Assert.Equal(["dtype", "shape", "data_offsets"], p.Value.EnumerateObject().Select(f => f.Name));
            var dtype = p.Value.GetProperty("dtype").GetString()!;
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(2, offsets.Length);
            Assert.Equal(expectedBegin, offsets[0]);                          // contiguous, in header order, no holes
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * 8, offsets[1] - offsets[0]);
            expectedBegin = offsets[1];
            var values = new double[(offsets[1] - offsets[0]) / 8];
            for (var k = 0; k < values.Length; k++)
                values[k] = BitConverter.Int64BitsToDouble(
                    (long)file[dataStart + offsets[0] + 8 * k] | (long)file[dataStart + offsets[0] + 8 * k + 1] << 8 |
                    (long)file[dataStart + offsets[0] + 8 * k + 2] << 16 | (long)file[dataStart + offsets[0] + 8 * k + 3] << 24 |
                    (long)file[dataStart + offsets[0] + 8 * k + 4] << 32 | (long)file[dataStart + offsets[0] + 8 * k + 5] << 40 |
                    (long)file[dataStart + offsets[0] + 8 * k + 6] << 48 | (long)file[dataStart + offsets[0] + 8 * k + 7] << 56);
            tensors.Add((p.Name, dtype, shape, values));
        }
        Assert.Equal(file.Length, 8 + (long)n + expectedBegin);             // exact length: nothing after the last tensor
        return new Parsed(metadata, tensors);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 80)]
    public Property Model_files_follow_the_spec_with_weights_transposed_to_outputs_by_inputs()
    {
        return Prop.ForAll(ModelGens.Model.ToArbitrary(), c =>
        {
            var model = c.Build();
            var parsed = ParseBySpec(ModelFile.ToBytes(model));
            var layers = model.Network.Layers;
            Assert.Equal(2 * layers.Length, parsed.Tensors.Count);
            for (var i = 0; i < layers.Length; i++)
            {
                var w = parsed.Tensors[2 * i];
                var b = parsed.Tensors[2 * i + 1];
                Assert.Equal(($"layers.{i}.weight", "F64"), (w.Name, w.Dtype));
                Assert.Equal([layers[i].Outputs, layers[i].Inputs], w.Shape);
                Assert.Equal(($"layers.{i}.bias", "F64"), (b.Name, b.Dtype));
                Assert.Equal([layers[i].Outputs], b.Shape);
                for (var o = 0; o < layers[i].Outputs; o++)
                {
                    for (var k = 0; k < layers[i].Inputs; k++)
                        Assert.Equal(BitConverter.DoubleToInt64Bits(layers[i].Weights[k, o]), BitConverter.DoubleToInt64Bits(w.Values[o * layers[i].Inputs + k]));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(layers[i].Bias[o]), BitConverter.DoubleToInt64Bits(b.Values[o]));
                }
            }
            Assert.Equal("nn", parsed.Metadata["format"]);
            Assert.Equal("2", parsed.Metadata["format_version"]);
            Assert.Equal("model", parsed.Metadata["kind"]);
            Assert.Equal(ModelFile.ParametersSha256(model.Network), parsed.Metadata["parameters_sha256"]);
            using var arch = JsonDocument.Parse(parsed.Metadata["architecture"]);
            Assert.Equal(model.Network.Sizes, arch.RootElement.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt32()));
            using var features = JsonDocument.Parse(parsed.Metadata["feature_names"]);
            Assert.Equal(model.Info.FeatureNames, features.RootElement.EnumerateArray().Select(e => e.GetString()));
        });
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Checkpoint_files_follow_the_spec()
    {
        return Prop.ForAll(ModelGens.Checkpoint.ToArbitrary(), c =>
        {
            var checkpoint = c.Build();
            var parsed = ParseBySpec(CheckpointFile.ToBytes(checkpoint));
            Assert.Equal("checkpoint", parsed.Metadata["kind"]);
            Assert.All(parsed.Tensors, t => Assert.Equal("F64", t.Dtype));
            var layers = checkpoint.Model.Network.Layers.Length;
            var moments = OptimizerStates.Moments(checkpoint.State.Train.Optimizer).Length / checkpoint.Model.Network.ParameterCount;
            Assert.Equal(2 * layers * (2 + moments), parsed.Tensors.Count);
            Assert.Equal($"best.layers.{layers - 1}.bias", parsed.Tensors[^1].Name);
        });
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Generic_tensors_round_trip_including_scalars_and_empty_tensors()
    {
        var gen =
            from count in Gen.Choose(0, 5)
            from ranks in Gen.ArrayOf(Gen.Choose(0, 3), count)
            from dims in Gen.ArrayOf(Gen.Choose(0, 3), 3 * count)
            from seed in Gens.Seed
            select (ranks, dims, seed);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var d = new Draw(t.seed);
            var tensors = t.ranks.Select((r, i) =>
            {
                ImmutableArray<long> shape = [.. t.dims.Skip(3 * i).Take(r).Select(x => (long)x)];
                var size = shape.Aggregate(1L, (a, b) => a * b);
                return new Tensor($"t{i}.{Draw.Texts[i]}", shape, [.. Enumerable.Range(0, (int)size).Select(_ => d.Double())]);
            }).ToList();
            List<KeyValuePair<string, string>> metadata = t.seed % 2 == 0 ? [] : [new("k", "v"), new("ünï", "\"q\"")];
            var bytes = SafeTensors.Write(tensors, metadata);
            ParseBySpec(bytes);
            var back = SafeTensors.Read(bytes, "generic");
            Assert.Equal(new SafeTensorsFile([.. tensors], [.. metadata]), back);
        });
    }

    [Fact]
    public void F32_tensors_are_read_and_widened()
    {
        var json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var data = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(data, 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), -0.1f);
        var file = SafeTensors.Read(Raw.File(json, data), "f32");
        Assert.Equal([1.5, (double)-0.1f], file.Tensors[0].Data.ToArray());
    }

    [Fact]
    public void Header_example_is_compact_and_ordered()
    {
        var bytes = ModelFile.ToBytes(ModelGens.SmallClassifier());
        var n = (int)BitConverter.ToUInt64(bytes, 0);
        var header = Encoding.UTF8.GetString(bytes, 8, n).TrimEnd(' ');
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"nn\",\"format_version\":\"2\",\"kind\":\"model\",\"architecture\":\"{\\\"sizes\\\":[2,3,3],\\\"activations\\\":[\\\"tanh\\\",\\\"softmax\\\"]}\"", header);
        Assert.Contains("\"layers.0.weight\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[0,48]}", header);
        Assert.DoesNotContain("\n", header);
    }
}

using System.Collections.Immutable;
using Nn;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>
/// The exported bytes, field by field, with an independent decoder (<see cref="ProtoDecoder"/>) and the field numbers of
/// onnx/onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto,
/// TensorShapeProto, OperatorSetIdProto, StringStringEntryProto.
/// </summary>
public class OnnxEncodingTests
{
    private const int Varint = 0, Fixed32 = 5, Len = 2;

    [Fact]
    public void The_decoder_reads_the_examples_of_the_protobuf_encoding_guide()
    {
        Assert.Equal(150UL, ProtoDecoder.Decode([0x08, 0x96, 0x01]).One(1, Varint).Value);
        Assert.Equal("testing", ProtoDecoder.Decode([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]).One(2, Len).Text);
        Assert.Equal(150UL, ProtoDecoder.Decode([0x1a, 0x03, 0x08, 0x96, 0x01]).One(3, Len).Message.One(1, Varint).Value);
        Assert.Equal([3L, 270, 86942], ProtoDecoder.PackedVarints(ProtoDecoder.Decode([0x32, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05]).One(6, Len).Payload));
        Assert.Throws<FormatException>(() => ProtoDecoder.Decode([0x08, 0x96]));
        Assert.Throws<FormatException>(() => ProtoDecoder.Decode([0x12, 0x07, 0x74]));
        Assert.Throws<FormatException>(() => ProtoDecoder.Decode([0x0b]));
    }

    /// <summary>2 features (standard scaling) → 3 softmax outputs, with known weights.</summary>
    private static Model Tiny(Activation output, TaskKind task = TaskKind.Classification)
    {
        var weights = Matrix.FromRows([[0.5, -1, 0.25], [2, 0, -0.75]]);
        var layer = new Dense(weights, Vector.Of(0.1, 0.2, -0.3), output);
        var scaling = new FeatureScaling(FeatureScaling.StandardKind, Vector.Of(1, -2), Vector.Of(2, 0.5));
        var info = task == TaskKind.Classification
            ? new ModelInfo(task, ["a", "b"], "class", ["x", "y", "z"], output is Activation.Softmax ? Losses.CategoricalCrossEntropy : Losses.BinaryCrossEntropy,
                scaling, null, [new Setting("seed", "7")], "")
            : new ModelInfo(task, ["a", "b"], "class", [], Losses.MeanSquaredError, scaling, null, [], "");
        return new Model(new Network([layer]), info);
    }

    [Fact]
    public void The_model_proto_has_ir_version_producer_graph_opset_and_the_metadata()
    {
        var model = ProtoDecoder.Decode(OnnxExport.ToBytes(Tiny(Activations.Softmax), OnnxPrecision.Double));
        Assert.Equal([1, 2, 3, 6, 7, 8], model.Numbers().Where(n => n != 14).ToArray());
        Assert.Equal(8UL, model.One(1, Varint).Value);
        Assert.Equal("nn", model.One(2, Len).Text);
        Assert.NotEmpty(model.One(3, Len).Text);
        Assert.Contains("classification", model.One(6, Len).Text, StringComparison.Ordinal);
        var opset = model.One(8, Len).Message;
        Assert.Equal([1, 2], opset.Numbers());
        Assert.Equal("", opset.One(1, Len).Text);
        Assert.Equal(13UL, opset.One(2, Varint).Value);

        var props = model.All(14, Len).Select(f => f.Message).ToArray();
        Assert.All(props, p => Assert.Equal([1, 2], p.Numbers()));
        var metadata = props.ToDictionary(p => p.One(1, Len).Text, p => p.One(2, Len).Text);
        Assert.Equal("[\"a\",\"b\"]", metadata["feature_names"]);
        Assert.Equal("[\"x\",\"y\",\"z\"]", metadata["labels"]);
        Assert.Equal("classification", metadata["task"]);
        Assert.Equal("class", metadata["target_name"]);
        Assert.Equal("cce", metadata["loss"]);
        Assert.Equal("{\"seed\":\"7\"}", metadata["training"]);
        Assert.Equal(ModelFile.ParametersSha256(Tiny(Activations.Softmax).Network), metadata["parameters_sha256"]);
        Assert.DoesNotContain("format", metadata.Keys);
        Assert.DoesNotContain("kind", metadata.Keys);
    }

    [Fact]
    public void The_graph_scales_the_features_then_runs_gemm_and_softmax_over_initializers_in_double()
    {
        var graph = Graph(Tiny(Activations.Softmax), OnnxPrecision.Double);
        Assert.Equal([1, 1, 1, 1, 2, 5, 5, 5, 5, 10, 11, 12, 12], graph.Numbers());
        Assert.Equal("nn", graph.One(2, Len).Text);

        var nodes = graph.All(1, Len).Select(f => f.Message).ToArray();
        AssertNode(nodes[0], "Sub", ["input", "feature_scaling.offset"], "features.centred");
        AssertNode(nodes[1], "Div", ["features.centred", "feature_scaling.scale"], "features.scaled");
        AssertNode(nodes[2], "Gemm", ["features.scaled", "layers.0.weight", "layers.0.bias"], "logits");
        AssertNode(nodes[3], "Softmax", ["logits"], "output");
        var axis = nodes[3].One(5, Len).Message;
        Assert.Equal([1, 3, 20], axis.Numbers());
        Assert.Equal("axis", axis.One(1, Len).Text);
        Assert.Equal(ulong.MaxValue, axis.One(3, Varint).Value);                  // −1 as a ten-byte varint
        Assert.Equal(2UL, axis.One(20, Varint).Value);                            // AttributeType INT

        var init = graph.All(5, Len).Select(f => f.Message).ToArray();
        AssertDoubles(init[0], "feature_scaling.offset", [2], [1, -2]);
        AssertDoubles(init[1], "feature_scaling.scale", [2], [2, 0.5]);
        AssertDoubles(init[2], "layers.0.weight", [2, 3], [0.5, -1, 0.25, 2, 0, -0.75]);
        AssertDoubles(init[3], "layers.0.bias", [3], [0.1, 0.2, -0.3]);

        AssertValueInfo(graph.One(11, Len).Message, "input", 11, 2);
        var outputs = graph.All(12, Len).Select(f => f.Message).ToArray();
        AssertValueInfo(outputs[0], "output", 11, 3);
        AssertValueInfo(outputs[1], "logits", 11, 3);
    }

    [Fact]
    public void The_float32_variant_stores_rounded_floats_and_types_every_value_float()
    {
        var graph = Graph(Tiny(Activations.Softmax), OnnxPrecision.Float32);
        var weight = graph.All(5, Len).Select(f => f.Message).Single(t => t.One(8, Len).Text == "layers.0.weight");
        Assert.Equal([1, 1, 2, 4, 8], weight.Numbers());
        Assert.Equal(1UL, weight.One(2, Varint).Value);                           // DataType FLOAT
        Assert.Equal([0.5f, -1f, 0.25f, 2f, 0f, -0.75f], ProtoDecoder.PackedFloats(weight.One(4, Len).Payload));
        var bias = graph.All(5, Len).Select(f => f.Message).Single(t => t.One(8, Len).Text == "layers.0.bias");
        Assert.Equal([0.1f, 0.2f, -0.3f], ProtoDecoder.PackedFloats(bias.One(4, Len).Payload));
        AssertValueInfo(graph.One(11, Len).Message, "input", 1, 2);
        Assert.All(graph.All(12, Len), o => AssertValueInfo(o.Message, o.Message.One(1, Len).Text, 1, 3));
    }

    [Fact]
    public void Leaky_relu_is_an_exact_where_in_double_and_a_LeakyRelu_with_a_float_alpha_in_float32()
    {
        var hidden = new Dense(Matrix.FromRows([[1, -1], [0.5, 2]]), Vector.Of(0, 0.1), Activations.LeakyRelu(0.2));
        var template = Tiny(Activations.Softmax);
        var model = template with { Network = new Network([hidden, template.Network.Layers[0]]) };

        var d = Graph(model, OnnxPrecision.Double);
        var ops = d.All(1, Len).Select(n => n.Message.One(4, Len).Text).ToArray();
        Assert.Equal(["Sub", "Div", "Gemm", "Greater", "Mul", "Where", "Gemm", "Softmax"], ops);
        var where = d.All(1, Len).Select(n => n.Message).Single(n => n.One(4, Len).Text == "Where");
        Assert.Equal(["layers.0.a.positive", "layers.0.z", "layers.0.a.negative"], where.Strings(1));
        var slope = d.All(5, Len).Select(f => f.Message).Single(t => t.One(8, Len).Text == "layers.0.a.slope");
        Assert.Empty(slope.All(1, Varint));                                       // a scalar: no dims
        Assert.Equal([0.2], ProtoDecoder.PackedDoubles(slope.One(10, Len).Payload));

        var f = Graph(model, OnnxPrecision.Float32);
        var leaky = f.All(1, Len).Select(n => n.Message).Single(n => n.One(4, Len).Text == "LeakyRelu");
        var alpha = leaky.One(5, Len).Message;
        Assert.Equal([1, 2, 20], alpha.Numbers());
        Assert.Equal("alpha", alpha.One(1, Len).Text);
        Assert.Equal(BitConverter.SingleToUInt32Bits(0.2f), (uint)alpha.One(2, Fixed32).Value);
        Assert.Equal(1UL, alpha.One(20, Varint).Value);                           // AttributeType FLOAT
    }

    [Fact]
    public void A_single_sigmoid_output_becomes_two_columns_and_several_sigmoids_are_normalised()
    {
        var binary = Tiny(Activations.Sigmoid);
        binary = binary with
        {
            Network = new Network([new Dense(Matrix.FromRows([[1], [2]]), Vector.Of(0.5), Activations.Sigmoid)]),
            Info = binary.Info with { Labels = ["no", "yes"] },
        };
        var b = Graph(binary, OnnxPrecision.Double);
        var nodes = b.All(1, Len).Select(n => n.Message).ToArray();
        Assert.Equal(["Sub", "Div", "Gemm", "Sigmoid", "Sub", "Concat"], nodes.Select(n => n.One(4, Len).Text));
        Assert.Equal(["one", "probability"], nodes[4].Strings(1));
        Assert.Equal(["probability.complement", "probability"], nodes[5].Strings(1));
        Assert.Equal(1UL, nodes[5].One(5, Len).Message.One(3, Varint).Value);    // axis = 1
        var outputs = b.All(12, Len).Select(f => f.Message).ToArray();
        AssertValueInfo(outputs[0], "output", 11, 2);
        AssertValueInfo(outputs[1], "logits", 11, 1);

        var multi = Graph(Tiny(Activations.Sigmoid), OnnxPrecision.Double);
        Assert.Equal(["Sub", "Div", "Gemm", "Sigmoid", "ReduceSum", "Greater", "Div", "Where"],
            multi.All(1, Len).Select(n => n.Message.One(4, Len).Text));
        var axes = multi.All(5, Len).Select(f => f.Message).Single(t => t.One(8, Len).Text == "sum.axes");
        Assert.Equal([1, 2, 7, 8], axes.Numbers());
        Assert.Equal(7UL, axes.One(2, Varint).Value);                             // DataType INT64
        Assert.Equal([1L], ProtoDecoder.PackedVarints(axes.One(7, Len).Payload));
    }

    [Fact]
    public void Regression_maps_back_to_target_units_with_scalar_mul_and_add()
    {
        var tiny = Tiny(Activations.Linear, TaskKind.Regression);
        var model = tiny with
        {
            Network = new Network([new Dense(Matrix.FromRows([[1], [2]]), Vector.Of(0.5), Activations.Linear)]),
            Info = tiny.Info with { TargetScaling = new TargetScaling(100, 50) },
        };
        var g = Graph(model, OnnxPrecision.Double);
        var nodes = g.All(1, Len).Select(n => n.Message).ToArray();
        Assert.Equal(["Sub", "Div", "Gemm", "Identity", "Mul", "Add"], nodes.Select(n => n.One(4, Len).Text));
        Assert.Equal(["target.scaled", "target_scaling.offset"], nodes[5].Strings(1));
        var init = g.All(5, Len).Select(f => f.Message).ToDictionary(t => t.One(8, Len).Text);
        Assert.Equal([50.0], ProtoDecoder.PackedDoubles(init["target_scaling.scale"].One(10, Len).Payload));
        Assert.Equal([100.0], ProtoDecoder.PackedDoubles(init["target_scaling.offset"].One(10, Len).Payload));

        var unscaled = Graph(model with { Info = model.Info with { TargetScaling = null, Scaling = FeatureScaling.None(2) } }, OnnxPrecision.Double);
        Assert.Equal(["Gemm", "Identity"], unscaled.All(1, Len).Select(n => n.Message.One(4, Len).Text));
        Assert.Equal(["input", "layers.0.weight", "layers.0.bias"], unscaled.All(1, Len)[0].Message.Strings(1));
    }

    [Fact]
    public void Exports_are_deterministic_and_refuse_invalid_models()
    {
        var model = Tiny(Activations.Softmax);
        Assert.Equal(OnnxExport.ToBytes(model, OnnxPrecision.Double), OnnxExport.ToBytes(model, OnnxPrecision.Double));
        Assert.NotEqual(OnnxExport.ToBytes(model, OnnxPrecision.Double), OnnxExport.ToBytes(model, OnnxPrecision.Float32));
        var nan = model with { Network = new Network([model.Network.Layers[0].WithParameters(model.Network.Layers[0].Weights, Vector.Of(double.NaN, 0, 0))]) };
        Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(nan, OnnxPrecision.Double));
        Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, (OnnxPrecision)7));
        Assert.Throws<ArgumentNullException>(() => OnnxExport.ToBytes(null!, OnnxPrecision.Double));
    }

    private static IReadOnlyList<ProtoField> Graph(Model model, OnnxPrecision precision) =>
        ProtoDecoder.Decode(OnnxExport.ToBytes(model, precision)).One(7, Len).Message;

    private static void AssertNode(IReadOnlyList<ProtoField> node, string op, string[] inputs, string output)
    {
        Assert.Equal(op, node.One(4, Len).Text);
        Assert.Equal(inputs, node.Strings(1));
        Assert.Equal([output], node.Strings(2));
        Assert.Equal(output, node.One(3, Len).Text);
        Assert.Empty(node.All(7, Len));                                           // the default domain
    }

    private static void AssertDoubles(IReadOnlyList<ProtoField> tensor, string name, long[] dims, double[] values)
    {
        Assert.Equal([.. Enumerable.Repeat(1, dims.Length), 2, 8, 10], tensor.Numbers());
        Assert.Equal(dims, tensor.All(1, Varint).Select(f => (long)f.Value));      // dims: unpacked varints (proto2)
        Assert.Equal(11UL, tensor.One(2, Varint).Value);                         // DataType DOUBLE
        Assert.Equal(name, tensor.One(8, Len).Text);
        var data = tensor.One(10, Len);
        Assert.Equal(8UL * (ulong)values.Length, data.Value);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), ProtoDecoder.PackedDoubles(data.Payload).Select(BitConverter.DoubleToInt64Bits));
    }

    /// <summary>ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type, shape: [dim_param "N", dim_value cols]}}}.</summary>
    private static void AssertValueInfo(IReadOnlyList<ProtoField> info, string name, ulong elemType, long cols)
    {
        Assert.Equal([1, 2], info.Numbers());
        Assert.Equal(name, info.One(1, Len).Text);
        var tensor = info.One(2, Len).Message.One(1, Len).Message;
        Assert.Equal([1, 2], tensor.Numbers());
        Assert.Equal(elemType, tensor.One(1, Varint).Value);
        var dims = tensor.One(2, Len).Message.All(1, Len).Select(d => d.Message).ToArray();
        Assert.Equal(2, dims.Length);
        Assert.Equal([2], dims[0].Numbers());
        Assert.Equal("N", dims[0].One(2, Len).Text);
        Assert.Equal([1], dims[1].Numbers());
        Assert.Equal((ulong)cols, dims[1].One(1, Varint).Value);
    }
}

namespace Nn.Shell;

/// <summary>An ONNX node attribute: an int64 (<c>type</c> INT = 2) or a float (<c>type</c> FLOAT = 1).</summary>
internal sealed record OnnxAttribute(string Name, long? Int, float? Float)
{
    internal static OnnxAttribute Of(string name, long value) => new(name, value, null);

    internal static OnnxAttribute Of(string name, float value) => new(name, null, value);
}

/// <summary>One operator application: <c>outputs = op_type(inputs; attributes)</c> in the default ("ai.onnx") domain.</summary>
internal sealed record OnnxNode(string Name, string OpType, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);

/// <summary>A constant tensor (an initializer), row-major: doubles for DOUBLE/FLOAT, int64s for INT64.</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, int DataType, double[] Doubles, long[] Int64s);

/// <summary>One dimension of a graph input or output: a fixed size, or a named symbolic one (e.g. the batch "N").</summary>
internal sealed record OnnxDim(long Value, string? Param);

/// <summary>A graph input or output: a name, a tensor element type and a shape.</summary>
internal sealed record OnnxValueInfo(string Name, int ElemType, OnnxDim[] Shape);

/// <summary>A graph: topologically sorted nodes, initializers, inputs and outputs.</summary>
internal sealed record OnnxGraph(string Name, string DocString, OnnxNode[] Nodes, OnnxTensor[] Initializers, OnnxValueInfo[] Inputs, OnnxValueInfo[] Outputs);

/// <summary>A model: IR version, producer, one opset import for the default domain, the graph and string metadata.</summary>
internal sealed record OnnxModel(long IrVersion, string ProducerName, string ProducerVersion, string DocString, long OpsetVersion,
    OnnxGraph Graph, KeyValuePair<string, string>[] Metadata);

/// <summary>
/// Encodes <see cref="OnnxModel"/> as an ONNX <c>ModelProto</c>, with the field numbers of onnx/onnx.proto. Fields are written
/// in field-number order; repeated scalars follow the schema (<c>dims</c> unpacked as in proto2, the <c>*_data</c> fields
/// declared <c>[packed = true]</c> packed).
/// </summary>
internal static class OnnxProto
{
    /// <summary>TensorProto.DataType FLOAT.</summary>
    internal const int Float = 1;

    /// <summary>TensorProto.DataType INT64.</summary>
    internal const int Int64 = 7;

    /// <summary>TensorProto.DataType DOUBLE.</summary>
    internal const int Double = 11;

    /// <summary>AttributeProto.AttributeType FLOAT.</summary>
    internal const int AttributeFloat = 1;

    /// <summary>AttributeProto.AttributeType INT.</summary>
    internal const int AttributeInt = 2;

    /// <summary>The bytes of the <c>ModelProto</c>.</summary>
    internal static byte[] Encode(OnnxModel model)
    {
        var w = new ProtoWriter();
        w.Int64(1, model.IrVersion);                    // ModelProto.ir_version
        w.String(2, model.ProducerName);                // ModelProto.producer_name
        w.String(3, model.ProducerVersion);             // ModelProto.producer_version
        w.String(6, model.DocString);                   // ModelProto.doc_string
        w.Message(7, g => Graph(g, model.Graph));       // ModelProto.graph
        w.Message(8, o =>                               // ModelProto.opset_import
        {
            o.String(1, "");                            // OperatorSetIdProto.domain (the default, ai.onnx)
            o.Int64(2, model.OpsetVersion);             // OperatorSetIdProto.version
        });
        foreach (var (key, value) in model.Metadata)
            w.Message(14, e =>                          // ModelProto.metadata_props
            {
                e.String(1, key);                       // StringStringEntryProto.key
                e.String(2, value);                     // StringStringEntryProto.value
            });
        return w.ToArray();
    }

    private static void Graph(ProtoWriter w, OnnxGraph graph)
    {
        foreach (var n in graph.Nodes) w.Message(1, x => Node(x, n));               // GraphProto.node
        w.String(2, graph.Name);                                                    // GraphProto.name
        foreach (var t in graph.Initializers) w.Message(5, x => Tensor(x, t));      // GraphProto.initializer
        w.String(10, graph.DocString);                                              // GraphProto.doc_string
        foreach (var v in graph.Inputs) w.Message(11, x => ValueInfo(x, v));        // GraphProto.input
        foreach (var v in graph.Outputs) w.Message(12, x => ValueInfo(x, v));       // GraphProto.output
    }

    private static void Node(ProtoWriter w, OnnxNode node)
    {
        foreach (var i in node.Inputs) w.String(1, i);                              // NodeProto.input
        foreach (var o in node.Outputs) w.String(2, o);                             // NodeProto.output
        w.String(3, node.Name);                                                     // NodeProto.name
        w.String(4, node.OpType);                                                   // NodeProto.op_type
        foreach (var a in node.Attributes) w.Message(5, x => Attribute(x, a));      // NodeProto.attribute
    }

    private static void Attribute(ProtoWriter w, OnnxAttribute a)
    {
        w.String(1, a.Name);                                                        // AttributeProto.name
        if (a.Float is { } f) w.Float(2, f);                                        // AttributeProto.f
        if (a.Int is { } i) w.Int64(3, i);                                          // AttributeProto.i
        w.Int64(20, a.Float is not null ? AttributeFloat : AttributeInt);           // AttributeProto.type
    }

    private static void Tensor(ProtoWriter w, OnnxTensor t)
    {
        foreach (var d in t.Dims) w.Int64(1, d);                                    // TensorProto.dims
        w.Int64(2, t.DataType);                                                     // TensorProto.data_type
        switch (t.DataType)
        {
            case Float:
                w.PackedFloat(4, t.Doubles.Select(x => (float)x).ToArray());        // TensorProto.float_data
                break;
            case Int64:
                w.PackedInt64(7, t.Int64s);                                         // TensorProto.int64_data
                break;
            case Double:
                break;
            default:
                throw new ArgumentException($"Unsupported tensor data type {t.DataType}.", nameof(t));
        }
        w.String(8, t.Name);                                                        // TensorProto.name
        if (t.DataType == Double) w.PackedDouble(10, t.Doubles);                    // TensorProto.double_data
    }

    private static void ValueInfo(ProtoWriter w, OnnxValueInfo v)
    {
        w.String(1, v.Name);                                                        // ValueInfoProto.name
        w.Message(2, type =>                                                        // ValueInfoProto.type
            type.Message(1, tensor =>                                               // TypeProto.tensor_type
            {
                tensor.Int64(1, v.ElemType);                                        // TypeProto.Tensor.elem_type
                tensor.Message(2, shape =>                                          // TypeProto.Tensor.shape
                {
                    foreach (var d in v.Shape)
                        shape.Message(1, dim =>                                     // TensorShapeProto.dim
                        {
                            if (d.Param is { } p) dim.String(2, p);                 // Dimension.dim_param
                            else dim.Int64(1, d.Value);                             // Dimension.dim_value
                        });
                });
            }));
    }
}

using System.Globalization;

namespace Nn.Shell;

/// <summary>The element type of an exported ONNX graph: its input, initializers, arithmetic and outputs.</summary>
public enum OnnxPrecision
{
    /// <summary>64-bit IEEE doubles (ONNX DOUBLE, elem_type 11): the same numbers as <see cref="Predictor"/>, up to rounding.</summary>
    Double,

    /// <summary>32-bit floats (ONNX FLOAT, elem_type 1): every parameter rounded to the nearest float.</summary>
    Float32,
}

/// <summary>
/// Exports a <see cref="Model"/> as an ONNX model (IR version 8, opset 13) that computes what <see cref="Predictor.Predict"/>
/// computes, from raw (unscaled) features.
/// </summary>
/// <remarks>
/// <para><b>Input</b> <c>input</c>: shape [N, features] with a symbolic batch dimension <c>N</c>, in the model's feature order.</para>
/// <para><b>Graph</b>: the feature scaling as two nodes, <c>Sub(input, feature_scaling.offset)</c> then
/// <c>Div(·, feature_scaling.scale)</c> — the same two IEEE operations as <see cref="Predictor.ScaleFeatures"/>, so the scaled
/// features are bit-identical (absent for kind "none"); then per layer i a <c>Gemm</c> with <c>B = layers.{i}.weight</c> of
/// shape [inputs, outputs] (that is <see cref="Dense.Weights"/>, transB = 0) and <c>C = layers.{i}.bias</c> of shape [outputs],
/// followed by the activation: <c>Relu</c>, <c>Tanh</c>, <c>Sigmoid</c>, <c>Identity</c> for linear, <c>Softmax</c> (axis −1),
/// and leaky ReLU as <c>LeakyRelu</c> in float32 and as <c>Where(Greater(z, 0), z, Mul(z, slope))</c> in double (LeakyRelu's
/// alpha is a float attribute, which would round the slope).</para>
/// <para><b>Outputs</b>: <c>logits</c>, shape [N, outputs], the last layer's pre-activation Z; and <c>output</c>, shape [N, K]:
/// for a classifier, the class probabilities of <see cref="Prediction.Classification.Probabilities"/> — softmax rows as they are, a single
/// sigmoid column p as the two columns (1 − p, p) (<c>Concat(Sub(1, p), p)</c>), other outputs normalised to sum to 1 (rows
/// whose sum is not positive become uniform); for a regression model, the last layer's activation mapped back to the
/// target's units, <c>Add(Mul(a, target_scaling.scale), target_scaling.offset)</c> (no nodes without target scaling).</para>
/// <para><b>Metadata</b> (<c>metadata_props</c>): the model file's keys (see <see cref="ModelFile"/>) except
/// <c>format</c>, <c>format_version</c> and <c>kind</c>: <c>architecture</c>, <c>task</c>, <c>loss</c>, <c>feature_names</c>
/// and <c>labels</c> (JSON arrays of strings), <c>target_name</c>, <c>feature_scaling</c>, <c>target_scaling</c> (when set),
/// <c>training</c>, <c>data_sha256</c>, <c>parameters_sha256</c>.</para>
/// <para>The bytes are a pure function of the model and the precision.</para>
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX IR version written (8).</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default operator set ("ai.onnx") imported (13).</summary>
    public const long OpsetVersion = 13;

    /// <summary>The name of the graph input, shape [N, features].</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph output with probabilities (classification) or values in target units (regression).</summary>
    public const string OutputName = "output";

    /// <summary>The name of the graph output with the last layer's pre-activation, shape [N, outputs].</summary>
    public const string LogitsName = "logits";

    /// <summary>The bytes of the ONNX model (a serialised <c>onnx.ModelProto</c>) for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">When the model is inconsistent or holds a NaN or infinite parameter or scaling value
    /// (as <see cref="ModelFile.ToBytes"/>), <paramref name="precision"/> is not an <see cref="OnnxPrecision"/>, or in
    /// float32 a value overflows float (see <see cref="Float32Overflow"/>).</exception>
    public static byte[] ToBytes(Model model, OnnxPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelFile.CheckWritable(model);
        if (!Enum.IsDefined(precision)) throw new ArgumentException($"Unknown precision {precision}.", nameof(precision));
        RefuseCustom(model);
        var onnx = Build(model, precision);
        if (precision == OnnxPrecision.Float32 && FirstFloat32Overflow(onnx.Graph) is { } overflow) throw new ArgumentException(overflow, nameof(model));
        return OnnxProto.Encode(onnx);
    }

    /// <summary>
    /// The first value of the float32 export of <paramref name="model"/> that a float cannot hold (a finite double beyond
    /// ±3.4028235E+38, which would become ±∞), described in one line, e.g.
    /// <c>layers.0.weight[2, 1] is 1E+308, beyond the float32 range (±3.4028235E+38)</c>; null when every value fits.
    /// Smaller values round to the nearest float (tiny ones to 0), which float32 export always does.
    /// </summary>
    public static string? Float32Overflow(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelFile.CheckWritable(model);
        RefuseCustom(model);
        return FirstFloat32Overflow(Build(model, OnnxPrecision.Float32).Graph);
    }

    /// <summary>A custom activation is a .NET function: ONNX has no operator for it, so export refuses it by name.</summary>
    private static void RefuseCustom(Model model)
    {
        for (var i = 0; i < model.Network.Layers.Length; i++)
            if (model.Network.Layers[i].Activation is Activation.Custom or Activation.CustomRows)
                throw new ArgumentException($"layer {i + 1} uses the custom activation '{model.Network.Layers[i].Activation.Name}', a .NET function that ONNX cannot express; only the built-in activations export.", nameof(model));
    }

    private static string? FirstFloat32Overflow(OnnxGraph graph)
    {
        static bool Overflows(double v) => double.IsFinite(v) && float.IsInfinity((float)v);
        static string Range(double v) => string.Create(CultureInfo.InvariantCulture, $"is {v:R}, beyond the float32 range (±{float.MaxValue:R})");
        foreach (var t in graph.Initializers)
            for (var i = 0; i < t.Doubles.Length; i++)
                if (Overflows(t.Doubles[i]))
                    return $"{t.Name}{Index(t.Dims, i)} {Range(t.Doubles[i])}";
        foreach (var node in graph.Nodes)
            foreach (var a in node.Attributes)
                if (a.Float is { } f && float.IsInfinity(f))
                    return $"the {a.Name} of {node.OpType} node '{node.Name}' is beyond the float32 range (±{float.MaxValue.ToString("R", CultureInfo.InvariantCulture)})";
        return null;
    }

    /// <summary>The position of flat index <paramref name="i"/> in a row-major tensor of shape <paramref name="dims"/>: "" for a scalar, "[i]", "[r, c]".</summary>
    private static string Index(long[] dims, long i)
    {
        if (dims.Length == 0) return "";
        var at = new long[dims.Length];
        for (var d = dims.Length - 1; d >= 0; d--)
        {
            at[d] = i % dims[d];
            i /= dims[d];
        }
        return "[" + string.Join(", ", at.Select(x => x.ToString(CultureInfo.InvariantCulture))) + "]";
    }

    /// <summary>Writes the ONNX model for <paramref name="model"/> to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    /// <exception cref="ArgumentException">As <see cref="ToBytes"/> (nothing is written).</exception>
    /// <exception cref="IOException">When the folder cannot be written.</exception>
    public static void Save(string path, Model model, OnnxPrecision precision) => AtomicFile.Write(path, ToBytes(model, precision));

    /// <summary>The graph as a value, before encoding.</summary>
    internal static OnnxModel Build(Model model, OnnxPrecision precision)
    {
        var network = model.Network;
        var info = model.Info;
        var g = new GraphBuilder(precision == OnnxPrecision.Double ? OnnxProto.Double : OnnxProto.Float);

        var x = InputName;
        if (info.Scaling.Kind != FeatureScaling.NoneKind)
        {
            var offset = g.Constant("feature_scaling.offset", [network.InputSize], info.Scaling.Offset.Values);
            var scale = g.Constant("feature_scaling.scale", [network.InputSize], info.Scaling.Scale.Values);
            x = g.Node("Div", [g.Node("Sub", [x, offset], "features.centred"), scale], "features.scaled");
        }
        var last = network.Layers.Length - 1;
        for (var i = 0; i <= last; i++)
        {
            var layer = network.Layers[i];
            var w = g.Constant($"layers.{i}.weight", [layer.Inputs, layer.Outputs], layer.Weights.ToRowMajorArray());
            var b = g.Constant($"layers.{i}.bias", [layer.Outputs], layer.Bias.Values);
            var z = g.Node("Gemm", [x, w, b], i == last ? LogitsName : $"layers.{i}.z");
            x = i == last ? z : Activate(g, layer.Activation, z, $"layers.{i}.a");
        }
        var outputs = Head(g, model, x);

        OnnxDim[] Batch(int n) => [new(0, "N"), new(n, null)];
        var graph = new OnnxGraph("nn", GraphDoc(model, precision), [.. g.Nodes], [.. g.Initializers],
            [new OnnxValueInfo(InputName, g.ElemType, Batch(network.InputSize))],
            [new OnnxValueInfo(OutputName, g.ElemType, Batch(outputs)), new OnnxValueInfo(LogitsName, g.ElemType, Batch(network.OutputSize))]);
        var metadata = ModelMetadata.Write(model, "model").Where(e => e.Key is not ("format" or "format_version" or "kind")).ToArray();
        var version = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return new OnnxModel(IrVersion, "nn", version, $"An Nn {TaskText(info.Task)} model exported from the nn library.", OpsetVersion, graph, metadata);
    }

    /// <summary>Appends the output head after <paramref name="logits"/>; returns the number of columns of <c>output</c>.</summary>
    private static int Head(GraphBuilder g, Model model, string logits)
    {
        var network = model.Network;
        var activation = network.OutputActivation;
        var outputs = network.OutputSize;
        if (model.Info.Task == TaskKind.Multilabel)
        {
            // Each label's probability on its own: no normalisation across the labels.
            Activate(g, activation, logits, OutputName);
            return outputs;
        }
        if (model.Info.Task == TaskKind.Regression && !model.Info.TargetScalings.IsDefaultOrEmpty)
        {
            // Several targets: one scale and offset per output column, broadcast over the batch.
            var ts = model.Info.TargetScalings;
            var a = Activate(g, activation, logits, "activated");
            var scale = g.Constant("target_scalings.scale", [ts.Length], ts.Select(t => t.Scale));
            var offset = g.Constant("target_scalings.offset", [ts.Length], ts.Select(t => t.Offset));
            g.Node("Add", [g.Node("Mul", [a, scale], "target.scaled"), offset], OutputName);
            return outputs;
        }
        if (model.Info.Task == TaskKind.Regression)
        {
            if (model.Info.TargetScaling is not { } t)
            {
                Activate(g, activation, logits, OutputName);
                return outputs;
            }
            var a = Activate(g, activation, logits, "activated");
            var scale = g.Constant("target_scaling.scale", [], [t.Scale]);
            var offset = g.Constant("target_scaling.offset", [], [t.Offset]);
            g.Node("Add", [g.Node("Mul", [a, scale], "target.scaled"), offset], OutputName);
            return outputs;
        }
        switch (activation)
        {
            case Activation.Softmax:
                Activate(g, activation, logits, OutputName);
                return outputs;
            case Activation.Sigmoid when outputs == 1:
            {
                var p = Activate(g, activation, logits, "probability");
                var one = g.Constant("one", [], [1.0]);
                var complement = g.Node("Sub", [one, p], "probability.complement");
                g.Node("Concat", [complement, p], OutputName, OnnxAttribute.Of("axis", 1L));
                return 2;
            }
            default:
            {
                var a = Activate(g, activation, logits, "activated");
                var axes = g.Int64s("sum.axes", [1], [1]);
                var sum = g.Node("ReduceSum", [a, axes], "activated.sum", OnnxAttribute.Of("keepdims", 1L));
                var positive = g.Node("Greater", [sum, g.Constant("zero", [], [0.0])], "activated.sum_positive");
                var normalised = g.Node("Div", [a, sum], "activated.normalised");
                var uniform = g.Constant("uniform", [], [1.0 / outputs]);
                g.Node("Where", [positive, normalised, uniform], OutputName);
                return outputs;
            }
        }
    }

    /// <summary>Appends <c>output = f(z)</c>; returns <paramref name="output"/>.</summary>
    private static string Activate(GraphBuilder g, Activation activation, string z, string output) => activation switch
    {
        Activation.Sigmoid => g.Node("Sigmoid", [z], output),
        Activation.Tanh => g.Node("Tanh", [z], output),
        Activation.Relu => g.Node("Relu", [z], output),
        Activation.Linear => g.Node("Identity", [z], output),
        Activation.Softmax => g.Node("Softmax", [z], output, OnnxAttribute.Of("axis", -1L)),
        Activation.LeakyRelu l when g.ElemType == OnnxProto.Float => g.Node("LeakyRelu", [z], output, OnnxAttribute.Of("alpha", (float)l.Slope)),
        Activation.LeakyRelu l => g.Node("Where",
            [g.Node("Greater", [z, g.Constant("zero", [], [0.0])], output + ".positive"), z,
             g.Node("Mul", [z, g.Constant($"{output}.slope", [], [l.Slope])], output + ".negative")], output),
        _ => throw new ArgumentException($"Unknown activation {activation}.", nameof(activation)),
    };

    private static string TaskText(TaskKind task) => TaskKinds.Name(task);

    private static string GraphDoc(Model model, OnnxPrecision precision) =>
        $"input: raw features [N, {model.Network.InputSize}] ({string.Join(", ", model.Info.FeatureNames)}), " +
        $"{(precision == OnnxPrecision.Double ? "double" : "float32")}. " +
        (model.Info.Task == TaskKind.Multilabel ? $"output: each label's probability, independently, over [{string.Join(", ", model.Info.Labels)}]. "
            : model.Info.Task == TaskKind.Regression
            ? $"output: {string.Join(", ", model.Info.Targets)} in {(model.Info.Targets.Length == 1 ? "its" : "their")} original units. "
            : $"output: class probabilities over [{string.Join(", ", model.Info.Labels)}]. ") +
        "logits: the last layer's pre-activation.";

    /// <summary>Collects nodes and initializers in order; names are unique (a constant asked for twice is stored once).</summary>
    private sealed class GraphBuilder(int elemType)
    {
        private readonly HashSet<string> names = new(StringComparer.Ordinal) { InputName };

        internal int ElemType { get; } = elemType;

        internal List<OnnxNode> Nodes { get; } = [];

        internal List<OnnxTensor> Initializers { get; } = [];

        internal string Constant(string name, long[] dims, IEnumerable<double> values)
        {
            if (names.Add(name)) Initializers.Add(new OnnxTensor(name, dims, ElemType, [.. values], []));
            return name;
        }

        internal string Int64s(string name, long[] dims, long[] values)
        {
            if (names.Add(name)) Initializers.Add(new OnnxTensor(name, dims, OnnxProto.Int64, [], values));
            return name;
        }

        internal string Node(string opType, string[] inputs, string output, params OnnxAttribute[] attributes)
        {
            if (!names.Add(output)) throw new InvalidOperationException($"The ONNX value name '{output}' is used twice.");
            Nodes.Add(new OnnxNode(output, opType, inputs, [output], attributes));
            return output;
        }
    }
}

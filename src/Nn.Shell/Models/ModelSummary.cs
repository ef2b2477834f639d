using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>One dense layer of a <see cref="ModelSummary"/>.</summary>
/// <param name="Inputs">The layer's number of inputs.</param>
/// <param name="Outputs">The layer's number of units.</param>
/// <param name="Activation">The layer's activation.</param>
public sealed record LayerSummary(int Inputs, int Outputs, Activation Activation)
{
    /// <summary>The number of weights, inputs × outputs.</summary>
    public int Weights => Inputs * Outputs;

    /// <summary>The number of biases, one per output.</summary>
    public int Biases => Outputs;

    /// <summary>The number of trainable parameters, weights plus biases.</summary>
    public int Parameters => Weights + Biases;
}

/// <summary>
/// What <c>nn info</c> shows of a model file: the model (task, labels, features, scaling, training settings), its
/// architecture with parameter counts per layer and in total, its parameters hash and the file's format version.
/// </summary>
/// <param name="Model">The model read from the file, with every check of <see cref="ModelFile.Load"/>.</param>
/// <param name="FormatVersion">The format version the file was written with (see <see cref="ModelFile.FormatVersion"/>).</param>
public sealed record ModelSummary(Model Model, int FormatVersion)
{
    /// <summary>Reads the model file at <paramref name="path"/> as <see cref="ModelFile.Load"/> does, keeping its format version.</summary>
    /// <exception cref="ModelFileException">As <see cref="ModelFile.Load"/>: a missing, unreadable or non-model file.</exception>
    /// <exception cref="IOException">When the file cannot be read.</exception>
    public static ModelSummary Load(string path)
    {
        var bytes = ModelFile.ReadBytes(path);
        var model = ModelFile.FromBytes(bytes, path);
        // FromBytes has checked that format_version is a positive integer this build reads.
        var version = SafeTensors.Read(bytes, path).Metadata.First(kv => kv.Key == "format_version").Value;
        return new ModelSummary(model, int.Parse(version, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The layers in order, one per dense layer of the network.</summary>
    public ImmutableArray<LayerSummary> Layers => [.. Model.Network.Layers.Select(l => new LayerSummary(l.Inputs, l.Outputs, l.Activation))];

    /// <summary>The total number of trainable parameters, the sum over the layers.</summary>
    public int Parameters => Model.Network.ParameterCount;

    /// <summary>The parameters hash recorded in (and checked against) the file, see <see cref="ModelFile.ParametersSha256"/>.</summary>
    public string ParametersSha256 => ModelFile.ParametersSha256(Model.Network);

    /// <summary>
    /// One JSON object with exactly the keys, in order: <c>format_version</c>, <c>task</c>, <c>loss</c>,
    /// <c>feature_names</c>, <c>target_name</c>, <c>labels</c> (empty for regression), <c>feature_scaling</c> (its kind:
    /// standard, minmax or none), <c>target_scaling</c> (<c>{"offset","scale"}</c>, or null), for a model with several
    /// targets <c>target_names</c> and (regression) <c>target_scalings</c> (one <c>{"offset","scale"}</c> per target), for a
    /// multilabel model on delimited labels <c>label_separator</c>, <c>layers</c> (an array of
    /// <c>{"inputs","outputs","activation","weights","biases","parameters"}</c>), <c>parameters</c> (the total),
    /// <c>parameters_sha256</c>, <c>data_sha256</c> (empty when unknown) and <c>training</c> (an object of the recorded
    /// settings, in order, values as text).
    /// </summary>
    public string ToJson(bool indented)
    {
        var info = Model.Info;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteNumber("format_version", FormatVersion);
            w.WriteString("task", TaskKinds.Name(info.Task));
            w.WriteString("loss", info.Loss.Name);
            Strings(w, "feature_names", info.FeatureNames);
            w.WriteString("target_name", info.TargetName);
            Strings(w, "labels", info.Labels);
            w.WriteString("feature_scaling", info.Scaling.Kind);
            w.WritePropertyName("target_scaling");
            if (info.TargetScaling is { } ts) Text.TargetScaling(w, ts);
            else w.WriteNullValue();
            if (info.LabelSeparator is { } separator) w.WriteString("label_separator", separator);
            if (!info.TargetNames.IsDefaultOrEmpty)
            {
                Strings(w, "target_names", info.TargetNames);
            }
            if (!info.TargetScalings.IsDefaultOrEmpty)
            {
                w.WritePropertyName("target_scalings");
                Text.TargetScalings(w, info.TargetScalings);
            }
            w.WriteStartArray("layers");
            foreach (var l in Layers)
            {
                w.WriteStartObject();
                w.WriteNumber("inputs", l.Inputs);
                w.WriteNumber("outputs", l.Outputs);
                w.WriteString("activation", l.Activation.ToString());
                w.WriteNumber("weights", l.Weights);
                w.WriteNumber("biases", l.Biases);
                w.WriteNumber("parameters", l.Parameters);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("parameters", Parameters);
            w.WriteString("parameters_sha256", ParametersSha256);
            w.WriteString("data_sha256", info.DataSha256);
            w.WriteStartObject("training");
            foreach (var s in info.Training) w.WriteString(s.Name, s.Value);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Strings(Utf8JsonWriter w, string name, ImmutableArray<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}

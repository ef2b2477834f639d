using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>
/// The model part of the <c>__metadata__</c> shared by model and checkpoint files: writing it from a <see cref="Model"/>
/// and reading a <see cref="Model"/> back with every check (see <see cref="ModelFile"/> for the keys).
/// </summary>
internal static class ModelMetadata
{
    /// <summary>The sizes and activations recorded in <c>architecture</c>.</summary>
    internal sealed record Architecture(ImmutableArray<int> Sizes, ImmutableArray<Activation> Activations);

    /// <summary>The model metadata in file order, with <c>kind</c> = <paramref name="kind"/>.</summary>
    internal static List<KeyValuePair<string, string>> Write(Model model, string kind)
    {
        var n = model.Network;
        var info = model.Info;
        var list = new List<KeyValuePair<string, string>>
        {
            new("format", "nn"),
            // A model with one target is still written as version 2 (the same bytes as before); several targets need 3,
            // so that an older reader refuses the file rather than predicting the first target alone.
            new("format_version", (info.TargetNames.IsDefaultOrEmpty && info.Task != TaskKind.Multilabel ? 2 : ModelFile.FormatVersion).ToString(CultureInfo.InvariantCulture)),
            new("kind", kind),
            new("architecture", Text.Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("sizes");
                foreach (var s in n.Sizes) w.WriteNumberValue(s);
                w.WriteEndArray();
                Text.StringArray(w, "activations", n.Layers.Select(l => l.Activation.ToString()));
                w.WriteEndObject();
            })),
            new("task", TaskName(info.Task)),
            new("loss", info.Loss.Name),
            new("feature_names", Text.Json(w => WriteStrings(w, info.FeatureNames))),
            new("target_name", info.TargetName),
        };
        if (!info.TargetNames.IsDefaultOrEmpty) list.Add(new("target_names", Text.Json(w => WriteStrings(w, info.TargetNames))));
        if (info.LabelSeparator is { } separator) list.Add(new("label_separator", separator));
        list.AddRange(
        [
            new("labels", Text.Json(w => WriteStrings(w, info.Labels))),
            new("feature_scaling", Text.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("kind", info.Scaling.Kind);
                Text.NumberArray(w, "offset", info.Scaling.Offset.Values);
                Text.NumberArray(w, "scale", info.Scaling.Scale.Values);
                w.WriteEndObject();
            })),
        ]);
        if (!info.TargetScalings.IsDefaultOrEmpty)
            list.Add(new("target_scalings", Text.Json(w => Text.TargetScalings(w, info.TargetScalings))));
        if (info.TargetScaling is { } ts)
            list.Add(new("target_scaling", Text.Json(w => Text.TargetScaling(w, ts))));
        list.Add(new("training", Text.Json(w =>
        {
            w.WriteStartObject();
            foreach (var s in info.Training) w.WriteString(s.Name, s.Value);
            w.WriteEndObject();
        })));
        list.Add(new("data_sha256", info.DataSha256));
        list.Add(new("parameters_sha256", ModelFile.ParametersSha256(n)));
        return list;
    }

    /// <summary>Reads the model part of a file of the given kind, taking its <c>layers.*</c> tensors out of <paramref name="tensors"/>.</summary>
    internal static Model Read(MetadataReader meta, Dictionary<string, Tensor> tensors, string kind, IReadOnlyList<Activation>? custom = null, IReadOnlyList<Loss>? customLosses = null)
    {
        if (meta.Optional("format") != "nn")
            throw meta.Fail("is not an Nn model file: its safetensors metadata has no \"format\": \"nn\".");
        var versionText = meta.String("format_version");
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            throw meta.Fail($"format_version is \"{versionText}\"; expected a positive integer.");
        if (version > ModelFile.FormatVersion)
            throw meta.Fail($"written by a newer Nn: format version {version}, this build reads up to {ModelFile.FormatVersion}.");
        var actualKind = meta.String("kind");
        if (actualKind != kind)
            throw meta.Fail(actualKind == "checkpoint"
                ? "is an Nn checkpoint, not a model file; read it with CheckpointFile."
                : $"has kind \"{actualKind}\"; expected \"{kind}\".");

        var arch = meta.Json("architecture");
        var sizes = meta.Array(meta.Member(arch, "architecture", "sizes"), "architecture.sizes")
            .Select(e => meta.Int(e, "each entry of architecture.sizes")).ToImmutableArray();
        var activations = meta.Strings(meta.Member(arch, "architecture", "activations"), "architecture.activations")
            .Select(a => custom?.FirstOrDefault(c => c is Activation.Custom or Activation.CustomRows && c.Name == a) ?? meta.Wrap(
                $"architecture has an unknown activation '{a}' (a custom activation must be given to the reader: ModelFile.Load(path, [Activations.Custom(\"{a}\", f, df)]))",
                () => Activations.Parse(a))).ToImmutableArray();
        if (sizes.Length != activations.Length + 1 || activations.IsEmpty)
            throw meta.Fail($"architecture has {sizes.Length} sizes and {activations.Length} activations; expected one size more than activations, and at least one layer.");
        if (sizes.Any(s => s < 1)) throw meta.Fail($"architecture has sizes [{string.Join(", ", sizes)}]; every size must be at least 1.");
        var network = ModelFile.TakeNetwork(meta, tensors, "", new Architecture(sizes, activations));

        var taskText = meta.String("task");
        var task = ParseTask(taskText) ?? throw meta.Fail($"task is \"{taskText}\"; expected \"classification\", \"regression\" or \"multilabel\".");
        var lossText = meta.String("loss");
        var loss = customLosses?.FirstOrDefault(c => c is Loss.Custom or Loss.CustomRows && c.Name == lossText) ?? meta.Wrap(
            $"loss '{lossText}' is unknown (a custom loss must be given to the reader: ModelFile.Load(path, losses: [Losses.Custom(\"{lossText}\", value, gradient)]))",
            () => Losses.Parse(lossText));
        var featureNames = meta.Strings(meta.Json("feature_names"), "feature_names");
        var targetName = meta.String("target_name");
        var labels = meta.Strings(meta.Json("labels"), "labels");

        var fs = meta.Json("feature_scaling");
        var scaling = new FeatureScaling(
            meta.Str(meta.Member(fs, "feature_scaling", "kind"), "feature_scaling.kind"),
            Vector.Own([.. meta.Array(meta.Member(fs, "feature_scaling", "offset"), "feature_scaling.offset").Select(e => meta.Number(e, "each feature_scaling.offset"))]),
            Vector.Own([.. meta.Array(meta.Member(fs, "feature_scaling", "scale"), "feature_scaling.scale").Select(e => meta.Number(e, "each feature_scaling.scale"))]));
        TargetScaling? targetScaling = null;
        if (meta.Optional("target_scaling") is { } tsText)
        {
            var ts = meta.ParseJson("target_scaling", tsText);
            targetScaling = new TargetScaling(
                meta.Number(meta.Member(ts, "target_scaling", "offset"), "target_scaling.offset"),
                meta.Number(meta.Member(ts, "target_scaling", "scale"), "target_scaling.scale"));
        }
        ImmutableArray<string> targetNames = meta.Optional("target_names") is { } namesText ? meta.Strings(meta.ParseJson("target_names", namesText), "target_names") : [];
        ImmutableArray<TargetScaling> targetScalings = [];
        if (meta.Optional("target_scalings") is { } scalingsText)
            targetScalings = [.. meta.Array(meta.ParseJson("target_scalings", scalingsText), "target_scalings").Select(e => new TargetScaling(
                meta.Number(meta.Member(e, "target_scalings", "offset"), "target_scalings.offset"),
                meta.Number(meta.Member(e, "target_scalings", "scale"), "target_scalings.scale")))];
        var training = meta.Json("training");
        if (training.ValueKind != JsonValueKind.Object) throw meta.Fail("metadata 'training' must be a JSON object of strings.");
        var settings = training.EnumerateObject().Select(p => new Setting(p.Name, meta.Str(p.Value, $"training setting '{p.Name}'"))).ToImmutableArray();
        var info = new ModelInfo(task, featureNames, targetName, labels, loss, scaling, targetScaling, settings, meta.String("data_sha256"))
        {
            TargetNames = targetNames,
            TargetScalings = targetScalings,
            LabelSeparator = meta.Optional("label_separator"),
        };
        var model = new Model(network, info);
        if (ModelFile.Problem(model) is { } problem) throw meta.Fail(problem);

        var recorded = meta.String("parameters_sha256");
        var actual = ModelFile.ParametersSha256(network);
        if (recorded != actual)
            throw meta.Fail($"parameters_sha256 is {recorded} but the parameters hash to {actual}; the file is corrupt or was edited.");
        return model;
    }

    private static void WriteStrings(Utf8JsonWriter w, IEnumerable<string> values)
    {
        w.WriteStartArray();
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static string TaskName(TaskKind task) => TaskKinds.Name(task);

    private static TaskKind? ParseTask(string text) => TaskKinds.TryParse(text);
}

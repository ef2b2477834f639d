using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>
/// Model files: a <see cref="Model"/> as a safetensors file (see <see cref="SafeTensors"/>) that PyTorch-style tools can open.
/// </summary>
/// <remarks>
/// <para>Tensors, all F64: <c>layers.{i}.weight</c> of shape [outputs, inputs] and <c>layers.{i}.bias</c> of shape [outputs],
/// layer by layer. The weight tensor follows PyTorch's <c>nn.Linear</c> convention: it is the <b>transpose</b> of
/// <see cref="Dense.Weights"/> (inputs × outputs), so element [j, i] connects input i to unit j.</para>
/// <para><c>__metadata__</c> (all values strings; compound values compact JSON), in this order: <c>format</c> = "nn",
/// <c>format_version</c> = "1", <c>kind</c> = "model", <c>architecture</c> (<c>{"sizes":[…],"activations":[…]}</c>, names as
/// <see cref="Activation.ToString"/>), <c>task</c> ("classification" | "regression"), <c>loss</c> (<see cref="Loss.Name"/>),
/// <c>feature_names</c>, <c>target_name</c>, <c>labels</c>, <c>feature_scaling</c> (<c>{"kind","offset","scale"}</c>),
/// <c>target_scaling</c> (<c>{"offset","scale"}</c>, only when set), <c>training</c> (an object of the settings in order),
/// <c>data_sha256</c>, <c>parameters_sha256</c> (see <see cref="ParametersSha256"/>), and last <c>metadata_sha256</c>, the
/// SHA-256 of every other entry (from format version 2; see docs/model-files.md), so an edited label, scaler or setting
/// is refused when the file is read.</para>
/// <para>The bytes are a pure function of the model: no time, host or thread count is recorded, and doubles are written
/// in their shortest round-trip form, so every value reads back bit-identical.</para>
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this build writes, and the newest it reads.</summary>
    /// <remarks>Version 2 added <c>metadata_sha256</c>; version 3 added several targets (<c>target_names</c>,
    /// <c>target_scalings</c>), and only a model with several targets is written as version 3 (one with one target is
    /// written as version 2, byte for byte as before). Version 1 and 2 files still load.</remarks>
    public const int FormatVersion = 3;

    /// <summary>The bytes of the model file for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">When the model is inconsistent (see <see cref="FromBytes"/> for the rules) or
    /// holds a NaN or infinite parameter or scaling value.</exception>
    public static byte[] ToBytes(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckWritable(model);
        return SafeTensors.Write([.. NetworkTensors("", model.Network)], MetadataSeal.Seal(ModelMetadata.Write(model, "model")));
    }

    /// <summary>Reads a model file from its bytes; <paramref name="sourceName"/> names it in error messages.</summary>
    /// <exception cref="ModelFileException">When the bytes are not a valid safetensors file (see <see cref="SafeTensors.Read"/>),
    /// not an Nn model (no <c>format</c> = "nn", or a checkpoint), written by a newer format version, or inconsistent: an unknown
    /// activation or loss; missing, extra or misshapen tensors; a NaN or infinite weight; feature_names not one per input;
    /// labels not one per output for classification (a one-output sigmoid may have two) or not empty for regression;
    /// a bad scaling; or a parameters_sha256 that does not match the parameters.</exception>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="sourceName">Names the file in error messages.</param>
    /// <param name="activations">The custom activations the model may use (<see cref="Activations.Custom"/>), found by their
    /// names: a model file holds a custom component's name, not its function.</param>
    /// <param name="losses">The custom loss the model may use (<see cref="Losses.Custom"/>), found by its name.</param>
    public static Model FromBytes(byte[] bytes, string sourceName, IReadOnlyList<Activation>? activations = null, IReadOnlyList<Loss>? losses = null)
    {
        var file = SafeTensors.Read(bytes, sourceName);
        var meta = new MetadataReader(sourceName, file.Metadata);
        var tensors = Tensors(file);
        var model = ModelMetadata.Read(meta, tensors, "model", activations, losses);
        if (tensors.Count > 0) throw meta.Fail($"has unexpected tensors: {string.Join(", ", tensors.Keys.Order(StringComparer.Ordinal))}.");
        meta.VerifySeal();
        return model;
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: the bytes go to a new temporary file in the same
    /// folder, are flushed to disk, and the temporary file then replaces <paramref name="path"/>. On failure the temporary
    /// file is deleted and any previous file at <paramref name="path"/> is left as it was.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="ToBytes"/> (nothing is written).</exception>
    /// <exception cref="IOException">When the folder cannot be written.</exception>
    public static void Save(string path, Model model) => AtomicFile.Write(path, ToBytes(model));

    /// <summary>Reads the model file at <paramref name="path"/> (see <see cref="ReadBytes"/> for what is refused before reading).</summary>
    /// <exception cref="ModelFileException">As <see cref="ReadBytes"/> and <see cref="FromBytes"/>, naming <paramref name="path"/>.</exception>
    /// <exception cref="IOException">When the file cannot be read.</exception>
    /// <param name="path">The model file.</param>
    /// <param name="activations">The custom activations the model may use, found by their names (see <see cref="FromBytes"/>).</param>
    /// <param name="losses">The custom loss the model may use, found by its name.</param>
    public static Model Load(string path, IReadOnlyList<Activation>? activations = null, IReadOnlyList<Loss>? losses = null) =>
        FromBytes(ReadBytes(path), path, activations, losses);

    /// <summary>
    /// The bytes of the model or checkpoint file at <paramref name="path"/>, refusing before reading them a file that is
    /// missing, empty or not a regular file (a device such as <c>/dev/zero</c>, a pipe: their length is 0, and they are
    /// never opened), longer than <see cref="ReadLimits.MaxModelFileBytes"/>, or whose safetensors header length runs past
    /// the file's end or over <see cref="SafeTensors.MaxHeaderBytes"/>. At most the length the file had when it was
    /// opened is read.
    /// </summary>
    /// <exception cref="ModelFileException">For the refusals above, naming <paramref name="path"/>.</exception>
    /// <exception cref="IOException">When the file cannot be read.</exception>
    public static byte[] ReadBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (Directory.Exists(path)) throw new ModelFileException(path, "is a folder; expected a model file.");
        if (!info.Exists) throw new ModelFileException(path, "file not found.");
        var length = info.Length;
        if (length == 0)
            throw new ModelFileException(path, "the file is empty (or is not a regular file: a device or a pipe is not read); expected a safetensors file.");
        if (length > ReadLimits.MaxModelFileBytes)
            throw new ModelFileException(path, $"the file is {length} bytes; a model or checkpoint file of at most {ReadLimits.MaxModelFileBytes} bytes is read.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var bytes = new byte[length];
        var head = stream.ReadAtLeast(bytes.AsSpan(0, (int)Math.Min(8, length)), (int)Math.Min(8, length), throwOnEndOfStream: false);
        if (head == 8)
        {
            var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (n > (ulong)SafeTensors.MaxHeaderBytes)
                throw new ModelFileException(path, $"the header length {n} exceeds the {SafeTensors.MaxHeaderBytes}-byte limit; this is not a safetensors file or it is corrupt.");
            if (n > (ulong)(length - 8))
                throw new ModelFileException(path, $"the header length {n} runs past the end of the {length}-byte file.");
        }
        var got = head + stream.ReadAtLeast(bytes.AsSpan(head), bytes.Length - head, throwOnEndOfStream: false);
        return got == bytes.Length ? bytes : bytes[..got];
    }

    /// <summary>
    /// The lowercase hex SHA-256 over the parameter tensors' bytes in file order: for each layer, <c>layers.{i}.weight</c>
    /// (outputs × inputs, row-major, little-endian F64) then <c>layers.{i}.bias</c>.
    /// </summary>
    public static string ParametersSha256(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return TensorsSha256(NetworkTensors("", network));
    }

    /// <summary>The lowercase hex SHA-256 over the tensors' values as little-endian F64 bytes, in the given order.</summary>
    internal static string TensorsSha256(IEnumerable<Tensor> tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[8];
        foreach (var t in tensors)
            foreach (var x in t.Data)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(buffer, x);
                sha.AppendData(buffer);
            }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    // ---- shared with CheckpointFile ----

    /// <summary><c>{prefix}layers.{i}.weight</c> ([outputs, inputs], the transpose of Dense.Weights) and <c>…bias</c> ([outputs]).</summary>
    internal static IEnumerable<Tensor> NetworkTensors(string prefix, Network network)
    {
        for (var i = 0; i < network.Layers.Length; i++)
        {
            var l = network.Layers[i];
            var w = l.Weights.Transpose().ToRowMajorArray();
            yield return new Tensor($"{prefix}layers.{i}.weight", [l.Outputs, l.Inputs], ImmutableCollectionsMarshal.AsImmutableArray(w));
            yield return new Tensor($"{prefix}layers.{i}.bias", [l.Outputs], l.Bias.ToImmutableArray());
        }
    }

    /// <summary>
    /// Takes <c>{prefix}layers.{i}.weight/bias</c> out of <paramref name="tensors"/> and builds a network with the sizes and
    /// activations of <paramref name="architecture"/>; throws naming a missing, misshapen or non-finite tensor.
    /// </summary>
    internal static Network TakeNetwork(MetadataReader meta, Dictionary<string, Tensor> tensors, string prefix, ModelMetadata.Architecture architecture)
    {
        var layers = new Dense[architecture.Activations.Length];
        for (var i = 0; i < layers.Length; i++)
        {
            int inputs = architecture.Sizes[i], outputs = architecture.Sizes[i + 1];
            var w = Take(meta, tensors, $"{prefix}layers.{i}.weight", [outputs, inputs]);
            var b = Take(meta, tensors, $"{prefix}layers.{i}.bias", [outputs]);
            var weights = Matrix.Own(outputs, inputs, [.. w.Data]).Transpose();
            layers[i] = new Dense(weights, Vector.Own([.. b.Data]), architecture.Activations[i]);
        }
        return meta.Wrap("the architecture is invalid", () => new Network(layers));
    }

    /// <summary>The file's tensors by name.</summary>
    internal static Dictionary<string, Tensor> Tensors(SafeTensorsFile file) =>
        file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Throws <see cref="ArgumentException"/> when the model cannot be written (see <see cref="Problem"/>).</summary>
    internal static void CheckWritable(Model model)
    {
        ArgumentNullException.ThrowIfNull(model.Network);
        ArgumentNullException.ThrowIfNull(model.Info);
        if (Problem(model) is { } problem) throw new ArgumentException($"Cannot write the model: {problem}", nameof(model));
    }

    /// <summary>What makes a model inconsistent or unwritable, or null when it is fine. The same rules guard writing and reading.</summary>
    internal static string? Problem(Model model)
    {
        var n = model.Network;
        var info = model.Info;
        if (info.FeatureNames.IsDefault || info.Labels.IsDefault || info.Training.IsDefault)
            return "FeatureNames, Labels and Training must not be default ImmutableArrays.";
        if (!Enum.IsDefined(info.Task)) return $"task {info.Task} is not a TaskKind.";
        if (info.Loss is null) return "Loss must not be null.";
        for (var i = 0; i < n.Layers.Length; i++)
        {
            if (!n.Layers[i].Weights.ToRowMajorArray().All(double.IsFinite)) return $"layers.{i}.weight holds a NaN or infinite value.";
            if (!n.Layers[i].Bias.Values.All(double.IsFinite)) return $"layers.{i}.bias holds a NaN or infinite value.";
        }
        var texts = info.FeatureNames.Concat(info.Labels).Append(info.TargetName).Append(info.DataSha256).Append(info.Scaling?.Kind)
            .Concat(info.Training.SelectMany(s => new[] { s?.Name, s?.Value }));
        if (texts.Any(t => t is null || !Text.IsValidUnicode(t))) return "every name, label and setting must be non-null, valid Unicode text.";
        if (info.FeatureNames.Length != n.InputSize)
            return $"feature_names has {info.FeatureNames.Length} names but the network has {n.InputSize} inputs.";
        if (info.Task == TaskKind.Classification)
        {
            var binary = n.OutputSize == 1 && info.Labels.Length == 2 && n.OutputActivation is Activation.Sigmoid;
            if (info.Labels.Length != n.OutputSize && !binary)
                return $"labels has {info.Labels.Length} names but the classifier has {n.OutputSize} outputs (a one-output sigmoid classifier may have 2).";
            if (info.TargetScaling is not null) return "a classification model cannot have target_scaling.";
        }
        else if (info.Task == TaskKind.Multilabel)
        {
            if (info.Labels.Length < 2 || info.Labels.Length != n.OutputSize)
                return $"labels has {info.Labels.Length} names but the multilabel model has {n.OutputSize} outputs; expected one label per output, at least 2.";
            if (n.OutputActivation is not Activation.Sigmoid) return "a multilabel model has sigmoid outputs.";
            if (info.TargetScaling is not null) return "a multilabel model cannot have target_scaling.";
            if (info.TargetNames.IsDefaultOrEmpty == (info.LabelSeparator is null))
                return "a multilabel model records either label_separator (one column of delimited labels) or target_names (one 0/1 column per label).";
            if (info.LabelSeparator is { Length: 0 }) return "label_separator must not be empty.";
        }
        else if (info.Labels.Length != 0)
            return $"labels must be empty for a regression model, found {info.Labels.Length}.";
        try { Losses.CheckPairing(info.Loss, n.OutputActivation); }
        catch (ArgumentException e) { return e.Message; }
        var s = info.Scaling!;
        if (s.Kind is not (FeatureScaling.StandardKind or FeatureScaling.MinMaxKind or FeatureScaling.NoneKind))
            return $"feature_scaling.kind is \"{s.Kind}\"; expected standard, minmax or none.";
        if (s.Offset is null || s.Scale is null || s.Offset.Length != n.InputSize || s.Scale.Length != n.InputSize)
            return $"feature_scaling needs {n.InputSize} offsets and {n.InputSize} scales, one per input.";
        if (!s.Offset.Values.All(double.IsFinite) || !s.Scale.Values.All(x => double.IsFinite(x) && x != 0))
            return "feature_scaling offsets must be finite and scales finite and non-zero.";
        if (s.Kind == FeatureScaling.NoneKind && (s.Offset.Values.Any(x => x != 0) || s.Scale.Values.Any(x => x != 1)))
            return "feature_scaling of kind none must have offsets 0 and scales 1.";
        if (info.TargetScaling is { } t && !(double.IsFinite(t.Offset) && double.IsFinite(t.Scale) && t.Scale != 0))
            return "target_scaling offset must be finite and its scale finite and non-zero.";
        if (TargetsProblem(n, info) is { } targets) return targets;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var setting in info.Training)
            if (!names.Add(setting.Name)) return $"the training setting '{setting.Name}' appears twice.";
        if (info.DataSha256.Length != 0 && (info.DataSha256.Length != 64 || !info.DataSha256.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))))
            return $"data_sha256 is \"{info.DataSha256}\"; expected 64 lowercase hex digits, or empty when unknown.";
        return null;
    }

    /// <summary>The rules for several targets: names unique, not features, one per output; the first is target_name; one scaling each.</summary>
    private static string? TargetsProblem(Network n, ModelInfo info)
    {
        if (info.TargetNames.IsDefault || info.TargetScalings.IsDefault) return "TargetNames and TargetScalings must not be default ImmutableArrays.";
        if (info.LabelSeparator is not null && info.Task != TaskKind.Multilabel) return "label_separator goes with a multilabel model.";
        if (info.TargetNames.IsEmpty)
            return info.TargetScalings.IsEmpty ? null : "target_scalings goes with target_names (a model with several targets).";
        var t = info.TargetNames;
        if (t.Length < 2) return $"target_names has {t.Length} name; a model with one target records it in target_name alone.";
        if (t.Any(name => name is null || !Text.IsValidUnicode(name))) return "every target name must be non-null, valid Unicode text.";
        if (t[0] != info.TargetName) return $"target_name is '{info.TargetName}' but target_names starts with '{t[0]}'.";
        if (t.Distinct(StringComparer.Ordinal).Count() != t.Length) return $"target_names names a column twice: {string.Join(", ", t)}.";
        if (t.FirstOrDefault(info.FeatureNames.Contains) is { } both) return $"the target '{both}' is also a feature.";
        if (t.Length != n.OutputSize) return $"target_names has {t.Length} names but the network has {n.OutputSize} outputs.";
        if (info.Task == TaskKind.Multilabel)
            return !t.SequenceEqual(info.Labels) ? "a multilabel model's target_names are its labels, in order."
                : info.TargetScalings.IsEmpty ? null : "a multilabel model cannot have target_scalings.";
        if (info.Task != TaskKind.Regression) return "several targets (target_names) go with a regression or multilabel model.";
        if (info.TargetScaling is not null) return "a model with several targets records target_scalings, not target_scaling.";
        if (info.TargetScalings.Length != t.Length) return $"target_scalings has {info.TargetScalings.Length} entries; expected one per target ({t.Length}).";
        if (info.TargetScalings.Any(s => s is null || !(double.IsFinite(s.Offset) && double.IsFinite(s.Scale) && s.Scale != 0)))
            return "every target_scalings offset must be finite and its scale finite and non-zero.";
        return null;
    }

    private static Tensor Take(MetadataReader meta, Dictionary<string, Tensor> tensors, string name, long[] shape)
    {
        if (!tensors.Remove(name, out var t)) throw meta.Fail($"is missing the tensor {name}.");
        if (!t.Shape.SequenceEqual(shape))
            throw meta.Fail($"{name} has shape [{string.Join(", ", t.Shape)}] but the architecture needs [{string.Join(", ", shape)}].");
        for (var k = 0; k < t.Data.Length; k++)
            if (!double.IsFinite(t.Data[k])) throw meta.Fail($"{name} holds {t.Data[k]} at flat index {k}; every value must be finite.");
        return t;
    }
}

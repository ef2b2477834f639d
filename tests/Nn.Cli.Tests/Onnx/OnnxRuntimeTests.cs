using System.Collections.Immutable;
using System.Globalization;
using Nn;
using Nn.Shell;
using Xunit.Abstractions;

namespace Nn.Cli.Tests;

/// <summary>
/// Exported ONNX files run in ONNX Runtime for .NET (in process, see <see cref="OnnxRunner"/>) and give what <c>nn predict</c> and
/// <see cref="Predictor.Predict"/> give: within 1e-9 absolute in double, within 1e-4·max(1, |x|) in float32.
/// </summary>
public class OnnxRuntimeTests(ITestOutputHelper output)
{
    private const double DoubleTolerance = 1e-9;
    private const double Float32Tolerance = 1e-4;

    [Fact]
    public void The_pinned_onnx_runtime_for_dotnet_is_the_one_loaded()
    {
        var props = File.ReadAllText(Path.Combine(RepositoryRoot(), "Directory.Packages.props"));
        var pinned = System.Text.RegularExpressions.Regex.Match(props, "Include=\"Microsoft.ML.OnnxRuntime\" Version=\"([0-9.]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(pinned), "Microsoft.ML.OnnxRuntime is pinned in Directory.Packages.props");
        Assert.Equal(pinned, OnnxRunner.Version);
        output.WriteLine($"Microsoft.ML.OnnxRuntime {OnnxRunner.Version}");
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NnFunctional.sln"))) return d.FullName;
        throw new InvalidOperationException("NnFunctional.sln not found above the test binaries.");
    }

    [Fact]
    public void A_trained_softmax_classifier_exported_by_the_cli_matches_nn_predict_in_double_and_float32()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 120, 3);
        var model = dir.File("blobs.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--layers", "8,6", "--activation", "leaky-relu(0.2)", "--epochs", "20", "--seed", "2", "--out", model, "--quiet").Code);
        var onnx = dir.File("blobs.onnx");
        var onnx32 = dir.File("blobs32.onnx");
        var e = NnCli.Run("export", "--model", model, "--onnx", onnx);
        Assert.True(e.Code == 0, e.Err);
        Assert.Contains("blobs.onnx", e.Err, StringComparison.Ordinal);
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx32, "--float32").Code);
        var predictions = dir.File("pred.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", data, "--out", predictions, "--proba").Code);

        var loaded = ModelFile.Load(model);
        var x = DataSource.ForModel(data, null, loaded.Info.FeatureNames, loaded.Info.TargetName, requireTarget: false).Features;
        var expected = ReadProbabilities(predictions, loaded.Info.Labels.Length);
        var logits = Forward.Run(loaded.Network, Predictor.ScaleFeatures(loaded.Info.Scaling, x)).Logits;

        var ort = OnnxRunner.Run(onnx, x, float32: false);
        Assert.Equal("float64", ort["output"].Type);
        Assert.Equal([x.Rows, 3L], ort["output"].Dims);
        Report("softmax classifier (cli), double", Compare(expected, ort["output"], DoubleTolerance, relative: false), Compare(logits, ort["logits"], DoubleTolerance, relative: false));

        var ort32 = OnnxRunner.Run(onnx32, x, float32: true);
        Assert.Equal("float32", ort32["output"].Type);
        Report("softmax classifier (cli), float32", Compare(expected, ort32["output"], Float32Tolerance, relative: true), Compare(logits, ort32["logits"], Float32Tolerance, relative: true));
    }

    [Fact]
    public void A_trained_binary_sigmoid_classifier_gives_two_probability_columns_like_nn_predict()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 150, 4, textLabels: true);
        var model = dir.File("moons.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--layers", "8", "--activation", "tanh", "--epochs", "15", "--seed", "1", "--out", model, "--quiet").Code);
        var loaded = ModelFile.Load(model);
        Assert.IsType<Activation.Sigmoid>(loaded.Network.OutputActivation);
        Assert.Equal(1, loaded.Network.OutputSize);
        var onnx = dir.File("moons.onnx");
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx).Code);
        var predictions = dir.File("pred.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", data, "--out", predictions, "--proba").Code);

        var x = DataSource.ForModel(data, null, loaded.Info.FeatureNames, loaded.Info.TargetName, requireTarget: false).Features;
        var ort = OnnxRunner.Run(onnx, x, float32: false);
        Assert.Equal([x.Rows, 2L], ort["output"].Dims);
        Assert.Equal([x.Rows, 1L], ort["logits"].Dims);
        var logits = Forward.Run(loaded.Network, Predictor.ScaleFeatures(loaded.Info.Scaling, x)).Logits;
        Report("binary sigmoid classifier (cli), double", Compare(ReadProbabilities(predictions, 2), ort["output"], DoubleTolerance, relative: false),
            Compare(logits, ort["logits"], DoubleTolerance, relative: false));
    }

    [Fact]
    public void A_trained_regression_model_predicts_in_the_targets_original_units_like_nn_predict()
    {
        using var dir = new TempDir();
        var data = dir.Linear("linear.csv", 150, 5);
        var model = dir.File("linear.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--layers", "8", "--epochs", "20", "--seed", "1", "--out", model, "--quiet").Code);
        var loaded = ModelFile.Load(model);
        Assert.NotNull(loaded.Info.TargetScaling);
        var onnx = dir.File("linear.onnx");
        var onnx32 = dir.File("linear32.onnx");
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx).Code);
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx32, "--float32").Code);
        var predictions = dir.File("pred.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", data, "--out", predictions).Code);
        var values = File.ReadAllLines(predictions).Skip(1).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var expected = Matrix.Create(values.Length, 1, values);
        var targets = File.ReadAllLines(data).Skip(1).Select(l => double.Parse(l.Split(',')[3], CultureInfo.InvariantCulture)).ToArray();
        var spread = targets.Max() - targets.Min();
        Assert.True(Math.Abs(values.Average() - targets.Average()) < 0.1 * spread, $"the predictions are in the target's units: mean {values.Average()} vs {targets.Average()}");

        var x = DataSource.ForModel(data, null, loaded.Info.FeatureNames, loaded.Info.TargetName, requireTarget: false).Features;
        var logits = Forward.Run(loaded.Network, Predictor.ScaleFeatures(loaded.Info.Scaling, x)).Logits;
        var ort = OnnxRunner.Run(onnx, x, float32: false);
        Report("regression (cli), double", Compare(expected, ort["output"], DoubleTolerance, relative: false), Compare(logits, ort["logits"], DoubleTolerance, relative: false));
        var ort32 = OnnxRunner.Run(onnx32, x, float32: true);
        Report("regression (cli), float32", Compare(expected, ort32["output"], Float32Tolerance, relative: true), Compare(logits, ort32["logits"], Float32Tolerance, relative: true));
    }

    [Fact]
    public void A_trained_multi_output_regression_gives_one_column_per_target_like_nn_predict()
    {
        using var dir = new TempDir();
        var data = dir.Write("two.csv", string.Concat(["x1,x2,a,b\n", .. Enumerable.Range(0, 120).Select(i =>
            FormattableString.Invariant($"{i % 7 - 3},{i % 11 * 0.1},{i % 7 * 2.5},{1000 + i % 11 * 30 - i % 7}\n"))]));
        var model = dir.File("two.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--target", "a,b", "--layers", "8", "--epochs", "20", "--seed", "1", "--out", model, "--quiet").Code);
        var loaded = ModelFile.Load(model);
        var onnx = dir.File("two.onnx");
        var onnx32 = dir.File("two32.onnx");
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx).Code);
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx32, "--float32").Code);
        var predictions = dir.File("pred.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", data, "--out", predictions).Code);
        Assert.Equal("a,b", File.ReadLines(predictions).First());
        var rows = File.ReadAllLines(predictions).Skip(1).Select(l => l.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var expected = Matrix.Create(rows.Length, 2, rows.SelectMany(r => r));

        var x = DataSource.ForModel(data, null, loaded.Info.FeatureNames, loaded.Info.TargetName, requireTarget: false).Features;
        var logits = Forward.Run(loaded.Network, Predictor.ScaleFeatures(loaded.Info.Scaling, x)).Logits;
        var ort = OnnxRunner.Run(onnx, x, float32: false);
        Assert.Equal([x.Rows, 2L], ort["output"].Dims);
        Report("multi-output regression (cli), double", Compare(expected, ort["output"], DoubleTolerance, relative: false), Compare(logits, ort["logits"], DoubleTolerance, relative: false));
        var ort32 = OnnxRunner.Run(onnx32, x, float32: true);
        Report("multi-output regression (cli), float32", Compare(expected, ort32["output"], Float32Tolerance, relative: true), Compare(logits, ort32["logits"], Float32Tolerance, relative: true));
    }

    [Fact]
    public void A_trained_multilabel_model_gives_each_labels_probability_like_nn_predict_proba()
    {
        using var dir = new TempDir();
        var data = dir.Write("tags.csv", string.Concat(["x1,x2,tags\n", .. Enumerable.Range(0, 90).Select(i =>
            FormattableString.Invariant($"{i % 7 - 3},{i % 5 * 0.5},\"{string.Join(";", new[] { i % 7 > 3 ? "a" : "", i % 5 > 1 ? "b" : "", i % 3 == 0 ? "c" : "" }.Where(t => t.Length > 0))}\"\n"))]));
        var model = dir.File("tags.safetensors");
        var t = NnCli.Run("train", "--data", data, "--task", "multilabel", "--layers", "6", "--epochs", "10", "--seed", "1", "--out", model, "--quiet");
        Assert.True(t.Code == 0, t.Err);
        var loaded = ModelFile.Load(model);
        var onnx = dir.File("tags.onnx");
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx).Code);
        var predictions = dir.File("pred.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", data, "--out", predictions, "--proba").Code);
        Assert.Equal("a,b,c,p_a,p_b,p_c", File.ReadLines(predictions).First());
        var rows = File.ReadAllLines(predictions).Skip(1).Select(l => l.Split(',')[3..].Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var expected = Matrix.Create(rows.Length, 3, rows.SelectMany(r => r));

        var x = DataSource.ForModel(data, null, loaded.Info.FeatureNames, loaded.Info.TargetName, requireTarget: false).Features;
        var logits = Forward.Run(loaded.Network, Predictor.ScaleFeatures(loaded.Info.Scaling, x)).Logits;
        var ort = OnnxRunner.Run(onnx, x, float32: false);
        Assert.Equal([x.Rows, 3L], ort["output"].Dims);
        Report("multilabel (cli), double", Compare(expected, ort["output"], DoubleTolerance, relative: false), Compare(logits, ort["logits"], DoubleTolerance, relative: false));
    }

    public static TheoryData<string> Cases => [.. ModelCases.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_activation_head_and_scaling_matches_the_predictor(string name)
    {
        var model = ModelCases[name]();
        var x = Matrix.Create(7, model.Network.InputSize,
            Prng.Uniform(Key.FromSeed(name.Length), 7 * model.Network.InputSize, -3, 3).Values.Select((v, i) => v * (1 + i % 3)));
        var prediction = Predictor.Predict(model, x);
        var expected = prediction switch
        {
            Prediction.Regression { Columns: { } columns } => columns,
            Prediction.Multilabel m => m.Probabilities,
            Prediction.Regression r => Matrix.Create(x.Rows, 1, r.Values),
            Prediction.Classification c => c.Probabilities,
            _ => throw new InvalidOperationException("Unknown prediction case."),
        };
        var logits = Forward.Run(model.Network, Predictor.ScaleFeatures(model.Info.Scaling, x)).Logits;

        using var dir = new TempDir();
        var path = dir.File("m.onnx");
        OnnxExport.Save(path, model, OnnxPrecision.Double);
        var ort = OnnxRunner.Run(path, x, float32: false);
        Assert.Equal(["output", "logits"], ort.Keys.Order(StringComparer.Ordinal).Reverse());
        Report($"{name}, double", Compare(expected, ort["output"], DoubleTolerance, relative: false), Compare(logits, ort["logits"], DoubleTolerance, relative: false));

        var path32 = dir.File("m32.onnx");
        OnnxExport.Save(path32, model, OnnxPrecision.Float32);
        var ort32 = OnnxRunner.Run(path32, x, float32: true);
        Report($"{name}, float32", Compare(expected, ort32["output"], Float32Tolerance, relative: true), Compare(logits, ort32["logits"], Float32Tolerance, relative: true));
    }

    /// <summary>Small random models covering every activation, every output head and every kind of feature scaling.</summary>
    internal static readonly IReadOnlyDictionary<string, Func<Model>> ModelCases = new Dictionary<string, Func<Model>>(StringComparer.Ordinal)
    {
        ["softmax-relu-standard"] = () => Classifier([3, 5, 4], [Activations.Relu, Activations.Softmax], Losses.CategoricalCrossEntropy, ["a", "b", "c", "d"], Standard(3)),
        ["sigmoid-binary-tanh-minmax"] = () => Classifier([2, 4, 1], [Activations.Tanh, Activations.Sigmoid], Losses.BinaryCrossEntropy, ["no", "yes"], MinMax(2)),
        ["sigmoid-multi-sigmoid-none"] = () => Classifier([4, 3, 3], [Activations.Sigmoid, Activations.Sigmoid], Losses.BinaryCrossEntropy, ["x", "y", "z"], FeatureScaling.None(4)),
        ["softmax-leaky-linear-deep"] = () => Classifier([2, 6, 5, 3], [Activations.LeakyRelu(0.1), Activations.Linear, Activations.Softmax], Losses.CategoricalCrossEntropy, ["p", "q", "r"], Standard(2)),
        ["regression-tanh-output-scaled"] = () => Regressor([3, 4, 1], [Activations.LeakyRelu(0.01), Activations.Tanh], new TargetScaling(-12.5, 40.25), Standard(3)),
        ["regression-linear-unscaled"] = () => Regressor([2, 3, 1], [Activations.Relu, Activations.Linear], null, FeatureScaling.None(2)),
        ["multilabel-four-labels"] = () => Classifier([3, 4, 4], [Activations.Relu, Activations.Sigmoid], Losses.BinaryCrossEntropy, ["a", "b", "c", "d"], Standard(3)) is var ml
            ? ml with { Info = ml.Info with { Task = TaskKind.Multilabel, LabelSeparator = ";" } }
            : throw new InvalidOperationException(),
        ["regression-three-targets"] = () => Regressor([3, 5, 3], [Activations.Tanh, Activations.Linear], null, Standard(3)) is var m
            ? m with { Info = m.Info with { TargetName = "u", TargetNames = ["u", "v", "w"], TargetScalings = [new(-3, 2), new(400, 75.5), new(0.01, 0.002)] } }
            : throw new InvalidOperationException(),
    };

    private static Network RandomNetwork(int[] sizes, Activation[] activations, long seed)
    {
        var n = Init.Network(Key.FromSeed(seed), sizes, activations, InitSchemes.XavierNormal);
        return new Network(n.Layers.Select((l, i) => l.WithParameters(l.Weights, Prng.Normal(Prng.Fold(Key.FromSeed(seed + 100), i), l.Outputs, 0, 0.5))));
    }

    private static Model Classifier(int[] sizes, Activation[] activations, Loss loss, string[] labels, FeatureScaling scaling) =>
        new(RandomNetwork(sizes, activations, sizes.Sum()), new ModelInfo(TaskKind.Classification, Names(sizes[0]), "class", [.. labels], loss, scaling, null, [], ""));

    private static Model Regressor(int[] sizes, Activation[] activations, TargetScaling? target, FeatureScaling scaling) =>
        new(RandomNetwork(sizes, activations, sizes.Sum()), new ModelInfo(TaskKind.Regression, Names(sizes[0]), "y", [], Losses.MeanSquaredError, scaling, target, [], ""));

    private static ImmutableArray<string> Names(int n) => [.. Enumerable.Range(0, n).Select(i => $"f{i}")];

    private static FeatureScaling Standard(int n) =>
        new(FeatureScaling.StandardKind, Prng.Uniform(Key.FromSeed(n), n, -2, 2), Prng.Uniform(Key.FromSeed(n + 1), n, 0.3, 3));

    private static FeatureScaling MinMax(int n) =>
        new(FeatureScaling.MinMaxKind, Prng.Uniform(Key.FromSeed(n + 2), n, -5, 0), Prng.Uniform(Key.FromSeed(n + 3), n, 1, 10));

    private static Matrix ReadProbabilities(string csv, int classes)
    {
        var rows = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')[1..].Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.All(rows, r => Assert.Equal(classes, r.Length));
        return Matrix.Create(rows.Length, classes, rows.SelectMany(r => r));
    }

    /// <summary>Checks shapes and every value; returns the max absolute difference.</summary>
    private static double Compare(Matrix expected, OrtTensor actual, double tolerance, bool relative)
    {
        Assert.Equal([expected.Rows, (long)expected.Cols], actual.Dims);
        var max = 0.0;
        for (var r = 0; r < expected.Rows; r++)
            for (var c = 0; c < expected.Cols; c++)
            {
                var d = Math.Abs(expected[r, c] - actual[r, c]);
                max = Math.Max(max, d);
                var bound = relative ? tolerance * Math.Max(1, Math.Abs(expected[r, c])) : tolerance;
                Assert.True(d <= bound, $"[{r}, {c}]: expected {expected[r, c]:R}, ONNX Runtime gave {actual[r, c]:R} (difference {d:E3} > {bound:E1})");
            }
        return max;
    }

    private void Report(string what, double outputDifference, double logitsDifference) =>
        output.WriteLine(FormattableString.Invariant($"{what}: max |Δ| output {outputDifference:E3}, logits {logitsDifference:E3}"));
}

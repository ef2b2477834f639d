using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Nn.MLNet.Tests.Support;
using Nn.Tests.Shared;

namespace Nn.MLNet.Tests;

/// <summary>
/// The transformer is saved as an Nn model file: loading it gives the same outputs, and <c>nn predict</c> on that file
/// gives the same probabilities (to the bit, once rounded to float). mlContext.Model.Save refuses it with a pointer to Save.
/// </summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nn-mlnet-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_saved_multiclass_transformer_loads_and_scores_identically_and_nn_predict_agrees()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("wine");
        var key = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Example.Class)).Fit(data.View(ml, data.Train));
        var nn = ml.MulticlassClassification.Trainers.NnMlp(NnMlpOptions.Of(Comparison.NnSettings(60))).Fit(key.Transform(data.View(ml, data.Train)));
        var path = Path.Combine(_folder, "wine.safetensors");
        nn.Save(path);

        var loaded = NnMlpTransformer.Load(path);
        Assert.Equal(nn.Model.Network, loaded.Model.Network);
        Assert.Contains(loaded.Model.Info.Training, s => s is { Name: "mlnet.task", Value: "multiclass" });
        var test = key.Transform(data.View(ml, data.Test));
        var before = ml.Data.CreateEnumerable<MulticlassOut>(nn.Transform(test), reuseRowObject: false).ToList();
        var after = ml.Data.CreateEnumerable<MulticlassOut>(loaded.Transform(test), reuseRowObject: false).ToList();
        Assert.Equal(before.Select(o => o.Score), after.Select(o => o.Score));
        Assert.Equal(before.Select(o => o.PredictedLabel), after.Select(o => o.PredictedLabel));

        // The text key values were saved too: MapKeyToValue works on the loaded transformer's output.
        var scored = loaded.Transform(test);
        var texts = ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel").Fit(scored).Transform(scored)
            .GetColumn<ReadOnlyMemory<char>>("PredictedClass").Select(t => t.ToString()).ToList();
        Assert.Equal(before.Select(o => data.Train.Select(e => e.Class).Distinct().ElementAt((int)o.PredictedLabel - 1)), texts);

        // nn predict on the same file and the same features (the floats, written as the doubles they widen to).
        var csv = Path.Combine(_folder, "wine-test.csv");
        File.WriteAllLines(csv, [string.Join(",", nn.Model.Info.FeatureNames),
            .. data.Test.Select(e => string.Join(",", e.Features.Select(f => ((double)f).ToString("R", CultureInfo.InvariantCulture))))]);
        var predictions = Path.Combine(_folder, "p.csv");
        var (code, _, err) = RunNn("predict", "--model", path, "--data", csv, "--out", predictions, "--proba");
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(predictions);
        var header = lines[0].Split(',');
        for (var i = 0; i < before.Count; i++)
        {
            var cells = lines[i + 1].Split(',');
            foreach (var label in nn.Model.Info.Labels)
            {
                var p = double.Parse(cells[Array.IndexOf(header, "p_" + label)], CultureInfo.InvariantCulture);
                Assert.Equal(BitConverter.SingleToInt32Bits((float)p), BitConverter.SingleToInt32Bits(before[i].Score[int.Parse(label, CultureInfo.InvariantCulture)]));
            }
        }
    }

    [Fact]
    public void Saved_binary_and_regression_transformers_load_and_score_identically()
    {
        var ml = new MLContext(seed: 0);
        var cancer = Bundled.Load("breast_cancer");
        var binary = ml.BinaryClassification.Trainers.NnMlp(NnMlpOptions.Of(Comparison.NnSettings(30)).WithColumns("Features", nameof(Example.Positive)))
            .Fit(cancer.View(ml, cancer.Train));
        var binaryPath = Path.Combine(_folder, "cancer.safetensors");
        binary.Save(binaryPath);
        var test = cancer.View(ml, cancer.Test);
        var a = ml.Data.CreateEnumerable<BinaryOut>(binary.Transform(test), reuseRowObject: false).Select(o => (o.Score, o.Probability, o.PredictedLabel));
        var b = ml.Data.CreateEnumerable<BinaryOut>(NnMlpTransformer.Load(binaryPath).Transform(test), reuseRowObject: false).Select(o => (o.Score, o.Probability, o.PredictedLabel));
        Assert.Equal(a, b);

        var diabetes = Bundled.Load("diabetes");
        var regression = ml.Regression.Trainers.NnMlp(NnMlpOptions.Of(Comparison.NnSettings(30))).Fit(diabetes.View(ml, diabetes.Train));
        var regressionPath = Path.Combine(_folder, "diabetes.safetensors");
        regression.Save(regressionPath);
        var loaded = NnMlpTransformer.Load(regressionPath);
        var rows = diabetes.View(ml, diabetes.Test);
        Assert.Equal(ml.Data.CreateEnumerable<RegressionOut>(regression.Transform(rows), reuseRowObject: false).Select(o => o.Score),
            ml.Data.CreateEnumerable<RegressionOut>(loaded.Transform(rows), reuseRowObject: false).Select(o => o.Score));
        Assert.Equal("Features", loaded.FeatureColumnName);
    }

    [Fact]
    public void MLContext_Model_Save_is_refused_with_a_pointer_to_the_Nn_model_file()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("diabetes");
        var train = data.View(ml, data.Train);
        var nn = ml.Regression.Trainers.NnMlp(NnMlpOptions.Of(Comparison.NnSettings(5))).Fit(train);
        var path = Path.Combine(_folder, "model.zip");
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(nn, train.Schema, path));
        Assert.Contains("NnMlpTransformer.Load(path)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_a_model_file_not_saved_by_the_transformer_is_refused_naming_the_setting()
    {
        var x = Matrix.FromRows([[0.0], [1.0], [2.0], [3.0]]);
        var path = Path.Combine(_folder, "plain.safetensors");
        global::Nn.Shell.Model.Fit(x, [0.0, 1.0, 2.0, 3.5], FitSettings.Default with { Layers = [2], Epochs = 2 }).Save(path);
        var e = Assert.Throws<ArgumentException>(() => NnMlpTransformer.Load(path));
        Assert.Contains("mlnet.task", e.Message, StringComparison.Ordinal);
    }

    private static (int Code, string Out, string Err) RunNn(params string[] args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        return Processes.Run(host, [Path.Combine(AppContext.BaseDirectory, "nn.dll"), .. args], TimeSpan.FromMinutes(2));
    }
}

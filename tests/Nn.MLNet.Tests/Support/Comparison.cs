using Microsoft.ML;
using Nn.MLNet.Tests.Support;

namespace Nn.MLNet.Tests.Support;

/// <summary>One trainer's test-split metrics, as ML.NET's evaluators computed them.</summary>
public sealed record Scored(string Trainer, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// Nn and ML.NET's own trainers on the same bundled data and split, evaluated by ML.NET's evaluators on the test rows. The
/// baselines get standardised features (NormalizeMeanVariance), as ML.NET's samples give them; Nn standardises its input
/// itself (FitSettings.Scaling), so it reads the raw features.
/// </summary>
public static class Comparison
{
    /// <summary>The Nn settings of the comparison (docs/mlnet.md's table): one hidden layer of 16 ReLU units, Adam 0.01, seed 1.</summary>
    public static FitSettings NnSettings(int epochs) =>
        FitSettings.Default with { Layers = [16], Optimizer = Optimizers.Adam(0.01), Epochs = epochs, Seed = 1 };

    /// <summary>Wine (3 classes): Nn vs LbfgsMaximumEntropy.</summary>
    public static IReadOnlyList<Scored> Multiclass()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("wine");
        var (train, test) = (data.View(ml, data.Train), data.View(ml, data.Test));
        var key = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Example.Class));
        Scored Score(string name, IEstimator<ITransformer> trainer)
        {
            var m = ml.MulticlassClassification.Evaluate(key.Append(trainer).Fit(train).Transform(test));
            return new(name, new Dictionary<string, double> { ["micro accuracy"] = m.MicroAccuracy, ["macro accuracy"] = m.MacroAccuracy, ["log loss"] = m.LogLoss });
        }
        return
        [
            Score("Nn NnMlp", ml.MulticlassClassification.Trainers.NnMlp(NnMlpOptions.Of(NnSettings(200)))),
            Score("LbfgsMaximumEntropy", ml.Transforms.NormalizeMeanVariance("Features").Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy())),
        ];
    }

    /// <summary>Breast cancer (benign = true): Nn vs LbfgsLogisticRegression and FastTree.</summary>
    public static IReadOnlyList<Scored> Binary()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("breast_cancer");
        var (train, test) = (data.View(ml, data.Train), data.View(ml, data.Test));
        const string label = nameof(Example.Positive);
        Scored Score(string name, IEstimator<ITransformer> trainer)
        {
            var m = ml.BinaryClassification.Evaluate(trainer.Fit(train).Transform(test), label);
            return new(name, new Dictionary<string, double> { ["accuracy"] = m.Accuracy, ["AUC"] = m.AreaUnderRocCurve, ["F1"] = m.F1Score, ["log loss"] = m.LogLoss });
        }
        return
        [
            Score("Nn NnMlp", ml.BinaryClassification.Trainers.NnMlp(NnMlpOptions.Of(NnSettings(100)).WithColumns("Features", label))),
            Score("LbfgsLogisticRegression", ml.Transforms.NormalizeMeanVariance("Features").Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(label))),
            Score("FastTree", ml.BinaryClassification.Trainers.FastTree(label)),
        ];
    }

    /// <summary>Diabetes (disease progression after one year): Nn vs FastTree and Sdca.</summary>
    public static IReadOnlyList<Scored> Regression()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("diabetes");
        var (train, test) = (data.View(ml, data.Train), data.View(ml, data.Test));
        Scored Score(string name, IEstimator<ITransformer> trainer)
        {
            var m = ml.Regression.Evaluate(trainer.Fit(train).Transform(test));
            return new(name, new Dictionary<string, double> { ["R²"] = m.RSquared, ["RMSE"] = m.RootMeanSquaredError, ["MAE"] = m.MeanAbsoluteError });
        }
        return
        [
            Score("Nn NnMlp", ml.Regression.Trainers.NnMlp(NnMlpOptions.Of(NnSettings(200)))),
            Score("FastTree", ml.Regression.Trainers.FastTree()),
            Score("Sdca", ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.Sdca())),
        ];
    }

    /// <summary>A markdown table of the scores (the form of docs/mlnet.md's table).</summary>
    public static string Table(string dataset, IReadOnlyList<Scored> scores)
    {
        var names = scores[0].Metrics.Keys.ToList();
        var lines = new List<string> { $"| {dataset} | {string.Join(" | ", names)} |", $"|---|{string.Concat(names.Select(_ => "---|"))}" };
        lines.AddRange(scores.Select(s => $"| {s.Trainer} | {string.Join(" | ", names.Select(n => s.Metrics[n].ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} |"));
        return string.Join("\n", lines);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Nn;
using Nn.MLNet;

namespace Nn.MLNet.Tests;

/// <summary>What docs/mlnet.md's example computed, for <see cref="MlNetGuideTests"/> to check.</summary>
public sealed record GuideResult(double Accuracy, double LogLoss, IReadOnlyList<string> PredictedClasses, IReadOnlyList<string> ReloadedClasses);

/// <summary>docs/mlnet.md's pipeline, statement for statement (the lines between the markers equal the doc's code blocks).</summary>
public static class MlNetGuide
{
    public static GuideResult Run(string dataPath, string modelPath)
    {
        // guide:begin
        var ml = new MLContext(seed: 0);
        // data/wine.csv: 13 numeric features, then the class (0, 1 or 2).
        var data = ml.Data.LoadFromTextFile(dataPath,
            [new TextLoader.Column("Features", DataKind.Single, 0, 12), new TextLoader.Column("Class", DataKind.String, 13)],
            separatorChar: ',', hasHeader: true);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);

        // One hidden layer of 16 ReLU units, Adam 0.01, 200 epochs; everything else as `nn train` does it.
        var options = NnMlpOptions.Default with
        {
            Settings = FitSettings.Default with { Layers = [16], Optimizer = Optimizers.Adam(0.01), Epochs = 200, Seed = 1 },
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(ml.MulticlassClassification.Trainers.NnMlp(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
        var model = pipeline.Fit(split.TrainSet);

        var scored = model.Transform(split.TestSet);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Console.WriteLine($"accuracy {metrics.MicroAccuracy:F3}, log loss {metrics.LogLoss:F3}");

        // The Nn step is saved as an Nn model file (nn info, nn predict and nn eval read it too) and loaded back.
        var nn = model.OfType<NnMlpTransformer>().Single();
        nn.Save(modelPath);
        var reloaded = NnMlpTransformer.Load(modelPath);
        var rescored = model.Last().Transform(reloaded.Transform(split.TestSet));   // scores, then MapKeyToValue
        // guide:end
        static List<string> Classes(IDataView view) => [.. view.GetColumn<ReadOnlyMemory<char>>("PredictedClass").Select(c => c.ToString())];
        return new GuideResult(metrics.MicroAccuracy, metrics.LogLoss, Classes(scored), Classes(rescored));
    }
}

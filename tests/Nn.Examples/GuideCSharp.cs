using Nn;
using Nn.Shell;

namespace Nn.Examples;

/// <summary>What the C# guide computed, for <see cref="GuideCSharpTests"/> to check.</summary>
public sealed record GuideResult(double TestAccuracy, double Ece, bool GradientCheckPassed, int Epochs, bool SamePredictionsAfterLoading, string ReportPath,
    double HeldOutR2, double HeldOutRmse, double Score, string Folder);

/// <summary>
/// docs/guide-csharp.md, statement for statement: the lines between the markers must equal the guide's code blocks
/// (<see cref="GuideCSharpTests"/> checks that and runs this).
/// </summary>
public static class GuideCSharp
{
    public static GuideResult Run()
    {
        // guide:begin
        // Regression in one call, with the plan, defaults and checks of `nn train`: y = w·x + b + noise on 3 features.
        var linear = Synthetic.LinearRegression(Key.FromSeed(5), 300, 3, 0.1);
        var rows = Split.TrainTest(Key.FromSeed(6), 300, 0.25);                  // 225 rows to fit, 75 held out
        double[] yFit = [.. rows.Train.Select(i => linear.Data.Y[i])];
        var regressor = Model.Fit(linear.Data.X.SelectRows(rows.Train), yFit, FitSettings.Default with { Layers = [32], Epochs = 100, Seed = 7 });

        var xHeldOut = linear.Data.X.SelectRows(rows.Test);
        var yHeldOut = Vector.Of([.. rows.Test.Select(i => linear.Data.Y[i])]);
        var yPredicted = regressor.Predict(xHeldOut) is Prediction.Regression p ? Vector.Of([.. p.Values]) : throw new InvalidOperationException();
        var r2 = Regression.RSquared(yHeldOut, yPredicted);                       // every metric takes the truth first
        var rmse = Regression.RootMeanSquaredError(yHeldOut, yPredicted);
        Console.WriteLine($"held out: R² {r2:F3}, RMSE {rmse:F3}; score {regressor.Score(xHeldOut, yHeldOut.ToArray()):F3}");

        // Labels may be text or numbers; Fit infers the task as nn train does, and Save/Load keep everything needed to predict.
        var folder = Directory.CreateTempSubdirectory("nn-guide-").FullName;
        regressor.Save(Path.Combine(folder, "linear.safetensors"));

        // Two interleaved half-moons: X is 400 × 2 (one example per row), Labels holds 0 or 1 per row.
        var data = Synthetic.Moons(Key.FromSeed(1), 400, 0.15);
        var parts = Split.Apply(Split.Stratified(Key.FromSeed(2), data.Labels, 0.25), data);   // 300 train, 100 test

        // Standardise with the training rows' means and standard deviations only.
        var scaler = StandardScaler.Fit(parts.Train.X);
        var xTrain = StandardScaler.Transform(scaler, parts.Train.X);
        var xTest = StandardScaler.Transform(scaler, parts.Test.X);
        var yTrain = Matrix.Init(parts.Train.Count, 1, (r, _) => parts.Train.Labels[r]);   // 300 × 1, for one sigmoid output

        // 2 → 16 tanh → 16 tanh → 1 sigmoid; binary cross-entropy with a small L2 penalty.
        var network = Init.Mlp(Key.FromSeed(3), [2, 16, 16, 1], Activations.Tanh, Activations.Sigmoid, InitSchemes.XavierNormal);
        var objective = Objective.Of(Losses.BinaryCrossEntropy).WithL2(1e-4);

        var trace = Forward.Run(network, xTrain);                          // Z and A of every layer
        var gradient = Backprop.Gradient(network, xTrain, yTrain, objective); // J and ∂J/∂θ, shaped like the network
        var check = GradientCheck.Run(network, xTrain.SelectRows([0, 1, 2, 3, 4, 5, 6, 7]), yTrain.SelectRows([0, 1, 2, 3, 4, 5, 6, 7]),
            objective, GradientCheckOptions.Default);

        var config = TrainConfig.Of(objective, Optimizers.Adam(0.01));
        var state = Training.Init(config, network, Key.FromSeed(4));
        for (var epoch = 0; epoch < 60; epoch++)
            state = Training.Epoch(config, state, xTrain, yTrain, epoch, BatchPolicy.MiniBatch(32));

        var losses = new List<double>();
        var result = Trainer.Fit(config, Training.Init(config, network, Key.FromSeed(4)), new TrainingData(xTrain, yTrain),
            TrainerOptions.Of(60, BatchPolicy.MiniBatch(32)), Trainer.OnEpoch(e => losses.Add(e.TrainLoss)), CancellationToken.None);

        var probabilities = Predictor.ClassProbabilities(Activations.Sigmoid, Forward.Predict(result.State.Parameters, xTest));   // 100 × 2
        var predicted = Labels.ArgMax(probabilities);
        var confusion = Classification.Confusion(parts.Test.Labels, predicted, 2);
        var report = Classification.Report(confusion);
        var calibration = Calibration.ExpectedCalibrationError(parts.Test.Labels, probabilities, 10);

        var info = new ModelInfo(TaskKind.Classification, ["x1", "x2"], "label", ["0", "1"], Losses.BinaryCrossEntropy,
            FeatureScaling.Standard(scaler), null, [new Setting("seed", "1"), new Setting("epochs", "60")], "");
        var path = Path.Combine(folder, "moons.safetensors");
        ModelFile.Save(path, new Model(result.State.Parameters, info));
        var loaded = ModelFile.Load(path);
        var fromFile = Predictor.Predict(loaded, parts.Test.X);   // raw features: the recorded scaling is applied

        ReportJob.Write(Path.Combine(folder, "moons.html"), new ReportInput("moons", loaded, result.History, null, null, ""));
        // guide:end

        _ = trace;
        _ = gradient;
        return new GuideResult(report.Accuracy, calibration.Ece, check.Passed && state == result.State, losses.Count,
            fromFile is Prediction.Classification { Classes: var classes } && classes.SequenceEqual(predicted), Path.Combine(folder, "moons.html"),
            r2, rmse, regressor.Score(xHeldOut, yHeldOut.ToArray()), folder);
    }
}

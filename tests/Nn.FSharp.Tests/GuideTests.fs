/// docs/guide-fsharp.md, compiled and run: the lines between the markers must equal the guide's code blocks.
module GuideTests

open System
open System.IO
open System.Text.RegularExpressions
open System.Threading
open Xunit
open Nn
open Nn.FSharp
open Nn.Shell

type GuideResult =
    { Accuracy: float; ValidationAccuracy: float; Epochs: int; GradientCheckPassed: bool; Names: string list
      FitAccuracy: float; PredictedColours: string list; R2: float }

let runGuide () =
    // guide:begin
    // Three interleaved spirals: X is 300 × 2 (one example per row), Labels holds 0, 1 or 2 per row.
    let data = Synthetic.Spirals(Key.FromSeed 1L, 300, 3, 0.1)
    let scaler = StandardScaler.Fit data.X
    let x = StandardScaler.Transform(scaler, data.X)
    let y = data.OneHot // 300 × 3, one-hot rows for a softmax output

    let network = Init.Mlp(Key.FromSeed 2L, [ 2; 32; 32; 3 ], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal)
    let config = TrainConfig.Of(Objective.Of Losses.CategoricalCrossEntropy, Optimizers.Adam 0.01)

    // Training is a fold over epochs: the state is the only thing that changes.
    let final =
        [ 0L .. 149L ]
        |> List.fold (fun state epoch -> Training.Epoch(config, state, x, y, epoch, BatchPolicy.MiniBatch 32)) (Training.Init(config, network, Key.FromSeed 3L))

    let accuracy = Classification.Accuracy(data.Labels, Labels.ArgMax(Forward.Predict(final.Parameters, x)))

    // Activations, losses and results are closed sets: Nn.FSharp's patterns match them, checked for exhaustiveness.
    let describe (activation: Activation) =
        match activation with
        | Relu -> "relu"
        | LeakyRelu slope -> sprintf "leaky-relu(%g)" slope
        | Softmax -> "softmax"
        | Sigmoid | Tanh | Linear | CustomActivation _ -> activation.Name

    let names = final.Parameters.Layers |> Seq.map (fun layer -> describe layer.Activation) |> List.ofSeq

    // The gradient against central finite differences, on 10 examples.
    let rows = [| 0..29..299 |]
    let check = GradientCheck.Run(network, x.SelectRows rows, y.SelectRows rows, config.Objective, GradientCheckOptions.Default)

    // The shell: validation after every epoch, early stopping, a synchronous progress callback.
    let split = Split.Stratified(Key.FromSeed 4L, data.Labels, 0.2)
    let train = TrainingData(x.SelectRows split.Train, y.SelectRows split.Train)
    let validation = TrainingData(x.SelectRows split.Test, y.SelectRows split.Test)
    let options = TrainerOptions.Of(150, BatchPolicy.MiniBatch 32).WithValidation(validation, 20)
    let mutable lastLine = ""
    let progress = Trainer.OnEpoch(fun e -> lastLine <- sprintf "epoch %d: loss %.4f" e.Epoch e.TrainLoss)
    let result = Trainer.Fit(config, Training.Init(config, network, Key.FromSeed 3L), train, options, progress, CancellationToken.None)

    let validationAccuracy =
        match result.History.Epochs[result.History.BestEpoch - 1].Validation with
        | ClassificationSummary(_, accuracy) -> accuracy
        | RegressionSummary _ | NoValidation -> nan

    // One call, with nn train's plan, defaults and refusals: the spirals' classes as text labels.
    let colours = data.Labels |> Seq.map (fun c -> [| "red"; "green"; "blue" |][c]) |> List.ofSeq
    let settings = FitSettings(Layers = [ 32; 32 ], Epochs = 150, Seed = 5L, Optimizer = Optimizers.Adam 0.01)
    let classifier = colours |> Mlp.fit settings data.X
    let predictedColours = data.X |> Mlp.predictLabels classifier
    let fitAccuracy = Mlp.score classifier data.X colours

    // Regression values are numbers: a fitted model predicts in the target's own units.
    let linear = Synthetic.LinearRegression(Key.FromSeed 6L, 200, 3, 0.1)
    let regressor = Model.Fit(linear.Data.X, linear.Data.Y.ToArray(), FitSettings(Layers = [ 16 ], Epochs = 100))
    let r2 =
        match Mlp.predict regressor linear.Data.X with
        | Regressed values -> Regression.RSquared(linear.Data.Y, Vector.Create values)
        | Classified _
        | LabelSetsPredicted _ -> nan
    // guide:end
    { Accuracy = accuracy; ValidationAccuracy = validationAccuracy; Epochs = result.History.Epochs.Length
      GradientCheckPassed = check.Passed && lastLine.StartsWith "epoch"; Names = names
      FitAccuracy = fitAccuracy; PredictedColours = predictedColours; R2 = r2 }

let rec repositoryRoot (dir: DirectoryInfo | null) =
    match dir with
    | null -> failwith "NnFunctional.sln not found above the test binaries"
    | d when File.Exists(Path.Combine(d.FullName, "NnFunctional.sln")) -> d.FullName
    | d -> repositoryRoot d.Parent

let lines (text: string) =
    text.ReplaceLineEndings("\n").Split('\n') |> Array.map (fun l -> l.Trim()) |> Array.filter (fun l -> l <> "") |> List.ofArray

[<Fact>]
let ``guide code blocks are the code in GuideTests.fs`` () =
    let root = repositoryRoot (DirectoryInfo AppContext.BaseDirectory)
    let guide = File.ReadAllText(Path.Combine(root, "docs", "guide-fsharp.md")).ReplaceLineEndings("\n")
    let source = File.ReadAllText(Path.Combine(root, "tests", "Nn.FSharp.Tests", "GuideTests.fs"))
    let blocks =
        Regex.Matches(guide, @"^```fsharp\n(.*?)^```", RegexOptions.Multiline ||| RegexOptions.Singleline)
        |> Seq.collect (fun m -> lines m.Groups[1].Value)
        |> List.ofSeq
    let opens, code = blocks |> List.partition (fun l -> l.StartsWith "open ")
    Assert.NotEmpty opens
    let sourceLines = lines source
    opens |> List.iter (fun o -> Assert.Contains(o, sourceLines))
    let start = source.IndexOf "// guide:begin" + "// guide:begin".Length
    let stop = source.IndexOf("// guide:end", start)
    Assert.Equal<string list>(lines (source.Substring(start, stop - start)), code)

[<Fact>]
let ``guide learns the spirals and its gradient check passes`` () =
    let r = runGuide ()
    Assert.True(r.Accuracy >= 0.9, sprintf "training accuracy %g" r.Accuracy)
    Assert.True(r.ValidationAccuracy >= 0.85, sprintf "best validation accuracy %g" r.ValidationAccuracy)
    Assert.InRange(r.Epochs, 1, 150)
    Assert.True r.GradientCheckPassed
    Assert.Equal<string list>([ "relu"; "relu"; "softmax" ], r.Names)
    Assert.True(r.FitAccuracy >= 0.9, sprintf "one-call fit accuracy %g" r.FitAccuracy)
    Assert.Equal(300, r.PredictedColours.Length)
    Assert.True(r.PredictedColours |> List.forall (fun c -> List.contains c [ "red"; "green"; "blue" ]))
    Assert.True(r.R2 > 0.95, sprintf "one-call regression R² %g" r.R2)

/// The ML.NET trainer used the way an F# user would: property-setter construction of the options, the catalog extension.
module Nn.FSharp.Tests.MlNetTests

open Microsoft.ML
open Microsoft.ML.Data
open Nn
open Nn.MLNet
open Xunit

[<CLIMutable>]
type Row =
    { [<VectorType(2)>]
      Features: float32[]
      Label: float32 }

[<Fact>]
let ``An ML.NET regression pipeline trains an Nn network from F#`` () =
    let ml = MLContext(seed = 0)
    // y = 3·x1 − 2·x2 + 1 on a 20 × 10 grid.
    let rows =
        [| for i in 0..199 ->
               let x1, x2 = float32 (i % 20) / 10.0f, float32 (i / 20) / 5.0f
               { Features = [| x1; x2 |]; Label = 3.0f * x1 - 2.0f * x2 + 1.0f } |]
    let data = ml.Data.LoadFromEnumerable rows
    let options =
        NnMlpOptions(Settings = FitSettings(Layers = [ 16 ], Epochs = 100, Seed = 1L, Optimizer = Optimizers.Adam 0.01))
    let model = ml.Regression.Trainers.NnMlp(options).Fit data
    let metrics = ml.Regression.Evaluate(model.Transform data)
    Assert.True(metrics.RSquared > 0.95, sprintf "R² %f" metrics.RSquared)
    Assert.Equal(2, model.Model.Info.FeatureNames.Length)

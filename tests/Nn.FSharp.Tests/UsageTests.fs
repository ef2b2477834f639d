/// The public API used the way an F# user would: pipelines, folds, pattern matching, lists.
module UsageTests

open System
open System.Threading
open Xunit
open Nn
open Nn.FSharp
open Nn.Shell

// XOR: 4 examples (one per row), 2 features, one 0/1 target column.
let xorX = Matrix.FromRows [ [ 0.0; 0.0 ]; [ 0.0; 1.0 ]; [ 1.0; 0.0 ]; [ 1.0; 1.0 ] ]
let xorY = Matrix.FromRows [ [ 0.0 ]; [ 1.0 ]; [ 1.0 ]; [ 0.0 ] ]

let xorNet seed =
    Init.Mlp(Key.FromSeed seed, [ 2; 8; 1 ], Activations.Tanh, Activations.Sigmoid, InitSchemes.XavierNormal)

let bce = Objective.Of Losses.BinaryCrossEntropy

let assertClose (expected: float) (actual: float) =
    Assert.True(abs (expected - actual) <= 1e-12 * max 1.0 (abs expected), sprintf "expected %g, got %g" expected actual)

[<Fact>]
let ``Mlp from an F# list has the requested sizes and predicts one row per example`` () =
    let net = xorNet 42L
    let p = Forward.Predict(net, xorX)
    Assert.Equal((4, 1), (p.Rows, p.Cols))
    Assert.Equal<int list>([ 2; 8; 1 ], List.ofSeq net.Sizes)
    Assert.Equal(2 * 8 + 8 + 8 * 1 + 1, net.ParameterCount)
    p.ToRows() |> Array.iter (fun row -> Assert.InRange(row[0], 0.0, 1.0))

[<Fact>]
let ``a network built by hand computes Z = X·W + b, and the trace keeps every layer`` () =
    // 2 inputs → 2 relu → 1 linear, weights (inputs × units).
    let hidden = Dense(Matrix.FromRows [ [ 1.0; -1.0 ]; [ 2.0; 0.5 ] ], Vector.Of(0.5, 0.0), Activations.Relu)
    let output = Dense(Matrix.FromRows [ [ 3.0 ]; [ -2.0 ] ], Vector.Of 1.0, Activations.Linear)
    let net = Network [ hidden; output ]
    let x = Matrix.FromRows [ [ 1.0; 1.0 ]; [ -1.0; 0.0 ] ]
    let trace = Forward.Run(net, x)
    // Row 0: z = (1 + 2 + 0.5, −1 + 0.5) = (3.5, −0.5) → a = (3.5, 0) → 3·3.5 + 1 = 11.5.
    // Row 1: z = (−1 + 0.5, 1 + 0) = (−0.5, 1) → a = (0, 1) → −2 + 1 = −1.
    match List.ofSeq trace.Layers with
    | [ first; last ] ->
        Assert.Equal(Matrix.FromRows [ [ 3.5; -0.5 ]; [ -0.5; 1.0 ] ], first.Z)
        Assert.Equal(Matrix.FromRows [ [ 3.5; 0.0 ]; [ 0.0; 1.0 ] ], first.Activated)
        Assert.Null(first.Mask)
        Assert.Equal(Matrix.FromRows [ [ 11.5 ]; [ -1.0 ] ], last.Activated)
    | layers -> failwithf "expected 2 layer traces, got %d" layers.Length
    Assert.Equal(trace.Output, Forward.Predict(net, x))
    Assert.Equal<float list>([ -1.0 ], Forward.PredictOne(net, Vector.Of(-1.0, 0.0)).Values |> List.ofSeq)

[<Fact>]
let ``one SGD step along the gradient lowers the loss`` () =
    let net = xorNet 1L
    let g = Backprop.Gradient(net, xorX, xorY, bce)
    Assert.True(Parameters.SameShape(net, g.Gradients))
    Assert.True(Parameters.GlobalNorm g.Gradients > 0.0)
    let stepped = Parameters.Axpy(-0.1, g.Gradients, net)
    let after = Losses.Evaluate(stepped, xorX, xorY, bce)
    Assert.True(after < g.Loss, sprintf "loss %g did not go below %g" after g.Loss)
    assertClose g.Loss (Losses.Evaluate(net, xorX, xorY, bce))
    // The step is pure: the original network is unchanged.
    Assert.Equal(xorNet 1L, net)

[<Fact>]
let ``gradient check passes on every tensor`` () =
    let net = Init.Mlp(Key.FromSeed 3L, [ 2; 3; 2 ], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal)
    let y = Labels.OneHot([ 0; 1; 1; 0 ], 2)
    let objective = Objective.Of(Losses.CategoricalCrossEntropy).WithL2 0.01
    let report = GradientCheck.Run(net, xorX, y, objective, GradientCheckOptions.Default)
    Assert.True(report.Passed, string report)
    Assert.Equal<string list>([ "W1"; "b1"; "W2"; "b2" ], report.Tensors |> Seq.map (fun t -> t.Name) |> List.ofSeq)
    for t in report.Tensors do
        Assert.Equal(0, t.Failures)
        Assert.True(t.WorstToleranceRatio <= 1.0)
    Assert.Equal(GradientCheckOptions.Default.RandomDirections, report.Directions.Length)

[<Fact>]
let ``gradient check catches a wrong gradient`` () =
    let net = xorNet 5L
    let g = Backprop.Gradient(net, xorX, xorY, bce)
    let wrong = Parameters.Scale(1.01, g.Gradients)
    let report = GradientCheck.RunAgainst(net, xorX, xorY, bce, wrong, GradientCheckOptions.Default)
    Assert.False(report.Passed)
    Assert.True(report.Tensors |> Seq.exists (fun t -> t.Failures > 0))

let train config steps seed =
    let state = Training.Init(config, xorNet seed, Key.FromSeed 7L)
    List.fold (fun s _ -> Training.Step(config, s, xorX, xorY)) state [ 1..steps ]

[<Fact>]
let ``a fold of Training.Step lowers the loss and is bit-reproducible`` () =
    let config = TrainConfig.Of(bce, Optimizers.Adam 0.05)
    let initialLoss = Losses.Evaluate(xorNet 42L, xorX, xorY, bce)
    let a = train config 300 42L
    let b = train config 300 42L
    Assert.Equal(300L, a.Step)
    Assert.True(a.LastLoss < initialLoss / 4.0, sprintf "loss %g vs initial %g" a.LastLoss initialLoss)
    Assert.True(Parameters.BitEquals(a.Parameters, b.Parameters))
    Assert.False(Parameters.BitEquals(a.Parameters, (train config 300 43L).Parameters))
    let predicted = Forward.Predict(a.Parameters, xorX).Column(0).Values |> Seq.map (fun p -> if p >= 0.5 then 1 else 0)
    Assert.Equal<int list>([ 0; 1; 1; 0 ], List.ofSeq predicted)

let moons = Synthetic.Moons(Key.FromSeed 11L, 400, 0.15)

let moonsSplit = Split.Apply(Split.Stratified(Key.FromSeed 12L, moons.Labels, 0.25), moons)

let moonsNet () =
    Init.Mlp(Key.FromSeed 13L, [ 2; 16; 2 ], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal)

let heldOutAccuracy (net: Network) (test: Dataset) =
    let predicted = Forward.Predict(net, test.X) |> Labels.ArgMax
    Classification.Accuracy(test.Labels, predicted)

/// Adam 0.01 with batches of 32 on the moons' training split: the configuration, the policy and the first state.
let moonsAdam () =
    let config = TrainConfig.Of(Objective.Of Losses.CategoricalCrossEntropy, Optimizers.Adam 0.01)
    config, BatchPolicy.MiniBatch 32, Training.Init(config, moonsNet (), Key.FromSeed 14L)

/// A loop of Training.Epoch over the given epochs, as a fold.
let epochLoop config policy (x: Matrix) y epochs start =
    epochs |> List.fold (fun s e -> Training.Epoch(config, s, x, y, e, policy)) start

[<Fact>]
let ``an epoch loop over Training.Epoch with mini-batches learns the moons`` () =
    let train = moonsSplit.Train
    let config, policy, start = moonsAdam ()
    let y = train.OneHot
    let final = epochLoop config policy train.X y [ 0L .. 29L ] start
    let batchesPerEpoch = Batches.ForEpoch(Training.ShuffleKey start, 0L, train.Count, policy).Length
    Assert.Equal(int64 (30 * batchesPerEpoch), final.Step)
    let lossOf net = Losses.Evaluate(net, train.X, y, config.Objective)
    Assert.True(lossOf final.Parameters < lossOf start.Parameters / 2.0)
    Assert.True(heldOutAccuracy final.Parameters moonsSplit.Test >= 0.9)

[<Fact>]
let ``Training.Epochs runs the same epochs in one call, to the bit`` () =
    let train = moonsSplit.Train
    let config, policy, start = moonsAdam ()
    let y = train.OneHot
    let byEpoch = epochLoop config policy train.X y [ 2L .. 6L ] start
    let once = Training.Epochs(config, start, train.X, y, 2L, 5, policy)
    Assert.Equal(byEpoch.Step, once.Step)
    Assert.True(Parameters.BitEquals(byEpoch.Parameters, once.Parameters))
    Assert.Equal(byEpoch.Optimizer, once.Optimizer)

[<Fact>]
let ``the batches of an epoch visit every example once, in a seeded order`` () =
    let key = Key.FromSeed 3L
    let batches = Batches.ForEpoch(key, 0L, 10, BatchPolicy.MiniBatch 4)
    Assert.Equal<int list>([ 4; 4; 2 ], batches |> Seq.map (fun b -> b.Length) |> List.ofSeq)
    Assert.Equal<int list>([ 0..9 ], batches |> Seq.concat |> Seq.sort |> List.ofSeq)
    let again = Batches.ForEpoch(key, 0L, 10, BatchPolicy.MiniBatch 4) |> Seq.concat |> List.ofSeq
    Assert.Equal<int list>(again, batches |> Seq.concat |> List.ofSeq)
    let dropped = Batches.ForEpoch(key, 0L, 10, BatchPolicy(4, true, LastBatch.Drop))
    Assert.Equal(2, dropped.Length)

// Nn.FSharp's total active patterns confine the wildcard case a C# closed hierarchy needs to one place, and every
// match written with them is checked for exhaustiveness by the compiler.
let describe activation =
    match activation with
    | Sigmoid -> "sigmoid"
    | Tanh -> "tanh"
    | Relu -> "relu"
    | LeakyRelu slope -> sprintf "leaky %g" slope
    | Linear -> "linear"
    | Softmax -> "softmax"
    | CustomActivation name -> name

[<Fact>]
let ``activations match on their case types`` () =
    let all =
        [ Activations.Sigmoid; Activations.Tanh; Activations.Relu; Activations.LeakyRelu 0.2; Activations.Linear; Activations.Softmax ]
    Assert.Equal<string list>([ "sigmoid"; "tanh"; "relu"; "leaky 0.2"; "linear"; "softmax" ], List.map describe all)
    // The type-test pattern binds the case, so its fields are at hand.
    match Activations.LeakyRelu 0.3 with
    | :? Activation.LeakyRelu as l -> Assert.Equal(0.3, l.Slope)
    | other -> failwithf "expected leaky ReLU, got %O" other
    Assert.Equal(InitSchemes.HeNormal, Init.DefaultFor(Activations.LeakyRelu 0.1))
    // Parsing the printed form gives an equal value back (records compare by value).
    all |> List.iter (fun a -> Assert.Equal(a, Activations.Parse(string a)))
    Assert.Equal(Activations.LeakyRelu Activations.DefaultLeakySlope, Activations.Parse "leaky-relu")

[<Fact>]
let ``optimizers are chains of transformations that F# composes and matches`` () =
    let net = xorNet 2L
    let rec links (t: GradientTransformation) : GradientTransformation list =
        match t with
        | :? Chain as c -> c.Links |> Seq.collect links |> List.ofSeq
        | t -> [ t ]
    let describe (t: GradientTransformation) =
        match t with
        | :? ScaleByLearningRate as s -> sprintf "lr %g" (Schedules.LearningRate(s.Schedule, 0L))
        | :? ScaleByMomentum as m -> sprintf "momentum %g%s" m.Beta (if m.Nesterov then " nesterov" else "")
        | :? ScaleByRms as r -> sprintf "rms %g" r.Rho
        | :? ScaleByAdam as a -> sprintf "adam %g %g" a.Beta1 a.Beta2
        | :? AddDecayedWeights as d -> sprintf "decay %g" d.WeightDecay
        | :? ClipByGlobalNorm as c -> sprintf "clip %g" c.MaxNorm
        | _ -> failwith "unknown transformation"
    let optimizers =
        [ Optimizers.Sgd 0.1; Optimizers.Momentum(0.1, 0.9); Optimizers.Nesterov(0.1, 0.8)
          Optimizers.RmsProp 0.01; Optimizers.Adam 0.001; Optimizers.AdamW(0.001, 0.01) ]
    Assert.Equal<string list list>(
        [ [ "lr 0.1" ]
          [ "momentum 0.9"; "lr 0.1" ]
          [ "momentum 0.8 nesterov"; "lr 0.1" ]
          [ "rms 0.99"; "lr 0.01" ]
          [ "adam 0.9 0.999"; "lr 0.001" ]
          [ "adam 0.9 0.999"; "decay 0.01"; "lr 0.001" ] ],
        optimizers |> List.map (links >> List.map describe))
    let grads = Backprop.Gradient(net, xorX, xorY, bce).Gradients
    for o in optimizers do
        let state = Optimizers.Init(o, net)
        let step = Optimizers.Update(o, state, net, grads)
        Assert.NotEqual(net, step.Parameters)
        // Optimizers.Update is the links' Update followed by θ + u, bit for bit.
        let byHand = o.Update(grads, state, net)
        Assert.True(Parameters.BitEquals(step.Parameters, Optimizers.ApplyUpdates(net, byHand.Updates)))
        Assert.Equal(step.State, byHand.State)
    // Composition: clip the gradients, then Adam with a cosine schedule (the rate lives only in the schedule).
    let clippedAdam = Optimizers.Chain(Optimizers.ClipByGlobalNorm 1.0, Optimizers.Adam(Schedules.Cosine(0.01, 100L, 0.0)))
    Assert.Equal<string list>([ "clip 1"; "adam 0.9 0.999"; "lr 0.01" ], links clippedAdam |> List.map describe)
    // A state of another optimizer is refused.
    Assert.Throws<ArgumentException>(fun () ->
        Optimizers.Update(Optimizers.Adam 0.1, Optimizers.Init(Optimizers.Sgd 0.1, net), net, grads) |> ignore)
    |> ignore

[<Fact>]
let ``schedules give the learning rate over a list of steps`` () =
    let rates schedule steps = steps |> List.map (fun t -> Schedules.LearningRate(schedule, t))
    Assert.Equal<float list>([ 0.1; 0.1; 0.05; 0.05; 0.025 ], rates (Schedules.StepDecay(0.1, 0.5, 2L)) [ 0L .. 4L ])
    Assert.Equal<float list>([ 0.2; 0.2; 0.2 ], rates (Schedules.Constant 0.2) [ 0L; 10L; 1000L ])
    let cosine = rates (Schedules.Cosine(1.0, 10L, 0.1)) [ 0L .. 12L ]
    assertClose 1.0 (List.head cosine)
    assertClose 0.1 (List.last cosine)
    Assert.True(cosine |> List.pairwise |> List.forall (fun (a, b) -> b <= a))
    let isDecaying (s: Schedule) =
        match s with
        | :? Schedule.Constant -> false
        | :? Schedule.Step as s -> s.Factor < 1.0
        | :? Schedule.Exponential as e -> e.Decay < 1.0
        | :? Schedule.Cosine as c -> c.Minimum < c.Initial
        | :? Schedule.Warmup -> false
        | _ -> failwith "unknown schedule"
    Assert.Equal<bool list>(
        [ false; true; true ],
        List.map isDecaying [ Schedules.Constant 0.1; Schedules.Exponential(0.1, 0.9); Schedules.Cosine(0.1, 5L, 0.0) ])
    // A schedule drives training through the optimizer.
    let config = TrainConfig.Of(bce, Optimizers.Sgd(Schedules.Constant 0.0))
    let frozen = train config 5 4L
    Assert.True(Parameters.BitEquals(xorNet 4L, frozen.Parameters))

[<Fact>]
let ``classification and regression metrics take F# lists`` () =
    let truth = [ 0; 0; 1; 1; 2; 2 ]
    let predicted = [ 0; 1; 1; 1; 2; 0 ]
    assertClose (4.0 / 6.0) (Classification.Accuracy(truth, predicted))
    let confusion = Classification.Confusion(truth, predicted, 3)
    Assert.Equal<int[]>([| 1; 1; 0 |], confusion.ToRows()[0])
    Assert.Equal(4, confusion.Correct)
    let report = Classification.Report confusion
    Assert.Equal<float list>([ 0.5; 1.0; 0.5 ], List.ofSeq report.Recall)
    Assert.Equal<float list>([ 0.5; 2.0 / 3.0; 1.0 ], List.ofSeq report.Precision)
    assertClose report.Accuracy report.Micro.F1
    Assert.Equal<int list>([ 2; 2; 2 ], List.ofSeq report.Support)
    let target = Vector.Create [ 1.0; 2.0; 3.0; 4.0 ]
    assertClose 1.0 (Regression.RSquared(target, target))
    // Predicting the mean everywhere gives R² = 0; ss_res/ss_tot = 0.5/5 here.
    assertClose 0.0 (Regression.RSquared(target, Vector.Fill(4, 2.5)))
    assertClose 0.9 (Regression.RSquared(target, Vector.Create [ 1.5; 2.0; 3.0; 3.5 ]))
    assertClose 0.125 (Regression.MeanSquaredError(target, Vector.Create [ 1.5; 2.0; 3.0; 3.5 ]))

[<Fact>]
let ``a standard scaler centres and scales every column, and inverts`` () =
    let x = Matrix.FromRows [ [ 1.0; 10.0; 5.0 ]; [ 2.0; 20.0; 5.0 ]; [ 3.0; 60.0; 5.0 ] ]
    let scaler = StandardScaler.Fit x
    let z = StandardScaler.Transform(scaler, x)
    for c in 0 .. z.Cols - 1 do
        let column = z.Column(c).Values
        assertClose 0.0 (Seq.average column)
        let variance = column |> Seq.averageBy (fun v -> v * v)
        // A constant column maps to 0, every other to unit (population) variance.
        assertClose (if c = 2 then 0.0 else 1.0) variance
    let back = StandardScaler.InverseTransform(scaler, z)
    Array.iter2 (fun (e: float) a -> Assert.Equal(e, a, 12)) (x.ToRowMajorArray()) (back.ToRowMajorArray())
    Assert.Equal<float list>([ 2.0; 30.0; 5.0 ], List.ofSeq scaler.Means.Values)

[<Fact>]
let ``one-hot encoding round-trips through arg-max`` () =
    let labels = [ 2; 0; 1; 2 ]
    let oneHot = Labels.OneHot(labels, 3)
    Assert.Equal(Matrix.FromRows [ [ 0.0; 0.0; 1.0 ]; [ 1.0; 0.0; 0.0 ]; [ 0.0; 1.0; 0.0 ]; [ 0.0; 0.0; 1.0 ] ], oneHot)
    Assert.Equal<int list>(labels, Labels.FromOneHot oneHot |> List.ofSeq)
    Assert.Equal<int list>([ 1; 1; 2 ], Labels.Counts(labels, 3) |> List.ofSeq)
    Assert.Throws<ArgumentException>(fun () -> Labels.OneHot([ 3 ], 3) |> ignore) |> ignore

[<Fact>]
let ``Trainer.Fit on the moons reports every epoch and reaches 0.9 held-out accuracy`` () =
    let config = TrainConfig.Of(Objective.Of Losses.CategoricalCrossEntropy, Optimizers.Adam 0.01)
    let train = TrainingData(moonsSplit.Train.X, moonsSplit.Train.OneHot)
    let validation = TrainingData(moonsSplit.Test.X, moonsSplit.Test.OneHot)
    let options = TrainerOptions.Of(40, BatchPolicy.MiniBatch 32).WithValidation(validation, 0)
    let seen = Collections.Generic.List<EpochRecord>()
    // Called synchronously after each epoch (System.Progress<T> would post to the thread pool and could run late).
    let progress = Trainer.OnEpoch(fun r -> seen.Add r)
    let start = Training.Init(config, moonsNet (), Key.FromSeed 14L)
    let result = Trainer.Fit(config, start, train, options, progress, CancellationToken.None)
    Assert.False(result.Cancelled)
    Assert.Equal<int list>([ 1..40 ], seen |> Seq.map (fun r -> r.Epoch) |> List.ofSeq)
    Assert.Equal<EpochRecord list>(List.ofSeq seen, List.ofSeq result.History.Epochs)
    let losses = result.History.Epochs |> Seq.map (fun r -> r.TrainLoss) |> List.ofSeq
    Assert.True(List.last losses < List.head losses / 2.0)
    Assert.True(heldOutAccuracy result.State.Parameters moonsSplit.Test >= 0.9)
    let best = result.History.Epochs[result.History.BestEpoch - 1]
    match best.Validation with
    | :? EvaluationSummary.Classification as c -> Assert.True(c.Accuracy >= 0.9, sprintf "best-epoch accuracy %g" c.Accuracy)
    | :? EvaluationSummary.Regression -> failwith "a softmax output reports accuracy, not R²"
    | _ -> failwith "validation data was given, so every epoch has a summary"

[<Fact>]
let ``Trainer.Fit stops when cancelled from the progress callback`` () =
    let config = TrainConfig.Of(Objective.Of Losses.CategoricalCrossEntropy, Optimizers.Adam 0.01)
    let train = TrainingData(moonsSplit.Train.X, moonsSplit.Train.OneHot)
    use cts = new CancellationTokenSource()
    // Any IProgress works too, e.g. an object expression.
    let progress = { new IProgress<EpochRecord> with member _.Report r = if r.Epoch = 2 then cts.Cancel() }
    let start = Training.Init(config, moonsNet (), Key.FromSeed 14L)
    let result = Trainer.Fit(config, start, train, TrainerOptions.Of(50, BatchPolicy.MiniBatch 32), progress, cts.Token)
    Assert.True(result.Cancelled)
    Assert.Equal(2, result.History.Epochs.Length)

[<Fact>]
let ``keys split into distinct keys that work with Seq functions`` () =
    let key = Key.FromSeed 2024L
    let keys = Prng.Split(key, 16)
    Assert.Equal(16, keys.Length)
    Assert.Equal(16, keys |> Seq.distinct |> Seq.length)
    Assert.Equal<Key list>(List.ofSeq keys, List.ofSeq (Prng.Split(key, 16)))
    Assert.Equal(Prng.Fold(key, 3L), keys[3])
    let draws = keys |> Seq.map (fun k -> Prng.Uniform(k, 100, -1.0, 1.0)) |> List.ofSeq
    draws |> List.iter (fun v -> Assert.True(v.Values |> Seq.forall (fun u -> u >= -1.0 && u < 1.0)))
    let mean = draws |> Seq.collect (fun v -> v.Values) |> Seq.average
    Assert.InRange(mean, -0.1, 0.1)
    let perm = Prng.Permutation(key, 10) |> List.ofSeq
    Assert.Equal<int list>([ 0..9 ], List.sort perm)
    Assert.NotEqual<int list>([ 0..9 ], perm)

let immutable (items: 'a list) = Collections.Immutable.ImmutableArray.CreateRange items

let modelOf (network: Network) task labels loss =
    let info =
        ModelInfo(task, immutable [ "x1"; "x2" ], "y", immutable labels, loss, FeatureScaling.None 2, null, immutable [ Setting("seed", "1") ], "")
    Model(network, info)

[<Fact>]
let ``losses are values of a closed set that parse from and print their names`` () =
    let pairedOutput loss =
        match Losses.PairedOutput loss with
        | Sigmoid -> "sigmoid"
        | Softmax -> "softmax"
        | other -> describe other
    Assert.Equal<string list>([ "mse"; "bce"; "cce" ], Losses.All |> Seq.map string |> List.ofSeq)
    Assert.Equal<string list>([ "linear"; "sigmoid"; "softmax" ], Losses.All |> Seq.map pairedOutput |> List.ofSeq)
    Assert.Equal(Losses.CategoricalCrossEntropy, Losses.Parse "cce")
    match Losses.Parse "bce" with
    | :? Loss.BinaryCrossEntropy -> ()
    | other -> failwithf "expected binary cross-entropy, got %O" other
    Assert.Equal(InitSchemes.LeCunUniform, InitSchemes.Parse "lecun-uniform")

[<Fact>]
let ``predictions and evaluation reports match on their task`` () =
    let classifier = modelOf (xorNet 42L) TaskKind.Classification [ "no"; "yes" ] Losses.BinaryCrossEntropy
    match Predictor.Predict(classifier, xorX) with
    | Classified(probabilities, classes) ->
        Assert.Equal((4, 2), (probabilities.Rows, probabilities.Cols))
        Assert.Equal(4, List.length classes)
        classes |> List.iter (fun c -> Assert.InRange(c, 0, 1))
    | Regressed _ -> failwith "a classifier predicts classes"
    | LabelSetsPredicted _ -> failwith "a classifier predicts one class per row"
    let regressor =
        modelOf (Init.Mlp(Key.FromSeed 1L, [ 2; 4; 1 ], Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal))
            TaskKind.Regression [] Losses.MeanSquaredError
    match Predictor.Predict(regressor, xorX) with
    | Regressed values -> Assert.Equal(4, List.length values)
    | Classified _
    | LabelSetsPredicted _ -> failwith "a regression model predicts values"
    let data = LoadedData("xor", immutable [ "x1"; "x2" ], xorX, "y", immutable [ "no"; "yes"; "yes"; "no" ], "")
    match EvalJob.Evaluate(classifier, data) with
    | ClassificationMetrics m ->
        Assert.Equal<string list>([ "no"; "yes" ], List.ofSeq m.Labels)
        Assert.Equal(4, m.Confusion.Counts |> Seq.sum)
    | RegressionMetrics _
    | MultilabelMetrics _ -> failwith "a classifier reports classification metrics"
    | NonFiniteOutput row -> failwithf "row %d is not finite" row

[<Fact>]
let ``a fit is a pipeline of curried functions, and its results match with total patterns`` () =
    let data = Synthetic.Blobs(Key.FromSeed 3L, 240, 3, 2, 0.5)
    let names = [| "a"; "b"; "c" |]
    let labels = data.Labels |> Seq.map (fun c -> names[c]) |> List.ofSeq
    let settings = FitSettings(Layers = [ 16 ], Epochs = 40, Seed = 2L, Optimizer = Optimizers.Adam 0.01)
    let model = labels |> Mlp.fit settings data.X
    let predicted = data.X |> Mlp.predictLabels model
    Assert.Equal(240, predicted.Length)
    let accuracy = Mlp.score model data.X labels
    Assert.True(accuracy > 0.9, sprintf "accuracy %g" accuracy)
    match Mlp.evaluate model data.X labels with
    | ClassificationMetrics m ->
        Assert.Equal(accuracy, m.Report.Accuracy)
        match m.Ranking with
        | OneVsRestRanking(auc, ap) ->
            Assert.Equal(3, auc.PerClass.Length)
            Assert.InRange(auc.Macro, 0.9, 1.0)
            Assert.InRange(ap.Weighted, 0.9, 1.0)
        | BinaryRanking _ -> failwith "three classes are scored one-vs-rest"
        | NoRanking -> failwith "a classifier of three classes has ranking scores"
    | RegressionMetrics _
    | MultilabelMetrics _ -> failwith "a classifier"
    | NonFiniteOutput row -> failwithf "row %d" row
    match Mlp.predict model data.X with
    | Classified(p, classes) -> Assert.Equal((240, 3), (p.Rows, p.Cols)); Assert.Equal(240, classes.Length)
    | Regressed _
    | LabelSetsPredicted _ -> failwith "a classifier"
    let describeLoss loss =
        match loss with
        | MeanSquaredError -> "mse"
        | BinaryCrossEntropy -> "bce"
        | CategoricalCrossEntropy -> "cce"
    Assert.Equal("cce", describeLoss model.Info.Loss)
    let rec rate schedule =
        match schedule with
        | ConstantRate r -> r
        | StepDecay(initial, _, _) | ExponentialDecay(initial, _) | CosineDecay(initial, _, _) -> initial
        | WarmupThen(_, after) -> rate after
    Assert.Equal(0.5, rate (Schedules.Cosine(0.5, 10L, 0.0)))
    Assert.Equal(0.5, rate (Schedules.Warmup(3L, Schedules.Cosine(0.5, 10L, 0.0))))
    match settings.Scaling with
    | StandardScaling -> ()
    | MinMaxScaling | NoScaling -> failwith "the default scaling standardises"

[<Fact>]
let ``a custom activation is two F# functions, checked by the gradient check`` () =
    let sigmoid z = 1.0 / (1.0 + exp -z)
    let swish = Activations.Custom("swish", (fun z -> z * sigmoid z), (fun z -> sigmoid z + z * sigmoid z * (1.0 - sigmoid z)))
    Assert.Equal("swish", describe swish)
    let net = Init.Mlp(Key.FromSeed 4L, [ 2; 6; 1 ], swish, Activations.Sigmoid, InitSchemes.XavierNormal)
    let check = GradientCheck.Run(net, xorX, xorY, bce, GradientCheckOptions.Default)
    Assert.True(check.Passed, string check)
    let wrong = Activations.Custom("swish", (fun z -> z * sigmoid z), sigmoid)
    let bad = Init.Mlp(Key.FromSeed 4L, [ 2; 6; 1 ], wrong, Activations.Sigmoid, InitSchemes.XavierNormal)
    Assert.Equal(GradientVerdict.Failed, GradientCheck.Run(bad, xorX, xorY, bce, GradientCheckOptions.Default).Verdict)

[<Fact>]
let ``row weights travel with the data, and class weights are a setting matched as a union`` () =
    let net = xorNet 3L
    let weighted = TrainingData(xorX, xorY).WithWeights(Vector.Of(1.0, 2.0, 2.0, 1.0))
    let g = Backprop.WeightedGradient(net, weighted, bce)
    assertClose (Losses.EvaluateWeighted(net, weighted, bce)) g.Loss
    // Unit weights are the unweighted objective, bit for bit.
    let ones = TrainingData(xorX, xorY).WithWeights(Vector.Fill(4, 1.0))
    Assert.Equal(Losses.Evaluate(net, xorX, xorY, bce), Losses.EvaluateWeighted(net, ones, bce))
    let state = Training.WeightedStep(TrainConfig.Of(bce, Optimizers.Adam 0.05), Training.Init(TrainConfig.Of(bce, Optimizers.Adam 0.05), net, Key.FromSeed 1L), weighted)
    Assert.Equal(1L, state.Step)
    let describe (w: ClassWeight) =
        match w with
        | :? ClassWeight.Balanced -> "balanced"
        | :? ClassWeight.Given as given -> given.Weights |> Seq.map (fun lw -> sprintf "%s:%g" lw.Label lw.Weight) |> String.concat " "
        | _ -> "?"
    Assert.Equal("balanced", describe (ClassWeight.Parse "balanced"))
    Assert.Equal("cat:2 dog:0.5", describe (ClassWeight.Of [ LabelWeight("cat", 2.0); LabelWeight("dog", 0.5) ]))
    let settings = FitSettings(Layers = [ 4 ], Epochs = 5, ClassWeight = ClassWeight.BalancedValue)
    let model = Model.Fit(xorX, [ "a"; "b"; "b"; "a" ], settings)
    Assert.Contains(model.Info.Training, fun s -> s.Name = "class_weights" && s.Value = "a=1,b=1")

[<Fact>]
let ``a multilabel model's prediction and report match their own cases`` () =
    // Two labels from the blobs' class: "a" for class 0 or 2, "b" for class 1 or 2 (so class 2 carries both).
    let data = Synthetic.Blobs(Key.FromSeed 4L, 240, 3, 2, 0.4)
    let sets = data.Labels |> Seq.map (fun c -> [| "a"; "b"; "a;b" |][c]) |> List.ofSeq
    let settings = FitSettings(Task = TaskKind.Multilabel, Layers = [ 16 ], Epochs = 60, Seed = 1L, Optimizer = Optimizers.Adam 0.01)
    let model = sets |> Mlp.fit settings data.X
    match Mlp.predict model data.X with
    | LabelSetsPredicted(probabilities, indicators) ->
        Assert.Equal((240, 2), (probabilities.Rows, probabilities.Cols))
        Assert.Equal((240, 2), (indicators.Rows, indicators.Cols))
    | Classified _
    | Regressed _ -> failwith "a multilabel model predicts label sets"
    match Mlp.evaluate model data.X sets with
    | MultilabelMetrics m ->
        Assert.Equal<string list>([ "a"; "b" ], List.ofSeq m.Labels)
        Assert.InRange(m.Report.SubsetAccuracy, 0.9, 1.0)
    | ClassificationMetrics _
    | RegressionMetrics _ -> failwith "a multilabel model reports multilabel metrics"
    | NonFiniteOutput row -> failwithf "row %d" row

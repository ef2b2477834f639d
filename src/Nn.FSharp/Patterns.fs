/// Total active patterns over Nn's closed sets and task-dependent results. A C# sealed-record hierarchy needs a
/// wildcard case in an F# match; these patterns confine it to one place, so every match written with them is checked
/// for exhaustiveness by the compiler: `match activation with Relu -> … | LeakyRelu slope -> … | …`.
[<AutoOpen>]
module Nn.FSharp.Patterns

open Nn
open Nn.Shell

let private unknown name (value: obj) = invalidArg name (sprintf "unknown case %O" value)

/// The activation's case; a leaky ReLU carries its slope, a custom activation (element-wise or row-wise) its name.
let (|Sigmoid|Tanh|Relu|LeakyRelu|Linear|Softmax|CustomActivation|) (activation: Activation) =
    match activation with
    | :? Activation.Sigmoid -> Sigmoid
    | :? Activation.Tanh -> Tanh
    | :? Activation.Relu -> Relu
    | :? Activation.LeakyRelu as l -> LeakyRelu l.Slope
    | :? Activation.Linear -> Linear
    | :? Activation.Softmax -> Softmax
    | :? Activation.Custom as c -> CustomActivation c.Label
    | :? Activation.CustomRows as r -> CustomActivation r.Label
    | other -> unknown (nameof activation) other

/// The loss's case.
let (|MeanSquaredError|BinaryCrossEntropy|CategoricalCrossEntropy|) (loss: Loss) =
    match loss with
    | :? Loss.MeanSquaredError -> MeanSquaredError
    | :? Loss.BinaryCrossEntropy -> BinaryCrossEntropy
    | :? Loss.CategoricalCrossEntropy -> CategoricalCrossEntropy
    | other -> unknown (nameof loss) other

/// The schedule's case with its parameters: constant rate, step decay (initial, factor, every), exponential (initial,
/// decay), cosine (initial, total steps, minimum), linear warm-up (steps, the schedule after it).
let (|ConstantRate|StepDecay|ExponentialDecay|CosineDecay|WarmupThen|) (schedule: Schedule) =
    match schedule with
    | :? Schedule.Constant as c -> ConstantRate c.Rate
    | :? Schedule.Step as s -> StepDecay(s.Initial, s.Factor, s.Every)
    | :? Schedule.Exponential as e -> ExponentialDecay(e.Initial, e.Decay)
    | :? Schedule.Cosine as c -> CosineDecay(c.Initial, c.TotalSteps, c.Minimum)
    | :? Schedule.Warmup as w -> WarmupThen(w.Steps, w.After)
    | other -> unknown (nameof schedule) other

/// The feature scaling's case.
let (|StandardScaling|MinMaxScaling|NoScaling|) (scaling: Scaling) =
    match scaling with
    | :? Scaling.Standard -> StandardScaling
    | :? Scaling.MinMax -> MinMaxScaling
    | :? Scaling.None -> NoScaling
    | other -> unknown (nameof scaling) other

/// A prediction: class probabilities (m × classes) and predicted class indices, regression values (the first target's;
/// `Prediction.Regression.Columns` holds every target's), or a multilabel model's per-label probabilities and 0/1
/// indicators (m × labels each).
let (|Classified|Regressed|LabelSetsPredicted|) (prediction: Prediction) =
    match prediction with
    | :? Prediction.Classification as c -> Classified(c.Probabilities, List.ofSeq c.Classes)
    | :? Prediction.Regression as r -> Regressed(List.ofSeq r.Values)
    | :? Prediction.Multilabel as m -> LabelSetsPredicted(m.Probabilities, m.Predicted)
    | other -> unknown (nameof prediction) other

/// An evaluation report: its classification, regression or multilabel metrics, or the first row whose output was not
/// finite.
let (|ClassificationMetrics|RegressionMetrics|MultilabelMetrics|NonFiniteOutput|) (report: EvalReport) =
    match report with
    | :? EvalReport.Classification as c -> ClassificationMetrics c.Metrics
    | :? EvalReport.Regression as r -> RegressionMetrics r.Metrics
    | :? EvalReport.Multilabel as m -> MultilabelMetrics m.Metrics
    | :? EvalReport.NonFinite as f -> NonFiniteOutput f.Row
    | other -> unknown (nameof report) other

/// A classifier's ranking scores: (ROC AUC, average precision) of the second class for two classes, or each class
/// against the rest (per class, macro and support-weighted) for more; none for a single class.
let (|BinaryRanking|OneVsRestRanking|NoRanking|) (ranking: RankingSummary | null) =
    match ranking with
    | null -> NoRanking
    | :? RankingSummary.Binary as b -> BinaryRanking(b.RocAuc, b.AveragePrecision)
    | :? RankingSummary.OneVsRest as o -> OneVsRestRanking(o.RocAuc, o.AveragePrecision)
    | other -> unknown (nameof ranking) other

/// An epoch's validation summary: (loss, accuracy), (loss, R²), or none (an epoch without validation data).
let (|ClassificationSummary|RegressionSummary|NoValidation|) (summary: EvaluationSummary | null) =
    match summary with
    | null -> NoValidation
    | :? EvaluationSummary.Classification as c -> ClassificationSummary(c.Loss, c.Accuracy)
    | :? EvaluationSummary.Regression as r -> RegressionSummary(r.Loss, r.R2)
    | other -> unknown (nameof summary) other

/// The one-call fit as curried functions, settings first and data last, for pipelines:
/// `let model = Mlp.fit settings x labels` then `xTest |> Mlp.predictLabels model`.
module Nn.FSharp.Mlp

open Nn
open Nn.Shell

/// Fits a model on features (m × n) and targets (m class labels, text or numbers, or regression values), as
/// `nn train` fits a file (see `Model.Fit`).
let fit (settings: FitSettings) (features: Matrix) (targets: seq<'T>) : Model =
    Model.Fit(features, Array.ofSeq targets, settings)

/// The prediction for raw features: class probabilities and indices, or values (match with `Classified`/`Regressed`/`LabelSetsPredicted`).
let predict (model: Model) (features: Matrix) : Prediction = model.Predict features

/// The predicted label of each row, as a list (classification).
let predictLabels (model: Model) (features: Matrix) : string list = model.PredictLabels features |> List.ofSeq

/// The class probabilities (m × classes, columns in the order of the model's labels).
let predictProbabilities (model: Model) (features: Matrix) : Matrix = model.PredictProbabilities features

/// Every metric `nn eval` reports (match with `ClassificationMetrics`/`RegressionMetrics`/`MultilabelMetrics`/`NonFiniteOutput`).
let evaluate (model: Model) (features: Matrix) (targets: seq<'T>) : EvalReport = model.Evaluate(features, Array.ofSeq targets)

/// The accuracy of a classifier, R² of a regressor (scikit-learn's `score`).
let score (model: Model) (features: Matrix) (targets: seq<'T>) : float = model.Score(features, Array.ofSeq targets)

/// Writes the model file; returns the model, so it can end a pipeline.
let save (path: string) (model: Model) : Model =
    model.Save path
    model

/// Reads a model file.
let load (path: string) : Model = Model.Load path

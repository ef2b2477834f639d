using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>Classification metrics of a model on labelled data.</summary>
/// <param name="Labels">The class names, in class-index order.</param>
/// <param name="Report">Per-class and averaged precision, recall and F1.</param>
/// <param name="Confusion">The confusion matrix (rows: true class, columns: predicted).</param>
/// <param name="Top2Accuracy">The fraction of examples whose class is among the two most probable (1 by definition with two classes or fewer: see <see cref="HasTop2Accuracy"/>).</param>
/// <param name="Calibration">The expected calibration error over 10 equal-width bins, with its table.</param>
/// <param name="LogLoss">The mean negative log-probability of the true class (clipped at 1e-15).</param>
public sealed record ClassificationMetrics(ImmutableArray<string> Labels, ClassificationReport Report, ConfusionMatrix Confusion,
    double Top2Accuracy, CalibrationReport Calibration, double LogLoss)
{
    /// <summary>
    /// The ROC AUC and average precision of the probabilities (see <see cref="Nn.Ranking.Summary"/>): binary for two
    /// classes, one-vs-rest for more; null for a single class, or when the metrics were built without them.
    /// </summary>
    public RankingSummary? Ranking { get; init; }

    /// <summary>
    /// Whether <see cref="Top2Accuracy"/> says anything: only with more than two classes (with two or fewer it is 1 by
    /// definition), so <c>nn eval</c> shows it only then.
    /// </summary>
    public bool HasTop2Accuracy => Labels.Length > 2;

    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Sequence equality of the labels.</summary>
    public bool Equals(ClassificationMetrics? other) =>
        other is not null && Labels.SequenceEqual(other.Labels) && Report == other.Report && Confusion == other.Confusion
        && Top2Accuracy.Equals(other.Top2Accuracy) && Calibration == other.Calibration && LogLoss.Equals(other.LogLoss) && Ranking == other.Ranking;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Report, Confusion);
}

/// <summary>Regression metrics in the target's original units.</summary>
/// <param name="R2">The coefficient of determination.</param>
/// <param name="Mse">The mean squared error.</param>
/// <param name="Rmse">The root mean squared error.</param>
/// <param name="Mae">The mean absolute error.</param>
public sealed record RegressionMetrics(double R2, double Mse, double Rmse, double Mae)
{
    /// <summary>R², MSE, RMSE and MAE of <paramref name="predicted"/> against <paramref name="actual"/>, truth first.</summary>
    public static RegressionMetrics Of(Vector actual, Vector predicted) => new(
        Nn.Regression.RSquared(actual, predicted), Nn.Regression.MeanSquaredError(actual, predicted),
        Nn.Regression.RootMeanSquaredError(actual, predicted), Nn.Regression.MeanAbsoluteError(actual, predicted));

    /// <summary>The mean of each metric over <paramref name="targets"/> (scikit-learn's <c>multioutput='uniform_average'</c>; the RMSE is the mean of the per-target RMSEs).</summary>
    public static RegressionMetrics Mean(IReadOnlyList<RegressionMetrics> targets) => new(
        targets.Average(t => t.R2), targets.Average(t => t.Mse), targets.Average(t => t.Rmse), targets.Average(t => t.Mae));
}

/// <summary>A multilabel model's metrics: subset accuracy, Hamming loss and the per-label report (see <see cref="Nn.Multilabel"/>).</summary>
/// <param name="Labels">The label names, in output order.</param>
/// <param name="Report">The scores at a threshold of 0.5 on each label's probability.</param>
public sealed record MultilabelMetrics(ImmutableArray<string> Labels, MultilabelReport Report)
{
    /// <summary>Prints every property, collections by their first items.</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Sequence equality of the labels.</summary>
    public bool Equals(MultilabelMetrics? other) => other is not null && Labels.SequenceEqual(other.Labels) && Report == other.Report;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Labels.Length, Report);
}

/// <summary>One target's regression metrics in a multi-output regression.</summary>
/// <param name="Target">The target column.</param>
/// <param name="Metrics">Its R², MSE, RMSE and MAE in its original units.</param>
public sealed record TargetMetrics(string Target, RegressionMetrics Metrics);

/// <summary>
/// What <c>nn eval</c> reports: the task, the number of examples and the task's metrics. Match on the cases:
/// <see cref="Classification"/>, <see cref="Regression"/>, or <see cref="NonFinite"/> when a model output is NaN or
/// infinite (the metrics would be meaningless, so there are none).
/// </summary>
public abstract record EvalReport
{
    private EvalReport(TaskKind task, int n)
    {
        Task = task;
        N = n;
    }

    /// <summary>Classification or regression (the model's task).</summary>
    public TaskKind Task { get; }

    /// <summary>The number of examples.</summary>
    public int N { get; }

    /// <summary>A classifier's metrics.</summary>
    /// <param name="N">The number of examples.</param>
    /// <param name="Metrics">Accuracy, precision, recall, F1, calibration, log loss and the confusion matrix.</param>
    public sealed record Classification(int N, ClassificationMetrics Metrics) : EvalReport(TaskKind.Classification, N);

    /// <summary>A regression model's metrics.</summary>
    /// <param name="N">The number of examples.</param>
    /// <param name="Metrics">R², MSE, RMSE and MAE in the target's original units.</param>
    public sealed record Regression(int N, RegressionMetrics Metrics) : EvalReport(TaskKind.Regression, N)
    {
        /// <summary>
        /// A multi-output regression's metrics per target, in output order (<see cref="Metrics"/> is then their mean); empty
        /// for one target.
        /// </summary>
        public ImmutableArray<TargetMetrics> PerTarget { get; init; } = [];

        /// <summary>Value equality, with the per-target metrics compared element by element.</summary>
        public bool Equals(Regression? other) =>
            other is not null && N == other.N && Metrics == other.Metrics && PerTarget.SequenceEqual(other.PerTarget);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(N, Metrics, PerTarget.Length);

        /// <summary>The number of examples, the (mean) metrics and the per-target metrics.</summary>
        public override string ToString() => $"Regression {{ N = {N}, Metrics = {Metrics}, PerTarget = {Format.Items(PerTarget)} }}";
    }

    /// <summary>A multilabel model's metrics.</summary>
    /// <param name="N">The number of examples.</param>
    /// <param name="Metrics">Subset accuracy, Hamming loss, micro/macro/weighted F1 and the per-label report.</param>
    public sealed record Multilabel(int N, MultilabelMetrics Metrics) : EvalReport(TaskKind.Multilabel, N);

    /// <summary>A model whose output is NaN or infinite on some row (e.g. huge weights that overflow): no metrics.</summary>
    /// <param name="Task">Classification or regression.</param>
    /// <param name="N">The number of examples.</param>
    /// <param name="Row">The 0-based index of the first row whose output (a probability or a predicted value) is not finite.</param>
    public sealed record NonFinite(TaskKind Task, int N, int Row) : EvalReport(Task, N);

    /// <summary>
    /// One JSON object with exactly the keys <c>task, n</c> and, for classification, <c>accuracy, precision_macro,
    /// recall_macro, f1_macro, f1_micro, f1_weighted, precision_weighted, recall_weighted</c>, <c>top2_accuracy</c> (only
    /// with more than two classes: the key is omitted otherwise), the ranking scores (two classes: <c>roc_auc,
    /// average_precision</c> of the second label; more: <c>roc_auc_ovr_macro, roc_auc_ovr_weighted,
    /// average_precision_ovr_macro, average_precision_ovr_weighted</c>), <c>ece, log_loss</c>, <c>per_class</c> (an array
    /// with one object per class in label order: <c>label, precision, recall, f1, support</c>, and with more than two
    /// classes <c>roc_auc, average_precision</c> of that class against the rest) and <c>confusion_matrix</c> (an array of
    /// rows); or for regression <c>r2, mse, rmse, mae</c> (with several targets: their means, and <c>per_target</c>, an array
    /// with one object per target in output order: <c>target, r2, mse, rmse, mae</c>); or for multilabel <c>subset_accuracy,
    /// hamming_loss, f1_micro, f1_macro, f1_weighted, precision_micro, recall_micro, precision_macro, recall_macro</c> and
    /// <c>per_label</c> (one object per label: <c>label, precision, recall, f1, support</c>). A metric that is NaN or infinite (e.g. an MSE that overflows, an
    /// AUC with one class absent) is written as <c>null</c> (see <see cref="JsonNumber"/>). A <see cref="NonFinite"/>
    /// report has no metrics, and <c>non_finite_row</c> is its row's 1-based number.
    /// </summary>
    public string ToJson(bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            WriteFields(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes this report's fields into an object that the caller has opened.</summary>
    public void WriteFields(Utf8JsonWriter w)
    {
        w.WriteString("task", TaskKinds.Name(Task));
        w.WriteNumber("n", N);
        switch (this)
        {
            case NonFinite f:
                w.WriteNumber("non_finite_row", f.Row + 1);
                break;
            case Classification { Metrics: var c }:
                WriteFields(w, c);
                break;
            case Multilabel { Metrics: var m }:
                WriteFields(w, m);
                break;
            case Regression { Metrics: var r } g:
                JsonNumber.Write(w, "r2", r.R2);
                JsonNumber.Write(w, "mse", r.Mse);
                JsonNumber.Write(w, "rmse", r.Rmse);
                JsonNumber.Write(w, "mae", r.Mae);
                if (!g.PerTarget.IsDefaultOrEmpty)
                {
                    w.WriteStartArray("per_target");
                    foreach (var t in g.PerTarget)
                    {
                        w.WriteStartObject();
                        w.WriteString("target", t.Target);
                        JsonNumber.Write(w, "r2", t.Metrics.R2);
                        JsonNumber.Write(w, "mse", t.Metrics.Mse);
                        JsonNumber.Write(w, "rmse", t.Metrics.Rmse);
                        JsonNumber.Write(w, "mae", t.Metrics.Mae);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                break;
            default:
                throw new InvalidOperationException("Unknown evaluation report case.");
        }
    }

    private static void WriteFields(Utf8JsonWriter w, MultilabelMetrics m)
    {
        var r = m.Report.PerLabel;
        JsonNumber.Write(w, "subset_accuracy", m.Report.SubsetAccuracy);
        JsonNumber.Write(w, "hamming_loss", m.Report.HammingLoss);
        JsonNumber.Write(w, "f1_micro", r.Micro.F1);
        JsonNumber.Write(w, "f1_macro", r.Macro.F1);
        JsonNumber.Write(w, "f1_weighted", r.Weighted.F1);
        JsonNumber.Write(w, "precision_micro", r.Micro.Precision);
        JsonNumber.Write(w, "recall_micro", r.Micro.Recall);
        JsonNumber.Write(w, "precision_macro", r.Macro.Precision);
        JsonNumber.Write(w, "recall_macro", r.Macro.Recall);
        w.WriteStartArray("per_label");
        for (var k = 0; k < m.Labels.Length; k++)
        {
            w.WriteStartObject();
            w.WriteString("label", m.Labels[k]);
            JsonNumber.Write(w, "precision", r.Precision[k]);
            JsonNumber.Write(w, "recall", r.Recall[k]);
            JsonNumber.Write(w, "f1", r.F1[k]);
            w.WriteNumber("support", r.Support[k]);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteFields(Utf8JsonWriter w, ClassificationMetrics c)
    {
        {
            JsonNumber.Write(w, "accuracy", c.Report.Accuracy);
            JsonNumber.Write(w, "precision_macro", c.Report.Macro.Precision);
            JsonNumber.Write(w, "recall_macro", c.Report.Macro.Recall);
            JsonNumber.Write(w, "f1_macro", c.Report.Macro.F1);
            JsonNumber.Write(w, "f1_micro", c.Report.Micro.F1);
            JsonNumber.Write(w, "f1_weighted", c.Report.Weighted.F1);
            JsonNumber.Write(w, "precision_weighted", c.Report.Weighted.Precision);
            JsonNumber.Write(w, "recall_weighted", c.Report.Weighted.Recall);
            if (c.HasTop2Accuracy) JsonNumber.Write(w, "top2_accuracy", c.Top2Accuracy);
            switch (c.Ranking)
            {
                case RankingSummary.Binary b:
                    JsonNumber.Write(w, "roc_auc", b.RocAuc);
                    JsonNumber.Write(w, "average_precision", b.AveragePrecision);
                    break;
                case RankingSummary.OneVsRest o:
                    JsonNumber.Write(w, "roc_auc_ovr_macro", o.RocAuc.Macro);
                    JsonNumber.Write(w, "roc_auc_ovr_weighted", o.RocAuc.Weighted);
                    JsonNumber.Write(w, "average_precision_ovr_macro", o.AveragePrecision.Macro);
                    JsonNumber.Write(w, "average_precision_ovr_weighted", o.AveragePrecision.Weighted);
                    break;
            }
            JsonNumber.Write(w, "ece", c.Calibration.Ece);
            JsonNumber.Write(w, "log_loss", c.LogLoss);
            w.WriteStartArray("per_class");
            for (var k = 0; k < c.Labels.Length; k++)
            {
                w.WriteStartObject();
                w.WriteString("label", c.Labels[k]);
                JsonNumber.Write(w, "precision", c.Report.Precision[k]);
                JsonNumber.Write(w, "recall", c.Report.Recall[k]);
                JsonNumber.Write(w, "f1", c.Report.F1[k]);
                w.WriteNumber("support", c.Report.Support[k]);
                if (c.Ranking is RankingSummary.OneVsRest ovr)
                {
                    JsonNumber.Write(w, "roc_auc", ovr.RocAuc.PerClass[k]);
                    JsonNumber.Write(w, "average_precision", ovr.AveragePrecision.PerClass[k]);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("confusion_matrix");
            foreach (var row in c.Confusion.ToRows())
            {
                w.WriteStartArray();
                foreach (var v in row) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
    }
}

/// <summary>The <c>nn eval</c> job: a model's metrics on labelled data.</summary>
public static class EvalJob
{
    /// <summary>Reads <paramref name="dataPath"/> for the model (its target column is required) and evaluates.</summary>
    public static EvalReport Run(Model model, string dataPath, string? labelsPath, string? target) =>
        Evaluate(model, Read(model, dataPath, labelsPath, target));

    /// <summary>
    /// Reads labelled data for <paramref name="model"/>: its features by name and its target column (<paramref name="target"/>
    /// renames it), or every target column of a model with several (<see cref="ModelInfo.TargetNames"/>).
    /// </summary>
    /// <exception cref="DataFileException">When features or targets are missing or malformed.</exception>
    /// <exception cref="ArgumentException">When <paramref name="target"/> is given for a model with several targets.</exception>
    public static LoadedData Read(Model model, string dataPath, string? labelsPath, string? target)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Info.TargetNames.IsDefaultOrEmpty)
            return DataSource.ForModel(dataPath, labelsPath, model.Info.FeatureNames, target ?? model.Info.TargetName, requireTarget: true);
        if (target is not null)
            throw new ArgumentException($"--target: the model has {model.Info.TargetNames.Length} targets ({string.Join(", ", model.Info.TargetNames)}), read from the columns of those names.");
        return DataSource.ForModelTargets(dataPath, model.Info.FeatureNames, model.Info.TargetNames, requireTarget: true);
    }

    /// <summary>
    /// Evaluates a model on loaded data with targets. Outputs that are not finite (e.g. a model with huge weights that
    /// overflow) do not throw: the report is then <see cref="EvalReport.NonFinite"/>, with no metrics (they would be
    /// meaningless), and callers decide.
    /// </summary>
    /// <exception cref="DataFileException">When a label was never seen in training, or a regression target is not a number.</exception>
    public static EvalReport Evaluate(Model model, LoadedData data, ComputeOptions? compute = null)
    {
        if (!data.HasTarget) throw new DataFileException(data.Source, 0, 0, $"expected a target column '{model.Info.TargetName}'.");
        var prediction = Predictor.Predict(model, data.Features, compute);
        if (prediction is Prediction.Multilabel multilabel)
        {
            var labels = LabelSetData.Encode(data, model.Info.LabelSeparator ?? LabelSets.DefaultSeparator, model.Info.Labels);
            if (FirstNonFiniteRow(prediction) is { } bad) return new EvalReport.NonFinite(model.Info.Task, data.Count, bad);
            var indicators = Matrix.Create(labels.Rows, labels.Width, labels.Values);
            return new EvalReport.Multilabel(data.Count, new MultilabelMetrics(model.Info.Labels, Nn.Multilabel.Report(indicators, multilabel.Predicted)));
        }
        if (prediction is Prediction.Regression { Columns: { } columns })
        {
            var actual = data.TargetValues ?? throw new DataFileException(data.Source, 0, 0, $"expected the target columns {string.Join(", ", model.Info.Targets)}.");
            if (actual.Cols != columns.Cols) throw new DataFileException(data.Source, 0, 0, $"has {actual.Cols} target columns, the model predicts {columns.Cols}.");
            if (FirstNonFiniteRow(prediction) is { } bad) return new EvalReport.NonFinite(model.Info.Task, data.Count, bad);
            ImmutableArray<TargetMetrics> perTarget = [.. model.Info.Targets.Select((name, c) => new TargetMetrics(name, RegressionMetrics.Of(
                Vector.Create([.. Enumerable.Range(0, actual.Rows).Select(r => actual[r, c])]),
                Vector.Create([.. Enumerable.Range(0, columns.Rows).Select(r => columns[r, c])]))))];
            return new EvalReport.Regression(data.Count, RegressionMetrics.Mean([.. perTarget.Select(t => t.Metrics)])) { PerTarget = perTarget };
        }
        var truth = model.Info.Task == TaskKind.Regression ? data.EncodeTarget(TaskKind.Regression) : data.EncodeTarget(model.Info.Labels);
        if (FirstNonFiniteRow(prediction) is { } row) return new EvalReport.NonFinite(model.Info.Task, data.Count, row);
        switch (prediction)
        {
            case Prediction.Regression p:
            {
                return new EvalReport.Regression(data.Count, RegressionMetrics.Of(Vector.Create(truth.Values), Vector.Create(p.Values)));
            }
            case Prediction.Classification p:
            {
                var k = model.Info.Labels.Length;
                var confusion = Nn.Classification.Confusion(truth.ClassIndices, p.Classes, k);
                return new EvalReport.Classification(data.Count, new ClassificationMetrics(model.Info.Labels,
                    Nn.Classification.Report(confusion), confusion,
                    Nn.Classification.TopKAccuracy(truth.ClassIndices, p.Probabilities, Math.Min(2, k)),
                    Calibration.ExpectedCalibrationError(truth.ClassIndices, p.Probabilities, 10),
                    Nn.Classification.LogLoss(truth.ClassIndices, p.Probabilities))
                {
                    Ranking = k >= 2 ? Nn.Ranking.Summary(truth.ClassIndices, p.Probabilities) : null,
                });
            }
            default:
                throw new InvalidOperationException("Unknown prediction case.");
        }
    }

    /// <summary>The first row with a NaN or infinite probability or value, or null.</summary>
    private static int? FirstNonFiniteRow(Prediction prediction)
    {
        for (var r = 0; r < prediction.Count; r++)
            if (Predictor.FirstNonFinite(prediction, r) is not null) return r;
        return null;
    }
}

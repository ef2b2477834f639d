using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// Renders a <see cref="ReportInput"/> as one self-contained HTML page: inline CSS, inline SVG charts drawn by this
/// project, and a small inline script that checks every chart rendered and says so in the page title. Nothing is
/// fetched from the network; the output is a pure function of the input (no clock, no host, no random ids).
/// </summary>
public static class HtmlReport
{
    /// <summary>
    /// The page, which parses as XML. Sections (by id): <c>summary</c>, <c>configuration</c>, <c>loss</c>,
    /// <c>metric</c> and <c>training-metrics</c> (with a history: the training loss and the validation metrics of the
    /// best and last epochs), <c>metrics</c> (evaluation), <c>classes</c>, <c>confusion</c>, <c>reliability</c>,
    /// <c>roc</c> and <c>precision-recall</c> (classification evaluation; the curves need the evaluated data with its
    /// targets), <c>regions</c> (2-feature classification data), <c>regression</c> (regression data).
    /// All user text (labels, feature and file names, settings) is escaped.
    /// </summary>
    public static string Render(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = input.Model;
        var info = model.Info;
        var charts = 0;
        var body = new StringBuilder();
        void Section(string id, string heading, string content, string? note = null)
        {
            body.Append("<section id=\"").Append(id).Append("\">\n<h2>").Append(Markup.Escape(heading)).Append("</h2>\n");
            if (note is not null) body.Append("<p class=\"note\">").Append(Markup.Escape(note)).Append("</p>\n");
            body.Append(content).Append("\n</section>\n");
        }
        // A chart's section: the SVG carries its own title, the note becomes the caption.
        void ChartSection(string id, string svg, string? note = null)
        {
            charts++;
            body.Append("<section id=\"").Append(id).Append("\" class=\"chart-section\">\n<figure>").Append(svg);
            if (note is not null) body.Append("\n<figcaption>").Append(Markup.Escape(note)).Append("</figcaption>");
            body.Append("</figure>\n</section>\n");
        }

        Section("summary", "Summary", Table([.. Summary(input)]));
        Section("configuration", "Configuration", Table([.. info.Training.Select(s => (s.Name, s.Value))]),
            "The training settings recorded in the model file; the same data, settings and seed give the same bits.");

        if (input.History is { Epochs.Length: > 0 } h)
        {
            var epochs = h.Epochs.Select(e => (double)e.Epoch).ToArray();
            var loss = new List<Series> { new("training loss", epochs, [.. h.Epochs.Select(e => e.TrainLoss)]) };
            if (h.Epochs.Any(e => e.Validation is not null))
                loss.Add(new Series("validation loss", epochs, [.. h.Epochs.Select(e => e.Validation?.Loss ?? double.NaN)], Dashed: true));
            ChartSection("loss", LineChart.Render("Loss per epoch", "epoch", "loss J", loss, h.BestEpoch, $"best epoch {h.BestEpoch}"),
                "The objective J (mean loss over the examples plus the L2 penalty); for mse it is half the mean squared error.");
            var accuracy = h.Epochs.Select(e => e.Validation is EvaluationSummary.Classification c ? c.Accuracy : double.NaN).ToArray();
            var r2 = h.Epochs.Select(e => e.Validation is EvaluationSummary.Regression r ? r.R2 : double.NaN).ToArray();
            if (accuracy.Any(double.IsFinite))
                ChartSection("metric", LineChart.Render("Validation accuracy per epoch", "epoch", "accuracy", [new("validation accuracy", epochs, accuracy)], h.BestEpoch, $"best epoch {h.BestEpoch}"),
                    "The fraction of the validation examples classified correctly after each epoch.");
            else if (r2.Any(double.IsFinite))
                ChartSection("metric", LineChart.Render("Validation R² per epoch", "epoch", "R²", [new("validation R²", epochs, r2)], h.BestEpoch, $"best epoch {h.BestEpoch}"),
                    "The coefficient of determination on the validation examples (in standardised target units) after each epoch.");
            Section("training-metrics", "Training metrics", Table([.. TrainingMetrics(h)]),
                "From the training history: the objective J on the training data, and the validation metrics when a validation split was held out.");
        }

        if (input.Evaluation is { } ev)
        {
            Section("metrics", $"Metrics on {input.DataName}", Table([.. Metrics(ev)]));
            if (ev is EvalReport.Classification { Metrics: var c })
            {
                Section("classes", "Per class", PerClassTable(c),
                    "Precision, recall, F1 and support of each class with their macro and support-weighted averages (scikit-learn's classification_report)"
                    + (c.Ranking is RankingSummary.OneVsRest ? ", and each class's ROC AUC and average precision against the rest." : "."));
                ChartSection("confusion", HeatMap.Render("Confusion matrix", c.Confusion, c.Labels),
                    "Rows are the true classes, columns the predicted ones; shading is the share of the row.");
                ChartSection("reliability", ReliabilityChart.Render(c.Calibration),
                    FormattableString.Invariant($"Confidence of the predicted class against how often it is right, in {c.Calibration.Bins.Length} equal-width bins (counts above the bars). ECE = Σ (n_b/m)·|acc_b − conf_b| = {c.Calibration.Ece:0.0000}."));
                if (RankingCurves(model, input.Data, c) is { } curves)
                {
                    var thinned = curves.Points > CurveChart.MaxPoints ? $" Drawn through {CurveChart.MaxPoints} evenly spaced points of each curve." : "";
                    ChartSection("roc", CurveChart.Render("ROC curve", "false positive rate", "true positive rate", curves.Roc, "chance"),
                        $"{curves.Kind}: the true against the false positive rate as the threshold falls through every distinct score.{thinned}");
                    ChartSection("precision-recall", CurveChart.Render("Precision–recall curve", "recall", "precision", curves.PrecisionRecall, null),
                        $"{curves.Kind}: precision against recall as the threshold falls; average precision = Σ (Rₙ − Rₙ₋₁)·Pₙ.{thinned}");
                }
            }
        }

        if (input.Data is { Count: > 0 } data)
        {
            if (info.Task == TaskKind.Classification && data.Features.Cols == 2)
                ChartSection("regions", RegionChart.Render(model, data.Features, ReportJob.TrueClasses(info, data)),
                    $"The predicted class over a {RegionChart.Resolution}×{RegionChart.Resolution} grid (darker = more confident), with the points of {input.DataName} coloured by their true class.");
            if (info.Task == TaskKind.Regression && data.TargetValues is { } actuals && Predictor.Predict(model, data.Features) is Prediction.Regression { Columns: { } columns })
            {
                for (var k = 0; k < columns.Cols && k < actuals.Cols; k++)
                    ChartSection(k == 0 ? "regression" : $"regression-{k + 1}", ScatterChart.Render(info.Targets[k], Column(actuals, k), Column(columns, k)),
                        $"Target {info.Targets[k]}: each point is one example of {input.DataName}; points on the dashed diagonal are predicted exactly.");
            }
            else if (info.Task == TaskKind.Regression && data.HasTarget && Predictor.Predict(model, data.Features) is Prediction.Regression { Values: var predicted })
            {
                var actual = data.TargetCells.Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
                ChartSection("regression", ScatterChart.Render(info.TargetName, actual, predicted),
                    $"Each point is one example of {input.DataName}; points on the dashed diagonal are predicted exactly.");
            }
        }

        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append("<title>").Append(Markup.Escape(input.Title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n")
            .Append("<body data-charts=\"").Append(charts.ToString(CultureInfo.InvariantCulture)).Append("\">\n<header>\n<h1>")
            .Append(Markup.Escape(input.Title)).Append("</h1>\n<p class=\"sub\">").Append(Markup.Escape(model.Network.ToString()))
            .Append(" · seed ").Append(Markup.Escape(Seed(info))).Append("</p>\n</header>\n<main>\n")
            .Append(body).Append("</main>\n<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        return page.ToString();
    }

    private static double[] Column(Matrix m, int c) => [.. Enumerable.Range(0, m.Rows).Select(r => m[r, c])];

    private static IEnumerable<(string, string)> Summary(ReportInput input)
    {
        var info = input.Model.Info;
        yield return ("task", TaskKinds.Name(info.Task));
        yield return ("network", input.Model.Network.ToString());
        yield return ("seed", Seed(info));
        yield return ("features", string.Join(", ", info.FeatureNames));
        yield return info.TargetNames.IsDefaultOrEmpty ? ("target", info.TargetName) : ("targets", string.Join(", ", info.TargetNames));
        if (!info.Labels.IsEmpty) yield return ("labels", string.Join(", ", info.Labels));
        if (input.History is { } h)
        {
            yield return ("epochs run", h.Epochs.Length.ToString(CultureInfo.InvariantCulture));
            yield return ("best epoch", h.BestEpoch.ToString(CultureInfo.InvariantCulture));
            if (!h.Epochs.IsEmpty) yield return ("final training loss", Markup.Metric(h.Epochs[^1].TrainLoss));
        }
        if (input.Data is not null) yield return ("data shown", input.DataName);
        yield return ("training data sha256", info.DataSha256.Length == 0 ? "unknown" : info.DataSha256);
        yield return ("parameters sha256", ModelFile.ParametersSha256(input.Model.Network));
    }

    private static IEnumerable<(string, string)> Metrics(EvalReport ev)
    {
        yield return ("examples", ev.N.ToString(CultureInfo.InvariantCulture));
        if (ev is EvalReport.Classification { Metrics: var c })
        {
            yield return ("accuracy", Markup.Metric(c.Report.Accuracy));
            yield return ("precision (macro)", Markup.Metric(c.Report.Macro.Precision));
            yield return ("recall (macro)", Markup.Metric(c.Report.Macro.Recall));
            yield return ("F1 (macro / micro / weighted)", $"{Markup.Metric(c.Report.Macro.F1)} / {Markup.Metric(c.Report.Micro.F1)} / {Markup.Metric(c.Report.Weighted.F1)}");
            if (c.HasTop2Accuracy) yield return ("top-2 accuracy", Markup.Metric(c.Top2Accuracy));
            switch (c.Ranking)
            {
                case RankingSummary.Binary b:
                    yield return ($"ROC AUC ({c.Labels[1]} positive)", Markup.Metric(b.RocAuc));
                    yield return ($"average precision ({c.Labels[1]} positive)", Markup.Metric(b.AveragePrecision));
                    break;
                case RankingSummary.OneVsRest o:
                    yield return ("ROC AUC (one-vs-rest, macro / weighted)", $"{Markup.Metric(o.RocAuc.Macro)} / {Markup.Metric(o.RocAuc.Weighted)}");
                    yield return ("average precision (one-vs-rest, macro / weighted)", $"{Markup.Metric(o.AveragePrecision.Macro)} / {Markup.Metric(o.AveragePrecision.Weighted)}");
                    break;
            }
            yield return ("expected calibration error", Markup.Metric(c.Calibration.Ece));
            yield return ("log loss", Markup.Metric(c.LogLoss));
        }
        if (ev is EvalReport.Multilabel { Metrics: var ml })
        {
            var pl = ml.Report.PerLabel;
            yield return ("subset accuracy", Markup.Metric(ml.Report.SubsetAccuracy));
            yield return ("Hamming loss", Markup.Metric(ml.Report.HammingLoss));
            yield return ("F1 (micro / macro / weighted)", $"{Markup.Metric(pl.Micro.F1)} / {Markup.Metric(pl.Macro.F1)} / {Markup.Metric(pl.Weighted.F1)}");
            for (var k = 0; k < ml.Labels.Length; k++)
                yield return ($"{ml.Labels[k]}: precision / recall / F1 (support)",
                    $"{Markup.Metric(pl.Precision[k])} / {Markup.Metric(pl.Recall[k])} / {Markup.Metric(pl.F1[k])} ({pl.Support[k].ToString(CultureInfo.InvariantCulture)})");
        }
        if (ev is EvalReport.Regression { Metrics: var r } g)
        {
            var mean = g.PerTarget.IsDefaultOrEmpty ? "" : " (mean over targets)";
            yield return ("R²" + mean, Markup.Metric(r.R2));
            yield return ("MSE" + mean, Markup.Metric(r.Mse));
            yield return ("RMSE" + mean, Markup.Metric(r.Rmse));
            yield return ("MAE" + mean, Markup.Metric(r.Mae));
            foreach (var t in g.PerTarget.IsDefault ? [] : g.PerTarget)
                yield return ($"{t.Target}: R² / MSE / RMSE / MAE",
                    $"{Markup.Metric(t.Metrics.R2)} / {Markup.Metric(t.Metrics.Mse)} / {Markup.Metric(t.Metrics.Rmse)} / {Markup.Metric(t.Metrics.Mae)}");
        }
    }

    private static IEnumerable<(string, string)> TrainingMetrics(History h)
    {
        var best = h.Epochs.FirstOrDefault(e => e.Epoch == h.BestEpoch) ?? h.Epochs[^1];
        var last = h.Epochs[^1];
        var epochs = best == last ? [(best, "best and last epoch")] : new[] { (best, "best epoch"), (last, "last epoch") };
        foreach (var (e, which) in epochs)
        {
            var at = $"{which}, {e.Epoch.ToString(CultureInfo.InvariantCulture)}";
            yield return ($"training loss ({at})", Markup.Metric(e.TrainLoss));
            if (e.Validation is { } v) yield return ($"validation loss ({at})", Markup.Metric(v.Loss));
            if (e.Validation is EvaluationSummary.Classification c) yield return ($"validation accuracy ({at})", Markup.Metric(c.Accuracy));
            if (e.Validation is EvaluationSummary.Regression r) yield return ($"validation R² ({at})", Markup.Metric(r.R2));
        }
    }

    private static string PerClassTable(ClassificationMetrics c)
    {
        var r = c.Report;
        var ovr = c.Ranking as RankingSummary.OneVsRest;
        var sb = new StringBuilder("<table class=\"grid\">\n<tr><th></th><th>precision</th><th>recall</th><th>F1</th><th>support</th>");
        if (ovr is not null) sb.Append("<th>ROC AUC</th><th>AP</th>");
        sb.Append("</tr>\n");
        void Row(string name, double p, double rc, double f1, int support, double? auc, double? ap)
        {
            sb.Append("<tr><th>").Append(Markup.Escape(name)).Append("</th>");
            foreach (var v in new[] { Markup.Metric(p), Markup.Metric(rc), Markup.Metric(f1), support.ToString(CultureInfo.InvariantCulture) })
                sb.Append("<td>").Append(Markup.Escape(v)).Append("</td>");
            if (ovr is not null) sb.Append("<td>").Append(Markup.Metric(auc ?? double.NaN)).Append("</td><td>").Append(Markup.Metric(ap ?? double.NaN)).Append("</td>");
            sb.Append("</tr>\n");
        }
        for (var k = 0; k < c.Labels.Length; k++)
            Row(c.Labels[k], r.Precision[k], r.Recall[k], r.F1[k], r.Support[k], ovr?.RocAuc.PerClass[k], ovr?.AveragePrecision.PerClass[k]);
        var total = r.Support.Sum();
        Row("macro avg", r.Macro.Precision, r.Macro.Recall, r.Macro.F1, total, ovr?.RocAuc.Macro, ovr?.AveragePrecision.Macro);
        Row("weighted avg", r.Weighted.Precision, r.Weighted.Recall, r.Weighted.F1, total, ovr?.RocAuc.Weighted, ovr?.AveragePrecision.Weighted);
        return sb.Append("</table>").ToString();
    }

    /// <summary>The ROC and precision–recall curves of the evaluated data, or null when its targets are not all known labels.</summary>
    private sealed record Curves(string Kind, IReadOnlyList<Curve> Roc, IReadOnlyList<Curve> PrecisionRecall, int Points);

    private static Curves? RankingCurves(Model model, LoadedData? data, ClassificationMetrics c)
    {
        if (c.Ranking is null || data is not { Count: > 0, HasTarget: true }) return null;
        var truth = ReportJob.TrueClasses(model.Info, data);
        if (truth.Length != data.Count || truth.Any(t => t < 0)) return null;
        if (Predictor.Predict(model, data.Features) is not Prediction.Classification { Probabilities: var p }) return null;
        var classes = c.Ranking is RankingSummary.Binary ? [1] : Enumerable.Range(0, p.Cols).ToArray();
        var roc = new List<Curve>();
        var pr = new List<Curve>();
        var points = 0;
        foreach (var k in classes)
        {
            var binary = truth.Select(t => t == k ? 1 : 0).ToArray();
            var scores = p.Column(k);
            var rc = Ranking.RocCurve(binary, scores);
            var prc = Ranking.PrecisionRecallCurve(binary, scores);
            var auc = Ranking.RocAuc(binary, scores);
            var ap = Ranking.AveragePrecision(binary, scores);
            roc.Add(new Curve($"{c.Labels[k]} (AUC {Markup.Metric(auc)})", rc.FalsePositiveRates, rc.TruePositiveRates));
            pr.Add(new Curve($"{c.Labels[k]} (AP {Markup.Metric(ap)})", prc.Recall, prc.Precision));
            points = Math.Max(points, rc.Thresholds.Length);
        }
        var kind = c.Ranking is RankingSummary.Binary ? $"Class {c.Labels[1]} positive" : "Each class against the rest";
        return new Curves(kind, roc, pr, points);
    }

    private static string Seed(ModelInfo info) => info.Training.FirstOrDefault(s => s.Name == "seed")?.Value ?? "not recorded";

    private static string Table(IReadOnlyList<(string Name, string Value)> rows)
    {
        var sb = new StringBuilder("<table>\n");
        foreach (var (name, value) in rows)
            sb.Append("<tr><th>").Append(Markup.Escape(name)).Append("</th><td>").Append(Markup.Escape(value)).Append("</td></tr>\n");
        return sb.Append("</table>").ToString();
    }

    internal const string Css = """

body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #f6f7f9; }
header { background: #1f2d3d; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 22px; }
header .sub { margin: 4px 0 0; opacity: 0.8; font-family: ui-monospace, Menlo, Consolas, monospace; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; padding: 16px 24px; align-items: start; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 16px 14px; }
h2 { font-size: 16px; margin: 4px 0 8px; }
.note { color: #555; margin: 0 0 8px; max-width: 560px; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-weight: 600; padding: 2px 14px 2px 0; color: #444; vertical-align: top; }
td { font-family: ui-monospace, Menlo, Consolas, monospace; padding: 2px 0; word-break: break-all; }
table.grid td, table.grid th + th { text-align: right; padding: 2px 0 2px 14px; word-break: normal; }
table.grid th { white-space: nowrap; }
figure { margin: 0; }
figcaption { color: #555; font-size: 13px; margin-top: 6px; }
svg.chart { display: block; background: #fff; max-width: 100%; height: auto; margin: 0 auto; }
svg .title { font-size: 15px; font-weight: 600; fill: #222; }
svg .tick { font-size: 11px; fill: #444; }
svg .axis-title { font-size: 12px; fill: #333; }
svg .axis { stroke: #444; stroke-width: 1; }
svg .grid { stroke: #e6e8eb; stroke-width: 1; }
svg .marker { stroke: #999; stroke-width: 1; stroke-dasharray: 3 3; }
svg .diagonal { stroke: #777; stroke-width: 1.2; stroke-dasharray: 5 3; fill: none; }
svg .legend { fill: #fff; fill-opacity: 0.9; stroke: #ccc; }
svg .cellbox { stroke: #fff; stroke-width: 1; }
svg .cell { font-size: 13px; fill: #111; }
svg .cell.small { font-size: 9px; }
svg .cell.light { fill: #fff; }
svg .point { stroke: #222; stroke-width: 0.6; }

""";

    // Checks that every chart has a non-empty box and reports the result in the page title (and as a console error on
    // failure), so a headless browser can verify the page. Written without '<' and '&' so the page stays valid XML.
    internal const string Script = """

(function () {
  var charts = document.querySelectorAll('svg.chart');
  var expected = Number(document.body.getAttribute('data-charts'));
  var bad = [];
  for (var i = 0; i !== charts.length; i++) {
    var box = charts[i].getBBox();
    if (!(box.width > 0) || !(box.height > 0)) bad.push(charts[i].getAttribute('aria-label'));
  }
  if (charts.length !== expected) bad.push(charts.length + ' of ' + expected + ' charts present');
  if (bad.length === 0) {
    document.title = 'nn report ok: ' + charts.length + ' charts rendered';
  } else {
    document.title = 'nn report FAILED: ' + bad.join('; ');
    console.error(document.title);
  }
})();

""";
}

using System.Globalization;
using System.Text;
using Nn.Shell;

namespace Nn.Interactive;

/// <summary>
/// HTML views of Nn's values, the ones <see cref="NnFormatters"/> registers for notebooks: pure functions from a value to
/// a self-contained HTML fragment (tables and the report's inline SVG charts; no script, no network).
/// </summary>
public static class Views
{
    /// <summary>The most rows and columns a matrix view shows; the rest is elided with "…" and counted in the caption.</summary>
    public const int MaxShown = 12;

    /// <summary>A matrix as a table with its shape: the first <see cref="MaxShown"/> rows and columns.</summary>
    public static string Matrix(Matrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"<table class=\"nn-matrix\"><caption>Matrix {matrix.Rows} × {matrix.Cols}</caption>");
        var rows = Math.Min(matrix.Rows, MaxShown);
        var cols = Math.Min(matrix.Cols, MaxShown);
        b.Append("<tr><th></th>");
        for (var c = 0; c < cols; c++) b.Append(CultureInfo.InvariantCulture, $"<th>{c}</th>");
        if (cols < matrix.Cols) b.Append("<th>…</th>");
        b.Append("</tr>");
        for (var r = 0; r < rows; r++)
        {
            b.Append(CultureInfo.InvariantCulture, $"<tr><th>{r}</th>");
            for (var c = 0; c < cols; c++) b.Append("<td>").Append(Number(matrix[r, c])).Append("</td>");
            if (cols < matrix.Cols) b.Append("<td>…</td>");
            b.Append("</tr>");
        }
        if (rows < matrix.Rows) b.Append("<tr><th>…</th>").Append(string.Concat(Enumerable.Repeat("<td>…</td>", cols + (cols < matrix.Cols ? 1 : 0)))).Append("</tr>");
        return b.Append("</table>").ToString();
    }

    /// <summary>A vector as a one-row table with its length.</summary>
    public static string Vector(Vector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Matrix(Nn.Matrix.Create(1, vector.Length, vector.ToArray())).Replace($"Matrix 1 × {vector.Length}", $"Vector[{vector.Length}]", StringComparison.Ordinal);
    }

    /// <summary>A network's layers: sizes, activation and parameter count, with the total.</summary>
    public static string Network(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var b = new StringBuilder("<table class=\"nn-network\"><caption>");
        b.Append(Escape(network.ToString())).Append("</caption><tr><th>layer</th><th>inputs → outputs</th><th>activation</th><th>parameters</th></tr>");
        for (var i = 0; i < network.Layers.Length; i++)
        {
            var l = network.Layers[i];
            b.Append(CultureInfo.InvariantCulture, $"<tr><td>{i + 1}</td><td>{l.Inputs} → {l.Outputs}</td><td>{Escape(l.Activation.ToString())}</td><td>{l.Inputs * l.Outputs + l.Outputs:N0}</td></tr>");
        }
        return b.Append(CultureInfo.InvariantCulture, $"<tr><th colspan=\"3\">total</th><th>{network.ParameterCount:N0}</th></tr></table>").ToString();
    }

    /// <summary>A training history: the loss (and validation loss and metric) per epoch as the report's SVG charts.</summary>
    public static string History(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Epochs.IsEmpty) return "<p class=\"nn-history\">No epoch has completed.</p>";
        double[] epochs = [.. history.Epochs.Select(e => (double)e.Epoch)];
        var loss = new List<Series> { new("training loss", epochs, [.. history.Epochs.Select(e => e.TrainLoss)]) };
        if (history.Epochs.Any(e => e.Validation is not null))
            loss.Add(new Series("validation loss", epochs, [.. history.Epochs.Select(e => e.Validation?.Loss ?? double.NaN)], Dashed: true));
        double? best = history.BestEpoch > 0 ? history.BestEpoch : null;
        var b = new StringBuilder("<div class=\"nn-history nn-charts\">").Append(ChartStyle);
        b.Append(LineChart.Render("Loss per epoch", "epoch", "loss", loss, best, best is null ? null : "best epoch"));
        var metric = history.Epochs.Select(e => e.Validation switch
        {
            EvaluationSummary.Classification c => c.Accuracy,
            EvaluationSummary.Regression r => r.R2,
            _ => double.NaN,
        }).ToArray();
        if (metric.Any(double.IsFinite))
        {
            var name = history.Epochs.Any(e => e.Validation is EvaluationSummary.Classification) ? "validation accuracy" : "validation R²";
            b.Append(LineChart.Render(name + " per epoch", "epoch", name, [new Series(name, epochs, metric)], best, best is null ? null : "best epoch"));
        }
        return b.Append("</div>").ToString();
    }

    /// <summary>An evaluation: the metrics table, and for classification the confusion heat map and the reliability diagram.</summary>
    public static string Evaluation(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var b = new StringBuilder("<div class=\"nn-evaluation nn-charts\">").Append(ChartStyle);
        switch (report)
        {
            case EvalReport.Classification c:
                var m = c.Metrics;
                Table(b, $"Classification, {c.N} rows", [
                    ("accuracy", Number(m.Report.Accuracy)), ("macro F1", Number(m.Report.Macro.F1)), ("weighted F1", Number(m.Report.Weighted.F1)),
                    ("log loss", Number(m.LogLoss)), ("ECE (10 bins)", Number(m.Calibration.Ece))]);
                b.Append(HeatMap.Render("Confusion matrix", m.Confusion, m.Labels));
                b.Append(ReliabilityChart.Render(m.Calibration));
                break;
            case EvalReport.Regression r:
                Table(b, $"Regression, {r.N} rows", [("R²", Number(r.Metrics.R2)), ("MSE", Number(r.Metrics.Mse)), ("RMSE", Number(r.Metrics.Rmse)), ("MAE", Number(r.Metrics.Mae))]);
                break;
            case EvalReport.Multilabel ml:
                var pl = ml.Metrics.Report.PerLabel;
                Table(b, $"Multilabel, {ml.N} rows, {ml.Metrics.Labels.Length} labels", [
                    ("subset accuracy", Number(ml.Metrics.Report.SubsetAccuracy)), ("Hamming loss", Number(ml.Metrics.Report.HammingLoss)),
                    ("micro F1", Number(pl.Micro.F1)), ("macro F1", Number(pl.Macro.F1))]);
                break;
            case EvalReport.NonFinite f:
                b.Append(CultureInfo.InvariantCulture, $"<p>Row {f.Row} has a NaN or infinite output; no metrics.</p>");
                break;
            default:
                b.Append("<p>").Append(Escape(report.ToString())).Append("</p>");
                break;
        }
        return b.Append("</div>").ToString();
    }

    /// <summary>A gradient check: the verdict, and per tensor the errors, kinks, moved and inconclusive entries and failures.</summary>
    public static string GradientCheck(GradientCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var verdict = GradientCheckJson.Name(report.Verdict);
        var b = new StringBuilder($"<table class=\"nn-gradient-check\"><caption>Gradient check: {verdict} (loss {Number(report.Loss)})</caption>");
        b.Append("<tr><th>tensor</th><th>shape</th><th>max abs error</th><th>max rel error</th><th>kinks</th><th>moved</th><th>inconclusive</th><th>failures</th><th>verdict</th></tr>");
        foreach (var t in report.Tensors)
            b.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Escape(t.Name)}</td><td>{t.Rows} × {t.Cols}</td><td>{Number(t.MaxAbsoluteError)}</td><td>{Number(t.MaxRelativeError)}</td><td>{t.Kinks}</td><td>{t.Moved}</td><td>{t.Inconclusive}</td><td>{t.Failures}</td><td>{GradientCheckJson.Name(t.Verdict)}</td></tr>");
        if (!report.Directions.IsEmpty)
            b.Append(CultureInfo.InvariantCulture, $"<tr><td colspan=\"9\">random directions: {report.Directions.Count(d => d.Passed)} of {report.Directions.Length} passed</td></tr>");
        return b.Append("</table>").ToString();
    }

    /// <summary>The report's chart rules, scoped to the views' charts so they leave the notebook's other drawings alone.</summary>
    private static readonly string ChartStyle = "<style>" + string.Concat(HtmlReport.Css.Split('\n')
        .Where(l => l.StartsWith("svg", StringComparison.Ordinal)).Select(l => ".nn-charts " + l + "\n")) + "</style>";

    private static void Table(StringBuilder b, string caption, IReadOnlyList<(string Name, string Value)> rows)
    {
        b.Append("<table><caption>").Append(Escape(caption)).Append("</caption>");
        foreach (var (name, value) in rows) b.Append("<tr><th>").Append(Escape(name)).Append("</th><td>").Append(value).Append("</td></tr>");
        b.Append("</table>");
    }

    private static string Number(double v) => double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => Markup.Escape(text);
}

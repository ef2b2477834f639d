using System.Globalization;
using Nn.Shell;
using Spectre.Console;

namespace Nn.Cli;

/// <summary>Readable tables of metrics: Spectre.Console tables on a terminal, aligned plain text otherwise.</summary>
internal static class Tables
{
    internal static void WriteEval(EvalReport report, CliConsole console)
    {
        var rows = new List<(string, string)> { ("task", TaskKinds.Name(report.Task)), ("n", report.N.ToString(CultureInfo.InvariantCulture)) };
        if (report is EvalReport.NonFinite { Row: var row }) rows.Add(("first non-finite output", $"data row {(row + 1).ToString(CultureInfo.InvariantCulture)} (no metrics)"));
        if (report is EvalReport.Classification { Metrics: var c })
        {
            rows.Add(("accuracy", F(c.Report.Accuracy)));
            rows.Add(("precision (macro)", F(c.Report.Macro.Precision)));
            rows.Add(("recall (macro)", F(c.Report.Macro.Recall)));
            rows.Add(("F1 (macro)", F(c.Report.Macro.F1)));
            rows.Add(("F1 (micro)", F(c.Report.Micro.F1)));
            rows.Add(("F1 (weighted)", F(c.Report.Weighted.F1)));
            if (c.HasTop2Accuracy) rows.Add(("top-2 accuracy", F(c.Top2Accuracy)));
            switch (c.Ranking)
            {
                case RankingSummary.Binary b:
                    rows.Add(($"ROC AUC ({c.Labels[1]} positive)", F(b.RocAuc)));
                    rows.Add(($"average precision ({c.Labels[1]} positive)", F(b.AveragePrecision)));
                    break;
                case RankingSummary.OneVsRest o:
                    rows.Add(("ROC AUC (one-vs-rest, macro)", F(o.RocAuc.Macro)));
                    rows.Add(("ROC AUC (one-vs-rest, weighted)", F(o.RocAuc.Weighted)));
                    rows.Add(("average precision (one-vs-rest, macro)", F(o.AveragePrecision.Macro)));
                    rows.Add(("average precision (one-vs-rest, weighted)", F(o.AveragePrecision.Weighted)));
                    break;
            }
            rows.Add(("ECE (10 bins)", F(c.Calibration.Ece)));
            rows.Add(("log loss", F(c.LogLoss)));
        }
        if (report is EvalReport.Regression { Metrics: var r } g)
        {
            var mean = g.PerTarget.IsDefaultOrEmpty ? "" : $" (mean of {g.PerTarget.Length.ToString(CultureInfo.InvariantCulture)} targets)";
            rows.Add(("R²" + mean, F(r.R2)));
            rows.Add(("MSE" + mean, F(r.Mse)));
            rows.Add(("RMSE" + mean, F(r.Rmse)));
            rows.Add(("MAE" + mean, F(r.Mae)));
        }
        if (report is EvalReport.Multilabel { Metrics: var ml })
        {
            rows.Add(("subset accuracy", F(ml.Report.SubsetAccuracy)));
            rows.Add(("Hamming loss", F(ml.Report.HammingLoss)));
            rows.Add(("F1 (micro)", F(ml.Report.PerLabel.Micro.F1)));
            rows.Add(("F1 (macro)", F(ml.Report.PerLabel.Macro.F1)));
            rows.Add(("F1 (weighted)", F(ml.Report.PerLabel.Weighted.F1)));
        }
        WriteKeyValues("Metrics", rows, console);
        if (report is EvalReport.Multilabel { Metrics: var labels })
        {
            var pl = labels.Report.PerLabel;
            var total = pl.Support.Sum().ToString(CultureInfo.InvariantCulture);
            var perLabel = Enumerable.Range(0, labels.Labels.Length)
                .Select(k => new[] { labels.Labels[k], F(pl.Precision[k]), F(pl.Recall[k]), F(pl.F1[k]), pl.Support[k].ToString(CultureInfo.InvariantCulture) }).ToList();
            perLabel.Add(["micro avg", F(pl.Micro.Precision), F(pl.Micro.Recall), F(pl.Micro.F1), total]);
            perLabel.Add(["macro avg", F(pl.Macro.Precision), F(pl.Macro.Recall), F(pl.Macro.F1), total]);
            perLabel.Add(["weighted avg", F(pl.Weighted.Precision), F(pl.Weighted.Recall), F(pl.Weighted.F1), total]);
            WriteGrid("Per label", ["", "precision", "recall", "F1", "support"], perLabel, console);
        }
        if (report is EvalReport.Regression { PerTarget: { IsDefaultOrEmpty: false } perTarget })
            WriteGrid("Per target", ["target", "R²", "MSE", "RMSE", "MAE"],
                [.. perTarget.Select(t => new[] { t.Target, F(t.Metrics.R2), F(t.Metrics.Mse), F(t.Metrics.Rmse), F(t.Metrics.Mae) })], console);
        if (report is EvalReport.Classification { Metrics: var cm })
        {
            WritePerClass(cm, console);
            WriteConfusion(cm, console);
        }
    }

    /// <summary>
    /// scikit-learn's <c>classification_report</c>: precision, recall, F1 and support per class, then the macro and
    /// support-weighted averages (with the total support).
    /// </summary>
    internal static void WritePerClass(ClassificationMetrics c, CliConsole console)
    {
        var r = c.Report;
        var total = r.Support.Sum().ToString(CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        for (var k = 0; k < c.Labels.Length; k++)
            rows.Add([c.Labels[k], F(r.Precision[k]), F(r.Recall[k]), F(r.F1[k]), r.Support[k].ToString(CultureInfo.InvariantCulture)]);
        rows.Add(["macro avg", F(r.Macro.Precision), F(r.Macro.Recall), F(r.Macro.F1), total]);
        rows.Add(["weighted avg", F(r.Weighted.Precision), F(r.Weighted.Recall), F(r.Weighted.F1), total]);
        WriteGrid("Per class", ["", "precision", "recall", "F1", "support"], rows, console);
    }

    /// <summary><c>nn info</c>: the model's description, its layers with parameter counts, and its training settings.</summary>
    internal static void WriteInfo(ModelSummary summary, CliConsole console)
    {
        var info = summary.Model.Info;
        static string List(IReadOnlyCollection<string> items) => $"{items.Count.ToString(CultureInfo.InvariantCulture)}: {string.Join(", ", items)}";
        var rows = new List<(string, string)>
        {
            ("task", TaskKinds.Name(info.Task)),
            ("loss", info.Loss.Name),
            ("features", List(info.FeatureNames)),
            info.TargetNames.IsDefaultOrEmpty ? ("target", info.TargetName) : ("targets", List(info.TargetNames)),
        };
        if (info.Task != TaskKind.Regression) rows.Add(("labels", List(info.Labels)));
        if (info.LabelSeparator is { } separator) rows.Add(("label separator", $"'{separator}'"));
        rows.Add(("feature scaling", info.Scaling.Kind));
        if (info.TargetScaling is { } ts)
            rows.Add(("target scaling", FormattableString.Invariant($"(y - {ts.Offset:R}) / {ts.Scale:R}")));
        for (var k = 0; k < info.TargetScalings.Length && !info.TargetNames.IsDefaultOrEmpty; k++)
            rows.Add(($"target scaling ({info.TargetNames[k]})", FormattableString.Invariant($"(y - {info.TargetScalings[k].Offset:R}) / {info.TargetScalings[k].Scale:R}")));
        rows.Add(("parameters", summary.Parameters.ToString(CultureInfo.InvariantCulture)));
        rows.Add(("parameters sha256", summary.ParametersSha256));
        rows.Add(("training data sha256", info.DataSha256.Length == 0 ? "unknown" : info.DataSha256));
        rows.Add(("file format version", summary.FormatVersion.ToString(CultureInfo.InvariantCulture)));
        WriteKeyValues("Model", rows, console, "property");

        string[] header = ["layer", "inputs", "outputs", "activation", "weights", "biases", "parameters"];
        var layers = summary.Layers.Select((l, i) => new[]
        {
            (i + 1).ToString(CultureInfo.InvariantCulture), l.Inputs.ToString(CultureInfo.InvariantCulture), l.Outputs.ToString(CultureInfo.InvariantCulture),
            l.Activation.ToString(), l.Weights.ToString(CultureInfo.InvariantCulture), l.Biases.ToString(CultureInfo.InvariantCulture), l.Parameters.ToString(CultureInfo.InvariantCulture),
        }).Append(["total", "", "", "", "", "", summary.Parameters.ToString(CultureInfo.InvariantCulture)]).ToList();
        WriteGrid("Architecture", header, layers, console);

        var settings = info.Training.Select(s => (s.Name, s.Value)).ToList();
        if (settings.Count == 0) console.Out.WriteLine("Training settings: none recorded.");
        else WriteKeyValues("Training settings", settings, console, "setting");
    }

    /// <summary>A table with a header row: the first column left-aligned, the others right-aligned.</summary>
    internal static void WriteGrid(string title, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, CliConsole console)
    {
        if (console.Interactive)
        {
            var table = new Table().Title(title).AddColumn(Markup.Escape(header[0]));
            foreach (var h in header.Skip(1)) table.AddColumn(new TableColumn(Markup.Escape(h)).RightAligned());
            foreach (var row in rows) table.AddRow([.. row.Select(Markup.Escape)]);
            Ansi(console).Write(table);
            return;
        }
        console.Out.WriteLine(title + ":");
        var widths = Enumerable.Range(0, header.Count).Select(i => Math.Max(header[i].Length, rows.Max(row => row[i].Length))).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            ("  " + cells[0].PadRight(widths[0]) + string.Concat(Enumerable.Range(1, cells.Count - 1).Select(i => "  " + cells[i].PadLeft(widths[i])))).TrimEnd();
        console.Out.WriteLine(Line(header));
        foreach (var row in rows) console.Out.WriteLine(Line(row));
    }

    internal static void WriteKeyValues(string title, IReadOnlyList<(string Key, string Value)> rows, CliConsole console, string keyColumn = "metric")
    {
        if (console.Interactive)
        {
            var table = new Table().Title(title).AddColumn(keyColumn).AddColumn(new TableColumn("value").RightAligned());
            foreach (var (k, v) in rows) table.AddRow(Markup.Escape(k), Markup.Escape(v));
            Ansi(console).Write(table);
            return;
        }
        console.Out.WriteLine(title + ":");
        var width = rows.Max(r => r.Key.Length);
        foreach (var (k, v) in rows) console.Out.WriteLine($"  {k.PadRight(width)}  {v}");
    }

    internal static void WriteConfusion(ClassificationMetrics c, CliConsole console)
    {
        var labels = c.Labels;
        var rows = c.Confusion.ToRows();
        if (console.Interactive)
        {
            var table = new Table().Title("Confusion matrix (rows: true, columns: predicted)").AddColumn("");
            foreach (var l in labels) table.AddColumn(new TableColumn(Markup.Escape(l)).RightAligned());
            for (var t = 0; t < rows.Length; t++)
                table.AddRow([Markup.Escape(labels[t]), .. rows[t].Select(n => n.ToString(CultureInfo.InvariantCulture))]);
            Ansi(console).Write(table);
            return;
        }
        console.Out.WriteLine("Confusion matrix (rows: true, columns: predicted):");
        var w = Math.Max(4, Math.Max(labels.Max(l => l.Length), rows.SelectMany(r => r).Select(n => n.ToString(CultureInfo.InvariantCulture).Length).DefaultIfEmpty(1).Max()) + 1);
        console.Out.WriteLine(new string(' ', w + 2) + string.Concat(labels.Select(l => l.PadLeft(w))));
        for (var t = 0; t < rows.Length; t++)
            console.Out.WriteLine("  " + labels[t].PadLeft(w) + string.Concat(rows[t].Select(n => n.ToString(CultureInfo.InvariantCulture).PadLeft(w))));
    }

    internal static IAnsiConsole Ansi(CliConsole console) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) });

    internal static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}

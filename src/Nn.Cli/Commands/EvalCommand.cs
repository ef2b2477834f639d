using System.CommandLine;
using System.Text;
using System.Text.Json;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn eval</c>: a model's metrics on labelled data.</summary>
internal static class EvalCommand
{
    internal static readonly Option<string> ModelPath = new("--model") { Description = "The model file.", Required = true };
    internal static readonly Option<string> Data = new("--data") { Description = "Labelled data (CSV or Parquet with the model's feature columns and target, .npy with --labels, or .npz).", Required = true };
    internal static readonly Option<string?> LabelsFile = new("--labels") { Description = "Labels as .npy for an .npy --data." };
    internal static readonly Option<string?> Target = new("--target") { Description = "The target column (default: the model's)." };
    internal static readonly Option<string?> Report = new("--report") { Description = "Write a self-contained HTML report (metrics, confusion matrix, calibration, decision regions or predicted vs actual)." };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print the metrics as one JSON object (a NaN or infinite metric is written as null)." };
    internal static readonly Option<string?> SampleWeight = new("--sample-weight") { Description = "A numeric column of --data (CSV or Parquet) weighing each row: adds the weighted accuracy and log loss (or R², MSE, RMSE, MAE), as scikit-learn's sample_weight; the other metrics stay unweighted." };
    internal static readonly Option<int> Threads = Flags.Whole("--threads", "Kernel threads (results are identical for any count).", 1);

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("eval", "Evaluate a model on labelled data.") { ModelPath, Data, LabelsFile, Target, Report, Json, SampleWeight, Threads };
        command.SetAction(p =>
        {
            var threads = Flags.AtLeastOne(p.GetValue(Threads), "--threads");
            OutputChecks.Eval(p);
            var model = ModelFile.Load(p.GetValue(ModelPath)!);
            CliApp.StopIfCancelled(cancellationToken);
            var weightColumn = p.GetValue(SampleWeight);
            if (weightColumn is not null && (!model.Info.TargetNames.IsDefaultOrEmpty || model.Info.Task == TaskKind.Multilabel))
                throw new ArgumentException("--sample-weight: weighted metrics are for a model of one target (classification or regression); this model has several targets or labels.");
            System.Collections.Immutable.ImmutableArray<double> weights = [];
            LoadedData data;
            if (weightColumn is null) data = EvalJob.Read(model, p.GetValue(Data)!, p.GetValue(LabelsFile), p.GetValue(Target));
            else
            {
                var target = p.GetValue(Target) ?? model.Info.TargetName;
                try { data = DataSource.ForModel(p.GetValue(Data)!, p.GetValue(LabelsFile), WeightedEval.Columns(model, weightColumn, target), target, requireTarget: true); }
                catch (DataFileException e) when (e.Message.Contains($"missing: {weightColumn} (", StringComparison.Ordinal))
                {
                    // The weight column was read as one more feature: say what is missing, not that the model expects it.
                    throw new DataFileException(e.FilePath, e.Line, e.Column, $"no column '{weightColumn}' for --sample-weight.");
                }
                (data, weights) = WeightedEval.Take(data, model, weightColumn);
            }
            CliApp.StopIfCancelled(cancellationToken);
            var report = EvalJob.Evaluate(model, data, ComputeOptions.WithThreads(threads));
            CliApp.StopIfCancelled(cancellationToken);
            if (report is EvalReport.NonFinite { Row: var row })
                throw new NonFiniteOutputException($"{p.GetValue(ModelPath)}: the model's output for data row {row + 1} of {data.Source} is not finite (NaN or infinite); no metrics were written.");
            if (p.GetValue(Report) is { } reportPath) ReportJob.Write(reportPath, ReportJob.ForEvaluation(model, data, report));
            var weighted = weightColumn is null ? null : WeightedEval.Evaluate(model, data, weights, weightColumn, ComputeOptions.WithThreads(threads));
            if (p.GetValue(Json)) console.Out.WriteLine(weighted is null ? report.ToJson(indented: false) : WeightedJson(report, weighted));
            else
            {
                Tables.WriteEval(report, console);
                if (weighted is not null) WriteWeighted(weighted, console);
            }
            if (data.UnusedNote() is { } note) console.Error.WriteLine($"nn: note: {note}");
            return 0;
        });
        return command;
    }

    /// <summary>The report's JSON object with <c>sample_weighted</c>: the column and the weighted metrics.</summary>
    private static string WeightedJson(EvalReport report, WeightedMetrics weighted)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            report.WriteFields(w);
            w.WritePropertyName("sample_weighted");
            w.WriteStartObject();
            weighted.WriteFields(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteWeighted(WeightedMetrics weighted, CliConsole console)
    {
        List<(string, string)> rows = weighted switch
        {
            WeightedMetrics.Classification c => [("accuracy", Tables.F(c.Accuracy)), ("log loss", Tables.F(c.LogLoss))],
            WeightedMetrics.Regression r => [("R²", Tables.F(r.R2)), ("MSE", Tables.F(r.Mse)), ("RMSE", Tables.F(r.Rmse)), ("MAE", Tables.F(r.Mae))],
            _ => throw new InvalidOperationException("Unknown weighted metrics case."),
        };
        Tables.WriteKeyValues($"Sample-weighted by column '{weighted.Column}'", rows, console);
    }
}

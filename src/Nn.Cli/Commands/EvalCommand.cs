using System.CommandLine;
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
    internal static readonly Option<int> Threads = Flags.Whole("--threads", "Kernel threads (results are identical for any count).", 1);

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("eval", "Evaluate a model on labelled data.") { ModelPath, Data, LabelsFile, Target, Report, Json, Threads };
        command.SetAction(p =>
        {
            var threads = Flags.AtLeastOne(p.GetValue(Threads), "--threads");
            OutputChecks.Eval(p);
            var model = ModelFile.Load(p.GetValue(ModelPath)!);
            CliApp.StopIfCancelled(cancellationToken);
            var data = EvalJob.Read(model, p.GetValue(Data)!, p.GetValue(LabelsFile), p.GetValue(Target));
            CliApp.StopIfCancelled(cancellationToken);
            var report = EvalJob.Evaluate(model, data, ComputeOptions.WithThreads(threads));
            CliApp.StopIfCancelled(cancellationToken);
            if (report is EvalReport.NonFinite { Row: var row })
                throw new NonFiniteOutputException($"{p.GetValue(ModelPath)}: the model's output for data row {row + 1} of {data.Source} is not finite (NaN or infinite); no metrics were written.");
            if (p.GetValue(Report) is { } reportPath) ReportJob.Write(reportPath, ReportJob.ForEvaluation(model, data, report));
            if (p.GetValue(Json)) console.Out.WriteLine(report.ToJson(indented: false));
            else Tables.WriteEval(report, console);
            if (data.UnusedNote() is { } note) console.Error.WriteLine($"nn: note: {note}");
            return 0;
        });
        return command;
    }
}

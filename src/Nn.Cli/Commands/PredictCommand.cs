using System.CommandLine;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn predict</c>: one prediction per input row, as CSV.</summary>
internal static class PredictCommand
{
    internal static readonly Option<string> ModelPath = new("--model") { Description = "The model file.", Required = true };
    internal static readonly Option<string> Data = new("--data") { Description = "Input rows (CSV or Parquet with the model's feature columns, .npy, or .npz with x).", Required = true };
    internal static readonly Option<string> Out = new("--out") { Description = "The CSV to write.", Required = true };
    internal static readonly Option<bool> Proba = new("--proba") { Description = "Add one probability column p_<label> per class." };
    internal static readonly Option<bool> AllowNonFinite = new("--allow-non-finite") { Description = "Write NaN or infinite outputs instead of refusing the model (exit 3)." };
    internal static readonly Option<int> Threads = Flags.Whole("--threads", "Kernel threads (results are identical for any count).", 1);

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("predict", "Predict with a model and write one CSV row per input row.") { ModelPath, Data, Out, Proba, AllowNonFinite, Threads };
        command.SetAction(p =>
        {
            var threads = Flags.AtLeastOne(p.GetValue(Threads), "--threads");
            OutputChecks.Predict(p);
            var model = ModelFile.Load(p.GetValue(ModelPath)!);
            CliApp.StopIfCancelled(cancellationToken);
            var progress = new RowsProgress(console.Interactive ? console.Out : null, "predict");
            PredictSummary summary;
            try { summary = PredictJob.Run(model, p.GetValue(Data)!, p.GetValue(Out)!, new PredictOptions(p.GetValue(Proba), p.GetValue(AllowNonFinite), Threads: threads), progress, cancellationToken); }
            finally { progress.Done(); }
            console.Error.WriteLine($"nn: wrote {summary.Rows} predictions to {p.GetValue(Out)}");
            if (summary.Note is { } note) console.Error.WriteLine($"nn: note: {note}");
            return 0;
        });
        return command;
    }
}

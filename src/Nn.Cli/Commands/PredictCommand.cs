using System.CommandLine;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn predict</c>: one prediction per input row, as CSV.</summary>
internal static class PredictCommand
{
    internal static readonly Option<string> ModelPath = new("--model") { Description = "The model file.", Required = true };
    internal static readonly Option<string> Data = new("--data") { Description = "Input rows (CSV with the model's feature columns, .npy, or .npz with x).", Required = true };
    internal static readonly Option<string> Out = new("--out") { Description = "The CSV to write.", Required = true };
    internal static readonly Option<bool> Proba = new("--proba") { Description = "Add one probability column p_<label> per class." };

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("predict", "Predict with a model and write one CSV row per input row.") { ModelPath, Data, Out, Proba };
        command.SetAction(p =>
        {
            var model = ModelFile.Load(p.GetValue(ModelPath)!);
            CliApp.StopIfCancelled(cancellationToken);
            var n = PredictJob.Run(model, p.GetValue(Data)!, null, p.GetValue(Out)!, p.GetValue(Proba), cancellationToken);
            console.Error.WriteLine($"nn: wrote {n} predictions to {p.GetValue(Out)}");
            return 0;
        });
        return command;
    }
}

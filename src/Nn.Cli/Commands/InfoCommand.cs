using System.CommandLine;
using System.Globalization;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn info</c>: what a model file holds, without running it.</summary>
internal static class InfoCommand
{
    internal static readonly Option<string> ModelPath = new("--model") { Description = "The model file.", Required = true };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print the description as one JSON object." };

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("info", "Describe a model file: architecture and parameter counts, task, labels, features, scaling, training settings, hashes, format version.") { ModelPath, Json };
        command.SetAction(p =>
        {
            OutputChecks.Info(p);
            var summary = ModelSummary.Load(p.GetValue(ModelPath)!);
            CliApp.StopIfCancelled(cancellationToken);
            if (p.GetValue(Json)) console.Out.WriteLine(summary.ToJson(indented: false));
            else Tables.WriteInfo(summary, console);
            return 0;
        });
        return command;
    }
}

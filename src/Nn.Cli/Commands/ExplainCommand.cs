using System.CommandLine;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn explain</c>: one example's forward and backward pass, step by step.</summary>
internal static class ExplainCommand
{
    internal static readonly Option<string?> ModelPath = new("--model") { Description = "A model file (default: the hand-worked 2-2-1 example)." };
    internal static readonly Option<string?> Data = new("--data") { Description = "Labelled data for --model." };
    internal static readonly Option<int> Row = Flags.Whole("--row", "The 0-based data row to explain.", 0);

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("explain", "Print the forward and backward pass of one example, every value labelled.") { ModelPath, Data, Row };
        command.SetAction(p =>
        {
            OutputChecks.Explain(p);
            var modelPath = p.GetValue(ModelPath);
            var dataPath = p.GetValue(Data);
            if (modelPath is null && dataPath is null)
            {
                if (p.GetResult(Row) is { Implicit: false }) throw new ArgumentException("--row: picks a row of --data; the hand-worked example has one example (pass --model and --data).");
                var (net, x, y, objective) = Explain.HandWorkedExample();
                CliApp.StopIfCancelled(cancellationToken);
                console.Out.WriteLine("The hand-worked example: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output, binary cross-entropy.");
                console.Out.Write(Explain.Text(net, x, y, objective));
                return 0;
            }
            if (modelPath is null || dataPath is null) throw new ArgumentException("--model and --data go together.");
            var model = ModelFile.Load(modelPath);
            var example = ModelExamples.Row(model, dataPath, p.GetValue(Row));
            CliApp.StopIfCancelled(cancellationToken);
            console.Out.Write(Explain.Text(model.Network, example.X, example.Y, example.Objective));
            return 0;
        });
        return command;
    }
}

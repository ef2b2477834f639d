using System.CommandLine;
using System.Globalization;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn demo</c>: the main job on the bundled digits data.</summary>
internal static class DemoCommand
{
    internal static readonly Option<string> Out = new("--out") { Description = "Where to write the model.", DefaultValueFactory = _ => "digits.safetensors" };

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("demo", "Train an MLP on the bundled 8×8 handwritten digits, print its test metrics and write the model.") { Out };
        command.SetAction(p =>
        {
            CliApp.StopIfCancelled(cancellationToken);
            var dir = Path.Combine(AppContext.BaseDirectory, "data");
            OutputChecks.Demo(p, Path.Combine(dir, "digits.csv"), Path.Combine(dir, "splits", "digits.csv"));
            var o = console.Out;
            o.WriteLine("Training 64 → 64 ReLU → 10 softmax on the bundled 8×8 digits (Adam, lr 0.003, batch 32, 40 epochs, seed 42)…");
            var result = Demo.Run(Path.Combine(dir, "digits.csv"), Path.Combine(dir, "splits", "digits.csv"),
                Trainer.OnEpoch(r => { if (r.Epoch % 5 == 0) o.WriteLine(FormattableString.Invariant($"  epoch {r.Epoch,3}  train loss {r.TrainLoss:F4}")); }),
                cancellationToken);
            // The demo's model records its 40-epoch recipe, so an interrupted run writes nothing rather than a model that contradicts it.
            CliApp.StopIfCancelled(cancellationToken);
            var path = p.GetValue(Out)!;
            ModelFile.Save(path, result.Model);
            var testPath = Demo.TestRowsPath(path);
            Demo.WriteTestRows(Path.Combine(dir, "digits.csv"), Path.Combine(dir, "splits", "digits.csv"), testPath);
            o.WriteLine();
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test metrics on {result.TestCount} held-out digits (training took {result.TrainSeconds:F2} s):"));
            Tables.WriteEval(result.Test, console);
            o.WriteLine($"Model written to {path}, its {result.TestCount} held-out digits to {testPath} (try: nn eval --model {path} --data {testPath}).");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using Nn.Shell;

namespace Nn.Cli;

/// <summary>
/// Each writing command's inputs and outputs, checked with <see cref="OutputPaths.Check"/> right after its flags are parsed,
/// before any data is read: an output that is also an input or another output, or that cannot be written, is refused
/// (exit 2, one line naming the flag), and nothing is written.
/// </summary>
internal static class OutputChecks
{
    /// <summary>A path flag (an <c>Option&lt;string&gt;</c> or <c>Option&lt;string?&gt;</c>) and its value.</summary>
    private static FileArgument Arg<T>(ParseResult p, Option<T> o) where T : class? => new(o.Name, p.GetValue(o) as string);

    /// <summary><c>nn train</c>: <c>--resume X --checkpoint X</c> continues a run (the checkpoint is read whole before the first write).</summary>
    internal static void Train(ParseResult p) => OutputPaths.Check(
        [Arg(p, TrainCommand.Data), Arg(p, TrainCommand.LabelsFile), Arg(p, TrainCommand.TestData),
         Arg(p, TrainCommand.Resume) with { UpdatedBy = TrainCommand.Checkpoint.Name }],
        [Arg(p, TrainCommand.Out), Arg(p, TrainCommand.HistoryFile), Arg(p, TrainCommand.Report), Arg(p, TrainCommand.Checkpoint)]);

    internal static void Predict(ParseResult p) => OutputPaths.Check(
        [Arg(p, PredictCommand.ModelPath), Arg(p, PredictCommand.Data)],
        [Arg(p, PredictCommand.Out)]);

    internal static void Eval(ParseResult p) => OutputPaths.Check(
        [Arg(p, EvalCommand.ModelPath), Arg(p, EvalCommand.Data), Arg(p, EvalCommand.LabelsFile)],
        [Arg(p, EvalCommand.Report)]);

    internal static void Export(ParseResult p) => OutputPaths.Check(
        [Arg(p, ExportCommand.ModelPath)],
        [Arg(p, ExportCommand.Onnx)]);

    /// <summary><c>nn explain</c> writes nothing; its inputs must exist (named with their flags).</summary>
    internal static void Explain(ParseResult p) => OutputPaths.Check(
        [Arg(p, ExplainCommand.ModelPath), Arg(p, ExplainCommand.Data)], []);

    /// <summary><c>nn info</c> writes nothing; its model must exist (named with its flag).</summary>
    internal static void Info(ParseResult p) => OutputPaths.Check([Arg(p, InfoCommand.ModelPath)], []);

    /// <summary><c>nn gradcheck</c> writes nothing; its inputs must exist (named with their flags).</summary>
    internal static void Gradcheck(ParseResult p) => OutputPaths.Check(
        [Arg(p, GradcheckCommand.ModelPath), Arg(p, GradcheckCommand.Data)], []);

    /// <summary><c>nn demo</c>: it reads the bundled digits <paramref name="data"/> and its <paramref name="split"/> file.</summary>
    internal static void Demo(ParseResult p, string data, string split) => OutputPaths.Check(
        [new("bundled digits data", data), new("bundled digits split", split)],
        [Arg(p, DemoCommand.Out), new("the demo's test rows (next to --out)", p.GetValue(DemoCommand.Out) is { } o ? Shell.Demo.TestRowsPath(o) : null)]);
}

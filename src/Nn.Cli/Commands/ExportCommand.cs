using System.CommandLine;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn export</c>: a model as an ONNX file that ONNX Runtime and other engines can run.</summary>
internal static class ExportCommand
{
    internal static readonly Option<string> ModelPath = new("--model") { Description = "The model file.", Required = true };
    internal static readonly Option<string> Onnx = new("--onnx") { Description = "The ONNX file to write (inputs \"input\" [N, features]; outputs \"output\" and \"logits\").", Required = true };
    internal static readonly Option<bool> Float32 = new("--float32") { Description = "Export in float32 instead of double (refused when a value is beyond float's range, ±3.4E+38)." };

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("export", "Export a model as ONNX (opset 13), feature scaling and output head included.") { ModelPath, Onnx, Float32 };
        command.SetAction(p =>
        {
            OutputChecks.Export(p);
            var model = ModelFile.Load(p.GetValue(ModelPath)!);
            CliApp.StopIfCancelled(cancellationToken);
            var precision = p.GetValue(Float32) ? OnnxPrecision.Float32 : OnnxPrecision.Double;
            if (precision == OnnxPrecision.Float32 && OnnxExport.Float32Overflow(model) is { } overflow)
                throw new ArgumentException($"--float32: {p.GetValue(ModelPath)}: {overflow}; export without --float32 to keep double precision.");
            OnnxExport.Save(p.GetValue(Onnx)!, model, precision);
            console.Error.WriteLine($"nn: wrote {p.GetValue(Onnx)} ({(precision == OnnxPrecision.Double ? "double" : "float32")}, ONNX opset {OnnxExport.OpsetVersion})");
            return 0;
        });
        return command;
    }
}

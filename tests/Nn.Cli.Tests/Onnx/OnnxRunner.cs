using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Nn.Cli.Tests;

/// <summary>One output of an ONNX Runtime session: its shape and its values as doubles (floats widened exactly).</summary>
public sealed record OrtTensor(long[] Dims, string Type, double[] Data)
{
    public double this[int row, int col] => Data[row * (int)Dims[1] + col];
}

/// <summary>
/// Runs ONNX files in ONNX Runtime for .NET (<c>Microsoft.ML.OnnxRuntime</c>, the version pinned in
/// Directory.Packages.props), in process: the tests need nothing beyond the .NET SDK and NuGet.
/// </summary>
public static class OnnxRunner
{
    /// <summary>The ONNX Runtime version this process loaded (e.g. 1.32.0).</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Runs <paramref name="modelPath"/> on <paramref name="rows"/> (fed as float64 or float32) and returns every output by name.</summary>
    public static IReadOnlyDictionary<string, OrtTensor> Run(string modelPath, Matrix rows, bool float32)
    {
        using var session = new InferenceSession(modelPath);
        var inputName = session.InputNames[0];
        long[] shape = [rows.Rows, rows.Cols];
        var values = rows.ToRowMajorArray();
        using var input = float32
            ? OrtValue.CreateTensorValueFromMemory(values.Select(v => (float)v).ToArray(), shape)
            : OrtValue.CreateTensorValueFromMemory(values, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [input], session.OutputNames);
        var outputs = new Dictionary<string, OrtTensor>(StringComparer.Ordinal);
        for (var i = 0; i < results.Count; i++)
        {
            var value = results[i];
            var info = value.GetTensorTypeAndShape();
            var (type, data) = info.ElementDataType switch
            {
                TensorElementType.Double => ("float64", value.GetTensorDataAsSpan<double>().ToArray()),
                TensorElementType.Float => ("float32", [.. value.GetTensorDataAsSpan<float>().ToArray().Select(f => (double)f)]),
                var other => throw new InvalidOperationException($"Output {session.OutputNames[i]} has element type {other}."),
            };
            outputs[session.OutputNames[i]] = new OrtTensor(info.Shape, type, data);
        }
        return outputs;
    }
}

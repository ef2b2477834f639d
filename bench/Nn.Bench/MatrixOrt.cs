using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Nn;
using Nn.Shell;

namespace Nn.Bench;

/// <summary>
/// ONNX Runtime for .NET as the matrix's inference anchor: the row's network exported by Nn's own exporter
/// (<see cref="OnnxExport.ToBytes"/>, double) and run by <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// on a fixed input into a preallocated output (ONNX Runtime's fastest way to call it), with <paramref name="threads"/>
/// intra-op threads, one inter-op thread, sequential execution and every graph optimisation.
/// </summary>
internal sealed class MatrixOrt : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly OrtValue[] inputs, outputs;
    private readonly string[] inputNames = [OnnxExport.InputName], outputNames = [OnnxExport.OutputName];
    private readonly double[] result;

    /// <summary>The ONNX Runtime version, e.g. <c>onnxruntime=1.32.0</c>.</summary>
    public static string Version => "onnxruntime=" + OrtEnv.Instance().GetVersionString();

    public MatrixOrt(Network network, double[] x, int rows, int threads)
    {
        var (d, c) = (network.InputSize, network.OutputSize);
        var info = new ModelInfo(TaskKind.Classification, [.. Enumerable.Range(0, d).Select(j => $"x{j}")], "class",
            [.. Enumerable.Range(0, c).Select(k => $"{k}")], Losses.CategoricalCrossEntropy, FeatureScaling.None(d), null, [], "");
        var bytes = OnnxExport.ToBytes(new Model(network, info), OnnxPrecision.Double);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        session = new InferenceSession(bytes, options);
        inputs = [OrtValue.CreateTensorValueFromMemory(x.AsSpan(0, rows * d).ToArray(), [rows, d])];
        result = new double[rows * c];
        outputs = [OrtValue.CreateTensorValueFromMemory(result, [rows, c])];
    }

    /// <summary>Seconds for <paramref name="calls"/> runs, and the first probability of the last result.</summary>
    public (double Seconds, double First) Run(int calls)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++) session.Run(runOptions, inputNames, inputs, outputNames, outputs);
        return (clock.Elapsed.TotalSeconds, result[0]);
    }

    public void Dispose()
    {
        foreach (var v in inputs.Concat(outputs)) v.Dispose();
        runOptions.Dispose();
        session.Dispose();
    }
}

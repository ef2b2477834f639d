using System.Globalization;
using System.Runtime.InteropServices;

namespace Nn.Bench;

/// <summary>
/// A worker of bench/matrix.py: reads one command per line on standard input and answers one line, so the driver can
/// interleave engines that live in different processes. Started as <c>Nn.Bench matrix (nn|ort) WORK THREADS NTRAIN</c>.
/// </summary>
/// <remarks>
/// Commands (shapes like <c>20-128-64-5</c> or <c>32-8x64-4</c>, eight hidden layers of 64):
/// <list type="bullet">
/// <item><c>train ACT OPT SHAPE BATCH EPOCHS</c> → <c>ok SECONDS STEPS LOSS</c> (nn only; <c>train-by-epoch</c>: the same
/// epochs as a loop of <c>Training.Epoch</c>, a new state each epoch)</item>
/// <item><c>predict ACT SHAPE BATCH CALLS [THREADS]</c> → <c>ok SECONDS FIRST</c> (THREADS: ONNX Runtime's intra-op threads)</item>
/// <item><c>alloc ACT OPT SHAPE BATCH STEPS</c> → <c>ok FOLD_THREAD FOLD_PROCESS FOLD2_THREAD FOLD2_PROCESS EPOCH_THREAD
/// STEPS_PER_EPOCH PARAMETER_BYTES</c>: bytes of a fold of STEPS and of 2·STEPS steps, and of one Training.Epoch (nn only)</item>
/// <item><c>quit</c></item>
/// </list>
/// The data are the driver's raw little-endian files: <c>WORK/x_D.f64</c> (rows × D doubles) and <c>WORK/y_C.i64</c>
/// (one label in [0, C) per row); training uses the first NTRAIN rows, predict at batch B the first B rows.
/// </remarks>
internal static class MatrixWorker
{
    public static int Run(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var (engine, work, threads, nTrain) = (args[1], args[2], int.Parse(args[3], inv), int.Parse(args[4], inv));
        MatrixNn.SetThreads(threads);
        var features = new Dictionary<int, double[]>();
        var labels = new Dictionary<int, long[]>();
        var trainers = new Dictionary<string, MatrixNn.Trainer>();
        var nnPredictors = new Dictionary<string, MatrixNn.Predictor>();
        var ortPredictors = new Dictionary<string, MatrixOrt>();

        double[] X(int d) => features.TryGetValue(d, out var v) ? v
            : features[d] = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(work, $"x_{d}.f64"))).ToArray();
        long[] Y(int c) => labels.TryGetValue(c, out var v) ? v
            : labels[c] = MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(Path.Combine(work, $"y_{c}.i64"))).ToArray();
        var matrices = new Dictionary<string, (Matrix X, Matrix Y)>();
        (Matrix X, Matrix Y) Train(int[] sizes)
        {
            var key = $"{sizes[0]}/{sizes[^1]}";
            return matrices.TryGetValue(key, out var m) ? m
                : matrices[key] = (MatrixNn.Matrix(X(sizes[0]), nTrain, sizes[0]), MatrixNn.OneHot(Y(sizes[^1]), nTrain, sizes[^1]));
        }
        MatrixNn.Trainer Trainer(string act, string opt, string shape, int batch)
        {
            var key = $"{act} {opt} {shape} {batch}";
            if (trainers.TryGetValue(key, out var t)) return t;
            var sizes = Sizes(shape);
            var (x, y) = Train(sizes);
            return trainers[key] = new MatrixNn.Trainer(sizes, act, opt, batch, x, y);
        }

        var about = engine == "ort" ? MatrixOrt.Version : "ComputeOptions.MaxThreads=" + threads.ToString(inv);
        Console.WriteLine(string.Create(inv, $"ready engine={engine} {about} dotnet={Environment.Version}"));
        while (Console.ReadLine() is { } line)
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length == 0) continue;
            try
            {
                switch (w[0])
                {
                    case "quit":
                        foreach (var o in ortPredictors.Values) o.Dispose();
                        return 0;
                    case "train" or "train-by-epoch":
                    {
                        var t = Trainer(w[1], w[2], w[3], int.Parse(w[4], inv));
                        var epochs = int.Parse(w[5], inv);
                        var (s, loss) = t.Run(epochs, byEpoch: w[0] == "train-by-epoch");
                        Console.WriteLine(string.Create(inv, $"ok {s:R} {epochs * t.StepsPerEpoch} {loss:R}"));
                        break;
                    }
                    case "predict":
                    {
                        var (act, shape, batch, calls) = (w[1], w[2], int.Parse(w[3], inv), int.Parse(w[4], inv));
                        var sizes = Sizes(shape);
                        (double, double) r;
                        if (engine == "ort")
                        {
                            var t = int.Parse(w[5], inv);
                            var key = $"{act} {shape} {batch} {t}";
                            if (!ortPredictors.TryGetValue(key, out var o))
                                o = ortPredictors[key] = new MatrixOrt(MatrixNn.Network(sizes, act), X(sizes[0]), batch, t);
                            r = o.Run(calls);
                        }
                        else
                        {
                            var key = $"{act} {shape} {batch}";
                            if (!nnPredictors.TryGetValue(key, out var p))
                                p = nnPredictors[key] = new MatrixNn.Predictor(MatrixNn.Network(sizes, act), MatrixNn.Matrix(X(sizes[0]), batch, sizes[0]));
                            r = p.Run(calls);
                        }
                        Console.WriteLine(string.Create(inv, $"ok {r.Item1:R} {r.Item2:R}"));
                        break;
                    }
                    case "alloc":
                    {
                        var t = Trainer(w[1], w[2], w[3], int.Parse(w[4], inv));
                        var steps = int.Parse(w[5], inv);
                        _ = t.FoldBytes(steps); // once untimed: first calls may allocate (static set-up, JIT)
                        _ = t.EpochBytes();
                        var (f1t, f1p) = t.FoldBytes(steps);
                        var (f2t, f2p) = t.FoldBytes(2 * steps);
                        var e = t.EpochBytes();
                        Console.WriteLine(string.Create(inv, $"ok {f1t} {f1p} {f2t} {f2p} {e} {t.StepsPerEpoch} {t.ParameterBytes}"));
                        break;
                    }
                    default:
                        Console.WriteLine($"error unknown command '{w[0]}'");
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or IndexOutOfRangeException or IOException or InvalidOperationException)
            {
                Console.WriteLine($"error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }
            Console.Out.Flush();
        }
        return 0;
    }

    /// <summary>The widths of a shape name: <c>20-128-64-5</c> → [20, 128, 64, 5]; <c>32-8x64-4</c> → [32, 64 ×8, 4].</summary>
    public static int[] Sizes(string shape) =>
        [.. shape.Split('-').SelectMany(part => part.Split('x') is [var n, var width]
            ? Enumerable.Repeat(int.Parse(width, CultureInfo.InvariantCulture), int.Parse(n, CultureInfo.InvariantCulture))
            : [int.Parse(part, CultureInfo.InvariantCulture)])];
}

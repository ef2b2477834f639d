using System.Diagnostics;
using Nn;

namespace Nn.Bench;

/// <summary>The benchmark workloads of issue 4, shared by the BenchmarkDotNet classes and the quick runner.</summary>
public static class Workloads
{
    /// <summary>The compute options every workload runs with (the bench program's own setting: threads).</summary>
    public static ComputeOptions Compute { get; set; } = ComputeOptions.Default;

    /// <summary>A (rows × cols) matrix with entries uniform in [−1, 1) from a seed.</summary>
    public static Matrix Random(long seed, int rows, int cols) =>
        Matrix.Create(rows, cols, Prng.Uniform(Key.FromSeed(seed), rows * cols, -1, 1).Values);

    /// <summary>One-hot targets (rows × classes) with uniformly random classes.</summary>
    public static Matrix RandomOneHot(long seed, int rows, int classes) =>
        Labels.OneHot([.. Enumerable.Range(0, rows).Select(i => Prng.Below(Key.FromSeed(seed), i, classes))], classes);

    /// <summary>The "MNIST-scale" problem: 784 → 512 ReLU → 512 ReLU → 10 softmax, CCE, SGD lr 0.01, batch 128.</summary>
    public sealed record Problem(TrainConfig Config, Network Network, Matrix X, Matrix Y, BatchPolicy Batches, int Epochs)
    {
        /// <summary>Runs <see cref="Epochs"/> epochs from the initial state and returns it.</summary>
        public TrainState Train()
        {
            var state = Training.Init(Config, Network, Key.FromSeed(3));
            for (var e = 0; e < Epochs; e++) state = Training.Epoch(Config, state, X, Y, e, Batches, Compute);
            return state;
        }
    }

    /// <summary>60,000 random examples × 784, 784→512 ReLU→512 ReLU→10 softmax-CE, batch 128, SGD lr 0.01, one epoch.</summary>
    public static Problem Mnist(int examples = 60_000) => new(
        TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Sgd(0.01)),
        Init.Mlp(Key.FromSeed(1), [784, 512, 512, 10], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal),
        Random(11, examples, 784), RandomOneHot(12, examples, 10), BatchPolicy.MiniBatch(128), 1);

    /// <summary>The small workload: 2→32 ReLU→3 softmax, 1,000 spiral examples, batch 64, 200 epochs (3,200 steps).</summary>
    public static Problem Small()
    {
        var data = Synthetic.Spirals(Key.FromSeed(5), 1000, 3, 0.2);
        return new(
            TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Sgd(0.1)),
            Init.Mlp(Key.FromSeed(1), [2, 32, 3], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal),
            data.X, Labels.OneHot(data.Labels, 3), BatchPolicy.MiniBatch(64), 200);
    }

    /// <summary>
    /// Median CPU seconds of this process per run: on a busy machine (other builds sharing the cores) CPU time is a
    /// steadier measure than wall time for single-threaded work.
    /// </summary>
    public static double MedianCpuSeconds(Action run, int warmups, int repeats)
    {
        var process = Process.GetCurrentProcess();
        for (var i = 0; i < warmups; i++) run();
        var times = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            run();
            process.Refresh();
            times[i] = (process.TotalProcessorTime - before).TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    /// <summary>Median seconds of <paramref name="repeats"/> timed runs after <paramref name="warmups"/> untimed ones.</summary>
    public static double MedianSeconds(Action run, int warmups, int repeats)
    {
        for (var i = 0; i < warmups; i++) run();
        var times = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            times[i] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}

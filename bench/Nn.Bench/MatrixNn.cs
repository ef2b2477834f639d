using System.Diagnostics;
using Nn;

namespace Nn.Bench;

/// <summary>
/// The Nn side of the benchmark matrix (bench/matrix.py): every call the matrix makes into Nn's public API is in this
/// file, so a change of API is adapted here (threads travel as a <see cref="ComputeOptions"/> value).
/// </summary>
/// <remarks>
/// The maths of every engine in the matrix: hidden layers with the row's activation, a softmax output, categorical
/// cross-entropy averaged over the batch; SGD lr 0.01, heavy-ball momentum lr 0.01 β 0.9, Adam lr 0.001 (β₁ 0.9,
/// β₂ 0.999, ε 1e-8); He-normal weights for ReLU-family layers, Xavier-normal otherwise, zero biases; f64.
/// </remarks>
internal static class MatrixNn
{
    /// <summary>The options every call of this worker passes (its thread count).</summary>
    private static ComputeOptions compute = ComputeOptions.Default;

    /// <summary>The most threads one kernel may use, for every later call.</summary>
    public static void SetThreads(int threads) => compute = ComputeOptions.WithThreads(threads);

    /// <summary>The network of a row: widths <paramref name="sizes"/>, <paramref name="activation"/> on hidden layers, softmax out.</summary>
    public static Network Network(int[] sizes, string activation)
    {
        var hidden = activation == "leaky-relu" ? Activations.LeakyRelu(0.01) : Activations.Parse(activation);
        return Init.Mlp(Key.FromSeed(1), sizes, hidden, Activations.Softmax, Init.DefaultFor(hidden));
    }

    /// <summary>The optimizer of a row, by name (sgd, momentum, adam).</summary>
    public static GradientTransformation Optimizer(string name) => name switch
    {
        "sgd" => Optimizers.Sgd(0.01),
        "momentum" => Optimizers.Momentum(0.01, 0.9),
        "adam" => Optimizers.Adam(0.001),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'.", nameof(name)),
    };

    /// <summary>A (rows × cols) matrix over a copy of <paramref name="rowMajor"/>'s first rows·cols values.</summary>
    public static Matrix Matrix(double[] rowMajor, int rows, int cols) => Nn.Matrix.Create(rows, cols, rowMajor.AsSpan(0, rows * cols).ToArray());

    /// <summary>One-hot targets (rows × classes) for the first <paramref name="rows"/> labels.</summary>
    public static Matrix OneHot(long[] labels, int rows, int classes) => Labels.OneHot([.. labels.Take(rows).Select(l => (int)l)], classes);

    /// <summary>One training row: the configuration, the state before the first step, the data and the batch policy.</summary>
    public sealed class Trainer(int[] sizes, string activation, string optimizer, int batch, Matrix x, Matrix y)
    {
        private readonly TrainConfig config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizer(optimizer));
        private readonly BatchPolicy policy = BatchPolicy.MiniBatch(batch);
        private TrainState Initial => initial ??= Training.Init(config, Network(sizes, activation), Key.FromSeed(3));
        private TrainState? initial;

        /// <summary>Steps per epoch.</summary>
        public int StepsPerEpoch => (x.Rows + batch - 1) / batch;

        /// <summary>
        /// Seconds for <paramref name="epochs"/> epochs from the initial state, as a user runs a fixed number of epochs
        /// (<c>Training.Epochs(...)</c>: batches of <see cref="Batches.ForEpoch"/>, shuffled per epoch, one copy of the
        /// state for the run, as the other engines' loops set up their parameters and moments once), and the last step's
        /// loss. With <paramref name="byEpoch"/>, a loop of <c>state = Training.Epoch(...)</c> instead: a new state (a copy
        /// of the parameters and moments) every epoch.
        /// </summary>
        public (double Seconds, double Loss) Run(int epochs, bool byEpoch = false)
        {
            var state = Initial;
            var clock = Stopwatch.StartNew();
            if (byEpoch)
                for (var e = 0; e < epochs; e++) state = Training.Epoch(config, state, x, y, e, policy, compute);
            else state = Training.Epochs(config, state, x, y, 0, epochs, policy, compute);
            return (clock.Elapsed.TotalSeconds, state.LastLoss);
        }

        /// <summary>
        /// Bytes allocated by one fold of <paramref name="steps"/> steps (<see cref="Training.Steps"/> over precomputed
        /// batches): on this thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) and in the whole process.
        /// </summary>
        public (long Thread, long Process) FoldBytes(int steps)
        {
            var batches = Enumerable.Range(0, (steps + StepsPerEpoch - 1) / StepsPerEpoch)
                .SelectMany(e => Batches.ForEpoch(Training.ShuffleKey(Initial), e, x.Rows, policy)).Take(steps).ToArray();
            var thread = GC.GetAllocatedBytesForCurrentThread();
            var process = GC.GetTotalAllocatedBytes(precise: true);
            var state = Training.Steps(config, Initial, x, y, batches, static _ => true, compute);
            var (t, p) = (GC.GetAllocatedBytesForCurrentThread() - thread, GC.GetTotalAllocatedBytes(precise: true) - process);
            GC.KeepAlive(state);
            return (t, p);
        }

        /// <summary>Bytes allocated on this thread by one <see cref="Training.Epoch"/> from the initial state.</summary>
        public long EpochBytes()
        {
            var thread = GC.GetAllocatedBytesForCurrentThread();
            var state = Training.Epoch(config, Initial, x, y, 0, policy, compute);
            var t = GC.GetAllocatedBytesForCurrentThread() - thread;
            GC.KeepAlive(state);
            return t;
        }

        /// <summary>Bytes of the parameters (and of the optimizer's moments, which a step also returns): 8 per number.</summary>
        public long ParameterBytes => 8L * Initial.Parameters.ParameterCount;
    }

    /// <summary>One predict row: <see cref="Forward.Predict"/> of a fixed batch (softmax probabilities out).</summary>
    public sealed class Predictor(Network network, Matrix x)
    {
        /// <summary>Seconds for <paramref name="calls"/> calls, and the first probability of the last result.</summary>
        public (double Seconds, double First) Run(int calls)
        {
            Matrix? p = null;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++) p = Forward.Predict(network, x, compute);
            return (clock.Elapsed.TotalSeconds, p![0, 0]);
        }
    }
}

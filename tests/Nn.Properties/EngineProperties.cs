using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// The engine behind folds (<see cref="Training.Steps"/>, <see cref="Training.Epoch"/>) computes exactly what folding the
/// readable reference <see cref="Training.Step"/> over the same batches computes: the same parameters, optimizer state,
/// step count and per-step losses, bit for bit, on random architectures (any depth, every hidden activation and loss
/// pairing, MSE through a non-linear output too), every optimizer, L2, dropout, clipping, a decaying schedule, batch
/// sizes with a partial last batch, 1 or 2 threads, and with its fused paths on or off. The only test that knows the
/// engine exists: every other one sees the public functions.
/// </summary>
public class EngineProperties
{
    public sealed record Case(Arch Arch, Loss Loss, string Optimizer, double L2, double Dropout, double Clip, bool Decay,
        int Rows, int Batch, int Threads, bool Fused, long Seed)
    {
        /// <summary>Row weights: "none", "random" (in [0.1, 3)) or "zeros" (random with every third row 0, so some batches weigh 0).</summary>
        public string Weights { get; init; } = "none";

        /// <summary>Whether every product takes the packed path (none the small unpacked one), so it splits between the threads.</summary>
        public bool Packed { get; init; }

        public override string ToString() =>
            $"{Arch} {Loss.Name} {Optimizer} l2 {L2} dropout {Dropout} clip {Clip} decay {Decay} rows {Rows} batch {Batch} threads {Threads} packed {Packed} fused {Fused} weights {Weights} seed {Seed}";
    }

    private static bool Pairs(Loss loss, Activation output)
    {
        try { Losses.CheckPairing(loss, output); return true; }
        catch (ArgumentException) { return false; }
    }

    private static readonly Gen<Case> Cases =
        from loss in Gens.AnyLoss
        from arch in Gens.Architecture(Gens.HiddenActivation,
            Gen.Elements(Activations.Linear, Activations.Sigmoid, Activations.Tanh, Activations.Softmax).Where(o => Pairs(loss, o)))
        from optimizer in Gen.Elements("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "linked")
        from l2 in Gen.Elements(0.0, 0.0, 0.01)
        from dropout in Gen.Elements(0.0, 0.0, 0.3)
        from clip in Gen.Elements(0.0, 0.0, 0.5)
        from decay in Gen.Elements(false, true)
        from rows in Gen.Choose(1, 40)
        from batch in Gen.Choose(1, 16)
        from threads in Gen.Elements(1, 2)
        from fused in Gen.Elements(true, false)
        from seed in Gens.Seed
        from weights in Gen.Elements("none", "none", "random", "zeros")
        select new Case(arch, loss, optimizer, l2, dropout, clip, decay, rows, batch, threads, fused, seed) { Weights = weights };

    private static bool SameBits(Network a, Network b) => Parameters.BitEquals(a, b);

    private static bool SameState(OptimizerState a, OptimizerState b) => OptimizerStates.SameBits(a, b);

    /// <summary>A named optimizer at <paramref name="rate"/>, or ("linked") a chain no fused kernel takes, which the engine runs link by link.</summary>
    internal static GradientTransformation Make(string name, Schedule rate) => name switch
    {
        "sgd" => Optimizers.Sgd(rate),
        "momentum" => Optimizers.Momentum(rate, 0.9),
        "nesterov" => Optimizers.Nesterov(rate, 0.9),
        "rmsprop" => Optimizers.RmsProp(rate),
        "adam" => Optimizers.Adam(rate),
        "adamw" => Optimizers.AdamW(rate, 0.01),
        _ => Optimizers.Chain(new ScaleByMomentum(0.5, false), Optimizers.ClipByGlobalNorm(0.2), new AddDecayedWeights(0.01), new ScaleByLearningRate(rate)),
    };

    [Property(Replay = PropertyConfig.Replay, MaxTest = 300)]
    public Property A_fold_gives_the_bits_of_folding_the_reference_step() => Prop.ForAll(Cases.ToArbitrary(), Check);

    /// <summary>
    /// Layers up to 70 wide, batches of 32–100 rows and 2 or 3 threads, every product packed and split between the
    /// threads: each product's tiles in several parts that the threads claim by their shares (and steal), and each large
    /// update in ranges the same way; a part dropped or computed twice changes the bits.
    /// </summary>
    [Property(Replay = PropertyConfig.Replay, MaxTest = 40)]
    public Property A_fold_gives_the_reference_bits_on_wide_layers_split_between_threads() =>
        Prop.ForAll(
            (from c in Cases
             from layers in Gen.Choose(1, 4)
             from sizes in Gen.ArrayOf(Gen.Choose(1, 70), layers + 1)
             from batch in Gen.Choose(32, 100)
             from threads in Gen.Elements(2, 3)
             from hidden in Gens.HiddenActivation
             select c with
             {
                 Arch = c.Arch with { Sizes = [.. sizes], Activations = [.. Enumerable.Range(0, layers).Select(l => l < layers - 1 ? hidden : c.Arch.OutputActivation)] },
                 Rows = 120,
                 Batch = batch,
                 Threads = threads,
                 Packed = true,
             }).ToArbitrary(),
            Check);

    private static void Check(Case c)
        {
            var key = Key.FromSeed(c.Seed);
            var network = c.Arch.Build();
            var x = Gens.Uniform(Prng.Fold(key, 1).State, c.Rows, c.Arch.Inputs, -2, 2);
            var y = Gens.Targets(c.Loss, Prng.Fold(key, 2).State, c.Rows, c.Arch.Outputs);
            var optimizer = Make(c.Optimizer, c.Decay ? Schedules.Exponential(0.05, 0.9) : Schedules.Constant(0.05));
            var config = TrainConfig.Of(new Objective(c.Loss, c.L2, c.Dropout), OptimizerStates.Clipped(optimizer, c.Clip));
            var options = new ComputeOptions
            {
                MaxThreads = c.Threads,
                Kernels = KernelPolicy.Default with { SmallMlp = c.Fused, ParallelThreshold = 0, DirectThreshold = c.Packed ? 0 : KernelPolicy.Default.DirectThreshold },
            };
            var start = Training.Init(config, network, Prng.Fold(key, 3));

            var batches = new List<ImmutableArray<int>>();
            for (var e = 0; e < 2; e++) batches.AddRange(Batches.ForEpoch(Training.ShuffleKey(start), e, c.Rows, BatchPolicy.MiniBatch(c.Batch)));

            var data = c.Weights == "none" ? null : new TrainingData(x, y).WithWeights(Vector.Init(c.Rows, i =>
                c.Weights == "zeros" && i % 3 == 0 ? 0.0 : 0.1 + 2.9 * Prng.ToUnit(Prng.Word(Prng.Fold(key, 4), i))));

            var reference = start;
            var referenceLosses = new List<double>();
            foreach (var batch in batches)
            {
                reference = data is null
                    ? Training.Step(config, reference, x.SelectRows(batch), y.SelectRows(batch))
                    : Training.WeightedStep(config, reference, data.Select(batch));
                referenceLosses.Add(reference.LastLoss);
            }

            var losses = new List<double>();
            var steps = new List<long>();
            bool Report(StepReport r) { losses.Add(r.Loss); steps.Add(r.Step); return true; }
            var folded = data is null
                ? Training.Steps(config, start, x, y, batches, Report, options)
                : Training.WeightedSteps(config, start, data, batches, Report, options);

            Assert.True(SameBits(reference.Parameters, folded.Parameters), $"parameters: {c}");
            Assert.True(SameState(reference.Optimizer, folded.Optimizer), $"optimizer state: {c}");
            Assert.Equal(reference.Step, folded.Step);
            Assert.Equal(reference.Key, folded.Key);
            Assert.Equal(referenceLosses.Select(BitConverter.DoubleToInt64Bits), losses.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), steps);
            Assert.True(SameBits(start.Parameters, network), "the fold changed the caller's state");
        }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Narrow_networks_give_the_reference_bits_with_every_optimizer() =>
        // The shapes the whole-step kernel takes (k ≤ 4 → 8·j units → c ≤ 4 softmax, piecewise-linear units) with every
        // optimizer, and a deeper network of the same widths (the general step), on batches of the kernel's sizes.
        Prop.ForAll(
            Arb.From(from k in Gen.Choose(1, 4)
                     from h in Gen.Elements(8, 16, 32)
                     from classes in Gen.Choose(2, 4)
                     from deep in Gen.Elements(false, true)
                     from batch in Gen.Elements(8, 16, 32, 7)
                     from seed in Gens.Seed
                     from units in Gen.Elements(Activations.Relu, Activations.LeakyRelu(0.05), Activations.Linear)
                     from optimizer in Gen.Elements("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
                     select (k, h, classes, deep, batch, seed, units, optimizer)),
            t =>
            {
                var key = Key.FromSeed(t.seed);
                int[] sizes = t.deep ? [t.k, t.h, t.h, t.classes] : [t.k, t.h, t.classes];
                var network = Init.Mlp(Prng.Fold(key, 0), sizes, t.units, Activations.Softmax, InitSchemes.HeNormal);
                var x = Gens.Uniform(Prng.Fold(key, 1).State, 50, t.k, -2, 2);
                var y = Gens.Targets(Losses.CategoricalCrossEntropy, Prng.Fold(key, 2).State, 50, t.classes);
                var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Parse(t.optimizer, t.optimizer == "sgd" ? 0.1 : 0.01));
                var start = Training.Init(config, network, Prng.Fold(key, 3));
                var batches = Batches.ForEpoch(Training.ShuffleKey(start), 0, 50, BatchPolicy.MiniBatch(t.batch));
                var reference = start;
                foreach (var batch in batches) reference = Training.Step(config, reference, x.SelectRows(batch), y.SelectRows(batch));
                var folded = Training.Epoch(config, start, x, y, 0, BatchPolicy.MiniBatch(t.batch));
                Assert.True(SameBits(reference.Parameters, folded.Parameters), $"{t}");
                Assert.Equal(BitConverter.DoubleToInt64Bits(reference.LastLoss), BitConverter.DoubleToInt64Bits(folded.LastLoss));
            });

    [Theory]
    [InlineData("sgd", 1)]
    [InlineData("momentum", 1)]
    [InlineData("nesterov", 1)]
    [InlineData("rmsprop", 1)]
    [InlineData("adam", 1)]
    [InlineData("adamw", 1)]
    [InlineData("sgd", 2)]
    [InlineData("momentum", 2)]
    [InlineData("adam", 2)]
    public void Steps_in_a_fold_allocate_nothing_after_the_first_of_each_batch_size(string name, int threads)
    {
        // tanh hidden layers, so the general path runs (not the fused ReLU/SGD one), with L2 and clipping.
        var network = Init.Mlp(Key.FromSeed(1), [12, 32, 16, 3], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var x = Gens.Uniform(5UL, 200, 12, -1, 1);
        var y = Gens.Targets(Losses.CategoricalCrossEntropy, 6UL, 200, 3);
        var config = TrainConfig.Of(new Objective(Losses.CategoricalCrossEntropy, 0.001, 0), OptimizerStates.Clipped(Optimizers.Parse(name, 0.01), 1.0));
        var start = Training.Init(config, network, Key.FromSeed(2));
        var batches = Enumerable.Range(0, 8).SelectMany(e => Batches.ForEpoch(Training.ShuffleKey(start), e, 200, BatchPolicy.MiniBatch(32))).ToArray();
        // With two threads every product, epilogue and update of this small net is split (thresholds at 0 and 64): the
        // parallel calls must allocate nothing either (their operands go in reused objects, the job is reused).
        var compute = new ComputeOptions
        {
            MaxThreads = threads,
            Kernels = threads == 1 ? KernelPolicy.Default : KernelPolicy.Default with { ParallelThreshold = 0, UpdateParallelLength = 64 },
        };
        long Allocated(int count)
        {
            var slice = batches[..count];
            var before = GC.GetAllocatedBytesForCurrentThread();
            var state = Training.Steps(config, start, x, y, slice, static _ => true, compute);
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(state);
            return bytes;
        }
        Allocated(batches.Length); // warm up (JIT, the thread's workspaces)
        // The least of five runs of each length: an allocation by the engine happens on every step of every run, while the
        // runtime's own occasional work on this thread (a method moving to optimised code mid-run, which comes sooner or
        // later with the machine's load) does not; so the minima hold only the engine's, and their difference its per-step
        // part. (Differences of single runs went negative under load: the runtime's work landed in the shorter run.)
        var full = Enumerable.Range(0, 5).Min(_ => Allocated(batches.Length));
        var part = Enumerable.Range(0, 5).Min(_ => Allocated(14));
        var perStep = (full - part) / (batches.Length - 14);
        Assert.True(perStep <= 0, $"{name}, {threads} threads: {perStep} bytes per step ({full} bytes for {batches.Length} steps, {part} for 14)");
    }

    [Theory]
    [InlineData("sgd", 0)]
    [InlineData("momentum", 1)]
    [InlineData("adam", 2)]
    public void A_fold_after_the_first_allocates_the_state_it_returns_not_its_gradients_and_frames(string name, int moments)
    {
        // 100 → 200 → 10 at batch 32: the gradients (parameter-sized) and the frames (X, Z, A, δ of each layer) together
        // outweigh the parameters; a run of epochs must reuse them, allocating only the new state's parameters and moments.
        var network = Init.Mlp(Key.FromSeed(1), [100, 200, 10], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var x = Gens.Uniform(7UL, 256, 100, -1, 1);
        var y = Gens.Targets(Losses.CategoricalCrossEntropy, 8UL, 256, 10);
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Parse(name, 0.01));
        var state = Training.Init(config, network, Key.FromSeed(2));
        long Epoch(long e)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            state = Training.Epoch(config, state, x, y, e, BatchPolicy.MiniBatch(32));
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Epoch(0); // warm up (JIT, the thread's workspaces)
        var least = Enumerable.Range(1, 5).Min(e => Epoch(e)); // the least of five: the runtime's own work on this thread comes and goes
        var parameterBytes = Parameters.Flatten(network).Length * 8L;
        var frameBytes = 8L * 32 * (100 + 3 * (200 + 10));
        Assert.True(least < (1 + moments) * parameterBytes + parameterBytes / 2,
            $"{name}: {least} bytes an epoch for {parameterBytes} bytes of parameters ({moments} moments; gradients {parameterBytes}, frames {frameBytes} more if not reused)");
    }
}

using System.Collections.Immutable;

namespace Nn;

/// <summary>Everything that decides how a step changes the parameters (hyper-parameters only; no mutable state).</summary>
/// <param name="Objective">The loss, L2 and dropout.</param>
/// <param name="Optimizer">The update rule, a chain of gradient transformations (e.g. <c>Optimizers.Adam(1e-3)</c>, or
/// <c>Optimizers.Chain(Optimizers.ClipByGlobalNorm(1), Optimizers.Adam(Schedules.Cosine(1e-3, 1000, 0)))</c>): the learning
/// rate or schedule and any clipping live there, and only there.</param>
public sealed record TrainConfig(Objective Objective, GradientTransformation Optimizer)
{
    /// <summary>A configuration of <paramref name="objective"/> and <paramref name="optimizer"/>.</summary>
    public static TrainConfig Of(Objective objective, GradientTransformation optimizer) => new(objective, optimizer);

    /// <summary>A copy with another optimizer (its own learning rate, schedule and clipping).</summary>
    public TrainConfig WithOptimizer(GradientTransformation optimizer) => this with { Optimizer = optimizer };

    /// <summary>A copy with another objective.</summary>
    public TrainConfig WithObjective(Objective objective) => this with { Objective = objective };
}

/// <summary>The whole state of training between two steps; a pure function maps it to the next one.</summary>
/// <param name="Parameters">The current network.</param>
/// <param name="Optimizer">The optimizer's state (moments, its own step count).</param>
/// <param name="Step">How many steps have been taken (0 before the first).</param>
/// <param name="Key">The training key; dropout in step t uses <c>Prng.Fold(Prng.Fold(Key, 0), t)</c>, shuffling uses <c>Prng.Fold(Key, 1)</c>.</param>
/// <param name="LastLoss">The objective on the batch of the last step (NaN before the first step).</param>
public sealed record TrainState(Network Parameters, OptimizerState Optimizer, long Step, Key Key, double LastLoss)
{
    /// <summary>A copy with other parameters (e.g. restored best weights); everything else is kept.</summary>
    public TrainState WithParameters(Network parameters) => this with { Parameters = parameters };
}

/// <summary>Training as pure state transitions: <c>state = Training.Step(config, state, x, y)</c>.</summary>
public static class Training
{
    /// <summary>The state before the first step.</summary>
    public static TrainState Init(TrainConfig config, Network network, Key key) =>
        new(network, Optimizers.Init(config.Optimizer, network), 0, key, double.NaN);

    /// <summary>The key that orders the examples of every epoch (see <see cref="Batches.ForEpoch"/>).</summary>
    public static Key ShuffleKey(TrainState state) => Prng.Fold(state.Key, 1);

    /// <summary>
    /// One step on a batch X (b × inputs), Y (b × outputs): forward, backprop, then the optimizer's update
    /// (<see cref="Optimizers.Update"/>). Returns the next state; the given one is unchanged.
    /// <paramref name="compute"/> (threads) changes the speed, never the result.
    /// </summary>
    public static TrainState Step(TrainConfig config, TrainState state, Matrix x, Matrix y, ComputeOptions? compute = null)
    {
        // The step's intermediates go to a borrowed workspace, so a loop of steps reuses their arrays.
        var ws = Kernels.Workspace.Borrow(compute ?? ComputeOptions.Default);
        try { return Advance(config, state, x, y, null, ws); }
        finally { ws.GiveBack(); }
    }

    /// <summary>
    /// <see cref="Step"/> on a batch's X and Y, weighting its rows by the batch's <see cref="TrainingData.Weights"/> when
    /// it has them (see <see cref="Backprop.WeightedGradient"/>); without weights, exactly <see cref="Step"/>.
    /// </summary>
    public static TrainState WeightedStep(TrainConfig config, TrainState state, TrainingData batch, ComputeOptions? compute = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ws = Kernels.Workspace.Borrow(compute ?? ComputeOptions.Default);
        try { return Advance(config, state, batch.X, batch.Y, batch.Weights, ws); }
        finally { ws.GiveBack(); }
    }

    /// <summary>
    /// The step as the composition it is defined by: back-propagation (with this step's dropout key), then the
    /// optimizer's update (<see cref="Optimizers.Update"/>: its clipping, scaling and learning rate). The readable reference that <see cref="Execution.Engine"/>
    /// reproduces bit for bit.
    /// </summary>
    private static TrainState Advance(TrainConfig config, TrainState state, Matrix x, Matrix y, Vector? weights, Kernels.Workspace ws)
    {
        var objective = config.Objective;
        // The trace, deltas and gradients live in the step's scratch: the step returns only new parameters and state.
        ws.Begin();
        var dropoutKey = objective.DropoutRate > 0 ? Prng.Fold(Prng.Fold(state.Key, 0), state.Step) : null;
        var g = Backprop.Scratch(state.Parameters, x, y, weights, objective, dropoutKey, ws);
        var next = Optimizers.Apply(config.Optimizer, state.Optimizer, state.Parameters, g.Gradients, ws);
        return new TrainState(next.Parameters, next.State, state.Step + 1, state.Key, g.Loss);
    }

    /// <summary>
    /// One epoch: the batches of <see cref="Batches.ForEpoch"/> with <see cref="ShuffleKey"/>, folded through
    /// <see cref="Step"/> (by <see cref="Steps"/>). X is (m × inputs), Y (m × outputs).
    /// </summary>
    public static TrainState Epoch(TrainConfig config, TrainState state, Matrix x, Matrix y, long epoch, BatchPolicy policy, ComputeOptions? compute = null) =>
        Fold(config, state, x, y, null, Batches.ForEpoch(ShuffleKey(state), epoch, x.Rows, policy), null, compute ?? ComputeOptions.Default);

    /// <summary>
    /// <paramref name="count"/> epochs, <paramref name="firstEpoch"/> … <paramref name="firstEpoch"/> + count − 1, in one
    /// fold: the bits of <c>for e in those epochs: state = Epoch(config, state, x, y, e, policy)</c> (the shuffle key
    /// never changes during training, so every epoch's batches are known up front), with one copy of the parameters and
    /// moments for the whole run instead of one per epoch. Use it when nothing needs the state between the epochs: each
    /// copy of a large network is fresh memory (784→512→512→10 with Adam: 16 MB, 30–40 ms on a virtual machine whose
    /// host backs every new page on first touch, against 16 steps of about 4 ms on 2,048 rows at batch 128).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative <paramref name="count"/>, or a batch size below 1.</exception>
    public static TrainState Epochs(TrainConfig config, TrainState state, Matrix x, Matrix y, long firstEpoch, int count, BatchPolicy policy,
        ComputeOptions? compute = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (policy.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(policy), policy.BatchSize, "The batch size must be >= 1.");
        return Fold(config, state, x, y, null, EpochBatches(ShuffleKey(state), firstEpoch, count, x.Rows, policy), null, compute ?? ComputeOptions.Default);
    }

    /// <summary>The batches of the epochs, one epoch's at a time (an epoch's order is computed when the fold reaches it).</summary>
    /// <remarks>LINQ rather than an iterator method: a compiled iterator reads <c>Environment.CurrentManagedThreadId</c>,
    /// which the core's boundary scan refuses.</remarks>
    private static IEnumerable<ImmutableArray<int>> EpochBatches(Key key, long firstEpoch, int count, int rows, BatchPolicy policy) =>
        Enumerable.Range(0, count).SelectMany(e => Batches.ForEpoch(key, checked(firstEpoch + e), rows, policy));

    /// <summary>
    /// <see cref="Step"/> folded over the batches (each a list of row indices into X and Y), calling
    /// <paramref name="onStep"/> after every step; when it returns false the fold stops and returns the state after that
    /// step. The result has exactly the bits of the fold of <see cref="Step"/>, and <paramref name="state"/> is not
    /// changed. Only the storage differs: the fold copies the parameters (and moments) once and every step updates those
    /// arrays in place, because no
    /// intermediate state is ever seen outside the fold. A long run then allocates nothing per step and keeps one copy of the parameters in cache, as an in-place NumPy loop does.
    /// </summary>
    public static TrainState Steps(TrainConfig config, TrainState state, Matrix x, Matrix y,
        IEnumerable<ImmutableArray<int>> batches, Func<StepReport, bool> onStep, ComputeOptions? compute = null)
    {
        ArgumentNullException.ThrowIfNull(onStep);
        return Fold(config, state, x, y, null, batches, onStep, compute ?? ComputeOptions.Default);
    }

    /// <summary>
    /// <see cref="Steps"/> on the rows of <paramref name="data"/>, each step weighting its batch's rows by their <see cref="TrainingData.Weights"/>
    /// when the data has them (each batch normalised by its own weights' sum): the bits of folding
    /// <see cref="WeightedStep"/> over <c>data.Select(batch)</c>.
    /// </summary>
    public static TrainState WeightedSteps(TrainConfig config, TrainState state, TrainingData data,
        IEnumerable<ImmutableArray<int>> batches, Func<StepReport, bool> onStep, ComputeOptions? compute = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(onStep);
        return Fold(config, state, data.X, data.Y, data.Weights, batches, onStep, compute ?? ComputeOptions.Default);
    }

    /// <summary>
    /// <see cref="Steps"/>; without <paramref name="onStep"/> (<see cref="Epoch"/>) no report, so no finiteness scan. The
    /// steps run on <see cref="Execution.Engine"/>, which copies the state's arrays on the first batch and updates its
    /// copies in place: the bits of folding <see cref="Step"/>.
    /// </summary>
    private static TrainState Fold(TrainConfig config, TrainState state, Matrix x, Matrix y, Vector? weights,
        IEnumerable<ImmutableArray<int>> batches, Func<StepReport, bool>? onStep, ComputeOptions compute)
    {
        ArgumentNullException.ThrowIfNull(batches);
        Execution.Engine? engine = null;
        try
        {
            foreach (var batch in batches)
            {
                engine ??= new Execution.Engine(config, state, x, y, weights, compute);
                engine.Run(batch);
                if (onStep is null) continue;
                var finite = double.IsFinite(engine.LastLoss) && engine.ParametersFinite();
                if (!onStep(new StepReport(engine.Step, batch.Length, engine.LastLoss, finite))) break;
            }
            return engine?.State() ?? state;
        }
        finally { engine?.Dispose(); }
    }
}

/// <summary>
/// What <see cref="Training.Steps"/> reports after each step. It holds no parameters: the fold goes on updating them.
/// </summary>
/// <param name="Step">The state's step count after this step (<see cref="TrainState.Step"/>).</param>
/// <param name="Examples">How many examples the batch had.</param>
/// <param name="Loss">The objective on the batch (<see cref="TrainState.LastLoss"/>).</param>
/// <param name="Finite">Whether the loss and every updated parameter are finite (<see cref="Parameters.IsFinite(Network)"/>).</param>
public readonly record struct StepReport(long Step, int Examples, double Loss, bool Finite);

using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Nn.Kernels;

namespace Nn.Execution;

/// <summary>
/// The one engine behind <see cref="Training.Steps"/> and <see cref="Training.Epoch"/>: it owns a copy of the parameters
/// and the optimizer's moments as flat arrays, and runs every step of any network the library describes (any depth,
/// every activation and loss pairing, every optimizer, L2, dropout, clipping and schedules) straight on those arrays with
/// the kernels, updating them in place; the records of a <see cref="TrainState"/> are built once, at the end. Its
/// buffers for a batch size are made on that size's first step, so later steps allocate nothing.
/// </summary>
/// <remarks>
/// <para>Semantics live in the public functions (<see cref="Training.Step"/>: <see cref="Backprop.Gradient"/>,
/// <see cref="Optimizers.ClipByGlobalNorm"/>, <see cref="Optimizers.Update"/>); the engine is only how a fold runs them,
/// and gives their bits: the same kernels in the same order on every value (a property test compares the two on random
/// networks, optimizers and batches). A network with one narrow hidden layer and a softmax output (k ≤ 4 → h → c ≤ 4,
/// ReLU, leaky ReLU or linear units, any optimizer) takes <see cref="SmallMlp"/>'s whole-step kernel, with the batch on the SIMD lanes:
/// the same bits again.</para>
/// <para>Not thread-safe: one fold, one caller. It borrows two workspaces (the kernels' context and per-step scratch, and
/// the fold's gradients and batch frames) and gives them back on <see cref="Dispose"/>.</para>
/// </remarks>
internal sealed class Engine : IDisposable
{
    private readonly TrainConfig config;
    private readonly Objective objective;
    private readonly Workspace ws;
    private readonly Workspace held; // the fold's gradients and frames (rented once, never rewound during the fold)
    private readonly Network shape;
    private readonly Activation[] act;
    private readonly int[] sizes;
    private readonly int n;
    private readonly double[][] w;
    private readonly double[][] b;
    private readonly double[][] gw;
    private readonly double[][] gb;
    private readonly double[][]? aw; // first moment (velocity, mean square, Adam's m)
    private readonly double[][]? ab;
    private readonly double[][]? vw; // Adam's second moment
    private readonly double[][]? vb;
    private readonly Key key;
    private readonly Matrix x;
    private readonly Matrix y;
    private readonly Vector? weights;      // one per row of x, or null: unweighted
    private readonly bool plainSgd;
    private readonly FusedUpdate? fused;   // a named optimizer's chain, run by its fused kernel; null: link by link
    private OptimizerState? generalState;  // the state of any other chain
    private long step;
    private long rateCount;                // the fused chain's ScaleByLearningRate count
    private long adamCount;                // and its ScaleByAdam count
    private double lastLoss;
    private Frame? full;
    private Frame? other;

    /// <summary>
    /// An engine for folding steps over batches of rows of <paramref name="x"/> and <paramref name="y"/>, starting from
    /// <paramref name="state"/> (copied: the caller's arrays are never written).
    /// </summary>
    internal Engine(TrainConfig config, TrainState state, Matrix x, Matrix y, Vector? weights, ComputeOptions compute)
    {
        this.config = config;
        objective = config.Objective;
        objective.Validate();
        var p = state.Parameters;
        Losses.CheckPairing(objective.Loss, p.OutputActivation);
        if (x.Cols != p.InputSize)
            throw new ArgumentException($"The input has {x.Cols} features but the network expects {p.InputSize}.", nameof(x));
        if (y.Rows != x.Rows || y.Cols != p.OutputSize)
            throw new ArgumentException($"The targets are {y.Shape} but the data needs {x.Rows}×{p.OutputSize}.", nameof(y));
        if (weights is not null) RowWeights.Check(weights, x.Rows, nameof(weights));
        this.weights = weights;
        shape = p;
        n = p.Layers.Length;
        act = [.. p.Layers.Select(l => l.Activation)];
        sizes = [.. p.Sizes];
        w = [.. p.Layers.Select(l => Fresh(l.Weights.AsSpan()))];
        b = [.. p.Layers.Select(l => Fresh(l.Bias.AsSpan()))];
        // The gradients and the batch frames live as long as the fold and never escape it: they come from a workspace
        // this thread keeps between folds, so a run of epochs (one fold each) reuses them instead of allocating megabytes
        // per epoch (at 784→512→512→10, 5.4 MB of gradients and 3 MB of frames: large-object allocations whose
        // background collections took a core from the products on a 2-core machine).
        held = Workspace.Borrow(compute).Begin();
        gw = [.. p.Layers.Select(l => held.Rent(l.Inputs * l.Outputs))];
        gb = [.. p.Layers.Select(l => held.Rent(l.Outputs))];
        fused = FusedUpdate.Of(config.Optimizer);
        if (fused is null) generalState = state.Optimizer;
        else
        {
            var parts = fused.Read(state.Optimizer, p);
            (rateCount, adamCount) = (parts.RateCount, parts.AdamCount);
            if (parts.A is not null) (aw, ab) = Copy(p, parts.A);
            if (parts.B is not null) (vw, vb) = Copy(p, parts.B);
        }
        step = state.Step;
        key = state.Key;
        lastLoss = state.LastLoss;
        this.x = x;
        this.y = y;
        plainSgd = fused is { Kind: FusedUpdate.Rule.Sgd, ClipNorm: 0 } && objective.L2 == 0;
        ws = Workspace.Borrow(compute);
    }

    /// <summary>The objective on the last batch.</summary>
    internal double LastLoss => lastLoss;

    /// <summary>The step count (<see cref="TrainState.Step"/>).</summary>
    internal long Step => step;

    /// <summary>Whether every weight and bias is finite.</summary>
    internal bool ParametersFinite()
    {
        for (var l = 0; l < n; l++)
            if (!Blas.AllFinite(w[l], ws.Threads) || !Blas.AllFinite(b[l], ws.Threads)) return false;
        return true;
    }

    /// <summary>The state after the steps so far, as new records over the engine's arrays (the engine must not step again).</summary>
    internal TrainState State()
    {
        var parameters = Network(w, b);
        var s = fused is null ? generalState! : fused.Write(new FusedUpdate.Parts(rateCount, adamCount,
            aw is null ? null : Network(aw, ab!), vw is null ? null : Network(vw, vb!)));
        return new TrainState(parameters, s, step, key, lastLoss);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ws.GiveBack();
        held.GiveBack();
    }

    /// <summary>
    /// One step on the given rows: the bits of <see cref="Training.Step"/> on those rows, with the parameters and moments
    /// updated in place.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row outside the data (nothing is changed).</exception>
    internal void Run(ImmutableArray<int> rows)
    {
        var m = rows.Length;
        foreach (var r in rows.AsSpan())
            if ((uint)r >= (uint)x.Rows) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index must be in [0, {x.Rows}).");
        var rate = objective.DropoutRate;
        var dropoutKey = rate > 0 ? Prng.Fold(Prng.Fold(key, 0), step) : null;
        var lr = fused is null ? 0.0 : Schedules.LearningRate(fused.Schedule, rateCount);
        ws.Begin();
        var small = dropoutKey is null && weights is null && SmallStep(m);
        var (k, h, c) = (sizes[0], sizes[1], sizes[^1]);
        if (small && plainSgd)
        {
            // SGD without L2 or clipping: the kernel applies θ − lr·g as the gradients leave its registers.
            lastLoss = SmallMlp.SgdStep(x.AsSpan(), y.AsSpan(), rows.AsSpan(), k, h, c, act[0], w[0], b[0], w[1], b[1], lr, ws);
        }
        else
        {
            var penalty = Penalty();
            double dataLoss;
            if (small)
            {
                dataLoss = SmallMlp.Gradient(x.AsSpan(), y.AsSpan(), rows.AsSpan(), k, h, c, act[0], w[0], b[0], w[1], b[1], gw[0], gb[0], gw[1], gb[1], ws);
                for (var l = 0; l < n; l++) AddL2(l);
            }
            else
            {
                var f = FrameFor(m);
                Blas.GatherRows(x.AsSpan(), x.Rows, x.Cols, rows.AsSpan(), f.X);
                Blas.GatherRows(y.AsSpan(), y.Rows, y.Cols, rows.AsSpan(), f.Y);
                if (weights is not null) Blas.GatherRows(weights.AsSpan(), weights.Length, 1, rows.AsSpan(), f.W);
                Forward(f, m, dropoutKey);
                dataLoss = OutputDelta(f, m);
                Backward(f, m);
            }
            if (fused is null) GeneralUpdate();
            else
            {
                Clip(fused.ClipNorm);
                var (c1, c2) = fused.Corrections(adamCount);
                Update(fused, lr, c1, c2);
            }
            lastLoss = dataLoss + penalty;
        }
        if (fused is not null)
        {
            rateCount = checked(rateCount + 1);
            if (fused.Kind == FusedUpdate.Rule.Adam) adamCount = checked(adamCount + 1);
        }
        step++;
    }

    /// <summary>The small-network kernel's networks: one narrow hidden layer, a softmax cross-entropy output.</summary>
    private bool SmallStep(int m) =>
        n == 2 && objective.Loss is Loss.CategoricalCrossEntropy && act[1] is Activation.Softmax
        && SmallMlp.Takes(ws.Policy, m, sizes[0], sizes[1], sizes[2], act[0]);

    /// <summary><c>∂J/∂W_l += λ·W_l</c> (multiply, then add, as Backprop's <c>Matrix.Add(g, Matrix.Scale(λ, W))</c>).</summary>
    private void AddL2(int l)
    {
        if (objective.L2 != 0) Blas.Axpy(objective.L2, w[l], gw[l]);
    }

    /// <summary>The L2 penalty of the weights before the update (<see cref="Losses.L2Penalty"/>'s sum).</summary>
    private double Penalty()
    {
        if (objective.L2 == 0) return 0.0;
        var sum = 0.0;
        for (var l = 0; l < n; l++) sum += Blas.Dot(w[l], w[l]);
        return 0.5 * objective.L2 * sum;
    }

    /// <summary>
    /// <see cref="Nn.Forward"/>'s training pass into the frame: a hidden ReLU layer without dropout stores only its
    /// activation (the backward pass gates by it), a softmax output leaves each row's log-sum-exp.
    /// </summary>
    private void Forward(Frame f, int m, Key? dropoutKey)
    {
        var input = f.X;
        var rate = objective.DropoutRate;
        for (var l = 0; l < n; l++)
        {
            var (k, o) = (sizes[l], sizes[l + 1]);
            var hidden = l < n - 1;
            var drop = hidden && dropoutKey is not null;
            if (act[l] is Activation.Relu && hidden && !drop)
                Gemm.Multiply(input, false, w[l], false, f.A[l], m, k, o, b[l], Epilogue.ReluOnly, null, ws);
            else if (act[l] is Activation.Relu)
                Gemm.Multiply(input, false, w[l], false, f.Z[l], m, k, o, b[l], Epilogue.Relu, f.A[l], ws);
            else
            {
                Blas.Gemm(input, w[l], f.Z[l], m, k, o, b[l], ws);
                if (act[l] is Activation.Softmax && !hidden) Elementwise.SoftmaxRows(f.Z[l].AsSpan(0, m * o), f.A[l], f.Lse, m, o);
                else Elementwise.Activate(act[l], f.Z[l].AsSpan(0, m * o), f.A[l], o);
            }
            if (drop)
            {
                var maskKey = Prng.Fold(dropoutKey!, l);
                var keep = 1.0 / (1.0 - rate);
                var mask = f.Mask[l];
                for (var j = 0; j < m * o; j++) mask[j] = Prng.ToUnit(Prng.Word(maskKey, j)) < rate ? 0.0 : keep;
                Blas.Multiply(f.A[l].AsSpan(0, m * o), mask.AsSpan(0, m * o), f.Out[l]);
                input = f.Out[l];
            }
            else input = f.A[l];
        }
    }

    /// <summary>The data loss and ∂J/∂Z of the output layer into the frame's delta (Backprop's OutputDelta).</summary>
    private double OutputDelta(Frame f, int m)
    {
        var last = n - 1;
        var c = sizes[n];
        var z = f.Z[last].AsSpan(0, m * c);
        var yHat = f.A[last].AsSpan(0, m * c);
        var yb = f.Y.AsSpan(0, m * c);
        var delta = f.Delta[last].AsSpan(0, m * c);
        if (weights is not null)
        {
            // Weighted rows take the general loss and gradient, as Backprop's OutputDelta does (no fused softmax kernel).
            var wb = f.W.AsSpan(0, m);
            var weighted = Losses.DataLoss(objective.Loss, z, yHat, yb, wb, m, c, f.Lse);
            var through = Losses.ThroughActivation(objective.Loss, act[last]);
            Losses.OutputGradient(objective.Loss, act[last], z, yHat, yb, wb, m, c, through ? f.Spare.AsSpan(0, m * c) : delta, delta);
            return weighted;
        }
        if (objective.Loss is Loss.CategoricalCrossEntropy && act[last] is Activation.Softmax && c > 0)
            return Elementwise.CrossEntropyWithGradient(yHat, f.Lse, z, yb, delta, m, c);
        var loss = Losses.DataLoss(objective.Loss, z, yHat, yb, m, c, f.Lse);
        if (Losses.ThroughActivation(objective.Loss, act[last]))
            Losses.OutputGradient(objective.Loss, act[last], z, yHat, yb, m, c, f.Spare.AsSpan(0, m * c), delta);
        else Losses.OutputGradient(objective.Loss, act[last], z, yHat, yb, m, c, delta, delta);
        return loss;
    }

    /// <summary>
    /// δ of layer l − 1 from layer l's (Backprop's DeltaBelow), reading W_l before any update; returns whether the
    /// product also wrote layer l − 1's bias gradient (the column sums of δ) into <paramref name="sums"/>.
    /// </summary>
    private bool DeltaBelow(Frame f, int m, int l, double[] sums)
    {
        var (k, o) = (sizes[l], sizes[l + 1]); // layer l: k inputs = layer l − 1's units
        var below = f.Delta[l - 1];
        var dropped = objective.DropoutRate > 0 && f.MaskUsed(l - 1);
        if (!dropped && act[l - 1] is Activation.Relu)
        {
            Gemm.Multiply(f.Delta[l], false, w[l], true, below, m, o, k, null, Epilogue.ReluGate, f.A[l - 1], sums, ws);
            return true;
        }
        var dOut = f.Spare;
        Blas.GemmTransB(f.Delta[l], w[l], dOut, m, o, k, ws);
        var span = dOut.AsSpan(0, m * k);
        if (dropped) Blas.Multiply(span, f.Mask[l - 1].AsSpan(0, m * k), span);
        Elementwise.ActivateBackward(act[l - 1], f.Z[l - 1].AsSpan(0, m * k), f.A[l - 1].AsSpan(0, m * k), span, below.AsSpan(0, m * k), k);
        return false;
    }

    /// <summary>Every layer's ∂J/∂W (+ λW) and ∂J/∂b into the gradient arrays (Backprop's Run).</summary>
    private void Backward(Frame f, int m)
    {
        var summed = false;
        for (var l = n - 1; l >= 0; l--)
        {
            var (k, o) = (sizes[l], sizes[l + 1]);
            var input = l == 0 ? f.X : f.InputOf(l - 1);
            Blas.GemmTransA(input, f.Delta[l], gw[l], k, m, o, ws);
            AddL2(l);
            if (!summed) Blas.ColumnSums(f.Delta[l], m, o, gb[l]);
            if (l == 0) break;
            summed = DeltaBelow(f, m, l, gb[l - 1]);
        }
    }

    /// <summary>Clipping by global norm (<see cref="ClipByGlobalNorm"/>: the norm in Parameters.Dot's order); 0: none.</summary>
    private void Clip(double maxNorm)
    {
        if (maxNorm == 0) return;
        var sum = 0.0;
        for (var l = 0; l < n; l++)
        {
            sum += Blas.Dot(gw[l], gw[l]);
            sum += Blas.Dot(gb[l], gb[l]);
        }
        var norm = Math.Sqrt(sum);
        if (!(norm > maxNorm)) return;
        var s = maxNorm / norm;
        for (var l = 0; l < n; l++)
        {
            Blas.Scale(s, gw[l], gw[l]);
            Blas.Scale(s, gb[l], gb[l]);
        }
    }

    /// <summary>
    /// A chain without a fused kernel: its links' <see cref="GradientTransformation.Update"/> on records over the
    /// engine's arrays, then <c>θ + u</c> into them (<see cref="Optimizers.Update"/>'s general form). It allocates the
    /// links' results every step: the price of a transformation the kernels do not know.
    /// </summary>
    private void GeneralUpdate()
    {
        // Copies: a transformation may keep what it is given in its state, and the engine writes these arrays again.
        var parameters = Parameters.Copy(Network(w, b));
        var r = config.Optimizer.Update(Parameters.Copy(Network(gw, gb)), generalState!, parameters);
        var next = Optimizers.ApplyUpdates(parameters, r.Updates);
        for (var l = 0; l < n; l++)
        {
            next.Layers[l].Weights.AsSpan().CopyTo(w[l]);
            next.Layers[l].Bias.AsSpan().CopyTo(b[l]);
        }
        generalState = r.State;
    }

    /// <summary>The optimizer's fused update of every tensor in place (Optimizers.Update: each layer's weights, then its bias).</summary>
    private void Update(FusedUpdate rule, double lr, double c1, double c2)
    {
        for (var l = 0; l < n; l++)
        {
            Tensor(rule, lr, c1, c2, w[l], gw[l], aw?[l], vw?[l]);
            Tensor(rule, lr, c1, c2, b[l], gb[l], ab?[l], vb?[l]);
        }
    }

    private void Tensor(FusedUpdate rule, double lr, double c1, double c2, double[] theta, double[] g, double[]? a, double[]? v)
    {
        var length = theta.Length;
        var split = ws.Policy.UpdateParallelLength;
        var threads = length < split ? 1 : Math.Min(ws.Threads, length / Math.Max(1, split / 2));
        if (threads <= 1) rule.Tensor(lr, c1, c2, theta, g, a, v, theta, a, v);
        else
        {
            // A large tensor: the threads split its elements (each the same per-element rule), so the bits do not
            // depend on it; the call's operands go in a reused object with a static body, so it allocates nothing. Four
            // ranges a thread, each thread its own share first: the first half of a weight matrix's rows on the thread
            // whose product computed the first half of their gradient (Gemm's parts hand out their shares the same way).
            updateRanges.Set(rule, lr, c1, c2, theta, g, a, v, 4 * threads, threads);
            Workers.For(4 * threads, threads, updateRanges, static (state, _) => ((UpdateRanges)state).Run());
        }
    }

    private readonly UpdateRanges updateRanges = new();

    /// <summary>One tensor's update, for <see cref="Workers.For(int, int, object, Action{object, int})"/>.</summary>
    private sealed class UpdateRanges
    {
        private FusedUpdate? rule;
        private double lr, c1, c2;
        private double[] theta = [], g = [];
        private double[]? a, v;
        private readonly Shares shares = new();

        public void Set(FusedUpdate rule, double lr, double c1, double c2, double[] theta, double[] g, double[]? a, double[]? v, int parts, int threads)
        {
            (this.rule, this.lr, this.c1, this.c2, this.theta, this.g, this.a, this.v) = (rule, lr, c1, c2, theta, g, a, v);
            shares.Start(parts, threads);
        }

        /// <summary>One range: part q of the shares' equal cuts of the tensor, q the calling thread's claim.</summary>
        public void Run()
        {
            var (q, parts) = (shares.Claim(), shares.Count);
            var start = (int)((long)theta.Length * q / parts);
            var count = (int)((long)theta.Length * (q + 1) / parts) - start;
            rule!.Tensor(lr, c1, c2, theta.AsSpan(start, count), g.AsSpan(start, count), Range(a, start, count), Range(v, start, count),
                theta.AsSpan(start, count), Range(a, start, count), Range(v, start, count));
        }

        private static Span<double> Range(double[]? array, int start, int count) => array is null ? default : array.AsSpan(start, count);
    }

    /// <summary>The buffers of one batch size: the last full batch's and one other (an epoch's final partial batch).</summary>
    private Frame FrameFor(int m)
    {
        if (full?.Rows == m) return full;
        if (other?.Rows == m) return other;
        var f = new Frame(m, sizes, objective.DropoutRate > 0, held);
        if (full is null) full = f;
        else other = f;
        return f;
    }

    private static (double[][] W, double[][] B) Copy(Network parameters, Network moment)
    {
        if (!Parameters.SameShape(parameters, moment))
            throw new ArgumentException($"The state ({moment}) is not shaped like the parameters ({parameters}).", "state");
        return ([.. moment.Layers.Select(l => Fresh(l.Weights.AsSpan()))], [.. moment.Layers.Select(l => Fresh(l.Bias.AsSpan()))]);
    }

    /// <summary>
    /// The fold's own copy of a tensor (it becomes the result's). A large one goes on the pinned-object heap: a fold's
    /// copy is fresh memory, and on a virtual machine whose host backs each new page on first touch (about 11 µs a
    /// 4 KiB page on this project's host) the large-object heap handed every other fold new pages, the pinned-object heap
    /// far fewer (784→512→512→10 Adam, one epoch a fold: 9–10 and 5 ms a step alternating, against 3.9–7.5). A copy: no
    /// effect on the bits.
    /// </summary>
    private static double[] Fresh(ReadOnlySpan<double> values)
    {
        var copy = GC.AllocateUninitializedArray<double>(values.Length, pinned: values.Length >= 1 << 14);
        values.CopyTo(copy);
        return copy;
    }

    private Network Network(double[][] weights, double[][] biases)
    {
        var layers = new Dense[n];
        for (var l = 0; l < n; l++)
            layers[l] = shape.Layers[l].WithParameters(Matrix.Own(sizes[l], sizes[l + 1], weights[l]), Vector.Own(biases[l]));
        return new Network(layers, shape);
    }

    /// <summary>A step's values for a batch of <see cref="Rows"/> rows, made once per batch size.</summary>
    private sealed class Frame
    {
        /// <summary>The arrays of a batch of <paramref name="rows"/> rows, rented from <paramref name="held"/> (stale values: every step writes before it reads).</summary>
        public Frame(int rows, int[] sizes, bool dropout, Workspace held)
        {
            Rows = rows;
            var layers = sizes.Length - 1;
            X = held.Rent(rows * sizes[0]);
            Y = held.Rent(rows * sizes[^1]);
            W = held.Rent(rows);
            Z = new double[layers][];
            A = new double[layers][];
            Out = new double[layers][];
            Mask = new double[layers][];
            Delta = new double[layers][];
            var widest = 0;
            for (var l = 0; l < layers; l++)
            {
                var cells = rows * sizes[l + 1];
                Z[l] = held.Rent(cells);
                A[l] = held.Rent(cells);
                Delta[l] = held.Rent(cells);
                Mask[l] = dropout && l < layers - 1 ? held.Rent(cells) : [];
                Out[l] = Mask[l].Length > 0 ? held.Rent(cells) : A[l];
                widest = Math.Max(widest, cells);
            }
            Spare = held.Rent(widest);
            Lse = held.Rent(rows);
        }

        public int Rows { get; }
        public double[] X { get; }
        public double[] Y { get; }

        /// <summary>The batch's row weights (unused without weights).</summary>
        public double[] W { get; }
        public double[][] Z { get; }
        public double[][] A { get; }
        public double[][] Out { get; }
        public double[][] Mask { get; }
        public double[][] Delta { get; }

        /// <summary>Scratch of the widest layer's values (δ·Wᵀ before the activation's derivative; MSE's ∂J/∂Ŷ).</summary>
        public double[] Spare { get; }

        /// <summary>The rows' log-sum-exp of a softmax output.</summary>
        public double[] Lse { get; }

        /// <summary>Whether layer l's output went through a dropout mask.</summary>
        public bool MaskUsed(int l) => Mask[l].Length > 0;

        /// <summary>What layer l passed on: its activation, or with dropout activation ⊙ mask.</summary>
        public double[] InputOf(int l) => Out[l];
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn;
using Nn.Properties.Support;
using Nn.Shell;

namespace Nn.Properties;

/// <summary>Property 4 (determinism) and the contract of the pure training step and the shell loop over it.</summary>
public class TrainingProperties
{
    private static readonly GradientTransformation[] AllOptimizers =
    [
        Optimizers.Sgd(0.05), Optimizers.Momentum(0.05, 0.9), Optimizers.Nesterov(0.05, 0.9),
        Optimizers.RmsProp(0.01), Optimizers.Adam(0.01), Optimizers.AdamW(0.01, 0.01),
    ];

    private static TrainState Train(GradientCase c, TrainConfig config, int epochs, BatchPolicy policy)
    {
        var state = Training.Init(config, c.Network, Key.FromSeed(c.Seed + 1));
        for (var e = 0; e < epochs; e++) state = Training.Epoch(config, state, c.X, c.Y, e, policy);
        return state;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Same_seed_gives_bit_identical_network_after_n_train_steps()
    {
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), Gen.Elements(AllOptimizers).ToArbitrary(), (c, opt) =>
        {
            var config = TrainConfig.Of(c.Objective, OptimizerStates.Clipped(opt, 5.0));
            var a = Train(c, config, 4, BatchPolicy.MiniBatch(2));
            var b = Train(c, config, 4, BatchPolicy.MiniBatch(2));
            return (Parameters.BitEquals(a.Parameters, b.Parameters) && a.Optimizer == b.Optimizer && a.Step == b.Step
                    && a.LastLoss.Equals(b.LastLoss)).Label($"{c} {opt}");
        });
        return prop;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Different_seeds_give_different_networks()
    {
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: true, withDropout: false).ToArbitrary(), c =>
        {
            var other = c with { Seed = c.Seed + 1 };
            return (!Parameters.BitEquals(c.Network, other.Network)).Label(c.ToString());
        });
        return prop;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Train_step_leaves_its_inputs_unchanged_and_advances_the_step()
    {
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), Gen.Elements(AllOptimizers).ToArbitrary(), (c, opt) =>
        {
            var config = TrainConfig.Of(c.Objective, opt);
            var state = Training.Init(config, c.Network, Key.FromSeed(3));
            var (x, y) = (c.X, c.Y);
            var copies = (Parameters.Flatten(state.Parameters).ToArray(), x.ToRowMajorArray(), y.ToRowMajorArray(), state.Optimizer);
            var next = Training.Step(config, state, x, y);
            var unchanged = Parameters.Flatten(state.Parameters).ToArray().SequenceEqual(copies.Item1)
                && x.ToRowMajorArray().SequenceEqual(copies.Item2) && y.ToRowMajorArray().SequenceEqual(copies.Item3)
                && state.Optimizer == copies.Item4 && state.Step == 0;
            return (unchanged && next.Step == 1 && OptimizerProperties.Count(next.Optimizer) == 1 && double.IsFinite(next.LastLoss)).Label($"{c} {opt}");
        });
        return prop;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 100)]
    public Property Sgd_train_step_is_backprop_followed_by_theta_minus_lr_times_gradient()
    {
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: false).ToArbitrary(), c =>
        {
            var config = TrainConfig.Of(c.Objective, Optimizers.Sgd(0.1));
            var next = Training.Step(config, Training.Init(config, c.Network, Key.FromSeed(0)), c.X, c.Y);
            var g = Backprop.Gradient(c.Network, c.X, c.Y, c.Objective);
            var expected = Parameters.Flatten(c.Network).ToArray().Zip(Parameters.Flatten(g.Gradients).ToArray(), (p, d) => p - 0.1 * d);
            return (Parameters.Flatten(next.Parameters).ToArray().SequenceEqual(expected) && next.LastLoss == g.Loss).Label(c.ToString());
        });
        return prop;
    }

    /// <summary>Every parameter and optimizer moment of a state, copied out (a snapshot that later writes cannot change).</summary>
    private static double[] Snapshot(TrainState s) =>
    [
        .. Parameters.Flatten(s.Parameters).ToArray(),
        .. OptimizerStates.Moments(s.Optimizer),
    ];

    private static bool SameBits(double[] a, double[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Steps_give_the_bits_of_folding_Step_and_never_change_a_state_they_were_given_or_returned()
    {
        // Steps updates its own arrays in place after its first step: the result must still be the fold of the pure
        // Step (parameters and moments), and neither the caller's state nor an earlier epoch's result may change.
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), Gen.Elements(AllOptimizers).ToArbitrary(), Gen.Elements(0.0, 0.5).ToArbitrary(), (c, opt, clip) =>
        {
            var config = TrainConfig.Of(c.Objective, OptimizerStates.Clipped(opt, clip));
            var init = Training.Init(config, c.Network, Key.FromSeed(c.Seed + 1));
            var policy = BatchPolicy.MiniBatch(2);
            var (folded, inPlace) = (init, init);
            var results = new List<(TrainState State, double[] Bits)> { (init, Snapshot(init)) };
            var same = true;
            for (var e = 0; e < 3; e++)
            {
                foreach (var batch in Batches.ForEpoch(Training.ShuffleKey(folded), e, c.X.Rows, policy))
                    folded = Training.Step(config, folded, c.X.SelectRows(batch), c.Y.SelectRows(batch));
                inPlace = Training.Epoch(config, inPlace, c.X, c.Y, e, policy);
                results.Add((inPlace, Snapshot(inPlace)));
                same &= SameBits(Snapshot(folded), Snapshot(inPlace)) && folded.Step == inPlace.Step && OptimizerProperties.Count(folded.Optimizer) == OptimizerProperties.Count(inPlace.Optimizer)
                    && folded.LastLoss.Equals(inPlace.LastLoss);
            }
            var untouched = results.All(r => SameBits(Snapshot(r.State), r.Bits));
            return (same && untouched).Label($"{c} {opt} clip {clip}: same {same}, untouched {untouched}");
        });
        return prop;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Epochs_give_the_bits_of_folding_Epoch_and_never_change_the_state_they_were_given()
    {
        // One fold over several epochs' batches must be the epoch-by-epoch fold: same parameters, moments, step count,
        // loss and (dropout) keys, from any first epoch, on one thread or two with every product packed and split.
        var twoThreads = new ComputeOptions { MaxThreads = 2, Kernels = KernelPolicy.Default with { DirectThreshold = 0, ParallelThreshold = 0 } };
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), Gen.Elements(AllOptimizers).ToArbitrary(),
            (from count in Gen.Choose(0, 3) from first in Gen.Choose(0, 5) from batch in Gen.Elements(1, 2, 3) select (count, first, batch)).ToArbitrary(),
            (c, opt, run) =>
        {
            var (count, first, batch) = run;
            var config = TrainConfig.Of(c.Objective, opt);
            var init = Training.Init(config, c.Network, Key.FromSeed(c.Seed + 4));
            var policy = BatchPolicy.MiniBatch(batch);
            var before = Snapshot(init);
            var byEpoch = init;
            for (var e = first; e < first + count; e++) byEpoch = Training.Epoch(config, byEpoch, c.X, c.Y, e, policy);
            var same = true;
            foreach (var options in new[] { ComputeOptions.Default, twoThreads })
            {
                var once = Training.Epochs(config, init, c.X, c.Y, first, count, policy, options);
                same &= SameBits(Snapshot(byEpoch), Snapshot(once)) && byEpoch.Step == once.Step && byEpoch.Key == once.Key
                    && byEpoch.LastLoss.Equals(once.LastLoss) && byEpoch.Optimizer == once.Optimizer;
            }
            var untouched = SameBits(before, Snapshot(init)) && init.Step == 0;
            return (same && untouched && byEpoch.Step == (long)count * ((c.X.Rows + batch - 1) / batch))
                .Label($"{c} {opt} epochs {first}+{count} batch {batch}: same {same}, untouched {untouched}");
        });
        return prop;
    }

    [Fact]
    public void Epochs_refuses_a_negative_count_and_a_batch_size_below_one_before_any_work()
    {
        var network = Init.Mlp(Key.FromSeed(1), [2, 3, 2], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var (x, y) = (Matrix.Create(4, 2, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]), Labels.OneHot([0, 1, 1, 0], 2));
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Sgd(0.1));
        var init = Training.Init(config, network, Key.FromSeed(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Training.Epochs(config, init, x, y, 0, -1, BatchPolicy.MiniBatch(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Training.Epochs(config, init, x, y, 0, 2, BatchPolicy.MiniBatch(0)));
        Assert.Same(init, Training.Epochs(config, init, x, y, 3, 0, BatchPolicy.MiniBatch(2)));
        Assert.Equal(4, Training.Epochs(config, init, x, y, 0, 2, BatchPolicy.MiniBatch(2)).Step);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Plain_sgd_steps_fused_into_backprop_give_the_bits_of_folding_Step_on_the_packed_parallel_path()
    {
        // Without L2 or clipping, Steps updates SGD weights from inside the weight-gradient products; small products
        // would take the unfused fallback, so this forces the packed path (and two threads) for every product.
        var options = new ComputeOptions { MaxThreads = 2, Kernels = KernelPolicy.Default with { DirectThreshold = 0, ParallelThreshold = 0 } };
        {
            var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), c =>
            {
                var objective = c.Objective with { L2 = 0 };
                var config = TrainConfig.Of(objective, Optimizers.Sgd(0.05));
                var init = Training.Init(config, c.Network, Key.FromSeed(c.Seed + 3));
                var folded = init;
                foreach (var e in new[] { 0, 1 })
                    foreach (var batch in Batches.ForEpoch(Training.ShuffleKey(init), e, c.X.Rows, BatchPolicy.MiniBatch(3)))
                        folded = Training.Step(config, folded, c.X.SelectRows(batch), c.Y.SelectRows(batch), options);
                var fused = Training.Epoch(config, Training.Epoch(config, init, c.X, c.Y, 0, BatchPolicy.MiniBatch(3), options), c.X, c.Y, 1, BatchPolicy.MiniBatch(3), options);
                return (SameBits(Snapshot(folded), Snapshot(fused)) && folded.LastLoss.Equals(fused.LastLoss) && folded.Optimizer == fused.Optimizer)
                    .Label(c.ToString());
            });
            return prop;
        }
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 60)]
    public Property Steps_report_every_step_and_stop_after_the_step_the_callback_refuses()
    {
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: false).ToArbitrary(), Gen.Elements(AllOptimizers).ToArbitrary(), Gen.Choose(1, 6).ToArbitrary(), (c, opt, stopAt) =>
        {
            var config = TrainConfig.Of(c.Objective, opt);
            var init = Training.Init(config, c.Network, Key.FromSeed(c.Seed + 2));
            var batches = Batches.ForEpoch(Training.ShuffleKey(init), 0, c.X.Rows, BatchPolicy.MiniBatch(1));
            var expected = new List<StepReport>();
            var folded = init;
            foreach (var batch in batches.Take(stopAt))
            {
                folded = Training.Step(config, folded, c.X.SelectRows(batch), c.Y.SelectRows(batch));
                expected.Add(new StepReport(folded.Step, batch.Length, folded.LastLoss, double.IsFinite(folded.LastLoss) && Parameters.IsFinite(folded.Parameters)));
            }
            var reports = new List<StepReport>();
            var result = Training.Steps(config, init, c.X, c.Y, batches, r => { reports.Add(r); return reports.Count < stopAt; });
            return (reports.SequenceEqual(expected) && result.Step == expected.Count && SameBits(Snapshot(result), Snapshot(folded)))
                .Label($"{c} {opt} stop at {stopAt}: {reports.Count} reports");
        });
        return prop;
    }

    [Fact]
    public void Steps_report_a_step_whose_parameters_overflow_as_not_finite()
    {
        // The loss of a step is taken before its update, so only the parameter check sees that this update overflowed.
        // A linear 1→1 unit with target 1000: |∂J/∂w| is in the thousands, so a step of 1e306 overflows w.
        var net = Init.Mlp(Key.FromSeed(1), [1, 1], Activations.Linear, Activations.Linear, InitSchemes.XavierNormal);
        var config = TrainConfig.Of(Objective.Of(Losses.MeanSquaredError), Optimizers.Sgd(1e306));
        var (x, y) = (Matrix.Create(1, 1, [1.0]), Matrix.Create(1, 1, [1000.0]));
        var reports = new List<StepReport>();
        var after = Training.Steps(config, Training.Init(config, net, Key.FromSeed(1)), x, y, [[0]], r => { reports.Add(r); return true; });
        Assert.False(Parameters.IsFinite(after.Parameters));
        Assert.Single(reports);
        Assert.True(double.IsFinite(reports[0].Loss));
        Assert.False(reports[0].Finite);
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 200)]
    public Property Epoch_batches_partition_the_examples_and_depend_only_on_key_and_epoch()
    {
        var prop = Prop.ForAll(Gen.Choose(0, 200).ToArbitrary(), Gen.Choose(1, 50).ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(), (count, size, epoch) =>
        {
            var key = Key.FromSeed(count * 31 + size);
            var keep = Batches.ForEpoch(key, epoch, count, BatchPolicy.MiniBatch(size));
            var again = Batches.ForEpoch(key, epoch, count, BatchPolicy.MiniBatch(size));
            var drop = Batches.ForEpoch(key, epoch, count, BatchPolicy.MiniBatch(size) with { Last = LastBatch.Drop });
            var all = keep.SelectMany(b => b).Order().ToArray();
            var eff = Math.Min(size, Math.Max(count, 1)); // a batch size above the count means one batch of everything
            return (all.SequenceEqual(Enumerable.Range(0, count))
                    && keep.Zip(again).All(p => p.First.SequenceEqual(p.Second))
                    && keep.Take(keep.Length - 1).All(b => b.Length == eff)
                    && drop.All(b => b.Length == eff) && drop.Length == count / eff
                    && BatchPolicy.FullBatch is var full && Batches.ForEpoch(key, epoch, count, full).SelectMany(b => b).SequenceEqual(Enumerable.Range(0, count)))
                .Label($"count {count} size {size} epoch {epoch}");
        });
        return prop;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 40)]
    public Property Shell_trainer_gives_the_same_bits_as_folding_the_pure_epoch()
    {
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), Gen.Elements(AllOptimizers).ToArbitrary(), (c, opt) =>
        {
            var config = TrainConfig.Of(c.Objective, opt);
            var init = Training.Init(config, c.Network, Key.FromSeed(c.Seed + 1));
            var reported = new List<EpochRecord>();
            var fit = Trainer.Fit(config, init, new TrainingData(c.X, c.Y), TrainerOptions.Of(3, BatchPolicy.MiniBatch(2)),
                new InlineProgress(reported.Add), CancellationToken.None);
            var folded = Train(c, config, 3, BatchPolicy.MiniBatch(2));
            return (Parameters.BitEquals(fit.State.Parameters, folded.Parameters) && fit.History.Epochs.Length == 3
                    && reported.Select(r => r.Epoch).SequenceEqual([1, 2, 3]) && !fit.Cancelled).Label($"{c} {opt}");
        });
        return prop;
    }

    [Property(Replay = PropertyConfig.Replay, MaxTest = 40)]
    public Property Resuming_from_an_epoch_boundary_gives_the_same_bits_as_an_uninterrupted_run()
    {
        var prop = Prop.ForAll(GradientGens.Case(smoothOnly: false, withDropout: true).ToArbitrary(), Gen.Elements(AllOptimizers).ToArbitrary(), Gen.Choose(1, 4).ToArbitrary(), (c, opt, split) =>
        {
            var config = TrainConfig.Of(c.Objective, opt);
            var data = new TrainingData(c.X, c.Y);
            var valid = new TrainingData(c.X.SelectRows([0]), c.Y.SelectRows([0]));
            var options = TrainerOptions.Of(5, BatchPolicy.MiniBatch(2)).WithValidation(valid, 3);
            var start = TrainerState.Start(Training.Init(config, c.Network, Key.FromSeed(c.Seed + 1)));
            var whole = Trainer.Run(config, start, data, options, null, CancellationToken.None);
            var first = Trainer.Run(config, start, data, options.WithEpochs(split), null, CancellationToken.None);
            var resumed = Trainer.Run(config, first.Final, data, options, null, CancellationToken.None);
            return (Parameters.BitEquals(whole.State.Parameters, resumed.State.Parameters) && whole.Final == resumed.Final
                    && whole.StoppedEarly == resumed.StoppedEarly).Label($"{c} {opt} split after {split}");
        });
        return prop;
    }

    [Fact]
    public void Cancelled_training_stops_between_steps_and_reports_it()
    {
        var c = new GradientCase([2, 4, 1], Activations.Tanh, Losses.BinaryCrossEntropy, Activations.Sigmoid, 6, 0, 0, 11);
        var config = TrainConfig.Of(c.Objective, Optimizers.Sgd(0.1));
        using var cts = new CancellationTokenSource();
        var seen = 0;
        var fit = Trainer.Fit(config, Training.Init(config, c.Network, Key.FromSeed(1)), new TrainingData(c.X, c.Y),
            TrainerOptions.Of(100, BatchPolicy.MiniBatch(2)), new InlineProgress(r => { if (++seen == 2) cts.Cancel(); }), cts.Token);
        Assert.True(fit.Cancelled);
        Assert.Equal(2, fit.History.Epochs.Length);
        Assert.Equal(6, fit.State.Step); // 2 epochs × 3 batches, no partial epoch
    }

    [Fact]
    public void Early_stopping_restores_the_best_validation_epoch()
    {
        // A large learning rate makes validation loss bounce; patience 2 must stop and restore the best epoch's weights.
        var train = Synthetic.Moons(Key.FromSeed(1), 60, 0.3);
        var valid = Synthetic.Moons(Key.FromSeed(2), 40, 0.3);
        var net = Init.Mlp(Key.FromSeed(3), [2, 8, 2], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Sgd(3.0));
        var options = TrainerOptions.Of(200, BatchPolicy.MiniBatch(8)).WithValidation(new TrainingData(valid.X, valid.OneHot), 2);
        var fit = Trainer.Fit(config, Training.Init(config, net, Key.FromSeed(4)), new TrainingData(train.X, train.OneHot), options, null, CancellationToken.None);
        var best = fit.History.Epochs.MinBy(e => e.Validation!.Loss)!;
        Assert.Equal(best.Epoch, fit.History.BestEpoch);
        Assert.True(fit.StoppedEarly || fit.History.Epochs.Length == 200);
        Assert.Equal(best.Validation!.Loss, Evaluation.Summarize(fit.State.Parameters, valid.X, valid.OneHot, config.Objective).Loss);
    }

    private sealed class InlineProgress(Action<EpochRecord> report) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => report(value);
    }
}

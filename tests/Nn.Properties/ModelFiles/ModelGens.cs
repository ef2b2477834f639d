using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Nn.Properties.Support;
using Nn.Shell;

namespace Nn.Properties.ModelFiles;

/// <summary>
/// A random model as small generated numbers: an architecture, a task with its loss, and a seed from which every
/// name, label, scaling value and (when <see cref="Extreme"/>) every parameter's bit pattern is drawn.
/// </summary>
public sealed record ModelCase(Arch Arch, TaskKind Task, Loss Loss, bool TwoLabels, bool Extreme, long Seed)
{
    /// <summary>The model (deterministic in the case).</summary>
    public Model Build()
    {
        var d = new Draw(Seed);
        var net = Arch.Build();
        if (Extreme) net = d.NetworkLike(net);
        var inputs = net.InputSize;
        ImmutableArray<string> labels = Task == TaskKind.Regression ? []
            : [.. Enumerable.Range(0, net.OutputSize == 1 && Loss == Losses.BinaryCrossEntropy && TwoLabels ? 2 : net.OutputSize).Select(_ => d.Text())];
        var scaling = d.Below(3) switch
        {
            0 => FeatureScaling.None(inputs),
            1 => new FeatureScaling(FeatureScaling.StandardKind, d.Vector(inputs), d.NonZeroVector(inputs)),
            _ => new FeatureScaling(FeatureScaling.MinMaxKind, d.Vector(inputs), d.NonZeroVector(inputs)),
        };
        var targetScaling = Task == TaskKind.Regression && d.Below(2) == 0 ? new TargetScaling(d.Double(), d.NonZero()) : null;
        var first = d.Below(SettingNames.Length);
        var settings = Enumerable.Range(0, d.Below(5)).Select(k => new Setting(SettingNames[(first + k) % SettingNames.Length], d.Text())).ToImmutableArray();
        var sha = d.Below(2) == 0 ? "" : string.Concat(Enumerable.Range(0, 4).Select(_ => d.Next().ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
        var features = Enumerable.Range(0, inputs).Select(_ => d.Text()).ToImmutableArray();
        return new Model(net, new ModelInfo(Task, features, d.Text(), labels, Loss, scaling, targetScaling, settings, sha));
    }

    private static readonly string[] SettingNames = ["optimizer", "lr", "seed", "epochs", "batch, \"size\"", "ünï", "🎲"];
}

/// <summary>A random checkpoint: a model case, an optimizer case (0–5), a schedule case (0–3) and a seed for the rest.</summary>
public sealed record CheckpointCase(ModelCase Model, int OptimizerCase, int ScheduleCase, long Seed)
{
    /// <summary>The checkpoint (deterministic in the case).</summary>
    public Checkpoint Build()
    {
        var model = Model.Build();
        var net = model.Network;
        var d = new Draw(Seed);
        Schedule schedule = ScheduleCase switch
        {
            0 => new Schedule.Constant(d.Unit()),
            1 => new Schedule.Step(d.Unit(), d.Unit(), 1 + d.Below(100)),
            2 => new Schedule.Exponential(d.Unit(), d.Unit()),
            3 => new Schedule.Cosine(1 + d.Unit(), 1 + d.Below(1000), d.Unit()),
            _ => new Schedule.Warmup(1 + d.Below(50), new Schedule.Cosine(1 + d.Unit(), 1 + d.Below(1000), d.Unit())),
        };
        var rate = new ScaleByLearningRate(schedule);
        var core = OptimizerCase switch
        {
            0 => Optimizers.Chain(rate),
            1 => Optimizers.Chain(new ScaleByMomentum(d.Unit() * 0.999, false), rate),
            2 => Optimizers.Chain(new ScaleByMomentum(d.Unit() * 0.999, true), rate),
            3 => Optimizers.Chain(new ScaleByRms(d.Unit() * 0.999, 1e-8 + d.Unit()), rate),
            4 => Optimizers.Chain(new ScaleByAdam(d.Unit() * 0.999, d.Unit() * 0.999, 1e-8 + d.Unit()), rate),
            _ => Optimizers.Chain(new ScaleByAdam(d.Unit() * 0.999, d.Unit() * 0.999, 1e-8 + d.Unit()), new AddDecayedWeights(d.Unit()), rate),
        };
        var optimizer = d.Below(2) == 0 ? core : Optimizers.Chain(Optimizers.ClipByGlobalNorm(1e-3 + 5 * d.Unit()), core);
        var config = new TrainConfig(new Objective(model.Info.Loss, d.Unit(), d.Unit() * 0.9), optimizer);
        OptimizerState Random(OptimizerState s) => s switch
        {
            Chain.State c => new Chain.State([.. c.Links.Select(Random)]),
            ScaleByAdam.State => new ScaleByAdam.State((long)(d.Next() >> 2), d.NetworkLike(net), d.NetworkLike(net)),
            ScaleByMomentum.State => new ScaleByMomentum.State(d.NetworkLike(net)),
            ScaleByRms.State => new ScaleByRms.State(d.NetworkLike(net)),
            ScaleByLearningRate.State => new ScaleByLearningRate.State((long)(d.Next() >> 2)),
            _ => s,
        };
        var optimizerState = Random(Optimizers.Init(optimizer, net));
        var lastLoss = d.Below(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => d.Double() };
        var train = new TrainState(net, optimizerState, (long)(d.Next() >> 1), new Key(d.Next()), lastLoss);
        var completed = d.Below(5);
        var history = Enumerable.Range(1, completed).Select(e => new EpochRecord(e, d.Below(4) == 0 ? double.NaN : d.Double(),
            d.Below(3) switch
            {
                0 => null,
                1 => new EvaluationSummary.Classification(d.Double(), d.Below(2) == 0 ? double.NaN : d.Unit()),
                _ => (EvaluationSummary)new EvaluationSummary.Regression(d.Double(), d.Double()),
            })).ToImmutableArray();
        var bestEpoch = d.Below(completed + 1);
        var state = new TrainerState(train, completed, history, bestEpoch, bestEpoch == 0 ? double.PositiveInfinity : d.Double(), d.NetworkLike(net));
        return new Checkpoint(model, config, state);
    }
}

/// <summary>Deterministic draws from a seed (a counter over <see cref="Prng.Word"/>); used only to build test values.</summary>
public sealed class Draw(long seed)
{
    private readonly Key _key = Key.FromSeed(seed);
    private long _i;

    /// <summary>Names that stress escaping: commas, quotes, backslashes, control characters, non-ASCII, astral code points.</summary>
    public static readonly string[] Texts =
    [
        "x", "a,b", "\"quoted\"", "it's", "ünïcødé", "日本語", "🎉 party", "back\\slash", "tab\there", "line\nbreak", "",
        " padded ", "{\"json\":[1,2]}", "__metadata__", "nul\u0000byte", "<html>&amp;", "+1e5",
    ];

    /// <summary>Doubles that stress round-tripping.</summary>
    public static readonly double[] Specials =
    [
        -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-310, 0.1, 1.0 / 3, 0.1 + 0.2, 1e21, 123456789012345680, 2.2250738585072014E-308,
    ];

    /// <summary>The next 64 random bits.</summary>
    public ulong Next() => Prng.Word(_key, _i++);

    /// <summary>An integer in [0, n).</summary>
    public int Below(int n) => (int)(Next() % (ulong)n);

    /// <summary>A double in [0, 1).</summary>
    public double Unit() => Prng.ToUnit(Next());

    /// <summary>Any finite double: a special value, a random bit pattern, or a plain value in [−2, 2).</summary>
    public double Double()
    {
        switch (Below(3))
        {
            case 0: return Specials[Below(Specials.Length)];
            case 1:
                var x = BitConverter.UInt64BitsToDouble(Next());
                return double.IsFinite(x) ? x : Unit();
            default: return 4 * Unit() - 2;
        }
    }

    /// <summary>A finite non-zero double.</summary>
    public double NonZero()
    {
        var x = Double();
        return x == 0 ? 1.5 : x;
    }

    /// <summary>A vector of <see cref="Double"/> values.</summary>
    public Vector Vector(int n) => Nn.Vector.Create(Enumerable.Range(0, n).Select(_ => Double()));

    /// <summary>A vector of <see cref="NonZero"/> values.</summary>
    public Vector NonZeroVector(int n) => Nn.Vector.Create(Enumerable.Range(0, n).Select(_ => NonZero()));

    /// <summary>A network with <paramref name="template"/>'s architecture and <see cref="Double"/> parameters.</summary>
    public Network NetworkLike(Network template) => Parameters.Unflatten(template, Vector(template.ParameterCount));

    /// <summary>One of <see cref="Texts"/>, sometimes with a numeric suffix.</summary>
    public string Text()
    {
        var t = Texts[Below(Texts.Length)];
        return Below(3) == 0 ? t + Below(100).ToString(System.Globalization.CultureInfo.InvariantCulture) : t;
    }
}

/// <summary>Generators of <see cref="ModelCase"/> and <see cref="CheckpointCase"/>.</summary>
public static class ModelGens
{
    /// <summary>Hidden activations including leaky ReLU with unusual slopes (−0, subnormal, 0.1 + 0.2, …).</summary>
    public static Gen<Activation> Hidden { get; } = Gen.OneOf(
        Gens.HiddenActivation,
        Gen.Elements(0.2, 1e-5, -0.0, 0.1 + 0.2, 5e-324, 123.456, -3.0).Select(Activations.LeakyRelu));

    /// <summary>A random model case: classification (bce/sigmoid or cce/softmax) or regression (mse with any output).</summary>
    public static Gen<ModelCase> Model { get; } =
        from task in Gen.Elements(TaskKind.Classification, TaskKind.Regression)
        from loss in task == TaskKind.Classification ? Gen.Elements(Losses.BinaryCrossEntropy, Losses.CategoricalCrossEntropy) : Gen.Constant(Losses.MeanSquaredError)
        from arch in Gens.Architecture(Hidden, loss switch
        {
            Loss.BinaryCrossEntropy => Gen.Constant(Activations.Sigmoid),
            Loss.CategoricalCrossEntropy => Gen.Constant(Activations.Softmax),
            _ => Gen.Elements(Activations.Linear, Activations.Tanh, Activations.Sigmoid, Activations.LeakyRelu(0.3)),
        })
        from twoLabels in Gen.Elements(false, true)
        from extreme in Gen.Elements(false, true)
        from seed in Gens.Seed
        select new ModelCase(arch, task, loss, twoLabels, extreme, seed);

    /// <summary>A random checkpoint case covering every optimizer and schedule case.</summary>
    public static Gen<CheckpointCase> Checkpoint { get; } =
        from model in Model
        from optimizer in Gen.Choose(0, 5)
        from schedule in Gen.Choose(0, 4)
        from seed in Gens.Seed
        select new CheckpointCase(model, optimizer, schedule, seed);

    /// <summary>A fixed small classifier (2 → 3 tanh → 3 softmax) with short names: the subject of the fuzz and error tests.</summary>
    public static Model SmallClassifier() =>
        new(Init.Network(Key.FromSeed(5), [2, 3, 3], [Activations.Tanh, Activations.Softmax], InitSchemes.XavierNormal),
            new ModelInfo(TaskKind.Classification, ["x1", "x2"], "class", ["a", "b", "c"], Losses.CategoricalCrossEntropy,
                new FeatureScaling(FeatureScaling.StandardKind, Vector.Of(0.5, -1), Vector.Of(2, 0.25)), null,
                [new Setting("optimizer", "adam"), new Setting("lr", "0.01")], new string('a', 64)));

    /// <summary>A checkpoint of <see cref="SmallClassifier"/> after two epochs of Adam on a tiny data set.</summary>
    public static Checkpoint SmallCheckpoint()
    {
        var model = SmallClassifier();
        var config = TrainConfig.Of(Objective.Of(Losses.CategoricalCrossEntropy), Optimizers.Adam(0.05));
        var x = Matrix.FromRows([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.5]]);
        var y = Matrix.FromRows([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]]);
        var result = Trainer.Run(config, TrainerState.Start(Training.Init(config, model.Network, Key.FromSeed(9))), new TrainingData(x, y),
            TrainerOptions.Of(2, BatchPolicy.MiniBatch(2)), null, CancellationToken.None);
        var state = result.Final;
        return new Checkpoint(model with { Network = state.Train.Parameters }, config, state);
    }
}

using Nn.Kernels;

namespace Nn;

/// <summary>
/// The named optimizers recognised in a chain, run as one fused pass per tensor: an optional leading
/// <see cref="ClipByGlobalNorm"/>, then <c>[ScaleByLearningRate]</c> (SGD), <c>[ScaleByMomentum, ScaleByLearningRate]</c>,
/// <c>[ScaleByRms, ScaleByLearningRate]</c>, <c>[ScaleByAdam, ScaleByLearningRate]</c> or
/// <c>[ScaleByAdam, AddDecayedWeights, ScaleByLearningRate]</c>, nested chains flattened. Each kernel does the links'
/// operations in their order, so it gives the bits of running the links one by one (a property test checks this); any
/// other chain runs link by link.
/// </summary>
internal sealed class FusedUpdate
{
    /// <summary>The fused rules.</summary>
    internal enum Rule { Sgd, Momentum, Nesterov, RmsProp, Adam }

    private readonly GradientTransformation root;
    private readonly int leafCount;
    private readonly int coreAt;

    private FusedUpdate(GradientTransformation root, int leafCount, double clipNorm, Rule kind, GradientTransformation? core, AddDecayedWeights? decay, Schedule schedule)
    {
        this.root = root;
        this.leafCount = leafCount;
        ClipNorm = clipNorm;
        Kind = kind;
        coreAt = clipNorm > 0 ? 1 : 0;
        Decayed = decay is not null;
        WeightDecay = decay?.WeightDecay ?? 0.0;
        Schedule = schedule;
        (Beta, Rho, Epsilon, Beta1, Beta2) = core switch
        {
            ScaleByMomentum m => (m.Beta, 0.0, 0.0, 0.0, 0.0),
            ScaleByRms r => (0.0, r.Rho, r.Epsilon, 0.0, 0.0),
            ScaleByAdam a => (0.0, 0.0, a.Epsilon, a.Beta1, a.Beta2),
            _ => (0.0, 0.0, 0.0, 0.0, 0.0),
        };
    }

    /// <summary>The clipping norm of a leading <see cref="ClipByGlobalNorm"/>; 0 when there is none.</summary>
    internal double ClipNorm { get; }

    /// <summary>The rule.</summary>
    internal Rule Kind { get; }

    /// <summary>The learning rate's schedule.</summary>
    internal Schedule Schedule { get; }

    internal double Beta { get; }

    internal double Rho { get; }

    internal double Epsilon { get; }

    internal double Beta1 { get; }

    internal double Beta2 { get; }

    /// <summary>Whether the chain has AdamW's <see cref="AddDecayedWeights"/> link (even with wd = 0, whose bits differ from Adam's in signed zeros).</summary>
    internal bool Decayed { get; }

    /// <summary>AdamW's decoupled weight decay; 0 for Adam.</summary>
    internal double WeightDecay { get; }

    /// <summary>How many moment trees the rule keeps (0, 1 or 2).</summary>
    internal int Moments => Kind switch { Rule.Sgd => 0, Rule.Adam => 2, _ => 1 };

    /// <summary>The counters and moments held in a chain's state.</summary>
    internal sealed record Parts(long RateCount, long AdamCount, Network? A, Network? B);

    /// <summary>The fused form of <paramref name="optimizer"/>, or null when it is not one of the recognised chains.</summary>
    internal static FusedUpdate? Of(GradientTransformation optimizer)
    {
        var leaves = new List<GradientTransformation>();
        Flatten(optimizer, leaves);
        var clip = leaves[0] is ClipByGlobalNorm c ? c.MaxNorm : 0.0;
        var rest = leaves.Skip(clip > 0 ? 1 : 0).ToArray();
        return rest switch
        {
            [ScaleByLearningRate lr] => new(optimizer, leaves.Count, clip, Rule.Sgd, null, null, lr.Schedule),
            [ScaleByMomentum m, ScaleByLearningRate lr] => new(optimizer, leaves.Count, clip, m.Nesterov ? Rule.Nesterov : Rule.Momentum, m, null, lr.Schedule),
            [ScaleByRms r, ScaleByLearningRate lr] => new(optimizer, leaves.Count, clip, Rule.RmsProp, r, null, lr.Schedule),
            [ScaleByAdam a, ScaleByLearningRate lr] => new(optimizer, leaves.Count, clip, Rule.Adam, a, null, lr.Schedule),
            [ScaleByAdam a, AddDecayedWeights d, ScaleByLearningRate lr] => new(optimizer, leaves.Count, clip, Rule.Adam, a, d, lr.Schedule),
            _ => null,
        };
    }

    /// <summary>The counters and moments of <paramref name="state"/>, checked against the chain and the parameters' shapes.</summary>
    /// <exception cref="ArgumentException">When the state was not made by this chain's Init, or a moment is misshapen.</exception>
    internal Parts Read(OptimizerState state, Network parameters)
    {
        var flat = new List<OptimizerState>();
        FlattenState(root, state, flat);
        var rateCount = As<ScaleByLearningRate.State>(flat[^1]).Count;
        if (ClipNorm > 0) As<OptimizerState.Empty>(flat[0]);
        if (Decayed) As<OptimizerState.Empty>(flat[^2]);
        var core = flat[coreAt];
        var parts = Kind switch
        {
            Rule.Sgd => new Parts(rateCount, 0, null, null),
            Rule.Momentum or Rule.Nesterov => new Parts(rateCount, 0, As<ScaleByMomentum.State>(core).Velocity, null),
            Rule.RmsProp => new Parts(rateCount, 0, As<ScaleByRms.State>(core).MeanSquare, null),
            _ => As<ScaleByAdam.State>(core) is var s ? new Parts(rateCount, s.Count, s.M, s.V) : null!,
        };
        if (parts.A is { } a && !Parameters.SameShape(parameters, a) || parts.B is { } b && !Parameters.SameShape(parameters, b))
            throw new ArgumentException($"The optimizer state's moments are not shaped like the parameters ({parameters}).", "state");
        return parts;
    }

    /// <summary>The chain's state holding <paramref name="parts"/> (the inverse of <see cref="Read"/>).</summary>
    internal OptimizerState Write(Parts parts)
    {
        var flat = new OptimizerState[leafCount];
        for (var i = 0; i < leafCount; i++) flat[i] = OptimizerState.Empty.Value;
        flat[^1] = new ScaleByLearningRate.State(parts.RateCount);
        flat[coreAt] = Kind switch
        {
            Rule.Sgd => flat[coreAt],
            Rule.Momentum or Rule.Nesterov => new ScaleByMomentum.State(parts.A!),
            Rule.RmsProp => new ScaleByRms.State(parts.A!),
            _ => new ScaleByAdam.State(parts.AdamCount, parts.A!, parts.B!),
        };
        var next = 0;
        return Rebuild(root, flat, ref next);
    }

    /// <summary>The update of one tensor (or a range of it) at rate lr and Adam's bias corrections c₁, c₂ (unused by the others).</summary>
    internal void Tensor(double lr, double c1, double c2, ReadOnlySpan<double> theta, ReadOnlySpan<double> g, ReadOnlySpan<double> a,
        ReadOnlySpan<double> b, Span<double> thetaOut, Span<double> aOut, Span<double> bOut)
    {
        switch (Kind)
        {
            case Rule.Sgd: OptimizerKernels.Sgd(lr, theta, g, thetaOut); break;
            case Rule.Momentum: OptimizerKernels.Momentum(lr, Beta, false, theta, g, a, thetaOut, aOut); break;
            case Rule.Nesterov: OptimizerKernels.Momentum(lr, Beta, true, theta, g, a, thetaOut, aOut); break;
            case Rule.RmsProp: OptimizerKernels.RmsProp(lr, Rho, Epsilon, theta, g, a, thetaOut, aOut); break;
            default: OptimizerKernels.Adam(lr, Beta1, Beta2, Epsilon, c1, c2, Decayed, WeightDecay, theta, g, a, b, thetaOut, aOut, bOut); break;
        }
    }

    /// <summary>Adam's bias corrections for the update after <paramref name="adamCount"/> updates; (1, 1) for the other rules.</summary>
    internal (double C1, double C2) Corrections(long adamCount) =>
        Kind == Rule.Adam ? ScaleByAdam.BiasCorrections(Beta1, Beta2, checked(adamCount + 1)) : (1.0, 1.0);

    /// <summary>The whole update on trees (<see cref="Optimizers.Update"/>'s fused form).</summary>
    internal OptimizerStep Apply(OptimizerState state, Network parameters, Network gradients, Workspace? ws)
    {
        var parts = Read(state, parameters);
        if (ClipNorm > 0) gradients = ClipByGlobalNorm.Clip(gradients, ClipNorm);
        var lr = Schedules.LearningRate(Schedule, parts.RateCount);
        var (c1, c2) = Corrections(parts.AdamCount);
        var r = TreeUpdate.Apply(parameters, gradients, parts.A, parts.B,
            (p, g, a, b, pOut, aOut, bOut) => Tensor(lr, c1, c2, p, g, a, b, pOut, aOut, bOut), ws);
        var adamCount = Kind == Rule.Adam ? checked(parts.AdamCount + 1) : 0;
        return new(r.Parameters, Write(new Parts(checked(parts.RateCount + 1), adamCount, r.A, r.B)));
    }

    private static void Flatten(GradientTransformation t, List<GradientTransformation> into)
    {
        if (t is Chain c) foreach (var l in c.Links) Flatten(l, into);
        else into.Add(t);
    }

    private static void FlattenState(GradientTransformation t, OptimizerState s, List<OptimizerState> into)
    {
        if (t is Chain c)
        {
            if (s is not Chain.State cs || cs.Links.Length != c.Links.Length)
                throw new ArgumentException($"The state {s?.GetType().Name ?? "null"} does not belong to {t}; create it with Init.", "state");
            for (var i = 0; i < c.Links.Length; i++) FlattenState(c.Links[i], cs.Links[i], into);
        }
        else into.Add(s);
    }

    private static OptimizerState Rebuild(GradientTransformation t, OptimizerState[] flat, ref int next)
    {
        if (t is not Chain c) return flat[next++];
        var links = new OptimizerState[c.Links.Length];
        for (var i = 0; i < links.Length; i++) links[i] = Rebuild(c.Links[i], flat, ref next);
        return new Chain.State([.. links]);
    }

    private static T As<T>(OptimizerState s) where T : OptimizerState =>
        s as T ?? throw new ArgumentException($"The optimizer state holds {s?.GetType().Name ?? "null"} where {typeof(T).FullName} belongs; create it with Init.", "state");
}

using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// Gradient checking as a public API: compares a gradient (<see cref="Backprop"/>'s, or a claimed one) with finite
/// differences of the very objective it reports (<see cref="Losses.Evaluate"/>), on every parameter and along random
/// directions, with three verdicts: passed, failed and inconclusive (<see cref="GradientVerdict"/>).
/// </summary>
/// <remarks>
/// <para>Where no ReLU or leaky-ReLU pre-activation changes side between θ − h, θ and θ + h, the claim is judged against
/// the central difference. Where one does (a kink), the left and right one-sided differences L =
/// <c>(3J(θ) − 4J(θ−h) + J(θ−2h))/2h</c> and R = <c>(−3J(θ) + 4J(θ+h) − J(θ+2h))/2h</c> are taken, and when they are
/// one-sided derivatives (one kink on θ ± 2h, or every kink exactly at θ) a claim outside [min(L, R), max(L, R)],
/// widened by the tolerance, <b>fails</b>, however many kinks meet there: along a coordinate the loss still has one-sided
/// derivatives, and a subgradient-style value lies between them. A claim inside passes when a single kink is crossed (any
/// value between is a valid one there) or when the interval is narrower than the tolerance.</para>
/// <para>Otherwise (several kinks with a wide interval, or kinks strictly inside the one-sided stencils) the check
/// moves to nearby points: θ′ = θ + σ·ξ with ξ ~ N(0, I) from <c>Prng.Fold(options.Key, 300 + attempt)</c> and
/// σ = 10⁻³·4^attempt for up to <see cref="NearbyAttempts"/> attempts, where the claim is recomputed (back-propagation
/// for <see cref="Run"/>, the caller's function for <see cref="RunAgainstFunction"/>) and judged by the same rules; the
/// first point that settles it gives the verdict. What no nearby point settles, and everything unsettled by
/// <see cref="RunAgainst"/> (a fixed claim exists only at θ), is <see cref="GradientVerdict.Inconclusive"/> and listed
/// in <see cref="GradientCheckReport.Inconclusive"/>; it never counts as passed.</para>
/// </remarks>
public static class GradientCheck
{
    /// <summary>How many nearby points an unsettled entry or direction may move to before it is inconclusive: 3.</summary>
    public const int NearbyAttempts = 3;

    /// <summary>
    /// Checks <see cref="Backprop"/>'s gradient of <paramref name="objective"/> for the network on a batch X (m × inputs), Y (m × outputs);
    /// at nearby points back-propagation is run again. <paramref name="progress"/> (may be null) is called on the calling
    /// thread after every check (one per parameter, then one per random direction); <paramref name="cancellationToken"/> is
    /// observed before every check.
    /// </summary>
    /// <exception cref="ArgumentException">On shape mismatches or invalid options.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled before the check finished.</exception>
    public static GradientCheckReport Run(Network network, Matrix x, Matrix y, Objective objective, GradientCheckOptions options,
        Action<GradientCheckProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var key = DropoutKey(options);
        return RunAgainstFunction(network, x, y, objective, net => objective.DropoutRate > 0
                ? Backprop.GradientWithDropout(net, x, y, objective, key).Gradients
                : Backprop.Gradient(net, x, y, objective).Gradients,
            options, progress, cancellationToken);
    }

    /// <summary>
    /// Checks a claimed gradient at the network's parameters (any network of the same shapes, e.g. one computed by hand or
    /// by another library) against finite differences of <see cref="Losses.Evaluate"/> (or, with dropout, of
    /// <see cref="Losses.EvaluateWithDropout"/> with the masks of <see cref="DropoutKey"/>). Since the claim exists only at
    /// this point, what only a nearby point could settle is inconclusive; <see cref="RunAgainstFunction"/> can judge it.
    /// Progress and cancellation as in <see cref="Run"/>.
    /// </summary>
    /// <exception cref="ArgumentException">On shape mismatches or invalid options.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled before the check finished.</exception>
    public static GradientCheckReport RunAgainst(Network network, Matrix x, Matrix y, Objective objective, Network gradients, GradientCheckOptions options,
        Action<GradientCheckProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Check(network, x, y, objective, gradients, null, options, progress, cancellationToken);

    /// <summary>
    /// Checks a gradient function: <paramref name="gradientAt"/> maps parameters (a network of the same shapes) to the
    /// claimed gradient there (a network of the same shapes). It is called at the network's parameters and at the nearby
    /// points an unsettled entry moves to. Otherwise as <see cref="RunAgainst"/>.
    /// </summary>
    /// <exception cref="ArgumentException">On shape mismatches (also of a returned gradient) or invalid options.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled before the check finished.</exception>
    public static GradientCheckReport RunAgainstFunction(Network network, Matrix x, Matrix y, Objective objective, Func<Network, Network> gradientAt,
        GradientCheckOptions options, Action<GradientCheckProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gradientAt);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        cancellationToken.ThrowIfCancellationRequested();
        return Check(network, x, y, objective, gradientAt(network), gradientAt, options, progress, cancellationToken);
    }

    /// <summary>The number of checks for <paramref name="parameterCount"/> parameters: one per parameter (when every coordinate is checked) plus one per random direction.</summary>
    public static long Checks(long parameterCount, GradientCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return checked((options.EveryCoordinate ? parameterCount : 0) + options.RandomDirections);
    }

    /// <summary>
    /// The number of evaluations of the objective a check of <paramref name="parameterCount"/> parameters makes when no
    /// kink is met: 1 at θ plus 2 per check (θ ± h); each kink adds 2 more, and a check that moves to a nearby point adds
    /// 2 (or 4) evaluations there, plus one gradient and 1 evaluation whenever the nearby point is (re)built. Each evaluation is a forward pass over the batch.
    /// </summary>
    public static long Evaluations(long parameterCount, GradientCheckOptions options) => checked(1 + 2 * Checks(parameterCount, options));

    /// <summary>The key whose dropout masks a check uses when the objective has dropout: <c>Prng.Fold(options.Key, 1)</c>.</summary>
    public static Key DropoutKey(GradientCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Prng.Fold(options.Key, 1);
    }

    private static void Validate(GradientCheckOptions options)
    {
        if (!(options.Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Epsilon, "Epsilon must be > 0.");
        if (options.RandomDirections < 0) throw new ArgumentOutOfRangeException(nameof(options), options.RandomDirections, "RandomDirections must be >= 0.");
    }

    private static GradientCheckReport Check(Network network, Matrix x, Matrix y, Objective objective, Network gradients, Func<Network, Network>? gradientAt,
        GradientCheckOptions options, Action<GradientCheckProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Parameters.CheckSameShape(network, gradients);
        cancellationToken.ThrowIfCancellationRequested();
        var here = new GradientJudge.Point(Parameters.Flatten(network).ToArray(), Parameters.Flatten(gradients).ToArray(),
            new GradientProbe(network, x, y, objective, DropoutKey(options)));
        var nearby = new GradientJudge.Nearby(network, x, y, objective, gradientAt, options);
        var counter = new Counter(Checks(here.Theta.Length, options), progress, cancellationToken);
        var inconclusive = ImmutableArray.CreateBuilder<GradientEntry>();
        var tensors = options.EveryCoordinate ? CheckCoordinates(network, here, nearby, options, counter, inconclusive) : [];
        var directions = CheckDirections(here, nearby, options, counter);
        return new GradientCheckReport(here.Probe.Center, tensors, directions, inconclusive.ToImmutable(), options);
    }

    private static ImmutableArray<TensorCheck> CheckCoordinates(Network network, GradientJudge.Point here, GradientJudge.Nearby nearby, GradientCheckOptions o, Counter counter,
        ImmutableArray<GradientEntry>.Builder inconclusive)
    {
        var result = ImmutableArray.CreateBuilder<TensorCheck>();
        var offset = 0;
        for (var l = 0; l < network.Layers.Length; l++)
        {
            var layer = network.Layers[l];
            result.Add(CheckTensor($"W{l + 1}", l, layer.Inputs, layer.Outputs, offset, here, nearby, o, counter, inconclusive));
            offset += layer.Inputs * layer.Outputs;
            result.Add(CheckTensor($"b{l + 1}", l, 1, layer.Outputs, offset, here, nearby, o, counter, inconclusive));
            offset += layer.Outputs;
        }
        return result.ToImmutable();
    }

    private static TensorCheck CheckTensor(string name, int layer, int rows, int cols, int offset, GradientJudge.Point here, GradientJudge.Nearby nearby, GradientCheckOptions o,
        Counter counter, ImmutableArray<GradientEntry>.Builder inconclusive)
    {
        double maxAbs = 0, maxRel = 0, worstRatio = -1, worstNum = 0, worstAna = 0;
        int worst = 0, kinks = 0, moved = 0, unjudged = 0, failures = 0;
        for (var k = 0; k < rows * cols; k++)
        {
            counter.Before();
            var i = offset + k;
            var (j, kink, wasMoved) = Settle(here, nearby, p => GradientJudge.Judge(p, i, null, p.Gradient[i], o));
            if (kink) kinks++;
            if (wasMoved) moved++;
            if (j.Verdict is not { } verdict)
            {
                unjudged++;
                inconclusive.Add(new GradientEntry(name, k / cols, k % cols));
                counter.After();
                continue;
            }
            if (j.Central)
            {
                var err = Math.Abs(j.Analytic - j.Numeric);
                maxAbs = Math.Max(maxAbs, err);
                var scale = Math.Max(Math.Abs(j.Analytic), Math.Abs(j.Numeric));
                if (scale > o.AbsoluteTolerance / o.RelativeTolerance) maxRel = Math.Max(maxRel, err / scale);
            }
            if (verdict == GradientVerdict.Failed) failures++;
            if (!(j.Ratio <= worstRatio))
            {
                worstRatio = double.IsNaN(j.Ratio) ? double.PositiveInfinity : j.Ratio;
                worst = k;
                worstNum = j.Numeric;
                worstAna = j.Analytic;
            }
            counter.After();
        }
        return new TensorCheck(name, layer, rows, cols, maxAbs, maxRel, worst / cols, worst % cols, worstNum, worstAna, Math.Max(worstRatio, 0),
            kinks, moved, unjudged, failures);
    }

    private static ImmutableArray<DirectionCheck> CheckDirections(GradientJudge.Point here, GradientJudge.Nearby nearby, GradientCheckOptions o, Counter counter)
    {
        var result = ImmutableArray.CreateBuilder<DirectionCheck>(o.RandomDirections);
        for (var d = 0; d < o.RandomDirections; d++)
        {
            counter.Before();
            var dir = Prng.Normal(Prng.Fold(o.Key, 100 + d), here.Theta.Length, 0, 1).ToArray();
            var norm = Math.Sqrt(dir.Sum(v => v * v));
            for (var i = 0; i < dir.Length; i++) dir[i] /= norm;
            var (j, kink, moved) = Settle(here, nearby, p =>
            {
                var a = 0.0;
                for (var i = 0; i < dir.Length; i++) a += p.Gradient[i] * dir[i];
                return GradientJudge.Judge(p, -1, dir, a, o);
            });
            result.Add(new DirectionCheck(d, j.Numeric, j.Analytic, Math.Abs(j.Analytic - j.Numeric), kink, moved, j.Verdict ?? GradientVerdict.Inconclusive));
            counter.After();
        }
        return result.MoveToImmutable();
    }

    /// <summary>Judges at θ, then, while unsettled, at the nearby points in turn.</summary>
    private static (GradientJudge.Judgement Judgement, bool Kink, bool Moved) Settle(GradientJudge.Point here, GradientJudge.Nearby nearby, Func<GradientJudge.Point, GradientJudge.Judgement> judge)
    {
        var j = judge(here);
        if (j.Verdict is not null) return (j, j.Kink, false);
        for (var attempt = 0; attempt < NearbyAttempts && nearby.At(attempt) is { } p; attempt++)
        {
            var moved = judge(p);
            if (moved.Verdict is not null) return (moved, true, true);
        }
        return (j, true, false);
    }

    /// <summary>Counts checks for the progress callback and observes the cancellation token before each one.</summary>
    private sealed class Counter(long total, Action<GradientCheckProgress>? progress, CancellationToken cancellationToken)
    {
        private long _done;

        public void Before() => cancellationToken.ThrowIfCancellationRequested();

        public void After() => progress?.Invoke(new GradientCheckProgress(++_done, total));
    }
}

using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// Gradient checking as a public API: compares <see cref="Backprop"/> with central finite differences of the very
/// objective it reports (<see cref="Losses.Evaluate"/>), on every parameter and along random directions.
/// </summary>
/// <remarks>
/// At a point where ReLU or leaky ReLU is not differentiable (some pre-activation changes sign between θ − h, θ and
/// θ + h), the central difference is meaningless; there the analytic value passes if it lies between the left and
/// right one-sided differences (second order: <c>(3J(θ) − 4J(θ−h) + J(θ−2h))/2h</c> and <c>(−3J(θ) + 4J(θ+h) − J(θ+2h))/2h</c>), widened by the tolerance, and the
/// entry is counted as a kink. That rule is exact for a single kink; when several pre-activations cross at once and the
/// rule does not hold, the entry is counted as ambiguous instead of failed (such points need exact zeros, e.g. zero
/// biases behind dropped or dead units).
/// </remarks>
public static class GradientCheck
{
    /// <summary>
    /// Checks <see cref="Backprop"/>'s gradient of <paramref name="objective"/> for the network on a batch X (m × inputs), Y (m × outputs).
    /// <paramref name="progress"/> (may be null) is called on the calling thread after every check (one per parameter, then
    /// one per random direction); <paramref name="cancellationToken"/> is observed before every check.
    /// </summary>
    /// <exception cref="ArgumentException">On shape mismatches or invalid options.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled before the check finished.</exception>
    public static GradientCheckReport Run(Network network, Matrix x, Matrix y, Objective objective, GradientCheckOptions options,
        Action<GradientCheckProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var analytic = objective.DropoutRate > 0
            ? Backprop.GradientWithDropout(network, x, y, objective, DropoutKey(options))
            : Backprop.Gradient(network, x, y, objective);
        return RunAgainst(network, x, y, objective, analytic.Gradients, options, progress, cancellationToken);
    }

    /// <summary>
    /// Checks a claimed gradient (any network of the same shapes, e.g. one computed by hand or by another library)
    /// against finite differences of <see cref="Losses.Evaluate"/> (or, with dropout, of
    /// <see cref="Losses.EvaluateWithDropout"/> with the masks of <see cref="DropoutKey"/>). Progress and cancellation as
    /// in <see cref="Run"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> was cancelled before the check finished.</exception>
    public static GradientCheckReport RunAgainst(Network network, Matrix x, Matrix y, Objective objective, Network gradients, GradientCheckOptions options,
        Action<GradientCheckProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!(options.Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Epsilon, "Epsilon must be > 0.");
        if (options.RandomDirections < 0) throw new ArgumentOutOfRangeException(nameof(options), options.RandomDirections, "RandomDirections must be >= 0.");
        Parameters.CheckSameShape(network, gradients);
        cancellationToken.ThrowIfCancellationRequested();
        var theta = Parameters.Flatten(network).ToArray();
        var grad = Parameters.Flatten(gradients).ToArray();
        var probe = new Probe(network, x, y, objective, DropoutKey(options));
        var counter = new Counter(Checks(theta.Length, options), progress, cancellationToken);
        var tensors = options.EveryCoordinate ? CheckCoordinates(network, theta, grad, probe, options, counter) : [];
        var directions = CheckDirections(theta, grad, probe, options, counter);
        return new GradientCheckReport(probe.Center, tensors, directions, options);
    }

    /// <summary>The number of checks for <paramref name="parameterCount"/> parameters: one per parameter (when every coordinate is checked) plus one per random direction.</summary>
    public static long Checks(long parameterCount, GradientCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return checked((options.EveryCoordinate ? parameterCount : 0) + options.RandomDirections);
    }

    /// <summary>
    /// The number of evaluations of the objective a check of <paramref name="parameterCount"/> parameters makes when no
    /// kink is met: 1 at θ plus 2 per check (θ ± h); each kink adds 2 more. Each evaluation is a forward pass over the batch.
    /// </summary>
    public static long Evaluations(long parameterCount, GradientCheckOptions options) => checked(1 + 2 * Checks(parameterCount, options));

    /// <summary>The key whose dropout masks a check uses when the objective has dropout: <c>Prng.Fold(options.Key, 1)</c>.</summary>
    public static Key DropoutKey(GradientCheckOptions options) => Prng.Fold(options.Key, 1);

    private static ImmutableArray<TensorCheck> CheckCoordinates(Network network, double[] theta, double[] grad, Probe probe, GradientCheckOptions o, Counter counter)
    {
        var result = ImmutableArray.CreateBuilder<TensorCheck>();
        var offset = 0;
        for (var l = 0; l < network.Layers.Length; l++)
        {
            var layer = network.Layers[l];
            result.Add(CheckTensor($"W{l + 1}", l, layer.Inputs, layer.Outputs, offset, theta, grad, probe, o, counter));
            offset += layer.Inputs * layer.Outputs;
            result.Add(CheckTensor($"b{l + 1}", l, 1, layer.Outputs, offset, theta, grad, probe, o, counter));
            offset += layer.Outputs;
        }
        return result.ToImmutable();
    }

    private static TensorCheck CheckTensor(string name, int layer, int rows, int cols, int offset, double[] theta, double[] grad, Probe probe, GradientCheckOptions o, Counter counter)
    {
        double maxAbs = 0, maxRel = 0, worstRatio = -1, worstNum = 0, worstAna = 0;
        int worst = 0, kinks = 0, ambiguous = 0, failures = 0;
        var h = o.Epsilon;
        for (var k = 0; k < rows * cols; k++)
        {
            counter.Before();
            var i = offset + k;
            var a = grad[i];
            var (fPlus, fMinus, crossings) = probe.Along(theta, i, null, h);
            double num, ratio;
            if (crossings > 0)
            {
                kinks++;
                var (left, right) = probe.OneSided(theta, i, null, h, fPlus, fMinus);
                num = 0.5 * (left + right);
                var lo = Math.Min(left, right);
                var hi = Math.Max(left, right);
                var tol = o.Tolerance(Math.Max(Math.Abs(lo), Math.Abs(hi)));
                var outside = a < lo ? lo - a : a > hi ? a - hi : 0.0;
                ratio = outside / tol;
                // With several kinks crossed at once (e.g. rows on both sides, or a kink feeding a kink) the function
                // is piecewise smooth in more than two pieces and the convention f′(0) need not lie between the
                // one-sided values: such an entry is reported as ambiguous, not as a failure.
                if (ratio > 1 && crossings > 1)
                {
                    ambiguous++;
                    ratio = 0;
                }
            }
            else
            {
                num = (fPlus - fMinus) / (2 * h);
                var err = Math.Abs(a - num);
                var scale = Math.Max(Math.Abs(a), Math.Abs(num));
                maxAbs = Math.Max(maxAbs, err);
                if (scale > o.AbsoluteTolerance / o.RelativeTolerance) maxRel = Math.Max(maxRel, err / scale);
                ratio = err / o.Tolerance(scale);
            }
            if (!(ratio <= 1)) failures++;
            if (!(ratio <= worstRatio))
            {
                worstRatio = double.IsNaN(ratio) ? double.PositiveInfinity : ratio;
                worst = k;
                worstNum = num;
                worstAna = a;
            }
            counter.After();
        }
        return new TensorCheck(name, layer, rows, cols, maxAbs, maxRel, worst / cols, worst % cols, worstNum, worstAna, Math.Max(worstRatio, 0), kinks, ambiguous, failures);
    }

    private static ImmutableArray<DirectionCheck> CheckDirections(double[] theta, double[] grad, Probe probe, GradientCheckOptions o, Counter counter)
    {
        var result = ImmutableArray.CreateBuilder<DirectionCheck>(o.RandomDirections);
        for (var d = 0; d < o.RandomDirections; d++)
        {
            counter.Before();
            var dir = Prng.Normal(Prng.Fold(o.Key, 100 + d), theta.Length, 0, 1).ToArray();
            var norm = Math.Sqrt(dir.Sum(v => v * v));
            for (var i = 0; i < dir.Length; i++) dir[i] /= norm;
            var a = 0.0;
            for (var i = 0; i < dir.Length; i++) a += grad[i] * dir[i];
            var h = o.Epsilon;
            var (fPlus, fMinus, crossings) = probe.Along(theta, -1, dir, h);
            var kink = crossings > 0;
            bool passed;
            double num;
            if (kink)
            {
                // Several kinks can be met at once along a direction, and then the directional derivative need not lie
                // between the one-sided differences: such a direction is reported but not judged (the per-coordinate
                // pass judges those points).
                var (left, right) = probe.OneSided(theta, -1, dir, h, fPlus, fMinus);
                num = 0.5 * (left + right);
                passed = true;
            }
            else
            {
                num = (fPlus - fMinus) / (2 * h);
                passed = Math.Abs(a - num) <= o.Tolerance(Math.Max(Math.Abs(a), Math.Abs(num)));
            }
            result.Add(new DirectionCheck(d, num, a, Math.Abs(a - num), kink, passed));
            counter.After();
        }
        return result.MoveToImmutable();
    }

    /// <summary>Counts checks for the progress callback and observes the cancellation token before each one.</summary>
    private sealed class Counter(long total, Action<GradientCheckProgress>? progress, CancellationToken cancellationToken)
    {
        private long _done;

        public void Before() => cancellationToken.ThrowIfCancellationRequested();

        public void After() => progress?.Invoke(new GradientCheckProgress(++_done, total));
    }

    /// <summary>Evaluates J at perturbed parameters and tells whether a kink's sign pattern changed.</summary>
    private sealed class Probe
    {
        private readonly Network _template;
        private readonly Matrix _x, _y;
        private readonly Objective _objective;
        private readonly Key _dropoutKey;
        private readonly bool[][] _centerSigns;

        public Probe(Network template, Matrix x, Matrix y, Objective objective, Key dropoutKey)
        {
            _template = template;
            _x = x;
            _y = y;
            _objective = objective;
            _dropoutKey = dropoutKey;
            (Center, _centerSigns) = Evaluate(template);
        }

        public double Center { get; }

        /// <summary>J at θ + h·e (coordinate <paramref name="index"/>, or direction <paramref name="dir"/> when index is −1) and θ − h·e.</summary>
        public (double Plus, double Minus, int Crossings) Along(double[] theta, int index, double[]? dir, double h)
        {
            var (plus, sp) = Evaluate(Shift(theta, index, dir, h));
            var (minus, sm) = Evaluate(Shift(theta, index, dir, -h));
            return (plus, minus, Changed(sp, sm, _centerSigns));
        }

        /// <summary>
        /// Second-order one-sided differences, exact for a quadratic on each side:
        /// left <c>(3J(θ) − 4J(θ−h) + J(θ−2h)) / 2h</c>, right <c>(−3J(θ) + 4J(θ+h) − J(θ+2h)) / 2h</c>. First-order ones
        /// would carry an O(h) error that no tight tolerance could accept.
        /// </summary>
        public (double Left, double Right) OneSided(double[] theta, int index, double[]? dir, double h, double fPlus, double fMinus)
        {
            var (plus2, _) = Evaluate(Shift(theta, index, dir, 2 * h));
            var (minus2, _) = Evaluate(Shift(theta, index, dir, -2 * h));
            return ((3 * Center - 4 * fMinus + minus2) / (2 * h), (-3 * Center + 4 * fPlus - plus2) / (2 * h));
        }

        private Network Shift(double[] theta, int index, double[]? dir, double h)
        {
            var t = (double[])theta.Clone();
            if (dir is null) t[index] += h;
            else for (var i = 0; i < t.Length; i++) t[i] += h * dir[i];
            return Parameters.Unflatten(_template, Vector.Own(t));
        }

        private (double Loss, bool[][] Signs) Evaluate(Network net)
        {
            var trace = _objective.DropoutRate > 0
                ? Forward.RunWithDropout(net, _x, _objective.DropoutRate, _dropoutKey)
                : Forward.Run(net, _x);
            var loss = Losses.Value(_objective.Loss, net.OutputActivation, trace.Logits, trace.Output, _y) + Losses.L2Penalty(net, _objective.L2);
            var signs = new bool[net.Layers.Length][];
            for (var l = 0; l < signs.Length; l++)
                signs[l] = Activations.HasKinkAtZero(net.Layers[l].Activation)
                    ? trace.Layers[l].Z.ToRowMajorArray().Select(z => z > 0).ToArray()
                    : [];
            return (loss, signs);
        }

        /// <summary>How many pre-activations change side of a kink at θ + h or θ − h.</summary>
        private static int Changed(bool[][] plus, bool[][] minus, bool[][] center)
        {
            var n = 0;
            for (var l = 0; l < center.Length; l++)
                for (var i = 0; i < center[l].Length; i++)
                    if (plus[l][i] != center[l][i] || minus[l][i] != center[l][i]) n++;
            return n;
        }
    }
}

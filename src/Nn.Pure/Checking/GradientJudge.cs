namespace Nn;

/// <summary>
/// The rules of <see cref="GradientCheck"/>'s verdicts on one claim along a coordinate or direction (see its remarks), and
/// the nearby points an unsettled claim moves to.
/// </summary>
internal static class GradientJudge
{
    /// <summary>The verdict (null when only a nearby point can settle it) on a claim along a coordinate or direction.</summary>
    internal static Judgement Judge(Point p, int index, double[]? dir, double claim, GradientCheckOptions o)
    {
        var h = o.Epsilon;
        var s = p.Probe.Along(p.Theta, index, dir, h);
        if (s.Crossings == 0)
        {
            var num = (s.Plus - s.Minus) / (2 * h);
            var ratio = Math.Abs(claim - num) / o.Tolerance(Math.Max(Math.Abs(claim), Math.Abs(num)));
            return new Judgement(ratio <= 1 ? GradientVerdict.Passed : GradientVerdict.Failed, num, claim, ratio, Kink: false, Central: true);
        }
        var one = p.Probe.OneSided(p.Theta, index, dir, h, s);
        var (lo, hi) = (Math.Min(one.Left, one.Right), Math.Max(one.Left, one.Right));
        var tol = o.Tolerance(Math.Max(Math.Abs(lo), Math.Abs(hi)));
        var outside = claim < lo ? lo - claim : claim > hi ? claim - hi : 0.0;
        var r = outside / tol;
        var mid = 0.5 * (one.Left + one.Right);
        var derivatives = one.Kinks == 1 || one.AtTheta; // L and R are the one-sided derivatives (up to O(h²))
        // Along a coordinate a claim outside them fails however many kinks meet; along a direction only at a single kink,
        // since there ∇J·d adds up each kink's convention and kinks crossed in opposite senses can put a subgradient-style
        // claim outside the one-sided derivatives of the sum (ReLU nets with zero biases behind dead rows do this).
        var refutes = dir is null || one.Kinks == 1;
        GradientVerdict? v = !derivatives ? null
            : !(r <= 1) ? (refutes ? GradientVerdict.Failed : null)
            : one.Kinks == 1 || hi - lo <= tol ? GradientVerdict.Passed
            : null;
        return new Judgement(v, mid, claim, v is null ? 0 : r, Kink: true, Central: false);
    }

    /// <summary>Parameters θ, the claim there, and a probe of J around them.</summary>
    internal sealed record Point(double[] Theta, double[] Gradient, GradientProbe Probe);

    /// <param name="Verdict">Null when unsettled.</param>
    /// <param name="Numeric">The central difference, or the mean of the one-sided ones at a kink.</param>
    /// <param name="Analytic">The claim.</param>
    /// <param name="Ratio">Error over tolerance (0 when unsettled).</param>
    /// <param name="Kink">A kink was crossed on θ ± h.</param>
    /// <param name="Central">Judged by the central difference.</param>
    internal readonly record struct Judgement(GradientVerdict? Verdict, double Numeric, double Analytic, double Ratio, bool Kink, bool Central);

    /// <summary>The nearby points, built on use (only the last one is kept, to bound memory); none without a gradient function.</summary>
    internal sealed class Nearby(Network network, Matrix x, Matrix y, Objective objective, Func<Network, Network>? gradientAt, GradientCheckOptions o)
    {
        private (int Attempt, Point Point)? _last;

        public Point? At(int attempt)
        {
            if (gradientAt is null) return null;
            if (_last is { } last && last.Attempt == attempt) return last.Point;
            _last = null;
            var theta = Parameters.Flatten(network).ToArray();
            var xi = Prng.Normal(Prng.Fold(o.Key, 300 + attempt), theta.Length, 0, 1);
            var sigma = 1e-3 * Kernels.Trigonometry.Power(4, attempt);
            for (var i = 0; i < theta.Length; i++) theta[i] += sigma * xi[i];
            var moved = Parameters.Unflatten(network, Vector.Own(theta));
            var gradients = gradientAt(moved);
            Parameters.CheckSameShape(moved, gradients);
            var point = new Point(theta, Parameters.Flatten(gradients).ToArray(), new GradientProbe(moved, x, y, objective, GradientCheck.DropoutKey(o)));
            _last = (attempt, point);
            return point;
        }
    }
}

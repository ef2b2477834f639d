namespace Nn;

/// <summary>
/// Evaluates J at parameters shifted along a coordinate or direction, with the side of every kinked pre-activation
/// (−1, 0 or +1 for ReLU and leaky-ReLU layers) at each point, so a check can tell where kinks are crossed.
/// </summary>
internal sealed class GradientProbe
{
    private readonly Network _template;
    private readonly Matrix _x, _y;
    private readonly Objective _objective;
    private readonly Key _dropoutKey;
    private readonly sbyte[][] _centerSides;

    public GradientProbe(Network network, Matrix x, Matrix y, Objective objective, Key dropoutKey)
    {
        _template = network;
        _x = x;
        _y = y;
        _objective = objective;
        _dropoutKey = dropoutKey;
        (Center, _centerSides) = Evaluate(network);
    }

    /// <summary>J at the probe's own parameters θ.</summary>
    public double Center { get; }

    /// <summary>J at θ ± h·e (coordinate <paramref name="index"/>, or direction <paramref name="dir"/> when index is −1).</summary>
    public Stencil Along(double[] theta, int index, double[]? dir, double h)
    {
        var (plus, sp) = Evaluate(Shift(theta, index, dir, h));
        var (minus, sm) = Evaluate(Shift(theta, index, dir, -h));
        var crossings = 0;
        for (var l = 0; l < _centerSides.Length; l++)
            for (var i = 0; i < _centerSides[l].Length; i++)
                if (sp[l][i] != _centerSides[l][i] || sm[l][i] != _centerSides[l][i]) crossings++;
        return new Stencil(plus, minus, sp, sm, crossings);
    }

    /// <summary>
    /// Second-order one-sided differences, exact for a quadratic on each side: left <c>(3J(θ) − 4J(θ−h) + J(θ−2h)) / 2h</c>,
    /// right <c>(−3J(θ) + 4J(θ+h) − J(θ+2h)) / 2h</c> (first-order ones would carry an O(h) error no
    /// tight tolerance could accept); with how many pre-activations change side anywhere on θ − 2h … θ + 2h, and whether
    /// every change happens at θ itself (a pre-activation exactly 0 at θ), so that each side is smooth and the values are
    /// the one-sided derivatives.
    /// </summary>
    public OneSidedDifferences OneSided(double[] theta, int index, double[]? dir, double h, Stencil s)
    {
        var (plus2, sp2) = Evaluate(Shift(theta, index, dir, 2 * h));
        var (minus2, sm2) = Evaluate(Shift(theta, index, dir, -2 * h));
        int kinks = 0;
        var atTheta = true;
        for (var l = 0; l < _centerSides.Length; l++)
            for (var i = 0; i < _centerSides[l].Length; i++)
            {
                var c = _centerSides[l][i];
                var (m2, m1, p1, p2) = (sm2[l][i], s.MinusSides[l][i], s.PlusSides[l][i], sp2[l][i]);
                if (m2 != c || m1 != c || p1 != c || p2 != c) kinks++;
                var rightSmooth = p1 == p2 && (c == 0 || c == p1);
                var leftSmooth = m1 == m2 && (c == 0 || c == m1);
                if (!rightSmooth || !leftSmooth) atTheta = false;
            }
        return new OneSidedDifferences(
            (3 * Center - 4 * s.Minus + minus2) / (2 * h), (-3 * Center + 4 * s.Plus - plus2) / (2 * h), kinks, atTheta);
    }

    private Network Shift(double[] theta, int index, double[]? dir, double h)
    {
        var t = (double[])theta.Clone();
        if (dir is null) t[index] += h;
        else for (var i = 0; i < t.Length; i++) t[i] += h * dir[i];
        return Parameters.Unflatten(_template, Vector.Own(t));
    }

    private (double Loss, sbyte[][] Sides) Evaluate(Network net)
    {
        var trace = _objective.DropoutRate > 0
            ? Forward.RunWithDropout(net, _x, _objective.DropoutRate, _dropoutKey)
            : Forward.Run(net, _x);
        var loss = Losses.Value(_objective.Loss, net.OutputActivation, trace.Logits, trace.Output, _y) + Losses.L2Penalty(net, _objective.L2);
        var sides = new sbyte[net.Layers.Length][];
        for (var l = 0; l < sides.Length; l++)
            sides[l] = Activations.HasKinkAtZero(net.Layers[l].Activation)
                ? trace.Layers[l].Z.ToRowMajorArray().Select(z => (sbyte)Math.Sign(z)).ToArray()
                : [];
        return (loss, sides);
    }
}

/// <summary>J at θ + h·e and θ − h·e, the sides of the kinked pre-activations there, and how many changed side from θ.</summary>
internal sealed record Stencil(double Plus, double Minus, sbyte[][] PlusSides, sbyte[][] MinusSides, int Crossings);

/// <summary>
/// The one-sided differences; <paramref name="Kinks"/> pre-activations change side on θ ± 2h; <paramref name="AtTheta"/> when
/// every change happens at θ itself, so that both values are one-sided derivatives up to O(h²).
/// </summary>
internal sealed record OneSidedDifferences(double Left, double Right, int Kinks, bool AtTheta);

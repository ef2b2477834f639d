using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>
/// A linear map from a data interval [<see cref="Min"/>, <see cref="Max"/>] onto pixels [<see cref="From"/>,
/// <see cref="To"/>] (To &lt; From for a y axis, which grows downwards in SVG), with "nice" ticks.
/// </summary>
internal sealed record Scale(double Min, double Max, double From, double To, double Step)
{
    /// <summary>The pixel of data value v: <c>From + (v − Min)/(Max − Min)·(To − From)</c>.</summary>
    internal double Map(double v) => From + (v - Min) / (Max - Min) * (To - From);

    /// <summary>The data value of pixel p (the inverse of <see cref="Map"/>).</summary>
    internal double Unmap(double p) => Min + (p - From) / (To - From) * (Max - Min);

    /// <summary>The ticks: the multiples of <see cref="Step"/> in [Min, Max].</summary>
    internal ImmutableArray<double> Ticks()
    {
        var first = Math.Ceiling(Min / Step - 1e-9);
        var last = Math.Floor(Max / Step + 1e-9);
        var ticks = ImmutableArray.CreateBuilder<double>();
        for (var k = first; k <= last && ticks.Count < 50; k++) ticks.Add(k * Step);
        return ticks.ToImmutable();
    }

    /// <summary>
    /// A scale over the finite values of <paramref name="values"/>, widened to multiples of a nice step (1, 2 or 5 × 10ⁿ)
    /// giving about <paramref name="ticks"/> ticks; a single value or none gets a unit-wide interval around it.
    /// </summary>
    internal static Scale Nice(IEnumerable<double> values, double from, double to, int ticks = 6, bool includeZero = false)
    {
        var lo = double.PositiveInfinity;
        var hi = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) continue;
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }
        if (includeZero && lo <= hi) { lo = Math.Min(lo, 0); hi = Math.Max(hi, 0); }
        if (lo > hi) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) { lo -= 0.5; hi += 0.5; }
        var step = NiceStep((hi - lo) / Math.Max(1, ticks - 1));
        return new Scale(Math.Floor(lo / step) * step, Math.Ceiling(hi / step) * step, from, to, step);
    }

    /// <summary>A fixed interval (no widening) with a nice step for about <paramref name="ticks"/> ticks.</summary>
    internal static Scale Fixed(double min, double max, double from, double to, int ticks = 6) =>
        new(min, max, from, to, NiceStep((max - min) / Math.Max(1, ticks - 1)));

    /// <summary>The smallest of 1, 2, 5, 10 × 10ⁿ that is ≥ <paramref name="raw"/>.</summary>
    internal static double NiceStep(double raw)
    {
        if (!(raw > 0) || !double.IsFinite(raw)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var f = raw / power;
        return (f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10) * power;
    }
}

namespace Nn.Shell;

/// <summary>One curve of a <see cref="CurveChart"/>: y against x, both in [0, 1].</summary>
internal sealed record Curve(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// ROC and precision–recall curves on the unit square: one line per curve (colours by position), an optional dashed
/// diagonal (chance for ROC) and a legend in the bottom-right corner.
/// </summary>
internal static class CurveChart
{
    /// <summary>The most points a curve is drawn through; longer curves are drawn through evenly spaced points of theirs, ends included.</summary>
    internal const int MaxPoints = 400;

    /// <summary>The SVG of <paramref name="curves"/>; <paramref name="chance"/> draws the diagonal y = x named in the legend.</summary>
    internal static string Render(string title, string xTitle, string yTitle, IReadOnlyList<Curve> curves, string? chance,
        double width = 560, double height = 360)
    {
        var canvas = new SvgCanvas(width, height, title);
        var area = PlotArea.Of(width, height);
        var x = Scale.Fixed(0, 1, area.Left, area.Right, 6);
        var y = Scale.Fixed(0, 1, area.Bottom, area.Top, 6);
        Axes.Title(canvas, title);
        Axes.Draw(canvas, area, x, y, xTitle, yTitle);
        if (chance is not null) canvas.Line(x.Map(0), y.Map(0), x.Map(1), y.Map(1), "class=\"diagonal\"");
        for (var i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            var points = Thin(c.X.Count).Where(k => double.IsFinite(c.X[k]) && double.IsFinite(c.Y[k])).Select(k => (x.Map(c.X[k]), y.Map(c.Y[k]))).ToList();
            if (points.Count == 1) canvas.Circle(points[0].Item1, points[0].Item2, 2.5, $"fill=\"{Palette.Class(i)}\"");
            else if (points.Count > 1) canvas.Polyline(points, $"stroke=\"{Palette.Class(i)}\" stroke-width=\"2\"");
        }
        var legend = curves.Select((c, i) => (c.Name, Palette.Class(i), false)).ToList();
        if (chance is not null) legend.Add((chance, "#777", true));
        Axes.Legend(canvas, area, legend, bottom: true);
        return canvas.Close();
    }

    /// <summary>The indices drawn of a curve of <paramref name="n"/> points: all of them, or <see cref="MaxPoints"/> evenly spaced ones.</summary>
    private static IEnumerable<int> Thin(int n) =>
        n <= MaxPoints ? Enumerable.Range(0, n) : Enumerable.Range(0, MaxPoints).Select(i => (int)Math.Round((double)i * (n - 1) / (MaxPoints - 1)));
}

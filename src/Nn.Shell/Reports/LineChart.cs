namespace Nn.Shell;

/// <summary>One line of a <see cref="LineChart"/>: y per x, NaN or infinite values leave a gap.</summary>
internal sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false);

/// <summary>A line chart with axes, ticks, grid, legend and a marker on one x (e.g. the best epoch).</summary>
internal static class LineChart
{
    /// <summary>The SVG of <paramref name="series"/> (colours by position), with an optional vertical marker at <paramref name="markX"/> named in the legend.</summary>
    internal static string Render(string title, string xTitle, string yTitle, IReadOnlyList<Series> series, double? markX = null, string? markLabel = null,
        double width = 560, double height = 340)
    {
        var canvas = new SvgCanvas(width, height, title);
        var area = PlotArea.Of(width, height);
        var x = Scale.Nice(series.SelectMany(s => s.X), area.Left, area.Right);
        var y = Scale.Nice(series.SelectMany(s => s.Y), area.Bottom, area.Top);
        Axes.Title(canvas, title);
        Axes.Draw(canvas, area, x, y, xTitle, yTitle);
        if (markX is { } m && double.IsFinite(m))
        {
            canvas.Line(x.Map(m), area.Top, x.Map(m), area.Bottom, "class=\"marker\"");
        }
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var style = $"stroke=\"{Palette.Class(i)}\" stroke-width=\"2\"" + (s.Dashed ? " stroke-dasharray=\"6 3\"" : "");
            var run = new List<(double, double)>();
            for (var k = 0; k <= s.X.Count; k++)
            {
                if (k < s.X.Count && double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k])) { run.Add((x.Map(s.X[k]), y.Map(s.Y[k]))); continue; }
                if (run.Count == 1) canvas.Circle(run[0].Item1, run[0].Item2, 2.5, $"fill=\"{Palette.Class(i)}\"");
                else if (run.Count > 1) canvas.Polyline(run, style);
                run.Clear();
            }
        }
        var legend = series.Select((s, i) => (s.Name, Palette.Class(i), s.Dashed)).ToList();
        if (markLabel is not null && markX is { } mark && double.IsFinite(mark)) legend.Add((markLabel, "#999", true));
        // The legend goes to the corner (top or bottom right) that hides fewer data points.
        int Hidden(bool bottom)
        {
            var (lx, ly, lw, lh) = Axes.LegendBox(area, legend, bottom);
            return series.Sum(s => s.X.Zip(s.Y).Count(p => x.Map(p.First) is var px && y.Map(p.Second) is var py
                && px >= lx - 4 && px <= lx + lw + 4 && py >= ly - 4 && py <= ly + lh + 4));
        }
        Axes.Legend(canvas, area, legend, bottom: Hidden(bottom: true) < Hidden(bottom: false));
        return canvas.Close();
    }
}

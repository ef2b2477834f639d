namespace Nn.Shell;

/// <summary>The plot area of a chart: margins around it, and the axes with ticks, grid lines and titles drawn on a canvas.</summary>
internal sealed record PlotArea(double Left, double Top, double Right, double Bottom)
{
    /// <summary>The plot area of a <paramref name="width"/> × <paramref name="height"/> chart with the usual margins.</summary>
    internal static PlotArea Of(double width, double height) => new(64, 34, width - 20, height - 48);

    /// <summary>The plot's width in pixels.</summary>
    internal double Width => Right - Left;

    /// <summary>The plot's height in pixels.</summary>
    internal double Height => Bottom - Top;
}

/// <summary>Draws a chart's title and a plot area's axes: ticks with labels, light grid lines, axis titles.</summary>
internal static class Axes
{
    /// <summary>The chart title, centred at the top.</summary>
    internal static void Title(SvgCanvas canvas, string title) => canvas.Text(canvas.Width / 2, 20, title, "middle", "title");

    /// <summary>Both axes of <paramref name="area"/> for the scales <paramref name="x"/> and <paramref name="y"/>.</summary>
    internal static void Draw(SvgCanvas canvas, PlotArea area, Scale x, Scale y, string xTitle, string yTitle)
    {
        foreach (var t in x.Ticks())
        {
            var px = x.Map(t);
            canvas.Line(px, area.Top, px, area.Bottom, "class=\"grid\"");
            canvas.Line(px, area.Bottom, px, area.Bottom + 5, "class=\"axis\"");
            canvas.Text(px, area.Bottom + 18, Markup.Tick(t, x.Step), "middle", "tick");
        }
        foreach (var t in y.Ticks())
        {
            var py = y.Map(t);
            canvas.Line(area.Left, py, area.Right, py, "class=\"grid\"");
            canvas.Line(area.Left - 5, py, area.Left, py, "class=\"axis\"");
            canvas.Text(area.Left - 8, py + 4, Markup.Tick(t, y.Step), "end", "tick");
        }
        canvas.Line(area.Left, area.Bottom, area.Right, area.Bottom, "class=\"axis\"");
        canvas.Line(area.Left, area.Top, area.Left, area.Bottom, "class=\"axis\"");
        canvas.Text((area.Left + area.Right) / 2, area.Bottom + 38, xTitle, "middle", "axis-title");
        canvas.Text(16, (area.Top + area.Bottom) / 2, yTitle, "middle", "axis-title", -90);
    }

    /// <summary>The box a legend of <paramref name="entries"/> occupies in the top-right (or bottom-right) corner of the plot area.</summary>
    internal static (double X, double Y, double Width, double Height) LegendBox(PlotArea area, IReadOnlyList<(string Name, string Colour, bool Dashed)> entries, bool bottom)
    {
        var width = 24 + 7.2 * entries.Select(e => Math.Min(e.Name.Length, 28)).DefaultIfEmpty(0).Max() + 12;
        var height = 8 + 18 * entries.Count;
        return (area.Right - width - 8, bottom ? area.Bottom - height - 8 : area.Top + 8, width, height);
    }

    /// <summary>A legend box in the top-right (or bottom-right) corner of the plot area: one swatch and name per entry.</summary>
    internal static void Legend(SvgCanvas canvas, PlotArea area, IReadOnlyList<(string Name, string Colour, bool Dashed)> entries, bool bottom = false)
    {
        if (entries.Count == 0) return;
        var (x, y, width, height) = LegendBox(area, entries, bottom);
        canvas.Rect(x, y, width, height, "class=\"legend\"");
        for (var i = 0; i < entries.Count; i++)
        {
            var (name, colour, dashed) = entries[i];
            var cy = y + 14 + 18 * i;
            canvas.Line(x + 6, cy, x + 24, cy, $"stroke=\"{colour}\" stroke-width=\"2.5\"" + (dashed ? " stroke-dasharray=\"5 3\"" : ""));
            canvas.Text(x + 30, cy + 4, name.Length > 28 ? name[..27] + "…" : name, "start", "tick");
        }
    }
}

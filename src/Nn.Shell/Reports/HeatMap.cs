namespace Nn.Shell;

/// <summary>A confusion matrix as a heat map: rows are true classes, columns predicted ones, shaded by row share.</summary>
internal static class HeatMap
{
    /// <summary>
    /// The SVG of <paramref name="confusion"/> with class names <paramref name="labels"/>. Cell (t, p) is shaded by
    /// <c>Count(t, p) / Support(t)</c> and shows the count when the cell is large enough to read.
    /// </summary>
    internal static string Render(string title, ConfusionMatrix confusion, IReadOnlyList<string> labels)
    {
        var k = confusion.Classes;
        var cell = Math.Clamp(420.0 / k, 8, 96);
        var labelWidth = Math.Min(120, 12 + 7 * labels.Take(k).Select(l => Math.Min(l.Length, 16)).DefaultIfEmpty(1).Max());
        double left = 40 + labelWidth, top = 40 + labelWidth;
        var width = left + k * cell + 24;
        var height = top + k * cell + 16;
        var canvas = new SvgCanvas(width, height, title);
        Axes.Title(canvas, title);
        canvas.Text(left + k * cell / 2, 40, "predicted class", "middle", "axis-title");
        canvas.Text(16, top + k * cell / 2, "true class", "middle", "axis-title", -90);
        var support = confusion.Support;
        var fontClass = cell >= 40 ? "cell" : "cell small";
        for (var t = 0; t < k; t++)
        {
            var name = Short(Label(labels, t));
            canvas.Text(left - 6, top + t * cell + cell / 2 + 4, name, "end", "tick");
            canvas.Text(left + t * cell + cell / 2 + 4, top - 6, name, "start", "tick", -60);
            for (var p = 0; p < k; p++)
            {
                var count = confusion.Count(t, p);
                var share = support[t] == 0 ? 0 : (double)count / support[t];
                canvas.Rect(left + p * cell, top + t * cell, cell, cell, $"fill=\"{Palette.Ramp(share)}\" class=\"cellbox\"",
                    $"true {Label(labels, t)}, predicted {Label(labels, p)}: {count}");
                if (cell >= 18)
                    canvas.Text(left + p * cell + cell / 2, top + t * cell + cell / 2 + 4, count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        "middle", fontClass + (Palette.DarkRamp(share) ? " light" : ""));
            }
        }
        return canvas.Close();
    }

    private static string Label(IReadOnlyList<string> labels, int i) => i < labels.Count ? labels[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Short(string s) => s.Length > 16 ? s[..15] + "…" : s;
}

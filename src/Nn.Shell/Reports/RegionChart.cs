using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>
/// The decision regions of a 2-feature classifier: the model's predicted class on a grid over the data's range (shaded by
/// its confidence), with the data points on top coloured by their true class.
/// </summary>
internal static class RegionChart
{
    /// <summary>Grid cells per axis.</summary>
    internal const int Resolution = 80;

    /// <summary>
    /// The SVG for <paramref name="model"/> (2 features, classification) over raw <paramref name="points"/> (m × 2) with
    /// true classes <paramref name="truth"/> (length m; −1 = unknown, drawn grey).
    /// </summary>
    internal static string Render(Model model, Matrix points, IReadOnlyList<int> truth, double width = 560, double height = 480)
    {
        var info = model.Info;
        var title = "Decision regions";
        var canvas = new SvgCanvas(width, height, title);
        var area = PlotArea.Of(width, height);
        var pad = 0.05;
        var x = Pad(Scale.Nice(points.Column(0).Values, area.Left, area.Right), pad);
        var y = Pad(Scale.Nice(points.Column(1).Values, area.Bottom, area.Top), pad);
        Axes.Title(canvas, title);

        // The grid: cell (i, j) is centred on pixel column i and row j of the plot area; one forward pass over all cells.
        var n = Resolution;
        var grid = Matrix.Init(n * n, 2, (r, c) => c == 0
            ? x.Unmap(area.Left + (r % n + 0.5) * area.Width / n)
            : y.Unmap(area.Top + (r / n + 0.5) * area.Height / n));
        if (Predictor.Predict(model, grid) is not Prediction.Classification prediction)
            throw new ArgumentException("Decision regions need a classifier.", nameof(model));
        var k = prediction.Probabilities.Cols;
        var cw = area.Width / n;
        var ch = area.Height / n;
        canvas.Raw("<g shape-rendering=\"crispEdges\">\n");
        for (var j = 0; j < n; j++)
        {
            // Runs of equal (class, shade) along a row become one rectangle.
            var start = 0;
            for (var i = 1; i <= n; i++)
            {
                if (i < n && Key(prediction, j * n + i, k) == Key(prediction, j * n + start, k)) continue;
                var (cls, level) = Key(prediction, j * n + start, k);
                canvas.Rect(area.Left + start * cw, area.Top + j * ch, (i - start) * cw + 0.6, ch + 0.6,
                    $"fill=\"{Palette.Tint(cls, 0.16 + 0.12 * level)}\"");
                start = i;
            }
        }
        canvas.Raw("</g>\n");
        Axes.Draw(canvas, area, x, y, Name(info.FeatureNames, 0), Name(info.FeatureNames, 1));
        foreach (var i in Sample(points.Rows))
        {
            var px = x.Map(points[i, 0]);
            var py = y.Map(points[i, 1]);
            if (!double.IsFinite(px) || !double.IsFinite(py)) continue;
            var t = i < truth.Count ? truth[i] : -1;
            canvas.Circle(px, py, 3, $"fill=\"{(t >= 0 ? Palette.Class(t) : "#888")}\" class=\"point\"");
        }
        Axes.Legend(canvas, area, [.. info.Labels.Take(10).Select((l, c) => (l, Palette.Class(c), false))]);
        return canvas.Close();
    }

    /// <summary>At most 2,000 evenly spaced row indices (all rows when there are fewer).</summary>
    internal static IEnumerable<int> Sample(int rows)
    {
        const int Max = 2000;
        if (rows <= Max) return Enumerable.Range(0, rows);
        return Enumerable.Range(0, Max).Select(i => (int)((long)i * rows / Max));
    }

    private static (int Class, int Level) Key(Prediction.Classification p, int row, int k)
    {
        var c = p.Classes[row];
        var confidence = p.Probabilities[row, c];
        var chance = 1.0 / k;
        var level = (int)Math.Clamp(Math.Floor((confidence - chance) / (1 - chance) * 4), 0, 3);
        return (c, level);
    }

    private static Scale Pad(Scale s, double fraction)
    {
        var extra = (s.Max - s.Min) * fraction;
        return s with { Min = s.Min - extra, Max = s.Max + extra };
    }

    private static string Name(ImmutableArray<string> names, int i) => i < names.Length ? names[i] : $"x{i}";
}

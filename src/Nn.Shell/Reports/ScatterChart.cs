namespace Nn.Shell;

/// <summary>Predicted against actual values of a regression model, with the diagonal y = x of perfect predictions.</summary>
internal static class ScatterChart
{
    /// <summary>The SVG of the pairs (actual[i], predicted[i]), both axes on one scale.</summary>
    internal static string Render(string targetName, IReadOnlyList<double> actual, IReadOnlyList<double> predicted, double width = 480, double height = 460)
    {
        var title = "Predicted vs actual";
        var canvas = new SvgCanvas(width, height, title);
        var area = PlotArea.Of(width, height);
        var both = Scale.Nice(actual.Concat(predicted), 0, 1);
        var x = both with { From = area.Left, To = area.Right };
        var y = both with { From = area.Bottom, To = area.Top };
        Axes.Title(canvas, title);
        Axes.Draw(canvas, area, x, y, $"actual {targetName}", $"predicted {targetName}");
        canvas.Line(x.Map(both.Min), y.Map(both.Min), x.Map(both.Max), y.Map(both.Max), "class=\"diagonal\"");
        foreach (var i in RegionChart.Sample(Math.Min(actual.Count, predicted.Count)))
        {
            if (!double.IsFinite(actual[i]) || !double.IsFinite(predicted[i])) continue;
            canvas.Circle(x.Map(actual[i]), y.Map(predicted[i]), 2.8, $"fill=\"{Palette.Class(0)}\" fill-opacity=\"0.65\"");
        }
        return canvas.Close();
    }
}

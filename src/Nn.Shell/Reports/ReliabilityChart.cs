namespace Nn.Shell;

/// <summary>The reliability diagram: per confidence bin, the accuracy as a bar, the mean confidence as a dot, the count above.</summary>
internal static class ReliabilityChart
{
    /// <summary>The SVG of <paramref name="calibration"/>'s bins, with the diagonal of perfect calibration and the ECE in the title.</summary>
    internal static string Render(CalibrationReport calibration, double width = 560, double height = 360)
    {
        var title = FormattableString.Invariant($"Reliability diagram (ECE {calibration.Ece:0.0000})");
        var canvas = new SvgCanvas(width, height, title);
        var area = PlotArea.Of(width, height) with { Top = 48 };
        var x = Scale.Fixed(0, 1, area.Left, area.Right, 6);
        var y = Scale.Fixed(0, 1, area.Bottom, area.Top, 6);
        Axes.Title(canvas, title);
        Axes.Draw(canvas, area, x, y, "confidence (probability of the predicted class)", "accuracy");
        foreach (var b in calibration.Bins)
        {
            var x0 = x.Map(b.Lower) + 1;
            var x1 = x.Map(b.Upper) - 1;
            var tip = FormattableString.Invariant($"confidence ({b.Lower:0.##}, {b.Upper:0.##}]: {b.Count} examples, accuracy {b.Accuracy:0.###}, mean confidence {b.MeanConfidence:0.###}");
            if (b.Count > 0)
            {
                canvas.Rect(x0, y.Map(b.Accuracy), x1 - x0, area.Bottom - y.Map(b.Accuracy), $"fill=\"{Palette.Class(0)}\" fill-opacity=\"0.75\"", tip);
                canvas.Circle(x.Map(b.MeanConfidence), y.Map(b.MeanConfidence), 3.5, $"fill=\"{Palette.Class(1)}\" stroke=\"#fff\"");
            }
            canvas.Text((x0 + x1) / 2, area.Top - 6, b.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "middle", "tick count");
        }
        canvas.Text(area.Left - 8, area.Top - 6, "n", "end", "tick count");
        canvas.Line(x.Map(0), y.Map(0), x.Map(1), y.Map(1), "class=\"diagonal\"");
        Axes.Legend(canvas, area with { Right = area.Left + 190, Left = area.Left }, [("accuracy per bin", Palette.Class(0), false), ("mean confidence", Palette.Class(1), false), ("perfect calibration", "#777", true)]);
        return canvas.Close();
    }
}

using System.Text;

namespace Nn.Shell;

/// <summary>
/// Writes one inline <c>&lt;svg&gt;</c> element, shape by shape. Every number is formatted invariantly with at most two
/// decimals and every text is escaped, so the output is deterministic and well-formed XML.
/// </summary>
internal sealed class SvgCanvas
{
    private readonly StringBuilder _sb = new();

    /// <summary>Starts an SVG of the given pixel size; <paramref name="label"/> becomes its accessible name.</summary>
    internal SvgCanvas(double width, double height, string label)
    {
        Width = width;
        Height = height;
        _sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"").Append(Markup.Coord(width))
            .Append("\" height=\"").Append(Markup.Coord(height)).Append("\" viewBox=\"0 0 ").Append(Markup.Coord(width)).Append(' ')
            .Append(Markup.Coord(height)).Append("\" aria-label=\"").Append(Markup.Escape(label)).Append("\">\n");
        _sb.Append("<title>").Append(Markup.Escape(label)).Append("</title>\n");
    }

    /// <summary>The width in pixels.</summary>
    internal double Width { get; }

    /// <summary>The height in pixels.</summary>
    internal double Height { get; }

    /// <summary>A line segment.</summary>
    internal SvgCanvas Line(double x1, double y1, double x2, double y2, string style) =>
        Raw($"<line x1=\"{C(x1)}\" y1=\"{C(y1)}\" x2=\"{C(x2)}\" y2=\"{C(y2)}\" {style}/>\n");

    /// <summary>An axis-aligned rectangle; <paramref name="tooltip"/> (escaped) shows on hover when given.</summary>
    internal SvgCanvas Rect(double x, double y, double width, double height, string style, string? tooltip = null) =>
        Raw(tooltip is null
            ? $"<rect x=\"{C(x)}\" y=\"{C(y)}\" width=\"{C(width)}\" height=\"{C(height)}\" {style}/>\n"
            : $"<rect x=\"{C(x)}\" y=\"{C(y)}\" width=\"{C(width)}\" height=\"{C(height)}\" {style}><title>{Markup.Escape(tooltip)}</title></rect>\n");

    /// <summary>A circle.</summary>
    internal SvgCanvas Circle(double cx, double cy, double r, string style) =>
        Raw($"<circle cx=\"{C(cx)}\" cy=\"{C(cy)}\" r=\"{C(r)}\" {style}/>\n");

    /// <summary>An open polyline through the points.</summary>
    internal SvgCanvas Polyline(IEnumerable<(double X, double Y)> points, string style) =>
        Raw($"<polyline points=\"{string.Join(' ', points.Select(p => C(p.X) + "," + C(p.Y)))}\" fill=\"none\" {style}/>\n");

    /// <summary>Text (escaped) anchored at (x, y); <paramref name="anchor"/> is start, middle or end.</summary>
    internal SvgCanvas Text(double x, double y, string text, string anchor = "start", string cssClass = "label", double rotate = 0) =>
        Raw($"<text x=\"{C(x)}\" y=\"{C(y)}\" text-anchor=\"{anchor}\" class=\"{cssClass}\"" +
            (rotate != 0 ? $" transform=\"rotate({C(rotate)} {C(x)} {C(y)})\"" : "") + $">{Markup.Escape(text)}</text>\n");

    /// <summary>Appends markup that the caller has already escaped.</summary>
    internal SvgCanvas Raw(string markup)
    {
        _sb.Append(markup);
        return this;
    }

    /// <summary>Closes the element and returns the markup.</summary>
    internal string Close() => _sb.Append("</svg>").ToString();

    private static string C(double v) => Markup.Coord(v);
}

using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>Escaping and number formatting shared by the report's HTML and SVG (both written so that they parse as XML).</summary>
internal static class Markup
{
    /// <summary>
    /// Text safe in HTML/SVG element content and in double-quoted attributes: <c>&amp; &lt; &gt; " '</c> become entities,
    /// and control characters that XML 1.0 forbids become U+FFFD.
    /// </summary>
    internal static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case < ' ' when c is not ('\t' or '\n' or '\r'): sb.Append('\uFFFD'); break;
                case '\uFFFE' or '\uFFFF': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A coordinate with at most 2 decimals, invariant culture, never "-0".</summary>
    internal static string Coord(double v)
    {
        var s = Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }

    /// <summary>A tick label for value <paramref name="v"/> on an axis whose ticks are <paramref name="step"/> apart.</summary>
    internal static string Tick(double v, double step)
    {
        var magnitude = Math.Max(Math.Abs(v), step);
        if (magnitude >= 1e6 || magnitude < 1e-4) return v.ToString("0.##E+0", CultureInfo.InvariantCulture);
        var decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 6);
        var s = v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s.TrimStart('-').All(ch => ch is '0' or '.') ? s.TrimStart('-') : s;
    }

    /// <summary>A metric value for tables: 4 significant decimals, or "–" for NaN.</summary>
    internal static string Metric(double v) =>
        double.IsNaN(v) ? "–" : v.ToString(Math.Abs(v) >= 1e5 || (v != 0 && Math.Abs(v) < 1e-3) ? "0.###E+0" : "0.####", CultureInfo.InvariantCulture);
}

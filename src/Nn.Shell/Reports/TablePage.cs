using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>A table of a <see cref="TablePage"/>: a heading, an optional note, column names and rows of text cells.</summary>
/// <param name="Id">The section's id in the page.</param>
/// <param name="Heading">The section's heading.</param>
/// <param name="Note">A line under the heading, or null.</param>
/// <param name="Columns">The column names.</param>
/// <param name="Rows">The rows, each with one cell per column.</param>
public sealed record PageTable(string Id, string Heading, string? Note, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's type names).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);
}

/// <summary>
/// A self-contained HTML page of tables in the look of <see cref="HtmlReport"/> (its CSS and its self-check script), for
/// results over many runs: <c>nn cv --report</c> and <c>nn sweep merge --html</c>. A pure function of its input; it parses as XML.
/// </summary>
public static class TablePage
{
    /// <summary>The page: a header with <paramref name="title"/> and <paramref name="subtitle"/>, then one section per table. All text is escaped.</summary>
    public static string Render(string title, string subtitle, IReadOnlyList<PageTable> tables)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(subtitle);
        ArgumentNullException.ThrowIfNull(tables);
        var body = new StringBuilder();
        foreach (var t in tables)
        {
            body.Append("<section id=\"").Append(Markup.Escape(t.Id)).Append("\" class=\"wide\">\n<h2>").Append(Markup.Escape(t.Heading)).Append("</h2>\n");
            if (t.Note is not null) body.Append("<p class=\"note\">").Append(Markup.Escape(t.Note)).Append("</p>\n");
            body.Append("<table class=\"grid\">\n<tr>");
            foreach (var c in t.Columns) body.Append("<th>").Append(Markup.Escape(c)).Append("</th>");
            body.Append("</tr>\n");
            foreach (var row in t.Rows)
            {
                body.Append("<tr>");
                for (var i = 0; i < row.Count; i++)
                    body.Append(i == 0 ? "<th>" : "<td>").Append(Markup.Escape(row[i])).Append(i == 0 ? "</th>" : "</td>");
                body.Append("</tr>\n");
            }
            body.Append("</table>\n</section>\n");
        }
        return new StringBuilder()
            .Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append("<title>").Append(Markup.Escape(title)).Append("</title>\n<style>").Append(HtmlReport.Css)
            .Append("section.wide { grid-column: 1 / -1; overflow-x: auto; }\n</style>\n</head>\n")
            .Append("<body data-charts=\"0\">\n<header>\n<h1>").Append(Markup.Escape(title)).Append("</h1>\n<p class=\"sub\">")
            .Append(Markup.Escape(subtitle)).Append("</p>\n</header>\n<main>\n").Append(body)
            .Append("</main>\n<script>").Append(HtmlReport.Script).Append("</script>\n</body>\n</html>\n").ToString();
    }

    /// <summary>A number for a table cell: 4 significant decimals, or "–" for NaN (as the reports write metrics).</summary>
    public static string Number(double value) => Markup.Metric(value);

    /// <summary>"mean ± sd" for a table cell (the sd alone is "–" with one value).</summary>
    public static string MeanSd(MetricSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return $"{Markup.Metric(summary.Mean)} ± {Markup.Metric(summary.StandardDeviation)}";
    }

    /// <summary>An integer for a table cell.</summary>
    internal static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>The JSON form of a <see cref="GradientCheckReport"/>.</summary>
public static class GradientCheckJson
{
    /// <summary>
    /// The report as one JSON object (<c>nn gradcheck --json</c>): the verdict, the loss and tolerances, each tensor's errors
    /// and counts, each direction, and the inconclusive entries; a NaN or infinity is null.
    /// </summary>
    public static string Write(GradientCheckReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteBoolean("passed", report.Passed);
            w.WriteString("verdict", Name(report.Verdict));
            JsonNumber.Write(w, "loss", report.Loss);
            JsonNumber.Write(w, "epsilon", report.Options.Epsilon);
            JsonNumber.Write(w, "relative_tolerance", report.Options.RelativeTolerance);
            JsonNumber.Write(w, "absolute_tolerance", report.Options.AbsoluteTolerance);
            w.WriteStartArray("tensors");
            foreach (var t in report.Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteNumber("rows", t.Rows);
                w.WriteNumber("cols", t.Cols);
                JsonNumber.Write(w, "max_abs_error", t.MaxAbsoluteError);
                JsonNumber.Write(w, "max_rel_error", t.MaxRelativeError);
                w.WriteNumber("worst_row", t.WorstRow);
                w.WriteNumber("worst_col", t.WorstCol);
                JsonNumber.Write(w, "worst_numeric", t.WorstNumeric);
                JsonNumber.Write(w, "worst_analytic", t.WorstAnalytic);
                w.WriteNumber("kinks", t.Kinks);
                w.WriteNumber("moved", t.Moved);
                w.WriteNumber("inconclusive", t.Inconclusive);
                w.WriteNumber("failures", t.Failures);
                w.WriteBoolean("passed", t.Passed);
                w.WriteString("verdict", Name(t.Verdict));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("directions");
            foreach (var d in report.Directions)
            {
                w.WriteStartObject();
                JsonNumber.Write(w, "numeric", d.Numeric);
                JsonNumber.Write(w, "analytic", d.Analytic);
                w.WriteBoolean("kink", d.Kink);
                w.WriteBoolean("moved", d.Moved);
                w.WriteBoolean("passed", d.Passed);
                w.WriteString("verdict", Name(d.Verdict));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("inconclusive");
            foreach (var e in report.Inconclusive)
            {
                w.WriteStartObject();
                w.WriteString("tensor", e.Tensor);
                w.WriteNumber("row", e.Row);
                w.WriteNumber("col", e.Col);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The verdict's name in JSON and text: passed, failed or inconclusive.</summary>
    public static string Name(GradientVerdict verdict) => verdict switch
    {
        GradientVerdict.Passed => "passed",
        GradientVerdict.Failed => "failed",
        _ => "inconclusive",
    };
}

using System.Collections.Immutable;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>One named number of a run: a metric such as <c>accuracy</c> or <c>val_loss</c>.</summary>
/// <param name="Name">The name, as the <c>--json</c> outputs spell it.</param>
/// <param name="Value">The value (NaN when it is not a number).</param>
public sealed record MetricValue(string Name, double Value);

/// <summary>A metric over several runs (folds or seeds): its mean and sample standard deviation.</summary>
/// <param name="Name">The metric's name.</param>
/// <param name="Mean">The mean over the runs that have it (<see cref="SampleStatistics.Mean"/>).</param>
/// <param name="StandardDeviation">The sample standard deviation, n − 1 in the denominator (<see cref="SampleStatistics.StandardDeviation"/>); NaN for one run.</param>
/// <param name="Count">How many runs have the metric.</param>
public sealed record MetricSummary(string Name, double Mean, double StandardDeviation, int Count);

/// <summary>Metrics as flat lists of named numbers, and their mean ± standard deviation over runs.</summary>
public static class MetricValues
{
    /// <summary>
    /// The scalar metrics of an evaluation, named and ordered as in <see cref="EvalReport.ToJson"/> (without <c>n</c>, the
    /// per-class and confusion arrays; a <c>null</c> becomes NaN), each name after <paramref name="prefix"/>. A
    /// <see cref="EvalReport.NonFinite"/> report has none.
    /// </summary>
    public static ImmutableArray<MetricValue> Of(EvalReport report, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(report);
        using var json = JsonDocument.Parse(report.ToJson(indented: false));
        return [.. Scalars(json.RootElement, prefix)];
    }

    /// <summary>The top-level numbers (and nulls, as NaN) of a JSON object, except <c>n</c> and the fields that are not metrics.</summary>
    internal static IEnumerable<MetricValue> Scalars(JsonElement obj, string prefix)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Name is "n" or "non_finite_row") continue;
            if (p.Value.ValueKind == JsonValueKind.Number) yield return new MetricValue(prefix + p.Name, p.Value.GetDouble());
            else if (p.Value.ValueKind == JsonValueKind.Null) yield return new MetricValue(prefix + p.Name, double.NaN);
        }
    }

    /// <summary>
    /// Each metric's mean and sample standard deviation over <paramref name="runs"/>, in the order the names first
    /// appear; a run without a metric does not count for it.
    /// </summary>
    public static ImmutableArray<MetricSummary> Summarise(IEnumerable<IReadOnlyList<MetricValue>> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var order = new List<string>();
        var values = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var run in runs)
            foreach (var m in run)
            {
                if (!values.TryGetValue(m.Name, out var list)) { values[m.Name] = list = []; order.Add(m.Name); }
                list.Add(m.Value);
            }
        return [.. order.Select(name => new MetricSummary(name, SampleStatistics.Mean(values[name]), SampleStatistics.StandardDeviation(values[name]), values[name].Count))];
    }

    /// <summary>Writes <c>{"mean": …, "sd": …, "n": …}</c> for each summary under its name (NaN as null).</summary>
    internal static void Write(Utf8JsonWriter w, IEnumerable<MetricSummary> summaries)
    {
        foreach (var s in summaries)
        {
            w.WritePropertyName(s.Name);
            w.WriteStartObject();
            JsonNumber.Write(w, "mean", s.Mean);
            JsonNumber.Write(w, "sd", s.StandardDeviation);
            w.WriteNumber("n", s.Count);
            w.WriteEndObject();
        }
    }
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>One run of a merged sweep: its plan line and its metrics (empty when it has not finished).</summary>
/// <param name="Run">The plan line.</param>
/// <param name="Finished">True when its result file was there.</param>
/// <param name="Metrics">Its metrics (<see cref="SweepJob.Metrics"/>), in the result file's order.</param>
public sealed record SweepRow(SweepRun Run, bool Finished, ImmutableArray<MetricValue> Metrics)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Value equality, the metrics compared item by item.</summary>
    public bool Equals(SweepRow? other) => other is not null && Run == other.Run && Finished == other.Finished && Metrics.SequenceEqual(other.Metrics);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Run, Finished);
}

/// <summary>One grid point of a merged sweep: its values, the seeds that finished, and each metric's mean ± sample sd over them.</summary>
/// <param name="Grid">The grid values.</param>
/// <param name="Seeds">The seeds of its finished runs.</param>
/// <param name="Summary">Each metric's mean and sample standard deviation (n − 1) over those runs.</param>
public sealed record SweepPoint(ImmutableArray<GridValue> Grid, ImmutableArray<long> Seeds, ImmutableArray<MetricSummary> Summary)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Value equality, the arrays compared item by item.</summary>
    public bool Equals(SweepPoint? other) =>
        other is not null && Grid.SequenceEqual(other.Grid) && Seeds.SequenceEqual(other.Seeds) && Summary.SequenceEqual(other.Summary);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Grid.Length, Seeds.Length);
}

/// <summary>A sweep's results in one table (<c>nn sweep merge</c>): one row per run, and one summary per grid point.</summary>
/// <param name="Keys">The grid's keys, in order.</param>
/// <param name="Rows">One row per plan line, in index order.</param>
/// <param name="Points">One per grid point, in the order of their first run.</param>
public sealed record SweepTable(ImmutableArray<string> Keys, ImmutableArray<SweepRow> Rows, ImmutableArray<SweepPoint> Points)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The metric names, in the order they first appear.</summary>
    public ImmutableArray<string> MetricNames => [.. Rows.SelectMany(r => r.Metrics).Select(m => m.Name).Distinct(StringComparer.Ordinal)];

    /// <summary>The indices of the runs that have not finished.</summary>
    public ImmutableArray<int> Missing => [.. Rows.Where(r => !r.Finished).Select(r => r.Run.Index)];

    /// <summary>Value equality, the arrays compared item by item.</summary>
    public bool Equals(SweepTable? other) =>
        other is not null && Keys.SequenceEqual(other.Keys) && Rows.SequenceEqual(other.Rows) && Points.SequenceEqual(other.Points);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Keys.Length, Rows.Length);

    /// <summary>
    /// One JSON object: <c>runs</c> (per run: <c>index, seed, grid, folder, finished, metrics</c>), <c>points</c> (per grid
    /// point: <c>grid, seeds, summary</c> with each metric's <c>mean, sd, n</c>; sd is the sample standard deviation, n − 1),
    /// and <c>missing</c> (the unfinished runs' indices); NaN as null.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("runs");
            foreach (var r in Rows)
            {
                w.WriteStartObject();
                w.WriteNumber("index", r.Run.Index);
                w.WriteNumber("seed", r.Run.Seed);
                WriteGrid(w, r.Run.Grid);
                w.WriteString("folder", r.Run.Folder);
                w.WriteBoolean("finished", r.Finished);
                w.WriteStartObject("metrics");
                foreach (var m in r.Metrics) JsonNumber.Write(w, m.Name, m.Value);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("sd", "sample standard deviation (n - 1) over the seeds");
            w.WriteStartArray("points");
            foreach (var p in Points)
            {
                w.WriteStartObject();
                WriteGrid(w, p.Grid);
                w.WriteStartArray("seeds");
                foreach (var s in p.Seeds) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartObject("summary");
                MetricValues.Write(w, p.Summary);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("missing");
            foreach (var i in Missing) w.WriteNumberValue(i);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteGrid(Utf8JsonWriter w, ImmutableArray<GridValue> grid)
    {
        w.WriteStartObject("grid");
        foreach (var g in grid) w.WriteString(g.Key, g.Value);
        w.WriteEndObject();
    }

    /// <summary>The per-grid-point table: the grid values, the seeds, then each metric's mean ± sd.</summary>
    public PageTable PointTable() => new("points", "Mean ± sample standard deviation over seeds, per grid point",
        "Each cell is the mean ± the sample standard deviation (n − 1) over the grid point's finished seeds.",
        ["point", .. Keys, "seeds", .. MetricNames],
        [.. Points.Select((p, i) => (IReadOnlyList<string>)[TablePage.Int(i + 1), .. p.Grid.Select(g => g.Value), TablePage.Int(p.Seeds.Length),
            .. MetricNames.Select(n => p.Summary.FirstOrDefault(s => s.Name == n) is { } s ? TablePage.MeanSd(s) : "–")])]);

    /// <summary>The per-run table: index, the grid values, the seed, then every metric ("not finished" for a missing run).</summary>
    public PageTable RunTable() => new("runs", "Runs", "One row per line of the plan.",
        ["run", .. Keys, "seed", .. MetricNames],
        [.. Rows.Select(r =>
        {
            var values = r.Metrics.ToDictionary(m => m.Name, m => m.Value, StringComparer.Ordinal);
            return (IReadOnlyList<string>)[TablePage.Int(r.Run.Index), .. r.Run.Grid.Select(g => g.Value), r.Run.Seed.ToString(CultureInfo.InvariantCulture),
                .. MetricNames.Select(n => !r.Finished ? "not finished" : values.TryGetValue(n, out var v) ? TablePage.Number(v) : "–")];
        })]);

    /// <summary>The HTML page (<c>nn sweep merge --html</c>): the grid-point summary, then every run.</summary>
    public string ToHtml(string planPath) => TablePage.Render("nn sweep report",
        string.Create(CultureInfo.InvariantCulture, $"{planPath} · {Rows.Length} runs, {Points.Length} grid points, {Rows.Length - Missing.Length} finished"),
        [PointTable(), RunTable()]);
}

/// <summary>Collects a sweep's result files into a <see cref="SweepTable"/>.</summary>
public static class SweepMerge
{
    /// <summary>Reads each run's result file (a run without one is listed as not finished) and summarises each grid point over its seeds.</summary>
    /// <exception cref="DataFileException">When a result file is not one that <c>nn sweep run</c> writes.</exception>
    public static SweepTable Collect(IReadOnlyList<SweepRun> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var rows = plan.Select(run => SweepJob.IsFinished(run) ? new SweepRow(run, true, ReadMetrics(run.ResultPath)) : new SweepRow(run, false, [])).ToList();
        var points = new List<SweepPoint>();
        foreach (var group in rows.GroupBy(r => r.Run.GridText, StringComparer.Ordinal))
        {
            var done = group.Where(r => r.Finished).ToList();
            points.Add(new SweepPoint(group.First().Run.Grid, [.. done.Select(r => r.Run.Seed)], MetricValues.Summarise(done.Select(r => (IReadOnlyList<MetricValue>)r.Metrics))));
        }
        ImmutableArray<string> keys = plan.Count == 0 ? [] : [.. plan[0].Grid.Select(g => g.Key)];
        return new SweepTable(keys, [.. rows], [.. points]);
    }

    private static ImmutableArray<MetricValue> ReadMetrics(string path)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return [.. MetricValues.Scalars(json.RootElement.GetProperty("metrics"), "")];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DataFileException(path, 0, 0, "expected a result file as nn sweep run writes it (a JSON object with \"metrics\").");
        }
    }
}

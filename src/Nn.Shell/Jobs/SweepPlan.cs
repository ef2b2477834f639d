using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Nn.Shell;

/// <summary>One grid setting of a sweep run: a train flag's name without <c>--</c> and its value as text.</summary>
/// <param name="Key">The flag's name, e.g. <c>lr</c>.</param>
/// <param name="Value">Its value, e.g. <c>0.01</c>.</param>
public sealed record GridValue(string Key, string Value);

/// <summary>
/// One line of a sweep plan: a run's index, the exact <c>nn train</c> argument list (starting with <c>train</c>), its output
/// folder (which holds <see cref="ModelPath"/> and, once finished, <see cref="ResultPath"/>), its grid values and seed.
/// </summary>
/// <param name="Index">The run's 0-based index: its line in the plan.</param>
/// <param name="Args">The <c>nn</c> arguments: <c>train</c>, the base flags, the grid flags, <c>--seed S</c> and <c>--out</c> <see cref="ModelPath"/>.</param>
/// <param name="Folder">The run's output folder (absolute).</param>
/// <param name="Grid">The grid values of this run, in the grid's key order.</param>
/// <param name="Seed">The run's seed.</param>
public sealed record SweepRun(int Index, ImmutableArray<string> Args, string Folder, ImmutableArray<GridValue> Grid, long Seed)
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The run's model file: <c>model.safetensors</c> in its folder.</summary>
    public string ModelPath => Path.Combine(Folder, "model.safetensors");

    /// <summary>The run's result file, written last (so its presence means the run finished): <c>result.json</c> in its folder.</summary>
    public string ResultPath => Path.Combine(Folder, "result.json");

    /// <summary>The grid point as text, e.g. <c>lr=0.1 layers=32</c> (empty for a seeds-only sweep).</summary>
    public string GridText => string.Join(" ", Grid.Select(g => $"{g.Key}={g.Value}"));

    /// <summary>Value equality, the arrays compared item by item.</summary>
    public bool Equals(SweepRun? other) =>
        other is not null && Index == other.Index && Folder == other.Folder && Seed == other.Seed && Args.SequenceEqual(other.Args) && Grid.SequenceEqual(other.Grid);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Index, Folder, Seed);
}

/// <summary>
/// The plan file of <c>nn sweep</c>: JSON lines, one object per run, line i + 1 holding run i:
/// <c>{"index":0,"folder":"/abs/out/run-0000","seed":0,"grid":{"lr":"0.1"},"args":["train","--data","/abs/d.csv",…]}</c>.
/// </summary>
public static class SweepPlanFile
{
    /// <summary>The plan file's name in the sweep's folder.</summary>
    public const string FileName = "plan.jsonl";

    /// <summary>Run <paramref name="index"/>'s folder name: <c>run-0000</c>, <c>run-0001</c>, ….</summary>
    public static string FolderName(int index) => $"run-{index:D4}";

    /// <summary>One run as its line (without the line break).</summary>
    public static string ToLine(SweepRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("index", run.Index);
            w.WriteString("folder", run.Folder);
            w.WriteNumber("seed", run.Seed);
            w.WriteStartObject("grid");
            foreach (var g in run.Grid) w.WriteString(g.Key, g.Value);
            w.WriteEndObject();
            w.WriteStartArray("args");
            foreach (var a in run.Args) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the plan atomically.</summary>
    public static void Write(string path, IEnumerable<SweepRun> runs) =>
        AtomicFile.WriteAllText(path, string.Concat(runs.Select(r => ToLine(r) + "\n")));

    /// <summary>Reads a plan, checking that line i + 1 is run i with every field present.</summary>
    /// <exception cref="DataFileException">Naming the file and line of the first bad line (or a file without runs).</exception>
    public static ImmutableArray<SweepRun> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var runs = new List<SweepRun>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0 && i == lines.Length - 1) break;
            runs.Add(Parse(path, i + 1, lines[i], runs.Count));
        }
        if (runs.Count == 0) throw new DataFileException(path, 1, 1, "expected a sweep plan with at least one run (one JSON object per line, as nn sweep plan writes).");
        return [.. runs];
    }

    private static SweepRun Parse(string path, int line, string text, int expectedIndex)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            var o = json.RootElement;
            var index = o.GetProperty("index").GetInt32();
            if (index != expectedIndex) throw new DataFileException(path, line, 1, $"expected run index {expectedIndex} on line {line}, got {index}.");
            var folder = o.GetProperty("folder").GetString() ?? throw new FormatException("folder is null");
            var seed = o.GetProperty("seed").GetInt64();
            ImmutableArray<GridValue> grid = [.. o.GetProperty("grid").EnumerateObject().Select(p => new GridValue(p.Name, p.Value.GetString() ?? ""))];
            ImmutableArray<string> args = [.. o.GetProperty("args").EnumerateArray().Select(a => a.GetString() ?? "")];
            if (args.IsEmpty || args[0] != "train") throw new DataFileException(path, line, 1, "expected \"args\" to start with \"train\".");
            return new SweepRun(index, args, folder, grid, seed);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataFileException(path, line, 1, $"expected one JSON object with index, folder, seed, grid and args, as nn sweep plan writes ({e.Message.Split('\n')[0].TrimEnd('.')}).");
        }
    }
}

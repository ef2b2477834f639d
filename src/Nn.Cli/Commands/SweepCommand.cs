using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Nn.Shell;

namespace Nn.Cli;

/// <summary>
/// <c>nn sweep plan | run | merge</c>: a grid over <c>nn train</c> flags and seeds written as a plan (one line per run), run
/// locally on N workers or one line at a time (a Slurm job array, a Kubernetes indexed Job), and merged into one table.
/// </summary>
internal static class SweepCommand
{
    internal static readonly Option<string> GridOpt = new("--grid") { Description = "Space-separated KEY=VALUES, KEY an nn train flag without '--' (lr, layers, epochs, batch-size, optimizer, activation, l2, dropout, …); VALUES separated by ',' or, when a value holds commas (layers=32;64,32), by ';'.", DefaultValueFactory = _ => "" };
    internal static readonly Option<int> Seeds = Flags.Whole("--seeds", "Runs per grid point, with seeds 0 … N−1.", 1);
    internal static readonly Option<string> PlanOut = new("--out") { Description = "The sweep's folder: the plan (plan.jsonl) and one folder per run (run-0000, …); created if missing.", Required = true };
    internal static readonly Option<string> PlanFile = new("--plan") { Description = "The plan file that nn sweep plan wrote.", Required = true };
    internal static readonly Option<int> Workers = Flags.Whole("--workers", "Runs trained at the same time.", 1);
    internal static readonly Option<int?> Index = new("--index") { Description = "Run only this line of the plan (0-based), e.g. $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX." };
    internal static readonly Option<string?> Html = new("--html") { Description = "Write the merged tables as an HTML page." };
    internal static readonly Option<string?> JsonOut = new("--json") { Description = "Write the merged results as JSON." };

    /// <summary>Train flags that the sweep sets per run, or that write files of their own: not allowed as base flags or grid keys.</summary>
    private static readonly string[] Reserved = ["out", "seed", "checkpoint", "resume", "history", "report", "json", "quiet", "help"];

    /// <summary>Input path flags, made absolute in the plan so a run finds its files from any working folder.</summary>
    private static readonly string[] PathFlags = ["--data", "--labels", "--test-data"];

    /// <summary>Grid keys whose single values may hold commas: their values are separated by ';' only.</summary>
    private static readonly string[] CommaValued = ["layers", "target", "class-weight"];

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var plan = new Command("plan", "Write a plan: one nn train run per grid point and seed. Takes every nn train flag as a base flag (--data, --epochs, --test-fraction, …) except --out, --seed, --checkpoint, --resume, --history, --report, --json, --quiet.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var o in new Option[] { GridOpt, Seeds, PlanOut }) plan.Add(o);
        plan.SetAction(parse => ExecutePlan(parse, console, cancellationToken));

        var run = new Command("run", "Run a plan's unfinished runs (--workers at a time), or only line --index; a run whose folder holds result.json is skipped.");
        foreach (var o in new Option[] { PlanFile, Workers, Index }) run.Add(o);
        run.SetAction(parse => ExecuteRun(parse, console, cancellationToken));

        var merge = new Command("merge", "Collect a plan's results: one row per run and mean ± sample sd over the seeds of each grid point.");
        foreach (var o in new Option[] { PlanFile, Html, JsonOut }) merge.Add(o);
        merge.SetAction(parse => ExecuteMerge(parse, console));

        return new Command("sweep", "Sweep nn train flags over a grid and seeds: plan, run (locally or one line per cluster task), merge.") { plan, run, merge };
    }

    /// <summary>A grid key and its values as text.</summary>
    internal sealed record GridKey(string Key, ImmutableArray<string> Values);

    /// <summary>Parses <c>--grid</c>: keys must be train flags (not <see cref="Reserved"/>), each once, each with at least one non-empty value.</summary>
    internal static ImmutableArray<GridKey> ParseGrid(string text, IReadOnlySet<string> trainFlags)
    {
        var keys = new List<GridKey>();
        foreach (var item in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"--grid: expected KEY=VALUES (e.g. lr=0.1,0.01), got '{item}'.");
            var key = item[..eq].TrimStart('-');
            if (!trainFlags.Contains("--" + key)) throw new ArgumentException($"--grid: '{key}' is not a flag of nn train.");
            if (Reserved.Contains(key) || key is "data" or "labels")
                throw new ArgumentException($"--grid: '{key}' cannot vary in a sweep ({(key == "seed" ? "use --seeds" : "the sweep sets it, or it names a file")}).");
            if (keys.Any(k => k.Key == key)) throw new ArgumentException($"--grid: '{key}' appears twice.");
            var rest = item[(eq + 1)..];
            var values = rest.Contains(';', StringComparison.Ordinal) || CommaValued.Contains(key) ? rest.Split(';') : rest.Split(',');
            if (values.Any(v => v.Length == 0)) throw new ArgumentException($"--grid: '{item}' has an empty value.");
            keys.Add(new GridKey(key, [.. values]));
        }
        return [.. keys];
    }

    /// <summary>Every grid point (the first key varying slowest), each as its values in key order; one empty point for no keys.</summary>
    internal static List<ImmutableArray<GridValue>> Points(IReadOnlyList<GridKey> grid)
    {
        var points = new List<ImmutableArray<GridValue>> { ImmutableArray<GridValue>.Empty };
        foreach (var k in grid)
            points = [.. points.SelectMany(p => k.Values.Select(v => p.Add(new GridValue(k.Key, v))))];
        return points;
    }

    private static int ExecutePlan(ParseResult parse, CliConsole console, CancellationToken cancellationToken)
    {
        var folder = parse.GetValue(PlanOut)!;
        var seeds = parse.GetValue(Seeds);
        if (seeds < 1) throw new ArgumentException($"--seeds: expected at least 1, got {seeds}.");
        var baseFlags = Absolute(parse.UnmatchedTokens);
        var baseParse = TrainArgs.Parse([.. baseFlags, "--out", "base.safetensors"], "sweep plan");
        TrainArgs.Refuse(baseParse, "sweep plan", "the sweep sets it per run; use --seeds", TrainCommand.Seed);
        TrainArgs.Refuse(baseParse, "sweep plan", "each run writes its model and result.json to its own folder", TrainCommand.Checkpoint, TrainCommand.Resume, TrainCommand.HistoryFile, TrainCommand.Report, TrainCommand.Json, TrainCommand.Quiet);
        var baseSettings = TrainCommand.Settings(baseParse);
        var trainFlags = baseParse.CommandResult.Command.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var grid = ParseGrid(parse.GetValue(GridOpt)!, trainFlags);
        foreach (var k in grid)
            if (TrainArgs.Given(baseParse, baseParse.CommandResult.Command.Options.First(o => o.Name == "--" + k.Key)))
                throw new ArgumentException($"--grid: '{k.Key}' is also given as a base flag; give it in one place.");
        if (File.Exists(folder)) throw new ArgumentException($"--out: {folder} is a file; expected a folder for the sweep.");
        var planPath = Path.Combine(folder, SweepPlanFile.FileName);
        if (File.Exists(planPath)) throw new ArgumentException($"--out: {folder} already holds a plan ({SweepPlanFile.FileName}); choose another folder, or delete it to plan again.");
        OutputPaths.Check([new(TrainCommand.Data.Name, baseSettings.DataPath), new(TrainCommand.LabelsFile.Name, baseSettings.LabelsPath), new(TrainCommand.TestData.Name, baseSettings.TestDataPath)], []);

        // Every run's arguments, parsed and checked (with the data) as nn train would, before anything is written.
        var root = Path.GetFullPath(folder);
        var work = new List<SweepWork>();
        foreach (var point in Points(grid))
            for (var s = 0; s < seeds; s++)
            {
                var index = work.Count;
                var runFolder = Path.Combine(root, SweepPlanFile.FolderName(index));
                var run = new SweepRun(index, [], runFolder, point, s);
                ImmutableArray<string> args = ["train", .. baseFlags, .. point.SelectMany(g => new[] { "--" + g.Key, g.Value }),
                    "--seed", s.ToString(CultureInfo.InvariantCulture), "--out", run.ModelPath];
                run = run with { Args = args };
                TrainSettings settings;
                try { settings = TrainCommand.Settings(TrainArgs.Parse(args[1..], "train")); }
                catch (ArgumentException e) { throw new ArgumentException(point.IsEmpty ? e.Message : $"--grid {run.GridText}: {e.Message}"); }
                work.Add(new SweepWork(run, settings));
            }
        SweepJob.Check([.. work.Where(w => w.Run.Seed == 0)]);
        CliApp.StopIfCancelled(cancellationToken);

        var created = !Directory.Exists(folder);
        try
        {
            Directory.CreateDirectory(folder);
            OutputPaths.Check([new(TrainCommand.Data.Name, baseSettings.DataPath), new(TrainCommand.LabelsFile.Name, baseSettings.LabelsPath)], [new(PlanOut.Name, planPath)]);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            if (created && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            if (e is ArgumentException) throw;
            throw new ArgumentException($"--out: cannot create the folder {folder} ({e.Message}).");
        }
        SweepPlanFile.Write(planPath, work.Select(w => w.Run));
        var points = work.Count / seeds;
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {work.Count} runs ({points} grid point{(points == 1 ? "" : "s")} × {seeds} seed{(seeds == 1 ? "" : "s")}) to {planPath}."));
        console.Out.WriteLine($"Run them with: nn sweep run --plan {planPath} --workers 4   (or one line per task: --index I)");
        return 0;
    }

    /// <summary>The base flags with the input paths (<see cref="PathFlags"/>) made absolute.</summary>
    private static string[] Absolute(IReadOnlyList<string> tokens)
    {
        var result = tokens.ToArray();
        for (var i = 0; i < result.Length; i++)
        {
            if (PathFlags.Contains(result[i]) && i + 1 < result.Length && result[i + 1].Length > 0) result[i + 1] = Path.GetFullPath(result[i + 1]);
            // The joined spellings --data=x and --data:x.
            foreach (var flag in PathFlags)
                if (result[i].Length > flag.Length + 1 && result[i].StartsWith(flag, StringComparison.Ordinal) && result[i][flag.Length] is '=' or ':')
                    result[i] = result[i][..(flag.Length + 1)] + Path.GetFullPath(result[i][(flag.Length + 1)..]);
        }
        return result;
    }

    /// <summary>Reads the plan and parses each needed line's arguments with the train parser (a bad line is refused before any run).</summary>
    private static List<SweepWork> Load(string planPath, ImmutableArray<SweepRun> runs)
    {
        var work = new List<SweepWork>(runs.Length);
        foreach (var run in runs)
        {
            try { work.Add(new SweepWork(run, TrainCommand.Settings(TrainArgs.Parse(run.Args[1..], "train")))); }
            catch (ArgumentException e) { throw new DataFileException(planPath, run.Index + 1, 1, $"expected nn train arguments that parse: {e.Message}"); }
        }
        return work;
    }

    private static int ExecuteRun(ParseResult parse, CliConsole console, CancellationToken cancellationToken)
    {
        var planPath = parse.GetValue(PlanFile)!;
        var workers = Flags.AtLeastOne(parse.GetValue(Workers), Workers.Name);
        OutputPaths.Check([new(PlanFile.Name, planPath)], []);
        var runs = SweepPlanFile.Read(planPath);
        var total = runs.Length;
        if (parse.GetValue(Index) is { } index)
        {
            if (index < 0 || index >= runs.Length)
                throw new ArgumentException($"--index: expected 0 … {runs.Length - 1} for the {runs.Length} runs of {planPath}, got {index}.");
            runs = [runs[index]];
        }
        var work = Load(planPath, runs);
        var outcomes = SweepJob.Run(work, workers, o => Report(o, total, console), cancellationToken);
        var finished = outcomes.Count(o => o is SweepRunOutcome.Finished);
        var skipped = outcomes.Count(o => o is SweepRunOutcome.Skipped);
        var failed = outcomes.Count(o => o is SweepRunOutcome.Failed);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outcomes.Length} run{(outcomes.Length == 1 ? "" : "s")}: {finished} finished now, {skipped} skipped (already finished), {failed} failed."));
        if (failed > 0)
        {
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nn: {failed} run{(failed == 1 ? "" : "s")} failed; run the same command again to retry {(failed == 1 ? "it" : "them")} (finished runs are skipped)."));
            return 1;
        }
        return 0;
    }

    private static void Report(SweepRunOutcome outcome, int total, CliConsole console)
    {
        var run = outcome.Run;
        var what = (run.Grid.IsEmpty ? "" : run.GridText + " ") + $"seed {run.Seed.ToString(CultureInfo.InvariantCulture)}";
        var at = string.Create(CultureInfo.InvariantCulture, $"run {run.Index}/{total - 1} ({what})");
        switch (outcome)
        {
            case SweepRunOutcome.Finished f:
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{at}: finished in {f.Seconds:F2} s → {run.Folder}"));
                break;
            case SweepRunOutcome.Skipped:
                console.Out.WriteLine($"{at}: already finished, skipped.");
                break;
            case SweepRunOutcome.Failed e:
                console.Error.WriteLine($"nn: {at} failed: {e.Message}");
                break;
            default:
                throw new InvalidOperationException("Unknown sweep run outcome.");
        }
    }

    /// <summary>The metrics the text table shows (the HTML page and the JSON have them all).</summary>
    private static readonly string[] Headline = ["best_epoch", "val_loss", "val_accuracy", "val_r2", "test_accuracy", "test_f1_macro", "test_log_loss", "test_r2", "test_rmse"];

    private static int ExecuteMerge(ParseResult parse, CliConsole console)
    {
        var planPath = parse.GetValue(PlanFile)!;
        var html = parse.GetValue(Html);
        var json = parse.GetValue(JsonOut);
        OutputPaths.Check([new(PlanFile.Name, planPath)], [new(Html.Name, html), new(JsonOut.Name, json)]);
        var table = SweepMerge.Collect(SweepPlanFile.Read(planPath));
        if (html is not null) AtomicFile.WriteAllText(html, table.ToHtml(planPath));
        if (json is not null) AtomicFile.WriteAllText(json, table.ToJson());
        var shown = table.MetricNames.Where(n => Headline.Contains(n)).ToList();
        WriteGrid(table.PointTable(), shown, console, columnsBefore: 2 + table.Keys.Length);
        WriteGrid(table.RunTable(), shown, console, columnsBefore: 2 + table.Keys.Length);
        if (shown.Count < table.MetricNames.Length) console.Out.WriteLine("(every metric: --json or --html)");
        if (!table.Missing.IsEmpty)
            console.Error.WriteLine($"nn: note: {table.Missing.Length} of {table.Rows.Length} runs have not finished ({string.Join(", ", table.Missing.Take(10))}{(table.Missing.Length > 10 ? ", …" : "")}); they are left out of the means.");
        return 0;
    }

    /// <summary>A page table as text, with only the <paramref name="shown"/> metric columns after the first <paramref name="columnsBefore"/>.</summary>
    private static void WriteGrid(PageTable t, List<string> shown, CliConsole console, int columnsBefore)
    {
        var keep = Enumerable.Range(0, t.Columns.Count).Where(i => i < columnsBefore || shown.Contains(t.Columns[i])).ToArray();
        Tables.WriteGrid(t.Heading, [.. keep.Select(i => t.Columns[i])], [.. t.Rows.Select(r => keep.Select(i => r[i]).ToArray())], console);
    }
}

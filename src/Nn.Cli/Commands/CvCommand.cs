using System.CommandLine;
using System.Globalization;
using Nn.Shell;

namespace Nn.Cli;

/// <summary>
/// <c>nn cv</c>: K-fold cross-validation of one set of <c>nn train</c> flags. Its own flags are below; every other token
/// is a train flag, parsed by the train command's parser (<see cref="TrainArgs"/>).
/// </summary>
internal static class CvCommand
{
    internal static readonly Option<int> FoldCount = Flags.Whole("--folds", "The number of folds K (at least 2; stratified by class for classification, plain shuffled folds for regression).", 5);
    internal static readonly Option<string?> Out = new("--out") { Description = "A folder for the per-fold models (fold-1.safetensors, …); created if missing." };
    internal static readonly Option<string?> Report = new("--report") { Description = "Write an HTML page with the per-fold table and mean ± sd of every metric." };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object (and nothing else on stdout); NaN and infinities as null." };
    internal static readonly Option<bool> Quiet = new("--quiet") { Description = "No per-fold progress lines." };

    /// <summary>The placeholder model path handed to the train parser (which requires --out); each fold's model is written (if at all) under cv's own --out.</summary>
    private const string NoModel = "nn-cv-fold.safetensors";

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("cv", "Cross-validate nn train's settings: K folds from the seed (stratified for classification), each trained on the others and scored, with mean ± sample sd of every metric. Takes every nn train flag (--data, --layers, --lr, --seed, …) except --out, --test-data, --test-fraction, --checkpoint, --resume, --history.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var o in new Option[] { FoldCount, Out, Report, Json, Quiet }) command.Add(o);
        command.SetAction(parse => Execute(parse, console, cancellationToken));
        return command;
    }

    private static int Execute(ParseResult parse, CliConsole console, CancellationToken cancellationToken)
    {
        var train = TrainArgs.Parse([.. parse.UnmatchedTokens, "--out", NoModel], "cv");
        TrainArgs.Refuse(train, "cv", "each fold's own rows are its test data", TrainCommand.TestData, TrainCommand.TestFraction);
        TrainArgs.Refuse(train, "cv", "folds are trained from the start", TrainCommand.Checkpoint, TrainCommand.Resume, TrainCommand.HistoryFile);
        var settings = TrainCommand.Settings(train);
        var k = parse.GetValue(FoldCount);
        if (k < 2) throw new ArgumentException($"--folds: expected at least 2, got {k}.");
        var folder = parse.GetValue(Out);
        var report = parse.GetValue(Report);
        if (folder is not null && File.Exists(folder)) throw new ArgumentException($"--out: {folder} is a file; expected a folder for the per-fold models.");
        OutputPaths.Check([new(TrainCommand.Data.Name, settings.DataPath), new(TrainCommand.LabelsFile.Name, settings.LabelsPath)], [new(Report.Name, report)]);
        var plan = CvJob.Plan(settings, k);
        CheckModelFolder(folder, settings, report, k);
        CliApp.StopIfCancelled(cancellationToken);

        var json = parse.GetValue(Json);
        var quiet = parse.GetValue(Quiet) || json;
        if (!quiet)
        {
            var kind = plan.Settings.Fit.Task == TaskKind.Classification ? "stratified" : "shuffled";
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"target '{plan.Data.TargetName}': {TaskKinds.Name(plan.Settings.Fit.Task ?? TaskKind.Regression)}; {k} {kind} folds of {plan.Data.Count} rows (seed {plan.Settings.Fit.Seed})"));
        }
        var outcome = CvJob.Run(plan, folder, quiet ? null : r => console.Out.WriteLine(FoldLine(r, k)), cancellationToken);
        if (report is not null) AtomicFile.WriteAllText(report, CvReport.Render(outcome));
        if (json) console.Out.WriteLine(outcome.ToJson());
        else if (!parse.GetValue(Quiet)) WriteTables(outcome, console);
        foreach (var note in outcome.Notes) console.Error.WriteLine($"nn: note: {note}");
        return 0;
    }

    /// <summary>Creates the models folder if missing, and checks each fold's model file there like any output (removing a folder it created if that fails).</summary>
    private static void CheckModelFolder(string? folder, TrainSettings settings, string? report, int k)
    {
        if (folder is null) return;
        var created = !Directory.Exists(folder);
        try
        {
            Directory.CreateDirectory(folder);
            OutputPaths.Check([new(TrainCommand.Data.Name, settings.DataPath), new(TrainCommand.LabelsFile.Name, settings.LabelsPath)],
                [new(Report.Name, report), .. Enumerable.Range(1, k).Select(i => new FileArgument(Out.Name, Path.Combine(folder, CvJob.ModelFileName(i))))]);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            if (created && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            if (e is ArgumentException) throw;
            throw new ArgumentException($"--out: cannot create the folder {folder} ({e.Message}).");
        }
    }

    /// <summary>A fold's progress line: its rows, epochs and headline metrics.</summary>
    internal static string FoldLine(CvFoldResult r, int k)
    {
        var metrics = r.Metrics.Where(m => m.Name is "accuracy" or "f1_macro" or "log_loss" or "r2" or "rmse")
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"  {m.Name} {m.Value:F4}"));
        return string.Create(CultureInfo.InvariantCulture, $"fold {r.Fold}/{k}: {r.TrainRows} training rows, {r.TestRows} test rows, {r.Epochs} epochs (model from epoch {r.BestEpoch})") + string.Concat(metrics);
    }

    /// <summary>One table: a row per metric, a column per fold, then the mean and the sample standard deviation.</summary>
    private static void WriteTables(CvOutcome outcome, CliConsole console)
    {
        var k = outcome.Folds.K;
        string[] header = ["metric", .. Enumerable.Range(1, k).Select(i => $"fold {i}"), "mean", "sd"];
        var rows = new List<string[]>
        {
            Counts("test rows", r => r.TestRows),
            Counts("epochs", r => r.Epochs),
            Counts("best epoch", r => r.BestEpoch),
        };
        foreach (var s in outcome.Summary)
            rows.Add([s.Name, .. outcome.Results.Select(r => r.Metrics.FirstOrDefault(m => m.Name == s.Name) is { } m ? TablePage.Number(m.Value) : "–"),
                TablePage.Number(s.Mean), TablePage.Number(s.StandardDeviation)]);
        Tables.WriteGrid($"Cross-validation, {k} folds (sd: sample standard deviation, n − 1)", header, rows, console);

        string[] Counts(string name, Func<CvFoldResult, int> of)
        {
            var values = outcome.Results.Select(r => (double)of(r)).ToList();
            return [name, .. outcome.Results.Select(r => of(r).ToString(CultureInfo.InvariantCulture)),
                TablePage.Number(SampleStatistics.Mean(values)), TablePage.Number(SampleStatistics.StandardDeviation(values))];
        }
    }
}

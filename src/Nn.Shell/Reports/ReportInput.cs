using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>Everything an HTML report shows. Each part is optional except the model; the report has a section per part present.</summary>
/// <param name="Title">The page heading, e.g. "nn train report".</param>
/// <param name="Model">The model: its architecture, labels, feature names and training settings (with the seed).</param>
/// <param name="History">The training history (loss and validation metric per epoch), or null for an evaluation.</param>
/// <param name="Evaluation">Metrics on labelled data (confusion matrix, reliability diagram), or null.</param>
/// <param name="Data">Data points for the decision regions (2-feature classification) or predicted vs actual (regression), or null.</param>
/// <param name="DataName">What <paramref name="Data"/> and <paramref name="Evaluation"/> describe, e.g. "test.csv".</param>
public sealed record ReportInput(string Title, Model Model, History? History, EvalReport? Evaluation, LoadedData? Data, string DataName);

/// <summary>Builds <see cref="ReportInput"/>s for the <c>nn train</c> and <c>nn eval</c> jobs and writes the report.</summary>
public static class ReportJob
{
    /// <summary>
    /// The report of a training run: its history, the test metrics when <c>--test-data</c> or <c>--test-fraction</c> was
    /// given, and as data points the test data or test split (or else the training data, re-read from <see cref="TrainSettings.DataPath"/>).
    /// </summary>
    /// <exception cref="DataFileException">When the data can no longer be read.</exception>
    public static ReportInput ForTraining(TrainSettings settings, TrainOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(outcome);
        var info = outcome.Model.Info;
        var path = settings.TestDataPath ?? settings.DataPath;
        var labels = settings.TestDataPath is null ? settings.LabelsPath : null;
        var data = info.TargetNames.IsDefaultOrEmpty
            ? DataSource.ForModel(path, labels, info.FeatureNames, info.TargetName, requireTarget: false)
            : DataSource.ForModelTargets(path, info.FeatureNames, info.TargetNames, requireTarget: true);
        if (!outcome.TestRows.IsEmpty)
            return new ReportInput("nn train report", outcome.Model, outcome.Result.History, outcome.Test, data.WithRows(outcome.TestRows),
                $"{Path.GetFileName(path)} (test split, {outcome.TestRows.Length} rows)");
        var name = Path.GetFileName(path) + (settings.TestDataPath is null ? " (training data)" : " (test data)");
        return new ReportInput("nn train report", outcome.Model, outcome.Result.History, outcome.Test, data, name);
    }

    /// <summary>The report of an evaluation: the metrics and the evaluated data points.</summary>
    public static ReportInput ForEvaluation(Model model, LoadedData data, EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new ReportInput("nn eval report", model, null, report, data, Path.GetFileName(data.Source));
    }

    /// <summary>Renders <paramref name="input"/> (see <see cref="HtmlReport.Render"/>) and writes it to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ReportInput input) => AtomicFile.WriteAllText(path, HtmlReport.Render(input));

    /// <summary>The class index of each target cell (−1 for a missing or unknown label), or empty without targets.</summary>
    internal static ImmutableArray<int> TrueClasses(ModelInfo info, LoadedData data)
    {
        if (!data.HasTarget) return [];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < info.Labels.Length; i++) index.TryAdd(info.Labels[i], i);
        try
        {
            return TargetEncoding.EncodeWith(data.TargetCells, info.Labels).ClassIndices;
        }
        catch (FormatException)
        {
            return [.. data.TargetCells.Select(c => index.TryGetValue(c, out var i) ? i : -1)];
        }
    }
}

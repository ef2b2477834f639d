using System.Globalization;

namespace Nn.Shell;

/// <summary>The tables of a cross-validation (<c>nn cv</c>'s text output and <c>--report</c> page): per fold, and mean ± sd.</summary>
public static class CvReport
{
    /// <summary>One row per fold: fold, train rows, test rows, epochs, best epoch, then every scalar test metric.</summary>
    public static PageTable PerFold(CvOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var names = outcome.Summary.Select(s => s.Name).ToList();
        var rows = outcome.Results.Select(r =>
        {
            var values = r.Metrics.ToDictionary(m => m.Name, m => m.Value, StringComparer.Ordinal);
            return (IReadOnlyList<string>)[TablePage.Int(r.Fold), TablePage.Int(r.TrainRows), TablePage.Int(r.TestRows), TablePage.Int(r.Epochs), TablePage.Int(r.BestEpoch),
                .. names.Select(n => values.TryGetValue(n, out var v) ? TablePage.Number(v) : "–")];
        }).ToList();
        return new PageTable("folds", "Per fold", "Each fold's rows scored by the model trained on the other folds.",
            ["fold", "train rows", "test rows", "epochs", "best epoch", .. names], rows);
    }

    /// <summary>One row per metric: its mean, sample standard deviation (n − 1) and mean ± sd over the folds.</summary>
    public static PageTable Summary(CvOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new PageTable("summary", $"Mean ± sample standard deviation over {outcome.Folds.K} folds",
            "The standard deviation is the sample one (n − 1 in the denominator) of the per-fold values.",
            ["metric", "mean", "sd", "mean ± sd"],
            [.. outcome.Summary.Select(s => (IReadOnlyList<string>)[s.Name, TablePage.Number(s.Mean), TablePage.Number(s.StandardDeviation), TablePage.MeanSd(s)])]);
    }

    /// <summary>The HTML page: the summary, then the per-fold table.</summary>
    public static string Render(CvOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var kind = outcome.Task == TaskKind.Classification ? "stratified" : "shuffled";
        var subtitle = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(outcome.DataPath)} · target '{outcome.TargetName}' ({TaskKinds.Name(outcome.Task)}) · {outcome.Folds.K} {kind} folds of {outcome.Folds.Fold.Length} rows");
        return TablePage.Render("nn cv report", subtitle, [Summary(outcome), PerFold(outcome)]);
    }
}

using System.Globalization;
using Nn.Shell;
using Spectre.Console;

namespace Nn.Cli;

/// <summary>A Spectre.Console progress bar over the epochs of a training job (terminals only).</summary>
internal static class SpectreProgress
{
    internal static TrainOutcome Train(TrainSettings settings, Action<TrainStart> started, CancellationToken cancellationToken)
    {
        TrainOutcome? outcome = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: settings.Fit.Epochs);
                outcome = TrainJob.Run(settings, started, Trainer.OnEpochState(s =>
                {
                    var r = s.History[^1];
                    var text = string.Create(CultureInfo.InvariantCulture, $"epoch {r.Epoch} loss {r.TrainLoss:F4}");
                    if (r.Validation is { } v)
                        text += string.Create(CultureInfo.InvariantCulture, $" val {v.Loss:F4}") + v switch
                        {
                            EvaluationSummary.Classification c => string.Create(CultureInfo.InvariantCulture, $" acc {c.Accuracy:F3}"),
                            EvaluationSummary.Regression g => string.Create(CultureInfo.InvariantCulture, $" R² {g.R2:F3}"),
                            _ => throw new InvalidOperationException("Unknown evaluation summary case."),
                        };
                    task.Description = Markup.Escape(text);
                    task.Value = r.Epoch;
                }), cancellationToken);
                task.Value = settings.Fit.Epochs;
            });
        return outcome!;
    }
}

using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn train</c>: data file in, trained model file out.</summary>
internal static class TrainCommand
{
    internal static readonly Option<string> Data = new("--data") { Description = "Training data: CSV with a header, Parquet, .npy features (with --labels), or .npz with arrays x and y.", Required = true };
    internal static readonly Option<string?> LabelsFile = new("--labels") { Description = "Labels/targets as .npy, one per row of an .npy --data." };
    internal static readonly Option<string?> Target = new("--target") { Description = "The CSV target column (default: the last column); several, comma-separated (a,b,c), train a multi-output regression, or with --task multilabel one 0/1 column per label." };
    internal static readonly Option<string?> TestData = new("--test-data") { Description = "Test data evaluated after training (same format)." };
    internal static readonly Option<string> Task = new("--task") { Description = "auto | classification | regression | multilabel (several 0/1 --target columns, or one column of delimited labels)", DefaultValueFactory = _ => "auto" };
    internal static readonly Option<string> LabelSeparator = new("--label-separator") { Description = "--task multilabel with one target column: the text between a cell's labels.", DefaultValueFactory = _ => LabelSets.DefaultSeparator };
    internal static readonly Option<string> Layers = new("--layers") { Description = "Hidden layer widths, e.g. 32,16 (none: 0 hidden layers is not allowed; use --layers '' for none).", DefaultValueFactory = _ => "64,32" };
    internal static readonly Option<string> ActivationOpt = new("--activation") { Description = "relu | tanh | sigmoid | leaky-relu", DefaultValueFactory = _ => Activations.Relu.Name };
    internal static readonly Option<string> Output = new("--output") { Description = "auto | sigmoid | softmax | linear", DefaultValueFactory = _ => "auto" };
    internal static readonly Option<string> LossOpt = new("--loss") { Description = "auto | mse | bce | cce", DefaultValueFactory = _ => "auto" };
    internal static readonly Option<string> OptimizerOpt = new("--optimizer") { Description = "sgd | momentum | nesterov | rmsprop | adam | adamw", DefaultValueFactory = _ => "adam" };
    internal static readonly Option<double> Lr = Flags.Number("--lr", "Learning rate.", 0.001);
    internal static readonly Option<int> Epochs = Flags.Whole("--epochs", "Total number of epochs.", 200);
    internal static readonly Option<string> BatchSize = new("--batch-size") { Description = "Examples per batch, or 'full'.", DefaultValueFactory = _ => "32" };
    internal static readonly Option<double> L2 = Flags.Number("--l2", "L2 penalty coefficient.", 0.0);
    internal static readonly Option<double> Dropout = Flags.Number("--dropout", "Dropout rate on hidden layers.", 0.0);
    internal static readonly Option<string> InitOpt = new("--init") { Description = "auto | he | xavier | lecun (the normal variants) | he-uniform | xavier-uniform | lecun-uniform", DefaultValueFactory = _ => "auto" };
    internal static readonly Option<string> Scale = new("--scale") { Description = "standard | minmax | none", DefaultValueFactory = _ => "standard" };
    internal static readonly Option<double> ValidationFraction = Flags.Number("--validation-fraction", "Fraction held out for validation and early stopping; a split of fewer than 30 rows is not made (every row trains for every epoch, with a note).", 0.1);
    internal static readonly Option<int> Patience = Flags.Whole("--patience", "Epochs without a better validation loss before stopping (0 = never).", 20);
    internal static readonly Option<long> Seed = Flags.Long("--seed", "Seed of every random choice.", 0L);
    internal static readonly Option<int> Threads = Flags.Whole("--threads", "Kernel threads (results are identical for any count).", 1);
    internal static readonly Option<double> ClipNorm = Flags.Number("--clip-norm", "Clip gradients to this global norm (0 = off).", 0.0);
    internal static readonly Option<string> OnNan = new("--on-nan") { Description = "On a NaN or infinite loss or gradient: stop (write the model from the last completed epoch) | error (write no model); both exit with code 3.", DefaultValueFactory = _ => "stop" };
    internal static readonly Option<bool> DropConstant = new("--drop-constant") { Description = "Drop feature columns that are constant in the training rows (the model records the features it uses); by default they are kept with scale 1 and a note." };
    internal static readonly Option<int> MinEpochs = Flags.Whole("--min-epochs", "Early stopping may stop only after this many epochs (the best epoch is still restored).", 0);
    internal static readonly Option<double> TestFraction = Flags.Number("--test-fraction", "Fraction held out as a test split from the seed (stratified for classification), evaluated after training (not with --test-data).", 0.0);
    internal static readonly Option<string> ScheduleOpt = new("--schedule") { Description = "Learning rate from --lr over the run: constant | step (times --lr-factor every --lr-every epochs) | exponential (times --lr-factor per epoch) | cosine (down to --lr-min over --lr-epochs epochs, default the rest of the run).", DefaultValueFactory = _ => "constant" };
    // No default value on the flag itself: the default depends on --schedule (0.5 for step, 0.95 for exponential), and a
    // single "[default: 0.5]" in the help would be wrong for one of them.
    internal static readonly Option<double> LrFactor = Flags.OptionalNumber("--lr-factor", "step: the factor every --lr-every epochs (default 0.5); exponential: the factor per epoch (default 0.95).");
    internal static readonly Option<int> LrEvery = Flags.Whole("--lr-every", "step: epochs between decays.", 10);
    internal static readonly Option<double> LrMin = Flags.Number("--lr-min", "cosine: the final learning rate.", 0.0);
    internal static readonly Option<int> LrEpochs = Flags.Whole("--lr-epochs", "cosine: epochs of the decay after the warm-up (0 = the rest of the run).", 0);
    internal static readonly Option<int> Warmup = Flags.Whole("--warmup", "Epochs of linear learning-rate warm-up before the schedule (0 = none).", 0);
    internal static readonly Option<string?> ClassWeightOpt = new("--class-weight") { Description = "Weigh each class's rows in the loss (classification): balanced (n_samples / (n_classes · count), over the training rows) or LABEL=W,… (unlisted classes weigh 1)." };
    internal static readonly Option<string?> SampleWeight = new("--sample-weight") { Description = "A numeric column of --data (CSV or Parquet) whose values (>= 0) weigh each row in the loss; not a feature. Multiplies --class-weight." };
    internal static readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Write a checkpoint here after every epoch." };
    internal static readonly Option<string?> Resume = new("--resume") { Description = "Resume from a checkpoint (same flags; --epochs is the total)." };
    internal static readonly Option<string> Out = new("--out") { Description = "Where to write the model (safetensors).", Required = true };
    internal static readonly Option<string?> HistoryFile = new("--history") { Description = "Write the per-epoch history as CSV." };
    internal static readonly Option<string?> Report = new("--report") { Description = "Write a self-contained HTML report (loss and metric curves, confusion matrix, calibration, decision regions or predicted vs actual, settings)." };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object at the end (and nothing else on stdout); a NaN or infinite number is written as null." };
    internal static readonly Option<bool> Quiet = new("--quiet") { Description = "No progress output." };

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("train", "Train a network on a data file and write the model.");
        foreach (var o in new Option[] { Data, LabelsFile, Target, TestData, Task, LabelSeparator, Layers, ActivationOpt, Output, LossOpt, OptimizerOpt, Lr, Epochs, BatchSize, L2, Dropout, InitOpt, Scale, ValidationFraction, Patience, MinEpochs, TestFraction, ScheduleOpt, LrFactor, LrEvery, LrMin, LrEpochs, Warmup, Seed, Threads, ClipNorm, OnNan, DropConstant, ClassWeightOpt, SampleWeight, Checkpoint, Resume, Out, HistoryFile, Report, Json, Quiet })
            command.Add(o);
        command.SetAction(parse => Execute(parse, console, cancellationToken));
        return command;
    }

    /// <summary>
    /// Turns parsed flags into typed settings (no strings after this); ArgumentException names the flag. The paths come
    /// first, so a missing --data or --out is reported before a bad value.
    /// </summary>
    internal static TrainSettings Settings(ParseResult p)
    {
        var paths = new TrainSettings
        {
            DataPath = p.GetValue(Data)!,
            LabelsPath = p.GetValue(LabelsFile),
            Target = p.GetValue(Target),
            Targets = ParseTargets(p.GetValue(Target)),
            TestDataPath = p.GetValue(TestData),
            CheckpointPath = p.GetValue(Checkpoint),
            ResumePath = p.GetValue(Resume),
            OutPath = p.GetValue(Out)!,
            SampleWeight = p.GetValue(SampleWeight),
        };
        if (string.IsNullOrWhiteSpace(paths.DataPath)) throw new ArgumentException("--data: a training data file is required.");
        if (string.IsNullOrWhiteSpace(paths.OutPath)) throw new ArgumentException("--out: an output model path is required.");
        var threads = p.GetValue(Threads);
        if (threads < 1) throw new ArgumentException($"--threads: expected at least 1, got {threads}.");
        if (Given(p, TestFraction) && paths.TestDataPath is not null)
            throw new ArgumentException("--test-fraction: goes without --test-data (the test rows come either from a split of --data or from a file).");
        var separator = p.GetValue(LabelSeparator)!;
        if (Given(p, LabelSeparator) && (p.GetValue(Task) != TaskKinds.Name(TaskKind.Multilabel) || !paths.Targets.IsEmpty))
            throw new ArgumentException("--label-separator: goes with --task multilabel and one --target column of delimited labels.");
        if (separator.Length == 0) throw new ArgumentException("--label-separator: expected a non-empty separator, e.g. ';'.");
        return paths with
        {
            LabelSeparator = separator,
            Fit = new FitSettings
            {
                Task = Choice(p.GetValue(Task)!, "--task", [.. TaskKinds.Names]) is { } task ? TaskKinds.TryParse(task) : null,
                Layers = ParseLayers(p.GetValue(Layers)!),
                Activation = ParseActivation(p.GetValue(ActivationOpt)!),
                Output = ParseOutput(p.GetValue(Output)!),
                Loss = ParseLoss(p.GetValue(LossOpt)!),
                Optimizer = ParseOptimizer(p.GetValue(OptimizerOpt)!, p.GetValue(Lr), p.GetValue(ClipNorm)),
                Epochs = p.GetValue(Epochs),
                BatchSize = ParseBatchSize(p.GetValue(BatchSize)!),
                L2 = p.GetValue(L2),
                Dropout = p.GetValue(Dropout),
                Init = ParseInit(p.GetValue(InitOpt)!),
                Scaling = Named(p.GetValue(Scale)!, "--scale", Scalings.Parse, Scalings.Names),
                ValidationFraction = p.GetValue(ValidationFraction),
                Patience = p.GetValue(Patience),
                Seed = p.GetValue(Seed),
                Compute = ComputeOptions.WithThreads(threads),
                DropConstant = p.GetValue(DropConstant),
                MinEpochs = p.GetValue(MinEpochs),
                TestFraction = p.GetValue(TestFraction),
                Schedule = ParseSchedule(p),
                ClassWeight = ParseClassWeight(p.GetValue(ClassWeightOpt)),
            },
            OnNan = Named(p.GetValue(OnNan)!, "--on-nan", Shell.OnNan.Parse, ["stop", "error"]),
        };
    }

    /// <summary>--class-weight as a <see cref="ClassWeight"/> (null when not given); the labels are checked against the data later, before training.</summary>
    private static ClassWeight? ParseClassWeight(string? text)
    {
        if (text is null) return null;
        try { return ClassWeight.Parse(text); }
        catch (ArgumentException e) { throw new ArgumentException($"--class-weight: {e.Message}"); }
    }

    /// <summary>
    /// <c>--target a,b,c</c> as several targets (each trimmed; an empty name or one named twice is refused); empty for one
    /// name (or none), which <see cref="TrainSettings.Target"/> holds as given.
    /// </summary>
    internal static ImmutableArray<string> ParseTargets(string? text)
    {
        if (text is null || !text.Contains(',', StringComparison.Ordinal)) return [];
        ImmutableArray<string> names = [.. text.Split(',').Select(t => t.Trim())];
        if (names.Any(n => n.Length == 0)) throw new ArgumentException($"--target: expected comma-separated column names (e.g. a,b), got '{text}'.");
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"--target: column '{twice.Key}' is named twice.");
        return names;
    }

    /// <summary>True when the flag was on the command line (not just its default).</summary>
    private static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>
    /// The schedule flags as an <see cref="EpochSchedule"/>: null for a constant rate without warm-up (the optimizer as it
    /// is, recorded as before); a flag that does not go with the chosen schedule is refused rather than ignored.
    /// </summary>
    internal static EpochSchedule? ParseSchedule(ParseResult p)
    {
        var name = p.GetValue(ScheduleOpt)!;
        var index = EpochSchedule.Names.IndexOf(name);
        if (index < 0) throw new ArgumentException($"--schedule: expected {Or(EpochSchedule.Names)}, got '{name}'.");
        var kind = (ScheduleKind)index;
        (Option Flag, ScheduleKind[] Kinds)[] owners =
        [
            (LrFactor, [ScheduleKind.Step, ScheduleKind.Exponential]), (LrEvery, [ScheduleKind.Step]),
            (LrMin, [ScheduleKind.Cosine]), (LrEpochs, [ScheduleKind.Cosine]),
        ];
        foreach (var (flag, kinds) in owners)
            if (Given(p, flag) && !kinds.Contains(kind))
                throw new ArgumentException($"{flag.Name}: goes with --schedule {string.Join(" or ", kinds.Select(EpochSchedule.Name))}, not {name}.");
        var warmup = p.GetValue(Warmup);
        if (kind == ScheduleKind.Constant && warmup == 0) return null;
        return new EpochSchedule
        {
            Kind = kind,
            Factor = Given(p, LrFactor) ? p.GetValue(LrFactor) : null,
            Every = p.GetValue(LrEvery),
            Minimum = p.GetValue(LrMin),
            Length = p.GetValue(LrEpochs),
            Warmup = warmup,
        };
    }

    /// <summary>"auto" (null) or one of <paramref name="names"/>; else a message listing them.</summary>
    private static string? Choice(string text, string flag, params string[] names) =>
        text == "auto" ? null : names.Contains(text) ? text : throw new ArgumentException($"{flag}: expected {Or(["auto", .. names])}, got '{text}'.");

    private static T Named<T>(string text, string flag, Func<string, T> parse, IReadOnlyList<string> names)
    {
        try { return parse(text); }
        catch (ArgumentException) { throw new ArgumentException($"{flag}: expected {Or(names)}, got '{text}'."); }
    }

    private static Activation? ParseOutput(string text) =>
        Choice(text, "--output", [.. FitSettings.OutputActivations.Select(a => a.Name)]) is { } name ? Activations.Parse(name) : null;

    private static Loss? ParseLoss(string text) => Choice(text, "--loss", [.. Losses.Names]) is { } name ? Losses.Parse(name) : null;

    private static InitScheme? ParseInit(string text)
    {
        if (text == "auto") return null;
        try { return InitSchemes.Parse(text); }
        catch (ArgumentException) { throw new ArgumentException($"--init: expected auto, he, xavier, lecun or one of {string.Join(", ", InitSchemes.Names)}, got '{text}'."); }
    }

    /// <summary>The named optimizer at the rate, behind a clip by global norm when --clip-norm &gt; 0.</summary>
    internal static GradientTransformation ParseOptimizer(string name, double lr, double clipNorm)
    {
        if (!(lr > 0) || !double.IsFinite(lr)) throw new ArgumentException($"--lr: expected a positive number, got {F(lr)}.");
        if (!(clipNorm >= 0) || !double.IsFinite(clipNorm)) throw new ArgumentException($"--clip-norm: expected a number >= 0, got {F(clipNorm)}.");
        GradientTransformation optimizer;
        try { optimizer = Optimizers.Parse(name, lr); }
        catch (ArgumentException e) { throw new ArgumentException($"--optimizer: {e.Message}"); }
        return clipNorm > 0 ? Optimizers.Chain(Optimizers.ClipByGlobalNorm(clipNorm), optimizer) : optimizer;
    }

    /// <summary>The names as a list for a message: <c>a, b or c</c>.</summary>
    private static string Or(IReadOnlyList<string> names) =>
        names.Count < 2 ? string.Join("", names) : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    internal static ImmutableArray<int> ParseLayers(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var parts = text.Split(',');
        var widths = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw new ArgumentException($"--layers: expected comma-separated widths of at least 1 (e.g. 32,16), got '{text}'.");
        return [.. widths];
    }

    internal static int ParseBatchSize(string text)
    {
        if (text.Trim().Equals("full", StringComparison.OrdinalIgnoreCase)) return 0;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) return n;
        throw new ArgumentException($"--batch-size: expected a positive whole number or 'full', got '{text}'.");
    }

    internal static Activation ParseActivation(string text)
    {
        try
        {
            var a = Activations.Parse(text);
            return a is Activation.Softmax ? throw new ArgumentException("--activation: softmax is for the output layer only (see --output).") : a;
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("--", StringComparison.Ordinal)) { throw new ArgumentException($"--activation: {e.Message}"); }
    }

    private static int Execute(ParseResult parse, CliConsole console, CancellationToken cancellationToken)
    {
        var settings = Settings(parse);
        OutputChecks.Train(parse);
        var json = parse.GetValue(Json);
        var quiet = parse.GetValue(Quiet) || json;
        var historyPath = parse.GetValue(HistoryFile);
        void Started(TrainStart start)
        {
            if (!quiet) foreach (var line in StartLines(start)) console.Out.WriteLine(line);
            foreach (var note in start.Notes) console.Error.WriteLine($"nn: note: {note}");
        }
        TrainOutcome outcome;
        if (!quiet && console.Interactive)
            outcome = SpectreProgress.Train(settings, Started, cancellationToken);
        else
            outcome = TrainJob.Run(settings, Started, quiet ? null : Trainer.OnEpochState(s => console.Out.WriteLine(EpochLine(s, settings.Fit.Epochs))), cancellationToken);

        if (historyPath is not null) AtomicFile.WriteAllText(historyPath, outcome.Result.History.ToCsv());
        if (parse.GetValue(Report) is { } reportPath) ReportJob.Write(reportPath, ReportJob.ForTraining(settings, outcome));
        if (json) console.Out.WriteLine(outcome.ToJson());
        else if (!parse.GetValue(Quiet)) Summary(outcome, settings, console);
        foreach (var note in outcome.Notes) console.Error.WriteLine($"nn: note: {note}");
        var checkpoint = settings.CheckpointPath is null ? "" : $"; {settings.CheckpointPath} holds epoch {outcome.Result.Final.CompletedEpochs}";
        if (outcome.Result.Diverged is { } d)
        {
            console.Error.WriteLine($"nn: {d}; the model was written from epoch {outcome.ModelEpoch} to {settings.OutPath}{checkpoint}.");
            return CliApp.Diverged;
        }
        if (outcome.Result.Cancelled)
        {
            console.Error.WriteLine($"nn: cancelled; the model was written from epoch {outcome.ModelEpoch} to {settings.OutPath}{checkpoint}.");
            return CliApp.Cancelled;
        }
        if (outcome.Test is EvalReport.NonFinite { Row: var row })
        {
            var (where, fileRow) = outcome.TestRows.IsEmpty ? (settings.TestDataPath, row) : (settings.DataPath, outcome.TestRows[row]);
            console.Error.WriteLine($"nn: the model's output for data row {fileRow + 1} of {where} is not finite (NaN or infinite), so its test metrics are not numbers; the model was written to {settings.OutPath}.");
            return CliApp.Diverged;
        }
        return 0;
    }

    /// <summary>
    /// The first lines of a run: the target column and task (with the classes), and the rows trained on, held out for
    /// validation and as a test split, e.g. <c>target 'label': classification, 10 classes (0, 1, 2, …)</c>.
    /// </summary>
    internal static IEnumerable<string> StartLines(TrainStart s)
    {
        var classes = s.Labels.IsEmpty ? ""
            : $", {s.Labels.Length} {(s.Task == TaskKind.Multilabel ? "labels" : "classes")} ({string.Join(", ", s.Labels.Take(5))}{(s.Labels.Length > 5 ? ", …" : "")})";
        yield return s.TargetNames.IsDefaultOrEmpty
            ? $"target '{s.TargetName}': {TaskKinds.Name(s.Task)}{classes}"
            : s.Task == TaskKind.Multilabel ? $"targets {string.Join(", ", s.TargetNames.Select(t => $"'{t}'"))}: {TaskKinds.Name(s.Task)}, one label per column"
            : $"targets {string.Join(", ", s.TargetNames.Select(t => $"'{t}'"))}: {TaskKinds.Name(s.Task)}, {s.TargetNames.Length} outputs";
        var rows = $"{s.Features} features; {s.TrainRows} training rows";
        rows += s.ValidationRows > 0 ? $", {s.ValidationRows} validation rows" : ", no validation split";
        if (s.TestRows > 0) rows += $", {s.TestRows} test rows";
        yield return rows;
    }

    internal static string EpochLine(TrainerState s, int total)
    {
        var r = s.History[^1];
        var line = FormattableString.Invariant($"epoch {r.Epoch}/{total}  loss {r.TrainLoss:F5}");
        if (r.Validation is { } v)
        {
            line += FormattableString.Invariant($"  val_loss {v.Loss:F5}");
            line += v switch
            {
                EvaluationSummary.Classification c => FormattableString.Invariant($"  val_accuracy {c.Accuracy:F4}"),
                EvaluationSummary.Regression g => FormattableString.Invariant($"  val_r2 {g.R2:F4}"),
                _ => throw new InvalidOperationException("Unknown evaluation summary case."),
            };
        }
        return line;
    }

    private static void Summary(TrainOutcome outcome, TrainSettings settings, CliConsole console)
    {
        var h = outcome.Result.History;
        var o = console.Out;
        o.WriteLine(FormattableString.Invariant($"Trained {outcome.Model.Network} for {h.Epochs.Length} epochs in {outcome.TrainSeconds:F2} s")
            + (outcome.Result.StoppedEarly ? FormattableString.Invariant($" (stopped early; best epoch {h.BestEpoch} restored)") : "")
            + (outcome.Result.Cancelled ? " (cancelled)" : "") + ".");
        o.WriteLine($"Model written to {settings.OutPath}.");
        if (outcome.Test is { } t)
        {
            if (!outcome.TestRows.IsEmpty) o.WriteLine($"Test metrics on the {outcome.TestRows.Length} rows held out by --test-fraction (never trained on nor used for early stopping):");
            Tables.WriteEval(t, console);
        }
    }
}

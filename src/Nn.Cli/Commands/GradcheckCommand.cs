using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nn.Shell;

namespace Nn.Cli;

/// <summary><c>nn gradcheck</c>: the core's gradient check on a random network, or on a trained model and data.</summary>
internal static class GradcheckCommand
{
    internal static readonly Option<string> Layers = new("--layers") { Description = "Hidden widths of the random network.", DefaultValueFactory = _ => "8,8" };
    internal static readonly Option<string> ActivationOpt = new("--activation") { Description = "Hidden activation.", DefaultValueFactory = _ => Activations.Tanh.Name };
    internal static readonly Option<string> Output = new("--output") { Description = "sigmoid | softmax | linear (paired with bce | cce | mse).", DefaultValueFactory = _ => Activations.Softmax.Name };
    internal static readonly Option<int> Inputs = Flags.Whole("--inputs", "Input features of the random network.", 4);
    internal static readonly Option<int> Outputs = Flags.Whole("--outputs", "Outputs of the random network.", 3);
    internal static readonly Option<int> Batch = Flags.Whole("--batch", "Examples in the batch.", 8);
    internal static readonly Option<long> Seed = Flags.Long("--seed", "Seed for the network and batch.", 0L);
    internal static readonly Option<double> L2 = Flags.Number("--l2", "L2 coefficient included in the objective.", 0.0);
    internal static readonly Option<string?> ModelPath = new("--model") { Description = "Check a trained model instead (with --data)." };
    internal static readonly Option<string?> Data = new("--data") { Description = "Labelled data for --model (the first --batch rows are used)." };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print the report as JSON (a NaN or infinite number is written as null)." };
    internal static readonly Option<long> MaxParameters = Flags.Long("--max-parameters",
        "Refuse networks with more parameters than this: every parameter costs two forward passes, so the time grows with the square of the count (hidden layers 300,300, 92,703 parameters: about a minute).",
        DefaultMaxParameters);
    internal static readonly Option<bool> ProgressOpt = new("--progress") { Description = "Print progress lines on stderr even when not on a terminal (at most one a second)." };

    /// <summary>The default of <c>--max-parameters</c>.</summary>
    internal const long DefaultMaxParameters = 100_000;

    internal static Command Build(CliConsole console, CancellationToken cancellationToken)
    {
        var command = new Command("gradcheck", "Compare back-propagation with central finite differences, per parameter tensor and along random directions. "
                + "Exit codes: 0 passed, 1 failed (a value outside tolerance, or outside the one-sided differences at a kink), "
                + "4 inconclusive (several kinks meet and no nearby point could judge an entry; none failed), 2 bad input.")
            { Layers, ActivationOpt, Output, Inputs, Outputs, Batch, Seed, L2, ModelPath, Data, Json, MaxParameters, ProgressOpt };
        command.SetAction(p =>
        {
            OutputChecks.Gradcheck(p);
            var (network, x, y, objective) = Problem(p);
            var json = p.GetValue(Json);
            var forced = p.GetValue(ProgressOpt);
            var progress = forced ? new CheckProgress(console.Error, lines: true) : new CheckProgress(console.Interactive && !json ? console.Out : null, lines: false);
            GradientCheckReport report;
            try { report = GradientCheck.Run(network, x, y, objective, GradientCheckOptions.Default, progress.Report, cancellationToken); }
            catch (OperationCanceledException)
            {
                progress.Done();
                var done = progress.Last is { } last ? string.Create(CultureInfo.InvariantCulture, $" after {last.Done} of {last.Total} checks") : "";
                throw new OperationCanceledException($"gradcheck cancelled{done}; nothing was written.");
            }
            progress.Done();
            if (json) console.Out.WriteLine(GradientCheckJson.Write(report));
            else Write(network, report, console);
            return ExitCode(report.Verdict);
        });
        return command;
    }

    /// <summary>
    /// Refuses a network that cannot be checked: more memory than .NET reports available, more parameters than an array
    /// holds, or more than <c>--max-parameters</c> (the time grows with the square of the count); each names the flag.
    /// </summary>
    private static void CheckSize(ParseResult p, IReadOnlyList<int> sizes, long batch, string flag)
    {
        MemoryEstimate.ForGradientCheck(sizes, batch).Check(sizes, MemoryEstimate.Available(), flag, "--batch", "--batch");
        var count = MemoryEstimate.ParameterCountOf(sizes);
        var network = string.Join(" → ", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        if (count > int.MaxValue)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{flag}: {network} has {count} parameters; at most {int.MaxValue} are supported."));
        var max = p.GetValue(MaxParameters);
        if (max < 1) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--max-parameters: expected at least 1, got {max}."));
        if (count > max)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{flag}: {network} has {count} parameters, more than --max-parameters {max}; checking every one takes about {GradientCheck.Evaluations(count, GradientCheckOptions.Default)} forward passes over the batch (the time grows with the square of the count); pass --max-parameters {count} to run it anyway."));
    }

    private static (Network, Matrix, Matrix, Objective) Problem(ParseResult p)
    {
        var batch = p.GetValue(Batch);
        if (batch < 1) throw new ArgumentException($"--batch: expected at least 1, got {batch}.");
        var l2 = p.GetValue(L2);
        if (!(l2 >= 0)) throw new ArgumentException(FormattableString.Invariant($"--l2: expected a number >= 0, got {l2}."));
        // Flags that apply to one of the two problems are refused with the other, rather than silently ignored.
        if (p.GetValue(ModelPath) is null && p.GetValue(Data) is not null)
            throw new ArgumentException("--data: checks a trained model's gradient on its data; pass --model too (without it, gradcheck draws a random network and batch).");
        if (p.GetValue(ModelPath) is not null && new Option[] { Layers, ActivationOpt, Output, Inputs, Outputs, Seed }.FirstOrDefault(o => p.GetResult(o) is { Implicit: false }) is { } random)
            throw new ArgumentException($"{random.Name}: describes the random network; with --model the network is the model's.");
        if (p.GetValue(ModelPath) is { } modelPath)
        {
            var dataPath = p.GetValue(Data) ?? throw new ArgumentException("--model needs --data with labelled rows.");
            var model = ModelFile.Load(modelPath);
            var b = ModelExamples.Batch(model, dataPath, batch);
            CheckSize(p, [model.Network.InputSize, .. model.Network.Layers.Select(l => l.Outputs)], b.X.Rows, "--model");
            return (model.Network, b.X, b.Y, b.Objective.WithL2(p.GetValue(L2)));
        }
        var inputs = p.GetValue(Inputs);
        var outputs = p.GetValue(Outputs);
        if (inputs < 1) throw new ArgumentException($"--inputs: expected at least 1, got {inputs}.");
        if (outputs < 1) throw new ArgumentException($"--outputs: expected at least 1, got {outputs}.");
        var outputText = p.GetValue(Output);
        var choices = FitSettings.OutputActivations;
        var output = choices.FirstOrDefault(a => a.Name == outputText)
            ?? throw new ArgumentException($"--output: expected {string.Join(", ", choices[..^1].Select(a => a.Name))} or {choices[^1].Name}, got '{outputText}'.");
        var loss = Losses.PairedWith(output);
        var hidden = TrainCommand.ParseActivation(p.GetValue(ActivationOpt)!);
        int[] sizes = [inputs, .. TrainCommand.ParseLayers(p.GetValue(Layers)!), outputs];
        CheckSize(p, sizes, batch, "--layers");
        var key = Key.FromSeed(p.GetValue(Seed));
        var network = Init.Mlp(Prng.Fold(key, 0), sizes, hidden, output, Init.DefaultFor(hidden));
        // Random biases keep pre-activations off exact zeros, so every kink is a genuine one.
        network = new Network(network.Layers.Select((l, i) => l.WithParameters(l.Weights, Prng.Normal(Prng.Fold(key, 10 + i), l.Outputs, 0, 0.1))));
        var x = Matrix.Create(batch, inputs, Prng.Normal(Prng.Fold(key, 1), batch * inputs, 0, 1).Values);
        var yKey = Prng.Fold(key, 2);
        var y = loss switch
        {
            Loss.CategoricalCrossEntropy => Matrix.Init(batch, outputs, (r, c) => Prng.Below(yKey, r, outputs) == c ? 1.0 : 0.0),
            Loss.BinaryCrossEntropy => Matrix.Init(batch, outputs, (r, c) => Prng.Below(yKey, r * outputs + c, 2)),
            Loss.MeanSquaredError => Matrix.Create(batch, outputs, Prng.Normal(yKey, batch * outputs, 0, 1).Values),
            _ => throw new InvalidOperationException($"Unknown loss {loss}."),
        };
        return (network, x, y, new Objective(loss, p.GetValue(L2), 0));
    }

    /// <summary>0 when the check passed, 1 when it failed, <see cref="CliApp.Inconclusive"/> (4) when it was inconclusive.</summary>
    internal static int ExitCode(GradientVerdict verdict) => verdict switch
    {
        GradientVerdict.Passed => 0,
        GradientVerdict.Failed => 1,
        _ => CliApp.Inconclusive,
    };

    /// <summary>How many inconclusive entries the table lists before it gives only their count.</summary>
    private const int ListedInconclusive = 5;

    private static void Write(Network network, GradientCheckReport report, CliConsole console)
    {
        var o = console.Out;
        var opt = report.Options;
        o.WriteLine(FormattableString.Invariant($"Gradient check of {network}: central differences with h = {opt.Epsilon:G3}; an entry passes when |analytic − numeric| ≤ {opt.AbsoluteTolerance:G3} + {opt.RelativeTolerance:G3}·max(|analytic|, |numeric|)."));
        o.WriteLine($"{"tensor",-8}{"shape",-9}{"max abs err",12}{"max rel err",12}  {"worst (row,col)",-16}{"numeric",14}{"analytic",14}{"kinks",7}{"moved",7}  result");
        foreach (var t in report.Tensors)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{t.Name,-8}{$"{t.Rows}×{t.Cols}",-9}{t.MaxAbsoluteError,12:G3}{t.MaxRelativeError,12:G3}  {$"({t.WorstRow},{t.WorstCol})",-16}{t.WorstNumeric,14:G6}{t.WorstAnalytic,14:G6}{t.Kinks,7}{t.Moved,7}  {t.Verdict switch
                {
                    GradientVerdict.Passed => "ok",
                    GradientVerdict.Failed => $"FAILED ({t.Failures})",
                    _ => $"INCONCLUSIVE ({t.Inconclusive})",
                }}"));
        foreach (var d in report.Directions)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"direction {d.Index}: numeric {d.Numeric:G10} analytic {d.Analytic:G10} abs err {d.AbsoluteError:G3}{(d.Moved ? " (kink, judged at a nearby point)" : d.Kink ? " (kink)" : "")}  {d.Verdict switch
                {
                    GradientVerdict.Passed => "ok",
                    GradientVerdict.Failed => "FAILED",
                    _ => "INCONCLUSIVE",
                }}"));
        if (!report.Inconclusive.IsEmpty)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Not judged (several kinks meet, and no nearby point settled them): {string.Join(", ", report.Inconclusive.Take(ListedInconclusive))}{(report.Inconclusive.Length > ListedInconclusive ? $" and {report.Inconclusive.Length - ListedInconclusive} more" : "")}."));
        o.WriteLine(report.Verdict switch
        {
            GradientVerdict.Passed => "All checks passed.",
            GradientVerdict.Failed => "Gradient check FAILED.",
            _ => "Gradient check INCONCLUSIVE: nothing failed, but not everything could be judged.",
        });
    }
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// Everything <c>nn train</c> can be told, with the defaults a user who passes only the data and the output gets:
/// two hidden ReLU layers (64, 32), Adam with lr 0.001, batches of 32, up to 200 epochs with early stopping
/// (patience 20) on a 10% validation split restoring the best weights, standardised features (and, for regression,
/// a standardised target), seed 0.
/// </summary>
public sealed record TrainSettings
{
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>The value of <see cref="Output"/>, <see cref="Loss"/> and <see cref="Init"/> that lets the data decide: "auto".</summary>
    public const string Auto = "auto";

    /// <summary>The output activations <see cref="Output"/> may name: sigmoid, softmax, linear.</summary>
    public static ImmutableArray<Activation> OutputActivations { get; } = [Activations.Sigmoid, Activations.Softmax, Activations.Linear];

    /// <summary>The training data: a CSV file with a header, an .npy feature matrix (with <see cref="LabelsPath"/>), or an .npz with arrays x and y.</summary>
    public string DataPath { get; init; } = "";

    /// <summary>An .npy file of labels/targets, one per row of an .npy <see cref="DataPath"/>.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>The CSV target column; null = the last column.</summary>
    public string? Target { get; init; }

    /// <summary>Optional test data, evaluated after training (same format as the training data).</summary>
    public string? TestDataPath { get; init; }

    /// <summary>"auto" (infer from the target), "classification" or "regression".</summary>
    public string Task { get; init; } = "auto";

    /// <summary>Hidden layer widths, input side first.</summary>
    public ImmutableArray<int> Layers { get; init; } = [64, 32];

    /// <summary>The hidden activation.</summary>
    public Activation Activation { get; init; } = Activations.Relu;

    /// <summary>"auto" (sigmoid for two classes, softmax for more, linear for regression), "sigmoid", "softmax" or "linear".</summary>
    public string Output { get; init; } = "auto";

    /// <summary>"auto" (paired with the output), "mse", "bce" or "cce".</summary>
    public string Loss { get; init; } = "auto";

    /// <summary>sgd, momentum, nesterov, rmsprop, adam or adamw.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The learning rate.</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>The total number of epochs (a resumed run continues up to this total).</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Examples per mini-batch; 0 = full batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The L2 coefficient λ.</summary>
    public double L2 { get; init; }

    /// <summary>The dropout rate on hidden layers.</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// "auto" (He for ReLU-family, Xavier otherwise), "he", "xavier" or "lecun" (normal variants), or any name
    /// <see cref="InitSchemes.Parse"/> reads (he-uniform, …).
    /// </summary>
    public string Init { get; init; } = "auto";

    /// <summary>Feature scaling: "standard", "minmax" or "none".</summary>
    public string Scale { get; init; } = "standard";

    /// <summary>The fraction of the training data held out for validation and early stopping (0 = none).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Stop after this many epochs without a better validation loss (0 = never).</summary>
    public int Patience { get; init; } = 20;

    /// <summary>The seed of every random choice (initialisation, validation split, shuffling, dropout).</summary>
    public long Seed { get; init; }

    /// <summary>Worker threads for the kernels (results are identical for any count).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Clip gradients to this global norm (0 = off).</summary>
    public double ClipNorm { get; init; }

    /// <summary>Write a checkpoint here after every epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Resume from this checkpoint.</summary>
    public string? ResumePath { get; init; }

    /// <summary>
    /// What a NaN or infinite loss or gradient does: "stop" (the default) ends training and writes the model from the last
    /// completed epoch; "error" ends it without writing a model. Either way <see cref="TrainJob.Run"/> reports the
    /// <see cref="Divergence"/> and the checkpoint keeps the last completed epoch.
    /// </summary>
    public string OnNan { get; init; } = "stop";

    /// <summary>Accept constant feature columns (scaled to 0) instead of refusing them under standard or minmax scaling.</summary>
    public bool AllowConstant { get; init; }

    /// <summary>Where to write the trained model.</summary>
    public string OutPath { get; init; } = "";

    /// <summary>The settings that decide the model's numbers, in a fixed order, as recorded in the model file (paths and threads excluded).</summary>
    public ImmutableArray<Setting> Recorded(TaskKind task, string output, string loss) =>
    [
        new("task", task == TaskKind.Classification ? "classification" : "regression"),
        new("layers", string.Join(",", Layers)),
        new("activation", Activation.ToString()),
        new("output", output),
        new("loss", loss),
        new("optimizer", Optimizer),
        new("lr", F(LearningRate)),
        new("epochs", Epochs.ToString(CultureInfo.InvariantCulture)),
        new("batch_size", BatchSize == 0 ? "full" : BatchSize.ToString(CultureInfo.InvariantCulture)),
        new("l2", F(L2)),
        new("dropout", F(Dropout)),
        new("init", Init),
        new("scale", Scale),
        new("validation_fraction", F(ValidationFraction)),
        new("patience", Patience.ToString(CultureInfo.InvariantCulture)),
        new("clip_norm", F(ClipNorm)),
        new("seed", Seed.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>Throws <see cref="ArgumentException"/> naming the flag when a value is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataPath)) throw new ArgumentException("--data: a training data file is required.");
        if (string.IsNullOrWhiteSpace(OutPath)) throw new ArgumentException("--out: an output model path is required.");
        if (Layers.Any(w => w < 1)) throw new ArgumentException($"--layers: every width must be >= 1, got {string.Join(",", Layers)}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"--lr: expected a positive number, got {F(LearningRate)}.");
        if (Epochs < 1) throw new ArgumentException($"--epochs: expected at least 1, got {Epochs}.");
        if (BatchSize < 0) throw new ArgumentException($"--batch-size: expected a positive number or 'full', got {BatchSize}.");
        if (!(L2 >= 0) || !double.IsFinite(L2)) throw new ArgumentException($"--l2: expected a number >= 0, got {F(L2)}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"--dropout: expected a rate in [0, 1), got {F(Dropout)}.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentException($"--validation-fraction: expected a fraction in [0, 1), got {F(ValidationFraction)}.");
        if (Patience < 0) throw new ArgumentException($"--patience: expected 0 or more, got {Patience}.");
        if (Threads < 1) throw new ArgumentException($"--threads: expected at least 1, got {Threads}.");
        if (!(ClipNorm >= 0) || !double.IsFinite(ClipNorm)) throw new ArgumentException($"--clip-norm: expected a number >= 0, got {F(ClipNorm)}.");
        if (Task is not ("auto" or "classification" or "regression")) throw new ArgumentException($"--task: expected auto, classification or regression, got '{Task}'.");
        if (Output != Auto && !OutputActivations.Any(a => a.Name == Output))
            throw new ArgumentException($"--output: expected {Or([Auto, .. OutputActivations.Select(a => a.Name)])}, got '{Output}'.");
        if (Loss != Auto && !Losses.Names.Contains(Loss)) throw new ArgumentException($"--loss: expected {Or([Auto, .. Losses.Names])}, got '{Loss}'.");
        if (Init != Auto)
        {
            try { _ = InitSchemes.Parse(Init); }
            catch (ArgumentException) { throw new ArgumentException($"--init: expected auto, he, xavier, lecun or one of {string.Join(", ", InitSchemes.Names)}, got '{Init}'."); }
        }
        if (Scale is not ("standard" or "minmax" or "none")) throw new ArgumentException($"--scale: expected standard, minmax or none, got '{Scale}'.");
        if (OnNan is not ("stop" or "error")) throw new ArgumentException($"--on-nan: expected stop or error, got '{OnNan}'.");
        try { _ = Optimizers.Parse(Optimizer, LearningRate); }
        catch (ArgumentException e) { throw new ArgumentException($"--optimizer: {e.Message}"); }
    }

    /// <summary>The names as a list for a message: <c>a, b or c</c>.</summary>
    internal static string Or(IReadOnlyList<string> names) =>
        names.Count < 2 ? string.Join("", names) : $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}";

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

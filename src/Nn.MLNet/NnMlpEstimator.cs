using Microsoft.ML;
using Microsoft.ML.Data;
using Nn.Shell;

namespace Nn.MLNet;

/// <summary>
/// Trains an Nn multi-layer perceptron in an ML.NET pipeline: <see cref="Fit"/> reads the feature and label columns and
/// calls <see cref="Model.Fit{T}"/> (the fit of <c>nn train</c>: scaling, validation split, early stopping) with the
/// options' settings. Made by the catalog extensions in <see cref="NnMlpCatalog"/>.
/// </summary>
public sealed class NnMlpEstimator : IEstimator<NnMlpTransformer>
{
    private readonly MlTask _task;

    internal NnMlpEstimator(MlTask task, NnMlpOptions options)
    {
        _task = task;
        Options = options;
        ArgumentNullException.ThrowIfNull(Options.Settings, nameof(options));
        if (Options.Settings.Task is { } kind && kind != MlTasks.Kind(task))
            throw new ArgumentException($"Nn trainer: Settings.Task is {kind}, but this is the {MlTasks.Name(task)} trainer; leave it null.", nameof(options));
        Options.Settings.Validate(name => "Nn trainer: Settings." + name);
    }

    /// <summary>The options this estimator trains with.</summary>
    public NnMlpOptions Options { get; }

    /// <summary>Trains on every row of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the feature or label column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException">When a feature or label is not finite, a key is missing, or there are no rows.</exception>
    /// <exception cref="DataFileException">When the labels cannot train a classifier (a single class); the message names the row.</exception>
    /// <exception cref="TrainingDivergedException">When the loss or a parameter stopped being finite.</exception>
    public NnMlpTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var features = Columns.Features(input.Schema, Options.FeatureColumnName, null, nameof(input));
        var label = Columns.Label(input.Schema, Options.LabelColumnName, _task, nameof(input));
        var table = TrainingTable.Read(input, features, label, _task);
        var settings = Options.Settings with { Task = MlTasks.Kind(_task) };
        var model = _task == MlTask.Regression ? Model.Fit(table.Features, table.Values, settings) : Model.Fit(table.Features, table.Classes, settings);
        var classes = _task switch
        {
            MlTask.Binary => 2,
            MlTask.Multiclass => checked((int)((KeyDataViewType)label.Type).Count),
            _ => 0,
        };
        return new NnMlpTransformer(model, _task, classes, Options.FeatureColumnName, _task == MlTask.Multiclass ? Columns.KeyValues(label) : null);
    }

    /// <summary>The input shape with the output columns added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the feature or label column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var label = Columns.Check(inputSchema, Options, _task);
        var outputs = Columns.OutputShape(_task, label);
        var names = outputs.Select(c => c.Name).ToHashSet();
        return new SchemaShape(inputSchema.Where(c => !names.Contains(c.Name)).Concat(outputs));
    }
}

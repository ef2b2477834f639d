using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Nn.Shell;

namespace Nn.MLNet;

/// <summary>
/// A fitted Nn network as an ML.NET transformer: it adds the task's output columns to any data with the feature column —
/// <c>Score</c> (float; multiclass: a vector with one probability per key value), <c>PredictedLabel</c> (bool; multiclass: a
/// key) and <c>Probability</c> (binary) — computed by <see cref="Nn.Shell.Model.Predict"/> on the features as double,
/// rounded once to float. Saved and loaded as an Nn model file (<see cref="Save"/>, <see cref="Load"/>), not through
/// <c>mlContext.Model.Save</c>, whose format registers components through ML.NET's internal catalog.
/// </summary>
public sealed class NnMlpTransformer : ITransformer
{
    private const string TaskSetting = "mlnet.task", ClassesSetting = "mlnet.classes", FeaturesSetting = "mlnet.features", KeyValuesSetting = "mlnet.key_values";

    private readonly Scorer _scorer;
    private readonly DataViewSchema.Annotations? _keyValues;

    internal NnMlpTransformer(Model model, MlTask task, int classes, string featureColumnName, DataViewSchema.Annotations? keyValues)
    {
        Model = model;
        FeatureColumnName = featureColumnName;
        _scorer = new Scorer(model, task, classes);
        _keyValues = keyValues;
    }

    /// <summary>The fitted Nn model: its network, labels (class indices: key value − 1, or 0/1 for false/true), scaling and training settings.</summary>
    public Model Model { get; }

    /// <summary>The feature column read (a vector of <see cref="Model"/>'s feature count, float or double).</summary>
    public string FeatureColumnName { get; }

    /// <summary>Always true: rows are scored one by one (so <c>CreatePredictionEngine</c> works).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema with the output columns added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the feature column is missing or not a vector of the trained size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Columns.Features(inputSchema, FeatureColumnName, _scorer.Width, nameof(inputSchema));
        return Columns.Output(inputSchema, _scorer.Task, _scorer.Classes, _keyValues);
    }

    /// <summary>The input with the output columns added; rows are scored lazily, as a cursor reads them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the feature column is missing or not a vector of the trained size.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var features = Columns.Features(input.Schema, FeatureColumnName, _scorer.Width, nameof(input));
        return new ScoredDataView(input, _scorer, features, GetOutputSchema(input.Schema));
    }

    /// <summary>A mapper that scores single rows of data with <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the feature column is missing or not a vector of the trained size.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var features = Columns.Features(inputSchema, FeatureColumnName, _scorer.Width, nameof(inputSchema));
        return new RowMapper(inputSchema, _scorer, features, GetOutputSchema(inputSchema));
    }

    /// <summary>Not supported: save with <see cref="Save"/> (an Nn model file) and load with <see cref="Load"/>.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "Nn trainer: mlContext.Model.Save cannot store an Nn network (ML.NET registers loadable components through an internal catalog); " +
        "save the fitted NnMlpTransformer with its Save(path) and load it with NnMlpTransformer.Load(path).");

    /// <summary>
    /// Writes the model as an Nn model file (safetensors, atomically), with the ML.NET task, key count, feature column and
    /// key values as training settings <c>mlnet.*</c>; <c>nn info</c>, <c>nn predict</c> and <c>nn eval</c> read it too.
    /// </summary>
    public void Save(string path) => WithMlNetSettings().Save(path);

    /// <summary>Reads a transformer written by <see cref="Save"/>; it scores exactly as the saved one did.</summary>
    /// <exception cref="ModelFileException">When the file is not a valid Nn model.</exception>
    /// <exception cref="ArgumentException">When the model was not written by <see cref="Save"/> (no <c>mlnet.*</c> settings).</exception>
    public static NnMlpTransformer Load(string path)
    {
        var model = Model.Load(path);
        var settings = model.Info.Training.ToDictionary(s => s.Name, s => s.Value);
        string Get(string name) => settings.TryGetValue(name, out var v) ? v
            : throw new ArgumentException($"Nn trainer: the model file '{path}' has no training setting '{name}'; it was not saved by NnMlpTransformer.Save.", nameof(path));
        var task = MlTasks.Parse(Get(TaskSetting)) ?? throw new ArgumentException($"Nn trainer: the model file '{path}' has an unknown {TaskSetting} '{Get(TaskSetting)}'.", nameof(path));
        if (!int.TryParse(Get(ClassesSetting), NumberStyles.None, CultureInfo.InvariantCulture, out var classes))
            throw new ArgumentException($"Nn trainer: the model file '{path}' has {ClassesSetting} '{Get(ClassesSetting)}', not a count.", nameof(path));
        var keyValues = settings.TryGetValue(KeyValuesSetting, out var json) ? KeyValueAnnotations(Names(json, classes)
            ?? throw new ArgumentException($"Nn trainer: the model file '{path}' has {KeyValuesSetting} that is not a JSON array of {classes} strings.", nameof(path))) : null;
        return new NnMlpTransformer(model, task, classes, Get(FeaturesSetting), keyValues);
    }

    private Model WithMlNetSettings()
    {
        ImmutableArray<Setting> extra =
        [
            new(TaskSetting, MlTasks.Name(_scorer.Task)),
            new(ClassesSetting, _scorer.Classes.ToString(CultureInfo.InvariantCulture)),
            new(FeaturesSetting, FeatureColumnName),
            .. TextKeyValues() is { } names ? [new Setting(KeyValuesSetting, JsonSerializer.Serialize(names))] : ImmutableArray<Setting>.Empty,
        ];
        var kept = Model.Info.Training.Where(s => !s.Name.StartsWith("mlnet.", StringComparison.Ordinal));
        return Model with { Info = Model.Info with { Training = [.. kept, .. extra] } };
    }

    /// <summary>The label's key values when they are text (what MapValueToKey makes of a text column), else null.</summary>
    private string[]? TextKeyValues()
    {
        var column = _keyValues?.Schema.GetColumnOrNull(Columns.KeyValuesKind);
        if (_keyValues is null || column is not { Type: VectorDataViewType { ItemType: TextDataViewType } }) return null;
        var values = default(VBuffer<ReadOnlyMemory<char>>);
        _keyValues.GetValue(Columns.KeyValuesKind, ref values);
        return [.. values.DenseValues().Select(v => v.ToString())];
    }

    private static string[]? Names(string json, int count)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(json) is { } names && names.Length == count && names.All(n => n is not null) ? names : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DataViewSchema.Annotations KeyValueAnnotations(string[] names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var values = new VBuffer<ReadOnlyMemory<char>>(names.Length, [.. names.Select(n => n.AsMemory())]);
        builder.Add(Columns.KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, names.Length), (ref VBuffer<ReadOnlyMemory<char>> v) => values.CopyTo(ref v));
        return builder.ToAnnotations();
    }
}

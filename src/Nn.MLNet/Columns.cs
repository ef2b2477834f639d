using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Nn.MLNet;

/// <summary>
/// The input checks and output columns of the Nn trainer, in ML.NET's terms. A column that is missing or of the wrong
/// type is refused as ML.NET's own trainers refuse it: an <see cref="ArgumentOutOfRangeException"/> whose one-line message
/// names the column, what was expected and what was found.
/// </summary>
internal static class Columns
{
    public const string Score = "Score";
    public const string PredictedLabel = "PredictedLabel";
    public const string Probability = "Probability";

    /// <summary>The annotation kind holding a key column's values (ML.NET's AnnotationUtils.Kinds.KeyValues, internal there).</summary>
    public const string KeyValuesKind = "KeyValues";

    /// <summary>The feature column: a known-size vector of float or double (of <paramref name="size"/> items when given).</summary>
    public static DataViewSchema.Column Features(DataViewSchema schema, string name, int? size, string paramName)
    {
        var column = Find(schema, name, "feature", paramName);
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: var n } || (item != NumberDataViewType.Single && item != NumberDataViewType.Double) || n == 0)
            throw Mismatch(paramName, "feature", name, "a known-size vector of Single or Double", column.Type);
        if (size is { } expected && n != expected)
            throw Mismatch(paramName, "feature", name, string.Create(CultureInfo.InvariantCulture, $"a vector of {expected} items (as in training)"), column.Type);
        return column;
    }

    /// <summary>The label column the task needs: bool (binary), a key (multiclass), float or double (regression).</summary>
    public static DataViewSchema.Column Label(DataViewSchema schema, string name, MlTask task, string paramName)
    {
        var column = Find(schema, name, "label", paramName);
        var ok = task switch
        {
            MlTask.Binary => column.Type == BooleanDataViewType.Instance,
            MlTask.Multiclass => column.Type is KeyDataViewType { Count: > 0 },
            MlTask.Regression => column.Type == NumberDataViewType.Single || column.Type == NumberDataViewType.Double,
            _ => false,
        };
        return ok ? column : throw Mismatch(paramName, "label", name, ExpectedLabel(task), column.Type);
    }

    /// <summary>The same checks on a schema shape (before any data is seen: sizes and key counts are not known yet).</summary>
    /// <returns>The label column's shape.</returns>
    public static SchemaShape.Column Check(SchemaShape shape, NnMlpOptions options, MlTask task)
    {
        if (Find(shape, options.FeatureColumnName) is not { } features)
            throw Missing(nameof(shape), "feature", options.FeatureColumnName);
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || (features.ItemType != NumberDataViewType.Single && features.ItemType != NumberDataViewType.Double))
            throw Mismatch(nameof(shape), "feature", options.FeatureColumnName, "a known-size vector of Single or Double", Describe(features));
        if (Find(shape, options.LabelColumnName) is not { } label)
            throw Missing(nameof(shape), "label", options.LabelColumnName);
        var ok = label.Kind == SchemaShape.Column.VectorKind.Scalar && task switch
        {
            MlTask.Binary => label.ItemType == BooleanDataViewType.Instance,
            MlTask.Multiclass => label.IsKey,
            MlTask.Regression => !label.IsKey && (label.ItemType == NumberDataViewType.Single || label.ItemType == NumberDataViewType.Double),
            _ => false,
        };
        return ok ? label : throw Mismatch(nameof(shape), "label", options.LabelColumnName, ExpectedLabel(task), Describe(label));
    }

    /// <summary>
    /// Adds the task's output columns to <paramref name="input"/>: Score (float; for multiclass a vector of
    /// <paramref name="classes"/> floats), PredictedLabel (bool, or a key of <paramref name="classes"/> values carrying the
    /// label's key values) and Probability (binary). Same-named input columns stay, hidden, as ML.NET does.
    /// </summary>
    public static DataViewSchema Output(DataViewSchema input, MlTask task, int classes, DataViewSchema.Annotations? keyValues)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        AddOutputs(builder, task, classes, keyValues);
        return builder.ToSchema();
    }

    /// <summary>
    /// The output columns' shapes (the key count is not known before training); a multiclass PredictedLabel carries the
    /// label's key-values annotation (<paramref name="label"/>'s), as ML.NET's chains check before fitting a MapKeyToValue.
    /// </summary>
    public static IReadOnlyList<SchemaShape.Column> OutputShape(MlTask task, SchemaShape.Column label)
    {
        const SchemaShape.Column.VectorKind scalar = SchemaShape.Column.VectorKind.Scalar, vector = SchemaShape.Column.VectorKind.Vector;
        return task switch
        {
            MlTask.Binary => [Shape(Score, scalar, NumberDataViewType.Single, false), Shape(Probability, scalar, NumberDataViewType.Single, false),
                Shape(PredictedLabel, scalar, BooleanDataViewType.Instance, false)],
            MlTask.Multiclass => [Shape(Score, vector, NumberDataViewType.Single, false), Shape(PredictedLabel, scalar, NumberDataViewType.UInt32, true,
                new SchemaShape(label.Annotations.Where(a => a.Name == KeyValuesKind)))],
            _ => [Shape(Score, scalar, NumberDataViewType.Single, false)],
        };
    }

    // ML.NET makes a column shape only internally (its own trainers use the internal constructor); this calls that
    // constructor, pinned by Microsoft.ML 6.0.0 and covered by a test of GetOutputSchema. Null if a later ML.NET drops it:
    // then only GetOutputSchema(SchemaShape) fails, never Fit or Transform.
    private static readonly System.Reflection.ConstructorInfo? ShapeConstructor = typeof(SchemaShape.Column).GetConstructor(
        System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance,
        [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)]);

    private static SchemaShape.Column Shape(string name, SchemaShape.Column.VectorKind kind, DataViewType item, bool isKey, SchemaShape? annotations = null) =>
        (SchemaShape.Column)(ShapeConstructor ?? throw new NotSupportedException(
            "Nn trainer: this Microsoft.ML has no internal SchemaShape.Column constructor; GetOutputSchema(SchemaShape) needs Microsoft.ML 6.0."))
        .Invoke([name, kind, item, isKey, annotations]);

    private static void AddOutputs(DataViewSchema.Builder builder, MlTask task, int classes, DataViewSchema.Annotations? keyValues)
    {
        switch (task)
        {
            case MlTask.Binary:
                builder.AddColumn(Score, NumberDataViewType.Single);
                builder.AddColumn(Probability, NumberDataViewType.Single);
                builder.AddColumn(PredictedLabel, BooleanDataViewType.Instance);
                break;
            case MlTask.Multiclass:
                builder.AddColumn(Score, new VectorDataViewType(NumberDataViewType.Single, classes));
                builder.AddColumn(PredictedLabel, new KeyDataViewType(typeof(uint), classes), keyValues);
                break;
            case MlTask.Regression:
                builder.AddColumn(Score, NumberDataViewType.Single);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(task));
        }
    }

    /// <summary>The label's key-values annotation alone (so PredictedLabel maps back with MapKeyToValue), or null.</summary>
    public static DataViewSchema.Annotations? KeyValues(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull(KeyValuesKind) is null) return null;
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(label.Annotations, name => name == KeyValuesKind);
        return builder.ToAnnotations();
    }

    private static SchemaShape.Column? Find(SchemaShape shape, string name) =>
        shape.Where(c => c.Name == name).Select(c => (SchemaShape.Column?)c).LastOrDefault();

    private static string ExpectedLabel(MlTask task) => task switch
    {
        MlTask.Binary => "Boolean (binary classification)",
        MlTask.Multiclass => "a key (multiclass classification: map the label with MapValueToKey first)",
        _ => "Single or Double (regression)",
    };

    private static DataViewSchema.Column Find(DataViewSchema schema, string name, string role, string paramName) =>
        schema.GetColumnOrNull(name) ?? throw Missing(paramName, role, name);

    private static ArgumentOutOfRangeException Missing(string paramName, string role, string name) =>
        new(paramName, $"Nn trainer: the input has no {role} column '{name}'.");

    private static ArgumentOutOfRangeException Mismatch(string paramName, string role, string name, string expected, object found) =>
        new(paramName, $"Nn trainer: the {role} column '{name}' must be {expected}, but it is {found}.");

    private static string Describe(SchemaShape.Column c) =>
        (c.IsKey ? "a key of " : "") + (c.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : c.Kind + " of ") + c.ItemType;
}

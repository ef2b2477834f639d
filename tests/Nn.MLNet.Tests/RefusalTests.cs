using Microsoft.ML;
using Microsoft.ML.Data;
using Nn.MLNet.Tests.Support;

namespace Nn.MLNet.Tests;

/// <summary>Bad columns, labels and settings are refused before training with one line naming the column, row or setting.</summary>
public sealed class RefusalTests
{
    private static readonly MLContext Ml = new(seed: 0);
    private static readonly Bundled Wine = Bundled.Load("wine");
    private static readonly NnMlpOptions Quick = NnMlpOptions.Of(Comparison.NnSettings(2));

    private static IDataView Train => Wine.View(Ml, Wine.Train);

    private static IDataView Keyed(IDataView data) => Ml.Transforms.Conversion.MapValueToKey("Label", nameof(Example.Class)).Fit(data).Transform(data);

    private static void AssertOneLine(Exception e, params string[] parts)
    {
        Assert.DoesNotContain('\n', e.Message);
        foreach (var part in parts) Assert.Contains(part, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_feature_column_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Ml.MulticlassClassification.Trainers.NnMlp(Quick.WithColumns("Pixels", "Label")).Fit(Keyed(Train)));
        AssertOneLine(e, "no feature column 'Pixels'");
    }

    [Fact]
    public void A_missing_label_column_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Ml.Regression.Trainers.NnMlp(Quick.WithColumns("Features", "Target")).Fit(Train));
        AssertOneLine(e, "no label column 'Target'");
    }

    [Fact]
    public void A_scalar_or_text_feature_column_is_refused_with_its_type()
    {
        var scalar = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Regression.Trainers.NnMlp(Quick.WithColumns("Label", "Label")).Fit(Train));
        AssertOneLine(scalar, "feature column 'Label'", "known-size vector of Single or Double", "Single");
        var text = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Regression.Trainers.NnMlp(Quick.WithColumns(nameof(Example.Class), "Label")).Fit(Train));
        AssertOneLine(text, "feature column 'Class'", "String");
    }

    [Fact]
    public void Each_task_refuses_a_label_of_another_type()
    {
        var multiclass = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.MulticlassClassification.Trainers.NnMlp(Quick).Fit(Train));
        AssertOneLine(multiclass, "label column 'Label'", "MapValueToKey", "Single");
        var binary = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.BinaryClassification.Trainers.NnMlp(Quick).Fit(Train));
        AssertOneLine(binary, "label column 'Label'", "Boolean");
        var regression = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Regression.Trainers.NnMlp(Quick.WithColumns("Features", nameof(Example.Positive))).Fit(Train));
        AssertOneLine(regression, "label column 'Positive'", "Single or Double", "Boolean");
    }

    [Fact]
    public void A_missing_key_is_refused_with_its_row()
    {
        // Keys learned from classes 0 and 1 only: the first class-2 row of the training data has no key (0).
        var firstTwo = Wine.View(Ml, Wine.Train.Where(e => e.Class != "2"));
        var keyed = Ml.Transforms.Conversion.MapValueToKey("Label", nameof(Example.Class)).Fit(firstTwo).Transform(Train);
        var row = Wine.Train.ToList().FindIndex(e => e.Class == "2");
        var e = Assert.Throws<ArgumentException>(() => Ml.MulticlassClassification.Trainers.NnMlp(Quick).Fit(keyed));
        AssertOneLine(e, $"row {row} (0-based)", "missing key");
    }

    [Fact]
    public void A_non_finite_feature_is_refused_with_its_row_and_column()
    {
        var rows = Wine.Train.Select(e => new Example { Features = [.. e.Features], Label = e.Label, Class = e.Class, Positive = e.Positive }).ToList();
        rows[7].Features[3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Ml.MulticlassClassification.Trainers.NnMlp(Quick).Fit(Keyed(Wine.View(Ml, rows))));
        AssertOneLine(e, "Row 7 column 3", "NaN");
    }

    [Fact]
    public void A_single_class_is_refused()
    {
        var rows = Wine.Train.Where(e => e.Class == "0").ToList();
        var e = Assert.ThrowsAny<Exception>(() => Ml.BinaryClassification.Trainers.NnMlp(Quick.WithColumns("Features", nameof(Example.Positive))).Fit(Wine.View(Ml, rows)));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("class", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Settings_for_another_task_or_out_of_range_are_refused_when_the_trainer_is_made()
    {
        var task = Assert.Throws<ArgumentException>(() => Ml.Regression.Trainers.NnMlp(NnMlpOptions.Of(FitSettings.Default with { Task = TaskKind.Classification })));
        AssertOneLine(task, "Settings.Task is Classification", "regression trainer");
        var epochs = Assert.Throws<ArgumentException>(() => Ml.BinaryClassification.Trainers.NnMlp(NnMlpOptions.Of(FitSettings.Default with { Epochs = 0 })));
        AssertOneLine(epochs, "Settings.Epochs", "at least 1");
    }

    [Fact]
    public void Transforming_features_of_another_width_is_refused()
    {
        var nn = Ml.MulticlassClassification.Trainers.NnMlp(Quick).Fit(Keyed(Train));
        var other = Bundled.Load("diabetes");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => nn.Transform(other.View(Ml, other.Test)));
        AssertOneLine(e, "feature column 'Features'", "a vector of 13 items", "Vector<Single, 10>");
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.GetRowToRowMapper(other.View(Ml, other.Test).Schema));
    }

    [Fact]
    public void Scoring_a_non_finite_feature_is_refused_with_its_row()
    {
        var nn = Ml.MulticlassClassification.Trainers.NnMlp(Quick).Fit(Keyed(Train));
        var rows = Wine.Test.Select(e => new Example { Features = [.. e.Features], Label = e.Label, Class = e.Class }).ToList();
        rows[5].Features[2] = float.PositiveInfinity;
        var scored = nn.Transform(Wine.View(Ml, rows));
        var e = Assert.Throws<ArgumentException>(() => Ml.Data.CreateEnumerable<MulticlassOut>(scored, reuseRowObject: false).ToList());
        AssertOneLine(e, "row 5 (0-based), feature 2 is Infinity");
    }
}

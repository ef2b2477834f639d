using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Nn.MLNet.Tests.Support;
using Nn.Shell;

namespace Nn.MLNet.Tests;

/// <summary>
/// The transformer's columns are the library's prediction (Model.Predict on the same features as double) rounded once to
/// float, bit for bit, in every task; they have the types ML.NET's evaluators and MapKeyToValue expect.
/// </summary>
public sealed class OutputTests
{
    private static readonly FitSettings Quick = Comparison.NnSettings(60);

    [Fact]
    public void Multiclass_scores_and_keys_are_the_library_prediction_bit_for_bit()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("wine");
        var key = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Example.Class)).Fit(data.View(ml, data.Train));
        var nn = ml.MulticlassClassification.Trainers.NnMlp(NnMlpOptions.Of(Quick)).Fit(key.Transform(data.View(ml, data.Train)));
        var scored = nn.Transform(key.Transform(data.View(ml, data.Test)));

        var schema = scored.Schema;
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), schema["Score"].Type);
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), schema["PredictedLabel"].Type);

        var outputs = ml.Data.CreateEnumerable<MulticlassOut>(scored, reuseRowObject: false).ToList();
        var expected = (Prediction.Classification)nn.Model.Predict(Bundled.Matrix(data.Test));
        // Keys were given by first occurrence; the model's labels are the class indices key − 1.
        var keyOfClass = nn.Model.Info.Labels.Select(l => int.Parse(l, CultureInfo.InvariantCulture) + 1).ToArray();
        for (var i = 0; i < outputs.Count; i++)
        {
            for (var j = 0; j < 3; j++)
                Assert.Equal(BitConverter.SingleToInt32Bits((float)expected.Probabilities[i, j]), BitConverter.SingleToInt32Bits(outputs[i].Score[keyOfClass[j] - 1]));
            Assert.Equal((uint)keyOfClass[expected.Classes[i]], outputs[i].PredictedLabel);
        }

        // PredictedLabel carries the label's key values: MapKeyToValue gives back the class text, as accurate as the evaluator says.
        var texts = ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel").Fit(scored).Transform(scored)
            .GetColumn<ReadOnlyMemory<char>>("PredictedClass").Select(t => t.ToString()).ToList();
        var accuracy = texts.Zip(data.Test, (t, e) => t == e.Class ? 1.0 : 0.0).Average();
        Assert.Equal(ml.MulticlassClassification.Evaluate(scored).MicroAccuracy, accuracy, 12);
        Assert.True(accuracy > 0.9, $"accuracy {accuracy}");
    }

    [Fact]
    public void Binary_probability_score_and_label_are_the_library_prediction_bit_for_bit()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("breast_cancer");
        var nn = ml.BinaryClassification.Trainers.NnMlp(NnMlpOptions.Of(Quick).WithColumns("Features", nameof(Example.Positive))).Fit(data.View(ml, data.Train));
        var scored = nn.Transform(data.View(ml, data.Test));
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Probability"].Type);
        Assert.Equal(BooleanDataViewType.Instance, scored.Schema["PredictedLabel"].Type);

        var outputs = ml.Data.CreateEnumerable<BinaryOut>(scored, reuseRowObject: false).ToList();
        var expected = (Prediction.Classification)nn.Model.Predict(Bundled.Matrix(data.Test));
        var positive = nn.Model.Info.Labels.IndexOf("1");
        for (var i = 0; i < outputs.Count; i++)
        {
            var p = expected.Probabilities[i, positive];
            Assert.Equal(BitConverter.SingleToInt32Bits((float)p), BitConverter.SingleToInt32Bits(outputs[i].Probability));
            Assert.Equal(BitConverter.SingleToInt32Bits((float)Math.Log(p / (1 - p))), BitConverter.SingleToInt32Bits(outputs[i].Score));
            Assert.Equal(expected.Classes[i] == positive, outputs[i].PredictedLabel);
            Assert.Equal(outputs[i].PredictedLabel, outputs[i].Score > 0);
        }
        Assert.Contains(outputs, o => o.PredictedLabel);
        Assert.Contains(outputs, o => !o.PredictedLabel);
    }

    [Fact]
    public void Regression_scores_are_the_library_prediction_bit_for_bit_from_float_and_from_double_features()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("diabetes");
        var nn = ml.Regression.Trainers.NnMlp(NnMlpOptions.Of(Quick)).Fit(data.View(ml, data.Train));
        var expected = ((Prediction.Regression)nn.Model.Predict(Bundled.Matrix(data.Test))).Values;
        var fromFloat = ml.Data.CreateEnumerable<RegressionOut>(nn.Transform(data.View(ml, data.Test)), reuseRowObject: false).Select(o => o.Score).ToList();
        // The same features widened to double by ML.NET before the transformer: the same doubles, the same scores.
        var widen = ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double);
        var doubles = widen.Fit(data.View(ml, data.Test)).Transform(data.View(ml, data.Test));
        var fromDouble = ml.Data.CreateEnumerable<RegressionOut>(nn.Transform(doubles), reuseRowObject: false).Select(o => o.Score).ToList();
        Assert.Equal(expected.Length, fromFloat.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits((float)expected[i]), BitConverter.SingleToInt32Bits(fromFloat[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(fromFloat[i]), BitConverter.SingleToInt32Bits(fromDouble[i]));
        }

        // Training from double features gives the same model as from the same values in float.
        var fromDoubles = ml.Regression.Trainers.NnMlp(NnMlpOptions.Of(Quick)).Fit(widen.Fit(data.View(ml, data.Train)).Transform(data.View(ml, data.Train)));
        Assert.Equal(nn.Model.Network, fromDoubles.Model.Network);
    }

    [Fact]
    public void A_prediction_engine_scores_one_row_as_the_transformed_data_view_does()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("wine");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Example.Class))
            .Append(ml.MulticlassClassification.Trainers.NnMlp(NnMlpOptions.Of(Quick)));
        var model = pipeline.Fit(data.View(ml, data.Train));
        var batch = ml.Data.CreateEnumerable<MulticlassOut>(model.Transform(data.View(ml, data.Test)), reuseRowObject: false).ToList();
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Width);
        var engine = ml.Model.CreatePredictionEngine<Example, MulticlassOut>(model, inputSchemaDefinition: schema);
        for (var i = 0; i < data.Test.Count; i++)
        {
            var one = engine.Predict(data.Test[i]);
            Assert.Equal(batch[i].Score, one.Score);
            Assert.Equal(batch[i].PredictedLabel, one.PredictedLabel);
        }
    }

    [Fact]
    public void The_estimator_output_shape_adds_the_task_columns()
    {
        var ml = new MLContext(seed: 0);
        var data = Bundled.Load("wine");
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Example.Class)).Fit(data.View(ml, data.Train)).Transform(data.View(ml, data.Train));
        // ML.NET makes a SchemaShape from a schema only internally; reach it as its own pipelines do.
        var create = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, [typeof(DataViewSchema)])!;
        var shape = (SchemaShape)create.Invoke(null, [keyed.Schema])!;
        var output = ml.MulticlassClassification.Trainers.NnMlp().GetOutputSchema(shape);
        var score = output.Single(c => c.Name == "Score");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        var predicted = output.Single(c => c.Name == "PredictedLabel");
        Assert.True(predicted.IsKey);
        // The label's key values go with it, so a MapKeyToValue after the trainer passes the chain's check before fitting.
        Assert.Contains(predicted.Annotations, a => a.Name == "KeyValues");
        Assert.Equal(shape.Count + 2, output.Count);

        var plain = (SchemaShape)create.Invoke(null, [data.View(ml, data.Train).Schema])!;
        var binary = ml.BinaryClassification.Trainers.NnMlp(NnMlpOptions.Default.WithColumns("Features", nameof(Example.Positive))).GetOutputSchema(plain);
        Assert.Contains(binary, c => c.Name == "Probability" && c.ItemType == NumberDataViewType.Single);
        Assert.Equal(plain.Count + 3, binary.Count);
        var regression = ml.Regression.Trainers.NnMlp().GetOutputSchema(plain);
        Assert.Equal(plain.Count + 1, regression.Count);
        // The float label is no key: the multiclass trainer refuses it before any data is read.
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.NnMlp().GetOutputSchema(plain));
        Assert.Contains("'Label'", refused.Message, StringComparison.Ordinal);
    }
}

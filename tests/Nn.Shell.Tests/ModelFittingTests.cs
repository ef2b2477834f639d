using System.Collections.Immutable;

namespace Nn.Shell.Tests;

/// <summary>The one-call fit from code: labels as text or numbers, values for regression, predict, score, save, load.</summary>
public sealed class ModelFittingTests
{
    private static readonly FitSettings Quick = FitSettings.Default with { Layers = [16], Epochs = 60, Seed = 1, Optimizer = Optimizers.Adam(0.01) };

    private static (Matrix X, int[] Classes) Blobs(long seed, int rows)
    {
        var d = Synthetic.Blobs(Key.FromSeed(seed), rows, 3, 2, 0.6);
        return (d.X, [.. d.Labels]);
    }

    [Fact]
    public void Text_labels_fit_predict_score_save_and_load()
    {
        string[] names = ["setosa", "versicolor", "virginica"];
        // One draw (the blobs' centres come from the key), split into a training and a test part.
        var (all, allClasses) = Blobs(2, 360);
        var x = all.SelectRows([.. Enumerable.Range(0, 240)]);
        var xt = all.SelectRows([.. Enumerable.Range(240, 120)]);
        var (classes, ct) = (allClasses[..240], allClasses[240..]);
        var labels = classes.Select(c => names[c]).ToArray();
        var model = Model.Fit(x, labels, Quick);
        Assert.Equal(TaskKind.Classification, model.Info.Task);
        Assert.Equal(names, model.Info.Labels.ToArray());
        string[] truth = [.. ct.Select(c => names[c])];
        var accuracy = model.Score(xt, truth);
        Assert.True(accuracy > 0.9, $"accuracy {accuracy}");
        var predicted = model.PredictLabels(xt);
        Assert.Equal(accuracy, Classification.Accuracy([.. ct], [.. predicted.Select(l => Array.IndexOf(names, l))]), 12);
        var p = model.PredictProbabilities(xt);
        Assert.Equal((120, 3), (p.Rows, p.Cols));
        var report = Assert.IsType<EvalReport.Classification>(model.Evaluate(xt, truth));
        Assert.Equal(accuracy, report.Metrics.Report.Accuracy);

        var path = Path.Combine(Path.GetTempPath(), $"nn-fit-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var back = Model.Load(path);
            Assert.Equal(model, back);
            Assert.Equal(predicted.ToArray(), back.PredictLabels(xt).ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Class_numbers_and_regression_values_are_read_as_nn_train_reads_a_column()
    {
        var (x, classes) = Blobs(4, 150);
        var byNumber = Model.Fit(x, classes, Quick);
        var byText = Model.Fit(x, classes.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), Quick);
        Assert.Equal(byText, byNumber);
        Assert.Equal(["0", "1", "2"], byNumber.Info.Labels.ToArray());

        var problem = Synthetic.LinearRegression(Key.FromSeed(5), 200, 3, 0.05);
        var values = problem.Data.Y.ToArray();
        var regression = Model.Fit(problem.Data.X, values, Quick);
        Assert.Equal(TaskKind.Regression, regression.Info.Task);
        Assert.NotNull(regression.Info.TargetScaling);
        var r2 = regression.Score(problem.Data.X, values);
        Assert.True(r2 > 0.95, $"R² {r2}");
        var prediction = Assert.IsType<Prediction.Regression>(regression.Predict(problem.Data.X));
        Assert.Equal(r2, Regression.RSquared(Vector.Of(values), Vector.Of([.. prediction.Values])), 12);
        Assert.Throws<InvalidOperationException>(() => regression.PredictLabels(problem.Data.X));
    }

    [Fact]
    public void A_fit_refuses_what_nn_train_refuses()
    {
        var (x, classes) = Blobs(6, 30);
        Assert.Throws<ArgumentException>(() => Model.Fit(x, classes.Take(29).ToArray(), Quick));
        var bad = Matrix.Init(x.Rows, x.Cols, (r, c) => r == 3 && c == 1 ? double.NaN : x[r, c]);
        Assert.Contains("Row 3 column 1", Assert.Throws<ArgumentException>(() => Model.Fit(bad, classes, Quick)).Message);
        Assert.Contains("single class", Assert.Throws<DataFileException>(() => Model.Fit(x, Enumerable.Repeat("a", 30).ToArray(), Quick)).Message);
        // One stray text cell in a column of numbers is refused, not read as 30 classes.
        string[] mixed = [.. Enumerable.Range(0, 30).Select(i => i == 7 ? "n/a" : (i * 0.37).ToString("R", System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Contains("n/a", Assert.Throws<DataFileException>(() => Model.Fit(x, mixed, Quick)).Message);
        Assert.Contains("Epochs", Assert.Throws<ArgumentException>(() => Model.Fit(x, classes, Quick with { Epochs = 0 })).Message);
    }
}

using Microsoft.DotNet.Interactive.Formatting;
using Nn.Interactive;

namespace Nn.Shell.Tests;

/// <summary>The notebook views render each value to HTML, and the registered formatters are the ones a notebook calls.</summary>
public sealed class NotebookViewTests
{
    private static Model Trained(out History history, out Matrix x, out int[] classes)
    {
        var data = Synthetic.Blobs(Key.FromSeed(8), 90, 3, 2, 0.5);
        (x, classes) = (data.X, [.. data.Labels]);
        var outcome = TrainJob.Fit(FitSettings.Default with { Layers = [8], Epochs = 15, Seed = 1, Optimizer = Optimizers.Adam(0.02), ValidationFraction = 0.4 },
            Model.InMemory(data.X, classes), null, CancellationToken.None);
        history = outcome.Result.History;
        return outcome.Model;
    }

    [Fact]
    public void A_matrix_shows_its_shape_and_elides_what_does_not_fit()
    {
        var small = Views.Matrix(Matrix.FromRows([[1.5, -2.0], [0.25, 3.0]]));
        Assert.Contains("Matrix 2 × 2", small);
        Assert.Contains("<td>-2</td>", small);
        Assert.DoesNotContain("…", small);
        var large = Views.Matrix(Matrix.Init(30, 20, (r, c) => r * 100 + c));
        Assert.Contains("Matrix 30 × 20", large);
        Assert.Contains("<td>1111</td>", large);            // row 11, column 11: the last shown
        Assert.DoesNotContain("<td>1212</td>", large);      // row 12 is elided
        Assert.Contains("…", large);
        Assert.Contains("Vector[3]", Views.Vector(Vector.Of(1, 2, 3)));
    }

    [Fact]
    public void Networks_histories_evaluations_and_gradient_checks_render_their_parts()
    {
        var model = Trained(out var history, out var x, out var classes);
        var network = Views.Network(model.Network);
        Assert.Contains("2 → 8", network);
        Assert.Contains("8 → 3", network);
        Assert.Contains($"<th>{model.Network.ParameterCount:N0}</th>", network);

        var curves = Views.History(history);
        Assert.Contains("<svg", curves);
        Assert.Contains("training loss", curves);
        Assert.Contains("validation accuracy", curves);

        var evaluation = Views.Evaluation(model.Evaluate(x, classes));
        Assert.Contains("accuracy", evaluation);
        Assert.Contains("Confusion matrix", evaluation);
        Assert.Equal(3, evaluation.Split("<svg").Length);   // the heat map and the reliability diagram

        var network0 = model.Network;
        var y = RunPlans.EncodeClasses(3, classes.Take(6).ToArray(), 3);
        var check = GradientCheck.Run(network0, RunPlans.ScaleFeatures(model.Info.Scaling, x.SelectRows([0, 1, 2, 3, 4, 5])), y,
            Objective.Of(model.Info.Loss), GradientCheckOptions.Default);
        var table = Views.GradientCheck(check);
        Assert.Contains($"Gradient check: {GradientCheckJson.Name(check.Verdict)}", table);
        Assert.Contains("<td>W1</td>", table);
    }

    [Fact]
    public void Registered_formatters_are_what_a_notebook_displays()
    {
        NnFormatters.Register();
        var m = Matrix.FromRows([[1.0, 2.0]]);
        Assert.Equal(Views.Matrix(m), m.ToDisplayString(NnFormatters.MimeType));
        var model = Trained(out var history, out _, out _);
        Assert.Equal(Views.Network(model.Network), model.Network.ToDisplayString(NnFormatters.MimeType));
        Assert.Equal(Views.History(history), history.ToDisplayString(NnFormatters.MimeType));
    }
}

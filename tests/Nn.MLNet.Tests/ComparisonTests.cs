using Nn.MLNet.Tests.Support;
using Xunit.Abstractions;

namespace Nn.MLNet.Tests;

/// <summary>
/// Nn against ML.NET's trainers on real data, scored by ML.NET's evaluators on the same test rows (docs/mlnet.md's table):
/// Nn must come within a small margin of the best baseline.
/// </summary>
public sealed class ComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void Wine_multiclass_accuracy_is_within_0_03_of_LbfgsMaximumEntropy()
    {
        var scores = Comparison.Multiclass();
        output.WriteLine(Comparison.Table("wine (36 test rows)", scores));
        var (nn, maxEnt) = (scores[0].Metrics, scores[1].Metrics);
        Assert.True(nn["micro accuracy"] >= maxEnt["micro accuracy"] - 0.03, $"Nn {nn["micro accuracy"]} vs LbfgsMaximumEntropy {maxEnt["micro accuracy"]}");
        Assert.True(nn["macro accuracy"] >= maxEnt["macro accuracy"] - 0.03, $"Nn {nn["macro accuracy"]} vs LbfgsMaximumEntropy {maxEnt["macro accuracy"]}");
        Assert.True(nn["log loss"] < 0.3, $"Nn log loss {nn["log loss"]}");
    }

    [Fact]
    public void Breast_cancer_binary_accuracy_and_auc_are_within_0_03_of_the_best_baseline()
    {
        var scores = Comparison.Binary();
        output.WriteLine(Comparison.Table("breast cancer (113 test rows)", scores));
        var nn = scores[0].Metrics;
        foreach (var metric in new[] { "accuracy", "AUC" })
        {
            var best = scores.Skip(1).Max(s => s.Metrics[metric]);
            Assert.True(nn[metric] >= best - 0.03, $"Nn {metric} {nn[metric]} vs best baseline {best}");
        }
    }

    [Fact]
    public void Diabetes_regression_r2_is_within_0_05_of_the_best_baseline()
    {
        var scores = Comparison.Regression();
        output.WriteLine(Comparison.Table("diabetes (88 test rows)", scores));
        var nn = scores[0].Metrics;
        var best = scores.Skip(1).Max(s => s.Metrics["R²"]);
        Assert.True(nn["R²"] >= best - 0.05, $"Nn R² {nn["R²"]} vs best baseline {best}");
    }
}

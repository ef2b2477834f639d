using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn;

namespace Nn.Properties;

/// <summary>Property 9: metrics agree with their textbook definitions on random label lists and probabilities.</summary>
public sealed class MetricsProperties
{
    /// <summary>k classes, true labels and predicted labels (each of length m); predictions copy the truth about half the time.</summary>
    public sealed record LabelCase(int Classes, int[] Truth, int[] Predicted)
    {
        public override string ToString() => $"k={Classes} truth=[{string.Join(",", Truth)}] pred=[{string.Join(",", Predicted)}]";
    }

    /// <summary>A probability matrix (m × k) with truth labels; rows are normalised small integers so ties and exact bin edges occur.</summary>
    public sealed record ProbabilityCase(int Classes, double[][] Probabilities, int[] Truth, int Bins)
    {
        public Matrix P => Matrix.FromRows(Probabilities);

        public override string ToString() =>
            $"k={Classes} B={Bins} truth=[{string.Join(",", Truth)}] P=[{string.Join("; ", Probabilities.Select(r => string.Join(",", r)))}]";
    }

    private static readonly Gen<LabelCase> LabelCases =
        from k in Gen.Choose(1, 6)
        from m in Gen.Choose(1, 40)
        from truth in Gen.ArrayOf(Gen.Choose(0, k - 1), m)
        from raw in Gen.ArrayOf(Gen.Choose(0, 2 * k - 1), m)
        select new LabelCase(k, truth, raw.Select((r, i) => r >= k ? truth[i] : r).ToArray());

    private static readonly Gen<ProbabilityCase> ProbabilityCases =
        from k in Gen.Choose(1, 5)
        from m in Gen.Choose(1, 30)
        from weights in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 4), k), m)
        from truth in Gen.ArrayOf(Gen.Choose(0, k - 1), m)
        from bins in Gen.Choose(1, 12)
        select new ProbabilityCase(k, weights.Select(Normalise).ToArray(), truth, bins);

    private static double[] Normalise(int[] w)
    {
        var s = w.Sum();
        return s == 0 ? w.Select(_ => 1.0 / w.Length).ToArray() : w.Select(x => (double)x / s).ToArray();
    }

    // Textbook counts, straight from the label lists (not from the code under test).
    private static int Tp(LabelCase c, int k) => c.Truth.Where((t, i) => t == k && c.Predicted[i] == k).Count();
    private static int Fp(LabelCase c, int k) => c.Truth.Where((t, i) => t != k && c.Predicted[i] == k).Count();
    private static int Fn(LabelCase c, int k) => c.Truth.Where((t, i) => t == k && c.Predicted[i] != k).Count();
    private static double Div(double a, double b) => b == 0 ? 0 : a / b;
    private static bool Close(double a, double b, double tol = 1e-12) => Math.Abs(a - b) <= tol * Math.Max(1.0, Math.Abs(b));

    [Property(Replay = "(1592592641,11400714819323198485)", MaxTest = 200)] // seed 0x5EED0901
    public Property Property9_confusion_matrix_counts_pairs_and_its_diagonal_is_the_accuracy() =>
        Prop.ForAll(LabelCases.ToArbitrary(), c =>
        {
            var cm = Classification.Confusion(c.Truth, c.Predicted, c.Classes);
            var m = c.Truth.Length;
            var pairsOk = Enumerable.Range(0, c.Classes).All(t => Enumerable.Range(0, c.Classes).All(p =>
                cm.Count(t, p) == c.Truth.Where((x, i) => x == t && c.Predicted[i] == p).Count()));
            var diagonal = Enumerable.Range(0, c.Classes).Sum(k => cm.Count(k, k));
            var accuracy = Classification.Accuracy(c.Truth, c.Predicted);
            var textbookAccuracy = (double)c.Truth.Where((t, i) => t == c.Predicted[i]).Count() / m;
            return pairsOk && cm.Total == m && cm.Counts.Sum() == m && (double)diagonal / m == accuracy && accuracy == textbookAccuracy
                && cm.Support.SequenceEqual(Enumerable.Range(0, c.Classes).Select(k => c.Truth.Count(t => t == k)));
        });

    [Property(Replay = "(1592592642,11400714819323198485)", MaxTest = 200)] // seed 0x5EED0902
    public Property Property9_report_matches_textbook_precision_recall_F1_and_averages() =>
        Prop.ForAll(LabelCases.ToArbitrary(), c =>
        {
            var r = Classification.Report(Classification.Confusion(c.Truth, c.Predicted, c.Classes));
            var k = c.Classes;
            var m = c.Truth.Length;
            var p = Enumerable.Range(0, k).Select(j => Div(Tp(c, j), Tp(c, j) + Fp(c, j))).ToArray();
            var rc = Enumerable.Range(0, k).Select(j => Div(Tp(c, j), Tp(c, j) + Fn(c, j))).ToArray();
            var f1 = Enumerable.Range(0, k).Select(j => Div(2 * p[j] * rc[j], p[j] + rc[j])).ToArray();
            var support = Enumerable.Range(0, k).Select(j => c.Truth.Count(t => t == j)).ToArray();
            var accuracy = Classification.Accuracy(c.Truth, c.Predicted);
            var perClass = Enumerable.Range(0, k).All(j => Close(r.Precision[j], p[j]) && Close(r.Recall[j], rc[j]) && Close(r.F1[j], f1[j]));
            var inRange = r.Precision.Concat(r.Recall).Concat(r.F1).All(v => v >= 0 && v <= 1);
            var macro = Close(r.Macro.F1, f1.Average()) && Close(r.Macro.Precision, p.Average()) && Close(r.Macro.Recall, rc.Average());
            var weighted = Close(r.Weighted.F1, Enumerable.Range(0, k).Sum(j => f1[j] * support[j]) / m)
                && Close(r.Weighted.Recall, Enumerable.Range(0, k).Sum(j => rc[j] * support[j]) / m);
            var micro = Close(r.Micro.F1, accuracy) && Close(r.Micro.Precision, accuracy) && Close(r.Micro.Recall, accuracy);
            // Weighted recall is the accuracy too: Σ_c (TP_c/n_c)(n_c/m) = Σ TP_c / m.
            return perClass && inRange && macro && weighted && micro && Close(r.Weighted.Recall, accuracy)
                && r.Support.SequenceEqual(support) && r.Accuracy == accuracy;
        });

    [Property(Replay = "(1592592643,11400714819323198485)", MaxTest = 200)] // seed 0x5EED0903
    public Property Property9_top1_of_one_hot_ish_probabilities_is_accuracy_and_topk_with_k_classes_is_one() =>
        Prop.ForAll(LabelCases.ToArbitrary(), c =>
        {
            var k = c.Classes;
            var probs = Matrix.Init(c.Truth.Length, k, (i, j) => k == 1 ? 1.0 : j == c.Predicted[i] ? 0.6 : 0.4 / (k - 1));
            return Labels.ArgMax(probs).SequenceEqual(c.Predicted)
                && Classification.TopKAccuracy(c.Truth, probs, 1) == Classification.Accuracy(c.Truth, c.Predicted)
                && Classification.TopKAccuracy(c.Truth, probs, k) == 1.0;
        });

    [Property(Replay = "(1592592644,11400714819323198485)", MaxTest = 200)] // seed 0x5EED0904
    public Property Property9_topk_matches_a_sort_based_reference_and_grows_with_k() =>
        Prop.ForAll(ProbabilityCases.ToArbitrary(), c =>
        {
            var m = c.Truth.Length;
            var ok = true;
            var previous = 0.0;
            for (var kk = 1; kk <= c.Classes + 1; kk++)
            {
                // Reference: order classes by probability descending, then index ascending; take the first kk.
                var hits = Enumerable.Range(0, m).Count(i => Enumerable.Range(0, c.Classes)
                    .OrderByDescending(j => c.Probabilities[i][j]).ThenBy(j => j).Take(kk).Contains(c.Truth[i]));
                var topK = Classification.TopKAccuracy(c.Truth, c.P, kk);
                ok &= topK == (double)hits / m && topK >= previous;
                previous = topK;
            }
            return ok && previous == 1.0;
        });

    [Property(Replay = "(1592592645,11400714819323198485)", MaxTest = 200)] // seed 0x5EED0905
    public Property Property9_ece_is_in_unit_interval_bins_partition_the_examples_and_match_a_reference() =>
        Prop.ForAll(ProbabilityCases.ToArbitrary(), c =>
        {
            var m = c.Truth.Length;
            var report = Calibration.ExpectedCalibrationError(c.Truth, c.P, c.Bins);
            var conf = c.Probabilities.Select(r => r.Max()).ToArray();
            var pred = c.Probabilities.Select(r => Array.IndexOf(r, r.Max())).ToArray();
            // Reference membership straight from the definition: bin b holds (b/B, (b+1)/B], and 0 goes to bin 0.
            int BinOf(double x) => x == 0 ? 0 : Enumerable.Range(0, c.Bins).First(b => x > (double)b / c.Bins && x <= (double)(b + 1) / c.Bins);
            var ece = 0.0;
            var binsOk = report.Bins.Length == c.Bins;
            for (var b = 0; b < c.Bins; b++)
            {
                var members = Enumerable.Range(0, m).Where(i => BinOf(conf[i]) == b).ToArray();
                var bin = report.Bins[b];
                binsOk &= bin.Count == members.Length && bin.Lower == (double)b / c.Bins && bin.Upper == (double)(b + 1) / c.Bins;
                if (members.Length == 0) continue;
                var meanConf = members.Average(i => conf[i]);
                var acc = (double)members.Count(i => pred[i] == c.Truth[i]) / members.Length;
                binsOk &= Close(bin.MeanConfidence, meanConf) && Close(bin.Accuracy, acc);
                ece += (double)members.Length / m * Math.Abs(acc - meanConf);
            }
            return binsOk && report.Bins.Sum(b => b.Count) == m && report.Ece >= 0 && report.Ece <= 1 && Close(report.Ece, ece);
        });

    [Property(Replay = "(1592592646,11400714819323198485)", MaxTest = 200)] // seed 0x5EED0906
    public Property Property9_log_loss_matches_the_clipped_mean_negative_log_likelihood() =>
        Prop.ForAll(ProbabilityCases.ToArbitrary(), c =>
        {
            var expected = -c.Truth.Select((t, i) => Math.Log(Math.Min(Math.Max(c.Probabilities[i][t], 1e-15), 1 - 1e-15))).Average();
            var actual = Classification.LogLoss(c.Truth, c.P);
            return Close(actual, expected) && actual >= 0 && double.IsFinite(actual);
        });

    private static readonly Gen<double[][]> RegressionCases =
        from m in Gen.Choose(1, 30)
        from y in Gen.ArrayOf(Gen.Choose(-50, 50), m)
        from yHat in Gen.ArrayOf(Gen.Choose(-50, 50), m)
        select new[] { y.Select(v => v / 4.0).ToArray(), yHat.Select(v => v / 4.0).ToArray() };

    [Property(Replay = "(1592592647,11400714819323198485)", MaxTest = 200)] // seed 0x5EED0907
    public Property Property9_regression_metrics_agree_with_their_definitions() =>
        Prop.ForAll(RegressionCases.ToArbitrary(), c =>
        {
            var y = Vector.Of(c[0]);
            var yHat = Vector.Of(c[1]);
            var m = c[0].Length;
            var mse = Regression.MeanSquaredError(y, yHat);
            var rmse = Regression.RootMeanSquaredError(y, yHat);
            var mae = Regression.MeanAbsoluteError(y, yHat);
            var r2 = Regression.RSquared(y, yHat);
            var mean = c[0].Average();
            var ssRes = c[0].Select((v, i) => (v - c[1][i]) * (v - c[1][i])).Sum();
            var ssTot = c[0].Select(v => (v - mean) * (v - mean)).Sum();
            var r2Ok = ssTot == 0 ? r2 == (ssRes == 0 ? 1.0 : 0.0) : Close(r2, 1 - ssRes / ssTot, 1e-9);
            return Close(mse, ssRes / m) && Close(rmse * rmse, mse, 1e-12) && mae <= rmse + 1e-12
                && Close(mae, c[0].Select((v, i) => Math.Abs(v - c[1][i])).Average()) && r2 <= 1.0 && r2Ok
                && Regression.RSquared(y, y) == 1.0 && Regression.MeanSquaredError(y, y) == 0.0;
        });

    // ---- Examples computed by hand or taken from scikit-learn's documentation ----

    private static void AssertAll(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], tolerance);
    }

    [Fact]
    public void Hand_computed_three_class_report()
    {
        int[] truth = [0, 0, 1, 1, 1, 2, 2, 2, 2];
        int[] pred = [0, 1, 1, 1, 2, 2, 2, 0, 0];
        var cm = Classification.Confusion(truth, pred, 3);
        Assert.Equal(new ConfusionMatrix(3, [1, 1, 0, 0, 2, 1, 2, 0, 2]), cm);
        var r = Classification.Report(cm);
        AssertAll([1.0 / 3, 2.0 / 3, 2.0 / 3], r.Precision.ToArray(), 1e-15);
        AssertAll([1.0 / 2, 2.0 / 3, 1.0 / 2], r.Recall.ToArray(), 1e-15);
        AssertAll([2.0 / 5, 2.0 / 3, 4.0 / 7], r.F1.ToArray(), 1e-15);
        Assert.Equal([2, 3, 4], r.Support.ToArray());
        Assert.Equal(5.0 / 9, r.Accuracy, 1e-15);
        Assert.Equal((2.0 / 5 + 2.0 / 3 + 4.0 / 7) / 3, r.Macro.F1, 1e-15);
        Assert.Equal((2 * 2.0 / 5 + 3 * 2.0 / 3 + 4 * 4.0 / 7) / 9, r.Weighted.F1, 1e-15);
        Assert.Equal(5.0 / 9, r.Micro.F1, 1e-15);
    }

    [Fact]
    public void Scikit_learn_f1_precision_recall_examples()
    {
        // sklearn.metrics.f1_score / precision_score / recall_score documentation examples.
        var r = Classification.Report(Classification.Confusion([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 3));
        Assert.Equal(0.26666666666666666, r.Macro.F1, 1e-12);
        Assert.Equal(0.33333333333333333, r.Micro.F1, 1e-12);
        Assert.Equal(0.26666666666666666, r.Weighted.F1, 1e-12);
        AssertAll([0.8, 0.0, 0.0], r.F1.ToArray(), 1e-12);
        Assert.Equal(0.22222222222222222, r.Macro.Precision, 1e-12);
        Assert.Equal(0.22222222222222222, r.Weighted.Precision, 1e-12);
        Assert.Equal(0.33333333333333333, r.Macro.Recall, 1e-12);
    }

    [Fact]
    public void Zero_division_counts_as_zero()
    {
        var r = Classification.Report(Classification.Confusion([0, 0], [0, 0], 2));
        Assert.Equal([1.0, 0.0], r.Precision.ToArray());
        Assert.Equal([1.0, 0.0], r.Recall.ToArray());
        Assert.Equal([1.0, 0.0], r.F1.ToArray());
        Assert.Equal(0.5, r.Macro.F1);
        Assert.Equal(1.0, r.Weighted.F1);
    }

    [Fact]
    public void Scikit_learn_top_k_and_log_loss_examples()
    {
        var scores = Matrix.FromRows([[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]]);
        Assert.Equal(0.75, Classification.TopKAccuracy([0, 1, 2, 2], scores, 2));
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) = 0.21616…
        var p = Matrix.FromRows([[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]);
        Assert.Equal(0.21616187468057912, Classification.LogLoss([1, 0, 0, 1], p), 1e-12);
        Assert.Equal(-Math.Log(1e-15), Classification.LogLoss([1], Matrix.FromRows([[1.0, 0.0]])), 1e-9);
    }

    [Fact]
    public void Hand_computed_expected_calibration_error()
    {
        // Confidences 0.9 (right), 0.8 (wrong), 0.7 (right), 0.5 (tie → class 0, wrong). B = 2: (0, ½] and (½, 1].
        var p = Labels.BinaryToTwoClass(Matrix.ColumnOf(Vector.Of(0.1, 0.2, 0.7, 0.5)));
        var report = Calibration.ExpectedCalibrationError([0, 1, 1, 1], p, 2);
        Assert.Equal(new CalibrationBin(0.0, 0.5, 1, 0.5, 0.0), report.Bins[0]);
        Assert.Equal(1, report.Bins[0].Count);
        Assert.Equal(3, report.Bins[1].Count);
        Assert.Equal(0.8, report.Bins[1].MeanConfidence, 1e-15);
        Assert.Equal(2.0 / 3, report.Bins[1].Accuracy, 1e-15);
        Assert.Equal(0.25 * 0.5 + 0.75 * (0.8 - 2.0 / 3), report.Ece, 1e-15);
    }

    [Fact]
    public void Scikit_learn_regression_examples()
    {
        var y = Vector.Of(3, -0.5, 2, 7);
        var yHat = Vector.Of(2.5, 0.0, 2, 8);
        Assert.Equal(0.375, Regression.MeanSquaredError(y, yHat), 1e-15);
        Assert.Equal(0.5, Regression.MeanAbsoluteError(y, yHat), 1e-15);
        Assert.Equal(Math.Sqrt(0.375), Regression.RootMeanSquaredError(y, yHat), 1e-15);
        Assert.Equal(0.9486081370449679, Regression.RSquared(y, yHat), 1e-12);
        Assert.Equal(1.0, Regression.RSquared(Vector.Of(1, 1, 1), Vector.Of(1, 1, 1)));
        Assert.Equal(0.0, Regression.RSquared(Vector.Of(1, 1, 1), Vector.Of(1, 1, 2)));
    }

    [Fact]
    public void ArgMax_breaks_ties_to_the_lowest_index_and_binary_becomes_two_columns()
    {
        Assert.Equal([1, 0, 2], Labels.ArgMax(Matrix.FromRows([[0.2, 0.4, 0.4], [0.5, 0.5, 0.0], [0.1, 0.2, 0.7]])).ToArray());
        Assert.Equal(Matrix.FromRows([[0.75, 0.25], [0.0, 1.0]]), Labels.BinaryToTwoClass(Matrix.ColumnOf(Vector.Of(0.25, 1.0))));
    }

    [Fact]
    public void Bad_inputs_throw_argument_exceptions()
    {
        Assert.Throws<ArgumentException>(() => Classification.Accuracy([], []));
        Assert.Throws<ArgumentException>(() => Classification.Accuracy([0, 1], [0]));
        Assert.Throws<ArgumentException>(() => Classification.Confusion([0, 3], [0, 1], 3));
        Assert.Throws<ArgumentException>(() => Classification.Confusion([0, 1], [0, -1], 3));
        Assert.Throws<ArgumentException>(() => Classification.TopKAccuracy([0], Matrix.Zeros(2, 2), 1));
        Assert.Throws<ArgumentException>(() => Classification.TopKAccuracy([0], Matrix.Zeros(1, 2), 0));
        Assert.Throws<ArgumentException>(() => Classification.LogLoss([2], Matrix.Zeros(1, 2)));
        Assert.Throws<ArgumentException>(() => Calibration.ExpectedCalibrationError([0], Matrix.Zeros(1, 2), 0));
        Assert.Throws<ArgumentException>(() => Calibration.ExpectedCalibrationError([0], Matrix.FromRows([[1.5, 0.0]]), 10));
        Assert.Throws<ArgumentException>(() => Regression.RSquared(Vector.Of(1), Vector.Of(1, 2)));
        Assert.Throws<ArgumentException>(() => Regression.MeanSquaredError(Vector.Empty, Vector.Empty));
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix(2, [1, 2, 3]));
    }

    [Fact]
    public void Reports_have_value_equality()
    {
        int[] truth = [0, 1, 2, 2, 1];
        int[] pred = [0, 2, 2, 1, 1];
        Assert.Equal(Classification.Confusion(truth, pred, 3), Classification.Confusion(truth.ToArray(), pred.ToArray(), 3));
        Assert.Equal(Classification.Report(Classification.Confusion(truth, pred, 3)), Classification.Report(Classification.Confusion(truth, pred, 3)));
        var p = Matrix.FromRows([[0.2, 0.8], [0.6, 0.4]]);
        Assert.Equal(Calibration.ExpectedCalibrationError([1, 1], p, 5), Calibration.ExpectedCalibrationError([1, 1], p, 5));
        Assert.NotEqual(Classification.Confusion(truth, pred, 3), Classification.Confusion(truth, truth, 3));
    }

    [Fact]
    public void Every_metric_takes_the_truth_first_as_scikit_learn_does()
    {
        // One argument order for every metric, so that a call written the scikit-learn way (y_true, y_pred) is right.
        var metrics = new[] { typeof(Regression), typeof(Classification), typeof(Calibration), typeof(Ranking) }
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(m => m.GetParameters().Length >= 2)
            .ToArray();
        Assert.True(metrics.Length >= 7, $"found only {metrics.Length} metrics");
        foreach (var m in metrics)
        {
            var names = m.GetParameters().Select(p => p.Name).ToArray();
            Assert.True(names[0] == "truth" && names[1] is "predicted" or "probabilities" or "scores",
                $"{m.DeclaringType!.Name}.{m.Name}({string.Join(", ", names)}) does not take (truth, predicted|probabilities|scores, ...)");
        }
        // R² is not symmetric: the order matters (scikit-learn: r2_score([3, -0.5, 2, 7], [2.5, 0, 2, 8]) = 0.9486).
        Assert.NotEqual(Regression.RSquared(Vector.Of(3, -0.5, 2, 7), Vector.Of(2.5, 0.0, 2, 8)),
            Regression.RSquared(Vector.Of(2.5, 0.0, 2, 8), Vector.Of(3, -0.5, 2, 7)), 6);
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn;

namespace Nn.Properties;

/// <summary>
/// Multi-label metrics (<see cref="Multilabel"/>) on hand-worked cases with scikit-learn's definitions, and as properties
/// against code they do not share: each label's scores are the binary report's of its column, the micro F1 follows from
/// the summed true positives and the Hamming count of wrong cells.
/// </summary>
public sealed class MultilabelProperties
{
    /// <summary>Two indicator matrices of m × L.</summary>
    public sealed record Case(int[][] Truth, int[][] Predicted)
    {
        public Matrix T => Matrix.FromRows([.. Truth.Select(r => r.Select(v => (double)v).ToArray())]);

        public Matrix P => Matrix.FromRows([.. Predicted.Select(r => r.Select(v => (double)v).ToArray())]);

        public override string ToString() =>
            $"truth=[{string.Join("; ", Truth.Select(r => string.Join(",", r)))}] predicted=[{string.Join("; ", Predicted.Select(r => string.Join(",", r)))}]";
    }

    private static readonly Gen<Case> Cases =
        from labels in Gen.Choose(1, 5)
        from m in Gen.Choose(1, 20)
        from truth in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 1), labels), m)
        from predicted in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 1), labels), m)
        select new Case(truth, predicted);

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-12;

    [Fact]
    public void Scikit_learn_documentation_examples()
    {
        // hamming_loss(np.array([[0, 1], [1, 1]]), np.zeros((2, 2))) == 0.75
        Assert.Equal(0.75, Multilabel.HammingLoss(Matrix.FromRows([[0.0, 1], [1, 1]]), Matrix.Create(2, 2, [0.0, 0, 0, 0])));
        // accuracy_score(np.array([[0, 1], [1, 1]]), np.ones((2, 2))) == 0.5
        Assert.Equal(0.5, Multilabel.SubsetAccuracy(Matrix.FromRows([[0.0, 1], [1, 1]]), Matrix.Create(2, 2, [1.0, 1, 1, 1])));
    }

    [Fact]
    public void A_hand_worked_case_with_a_perfect_label_a_missed_one_and_a_wrong_one()
    {
        var truth = Matrix.FromRows([[1.0, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 0]]);
        var predicted = Matrix.FromRows([[1.0, 0, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1]]);
        var r = Multilabel.Report(truth, predicted);
        // label 0: TP 2; label 1: TP 1, FN 1; label 2: FP 2, FN 1.
        Assert.Equal([1.0, 1.0, 0.0], r.PerLabel.Precision.ToArray());
        Assert.Equal([1.0, 0.5, 0.0], r.PerLabel.Recall.ToArray());
        Assert.Equal([1.0, 2.0 / 3, 0.0], r.PerLabel.F1.ToArray());
        Assert.Equal([2, 2, 1], r.PerLabel.Support.ToArray());
        // micro: TP 3, FP 2, FN 2.
        Assert.Equal(new AveragedScores(0.6, 0.6, 0.6), r.PerLabel.Micro);
        Assert.Equal(2.0 / 3, r.PerLabel.Macro.Precision, 15);
        Assert.Equal(0.5, r.PerLabel.Macro.Recall, 15);
        Assert.Equal(5.0 / 9, r.PerLabel.Macro.F1, 15);
        Assert.Equal(2.0 / 3, r.PerLabel.Weighted.F1, 15); // (1·2 + ⅔·2 + 0·1) / 5
        Assert.Equal(0.0, r.SubsetAccuracy);
        Assert.Equal(1.0 / 3, r.HammingLoss, 15); // 4 of 12 cells
    }

    [Fact]
    public void Zero_divisions_are_zero_and_bad_input_is_refused()
    {
        var none = Matrix.Create(2, 2, [0.0, 0, 0, 0]);
        var r = Multilabel.Report(none, none);
        Assert.Equal(1.0, r.SubsetAccuracy);
        Assert.Equal(0.0, r.HammingLoss);
        Assert.Equal(new AveragedScores(0, 0, 0), r.PerLabel.Micro);
        Assert.Equal(new AveragedScores(0, 0, 0), r.PerLabel.Weighted);
        Assert.Throws<ArgumentException>(() => Multilabel.Report(none, Matrix.Create(2, 1, [0.0, 1])));
        Assert.Throws<ArgumentException>(() => Multilabel.Report(none, Matrix.Create(2, 2, [0.0, 0.5, 0, 1])));
        Assert.Throws<ArgumentException>(() => Multilabel.HammingLoss(Matrix.Create(0, 2, []), Matrix.Create(0, 2, [])));
    }

    [Property(Replay = "(201,11400714819323198485)", MaxTest = 200)]
    public Property Each_labels_scores_are_the_binary_report_of_its_column() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var r = Multilabel.Report(c.T, c.P).PerLabel;
            var ok = true;
            for (var l = 0; l < c.Truth[0].Length; l++)
            {
                var binary = Classification.Report(Classification.Confusion(c.Truth.Select(row => row[l]).ToArray(), c.Predicted.Select(row => row[l]).ToArray(), 2));
                ok &= Close(r.Precision[l], binary.Precision[1]) && Close(r.Recall[l], binary.Recall[1]) && Close(r.F1[l], binary.F1[1])
                    && r.Support[l] == binary.Support[1];
            }
            return ok && Close(r.Macro.F1, r.F1.Average()) && Close(r.Macro.Precision, r.Precision.Average());
        });

    [Property(Replay = "(202,11400714819323198485)", MaxTest = 200)]
    public Property Micro_f1_is_twice_the_true_positives_over_twice_them_plus_the_wrong_cells() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var r = Multilabel.Report(c.T, c.P);
            var cells = c.Truth.Length * c.Truth[0].Length;
            var tp = c.Truth.Zip(c.Predicted).Sum(rows => rows.First.Zip(rows.Second).Count(p => p.First == 1 && p.Second == 1));
            var wrong = Math.Round(r.HammingLoss * cells);
            var expected = tp == 0 && wrong == 0 ? 0 : 2.0 * tp / (2.0 * tp + wrong);
            return Close(r.PerLabel.Micro.F1, expected);
        });

    [Property(Replay = "(203,11400714819323198485)", MaxTest = 200)]
    public Property Subset_accuracy_counts_exact_rows_and_is_at_most_one_minus_the_hamming_loss() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var exact = c.Truth.Zip(c.Predicted).Count(rows => rows.First.SequenceEqual(rows.Second));
            var subset = Multilabel.SubsetAccuracy(c.T, c.P);
            return Close(subset, (double)exact / c.Truth.Length) && subset <= 1 - Multilabel.HammingLoss(c.T, c.P) + 1e-12
                && Multilabel.SubsetAccuracy(c.T, c.T) == 1 && Multilabel.HammingLoss(c.T, c.T) == 0;
        });

    [Fact]
    public void Thresholding_keeps_probabilities_at_or_above_one_half()
    {
        Assert.Equal(Matrix.FromRows([[1.0, 0, 1], [0, 0, 1]]), Multilabel.Threshold(Matrix.FromRows([[0.5, 0.49, 0.9], [double.NaN, 0, 1]])));
    }
}

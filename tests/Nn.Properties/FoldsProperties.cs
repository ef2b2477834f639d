using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn;

namespace Nn.Properties;

/// <summary>K-fold assignments for cross-validation: balance, stratification, determinism, and the refusals.</summary>
public sealed class FoldsProperties
{
    /// <summary>Labels of 1–4 classes with 2–12 rows each in a random order, a fold count the smallest class allows, and a seed.</summary>
    public sealed record LabelCase(int[] Labels, int K, long Seed)
    {
        public override string ToString() => $"K = {K}, seed {Seed}, labels [{string.Join(",", Labels)}]";
    }

    private static readonly Gen<LabelCase> Cases =
        from classes in Gen.Choose(1, 4)
        from counts in Gen.ArrayOf(Gen.Choose(2, 12), classes)
        from order in Gen.ArrayOf(Gen.Choose(0, 1_000_000), counts.Sum())
        from k in Gen.Choose(2, counts.Min())
        from seed in Gen.Choose(0, 1000)
        select new LabelCase(
            [.. counts.SelectMany((n, c) => Enumerable.Repeat(c, n)).Select((label, i) => (label, key: order[i])).OrderBy(p => p.key).Select(p => p.label)],
            k, seed);

    private static bool DifferByAtMostOne(IEnumerable<int> counts)
    {
        var list = counts.ToList();
        return list.Max() - list.Min() <= 1;
    }

    [Property(Replay = "(7301,11400714819323198485)", MaxTest = 200)]
    public Property Stratified_folds_hold_each_class_evenly_and_every_row_once()
    {
        return Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var folds = Folds.Stratified(Key.FromSeed(c.Seed), c.Labels, c.K);
            var perClass = c.Labels.Distinct().All(label =>
                DifferByAtMostOne(Enumerable.Range(0, c.K).Select(f => c.Labels.Where((l, i) => l == label && folds.Fold[i] == f).Count())));
            var sizes = DifferByAtMostOne(Enumerable.Range(0, c.K).Select(f => folds.Fold.Count(x => x == f)));
            var splits = Enumerable.Range(0, c.K).Select(folds.Split).ToList();
            var partition = splits.SelectMany(s => s.Test).Order().SequenceEqual(Enumerable.Range(0, c.Labels.Length))
                && splits.All(s => s.Train.Length + s.Test.Length == c.Labels.Length && !s.Train.Intersect(s.Test).Any());
            var same = folds == Folds.Stratified(Key.FromSeed(c.Seed), c.Labels, c.K);
            return (perClass && sizes && partition && same && folds.Fold.All(f => f >= 0 && f < c.K))
                .Label($"per class {perClass}, sizes {sizes}, partition {partition}, deterministic {same}; folds {folds}");
        });
    }

    [Property(Replay = "(7302,11400714819323198485)", MaxTest = 200)]
    public Property Plain_folds_differ_in_size_by_at_most_one()
    {
        return Prop.ForAll(Gen.Choose(2, 60).SelectMany(n => Gen.Choose(2, n).Select(k => (n, k))).ToArbitrary(), t =>
        {
            var folds = Folds.Plain(Key.FromSeed(t.n), t.n, t.k);
            return folds.Fold.Length == t.n && DifferByAtMostOne(Enumerable.Range(0, t.k).Select(f => folds.Fold.Count(x => x == f)));
        });
    }

    [Fact]
    public void Another_key_deals_other_folds()
    {
        var labels = Enumerable.Range(0, 60).Select(i => i % 3).ToArray();
        Assert.NotEqual(Folds.Stratified(Folds.KeyOf(0), labels, 5), Folds.Stratified(Folds.KeyOf(1), labels, 5));
        Assert.NotEqual(Folds.Plain(Folds.KeyOf(0), 60, 5), Folds.Plain(Folds.KeyOf(1), 60, 5));
    }

    [Fact]
    public void Too_few_rows_or_folds_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Folds.Plain(Key.FromSeed(0), 10, 1));
        Assert.Throws<ArgumentException>(() => Folds.Plain(Key.FromSeed(0), 3, 4));
        var e = Assert.Throws<ArgumentException>(() => Folds.Stratified(Key.FromSeed(0), [0, 0, 0, 0, 1, 1, 1], 4));
        Assert.Contains("class 1 has 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, Folds.SmallestClass([0, 0, 0, 0, 1, 1, 1]));
    }

    [Fact]
    public void Sample_standard_deviation_divides_by_n_minus_one()
    {
        double[] x = [2, 4, 4, 4, 5, 5, 7, 9];
        var mean = x.Sum() / x.Length;
        Assert.Equal(mean, SampleStatistics.Mean(x));
        Assert.Equal(Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1)), SampleStatistics.StandardDeviation(x), 15);
        Assert.True(double.IsNaN(SampleStatistics.StandardDeviation([3.0])));
        Assert.True(double.IsNaN(SampleStatistics.Mean([])));
    }
}

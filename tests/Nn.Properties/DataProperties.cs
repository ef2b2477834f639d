using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn;

namespace Nn.Properties;

/// <summary>Properties of the data helpers: scalers, one-hot, seeded splits and synthetic generators.</summary>
public sealed class DataProperties
{

    /// <summary>A small matrix (2–8 rows, 1–5 columns) of scaled integers; about one column in four is constant.</summary>
    public sealed record MatrixCase(double[][] Rows)
    {
        public Matrix X => Matrix.FromRows(Rows);

        public override string ToString() => string.Join("; ", Rows.Select(r => string.Join(",", r)));
    }

    private static readonly Gen<MatrixCase> Matrices =
        from m in Gen.Choose(2, 8)
        from n in Gen.Choose(1, 5)
        from constant in Gen.ArrayOf(Gen.Choose(0, 3), n)
        from cells in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(-1000, 1000), n), m)
        from scale in Gen.Elements(1e-3, 1.0, 1e3)
        select new MatrixCase(cells.Select(row => row.Select((v, j) => constant[j] == 0 ? 7.5 * scale : v * scale / 7.0).ToArray()).ToArray());

    private static double[] Column(Matrix x, int j) => Enumerable.Range(0, x.Rows).Select(i => x[i, j]).ToArray();

    [Property(Replay = "(3665428481,11400714819323198485)", MaxTest = 100)] // seed 0xDA7A0001
    public Property Scalers_inverse_transform_undoes_transform()
    {
        return Prop.ForAll(Matrices.ToArbitrary(), c =>
        {
            var x = c.X;
            var s = StandardScaler.Fit(x);
            var mm = MinMaxScaler.Fit(x);
            var back1 = StandardScaler.InverseTransform(s, StandardScaler.Transform(s, x));
            var back2 = MinMaxScaler.InverseTransform(mm, MinMaxScaler.Transform(mm, x));
            var ok = true;
            for (var i = 0; i < x.Rows; i++)
                for (var j = 0; j < x.Cols; j++)
                {
                    // Relative to the column's magnitude: (x − μ)/σ·σ + μ loses bits relative to |μ| and σ, not |x|.
                    var size = Column(x, j).Max(Math.Abs);
                    ok &= Math.Abs(back1[i, j] - x[i, j]) <= 1e-12 * size && Math.Abs(back2[i, j] - x[i, j]) <= 1e-12 * size;
                }
            return ok;
        });
    }

    [Property(Replay = "(3665428482,11400714819323198485)", MaxTest = 100)] // seed 0xDA7A0002
    public Property Standardised_columns_have_mean_zero_and_population_std_one()
    {
        return Prop.ForAll(Matrices.ToArbitrary(), c =>
        {
            var x = c.X;
            var z = StandardScaler.Transform(StandardScaler.Fit(x), x);
            var ok = true;
            for (var j = 0; j < x.Cols; j++)
            {
                var col = Column(z, j);
                var mean = col.Average();
                var std = Math.Sqrt(col.Select(v => (v - mean) * (v - mean)).Average());
                var constant = Column(x, j).Distinct().Count() == 1;
                ok &= Math.Abs(mean) < 1e-12 && (constant ? col.All(v => v == 0) : Math.Abs(std - 1) < 1e-12);
            }
            return ok;
        });
    }

    [Property(Replay = "(3665428483,11400714819323198485)", MaxTest = 100)] // seed 0xDA7A0003
    public Property MinMax_scaled_columns_span_zero_to_one()
    {
        return Prop.ForAll(Matrices.ToArbitrary(), c =>
        {
            var x = c.X;
            var z = MinMaxScaler.Transform(MinMaxScaler.Fit(x), x);
            return Enumerable.Range(0, x.Cols).All(j =>
            {
                var col = Column(z, j);
                var constant = Column(x, j).Distinct().Count() == 1;
                return constant ? col.All(v => v == 0) : col.Min() == 0 && Math.Abs(col.Max() - 1) < 1e-15 && col.All(v => v >= 0 && v <= 1);
            });
        });
    }

    [Fact]
    public void Scalers_by_hand_use_population_std_and_unit_scale_for_constant_columns()
    {
        var x = Matrix.FromRows([[1.0, 5.0], [3.0, 5.0]]);
        Assert.Equal(new StandardScaler(Vector.Of(2.0, 5.0), Vector.Of(1.0, 1.0)), StandardScaler.Fit(x));
        Assert.Equal(Matrix.FromRows([[-1.0, 0.0], [1.0, 0.0]]), StandardScaler.Transform(StandardScaler.Fit(x), x));
        Assert.Equal(new MinMaxScaler(Vector.Of(1.0, 5.0), Vector.Of(2.0, 1.0)), MinMaxScaler.Fit(x));
        Assert.Equal(Matrix.FromRows([[0.5, 1.0]]), MinMaxScaler.Transform(MinMaxScaler.Fit(x), Matrix.FromRows([[2.0, 6.0]])));
        Assert.Throws<ArgumentException>(() => StandardScaler.Transform(StandardScaler.Fit(x), Matrix.Zeros(1, 3)));
        Assert.Throws<ArgumentException>(() => MinMaxScaler.Fit(Matrix.Zeros(0, 2)));
    }

    [Property(Replay = "(3665428484,11400714819323198485)", MaxTest = 100)] // seed 0xDA7A0004
    public Property One_hot_rows_sum_to_one_and_argmax_inverts_it()
    {
        Assert.Throws<ArgumentException>(() => Labels.OneHot([0, 2], 2));
        var cases = from k in Gen.Choose(1, 6)
                    from labels in Gen.ListOf(Gen.Choose(0, k - 1))
                    select (k, labels.ToArray());
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (k, labels) = c;
            var y = Labels.OneHot(labels, k);
            var rowsSumToOne = Enumerable.Range(0, y.Rows).All(i => Enumerable.Range(0, k).Sum(j => y[i, j]) == 1.0);
            var hot = Enumerable.Range(0, y.Rows).All(i => y[i, labels[i]] == 1.0);
            return y.Rows == labels.Length && y.Cols == k && rowsSumToOne && hot && Labels.FromOneHot(y).SequenceEqual(labels);
        });
    }

    [Property(Replay = "(3665428485,11400714819323198485)", MaxTest = 100)] // seed 0xDA7A0005
    public Property Train_test_split_is_a_seeded_partition()
    {
        var cases = from n in Gen.Choose(0, 60)
                    from tenths in Gen.Choose(0, 10)
                    from seed in Gen.Choose(int.MinValue, int.MaxValue)
                    select (n, tenths / 10.0, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (n, f, seed) = c;
            var key = Key.FromSeed(seed);
            var s = Split.TrainTest(key, n, f);
            var all = s.Train.Concat(s.Test).Order().ToArray();
            var partition = all.SequenceEqual(Enumerable.Range(0, n));
            var size = s.Test.Length == (int)Math.Ceiling(f * n);
            var same = s.Equals(Split.TrainTest(new Key(key.State), n, f));
            // For n ≥ 10 two keys giving the same shuffle has probability ≤ 1/10!.
            var differs = n < 10 || !s.Equals(Split.TrainTest(Prng.Fold(key, 1), n, f));
            return partition && size && same && differs;
        });
    }

    [Property(Replay = "(3665428486,11400714819323198485)", MaxTest = 100)] // seed 0xDA7A0006
    public Property Stratified_split_keeps_class_proportions()
    {
        var cases = from k in Gen.Choose(1, 4)
                    from labels in Gen.ArrayOf(Gen.Choose(0, k - 1), 40)
                    from tenths in Gen.Choose(0, 10)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (labels, tenths / 10.0, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (labels, f, seed) = c;
            var key = Key.FromSeed(seed);
            var s = Split.Stratified(key, labels, f);
            var partition = s.Train.Concat(s.Test).Order().SequenceEqual(Enumerable.Range(0, labels.Length));
            var proportional = labels.Distinct().All(cls =>
                Math.Abs(s.Test.Count(i => labels[i] == cls) - f * labels.Count(l => l == cls)) <= 1.0);
            var same = s.Equals(Split.Stratified(new Key(key.State), labels, f));
            var differs = f == 0 || f == 1 || !s.Equals(Split.Stratified(Prng.Fold(key, 1), labels, f));
            return partition && proportional && same && differs;
        });
    }

    [Fact]
    public void Applying_a_split_selects_rows_and_labels_together()
    {
        var data = Synthetic.Blobs(Key.FromSeed(3), 30, 3, 2, 0.5);
        var split = Split.TrainTest(Key.FromSeed(4), data.Count, 0.25);
        var parts = Split.Apply(split, data);
        Assert.Equal(8, parts.Test.Count);
        Assert.Equal(22, parts.Train.Count);
        for (var i = 0; i < split.Test.Length; i++)
        {
            Assert.Equal(data.Labels[split.Test[i]], parts.Test.Labels[i]);
            Assert.Equal(data.X.Row(split.Test[i]), parts.Test.X.Row(i));
        }
        Assert.Equal(Split.Take(data.Labels, split.Train).ToArray(), parts.Train.Labels.ToArray());
        Assert.Equal(Split.Rows(data.X, split.Train), parts.Train.X);
    }

    // ---- Synthetic generators ----

    private static readonly Gen<(int Count, int Classes, int Seed)> GeneratorCases =
        from count in Gen.Choose(0, 60)
        from classes in Gen.Choose(1, 5)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        select (count, classes, seed);

    private static bool Balanced(Dataset d, int count, int classes) =>
        d.Count == count && d.Classes == classes && d.Labels.Length == count &&
        Enumerable.Range(0, classes).All(c => d.Labels.Count(l => l == c) == count / classes + (c < count % classes ? 1 : 0));

    private static bool Deterministic(Func<Key, Dataset> make, Key key)
    {
        var a = make(key);
        var b = make(new Key(key.State));
        return a.X.BitEquals(b.X) && a.Labels.SequenceEqual(b.Labels);
    }

    [Property(Replay = "(3665428487,11400714819323198485)", MaxTest = 50)] // seed 0xDA7A0007
    public Property Classification_generators_are_deterministic_balanced_and_shaped()
    {
        return Prop.ForAll(GeneratorCases.ToArbitrary(), c =>
        {
            var key = Key.FromSeed(c.Seed);
            var features = c.Classes + 1;
            Func<Key, Dataset>[] twoClass = [k => Synthetic.Moons(k, c.Count, 0.1), k => Synthetic.Circles(k, c.Count, 0.05, 0.5)];
            Func<Key, Dataset>[] kClass =
            [
                k => Synthetic.Spirals(k, c.Count, c.Classes, 0.2),
                k => Synthetic.Blobs(k, c.Count, c.Classes, features, 1.0),
                k => Synthetic.GaussianClusters(k, c.Count, c.Classes, features, 2.0, 0.5),
            ];
            // The two-class shapes put ⌊m/2⌋ in class 0 (scikit-learn's n_samples_out), so class 1 gets the extra one.
            var twoOk = twoClass.All(make =>
            {
                var d = make(key);
                return Deterministic(make, key) && d.X.Cols == 2 && d.Count == c.Count &&
                       d.Labels.Count(l => l == 0) == c.Count / 2 && d.Labels.Count(l => l == 1) == c.Count - c.Count / 2;
            });
            var kOk = kClass.Select((make, i) => (make, cols: i == 0 ? 2 : features)).All(g =>
                Deterministic(g.make, key) && Balanced(g.make(key), c.Count, c.Classes) && g.make(key).X.Cols == g.cols);
            // With one point per class a spiral arm is just the origin (r = linspace(0, 1, 1) = [0]), so require two per class.
            var differ = c.Count < 2 * c.Classes || twoClass.Concat(kClass).All(make => !make(key).X.BitEquals(make(Prng.Fold(key, 9)).X));
            return twoOk && kOk && differ;
        });
    }

    [Fact]
    public void Noise_free_generators_lie_on_their_shapes()
    {
        var key = Key.FromSeed(42);
        var moons = Synthetic.Moons(key, 41, 0.0);
        for (var i = 0; i < moons.Count; i++)
        {
            var (x, y) = (moons.X[i, 0], moons.X[i, 1]);
            var (cx, cy) = moons.Labels[i] == 0 ? (0.0, 0.0) : (1.0, 0.5);
            Assert.Equal(1.0, Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)), 1e-12);
            Assert.True(moons.Labels[i] == 0 ? y >= -1e-12 : y <= 0.5 + 1e-12);
        }
        var circles = Synthetic.Circles(key, 30, 0.0, 0.3);
        for (var i = 0; i < circles.Count; i++)
            Assert.Equal(circles.Labels[i] == 0 ? 1.0 : 0.3, Math.Sqrt(circles.X[i, 0] * circles.X[i, 0] + circles.X[i, 1] * circles.X[i, 1]), 1e-12);
        var spirals = Synthetic.Spirals(key, 30, 3, 0.0);
        for (var i = 0; i < spirals.Count; i++)
        {
            var r = Math.Sqrt(spirals.X[i, 0] * spirals.X[i, 0] + spirals.X[i, 1] * spirals.X[i, 1]);
            Assert.InRange(r, 0.0, 1.0 + 1e-12);
            if (r > 0.1)
            {
                // Without noise the angle is determined by the radius: t = 4j + 4r for arm j.
                var t = 4.0 * spirals.Labels[i] + 4.0 * r;
                Assert.Equal(spirals.X[i, 0], r * Math.Sin(t), 1e-12);
                Assert.Equal(spirals.X[i, 1], r * Math.Cos(t), 1e-12);
            }
        }
        var blobs = Synthetic.Blobs(key, 20, 4, 3, 0.0);
        for (var i = 0; i < blobs.Count; i++)
            for (var j = 0; j < blobs.Count; j++)
                Assert.Equal(blobs.Labels[i] == blobs.Labels[j], blobs.X.Row(i) == blobs.X.Row(j));
        Assert.All(blobs.X.ToRowMajorArray(), v => Assert.InRange(v, -10.0, 10.0));
        var clusters = Synthetic.GaussianClusters(key, 16, 4, 2, 1.5, 0.0);
        Assert.All(clusters.X.ToRowMajorArray(), v => Assert.True(Math.Abs(v) == 1.5));
        Assert.Equal(4, Enumerable.Range(0, 16).Select(i => clusters.X.Row(i)).Distinct().Count());
        Assert.Throws<ArgumentException>(() => Synthetic.GaussianClusters(key, 10, 5, 2, 1.0, 0.1));
    }

    [Fact]
    public void Linear_regression_data_follows_its_true_weights()
    {
        var key = Key.FromSeed(7);
        var exact = Synthetic.LinearRegression(key, 25, 3, 0.0);
        Assert.Equal(25, exact.Data.Count);
        Assert.Equal(3, exact.Data.X.Cols);
        Assert.Equal(3, exact.Weights.Length);
        for (var i = 0; i < 25; i++)
        {
            var y = exact.Bias;
            for (var j = 0; j < 3; j++) y += exact.Data.X[i, j] * exact.Weights[j];
            Assert.Equal(y, exact.Data.Y[i], 1e-12);
        }
        var noisy = Synthetic.LinearRegression(key, 25, 3, 0.5);
        Assert.Equal(exact.Weights, noisy.Weights);
        Assert.Equal(exact.Data.X, noisy.Data.X);
        Assert.NotEqual(exact.Data.Y, noisy.Data.Y);
        Assert.True(noisy.Data.Y.BitEquals(Synthetic.LinearRegression(new Key(key.State), 25, 3, 0.5).Data.Y));
        Assert.NotEqual(exact.Weights, Synthetic.LinearRegression(Prng.Fold(key, 1), 25, 3, 0.0).Weights);
    }
}

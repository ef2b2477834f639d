using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// Seeded synthetic data sets: each is a pure function of its key and sizes, so the same arguments give bit-identical
/// data. Classification sets assign <c>⌊m/k⌋</c> examples to each class and one more to each of the first <c>m mod k</c>
/// classes (the two-class shapes put <c>⌊m/2⌋</c> in class 0, like scikit-learn), and return the rows in an order
/// shuffled by a key derived from the given one.
/// </summary>
public static class Synthetic
{
    /// <summary>
    /// Two interleaving half circles in 2-D, like scikit-learn's <c>make_moons</c>: class 0 at
    /// <c>(cos θ, sin θ)</c> and class 1 at <c>(1 − cos θ, 0.5 − sin θ)</c>, θ evenly spaced on [0, π], plus
    /// N(0, noise²) on each coordinate. X has shape (count × 2); 2 classes.
    /// </summary>
    /// <exception cref="ArgumentException">When count &lt; 0 or noise &lt; 0.</exception>
    public static Dataset Moons(Key key, int count, double noise)
    {
        CheckCount(count, 2);
        CheckNonNegative(noise, nameof(noise));
        var nOut = count / 2;
        var nIn = count - nOut;
        return Build(key, count, 2, 2, noise, (i, xy) =>
        {
            var inner = i >= nOut;
            var j = inner ? i - nOut : i;
            var (sin, cos) = Kernels.Trigonometry.SinCosPi(Fraction(j, inner ? nIn : nOut));   // θ = π·fraction
            xy[0] = inner ? 1.0 - cos : cos;
            xy[1] = inner ? 0.5 - sin : sin;
            return inner ? 1 : 0;
        });
    }

    /// <summary>
    /// A large circle (class 0) around a smaller one of radius <paramref name="factor"/> (class 1) in 2-D, like
    /// scikit-learn's <c>make_circles</c>: angles evenly spaced on [0, 2π) without the end point, plus N(0, noise²) on
    /// each coordinate. X has shape (count × 2); 2 classes.
    /// </summary>
    /// <exception cref="ArgumentException">When count &lt; 0, noise &lt; 0, or factor is not in [0, 1).</exception>
    public static Dataset Circles(Key key, int count, double noise, double factor)
    {
        CheckCount(count, 2);
        CheckNonNegative(noise, nameof(noise));
        if (!(factor >= 0.0 && factor < 1.0)) throw new ArgumentException($"The factor must be in [0, 1), got {factor}.", nameof(factor));
        var nOut = count / 2;
        var nIn = count - nOut;
        return Build(key, count, 2, 2, noise, (i, xy) =>
        {
            var inner = i >= nOut;
            var j = inner ? i - nOut : i;
            var (sin, cos) = Kernels.Trigonometry.SinCosPi(2.0 * j / (inner ? nIn : nOut));   // θ = 2π·j/n
            var r = inner ? factor : 1.0;
            xy[0] = r * cos;
            xy[1] = r * sin;
            return inner ? 1 : 0;
        });
    }

    /// <summary>
    /// <paramref name="classes"/> arms of a spiral in 2-D, like the CS231n example: for class j with n_j points,
    /// <c>r = linspace(0, 1, n_j)</c>, <c>t = linspace(4j, 4(j+1), n_j) + noise·N(0, 1)</c>, and the point
    /// <c>(r·sin t, r·cos t)</c>. X has shape (count × 2).
    /// </summary>
    /// <exception cref="ArgumentException">When count &lt; 0, classes &lt; 1, or noise &lt; 0.</exception>
    public static Dataset Spirals(Key key, int count, int classes, double noise)
    {
        CheckCount(count, classes);
        CheckNonNegative(noise, nameof(noise));
        var keys = Prng.Split(key, 2);
        var angleNoise = Prng.Normal(keys[0], count, 0.0, noise);
        return Build(keys[1], count, 2, classes, 0.0, (i, xy) =>
        {
            var (c, j, n) = ClassOf(i, count, classes);
            var r = Fraction(j, n);
            var t = 4.0 * c + 4.0 * Fraction(j, n) + angleNoise[i];
            var (sin, cos) = Kernels.Trigonometry.SinCos(t);
            xy[0] = r * sin;
            xy[1] = r * cos;
            return c;
        });
    }

    /// <summary>
    /// Isotropic Gaussian blobs, like scikit-learn's <c>make_blobs</c>: <paramref name="classes"/> centers drawn
    /// uniformly from the box [−10, 10]^features, and each point its class's center plus N(0, stdDev²) per feature.
    /// X has shape (count × features).
    /// </summary>
    /// <exception cref="ArgumentException">When count &lt; 0, classes &lt; 1, features &lt; 1, or stdDev &lt; 0.</exception>
    public static Dataset Blobs(Key key, int count, int classes, int features, double stdDev)
    {
        CheckCount(count, classes);
        CheckFeatures(features);
        CheckNonNegative(stdDev, nameof(stdDev));
        var keys = Prng.Split(key, 2);
        var centers = Prng.Uniform(keys[0], classes * features, -10.0, 10.0);
        return Build(keys[1], count, features, classes, stdDev, (i, x) =>
        {
            var c = ClassOf(i, count, classes).Class;
            for (var f = 0; f < features; f++) x[f] = centers[c * features + f];
            return c;
        });
    }

    /// <summary>
    /// Gaussian clusters at hypercube vertices, in the spirit of scikit-learn's <c>make_classification</c>: each of the
    /// <paramref name="classes"/> classes gets a distinct random vertex of {−separation, +separation}^features as its
    /// center, and each point is its center plus N(0, stdDev²) per feature. X has shape (count × features).
    /// </summary>
    /// <exception cref="ArgumentException">When count &lt; 0, classes &lt; 1, features &lt; 1, classes &gt; 2^features,
    /// separation &lt; 0 or stdDev &lt; 0.</exception>
    public static Dataset GaussianClusters(Key key, int count, int classes, int features, double separation, double stdDev)
    {
        CheckCount(count, classes);
        CheckFeatures(features);
        CheckNonNegative(separation, nameof(separation));
        CheckNonNegative(stdDev, nameof(stdDev));
        if (features < 31 && classes > 1 << features)
            throw new ArgumentException($"{classes} classes need distinct vertices, but a {features}-cube has only {1 << features}.", nameof(classes));
        var keys = Prng.Split(key, 2);
        var vertices = DistinctVertices(keys[0], classes, features);
        return Build(keys[1], count, features, classes, stdDev, (i, x) =>
        {
            var c = ClassOf(i, count, classes).Class;
            for (var f = 0; f < features; f++) x[f] = vertices[c][f] ? separation : -separation;
            return c;
        });
    }

    /// <summary>
    /// A linear regression problem: X (count × features) with N(0, 1) entries, true weights (length features) and bias
    /// drawn N(0, 1), and <c>y = X·w + b + noise·N(0, 1)</c>. Returns the data and the truth.
    /// </summary>
    /// <exception cref="ArgumentException">When count &lt; 0, features &lt; 1, or noise &lt; 0.</exception>
    public static LinearProblem LinearRegression(Key key, int count, int features, double noise)
    {
        CheckCount(count, 1);
        CheckFeatures(features);
        CheckNonNegative(noise, nameof(noise));
        var keys = Prng.Split(key, 3);
        var truth = Prng.Normal(keys[0], features + 1, 0.0, 1.0);
        var w = Vector.Own(truth.ToArray()[..features]);
        var b = truth[features];
        var xData = new double[count * features];
        Prng.FillNormal(keys[1], xData, 0.0, 1.0);
        var eps = Prng.Normal(keys[2], count, 0.0, noise);
        var y = new double[count];
        for (var i = 0; i < count; i++)
        {
            var s = b;
            for (var f = 0; f < features; f++) s += xData[i * features + f] * w[f];
            y[i] = s + eps[i];
        }
        return new LinearProblem(new RegressionDataset(Matrix.Own(count, features, xData), Vector.Own(y)), w, b);
    }

    /// <summary>
    /// Builds a shuffled data set: <paramref name="point"/>(i, row) writes the noise-free features of example i (in class
    /// order) into row and returns its class; N(0, noise²) is then added to every feature and the rows are permuted.
    /// </summary>
    private static Dataset Build(Key key, int count, int features, int classes, double noise, Func<int, double[], int> point)
    {
        var keys = Prng.Split(key, 2);
        var jitter = new double[count * features];
        if (noise > 0.0) Prng.FillNormal(keys[0], jitter, 0.0, noise);
        var order = Prng.Permutation(keys[1], count);
        var data = new double[count * features];
        var labels = new int[count];
        var row = new double[features];
        for (var r = 0; r < count; r++)
        {
            var i = order[r];
            labels[r] = point(i, row);
            for (var f = 0; f < features; f++) data[r * features + f] = row[f] + jitter[i * features + f];
        }
        return new Dataset(Matrix.Own(count, features, data), labels, classes);
    }

    /// <summary>The class of example i (in class order), its position in the class, and the class size.</summary>
    private static (int Class, int Index, int Size) ClassOf(int i, int count, int classes)
    {
        var q = count / classes;
        var extra = count % classes;
        var big = extra * (q + 1);
        return i < big ? (i / (q + 1), i % (q + 1), q + 1) : (extra + (i - big) / q, (i - big) % q, q);
    }

    /// <summary>j/(n − 1), the j-th of n evenly spaced points on [0, 1] (0 when n = 1), as in numpy's linspace.</summary>
    private static double Fraction(int j, int n) => n <= 1 ? 0.0 : (double)j / (n - 1);

    private static bool[][] DistinctVertices(Key key, int classes, int features)
    {
        var chosen = new List<bool[]>(classes);
        long t = 0;
        while (chosen.Count < classes)
        {
            var v = new bool[features];
            for (var f = 0; f < features; f++) v[f] = (Prng.Word(key, t++) >> 63) != 0;
            if (!chosen.Any(u => u.AsSpan().SequenceEqual(v))) chosen.Add(v);
        }
        return [.. chosen];
    }

    private static void CheckCount(int count, int classes)
    {
        if (count < 0) throw new ArgumentException($"The count must be >= 0, got {count}.", nameof(count));
        if (classes < 1) throw new ArgumentException($"The number of classes must be >= 1, got {classes}.", nameof(classes));
    }

    private static void CheckFeatures(int features)
    {
        if (features < 1) throw new ArgumentException($"The number of features must be >= 1, got {features}.", nameof(features));
    }

    private static void CheckNonNegative(double value, string name)
    {
        if (!(value >= 0.0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be finite and >= 0, got {value}.", name);
    }
}

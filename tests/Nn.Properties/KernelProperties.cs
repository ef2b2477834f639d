using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Kernels;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// Property 8: every kernel equals a naive reference loop, bit for bit, on random shapes from 0 to 37 (so empty
/// matrices, single rows and columns, and tails that are not a multiple of the SIMD width all occur).
/// </summary>
/// <remarks>
/// The reference loops sum in ascending index order exactly as the kernels promise (see <see cref="Blas"/> and
/// <see cref="Gemm"/>): matrix products as one fused multiply-add chain per element, everything else with a separate
/// multiply and add. So equality is exact: <see cref="Matrix.BitEquals"/>.
/// Values mix magnitudes from 2⁻²⁰ to 2²⁰ and both signs, so a different summation order would show in the bits.
/// </remarks>
public class KernelProperties
{
    private const int MaxDim = 37;

    private static FsCheck.Arbitrary<Dims> Shapes => Arbs.Dims(MaxDim);

    // ---- reference loops ------------------------------------------------------------------------------------------

    private static double[,] NaiveMultiply(Matrix a, Matrix b)
    {
        var c = new double[a.Rows, b.Cols];
        for (var i = 0; i < a.Rows; i++)
            for (var j = 0; j < b.Cols; j++)
            {
                var s = 0.0;
                for (var p = 0; p < a.Cols; p++) s = Math.FusedMultiplyAdd(a[i, p], b[p, j], s);
                c[i, j] = s;
            }
        return c;
    }

    private static double[,] NaiveTranspose(Matrix a)
    {
        var t = new double[a.Cols, a.Rows];
        for (var i = 0; i < a.Rows; i++)
            for (var j = 0; j < a.Cols; j++) t[j, i] = a[i, j];
        return t;
    }

    private static double[,] NaiveZip(Matrix a, Matrix b, Func<double, double, double> f)
    {
        var r = new double[a.Rows, a.Cols];
        for (var i = 0; i < a.Rows; i++)
            for (var j = 0; j < a.Cols; j++) r[i, j] = f(a[i, j], b[i, j]);
        return r;
    }

    private static double[] NaiveColumnSums(Matrix a)
    {
        var s = new double[a.Cols];
        for (var j = 0; j < a.Cols; j++)
            for (var i = 0; i < a.Rows; i++) s[j] += a[i, j];
        return s;
    }

    // ---- values ---------------------------------------------------------------------------------------------------

    /// <summary>A (rows × cols) matrix whose entries are ±u·2^e, u uniform in [1, 2), e uniform in [−20, 20].</summary>
    private static Matrix Wild(long seed, int salt, int rows, int cols)
    {
        var key = Prng.Fold(Key.FromSeed(seed), salt);
        var u = Prng.Uniform(Prng.Fold(key, 0), rows * cols, 1, 2);
        return Matrix.Create(rows, cols, Enumerable.Range(0, rows * cols).Select(i =>
            (Prng.Word(Prng.Fold(key, 1), i) >> 63 == 1 ? -1 : 1) * Math.ScaleB(u[i], Prng.Below(Prng.Fold(key, 2), i, 41) - 20)));
    }

    private static Matrix M(double[,] a) => Matrix.FromArray2D(a);

    private static void AssertBitEqual(Matrix expected, Matrix actual) =>
        Assert.True(expected.BitEquals(actual), $"expected {expected}, got {actual}");

    private static void AssertBitEqual(double[] expected, ReadOnlySpan<double> actual) =>
        Assert.True(BitEqual(expected, actual.ToArray()),
            $"expected {Vector.Of(expected)}, got {Vector.Of(actual.ToArray())}");

    private static bool BitEqual(double[] a, double[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

    // ---- public Matrix operations ---------------------------------------------------------------------------------

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Multiply_equals_the_naive_triple_loop() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.K);
            var b = Wild(d.Seed, 1, d.K, d.N);
            AssertBitEqual(M(NaiveMultiply(a, b)), Matrix.Multiply(a, b));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property MultiplyTransposeA_equals_the_naive_product_with_the_transpose() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.K, d.M);
            var b = Wild(d.Seed, 1, d.K, d.N);
            AssertBitEqual(M(NaiveMultiply(M(NaiveTranspose(a)), b)), Matrix.MultiplyTransposeA(a, b));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property MultiplyTransposeB_equals_the_naive_product_with_the_transpose() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.K);
            var b = Wild(d.Seed, 1, d.N, d.K);
            AssertBitEqual(M(NaiveMultiply(a, M(NaiveTranspose(b)))), Matrix.MultiplyTransposeB(a, b));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Transpose_equals_the_naive_transpose() =>
        Prop.ForAll(Arbs.Dims(70), d =>
        {
            // Up to 70 so the 32×32 blocking has full blocks and ragged edges in both directions.
            var a = Wild(d.Seed, 0, d.M, d.N);
            AssertBitEqual(M(NaiveTranspose(a)), a.Transpose());
            AssertBitEqual(a, a.Transpose().Transpose());
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Add_Subtract_Hadamard_equal_naive_element_loops() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.N);
            var b = Wild(d.Seed, 1, d.M, d.N);
            AssertBitEqual(M(NaiveZip(a, b, (x, y) => x + y)), Matrix.Add(a, b));
            AssertBitEqual(M(NaiveZip(a, b, (x, y) => x - y)), Matrix.Subtract(a, b));
            AssertBitEqual(M(NaiveZip(a, b, (x, y) => x * y)), Matrix.Hadamard(a, b));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Scale_equals_the_naive_element_loop() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.N);
            var s = Wild(d.Seed, 1, 1, 1)[0, 0];
            AssertBitEqual(M(NaiveZip(a, a, (x, _) => s * x)), Matrix.Scale(s, a));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property AddRow_equals_the_naive_broadcast() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.N);
            var row = Wild(d.Seed, 1, 1, d.N);
            var expected = new double[d.M, d.N];
            for (var i = 0; i < d.M; i++)
                for (var j = 0; j < d.N; j++) expected[i, j] = a[i, j] + row[0, j];
            AssertBitEqual(M(expected), Matrix.AddRow(a, row.Row(0)));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property ColumnSums_equal_naive_sums_over_rows_in_order() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.N);
            AssertBitEqual(NaiveColumnSums(a), Matrix.ColumnSums(a).ToArray());
        });

    // ---- internal Blas kernels on raw spans -----------------------------------------------------------------------

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Blas_Gemm_GemmTransA_GemmTransB_equal_the_naive_loops() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.K);
            var b = Wild(d.Seed, 1, d.K, d.N);
            var expected = M(NaiveMultiply(a, b)).ToRowMajorArray();

            var c = Filled(d.M * d.N); // garbage in the destination must be overwritten, not accumulated
            Blas.Gemm(a.ToRowMajorArray(), b.ToRowMajorArray(), c, d.M, d.K, d.N);
            AssertBitEqual(expected, c);

            c = Filled(d.M * d.N);
            Blas.GemmTransA(a.Transpose().ToRowMajorArray(), b.ToRowMajorArray(), c, d.M, d.K, d.N);
            AssertBitEqual(expected, c);

            c = Filled(d.M * d.N);
            Blas.GemmTransB(a.ToRowMajorArray(), b.Transpose().ToRowMajorArray(), c, d.M, d.K, d.N);
            AssertBitEqual(expected, c);
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Blas_Axpy_equals_y_plus_alpha_times_x_element_by_element() =>
        Prop.ForAll(Shapes, d =>
        {
            var x = Wild(d.Seed, 0, 1, d.N).ToRowMajorArray();
            var y = Wild(d.Seed, 1, 1, d.N).ToRowMajorArray();
            var alpha = Wild(d.Seed, 2, 1, 1)[0, 0];
            var expected = y.Select((v, j) => v + alpha * x[j]).ToArray();
            Blas.Axpy(alpha, x, y);
            AssertBitEqual(expected, y);
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Blas_elementwise_kernels_equal_naive_loops() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, 1, d.N).ToRowMajorArray();
            var b = Wild(d.Seed, 1, 1, d.N).ToRowMajorArray();
            var s = Wild(d.Seed, 2, 1, 1)[0, 0];
            var r = new double[d.N];
            Blas.Add(a, b, r);
            AssertBitEqual(a.Select((v, i) => v + b[i]).ToArray(), r);
            Blas.Subtract(a, b, r);
            AssertBitEqual(a.Select((v, i) => v - b[i]).ToArray(), r);
            Blas.Multiply(a, b, r);
            AssertBitEqual(a.Select((v, i) => v * b[i]).ToArray(), r);
            Blas.Scale(s, a, r);
            AssertBitEqual(a.Select(v => s * v).ToArray(), r);
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Blas_Transpose_AddRowBroadcast_ColumnSums_equal_naive_loops() =>
        Prop.ForAll(Shapes, d =>
        {
            var a = Wild(d.Seed, 0, d.M, d.N);
            var row = Wild(d.Seed, 1, 1, d.N).ToRowMajorArray();

            var t = Filled(d.M * d.N);
            Blas.Transpose(a.AsSpan(), d.M, d.N, t);
            AssertBitEqual(M(NaiveTranspose(a)).ToRowMajorArray(), t);

            var r = Filled(d.M * d.N);
            Blas.AddRowBroadcast(a.AsSpan(), row, r, d.M, d.N);
            AssertBitEqual(Enumerable.Range(0, d.M * d.N).Select(k => a.AsSpan()[k] + row[k % Math.Max(d.N, 1)]).ToArray(), r);

            var s = Filled(d.N);
            Blas.ColumnSums(a.AsSpan(), d.M, d.N, s);
            AssertBitEqual(NaiveColumnSums(a), s);

            // A batch gather: rows picked with repeats and in any order, the last row among them (short rows are copied as
            // whole vectors that spill into the next row); nothing past the result's end is written.
            var picks = Enumerable.Range(0, 2 * d.M).Select(i => i == d.M ? d.M - 1 : (int)(((i * 7919L + d.Seed) % d.M + d.M) % d.M)).ToArray();
            var g = Filled(picks.Length * d.N + 8);
            Blas.GatherRows(a.AsSpan(), d.M, d.N, picks, g.AsSpan(0, picks.Length * d.N));
            AssertBitEqual([.. picks.SelectMany(p => a.RowSpan(p).ToArray()), .. Filled(8)], g);
            if (d.M > 0) Assert.Throws<ArgumentOutOfRangeException>(() => Blas.GatherRows(a.AsSpan(), d.M, d.N, [0, d.M], new double[2 * d.N]));
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Blas_Sum_and_Dot_add_in_ascending_index_order() =>
        Prop.ForAll(Shapes, d =>
        {
            var x = Wild(d.Seed, 0, 1, d.N).ToRowMajorArray();
            var y = Wild(d.Seed, 1, 1, d.N).ToRowMajorArray();
            double sum = 0, dot = 0;
            for (var i = 0; i < d.N; i++)
            {
                sum += x[i];
                dot += x[i] * y[i];
            }
            AssertBitEqual([sum, dot], new[] { Blas.Sum(x), Blas.Dot(x, y) });
        });

    // ---- element-wise activations ---------------------------------------------------------------------------------

    private static readonly Activation[] ElementWise =
        [Activations.Sigmoid, Activations.Tanh, Activations.Relu, Activations.LeakyRelu(0.01), Activations.LeakyRelu(0.3), Activations.Linear];

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Activations_Apply_equals_Value_at_every_element() =>
        Prop.ForAll(
            Arb.From(from d in Gens.Dims(MaxDim)
                     from f in Gen.Elements(ElementWise)
                     select (d, f)),
            t =>
            {
                var z = Wild(t.d.Seed, 0, t.d.M, t.d.N);
                AssertBitEqual(z.Map(v => Activations.Value(t.f, v)), Activations.Apply(t.f, z));
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Activations_Backward_equals_Derivative_times_upstream_gradient_at_every_element() =>
        Prop.ForAll(
            Arb.From(from d in Gens.Dims(MaxDim)
                     from f in Gen.Elements(ElementWise)
                     select (d, f)),
            t =>
            {
                var z = Matrix.Scale(1.0 / 1024, Wild(t.d.Seed, 0, t.d.M, t.d.N)); // keep sigmoid/tanh away from saturation
                var g = Wild(t.d.Seed, 1, t.d.M, t.d.N);
                var dz = Activations.Backward(t.f, z, Activations.Apply(t.f, z), g);
                // Value equality, not bits: ReLU's backward writes 0.0 where Derivative·g gives −0.0 for negative g.
                for (var i = 0; i < z.Rows; i++)
                    for (var j = 0; j < z.Cols; j++)
                        Assert.Equal(Activations.Derivative(t.f, z[i, j]) * g[i, j], dz[i, j]);
            });

    private static double[] Filled(int n) => Enumerable.Repeat(double.NaN, n).ToArray();

    [Property(Replay = PropertyConfig.Replay, MaxTest = 300)]
    public Property AllFinite_is_false_exactly_when_some_value_is_nan_or_infinite()
    {
        // Lengths around the 16-value vector step and the 4096-value check interval; huge finite values must pass.
        var gen = from length in Gen.OneOf(Gen.Choose(0, 40), Gen.Choose(4080, 4112), Gen.Choose(8180, 8200))
                  from bad in Gen.Choose(0, 2)
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (length, bad, seed);
        var prop = Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var rnd = new Random(t.seed);
            var x = Enumerable.Range(0, t.length).Select(_ => (rnd.NextDouble() - 0.5) * Math.Pow(2, rnd.Next(-1074, 1024))).ToArray();
            for (var i = 0; i < t.bad && x.Length > 0; i++)
                x[rnd.Next(x.Length)] = rnd.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity };
            return (Blas.AllFinite(x, 1) == x.All(double.IsFinite)).Label($"length {t.length}, {t.bad} non-finite");
        });
        return prop;
    }

    [Theory]
    [InlineData(65536)]
    [InlineData(70001)]
    [InlineData(200003)]
    public void AllFinite_of_a_large_array_on_several_threads_finds_a_value_anywhere(int length)
    {
        {
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var x = Enumerable.Range(0, length).Select(i => Math.Sin(i) * 1e300).ToArray();
                Assert.True(Blas.AllFinite(x, threads));
                foreach (var at in new[] { 0, length / 3, length / 2 + 1, length - 1 })
                    foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
                    {
                        var keep = x[at];
                        x[at] = bad;
                        Assert.False(Blas.AllFinite(x, threads), $"{bad} at {at} of {length}, {threads} threads");
                        x[at] = keep;
                    }
            }
        }
    }
}

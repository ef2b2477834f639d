using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nn.Properties.Support;

namespace Nn.Properties;

/// <summary>
/// Property 3: every public function leaves its inputs unchanged (compared by value with deep copies made before the
/// call) and gives equal outputs for equal inputs (compared bit for bit); and value equality behaves as values should.
/// </summary>
public class PurityProperties
{
    // ---- deep copies that share no storage with the original and use no library copying code ----------------------

    private static Matrix Copy(Matrix m) => Matrix.Create(m.Rows, m.Cols, m.ToRowMajorArray().ToArray());

    private static Vector Copy(Vector v) => Vector.Of([.. v.ToArray()]);

    private static Network Copy(Network n) =>
        new(n.Layers.Select(l => new Dense(Copy(l.Weights), Copy(l.Bias), l.Activation)).ToArray());

    // ---- bit-for-bit comparison of outputs ------------------------------------------------------------------------

    private static bool Same(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    private static bool Same(Network a, Network b) =>
        Parameters.BitEquals(a, b) && a.Layers.Select(l => l.Activation).SequenceEqual(b.Layers.Select(l => l.Activation));

    private static bool Same(Trace a, Trace b) =>
        a.Input.BitEquals(b.Input) && a.Layers.Length == b.Layers.Length &&
        a.Layers.Zip(b.Layers).All(p =>
            p.First.Z.BitEquals(p.Second.Z) && p.First.Activated.BitEquals(p.Second.Activated) &&
            p.First.Output.BitEquals(p.Second.Output) &&
            (p.First.Mask is null ? p.Second.Mask is null : p.Second.Mask is not null && p.First.Mask.BitEquals(p.Second.Mask)));

    private static bool Same(LossAndGradients a, LossAndGradients b) =>
        Same(a.Loss, b.Loss) && Same(a.DataLoss, b.DataLoss) && Same(a.Penalty, b.Penalty) &&
        Same(a.Gradients, b.Gradients) && Same(a.Trace, b.Trace);

    /// <summary>Calls <paramref name="f"/> twice and asserts the results are the same by <paramref name="same"/> and by Equals.</summary>
    private static void Deterministic<T>(Func<T> f, Func<T, T, bool> same, string what)
    {
        var first = f();
        var second = f();
        Assert.True(same(first, second), $"{what}: equal inputs gave different outputs");
        Assert.Equal(first, second);
        Assert.Equal(first?.GetHashCode(), second?.GetHashCode());
    }

    private static void Unchanged(Network before, Network after) =>
        Assert.True(Same(before, after) && before.Equals(after), "a network argument was modified");

    private static void Unchanged(Matrix before, Matrix after) =>
        Assert.True(before.BitEquals(after) && before.Equals(after), $"a matrix argument was modified: {before} became {after}");

    private static void Unchanged(Vector before, Vector after) =>
        Assert.True(before.BitEquals(after) && before.Equals(after), $"a vector argument was modified: {before} became {after}");

    private static FsCheck.Arbitrary<Problem> Problems => Arbs.SmallProblem();

    // ---- forward, losses, backprop --------------------------------------------------------------------------------

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Forward_functions_leave_inputs_unchanged_and_are_deterministic() =>
        Prop.ForAll(Problems, p =>
        {
            var net = p.Build();
            var (netCopy, xCopy) = (Copy(net), Copy(p.X));
            var key = Key.FromSeed(p.DataSeed);

            Deterministic(() => Forward.Run(net, p.X), Same, "Forward.Run");
            Deterministic(() => Forward.RunWithDropout(net, p.X, 0.4, key), Same, "Forward.RunWithDropout");
            Deterministic(() => Forward.Predict(net, p.X), (a, b) => a.BitEquals(b), "Forward.Predict");
            Deterministic(() => Forward.PredictOne(net, p.X.Row(0)), (a, b) => a.BitEquals(b), "Forward.PredictOne");
            Deterministic(() => Dense.PreActivation(net.Layers[0], p.X), (a, b) => a.BitEquals(b), "Dense.PreActivation");

            Unchanged(netCopy, net);
            Unchanged(xCopy, p.X);
            Assert.Equal(Key.FromSeed(p.DataSeed), key);
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Loss_and_backprop_functions_leave_inputs_unchanged_and_are_deterministic() =>
        Prop.ForAll(Problems, p =>
        {
            var net = p.Build();
            var (netCopy, xCopy, yCopy) = (Copy(net), Copy(p.X), Copy(p.Y));
            var objective = p.Objective.WithL2(0.01).WithDropout(0.25);
            var key = Key.FromSeed(p.DataSeed);
            var trace = Forward.Run(net, p.X);
            var (z, a) = (Copy(trace.Logits), Copy(trace.Output));

            Deterministic(() => Backprop.Gradient(net, p.X, p.Y, objective), Same, "Backprop.Gradient");
            Deterministic(() => Backprop.GradientWithDropout(net, p.X, p.Y, objective, key), Same, "Backprop.GradientWithDropout");
            Deterministic(() => Losses.Evaluate(net, p.X, p.Y, objective), Same, "Losses.Evaluate");
            Deterministic(() => Losses.EvaluateWithDropout(net, p.X, p.Y, objective, key), Same, "Losses.EvaluateWithDropout");
            Deterministic(() => Losses.Value(p.Loss, net.OutputActivation, trace.Logits, trace.Output, p.Y), Same, "Losses.Value");
            Deterministic(() => Losses.OutputGradient(p.Loss, net.OutputActivation, trace.Logits, trace.Output, p.Y),
                (u, v) => u.BitEquals(v), "Losses.OutputGradient");
            Deterministic(() => Losses.L2Penalty(net, 0.5), Same, "Losses.L2Penalty");

            Unchanged(netCopy, net);
            Unchanged(xCopy, p.X);
            Unchanged(yCopy, p.Y);
            Unchanged(z, trace.Logits);
            Unchanged(a, trace.Output);
            Assert.Equal(p.Objective.WithL2(0.01).WithDropout(0.25), objective);
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Parameters_functions_leave_inputs_unchanged_and_are_deterministic() =>
        Prop.ForAll(
            Arb.From(from arch in Arbs.SmallArchitecture.Generator
                     from seed in Gens.Seed
                     select (arch, seed)),
            t =>
            {
                var a = t.arch.Build();
                var b = (t.arch with { Seed = t.seed }).Build();
                var (aCopy, bCopy) = (Copy(a), Copy(b));
                var flat = Parameters.Flatten(b);
                var flatCopy = Copy(flat);

                Deterministic(() => Parameters.ZerosLike(a), Same, "ZerosLike");
                Deterministic(() => Parameters.Map(a, x => 2 * x + 1), Same, "Map");
                Deterministic(() => Parameters.Zip(a, b, (x, y) => x * y - y), Same, "Zip");
                Deterministic(() => Parameters.Add(a, b), Same, "Add");
                Deterministic(() => Parameters.Subtract(a, b), Same, "Subtract");
                Deterministic(() => Parameters.Scale(-0.5, a), Same, "Scale");
                Deterministic(() => Parameters.Axpy(-0.1, a, b), Same, "Axpy");
                Deterministic(() => Parameters.Dot(a, b), Same, "Dot");
                Deterministic(() => Parameters.GlobalNorm(a), Same, "GlobalNorm");
                Deterministic(() => Parameters.Flatten(a), (u, v) => u.BitEquals(v), "Flatten");
                Deterministic(() => Parameters.Unflatten(a, flat), Same, "Unflatten");
                Deterministic(() => Parameters.SameShape(a, b), (u, v) => u == v, "SameShape");
                Deterministic(() => Parameters.BitEquals(a, b), (u, v) => u == v, "BitEquals");
                Deterministic(() => Parameters.IsFinite(a), (u, v) => u == v, "IsFinite");

                Unchanged(aCopy, a);
                Unchanged(bCopy, b);
                Unchanged(flatCopy, flat);
            });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Matrix_and_activation_operations_leave_inputs_unchanged_and_are_deterministic() =>
        Prop.ForAll(Arbs.Dims(9), d =>
        {
            var a = Gens.Uniform(d.Seed, d.M, d.K, -3, 3);
            var b = Gens.Uniform(d.Seed + 1, d.K, d.N, -3, 3);
            var c = Gens.Uniform(d.Seed + 2, d.M, d.K, -3, 3);
            var e = Gens.Uniform(d.Seed + 3, d.N, d.K, -3, 3);
            var row = Vector.Create(Gens.Uniform(d.Seed + 4, 1, d.K, -3, 3).ToRowMajorArray());
            var copies = (a: Copy(a), b: Copy(b), c: Copy(c), e: Copy(e), row: Copy(row));
            static bool Bits(Matrix u, Matrix v) => u.BitEquals(v);

            Deterministic(() => Matrix.Multiply(a, b), Bits, "Multiply");
            Deterministic(() => Matrix.MultiplyTransposeA(a, c), Bits, "MultiplyTransposeA");
            Deterministic(() => Matrix.MultiplyTransposeB(a, e), Bits, "MultiplyTransposeB");
            Deterministic(() => a.Transpose(), Bits, "Transpose");
            Deterministic(() => Matrix.Add(a, c), Bits, "Add");
            Deterministic(() => Matrix.Subtract(a, c), Bits, "Subtract");
            Deterministic(() => Matrix.Hadamard(a, c), Bits, "Hadamard");
            Deterministic(() => Matrix.Scale(1.5, a), Bits, "Scale");
            Deterministic(() => Matrix.AddRow(a, row), Bits, "AddRow");
            Deterministic(() => Matrix.ColumnSums(a), (u, v) => u.BitEquals(v), "ColumnSums");
            Deterministic(() => a.Map(Math.Sin), Bits, "Map");
            Deterministic(() => a.SelectRows([.. Enumerable.Range(0, a.Rows).Reverse()]), Bits, "SelectRows");
            foreach (var f in new[] { Activations.Sigmoid, Activations.Tanh, Activations.Relu, Activations.LeakyRelu(0.1), Activations.Linear, Activations.Softmax })
            {
                Deterministic(() => Activations.Apply(f, a), Bits, $"Activations.Apply({f})");
                Deterministic(() => Activations.Backward(f, a, Activations.Apply(f, a), c), Bits, $"Activations.Backward({f})");
            }
            if (d.M > 0)
            {
                Deterministic(() => a.Row(0), (u, v) => u.BitEquals(v), "Row");
                var copied = a.ToRowMajorArray();
                if (copied.Length > 0) copied[0] = 12345; // mutating an exported copy must not reach the matrix
            }
            if (d.K > 0) Deterministic(() => a.Column(0), (u, v) => u.BitEquals(v), "Column");

            Unchanged(copies.a, a);
            Unchanged(copies.b, b);
            Unchanged(copies.c, c);
            Unchanged(copies.e, e);
            Unchanged(copies.row, row);
        });

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Init_is_deterministic_and_leaves_its_arguments_unchanged() =>
        Prop.ForAll(Arbs.SmallArchitecture, arch =>
        {
            int[] sizes = [.. arch.Sizes];
            Activation[] acts = [.. arch.Activations];
            var key = Key.FromSeed(arch.Seed);
            Deterministic(() => Init.Network(key, sizes, acts, arch.Scheme), Same, "Init.Network");
            Deterministic(() => Init.Layer(key, arch.Inputs, arch.Outputs, arch.OutputActivation, arch.Scheme), (u, v) => u == v, "Init.Layer");
            Assert.Equal(arch.Sizes, sizes);
            Assert.Equal(arch.Activations, acts);
            Assert.Equal(Key.FromSeed(arch.Seed), key);
        });

    [Fact]
    public void Arrays_passed_to_factories_are_copied_not_shared()
    {
        double[] values = [1, 2, 3, 4];
        var v = Vector.Of(values);
        var m = Matrix.Create(2, 2, values);
        var exported = v.ToArray();
        values[0] = 99;
        exported[1] = 99;
        m.ToRowMajorArray()[2] = 99;
        Assert.Equal(Vector.Of(1, 2, 3, 4), v);
        Assert.Equal(Matrix.FromRows([[1.0, 2], [3.0, 4]]), m);
    }

    // ---- value equality -------------------------------------------------------------------------------------------

    [Property(Replay = PropertyConfig.Replay, MaxTest = PropertyConfig.DefaultMaxTest)]
    public Property Networks_built_from_the_same_seed_are_equal_with_equal_hash_codes() =>
        Prop.ForAll(Arbs.SmallArchitecture, arch =>
        {
            var (n1, n2) = (arch.Build(), arch.Build());
            Assert.False(ReferenceEquals(n1, n2));
            Assert.True(n1 == n2 && n1.Equals(n2) && n1.Equals((object)n2) && Equals(n1, n2));
            Assert.Equal(n1.GetHashCode(), n2.GetHashCode());
            Assert.True(Parameters.BitEquals(n1, n2));
            var other = (arch with { Seed = arch.Seed + 1 }).Build();
            Assert.NotEqual(n1, other);
            Assert.NotEqual(n1, Parameters.Map(n1, x => x + 1));
        });

    [Fact]
    public void Vector_equality_is_by_value()
    {
        Assert.Equal(Vector.Of(1, 2, 3), Vector.Create([1.0, 2, 3]));
        Assert.True(Vector.Of(1, 2, 3) == Vector.Of(1, 2, 3));
        Assert.Equal(Vector.Of(1, 2, 3).GetHashCode(), Vector.Init(3, i => i + 1).GetHashCode());
        Assert.NotEqual(Vector.Of(1, 2, 3), Vector.Of(1, 2, 4));
        Assert.NotEqual(Vector.Of(1, 2), Vector.Of(1, 2, 0));
        Assert.Equal(Vector.Empty, Vector.Zeros(0));
        // double.Equals semantics: 0.0 equals −0.0 (with equal hashes) and NaN equals NaN; BitEquals tells them apart.
        Assert.Equal(Vector.Of(0.0), Vector.Of(-0.0));
        Assert.Equal(Vector.Of(0.0).GetHashCode(), Vector.Of(-0.0).GetHashCode());
        Assert.False(Vector.Of(0.0).BitEquals(Vector.Of(-0.0)));
        Assert.Equal(Vector.Of(double.NaN), Vector.Of(double.NaN));
        Assert.False(Vector.Of(1).Equals(null));
    }

    [Fact]
    public void Matrix_equality_is_by_value_and_shape()
    {
        var m = Matrix.FromRows([[1.0, 2], [3.0, 4]]);
        Assert.Equal(m, Matrix.Create(2, 2, [1, 2, 3, 4]));
        Assert.Equal(m.GetHashCode(), Matrix.Init(2, 2, (r, c) => 2 * r + c + 1).GetHashCode());
        Assert.True(m == Matrix.FromArray2D(new double[,] { { 1, 2 }, { 3, 4 } }));
        Assert.NotEqual(m, Matrix.Create(1, 4, [1, 2, 3, 4])); // same values, other shape
        Assert.NotEqual(m, Matrix.Create(2, 2, [1, 2, 3, 5]));
        Assert.Equal(Matrix.Zeros(0, 3), Matrix.Zeros(0, 3));
        Assert.NotEqual(Matrix.Zeros(0, 3), Matrix.Zeros(3, 0));
        Assert.Equal(m, m.Transpose().Transpose());
    }

    [Fact]
    public void ToString_is_short_for_networks_vectors_and_matrices()
    {
        var net = Init.Mlp(Key.FromSeed(1), [784, 128, 64, 10], Activations.Relu, Activations.Softmax, InitSchemes.HeNormal);
        Assert.Equal("Network 784→128(relu)→64(relu)→10(softmax)", net.ToString());
        Assert.Equal("Network 2→4(leaky-relu(0.01))→1(sigmoid)",
            Init.Network(Key.FromSeed(1), [2, 4, 1], [Activations.LeakyRelu(0.01), Activations.Sigmoid], InitSchemes.HeNormal).ToString());
        Assert.Equal("Vector[3] (0.1, 0.2, 0.3)", Vector.Of(0.1, 0.2, 0.3).ToString());
        Assert.True(Vector.Zeros(100_000).ToString().Length < 80);
        Assert.Equal("Matrix[2×2] (1, 2, 3, 4)", Matrix.Create(2, 2, [1, 2, 3, 4]).ToString());
        Assert.True(Matrix.Zeros(1000, 1000).ToString().Length < 80);
        Assert.Equal("Key(0x000000000000002A)", Key.FromSeed(42).ToString());
    }

    [Fact]
    public void Activation_ToString_round_trips_through_Parse_under_a_comma_decimal_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = comma;
            var leaky = Activations.LeakyRelu(0.25);
            Assert.Equal("leaky-relu(0.25)", leaky.ToString());
            Assert.Equal(leaky, Activations.Parse(leaky.ToString()));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}

using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;

namespace Nn.Properties.Support;

/// <summary>
/// A small network architecture, generated as plain small numbers so counterexamples print and shrink well.
/// </summary>
/// <param name="Sizes">Layer widths including the input: [inputs, hidden₁, …, outputs] (length = layers + 1).</param>
/// <param name="Activations">One activation per layer (length = layers); softmax only on the last.</param>
/// <param name="Scheme">The weight initialisation scheme.</param>
/// <param name="Seed">The seed of the initialisation key.</param>
public sealed record Arch(ImmutableArray<int> Sizes, ImmutableArray<Activation> Activations, InitScheme Scheme, long Seed)
{
    /// <summary>The number of input features.</summary>
    public int Inputs => Sizes[0];

    /// <summary>The number of outputs.</summary>
    public int Outputs => Sizes[^1];

    /// <summary>The number of layers.</summary>
    public int LayerCount => Activations.Length;

    /// <summary>The output layer's activation.</summary>
    public Activation OutputActivation => Activations[^1];

    /// <summary>The network: <c>Init.Network(Key.FromSeed(Seed), Sizes, Activations, Scheme)</c>.</summary>
    public Network Build() => Init.Network(Key.FromSeed(Seed), Sizes, Activations, Scheme);

    /// <summary>Value equality (the arrays are compared element by element, not by reference).</summary>
    public bool Equals(Arch? other) =>
        other is not null && Sizes.SequenceEqual(other.Sizes) && Activations.SequenceEqual(other.Activations) &&
        Scheme == other.Scheme && Seed == other.Seed;

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var s in Sizes) h.Add(s);
        foreach (var a in Activations) h.Add(a);
        h.Add(Scheme);
        h.Add(Seed);
        return h.ToHashCode();
    }

    /// <summary>E.g. <c>Arch 3→4(relu)→1(sigmoid) HeNormal seed 17</c>.</summary>
    public override string ToString() =>
        $"Arch {Sizes[0]}" + string.Concat(Enumerable.Range(0, LayerCount).Select(i => $"→{Sizes[i + 1]}({Activations[i]})")) +
        $" {Scheme} seed {Seed}";
}

/// <summary>
/// A supervised problem: an architecture, a loss paired with its output activation, and a batch drawn from
/// <see cref="DataSeed"/>: inputs X (BatchSize × inputs, uniform in [−2, 2)) and valid targets Y (BatchSize × outputs;
/// see <see cref="Gens.Targets(Loss, long, int, int)"/>).
/// </summary>
public sealed record Problem(Arch Arch, Loss Loss, int BatchSize, long DataSeed)
{
    /// <summary>The input batch, shape (BatchSize × Arch.Inputs).</summary>
    public Matrix X { get; } = Gens.Uniform(Prng.Fold(Key.FromSeed(DataSeed), 0).State, BatchSize, Arch.Inputs, -2, 2);

    /// <summary>The targets, shape (BatchSize × Arch.Outputs), valid for <see cref="Loss"/>.</summary>
    public Matrix Y { get; } = Gens.Targets(Loss, Prng.Fold(Key.FromSeed(DataSeed), 1).State, BatchSize, Arch.Outputs);

    /// <summary>The network (<see cref="Arch.Build"/>).</summary>
    public Network Build() => Arch.Build();

    /// <summary>The plain objective for <see cref="Loss"/> (no L2, no dropout).</summary>
    public Objective Objective => Objective.Of(Loss);

    /// <summary>E.g. <c>Problem bce on Arch 2→3(tanh)→1(sigmoid) HeNormal seed 4, batch 3, data seed 9</c>.</summary>
    public override string ToString() => $"Problem {Loss.Name} on {Arch}, batch {BatchSize}, data seed {DataSeed}";
}

/// <summary>Kernel shapes: (M × K)·(K × N), each in [0, max], and a seed for the values.</summary>
public sealed record Dims(int M, int K, int N, long Seed);

/// <summary>
/// Shared FsCheck generators. They produce small integers (widths, counts, seeds) and build values from them, so
/// shrinking yields small counterexamples. Use <see cref="Arbs"/> for the same generators with shrinkers.
/// </summary>
public static class Gens
{
    /// <summary>The most layers a generated architecture has.</summary>
    public const int MaxLayers = 4;

    /// <summary>The widest a generated layer (or input) is.</summary>
    public const int MaxWidth = 8;

    /// <summary>A seed in [0, 2³¹ − 1].</summary>
    public static Gen<long> Seed { get; } = Gen.Choose(0, int.MaxValue).Select(i => (long)i);

    /// <summary>A layer width in [1, <see cref="MaxWidth"/>].</summary>
    public static Gen<int> Width { get; } = Gen.Choose(1, MaxWidth);

    /// <summary>Any activation allowed on a hidden layer: sigmoid, tanh, relu, leaky-relu(0.01), linear.</summary>
    public static Gen<Activation> HiddenActivation { get; } = Gen.Elements(
        Nn.Activations.Sigmoid, Nn.Activations.Tanh, Nn.Activations.Relu, Nn.Activations.LeakyRelu(0.01), Nn.Activations.Linear);

    /// <summary>Hidden activations without a kink (sigmoid, tanh, linear): differentiable everywhere.</summary>
    public static Gen<Activation> SmoothHiddenActivation { get; } = Gen.Elements(
        Nn.Activations.Sigmoid, Nn.Activations.Tanh, Nn.Activations.Linear);

    /// <summary>Any output activation: linear, sigmoid, tanh, softmax.</summary>
    public static Gen<Activation> OutputActivation { get; } = Gen.Elements(
        Nn.Activations.Linear, Nn.Activations.Sigmoid, Nn.Activations.Tanh, Nn.Activations.Softmax);

    /// <summary>Any initialisation scheme.</summary>
    public static Gen<InitScheme> Scheme { get; } = Gen.Elements(InitSchemes.All.ToArray());

    /// <summary>Any loss.</summary>
    public static Gen<Loss> AnyLoss { get; } = Gen.Elements(Losses.All.ToArray());

    /// <summary>An architecture of 1–<see cref="MaxLayers"/> layers, widths 1–<see cref="MaxWidth"/>, with the given activations.</summary>
    public static Gen<Arch> Architecture(Gen<Activation> hidden, Gen<Activation> output) =>
        from layers in Gen.Choose(1, MaxLayers)
        from sizes in Gen.ArrayOf(Width, layers + 1)
        from hiddenActs in Gen.ArrayOf(hidden, layers - 1)
        from outputAct in output
        from scheme in Scheme
        from seed in Seed
        select new Arch([.. sizes], [.. hiddenActs, outputAct], scheme, seed);

    /// <summary>An architecture with any hidden activations and any output activation.</summary>
    public static Gen<Arch> SmallArchitecture { get; } = Architecture(HiddenActivation, OutputActivation);

    /// <summary>An architecture whose output activation is the one <paramref name="loss"/> pairs with (see <see cref="Losses.PairedOutput"/>).</summary>
    public static Gen<Arch> ArchitectureFor(Loss loss, Gen<Activation>? hidden = null) =>
        Architecture(hidden ?? HiddenActivation, Gen.Constant(Losses.PairedOutput(loss)));

    /// <summary>A problem with any loss, its paired output, a batch of 1–<paramref name="maxBatch"/> examples and valid targets.</summary>
    public static Gen<Problem> SmallProblem(Gen<Activation>? hidden = null, int maxBatch = 5) =>
        from loss in AnyLoss
        from arch in ArchitectureFor(loss, hidden)
        from batch in Gen.Choose(1, maxBatch)
        from dataSeed in Seed
        select new Problem(arch, loss, batch, dataSeed);

    /// <summary>A (rows × cols) matrix with entries uniform in [low, high), drawn from a generated seed.</summary>
    public static Gen<Matrix> Matrix(int rows, int cols, double low = -1, double high = 1) =>
        Seed.Select(s => Uniform(s, rows, cols, low, high));

    /// <summary>A matrix of any shape up to (maxRows × maxCols), zero sizes included, entries uniform in [−1, 1).</summary>
    public static Gen<Matrix> AnyMatrix(int maxRows, int maxCols) =>
        from rows in Gen.Choose(0, maxRows)
        from cols in Gen.Choose(0, maxCols)
        from m in Matrix(rows, cols)
        select m;

    /// <summary>Kernel shapes with every dimension in [0, <paramref name="max"/>] and a value seed.</summary>
    public static Gen<Dims> Dims(int max) =>
        from m in Gen.Choose(0, max)
        from k in Gen.Choose(0, max)
        from n in Gen.Choose(0, max)
        from seed in Seed
        select new Dims(m, k, n, seed);

    /// <summary>The (rows × cols) matrix of <c>Prng.Uniform(Key.FromSeed(seed), rows·cols, low, high)</c> in row-major order.</summary>
    public static Matrix Uniform(long seed, int rows, int cols, double low, double high) => Uniform(unchecked((ulong)seed), rows, cols, low, high);

    /// <summary>As <see cref="Uniform(long, int, int, double, double)"/> from a raw key state.</summary>
    public static Matrix Uniform(ulong state, int rows, int cols, double low, double high) =>
        Nn.Matrix.Create(rows, cols, Prng.Uniform(new Key(state), rows * cols, low, high).Values);

    /// <summary>
    /// Valid targets (rows × cols) for a loss: MSE uniform in [−1, 1); BCE entries 0 or 1; CCE one-hot rows.
    /// </summary>
    public static Matrix Targets(Loss loss, long seed, int rows, int cols) => Targets(loss, unchecked((ulong)seed), rows, cols);

    /// <summary>As <see cref="Targets(Loss, long, int, int)"/> from a raw key state.</summary>
    public static Matrix Targets(Loss loss, ulong state, int rows, int cols)
    {
        var key = new Key(state);
        return loss switch
        {
            Loss.MeanSquaredError => Uniform(state, rows, cols, -1, 1),
            Loss.BinaryCrossEntropy => Nn.Matrix.Init(rows, cols, (r, c) => Prng.Word(key, r * cols + c) >> 63),
            Loss.CategoricalCrossEntropy => Nn.Matrix.Init(rows, cols, (r, c) => Prng.Below(key, r, cols) == c ? 1.0 : 0.0),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };
    }

    /// <summary>Smaller architectures: fewer layers, narrower layers, seed 0, the first scheme; each candidate still valid.</summary>
    public static IEnumerable<Arch> Shrink(Arch a)
    {
        for (var i = 1; i < a.Sizes.Length - 1; i++) // drop hidden layer i (its width and activation)
            yield return a with { Sizes = a.Sizes.RemoveAt(i), Activations = a.Activations.RemoveAt(i - 1) };
        for (var i = 0; i < a.Sizes.Length; i++)
        {
            if (a.Sizes[i] > 1) yield return a with { Sizes = a.Sizes.SetItem(i, 1) };
            if (a.Sizes[i] > 2) yield return a with { Sizes = a.Sizes.SetItem(i, a.Sizes[i] - 1) };
        }
        if (a.Scheme != InitSchemes.HeNormal) yield return a with { Scheme = InitSchemes.HeNormal };
        foreach (var s in ShrinkSeed(a.Seed)) yield return a with { Seed = s };
    }

    /// <summary>Smaller problems: a smaller architecture, a smaller batch, data seed 0.</summary>
    public static IEnumerable<Problem> Shrink(Problem p)
    {
        foreach (var a in Shrink(p.Arch)) yield return new Problem(a, p.Loss, p.BatchSize, p.DataSeed);
        if (p.BatchSize > 1) yield return new Problem(p.Arch, p.Loss, 1, p.DataSeed);
        foreach (var s in ShrinkSeed(p.DataSeed)) yield return new Problem(p.Arch, p.Loss, p.BatchSize, s);
    }

    /// <summary>Smaller dimensions (each towards 0) and seed 0.</summary>
    public static IEnumerable<Dims> Shrink(Dims d)
    {
        foreach (var m in ShrinkSize(d.M)) yield return d with { M = m };
        foreach (var k in ShrinkSize(d.K)) yield return d with { K = k };
        foreach (var n in ShrinkSize(d.N)) yield return d with { N = n };
        foreach (var s in ShrinkSeed(d.Seed)) yield return d with { Seed = s };
    }

    private static IEnumerable<int> ShrinkSize(int n) => n == 0 ? [] : n == 1 ? [0] : [0, n / 2, n - 1];

    private static IEnumerable<long> ShrinkSeed(long s) => s == 0 ? [] : [0];
}

/// <summary>The generators of <see cref="Gens"/> paired with their shrinkers.</summary>
public static class Arbs
{
    /// <summary><see cref="Gens.SmallArchitecture"/> with <see cref="Gens.Shrink(Arch)"/>.</summary>
    public static Arbitrary<Arch> SmallArchitecture { get; } = Arb.From(Gens.SmallArchitecture, Gens.Shrink);

    /// <summary><see cref="Gens.Architecture"/> with <see cref="Gens.Shrink(Arch)"/>.</summary>
    public static Arbitrary<Arch> Architecture(Gen<Activation> hidden, Gen<Activation> output) =>
        Arb.From(Gens.Architecture(hidden, output), Gens.Shrink);

    /// <summary><see cref="Gens.ArchitectureFor"/> with <see cref="Gens.Shrink(Arch)"/>.</summary>
    public static Arbitrary<Arch> ArchitectureFor(Loss loss, Gen<Activation>? hidden = null) =>
        Arb.From(Gens.ArchitectureFor(loss, hidden), Gens.Shrink);

    /// <summary><see cref="Gens.SmallProblem"/> with <see cref="Gens.Shrink(Problem)"/>.</summary>
    public static Arbitrary<Problem> SmallProblem(Gen<Activation>? hidden = null, int maxBatch = 5) =>
        Arb.From(Gens.SmallProblem(hidden, maxBatch), Gens.Shrink);

    /// <summary><see cref="Gens.Dims"/> with <see cref="Gens.Shrink(Dims)"/>.</summary>
    public static Arbitrary<Dims> Dims(int max) => Arb.From(Gens.Dims(max), Gens.Shrink);
}

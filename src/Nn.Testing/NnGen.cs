using FsCheck;
using FsCheck.Fluent;

namespace Nn.Testing;

/// <summary>
/// FsCheck generators of small cases for a component: a one-hidden-layer network whose hidden layer uses the activation
/// under test (or whose output and loss are under test), a batch and targets. Sizes stay small (widths up to 4, up to 5
/// rows) so a property runs fast and a counterexample reads at a glance; the arbitraries shrink towards 1 of everything.
/// </summary>
public static class NnGen
{
    /// <summary>The specs: inputs 1–3, hidden 1–4, outputs 1–3 (at least <paramref name="minOutputs"/>), rows 1–5, any seed.</summary>
    public static Gen<CaseSpec> Specs(int minOutputs = 1) =>
        from inputs in Gen.Choose(1, 3)
        from hidden in Gen.Choose(1, 4)
        from outputs in Gen.Choose(minOutputs, Math.Max(minOutputs, 3))
        from rows in Gen.Choose(1, 5)
        from seed in Gen.Choose(0, 99_999)
        select new CaseSpec(inputs, hidden, outputs, rows, seed);

    /// <summary>Smaller specs first: each width, the rows and the seed towards their minimum.</summary>
    public static IEnumerable<CaseSpec> Shrink(CaseSpec spec, int minOutputs = 1)
    {
        if (spec.Rows > 1) yield return spec with { Rows = spec.Rows - 1 };
        if (spec.Hidden > 1) yield return spec with { Hidden = spec.Hidden - 1 };
        if (spec.Inputs > 1) yield return spec with { Inputs = spec.Inputs - 1 };
        if (spec.Outputs > minOutputs) yield return spec with { Outputs = spec.Outputs - 1 };
        if (spec.Seed > 0) yield return spec with { Seed = spec.Seed / 2 };
    }

    /// <summary>
    /// Cases whose hidden layer uses <paramref name="hidden"/>, with a linear output and half mean squared error (so the
    /// activation's derivative is all that is under test). Biases are drawn too, so pre-activations sit off exact zeros.
    /// </summary>
    public static Arbitrary<NetworkCase> WithHidden(Activation hidden) =>
        Arb.From(Specs().Select(s => Build(s, hidden, Activations.Linear, Losses.MeanSquaredError)),
            c => Shrink(c.Spec).Select(s => Build(s, hidden, Activations.Linear, Losses.MeanSquaredError)));

    /// <summary>
    /// Cases for <paramref name="loss"/> on <paramref name="output"/> (tanh hidden units): a custom element-wise loss on a
    /// linear or other non-softmax output, or a built-in loss on its paired output.
    /// </summary>
    public static Arbitrary<NetworkCase> WithLoss(Loss loss, Activation output)
    {
        Losses.CheckPairing(loss, output);
        var min = output is Activation.Softmax or Activation.CustomRows ? 2 : 1;
        return Arb.From(Specs(min).Select(s => Build(s, Activations.Tanh, output, loss)),
            c => Shrink(c.Spec, min).Select(s => Build(s, Activations.Tanh, output, loss)));
    }

    /// <summary>The case <paramref name="spec"/> describes (deterministic in it).</summary>
    public static NetworkCase Build(CaseSpec spec, Activation hidden, Activation output, Loss loss)
    {
        var key = Key.FromSeed(spec.Seed);
        var network = Init.Mlp(Prng.Fold(key, 0), [spec.Inputs, spec.Hidden, spec.Outputs], hidden, output, InitSchemes.XavierNormal);
        network = new Network(network.Layers.Select((l, i) => l.WithParameters(l.Weights, Prng.Uniform(Prng.Fold(key, 10 + i), l.Outputs, -0.5, 0.5))));
        var x = Matrix.Create(spec.Rows, spec.Inputs, Prng.Uniform(Prng.Fold(key, 1), spec.Rows * spec.Inputs, -2, 2).ToArray());
        // One-hot rows for a softmax output (whatever the loss), 0–1 values for binary cross-entropy, else any values.
        Matrix y = (loss, output) switch
        {
            (Loss.CategoricalCrossEntropy, _) or (_, Activation.Softmax) => Labels.OneHot([.. Enumerable.Range(0, spec.Rows).Select(r => Prng.Below(Prng.Fold(key, 2), r, spec.Outputs))], spec.Outputs),
            (Loss.BinaryCrossEntropy, _) => Matrix.Create(spec.Rows, spec.Outputs, Prng.Uniform(Prng.Fold(key, 2), spec.Rows * spec.Outputs, 0, 1).ToArray()),
            _ => Matrix.Create(spec.Rows, spec.Outputs, Prng.Uniform(Prng.Fold(key, 2), spec.Rows * spec.Outputs, -2, 2).ToArray()),
        };
        return new NetworkCase(spec, network, x, y, Objective.Of(loss));
    }
}

using System.Globalization;

namespace Nn.Testing;

/// <summary>
/// The small numbers a generated case is made from: input, hidden and output widths, rows and a seed. The case's
/// network and batch are built from them, so a failing case shrinks to a readable one (<c>2 → 1 → 1, 1 row, seed 7</c>).
/// </summary>
/// <param name="Inputs">Input features, ≥ 1.</param>
/// <param name="Hidden">Hidden units, ≥ 1.</param>
/// <param name="Outputs">Output units, ≥ 1 (2 or more for a softmax output).</param>
/// <param name="Rows">Examples in the batch, ≥ 1.</param>
/// <param name="Seed">The seed of the weights, biases, inputs and targets.</param>
public sealed record CaseSpec(int Inputs, int Hidden, int Outputs, int Rows, int Seed)
{
    /// <summary>e.g. <c>2 → 3 → 1, 4 rows, seed 17</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Inputs} → {Hidden} → {Outputs}, {Rows} row{(Rows == 1 ? "" : "s")}, seed {Seed}");
}

/// <summary>A built case: a network with the component under test, a batch and the objective.</summary>
/// <param name="Spec">What it was built from (its <c>ToString</c> is the counterexample FsCheck prints).</param>
/// <param name="Network">The network.</param>
/// <param name="X">The inputs (rows × inputs).</param>
/// <param name="Y">The targets (rows × outputs).</param>
/// <param name="Objective">The loss (no penalty, no dropout).</param>
public sealed record NetworkCase(CaseSpec Spec, Network Network, Matrix X, Matrix Y, Objective Objective)
{
    /// <summary>The spec and the network, e.g. <c>2 → 3 → 1, 4 rows, seed 17: Network 2→3(gelu)→1(linear)</c>.</summary>
    public override string ToString() => $"{Spec}: {Network}";
}

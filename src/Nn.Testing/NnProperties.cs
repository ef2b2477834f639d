using FsCheck;
using FsCheck.Fluent;

namespace Nn.Testing;

/// <summary>
/// Ready properties for a user's own components, for FsCheck.Xunit's <c>[Property]</c>:
/// <code>
/// [Property] public Property Gelu_is_differentiable() => NnProperties.GradientMatchesFiniteDifferences(gelu);
/// </code>
/// Each generates small cases (<see cref="NnGen"/>) that shrink to a readable counterexample, and labels a failure with
/// the gradient check's report.
/// </summary>
public static class NnProperties
{
    /// <summary>
    /// Back-propagation through the activation (its derivative) agrees with central finite differences of the loss (its
    /// function): the gradient check's verdict is never Failed, and Passed for an activation without kinks.
    /// </summary>
    public static Property GradientMatchesFiniteDifferences(Activation hidden) =>
        Prop.ForAll(NnGen.WithHidden(hidden), c => Judge(c, smooth: !Activations.HasKinkAtZero(hidden)));

    /// <summary>The gradient of a loss (its gradient function) agrees with finite differences of its value, through <paramref name="output"/>.</summary>
    public static Property GradientMatchesFiniteDifferences(Loss loss, Activation output) =>
        Prop.ForAll(NnGen.WithLoss(loss, output), c => Judge(c, smooth: true));

    /// <summary>The batch gradient is the mean of the per-example gradients (the loss is a mean over examples), to 1e-9 relative.</summary>
    public static Property BatchGradientIsTheMeanOfPerExampleGradients(Activation hidden) =>
        Prop.ForAll(NnGen.WithHidden(hidden), c =>
        {
            var batch = Backprop.Gradient(c.Network, c.X, c.Y, c.Objective).Gradients;
            var sum = Parameters.ZerosLike(c.Network);
            for (var r = 0; r < c.X.Rows; r++)
                sum = Parameters.Add(sum, Backprop.Gradient(c.Network, c.X.SelectRows([r]), c.Y.SelectRows([r]), c.Objective).Gradients);
            var mean = Parameters.Scale(1.0 / c.X.Rows, sum);
            var scale = Math.Max(1e-12, Parameters.GlobalNorm(batch));
            var error = Parameters.GlobalNorm(Parameters.Subtract(batch, mean));
            return (error <= 1e-9 * scale).Label($"‖batch − mean of rows‖ = {error:G3} against ‖batch‖ = {scale:G3}");
        });

    /// <summary>
    /// A small gradient step does not increase the loss: with lr = 10⁻⁴/(1 + ‖g‖²), <c>J(θ − lr·g) ≤ J(θ)</c> (up to
    /// rounding), for an activation without kinks.
    /// </summary>
    public static Property SmallStepDoesNotIncreaseTheLoss(Activation hidden) =>
        Prop.ForAll(NnGen.WithHidden(hidden), c =>
        {
            var g = Backprop.Gradient(c.Network, c.X, c.Y, c.Objective);
            var norm = Parameters.GlobalNorm(g.Gradients);
            var stepped = Parameters.Axpy(-1e-4 / (1 + norm * norm), g.Gradients, c.Network);
            var after = Losses.Evaluate(stepped, c.X, c.Y, c.Objective);
            return (after <= g.Loss + 1e-12 * Math.Max(1, Math.Abs(g.Loss))).Label($"J went from {g.Loss:R} to {after:R}");
        });

    /// <summary>Training is pure and deterministic: five steps from the same state twice give the same bits, and the state is unchanged.</summary>
    public static Property TrainingIsPureAndDeterministic(Activation hidden) =>
        Prop.ForAll(NnGen.WithHidden(hidden), c =>
        {
            var config = TrainConfig.Of(c.Objective, Optimizers.Adam(0.01));
            var start = Training.Init(config, c.Network, Key.FromSeed(c.Spec.Seed));
            var before = Parameters.Flatten(c.Network).ToArray();
            TrainState Run()
            {
                var s = start;
                for (var i = 0; i < 5; i++) s = Training.Step(config, s, c.X, c.Y);
                return s;
            }
            var (a, b) = (Run(), Run());
            var unchanged = Parameters.Flatten(start.Parameters).ToArray().AsSpan().SequenceEqual(before);
            return (Parameters.BitEquals(a.Parameters, b.Parameters) && a.LastLoss.Equals(b.LastLoss) && unchanged)
                .Label(unchanged ? "two runs gave different bits" : "a step changed its input state");
        });

    /// <summary>
    /// A softmax-like row activation gives distributions: every output is in [0, 1] and each row sums to 1 (to 1e-12),
    /// for rows of 2 to 6 pre-activations in [−30, 30].
    /// </summary>
    public static Property RowsAreDistributions(Activation rows) =>
        Prop.ForAll(Arb.From(
            from width in Gen.Choose(2, 6)
            from count in Gen.Choose(1, 4)
            from seed in Gen.Choose(0, 99_999)
            select Matrix.Create(count, width, Prng.Uniform(Key.FromSeed(seed), count * width, -30, 30).ToArray())), z =>
        {
            var a = Activations.Apply(rows, z);
            for (var r = 0; r < a.Rows; r++)
            {
                var row = a.Row(r).ToArray();
                if (row.Any(v => !(v >= 0 && v <= 1)) || Math.Abs(row.Sum() - 1) > 1e-12)
                    return false.Label($"row {r}: [{string.Join(", ", row)}] from z = [{string.Join(", ", z.Row(r).ToArray())}]");
            }
            return true.Label("");
        });

    private static Property Judge(NetworkCase c, bool smooth)
    {
        var report = GradientCheck.Run(c.Network, c.X, c.Y, c.Objective, GradientCheckOptions.Default);
        var ok = smooth ? report.Verdict == GradientVerdict.Passed : report.Verdict != GradientVerdict.Failed;
        return ok.Label(report.ToString());
    }
}

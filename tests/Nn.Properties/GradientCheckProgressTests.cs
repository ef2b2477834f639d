namespace Nn.Properties;

/// <summary>The gradient check's progress callback and cancellation: every check is reported once, in order; cancelling stops before the next check; neither changes the report.</summary>
public class GradientCheckProgressTests
{
    private static (Network Network, Matrix X, Matrix Y, Objective Objective) Problem()
    {
        var network = Init.Mlp(Key.FromSeed(1), [3, 5, 2], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var x = Matrix.Create(4, 3, Prng.Normal(Key.FromSeed(2), 12, 0, 1).Values);
        var y = Matrix.Init(4, 2, (r, c) => r % 2 == c ? 1.0 : 0.0);
        return (network, x, y, Objective.Of(Losses.CategoricalCrossEntropy));
    }

    [Fact]
    public void Every_check_is_reported_once_in_order_and_the_report_is_unchanged()
    {
        var (network, x, y, objective) = Problem();
        var seen = new List<GradientCheckProgress>();
        var report = GradientCheck.Run(network, x, y, objective, GradientCheckOptions.Default, seen.Add, CancellationToken.None);
        var total = GradientCheck.Checks(network.ParameterCount, GradientCheckOptions.Default);
        Assert.Equal(3 * 5 + 5 + 5 * 2 + 2 + 4, total);
        Assert.Equal(Enumerable.Range(1, (int)total).Select(i => new GradientCheckProgress(i, total)), seen);
        Assert.Equal(GradientCheck.Run(network, x, y, objective, GradientCheckOptions.Default), report);
        Assert.Equal(1 + 2 * total, GradientCheck.Evaluations(network.ParameterCount, GradientCheckOptions.Default));
        Assert.Equal(4L, GradientCheck.Checks(1000, GradientCheckOptions.Default.DirectionsOnly(4)));
    }

    [Fact]
    public void Cancelling_stops_before_the_next_check()
    {
        var (network, x, y, objective) = Problem();
        using var cts = new CancellationTokenSource();
        var seen = 0L;
        Assert.Throws<OperationCanceledException>(() => GradientCheck.Run(network, x, y, objective, GradientCheckOptions.Default, p =>
        {
            seen = p.Done;
            if (p.Done == 7) cts.Cancel();
        }, cts.Token));
        Assert.Equal(7, seen);

        cts.Dispose();
        using var before = new CancellationTokenSource();
        before.Cancel();
        Assert.Throws<OperationCanceledException>(() => GradientCheck.Run(network, x, y, objective, GradientCheckOptions.Default, _ => Assert.Fail("no check may run"), before.Token));
    }
}

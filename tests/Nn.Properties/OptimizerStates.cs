namespace Nn.Properties;

/// <summary>Test helpers over the built-in optimizer states and chains.</summary>
internal static class OptimizerStates
{
    /// <summary>Every moment of a state, flattened in chain order (a snapshot that later writes cannot change).</summary>
    internal static double[] Moments(OptimizerState state) => state switch
    {
        Chain.State c => [.. c.Links.SelectMany(Moments)],
        ScaleByAdam.State a => [.. Parameters.Flatten(a.M).ToArray(), .. Parameters.Flatten(a.V).ToArray()],
        ScaleByMomentum.State m => Parameters.Flatten(m.Velocity).ToArray(),
        ScaleByRms.State r => Parameters.Flatten(r.MeanSquare).ToArray(),
        _ => [],
    };

    /// <summary>The optimizer with a leading clip by global norm when <paramref name="clip"/> &gt; 0.</summary>
    internal static GradientTransformation Clipped(GradientTransformation optimizer, double clip) =>
        clip > 0 ? Optimizers.Chain(Optimizers.ClipByGlobalNorm(clip), optimizer) : optimizer;

    /// <summary>Whether two states are equal bit for bit (moments compared by their bits, so NaN equals NaN).</summary>
    internal static bool SameBits(OptimizerState a, OptimizerState b) =>
        a.GetType() == b.GetType() && Moments(a).Select(BitConverter.DoubleToInt64Bits).SequenceEqual(Moments(b).Select(BitConverter.DoubleToInt64Bits))
        && Counts(a).SequenceEqual(Counts(b));

    private static IEnumerable<long> Counts(OptimizerState s) => s switch
    {
        Chain.State c => c.Links.SelectMany(Counts),
        ScaleByAdam.State a => [a.Count],
        ScaleByLearningRate.State l => [l.Count],
        _ => [],
    };
}

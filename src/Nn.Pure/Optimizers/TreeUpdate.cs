namespace Nn;

/// <summary>
/// The driver behind <see cref="Optimizers.Update"/>: runs one span kernel per tensor (each layer's weights, then its
/// bias) over the parameters, the gradients and up to two moment trees, and assembles the new trees.
/// </summary>
internal static class TreeUpdate
{
    /// <summary>A fused kernel over one tensor: reads θ, g, a, b and writes θ′, a′, b′ (absent moments are empty spans).</summary>
    internal delegate void Kernel(ReadOnlySpan<double> theta, ReadOnlySpan<double> g, ReadOnlySpan<double> a, ReadOnlySpan<double> b,
        Span<double> thetaOut, Span<double> aOut, Span<double> bOut);

    /// <summary>The new parameter tree and the new moment trees (null where no moment was given).</summary>
    internal sealed record Result(Network Parameters, Network? A, Network? B);

    /// <summary>
    /// Applies <paramref name="kernel"/> to every tensor into new arrays; all trees must already have the parameters'
    /// shape. (The engine behind <see cref="Training.Steps"/> updates its own arrays in place instead.)
    /// </summary>
    internal static Result Apply(Network theta, Network g, Network? a, Network? b, Kernel kernel, Kernels.Workspace? ws)
    {
        var threads = Kernels.Workspace.ThreadsOf(ws);
        var split = Kernels.Workspace.PolicyOf(ws).UpdateParallelLength;
        var n = theta.Layers.Length;
        var thetaLayers = new Dense[n];
        var aLayers = a is null ? null : new Dense[n];
        var bLayers = b is null ? null : new Dense[n];
        for (var i = 0; i < n; i++)
        {
            var lt = theta.Layers[i];
            var lg = g.Layers[i];
            var la = a?.Layers[i];
            var lb = b?.Layers[i];
            var w = Tensor(lt.Weights.Data, lg.Weights.Data, la?.Weights.Data, lb?.Weights.Data, kernel, threads, split);
            var c = Tensor(lt.Bias.Data, lg.Bias.Data, la?.Bias.Data, lb?.Bias.Data, kernel, threads, split);
            thetaLayers[i] = lt.WithParameters(Matrix.Own(lt.Inputs, lt.Outputs, w.Theta), Vector.Own(c.Theta));
            if (la is not null) aLayers![i] = la.WithParameters(Matrix.Own(la.Inputs, la.Outputs, w.A!), Vector.Own(c.A!));
            if (lb is not null) bLayers![i] = lb.WithParameters(Matrix.Own(lb.Inputs, lb.Outputs, w.B!), Vector.Own(c.B!));
        }
        return new(new Network(thetaLayers, theta),
            aLayers is null ? null : new Network(aLayers, theta),
            bLayers is null ? null : new Network(bLayers, theta));
    }

    /// <summary>
    /// One tensor's update; tensors of at least <paramref name="split"/> values are updated on up to
    /// <paramref name="maxThreads"/> threads (<see cref="KernelPolicy.UpdateParallelLength"/>; speed only, never the bits).
    /// </summary>
    private static (double[] Theta, double[]? A, double[]? B) Tensor(double[] theta, double[] g, double[]? a, double[]? b, Kernel kernel,
        int maxThreads, int split)
    {
        // The kernel writes every element, so new arrays need not be zeroed first (5.4 MB a step at MNIST scale).
        var thetaOut = GC.AllocateUninitializedArray<double>(theta.Length);
        var aOut = a is null ? null : GC.AllocateUninitializedArray<double>(theta.Length);
        var bOut = b is null ? null : GC.AllocateUninitializedArray<double>(theta.Length);
        // A large tensor's update is bound by memory traffic (read θ and g, write θ′): the threads split its elements,
        // each running the same per-element formula, so the bits do not depend on the split.
        var threads = theta.Length < split ? 1 : Math.Min(maxThreads, theta.Length / Math.Max(1, split / 2));
        Kernels.Workers.ForRanges(theta.Length, threads, (start, length) =>
            kernel(theta.AsSpan(start, length), g.AsSpan(start, length),
                a is null ? default : a.AsSpan(start, length), b is null ? default : b.AsSpan(start, length),
                thetaOut.AsSpan(start, length), aOut is null ? default : aOut.AsSpan(start, length), bOut is null ? default : bOut.AsSpan(start, length)));
        return (thetaOut, aOut, bOut);
    }
}

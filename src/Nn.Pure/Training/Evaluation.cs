namespace Nn;

/// <summary>
/// A quick summary of a network on a data set, as used for per-epoch validation: the objective, and the metric that suits
/// the output layer. Match on the cases: <see cref="Classification"/> (sigmoid or softmax output) or
/// <see cref="Regression"/> (any other output).
/// </summary>
public abstract record EvaluationSummary
{
    private EvaluationSummary(double loss) => Loss = loss;

    /// <summary>The objective (data loss + L2 penalty, no dropout).</summary>
    public double Loss { get; }

    /// <summary>The summary of a classifier (sigmoid or softmax output).</summary>
    /// <param name="Loss">The objective (data loss + L2 penalty, no dropout).</param>
    /// <param name="Accuracy">The fraction of rows (of outputs, for sigmoid) classified right; NaN for no rows.</param>
    public sealed record Classification(double Loss, double Accuracy) : EvaluationSummary(Loss);

    /// <summary>The summary of a regression network (any output other than sigmoid or softmax).</summary>
    /// <param name="Loss">The objective (data loss + L2 penalty, no dropout).</param>
    /// <param name="R2">The coefficient of determination over all outputs; NaN for no rows.</param>
    public sealed record Regression(double Loss, double R2) : EvaluationSummary(Loss);
}

/// <summary>Pure evaluation of a network on labelled data.</summary>
public static class Evaluation
{
    /// <summary>
    /// The objective on X (m × inputs), Y (m × outputs), and accuracy (softmax: arg-max of Ŷ vs arg-max of Y, ties to
    /// the lower index; sigmoid: each output Ŷ ≥ 0.5 vs Y ≥ 0.5, averaged over rows and outputs) or R²
    /// (<c>1 − Σ(Ŷ − Y)² / Σ(Y − Ȳ)²</c>, Ȳ per column; 0/0 gives 1 and x/0 gives 0). <paramref name="compute"/>
    /// (threads) changes the speed, never the result.
    /// </summary>
    public static EvaluationSummary Summarize(Network network, Matrix x, Matrix y, Objective objective, ComputeOptions? compute = null)
    {
        var ws = Kernels.Workspace.Borrow(compute ?? ComputeOptions.Default).Begin();
        try { return Summarize(network, Forward.Run(network, x, 0.0, null, ws), y, null, objective); }
        finally { ws.GiveBack(); }
    }

    /// <summary>
    /// <see cref="Summarize(Network, Matrix, Matrix, Objective, ComputeOptions?)"/> of <paramref name="data"/> with its row weights in the loss (<see cref="Losses.WeightedValue"/>)
    /// when it has them; the accuracy or R² stays unweighted. Early stopping on weighted training watches this loss.
    /// </summary>
    public static EvaluationSummary SummarizeWeighted(Network network, TrainingData data, Objective objective, ComputeOptions? compute = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var ws = Kernels.Workspace.Borrow(compute ?? ComputeOptions.Default).Begin();
        try { return Summarize(network, Forward.Run(network, data.X, 0.0, null, ws), data.Y, data.Weights, objective); }
        finally { ws.GiveBack(); }
    }

    private static EvaluationSummary Summarize(Network network, Trace trace, Matrix y, Vector? weights, Objective objective)
    {
        var data = weights is null
            ? Losses.Value(objective.Loss, network.OutputActivation, trace.Logits, trace.Output, y)
            : Losses.WeightedValue(objective.Loss, network.OutputActivation, trace.Logits, trace.Output, y, weights);
        var loss = data + Losses.L2Penalty(network, objective.L2);
        var yHat = trace.Output;
        return network.OutputActivation switch
        {
            Activation.Softmax => new EvaluationSummary.Classification(loss, ArgMaxAccuracy(yHat, y)),
            Activation.Sigmoid => new EvaluationSummary.Classification(loss, ThresholdAccuracy(yHat, y)),
            _ => new EvaluationSummary.Regression(loss, RSquared(yHat, y)),
        };
    }

    private static double ArgMaxAccuracy(Matrix yHat, Matrix y) =>
        y.Rows == 0 ? double.NaN : Nn.Classification.Accuracy(Labels.ArgMax(y), Labels.ArgMax(yHat));

    private static double ThresholdAccuracy(Matrix yHat, Matrix y)
    {
        if (y.Rows == 0) return double.NaN;
        var right = 0;
        var yh = yHat.AsSpan();
        var yt = y.AsSpan();
        for (var i = 0; i < yt.Length; i++)
            if (yh[i] >= 0.5 == yt[i] >= 0.5) right++;
        return (double)right / yt.Length;
    }

    private static double RSquared(Matrix yHat, Matrix y)
    {
        if (y.Rows == 0) return double.NaN;
        var means = Matrix.ColumnSums(y);
        double ssRes = 0, ssTot = 0;
        for (var r = 0; r < y.Rows; r++)
            for (var c = 0; c < y.Cols; c++)
            {
                var t = y[r, c];
                var d = yHat[r, c] - t;
                var e = t - means[c] / y.Rows;
                ssRes += d * d;
                ssTot += e * e;
            }
        return ssTot == 0 ? (ssRes == 0 ? 1.0 : 0.0) : 1.0 - ssRes / ssTot;
    }
}

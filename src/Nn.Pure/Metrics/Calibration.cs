using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Nn;

/// <summary>One bin of a reliability diagram (see <see cref="Calibration.ExpectedCalibrationError"/>).</summary>
/// <param name="Lower">The lower edge b/B (exclusive, except that bin 0 also holds confidence 0).</param>
/// <param name="Upper">The upper edge (b+1)/B (inclusive).</param>
/// <param name="Count">The number of examples whose confidence falls in the bin.</param>
/// <param name="MeanConfidence">The mean confidence of those examples; 0 when the bin is empty.</param>
/// <param name="Accuracy">The fraction of those examples predicted correctly; 0 when the bin is empty.</param>
public sealed record CalibrationBin(double Lower, double Upper, int Count, double MeanConfidence, double Accuracy);

/// <summary>The expected calibration error and the per-bin table behind it; equality is by value.</summary>
public sealed record CalibrationReport
{
    internal CalibrationReport(double ece, ImmutableArray<CalibrationBin> bins)
    {
        Ece = ece;
        Bins = bins;
    }

    /// <summary>The expected calibration error <c>Σ_b (n_b/m)·|acc_b − conf_b|</c>, in [0, 1].</summary>
    public double Ece { get; }

    /// <summary>The B bins in increasing order of confidence; their counts sum to m.</summary>
    public ImmutableArray<CalibrationBin> Bins { get; }

    /// <summary>Value equality: same ECE and same bins.</summary>
    public bool Equals(CalibrationReport? other) =>
        other is not null && (ReferenceEquals(this, other) || (Ece.Equals(other.Ece) && Bins.SequenceEqual(other.Bins)));

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Ece);
        foreach (var b in Bins) h.Add(b);
        return h.ToHashCode();
    }

    /// <summary>A short description, e.g. <c>CalibrationReport ECE=0.0412 over 10 bins</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"CalibrationReport ECE={Ece:G6} over {Bins.Length} bins");
}

/// <summary>Calibration of predicted probabilities: how well the confidence of a prediction matches its accuracy.</summary>
public static class Calibration
{
    /// <summary>
    /// The expected calibration error with <paramref name="bins"/> equal-width bins, for true labels (length m) and
    /// probabilities (m × k). Each example's prediction is the row's arg-max (ties to the lowest index) and its confidence
    /// the row's maximum. Bin b (0 ≤ b &lt; B) holds the confidences in (b/B, (b+1)/B]; confidence 0 goes to bin 0.
    /// ECE = <c>Σ_b (n_b/m)·|acc_b − conf_b|</c> over the non-empty bins.
    /// </summary>
    /// <exception cref="ArgumentException">When bins &lt; 1, the inputs are empty or differ in length, a label is out of
    /// range, or a confidence is not in [0, 1].</exception>
    public static CalibrationReport ExpectedCalibrationError(IReadOnlyList<int> truth, Matrix probabilities, int bins)
    {
        if (bins < 1) throw new ArgumentException($"The number of bins must be >= 1, got {bins}.", nameof(bins));
        Classification.CheckProbabilities(truth, probabilities);
        var predicted = Labels.ArgMax(probabilities);
        var count = new int[bins];
        var confSum = new double[bins];
        var correct = new int[bins];
        for (var i = 0; i < truth.Count; i++)
        {
            var p = predicted[i];
            var conf = probabilities[i, p];
            if (!(conf >= 0.0 && conf <= 1.0))
                throw new ArgumentException($"Row {i} has confidence {conf}, outside [0, 1].", nameof(probabilities));
            var b = BinOf(conf, bins);
            count[b]++;
            confSum[b] += conf;
            if (p == truth[i]) correct[b]++;
        }
        var table = new CalibrationBin[bins];
        var ece = 0.0;
        for (var b = 0; b < bins; b++)
        {
            var n = count[b];
            var meanConf = n == 0 ? 0.0 : confSum[b] / n;
            var acc = n == 0 ? 0.0 : (double)correct[b] / n;
            table[b] = new CalibrationBin(Edge(b, bins), Edge(b + 1, bins), n, meanConf, acc);
            ece += (double)n / truth.Count * Math.Abs(acc - meanConf);
        }
        return new CalibrationReport(ece, ImmutableCollectionsMarshal.AsImmutableArray(table));
    }

    /// <summary>The bin of a confidence in [0, 1]: the b with <c>Edge(b) &lt; conf ≤ Edge(b+1)</c>, or 0 for conf = 0.</summary>
    internal static int BinOf(double confidence, int bins)
    {
        var b = Math.Clamp((int)Math.Ceiling(confidence * bins) - 1, 0, bins - 1);
        // Correct rounding in confidence·B so membership agrees exactly with the published edges.
        while (b > 0 && confidence <= Edge(b, bins)) b--;
        while (b < bins - 1 && confidence > Edge(b + 1, bins)) b++;
        return b;
    }

    private static double Edge(int b, int bins) => (double)b / bins;
}

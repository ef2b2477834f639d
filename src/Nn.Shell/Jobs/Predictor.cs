using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>A model's predictions for a batch, in the user's terms.</summary>
/// <param name="Probabilities">Classification: one row per example, one column per label (rows sum to 1); else 0 columns.</param>
/// <param name="Classes">Classification: the predicted class index per example (arg-max, ties to the lower index).</param>
/// <param name="Values">Regression: the predicted value per example, in the target's original units.</param>
public sealed record Prediction(Matrix Probabilities, ImmutableArray<int> Classes, ImmutableArray<double> Values)
{
    /// <summary>Sequence equality.</summary>
    public bool Equals(Prediction? other) =>
        other is not null && Probabilities.Equals(other.Probabilities) && Classes.SequenceEqual(other.Classes) && Values.SequenceEqual(other.Values);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Probabilities, Classes.Length, Values.Length);
}

/// <summary>Applies a model's recorded preprocessing, its network and the inverse target scaling.</summary>
public static class Predictor
{
    /// <summary>Scales raw features (m × features) as recorded in the model: <c>(x − Offset) / Scale</c> per column.</summary>
    public static Matrix ScaleFeatures(FeatureScaling scaling, Matrix raw) =>
        scaling.Kind == "none" ? raw : StandardScaler.Transform(new StandardScaler(scaling.Offset, scaling.Scale), raw);

    /// <summary>Predicts for raw features X (m × features), with <paramref name="compute"/>'s threads (default one).</summary>
    public static Prediction Predict(Model model, Matrix raw, ComputeOptions? compute = null)
    {
        var output = Forward.Predict(model.Network, ScaleFeatures(model.Info.Scaling, raw), compute);
        if (model.Info.Task == TaskKind.Regression)
        {
            var t = model.Info.TargetScaling;
            var values = Enumerable.Range(0, output.Rows).Select(r => t is null ? output[r, 0] : output[r, 0] * t.Scale + t.Offset);
            return new Prediction(Matrix.Zeros(output.Rows, 0), [], [.. values]);
        }
        var probabilities = ClassProbabilities(model.Network.OutputActivation, output);
        return new Prediction(probabilities, Labels.ArgMax(probabilities), []);
    }

    /// <summary>
    /// Class probabilities from a classifier's outputs: softmax rows as they are; a single sigmoid column p as (1 − p, p);
    /// several sigmoid columns normalised to sum to 1.
    /// </summary>
    public static Matrix ClassProbabilities(Activation output, Matrix yHat)
    {
        if (output is Activation.Sigmoid && yHat.Cols == 1) return Labels.BinaryToTwoClass(yHat);
        if (output is Activation.Softmax) return yHat;
        return Matrix.Init(yHat.Rows, yHat.Cols, (r, c) =>
        {
            var sum = 0.0;
            for (var k = 0; k < yHat.Cols; k++) sum += yHat[r, k];
            return sum > 0 ? yHat[r, c] / sum : 1.0 / yHat.Cols;
        });
    }
}

using System.Collections.Immutable;

namespace Nn.Shell;

/// <summary>
/// A model's predictions for a batch, in the user's terms. Match on the cases: <see cref="Classification"/> (class
/// probabilities and the predicted classes), <see cref="Regression"/> (values in the target's units) or
/// <see cref="Multilabel"/> (one probability per label).
/// </summary>
public abstract record Prediction
{
    private Prediction() { }

    /// <summary>The number of examples predicted.</summary>
    public abstract int Count { get; }

    /// <summary>A classifier's predictions.</summary>
    /// <param name="Probabilities">One row per example, one column per label (rows sum to 1).</param>
    /// <param name="Classes">The predicted class index per example (arg-max, ties to the lower index).</param>
    public sealed record Classification(Matrix Probabilities, ImmutableArray<int> Classes) : Prediction
    {
        /// <inheritdoc />
        public override int Count => Classes.Length;

        /// <summary>Sequence equality of the classes.</summary>
        public bool Equals(Classification? other) =>
            other is not null && Probabilities.Equals(other.Probabilities) && Classes.SequenceEqual(other.Classes);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(Probabilities, Classes.Length);

        /// <summary>The probabilities' shape and first values, and the first classes.</summary>
        public override string ToString() => $"Classification {{ Probabilities = {Probabilities}, Classes = {Format.Items(Classes)} }}";
    }

    /// <summary>A multilabel model's predictions.</summary>
    /// <param name="Probabilities">One row per example, one column per label: the probability that the label applies (each in [0, 1], independently).</param>
    public sealed record Multilabel(Matrix Probabilities) : Prediction
    {
        /// <inheritdoc />
        public override int Count => Probabilities.Rows;

        /// <summary>The predicted labels as 0/1 indicators (m × labels): 1 where the probability is at least 0.5.</summary>
        public Matrix Predicted => Nn.Multilabel.Threshold(Probabilities);
    }

    /// <summary>A regression model's predictions.</summary>
    /// <param name="Values">The predicted value per example, in the target's original units.</param>
    public sealed record Regression(ImmutableArray<double> Values) : Prediction
    {
        /// <inheritdoc />
        public override int Count => Values.Length;

        /// <summary>
        /// Every target's predicted values for a model with several targets (m × targets, columns in
        /// <see cref="ModelInfo.TargetNames"/> order, original units; <see cref="Values"/> is its first column); null for one target.
        /// </summary>
        public Matrix? Columns { get; init; }

        /// <summary>Sequence equality of the values.</summary>
        public bool Equals(Regression? other) => other is not null && Values.SequenceEqual(other.Values) && Equals(Columns, other.Columns);

        /// <inheritdoc />
        public override int GetHashCode() => Values.Length;

        /// <summary>The first values.</summary>
        public override string ToString() => $"Regression {{ Values = {Format.Items(Values)} }}";
    }
}

/// <summary>Applies a model's recorded preprocessing, its network and the inverse target scaling.</summary>
public static class Predictor
{
    /// <summary>Scales raw features (m × features) as recorded in the model: <c>(x − Offset) / Scale</c> per column.</summary>
    public static Matrix ScaleFeatures(FeatureScaling scaling, Matrix raw) => RunPlans.ScaleFeatures(scaling, raw);

    /// <summary>Predicts for raw features X (m × features), with <paramref name="compute"/>'s threads (default one).</summary>
    public static Prediction Predict(Model model, Matrix raw, ComputeOptions? compute = null)
    {
        var output = Forward.Predict(model.Network, ScaleFeatures(model.Info.Scaling, raw), compute);
        if (model.Info.Task == TaskKind.Multilabel) return new Prediction.Multilabel(output);
        if (model.Info.Task == TaskKind.Regression && !model.Info.TargetScalings.IsDefaultOrEmpty)
        {
            var scalings = model.Info.TargetScalings;
            var columns = Matrix.Init(output.Rows, output.Cols, (r, c) => output[r, c] * scalings[c].Scale + scalings[c].Offset);
            return new Prediction.Regression([.. Enumerable.Range(0, output.Rows).Select(r => columns[r, 0])]) { Columns = columns };
        }
        if (model.Info.Task == TaskKind.Regression)
        {
            var t = model.Info.TargetScaling;
            var values = Enumerable.Range(0, output.Rows).Select(r => t is null ? output[r, 0] : output[r, 0] * t.Scale + t.Offset);
            return new Prediction.Regression([.. values]);
        }
        var probabilities = ClassProbabilities(model.Network.OutputActivation, output);
        return new Prediction.Classification(probabilities, Labels.ArgMax(probabilities));
    }

    /// <summary>The first NaN or infinite output of row <paramref name="row"/> (its value, or a class probability), or null.</summary>
    internal static double? FirstNonFinite(Prediction prediction, int row)
    {
        switch (prediction)
        {
            case Prediction.Regression { Columns: { } columns }:
                for (var c = 0; c < columns.Cols; c++)
                    if (!double.IsFinite(columns[row, c])) return columns[row, c];
                return null;
            case Prediction.Regression p:
                return double.IsFinite(p.Values[row]) ? null : p.Values[row];
            case Prediction.Multilabel p:
                for (var c = 0; c < p.Probabilities.Cols; c++)
                    if (!double.IsFinite(p.Probabilities[row, c])) return p.Probabilities[row, c];
                return null;
            case Prediction.Classification p:
                for (var c = 0; c < p.Probabilities.Cols; c++)
                    if (!double.IsFinite(p.Probabilities[row, c])) return p.Probabilities[row, c];
                return null;
            default:
                throw new InvalidOperationException("Unknown prediction case.");
        }
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

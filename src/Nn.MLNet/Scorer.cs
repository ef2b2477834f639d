using System.Globalization;
using Nn.Shell;

namespace Nn.MLNet;

/// <summary>One row's outputs, overwritten row by row (the getters copy out of it).</summary>
internal sealed class RowOutput(int classes)
{
    public float Score;
    public float Probability;
    public bool PredictedBool;
    public uint PredictedKey;
    public readonly float[] Scores = new float[classes];
}

/// <summary>
/// Turns a model's prediction for one row into ML.NET's output columns. The numbers are <see cref="Model.Predict"/>'s,
/// rounded once to float (ML.NET's evaluators read float scores): a regression value; a binary classifier's positive-class
/// probability p, its score ln(p / (1 − p)) (the margin, positive exactly when Nn predicts true) and Nn's predicted class; a
/// multiclass classifier's probability per key value (0 for a value training never saw) and Nn's predicted class as a key.
/// </summary>
internal sealed class Scorer
{
    private readonly Model _model;
    private readonly int[] _keyOf;
    private readonly int _positive;

    public Scorer(Model model, MlTask task, int classes)
    {
        _model = model;
        Task = task;
        Classes = classes;
        Width = model.Network.Layers[0].Weights.Rows;
        if (model.Info.Task != MlTasks.Kind(task))
            throw new ArgumentException($"Nn trainer: the model is a {model.Info.Task} model, not a {MlTasks.Name(task)} one.", nameof(model));
        // The fit saw class indices as labels "0", "1", …: map each model class back to its key value (or bool).
        _keyOf = [.. model.Info.Labels.Select(ParseClass)];
        _positive = Array.IndexOf(_keyOf, 1);
        if (task == MlTask.Binary && (classes != 2 || _positive < 0))
            throw new ArgumentException("Nn trainer: a binary model needs the classes 0 (false) and 1 (true).", nameof(model));
    }

    public MlTask Task { get; }

    /// <summary>The key count (multiclass), 2 (binary) or 0 (regression).</summary>
    public int Classes { get; }

    /// <summary>The number of features the network takes.</summary>
    public int Width { get; }

    public void Score(double[] features, RowOutput output)
    {
        switch (_model.Predict(Matrix.Create(1, features.Length, features)))
        {
            case Prediction.Regression r:
                output.Score = (float)r.Values[0];
                break;
            case Prediction.Classification c when Task == MlTask.Binary:
                var p = c.Probabilities[0, _positive];
                output.Probability = (float)p;
                output.Score = (float)Math.Log(p / (1 - p));
                output.PredictedBool = _keyOf[c.Classes[0]] == 1;
                break;
            case Prediction.Classification c:
                Array.Clear(output.Scores);
                for (var j = 0; j < _keyOf.Length; j++) output.Scores[_keyOf[j]] = (float)c.Probabilities[0, j];
                output.PredictedKey = (uint)_keyOf[c.Classes[0]] + 1;
                break;
            default:
                throw new InvalidOperationException("Unknown prediction case.");
        }
    }

    private int ParseClass(string label)
    {
        if (!int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k >= Math.Max(Classes, 1))
            throw new ArgumentException($"Nn trainer: the model's label '{label}' is not a class index below {Classes}.", nameof(label));
        return k;
    }
}

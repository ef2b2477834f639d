namespace Nn.MLNet;

/// <summary>The three ML.NET tasks an Nn trainer serves; each fixes the label's type and the output columns.</summary>
internal enum MlTask
{
    /// <summary>A <c>bool</c> label; outputs Score, Probability and a <c>bool</c> PredictedLabel.</summary>
    Binary,

    /// <summary>A key label; outputs a Score vector (one probability per key value) and a key PredictedLabel.</summary>
    Multiclass,

    /// <summary>A <c>float</c> or <c>double</c> label; outputs a <c>float</c> Score.</summary>
    Regression,
}

internal static class MlTasks
{
    public static string Name(MlTask task) => task switch
    {
        MlTask.Binary => "binary",
        MlTask.Multiclass => "multiclass",
        MlTask.Regression => "regression",
        _ => throw new ArgumentOutOfRangeException(nameof(task)),
    };

    public static MlTask? Parse(string name) => name switch
    {
        "binary" => MlTask.Binary,
        "multiclass" => MlTask.Multiclass,
        "regression" => MlTask.Regression,
        _ => null,
    };

    public static TaskKind Kind(MlTask task) => task == MlTask.Regression ? TaskKind.Regression : TaskKind.Classification;
}

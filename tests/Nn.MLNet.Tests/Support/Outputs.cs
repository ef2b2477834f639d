namespace Nn.MLNet.Tests.Support;

/// <summary>A multiclass row's outputs (the key read as its raw uint).</summary>
public sealed class MulticlassOut
{
    public float[] Score { get; set; } = [];

    public uint PredictedLabel { get; set; }
}

/// <summary>A binary row's outputs.</summary>
public sealed class BinaryOut
{
    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>A regression row's output.</summary>
public sealed class RegressionOut
{
    public float Score { get; set; }
}

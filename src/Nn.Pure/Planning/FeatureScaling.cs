namespace Nn;

/// <summary>
/// The per-feature input transform a model was trained with: <c>x′[j] = (x[j] − Offset[j]) / Scale[j]</c>.
/// </summary>
/// <param name="Kind">"standard" (Offset = means, Scale = standard deviations), "minmax" (Offset = minima, Scale = ranges)
/// or "none" (Offset 0, Scale 1).</param>
/// <param name="Offset">The per-feature offsets, length = the network's input size.</param>
/// <param name="Scale">The per-feature divisors, length = the network's input size, finite and non-zero.</param>
public sealed record FeatureScaling(string Kind, Vector Offset, Vector Scale)
{
    /// <summary>The kind of a standardising transform.</summary>
    public const string StandardKind = "standard";

    /// <summary>The kind of a min-max transform.</summary>
    public const string MinMaxKind = "minmax";

    /// <summary>The kind of the identity transform.</summary>
    public const string NoneKind = "none";

    /// <summary>The identity on <paramref name="features"/> features: Offset 0, Scale 1.</summary>
    public static FeatureScaling None(int features) => new(NoneKind, Vector.Zeros(features), Vector.Fill(features, 1.0));

    /// <summary>The transform of a fitted <see cref="StandardScaler"/>: Offset = means, Scale = standard deviations.</summary>
    public static FeatureScaling Standard(StandardScaler scaler) => new(StandardKind, scaler.Means, scaler.StdDevs);

    /// <summary>The transform of a fitted <see cref="MinMaxScaler"/>: Offset = minima, Scale = ranges.</summary>
    public static FeatureScaling MinMax(MinMaxScaler scaler) => new(MinMaxKind, scaler.Mins, scaler.Ranges);
}

/// <summary>
/// The target transform of a regression model: the network was trained on <c>y′ = (y − Offset) / Scale</c>, and its
/// predictions map back with <c>y = y′·Scale + Offset</c>.
/// </summary>
/// <param name="Offset">The offset, finite.</param>
/// <param name="Scale">The divisor, finite and non-zero.</param>
public sealed record TargetScaling(double Offset, double Scale);

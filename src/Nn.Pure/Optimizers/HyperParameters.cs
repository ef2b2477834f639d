namespace Nn;

/// <summary>Range checks shared by the optimizer and schedule records; each throws naming the offending parameter.</summary>
internal static class HyperParameters
{
    /// <summary>A learning rate (or any scale that must be finite and ≥ 0).</summary>
    internal static double NonNegative(double value, string name) =>
        double.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0.");

    /// <summary>A decay coefficient such as β, β₁, β₂ or ρ, in [0, 1).</summary>
    internal static double UnitInterval(double value, string name) =>
        value >= 0 && value < 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");

    /// <summary>A strictly positive finite value such as ε.</summary>
    internal static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and > 0.");

    /// <summary>A count of steps, at least 1.</summary>
    internal static long AtLeastOne(long value, string name) =>
        value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= 1.");

    /// <summary>A step number, at least 0.</summary>
    internal static long StepNumber(long value, string name) =>
        value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= 0.");
}

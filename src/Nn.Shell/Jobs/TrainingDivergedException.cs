namespace Nn.Shell;

/// <summary>
/// Training diverged (a NaN or infinite loss or gradient) and no model was written: <c>--on-nan error</c> was asked for,
/// or no epoch had completed. A checkpoint, if one was being written, still holds the last completed epoch.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>A divergence, with the reason no model was written.</summary>
    /// <param name="divergence">Where training diverged.</param>
    /// <param name="why">Why no model was written, e.g. "--on-nan error".</param>
    public TrainingDivergedException(Divergence divergence, string why)
        : base($"{divergence}; no model was written ({why}).")
    {
        ArgumentNullException.ThrowIfNull(divergence);
        Divergence = divergence;
    }

    /// <summary>Where training diverged.</summary>
    public Divergence Divergence { get; }
}

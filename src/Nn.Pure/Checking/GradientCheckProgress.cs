namespace Nn;

/// <summary>How far a gradient check has come, as reported after every check.</summary>
/// <param name="Done">Checks finished so far (1 … <paramref name="Total"/>).</param>
/// <param name="Total">All checks: one per parameter (when every coordinate is checked) plus one per random direction;
/// see <see cref="GradientCheck.Checks"/>.</param>
public sealed record GradientCheckProgress(long Done, long Total);

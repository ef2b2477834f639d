using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// The closed set of feature scalings a fit can apply, fitted on the training rows: standardise (mean 0, standard
/// deviation 1), min–max (to [0, 1]) or none. Values in <see cref="Scalings"/>.
/// </summary>
public abstract record Scaling
{
    private Scaling() { }

    /// <summary>Subtract each column's mean and divide by its standard deviation (<see cref="StandardScaler"/>).</summary>
    public sealed record Standard : Scaling;

    /// <summary>Subtract each column's minimum and divide by its range (<see cref="MinMaxScaler"/>).</summary>
    public sealed record MinMax : Scaling;

    /// <summary>Leave the features as they are.</summary>
    public sealed record None : Scaling;

    /// <summary>The name used on the command line and in files: standard, minmax or none.</summary>
    public string Name => Scalings.Table.NameOf(this);

    /// <summary>The name.</summary>
    public sealed override string ToString() => Name;
}

/// <summary>The <see cref="Scaling"/> values and their names.</summary>
public static class Scalings
{
    /// <summary>Standardise each column.</summary>
    public static Scaling Standard { get; } = new Scaling.Standard();

    /// <summary>Scale each column to [0, 1].</summary>
    public static Scaling MinMax { get; } = new Scaling.MinMax();

    /// <summary>No scaling.</summary>
    public static Scaling None { get; } = new Scaling.None();

    internal static NameTable<Scaling> Table { get; } = new("scaling",
        new("standard", Standard, []), new("minmax", MinMax, ["min-max"]), new("none", None, []));

    /// <summary>The names, in order: standard, minmax, none.</summary>
    public static ImmutableArray<string> Names => Table.Names;

    /// <summary>The scaling named <paramref name="name"/> (case and surrounding spaces ignored).</summary>
    /// <exception cref="ArgumentException">For an unknown name; the message lists the known ones.</exception>
    public static Scaling Parse(string name) => Table.Parse(name, nameof(name));
}

using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// The closed set of weight initialisation schemes (biases start at zero). Use the values in <see cref="InitSchemes"/>
/// (<c>InitSchemes.HeNormal</c>, …) and match on the nested case types.
/// </summary>
public abstract record InitScheme
{
    private InitScheme() { }

    /// <summary>He/Kaiming normal: <c>W ~ N(0, 2 / fan_in)</c>; suits ReLU-family layers.</summary>
    public sealed record HeNormal : InitScheme;

    /// <summary>He/Kaiming uniform: <c>W ~ U(−√(6 / fan_in), √(6 / fan_in))</c>.</summary>
    public sealed record HeUniform : InitScheme;

    /// <summary>Xavier/Glorot normal: <c>W ~ N(0, 2 / (fan_in + fan_out))</c>; suits tanh and sigmoid layers.</summary>
    public sealed record XavierNormal : InitScheme;

    /// <summary>Xavier/Glorot uniform: <c>W ~ U(−√(6 / (fan_in + fan_out)), √(6 / (fan_in + fan_out)))</c>.</summary>
    public sealed record XavierUniform : InitScheme;

    /// <summary>LeCun normal: <c>W ~ N(0, 1 / fan_in)</c>.</summary>
    public sealed record LeCunNormal : InitScheme;

    /// <summary>LeCun uniform: <c>W ~ U(−√(3 / fan_in), √(3 / fan_in))</c>.</summary>
    public sealed record LeCunUniform : InitScheme;

    /// <summary>The scheme's name: he-normal, he-uniform, xavier-normal, xavier-uniform, lecun-normal, lecun-uniform.</summary>
    public string Name => InitSchemes.Table.NameOf(this);

    /// <summary>The <see cref="Name"/>; <see cref="InitSchemes.Parse"/> reads it back.</summary>
    /// <remarks>Sealed so the case records do not synthesise their own <c>HeNormal { Name = he-normal }</c>.</remarks>
    public sealed override string ToString() => Name;
}

/// <summary>The values of <see cref="InitScheme"/>, and their parser.</summary>
public static class InitSchemes
{
    /// <summary>He/Kaiming normal, <c>N(0, 2 / fan_in)</c>.</summary>
    public static InitScheme HeNormal { get; } = new InitScheme.HeNormal();

    /// <summary>He/Kaiming uniform, <c>U(±√(6 / fan_in))</c>.</summary>
    public static InitScheme HeUniform { get; } = new InitScheme.HeUniform();

    /// <summary>Xavier/Glorot normal, <c>N(0, 2 / (fan_in + fan_out))</c>.</summary>
    public static InitScheme XavierNormal { get; } = new InitScheme.XavierNormal();

    /// <summary>Xavier/Glorot uniform, <c>U(±√(6 / (fan_in + fan_out)))</c>.</summary>
    public static InitScheme XavierUniform { get; } = new InitScheme.XavierUniform();

    /// <summary>LeCun normal, <c>N(0, 1 / fan_in)</c>.</summary>
    public static InitScheme LeCunNormal { get; } = new InitScheme.LeCunNormal();

    /// <summary>LeCun uniform, <c>U(±√(3 / fan_in))</c>.</summary>
    public static InitScheme LeCunUniform { get; } = new InitScheme.LeCunUniform();

    /// <summary>
    /// The names of the schemes, spelt once for <see cref="InitScheme.Name"/>, <see cref="Parse"/> and its message; the
    /// family alone (he, xavier, lecun) means its normal variant, as <c>nn train --init</c> takes it.
    /// </summary>
    internal static NameTable<InitScheme> Table { get; } = new("initialisation scheme",
        new("he-normal", HeNormal, ["he", "henormal"]),
        new("he-uniform", HeUniform, ["heuniform"]),
        new("xavier-normal", XavierNormal, ["xavier", "xaviernormal"]),
        new("xavier-uniform", XavierUniform, ["xavieruniform"]),
        new("lecun-normal", LeCunNormal, ["lecun", "lecunnormal"]),
        new("lecun-uniform", LeCunUniform, ["lecununiform"]));

    /// <summary>Every scheme, in the order of <see cref="Names"/>.</summary>
    public static ImmutableArray<InitScheme> All { get; } = [HeNormal, HeUniform, XavierNormal, XavierUniform, LeCunNormal, LeCunUniform];

    /// <summary>The names <see cref="Parse"/> accepts, as <see cref="InitScheme.Name"/> writes them.</summary>
    public static ImmutableArray<string> Names => Table.Names;

    /// <summary>
    /// Parses a name as written by <see cref="InitScheme.Name"/> (he-normal, …), a family alone for its normal variant
    /// (he, xavier, lecun) or a case name (<c>HeNormal</c>); case-insensitive.
    /// </summary>
    /// <exception cref="ArgumentException">For an unknown name; the message lists the known ones.</exception>
    public static InitScheme Parse(string name) => Table.Parse(name, nameof(name));
}

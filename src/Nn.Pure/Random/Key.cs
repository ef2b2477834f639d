namespace Nn;

/// <summary>
/// An explicit random key, JAX-style: every random function of the library takes one, and the same key always gives
/// the same numbers. Derive independent keys with <see cref="Prng.Split"/> or <see cref="Prng.Fold"/>; never reuse a
/// key for two different purposes.
/// </summary>
/// <param name="State">The 64-bit SplitMix64 state the key stands for.</param>
public sealed record Key(ulong State)
{
    /// <summary>The key for an integer seed (the seed's two's-complement bits are the state).</summary>
    public static Key FromSeed(long seed) => new(unchecked((ulong)seed));

    /// <summary>A short description, e.g. <c>Key(0x000000000000002A)</c>.</summary>
    public override string ToString() => $"Key(0x{State:X16})";
}

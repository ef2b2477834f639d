using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>
/// The SplitMix64 stream of <see cref="Prng"/> many words at a time (the same words as its scalar form), and the
/// permutation shuffle that consumes them.
/// </summary>
internal static class Mixing
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong M1 = 0xBF58476D1CE4E5B9UL, M2 = 0x94D049BB133111EBUL;

    /// <summary><c>words[t] = Mix64(state + (start + t + 1)·γ)</c>: words start … start + words.Length − 1 of a key's stream.</summary>
    internal static void Words(ulong state, long start, Span<ulong> words)
    {
        var t = 0;
        unchecked
        {
            // Eight words per 512-bit vector where 64-bit lanes multiply in hardware (AVX-512 DQ's VPMULLQ; NEON has no
            // 64-bit lane multiply, so ARM64 takes the scalar loop); the arithmetic is modulo 2⁶⁴ either way, so the words
            // are the scalar ones.
            if (Vector512.IsHardwareAccelerated && Avx512DQ.IsSupported)
            {
                var step = Vector512.Create(8 * Gamma);
                var z0 = Vector512.Create(state + ((ulong)start + 1) * Gamma)
                    + Vector512.Create(0UL, Gamma, 2 * Gamma, 3 * Gamma, 4 * Gamma, 5 * Gamma, 6 * Gamma, 7 * Gamma);
                for (; t + 8 <= words.Length; t += 8, z0 += step)
                {
                    var z = z0;
                    z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(M1);
                    z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(M2);
                    (z ^ Vector512.ShiftRightLogical(z, 31)).CopyTo(words[t..]);
                }
            }
            for (; t < words.Length; t++) words[t] = Prng.Mix64(state + ((ulong)(start + t) + 1) * Gamma);
        }
    }

    /// <summary>
    /// The Fisher–Yates shuffle documented on <see cref="Prng"/>, in place: at step i = n−1 … 1 with the stream's word
    /// t = n−1−i, j = ⌊w·(i+1) / 2⁶⁴⌋, swap p[i] and p[j]. The words come from <see cref="Words"/> in chunks of 256.
    /// </summary>
    internal static void Shuffle(ulong state, int[] p)
    {
        Span<ulong> words = stackalloc ulong[Math.Clamp(p.Length - 1, 0, 256)];
        long t = 0;
        ref var p0 = ref MemoryMarshal.GetArrayDataReference(p);
        for (var i = p.Length - 1; i > 0;)
        {
            var chunk = words[..Math.Min(words.Length, i)];
            Words(state, t, chunk);
            t += chunk.Length;
            foreach (var w in chunk)
            {
                // The high word of the 128-bit product: j ≤ i < p.Length, so the swap needs no bounds checks.
                var j = (nuint)Math.BigMul(w, (ulong)(i + 1), out _);
                ref var pi = ref Unsafe.Add(ref p0, (nuint)(uint)i);
                ref var pj = ref Unsafe.Add(ref p0, j);
                (pi, pj) = (pj, pi);
                i--;
            }
        }
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// <c>metadata_sha256</c>: the SHA-256 of every other <c>__metadata__</c> entry, so that no part of a model or checkpoint
/// (labels, scalers, settings, counters, history) can change without the file being refused. The tensors have their own
/// hashes (<c>parameters_sha256</c>, <c>tensors_sha256</c>), which this one covers in turn.
/// </summary>
/// <remarks>
/// The entries are taken in ordinal order of their keys (so tools that reorder JSON keys keep the hash), each as the
/// UTF-8 bytes of the key and of the value, every one preceded by its byte length as a little-endian 64-bit integer.
/// </remarks>
internal static class MetadataSeal
{
    /// <summary>The metadata key that holds the seal.</summary>
    internal const string Key = "metadata_sha256";

    /// <summary>The lowercase hex SHA-256 of every entry of <paramref name="metadata"/> except <see cref="Key"/>.</summary>
    internal static string Sha256(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var (key, value) in metadata.Where(p => p.Key != Key).OrderBy(p => p.Key, StringComparer.Ordinal))
            foreach (var text in new[] { key, value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
                sha.AppendData(length);
                sha.AppendData(bytes);
            }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Appends <see cref="Key"/> with the hash of the entries before it.</summary>
    internal static List<KeyValuePair<string, string>> Seal(List<KeyValuePair<string, string>> metadata)
    {
        metadata.Add(new(Key, Sha256(metadata)));
        return metadata;
    }
}

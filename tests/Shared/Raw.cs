using System.Buffers.Binary;
using System.Text;

namespace Nn.Tests.Shared;

/// <summary>
/// Builds raw safetensors bytes from a header text and a data buffer, for tests that need malformed files (one file
/// compiled into Nn.Properties and Nn.Cli.Tests).
/// </summary>
internal static class Raw
{
    /// <summary>8-byte header length (default: the JSON's length), the JSON, then the data.</summary>
    internal static byte[] File(string json, byte[] data, ulong? headerLength = null)
    {
        var h = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }
}

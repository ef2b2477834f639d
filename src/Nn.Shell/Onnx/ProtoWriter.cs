using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// A minimal protocol-buffers encoder (proto2/proto3 wire format): each call appends one field as
/// <c>tag = (field number &lt;&lt; 3) | wire type</c> followed by its payload. Enough for the ONNX schema, nothing more.
/// </summary>
/// <remarks>
/// Wire types: 0 varint (int32, int64, enums; negative values take ten bytes, as protobuf's int64 does), 1 fixed64 (double),
/// 2 length-delimited (strings, bytes, nested messages, packed repeated scalars), 5 fixed32 (float). A writer is a private
/// builder: create one inside a function, fill it, and publish <see cref="ToArray"/>.
/// </remarks>
internal sealed class ProtoWriter
{
    internal const int Varint = 0;
    internal const int Fixed64 = 1;
    internal const int LengthDelimited = 2;
    internal const int Fixed32 = 5;

    private readonly ArrayBufferWriter<byte> buffer = new();

    /// <summary>The bytes written so far.</summary>
    internal byte[] ToArray() => buffer.WrittenSpan.ToArray();

    /// <summary>An int32/int64/enum field: tag, then the value as a base-128 varint of its two's-complement 64 bits.</summary>
    internal void Int64(int field, long value)
    {
        Tag(field, Varint);
        RawVarint((ulong)value);
    }

    /// <summary>A float field: tag, then four little-endian IEEE-754 bytes.</summary>
    internal void Float(int field, float value)
    {
        Tag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    /// <summary>A string field: tag, byte length, UTF-8 bytes.</summary>
    internal void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field: tag, length, the bytes.</summary>
    internal void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        RawVarint((ulong)value.Length);
        buffer.Write(value);
    }

    /// <summary>A nested message field: <paramref name="body"/> fills a fresh writer whose bytes become a length-delimited field.</summary>
    internal void Message(int field, Action<ProtoWriter> body)
    {
        var inner = new ProtoWriter();
        body(inner);
        Bytes(field, inner.buffer.WrittenSpan);
    }

    /// <summary>A packed repeated int64 field: tag, length, then each value as a varint.</summary>
    internal void PackedInt64(int field, ReadOnlySpan<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.RawVarint((ulong)v);
        Bytes(field, inner.buffer.WrittenSpan);
    }

    /// <summary>A packed repeated double field: tag, length 8·n, then each value as eight little-endian bytes.</summary>
    internal void PackedDouble(int field, ReadOnlySpan<double> values)
    {
        var bytes = new byte[8 * values.Length];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        Bytes(field, bytes);
    }

    /// <summary>A packed repeated float field: tag, length 4·n, then each value as four little-endian bytes.</summary>
    internal void PackedFloat(int field, ReadOnlySpan<float> values)
    {
        var bytes = new byte[4 * values.Length];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        Bytes(field, bytes);
    }

    private void Tag(int field, int wireType)
    {
        if (field is < 1 or > 536_870_911) throw new ArgumentOutOfRangeException(nameof(field), field, "A protobuf field number is in [1, 2^29 − 1].");
        RawVarint(((ulong)field << 3) | (uint)wireType);
    }

    private void RawVarint(ulong value)
    {
        var span = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        buffer.Advance(n);
    }
}

using System.Buffers.Binary;
using System.Text;

namespace Nn.Cli.Tests;

/// <summary>
/// One decoded protobuf field, written for these tests independently of the exporter's writer: the field number, the wire
/// type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32), the varint or fixed value, and a length-delimited payload.
/// </summary>
public sealed record ProtoField(int Number, int WireType, ulong Value, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    public IReadOnlyList<ProtoField> Message => ProtoDecoder.Decode(Payload);
}

/// <summary>A strict protobuf wire-format decoder: rejects unknown wire types, truncated varints and payloads that overrun.</summary>
public static class ProtoDecoder
{
    public static IReadOnlyList<ProtoField> Decode(byte[] bytes)
    {
        var fields = new List<ProtoField>();
        var pos = 0;
        while (pos < bytes.Length)
        {
            var tag = Varint(bytes, ref pos);
            var number = checked((int)(tag >> 3));
            var wire = (int)(tag & 7);
            if (number < 1) throw new FormatException($"field number {number} at byte {pos}");
            switch (wire)
            {
                case 0:
                    fields.Add(new ProtoField(number, wire, Varint(bytes, ref pos), []));
                    break;
                case 1:
                    var eight = Take(bytes, ref pos, 8);
                    fields.Add(new ProtoField(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(eight), eight));
                    break;
                case 2:
                    var length = checked((int)Varint(bytes, ref pos));
                    fields.Add(new ProtoField(number, wire, (ulong)length, Take(bytes, ref pos, length)));
                    break;
                case 5:
                    var four = Take(bytes, ref pos, 4);
                    fields.Add(new ProtoField(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(four), four));
                    break;
                default:
                    throw new FormatException($"wire type {wire} for field {number}");
            }
        }
        return fields;
    }

    /// <summary>The values of a packed repeated varint payload.</summary>
    public static long[] PackedVarints(byte[] payload)
    {
        var values = new List<long>();
        var pos = 0;
        while (pos < payload.Length) values.Add((long)Varint(payload, ref pos));
        return [.. values];
    }

    public static double[] PackedDoubles(byte[] payload)
    {
        if (payload.Length % 8 != 0) throw new FormatException($"{payload.Length} bytes is not a whole number of doubles");
        return [.. Enumerable.Range(0, payload.Length / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(payload.AsSpan(8 * i)))];
    }

    public static float[] PackedFloats(byte[] payload)
    {
        if (payload.Length % 4 != 0) throw new FormatException($"{payload.Length} bytes is not a whole number of floats");
        return [.. Enumerable.Range(0, payload.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(payload.AsSpan(4 * i)))];
    }

    private static ulong Varint(byte[] bytes, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (pos >= bytes.Length) throw new FormatException("truncated varint");
            var b = bytes[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (shift == 63 && b > 1) throw new FormatException("varint overflows 64 bits");
                return value;
            }
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    private static byte[] Take(byte[] bytes, ref int pos, int count)
    {
        if (count < 0 || pos + count > bytes.Length) throw new FormatException($"{count} bytes at {pos} overrun the {bytes.Length}-byte buffer");
        var slice = bytes[pos..(pos + count)];
        pos += count;
        return slice;
    }
}

/// <summary>Lookups that assert the field's presence, count and wire type.</summary>
public static class ProtoFields
{
    public static ProtoField One(this IReadOnlyList<ProtoField> fields, int number, int wireType)
    {
        var matches = fields.Where(f => f.Number == number).ToArray();
        Assert.True(matches.Length == 1, $"expected field {number} once, found it {matches.Length} times");
        Assert.Equal(wireType, matches[0].WireType);
        return matches[0];
    }

    public static ProtoField[] All(this IReadOnlyList<ProtoField> fields, int number, int wireType)
    {
        var matches = fields.Where(f => f.Number == number).ToArray();
        Assert.All(matches, f => Assert.Equal(wireType, f.WireType));
        return matches;
    }

    public static string[] Strings(this IReadOnlyList<ProtoField> fields, int number) => [.. fields.All(number, 2).Select(f => f.Text)];

    public static int[] Numbers(this IReadOnlyList<ProtoField> fields) => [.. fields.Select(f => f.Number)];
}

using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// One .npy image being read from a stream: the header is parsed and checked when it is opened (before any element is
/// allocated), then the elements are converted to <see cref="double"/> in C order, as many at a time as the caller asks,
/// so a reader can hold the whole array or only a chunk of rows. Reading stops at the size the header declares.
/// </summary>
internal sealed class NpyStream
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeaderBytes = 1 << 20;

    private readonly Stream _stream;
    private readonly Func<string, DataFileException> _error;
    private readonly byte[] _buffer;
    private long _done;

    private NpyStream(Stream stream, NpyHeader header, Func<string, DataFileException> error)
    {
        _stream = stream;
        Header = header;
        _error = error;
        var size = header.Dtype.Size;
        _buffer = new byte[Math.Max(size, (int)Math.Min(DataBytes, 1 << 16) / size * size)];
    }

    /// <summary>The parsed header.</summary>
    public NpyHeader Header { get; }

    /// <summary>The number of data bytes the header declares: elements × element size (at most 2³¹ × 8, no overflow).</summary>
    public long DataBytes => Header.Count * Header.Dtype.Size;

    /// <summary>The number of elements read so far.</summary>
    public long ElementsRead => _done;

    /// <summary>
    /// Reads and checks the header of the image at <paramref name="stream"/>'s position. <paramref name="available"/> is the
    /// number of bytes left in the stream when known (a file's length, a zip entry's declared size): the data size the header
    /// declares must match it exactly. <paramref name="accept"/> may refuse the shape (returning what was expected) before
    /// anything is allocated. Errors are prefixed by <paramref name="where"/>.
    /// </summary>
    /// <exception cref="DataFileException">When the header is malformed, unsupported, does not match the size, or is refused.</exception>
    public static NpyStream Open(Stream stream, long? available, string path, string where, Func<NpyHeader, string?>? accept)
    {
        DataFileException Error(string expected) => new(path, 0, 0, where + expected);

        Span<byte> prefix = stackalloc byte[12];
        var got = ReadFully(stream, prefix[..8]);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
            throw Error($"expected the .npy magic string \\x93NUMPY at the start, found {Hex(prefix[..Math.Min(got, 8)])}.");
        int major = prefix[6], minor = prefix[7];
        if (major is not (1 or 2 or 3) || minor != 0)
            throw Error($"expected .npy format version 1.0, 2.0 or 3.0, found {major}.{minor}.");
        var lenBytes = major == 1 ? 2 : 4;
        if (ReadFully(stream, prefix.Slice(8, lenBytes)) < lenBytes)
            throw Error("expected the header length after the version, found the end of the file.");
        var headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (headerLength > MaxHeaderBytes)
            throw Error($"expected a header of at most {MaxHeaderBytes} bytes, found a length of {headerLength}.");
        if (available is { } total && 8 + lenBytes + (long)headerLength > total)
            throw Error($"expected a header of {headerLength} bytes, found {Math.Max(0, total - 8 - lenBytes)} before the end of the file.");
        var headerBytes = new byte[headerLength];
        var headerGot = ReadFully(stream, headerBytes);
        if (headerGot < headerLength)
            throw Error($"expected a header of {headerLength} bytes, found {headerGot} before the end of the file.");

        var encoding = major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1;
        NpyHeader header;
        try { header = NpyHeader.Parse(encoding.GetString(headerBytes)); }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw Error(e is FormatException ? e.Message : "malformed header: expected UTF-8 text.");
        }
        if (header.FortranOrder && header.Shape.Count(d => d > 1) > 1)
            throw Error($"Fortran order is not supported (shape {NpyArray.ShapeText(header.Shape)}); save with np.ascontiguousarray.");

        var expectedBytes = header.Count * header.Dtype.Size;
        var dataAvailable = available - (8 + lenBytes + headerLength);
        if (dataAvailable is { } a && a != expectedBytes)
            throw Error(DataSize(header, expectedBytes, a));
        if (accept?.Invoke(header) is { } refused) throw Error(refused);
        if (ReadLimits.MemoryProblem(checked(header.Count * sizeof(double)), $"shape {NpyArray.ShapeText(header.Shape)}") is { } memory)
            throw Error(memory);
        return new NpyStream(stream, header, Error);
    }

    /// <summary>Converts the next <c>destination.Length</c> elements (which must not run past the declared count) into <paramref name="destination"/>.</summary>
    /// <exception cref="DataFileException">When the data ends early, or an element is not finite or not exact as a double.</exception>
    public void Read(Span<double> destination)
    {
        if (_done + destination.Length > Header.Count) throw new ArgumentException("Read past the declared elements.", nameof(destination));
        var size = Header.Dtype.Size;
        var filled = 0;
        while (filled < destination.Length)
        {
            var want = (int)Math.Min(_buffer.Length, (long)(destination.Length - filled) * size);
            var n = ReadFully(_stream, _buffer.AsSpan(0, want));
            if (n < want) throw _error(DataSize(Header, DataBytes, _done * size + n));
            Convert(_buffer.AsSpan(0, n), Header.Dtype, destination.Slice(filled, n / size), _done, _error, Header.Descr);
            filled += n / size;
            _done += n / size;
        }
    }

    /// <summary>
    /// After every element was read: when the stream's length was unknown, checks that nothing follows (reading one byte,
    /// never the rest of the stream).
    /// </summary>
    public void CheckEnd(bool lengthKnown)
    {
        if (!lengthKnown && _stream.ReadByte() >= 0)
            throw _error(string.Create(CultureInfo.InvariantCulture,
                $"expected {DataBytes} bytes of data for shape {NpyArray.ShapeText(Header.Shape)} of '{Header.Descr}', found more."));
    }

    private static string DataSize(NpyHeader h, long expected, long found) => string.Create(CultureInfo.InvariantCulture,
        $"expected {expected} bytes of data for shape {NpyArray.ShapeText(h.Shape)} of '{h.Descr}', found {found}.");

    /// <summary>Converts whole elements of <paramref name="bytes"/> into <paramref name="dst"/>; <paramref name="first"/> is the first element's index.</summary>
    private static void Convert(ReadOnlySpan<byte> bytes, NpyDtype t, Span<double> dst, long first, Func<string, DataFileException> error, string descr)
    {
        const long Exact = 1L << 53; // every integer up to 2^53 in magnitude is a double
        var big = t.BigEndian;
        if (t is { Kind: 'f', Size: 8 } && big != BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, double>(bytes).CopyTo(dst);
            var bad = dst.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
            if (bad >= 0) throw error(string.Create(CultureInfo.InvariantCulture, $"expected finite values, found {dst[bad]} at element {first + bad} (C order)."));
            return;
        }
        for (var i = 0; i < dst.Length; i++)
        {
            var b = bytes.Slice(i * t.Size, t.Size);
            double v;
            switch (t.Kind, t.Size)
            {
                case ('f', 2): v = (double)(big ? BinaryPrimitives.ReadHalfBigEndian(b) : BinaryPrimitives.ReadHalfLittleEndian(b)); break;
                case ('f', 4): v = big ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b); break;
                case ('f', _): v = big ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b); break;
                case ('i', 1): v = (sbyte)b[0]; break;
                case ('i', 2): v = big ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b); break;
                case ('i', 4): v = big ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b); break;
                case ('i', _):
                    var l = big ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b);
                    v = l;
                    if (l is > Exact or < -Exact) throw error(Inexact(first + i, l.ToString(CultureInfo.InvariantCulture), descr));
                    break;
                case ('u', 1): v = b[0]; break;
                case ('u', 2): v = big ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b); break;
                case ('u', 4): v = big ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b); break;
                case ('u', _):
                    var u = big ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
                    v = u;
                    if (u > Exact) throw error(Inexact(first + i, u.ToString(CultureInfo.InvariantCulture), descr));
                    break;
                default: v = b[0] != 0 ? 1.0 : 0.0; break; // b1
            }
            if (!double.IsFinite(v))
                throw error(string.Create(CultureInfo.InvariantCulture, $"expected finite values, found {v} at element {first + i} (C order)."));
            dst[i] = v;
        }
    }

    private static string Inexact(long index, string value, string descr) =>
        string.Create(CultureInfo.InvariantCulture,
            $"expected integers within ±2^53 (exact as doubles), found {value} at element {index} of the '{descr}' array.");

    private static int ReadFully(Stream s, Span<byte> into)
    {
        var total = 0;
        while (total < into.Length)
        {
            var n = s.Read(into[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "an empty file" : string.Join(" ", bytes.ToArray().Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));
}

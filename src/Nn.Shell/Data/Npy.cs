using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Nn.Shell;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): the magic <c>\x93NUMPY</c>, a
/// version, a header dict with <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, then the elements in C order.
/// Errors are <see cref="DataFileException"/>s that name the file (line and column 0) and what was expected.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeaderBytes = 1 << 20;

    /// <summary>
    /// Reads <paramref name="path"/>. Supported dtypes: float (f2, f4, f8), signed (i1–i8) and unsigned (u1–u8)
    /// integers and bool (b1, as 0 and 1), little- or big-endian; all are converted to <see cref="double"/>
    /// exactly. Integers beyond ±2⁵³ (which no double holds exactly) and non-finite floats (NaN, ±∞) are errors,
    /// as is Fortran order for an array with two or more non-trivial dimensions.
    /// </summary>
    /// <exception cref="DataFileException">When the file is missing, not a .npy file, uses an unsupported feature, or its data section is short or long.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new DataFileException(path, 0, 0, "file not found.");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return ReadStream(stream, stream.Length, path, "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, 0, 0, $"could not be read: {e.Message}");
        }
    }

    /// <summary><see cref="Read"/> then <see cref="NpyArray.ToMatrix"/>: shape (n) gives n×1, shape (r, c) gives r×c.</summary>
    /// <exception cref="DataFileException">As for <see cref="Read"/>, and when the array's rank is not 1 or 2.</exception>
    public static Matrix ReadMatrix(string path)
    {
        var array = Read(path);
        if (array.Shape.Length is not (1 or 2))
            throw new DataFileException(path, 0, 0,
                $"expected a 1-D or 2-D array, found shape {NpyArray.ShapeText(array.Shape)} (rank {array.Shape.Length}).");
        return array.ToMatrix();
    }

    /// <summary>
    /// Writes <paramref name="array"/> to <paramref name="path"/> as little-endian float64 (<c>&lt;f8</c>), format
    /// version 1.0 (2.0 if the header needs it), C order, whatever its <see cref="NpyArray.Dtype"/>; NumPy's
    /// <c>np.load</c> reads it back.
    /// </summary>
    /// <exception cref="ArgumentException">When a value is NaN or infinite (the reader would reject it).</exception>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(array);
        CheckFinite(array);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteStream(stream, array);
    }

    internal static void CheckFinite(NpyArray array)
    {
        var i = array.Values.AsSpan().IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
        if (i >= 0) throw new ArgumentException($"Element {i} is {array.Values[i]}; only finite values can be written.", nameof(array));
    }

    internal static void WriteStream(Stream stream, NpyArray array)
    {
        var dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {NpyArray.ShapeText(array.Shape)}, }}";
        var v2 = dict.Length + 11 > ushort.MaxValue;
        var prefix = v2 ? 12 : 10;
        var total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - prefix - 1) + "\n";
        stream.Write(Magic);
        stream.WriteByte(v2 ? (byte)2 : (byte)1);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
        stream.Write(len[..(v2 ? 4 : 2)]);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var values = array.Values.AsSpan();
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        var buffer = new byte[8];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(buffer, v);
            stream.Write(buffer);
        }
    }

    /// <summary>
    /// Reads one .npy image from <paramref name="stream"/>; <paramref name="available"/> is the number of bytes left
    /// in it when known (used to reject a short file before allocating). Errors are prefixed by <paramref name="where"/>.
    /// </summary>
    internal static NpyArray ReadStream(Stream stream, long? available, string path, string where)
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

        var size = header.Dtype.Size;
        var expectedBytes = header.Count * size;
        var dataAvailable = available - (8 + lenBytes + headerLength);
        if (dataAvailable is { } a && a != expectedBytes)
            throw Error(DataSize(header, expectedBytes, a));

        var values = new double[header.Count];
        var buffer = new byte[Math.Max(size, (int)Math.Min(expectedBytes, 1 << 16) / size * size)];
        long done = 0;
        while (done < values.Length)
        {
            var want = (int)Math.Min(buffer.Length, (values.Length - done) * size);
            var n = ReadFully(stream, buffer.AsSpan(0, want));
            if (n < want) throw Error(DataSize(header, expectedBytes, done * size + n));
            Convert(buffer.AsSpan(0, n), header.Dtype, values.AsSpan((int)done, n / size), done, Error, header.Descr);
            done += n / size;
        }
        if (dataAvailable is null && stream.ReadByte() >= 0)
            throw Error(DataSize(header, expectedBytes, expectedBytes + 1 + Drain(stream)));
        return new NpyArray(header.Shape, header.Descr, ImmutableCollectionsMarshal.AsImmutableArray(values));
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

    private static long Drain(Stream s)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = s.Read(buffer)) > 0 && total < 1L << 40) total += n;
        return total;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "an empty file" : string.Join(" ", bytes.ToArray().Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));
}

using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
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

    /// <summary>
    /// Reads <paramref name="path"/>. Supported dtypes: float (f2, f4, f8), signed (i1–i8) and unsigned (u1–u8)
    /// integers and bool (b1, as 0 and 1), little- or big-endian; all are converted to <see cref="double"/>
    /// exactly. Integers beyond ±2⁵³ (which no double holds exactly) and non-finite floats (NaN, ±∞) are errors,
    /// as is Fortran order for an array with two or more non-trivial dimensions. The declared shape is checked against
    /// the file's length and the memory available before anything is allocated.
    /// </summary>
    /// <exception cref="DataFileException">When the file is missing, empty or not a regular file, not a .npy file, uses an
    /// unsupported feature, or its data section is short or long.</exception>
    public static NpyArray Read(string path) => ReadFile(path, null, null);

    /// <summary><see cref="Read"/> then <see cref="NpyArray.ToMatrix"/>: shape (n) gives n×1, shape (r, c) gives r×c.</summary>
    /// <exception cref="DataFileException">As for <see cref="Read"/>, and when the array's rank is not 1 or 2 (checked before
    /// the data is read).</exception>
    public static Matrix ReadMatrix(string path) => ReadFile(path, null, MatrixShape).ToMatrix();

    /// <summary>Refuses a shape that is not 1-D or 2-D (what <see cref="ReadMatrix"/> accepts); null when it is fine.</summary>
    internal static string? MatrixShape(NpyHeader h) => h.Shape.Length is 1 or 2 ? null
        : $"expected a 1-D or 2-D array, found shape {NpyArray.ShapeText(h.Shape)} (rank {h.Shape.Length}).";

    /// <summary>
    /// Reads <paramref name="path"/> in one pass, appending its bytes to <paramref name="hash"/> when given;
    /// <paramref name="accept"/> may refuse the header's shape before anything is allocated.
    /// </summary>
    internal static NpyArray ReadFile(string path, IncrementalHash? hash, Func<NpyHeader, string?>? accept)
    {
        ArgumentNullException.ThrowIfNull(path);
        var length = ReadLimits.RegularFileLength(path, "expected the .npy magic string \\x93NUMPY at the start");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var stream = hash is null ? (Stream)file : new HashingStream(file, hash);
            return ReadStream(stream, length, path, "", accept);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, 0, 0, $"could not be read: {e.Message}");
        }
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
    /// in it when known (used to reject a short or long file before allocating). Errors are prefixed by <paramref name="where"/>.
    /// </summary>
    internal static NpyArray ReadStream(Stream stream, long? available, string path, string where, Func<NpyHeader, string?>? accept = null)
    {
        var npy = NpyStream.Open(stream, available, path, where, accept);
        var values = new double[npy.Header.Count];
        npy.Read(values);
        npy.CheckEnd(available is not null);
        return new NpyArray(npy.Header.Shape, npy.Header.Descr, ImmutableCollectionsMarshal.AsImmutableArray(values));
    }
}

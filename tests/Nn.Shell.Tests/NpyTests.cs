using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Text;
using Nn.Shell;

namespace Nn.Shell.Tests;

/// <summary>
/// .npy and .npz: files built byte by byte here from the format specification (independently of <see cref="Npy.Write"/>),
/// for every dtype in both byte orders, and every error with its message.
/// </summary>
public sealed class NpyTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>
    /// A .npy image per the NEP 1 spec: magic, version, little-endian header length (2 bytes for 1.0, else 4), the
    /// header padded with spaces and ended by '\n' so that the data starts at a multiple of 64, then the data.
    /// </summary>
    public static byte[] NpyBytes(string header, byte[] data, int major = 1)
    {
        var prefix = major == 1 ? 10 : 12;
        var total = (prefix + header.Length + 1 + 63) / 64 * 64;
        var text = header.PadRight(total - prefix - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
        var len = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)text.Length);
        bytes.AddRange(len.Take(major == 1 ? 2 : 4));
        bytes.AddRange(Encoding.UTF8.GetBytes(text));
        bytes.AddRange(data);
        return [.. bytes];
    }

    private static string Header(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>Encodes <paramref name="values"/> as <paramref name="kind"/><paramref name="size"/> in the given byte order.</summary>
    private static byte[] Encode(char kind, int size, bool big, double[] values)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var s = bytes.AsSpan(i * size, size);
            var v = values[i];
            switch (kind, size)
            {
                case ('f', 2): if (big) BinaryPrimitives.WriteHalfBigEndian(s, (Half)v); else BinaryPrimitives.WriteHalfLittleEndian(s, (Half)v); break;
                case ('f', 4): if (big) BinaryPrimitives.WriteSingleBigEndian(s, (float)v); else BinaryPrimitives.WriteSingleLittleEndian(s, (float)v); break;
                case ('f', 8): if (big) BinaryPrimitives.WriteDoubleBigEndian(s, v); else BinaryPrimitives.WriteDoubleLittleEndian(s, v); break;
                case ('i', 1) or ('u', 1) or ('b', 1): s[0] = unchecked((byte)(sbyte)v); break;
                case ('i', 2): if (big) BinaryPrimitives.WriteInt16BigEndian(s, (short)v); else BinaryPrimitives.WriteInt16LittleEndian(s, (short)v); break;
                case ('i', 4): if (big) BinaryPrimitives.WriteInt32BigEndian(s, (int)v); else BinaryPrimitives.WriteInt32LittleEndian(s, (int)v); break;
                case ('i', 8): if (big) BinaryPrimitives.WriteInt64BigEndian(s, (long)v); else BinaryPrimitives.WriteInt64LittleEndian(s, (long)v); break;
                case ('u', 2): if (big) BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v); break;
                case ('u', 4): if (big) BinaryPrimitives.WriteUInt32BigEndian(s, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)v); break;
                case ('u', 8): if (big) BinaryPrimitives.WriteUInt64BigEndian(s, (ulong)v); else BinaryPrimitives.WriteUInt64LittleEndian(s, (ulong)v); break;
                default: throw new ArgumentException($"{kind}{size}");
            }
        }
        return bytes;
    }

    /// <summary>Six values per dtype that it represents exactly, including its extremes.</summary>
    private static double[] Sample(char kind, int size) => (kind, size) switch
    {
        ('f', 2) => [0, -1.5, 65504, -0.000060975551605224609375, 3.140625, 1024],
        ('f', 4) => [0, -1.5, 3.4028234663852886E+38, 1.401298464324817E-45, 0.1f, -7],
        ('f', 8) => [0, -1.5, double.MaxValue, double.Epsilon, 0.1, -7],
        ('i', 1) => [0, -128, 127, -1, 5, 100],
        ('i', 2) => [0, -32768, 32767, -1, 5, 1000],
        ('i', 4) => [0, int.MinValue, int.MaxValue, -1, 5, 100000],
        ('i', 8) => [0, -9007199254740992, 9007199254740992, -1, 5, 1e15],
        ('u', 1) => [0, 255, 128, 1, 5, 100],
        ('u', 2) => [0, 65535, 32768, 1, 5, 1000],
        ('u', 4) => [0, uint.MaxValue, 2147483648, 1, 5, 100000],
        ('u', 8) => [0, 9007199254740992, 4294967296, 1, 5, 1e15],
        _ => [0, 1, 1, 0, 0, 1],
    };

    public static TheoryData<string> Dtypes()
    {
        var data = new TheoryData<string>();
        foreach (var t in new[] { "f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1" })
        {
            data.Add("<" + t);
            data.Add(">" + t);
            if (t[1] == '1') data.Add("|" + t);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void Reads_every_dtype_in_both_byte_orders(string descr)
    {
        var (kind, size, big) = (descr[1], descr[2] - '0', descr[0] == '>');
        var values = Sample(kind, size);
        var path = _files.Bytes(NpyBytes(Header(descr, "(2, 3)"), Encode(kind, size, big, values)), ".npy");
        var a = Npy.Read(path);
        Assert.Equal(descr, a.Dtype);
        Assert.Equal([2, 3], a.Shape.ToArray());
        Assert.Equal(values, a.Values.ToArray());
        Assert.Equal(Matrix.FromRows([values[..3], values[3..]]), a.ToMatrix());
    }

    [Fact]
    public void Bool_bytes_read_as_zero_and_one()
    {
        var path = _files.Bytes(NpyBytes(Header("|b1", "(4,)"), [0, 1, 2, 255]), ".npy");
        Assert.Equal([0.0, 1.0, 1.0, 1.0], Npy.Read(path).Values.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reads_format_versions_1_2_and_3(int major)
    {
        var path = _files.Bytes(NpyBytes(Header("<f8", "(2,)"), Encode('f', 8, false, [1.5, -2]), major), ".npy");
        Assert.Equal(new NpyArray([2], "<f8", [1.5, -2]), Npy.Read(path));
    }

    [Theory]
    [InlineData("()", new int[0], 1)]
    [InlineData("(4,)", new[] { 4 }, 4)]
    [InlineData("(0, 3)", new[] { 0, 3 }, 0)]
    [InlineData("(2, 1, 2)", new[] { 2, 1, 2 }, 4)]
    [InlineData("(2L, 2L)", new[] { 2, 2 }, 4)]
    public void Reads_shapes_of_any_rank(string shape, int[] dims, int count)
    {
        var values = Enumerable.Range(0, count).Select(i => i * 0.5).ToArray();
        var path = _files.Bytes(NpyBytes(Header("<f8", shape), Encode('f', 8, false, values)), ".npy");
        var a = Npy.Read(path);
        Assert.Equal(dims, a.Shape.ToArray());
        Assert.Equal(values, a.Values.ToArray());
    }

    [Fact]
    public void Header_syntax_variants_are_accepted()
    {
        // Double quotes, other key order, no trailing comma, extra spaces.
        var path = _files.Bytes(NpyBytes("{ \"shape\" : ( 2 , ) , \"fortran_order\":False,\"descr\":\"<i2\" }", Encode('i', 2, false, [7, -7])), ".npy");
        Assert.Equal([7.0, -7.0], Npy.Read(path).Values.ToArray());
    }

    [Fact]
    public void To_matrix_makes_a_column_of_a_1d_array_and_refuses_other_ranks()
    {
        Assert.Equal(Matrix.FromRows([[1.0], [2.0], [3.0]]), new NpyArray([3], "<f8", [1.0, 2, 3]).ToMatrix());
        Assert.Throws<InvalidOperationException>(() => new NpyArray([1, 1, 2], "<f8", [1.0, 2]).ToMatrix());
        Assert.Throws<InvalidOperationException>(() => new NpyArray([], "<f8", [1.0]).ToMatrix());
        var path = _files.Bytes(NpyBytes(Header("<f8", "(1, 1, 2)"), Encode('f', 8, false, [1, 2])), ".npy");
        Errors.At(() => Npy.ReadMatrix(path), path, 0, 0, "expected a 1-D or 2-D array, found shape (1, 1, 2) (rank 3)");
        var col = _files.Bytes(NpyBytes(Header("<u1", "(3,)"), [1, 2, 3]), ".npy");
        Assert.Equal(Matrix.FromRows([[1.0], [2.0], [3.0]]), Npy.ReadMatrix(col));
    }

    [Fact]
    public void Constructor_checks_the_shape_against_the_values()
    {
        Assert.Throws<ArgumentException>(() => new NpyArray([2, 2], "<f8", [1.0, 2, 3]));
        Assert.Throws<ArgumentException>(() => new NpyArray([-1], "<f8", []));
        Assert.Throws<ArgumentException>(() => new NpyArray([int.MaxValue, int.MaxValue, 2], "<f8", [1.0]));
    }

    [Fact]
    public void Write_produces_numpy_version_1_f8_and_reads_back()
    {
        var m = Matrix.FromRows([[1.0, -2.5, 1e-300], [double.MaxValue, 0.1, -0.0]]);
        var path = _files.NewPath(".npy");
        Npy.Write(path, NpyArray.FromMatrix(m));
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", Encode('f', 8, false, m.ToRowMajorArray())), bytes);
        Assert.Equal(0, (10 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8))) % 64);
        Assert.Equal(m, Npy.ReadMatrix(path));
        Assert.Equal(new NpyArray([2, 3], "<f8", [.. m.ToRowMajorArray()]), Npy.Read(path));
    }

    [Fact]
    public void Write_converts_any_dtype_to_f8_and_keeps_the_shape()
    {
        var path = _files.NewPath(".npy");
        Npy.Write(path, new NpyArray([2, 1, 2], ">i2", [1.0, 2, 3, 4]));
        Assert.Equal(new NpyArray([2, 1, 2], "<f8", [1.0, 2, 3, 4]), Npy.Read(path));
        Npy.Write(path, new NpyArray([3], "|u1", [1.0, 2, 3]));
        Assert.Contains("'shape': (3,), }", Encoding.ASCII.GetString(File.ReadAllBytes(path)), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Npy.Write(path, new NpyArray([1], "<f8", [double.NaN])));
    }

    // ---- errors ----

    [Fact]
    public void Missing_file()
    {
        var path = _files.NewPath(".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "file not found");
        Errors.At(() => Npz.Read(path), path, 0, 0, "file not found");
    }

    [Theory]
    [InlineData(new byte[0], "found an empty file")]
    [InlineData(new byte[] { (byte)'a', (byte)',', (byte)'b', (byte)'\n', (byte)'1', (byte)',', (byte)'2', (byte)'\n' }, "found 61 2c 62 0a 31 2c 32 0a")]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M' }, "found 93 4e 55 4d")]
    public void Bad_magic(byte[] bytes, string found)
    {
        var path = _files.Bytes(bytes, ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "expected the .npy magic string \\x93NUMPY at the start", found);
    }

    [Fact]
    public void Unknown_version()
    {
        var bytes = NpyBytes(Header("<f8", "(1,)"), new byte[8]);
        bytes[6] = 4;
        var path = _files.Bytes(bytes, ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "expected .npy format version 1.0, 2.0 or 3.0, found 4.0");
    }

    [Theory]
    [InlineData("<c16")]
    [InlineData("<U5")]
    [InlineData("|O")]
    [InlineData("<M8[ns]")]
    [InlineData("|f8")]
    [InlineData("<b2")]
    public void Unsupported_dtype_is_named(string descr)
    {
        var path = _files.Bytes(NpyBytes(Header(descr, "(1,)"), new byte[16]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, $"unsupported dtype '{descr}'; expected f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8 or b1");
    }

    [Fact]
    public void Structured_dtype_is_refused()
    {
        var path = _files.Bytes(NpyBytes("{'descr': [('x', '<f8'), ('y', '<i4')], 'fortran_order': False, 'shape': (1,), }", new byte[12]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "expected 'descr' to be a dtype string such as '<f8', found a tuple or list (structured dtypes are not supported)");
    }

    [Fact]
    public void Fortran_order_is_refused_for_2d_and_harmless_for_1d()
    {
        var path = _files.Bytes(NpyBytes(Header("<f8", "(2, 2)", fortran: true), new byte[32]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "Fortran order is not supported (shape (2, 2)); save with np.ascontiguousarray");
        var flat = _files.Bytes(NpyBytes(Header("<f8", "(2,)", fortran: true), Encode('f', 8, false, [1, 2])), ".npy");
        Assert.Equal([1.0, 2.0], Npy.Read(flat).Values.ToArray());
    }

    [Fact]
    public void Short_data_section()
    {
        var path = _files.Bytes(NpyBytes(Header("<i4", "(2, 3)"), new byte[20]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "expected 24 bytes of data for shape (2, 3) of '<i4', found 20");
    }

    [Fact]
    public void Long_data_section()
    {
        var path = _files.Bytes(NpyBytes(Header("<i4", "(2,)"), new byte[9]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "expected 8 bytes of data for shape (2,) of '<i4', found 9");
    }

    [Fact]
    public void Truncated_header()
    {
        var bytes = NpyBytes(Header("<f8", "(1,)"), []);
        var path = _files.Bytes(bytes[..40], ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "expected a header of 118 bytes, found 30 before the end of the file");
    }

    [Theory]
    [InlineData("[1, 2]", "expected the header to be a Python dict, found a tuple or list")]
    [InlineData("'descr'", "expected the header to be a Python dict, found the string 'descr'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)", "malformed header: expected ',' or '}' at character")]
    [InlineData("{'descr': '<f8', 'fortran_order': Fals, 'shape': (2,), }", "malformed header: expected a value at character 35, found 'Fals, 'shape'")]
    [InlineData("{'descr': '<f8', 'shape': (2,), }", "expected the header keys 'descr', 'fortran_order' and 'shape', found 'descr', 'shape'")]
    [InlineData("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", "expected 'fortran_order' to be True or False, found the number 0")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 'x'), }", "expected 'shape' to be a tuple of integers")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", "expected dimensions in [0, 2147483647], found -2")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", "expected an integer that fits in 64 bits")]
    [InlineData("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "expected distinct keys, not 'descr' twice")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } extra", "expected the end of the header")]
    [InlineData("((((((((((((((((((((1))))))))))))))))))))", "expected at most 16 levels of nesting")]
    public void Malformed_headers(string header, string expected)
    {
        var path = _files.Bytes(NpyBytes(header, new byte[16]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, expected);
    }

    [Fact]
    public void Shape_product_overflow_is_caught()
    {
        var path = _files.Bytes(NpyBytes(Header("<f8", "(2147483647, 2147483647, 2147483647)"), new byte[8]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, $"expected at most {Array.MaxLength} elements, found a shape (2147483647, 2147483647, 2147483647) with more");
    }

    [Fact]
    public void A_huge_shape_is_refused_before_allocating()
    {
        var path = _files.Bytes(NpyBytes(Header("<f8", "(100000, 10000)"), new byte[8]), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, "expected 8000000000 bytes of data for shape (100000, 10000) of '<f8', found 8");
    }

    [Theory]
    [InlineData("<i8", 9007199254740993L)]
    [InlineData(">i8", -9007199254740993L)]
    [InlineData("<u8", long.MaxValue)]
    public void Integers_beyond_2_to_53_are_refused(string descr, long value)
    {
        var data = new byte[16];
        if (descr[0] == '>') BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(8), value);
        else BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), value);
        var path = _files.Bytes(NpyBytes(Header(descr, "(2,)"), data), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, $"expected integers within ±2^53 (exact as doubles), found {value} at element 1 of the '{descr}' array");
    }

    [Theory]
    [InlineData("<f8", double.NaN, "NaN")]
    [InlineData(">f8", double.PositiveInfinity, "Infinity")]
    [InlineData("<f4", double.NegativeInfinity, "-Infinity")]
    [InlineData(">f2", double.NaN, "NaN")]
    public void Non_finite_floats_are_refused(string descr, double bad, string shown)
    {
        var path = _files.Bytes(NpyBytes(Header(descr, "(3,)"), Encode('f', descr[2] - '0', descr[0] == '>', [1, 2, bad])), ".npy");
        Errors.At(() => Npy.Read(path), path, 0, 0, $"expected finite values, found {shown} at element 2 (C order)");
    }

    // ---- npz ----

    private static byte[] Zip(params (string Name, byte[] Bytes, CompressionLevel Level)[] members)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes, level) in members)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(bytes);
            }
        return ms.ToArray();
    }

    [Fact]
    public void Npz_reads_stored_and_deflated_members_built_by_hand()
    {
        var x = NpyBytes(Header("<f4", "(2, 2)"), Encode('f', 4, false, [1, 2, 3, 4]));
        var y = NpyBytes(Header(">i8", "(3,)"), Encode('i', 8, true, [0, 1, -1]));
        var path = _files.Bytes(Zip(("x.npy", x, CompressionLevel.NoCompression), ("y.npy", y, CompressionLevel.Optimal), ("dir/", [], CompressionLevel.NoCompression)), ".npz");
        var arrays = Npz.Read(path);
        Assert.Equal(["x", "y"], arrays.Keys);
        Assert.Equal(new NpyArray([2, 2], "<f4", [1.0, 2, 3, 4]), arrays["x"]);
        Assert.Equal(new NpyArray([3], ">i8", [0.0, 1, -1]), arrays["y"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Npz_write_round_trips_deterministically(bool compressed)
    {
        var arrays = new Dictionary<string, NpyArray>
        {
            ["y"] = new([4], "<f8", [0.0, 1, 1, 0]),
            ["x"] = NpyArray.FromMatrix(Matrix.FromRows([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])),
        };
        var path = _files.NewPath(".npz");
        Npz.Write(path, arrays, compressed);
        var back = Npz.Read(path);
        Assert.Equal(["x", "y"], back.Keys);
        Assert.Equal(arrays["x"], back["x"]);
        Assert.Equal(arrays["y"], back["y"]);
        using (var zip = ZipFile.OpenRead(path))
        {
            Assert.Equal(["x.npy", "y.npy"], zip.Entries.Select(e => e.FullName));
            Assert.All(zip.Entries, e => Assert.Equal(compressed, e.CompressedLength < e.Length));
        }
        var again = _files.NewPath(".npz");
        Npz.Write(again, arrays, compressed);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void Npz_errors_name_the_file_and_member()
    {
        var notZip = _files.Text("a,b\n1,2\n", ".npz");
        Errors.At(() => Npz.Read(notZip), notZip, 0, 0, "expected a zip archive of .npy files (an .npz)");
        var bad = _files.Bytes(Zip(("ok.npy", NpyBytes(Header("<u1", "(1,)"), [1]), CompressionLevel.Optimal),
            ("w.npy", NpyBytes(Header("<f8", "(2,)"), new byte[8]), CompressionLevel.Optimal)), ".npz");
        Errors.At(() => Npz.Read(bad), bad, 0, 0, "in member 'w.npy': expected 16 bytes of data for shape (2,) of '<f8', found 8");
        var twice = _files.Bytes(Zip(("a.npy", NpyBytes(Header("<u1", "(1,)"), [1]), CompressionLevel.Optimal),
            ("a", NpyBytes(Header("<u1", "(1,)"), [1]), CompressionLevel.Optimal)), ".npz");
        Errors.At(() => Npz.Read(twice), twice, 0, 0, "expected distinct member names, found 'a' twice");
        Assert.Throws<ArgumentException>(() => Npz.Write(_files.NewPath(".npz"), new Dictionary<string, NpyArray> { [""] = new([], "<f8", [1.0]) }));
    }
}

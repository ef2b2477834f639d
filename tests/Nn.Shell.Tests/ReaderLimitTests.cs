using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Nn.Shell;

namespace Nn.Shell.Tests;

/// <summary>
/// The readers' checks before allocating (rank, declared sizes, zip entries), strict text decoding, the data hash of the
/// bytes parsed, the target refusals with their locations, and the native row blocks behind the CSV reader.
/// </summary>
public sealed class ReaderLimitTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Header(string descr, string shape) => $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";

    private static byte[] F8(int count) => new byte[count * 8];

    private static byte[] Zip(params (string Name, byte[] Bytes)[] members)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in members)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(bytes);
            }
        return ms.ToArray();
    }

    // ---- .npy / .npz rank and size ----

    [Theory]
    [InlineData("()", 1, "found shape () (rank 0)")]
    [InlineData("(2, 2, 2)", 8, "found shape (2, 2, 2) (rank 3)")]
    public void ReadMatrix_refuses_other_ranks_with_one_error(string shape, int count, string found)
    {
        var path = _files.Bytes(NpyTests.NpyBytes(Header("<f8", shape), F8(count)), ".npy");
        Errors.At(() => Npy.ReadMatrix(path), path, 0, 0, "expected a 1-D or 2-D array", found);
    }

    [Theory]
    [InlineData("()", 1, "rank 0")]
    [InlineData("(3, 1, 2)", 6, "rank 3")]
    public void Training_data_of_another_rank_is_refused_in_npy_and_npz(string shape, int count, string rank)
    {
        var x = NpyTests.NpyBytes(Header("<f8", shape), F8(count));
        var y = NpyTests.NpyBytes(Header("<f8", "(3,)"), F8(3));
        var xPath = _files.Bytes(x, ".npy");
        var yPath = _files.Bytes(y, ".npy");
        Errors.At(() => DataSource.ForTraining(xPath, yPath, null), xPath, 0, 0, rank);
        Errors.At(() => DataSource.ForModel(xPath, null, ["x0", "x1"], "y", requireTarget: false), xPath, 0, 0, rank);
        var npz = _files.Bytes(Zip(("x.npy", x), ("y.npy", y)), ".npz");
        Errors.At(() => DataSource.ForTraining(npz, null, null), npz, 0, 0, "in member 'x.npy'", rank);
    }

    [Theory]
    [InlineData("(3, 2)", 6, "found shape (3, 2)")]
    [InlineData("(3, 1, 1)", 3, "found shape (3, 1, 1)")]
    [InlineData("()", 1, "found shape ()")]
    public void Labels_must_be_one_per_row(string shape, int count, string found)
    {
        var x = NpyTests.NpyBytes(Header("<f8", "(3, 2)"), F8(6));
        var y = NpyTests.NpyBytes(Header("<f8", shape), F8(count));
        var xPath = _files.Bytes(x, ".npy");
        var yPath = _files.Bytes(y, ".npy");
        Errors.At(() => DataSource.ForTraining(xPath, yPath, null), yPath, 0, 0, "expected one label per row, shape (3,) or (3, 1)", found);
        var npz = _files.Bytes(Zip(("x.npy", x), ("y.npy", y)), ".npz");
        Errors.At(() => DataSource.ForTraining(npz, null, null), npz, 0, 0, "in member 'y.npy'", found);
    }

    [Fact]
    public void Labels_of_shape_n_by_1_are_accepted()
    {
        var xPath = _files.Bytes(NpyTests.NpyBytes(Header("<f8", "(3, 2)"), F8(6)), ".npy");
        var y = new byte[24];
        BinaryPrimitives.WriteDoubleLittleEndian(y.AsSpan(8), 1);
        var yPath = _files.Bytes(NpyTests.NpyBytes(Header("<f8", "(3, 1)"), y), ".npy");
        Assert.Equal(["0", "1", "0"], DataSource.ForTraining(xPath, yPath, null).TargetCells.ToArray());
    }

    /// <summary>
    /// An .npz whose first member <paramref name="member"/> really holds a .npy header and 4 MiB of zeros (4 KiB deflated) but
    /// whose zip headers and .npy header declare <paramref name="declared"/> bytes, followed by <paramref name="others"/>.
    /// </summary>
    private static byte[] Bomb(string member, uint declared, params (string Name, byte[] Bytes)[] others)
    {
        var header = Header("<f8", $"({(declared - 128) / 8}, 1)");
        var npy = NpyTests.NpyBytes(header, F8(1 << 19));
        Assert.Equal(128, npy.Length - (4 << 20));
        var zip = Zip([(member, npy), .. others]);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(22), declared); // the first local header's uncompressed size
        var central = zip.AsSpan().IndexOf("PK\u0001\u0002"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(central + 24), declared);
        return zip;
    }

    private static readonly byte[] Y1 = NpyTests.NpyBytes(Header("<f8", "(1,)"), F8(1));

    [Fact]
    public void A_member_declaring_more_than_deflate_can_produce_is_refused_before_inflating()
    {
        var path = _files.Bytes(Bomb("x.npy", 0xF000_0000, ("y.npy", Y1)), ".npz");
        var before = GC.GetTotalAllocatedBytes(precise: true);
        Errors.At(() => DataSource.ForTraining(path, null, null), path, 0, 0,
            "in member 'x.npy': declares 4026531840 bytes from", "more than deflate can produce (1032:1)");
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64 << 20, "the member was inflated or allocated");
        Errors.At(() => Npz.Read(path), path, 0, 0, "more than deflate can produce");
    }

    [Fact]
    public void Members_that_are_not_needed_are_never_inflated()
    {
        var x = NpyTests.NpyBytes(Header("<f8", "(2, 1)"), F8(2));
        var y = NpyTests.NpyBytes(Header("<f8", "(2,)"), [.. F8(1), .. BitConverter.GetBytes(1.0)]);
        var path = _files.Bytes(Bomb("junk.npy", 0xF000_0000, ("x.npy", x), ("y.npy", y)), ".npz");
        Assert.Equal(["0", "1"], DataSource.ForTraining(path, null, null).TargetCells.ToArray());
        Errors.At(() => Npz.Read(path), path, 0, 0, "in member 'junk.npy'", "more than deflate can produce");
    }

    [Fact]
    public void Empty_files_and_devices_are_refused_without_being_opened()
    {
        var empty = _files.Bytes([], ".npz");
        Errors.At(() => Npz.Read(empty), empty, 0, 0, "found an empty file (or one that is not a regular file");
        if (OperatingSystem.IsWindows()) return;
        Errors.At(() => Npy.Read("/dev/zero"), "/dev/zero", 0, 0, "not a regular file");
        Errors.At(() => Npz.Read("/dev/null"), "/dev/null", 0, 0, "not a regular file");
    }

    // ---- model files ----

    [Fact]
    public void Model_files_are_refused_before_reading_when_they_cannot_be_one()
    {
        var folder = Path.GetDirectoryName(_files.NewPath(""))!;
        Assert.Contains("is a folder", Assert.Throws<ModelFileException>(() => ModelFile.ReadBytes(folder)).Message);
        Assert.Contains("file not found", Assert.Throws<ModelFileException>(() => ModelFile.ReadBytes(_files.NewPath(".st"))).Message);
        var header = new byte[40];
        BinaryPrimitives.WriteUInt64LittleEndian(header, 1UL << 40);
        var big = _files.Bytes(header, ".st");
        Assert.Contains("exceeds the 100000000-byte limit", Assert.Throws<ModelFileException>(() => ModelFile.ReadBytes(big)).Message);
        BinaryPrimitives.WriteUInt64LittleEndian(header, 5000);
        var past = _files.Bytes(header, ".st");
        Assert.Contains("the header length 5000 runs past the end of the 40-byte file", Assert.Throws<ModelFileException>(() => ModelFile.Load(past)).Message);
        if (OperatingSystem.IsWindows()) return;
        Assert.Contains("not a regular file", Assert.Throws<ModelFileException>(() => ModelFile.Load("/dev/zero")).Message);
        Assert.Contains("not a regular file", Assert.Throws<ModelFileException>(() => CheckpointFile.Load("/dev/zero")).Message);
    }

    // ---- text ----

    [Fact]
    public void Latin1_text_is_refused_at_its_line_and_field()
    {
        var path = _files.Bytes([.. "a,b,label\n1,2,x\n3,4,caf"u8, 0xE9, .. "\n"u8], ".csv");
        Errors.At(() => DataSource.ForTraining(path, null, null), path, 3, 3, "expected UTF-8 text, found the byte 0xE9", "save the file as UTF-8");
    }

    [Fact]
    public void A_multi_byte_sequence_cut_by_the_end_of_the_file_is_refused()
    {
        var path = _files.Bytes([.. "a,label\n1,x\n2,caf"u8, 0xC3], ".csv");
        Errors.At(() => DataSource.ForTraining(path, null, null), path, 3, 2, "found the byte 0xC3");
    }

    public static TheoryData<string> Encodings() => ["utf-8-bom", "utf-16LE", "utf-16BE", "utf-32LE", "utf-32BE"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_byte_order_mark_chooses_the_encoding(string name)
    {
        Encoding encoding = name switch
        {
            "utf-8-bom" => new UTF8Encoding(true),
            "utf-16LE" => new UnicodeEncoding(false, true),
            "utf-16BE" => new UnicodeEncoding(true, true),
            "utf-32LE" => new UTF32Encoding(false, true),
            _ => new UTF32Encoding(true, true),
        };
        var text = "a,b,label\n1,2,café\n3,4,cafè\n5,6,\"😀 x\"\n";
        var path = _files.Bytes([.. encoding.GetPreamble(), .. encoding.GetBytes(text)], ".csv");
        var data = DataSource.ForTraining(path, null, null);
        Assert.Equal(["café", "cafè", "😀 x"], data.TargetCells.ToArray());
    }

    [Fact]
    public void An_unpaired_surrogate_in_utf16_is_refused_at_its_line()
    {
        var encoding = new UnicodeEncoding(false, true);
        var bytes = new List<byte>(encoding.GetPreamble());
        bytes.AddRange(encoding.GetBytes("a,label\n1,x\n2,"));
        bytes.AddRange([0x00, 0xD8]); // a high surrogate followed by a newline
        bytes.AddRange(encoding.GetBytes("\n"));
        var path = _files.Bytes([.. bytes], ".csv");
        Errors.At(() => DataSource.ForTraining(path, null, null), path, 3, 2, "expected UTF-16LE text");
    }

    [Fact]
    public void Reading_one_character_at_a_time_keeps_surrogate_pairs()
    {
        using var reader = new StrictTextReader(new MemoryStream(Encoding.UTF8.GetBytes("a😀b")));
        var chars = new List<char>();
        var one = new char[1];
        while (reader.Read(one, 0, 1) == 1) chars.Add(one[0]);
        Assert.Equal("a😀b", new string([.. chars]));
    }

    // ---- hash of the bytes parsed ----

    [Fact]
    public void The_data_hash_is_the_sha256_of_the_files_read()
    {
        static string Sha(params byte[][] parts) => Convert.ToHexStringLower(SHA256.HashData([.. parts.SelectMany(p => p)]));
        var csvBytes = "\uFEFFa,b,label\n1,2,0\n3,4,1\n"u8.ToArray();
        var csv = _files.Bytes(csvBytes, ".csv");
        Assert.Equal(Sha(csvBytes), DataSource.ForTraining(csv, null, null).Sha256);
        Assert.Equal(Sha(csvBytes), DataSource.ForModel(csv, null, ["a"], "label", requireTarget: true).Sha256);
        Assert.Equal(DataSource.Hash(csv, null), DataSource.ForTraining(csv, null, null).Sha256);

        var x = NpyTests.NpyBytes(Header("<f8", "(2, 1)"), F8(2));
        var y = NpyTests.NpyBytes(Header("<f8", "(2,)"), F8(2));
        var xPath = _files.Bytes(x, ".npy");
        var yPath = _files.Bytes(y, ".npy");
        Assert.Equal(Sha(x, y), DataSource.ForTraining(xPath, yPath, null).Sha256);
        Assert.Equal(Sha(x), DataSource.ForModel(xPath, null, ["x0"], "y", requireTarget: false).Sha256);
        var npzBytes = Zip(("x.npy", x), ("y.npy", y));
        var npz = _files.Bytes(npzBytes, ".npz");
        Assert.Equal(Sha(npzBytes), DataSource.ForTraining(npz, null, null).Sha256);
    }

    // ---- targets ----

    private LoadedData Csv(string text) => DataSource.ForTraining(_files.Text(text), null, null);

    [Fact]
    public void An_empty_target_cell_is_refused_at_its_line_after_a_quoted_line_break()
    {
        var data = Csv("a,label\n1,\"two\nlines\"\n2,x\n3, \n");
        Errors.At(() => data.InferTask(), data.Source, 5, 2, "expected a value in target column 'label', found an empty field");
        Errors.At(() => data.EncodeTarget(TaskKind.Classification), data.Source, 5, 2, "found an empty field");
        Errors.At(() => data.EncodeTarget(["x"]), data.Source, 5, 2, "found an empty field");
    }

    [Fact]
    public void A_numeric_target_with_a_few_other_cells_is_refused_under_auto_naming_them()
    {
        var rows = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i},{(i is 57 ? "n/a" : i is 90 ? "NA" : (i * 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture))}\n"));
        var data = Csv("a,y\n" + rows);
        Errors.At(() => data.InferTask(), data.Source, 59, 2,
            "expected a number in target column 'y' (it holds numbers in 298 of 300 rows), found 'n/a' (other cells that are not numbers: 'NA' on line 92)",
            "--task classification");
        Errors.At(() => data.EncodeTarget(TaskKind.Regression), data.Source, 59, 2, "expected a finite number in target column 'y' for a regression target, found 'n/a'");
        Assert.Equal(TaskKind.Classification, data.EncodeTarget(TaskKind.Classification).Task); // an explicit choice reads labels
    }

    [Fact]
    public void Mostly_text_labels_with_some_numbers_stay_classification()
    {
        var data = Csv("a,y\n1,cat\n2,dog\n3,7\n4,cat\n");
        Assert.Equal(TaskKind.Classification, data.InferTask());
    }

    [Fact]
    public void More_than_the_class_limit_is_refused_as_an_identifier_column()
    {
        var data = Csv("a,name\n" + string.Concat(Enumerable.Range(0, ReadLimits.MaxClasses + 1).Select(i => $"{i},user{i}\n")));
        Errors.At(() => data.InferTask(), data.Source, 1, 2, "target column 'name' has more than 1000 distinct values", "identifier column");
        Errors.At(() => data.EncodeTarget(TaskKind.Classification), data.Source, 1, 2, "at most 1000 classes");
    }

    [Fact]
    public void Classes_for_more_than_half_the_rows_look_like_identifiers_unless_classification_is_asked_for()
    {
        var data = Csv("a,name\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"{i},user{i % 150}\n")));
        Errors.At(() => data.InferTask(), data.Source, 1, 2, "has 150 distinct values in 200 rows; it looks like an identifier column");
        Assert.Equal(150, data.EncodeTarget(TaskKind.Classification).Labels.Length);
        var few = Csv("a,name\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},user{i % 8}\n")));
        Assert.Equal(TaskKind.Classification, few.InferTask()); // small data: not judged
    }

    [Fact]
    public void An_unseen_label_is_refused_at_its_line()
    {
        var data = Csv("a,label\n1,x\n2,y\n3,z\n");
        Errors.At(() => data.EncodeTarget(["x", "y"]), data.Source, 4, 2, "label 'z' was not seen in training; known labels: x, y");
    }

    // ---- native row blocks ----

    [Fact]
    public void Row_blocks_move_into_one_matrix_across_several_blocks()
    {
        const int width = 3;
        var rows = (int)((32L << 20) / (width * 8)) * 2 + 12345; // more than two 32 MiB blocks and a staged tail
        var expected = new double[rows * width];
        using (var blocks = new CellBlocks(width))
        {
            for (var r = 0; r < rows; r++)
            {
                var row = blocks.Append();
                for (var c = 0; c < width; c++) row[c] = expected[r * width + c] = r * 10.0 + c;
            }
            var m = blocks.ToMatrix();
            Assert.Equal(rows, m.Rows);
            Assert.Equal(width, m.Cols);
            Assert.Equal(expected, m.ToRowMajorArray());
            Assert.Throws<InvalidOperationException>(() => blocks.ToMatrix());
        }
        using var one = new CellBlocks(2);
        one.Append()[1] = 7;
        Assert.Equal([0.0, 7.0], one.ToMatrix().ToRowMajorArray());
    }
}

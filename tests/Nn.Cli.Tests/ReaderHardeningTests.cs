using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Nn.Shell;
using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary>
/// Issue 15's input classes through the real command tree: arrays of another rank, zip bombs and unreadable model files
/// refused before allocating; identifier, empty and mixed target columns and non-UTF-8 text refused with their location;
/// and <c>nn predict</c> streaming (bit-identical output, atomic, refusing non-finite outputs with exit 3). Each refusal:
/// the exit code, exactly one stderr line naming the file (and line:field where there is one), nothing written.
/// </summary>
public class ReaderHardeningTests
{
    /// <summary>A small trained 2-feature classifier (features a, b; target class), shared by the tests.</summary>
    private static readonly Lazy<byte[]> Classifier = new(() =>
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 60, 1);
        var model = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", data, "--layers", "4", "--epochs", "2", "--out", model, "--quiet");
        Assert.True(r.Code == 0, r.Err);
        return File.ReadAllBytes(model);
    });

    private static string Model(TempDir dir, byte[]? bytes = null)
    {
        var path = dir.File("model.safetensors");
        File.WriteAllBytes(path, bytes ?? Classifier.Value);
        return path;
    }

    // ---- .npy / .npz of another rank: every command that reads data ----

    public static TheoryData<string, int[]> Ranks() => new() { { "rank 0", [] }, { "rank 3", [4, 2, 1] } };

    [Theory]
    [MemberData(nameof(Ranks))]
    public void An_npy_of_another_rank_is_refused_by_train_predict_and_eval(string rank, int[] shape)
    {
        using var dir = new TempDir();
        var model = Model(dir);
        var x = dir.File("x.npy");
        var count = shape.Aggregate(1, (a, d) => a * d);
        Npy.Write(x, new NpyArray([.. shape], "<f8", [.. Enumerable.Range(0, count).Select(i => (double)i)]));
        var y = dir.File("y.npy");
        Npy.Write(y, new NpyArray([4], "<f8", [0, 1, 0, 1]));
        string[] before = ["model.safetensors", "x.npy", "y.npy"];
        Refused(NnCli.Run("train", "--data", x, "--labels", y, "--out", dir.File("o.safetensors")), "x.npy: expected a 1-D or 2-D array", rank);
        Refused(NnCli.Run("predict", "--model", model, "--data", x, "--out", dir.File("p.csv")), "x.npy: expected a 1-D or 2-D array", rank);
        Refused(NnCli.Run("eval", "--model", model, "--data", x, "--labels", y), "x.npy: expected a 1-D or 2-D array", rank);
        Assert.Equal(before, dir.Names());
    }

    [Theory]
    [MemberData(nameof(Ranks))]
    public void An_npz_whose_x_has_another_rank_is_refused_by_every_command(string rank, int[] shape)
    {
        using var dir = new TempDir();
        var model = Model(dir);
        var count = shape.Aggregate(1, (a, d) => a * d);
        var npz = dir.File("d.npz");
        Npz.Write(npz, new Dictionary<string, NpyArray>
        {
            ["x"] = new([.. shape], "<f8", [.. Enumerable.Range(0, count).Select(i => (double)i)]),
            ["y"] = new([4], "<f8", [0, 1, 0, 1]),
        });
        string[] fragments = ["d.npz: in member 'x.npy': expected a 1-D or 2-D array", rank];
        Refused(NnCli.Run("train", "--data", npz, "--out", dir.File("o.safetensors")), fragments);
        Refused(NnCli.Run("predict", "--model", model, "--data", npz, "--out", dir.File("p.csv")), fragments);
        Refused(NnCli.Run("eval", "--model", model, "--data", npz), fragments);
        Refused(NnCli.Run("explain", "--model", model, "--data", npz), fragments);
        Refused(NnCli.Run("gradcheck", "--model", model, "--data", npz), fragments);
        Assert.Equal(["d.npz", "model.safetensors"], dir.Names());
    }

    [Fact]
    public void Labels_that_are_not_one_per_row_are_refused()
    {
        using var dir = new TempDir();
        var npz = dir.File("d.npz");
        Npz.Write(npz, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.FromMatrix(Matrix.FromRows([[1.0], [2.0]])),
            ["y"] = new([2, 2], "<f8", [0, 1, 1, 0]),
        });
        Refused(NnCli.Run("train", "--data", npz, "--out", dir.File("o.safetensors")), "d.npz: in member 'y.npy': expected one label per row, shape (2,) or (2, 1), found shape (2, 2).");
        Assert.Equal(["d.npz"], dir.Names());
    }

    [Fact]
    public void A_zip_bomb_is_refused_before_it_is_inflated()
    {
        using var dir = new TempDir();
        // x.npy holds a header and 4 MiB of zeros (4 KiB deflated); the zip headers then claim 4 GB.
        const uint Declared = 0xF000_0000;
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({(Declared - 128) / 8}, 1), }}";
        var npy = new MemoryStream();
        npy.Write([0x93, .. "NUMPY"u8, 1, 0]);
        var text = header.PadRight(128 - 11) + "\n";
        npy.Write(BitConverter.GetBytes((ushort)text.Length));
        npy.Write(Encoding.ASCII.GetBytes(text));
        npy.Write(new byte[4 << 20]);
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        using (var s = archive.CreateEntry("x.npy", CompressionLevel.Optimal).Open())
            s.Write(npy.ToArray());
        var bytes = zip.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), Declared);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.AsSpan().IndexOf("PK\u0001\u0002"u8) + 24), Declared);
        var path = dir.File("bomb.npz");
        File.WriteAllBytes(path, bytes);
        Refused(NnCli.Run("train", "--data", path, "--out", dir.File("o.safetensors")),
            "bomb.npz: in member 'x.npy': declares 4026531840 bytes from", "more than deflate can produce");
        Refused(NnCli.Run("predict", "--model", Model(dir), "--data", path, "--out", dir.File("p.csv")), "more than deflate can produce");
        Assert.Equal(["bomb.npz", "model.safetensors"], dir.Names());
    }

    // ---- model files that are not files ----

    [Fact]
    public void A_model_that_is_a_device_a_pipe_or_a_folder_is_refused_without_reading_it()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        var data = dir.Write("d.csv", "a,b\n1,2\n");
        var fifo = dir.File("fifo.safetensors");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        foreach (var (model, message) in new[]
                 {
                     ("/dev/zero", "/dev/zero: the file is empty (or is not a regular file"),
                     (fifo, "fifo.safetensors: the file is empty (or is not a regular file"),
                     (dir.Path, "is a folder, not a file"),
                 })
        {
            Refused(NnCli.Run("predict", "--model", model, "--data", data, "--out", dir.File("p.csv")), message);
            Refused(NnCli.Run("eval", "--model", model, "--data", data), message);
        }
        var resume = NnCli.Run("train", "--data", dir.Blobs("t.csv", 30, 1), "--out", dir.File("o.safetensors"), "--resume", "/dev/zero");
        Refused(resume, "/dev/zero: the file is empty");
        Assert.Equal(["d.csv", "fifo.safetensors", "t.csv"], dir.Names());
    }

    [Fact]
    public void A_model_whose_header_length_runs_past_its_end_is_refused_before_the_rest_is_read()
    {
        using var dir = new TempDir();
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1_000_000);
        var model = Model(dir, bytes);
        Refused(NnCli.Run("predict", "--model", model, "--data", dir.Write("d.csv", "a,b\n1,2\n"), "--out", dir.File("p.csv")),
            "model.safetensors: the header length 1000000 runs past the end of the 64-byte file");
        Assert.Equal(["d.csv", "model.safetensors"], dir.Names());
    }

    // ---- target columns ----

    private static void TrainRefuses(byte[] csv, string[] extra, params string[] fragments)
    {
        using var dir = new TempDir();
        var data = dir.File("bad.csv");
        File.WriteAllBytes(data, csv);
        Refused(NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--epochs", "1", .. extra]), ["bad.csv", .. fragments]);
        Assert.Equal(["bad.csv"], dir.Names());
    }

    private static void TrainRefuses(string csv, string[] extra, params string[] fragments) =>
        TrainRefuses(new UTF8Encoding(false).GetBytes(csv), extra, fragments);

    private static string Rows(int count, Func<int, string> target) =>
        string.Concat(Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{i % 7},{target(i)}\n")));

    [Fact]
    public void A_text_column_with_tens_of_thousands_of_values_is_refused_as_an_identifier_column() =>
        TrainRefuses("a,b,user\n" + Rows(20_000, i => $"user{i}"), [], "bad.csv:1:3: target column 'user' has more than 1000 distinct values", "identifier column");

    [Fact]
    public void Classes_for_most_rows_look_like_an_identifier_unless_classification_is_asked_for()
    {
        TrainRefuses("a,b,name\n" + Rows(300, i => $"n{i % 200}"), [], "bad.csv:1:3: target column 'name' has 200 distinct values in 300 rows", "--task classification");
        using var dir = new TempDir();
        var data = dir.Write("d.csv", "a,b,name\n" + Rows(300, i => $"n{i % 200}"));
        var r = NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors"), "--epochs", "1", "--task", "classification", "--quiet");
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public void An_empty_target_cell_is_refused_at_its_line_even_after_a_quoted_line_break() =>
        // Row 2's label holds a line break, so row 3 (the empty one) starts on line 5, not line 4.
        TrainRefuses("a,b,label\n1,2,x\n3,4,\"y\nz\"\n5,6,\n7,8,x\n", [], "bad.csv:5:3: expected a value in target column 'label', found an empty field.");

    [Fact]
    public void An_empty_target_cell_is_refused_by_eval_at_its_line()
    {
        using var dir = new TempDir();
        var model = Model(dir);
        var data = dir.Write("d.csv", "a,b,class\n1,2,0\n3,4,\n");
        Refused(NnCli.Run("eval", "--model", model, "--data", data), "d.csv:3:3: expected a value in target column 'class', found an empty field.");
    }

    [Fact]
    public void One_non_number_in_a_numeric_target_is_refused_with_its_location() =>
        TrainRefuses("a,b,y\n" + Rows(300, i => i == 57 ? "n/a" : (i * 1.5).ToString(CultureInfo.InvariantCulture)), [],
            "bad.csv:59:3: expected a number in target column 'y' (it holds numbers in 299 of 300 rows), found 'n/a'", "--task classification");

    [Fact]
    public void A_non_number_under_task_regression_is_refused_with_its_location() =>
        TrainRefuses("a,b,y\n1,2,0.5\n3,4,x\n5,6,7\n", ["--task", "regression"], "bad.csv:3:3: expected a finite number in target column 'y' for a regression target, found 'x'.");

    // ---- text ----

    [Fact]
    public void Latin1_labels_are_refused_at_their_line_and_field() =>
        TrainRefuses([.. "a,b,label\n1,2,caf"u8, 0xE9, .. "\n3,4,caf"u8, 0xE8, .. "\n"u8], [], "bad.csv:2:3: expected UTF-8 text, found the byte 0xE9");

    [Fact]
    public void A_utf16_file_with_a_bom_is_read_and_keeps_cafe_and_cafe_grave_apart()
    {
        using var dir = new TempDir();
        var data = dir.File("d.csv");
        var text = "a,b,label\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},{i % 3},{(i % 2 == 0 ? "café" : "cafè")}\n"));
        File.WriteAllBytes(data, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]);
        var model = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", data, "--out", model, "--epochs", "1", "--quiet");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(["cafè", "café"], ModelFile.Load(model).Info.Labels.ToArray());
    }

    // ---- predict ----

    [Fact]
    public void Predict_streams_in_chunks_with_the_same_bytes_as_the_whole_data()
    {
        using var dir = new TempDir();
        var model = ModelFile.Load(Model(dir));
        var data = dir.Blobs("d.csv", 1000, 7);
        var whole = PredictJob.Format(model, Predictor.Predict(model, DataSource.ForModel(data, null, model.Info.FeatureNames, "class", false).Features), probabilities: true);
        foreach (var chunk in new[] { 1, 7, 999, 1000, 4096 })
        {
            var output = dir.File($"p{chunk}.csv");
            Assert.Equal(1000, PredictJob.Run(model, data, output, new PredictOptions(Probabilities: true, ChunkRows: chunk)).Rows);
            Assert.Equal(whole, File.ReadAllText(output));
        }
        var viaCli = dir.File("cli.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", dir.File("model.safetensors"), "--data", data, "--out", viaCli, "--proba").Code);
        Assert.Equal(whole, File.ReadAllText(viaCli));
    }

    [Fact]
    public void Predict_reads_npy_and_npz_in_chunks_too()
    {
        using var dir = new TempDir();
        var model = ModelFile.Load(Model(dir));
        var x = Matrix.Init(300, 2, (r, c) => Math.Sin(r * 0.37 + c));
        var whole = PredictJob.Format(model, Predictor.Predict(model, x), probabilities: false);
        var npy = dir.File("x.npy");
        Npy.Write(npy, NpyArray.FromMatrix(x));
        var npz = dir.File("x.npz");
        Npz.Write(npz, new Dictionary<string, NpyArray> { ["x"] = NpyArray.FromMatrix(x) });
        foreach (var path in new[] { npy, npz })
        {
            var output = dir.File("p.csv");
            Assert.Equal(300, PredictJob.Run(model, path, output, new PredictOptions(ChunkRows: 64)).Rows);
            Assert.Equal(whole, File.ReadAllText(output));
        }
    }

    /// <summary>A regression model y = 1e308·a + 1e308·b: finite for a + b ≤ 1, +∞ beyond.</summary>
    private static byte[] OverflowingModel()
    {
        var layer = new Dense(Matrix.FromRows([[1e308], [1e308]]), Vector.Create([0.0]), Activations.Linear);
        var info = new ModelInfo(TaskKind.Regression, ["a", "b"], "y", [], Losses.MeanSquaredError, FeatureScaling.None(2), null, [], "");
        return ModelFile.ToBytes(new Model(new Network([layer]), info));
    }

    [Fact]
    public void Predict_refuses_non_finite_outputs_with_exit_3_naming_the_row_and_keeps_the_old_output()
    {
        using var dir = new TempDir();
        var model = Model(dir, OverflowingModel());
        var data = dir.Write("d.csv", "a,b\n0,0\n0.5,0.25\n1,1\n0,1\n");
        var output = dir.Write("p.csv", "old predictions\n");
        Refused(NnCli.Run("predict", "--model", model, "--data", data, "--out", output), 3,
            "d.csv:4: data row 2: the model's output is Infinity", "nothing was written", "--allow-non-finite");
        Assert.Equal("old predictions\n", File.ReadAllText(output));
        Assert.Equal(["d.csv", "model.safetensors", "p.csv"], dir.Names());

        var r = NnCli.Run("predict", "--model", model, "--data", data, "--out", output, "--allow-non-finite");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("y\n0\n7.5E+307\nInfinity\n1E+308\n", File.ReadAllText(output));
    }

    [Fact]
    public void Predict_refuses_non_finite_outputs_from_a_real_process_and_a_later_chunk()
    {
        using var dir = new TempDir();
        var model = Model(dir, OverflowingModel());
        var rows = string.Concat(Enumerable.Range(0, 20_000).Select(i => i == 12_345 ? "2,2\n" : "0.25,0.5\n"));
        var data = dir.Write("d.csv", "a,b\n" + rows);
        var r = ChildNn.Run(["predict", "--model", model, "--data", data, "--out", dir.File("p.csv")], dir.Path, TimeSpan.FromMinutes(2));
        Refused(r, 3, "d.csv:12347: data row 12345: the model's output is Infinity");
        Assert.Equal(["d.csv", "model.safetensors"], dir.Names());
    }

    [Fact]
    public void A_bad_row_after_the_first_chunk_writes_nothing()
    {
        using var dir = new TempDir();
        var model = Model(dir);
        var rows = string.Concat(Enumerable.Range(0, 10_000).Select(i => i == 9_000 ? "1,x\n" : "1,2\n"));
        var data = dir.Write("d.csv", "a,b\n" + rows);
        Refused(NnCli.Run("predict", "--model", model, "--data", data, "--out", dir.File("p.csv")), "d.csv:9002:2: expected a number in column 'b', found 'x'.");
        Assert.Equal(["d.csv", "model.safetensors"], dir.Names());
    }

    [Fact]
    public void Predict_shows_its_rows_on_a_terminal_and_erases_the_line()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 60, 1);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--epochs", "1", "--layers", "4", "--out", model, "--quiet").Code);
        var rows = new System.Text.StringBuilder("a,b\n");
        for (var r = 0; r < 20_000; r++) rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"{r % 7},{r % 5}\n");
        var many = dir.Write("many.csv", rows.ToString());
        var o = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        var e = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        var code = CliApp.Run(["predict", "--model", model, "--data", many, "--out", dir.File("p.csv")], new CliConsole(o, e, Interactive: true), CancellationToken.None);
        Assert.True(code == 0, e.ToString());
        Assert.StartsWith("\rpredict: 8,192 rows", o.ToString());
        Assert.EndsWith("\r", o.ToString());
        Assert.Equal(20_001, File.ReadAllLines(dir.File("p.csv")).Length);
        var plain = NnCli.Run("predict", "--model", model, "--data", many, "--out", dir.File("q.csv"));
        Assert.Equal("", plain.Out);
    }
}
